-- Tenant secrets round-trip for service_role (workers, admin actions), each bound to the one
-- origin it may be sent to: app.secret_set stores the value encrypted (under the local key here,
-- in Vault on Supabase) with its origin (scheme://host[:port], lower-cased), app.secret_get returns
-- it for that origin, replacing it may rebind it, and every write and read is logged with its
-- purpose and target origin. app.secret_list names secrets and origins, never values.
begin;
set local search_path = public, extensions;
select plan(14);

select tests.create_tenant('tap-secrets') as t \gset
select tests.create_tenant('tap-secrets-other') as o \gset

select tests.authenticate_as_service();
select lives_ok(
  format($$select app.secret_set(%L, 'llm', 'sk-tap-first', 'https://API.OpenAI.com')$$, :'t'),
  'service_role stores a tenant secret bound to https://api.openai.com'
);
select is(app.secret_get(:'t', 'llm', 'tap', 'https://api.openai.com'), 'sk-tap-first', 'and reads it back for that origin');
select is(app.secret_get(:'t', 'llm', 'tap', 'https://Api.OpenAI.com'), 'sk-tap-first', 'whatever the case of the host');
select lives_ok(
  format($$select app.secret_set(%L, 'llm', 'sk-tap-rotated', 'https://llm.internal.example:8443')$$, :'t'),
  'service_role replaces it, bound to another origin (with a port)'
);
select is(app.secret_get(:'t', 'llm', 'tap', 'https://llm.internal.example:8443'), 'sk-tap-rotated',
  'and reads the new value for the new origin');
select is(app.secret_get(:'t', 'absent', 'tap', 'https://api.openai.com'), null, 'A secret never set reads as null');
select is(app.secret_get(:'o', 'llm', 'tap', 'https://llm.internal.example:8443'), null,
  'Another tenant reading a secret of that name gets null: secrets are per tenant');
select results_eq(
  format($$select name, origin from app.secret_list(%L)$$, :'t'),
  $$values ('llm'::text, 'https://llm.internal.example:8443'::text)$$,
  'secret_list names the secret and its origin (never its value)'
);

-- the origin is scheme://host[:port], nothing else
select is(tests.error_of(format($$select app.secret_set(%L, 'hook', 'whsec_1', 'https://hooks.example.com/path')$$, :'t')),
  'OR400: secret_origin_invalid', 'An origin with a path is refused (OR400 secret_origin_invalid)');
select is(tests.error_of(format($$select app.secret_set(%L, 'hook', 'whsec_1', 'https://user@hooks.example.com')$$, :'t')),
  'OR400: secret_origin_invalid', 'So is one with credentials');
select is(tests.error_of(format($$select app.secret_set(%L, 'hook', '', 'https://hooks.example.com')$$, :'t')),
  'OR400: secret_empty', 'and an empty value (OR400 secret_empty)');
select tests.clear_authentication();

select to_regclass('app.local_secret_key') is not null as has_local_key \gset
\if :has_local_key
select ok(
  (select position('sk-tap' in encode(value_enc, 'escape')) = 0 from app.tenant_secrets where tenant_id = :'t' and name = 'llm'),
  'it is stored encrypted, not in clear'
);
select is(
  (select extensions.pgp_sym_decrypt(s.value_enc, k.key) from app.tenant_secrets s, app.local_secret_key k
   where s.tenant_id = :'t' and s.name = 'llm'),
  'sk-tap-rotated',
  'under the key in app.local_secret_key'
);
\else
select ok(
  (select vault_secret_id is not null and value_enc is null from app.tenant_secrets where tenant_id = :'t' and name = 'llm'),
  'it is stored in Vault'
);
select skip('no local key here (Vault)', 1);
\endif

select is(
  (select array_agg(action || ':' || coalesce(purpose, '') order by id) from app.secret_access_log where tenant_id = :'t'),
  array['set:', 'read:tap → https://api.openai.com', 'read:tap → https://Api.OpenAI.com', 'set:',
    'read:tap → https://llm.internal.example:8443'],
  'Every write and read is logged, reads with their purpose and the origin they were for'
);

select * from finish();
rollback;
