-- Tenant isolation for public.agent_runs: a tenant reads the LLM turns and tool calls of its own
-- sessions only; the API roles cannot forge or edit runs, which double as the checkpoint a
-- redelivered job replays (app.record_agent_run writes them).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): the content pack and one writer session in each tenant (workers are not
-- woken: the job stays in agent_jobs, which the rollback empties)
select tests.create_tenant('t-orch-runs-a');
select tests.create_tenant('t-orch-runs-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('t-orch-runs-a'), tests.get_tenant_id('t-orch-runs-b'));
select app.agent_pack_install(tests.get_tenant_id('t-orch-runs-a'), 'content');
select app.agent_pack_install(tests.get_tenant_id('t-orch-runs-b'), 'content');
select id as a_session from app.spawn_session(tests.get_tenant_id('t-orch-runs-a'), '{"agent":"writer","input":{"query":"A"}}') \gset
select id as b_session from app.spawn_session(tests.get_tenant_id('t-orch-runs-b'), '{"agent":"writer","input":{"query":"B"}}') \gset
select app.record_agent_run(tests.get_tenant_id('t-orch-runs-a'), :'a_session', '{"seq":1,"kind":"llm","provider":"offline","model":"offline","prompt_tokens":10,"completion_tokens":5,"cost_usd":0}');
select app.record_agent_run(tests.get_tenant_id('t-orch-runs-b'), :'b_session', '{"seq":1,"kind":"llm","provider":"offline","model":"offline","prompt_tokens":12,"completion_tokens":6,"cost_usd":0}');
create temporary table a_rows_before as select * from public.agent_runs where tenant_id = tests.get_tenant_id('t-orch-runs-a');
create temporary table b_rows_before as select * from public.agent_runs where tenant_id = tests.get_tenant_id('t-orch-runs-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-runs-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_runs$$,
  $$values (tests.get_tenant_id('t-orch-runs-b'), 1)$$,
  'B reading every run gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.agent_runs where tenant_id = tests.get_tenant_id('t-orch-runs-a')$$,
  'B cannot read A''s runs even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.agent_runs (tenant_id, session_id, seq, attempt, kind, agent_slug, output) select s.tenant_id, s.id, 2, 1, 'llm', 'writer', '"forged"' from public.agent_sessions s$$,
  '42501',
  'permission denied for table agent_runs',
  'B cannot write runs, not even for its own session (a forged checkpoint)'
);
select throws_ok(
  $$insert into public.agent_runs (tenant_id, session_id, seq, attempt, kind, agent_slug, output) values (tests.get_tenant_id('t-orch-runs-a'), gen_random_uuid(), 2, 1, 'llm', 'writer', '"forged"')$$,
  '42501',
  'permission denied for table agent_runs',
  'B cannot write runs into A''s tenant'
);
select throws_ok(
  $$update public.agent_runs set output = '"forged by B"' where tenant_id = tests.get_tenant_id('t-orch-runs-a')$$,
  '42501',
  'permission denied for table agent_runs',
  'B cannot rewrite A''s runs (the checkpoint A''s worker would replay)'
);
select throws_ok(
  $$update public.agent_runs set tenant_id = tests.get_tenant_id('t-orch-runs-a') where tenant_id = tests.get_tenant_id('t-orch-runs-b')$$,
  '42501',
  'permission denied for table agent_runs',
  'B cannot move its own runs into A''s tenant'
);
select throws_ok(
  $$delete from public.agent_runs where tenant_id = tests.get_tenant_id('t-orch-runs-a')$$,
  '42501',
  'permission denied for table agent_runs',
  'B cannot delete A''s runs'
);
select throws_ok(
  $$delete from public.agent_runs where tenant_id = tests.get_tenant_id('t-orch-runs-b')$$,
  '42501',
  'permission denied for table agent_runs',
  'B cannot delete its own runs'
);
select throws_ok(
  $$truncate public.agent_runs$$,
  '42501',
  'permission denied for table agent_runs',
  'B cannot truncate agent_runs'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.agent_runs where tenant_id = tests.get_tenant_id('t-orch-runs-a')$$,
  $$select * from a_rows_before$$,
  'A''s runs are unchanged after B''s attempts'
);
select set_eq(
  $$select * from public.agent_runs where tenant_id = tests.get_tenant_id('t-orch-runs-b')$$,
  $$select * from b_rows_before$$,
  'B''s own runs are unchanged and still in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-runs-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_runs$$,
  $$values (tests.get_tenant_id('t-orch-runs-a'), 1)$$,
  'A reading every run gets its own and nothing else'
);

select * from finish();
rollback;
