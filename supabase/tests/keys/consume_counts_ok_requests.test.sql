-- app.api_key_consume on a usable key: answers ok with the minute allowance left and counts the
-- request in both rate windows; usage statistics (total_requests, last_used_at, last_used_ip) come
-- from app.api_key_usage_record, which the gateway calls with batches.
-- Called as the gateway's own connection (postgres), as supabase/functions/_shared/auth.ts does.
begin;
set local search_path = public, extensions;
select plan(9);

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
  $$values (0::bigint, null::timestamptz, null::inet)$$,
  'Consuming leaves the usage statistics to the gateway''s batches (no write to the hot key row)'
);

select results_eq(
  $$select status, remaining_minute from app.api_key_consume('c1c1c1c1-0000-4000-8000-000000000001', '198.51.100.4')$$,
  $$values ('ok'::text, 58)$$,
  'The second request is ok, with 58 left this minute'
);
select lives_ok(
  $$select app.api_key_usage_record('[{"id": "c1c1c1c1-0000-4000-8000-000000000001", "n": 2, "at": "2026-01-02T03:04:05Z", "ip": "198.51.100.4"}]')$$,
  'The gateway records a batch of two requests'
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
select results_eq(
  $$select total_requests, last_used_at, last_used_ip from public.api_keys where key_prefix = 'tapcnsok'$$,
  $$values (2::bigint, '2026-01-02T03:04:05Z'::timestamptz, '198.51.100.4'::inet)$$,
  'The key counts the batched requests and remembers the latest use and address'
);
select lives_ok(
  $$select app.api_key_usage_record('[{"id": "c1c1c1c1-0000-4000-8000-000000000001", "n": 1, "at": "2026-01-01T00:00:00Z", "ip": "192.0.2.1"}]')$$,
  'A late batch with an older use is recorded too'
);

select results_eq(
  $$select total_requests, last_used_at from public.api_keys where key_prefix = 'tapcnsok'$$,
  $$values (3::bigint, '2026-01-02T03:04:05Z'::timestamptz)$$,
  'An older batch adds its count but does not move last_used_at back'
);

select * from finish();
rollback;
