-- app.queue_dead_letter dead-letters a message at once (non-retryable errors).
begin;
select plan(12);

select app.queue_ensure('t_app_deadletter');
select pgmq.send('t_app_deadletter', '{"n": 1}') as a \gset

select is((select count(*)::int from app.queue_read('t_app_deadletter', 30, 1)), 1, 'the message is read');
select ok(app.queue_fail('t_app_deadletter', :a, 'retryable', 0), 'a first, retryable failure is recorded');

select ok(app.queue_dead_letter('t_app_deadletter', :a, 'invalid payload'), 'queue_dead_letter returns true');
select is((select count(*)::int from pgmq.q_t_app_deadletter), 0, 'the message left its queue');
select is((select count(*)::int from pgmq.a_t_app_deadletter where msg_id = :a), 1, 'it is in the archive of its queue');
select is((select count(*)::int from app.queue_errors where queue_name = 't_app_deadletter'), 0, 'its error row is gone');

create temp table dead as select * from pgmq.read('t_app_deadletter_dlq', 30, 10);
select is((select message ->> 'error' from dead), 'invalid payload', 'the dead letter carries the given error');
select ok(
  (select (message ->> 'msg_id')::bigint = :a and (message ->> 'read_ct')::int = 1 and message -> 'message' = '{"n": 1}'::jsonb from dead),
  'with the message, its id and read count'
);

select ok(not app.queue_dead_letter('t_app_deadletter', 999999, 'x'), 'a message not in the queue returns false');

-- A queue made with pgmq.create has no dead-letter queue yet: it is created on demand.
select pgmq.create('t_app_nodlq');
select pgmq.send('t_app_nodlq', '{"n": 2}') as b \gset
select ok(app.queue_dead_letter('t_app_nodlq', :b, repeat('y', 3000)), 'dead-lettering works without a dead-letter queue');
select is(
  (select length(message ->> 'error') from pgmq.read('t_app_nodlq_dlq', 30, 1)),
  2000,
  'which is created on demand, and errors are truncated to 2000 characters'
);

select throws_ok($$select app.queue_dead_letter('No Such Queue', 1, 'x')$$, '22023', null, 'an invalid queue name is refused');

select * from finish();
rollback;
