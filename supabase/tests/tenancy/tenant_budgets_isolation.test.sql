-- Tenant isolation for public.tenant_budgets: tenant B sets and changes its own budget and never
-- tenant A's (a hard limit or a zero budget set by B would stop A's work); budgets are not
-- deleted through the API.
begin;
set local search_path = public, extensions;
select plan(14);

-- FIXTURES (as postgres): A has a soft 100 USD budget, B none yet
select tests.create_tenant('t-orch-budgets-a');
select tests.create_tenant('t-orch-budgets-b');
insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit)
values (tests.get_tenant_id('t-orch-budgets-a'), 100, false);
create temporary table a_budget_before as
  select * from public.tenant_budgets where tenant_id = tests.get_tenant_id('t-orch-budgets-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-budgets-b'));

-- READ
select is_empty(
  $$select 1 from public.tenant_budgets$$,
  'B, which has no budget, reads no budget at all'
);

-- INSERT
select lives_ok(
  $$insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit)
    values (tests.get_tenant_id('t-orch-budgets-b'), 50, true)$$,
  'B can set a budget for its own tenant'
);
select throws_ok(
  $$insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit)
    values (tests.get_tenant_id('t-orch-budgets-a'), 0, true)
    on conflict (tenant_id) do update set monthly_budget_usd = 0, hard_limit = true$$,
  '42501',
  'new row violates row-level security policy for table "tenant_budgets"',
  'B cannot upsert a zero hard budget over A''s'
);
select results_eq(
  $$select tenant_id, monthly_budget_usd from public.tenant_budgets$$,
  $$values (tests.get_tenant_id('t-orch-budgets-b'), 50::numeric(14, 4))$$,
  'B reading every budget now gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.tenant_budgets where tenant_id = tests.get_tenant_id('t-orch-budgets-a')$$,
  'B cannot read A''s budget even when it filters on A''s tenant_id'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.tenant_budgets set monthly_budget_usd = 0, hard_limit = true
    where tenant_id = tests.get_tenant_id('t-orch-budgets-a')$$),
  0,
  'B setting A''s budget to zero with a hard limit changes no rows'
);
select is(
  tests.rows_affected($$update public.tenant_budgets set alert_thresholds = '{50,90,100}'$$),
  1,
  'B updating without a filter changes only its own budget'
);
select throws_ok(
  $$update public.tenant_budgets set tenant_id = tests.get_tenant_id('t-orch-budgets-a')$$,
  '42501',
  'new row violates row-level security policy for table "tenant_budgets"',
  'B cannot move its own budget onto A''s tenant'
);

-- DELETE: not granted
select throws_ok(
  $$delete from public.tenant_budgets where tenant_id = tests.get_tenant_id('t-orch-budgets-a')$$,
  '42501',
  'permission denied for table tenant_budgets',
  'B cannot delete A''s budget'
);
select throws_ok(
  $$delete from public.tenant_budgets$$,
  '42501',
  'permission denied for table tenant_budgets',
  'B cannot delete its own budget either'
);
select throws_ok(
  $$truncate public.tenant_budgets$$,
  '42501',
  'permission denied for table tenant_budgets',
  'B cannot truncate tenant_budgets'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.tenant_budgets where tenant_id = tests.get_tenant_id('t-orch-budgets-a')$$,
  $$select * from a_budget_before$$,
  'A''s budget is still a soft 100 USD, unchanged, after B''s attempts'
);
select results_eq(
  $$select monthly_budget_usd, hard_limit, alert_thresholds from public.tenant_budgets
    where tenant_id = tests.get_tenant_id('t-orch-budgets-b')$$,
  $$values (50::numeric(14, 4), true, '{50,90,100}'::integer[])$$,
  'B''s own budget was set and updated in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-budgets-a'));
select results_eq(
  $$select tenant_id, monthly_budget_usd from public.tenant_budgets$$,
  $$values (tests.get_tenant_id('t-orch-budgets-a'), 100::numeric(14, 4))$$,
  'A reading every budget gets its own and nothing else'
);

select * from finish();
rollback;
