-- app.api_key_consume enforces rate_limit_per_day per UTC day: past the limit it answers
-- rate_limited_day with the seconds until the next UTC midnight; earlier minutes of the same day
-- count, yesterday does not.
begin;
set local search_path = public, extensions;
select plan(10);

select tests.create_tenant('tap-consume-day');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, rate_limit_per_minute, rate_limit_per_day) values
  ('c3c3c3c3-0000-4000-8000-000000000001', tests.get_tenant_id('tap-consume-day'), 'Three a day', 'tapcnsd1',
    encode(sha256('ora_tapcnsd1_secret'::bytea), 'hex'), 60, 3),
  ('c3c3c3c3-0000-4000-8000-000000000002', tests.get_tenant_id('tap-consume-day'), 'Busy this morning', 'tapcnsd2',
    encode(sha256('ora_tapcnsd2_secret'::bytea), 'hex'), 60, 3),
  ('c3c3c3c3-0000-4000-8000-000000000003', tests.get_tenant_id('tap-consume-day'), 'Busy yesterday', 'tapcnsd3',
    encode(sha256('ora_tapcnsd3_secret'::bytea), 'hex'), 60, 3);

-- THREE REQUESTS within the daily limit, then the fourth is refused
select results_eq(
  $$select status from app.api_key_consume('c3c3c3c3-0000-4000-8000-000000000001', '203.0.113.7')
    union all select status from app.api_key_consume('c3c3c3c3-0000-4000-8000-000000000001', '203.0.113.7')
    union all select status from app.api_key_consume('c3c3c3c3-0000-4000-8000-000000000001', '203.0.113.7')$$,
  $$values ('ok'::text), ('ok'::text), ('ok'::text)$$,
  'Requests 1 to 3 of 3 today are ok'
);
create temporary table fourth as
  select * from app.api_key_consume('c3c3c3c3-0000-4000-8000-000000000001', '203.0.113.7');
select is(
  (select status from fourth),
  'rate_limited_day',
  'Request 4 today is refused as rate_limited_day'
);
select ok(
  (select retry_after between 1 and 86400 from fourth),
  'The refusal says to retry within a day'
);
select is(
  (select to_char((now() + make_interval(secs => retry_after)) at time zone 'UTC', 'HH24:MI') from fourth),
  '00:00',
  'retry_after points at the next UTC midnight'
);
select is(
  (select hits from app.rate_counters c join public.api_keys k on k.id = c.api_key_id
   where k.key_prefix = 'tapcnsd1' and c.window_kind = 'minute'),
  4,
  'Every attempt this minute is counted, the refused one included'
);

-- EARLIER TODAY counts
insert into app.rate_counters (api_key_id, window_kind, window_start, hits) values
  ('c3c3c3c3-0000-4000-8000-000000000002', 'day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC', 3);
select is(
  (select status from app.api_key_consume('c3c3c3c3-0000-4000-8000-000000000002', '203.0.113.7')),
  'rate_limited_day',
  'A key that used its daily allowance in earlier minutes is refused for the rest of the UTC day'
);
select is(
  (select hits from app.rate_counters c join public.api_keys k on k.id = c.api_key_id
   where k.key_prefix = 'tapcnsd2' and c.window_kind = 'minute'),
  1,
  'The refused request is counted in its minute'
);

-- YESTERDAY does not
insert into app.rate_counters (api_key_id, window_kind, window_start, hits) values
  ('c3c3c3c3-0000-4000-8000-000000000003', 'day', (date_trunc('day', now() at time zone 'UTC') - interval '1 day') at time zone 'UTC', 3);
select is(
  (select status from app.api_key_consume('c3c3c3c3-0000-4000-8000-000000000003', '203.0.113.7')),
  'ok',
  'A key that used its daily allowance yesterday is ok today'
);
select is(
  (select hits from app.rate_counters
   where api_key_id = 'c3c3c3c3-0000-4000-8000-000000000003' and window_kind = 'day'
     and window_start = date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'),
  1,
  'Today is counted in a window of its own, starting at UTC midnight'
);

-- The per-minute limit is checked first
update public.api_keys set rate_limit_per_minute = 1 where key_prefix = 'tapcnsd3';
select is(
  (select status from app.api_key_consume('c3c3c3c3-0000-4000-8000-000000000003', '203.0.113.7')),
  'rate_limited_minute',
  'A key over its minute limit is refused as rate_limited_minute'
);

select * from finish();
rollback;
