-- app.claim_agent_jobs hands out the highest priority first, holds back jobs over a concurrency
-- key's limit or the tenant's max_concurrent_sessions, acknowledges jobs of sessions that already
-- finished without running them, and dead-letters a run that used up its attempts.
begin;
set local search_path = public, extensions;
select plan(20);

-- Only the jobs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): one tenant per behaviour, workers not woken
select tests.create_tenant('t-orch-claim-prio') as prio \gset
select tests.create_tenant('t-orch-claim-key') as key \gset
select tests.create_tenant('t-orch-claim-max') as max \gset
select tests.create_tenant('t-orch-claim-done') as done \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'prio', :'key', :'max', :'done');
update public.tenants set settings = settings || '{"max_concurrent_sessions": 2}' where id = :'max';
select app.agent_pack_install(t, 'content') from unnest(array[:'prio', :'key', :'max', :'done']::uuid[]) t;

-- Every claim below goes through this table: round, order returned, job and session
create temporary table claims (round integer, n bigint, msg_id bigint, read_ct integer, job_kind text, session_id uuid,
  tenant_id uuid, attempt integer, tag text);
create function pg_temp.claim(round integer) returns void language sql as $$
  insert into claims
  select claim.round, c.n, c.msg_id, c.read_ct, c.job_kind, c.session_id, c.tenant_id, c.attempt, s.input ->> 'tag'
  from app.claim_agent_jobs('t-orch-claim-worker', 30, 10) with ordinality
    as c (msg_id, read_ct, job_kind, session_id, tenant_id, attempt, n)
  left join public.agent_sessions s on s.id = c.session_id
$$;

-- ============================================================================
-- PRIORITY
-- ============================================================================
select app.spawn_session(:'prio', '{"agent":"writer","priority":0,"input":{"tag":"p0"}}');
select app.spawn_session(:'prio', '{"agent":"seo","priority":50,"input":{"tag":"p50"}}');
select app.spawn_session(:'prio', '{"agent":"social","priority":-10,"input":{"tag":"p-10"}}');
select pg_temp.claim(1);

select results_eq(
  format($$select tag from claims where round = 1 and tenant_id = %L order by n$$, :'prio'),
  $$values ('p50'), ('p0'), ('p-10')$$,
  'Jobs are claimed highest priority first (50, 0, -10), whatever order they were queued in'
);
select results_eq(
  format($$select distinct job_kind, read_ct, attempt from claims where round = 1 and tenant_id = %L$$, :'prio'),
  $$values ('run'::text, 1, 1)$$,
  'Each is returned as a run, read once, on its first attempt'
);
select results_eq(
  format($$select distinct status, worker_id, attempts, heartbeat_at = now(), started_at is not null
    from public.agent_sessions where tenant_id = %L$$, :'prio'),
  $$values ('running'::text, 't-orch-claim-worker'::text, 1, true, true)$$,
  'Claiming marks each session running for this worker with a fresh heartbeat'
);
select is(
  (select count(*)::int from pgmq.q_agent_jobs q join claims c on c.msg_id = q.msg_id
    where c.round = 1 and q.vt > clock_timestamp() + interval '20 seconds'),
  3,
  'and hides their jobs for the visibility timeout'
);

-- ============================================================================
-- CONCURRENCY KEY (limit 1 unless given)
-- ============================================================================
select app.spawn_session(:'key', '{"agent":"writer","priority":10,"concurrency_key":"site-42","input":{"tag":"k1"}}');
select app.spawn_session(:'key', '{"agent":"writer","concurrency_key":"site-42","input":{"tag":"k2"}}');
select app.spawn_session(:'key', '{"agent":"seo","concurrency_key":"site-7","input":{"tag":"k3"}}');
select pg_temp.claim(2);

select results_eq(
  format($$select tag from claims where round = 2 and tenant_id = %L order by tag$$, :'key'),
  $$values ('k1'), ('k3')$$,
  'Of two sessions with key site-42 only the first is claimed; site-7 is claimed alongside'
);
select results_eq(
  format($$select s.status, q.read_ct, q.vt <= clock_timestamp() from public.agent_sessions s
    join pgmq.q_agent_jobs q on q.msg_id = s.queue_msg_id where s.tenant_id = %L and s.input ->> 'tag' = 'k2'$$, :'key'),
  $$values ('queued'::text, 0, true)$$,
  'The held-back session stays queued, its job untouched and still visible'
);
select pg_temp.claim(3);
select is_empty(
  format($$select 1 from claims where round = 3 and tenant_id = %L$$, :'key'),
  'A later claim still holds it back while the first runs with a fresh heartbeat'
);

update public.agent_sessions set heartbeat_at = now() - interval '10 minutes'
where tenant_id = :'key' and input ->> 'tag' = 'k1';
select pg_temp.claim(4);
select results_eq(
  format($$select tag from claims where round = 4 and tenant_id = %L$$, :'key'),
  $$values ('k2')$$,
  'Once the first session''s heartbeat is stale (worker presumed dead), the second is claimed'
);

