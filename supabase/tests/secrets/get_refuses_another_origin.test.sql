-- A tenant secret is only ever sent to the origin it was configured for: app.secret_get for any
-- other origin — another host, scheme or port, or none — raises OR403 with DETAIL
-- secret_origin_mismatch and a message naming both origins, and decrypts nothing (no read is
-- logged); the secret still reads for its own origin.
--
-- Not asserted here: app.secret_get writes a 'refused' row to app.secret_access_log and then
-- raises; the error rolls that row back with everything else the statement did, so while the
-- refusal is an error no refusal is ever logged. Logging it takes a refusal returned as a result
-- instead of raised (a change to secret_get's contract and its callers).
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-secrets-origin') as t \gset
select app.secret_set(:'t', 'llm', 'sk-tap-bound', 'https://api.openai.com') as stored \gset

select tests.authenticate_as_service();
select throws_ok(
  format($$select app.secret_get(%L, 'llm', 'llm', 'https://evil.example')$$, :'t'),
  'OR403',
  'Secret llm is bound to https://api.openai.com, not https://evil.example: it is only ever sent to the origin it was configured for',
  'Reading the secret for another host is refused with OR403, naming both origins'
);
select is(
  tests.error_of(format($$select app.secret_get(%L, 'llm', 'llm', 'https://evil.example')$$, :'t')),
  'OR403: secret_origin_mismatch',
  'with DETAIL secret_origin_mismatch'
);
select is(
  tests.error_of(format($$select app.secret_get(%L, 'llm', 'llm', 'http://api.openai.com')$$, :'t')),
  'OR403: secret_origin_mismatch',
  'The same host over http is another origin: refused'
);
select is(
  tests.error_of(format($$select app.secret_get(%L, 'llm', 'llm', 'https://api.openai.com:8443')$$, :'t')),
  'OR403: secret_origin_mismatch',
  'So is the same host on another port'
);
select is(
  tests.error_of(format($$select app.secret_get(%L, 'llm', 'llm', 'https://api.openai.com.evil.example')$$, :'t')),
  'OR403: secret_origin_mismatch',
  'and a host that merely starts with it'
);
select throws_ok(
  format($$select app.secret_get(%L, 'llm', 'llm', null)$$, :'t'),
  'OR403',
  'Secret llm is bound to https://api.openai.com, not an unknown origin: it is only ever sent to the origin it was configured for',
  'A read that names no origin is refused too'
);
select is(app.secret_get(:'t', 'llm', 'llm', 'https://api.openai.com'), 'sk-tap-bound', 'The secret still reads for its own origin');
select tests.clear_authentication();

select is(
  (select array_agg(action || ':' || coalesce(purpose, '') order by id) from app.secret_access_log where tenant_id = :'t'),
  array['set:', 'read:llm → https://api.openai.com'],
  'The only read logged is the one for its own origin: the refused reads decrypted nothing'
);
select results_eq(
  format($$select origin, updated_at = created_at from app.tenant_secrets where tenant_id = %L and name = 'llm'$$, :'t'),
  $$values ('https://api.openai.com'::text, true)$$,
  'and the secret is still bound to its origin, unchanged'
);

select * from finish();
rollback;
