-- Tenant isolation for public.budget_alerts: a tenant reads the budget alerts fired for it only;
-- the API roles cannot forge, edit or clear alerts (app.usage_record fires them).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): this month's 80% alert in each tenant
select tests.create_tenant('t-orch-alerts-a');
select tests.create_tenant('t-orch-alerts-b');
insert into public.budget_alerts (tenant_id, period, threshold, spent_usd, budget_usd) values
  (tests.get_tenant_id('t-orch-alerts-a'), date_trunc('month', now() at time zone 'UTC')::date, 80, 80, 100),
  (tests.get_tenant_id('t-orch-alerts-b'), date_trunc('month', now() at time zone 'UTC')::date, 80, 8, 10);
create temporary table a_rows_before as select * from public.budget_alerts where tenant_id = tests.get_tenant_id('t-orch-alerts-a');
create temporary table b_rows_before as select * from public.budget_alerts where tenant_id = tests.get_tenant_id('t-orch-alerts-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-alerts-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.budget_alerts$$,
  $$values (tests.get_tenant_id('t-orch-alerts-b'), 1)$$,
  'B reading every budget alert gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.budget_alerts where tenant_id = tests.get_tenant_id('t-orch-alerts-a')$$,
  'B cannot read A''s budget alerts even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.budget_alerts (tenant_id, period, threshold, spent_usd, budget_usd) values (tests.get_tenant_id('t-orch-alerts-b'), date_trunc('month', now())::date, 100, 10, 10)$$,
  '42501',
  'permission denied for table budget_alerts',
  'B cannot write budget alerts, not even into its own tenant'
);
select throws_ok(
  $$insert into public.budget_alerts (tenant_id, period, threshold, spent_usd, budget_usd) values (tests.get_tenant_id('t-orch-alerts-a'), date_trunc('month', now())::date, 100, 100, 100)$$,
  '42501',
  'permission denied for table budget_alerts',
  'B cannot write budget alerts into A''s tenant'
);
select throws_ok(
  $$update public.budget_alerts set spent_usd = 0, threshold = 1 where tenant_id = tests.get_tenant_id('t-orch-alerts-a')$$,
  '42501',
  'permission denied for table budget_alerts',
  'B cannot edit A''s budget alerts'
);
select throws_ok(
  $$update public.budget_alerts set tenant_id = tests.get_tenant_id('t-orch-alerts-a') where tenant_id = tests.get_tenant_id('t-orch-alerts-b')$$,
  '42501',
  'permission denied for table budget_alerts',
  'B cannot move its own budget alerts into A''s tenant'
);
select throws_ok(
  $$delete from public.budget_alerts where tenant_id = tests.get_tenant_id('t-orch-alerts-a')$$,
  '42501',
  'permission denied for table budget_alerts',
  'B cannot delete A''s budget alerts'
);
select throws_ok(
  $$delete from public.budget_alerts where tenant_id = tests.get_tenant_id('t-orch-alerts-b')$$,
  '42501',
  'permission denied for table budget_alerts',
  'B cannot clear its own alerts (which would make them fire again)'
);
select throws_ok(
  $$truncate public.budget_alerts$$,
  '42501',
  'permission denied for table budget_alerts',
  'B cannot truncate budget_alerts'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.budget_alerts where tenant_id = tests.get_tenant_id('t-orch-alerts-a')$$,
  $$select * from a_rows_before$$,
  'A''s budget alerts are unchanged after B''s attempts'
);
select set_eq(
  $$select * from public.budget_alerts where tenant_id = tests.get_tenant_id('t-orch-alerts-b')$$,
  $$select * from b_rows_before$$,
  'B''s own budget alerts are unchanged and still in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-alerts-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.budget_alerts$$,
  $$values (tests.get_tenant_id('t-orch-alerts-a'), 1)$$,
  'A reading every budget alert gets its own and nothing else'
);

select * from finish();
rollback;
