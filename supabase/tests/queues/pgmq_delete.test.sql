-- pgmq contract: delete removes messages for good (no archive).
begin;
select plan(6);

select pgmq.create('t_contract_delete');
select pgmq.send('t_contract_delete', '{"n": 1}') as a \gset
select pgmq.send('t_contract_delete', '{"n": 2}') as b \gset
select pgmq.send('t_contract_delete', '{"n": 3}') as c \gset

select ok(pgmq.delete('t_contract_delete', :a::bigint), 'delete returns true');
select is((select count(*)::int from pgmq.q_t_contract_delete where msg_id = :a), 0, 'the message is gone');
select ok(not pgmq.delete('t_contract_delete', :a::bigint), 'deleting it again returns false');

select is(
  (select array_agg(x order by x) from pgmq.delete('t_contract_delete', array[:b, :c, 999999]::bigint[]) as x),
  array[:b, :c]::bigint[],
  'delete(msg_ids) returns the ids it deleted'
);
select is((select count(*)::int from pgmq.q_t_contract_delete), 0, 'the queue is empty');
select is((select count(*)::int from pgmq.a_t_contract_delete), 0, 'nothing was archived');

select * from finish();
rollback;
