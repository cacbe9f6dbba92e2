-- A tenant secret is only ever sent to the origin it was configured for: app.secret_get for any
-- other origin — another host, scheme or port, or none — decrypts nothing (value null) and names
-- the origin the secret is bound to, and the refusal is logged with what was asked for; the secret
-- still reads for its own origin. (The refusal is a result, not an error, so its log row stays.)
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-secrets-origin') as t \gset
select app.secret_set(:'t', 'llm', 'sk-tap-bound', 'https://api.openai.com') as stored \gset

select tests.authenticate_as_service();
select results_eq(
  format($$select value, bound_origin from app.secret_get(%L, 'llm', 'llm', 'https://evil.example')$$, :'t'),
  $$values (null::text, 'https://api.openai.com'::text)$$,
  'Reading the secret for another host decrypts nothing and names the origin it is bound to'
);
select is(
  (select value from app.secret_get(:'t', 'llm', 'llm', 'http://api.openai.com')), null,
  'The same host over http is another origin: refused'
);
select is(
  (select value from app.secret_get(:'t', 'llm', 'llm', 'https://api.openai.com:8443')), null,
  'So is the same host on another port'
);
select is(
  (select value from app.secret_get(:'t', 'llm', 'llm', 'https://api.openai.com.evil.example')), null,
  'and a host that merely starts with it'
);
select is(
  (select value from app.secret_get(:'t', 'llm', 'llm', null)), null,
  'A read that names no origin is refused too'
);
select is((select value from app.secret_get(:'t', 'llm', 'llm', 'https://api.openai.com')), 'sk-tap-bound',
  'The secret still reads for its own origin');
select is((select count(*)::int from app.secret_get(:'t', 'absent', 'llm', 'https://api.openai.com')), 0,
  'A secret never set is no row at all');
select tests.clear_authentication();

select is(
  (select array_agg(action || ':' || coalesce(purpose, '') order by id) from app.secret_access_log where tenant_id = :'t'),
  array['set:', 'refused:llm → https://evil.example', 'refused:llm → http://api.openai.com',
    'refused:llm → https://api.openai.com:8443', 'refused:llm → https://api.openai.com.evil.example',
    'refused:llm → no origin', 'read:llm → https://api.openai.com'],
  'Every refusal is logged with the origin asked for; only the read for its own origin decrypted'
);
select results_eq(
  format($$select origin, updated_at = created_at from app.tenant_secrets where tenant_id = %L and name = 'llm'$$, :'t'),
  $$values ('https://api.openai.com'::text, true)$$,
  'The secret itself is untouched'
);

select * from finish();
rollback;
