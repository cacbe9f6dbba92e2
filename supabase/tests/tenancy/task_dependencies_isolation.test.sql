-- Tenant isolation for public.task_dependencies: tenant B reads and adds dependency edges between
-- its own tasks only, never in tenant A nor across tenants; edges are not edited or removed
-- through the API.
begin;
set local search_path = public, extensions;
select plan(15);

-- FIXTURES (as postgres): in each tenant, two tasks where the second depends on the first; B has a
-- third task still without dependencies
select tests.create_tenant('t-orch-deps-a');
select tests.create_tenant('t-orch-deps-b');
insert into public.agent_tasks (id, tenant_id, title) values
  ('a1000000-0000-4000-8000-00000000000a', tests.get_tenant_id('t-orch-deps-a'), 'A first'),
  ('a2000000-0000-4000-8000-00000000000a', tests.get_tenant_id('t-orch-deps-a'), 'A second'),
  ('b1000000-0000-4000-8000-00000000000b', tests.get_tenant_id('t-orch-deps-b'), 'B first'),
  ('b2000000-0000-4000-8000-00000000000b', tests.get_tenant_id('t-orch-deps-b'), 'B second'),
  ('b3000000-0000-4000-8000-00000000000b', tests.get_tenant_id('t-orch-deps-b'), 'B third');
insert into public.task_dependencies (tenant_id, task_id, depends_on_id) values
  (tests.get_tenant_id('t-orch-deps-a'), 'a2000000-0000-4000-8000-00000000000a', 'a1000000-0000-4000-8000-00000000000a'),
  (tests.get_tenant_id('t-orch-deps-b'), 'b2000000-0000-4000-8000-00000000000b', 'b1000000-0000-4000-8000-00000000000b');
create temporary table a_deps_before as
  select * from public.task_dependencies where tenant_id = tests.get_tenant_id('t-orch-deps-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-deps-b'));

-- READ
select results_eq(
  $$select task_id, depends_on_id from public.task_dependencies$$,
  $$values ('b2000000-0000-4000-8000-00000000000b'::uuid, 'b1000000-0000-4000-8000-00000000000b'::uuid)$$,
  'B reading every dependency gets its own edge and nothing else'
);
select is_empty(
  $$select 1 from public.task_dependencies where tenant_id = tests.get_tenant_id('t-orch-deps-a')$$,
  'B cannot read A''s dependencies even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (tests.get_tenant_id('t-orch-deps-b'), 'b3000000-0000-4000-8000-00000000000b', 'b2000000-0000-4000-8000-00000000000b')$$,
  'B can add a dependency between two of its own tasks'
);
select throws_ok(
  $$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (tests.get_tenant_id('t-orch-deps-a'), 'a1000000-0000-4000-8000-00000000000a', 'a2000000-0000-4000-8000-00000000000a')$$,
  '42501',
  'new row violates row-level security policy for table "task_dependencies"',
  'B cannot add a dependency in A''s tenant (here one that would also close a cycle in A''s chain)'
);
select throws_ok(
  $$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (tests.get_tenant_id('t-orch-deps-b'), 'b3000000-0000-4000-8000-00000000000b', 'a1000000-0000-4000-8000-00000000000a')$$,
  'OR404',
  null,
  'B cannot make its own task depend on A''s task'
);
select throws_ok(
  $$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (tests.get_tenant_id('t-orch-deps-b'), 'a1000000-0000-4000-8000-00000000000a', 'b1000000-0000-4000-8000-00000000000b')$$,
  'OR404',
  null,
  'B cannot make A''s task depend on its own task, even filed under its own tenant_id'
);

-- UPDATE and DELETE: not granted
select throws_ok(
  $$update public.task_dependencies set depends_on_id = 'b3000000-0000-4000-8000-00000000000b'
    where tenant_id = tests.get_tenant_id('t-orch-deps-a')$$,
  '42501',
  'permission denied for table task_dependencies',
  'B cannot rewire A''s dependencies'
);
select throws_ok(
  $$update public.task_dependencies set tenant_id = tests.get_tenant_id('t-orch-deps-a')$$,
  '42501',
  'permission denied for table task_dependencies',
  'B cannot move its own dependencies into A''s tenant'
);
select throws_ok(
  $$delete from public.task_dependencies where tenant_id = tests.get_tenant_id('t-orch-deps-a')$$,
  '42501',
  'permission denied for table task_dependencies',
  'B cannot delete A''s dependencies'
);
select throws_ok(
  $$delete from public.task_dependencies$$,
  '42501',
  'permission denied for table task_dependencies',
  'B cannot delete its own dependencies either'
);
select throws_ok(
  $$truncate public.task_dependencies$$,
  '42501',
  'permission denied for table task_dependencies',
  'B cannot truncate task_dependencies'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.task_dependencies where tenant_id = tests.get_tenant_id('t-orch-deps-a')$$,
  $$select * from a_deps_before$$,
  'A''s dependency is unchanged after B''s attempts'
);
select results_eq(
  $$select t.title, d.title from public.task_dependencies x
    join public.agent_tasks t on t.id = x.task_id join public.agent_tasks d on d.id = x.depends_on_id
    where x.tenant_id = tests.get_tenant_id('t-orch-deps-b') order by 1$$,
  $$values ('B second'::text, 'B first'::text), ('B third'::text, 'B second'::text)$$,
  'B''s chain now has its new edge, all in tenant B'
);
select is_empty(
  $$select 1 from public.task_dependencies x join public.agent_tasks t on t.id in (x.task_id, x.depends_on_id)
    where t.tenant_id <> x.tenant_id$$,
  'No dependency anywhere links tasks of another tenant'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-deps-a'));
select results_eq(
  $$select task_id, depends_on_id from public.task_dependencies$$,
  $$values ('a2000000-0000-4000-8000-00000000000a'::uuid, 'a1000000-0000-4000-8000-00000000000a'::uuid)$$,
  'A reading every dependency gets its own edge and nothing else'
);

select * from finish();
rollback;
