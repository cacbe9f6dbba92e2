-- pgmq contract: create, create_unlogged, list_queues, drop_queue and the tables behind a queue.
begin;
set local client_min_messages = warning;
select plan(18);

select lives_ok($$select pgmq.create('t_contract_create')$$, 'create makes a queue');
select lives_ok($$select pgmq.create('t_contract_create')$$, 'create is idempotent');

select has_table('pgmq', 'q_t_contract_create', 'messages live in pgmq.q_<name>');
select has_table('pgmq', 'a_t_contract_create', 'the archive is pgmq.a_<name>');
select columns_are('pgmq', 'q_t_contract_create',
  array['msg_id', 'read_ct', 'enqueued_at', 'vt', 'message'],
  'the queue table has the pgmq 1.4 columns');
select columns_are('pgmq', 'a_t_contract_create',
  array['msg_id', 'read_ct', 'enqueued_at', 'archived_at', 'vt', 'message'],
  'the archive table has the pgmq 1.4 columns, with archived_at');
select col_is_pk('pgmq', 'q_t_contract_create', 'msg_id', 'msg_id is the primary key');
select has_index('pgmq', 'q_t_contract_create', 'q_t_contract_create_vt_idx', array['vt'], 'the queue table is indexed on vt');

select ok(
  exists (select 1 from pgmq.list_queues() where queue_name = 't_contract_create' and not is_partitioned and not is_unlogged),
  'list_queues lists it as a logged, unpartitioned queue'
);

select lives_ok($$select pgmq.create_unlogged('t_contract_unlogged')$$, 'create_unlogged makes a queue');
select is(
  (select relpersistence::text from pg_class where oid = 'pgmq.q_t_contract_unlogged'::regclass),
  'u',
  'its queue table is unlogged'
);
select ok(
  (select is_unlogged from pgmq.list_queues() where queue_name = 't_contract_unlogged'),
  'list_queues marks it unlogged'
);

select ok(pgmq.drop_queue('t_contract_create'), 'drop_queue returns true');
select hasnt_table('pgmq', 'q_t_contract_create', 'the queue table is gone');
select hasnt_table('pgmq', 'a_t_contract_create', 'the archive table is gone');
select ok(
  not exists (select 1 from pgmq.list_queues() where queue_name = 't_contract_create'),
  'list_queues no longer lists it'
);

select throws_like($$select pgmq.create('t_bad;name')$$, '%queue name%', 'a name with ; is refused');
select throws_like($$select pgmq.create(repeat('q', 48))$$, '%queue name%', 'a name over 47 characters is refused');

select * from finish();
rollback;
