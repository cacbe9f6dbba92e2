-- pgmq contract: set_vt moves a message's visibility timeout and returns the message.
begin;
select plan(10);

select pgmq.create('t_contract_set_vt');
select pgmq.send('t_contract_set_vt', '{"n": 1}') as a \gset

select is((select count(*)::int from pgmq.read('t_contract_set_vt', 30, 1)), 1, 'the message is read');
select is((select count(*)::int from pgmq.read('t_contract_set_vt', 30, 1)), 0, 'and hidden for 30 seconds');

create temp table moved as select * from pgmq.set_vt('t_contract_set_vt', :a::bigint, 0);
select is((select msg_id from moved), :a::bigint, 'set_vt returns the message');
select is((select read_ct from moved), 1, 'set_vt does not count as a read');
select ok((select vt <= clock_timestamp() from moved), 'set_vt 0 makes it visible now');
select is((select count(*)::int from pgmq.read('t_contract_set_vt', 30, 1)), 1, 'so it is read again');

create temp table pushed as select * from pgmq.set_vt('t_contract_set_vt', :a::bigint, 120);
select ok(
  (select vt >= now() + interval '120 seconds' and vt < clock_timestamp() + interval '121 seconds' from pushed),
  'set_vt 120 hides it for 120 seconds'
);
select is((select vt from pgmq.q_t_contract_set_vt where msg_id = :a), (select vt from pushed), 'the returned vt is the stored one');
select is((select count(*)::int from pgmq.read('t_contract_set_vt', 30, 1)), 0, 'so it is not read');

select is((select count(*)::int from pgmq.set_vt('t_contract_set_vt', 999999, 0)), 0, 'set_vt of an unknown message returns nothing');

select * from finish();
rollback;
