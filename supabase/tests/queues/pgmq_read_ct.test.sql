-- pgmq contract: read counts every read in read_ct, returns the oldest first, at most qty.
begin;
select plan(8);

select pgmq.create('t_contract_read_ct');
select pgmq.send('t_contract_read_ct', '{"n": 1}') as a \gset

select is((select read_ct from pgmq.read('t_contract_read_ct', 30, 1)), 1, 'first read: read_ct 1');
select is((select count(*)::int from pgmq.set_vt('t_contract_read_ct', :a::bigint, 0)), 1, 'set_vt 0 makes it visible again');
select is((select read_ct from pgmq.read('t_contract_read_ct', 30, 1)), 2, 'second read: read_ct 2');
select is((select count(*)::int from pgmq.set_vt('t_contract_read_ct', :a::bigint, 0)), 1, 'set_vt 0 again');
select is((select read_ct from pgmq.read('t_contract_read_ct', 30, 1)), 3, 'third read: read_ct 3');

select pgmq.create('t_contract_read_qty');
select pgmq.send('t_contract_read_qty', '{"n": 1}') as m1 \gset
select pgmq.send('t_contract_read_qty', '{"n": 2}') as m2 \gset
select pgmq.send('t_contract_read_qty', '{"n": 3}') as m3 \gset

create temp table two as select * from pgmq.read('t_contract_read_qty', 30, 2);
select is(
  (select array_agg(msg_id order by msg_id) from two),
  array[:m1, :m2]::bigint[],
  'read returns at most qty messages, oldest first'
);
select is(
  (select array_agg(msg_id) from pgmq.read('t_contract_read_qty', 30, 10)),
  array[:m3]::bigint[],
  'the next read gets only the one left visible'
);
select is(
  (select count(*)::int from pgmq.read('t_contract_read_qty', 30, 10)),
  0,
  'then nothing is visible'
);

select * from finish();
rollback;
