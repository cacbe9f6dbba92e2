-- app.webhook_dispatch logs and queues one delivery per (active subscription, event): replaying
-- an event queues nothing new; other tenants' and inactive subscriptions are skipped.
begin;
set local search_path = public, extensions;
select plan(6);

select tests.create_tenant('tap-dispatch-a');
select tests.create_tenant('tap-dispatch-b');
insert into public.webhooks (id, tenant_id, name, url, events, is_active, retry_schedule_seconds) values
  ('d1d1d1d1-0000-4000-8000-000000000001', tests.get_tenant_id('tap-dispatch-a'), 'on', 'https://a.example/', array['*'], true, '{5,10}'),
  ('d1d1d1d1-0000-4000-8000-000000000002', tests.get_tenant_id('tap-dispatch-a'), 'off', 'https://a.example/', array['*'], false, '{5}'),
  ('d1d1d1d1-0000-4000-8000-000000000003', tests.get_tenant_id('tap-dispatch-b'), 'b', 'https://b.example/', array['*'], true, '{5}');

create temporary table ev as select jsonb_build_object('id', 'e1e1e1e1-0000-4000-8000-000000000001', 'event_type', 'leads.INSERT',
  'payload', '{"new": {"name": "Ada"}}'::jsonb, 'created_at', '2026-11-30T10:00:00Z') as e;

select is(
  app.webhook_dispatch(tests.get_tenant_id('tap-dispatch-a'), (select e from ev),
    array['d1d1d1d1-0000-4000-8000-000000000001', 'd1d1d1d1-0000-4000-8000-000000000002', 'd1d1d1d1-0000-4000-8000-000000000003']::uuid[]),
  1,
  'Only the tenant''s active subscription gets a delivery'
);
select is(
  app.webhook_dispatch(tests.get_tenant_id('tap-dispatch-a'), (select e from ev), array['d1d1d1d1-0000-4000-8000-000000000001']::uuid[]),
  0,
  'Replaying the event queues nothing new'
);
select results_eq(
  $$select payload, retry_schedule_seconds, max_attempts, status from public.webhook_deliveries
    where tenant_id = tests.get_tenant_id('tap-dispatch-a')$$,
  $$values ('{"id": "e1e1e1e1-0000-4000-8000-000000000001", "type": "leads.INSERT", "timestamp": "2026-11-30T10:00:00Z", "data": {"new": {"name": "Ada"}}}'::jsonb,
    '{5,10}'::integer[], 3, 'pending'::text)$$,
  'The body is {id, type, timestamp, data} and the schedule is the webhook''s'
);
select is(
  (select count(*) from pgmq.q_deliveries q where q.message ->> 'tenant_id' = tests.get_tenant_id('tap-dispatch-a')::text
     and q.message ->> 'kind' = 'webhook'),
  1::bigint,
  'One message is queued'
);
select results_eq(
  $$select total_deliveries, last_triggered_at is not null from public.webhooks where id = 'd1d1d1d1-0000-4000-8000-000000000001'$$,
  $$values (1, true)$$,
  'The subscription counts the delivery'
);
select is_empty(
  $$select 1 from public.webhook_deliveries where tenant_id = tests.get_tenant_id('tap-dispatch-b')$$,
  'The other tenant''s subscription got nothing'
);

select * from finish();
rollback;
