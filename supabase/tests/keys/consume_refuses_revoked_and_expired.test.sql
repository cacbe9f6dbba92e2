-- app.api_key_consume refuses keys that are revoked (is_active false or revoked_at set), unknown
-- or expired, and counts nothing for them. A key rotated away keeps working until its expires_at.
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-consume-state');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, is_active, revoked_at, expires_at) values
  ('c4c4c4c4-0000-4000-8000-000000000001', tests.get_tenant_id('tap-consume-state'), 'Deactivated', 'tapcnsr1',
    encode(sha256('ora_tapcnsr1_secret'::bytea), 'hex'), false, null, null),
  ('c4c4c4c4-0000-4000-8000-000000000002', tests.get_tenant_id('tap-consume-state'), 'Revoked', 'tapcnsr2',
    encode(sha256('ora_tapcnsr2_secret'::bytea), 'hex'), true, now() - interval '1 hour', null),
  ('c4c4c4c4-0000-4000-8000-000000000003', tests.get_tenant_id('tap-consume-state'), 'Expired', 'tapcnse1',
    encode(sha256('ora_tapcnse1_secret'::bytea), 'hex'), true, null, now() - interval '1 minute'),
  ('c4c4c4c4-0000-4000-8000-000000000004', tests.get_tenant_id('tap-consume-state'), 'Rotated, in grace', 'tapcnse2',
    encode(sha256('ora_tapcnse2_secret'::bytea), 'hex'), true, null, now() + interval '1 day'),
  ('c4c4c4c4-0000-4000-8000-000000000005', tests.get_tenant_id('tap-consume-state'), 'Revoked and expired', 'tapcnse3',
    encode(sha256('ora_tapcnse3_secret'::bytea), 'hex'), false, now() - interval '1 hour', now() - interval '1 minute');

select results_eq(
  $$select status, retry_after, limit_per_minute, remaining_minute
    from app.api_key_consume('c4c4c4c4-0000-4000-8000-000000000001', '203.0.113.7')$$,
  $$values ('revoked'::text, null::integer, null::integer, null::integer)$$,
  'A deactivated key (is_active false) is refused as revoked'
);
select is(
  (select status from app.api_key_consume('c4c4c4c4-0000-4000-8000-000000000002', '203.0.113.7')),
  'revoked',
  'A key with revoked_at set is refused as revoked even if still marked active'
);
select is(
  (select status from app.api_key_consume('c4c4c4c4-0000-4000-8000-0000000000ff', '203.0.113.7')),
  'revoked',
  'An unknown key id is refused as revoked'
);
select results_eq(
  $$select status, retry_after from app.api_key_consume('c4c4c4c4-0000-4000-8000-000000000003', '203.0.113.7')$$,
  $$values ('expired'::text, null::integer)$$,
  'A key past its expires_at is refused as expired'
);
select is(
  (select status from app.api_key_consume('c4c4c4c4-0000-4000-8000-000000000005', '203.0.113.7')),
  'revoked',
  'A key both revoked and expired is refused as revoked'
);
select is(
  (select status from app.api_key_consume('c4c4c4c4-0000-4000-8000-000000000004', '203.0.113.7')),
  'ok',
  'A key whose expires_at is still ahead (rotation grace period) is ok'
);

select is(
  array(select distinct k.key_prefix from app.rate_counters c join public.api_keys k on k.id = c.api_key_id
        where k.tenant_id = tests.get_tenant_id('tap-consume-state')
        order by 1),
  array['tapcnse2'],
  'Only the usable key has a request counted'
);
select is_empty(
  $$select 1 from app.rate_counters where api_key_id in (
      'c4c4c4c4-0000-4000-8000-000000000001', 'c4c4c4c4-0000-4000-8000-000000000002',
      'c4c4c4c4-0000-4000-8000-000000000003', 'c4c4c4c4-0000-4000-8000-000000000005',
      'c4c4c4c4-0000-4000-8000-0000000000ff')$$,
  'Refused keys use up no rate allowance'
);

-- Revoking takes effect on the next request
update public.api_keys set is_active = false, revoked_at = now(), revoked_reason = 'leaked'
where key_prefix = 'tapcnse2';
select is(
  (select status from app.api_key_consume('c4c4c4c4-0000-4000-8000-000000000004', '203.0.113.7')),
  'revoked',
  'A key revoked after use is refused on its next request'
);

select * from finish();
rollback;
