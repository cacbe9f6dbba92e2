-- Circuit breakers (app.breaker_record / app.breaker_allow, as the workers call them):
-- closed → open after failure_threshold consecutive failures; open refuses with retry_in_ms until
-- open_until (the cooldown) has passed; then one probe goes through (half_open); a failed probe
-- re-opens, a success closes and resets the count. Threshold and cooldown come from the tenant's
-- settings when the breaker is first created; a threshold of 1 opens on the first failure. The
-- cooldown is simulated by moving open_until back, not by sleeping.
begin;
set local search_path = public, extensions;
select plan(28);

-- FIXTURES (as postgres): threshold 2, cooldown 1 second; a second tenant on the defaults
select tests.create_tenant('t-orch-breaker') as t \gset
select tests.create_tenant('t-orch-breaker-other') as o \gset
update public.tenants set settings = settings || '{"breaker_failure_threshold": 2, "breaker_cooldown_seconds": 1}'
where id = :'t';

create temporary view breaker as
  select state, fail_count, opened_count, opened_at is not null as has_opened_at, last_error
  from public.circuit_breakers where tenant_id = :'t' and key = 'llm:api.example.com';
grant select on breaker to service_role;

select tests.authenticate_as_service();

-- ============================================================================
-- CLOSED
-- ============================================================================
select results_eq(
  format($$select allowed, state, retry_in_ms from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'closed'::text, 0)$$,
  'A breaker that never failed allows calls'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', true), 'closed', 'Successes on a fresh breaker keep it closed');
select is_empty($$select 1 from breaker$$, 'and create no row');

select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'HTTP 503'), 'closed', 'A first failure leaves it closed');
select results_eq(
  format($$select failure_threshold, cooldown_seconds from public.circuit_breakers where tenant_id = %L$$, :'t'),
  $$values (2, 1)$$,
  'The breaker takes threshold 2 and cooldown 1 s from the tenant settings when created'
);
select results_eq(
  $$select * from breaker$$,
  $$values ('closed'::text, 1, 0, false, 'HTTP 503'::text)$$,
  'It counts the failure and keeps the error'
);
select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'closed'::text)$$,
  'Below the threshold calls are still allowed'
);

-- ============================================================================
-- OPEN
-- ============================================================================
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'HTTP 504'), 'open', 'The second failure opens it');
select results_eq(
  $$select * from breaker$$,
  $$values ('open'::text, 2, 1, true, 'HTTP 504'::text)$$,
  'open, two failures, opened once, with the time it opened'
);
select ok(
  (select open_until = opened_at + interval '1 second' from public.circuit_breakers where tenant_id = :'t' and key = 'llm:api.example.com'),
  'It stays open until the cooldown (1 s) after it opened'
);
select results_eq(
  format($$select allowed, state, retry_in_ms > 0 from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (false, 'open'::text, true)$$,
  'An open breaker refuses calls and says when to retry (retry_in_ms > 0)'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'late failure'), 'open', 'A late failure keeps it open');
select is((select opened_count from breaker), 1, 'without counting another opening');

select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'o'),
  $$values (true, 'closed'::text)$$,
  'Another tenant''s breaker for the same host is unaffected'
);

-- ============================================================================
-- HALF OPEN: after the cooldown one probe goes through
-- ============================================================================
select tests.clear_authentication();
update public.circuit_breakers set open_until = now() - interval '1 second'
where tenant_id = :'t' and key = 'llm:api.example.com';
select tests.authenticate_as_service();
select results_eq(
  format($$select allowed, state, retry_in_ms from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'half_open'::text, 0)$$,
  'After the cooldown, allow lets a probe through and reports half_open'
);
select results_eq(
  format($$select allowed, state, retry_in_ms > 0 from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (false, 'half_open'::text, true)$$,
  'While that probe is out, other calls are refused'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'probe failed'), 'open', 'A failed probe re-opens it');
select results_eq(
  $$select state, opened_count, last_error from breaker$$,
  $$values ('open'::text, 2, 'probe failed'::text)$$,
  'counted as a second opening'
);
select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (false, 'open'::text)$$,
  'and calls are refused again for a new cooldown'
);

-- a probe that never reports back: after probe_until another one is let through
select tests.clear_authentication();
update public.circuit_breakers set open_until = now() - interval '1 second'
where tenant_id = :'t' and key = 'llm:api.example.com';
select tests.authenticate_as_service();
select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'half_open'::text)$$,
  'After the new cooldown a probe goes through again'
);
select tests.clear_authentication();
update public.circuit_breakers set probe_until = now() - interval '1 second'
where tenant_id = :'t' and key = 'llm:api.example.com';
select tests.authenticate_as_service();
select results_eq(
  format($$select allowed, state from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'half_open'::text)$$,
  'When a probe never reports back, another probe is let through after probe_until'
);

-- ============================================================================
-- CLOSED AGAIN: a successful probe
-- ============================================================================
select is(app.breaker_record(:'t', 'llm:api.example.com', true), 'closed', 'A successful probe closes it');
select results_eq(
  $$select state, fail_count, has_opened_at from breaker$$,
  $$values ('closed'::text, 0, false)$$,
  'and resets the failure count and the opening time'
);
select is(
  (select open_until from public.circuit_breakers where tenant_id = :'t' and key = 'llm:api.example.com'),
  null,
  'and open_until'
);
select results_eq(
  format($$select allowed, state, retry_in_ms from app.breaker_allow(%L, 'llm:api.example.com')$$, :'t'),
  $$values (true, 'closed'::text, 0)$$,
  'Calls are allowed again'
);
select is(app.breaker_record(:'t', 'llm:api.example.com', false, 'one more'), 'closed',
  'After closing, a single failure no longer opens it (the count started over)');

-- ============================================================================
-- A THRESHOLD OF 1: the first failure opens it
-- ============================================================================
select tests.clear_authentication();
update public.tenants set settings = settings || '{"breaker_failure_threshold": 1, "breaker_cooldown_seconds": 60}' where id = :'o';
select tests.authenticate_as_service();
select is(app.breaker_record(:'o', 'http:hooks.example.com', false, 'HTTP 500'), 'open',
  'With failure_threshold 1, the first failure of a new breaker opens it');
select results_eq(
  format($$select state, fail_count, opened_count, open_until = now() + interval '60 seconds'
    from public.circuit_breakers where tenant_id = %L and key = 'http:hooks.example.com'$$, :'o'),
  $$values ('open'::text, 1, 1, true)$$,
  'counted as an opening, open for the tenant''s 60 s cooldown'
);
select tests.clear_authentication();

select * from finish();
rollback;
