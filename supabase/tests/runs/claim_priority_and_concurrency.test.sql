-- app.runs_claim (the agent-worker's claim on agent_jobs) hands out a tenant's highest priority
-- first, holds back runs over a concurrency key's limit or the kind's tenant limit
-- (tenants.limits max_concurrent_sessions for agent sessions), archives the messages of runs that
-- already finished without running them, and fails a run whose worker keeps dying (a crash loop)
-- once it used up its attempts, dead-lettering its message.
begin;
set local search_path = public, extensions;
select plan(24);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): one tenant per behaviour, workers not woken
select tests.create_tenant('t-runs-claim-prio') as prio \gset
select tests.create_tenant('t-runs-claim-key') as key \gset
select tests.create_tenant('t-runs-claim-max') as max \gset
select tests.create_tenant('t-runs-claim-done') as done \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'prio', :'key', :'max', :'done');
update public.tenants set limits = limits || '{"max_concurrent_sessions": 2}' where id = :'max';
select app.agent_pack_install(t, 'content') from unnest(array[:'prio', :'key', :'max', :'done']::uuid[]) t;

-- Every claim below goes through this table: round, order returned, and what was returned
create temporary table claims (round integer, n bigint, msg_id bigint, run_id uuid, tenant_id uuid, kind text,
  attempt integer, resumed boolean, tag text);
create function pg_temp.claim(round integer) returns void language sql as $$
  insert into claims
  select claim.round, c.n, c.msg_id, c.run_id, c.tenant_id, c.kind, c.attempt, c.resumed, c.input ->> 'tag'
  from app.runs_claim('agent_jobs', 't-runs-claim-worker', 30, 10) with ordinality
    as c (msg_id, run_id, tenant_id, kind, attempt, resumed, code_version, input, steps, tenant_settings, n)
$$;

-- ============================================================================
-- PRIORITY within a tenant
-- ============================================================================
select id as run_p0 from app.session_spawn(:'prio', '{"agent":"writer","priority":0,"input":{"tag":"p0"}}') \gset
select id as run_p50 from app.session_spawn(:'prio', '{"agent":"seo","priority":50,"input":{"tag":"p50"}}') \gset
select id as run_pm10 from app.session_spawn(:'prio', '{"agent":"social","priority":-10,"input":{"tag":"p-10"}}') \gset
select pg_temp.claim(1);

select results_eq(
  format($$select tag from claims where round = 1 and tenant_id = %L order by n$$, :'prio'),
  $$values ('p50'), ('p0'), ('p-10')$$,
  'A tenant''s runs are claimed highest priority first (50, 0, -10), whatever order they were queued in'
);
select results_eq(
  format($$select distinct kind, attempt, resumed from claims where round = 1 and tenant_id = %L$$, :'prio'),
  $$values ('agent'::text, 1, false)$$,
  'Each is returned as a run of kind agent on its first attempt, not a resumption'
);
select results_eq(
  format($$select distinct status, worker_id, attempt, heartbeat_at = now(), started_at is not null
    from public.runs where tenant_id = %L$$, :'prio'),
  $$values ('running'::text, 't-runs-claim-worker'::text, 1, true, true)$$,
  'Claiming marks each run running for this worker with a fresh heartbeat'
);
select is(
  (select count(*)::int from pgmq.q_agent_jobs q join claims c on c.msg_id = q.msg_id
    where c.round = 1 and q.vt > clock_timestamp() + interval '20 seconds' and q.read_ct = 1),
  3,
  'and hides their messages for the visibility timeout, read once'
);

-- ============================================================================
-- CONCURRENCY KEY (limit 1 unless given)
-- ============================================================================
select id as run_k1 from app.session_spawn(:'key', '{"agent":"writer","priority":10,"concurrency_key":"site-42","input":{"tag":"k1"}}') \gset
select id as run_k2 from app.session_spawn(:'key', '{"agent":"writer","concurrency_key":"site-42","input":{"tag":"k2"}}') \gset
select id as run_k3 from app.session_spawn(:'key', '{"agent":"seo","concurrency_key":"site-7","input":{"tag":"k3"}}') \gset
select pg_temp.claim(2);

