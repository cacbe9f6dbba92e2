-- Tenant isolation for public.metrics: points are recorded and read within the tenant only, and
-- recorded points are immutable through the API role.
begin;
set local search_path = public, extensions;
select plan(7);

select tests.create_tenant('tap-met-a');
select tests.create_tenant('tap-met-b');
insert into public.metrics (tenant_id, name, value) values
  (tests.get_tenant_id('tap-met-a'), 'page_views', 10),
  (tests.get_tenant_id('tap-met-b'), 'page_views', 20);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-met-b'));
select results_eq($$select value from public.metrics$$, $$values (20::double precision)$$,
  'B reads its own points only');
select lives_ok($$insert into public.metrics (tenant_id, name, value) values (tests.get_tenant_id('tap-met-b'), 'page_views', 5)$$,
  'B records a point in its tenant');
select throws_ok($$insert into public.metrics (tenant_id, name, value) values (tests.get_tenant_id('tap-met-a'), 'page_views', 999)$$,
  '42501', 'new row violates row-level security policy for table "metrics"', 'B cannot record into A''s metrics');
select throws_ok($$update public.metrics set value = 0$$, '42501', null, 'points cannot be changed');
select throws_ok($$delete from public.metrics$$, '42501', null, 'points cannot be deleted');
select throws_ok($$select app.metric_aggregate(tests.get_tenant_id('tap-met-a'), 'page_views', now() - interval '1 day', now() + interval '1 minute', 'sum')$$,
  '42501', null, 'B cannot aggregate A''s metrics through the internal function');

reset role;
select is((select sum(value)::int from public.metrics where tenant_id = tests.get_tenant_id('tap-met-a')), 10, 'A''s points are untouched');
select * from finish();
rollback;
