-- Tenant isolation for public.tool_policies: acting through the API, tenant B manages its own
-- policies and never reads or changes tenant A's (the gate reads them for A's calls).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-tool-policies-a');
select tests.create_tenant('tap-tool-policies-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-tool-policies-a'), tests.get_tenant_id('tap-tool-policies-b'));
insert into public.tool_policies (tenant_id, name, tool, effect) select tests.get_tenant_id('tap-tool-policies-' || x), 'deny setpoints', 'scada.set_setpoint', 'deny' from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.tool_policies where tenant_id = tests.get_tenant_id('tap-tool-policies-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-policies-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.tool_policies$$,
  $$values (tests.get_tenant_id('tap-tool-policies-b'))$$,
  'B reading every row of tool_policies gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.tool_policies where tenant_id = tests.get_tenant_id('tap-tool-policies-a')$$,
  'B cannot read A''s policies even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.tool_policies (tenant_id, name, tool, effect) values (tests.get_tenant_id('tap-tool-policies-b'), 'allow everything', '*', 'allow')$$,
  'B can add policies in its own tenant'
);
select throws_ok(
  $$insert into public.tool_policies (tenant_id, name, tool, effect) values (tests.get_tenant_id('tap-tool-policies-a'), 'allow everything', '*', 'allow')$$,
  '42501', 'new row violates row-level security policy for table "tool_policies"',
  'B cannot add policies to A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.tool_policies set effect = 'allow' where tenant_id = tests.get_tenant_id('tap-tool-policies-a')$$),
  0,
  'B changing A''s policies changes no rows'
);
select is(
  tests.rows_affected($$update public.tool_policies set effect = 'allow'$$),
  2,
  'B updating without a filter changes only its own rows'
);
select throws_ok(
  $$update public.tool_policies set tenant_id = tests.get_tenant_id('tap-tool-policies-a') where name = 'allow everything'$$,
  '42501', 'new row violates row-level security policy for table "tool_policies"',
  'B cannot move its own policies into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.tool_policies where tenant_id = tests.get_tenant_id('tap-tool-policies-a')$$),
  0,
  'B deleting A''s policies removes no rows'
);
select throws_ok(
  $$truncate public.tool_policies$$,
  '42501', 'permission denied for table tool_policies',
  'B cannot truncate tool_policies'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.tool_policies'), 0), 0::bigint, 'anon reads no policies');

-- AFTERWARDS (as postgres): A's rows are as they were
select tests.clear_authentication();
select set_eq(
  $$select * from public.tool_policies where tenant_id = tests.get_tenant_id('tap-tool-policies-a')$$,
  $$select * from a_before$$,
  'A''s policies are unchanged after B''s attempts'
);
select is(
  (select count(*) from public.tool_policies where tenant_id = tests.get_tenant_id('tap-tool-policies-b')),
  2::bigint,
  'B''s own rows stayed in B'
);

select * from finish();
rollback;
