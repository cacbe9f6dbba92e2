-- Tenant isolation for public.notification_deliveries: the delivery log is readable within its
-- tenant and written only by app functions and the deliveries worker; anon reaches none of it.
begin;
set local search_path = public, extensions;
select plan(9);

-- FIXTURES (as postgres): a notification with an email delivery in each tenant
select tests.create_tenant('tap-ndel-a');
select tests.create_tenant('tap-ndel-b');
select app.notification_create(tests.get_tenant_id('tap-ndel-a'),
  '{"type": "alert", "title": "A down", "message": "A is down", "channels": ["email"]}');
select app.notification_create(tests.get_tenant_id('tap-ndel-b'),
  '{"type": "info", "title": "B up", "message": "B is up", "channels": ["email"]}');
create temporary table a_before as
  select * from public.notification_deliveries where tenant_id = tests.get_tenant_id('tap-ndel-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-ndel-b'));

select is(
  (select count(*) from public.notification_deliveries),
  1::bigint,
  'B reading the delivery log gets its own delivery and nothing else'
);
select is_empty(
  $$select 1 from public.notification_deliveries where tenant_id = tests.get_tenant_id('tap-ndel-a')$$,
  'B cannot read A''s deliveries even when it filters on A''s tenant_id'
);
select throws_ok(
  $$insert into public.notification_deliveries (tenant_id, notification_id, channel, retry_schedule_seconds)
    select tenant_id, notification_id, 'sms', '{1}' from public.notification_deliveries$$,
  '42501',
  'permission denied for table notification_deliveries',
  'B cannot write delivery rows, not even its own'
);
select throws_ok(
  $$update public.notification_deliveries set status = 'delivered' where tenant_id = tests.get_tenant_id('tap-ndel-a')$$,
  '42501',
  'permission denied for table notification_deliveries',
  'B cannot mark A''s deliveries delivered'
);
select throws_ok(
  $$update public.notification_deliveries set status = 'delivered'$$,
  '42501',
  'permission denied for table notification_deliveries',
  'B cannot mark its own deliveries delivered either'
);
select throws_ok(
  $$delete from public.notification_deliveries$$,
  '42501',
  'permission denied for table notification_deliveries',
  'B cannot delete delivery rows'
);
select throws_ok(
  $$select app.notification_create(tests.get_tenant_id('tap-ndel-a'), '{"title": "x", "message": "y"}')$$,
  '42501',
  null,
  'B cannot call app.notification_create (it is the service role''s)'
);

select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.notification_deliveries'), 0), 0::bigint, 'anon reads no deliveries');

select tests.clear_authentication();
select set_eq(
  $$select * from public.notification_deliveries where tenant_id = tests.get_tenant_id('tap-ndel-a')$$,
  $$select * from a_before$$,
  'A''s delivery is unchanged after B''s attempts'
);

select * from finish();
rollback;
