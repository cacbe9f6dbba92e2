-- app.queue_fail records the error and makes the message visible again after retry_in_seconds.
begin;
select plan(13);

select app.queue_ensure('t_app_fail');
select pgmq.send('t_app_fail', '{"n": 1}') as a \gset

select is((select count(*)::int from app.queue_read('t_app_fail', 30, 1)), 1, 'the message is read');
select ok(app.queue_fail('t_app_fail', :a, 'first error', 0), 'queue_fail returns true');
select is(
  (select attempts from app.queue_errors where queue_name = 't_app_fail' and msg_id = :a),
  1,
  'one failed attempt is recorded'
);
select is(
  (select last_error from app.queue_errors where queue_name = 't_app_fail' and msg_id = :a),
  'first error',
  'with its error'
);
select is((select count(*)::int from pgmq.read('t_app_fail', 30, 1)), 1, 'retry_in_seconds 0: visible again at once');

select ok(app.queue_fail('t_app_fail', :a, repeat('x', 5000), 60), 'a second failure');
select is(
  (select attempts from app.queue_errors where queue_name = 't_app_fail' and msg_id = :a),
  2,
  'attempts counts up'
);
select is(
  (select length(last_error) from app.queue_errors where queue_name = 't_app_fail' and msg_id = :a),
  2000,
  'errors are truncated to 2000 characters'
);
select ok(
  (select vt >= now() + interval '60 seconds' from pgmq.q_t_app_fail where msg_id = :a),
  'retry_in_seconds 60 hides the message for a minute'
);
select is((select count(*)::int from pgmq.read('t_app_fail', 30, 1)), 0, 'so it is not read');

select ok(not app.queue_fail('t_app_fail', 999999, 'gone', 0), 'queue_fail of a message not in the queue returns false');
select is(
  (select count(*)::int from app.queue_errors where queue_name = 't_app_fail' and msg_id = 999999),
  0,
  'and records nothing'
);
select throws_ok($$select app.queue_fail('t_app_fail', 1, 'x', -1)$$, '22023', null, 'a negative retry_in_seconds is refused');

select * from finish();
rollback;
