-- app.api_key_consume enforces rate_limit_per_minute in fixed one-minute windows: past the limit
-- it answers rate_limited_minute with the seconds until the next minute, and the refused requests
-- are not recorded as uses of the key.
begin;
set local search_path = public, extensions;
select plan(11);

select tests.create_tenant('tap-consume-minute');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, rate_limit_per_minute) values
  ('c2c2c2c2-0000-4000-8000-000000000001', tests.get_tenant_id('tap-consume-minute'), 'Three a minute', 'tapcnsm1',
    encode(sha256('ora_tapcnsm1_secret'::bytea), 'hex'), 3),
  ('c2c2c2c2-0000-4000-8000-000000000002', tests.get_tenant_id('tap-consume-minute'), 'Busy last minute', 'tapcnsm2',
    encode(sha256('ora_tapcnsm2_secret'::bytea), 'hex'), 3);

-- THREE REQUESTS within the limit
select results_eq(
  $$select status, limit_per_minute, remaining_minute from app.api_key_consume('c2c2c2c2-0000-4000-8000-000000000001', '203.0.113.7')$$,
  $$values ('ok'::text, 3, 2)$$,
  'Request 1 of 3 this minute is ok, 2 left'
);
select results_eq(
  $$select status, remaining_minute from app.api_key_consume('c2c2c2c2-0000-4000-8000-000000000001', '203.0.113.7')$$,
  $$values ('ok'::text, 1)$$,
  'Request 2 of 3 this minute is ok, 1 left'
);
select results_eq(
  $$select status, remaining_minute from app.api_key_consume('c2c2c2c2-0000-4000-8000-000000000001', '203.0.113.7')$$,
  $$values ('ok'::text, 0)$$,
  'Request 3 of 3 this minute is ok, none left'
);

-- THE FOURTH is refused
create temporary table fourth as
  select * from app.api_key_consume('c2c2c2c2-0000-4000-8000-000000000001', '203.0.113.7');
select results_eq(
  $$select status, limit_per_minute, remaining_minute from fourth$$,
  $$values ('rate_limited_minute'::text, 3, 0)$$,
  'Request 4 this minute is refused as rate_limited_minute'
);
select ok(
  (select retry_after between 1 and 60 from fourth),
  'The refusal says to retry within 1 to 60 seconds'
);
select ok(
  (select now() + make_interval(secs => retry_after) >= date_trunc('minute', now()) + interval '1 minute'
      and now() + make_interval(secs => retry_after - 1) < date_trunc('minute', now()) + interval '1 minute'
   from fourth),
  'retry_after is the whole seconds left until the next minute starts'
);
select results_eq(
  $$select status from app.api_key_consume('c2c2c2c2-0000-4000-8000-000000000001', '203.0.113.7')$$,
  $$values ('rate_limited_minute'::text)$$,
  'Request 5 this minute is refused too'
);
select is(
  (select hits from app.rate_counters
   where api_key_id = 'c2c2c2c2-0000-4000-8000-000000000001' and window_kind = 'minute'),
  5,
  'Every attempt is counted in the minute window, refused ones included'
);
select is(
  (select hits from app.rate_counters
   where api_key_id = 'c2c2c2c2-0000-4000-8000-000000000001' and window_kind = 'day'),
  3,
  'Refused requests do not use up the daily allowance'
);

-- A NEW MINUTE starts with the full allowance
insert into app.rate_counters (api_key_id, window_kind, window_start, hits) values
  ('c2c2c2c2-0000-4000-8000-000000000002', 'minute', date_trunc('minute', now()) - interval '1 minute', 3);
select results_eq(
  $$select status, remaining_minute from app.api_key_consume('c2c2c2c2-0000-4000-8000-000000000002', '203.0.113.7')$$,
  $$values ('ok'::text, 2)$$,
  'A key that used its whole allowance last minute is ok again this minute'
);
select results_eq(
  $$select window_start, hits from app.rate_counters
    where api_key_id = 'c2c2c2c2-0000-4000-8000-000000000002' and window_kind = 'minute' order by window_start$$,
  $$values (date_trunc('minute', now()) - interval '1 minute', 3), (date_trunc('minute', now()), 1)$$,
  'Each minute is counted in its own window'
);

select * from finish();
rollback;
