-- Runs deferred while a dependency's breaker is open (app.run_defer with release key
-- breaker:<key>) resume the moment it closes: the successful probe (app.breaker_record ok)
-- releases every message deferred on that key in that tenant — not another tenant's — and the
-- runs are claimed again without having used an attempt.
begin;
set local search_path = public, extensions;
select plan(11);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): in T two running sessions and in U one; T's and U's breakers for the
-- same host are open
select tests.create_tenant('t-orch-breaker-release-t') as t \gset
select tests.create_tenant('t-orch-breaker-release-u') as u \gset
update public.tenants set settings = settings || '{"wake_workers": false, "breaker_failure_threshold": 1}' where id in (:'t', :'u');
select id as r1 from app.run_create(:'t', '{"kind":"agent","subject":"writer","priority":2}') \gset
select id as r2 from app.run_create(:'t', '{"kind":"agent","subject":"seo","priority":1}') \gset
select id as r3 from app.run_create(:'u', '{"kind":"agent","subject":"writer"}') \gset

select tests.authenticate_as_service();
create temporary table claimed as select run_id, msg_id, attempt from app.runs_claim('agent_jobs', 't-breaker-worker', 30, 10);
select is((select count(*)::int from claimed), 3, 'The worker claims the three runs (attempt 1 each)');
select app.breaker_record(:'t', 'llm:api.example.com', false, 'HTTP 503') as t_open \gset
select app.breaker_record(:'u', 'llm:api.example.com', false, 'HTTP 503') as u_open \gset

-- ============================================================================
-- DEFERRED while open
-- ============================================================================
select is(
  (select array_agg(app.run_defer(c.tenant, c.run_id, c.msg_id, 600, 'llm breaker open', 'breaker:llm:api.example.com') order by c.run_id)
   from (select run_id, msg_id, case when run_id = :'r3' then :'u'::uuid else :'t'::uuid end as tenant from claimed) c),
  array[true, true, true],
  'Each run is deferred on breaker:llm:api.example.com for 10 minutes'
);
select tests.clear_authentication();
select results_eq(
  format($$select r.status, r.attempt, r.worker_id, r.error ->> 'code', r.error ->> 'release_key', q.read_ct,
      q.vt > clock_timestamp() + interval '500 seconds'
    from public.runs r join pgmq.q_agent_jobs q on q.msg_id = r.queue_msg_id where r.id = %L$$, :'r1'),
  $$values ('queued'::text, 0, null::text, 'DEFERRED'::text, 'breaker:llm:api.example.com'::text, 0, true)$$,
  'A deferred run is queued again, its attempt given back, its message hidden for the delay'
);

-- ============================================================================
-- T'S PROBE SUCCEEDS: T's breaker closes and releases T's runs
-- ============================================================================
select tests.clear_authentication();
update public.circuit_breakers set open_until = now() - interval '1 second' where tenant_id = :'t';
select tests.authenticate_as_service();
select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'half_open'::text)$$,
  'After T''s cooldown one probe goes through'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', true), 'closed', 'The probe succeeds and closes T''s breaker');
select tests.clear_authentication();

select results_eq(
  format($$select r.id, q.vt <= clock_timestamp() from public.runs r join pgmq.q_agent_jobs q on q.msg_id = r.queue_msg_id
    where r.id in (%L, %L, %L) order by 2, r.id$$, :'r1', :'r2', :'r3'),
  format($$select id, id <> %L from public.runs where id in (%L, %L, %L) order by 2, id$$, :'r3', :'r1', :'r2', :'r3'),
  'T''s two deferred runs are visible at once; U''s stays deferred'
);
select results_eq(
  $$select tenant_id, release_key from app.queue_deferrals where queue_name = 'agent_jobs' and release_key = 'breaker:llm:api.example.com'
    and tenant_id in (tests.get_tenant_id('t-orch-breaker-release-t'), tests.get_tenant_id('t-orch-breaker-release-u'))$$,
  format($$values (%L::uuid, 'breaker:llm:api.example.com'::text)$$, :'u'),
  'Only U''s deferral is left'
);
select is(
  (select state from public.circuit_breakers where tenant_id = :'u'),
  'open',
  'and U''s breaker is still open'
);

-- ============================================================================
-- CLAIMED AGAIN on the attempt the deferral gave back
-- ============================================================================
select tests.authenticate_as_service();
create temporary table again as select run_id, attempt, resumed from app.runs_claim('agent_jobs', 't-breaker-worker-2', 30, 10);
select tests.clear_authentication();
select results_eq(
  $$select run_id, attempt from again order by run_id$$,
  format($$select unnest(array[%L, %L]::uuid[]), 1 order by 1$$, :'r1', :'r2'),
  'T''s two runs are claimed again, on attempt 1: the deferral did not use an attempt'
);
select is(
  (select status from public.runs where id = :'r3'),
  'queued',
  'U''s run still waits for its own breaker'
);
select tests.authenticate_as_service();
select is(app.breaker_record(:'t', 'llm:api.example.com', true), 'closed',
  'A success on a breaker that is already closed changes nothing');
select tests.clear_authentication();

select * from finish();
rollback;
