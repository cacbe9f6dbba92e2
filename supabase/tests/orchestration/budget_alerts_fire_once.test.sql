-- app.usage_record fires each budget threshold once a month: crossing 80% and then 100% of a
-- tenant's budget gives one budget_alerts row, one budget.threshold_reached event and one
-- notification per threshold, however much more usage is recorded above it.
begin;
set local search_path = public, extensions;
select plan(16);

-- FIXTURES (as postgres): a 10 USD budget with the default thresholds 80 and 100, hard limit on;
-- a second tenant without a budget
select tests.create_tenant('t-orch-alerts-once') as t \gset
select tests.create_tenant('t-orch-alerts-none') as n \gset
insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit) values (:'t', 10, true);

create temporary view fired as
  select 'alert' as what, threshold::text as detail from public.budget_alerts where tenant_id = :'t'
  union all
  select 'event', payload ->> 'threshold' from public.event_log
    where tenant_id = :'t' and event_type = 'budget.threshold_reached'
  union all
  select 'notification', title from public.notifications where tenant_id = :'t';

-- ============================================================================
-- BELOW 80%
-- ============================================================================
select app.usage_record(:'t', '{"kind":"llm","model":"gpt-4o","prompt_tokens":1000,"completion_tokens":100,"cost_usd":7.9}');
select is_empty($$select 1 from fired$$, 'At 79% nothing fires');

-- ============================================================================
-- CROSSING 80%
-- ============================================================================
select app.usage_record(:'t', '{"kind":"llm","model":"gpt-4o","cost_usd":0.1}');
select results_eq(
  $$select what, detail from fired order by what$$,
  $$values ('alert'::text, '80'::text), ('event', '80'), ('notification', 'Budget 80% reached')$$,
  'Reaching 80% fires one alert, one event and one notification for 80'
);
select results_eq(
  format($$select period, spent_usd, budget_usd from public.budget_alerts where tenant_id = %L$$, :'t'),
  $$values (date_trunc('month', now() at time zone 'UTC')::date, 8::numeric, 10::numeric)$$,
  'The alert records this UTC month, the spend (8 USD) and the budget (10 USD)'
);
select results_eq(
  format($$select payload ->> 'spent_usd', payload ->> 'budget_usd', (payload ->> 'hard_limit')::boolean, event_source
    from public.event_log where tenant_id = %L and event_type = 'budget.threshold_reached'$$, :'t'),
  $$values ('8.00000000'::text, '10.0000'::text, true, 'system'::text)$$,
  'The event carries the spend, the budget and whether the limit is hard'
);
select results_eq(
  format($$select type, priority, message from public.notifications where tenant_id = %L$$, :'t'),
  $$values ('warning'::text, 5, 'Spend this month is 8.0000 USD of a 10.0000 USD budget.'::text)$$,
  'The 80% notification is a warning that states the spend'
);

select app.usage_record(:'t', '{"kind":"tool","units":1,"cost_usd":0.5}');
select app.usage_record(:'t', '{"kind":"llm","model":"gpt-4o","cost_usd":0.5}');
select results_eq(
  $$select what, count(*)::int from fired group by what order by what$$,
  $$values ('alert'::text, 1), ('event', 1), ('notification', 1)$$,
  'More usage between 80% and 100% (90%) fires nothing new'
);

-- ============================================================================
-- CROSSING 100%
-- ============================================================================
select app.usage_record(:'t', '{"kind":"llm","model":"gpt-4o","cost_usd":1.5}');
select results_eq(
  $$select what, detail from fired order by what, detail$$,
  $$values ('alert'::text, '100'::text), ('alert', '80'), ('event', '100'), ('event', '80'),
    ('notification', 'Budget 100% reached'), ('notification', 'Budget 80% reached')$$,
  'Reaching 100% (105%) fires one alert, one event and one notification for 100'
);
select results_eq(
  format($$select type, priority, message like '%%new work is refused until next month or a higher budget.'
    from public.notifications where tenant_id = %L and title = 'Budget 100%% reached'$$, :'t'),
  $$values ('alert'::text, 10, true)$$,
  'The 100% notification is an alert that says new work is refused (hard limit)'
);
select is(
  (select spent_usd from public.budget_alerts where tenant_id = :'t' and threshold = 100),
  10.5::numeric,
  'The 100% alert records the spend at the time (10.5 USD)'
);

select app.usage_record(:'t', '{"kind":"llm","model":"gpt-4o","cost_usd":3}');
select app.usage_record(:'t', '{"kind":"embedding","units":100,"cost_usd":0.01}');
select results_eq(
  $$select what, count(*)::int from fired group by what order by what$$,
  $$values ('alert'::text, 2), ('event', 2), ('notification', 2)$$,
  'Usage above 100% keeps being recorded but fires nothing again: one of each per threshold'
);
select is(
  (select count(*)::int from public.usage_events where tenant_id = :'t'),
  7,
  'Every usage event was recorded'
);
select results_eq(
  format($$select spent_usd, budget_usd, hard_limit from app.budget_status(%L)$$, :'t'),
  $$values (13.51::numeric, 10::numeric, true)$$,
  'budget_status reports the month''s full spend (13.51 USD)'
);
select throws_ok(
  format($$select app.budget_assert(%L)$$, :'t'),
  'OR402',
  null,
  'and budget_assert refuses new work at the hard limit'
);

-- ============================================================================
-- A LOWER THRESHOLD ADDED LATER fires once too; no budget, no alerts
-- ============================================================================
update public.tenant_budgets set alert_thresholds = '{50,80,100}' where tenant_id = :'t';
select app.usage_record(:'t', '{"kind":"llm","model":"gpt-4o","cost_usd":0.01}');
select app.usage_record(:'t', '{"kind":"llm","model":"gpt-4o","cost_usd":0.01}');
select results_eq(
  $$select what, count(*)::int from fired group by what order by what$$,
  $$values ('alert'::text, 3), ('event', 3), ('notification', 3)$$,
  'A 50% threshold added later fires once, on the next usage, and the others do not repeat'
);

select app.usage_record(:'n', '{"kind":"llm","model":"gpt-4o","cost_usd":1000}');
select is_empty(
  format($$select 1 from public.budget_alerts where tenant_id = %1$L
    union all select 1 from public.notifications where tenant_id = %1$L
    union all select 1 from public.event_log where tenant_id = %1$L and event_type = 'budget.threshold_reached'$$, :'n'),
  'A tenant without a budget gets no alerts, whatever it spends'
);
select lives_ok(
  format($$select app.budget_assert(%L)$$, :'n'),
  'and is never refused for budget'
);

select * from finish();
rollback;
