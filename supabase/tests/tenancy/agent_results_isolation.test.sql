-- Tenant isolation for public.agent_results: a tenant reads the results of its own sessions only;
-- the API roles cannot forge, edit or remove results (app.complete_session writes them).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): the content pack and one writer session in each tenant (workers are not
-- woken: the job stays in agent_jobs, which the rollback empties)
select tests.create_tenant('t-orch-results-a');
select tests.create_tenant('t-orch-results-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('t-orch-results-a'), tests.get_tenant_id('t-orch-results-b'));
select app.agent_pack_install(tests.get_tenant_id('t-orch-results-a'), 'content');
select app.agent_pack_install(tests.get_tenant_id('t-orch-results-b'), 'content');
select id as a_session from app.spawn_session(tests.get_tenant_id('t-orch-results-a'), '{"agent":"writer","input":{"query":"A"}}') \gset
select id as b_session from app.spawn_session(tests.get_tenant_id('t-orch-results-b'), '{"agent":"writer","input":{"query":"B"}}') \gset
select app.complete_session(tests.get_tenant_id('t-orch-results-a'), :'a_session', null, '{"summary":"done in A","output":{"text":"A"}}');
select app.complete_session(tests.get_tenant_id('t-orch-results-b'), :'b_session', null, '{"summary":"done in B","output":{"text":"B"}}');
create temporary table a_rows_before as select * from public.agent_results where tenant_id = tests.get_tenant_id('t-orch-results-a');
create temporary table b_rows_before as select * from public.agent_results where tenant_id = tests.get_tenant_id('t-orch-results-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-results-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_results$$,
  $$values (tests.get_tenant_id('t-orch-results-b'), 1)$$,
  'B reading every result gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.agent_results where tenant_id = tests.get_tenant_id('t-orch-results-a')$$,
  'B cannot read A''s results even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.agent_results (tenant_id, session_id, agent_slug, output) select tests.get_tenant_id('t-orch-results-b'), gen_random_uuid(), 'writer', '"forged"'$$,
  '42501',
  'permission denied for table agent_results',
  'B cannot write results, not even into its own tenant'
);
select throws_ok(
  $$insert into public.agent_results (tenant_id, session_id, agent_slug, output) select tests.get_tenant_id('t-orch-results-a'), gen_random_uuid(), 'writer', '"forged"'$$,
  '42501',
  'permission denied for table agent_results',
  'B cannot write results into A''s tenant'
);
select throws_ok(
  $$update public.agent_results set output = '"forged by B"', summary = 'forged' where tenant_id = tests.get_tenant_id('t-orch-results-a')$$,
  '42501',
  'permission denied for table agent_results',
  'B cannot rewrite A''s results'
);
select throws_ok(
  $$update public.agent_results set tenant_id = tests.get_tenant_id('t-orch-results-a') where tenant_id = tests.get_tenant_id('t-orch-results-b')$$,
  '42501',
  'permission denied for table agent_results',
  'B cannot move its own results into A''s tenant'
);
select throws_ok(
  $$delete from public.agent_results where tenant_id = tests.get_tenant_id('t-orch-results-a')$$,
  '42501',
  'permission denied for table agent_results',
  'B cannot delete A''s results'
);
select throws_ok(
  $$delete from public.agent_results where tenant_id = tests.get_tenant_id('t-orch-results-b')$$,
  '42501',
  'permission denied for table agent_results',
  'B cannot delete its own results'
);
select throws_ok(
  $$truncate public.agent_results$$,
  '42501',
  'permission denied for table agent_results',
  'B cannot truncate agent_results'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.agent_results where tenant_id = tests.get_tenant_id('t-orch-results-a')$$,
  $$select * from a_rows_before$$,
  'A''s results are unchanged after B''s attempts'
);
select set_eq(
  $$select * from public.agent_results where tenant_id = tests.get_tenant_id('t-orch-results-b')$$,
  $$select * from b_rows_before$$,
  'B''s own results are unchanged and still in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-results-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_results$$,
  $$values (tests.get_tenant_id('t-orch-results-a'), 1)$$,
  'A reading every result gets its own and nothing else'
);

select * from finish();
rollback;
