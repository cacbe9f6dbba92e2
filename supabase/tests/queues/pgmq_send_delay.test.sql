-- pgmq contract: send and send_batch with a delay keep messages invisible for that long.
begin;
select plan(7);

select pgmq.create('t_contract_delay');
select pgmq.send('t_contract_delay', '{"n": 1}', 60) as delayed \gset

select ok(
  (select vt >= now() + interval '60 seconds' from pgmq.q_t_contract_delay where msg_id = :delayed),
  'send with delay 60 sets vt 60 seconds ahead'
);
select is((select count(*)::int from pgmq.read('t_contract_delay', 30, 10)), 0, 'a delayed message is not read');

create temp table batch as
  select x as msg_id from pgmq.send_batch('t_contract_delay', array['{"n": 2}', '{"n": 3}']::jsonb[], 60) as x;
select ok(
  (select bool_and(q.vt >= now() + interval '60 seconds') from pgmq.q_t_contract_delay q join batch using (msg_id)),
  'send_batch with delay 60 delays every message'
);
select is((select count(*)::int from pgmq.read('t_contract_delay', 30, 10)), 0, 'none is read');
select is((select queue_length from pgmq.metrics('t_contract_delay')), 3::bigint, 'delayed messages are in the queue');

select pgmq.send('t_contract_delay', '{"n": 4}', 1) as soon \gset
select pg_sleep(1.2);
create temp table got as select * from pgmq.read('t_contract_delay', 30, 10);
select is((select count(*)::int from got), 1, 'after its delay a message is read');
select is((select msg_id from got), :soon::bigint, 'only the one whose delay passed');

select * from finish();
rollback;
