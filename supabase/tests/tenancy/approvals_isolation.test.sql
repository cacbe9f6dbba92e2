-- Tenant isolation for public.approvals (pending approvals of gated tool calls): tenant B reads its own approvals only
-- and, like every API role, cannot write any: they are written by app functions alone.
begin;
set local search_path = public, extensions;
select plan(10);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-approvals-a');
select tests.create_tenant('tap-approvals-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-approvals-a'), tests.get_tenant_id('tap-approvals-b'));
select app.tool_gate_record(tests.get_tenant_id('tap-approvals-' || x), jsonb_build_object('outcome', 'approval',
  'tool', 'cmms.create_work_order', 'mode', 'copilot', 'request_key', 'api:fixture:' || x,
  'arguments', jsonb_build_object('asset_id', 'P-101', 'title', 'Work for ' || x),
  'approval', jsonb_build_object('approver_roles', jsonb_build_array('owner', 'admin'), 'ttl_seconds', 3600,
    'risk_score', 45, 'risk_class', 'medium')))
from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.approvals where tenant_id = tests.get_tenant_id('tap-approvals-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-approvals-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.approvals$$,
  $$values (tests.get_tenant_id('tap-approvals-b'))$$,
  'B reading every row of approvals gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.approvals where tenant_id = tests.get_tenant_id('tap-approvals-a')$$,
  'B cannot read A''s approvals even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.approvals (tenant_id, request_key, tool, arguments, args_hash, mode, risk_class, expires_at)
    values (tests.get_tenant_id('tap-approvals-b'), 'forged', 'scada.set_setpoint', '{}', repeat('0', 64), 'copilot', 'critical', now() + interval '1 hour')$$,
  '42501', 'permission denied for table approvals',
  'B cannot plant an approval, not even in its own tenant (approvals come from the gate)'
);
select throws_ok(
  $$insert into public.approvals (tenant_id, request_key, tool, arguments, args_hash, mode, risk_class, expires_at)
    values (tests.get_tenant_id('tap-approvals-a'), 'forged', 'scada.set_setpoint', '{}', repeat('0', 64), 'copilot', 'critical', now() + interval '1 hour')$$,
  '42501', 'permission denied for table approvals',
  'B cannot write into A''s approvals'
);
select throws_ok(
  $$update public.approvals set status = 'approved', decided_at = now() where tenant_id = tests.get_tenant_id('tap-approvals-a')$$,
  '42501', 'permission denied for table approvals',
  'B cannot approve A''s calls by writing the row (decisions go through app.approval_decide)'
);
select throws_ok(
  $$delete from public.approvals where tenant_id = tests.get_tenant_id('tap-approvals-a')$$,
  '42501', 'permission denied for table approvals',
  'B cannot delete A''s approvals'
);
select throws_ok(
  $$truncate public.approvals$$,
  '42501', 'permission denied for table approvals',
  'B cannot truncate approvals'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.approvals'), 0), 0::bigint, 'anon reads no approvals');

-- AFTERWARDS (as postgres): A's rows are as they were; A sees its own only
select tests.clear_authentication();
select set_eq(
  $$select * from public.approvals where tenant_id = tests.get_tenant_id('tap-approvals-a')$$,
  $$select * from a_before$$,
  'A''s approvals are unchanged after B''s attempts'
);
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-approvals-a'));
select results_eq(
  $$select distinct tenant_id from public.approvals$$,
  $$values (tests.get_tenant_id('tap-approvals-a'))$$,
  'A reading every row of approvals gets its own tenant''s only'
);

select * from finish();
rollback;
