-- Tenant isolation for public.tool_calls (the executor's work): tenant B reads its own tool calls only
-- and, like every API role, cannot write any: they are written by app functions alone.
begin;
set local search_path = public, extensions;
select plan(10);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-tool-calls-a');
select tests.create_tenant('tap-tool-calls-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-tool-calls-a'), tests.get_tenant_id('tap-tool-calls-b'));
select app.tool_call_create(tests.get_tenant_id('tap-tool-calls-' || x), jsonb_build_object('idempotency_key', 'fixture-' || x,
  'tool', 'cmms.create_work_order', 'integration', 'cmms', 'arguments', jsonb_build_object('asset_id', 'P-101', 'title', x)))
from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.tool_calls where tenant_id = tests.get_tenant_id('tap-tool-calls-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-calls-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.tool_calls$$,
  $$values (tests.get_tenant_id('tap-tool-calls-b'))$$,
  'B reading every row of tool_calls gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.tool_calls where tenant_id = tests.get_tenant_id('tap-tool-calls-a')$$,
  'B cannot read A''s tool calls even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.tool_calls (tenant_id, idempotency_key, tool, access, integration, adapter, arguments, args_hash, deadline_at)
    values (tests.get_tenant_id('tap-tool-calls-b'), 'forged', 'scada.set_setpoint', 'write', 'scada', 'sandbox', '{"value": 1e6}', repeat('0', 64), now() + interval '1 hour')$$,
  '42501', 'permission denied for table tool_calls',
  'B cannot queue a call by writing the row, not even in its own tenant (calls come from the gate)'
);
select throws_ok(
  $$insert into public.tool_calls (tenant_id, idempotency_key, tool, access, integration, adapter, arguments, args_hash, deadline_at)
    values (tests.get_tenant_id('tap-tool-calls-a'), 'forged', 'scada.set_setpoint', 'write', 'scada', 'sandbox', '{"value": 1e6}', repeat('0', 64), now() + interval '1 hour')$$,
  '42501', 'permission denied for table tool_calls',
  'B cannot write into A''s tool calls'
);
select throws_ok(
  $$update public.tool_calls set status = 'succeeded', result = '"forged"' where tenant_id = tests.get_tenant_id('tap-tool-calls-a')$$,
  '42501', 'permission denied for table tool_calls',
  'B cannot rewrite the outcome of A''s calls'
);
select throws_ok(
  $$delete from public.tool_calls where tenant_id = tests.get_tenant_id('tap-tool-calls-a')$$,
  '42501', 'permission denied for table tool_calls',
  'B cannot delete A''s tool calls'
);
select throws_ok(
  $$truncate public.tool_calls$$,
  '42501', 'permission denied for table tool_calls',
  'B cannot truncate tool_calls'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.tool_calls'), 0), 0::bigint, 'anon reads no tool calls');

-- AFTERWARDS (as postgres): A's rows are as they were; A sees its own only
select tests.clear_authentication();
select set_eq(
  $$select * from public.tool_calls where tenant_id = tests.get_tenant_id('tap-tool-calls-a')$$,
  $$select * from a_before$$,
  'A''s tool calls are unchanged after B''s attempts'
);
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-calls-a'));
select results_eq(
  $$select distinct tenant_id from public.tool_calls$$,
  $$values (tests.get_tenant_id('tap-tool-calls-a'))$$,
  'A reading every row of tool_calls gets its own tenant''s only'
);

select * from finish();
rollback;
