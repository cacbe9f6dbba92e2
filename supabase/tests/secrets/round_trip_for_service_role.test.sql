-- Tenant secrets round-trip for service_role (workers, admin actions): app.secret_set stores them
-- encrypted (under the local key here, in Vault on Supabase) bound to an origin, app.secret_get
-- returns them for that origin, and every read is logged with its purpose and target.
begin;
set local search_path = public, extensions;
select plan(8);

select tests.create_tenant('tap-secrets');

select tests.authenticate_as_service();
select lives_ok(
  $$select app.secret_set(tests.get_tenant_id('tap-secrets'), 'llm', 'sk-tap-first', 'https://api.openai.com')$$,
  'service_role stores a tenant secret'
);
select is((select value from app.secret_get(tests.get_tenant_id('tap-secrets'), 'llm', 'tap', 'https://api.openai.com')),
  'sk-tap-first', 'and reads it back for its origin');
select lives_ok(
  $$select app.secret_set(tests.get_tenant_id('tap-secrets'), 'llm', 'sk-tap-rotated', 'https://api.openai.com')$$,
  'service_role replaces it'
);
select is((select value from app.secret_get(tests.get_tenant_id('tap-secrets'), 'llm', 'tap', 'https://api.openai.com')),
  'sk-tap-rotated', 'and reads the new value');
select is((select count(*)::int from app.secret_get(tests.get_tenant_id('tap-secrets'), 'absent', 'tap', 'https://api.openai.com')),
  0, 'a secret never set reads as no row');
select tests.clear_authentication();

select to_regclass('app.local_secret_key') is not null as has_local_key \gset
\if :has_local_key
select ok(
  (select position('sk-tap' in encode(value_enc, 'escape')) = 0 from app.tenant_secrets
   where tenant_id = tests.get_tenant_id('tap-secrets') and name = 'llm'),
  'it is stored encrypted, not in clear'
);
select is(
  (select extensions.pgp_sym_decrypt(s.value_enc, k.key) from app.tenant_secrets s, app.local_secret_key k
   where s.tenant_id = tests.get_tenant_id('tap-secrets') and s.name = 'llm'),
  'sk-tap-rotated',
  'under the key in app.local_secret_key'
);
\else
select ok(
  (select vault_secret_id is not null and value_enc is null from app.tenant_secrets
   where tenant_id = tests.get_tenant_id('tap-secrets') and name = 'llm'),
  'it is stored in Vault'
);
select skip('no local key here (Vault)', 1);
\endif

select is(
  (select array_agg(action || ':' || coalesce(purpose, '') order by id) from app.secret_access_log
   where tenant_id = tests.get_tenant_id('tap-secrets')),
  array['set:', 'read:tap → https://api.openai.com', 'set:', 'read:tap → https://api.openai.com'],
  'every write and read is logged, reads with their purpose and target'
);

select * from finish();
rollback;
