-- pgmq contract: pop reads and deletes the oldest visible message in one step.
-- pgmq 1.4 pop only sees messages visible at transaction start (vt <= now()); set_vt(.., 0)
-- sets vt = now(), which is how this single-transaction test makes messages poppable.
begin;
select plan(8);

select pgmq.create('t_contract_pop');
select pgmq.send('t_contract_pop', '{"n": 1}') as a \gset
select pgmq.send('t_contract_pop', '{"n": 2}') as b \gset
select is((select count(*)::int from pgmq.set_vt('t_contract_pop', :a::bigint, 0)), 1, 'first message made visible');
select is((select count(*)::int from pgmq.set_vt('t_contract_pop', :b::bigint, 0)), 1, 'second message made visible');

create temp table popped as select * from pgmq.pop('t_contract_pop');
select is((select count(*)::int from popped), 1, 'pop returns one message');
select is((select msg_id from popped), :a::bigint, 'the oldest');
select is((select message from popped), '{"n": 1}'::jsonb, 'with its body');
select is(
  (select count(*)::int from pgmq.q_t_contract_pop where msg_id = :a) + (select count(*)::int from pgmq.a_t_contract_pop),
  0,
  'it is deleted, not archived'
);

select is((select msg_id from pgmq.read('t_contract_pop', 30, 1)), :b::bigint, 'reading the other message hides it');
select is((select count(*)::int from pgmq.pop('t_contract_pop')), 0, 'pop skips invisible messages');

select * from finish();
rollback;
