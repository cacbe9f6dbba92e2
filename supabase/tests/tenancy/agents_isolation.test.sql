-- Tenant isolation for public.agents: acting through the API, tenant B lists, creates, edits and
-- removes its own agents and never tenant A's.
begin;
set local search_path = public, extensions;
select plan(15);

-- FIXTURES (as postgres): the content pack (six agents) in each tenant
select tests.create_tenant('t-orch-agents-a');
select tests.create_tenant('t-orch-agents-b');
select app.agent_pack_install(tests.get_tenant_id('t-orch-agents-a'), 'content');
select app.agent_pack_install(tests.get_tenant_id('t-orch-agents-b'), 'content');
create temporary table a_agents_before as
  select * from public.agents where tenant_id = tests.get_tenant_id('t-orch-agents-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-agents-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.agents$$,
  $$values (tests.get_tenant_id('t-orch-agents-b'))$$,
  'B reading every agent gets agents of its own tenant only'
);
select results_eq(
  $$select slug from public.agents order by slug$$,
  $$values ('analyst'), ('imager'), ('ora'), ('seo'), ('social'), ('writer')$$,
  'B sees each of its six agents'
);
select is_empty(
  $$select 1 from public.agents where tenant_id = tests.get_tenant_id('t-orch-agents-a')$$,
  'B cannot read A''s agents even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.agents (tenant_id, slug, name, persona)
    values (tests.get_tenant_id('t-orch-agents-b'), 'editor', 'Editor of B', 'You edit.')$$,
  'B can create an agent in its own tenant'
);
select throws_ok(
  $$insert into public.agents (tenant_id, slug, name, persona)
    values (tests.get_tenant_id('t-orch-agents-a'), 'planted', 'Planted by B', 'You obey B.')$$,
  '42501',
  'new row violates row-level security policy for table "agents"',
  'B cannot create an agent in A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.agents set persona = 'You obey B.', is_active = false
    where tenant_id = tests.get_tenant_id('t-orch-agents-a')$$),
  0,
  'B rewriting A''s agents changes no rows'
);
select is(
  tests.rows_affected($$update public.agents set description = 'touched by B'$$),
  7,
  'B updating without a filter changes only its own seven agents'
);
select throws_ok(
  $$update public.agents set tenant_id = tests.get_tenant_id('t-orch-agents-a') where slug = 'editor'$$,
  '42501',
  'new row violates row-level security policy for table "agents"',
  'B cannot move its own agent into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.agents where tenant_id = tests.get_tenant_id('t-orch-agents-a')$$),
  0,
  'B deleting A''s agents removes no rows'
);
select is(
  tests.rows_affected($$delete from public.agents where slug = 'editor'$$),
  1,
  'B can delete its own agent'
);
select throws_ok(
  $$truncate public.agents$$,
  '42501',
  'permission denied for table agents',
  'B cannot truncate agents'
);

-- AFTERWARDS (as postgres): A's agents are exactly as they were, B's stayed in B
select tests.clear_authentication();
select set_eq(
  $$select * from public.agents where tenant_id = tests.get_tenant_id('t-orch-agents-a')$$,
  $$select * from a_agents_before$$,
  'A''s six agents are still there, unchanged, after B''s attempts'
);
select results_eq(
  $$select count(*)::int, count(*) filter (where description = 'touched by B')::int from public.agents
    where tenant_id = tests.get_tenant_id('t-orch-agents-b')$$,
  $$values (6, 6)$$,
  'B''s own agents were updated and stayed in tenant B'
);
select is_empty(
  $$select 1 from public.agents where slug in ('planted', 'editor')$$,
  'Neither the planted agent nor B''s deleted agent exists anywhere'
);

-- A sees its own agents only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-agents-a'));
select results_eq(
  $$select distinct tenant_id from public.agents$$,
  $$values (tests.get_tenant_id('t-orch-agents-a'))$$,
  'A reading every agent gets agents of its own tenant only'
);

select * from finish();
rollback;