select app.spawn_session(:'key', '{"agent":"analyst","concurrency_key":"pair","concurrency_limit":2,"input":{"tag":"l1"}}');
select app.spawn_session(:'key', '{"agent":"analyst","concurrency_key":"pair","concurrency_limit":2,"input":{"tag":"l2"}}');
select app.spawn_session(:'key', '{"agent":"analyst","concurrency_key":"pair","concurrency_limit":2,"input":{"tag":"l3"}}');
select pg_temp.claim(5);
select results_eq(
  format($$select tag from claims where round = 5 and tenant_id = %L order by tag$$, :'key'),
  $$values ('l1'), ('l2')$$,
  'With concurrency_limit 2, two of three sessions with the key are claimed, in queue order'
);

-- ============================================================================
-- TENANT LIMIT: max_concurrent_sessions
-- ============================================================================
select app.spawn_session(:'max', '{"agent":"writer","input":{"tag":"m1"}}');
select app.spawn_session(:'max', '{"agent":"seo","input":{"tag":"m2"}}');
select app.spawn_session(:'max', '{"agent":"social","input":{"tag":"m3"}}');
select pg_temp.claim(6);
select results_eq(
  format($$select tag from claims where round = 6 and tenant_id = %L order by tag$$, :'max'),
  $$values ('m1'), ('m2')$$,
  'A tenant with max_concurrent_sessions 2 gets two sessions running, in queue order'
);
select is(
  (select status from public.agent_sessions where tenant_id = :'max' and input ->> 'tag' = 'm3'),
  'queued',
  'and its third waits in the queue'
);
select app.complete_session(:'max', (select id from public.agent_sessions where tenant_id = :'max' and input ->> 'tag' = 'm1'),
  (select queue_msg_id from public.agent_sessions where tenant_id = :'max' and input ->> 'tag' = 'm1'), '{"summary":"m1 done"}');
select pg_temp.claim(7);
select results_eq(
  format($$select tag from claims where round = 7 and tenant_id = %L$$, :'max'),
  $$values ('m3')$$,
  'When one of them completes, the third is claimed'
);

-- ============================================================================
-- FINISHED SESSIONS: acknowledged, not run again
-- ============================================================================
select id as done_session, queue_msg_id as done_msg from app.spawn_session(:'done', '{"agent":"writer","input":{"tag":"d1"}}') \gset
select app.complete_session(:'done', :'done_session', null, '{"summary":"finished elsewhere"}');
select pg_temp.claim(8);
select is_empty(
  format($$select 1 from claims where round = 8 and session_id = %L$$, :'done_session'),
  'A job whose session already completed is not returned'
);
select is_empty(
  format($$select 1 from pgmq.q_agent_jobs where msg_id = %s$$, :done_msg),
  'It left the queue'
);
select isnt_empty(
  format($$select 1 from pgmq.a_agent_jobs where msg_id = %s$$, :done_msg),
  'acknowledged into the archive'
);
select results_eq(
  format($$select status, attempts from public.agent_sessions where id = %L$$, :'done_session'),
  $$values ('completed'::text, 0)$$,
  'and the session is still completed, never attempted'
);

-- ============================================================================
-- CRASH LOOPS: a run that used up its attempts is dead-lettered
-- ============================================================================
select id as dead_session, queue_msg_id as dead_msg
from app.spawn_session(:'done', '{"agent":"seo","max_attempts":1,"input":{"tag":"x1"}}') \gset
select pg_temp.claim(9);
-- the worker dies without reporting: the job becomes visible again when its vt runs out
update pgmq.q_agent_jobs set vt = now() - interval '1 second' where msg_id = :dead_msg;
select pg_temp.claim(10);
select results_eq(
  format($$select round, attempt from claims where session_id = %L order by round$$, :'dead_session'),
  $$values (9, 1)$$,
  'A session with max_attempts 1 is claimed once, and not again after its worker died'
);
select results_eq(
  format($$select status, error ->> 'code', completed_at is not null from public.agent_sessions where id = %L$$, :'dead_session'),
  $$values ('failed'::text, 'MAX_ATTEMPTS'::text, true)$$,
  'Its session is failed with MAX_ATTEMPTS'
);
select is_empty(
  format($$select 1 from pgmq.q_agent_jobs where msg_id = %s$$, :dead_msg),
  'Its job left the queue'
);
select results_eq(
  format($$select message -> 'message' ->> 'session_id', message ->> 'error' like 'Gave up after 1 attempts%%'
    from pgmq.q_agent_jobs_dlq where (message ->> 'msg_id')::bigint = %s$$, :dead_msg),
  format($$values (%L, true)$$, :'dead_session'),
  'and went to the dead-letter queue agent_jobs_dlq with the reason'
);

select * from finish();
rollback;
