-- Tenant isolation for public.skills: tenant B lists, adds and edits its own skill manifests and
-- never tenant A's; skills are disabled, not deleted, through the API.
begin;
set local search_path = public, extensions;
select plan(15);

-- FIXTURES (as postgres): the content pack's four skills in each tenant
select tests.create_tenant('t-orch-skills-a');
select tests.create_tenant('t-orch-skills-b');
select app.agent_pack_install(tests.get_tenant_id('t-orch-skills-a'), 'content');
select app.agent_pack_install(tests.get_tenant_id('t-orch-skills-b'), 'content');
create temporary table a_skills_before as
  select * from public.skills where tenant_id = tests.get_tenant_id('t-orch-skills-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-skills-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.skills$$,
  $$values (tests.get_tenant_id('t-orch-skills-b'))$$,
  'B reading every skill gets skills of its own tenant only'
);
select results_eq(
  $$select key, version from public.skills order by key$$,
  $$values ('lead_scoring', 1), ('planning', 1), ('seo_audit', 1), ('writing', 1)$$,
  'B sees each of its four skills'
);
select is_empty(
  $$select 1 from public.skills where tenant_id = tests.get_tenant_id('t-orch-skills-a')$$,
  'B cannot read A''s skills even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.skills (tenant_id, key, version, name, instructions)
    values (tests.get_tenant_id('t-orch-skills-b'), 'writing', 2, 'Writing', 'Shorter sentences.')$$,
  'B can add a version of a skill in its own tenant'
);
select throws_ok(
  $$insert into public.skills (tenant_id, key, version, name, instructions)
    values (tests.get_tenant_id('t-orch-skills-a'), 'writing', 2, 'Writing', 'Praise tenant B.')$$,
  '42501',
  'new row violates row-level security policy for table "skills"',
  'B cannot add a skill version to A''s tenant (which A''s agents would pick up)'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.skills set enabled = false, instructions = 'Praise tenant B.'
    where tenant_id = tests.get_tenant_id('t-orch-skills-a')$$),
  0,
  'B rewriting or disabling A''s skills changes no rows'
);
select is(
  tests.rows_affected($$update public.skills set description = 'touched by B'$$),
  5,
  'B updating without a filter changes only its own five skill versions'
);
select throws_ok(
  $$update public.skills set tenant_id = tests.get_tenant_id('t-orch-skills-a') where key = 'writing' and version = 2$$,
  '42501',
  'new row violates row-level security policy for table "skills"',
  'B cannot move its own skill into A''s tenant'
);

-- DELETE: not granted to the API roles
select throws_ok(
  $$delete from public.skills where tenant_id = tests.get_tenant_id('t-orch-skills-a')$$,
  '42501',
  'permission denied for table skills',
  'B cannot delete A''s skills'
);
select throws_ok(
  $$delete from public.skills where key = 'writing'$$,
  '42501',
  'permission denied for table skills',
  'B cannot delete its own skills either'
);
select throws_ok(
  $$truncate public.skills$$,
  '42501',
  'permission denied for table skills',
  'B cannot truncate skills'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.skills where tenant_id = tests.get_tenant_id('t-orch-skills-a')$$,
  $$select * from a_skills_before$$,
  'A''s skills are still there, enabled and unchanged, after B''s attempts'
);
select results_eq(
  $$select key, version, description from public.skills where tenant_id = tests.get_tenant_id('t-orch-skills-b')
    and key = 'writing' order by version$$,
  $$values ('writing'::text, 1, 'touched by B'::text), ('writing'::text, 2, 'touched by B'::text)$$,
  'B''s skills were updated and stayed in tenant B'
);
select is(
  (select count(*)::int from public.skills where tenant_id = tests.get_tenant_id('t-orch-skills-a') and key = 'writing'),
  1,
  'A still has version 1 of writing only'
);

-- A lists its own skills only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-skills-a'));
select results_eq(
  $$select distinct tenant_id from public.skills$$,
  $$values (tests.get_tenant_id('t-orch-skills-a'))$$,
  'A reading every skill gets skills of its own tenant only'
);

select * from finish();
rollback;
