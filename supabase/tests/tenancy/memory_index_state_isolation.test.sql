-- Tenant isolation for public.memory_index_state: B sees its own index version and counts only
-- (another tenant's index size is not its business) and cannot change them.
begin;
set local search_path = public, extensions;
select plan(5);

select tests.create_tenant('tap-st-a');
select tests.create_tenant('tap-st-b');
select app.memory_index_put(tests.get_tenant_id('tap-st-a'), 'document', gen_random_uuid(), 'a', 'alpha text');
select app.memory_index_put(tests.get_tenant_id('tap-st-b'), 'document', gen_random_uuid(), 'b', 'bravo text');
select app.memory_index_put(tests.get_tenant_id('tap-st-b'), 'document', gen_random_uuid(), 'b2', 'bravo two');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-st-b'));
select results_eq($$select chunks from public.memory_index_state$$, $$values (2)$$,
  'B sees its own index state only');
select throws_ok($$update public.memory_index_state set version = 0$$,
  '42501', 'permission denied for table memory_index_state', 'B cannot reset its index version');
select throws_ok($$delete from public.memory_index_state$$,
  '42501', 'permission denied for table memory_index_state', 'B cannot delete index state');
select tests.authenticate_as_anon();
select is(tests.visible_rows('public.memory_index_state'), null, 'anon may not read index state');
select tests.clear_authentication();
select is((select chunks from public.memory_index_state where tenant_id = tests.get_tenant_id('tap-st-a')), 1,
  'A''s state is untouched');

select * from finish();
rollback;
