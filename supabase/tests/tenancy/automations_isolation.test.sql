-- Tenant isolation for public.automations and the automation_runs view: tenant B reads, writes
-- and removes its own automations and never tenant A's; A's runs are invisible to B.
begin;
set local search_path = public, extensions;
select plan(12);

select tests.create_tenant('tap-auto-a');
select tests.create_tenant('tap-auto-b');
insert into public.automations (tenant_id, name, slug, trigger_type, actions) values
  (tests.get_tenant_id('tap-auto-a'), 'A flow', 'a-flow', 'manual', '[{"type": "log", "config": {"message": "a"}}]'),
  (tests.get_tenant_id('tap-auto-b'), 'B flow', 'b-flow', 'manual', '[{"type": "log", "config": {"message": "b"}}]');
select app.automation_fire(tests.get_tenant_id('tap-auto-a'), (select id from public.automations where slug = 'a-flow'),
  '{"type": "manual", "data": {}}', '{}');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-auto-b'));

select results_eq($$select slug from public.automations$$, $$values ('b-flow')$$,
  'B reading every automation gets its own and nothing else');
select is_empty($$select 1 from public.automations where tenant_id = tests.get_tenant_id('tap-auto-a')$$,
  'B cannot read A''s automations even filtering on A''s tenant_id');
select is_empty($$select 1 from public.automation_runs$$, 'B sees none of A''s automation runs');
select lives_ok(
  $$insert into public.automations (tenant_id, name, slug, trigger_type) values (tests.get_tenant_id('tap-auto-b'), 'B2', 'b2', 'manual')$$,
  'B can create an automation in its own tenant');
select throws_ok(
  $$insert into public.automations (tenant_id, name, slug, trigger_type) values (tests.get_tenant_id('tap-auto-a'), 'Planted', 'planted', 'manual')$$,
  '42501', 'new row violates row-level security policy for table "automations"',
  'B cannot create an automation in A''s tenant');
select is(tests.rows_affected($$update public.automations set status = 'paused' where slug = 'a-flow'$$), 0,
  'B pausing A''s automation changes nothing');
select throws_ok(
  $$update public.automations set tenant_id = tests.get_tenant_id('tap-auto-a') where slug = 'b-flow'$$,
  '42501', 'new row violates row-level security policy for table "automations"',
  'B cannot move its automation into A''s tenant');
select is(tests.rows_affected($$delete from public.automations where slug = 'a-flow'$$), 0,
  'B deleting A''s automation removes nothing');
select throws_ok($$select app.automation_fire(tests.get_tenant_id('tap-auto-a'), (select id from public.automations limit 1), '{}', '{}')$$,
  '42501', null, 'B cannot call the firing function directly');
select throws_ok($$insert into public.automation_runs (id) values (gen_random_uuid())$$, '42501', null,
  'automation_runs is read-only');

reset role;
select is((select count(*)::int from public.automations where slug = 'a-flow' and status = 'active'), 1,
  'A''s automation is untouched');
select is((select count(*)::int from public.automation_runs r join public.automations a on a.id = r.automation_id where a.slug = 'a-flow'), 1,
  'A''s run is still there');

select * from finish();
rollback;
