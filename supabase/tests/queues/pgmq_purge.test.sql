-- pgmq contract: purge_queue deletes every message in the queue and keeps the archive.
begin;
select plan(6);

select pgmq.create('t_contract_purge');
select x from pgmq.send_batch('t_contract_purge', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as x order by x desc limit 1 \gset last_
select ok(pgmq.archive('t_contract_purge', :last_x::bigint), 'one message is archived');

select is(pgmq.purge_queue('t_contract_purge'), 2::bigint, 'purge_queue returns how many messages it deleted');
select is((select count(*)::int from pgmq.q_t_contract_purge), 0, 'the queue is empty');
select is((select count(*)::int from pgmq.a_t_contract_purge), 1, 'the archive is kept');
select is(pgmq.purge_queue('t_contract_purge'), 0::bigint, 'purging an empty queue returns 0');
select ok(
  (select x > :last_x from pgmq.send('t_contract_purge', '{"n": 4}') as x),
  'msg_ids keep increasing after a purge'
);

select * from finish();
rollback;
