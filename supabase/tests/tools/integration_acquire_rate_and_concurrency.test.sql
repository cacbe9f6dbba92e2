-- app.integration_acquire / app.integration_release: per-tenant, per-integration rate limits
-- and concurrency caps shared by every worker (004 §13).
begin;
set local search_path = public, extensions;
select plan(8);

select tests.create_tenant('tap-limits');
insert into public.tool_integrations (tenant_id, key, adapter, base_url, rate_limit_per_minute, max_concurrency) values
  (tests.get_tenant_id('tap-limits'), 'erp', 'http', 'https://erp.example.com', 2, null),
  (tests.get_tenant_id('tap-limits'), 'cmms', 'http', 'https://cmms.example.com', null, 1);

select is((select ok from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'scada', 'h0')), true,
  'An integration without limits always has room');
select is((select ok from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'erp', 'h1')), true, 'First call of the minute');
select is((select ok from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'erp', 'h2')), true, 'Second call of the minute');
select results_eq(
  $$select ok, reason, retry_in_ms > 0 from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'erp', 'h3')$$,
  $$values (false, 'rate_limit'::text, true)$$,
  'The third waits for the next minute'
);
select is((select ok from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'cmms', 'c1')), true, 'One call in flight');
select results_eq(
  $$select ok, reason from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'cmms', 'c2')$$,
  $$values (false, 'concurrency'::text)$$,
  'A second concurrent call waits'
);
select app.integration_release(tests.get_tenant_id('tap-limits'), 'cmms', 'c1');
select is((select ok from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'cmms', 'c2')), true,
  'After the first ends the second goes');
select is((select ok from app.integration_acquire(tests.get_tenant_id('tap-limits'), 'cmms', 'c2')), true,
  'The same holder taking its slot again does not count twice');

select * from finish();
rollback;
