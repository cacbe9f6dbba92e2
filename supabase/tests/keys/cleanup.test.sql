-- app.cleanup deletes expired event_log rows, request logs older than 30 days, rate counters
-- older than 2 days and wake-ups (app.invoke_requests) no relay claimed within an hour, reports
-- how many it deleted, and keeps everything fresher.
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-cleanup');
insert into public.event_log (tenant_id, event_type, event_source, expires_at) values
  (tests.get_tenant_id('tap-cleanup'), 'tap.cleanup-expired', 'system', now() - interval '1 minute'),
  (tests.get_tenant_id('tap-cleanup'), 'tap.cleanup-fresh', 'system', now() + interval '1 minute');
insert into public.request_log (request_id, tenant_id, function_name, method, status, duration_ms, created_at) values
  ('tap-cleanup-old', tests.get_tenant_id('tap-cleanup'), 'ora', 'POST', 200, 1, now() - interval '31 days'),
  ('tap-cleanup-recent', tests.get_tenant_id('tap-cleanup'), 'ora', 'POST', 200, 1, now() - interval '29 days');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash) values
  ('c7c7c7c7-0000-4000-8000-000000000001', tests.get_tenant_id('tap-cleanup'), 'Site', 'tapclean',
    encode(sha256('ora_tapclean_secret'::bytea), 'hex'));
insert into app.rate_counters (api_key_id, window_kind, window_start, hits) values
  ('c7c7c7c7-0000-4000-8000-000000000001', 'minute', date_trunc('minute', now() - interval '3 days'), 5),
  ('c7c7c7c7-0000-4000-8000-000000000001', 'day', date_trunc('day', now() - interval '3 days'), 50),
  ('c7c7c7c7-0000-4000-8000-000000000001', 'day', date_trunc('day', now() at time zone 'UTC') at time zone 'UTC', 7),
  ('c7c7c7c7-0000-4000-8000-000000000001', 'minute', date_trunc('minute', now()), 2);
insert into app.invoke_requests (function_name, body, created_at) values
  ('agent-worker', '{"reason": "tap-cleanup-stale"}', now() - interval '61 minutes'),
  ('agent-worker', '{"reason": "tap-cleanup-pending"}', now() - interval '59 minutes');

create temporary table cleanup_report as select app.cleanup() as report;

select results_eq(
  $$select event_type from public.event_log where tenant_id = tests.get_tenant_id('tap-cleanup')$$,
  $$values ('tap.cleanup-fresh')$$,
  'Expired events are deleted, events not yet expired are kept'
);
select results_eq(
  $$select request_id from public.request_log where tenant_id = tests.get_tenant_id('tap-cleanup')$$,
  $$values ('tap-cleanup-recent')$$,
  'Request logs older than 30 days are deleted, younger ones are kept'
);
select results_eq(
  $$select window_kind, hits from app.rate_counters
    where api_key_id = 'c7c7c7c7-0000-4000-8000-000000000001' order by window_kind$$,
  $$values ('day'::text, 7), ('minute'::text, 2)$$,
  'Rate counters older than 2 days are deleted, the current windows are kept'
);
select results_eq(
  $$select body ->> 'reason' from app.invoke_requests where body ->> 'reason' like 'tap-cleanup-%'$$,
  $$values ('tap-cleanup-pending')$$,
  'Wake-ups unclaimed for over an hour are deleted, younger ones are left for the relay'
);
select ok(
  (select (report ->> 'events')::bigint >= 1 from cleanup_report),
  'The report counts the deleted events'
);
select ok(
  (select (report ->> 'request_logs')::bigint >= 1 from cleanup_report),
  'The report counts the deleted request logs'
);
select ok(
  (select (report ->> 'rate_counters')::bigint >= 2 from cleanup_report),
  'The report counts the deleted rate counters'
);

select ok(
  (select (report ->> 'invoke_requests')::bigint >= 1 from cleanup_report),
  'The report counts the deleted wake-ups'
);

select is(
  (select array(select jsonb_object_keys(report) order by 1) from cleanup_report),
  array['events', 'invoke_requests', 'rate_counters', 'request_logs'],
  'The report names what it cleaned: events, invoke_requests, rate_counters, request_logs'
);

select * from finish();
rollback;
