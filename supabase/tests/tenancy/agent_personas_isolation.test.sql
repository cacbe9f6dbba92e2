-- Tenant isolation for public.agent_personas: a tenant reads its own persona history only; the
-- history is written by the agents trigger, never directly by the API roles.
begin;
set local search_path = public, extensions;
select plan(14);

-- FIXTURES (as postgres): the content pack in each tenant (version 1 of six personas each)
select tests.create_tenant('t-orch-personas-a');
select tests.create_tenant('t-orch-personas-b');
select app.agent_pack_install(tests.get_tenant_id('t-orch-personas-a'), 'content');
select app.agent_pack_install(tests.get_tenant_id('t-orch-personas-b'), 'content');
create temporary table a_personas_before as
  select * from public.agent_personas where tenant_id = tests.get_tenant_id('t-orch-personas-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-personas-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_personas$$,
  $$values (tests.get_tenant_id('t-orch-personas-b'), 6)$$,
  'B reading every persona version gets the six of its own tenant and nothing else'
);
select is_empty(
  $$select 1 from public.agent_personas where tenant_id = tests.get_tenant_id('t-orch-personas-a')$$,
  'B cannot read A''s persona history even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.agent_personas (tenant_id, agent_id, version, persona)
    select tests.get_tenant_id('t-orch-personas-b'), a.id, 9, 'forged' from public.agents a where a.slug = 'writer'$$,
  '42501',
  'permission denied for table agent_personas',
  'B cannot write persona versions, not even for its own agent'
);
select throws_ok(
  $$insert into public.agent_personas (tenant_id, agent_id, version, persona)
    values (tests.get_tenant_id('t-orch-personas-a'), gen_random_uuid(), 9, 'forged')$$,
  '42501',
  'permission denied for table agent_personas',
  'B cannot write persona versions into A''s tenant'
);
select throws_ok(
  $$update public.agent_personas set persona = 'rewritten' where tenant_id = tests.get_tenant_id('t-orch-personas-a')$$,
  '42501',
  'permission denied for table agent_personas',
  'B cannot rewrite A''s persona history'
);
select throws_ok(
  $$update public.agent_personas set tenant_id = tests.get_tenant_id('t-orch-personas-a')$$,
  '42501',
  'permission denied for table agent_personas',
  'B cannot move its own persona history into A''s tenant'
);
select throws_ok(
  $$delete from public.agent_personas where tenant_id = tests.get_tenant_id('t-orch-personas-a')$$,
  '42501',
  'permission denied for table agent_personas',
  'B cannot delete A''s persona history'
);
select throws_ok(
  $$truncate public.agent_personas$$,
  '42501',
  'permission denied for table agent_personas',
  'B cannot truncate agent_personas'
);

-- THROUGH AGENTS: B's persona edits version its own agents only
select is(
  tests.rows_affected($$update public.agents set persona = 'You obey B.' where tenant_id = tests.get_tenant_id('t-orch-personas-a')$$),
  0,
  'B changing the personas of A''s agents changes no rows'
);
select is(
  tests.rows_affected($$update public.agents set persona = 'You write for B, concisely.' where slug = 'writer'$$),
  1,
  'B can change the persona of its own writer'
);
select results_eq(
  $$select p.version, p.persona = 'You write for B, concisely.' from public.agent_personas p
    join public.agents a on a.id = p.agent_id where a.slug = 'writer' order by p.version$$,
  $$values (1, false), (2, true)$$,
  'which B sees recorded as version 2 of its writer''s persona'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.agent_personas where tenant_id = tests.get_tenant_id('t-orch-personas-a')$$,
  $$select * from a_personas_before$$,
  'A''s persona history is unchanged after B''s attempts'
);
select results_eq(
  $$select a.persona, a.persona_version from public.agents a
    where a.tenant_id = tests.get_tenant_id('t-orch-personas-a') and a.slug = 'writer'$$,
  $$select t.persona, 1 from app.agent_templates t where t.pack = 'content' and t.slug = 'writer'$$,
  'A''s writer still has its pack persona, version 1'
);

-- A reads its own history only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-personas-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_personas$$,
  $$values (tests.get_tenant_id('t-orch-personas-a'), 6)$$,
  'A reading every persona version gets its own six and nothing else'
);

select * from finish();
rollback;
