-- Tenant isolation for public.webhook_deliveries: the delivery log is readable within its tenant
-- and written only by app functions and the deliveries worker; anon reaches none of it.
begin;
set local search_path = public, extensions;
select plan(8);

-- FIXTURES (as postgres): one delivery per tenant (an ad-hoc send in A, an event in B)
select tests.create_tenant('tap-wdel-a');
select tests.create_tenant('tap-wdel-b');
insert into public.webhooks (id, tenant_id, name, url, events) values
  ('b2b2b2b2-0000-4000-8000-0000000000b2', tests.get_tenant_id('tap-wdel-b'), 'B hook', 'https://b.example/hook', array['*']);
insert into public.webhook_deliveries (tenant_id, event_type, url, payload, retry_schedule_seconds) values
  (tests.get_tenant_id('tap-wdel-a'), 'send_webhook', 'https://a.example/in', '{"secret_plan": "A"}', '{30}');
select app.webhook_dispatch(tests.get_tenant_id('tap-wdel-b'),
  jsonb_build_object('id', gen_random_uuid(), 'event_type', 'leads.INSERT', 'payload', '{}'::jsonb, 'created_at', now()),
  array['b2b2b2b2-0000-4000-8000-0000000000b2']::uuid[]);
create temporary table a_before as
  select * from public.webhook_deliveries where tenant_id = tests.get_tenant_id('tap-wdel-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-wdel-b'));

select results_eq(
  $$select event_type from public.webhook_deliveries$$,
  $$values ('leads.INSERT')$$,
  'B reading the delivery log gets its own delivery and nothing else'
);
select is_empty(
  $$select 1 from public.webhook_deliveries where payload ->> 'secret_plan' = 'A'$$,
  'B cannot read A''s payloads'
);
select throws_ok(
  $$insert into public.webhook_deliveries (tenant_id, event_type, url, payload, retry_schedule_seconds)
    values (tests.get_tenant_id('tap-wdel-b'), 'x', 'https://evil.example/', '{}', '{1}')$$,
  '42501',
  'permission denied for table webhook_deliveries',
  'B cannot queue deliveries by writing rows, not even its own'
);
select throws_ok(
  $$update public.webhook_deliveries set url = 'https://evil.example/'$$,
  '42501',
  'permission denied for table webhook_deliveries',
  'B cannot redirect deliveries'
);
select throws_ok(
  $$delete from public.webhook_deliveries where tenant_id = tests.get_tenant_id('tap-wdel-a')$$,
  '42501',
  'permission denied for table webhook_deliveries',
  'B cannot delete A''s deliveries'
);
select throws_ok(
  $$select app.webhook_dispatch(tests.get_tenant_id('tap-wdel-a'), '{"event_type": "x"}', '{}')$$,
  '42501',
  null,
  'B cannot call app.webhook_dispatch'
);

select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.webhook_deliveries'), 0), 0::bigint, 'anon reads no deliveries');

select tests.clear_authentication();
select set_eq(
  $$select * from public.webhook_deliveries where tenant_id = tests.get_tenant_id('tap-wdel-a')$$,
  $$select * from a_before$$,
  'A''s delivery is unchanged after B''s attempts'
);

select * from finish();
rollback;
