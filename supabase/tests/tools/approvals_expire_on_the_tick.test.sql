-- app.approvals_expire_due (a tick job): a pending approval past expires_at expires — audited,
-- announced (approval.expired) — and the session parked on it resumes as rejected.
begin;
set local search_path = public, extensions;
select plan(7);

select tests.create_tenant('tap-apr-expire');
update public.tenants set settings = settings || '{"wake_workers": false}' where slug = 'tap-apr-expire';
select app.agent_pack_install(tests.get_tenant_id('tap-apr-expire'), 'industrial');
select id as run_id from app.session_spawn(tests.get_tenant_id('tap-apr-expire'),
  '{"agent": "work_order", "mode": "copilot", "input": {"query": "P-101"}}') \gset
select c.msg_id as msg from app.runs_claim('agent_jobs', 'tap-worker', 30, 100) c where c.run_id = :'run_id' \gset
select (app.tool_gate_record(tests.get_tenant_id('tap-apr-expire'), jsonb_build_object('outcome', 'approval',
  'tool', 'cmms.create_work_order', 'mode', 'copilot', 'run_id', :'run_id', 'request_key', 'run:' || :'run_id' || ':1:c1',
  'arguments', '{"asset_id": "P-101", "title": "Bearing"}'::jsonb)) ->> 'approval_id') as approval \gset
select app.run_park(tests.get_tenant_id('tap-apr-expire'), :'run_id', :'msg', 'approval:1:c1', 'any',
  jsonb_build_array(jsonb_build_object('kind', 'approval', 'approval_id', :'approval')));

select is(app.approvals_expire_due() >= 0, true, 'Before its time the tick leaves it alone');
select is((select status from public.approvals where id = :'approval'), 'pending', 'Still pending');

update public.approvals set expires_at = now() - interval '1 second' where id = :'approval';
select cmp_ok(app.approvals_expire_due(), '>=', 1, 'Past its time the tick expires it');
select results_eq(
  format($$select status, decided_by from public.approvals where id = %L$$, :'approval'),
  $$values ('expired'::text, 'tick'::text)$$,
  'The approval is expired, by the tick'
);
select results_eq(
  format($$select r.status, s.output #>> '{result,decision}' from public.runs r
    join public.run_steps s on s.run_id = r.id and s.key = 'approval:1:c1' where r.id = %L$$, :'run_id'),
  $$values ('queued'::text, 'expired'::text)$$,
  'The session resumes with decision expired (the model reads it as a rejection)'
);
select is(
  (select array_agg(event order by seq) from public.tool_audit where approval_id = :'approval'),
  array['requested', 'expired'],
  'The audit has the request and the expiry'
);
select is(
  (select payload ->> 'approval_id' from public.event_log where tenant_id = tests.get_tenant_id('tap-apr-expire')
    and event_type = 'approval.expired'),
  :'approval',
  'approval.expired is in event_log for notifications and automations'
);

select * from finish();
rollback;
