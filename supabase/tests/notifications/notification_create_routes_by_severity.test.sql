-- app.notification_create picks channels: the caller's when given, else the tenant's route for
-- the severity, else the admin inbox; in-app channels are delivered at once.
begin;
set local search_path = public, extensions;
select plan(8);

select tests.create_tenant('tap-route-sev');
insert into public.notification_routes (tenant_id, severity, channels) values
  (tests.get_tenant_id('tap-route-sev'), 'alert', array['admin', 'ora', 'sms']),
  (tests.get_tenant_id('tap-route-sev'), 'warning', array['ora']);
-- another tenant's route never applies
select tests.create_tenant('tap-route-other');
insert into public.notification_routes (tenant_id, severity, channels) values
  (tests.get_tenant_id('tap-route-other'), 'info', array['email']);

create temporary table made as select
  app.notification_create(tests.get_tenant_id('tap-route-sev'), '{"type": "alert", "title": "A", "message": "a"}') as alert,
  app.notification_create(tests.get_tenant_id('tap-route-sev'), '{"type": "warning", "title": "W", "message": "w"}') as warning,
  app.notification_create(tests.get_tenant_id('tap-route-sev'), '{"type": "info", "title": "I", "message": "i"}') as info,
  app.notification_create(tests.get_tenant_id('tap-route-sev'),
    '{"type": "alert", "title": "E", "message": "e", "channels": ["email", "email", "admin"]}') as explicit,
  app.notification_create(tests.get_tenant_id('tap-route-sev'), '{"title": "D", "message": "d"}') as plain;

select is((select channels from public.notifications where id = (select alert from made)),
  array['admin', 'ora', 'sms'], 'An alert follows the alert route');
select is((select channels from public.notifications where id = (select warning from made)),
  array['ora'], 'A warning follows the warning route');
select is((select channels from public.notifications where id = (select info from made)),
  array['admin'], 'A severity without a route goes to admin (another tenant''s info route does not apply)');
select is((select channels from public.notifications where id = (select explicit from made)),
  array['email', 'admin'], 'Explicit channels win over the route, each once, in the order given');
select is((select type from public.notifications where id = (select plain from made)),
  'info', 'The type defaults to info');

select is(
  (select delivery_status -> 'admin' ->> 'status' from public.notifications where id = (select alert from made)),
  'delivered',
  'In-app channels are delivered when the row is created'
);
select results_eq(
  $$select n.title, d.channel, d.status from public.notification_deliveries d
    join public.notifications n on n.id = d.notification_id
    where d.tenant_id = tests.get_tenant_id('tap-route-sev') order by n.title, d.channel$$,
  $$values ('A'::text, 'sms'::text, 'pending'::text), ('E', 'email', 'pending')$$,
  'One pending delivery per external channel; none for admin and ora'
);
select is(
  (select count(*) from pgmq.q_deliveries q
   where q.message ->> 'tenant_id' = tests.get_tenant_id('tap-route-sev')::text
     and q.message ->> 'kind' = 'notification'),
  2::bigint,
  'Each delivery is queued on deliveries'
);

select * from finish();
rollback;
