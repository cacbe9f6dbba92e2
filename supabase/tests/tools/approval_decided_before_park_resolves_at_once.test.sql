-- app.approval_check_waitpoint (called by app.run_park): a session that parks on an approval
-- decided (or expired) before it parked does not wait — the wait resolves at once with the
-- decision, and the run keeps running.
begin;
set local search_path = public, extensions;
select plan(7);

-- FIXTURES (as postgres): a claimed agent session, an approval of its call, an approver key
select tests.create_tenant('tap-apr-early');
update public.tenants set settings = settings || '{"wake_workers": false}' where slug = 'tap-apr-early';
select app.agent_pack_install(tests.get_tenant_id('tap-apr-early'), 'industrial');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, scopes) values
  ('a9a9a9a9-0000-4000-8000-000000000001', tests.get_tenant_id('tap-apr-early'), 'approver', 'tapapr01',
    encode(sha256('ora_tapapr01_x'::bytea), 'hex'), '{approvals:*}');
select id as run_id from app.session_spawn(tests.get_tenant_id('tap-apr-early'),
  '{"agent": "work_order", "mode": "copilot", "input": {"query": "P-101"}}') \gset
select c.msg_id as msg from app.runs_claim('agent_jobs', 'tap-worker', 30, 100) c where c.run_id = :'run_id' \gset
select (app.tool_gate_record(tests.get_tenant_id('tap-apr-early'), jsonb_build_object('outcome', 'approval',
  'tool', 'cmms.create_work_order', 'mode', 'copilot', 'run_id', :'run_id', 'step_key', 'gate:1:c1',
  'request_key', 'run:' || :'run_id' || ':1:c1', 'arguments', '{"asset_id": "P-101", "title": "Bearing"}'::jsonb,
  'approval', '{"approver_roles": ["owner", "admin"], "ttl_seconds": 600}'::jsonb)) ->> 'approval_id') as approval \gset

select is(
  (select status from public.runs where id = :'run_id'), 'running',
  'The session is running its gate step when it asks'
);

-- DECIDED FIRST, PARKED AFTER
select lives_ok(
  format($$select app.approval_decide(%L, %L, 'approved', 'go', '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000001"}')$$,
    tests.get_tenant_id('tap-apr-early'), :'approval'),
  'An approver decides before the session parks (nothing waits on it yet)'
);
select is(
  app.run_park(tests.get_tenant_id('tap-apr-early'), :'run_id', :'msg', 'approval:1:c1', 'any',
    jsonb_build_array(jsonb_build_object('kind', 'approval', 'approval_id', :'approval'))) ->> 'parked',
  'false',
  'Parking on an approval already decided does not park'
);
select is(
  (select output #>> '{result,decision}' from public.run_steps where run_id = :'run_id' and key = 'approval:1:c1'),
  'approved',
  'The wait step is recorded with the decision as its result'
);
select is(
  (select status from public.runs where id = :'run_id'), 'running',
  'The run keeps running: no worker let go, no message re-sent'
);
select is(
  (select status from public.run_waitpoints where run_id = :'run_id' and kind = 'approval'), 'resolved',
  'Its approval waitpoint is resolved'
);

-- EXPIRED BEFORE THE PARK: resolves at once as expired
select (app.tool_gate_record(tests.get_tenant_id('tap-apr-early'), jsonb_build_object('outcome', 'approval',
  'tool', 'cmms.create_work_order', 'mode', 'copilot', 'run_id', :'run_id', 'step_key', 'gate:2:c2',
  'request_key', 'run:' || :'run_id' || ':2:c2', 'arguments', '{"asset_id": "P-102", "title": "Seal"}'::jsonb,
  'approval', '{"ttl_seconds": 600}'::jsonb)) ->> 'approval_id') as late \gset
update public.approvals set expires_at = now() - interval '1 second' where id = :'late';
select is(
  app.run_park(tests.get_tenant_id('tap-apr-early'), :'run_id', :'msg', 'approval:2:c2', 'any',
    jsonb_build_array(jsonb_build_object('kind', 'approval', 'approval_id', :'late'))) #>> '{output,result,decision}',
  'expired',
  'Parking on an approval past its expiry resolves at once as expired'
);

select * from finish();
rollback;