select results_eq(
  format($$select tag from claims where round = 2 and tenant_id = %L order by tag$$, :'key'),
  $$values ('k1'), ('k3')$$,
  'Of two runs with key site-42 only the first is claimed; site-7 is claimed alongside'
);
select results_eq(
  format($$select r.status, q.read_ct, q.vt <= clock_timestamp() from public.runs r
    join pgmq.q_agent_jobs q on q.msg_id = r.queue_msg_id where r.tenant_id = %L and r.input ->> 'tag' = 'k2'$$, :'key'),
  $$values ('queued'::text, 0, true)$$,
  'The held-back run stays queued, its message untouched and still visible'
);
select pg_temp.claim(3);
select is_empty(
  format($$select 1 from claims where round = 3 and tenant_id = %L$$, :'key'),
  'A later claim still holds it back while the first runs with a fresh heartbeat'
);

update public.runs set heartbeat_at = now() - interval '10 minutes'
where tenant_id = :'key' and input ->> 'tag' = 'k1';
select pg_temp.claim(4);
select results_eq(
  format($$select tag from claims where round = 4 and tenant_id = %L$$, :'key'),
  $$values ('k2')$$,
  'Once the first run''s heartbeat is stale (its worker presumed dead), the second is claimed'
);

select id as run_l1 from app.session_spawn(:'key', '{"agent":"analyst","concurrency_key":"pair","concurrency_limit":2,"input":{"tag":"l1"}}') \gset
select id as run_l2 from app.session_spawn(:'key', '{"agent":"analyst","concurrency_key":"pair","concurrency_limit":2,"input":{"tag":"l2"}}') \gset
select id as run_l3 from app.session_spawn(:'key', '{"agent":"analyst","concurrency_key":"pair","concurrency_limit":2,"input":{"tag":"l3"}}') \gset
select pg_temp.claim(5);
select results_eq(
  format($$select tag from claims where round = 5 and tenant_id = %L order by tag$$, :'key'),
  $$values ('l1'), ('l2')$$,
  'With concurrency_limit 2, two of three runs with the key are claimed, in queue order'
);

-- ============================================================================
-- THE KIND'S TENANT LIMIT: agent sessions count against tenants.limits max_concurrent_sessions
-- ============================================================================
select id as run_m1 from app.session_spawn(:'max', '{"agent":"writer","input":{"tag":"m1"}}') \gset
select id as run_m2 from app.session_spawn(:'max', '{"agent":"seo","input":{"tag":"m2"}}') \gset
select id as run_m3 from app.session_spawn(:'max', '{"agent":"social","input":{"tag":"m3"}}') \gset
select pg_temp.claim(6);
select results_eq(
  format($$select tag from claims where round = 6 and tenant_id = %L order by tag$$, :'max'),
  $$values ('m1'), ('m2')$$,
  'A tenant limited to 2 concurrent sessions gets two runs running, in queue order'
);
select is(
  (select status from public.runs where tenant_id = :'max' and input ->> 'tag' = 'm3'),
  'queued',
  'and its third waits in the queue'
);
select is(
  app.run_complete(:'max', (select id from public.runs where tenant_id = :'max' and input ->> 'tag' = 'm1'),
    (select queue_msg_id from public.runs where tenant_id = :'max' and input ->> 'tag' = 'm1'), '{"summary":"m1 done"}'),
  'completed',
  'One of the two completes'
);
select pg_temp.claim(7);
select results_eq(
  format($$select tag from claims where round = 7 and tenant_id = %L$$, :'max'),
  $$values ('m3')$$,
  'and the third is claimed at the next claim'
);
select is(
  app.tenant_limit(:'max', 'max_concurrent_sessions'),
  2,
  'The limit is the operator''s tenants.limits value, not the default of 10'
);

