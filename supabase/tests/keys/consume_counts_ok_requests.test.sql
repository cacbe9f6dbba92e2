-- app.api_key_consume on a usable key: answers ok with the minute allowance left, and records the
-- request on the key (total_requests, last_used_at, last_used_ip) and in both rate windows.
-- Called as the gateway's own connection (postgres), as supabase/functions/_shared/auth.ts does.
begin;
set local search_path = public, extensions;
select plan(8);

select tests.create_tenant('tap-consume-ok');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, rate_limit_per_minute) values
  ('c1c1c1c1-0000-4000-8000-000000000001', tests.get_tenant_id('tap-consume-ok'), 'Site', 'tapcnsok',
    encode(sha256('ora_tapcnsok_secret'::bytea), 'hex'), 60);

select results_eq(
  $$select status, retry_after, limit_per_minute, remaining_minute
    from app.api_key_consume('c1c1c1c1-0000-4000-8000-000000000001', '203.0.113.7')$$,
  $$values ('ok'::text, null::integer, 60, 59)$$,
  'The first request is ok, with 59 of 60 requests left this minute'
);
select results_eq(
  $$select total_requests, last_used_at, last_used_ip from public.api_keys where key_prefix = 'tapcnsok'$$,
  $$values (1::bigint, now(), '203.0.113.7'::inet)$$,
  'The key records one request, when it was made and from which address'
);

select results_eq(
  $$select status, remaining_minute from app.api_key_consume('c1c1c1c1-0000-4000-8000-000000000001', '198.51.100.4')$$,
  $$values ('ok'::text, 58)$$,
  'The second request is ok, with 58 left this minute'
);
select results_eq(
  $$select total_requests, last_used_ip from public.api_keys where key_prefix = 'tapcnsok'$$,
  $$values (2::bigint, '198.51.100.4'::inet)$$,
  'The key counts two requests and remembers the latest address'
);
select results_eq(
  $$select window_kind, window_start, hits from app.rate_counters
    where api_key_id = 'c1c1c1c1-0000-4000-8000-000000000001' order by window_kind$$,
  $$values ('day'::text, date_trunc('day', now() at time zone 'UTC') at time zone 'UTC', 2),
           ('minute'::text, date_trunc('minute', now()), 2)$$,
  'Both requests are counted in the current minute and the current UTC day'
);

select results_eq(
  $$select status from app.api_key_consume('c1c1c1c1-0000-4000-8000-000000000001', null)$$,
  $$values ('ok'::text)$$,
  'A key without an address allowlist accepts a request whose address is unknown'
);
select is(
  (select last_used_ip from public.api_keys where key_prefix = 'tapcnsok'),
  null::inet,
  'An unknown address is recorded as such'
);
select is(
  (select updated_at from public.api_keys where key_prefix = 'tapcnsok'),
  now(),
  'Counting a request touches updated_at'
);

select * from finish();
rollback;
