-- A session parked on an approval holds no worker and no message; the decision resumes it at
-- once (queued again, the wait step recorded with the decision), approved or rejected.
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-apr-park');
update public.tenants set settings = settings || '{"wake_workers": false}' where slug = 'tap-apr-park';
select app.agent_pack_install(tests.get_tenant_id('tap-apr-park'), 'industrial');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, scopes) values
  ('a9a9a9a9-0000-4000-8000-000000000002', tests.get_tenant_id('tap-apr-park'), 'approver', 'tapapr02',
    encode(sha256('ora_tapapr02_x'::bytea), 'hex'), '{approvals:write}');
select id as run_id from app.session_spawn(tests.get_tenant_id('tap-apr-park'),
  '{"agent": "work_order", "mode": "copilot", "input": {"query": "P-101"}}') \gset
select id as run2 from app.session_spawn(tests.get_tenant_id('tap-apr-park'),
  '{"agent": "work_order", "mode": "copilot", "input": {"query": "P-102"}}') \gset
create temporary table claimed as
  select c.run_id, c.msg_id from app.runs_claim('agent_jobs', 'tap-worker', 30, 100) c;
select msg_id as msg from claimed where run_id = :'run_id' \gset
select msg_id as msg2 from claimed where run_id = :'run2' \gset
select (app.tool_gate_record(tests.get_tenant_id('tap-apr-park'), jsonb_build_object('outcome', 'approval',
  'tool', 'cmms.create_work_order', 'mode', 'copilot', 'run_id', :'run_id', 'request_key', 'run:' || :'run_id' || ':1:c1',
  'arguments', '{"asset_id": "P-101", "title": "Bearing"}'::jsonb)) ->> 'approval_id') as approval \gset
select (app.tool_gate_record(tests.get_tenant_id('tap-apr-park'), jsonb_build_object('outcome', 'approval',
  'tool', 'cmms.create_work_order', 'mode', 'copilot', 'run_id', :'run2', 'request_key', 'run:' || :'run2' || ':1:c1',
  'arguments', '{"asset_id": "P-102", "title": "Seal"}'::jsonb)) ->> 'approval_id') as approval2 \gset

-- PARK
select is(
  app.run_park(tests.get_tenant_id('tap-apr-park'), :'run_id', :'msg', 'approval:1:c1', 'any',
    jsonb_build_array(jsonb_build_object('kind', 'approval', 'approval_id', :'approval'))) ->> 'parked',
  'true',
  'A session parks on a pending approval'
);
select results_eq(
  format($$select status, queue_msg_id, worker_id from public.runs where id = %L$$, :'run_id'),
  $$values ('waiting'::text, null::bigint, null::text)$$,
  'Parked: waiting, with no queue message and no worker'
);
select is_empty(
  format($$select 1 from pgmq.q_agent_jobs where message ->> 'run_id' = %L$$, :'run_id'),
  'Its message was acknowledged: nothing holds it while it waits'
);

-- APPROVE
select app.approval_decide(tests.get_tenant_id('tap-apr-park'), :'approval', 'approved', null,
  '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000002"}');
select results_eq(
  format($$select status, resuming from public.runs where id = %L$$, :'run_id'),
  $$values ('queued'::text, true)$$,
  'The decision queues the session again at once (a resume, not a new attempt)'
);
select isnt_empty(
  format($$select 1 from pgmq.q_agent_jobs where message ->> 'run_id' = %L$$, :'run_id'),
  'A message carries it to a worker'
);
select is(
  (select output #>> '{result,decision}' from public.run_steps where run_id = :'run_id' and key = 'approval:1:c1'),
  'approved',
  'The worker will find the wait step recorded with the decision'
);

-- REJECT
select app.run_park(tests.get_tenant_id('tap-apr-park'), :'run2', :'msg2', 'approval:1:c1', 'any',
  jsonb_build_array(jsonb_build_object('kind', 'approval', 'approval_id', :'approval2')));
select app.approval_decide(tests.get_tenant_id('tap-apr-park'), :'approval2', 'rejected', 'Use the standby pump',
  '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000002"}');
select is(
  (select status from public.runs where id = :'run2'), 'queued',
  'A rejection resumes the session too'
);
select results_eq(
  format($$select output #>> '{result,decision}', output #>> '{result,reason}' from public.run_steps
    where run_id = %L and key = 'approval:1:c1'$$, :'run2'),
  $$values ('rejected', 'Use the standby pump')$$,
  'The rejection''s reason is in the wait''s result (the model reads it)'
);
select is(
  (select count(*)::int from public.event_log where tenant_id = tests.get_tenant_id('tap-apr-park')
    and event_type = 'approval.decided'),
  2,
  'Each decision is an approval.decided event'
);

select * from finish();
rollback;
