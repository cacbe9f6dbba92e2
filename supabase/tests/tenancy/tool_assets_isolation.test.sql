-- Tenant isolation for public.tool_assets: acting through the API, tenant B manages its own
-- assets and never reads or changes tenant A's (the gate reads them for A's calls).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): one row in each tenant
select tests.create_tenant('tap-tool-assets-a');
select tests.create_tenant('tap-tool-assets-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('tap-tool-assets-a'), tests.get_tenant_id('tap-tool-assets-b'));
insert into public.tool_assets (tenant_id, asset_id, criticality) select tests.get_tenant_id('tap-tool-assets-' || x), 'P-101', 'A' from unnest(array['a', 'b']) x;
create temporary table a_before as select * from public.tool_assets where tenant_id = tests.get_tenant_id('tap-tool-assets-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tool-assets-b'));

-- READ
select results_eq(
  $$select distinct tenant_id from public.tool_assets$$,
  $$values (tests.get_tenant_id('tap-tool-assets-b'))$$,
  'B reading every row of tool_assets gets its own tenant''s only'
);
select is_empty(
  $$select 1 from public.tool_assets where tenant_id = tests.get_tenant_id('tap-tool-assets-a')$$,
  'B cannot read A''s assets even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.tool_assets (tenant_id, asset_id, criticality) values (tests.get_tenant_id('tap-tool-assets-b'), 'K-301', 'C')$$,
  'B can add assets in its own tenant'
);
select throws_ok(
  $$insert into public.tool_assets (tenant_id, asset_id, criticality) values (tests.get_tenant_id('tap-tool-assets-a'), 'K-301', 'C')$$,
  '42501', 'new row violates row-level security policy for table "tool_assets"',
  'B cannot add assets to A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.tool_assets set criticality = 'C' where tenant_id = tests.get_tenant_id('tap-tool-assets-a')$$),
  0,
  'B changing A''s assets changes no rows'
);
select is(
  tests.rows_affected($$update public.tool_assets set criticality = 'C'$$),
  2,
  'B updating without a filter changes only its own rows'
);
select throws_ok(
  $$update public.tool_assets set tenant_id = tests.get_tenant_id('tap-tool-assets-a') where asset_id = 'K-301'$$,
  '42501', 'new row violates row-level security policy for table "tool_assets"',
  'B cannot move its own assets into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.tool_assets where tenant_id = tests.get_tenant_id('tap-tool-assets-a')$$),
  0,
  'B deleting A''s assets removes no rows'
);
select throws_ok(
  $$truncate public.tool_assets$$,
  '42501', 'permission denied for table tool_assets',
  'B cannot truncate tool_assets'
);

-- anon sees nothing
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.tool_assets'), 0), 0::bigint, 'anon reads no assets');

-- AFTERWARDS (as postgres): A's rows are as they were
select tests.clear_authentication();
select set_eq(
  $$select * from public.tool_assets where tenant_id = tests.get_tenant_id('tap-tool-assets-a')$$,
  $$select * from a_before$$,
  'A''s assets are unchanged after B''s attempts'
);
select is(
  (select count(*) from public.tool_assets where tenant_id = tests.get_tenant_id('tap-tool-assets-b')),
  2::bigint,
  'B''s own rows stayed in B'
);

select * from finish();
rollback;
