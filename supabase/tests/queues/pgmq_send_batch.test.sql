-- pgmq contract: send_batch sends many messages at once, ids in array order.
begin;
select plan(4);

select pgmq.create('t_contract_batch');
create temp table ids as
  select x as msg_id
  from pgmq.send_batch('t_contract_batch', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as x;

select is((select count(distinct msg_id)::int from ids), 3, 'send_batch returns one msg_id per message');

create temp table got as select * from pgmq.read('t_contract_batch', 30, 10);
select is((select count(*)::int from got), 3, 'all three are readable at once');
select set_eq('select msg_id from got', 'select msg_id from ids', 'they carry the returned ids');
select is(
  (select array_agg(message ->> 'n' order by msg_id) from got),
  array['1', '2', '3'],
  'ids follow the order of the array'
);

select * from finish();
rollback;
