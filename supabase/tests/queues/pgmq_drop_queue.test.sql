-- pgmq contract: drop_queue(queue_name, partitioned default false) is pgmq 1.4.4's one signature;
-- it drops the queue, its archive and its meta row, and raises for a queue that does not exist.
begin;
set local client_min_messages = warning;
select plan(11);

select is(
  array(select pg_get_function_arguments(p.oid) from pg_proc p
        where p.pronamespace = 'pgmq'::regnamespace and p.proname = 'drop_queue'),
  array['queue_name text, partitioned boolean DEFAULT false'],
  'drop_queue has exactly pgmq 1.4.4''s signature (queue_name text, partitioned boolean default false)'
);
select function_returns('pgmq', 'drop_queue', array['text', 'boolean'], 'boolean', 'drop_queue returns boolean');

select pgmq.create('t_contract_drop');
select pgmq.send('t_contract_drop', '{"n": 1}');
select ok(pgmq.drop_queue('t_contract_drop', false), 'drop_queue(name, false) returns true');
select hasnt_table('pgmq', 'q_t_contract_drop', 'the queue table is gone');
select hasnt_table('pgmq', 'a_t_contract_drop', 'the archive table is gone');
select ok(
  not exists (select 1 from pgmq.meta where queue_name = 't_contract_drop'),
  'the meta row is gone'
);

select pgmq.create('t_contract_drop');
select ok(pgmq.drop_queue(queue_name => 't_contract_drop'), 'drop_queue(name) drops an unpartitioned queue too');

select throws_ok(
  $$select pgmq.drop_queue('t_contract_never_made')$$,
  '42P01', null,
  'dropping a queue that does not exist raises undefined_table'
);
select throws_ok(
  $$select pgmq.drop_queue('t_contract_never_made', false)$$,
  '42P01', null,
  'with partitioned => false as well'
);

select pgmq.create('t_contract_drop_kept');
select case when exists (select 1 from pg_extension where extname = 'pg_partman')
  then skip('pg_partman is installed: partitioned => true also clears its part_config', 2)
  else concat_ws(E'\n',
    throws_ok(
      $$select pgmq.drop_queue('t_contract_drop_kept', true)$$,
      '22004', null,
      'partitioned => true without pg_partman raises'
    ),
    has_table('pgmq', 'q_t_contract_drop_kept', 'and drops nothing')
  )
end;

select * from finish();
rollback;
