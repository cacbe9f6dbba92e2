-- The local stand-in for Vault keeps its encryption key in app.local_secret_key, where no API role
-- can read it: not through current_setting() (it is no database or role setting), not by select,
-- not through the helper that returns it. (On Supabase there is no such key: Vault holds secrets.)
begin;
set local search_path = public, extensions;
select plan(14);

select to_regclass('app.local_secret_key') is not null as has_local_key \gset

\if :has_local_key
select is((select count(*)::int from app.local_secret_key), 1, 'the local stack has one key');
select ok(
  (select length(key) >= 32 from app.local_secret_key),
  'of at least 32 characters'
);
select ok(
  (select relrowsecurity and relforcerowsecurity from pg_class where oid = 'app.local_secret_key'::regclass),
  'app.local_secret_key has row level security enabled and forced, with no grants'
);
\else
select skip('no local key here (Supabase keeps tenant secrets in Vault)', 3);
\endif

select ok(
  not exists (select 1 from pg_db_role_setting s, unnest(s.setconfig) c where c like 'app.local_secret_key=%'),
  'no database or role setting carries the key'
);

select tests.authenticate_as_anon();
select is(coalesce(current_setting('app.local_secret_key', true), ''), '', 'anon gets nothing from current_setting(''app.local_secret_key'')');
select throws_ok($$select key from app.local_secret_key$$, '42501', null, 'anon cannot select the key');
select throws_ok($$select app.local_encryption_key()$$, '42501', null, 'anon cannot call app.local_encryption_key()');
select is(
  (select count(*)::int from pg_settings where name like 'app.%'),
  0,
  'anon sees no app.* setting at all'
);

select tests.authenticate_as_tenant(gen_random_uuid());
select is(coalesce(current_setting('app.local_secret_key', true), ''), '', 'authenticated gets nothing from current_setting(''app.local_secret_key'')');
select throws_ok($$select key from app.local_secret_key$$, '42501', null, 'authenticated cannot select the key');
select throws_ok($$select app.local_encryption_key()$$, '42501', null, 'authenticated cannot call app.local_encryption_key()');

select tests.authenticate_as_service();
select throws_ok($$select key from app.local_secret_key$$, '42501', null, 'service_role cannot select the key either');
select throws_ok($$select app.local_encryption_key()$$, '42501', null, 'nor call app.local_encryption_key() (app.secret_get decrypts for it)');
select tests.clear_authentication();

select ok(
  has_function_privilege('service_role', 'app.secret_get(uuid, text, text, text)', 'EXECUTE'),
  'service_role reaches secrets only through app.secret_set / app.secret_get'
);

select * from finish();
rollback;
