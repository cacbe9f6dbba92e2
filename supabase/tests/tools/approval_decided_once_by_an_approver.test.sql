-- app.approval_decide: an approval is decided once, by a member whose role it names or an
-- approver key, never by whoever asked for the call, never across tenants.
begin;
set local search_path = public, extensions;
select plan(14);

create function pg_temp.reason_of(statement text) returns text language plpgsql as $$
declare
  v_detail text;
begin
  execute statement;
  return 'no error';
exception when others then
  get stacked diagnostics v_detail = pg_exception_detail;
  return sqlstate || ' ' || coalesce(v_detail, '');
end;
$$;

select tests.create_tenant('tap-apr-who');
select tests.create_tenant('tap-apr-who-other');
select tests.create_user('owner@apr-who.example');
select tests.create_user('admin@apr-who.example');
select tests.create_user('member@apr-who.example');
select tests.create_user('stranger@apr-who.example');
select tests.add_member(tests.get_tenant_id('tap-apr-who'), tests.get_user_id('owner@apr-who.example'), 'owner');
select tests.add_member(tests.get_tenant_id('tap-apr-who'), tests.get_user_id('admin@apr-who.example'), 'admin');
select tests.add_member(tests.get_tenant_id('tap-apr-who'), tests.get_user_id('member@apr-who.example'), 'member');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, scopes, agent_id) values
  ('a9a9a9a9-0000-4000-8000-000000000010', tests.get_tenant_id('tap-apr-who'), 'requester', 'tapapr10',
    encode(sha256('ora_tapapr10_x'::bytea), 'hex'), '{*}', null),
  ('a9a9a9a9-0000-4000-8000-000000000011', tests.get_tenant_id('tap-apr-who'), 'agent key', 'tapapr11',
    encode(sha256('ora_tapapr11_x'::bytea), 'hex'), '{*}', gen_random_uuid()),
  ('a9a9a9a9-0000-4000-8000-000000000012', tests.get_tenant_id('tap-apr-who'), 'reader', 'tapapr12',
    encode(sha256('ora_tapapr12_x'::bytea), 'hex'), '{approvals:read,tools:*}', null);
select (app.tool_gate_record(tests.get_tenant_id('tap-apr-who'), jsonb_build_object('outcome', 'approval',
  'tool', 'scada.set_setpoint', 'mode', 'copilot', 'request_key', 'api:who:1',
  'requested_by', 'key:a9a9a9a9-0000-4000-8000-000000000010',
  'requested_by_key_id', 'a9a9a9a9-0000-4000-8000-000000000010',
  'arguments', '{"tag": "P-101.PRESS", "value": 9, "reason": "r"}'::jsonb)) ->> 'approval_id') as approval \gset
select (app.tool_gate_record(tests.get_tenant_id('tap-apr-who'), jsonb_build_object('outcome', 'approval',
  'tool', 'scada.set_setpoint', 'mode', 'copilot', 'request_key', 'api:who:2',
  'requested_by', 'user:' || tests.get_user_id('owner@apr-who.example'),
  'requested_by_user_id', tests.get_user_id('owner@apr-who.example'),
  'approval', '{"approver_roles": ["owner"]}'::jsonb,
  'arguments', '{"tag": "P-101.PRESS", "value": 10, "reason": "r"}'::jsonb)) ->> 'approval_id') as owners_only \gset

select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who-other'), :'approval', '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000010"}')),
  'OR404 approval_not_found', 'Another tenant cannot even find the approval');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, '{"kind": "service"}')$$,
    tests.get_tenant_id('tap-apr-who'), :'approval')),
  'OR403 not_an_approver', 'The service role is not an approver');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('stranger@apr-who.example')))),
  'OR403 not_a_member', 'A user who is not a member cannot decide');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('member@apr-who.example')))),
  'OR403 insufficient_role', 'A member whose role the approval does not name cannot decide');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000010"}')),
  'OR403 self_approval', 'The key that asked for the call cannot approve it');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000011"}')),
  'OR403 not_an_approver', 'An agent''s key never decides');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000012"}')),
  'OR403 not_an_approver', 'A key without approvals:write cannot decide');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('admin@apr-who.example')), repeat('f', 64))),
  'OR409 arguments_changed', 'Approving other arguments than the ones reviewed is refused');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'rejected', '  ', %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('admin@apr-who.example')))),
  'OR400 reason_required', 'A rejection needs a reason');
select is(
  (select status from public.approvals where id = :'approval'), 'pending',
  'None of the refused attempts decided it'
);
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', 'ok', %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('admin@apr-who.example')))),
  'no error', 'An admin member decides it');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'rejected', 'changed my mind', %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'approval', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('owner@apr-who.example')))),
  'OR409 approval_already_decided', 'It is decided once: a second decision is refused');

-- roles named by the approval: owners only, and never the owner who asked
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'owners_only', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('admin@apr-who.example')))),
  'OR403 insufficient_role', 'An admin cannot decide an approval that names owners only');
select is(pg_temp.reason_of(format($$select app.approval_decide(%L, %L, 'approved', null, %L)$$,
    tests.get_tenant_id('tap-apr-who'), :'owners_only', jsonb_build_object('kind', 'user', 'user_id', tests.get_user_id('owner@apr-who.example')))),
  'OR403 self_approval', 'The owner who asked cannot approve their own call');

select * from finish();
rollback;
