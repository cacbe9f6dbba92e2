-- Tenant isolation for public.memory_decisions: B records and reads its own decisions, never
-- A's, and nobody rewrites history.
begin;
set local search_path = public, extensions;
select plan(7);

select tests.create_tenant('tap-dec-a');
select tests.create_tenant('tap-dec-b');
insert into public.memory_decisions (tenant_id, action, explanation) values
  (tests.get_tenant_id('tap-dec-a'), 'supersede', 'A decided'),
  (tests.get_tenant_id('tap-dec-b'), 'add', 'B decided');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-dec-b'));
select results_eq($$select explanation from public.memory_decisions$$, $$values ('B decided')$$,
  'B reads its own decisions only');
select lives_ok(
  $$insert into public.memory_decisions (tenant_id, action) values (tests.get_tenant_id('tap-dec-b'), 'noop')$$,
  'B records a decision in its tenant');
select throws_ok(
  $$insert into public.memory_decisions (tenant_id, action) values (tests.get_tenant_id('tap-dec-a'), 'forget')$$,
  '42501', 'new row violates row-level security policy for table "memory_decisions"',
  'B cannot record a decision in A''s tenant');
select throws_ok($$update public.memory_decisions set explanation = 'rewritten'$$,
  '42501', 'permission denied for table memory_decisions', 'Decisions cannot be rewritten');
select throws_ok($$delete from public.memory_decisions$$,
  '42501', 'permission denied for table memory_decisions', 'Decisions cannot be deleted through the API');

select tests.authenticate_as_anon();
select is(tests.visible_rows('public.memory_decisions'), null, 'anon may not read decisions');
select tests.clear_authentication();
select results_eq(
  $$select explanation from public.memory_decisions where tenant_id = tests.get_tenant_id('tap-dec-a')$$,
  $$values ('A decided')$$, 'A''s decision is untouched');

select * from finish();
rollback;
