-- Fair claiming across tenants (app.runs_claim, as the agent-worker calls it with service_role):
-- one tenant's burst of 40 high-priority runs does not starve another tenant's priority-0 run,
-- which is claimed within the first two claims; tenants take turns, least recently served first.
begin;
set local search_path = public, extensions;
select plan(8);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): P queues a burst of 40 runs at priority 50, then Q one run at priority 0
select tests.create_tenant('t-runs-fair-p') as p \gset
select tests.create_tenant('t-runs-fair-q') as q \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'p', :'q');
update public.tenants set limits = '{"max_concurrent_sessions": 100}' where id = :'p';
select app.agent_pack_install(:'p', 'content') + app.agent_pack_install(:'q', 'content') as installed \gset
select count(*) as burst from generate_series(1, 40) i,
  lateral app.session_spawn(:'p', jsonb_build_object('agent', 'writer', 'priority', 50, 'input', jsonb_build_object('n', i))) \gset
select id as q_run from app.session_spawn(:'q', '{"agent":"seo","priority":0}') \gset

select is(
  (select count(*)::int from pgmq.q_agent_jobs where vt <= clock_timestamp() and message ->> 'tenant_id' = :'p'),
  40,
  'P''s 40 runs are queued ahead of Q''s one'
);

-- ============================================================================
-- ONE RUN PER CLAIM
-- ============================================================================
savepoint one_at_a_time;
select tests.authenticate_as_service();
select run_id as first_run, tenant_id as first_tenant from app.runs_claim('agent_jobs', 't-runs-fair-worker', 30, 1) \gset
select run_id as second_run, tenant_id as second_tenant from app.runs_claim('agent_jobs', 't-runs-fair-worker', 30, 1) \gset
select run_id as third_run, tenant_id as third_tenant from app.runs_claim('agent_jobs', 't-runs-fair-worker', 30, 1) \gset

select ok(
  :'q_run'::uuid in (:'first_run'::uuid, :'second_run'::uuid),
  'Q''s priority-0 run is claimed within the first two claims, despite P''s 40 runs at priority 50'
);
select is(
  array[:'first_tenant'::uuid, :'second_tenant'::uuid, :'third_tenant'::uuid],
  array[:'p'::uuid, :'q'::uuid, :'p'::uuid],
  'P (queued first) is served, then Q (never served yet), then P again once Q has nothing left'
);
select is(
  (select status from public.runs where id = :'q_run'),
  'running',
  'Q''s run is running'
);
select is(
  (select count(*)::int from public.runs where tenant_id = :'p' and status = 'running'),
  2,
  'and P has two runs running, the rest still queued'
);
select tests.clear_authentication();
rollback to savepoint one_at_a_time;

-- ============================================================================
-- SEVERAL RUNS PER CLAIM: each tenant's best run before anyone's second
-- ============================================================================
select tests.authenticate_as_service();
create temporary table claimed as
  select c.n, c.tenant_id, c.run_id
  from app.runs_claim('agent_jobs', 't-runs-fair-worker', 30, 4) with ordinality
    as c (msg_id, run_id, tenant_id, kind, attempt, resumed, code_version, input, steps, tenant_settings, n);
select tests.clear_authentication();

select is((select count(*)::int from claimed), 4, 'A claim of 4 returns 4 runs');
select results_eq(
  $$select tenant_id from claimed order by n limit 2$$,
  format($$values (%L::uuid), (%L::uuid)$$, :'p', :'q'),
  'Its first two are P''s best run and Q''s only run, one per tenant'
);
select is(
  (select count(*)::int from claimed where tenant_id = :'p'),
  3,
  'and the rest go to P, the only tenant with more to give'
);

select * from finish();
rollback;
