-- app.tool_call_submit: an approval allows one call of the same tool with exactly the approved
-- arguments, in the same tenant, once it is approved and before it is used. Refusals are
-- audited and returned, never raised.
begin;
set local search_path = public, extensions;
select plan(11);

select tests.create_tenant('tap-submit');
select tests.create_tenant('tap-submit-other');
update public.tenants set settings = settings || '{"wake_workers": false}' where slug like 'tap-submit%';
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash, scopes) values
  ('a9a9a9a9-0000-4000-8000-000000000020', tests.get_tenant_id('tap-submit'), 'approver', 'tapapr20',
    encode(sha256('ora_tapapr20_x'::bytea), 'hex'), '{approvals:*}');
select (app.tool_gate_record(tests.get_tenant_id('tap-submit'), jsonb_build_object('outcome', 'approval',
  'tool', 'cmms.create_work_order', 'mode', 'copilot', 'request_key', 'api:submit:1',
  'arguments', '{"asset_id": "P-101", "title": "Bearing"}'::jsonb)) ->> 'approval_id') as approval \gset

create function pg_temp.submit(tenant uuid, approval uuid, tool text, args jsonb, key text) returns jsonb
language sql as $$
  select app.tool_call_submit(tenant, jsonb_build_object('approval_id', approval, 'tool', tool, 'arguments', args,
    'idempotency_key', key, 'integration', split_part(tool, '.', 1)))
$$;

select is(pg_temp.submit(tests.get_tenant_id('tap-submit'), :'approval', 'cmms.create_work_order',
    '{"asset_id": "P-101", "title": "Bearing"}', 'k1') ->> 'reason',
  'approval_pending', 'A pending approval allows nothing yet');
select app.approval_decide(tests.get_tenant_id('tap-submit'), :'approval', 'approved', null,
  '{"kind": "api_key", "key_id": "a9a9a9a9-0000-4000-8000-000000000020"}');
select is(pg_temp.submit(tests.get_tenant_id('tap-submit-other'), :'approval', 'cmms.create_work_order',
    '{"asset_id": "P-101", "title": "Bearing"}', 'k1') ->> 'reason',
  'approval_not_found', 'Another tenant cannot use it');
select is(pg_temp.submit(tests.get_tenant_id('tap-submit'), :'approval', 'cmms.create_work_order',
    '{"asset_id": "P-101", "title": "Bearing and pump"}', 'k1') ->> 'reason',
  'arguments_changed', 'Changed arguments are refused');
select is(pg_temp.submit(tests.get_tenant_id('tap-submit'), :'approval', 'cmms.update_work_order_status',
    '{"asset_id": "P-101", "title": "Bearing"}', 'k1') ->> 'reason',
  'tool_changed', 'Another tool is refused');
select is(pg_temp.submit(tests.get_tenant_id('tap-submit'), :'approval', 'cmms.create_work_order',
    '{"title": "Bearing", "asset_id": "P-101"}', 'k1') ->> 'ok',
  'true', 'The same arguments (key order does not matter) are submitted');
select results_eq(
  format($$select status, approval_id::text, adapter from public.tool_calls where idempotency_key = 'k1'$$),
  format($$values ('queued'::text, %L::text, 'sandbox'::text)$$, :'approval'),
  'A queued call bound to the approval (sandbox: no integration configured)'
);
select is(pg_temp.submit(tests.get_tenant_id('tap-submit'), :'approval', 'cmms.create_work_order',
    '{"asset_id": "P-101", "title": "Bearing"}', 'k1') ->> 'tool_call_id',
  (select id::text from public.tool_calls where idempotency_key = 'k1'),
  'Submitting the same call again (a replayed step) returns the same call');
select is(pg_temp.submit(tests.get_tenant_id('tap-submit'), :'approval', 'cmms.create_work_order',
    '{"asset_id": "P-101", "title": "Bearing"}', 'k2') ->> 'reason',
  'approval_used', 'Another call cannot reuse it');
select is((select count(*)::int from public.tool_calls where tenant_id = tests.get_tenant_id('tap-submit')), 1,
  'One approval, one call');
select is(
  (select array_agg(error ->> 'code' order by seq) from public.tool_audit where approval_id = :'approval' and event = 'refused'),
  array['approval_pending', 'arguments_changed', 'tool_changed', 'approval_used'],
  'Every refusal in the tenant is audited with its reason'
);
select is(
  (select count(*)::int from public.tool_audit where tenant_id = tests.get_tenant_id('tap-submit-other')), 1,
  'The other tenant''s attempt is audited in its own tenant'
);

select * from finish();
rollback;
