-- app.api_key_lookup finds a key by its exact public prefix and returns what the gateway needs to
-- verify it (id, tenant, hash, scopes), whatever the key's state: revocation, expiry, addresses and
-- limits are app.api_key_consume's job on every request.
begin;
set local search_path = public, extensions;
select plan(5);

select tests.create_tenant('tap-lookup');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, scopes, is_active, revoked_at) values
  ('c6c6c6c6-0000-4000-8000-000000000001', tests.get_tenant_id('tap-lookup'), 'Reader', 'taplkup1',
    encode(sha256('ora_taplkup1_secret'::bytea), 'hex'), array['leads:read', 'posts:*'], true, null),
  ('c6c6c6c6-0000-4000-8000-000000000002', tests.get_tenant_id('tap-lookup'), 'Revoked', 'taplkup2',
    encode(sha256('ora_taplkup2_secret'::bytea), 'hex'), array['*'], false, now());

select results_eq(
  $$select id, tenant_id, key_hash, scopes from app.api_key_lookup('taplkup1')$$,
  $$values ('c6c6c6c6-0000-4000-8000-000000000001'::uuid, tests.get_tenant_id('tap-lookup'),
            encode(sha256('ora_taplkup1_secret'::bytea), 'hex'), array['leads:read', 'posts:*'])$$,
  'Looking up a prefix returns the key''s id, tenant, hash and scopes'
);
select results_eq(
  $$select id from app.api_key_lookup('taplkup2')$$,
  $$values ('c6c6c6c6-0000-4000-8000-000000000002'::uuid)$$,
  'A revoked key is still found (consume refuses it)'
);
select is_empty(
  $$select 1 from app.api_key_lookup('taplkupx')$$,
  'An unknown prefix finds nothing'
);
select is_empty(
  $$select 1 from app.api_key_lookup('taplkup')$$,
  'A prefix is matched exactly, not as the start of another'
);
select is_empty(
  $$select 1 from app.api_key_lookup('TAPLKUP1')$$,
  'Prefixes are matched case-sensitively'
);

select * from finish();
rollback;
