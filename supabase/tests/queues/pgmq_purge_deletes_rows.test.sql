-- pgmq contract: purge_queue deletes the messages row by row, as pgmq does, rather than truncating
-- the queue table (TRUNCATE's ACCESS EXCLUSIVE lock would block every concurrent send and read
-- until the purge commits: shown from two sessions in functions/tests/queue_concurrency_test.ts).
begin;
select plan(3);

select pgmq.create('t_contract_purge_rows');
select pgmq.send_batch('t_contract_purge_rows', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]);

-- an ON DELETE trigger sees each deleted message; TRUNCATE fires no row trigger
create temp table purged (msg_id bigint);
create function pg_temp.note_purged() returns trigger language plpgsql as $$
begin
  insert into purged values (old.msg_id);
  return old;
end;
$$;
create trigger note_purged after delete on pgmq.q_t_contract_purge_rows
  for each row execute function pg_temp.note_purged();

select is(pgmq.purge_queue('t_contract_purge_rows'), 3::bigint, 'purge_queue reports the 3 messages');
select is((select count(*)::int from purged), 3, 'each was deleted as a row (delete triggers saw all 3)');
select is((select count(*)::int from pgmq.q_t_contract_purge_rows), 0, 'the queue is empty');

select * from finish();
rollback;
