-- Tenant isolation for public.api_keys: tenant B lists, creates and edits its own keys and never
-- tenant A's; no API caller reads key_hash or deletes keys (they are revoked instead), and the
-- gateway's security-definer key functions are not callable from the API roles.
begin;
set local search_path = public, extensions;
select plan(17);

-- FIXTURES (as postgres): one key in each tenant
select tests.create_tenant('tap-keys-a');
select tests.create_tenant('tap-keys-b');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash) values
  ('a1a1a1a1-0000-4000-8000-00000000000a', tests.get_tenant_id('tap-keys-a'), 'A production', 'tapisoka',
    encode(sha256('ora_tapisoka_secret-of-a'::bytea), 'hex')),
  ('b1b1b1b1-0000-4000-8000-00000000000b', tests.get_tenant_id('tap-keys-b'), 'B production', 'tapisokb',
    encode(sha256('ora_tapisokb_secret-of-b'::bytea), 'hex'));

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-keys-b'));

-- READ
select results_eq(
  $$select name, key_prefix from public.api_keys$$,
  $$values ('B production', 'tapisokb')$$,
  'B listing every key gets its own key and nothing else'
);
select is_empty(
  $$select 1 from public.api_keys where tenant_id = tests.get_tenant_id('tap-keys-a')$$,
  'B cannot read A''s keys even when it filters on A''s tenant_id'
);
select throws_ok(
  $$select key_hash from public.api_keys where key_prefix = 'tapisokb'$$,
  '42501',
  'permission denied for table api_keys',
  'B cannot read key_hash, not even of its own key'
);

-- INSERT
select lives_ok(
  $$insert into public.api_keys (tenant_id, name, key_prefix, key_hash)
    values (tests.get_tenant_id('tap-keys-b'), 'B staging', 'tapisokc', encode(sha256('ora_tapisokc_x'::bytea), 'hex'))$$,
  'B can create a key in its own tenant'
);
select throws_ok(
  $$insert into public.api_keys (tenant_id, name, key_prefix, key_hash)
    values (tests.get_tenant_id('tap-keys-a'), 'Planted by B', 'tapisokd', encode(sha256('ora_tapisokd_x'::bytea), 'hex'))$$,
  '42501',
  'new row violates row-level security policy for table "api_keys"',
  'B cannot create a key in A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.api_keys set is_active = false, revoked_at = now(), revoked_reason = 'by B'
    where tenant_id = tests.get_tenant_id('tap-keys-a')$$),
  0,
  'B revoking A''s keys changes no rows'
);
select is(
  tests.rows_affected($$update public.api_keys set description = 'touched by B'$$),
  2,
  'B updating without a filter changes only its own two keys'
);
select throws_ok(
  $$update public.api_keys set tenant_id = tests.get_tenant_id('tap-keys-a') where key_prefix = 'tapisokb'$$,
  '42501',
  'new row violates row-level security policy for table "api_keys"',
  'B cannot move its own key into A''s tenant'
);

-- DELETE: keys are revoked, never deleted, through the API
select throws_ok(
  $$delete from public.api_keys where tenant_id = tests.get_tenant_id('tap-keys-a')$$,
  '42501',
  'permission denied for table api_keys',
  'B cannot delete A''s keys'
);
select throws_ok(
  $$delete from public.api_keys where key_prefix = 'tapisokb'$$,
  '42501',
  'permission denied for table api_keys',
  'B cannot delete its own key either'
);
select throws_ok(
  $$truncate public.api_keys$$,
  '42501',
  'permission denied for table api_keys',
  'B cannot truncate api_keys'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select results_eq(
  $$select name, description, is_active, revoked_at, total_requests from public.api_keys
    where tenant_id = tests.get_tenant_id('tap-keys-a')$$,
  $$values ('A production'::text, null::text, true, null::timestamptz, 0::bigint)$$,
  'A''s key is still active and unchanged after B''s attempts'
);
select results_eq(
  $$select key_prefix, description from public.api_keys where tenant_id = tests.get_tenant_id('tap-keys-b') order by key_prefix$$,
  $$values ('tapisokb'::text, 'touched by B'::text), ('tapisokc'::text, 'touched by B'::text)$$,
  'B''s keys were updated and stayed in tenant B'
);

-- A lists its own key only
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-keys-a'));
select results_eq(
  $$select key_prefix from public.api_keys$$,
  $$values ('tapisoka')$$,
  'A listing every key gets its own key and nothing else'
);

-- The gateway's key functions read and write every tenant's keys past RLS: API roles must not
-- reach them (checked last: a call that succeeds would change A's counters)
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-keys-b'));
select throws_ok(
  $$select key_hash from app.api_key_lookup('tapisoka')$$,
  '42501',
  null,
  'B cannot call app.api_key_lookup to read A''s key hash'
);
select throws_ok(
  $$select status from app.api_key_consume('a1a1a1a1-0000-4000-8000-00000000000a', '203.0.113.9')$$,
  '42501',
  null,
  'B cannot call app.api_key_consume to spend A''s rate limit'
);
select tests.clear_authentication();
select is_empty(
  $$select 1 from app.rate_counters where api_key_id = 'a1a1a1a1-0000-4000-8000-00000000000a'$$,
  'A''s key has no requests counted against it after B''s attempts'
);

select * from finish();
rollback;
