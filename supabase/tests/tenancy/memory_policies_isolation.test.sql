-- Tenant isolation for public.memory_policies: every tenant gets the default policy, reads its
-- own and nobody else's, and cannot raise its own quotas (the operator sets them).
begin;
set local search_path = public, extensions;
select plan(6);

select tests.create_tenant('tap-pol-a');
select tests.create_tenant('tap-pol-b');
update public.memory_policies set max_live = 5 where tenant_id = tests.get_tenant_id('tap-pol-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-pol-b'));
select results_eq($$select max_live from public.memory_policies$$, $$values (10000)$$,
  'B reads its own default policy only');
select is_empty($$select 1 from public.memory_policies where tenant_id = tests.get_tenant_id('tap-pol-a')$$,
  'B cannot read A''s policy');
select throws_ok($$update public.memory_policies set max_live = 1000000$$,
  '42501', 'permission denied for table memory_policies', 'B cannot raise its own quota');
select throws_ok(
  $$insert into public.memory_policies (tenant_id) values (tests.get_tenant_id('tap-pol-b'))$$,
  '42501', 'permission denied for table memory_policies', 'B cannot write policies');

select tests.authenticate_as_anon();
select is(tests.visible_rows('public.memory_policies'), null, 'anon may not read policies');
select tests.clear_authentication();
select is((select max_live from public.memory_policies where tenant_id = tests.get_tenant_id('tap-pol-a')), 5,
  'A''s policy is as the operator set it');

select * from finish();
rollback;
