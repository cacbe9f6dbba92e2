-- Tenant isolation for public.tool_integrations: acting through the API, tenant B manages its own
-- integrations and never reads or changes tenant A's (the gate reads them for A's calls).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-tool-integrations-a');
select tests.create_tenant('tap-tool-integrations-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-tool-integrations-a'), tests.get_tenant_id('tap-tool-integrations-b'));
insert into public.tool_integrations (tenant_id, key, adapter) select tests.get_tenant_id('tap-tool-integrations-' || x), 'cmms', 'sandbox' from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.tool_integrations where tenant_id = tests.get_tenant_id('tap-tool-integrations-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-integrations-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.tool_integrations$$,
  $$values (tests.get_tenant_id('tap-tool-integrations-b'))$$,
  'B reading every row of tool_integrations gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.tool_integrations where tenant_id = tests.get_tenant_id('tap-tool-integrations-a')$$,
  'B cannot read A''s integrations even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.tool_integrations (tenant_id, key, adapter, base_url) values (tests.get_tenant_id('tap-tool-integrations-b'), 'scada', 'http', 'https://scada.example.com')$$,
  'B can add integrations in its own tenant'
);
select throws_ok(
  $$insert into public.tool_integrations (tenant_id, key, adapter, base_url) values (tests.get_tenant_id('tap-tool-integrations-a'), 'scada', 'http', 'https://scada.example.com')$$,
  '42501', 'new row violates row-level security policy for table "tool_integrations"',
  'B cannot add integrations to A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.tool_integrations set base_url = 'https://attacker.example.net', adapter = 'http' where tenant_id = tests.get_tenant_id('tap-tool-integrations-a')$$),
  0,
  'B changing A''s integrations changes no rows'
);
select is(
  tests.rows_affected($$update public.tool_integrations set base_url = 'https://attacker.example.net', adapter = 'http'$$),
  2,
  'B updating without a filter changes only its own rows'
);
select throws_ok(
  $$update public.tool_integrations set tenant_id = tests.get_tenant_id('tap-tool-integrations-a') where key = 'scada'$$,
  '42501', 'new row violates row-level security policy for table "tool_integrations"',
  'B cannot move its own integrations into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.tool_integrations where tenant_id = tests.get_tenant_id('tap-tool-integrations-a')$$),
  0,
  'B deleting A''s integrations removes no rows'
);
select throws_ok(
  $$truncate public.tool_integrations$$,
  '42501', 'permission denied for table tool_integrations',
  'B cannot truncate tool_integrations'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.tool_integrations'), 0), 0::bigint, 'anon reads no integrations');

-- AFTERWARDS (as postgres): A's rows are as they were
select tests.clear_authentication();
select set_eq(
  $$select * from public.tool_integrations where tenant_id = tests.get_tenant_id('tap-tool-integrations-a')$$,
  $$select * from a_before$$,
  'A''s integrations are unchanged after B''s attempts'
);
select is(
  (select count(*) from public.tool_integrations where tenant_id = tests.get_tenant_id('tap-tool-integrations-b')),
  2::bigint,
  'B''s own rows stayed in B'
);

select * from finish();
rollback;
