-- A breaker that opens on a failure carrying the dependency's Retry-After stays open that long
-- instead of its cooldown (at least 1 second, at most an hour), and app.breaker_allow tells
-- callers to retry then; a failed probe re-opens for the Retry-After it brought. Retry-After on a
-- failure below the threshold opens nothing.
begin;
set local search_path = public, extensions;
select plan(10);

-- FIXTURES (as postgres): threshold 2, cooldown 30 s
select tests.create_tenant('t-orch-breaker-retry') as t \gset
update public.tenants set settings = settings || '{"breaker_failure_threshold": 2, "breaker_cooldown_seconds": 30}' where id = :'t';
create temporary view breakers as
  select key, state, extract(epoch from (open_until - opened_at))::int as open_for from public.circuit_breakers where tenant_id = :'t';
grant select on breakers to service_role;

select tests.authenticate_as_service();

-- ============================================================================
-- RETRY-AFTER 120 s on the failure that opens it
-- ============================================================================
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'HTTP 429', 120), 'closed',
  'A first 429 with Retry-After 120 leaves the breaker closed (threshold 2)');
select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'closed'::text)$$,
  'and calls still go ahead: Retry-After below the threshold opens nothing'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'HTTP 429', 120), 'open',
  'The second 429 with Retry-After 120 opens it');
select results_eq(
  $$select state, open_for from breakers where key = 'llm:api.example.com'$$,
  $$values ('open'::text, 120)$$,
  'for the 120 s the dependency asked for, not the 30 s cooldown'
);
select ok(
  (select not allowed and retry_in_ms between 119000 and 120000 from app.breaker_allow(:'t', 'llm:api.example.com')),
  'breaker_allow refuses and says to retry in about 120 s'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'HTTP 429', 600), 'open',
  'A late failure while open keeps it open');
select is((select open_for from breakers where key = 'llm:api.example.com'), 120,
  'without moving the time it opened until');

-- ============================================================================
-- A FAILED PROBE with its own Retry-After
-- ============================================================================
select tests.clear_authentication();
update public.circuit_breakers set open_until = now() - interval '1 second' where tenant_id = :'t' and key = 'llm:api.example.com';
select tests.authenticate_as_service();
select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'half_open'::text)$$,
  'After that time one probe goes through'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'HTTP 503', 300), 'open', 'The probe fails with Retry-After 300');
select tests.clear_authentication();

-- ============================================================================
-- BOUNDS: at least 1 second, at most an hour
-- ============================================================================
select tests.authenticate_as_service();
select app.breaker_record(:'t', 'llm:slow.example.com', false, 'HTTP 429', 7200) as s1 \gset
select app.breaker_record(:'t', 'llm:slow.example.com', false, 'HTTP 429', 7200) as s2 \gset
select app.breaker_record(:'t', 'llm:eager.example.com', false, 'HTTP 429', 0) as e1 \gset
select app.breaker_record(:'t', 'llm:eager.example.com', false, 'HTTP 429', 0) as e2 \gset
select tests.clear_authentication();
select results_eq(
  $$select key, state, open_for from breakers order by key$$,
  $$values ('llm:api.example.com'::text, 'open'::text, 300), ('llm:eager.example.com', 'open', 1), ('llm:slow.example.com', 'open', 3600)$$,
  'The re-opened breaker waits the probe''s 300 s; Retry-After 7200 is capped at an hour, 0 raised to 1 second'
);

select * from finish();
rollback;
