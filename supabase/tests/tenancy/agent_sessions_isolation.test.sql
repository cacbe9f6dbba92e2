-- Tenant isolation for public.agent_sessions, the view of runs of kind agent and orchestration
-- (security_invoker: the RLS of runs applies): a tenant reads its own sessions only; the API roles
-- cannot create, edit or remove sessions through the view (the app.* spawn and run functions do,
-- as service_role); anon reads nothing.
begin;
set local search_path = public, extensions;
select plan(15);

-- FIXTURES (as postgres): the content pack and one writer session in each tenant (workers are not
-- woken: the job stays in agent_jobs, which the rollback empties)
select tests.create_tenant('t-orch-sessions-a');
select tests.create_tenant('t-orch-sessions-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('t-orch-sessions-a'), tests.get_tenant_id('t-orch-sessions-b'));
select app.agent_pack_install(tests.get_tenant_id('t-orch-sessions-a'), 'content')
  + app.agent_pack_install(tests.get_tenant_id('t-orch-sessions-b'), 'content') as installed \gset
select id as a_session from app.session_spawn(tests.get_tenant_id('t-orch-sessions-a'), '{"agent":"writer","input":{"query":"A"}}') \gset
select id as b_session from app.session_spawn(tests.get_tenant_id('t-orch-sessions-b'), '{"agent":"writer","input":{"query":"B"}}') \gset

create temporary table a_rows_before as select * from public.agent_sessions where tenant_id = tests.get_tenant_id('t-orch-sessions-a');
create temporary table b_rows_before as select * from public.agent_sessions where tenant_id = tests.get_tenant_id('t-orch-sessions-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-sessions-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_sessions$$,
  $$values (tests.get_tenant_id('t-orch-sessions-b'), 1)$$,
  'B reading every session gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.agent_sessions where tenant_id = tests.get_tenant_id('t-orch-sessions-a')$$,
  'B cannot read A''s sessions even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.agent_sessions (tenant_id, agent_slug, status) values (tests.get_tenant_id('t-orch-sessions-b'), 'writer', 'running')$$,
  '42501',
  'permission denied for view agent_sessions',
  'B cannot write sessions, not even into its own tenant'
);
select throws_ok(
  $$insert into public.agent_sessions (tenant_id, agent_slug, status) values (tests.get_tenant_id('t-orch-sessions-a'), 'writer', 'queued')$$,
  '42501',
  'permission denied for view agent_sessions',
  'B cannot write sessions into A''s tenant'
);
select throws_ok(
  $$update public.agent_sessions set status = 'cancelled' where tenant_id = tests.get_tenant_id('t-orch-sessions-a')$$,
  '42501',
  'permission denied for view agent_sessions',
  'B cannot cancel or edit A''s sessions'
);
select throws_ok(
  $$update public.agent_sessions set tenant_id = tests.get_tenant_id('t-orch-sessions-a') where tenant_id = tests.get_tenant_id('t-orch-sessions-b')$$,
  '42501',
  'permission denied for view agent_sessions',
  'B cannot move its own sessions into A''s tenant'
);
select throws_ok(
  $$delete from public.agent_sessions where tenant_id = tests.get_tenant_id('t-orch-sessions-a')$$,
  '42501',
  'permission denied for view agent_sessions',
  'B cannot delete A''s sessions'
);
select throws_ok(
  $$delete from public.agent_sessions where tenant_id = tests.get_tenant_id('t-orch-sessions-b')$$,
  '42501',
  'permission denied for view agent_sessions',
  'B cannot delete its own sessions (cancelling goes through the API)'
);
select throws_ok(
  $$truncate public.agent_sessions$$,
  '42809',
  null,
  'B cannot truncate agent_sessions (a view; truncating runs is refused in runs_isolation)'
);
select throws_ok(
  $$update public.agent_sessions set status = 'completed', result = '{"forged": true}' where tenant_id = tests.get_tenant_id('t-orch-sessions-b')$$,
  '42501',
  'permission denied for view agent_sessions',
  'B cannot mark its own sessions completed past the workers'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.agent_sessions where tenant_id = tests.get_tenant_id('t-orch-sessions-a')$$,
  $$select * from a_rows_before$$,
  'A''s sessions are unchanged after B''s attempts'
);
select set_eq(
  $$select * from public.agent_sessions where tenant_id = tests.get_tenant_id('t-orch-sessions-b')$$,
  $$select * from b_rows_before$$,
  'B''s own sessions are unchanged and still in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-sessions-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.agent_sessions$$,
  $$values (tests.get_tenant_id('t-orch-sessions-a'), 1)$$,
  'A reading every session gets its own and nothing else'
);

-- ANON
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.agent_sessions'), 0), 0::bigint, 'anon reads no sessions');
select throws_ok(
  $$insert into public.agent_sessions (tenant_id, agent_slug, status) values (tests.get_tenant_id('t-orch-sessions-a'), 'writer', 'queued')$$,
  '42501', null,
  'anon cannot write sessions'
);
select tests.clear_authentication();

select * from finish();
rollback;
