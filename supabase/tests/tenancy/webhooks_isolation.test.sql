-- Tenant isolation for public.webhooks and its private signing secrets: tenant B manages its own
-- subscriptions and never A's; no API role reads app.webhook_secrets or the signing functions;
-- the statistics are written by the worker only.
begin;
set local search_path = public, extensions;
select plan(16);

-- FIXTURES (as postgres): a webhook with a secret in each tenant
select tests.create_tenant('tap-hooks-a');
select tests.create_tenant('tap-hooks-b');
insert into public.webhooks (id, tenant_id, name, url, events) values
  ('a1a1a1a1-0000-4000-8000-0000000000a1', tests.get_tenant_id('tap-hooks-a'), 'A CRM', 'https://a.example/hook', array['leads.*']),
  ('b1b1b1b1-0000-4000-8000-0000000000b1', tests.get_tenant_id('tap-hooks-b'), 'B CRM', 'https://b.example/hook', array['leads.*']);
select app.webhook_secret_rotate(tests.get_tenant_id('tap-hooks-a'), 'a1a1a1a1-0000-4000-8000-0000000000a1', 0);
select app.webhook_secret_rotate(tests.get_tenant_id('tap-hooks-b'), 'b1b1b1b1-0000-4000-8000-0000000000b1', 0);
create temporary table a_before as
  select * from public.webhooks where tenant_id = tests.get_tenant_id('tap-hooks-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-hooks-b'));

-- READ
select results_eq(
  $$select name from public.webhooks$$,
  $$values ('B CRM')$$,
  'B reading every webhook gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.webhooks where tenant_id = tests.get_tenant_id('tap-hooks-a')$$,
  'B cannot read A''s webhooks even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.webhooks (tenant_id, name, url, events)
    values (tests.get_tenant_id('tap-hooks-b'), 'B second', 'https://b.example/2', array['*'])$$,
  'B can subscribe in its own tenant'
);
select throws_ok(
  $$insert into public.webhooks (tenant_id, name, url, events)
    values (tests.get_tenant_id('tap-hooks-a'), 'Planted by B', 'https://evil.example/', array['*'])$$,
  '42501',
  'new row violates row-level security policy for table "webhooks"',
  'B cannot subscribe a URL to A''s events'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.webhooks set url = 'https://evil.example/' where tenant_id = tests.get_tenant_id('tap-hooks-a')$$),
  0,
  'B redirecting A''s webhooks changes no rows'
);
select is(
  tests.rows_affected($$update public.webhooks set description = 'seen by B'$$),
  2,
  'B updating every webhook changes only its own two'
);
select throws_ok(
  $$update public.webhooks set successful_deliveries = 1000$$,
  '42501',
  'permission denied for table webhooks',
  'B cannot rewrite its own statistics'
);
select throws_ok(
  $$update public.webhooks set tenant_id = tests.get_tenant_id('tap-hooks-a')$$,
  '42501',
  'permission denied for table webhooks',
  'B cannot move its webhooks into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.webhooks where tenant_id = tests.get_tenant_id('tap-hooks-a')$$),
  0,
  'B deleting A''s webhooks removes no rows'
);
select is(
  tests.rows_affected($$delete from public.webhooks where name = 'B second'$$),
  1,
  'B can delete its own webhook'
);

-- SECRETS: private, whoever asks through the API roles
select throws_ok(
  $$select * from app.webhook_secrets$$,
  '42501',
  null,
  'B cannot read the signing secrets table'
);
select throws_ok(
  $$select app.webhook_signing_secrets(tests.get_tenant_id('tap-hooks-a'), 'a1a1a1a1-0000-4000-8000-0000000000a1')$$,
  '42501',
  null,
  'B cannot decrypt A''s signing secrets'
);
select throws_ok(
  $$select app.webhook_secret_rotate(tests.get_tenant_id('tap-hooks-a'), 'a1a1a1a1-0000-4000-8000-0000000000a1', 0)$$,
  '42501',
  null,
  'B cannot rotate A''s secret (and learn the new one)'
);

select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.webhooks'), 0), 0::bigint, 'anon reads no webhooks');

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.webhooks where tenant_id = tests.get_tenant_id('tap-hooks-a')$$,
  $$select * from a_before$$,
  'A''s webhook is unchanged after B''s attempts'
);
select is(
  (select count(*) from app.webhook_secrets where tenant_id = tests.get_tenant_id('tap-hooks-a')),
  1::bigint,
  'A still has exactly one signing secret'
);

select * from finish();
rollback;
