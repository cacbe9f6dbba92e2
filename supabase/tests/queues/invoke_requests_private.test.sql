-- app.invoke_requests, the local relay's queue of wake-ups, is out of reach of every API role:
-- anon and authenticated can neither read nor write it, so they cannot forge an invocation (a raw
-- pg_notify on ora_invoke names no row the relay can claim: functions/tests/zz_invoke_test.ts).
begin;
select plan(14);

select exists (
  select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'net' and p.proname = 'http_post'
) as has_pg_net \gset

select table_privs_are('app', 'invoke_requests', 'anon', array[]::text[], 'anon holds no privilege on app.invoke_requests');
select table_privs_are('app', 'invoke_requests', 'authenticated', array[]::text[], 'authenticated holds no privilege on it');
select table_privs_are('app', 'invoke_requests', 'service_role', array[]::text[], 'service_role holds none either (app.function_invoke writes it)');
select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'app.invoke_requests'::regclass),
  'it has row level security enabled and forced'
);
select is((select count(*)::int from pg_policies where schemaname = 'app' and tablename = 'invoke_requests'), 0,
  'with no policies (deny by default)');

-- a pending request, as app.function_invoke leaves it
select app.function_invoke('agent-worker', '{"reason": "tap-private"}');

select tests.authenticate_as_anon();
select throws_ok($$select count(*) from app.invoke_requests$$, '42501', null, 'anon cannot read requests');
select throws_ok(
  $$insert into app.invoke_requests (function_name, body) values ('ora', '{"action": "tenants.create"}')$$,
  '42501', null, 'anon cannot write a request'
);
select throws_ok($$delete from app.invoke_requests$$, '42501', null, 'anon cannot claim (delete) requests');
select throws_ok($$select app.function_invoke('ora', '{}')$$, '42501', null, 'anon cannot call app.function_invoke');

select tests.authenticate_as_tenant(gen_random_uuid());
select throws_ok($$select count(*) from app.invoke_requests$$, '42501', null, 'authenticated cannot read requests');
select throws_ok(
  $$insert into app.invoke_requests (function_name, body) values ('ora', '{"action": "tenants.create"}')$$,
  '42501', null, 'authenticated cannot write a request'
);
select throws_ok($$update app.invoke_requests set body = '{}'$$, '42501', null, 'authenticated cannot change a request');
select throws_ok($$select app.function_invoke('ora', '{}')$$, '42501', null, 'authenticated cannot call app.function_invoke');

select tests.clear_authentication();
\if :has_pg_net
select skip('pg_net is installed: app.function_invoke writes no request rows', 1);
\else
select is(
  (select count(*)::int from app.invoke_requests where body = '{"reason": "tap-private"}'),
  1,
  'the pending request is still there, unchanged'
);
\endif

select * from finish();
rollback;
