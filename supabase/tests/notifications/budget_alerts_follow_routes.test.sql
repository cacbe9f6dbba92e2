-- Budget alerts are created through app.notification_create, so the tenant's routes decide where
-- they go (warning at 80%, alert at 100%).
begin;
set local search_path = public, extensions;
select plan(3);

select tests.create_tenant('tap-budget-route');
insert into public.tenant_budgets (tenant_id, monthly_budget_usd, alert_thresholds)
  values (tests.get_tenant_id('tap-budget-route'), 10, array[80, 100]);
insert into public.notification_routes (tenant_id, severity, channels) values
  (tests.get_tenant_id('tap-budget-route'), 'warning', array['admin', 'ora']),
  (tests.get_tenant_id('tap-budget-route'), 'alert', array['admin', 'sms']);

select app.usage_record(tests.get_tenant_id('tap-budget-route'), '{"provider": "p", "model": "m", "cost_usd": 8.5}');
select app.usage_record(tests.get_tenant_id('tap-budget-route'), '{"provider": "p", "model": "m", "cost_usd": 2}');

select results_eq(
  $$select title, type, channels, source_type from public.notifications
    where tenant_id = tests.get_tenant_id('tap-budget-route') order by priority$$,
  $$values ('Budget 80% reached'::text, 'warning'::text, array['admin', 'ora'], 'system'::text),
           ('Budget 100% reached', 'alert', array['admin', 'sms'], 'system')$$,
  'Each budget alert went to its severity''s route'
);
select results_eq(
  $$select d.channel, d.status from public.notification_deliveries d
    where d.tenant_id = tests.get_tenant_id('tap-budget-route')$$,
  $$values ('sms'::text, 'pending'::text)$$,
  'The 100% alert queued its SMS delivery'
);
select is(
  (select priority from public.notifications where tenant_id = tests.get_tenant_id('tap-budget-route') and type = 'alert'),
  10,
  'The alert keeps its priority'
);

select * from finish();
rollback;
