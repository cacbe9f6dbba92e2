-- pgmq contract: send then read; a read message stays invisible until its visibility timeout passes.
begin;
select plan(9);

select pgmq.create('t_contract_send');
select pgmq.send('t_contract_send', '{"hello": "world"}') as msg_id \gset

create temp table first_read as select * from pgmq.read('t_contract_send', 1, 10);
select is((select count(*)::int from first_read), 1, 'read returns the sent message');
select is((select msg_id from first_read), :msg_id::bigint, 'with the msg_id send returned');
select is((select message from first_read), '{"hello": "world"}'::jsonb, 'with its body');
select is((select read_ct from first_read), 1, 'counting the read');
select ok(
  (select vt > now() and vt <= clock_timestamp() + interval '1 second' from first_read),
  'read sets vt to vt seconds from the read'
);

select is(
  (select count(*)::int from pgmq.read('t_contract_send', 1, 10)),
  0,
  'while its visibility timeout runs, no other read gets it'
);

select pg_sleep(1.2);

create temp table second_read as select * from pgmq.read('t_contract_send', 30, 10);
select is((select count(*)::int from second_read), 1, 'once the visibility timeout has passed it is read again');
select is((select msg_id from second_read), :msg_id::bigint, 'the same message');
select is((select read_ct from second_read), 2, 'now read twice');

select * from finish();
rollback;
