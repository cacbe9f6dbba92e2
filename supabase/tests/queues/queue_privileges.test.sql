-- Only service_role may use the queue layer; app.queue_errors is reachable only through it.
begin;
select plan(25);

select function_privs_are('app', 'queue_ensure', array['text'], 'anon', array[]::text[], 'anon cannot run app.queue_ensure');
select function_privs_are('app', 'queue_ensure', array['text'], 'authenticated', array[]::text[], 'authenticated cannot run app.queue_ensure');
select function_privs_are('app', 'queue_ensure', array['text'], 'service_role', array['EXECUTE'], 'service_role can run app.queue_ensure');

select function_privs_are('app', 'queue_read', array['text', 'integer', 'integer', 'integer'], 'anon', array[]::text[], 'anon cannot run app.queue_read');
select function_privs_are('app', 'queue_read', array['text', 'integer', 'integer', 'integer'], 'authenticated', array[]::text[], 'authenticated cannot run app.queue_read');
select function_privs_are('app', 'queue_read', array['text', 'integer', 'integer', 'integer'], 'service_role', array['EXECUTE'], 'service_role can run app.queue_read');

select function_privs_are('app', 'queue_fail', array['text', 'bigint', 'text', 'integer'], 'anon', array[]::text[], 'anon cannot run app.queue_fail');
select function_privs_are('app', 'queue_fail', array['text', 'bigint', 'text', 'integer'], 'authenticated', array[]::text[], 'authenticated cannot run app.queue_fail');
select function_privs_are('app', 'queue_fail', array['text', 'bigint', 'text', 'integer'], 'service_role', array['EXECUTE'], 'service_role can run app.queue_fail');

select function_privs_are('app', 'queue_ack', array['text', 'bigint'], 'anon', array[]::text[], 'anon cannot run app.queue_ack');
select function_privs_are('app', 'queue_ack', array['text', 'bigint'], 'authenticated', array[]::text[], 'authenticated cannot run app.queue_ack');
select function_privs_are('app', 'queue_ack', array['text', 'bigint'], 'service_role', array['EXECUTE'], 'service_role can run app.queue_ack');

select function_privs_are('app', 'queue_dead_letter', array['text', 'bigint', 'text'], 'anon', array[]::text[], 'anon cannot run app.queue_dead_letter');
select function_privs_are('app', 'queue_dead_letter', array['text', 'bigint', 'text'], 'authenticated', array[]::text[], 'authenticated cannot run app.queue_dead_letter');
select function_privs_are('app', 'queue_dead_letter', array['text', 'bigint', 'text'], 'service_role', array['EXECUTE'], 'service_role can run app.queue_dead_letter');

select function_privs_are('app', 'function_invoke', array['text', 'jsonb'], 'anon', array[]::text[], 'anon cannot run app.function_invoke');
select function_privs_are('app', 'function_invoke', array['text', 'jsonb'], 'authenticated', array[]::text[], 'authenticated cannot run app.function_invoke');
select function_privs_are('app', 'function_invoke', array['text', 'jsonb'], 'service_role', array['EXECUTE'], 'service_role can run app.function_invoke');

select function_privs_are('app', 'queue_move_to_dlq', array['text', 'pgmq.message_record', 'text'], 'service_role', array[]::text[], 'the internal app.queue_move_to_dlq is not callable by service_role');

select ok(
  (select bool_and(p.prosecdef and p.proconfig @> array['search_path=""'])
   from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'app'
     and p.proname in ('queue_ensure', 'queue_read', 'queue_fail', 'queue_ack', 'queue_dead_letter', 'function_invoke')),
  'the queue functions are security definer with an empty search_path'
);

select table_privs_are('app', 'queue_errors', 'anon', array[]::text[], 'anon has no access to app.queue_errors');
select table_privs_are('app', 'queue_errors', 'authenticated', array[]::text[], 'authenticated has no access to app.queue_errors');
select table_privs_are('app', 'queue_errors', 'service_role', array[]::text[], 'service_role reaches app.queue_errors only through the functions');
select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'app.queue_errors'::regclass),
  'app.queue_errors has row level security enabled and forced'
);
select is((select count(*)::int from pg_policies where schemaname = 'app' and tablename = 'queue_errors'), 0, 'with no policies (deny by default)');

select * from finish();
rollback;
