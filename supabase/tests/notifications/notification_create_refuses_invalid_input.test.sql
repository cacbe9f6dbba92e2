-- app.notification_create refuses what it cannot deliver, with OR400 and a reason the API shows.
begin;
set local search_path = public, extensions;
select plan(7);

select tests.create_tenant('tap-notif-bad');

select throws_ok(
  format($$select app.notification_create(%L, '{"type": "panic", "title": "t", "message": "m"}')$$, tests.get_tenant_id('tap-notif-bad')),
  'OR400', 'Invalid notification type panic: use info, success, warning, error or alert',
  'An unknown type is refused');
select throws_ok(
  format($$select app.notification_create(%L, '{"title": " ", "message": "m"}')$$, tests.get_tenant_id('tap-notif-bad')),
  'OR400', 'Invalid notification: title and message are required',
  'A blank title is refused');
select throws_ok(
  format($$select app.notification_create(%L, '{"title": "t", "message": "m", "channels": ["admin", "pigeon"]}')$$, tests.get_tenant_id('tap-notif-bad')),
  'OR400', 'Invalid channels pigeon: use admin, ora, email, webhook, slack, teams or sms',
  'An unknown channel is refused, by name');
select throws_ok(
  format($$select app.notification_create(%L, '{"title": "t", "message": "m", "channels": []}')$$, tests.get_tenant_id('tap-notif-bad')),
  'OR400', null,
  'An empty channel list is refused');
select throws_ok(
  format($$select app.notification_create(%L, '{"title": "t", "message": "m", "channels": "email"}')$$, tests.get_tenant_id('tap-notif-bad')),
  'OR400', 'Invalid channels: give an array such as ["admin", "email"]',
  'Channels must be an array');
select throws_ok(
  $$select app.notification_create('00000000-0000-4000-8000-000000000000', '{"title": "t", "message": "m"}')$$,
  'OR404', null,
  'An unknown tenant is refused');
select is_empty($$select 1 from public.notifications where tenant_id = tests.get_tenant_id('tap-notif-bad')$$,
  'Nothing was created');

select * from finish();
rollback;
