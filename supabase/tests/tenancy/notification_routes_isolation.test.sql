-- Tenant isolation for public.notification_routes: tenant B reads, sets and removes its own routes
-- (severity → channels) and never tenant A's; anon reaches none.
begin;
set local search_path = public, extensions;
select plan(13);

-- FIXTURES (as postgres): a warning route in each tenant
select tests.create_tenant('tap-routes-a');
select tests.create_tenant('tap-routes-b');
insert into public.notification_routes (tenant_id, severity, channels) values
  (tests.get_tenant_id('tap-routes-a'), 'warning', array['admin', 'slack']),
  (tests.get_tenant_id('tap-routes-b'), 'warning', array['admin']);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-routes-b'));

-- READ
select results_eq(
  $$select severity, channels from public.notification_routes$$,
  $$values ('warning'::text, array['admin']::text[])$$,
  'B reading every route gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.notification_routes where tenant_id = tests.get_tenant_id('tap-routes-a')$$,
  'B cannot read A''s routes even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.notification_routes (tenant_id, severity, channels)
    values (tests.get_tenant_id('tap-routes-b'), 'alert', array['admin', 'sms'])$$,
  'B can route its own alerts'
);
select throws_ok(
  $$insert into public.notification_routes (tenant_id, severity, channels)
    values (tests.get_tenant_id('tap-routes-a'), 'alert', array['webhook'])$$,
  '42501',
  'new row violates row-level security policy for table "notification_routes"',
  'B cannot route A''s alerts'
);

-- UPDATE: only channels, only its own
select is(
  tests.rows_affected($$update public.notification_routes set channels = array['ora']
    where tenant_id = tests.get_tenant_id('tap-routes-a')$$),
  0,
  'B changing A''s routes changes no rows'
);
select is(
  tests.rows_affected($$update public.notification_routes set channels = array['ora', 'admin'] where severity = 'warning'$$),
  1,
  'B changing every warning route changes only its own'
);
select throws_ok(
  $$update public.notification_routes set tenant_id = tests.get_tenant_id('tap-routes-a')$$,
  '42501',
  'permission denied for table notification_routes',
  'B cannot move its routes into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.notification_routes where tenant_id = tests.get_tenant_id('tap-routes-a')$$),
  0,
  'B deleting A''s routes removes no rows'
);
select is(
  tests.rows_affected($$delete from public.notification_routes where severity = 'alert'$$),
  1,
  'B can delete its own route'
);
select throws_ok(
  $$truncate public.notification_routes$$,
  '42501',
  'permission denied for table notification_routes',
  'B cannot truncate routes'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select results_eq(
  $$select severity, channels from public.notification_routes where tenant_id = tests.get_tenant_id('tap-routes-a')$$,
  $$values ('warning'::text, array['admin', 'slack']::text[])$$,
  'A''s route is unchanged after B''s attempts'
);

-- anon
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.notification_routes'), 0), 0::bigint, 'anon reads no routes');
select throws_ok(
  $$insert into public.notification_routes (tenant_id, severity, channels)
    values (tests.get_tenant_id('tap-routes-a'), 'info', array['admin'])$$,
  '42501',
  null,
  'anon cannot create routes'
);

select * from finish();
rollback;
