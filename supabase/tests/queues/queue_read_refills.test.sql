-- app.queue_read still returns up to qty live messages when some of those it read were dead-lettered.
begin;
select plan(6);

select app.queue_ensure('t_app_refill');
select pgmq.send('t_app_refill', '{"n": 1}') as a \gset
select pgmq.send('t_app_refill', '{"n": 2}') as b \gset
select pgmq.send('t_app_refill', '{"n": 3}') as c \gset

select is((select msg_id from app.queue_read('t_app_refill', 30, 1, 1)), :a::bigint, 'the first read delivers a');
select ok(app.queue_fail('t_app_refill', :a, 'flaky', 0), 'a fails and is visible again');

create temp table got as select * from app.queue_read('t_app_refill', 30, 2, 1);
select is(
  (select array_agg(msg_id order by msg_id) from got),
  array[:b, :c]::bigint[],
  'reading 2 dead-letters a and still returns 2 live messages, b and c'
);
select is((select count(*)::int from pgmq.q_t_app_refill where msg_id = :a), 0, 'a left the queue');
select is((select count(*)::int from pgmq.q_t_app_refill_dlq), 1, 'a is in the dead-letter queue');
select is((select count(*)::int from app.queue_read('t_app_refill', 30, 5, 1)), 0, 'with nothing visible left, queue_read returns nothing');

select * from finish();
rollback;
