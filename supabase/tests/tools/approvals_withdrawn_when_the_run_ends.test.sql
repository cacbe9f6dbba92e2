-- A run that ends before its approval is decided withdraws it: whether it failed while still
-- running (the gap between asking and parking) or was cancelled while parked, the approval leaves
-- the queue as withdrawn — audited, announced (approval.withdrawn) — cannot be decided or used
-- for a call, and an approval decided earlier stays as it was.
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-apr-withdraw');
update public.tenants set settings = settings || '{"wake_workers": false}' where slug = 'tap-apr-withdraw';
select tests.get_tenant_id('tap-apr-withdraw') as t \gset
select app.agent_pack_install(:'t', 'industrial');
select tests.create_user('tap-apr-withdraw-admin@test.local') as admin \gset
select tests.add_member(:'t', :'admin', 'admin');

-- 1. fails while running: the gate asked, the run never parked
select id as failing from app.session_spawn(:'t', '{"agent": "work_order", "mode": "copilot", "input": {"query": "P-101"}}') \gset
select c.msg_id as failing_msg from app.runs_claim('agent_jobs', 'tap-worker', 30, 100) c where c.run_id = :'failing' \gset
select (app.tool_gate_record(:'t', jsonb_build_object('outcome', 'approval', 'tool', 'cmms.create_work_order',
  'mode', 'copilot', 'run_id', :'failing', 'request_key', 'run:' || :'failing' || ':1:c1',
  'arguments', '{"asset_id": "P-101", "title": "Bearing"}'::jsonb)) ->> 'approval_id') as a_failed \gset
select is(app.run_fail(:'t', :'failing', :failing_msg, '{"code": "LLM_ERROR", "message": "model gone"}', 0, false),
  'failed', 'The run fails for good');
select results_eq(
  format($$select status, decided_by, reason from public.approvals where id = %L$$, :'a_failed'),
  $$values ('withdrawn'::text, 'system'::text, 'The session that asked for it was failed before a decision'::text)$$,
  'Its pending approval is withdrawn, by the system, saying why'
);

-- 2. cancelled while parked on the approval
select id as parked from app.session_spawn(:'t', '{"agent": "work_order", "mode": "copilot", "input": {"query": "P-102"}}') \gset
select c.msg_id as parked_msg from app.runs_claim('agent_jobs', 'tap-worker', 30, 100) c where c.run_id = :'parked' \gset
select (app.tool_gate_record(:'t', jsonb_build_object('outcome', 'approval', 'tool', 'cmms.create_work_order',
  'mode', 'copilot', 'run_id', :'parked', 'request_key', 'run:' || :'parked' || ':1:c1',
  'arguments', '{"asset_id": "P-102", "title": "Seal"}'::jsonb)) ->> 'approval_id') as a_parked \gset
select app.run_park(:'t', :'parked', :'parked_msg', 'approval:1:c1', 'any',
  jsonb_build_array(jsonb_build_object('kind', 'approval', 'approval_id', :'a_parked')));
select app.run_cancel(:'t', :'parked', 'operator stop');
select is((select status from public.approvals where id = :'a_parked'), 'withdrawn', 'Cancelling the parked run withdraws it');
select is(
  (select array_agg(event order by seq) from public.tool_audit where approval_id = :'a_parked'),
  array['requested', 'withdrawn'],
  'The audit has the request and the withdrawal'
);
select is(
  (select payload ->> 'run_status' from public.event_log where tenant_id = :'t'
    and event_type = 'approval.withdrawn' and payload ->> 'approval_id' = :'a_parked'),
  'cancelled',
  'approval.withdrawn is in event_log with how the run ended'
);

-- a withdrawn approval can be neither decided nor used
select throws_like(
  format($$select app.approval_decide(%L, %L, 'approved', null, jsonb_build_object('kind', 'user', 'user_id', %L))$$,
    :'t', :'a_parked', :'admin'),
  '%was withdrawn%',
  'Deciding it is refused (approval_withdrawn)'
);
select is(
  app.tool_call_submit(:'t', jsonb_build_object('approval_id', :'a_parked', 'tool', 'cmms.create_work_order',
    'arguments', '{"asset_id": "P-102", "title": "Seal"}'::jsonb, 'idempotency_key', 'k1')) ->> 'reason',
  'approval_withdrawn',
  'Submitting a call with it is refused'
);

-- 3. a decided approval stays decided when its run ends
select id as decided from app.session_spawn(:'t', '{"agent": "work_order", "mode": "copilot", "input": {"query": "P-103"}}') \gset
select c.msg_id as decided_msg from app.runs_claim('agent_jobs', 'tap-worker', 30, 100) c where c.run_id = :'decided' \gset
select (app.tool_gate_record(:'t', jsonb_build_object('outcome', 'approval', 'tool', 'cmms.create_work_order',
  'mode', 'copilot', 'run_id', :'decided', 'request_key', 'run:' || :'decided' || ':1:c1',
  'arguments', '{"asset_id": "P-103", "title": "Pump"}'::jsonb)) ->> 'approval_id') as a_decided \gset
select app.approval_decide(:'t', :'a_decided', 'approved', null, jsonb_build_object('kind', 'user', 'user_id', :'admin'));
select app.run_cancel(:'t', :'decided');
select is((select status from public.approvals where id = :'a_decided'), 'approved', 'An approval decided before the run ended keeps its decision');
select is(
  (select count(*)::int from public.approvals where tenant_id = :'t' and status = 'pending'),
  0,
  'Nothing of these runs is left in the queue'
);

select * from finish();
rollback;
