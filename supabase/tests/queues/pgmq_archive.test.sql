-- pgmq contract: archive moves messages from pgmq.q_<name> to pgmq.a_<name>.
begin;
select plan(9);

select pgmq.create('t_contract_archive');
select pgmq.send('t_contract_archive', '{"n": 1}') as a \gset
select pgmq.send('t_contract_archive', '{"n": 2}') as b \gset
select pgmq.send('t_contract_archive', '{"n": 3}') as c \gset

select is((select msg_id from pgmq.read('t_contract_archive', 30, 1)), :a::bigint, 'the first message is read');

select ok(pgmq.archive('t_contract_archive', :a::bigint), 'archive returns true');
select is((select count(*)::int from pgmq.q_t_contract_archive where msg_id = :a), 0, 'the message left the queue');
select is((select read_ct from pgmq.a_t_contract_archive where msg_id = :a), 1, 'the archive keeps its read_ct');
select ok(
  (select message = '{"n": 1}'::jsonb and archived_at is not null from pgmq.a_t_contract_archive where msg_id = :a),
  'the archive keeps its body and records archived_at'
);
select ok(not pgmq.archive('t_contract_archive', :a::bigint), 'archiving it again returns false');

select is(
  (select array_agg(x order by x) from pgmq.archive('t_contract_archive', array[:b, :c, 999999]::bigint[]) as x),
  array[:b, :c]::bigint[],
  'archive(msg_ids) returns the ids it moved'
);
select is((select count(*)::int from pgmq.q_t_contract_archive), 0, 'the queue is empty');
select is((select count(*)::int from pgmq.a_t_contract_archive), 3, 'the archive holds all three');

select * from finish();
rollback;