-- ============================================================================
-- FINISHED RUNS: their messages are archived, not run again
-- ============================================================================
select id as done_run, queue_msg_id as done_msg from app.session_spawn(:'done', '{"agent":"writer","input":{"tag":"d1"}}') \gset
-- completed elsewhere (no message given): its message is still in the queue
select is(app.run_complete(:'done', :'done_run', null, '{"summary":"finished elsewhere"}'), 'completed',
  'A run can be completed without naming its message (finished elsewhere)');
select isnt_empty(format($$select 1 from pgmq.q_agent_jobs where msg_id = %s$$, :done_msg),
  'which leaves the message queued');
select pg_temp.claim(8);
select is_empty(
  format($$select 1 from claims where round = 8 and run_id = %L$$, :'done_run'),
  'A message whose run already completed is not returned by the claim'
);
select results_eq(
  format($$select (select count(*)::int from pgmq.q_agent_jobs where msg_id = %1$s),
    (select count(*)::int from pgmq.a_agent_jobs where msg_id = %1$s)$$, :done_msg),
  $$values (0, 1)$$,
  'It left the queue for the archive'
);
select results_eq(
  format($$select status, attempt, output ->> 'summary' from public.runs where id = %L$$, :'done_run'),
  $$values ('completed'::text, 0, 'finished elsewhere'::text)$$,
  'and the run is still completed with its output, never attempted'
);

-- ============================================================================
-- CRASH LOOPS: a redelivery uses an attempt; past max_attempts the run fails for good
-- ============================================================================
select id as dead_run, queue_msg_id as dead_msg
from app.session_spawn(:'done', '{"agent":"seo","max_attempts":2,"input":{"tag":"x1"}}') \gset
select pg_temp.claim(9);
-- the worker dies without reporting: the message becomes visible again when its vt runs out
update pgmq.q_agent_jobs set vt = now() - interval '1 second' where msg_id = :dead_msg;
select pg_temp.claim(10);
update pgmq.q_agent_jobs set vt = now() - interval '1 second' where msg_id = :dead_msg;
select pg_temp.claim(11);
select results_eq(
  format($$select round, attempt from claims where run_id = %L order by round$$, :'dead_run'),
  $$values (9, 1), (10, 2)$$,
  'A run with max_attempts 2 is claimed again after its worker died (attempt 2), and not a third time'
);
select results_eq(
  format($$select status, error ->> 'code', error ->> 'message', completed_at is not null, queue_msg_id
    from public.runs where id = %L$$, :'dead_run'),
  $$values ('failed'::text, 'MAX_ATTEMPTS'::text,
    'Gave up after 2 attempts: the worker stopped before finishing each time'::text, true, null::bigint)$$,
  'It is failed with MAX_ATTEMPTS and says why'
);
select is_empty(
  format($$select 1 from pgmq.q_agent_jobs where msg_id = %s$$, :dead_msg),
  'Its message left the queue'
);
select results_eq(
  format($$select message -> 'message' ->> 'run_id', message ->> 'error' like 'Gave up after 2 attempts%%'
    from pgmq.q_agent_jobs_dlq where message ->> 'queue' = 'agent_jobs' and (message ->> 'msg_id')::bigint = %s$$, :dead_msg),
  format($$values (%L, true)$$, :'dead_run'),
  'and went to the dead-letter queue agent_jobs_dlq with the reason'
);
select results_eq(
  format($$select event_type from public.event_log where tenant_id = %L and payload ->> 'run_id' = %L
    or payload ->> 'session_id' = %L order by event_type$$, :'done', :'dead_run', :'dead_run'),
  $$values ('session.failed'::text)$$,
  'session.failed is emitted for it (one lifecycle event per run, named by its kind)'
);

select * from finish();
rollback;
