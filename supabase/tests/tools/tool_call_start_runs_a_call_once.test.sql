-- app.tool_call_start and app.tool_call_finish: the executor's check before any adapter runs.
-- A finished call is only acknowledged (a redelivery never executes it twice); a call past its
-- deadline fails; an http write cut off mid-request on an endpoint without idempotent retries
-- fails as OUTCOME_UNKNOWN instead of being sent again.
begin;
set local search_path = public, extensions;
select plan(11);

select tests.create_tenant('tap-start');
update public.tenants set settings = settings || '{"wake_workers": false}' where slug = 'tap-start';
insert into public.tool_integrations (tenant_id, key, adapter, base_url, idempotent_retries)
  values (tests.get_tenant_id('tap-start'), 'erp', 'http', 'https://erp.example.com', false);
select (app.tool_call_create(tests.get_tenant_id('tap-start'), '{"idempotency_key": "s1", "tool": "cmms.create_work_order",
  "integration": "cmms", "arguments": {"asset_id": "P-101", "title": "x"}}')).id as call \gset
select (app.tool_call_create(tests.get_tenant_id('tap-start'), '{"idempotency_key": "s2", "tool": "erp.reserve_parts",
  "integration": "erp", "arguments": {"part_number": "BRG", "quantity": 1}}')).id as http_call \gset
select (app.tool_call_create(tests.get_tenant_id('tap-start'), '{"idempotency_key": "s3", "tool": "cmms.create_work_order",
  "integration": "cmms", "arguments": {"asset_id": "P-101", "title": "late"}, "deadline_seconds": 60}')).id as late \gset

select is(app.tool_call_start(tests.get_tenant_id('tap-start'), :'call', 1) ->> 'state', 'run', 'A queued call starts');
select results_eq(format($$select status, attempts from public.tool_calls where id = %L$$, :'call'),
  $$values ('running'::text, 1)$$, 'It is running, one attempt');
select is(app.tool_call_finish(tests.get_tenant_id('tap-start'), :'call',
    '{"status": "succeeded", "result": {"work_order_id": "WO-1"}, "after": {"status": "open"}}'),
  true, 'Its outcome is recorded');
select is(app.tool_call_finish(tests.get_tenant_id('tap-start'), :'call', '{"status": "failed"}'), false,
  'A second outcome changes nothing');
select is(app.tool_call_start(tests.get_tenant_id('tap-start'), :'call', 2) ->> 'state', 'done',
  'Redelivered after it finished: done, nothing runs');
select is((select attempts from public.tool_calls where id = :'call'), 1, 'Still one attempt');
select is(
  (select payload ->> 'status' from public.event_log where tenant_id = tests.get_tenant_id('tap-start')
    and event_type = 'tool_call.finished' and payload ->> 'tool_call_id' = :'call'),
  'succeeded', 'tool_call.finished tells the waiting session'
);

-- cut off mid-request: an http write on an endpoint that does not honour Idempotency-Key
update public.tool_calls set status = 'running', attempts = 1 where id = :'http_call';
select is(app.tool_call_start(tests.get_tenant_id('tap-start'), :'http_call', 3) ->> 'state', 'unknown',
  'A write found running (its worker died) is not sent again');
select is((select error ->> 'code' from public.tool_calls where id = :'http_call'), 'OUTCOME_UNKNOWN',
  'It fails as OUTCOME_UNKNOWN');

-- past its deadline
update public.tool_calls set deadline_at = now() - interval '1 second' where id = :'late';
select is(app.tool_call_start(tests.get_tenant_id('tap-start'), :'late', 4) ->> 'state', 'expired',
  'A call past its deadline does not start');
select is((select status || ' ' || (error ->> 'code') from public.tool_calls where id = :'late'), 'failed TIMED_OUT',
  'It fails as TIMED_OUT');

select * from finish();
rollback;
