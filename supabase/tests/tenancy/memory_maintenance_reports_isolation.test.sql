-- Tenant isolation for public.memory_maintenance_reports: B reads its own maintenance reports,
-- never A's, and cannot write any.
begin;
set local search_path = public, extensions;
select plan(5);

select tests.create_tenant('tap-rep-a');
select tests.create_tenant('tap-rep-b');
insert into public.memory_maintenance_reports (tenant_id, run_id, started_at, idle_archived) values
  (tests.get_tenant_id('tap-rep-a'), gen_random_uuid(), now(), 7),
  (tests.get_tenant_id('tap-rep-b'), gen_random_uuid(), now(), 1);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-rep-b'));
select results_eq($$select idle_archived from public.memory_maintenance_reports$$, $$values (1)$$,
  'B reads its own report only');
select throws_ok(
  $$insert into public.memory_maintenance_reports (tenant_id, run_id, started_at) values (tests.get_tenant_id('tap-rep-b'), gen_random_uuid(), now())$$,
  '42501', 'permission denied for table memory_maintenance_reports', 'B cannot write reports');
select throws_ok($$delete from public.memory_maintenance_reports$$,
  '42501', 'permission denied for table memory_maintenance_reports', 'B cannot delete reports');
select tests.authenticate_as_anon();
select is(tests.visible_rows('public.memory_maintenance_reports'), null, 'anon may not read reports');
select tests.clear_authentication();
select is((select count(*)::integer from public.memory_maintenance_reports where tenant_id = tests.get_tenant_id('tap-rep-a')), 1,
  'A''s report is untouched');

select * from finish();
rollback;
