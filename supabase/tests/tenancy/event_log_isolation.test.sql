-- Tenant isolation for public.event_log: a tenant reads its own events only; the API roles
-- cannot forge, mark, move or remove events (triggers and workers write them).
begin;
set local search_path = public, extensions;
select plan(13);

-- FIXTURES (as postgres): one event in each tenant
select tests.create_tenant('tap-events-a');
select tests.create_tenant('tap-events-b');
insert into public.event_log (tenant_id, event_type, event_source, payload) values
  (tests.get_tenant_id('tap-events-a'), 'tap.event-of-a', 'system', '{"n": 1}'),
  (tests.get_tenant_id('tap-events-b'), 'tap.event-of-b', 'system', '{"n": 2}');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-events-b'));

-- READ
select results_eq(
  $$select event_type from public.event_log$$,
  $$values ('tap.event-of-b')$$,
  'B reading every event gets its own event and nothing else'
);
select is_empty(
  $$select 1 from public.event_log where tenant_id = tests.get_tenant_id('tap-events-a')$$,
  'B cannot read A''s events even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.event_log (tenant_id, event_type, event_source)
    values (tests.get_tenant_id('tap-events-a'), 'leads.INSERT', 'database')$$,
  '42501',
  'permission denied for table event_log',
  'B cannot forge events in A''s tenant'
);
select throws_ok(
  $$insert into public.event_log (tenant_id, event_type, event_source)
    values (tests.get_tenant_id('tap-events-b'), 'leads.INSERT', 'database')$$,
  '42501',
  'permission denied for table event_log',
  'B cannot write events into its own tenant either'
);
select throws_ok(
  $$update public.event_log set processed = true, processed_at = now() where tenant_id = tests.get_tenant_id('tap-events-a')$$,
  '42501',
  'permission denied for table event_log',
  'B cannot mark A''s events processed'
);
select throws_ok(
  $$update public.event_log set tenant_id = tests.get_tenant_id('tap-events-a') where event_type = 'tap.event-of-b'$$,
  '42501',
  'permission denied for table event_log',
  'B cannot move its own events into A''s tenant'
);
select throws_ok(
  $$delete from public.event_log where tenant_id = tests.get_tenant_id('tap-events-a')$$,
  '42501',
  'permission denied for table event_log',
  'B cannot delete A''s events'
);
select throws_ok(
  $$delete from public.event_log where event_type = 'tap.event-of-b'$$,
  '42501',
  'permission denied for table event_log',
  'B cannot delete its own events either'
);
select throws_ok(
  $$truncate public.event_log$$,
  '42501',
  'permission denied for table event_log',
  'B cannot truncate the event log'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select results_eq(
  $$select event_type, processed, payload from public.event_log where tenant_id = tests.get_tenant_id('tap-events-a')$$,
  $$values ('tap.event-of-a'::text, false, '{"n": 1}'::jsonb)$$,
  'A''s event is unchanged and unprocessed after B''s attempts'
);
select results_eq(
  $$select tenant_id from public.event_log where event_type = 'tap.event-of-b'$$,
  $$values (tests.get_tenant_id('tap-events-b'))$$,
  'B''s event stayed in tenant B'
);

-- A reads its own event only
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-events-a'));
select results_eq(
  $$select event_type from public.event_log$$,
  $$values ('tap.event-of-a')$$,
  'A reading every event gets its own event and nothing else'
);

-- Without a tenant claim, nothing matches
select tests.authenticate_as_tenant(null);
select is_empty(
  $$select 1 from public.event_log where event_type in ('tap.event-of-a', 'tap.event-of-b')$$,
  'An authenticated caller without a tenant_id claim sees no events'
);

select * from finish();
rollback;
