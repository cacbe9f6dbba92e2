-- app.queue_ack archives the message (the audit trail) and forgets its errors.
begin;
select plan(7);

select app.queue_ensure('t_app_ack');
select pgmq.send('t_app_ack', '{"n": 1}') as a \gset

select is((select count(*)::int from app.queue_read('t_app_ack', 30, 1)), 1, 'the message is read');
select ok(app.queue_fail('t_app_ack', :a, 'transient', 0), 'the first attempt fails');
select is((select count(*)::int from app.queue_read('t_app_ack', 30, 1)), 1, 'the retry is read');

select ok(app.queue_ack('t_app_ack', :a), 'queue_ack returns true');
select is(
  (select count(*)::int from pgmq.q_t_app_ack) * 10 + (select count(*)::int from pgmq.a_t_app_ack where msg_id = :a),
  1,
  'the message moved from the queue to its archive'
);
select is((select count(*)::int from app.queue_errors where queue_name = 't_app_ack'), 0, 'its error row is gone');
select ok(not app.queue_ack('t_app_ack', :a), 'acking it again returns false');

select * from finish();
rollback;
