-- Tenant isolation for public.tool_sandbox_records (the sandbox adapter's state): tenant B reads its own sandbox records only
-- and, like every API role, cannot write any: they are written by app functions alone.
begin;
set local search_path = public, extensions;
select plan(10);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-sandbox-a');
select tests.create_tenant('tap-sandbox-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-sandbox-a'), tests.get_tenant_id('tap-sandbox-b'));
insert into public.tool_sandbox_records (tenant_id, integration, kind, ref, data)
select tests.get_tenant_id('tap-sandbox-' || x), 'cmms', 'work_order', 'WO-10000' || x::text, jsonb_build_object('title', x)
from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.tool_sandbox_records where tenant_id = tests.get_tenant_id('tap-sandbox-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-sandbox-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.tool_sandbox_records$$,
  $$values (tests.get_tenant_id('tap-sandbox-b'))$$,
  'B reading every row of tool_sandbox_records gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.tool_sandbox_records where tenant_id = tests.get_tenant_id('tap-sandbox-a')$$,
  'B cannot read A''s sandbox records even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.tool_sandbox_records (tenant_id, integration, kind, ref, data) values (tests.get_tenant_id('tap-sandbox-b'), 'scada', 'setpoint', 'P-101.PRESS', '{"setpoint": 1e6}')$$,
  '42501', 'permission denied for table tool_sandbox_records',
  'B cannot write sandbox state, not even its own (only the sandbox adapter does)'
);
select throws_ok(
  $$insert into public.tool_sandbox_records (tenant_id, integration, kind, ref, data) values (tests.get_tenant_id('tap-sandbox-a'), 'scada', 'setpoint', 'P-101.PRESS', '{"setpoint": 1e6}')$$,
  '42501', 'permission denied for table tool_sandbox_records',
  'B cannot write into A''s sandbox records'
);
select throws_ok(
  $$update public.tool_sandbox_records set data = '{}' where tenant_id = tests.get_tenant_id('tap-sandbox-a')$$,
  '42501', 'permission denied for table tool_sandbox_records',
  'B cannot change A''s sandbox state'
);
select throws_ok(
  $$delete from public.tool_sandbox_records where tenant_id = tests.get_tenant_id('tap-sandbox-a')$$,
  '42501', 'permission denied for table tool_sandbox_records',
  'B cannot delete A''s sandbox records'
);
select throws_ok(
  $$truncate public.tool_sandbox_records$$,
  '42501', 'permission denied for table tool_sandbox_records',
  'B cannot truncate tool_sandbox_records'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.tool_sandbox_records'), 0), 0::bigint, 'anon reads no sandbox records');

-- AFTERWARDS (as postgres): A's rows are as they were; A sees its own only
select tests.clear_authentication();
select set_eq(
  $$select * from public.tool_sandbox_records where tenant_id = tests.get_tenant_id('tap-sandbox-a')$$,
  $$select * from a_before$$,
  'A''s sandbox records are unchanged after B''s attempts'
);
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-sandbox-a'));
select results_eq(
  $$select distinct tenant_id from public.tool_sandbox_records$$,
  $$values (tests.get_tenant_id('tap-sandbox-a'))$$,
  'A reading every row of tool_sandbox_records gets its own tenant''s only'
);

select * from finish();
rollback;
