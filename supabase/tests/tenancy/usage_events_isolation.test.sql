-- Tenant isolation for public.usage_events: a tenant reads its own usage only; the API roles
-- cannot record, inflate, hide or remove usage (workers record it through app.usage_record).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): one LLM call recorded in each tenant
select tests.create_tenant('t-orch-usage-a');
select tests.create_tenant('t-orch-usage-b');
select app.usage_record(tests.get_tenant_id('t-orch-usage-a'), '{"kind":"llm","provider":"offline","model":"offline","prompt_tokens":10,"completion_tokens":5,"cost_usd":0.5}');
select app.usage_record(tests.get_tenant_id('t-orch-usage-b'), '{"kind":"llm","provider":"offline","model":"offline","prompt_tokens":20,"completion_tokens":7,"cost_usd":0.25}');
create temporary table a_rows_before as select * from public.usage_events where tenant_id = tests.get_tenant_id('t-orch-usage-a');
create temporary table b_rows_before as select * from public.usage_events where tenant_id = tests.get_tenant_id('t-orch-usage-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-usage-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.usage_events$$,
  $$values (tests.get_tenant_id('t-orch-usage-b'), 1)$$,
  'B reading every usage event gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.usage_events where tenant_id = tests.get_tenant_id('t-orch-usage-a')$$,
  'B cannot read A''s usage events even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.usage_events (tenant_id, kind, cost_usd) values (tests.get_tenant_id('t-orch-usage-b'), 'llm', -100)$$,
  '42501',
  'permission denied for table usage_events',
  'B cannot record usage, not even in its own tenant (e.g. a negative cost to hide spend)'
);
select throws_ok(
  $$insert into public.usage_events (tenant_id, kind, cost_usd) values (tests.get_tenant_id('t-orch-usage-a'), 'llm', 1000)$$,
  '42501',
  'permission denied for table usage_events',
  'B cannot write usage events into A''s tenant'
);
select throws_ok(
  $$update public.usage_events set cost_usd = 1000 where tenant_id = tests.get_tenant_id('t-orch-usage-a')$$,
  '42501',
  'permission denied for table usage_events',
  'B cannot inflate A''s spend (which would trip A''s hard budget limit)'
);
select throws_ok(
  $$update public.usage_events set tenant_id = tests.get_tenant_id('t-orch-usage-a') where tenant_id = tests.get_tenant_id('t-orch-usage-b')$$,
  '42501',
  'permission denied for table usage_events',
  'B cannot move its own usage events into A''s tenant'
);
select throws_ok(
  $$delete from public.usage_events where tenant_id = tests.get_tenant_id('t-orch-usage-a')$$,
  '42501',
  'permission denied for table usage_events',
  'B cannot delete A''s usage events'
);
select throws_ok(
  $$delete from public.usage_events where tenant_id = tests.get_tenant_id('t-orch-usage-b')$$,
  '42501',
  'permission denied for table usage_events',
  'B cannot delete its own usage (which would hide its spend)'
);
select throws_ok(
  $$truncate public.usage_events$$,
  '42501',
  'permission denied for table usage_events',
  'B cannot truncate usage_events'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.usage_events where tenant_id = tests.get_tenant_id('t-orch-usage-a')$$,
  $$select * from a_rows_before$$,
  'A''s usage events are unchanged after B''s attempts'
);
select set_eq(
  $$select * from public.usage_events where tenant_id = tests.get_tenant_id('t-orch-usage-b')$$,
  $$select * from b_rows_before$$,
  'B''s own usage events are unchanged and still in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-usage-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.usage_events$$,
  $$values (tests.get_tenant_id('t-orch-usage-a'), 1)$$,
  'A reading every usage event gets its own and nothing else'
);

select * from finish();
rollback;
