-- Tenant isolation for public.tool_audit (the append-only audit of tool calls): tenant B reads its own audit rows only
-- and, like every API role, cannot write any: they are written by app functions alone.
begin;
set local search_path = public, extensions;
select plan(10);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-tool-audit-a');
select tests.create_tenant('tap-tool-audit-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-tool-audit-a'), tests.get_tenant_id('tap-tool-audit-b'));
select app.tool_audit_write(tests.get_tenant_id('tap-tool-audit-' || x), jsonb_build_object('event', 'executed',
  'tool', 'scada.get_tag', 'arguments', jsonb_build_object('tag', 'P-101.VIB'), 'result', jsonb_build_object('value', 3.1),
  'requested_by', 'key:fixture-' || x, 'actor', 'gate'))
from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.tool_audit where tenant_id = tests.get_tenant_id('tap-tool-audit-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-audit-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.tool_audit$$,
  $$values (tests.get_tenant_id('tap-tool-audit-b'))$$,
  'B reading every row of tool_audit gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.tool_audit where tenant_id = tests.get_tenant_id('tap-tool-audit-a')$$,
  'B cannot read A''s audit rows even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.tool_audit (tenant_id, event, tool) values (tests.get_tenant_id('tap-tool-audit-b'), 'executed', 'scada.set_setpoint')$$,
  '42501', 'permission denied for table tool_audit',
  'B cannot write audit rows, not even for itself'
);
select throws_ok(
  $$insert into public.tool_audit (tenant_id, event, tool) values (tests.get_tenant_id('tap-tool-audit-a'), 'executed', 'scada.set_setpoint')$$,
  '42501', 'permission denied for table tool_audit',
  'B cannot write into A''s audit rows'
);
select throws_ok(
  $$update public.tool_audit set event = 'refused' where tenant_id = tests.get_tenant_id('tap-tool-audit-a')$$,
  '42501', 'permission denied for table tool_audit',
  'B cannot rewrite A''s audit trail'
);
select throws_ok(
  $$delete from public.tool_audit where tenant_id = tests.get_tenant_id('tap-tool-audit-a')$$,
  '42501', 'permission denied for table tool_audit',
  'B cannot delete A''s audit rows'
);
select throws_ok(
  $$truncate public.tool_audit$$,
  '42501', 'permission denied for table tool_audit',
  'B cannot truncate tool_audit'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.tool_audit'), 0), 0::bigint, 'anon reads no audit rows');

-- AFTERWARDS (as postgres): A's rows are as they were; A sees its own only
select tests.clear_authentication();
select set_eq(
  $$select * from public.tool_audit where tenant_id = tests.get_tenant_id('tap-tool-audit-a')$$,
  $$select * from a_before$$,
  'A''s audit rows are unchanged after B''s attempts'
);
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-audit-a'));
select results_eq(
  $$select distinct tenant_id from public.tool_audit$$,
  $$values (tests.get_tenant_id('tap-tool-audit-a'))$$,
  'A reading every row of tool_audit gets its own tenant''s only'
);

select * from finish();
rollback;
