-- pgmq privileges, with the stand-in or the extension (migration 0200 grants the same): workers
-- (service_role) may use pgmq and the tables of queues made later; anon and authenticated may not.
begin;
select plan(10);

select pgmq.create('t_contract_privs');

select ok(has_schema_privilege('service_role', 'pgmq', 'USAGE'), 'service_role can use schema pgmq');
select ok(not has_schema_privilege('anon', 'pgmq', 'USAGE'), 'anon cannot use schema pgmq');
select ok(not has_schema_privilege('authenticated', 'pgmq', 'USAGE'), 'authenticated cannot use schema pgmq');

select is(
  array(select f from unnest(array[
      'pgmq.create(text)', 'pgmq.send(text, jsonb, integer)', 'pgmq.send_batch(text, jsonb[], integer)',
      'pgmq.read(text, integer, integer)', 'pgmq.pop(text)', 'pgmq.set_vt(text, bigint, integer)',
      'pgmq.archive(text, bigint)', 'pgmq.archive(text, bigint[])', 'pgmq.delete(text, bigint)',
      'pgmq.delete(text, bigint[])', 'pgmq.purge_queue(text)', 'pgmq.metrics(text)',
      'pgmq.drop_queue(text, boolean)']) as f
    where not has_function_privilege('service_role', f::regprocedure, 'EXECUTE')),
  '{}'::text[],
  'service_role can execute every pgmq function Ora uses'
);

select table_privs_are('pgmq', 'q_t_contract_privs', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role can read and write the messages of a queue made after the migrations');
select table_privs_are('pgmq', 'a_t_contract_privs', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'and its archive');
select ok(
  has_sequence_privilege('service_role', pg_get_serial_sequence('pgmq.q_t_contract_privs', 'msg_id'), 'USAGE'),
  'and its msg_id sequence'
);
select table_privs_are('pgmq', 'meta', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  'service_role can read and write pgmq.meta');

select tests.authenticate_as_service();
select lives_ok(
  $$select pgmq.send('t_contract_privs', '{"n": 1}'), pgmq.read('t_contract_privs', 30, 1)$$,
  'acting as service_role, a worker sends and reads'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$select pgmq.send('t_contract_privs', '{"n": 2}')$$,
  '42501', null,
  'acting as anon, sending is refused'
);

select * from finish();
rollback;
