-- Tenant isolation for public.notifications: tenant B reads its own notifications and marks them
-- read or dismissed, and never reaches tenant A's; the API roles cannot write anything else.
begin;
set local search_path = public, extensions;
select plan(15);

-- FIXTURES (as postgres): one unread notification in each tenant
select tests.create_tenant('t-orch-notes-a');
select tests.create_tenant('t-orch-notes-b');
insert into public.notifications (tenant_id, type, title, message) values
  (tests.get_tenant_id('t-orch-notes-a'), 'warning', 'Budget 80% reached', 'A is at 80 of 100 USD.'),
  (tests.get_tenant_id('t-orch-notes-b'), 'info', 'Welcome', 'B is set up.');
create temporary table a_notes_before as
  select * from public.notifications where tenant_id = tests.get_tenant_id('t-orch-notes-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-notes-b'));

-- READ
select results_eq(
  $$select title from public.notifications$$,
  $$values ('Welcome')$$,
  'B reading every notification gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.notifications where tenant_id = tests.get_tenant_id('t-orch-notes-a')$$,
  'B cannot read A''s notifications even when it filters on A''s tenant_id'
);

-- INSERT: not granted
select throws_ok(
  $$insert into public.notifications (tenant_id, type, title, message)
    values (tests.get_tenant_id('t-orch-notes-b'), 'info', 'Self-made', 'x')$$,
  '42501',
  'permission denied for table notifications',
  'B cannot create notifications, not even in its own tenant'
);
select throws_ok(
  $$insert into public.notifications (tenant_id, type, title, message)
    values (tests.get_tenant_id('t-orch-notes-a'), 'alert', 'Phishing from B', 'Visit b.example')$$,
  '42501',
  'permission denied for table notifications',
  'B cannot send notifications into A''s tenant'
);

-- UPDATE: only the read and dismissed markers, and only on its own notifications
select is(
  tests.rows_affected($$update public.notifications set read = true, read_at = now(), dismissed = true, dismissed_at = now()
    where tenant_id = tests.get_tenant_id('t-orch-notes-a')$$),
  0,
  'B marking A''s notifications read or dismissed changes no rows'
);
select is(
  tests.rows_affected($$update public.notifications set read = true, read_at = now()$$),
  1,
  'B marking every notification read changes only its own'
);
select throws_ok(
  $$update public.notifications set title = 'Rewritten' where tenant_id = tests.get_tenant_id('t-orch-notes-a')$$,
  '42501',
  'permission denied for table notifications',
  'B cannot rewrite A''s notifications'
);
select throws_ok(
  $$update public.notifications set message = 'Rewritten'$$,
  '42501',
  'permission denied for table notifications',
  'B cannot rewrite its own notifications either (only read and dismissed are writable)'
);
select throws_ok(
  $$update public.notifications set tenant_id = tests.get_tenant_id('t-orch-notes-a')$$,
  '42501',
  'permission denied for table notifications',
  'B cannot move its own notifications into A''s tenant'
);

-- DELETE: not granted (notifications are dismissed)
select throws_ok(
  $$delete from public.notifications where tenant_id = tests.get_tenant_id('t-orch-notes-a')$$,
  '42501',
  'permission denied for table notifications',
  'B cannot delete A''s notifications'
);
select throws_ok(
  $$delete from public.notifications$$,
  '42501',
  'permission denied for table notifications',
  'B cannot delete its own notifications either'
);
select throws_ok(
  $$truncate public.notifications$$,
  '42501',
  'permission denied for table notifications',
  'B cannot truncate notifications'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.notifications where tenant_id = tests.get_tenant_id('t-orch-notes-a')$$,
  $$select * from a_notes_before$$,
  'A''s notification is unchanged and still unread after B''s attempts'
);
select results_eq(
  $$select title, read, read_at is not null, dismissed from public.notifications
    where tenant_id = tests.get_tenant_id('t-orch-notes-b')$$,
  $$values ('Welcome'::text, true, true, false)$$,
  'B''s own notification was marked read and stayed in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-notes-a'));
select results_eq(
  $$select title, read from public.notifications$$,
  $$values ('Budget 80% reached'::text, false)$$,
  'A reading every notification gets its own, unread, and nothing else'
);

select * from finish();
rollback;
