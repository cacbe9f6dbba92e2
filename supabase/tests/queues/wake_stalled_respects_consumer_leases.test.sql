-- app.queue_wake_stalled (the tick job 'queues') wakes the worker of a queue whose visible
-- messages have waited unclaimed for over a second, unless the queue already has max_consumers
-- live consumer leases (renewed by app.queue_heartbeat, ended by app.queue_consumer_done);
-- expired leases are dropped and no longer count. Locally a wake-up is a row in
-- app.invoke_requests (pg_net on Supabase).
begin;
set local search_path = public, extensions;
select plan(8);

select exists (
  select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'net' and p.proname = 'http_post'
) as has_pg_net \gset

-- FIXTURES (as postgres): a queue drained by at most 2 consumers, with one message
select app.queue_register('t_stalled', 't-stalled-worker', 'pgTAP: stalled queues', 2);
select pgmq.send('t_stalled', '{"tenant_id":"5a1e0000-0000-4000-8000-0000000000aa"}') as msg \gset
create temporary view woken as
  select 1 from app.invoke_requests where txid = pg_current_xact_id() and function_name = 't-stalled-worker'
    and body = '{"reason": "tick"}';

\if :has_pg_net
select skip('pg_net is installed: wake-ups go over HTTP, not through app.invoke_requests', 8);
\else
-- ============================================================================
-- JUST ENQUEUED: the enqueue woke the worker already
-- ============================================================================
savepoint fresh;
select app.queue_wake_stalled() as n \gset
select is_empty($$select * from woken$$, 'A message visible for less than a second does not wake the worker (enqueueing it does)');
rollback to savepoint fresh;

-- ============================================================================
-- WAITING FOR TWO SECONDS
-- ============================================================================
update pgmq.q_t_stalled set vt = now() - interval '2 seconds' where msg_id = :msg;

savepoint no_consumers;
select app.queue_wake_stalled() as n \gset
select isnt_empty($$select * from woken$$, 'With no consumer draining the queue, a message waiting 2 s wakes its worker');
rollback to savepoint no_consumers;

select tests.authenticate_as_service();
select is(array(select app.queue_heartbeat('t_stalled', '{}'::bigint[], 30, 't-stalled-w1')), '{}'::bigint[], 'Consumer 1 takes a lease');
select is(array(select app.queue_heartbeat('t_stalled', '{}'::bigint[], 30, 't-stalled-w2')), '{}'::bigint[], 'Consumer 2 takes a lease');
select tests.clear_authentication();

savepoint at_capacity;
select app.queue_wake_stalled() as n \gset
select is_empty($$select * from woken$$, 'With max_consumers (2) live leases, the worker is not woken again');
rollback to savepoint at_capacity;

select tests.authenticate_as_service();
select app.queue_consumer_done('t_stalled', 't-stalled-w2') as done \gset
select tests.clear_authentication();
savepoint one_left;
select app.queue_wake_stalled() as n \gset
select isnt_empty($$select * from woken$$, 'When one consumer ends its lease, the worker is woken for the waiting message');
rollback to savepoint one_left;

-- the remaining lease expires (its worker died without ending it)
select tests.authenticate_as_service();
select count(*) as renewed from app.queue_heartbeat('t_stalled', '{}'::bigint[], 30, 't-stalled-w2') \gset
select tests.clear_authentication();
update app.queue_consumers set expires_at = now() - interval '1 second' where queue_name = 't_stalled';
select app.queue_wake_stalled() as n \gset
select isnt_empty($$select * from woken$$, 'Leases that expired do not count: the worker is woken');
select is_empty($$select 1 from app.queue_consumers where queue_name = 't_stalled'$$, 'and the expired leases are gone');
\endif

select * from finish();
rollback;
