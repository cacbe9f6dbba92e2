-- app.notification_create does everything in the caller's transaction: a rollback leaves no
-- notification, no delivery and no queued message behind.
begin;
set local search_path = public, extensions;
select plan(4);

select tests.create_tenant('tap-notif-tx');
savepoint before_create;
select app.notification_create(tests.get_tenant_id('tap-notif-tx'),
  '{"type": "error", "title": "T", "message": "m", "channels": ["email", "slack", "webhook"]}');
select is(
  (select count(*) from pgmq.q_deliveries q where q.message ->> 'tenant_id' = tests.get_tenant_id('tap-notif-tx')::text),
  3::bigint,
  'Three external channels queue three messages'
);
rollback to savepoint before_create;

select is_empty($$select 1 from public.notifications where tenant_id = tests.get_tenant_id('tap-notif-tx')$$,
  'After a rollback there is no notification');
select is_empty($$select 1 from public.notification_deliveries where tenant_id = tests.get_tenant_id('tap-notif-tx')$$,
  'nor a delivery');
select is_empty(
  $$select 1 from pgmq.q_deliveries q where q.message ->> 'tenant_id' = tests.get_tenant_id('tap-notif-tx')::text$$,
  'nor a queued message');

select * from finish();
rollback;
