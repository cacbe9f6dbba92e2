-- app.queue_read dead-letters a message read more than max_attempts times instead of returning it.
begin;
select plan(20);

select app.queue_ensure('t_app_dlq');
select pgmq.send('t_app_dlq', '{"job": 1}') as msg_id \gset

select is((select read_ct from app.queue_read('t_app_dlq', 30, 1, 3)), 1, 'attempt 1 is delivered');
select ok(app.queue_fail('t_app_dlq', :msg_id, 'boom 1', 0), 'attempt 1 fails');
select is((select read_ct from app.queue_read('t_app_dlq', 30, 1, 3)), 2, 'attempt 2 is delivered');
select ok(app.queue_fail('t_app_dlq', :msg_id, 'boom 2', 0), 'attempt 2 fails');
select is((select read_ct from app.queue_read('t_app_dlq', 30, 1, 3)), 3, 'attempt 3 (the last of max_attempts 3) is delivered');
select ok(app.queue_fail('t_app_dlq', :msg_id, 'boom 3', 0), 'attempt 3 fails');

select is(
  (select count(*)::int from app.queue_read('t_app_dlq', 30, 10, 3)),
  0,
  'a fourth read returns nothing: the message was read more than max_attempts times'
);
select is((select count(*)::int from pgmq.q_t_app_dlq), 0, 'the message left its queue');
select is((select count(*)::int from pgmq.a_t_app_dlq where msg_id = :msg_id), 1, 'it is in the archive of its queue');
select is((select count(*)::int from app.queue_errors where queue_name = 't_app_dlq'), 0, 'its error row is gone');

create temp table dead as select * from pgmq.read('t_app_dlq_dlq', 30, 10);
select is((select count(*)::int from dead), 1, 'one message arrived in t_app_dlq_dlq');
select is((select message ->> 'queue' from dead), 't_app_dlq', 'the dead letter names its queue');
select is((select (message ->> 'msg_id')::bigint from dead), :msg_id::bigint, 'its msg_id');
select is((select (message ->> 'read_ct')::int from dead), 4, 'how often it was read');
select is((select message ->> 'error' from dead), 'boom 3', 'the last error recorded by queue_fail');
select is((select message -> 'message' from dead), '{"job": 1}'::jsonb, 'and the original message');
select ok(
  (select (message ->> 'enqueued_at')::timestamptz <= (message ->> 'dead_at')::timestamptz from dead),
  'with enqueued_at and dead_at'
);

-- Without a recorded error (the worker died, the visibility timeout expired).
select pgmq.send('t_app_dlq', '{"job": 2}') as silent_id \gset
select is((select read_ct from app.queue_read('t_app_dlq', 30, 1, 1)), 1, 'a message with max_attempts 1 is delivered once');
select msg_id as expired_id from pgmq.set_vt('t_app_dlq', :silent_id, -1) \gset
select is((select count(*)::int from app.queue_read('t_app_dlq', 30, 1, 1)), 0, 'not a second time');
select is(
  (select message ->> 'error' from pgmq.read('t_app_dlq_dlq', 30, 10) where (message ->> 'msg_id')::bigint = :silent_id),
  'max attempts exceeded',
  'its dead letter says max attempts exceeded'
);

select * from finish();
rollback;
