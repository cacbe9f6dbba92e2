-- Tenant isolation for public.tool_settings: acting through the API, tenant B manages its own
-- tool settings and never reads or changes tenant A's (the gate reads them for A's calls).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-tool-settings-a');
select tests.create_tenant('tap-tool-settings-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-tool-settings-a'), tests.get_tenant_id('tap-tool-settings-b'));
insert into public.tool_settings (tenant_id, tool, enabled) select tests.get_tenant_id('tap-tool-settings-' || x), 'scada.set_setpoint', false from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.tool_settings where tenant_id = tests.get_tenant_id('tap-tool-settings-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-settings-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.tool_settings$$,
  $$values (tests.get_tenant_id('tap-tool-settings-b'))$$,
  'B reading every row of tool_settings gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.tool_settings where tenant_id = tests.get_tenant_id('tap-tool-settings-a')$$,
  'B cannot read A''s tool settings even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.tool_settings (tenant_id, tool, enabled) values (tests.get_tenant_id('tap-tool-settings-b'), 'scada.get_tag', false)$$,
  'B can add tool settings in its own tenant'
);
select throws_ok(
  $$insert into public.tool_settings (tenant_id, tool, enabled) values (tests.get_tenant_id('tap-tool-settings-a'), 'scada.get_tag', false)$$,
  '42501', 'new row violates row-level security policy for table "tool_settings"',
  'B cannot add tool settings to A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.tool_settings set enabled = true where tenant_id = tests.get_tenant_id('tap-tool-settings-a')$$),
  0,
  'B changing A''s tool settings changes no rows'
);
select is(
  tests.rows_affected($$update public.tool_settings set enabled = true$$),
  2,
  'B updating without a filter changes only its own rows'
);
select throws_ok(
  $$update public.tool_settings set tenant_id = tests.get_tenant_id('tap-tool-settings-a') where tool = 'scada.get_tag'$$,
  '42501', 'new row violates row-level security policy for table "tool_settings"',
  'B cannot move its own tool settings into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.tool_settings where tenant_id = tests.get_tenant_id('tap-tool-settings-a')$$),
  0,
  'B deleting A''s tool settings removes no rows'
);
select throws_ok(
  $$truncate public.tool_settings$$,
  '42501', 'permission denied for table tool_settings',
  'B cannot truncate tool_settings'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.tool_settings'), 0), 0::bigint, 'anon reads no tool settings');

-- AFTERWARDS (as postgres): A's rows are as they were
select tests.clear_authentication();
select set_eq(
  $$select * from public.tool_settings where tenant_id = tests.get_tenant_id('tap-tool-settings-a')$$,
  $$select * from a_before$$,
  'A''s tool settings are unchanged after B''s attempts'
);
select is(
  (select count(*) from public.tool_settings where tenant_id = tests.get_tenant_id('tap-tool-settings-b')),
  2::bigint,
  'B''s own rows stayed in B'
);

select * from finish();
rollback;
