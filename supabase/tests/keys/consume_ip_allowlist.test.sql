-- app.api_key_consume honours allowed_ips: with an allowlist, only addresses inside one of its
-- ranges are ok; others, and requests whose address is unknown, are refused as ip_not_allowed
-- and counted nowhere. An empty allowlist allows any address.
begin;
set local search_path = public, extensions;
select plan(10);

select tests.create_tenant('tap-consume-ips');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, allowed_ips) values
  ('c5c5c5c5-0000-4000-8000-000000000001', tests.get_tenant_id('tap-consume-ips'), 'Office network', 'tapcnsi1',
    encode(sha256('ora_tapcnsi1_secret'::bytea), 'hex'), '{10.0.0.0/8}'),
  ('c5c5c5c5-0000-4000-8000-000000000002', tests.get_tenant_id('tap-consume-ips'), 'Two places', 'tapcnsi2',
    encode(sha256('ora_tapcnsi2_secret'::bytea), 'hex'), '{203.0.113.5/32,2001:db8::/32}'),
  ('c5c5c5c5-0000-4000-8000-000000000003', tests.get_tenant_id('tap-consume-ips'), 'Anywhere', 'tapcnsi3',
    encode(sha256('ora_tapcnsi3_secret'::bytea), 'hex'), '{}');

-- {10.0.0.0/8}
select is(
  (select status from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000001', '10.1.2.3')),
  'ok',
  '10.1.2.3 is inside 10.0.0.0/8 and is ok'
);
select results_eq(
  $$select status, retry_after from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000001', '192.168.1.1')$$,
  $$values ('ip_not_allowed'::text, null::integer)$$,
  '192.168.1.1 is outside 10.0.0.0/8 and is refused as ip_not_allowed'
);
select is(
  (select status from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000001', null)),
  'ip_not_allowed',
  'A request whose address is unknown is refused as ip_not_allowed'
);
select results_eq(
  $$select count(*)::integer from app.rate_counters where api_key_id = 'c5c5c5c5-0000-4000-8000-000000000001' and window_kind = 'minute' and hits = 1$$,
  $$values (1)$$,
  'Only the allowed request is counted'
);
select results_eq(
  $$select window_kind, hits from app.rate_counters where api_key_id = 'c5c5c5c5-0000-4000-8000-000000000001' order by 1$$,
  $$values ('day'::text, 1), ('minute'::text, 1)$$,
  'Refused addresses use up no rate allowance'
);

-- several ranges, IPv4 and IPv6
select is(
  (select status from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000002', '203.0.113.5')),
  'ok',
  'An address listed as a single /32 is ok'
);
select is(
  (select status from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000002', '203.0.113.6')),
  'ip_not_allowed',
  'The next address is refused'
);
select is(
  (select status from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000002', '2001:db8::1')),
  'ok',
  'An IPv6 address inside an allowed IPv6 range is ok'
);

-- empty allowlist
select is(
  (select status from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000003', '192.168.1.1')),
  'ok',
  'A key with an empty allowlist accepts any address'
);
select is(
  (select status from app.api_key_consume('c5c5c5c5-0000-4000-8000-000000000003', null)),
  'ok',
  'A key with an empty allowlist accepts an unknown address'
);

select * from finish();
rollback;
