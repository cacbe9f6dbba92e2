-- app.task_advance serializes per tenant: it holds the tenant's advisory lock until its
-- transaction ends, so when two dependencies of a task finish at once, the second advance reads
-- after the first committed and queues the dependent (without the lock each read before the other
-- committed, and the dependent stayed pending for good). Another tenant's advances do not wait.
-- The race itself needs two sessions (supabase/functions/tests/tasks_test.ts runs it); here: the
-- lock is taken, for that tenant only, and the advance still works under it.
begin;
set local search_path = public, extensions;
select plan(5);

-- FIXTURES (as postgres): a task depending on two finished tasks
select tests.create_tenant('t-orch-advance-lock') as t \gset
select tests.create_tenant('t-orch-advance-other') as o \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select app.agent_pack_install(:'t', 'content') as installed \gset
insert into public.agent_tasks (id, tenant_id, title, status) values
  ('ad000001-0000-4000-8000-0000000000ad', :'t', 'SEO pass', 'success'),
  ('ad000002-0000-4000-8000-0000000000ad', :'t', 'Featured image', 'success');
insert into public.agent_tasks (id, tenant_id, title, assigned_agent) values
  ('ad000003-0000-4000-8000-0000000000ad', :'t', 'Publish', 'social');
insert into public.task_dependencies (tenant_id, task_id, depends_on_id) values
  (:'t', 'ad000003-0000-4000-8000-0000000000ad', 'ad000001-0000-4000-8000-0000000000ad'),
  (:'t', 'ad000003-0000-4000-8000-0000000000ad', 'ad000002-0000-4000-8000-0000000000ad');

create temporary view advance_locks as
  select k.tenant, exists (
    select 1 from pg_locks l
    where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.granted
      and l.classid = ((k.key >> 32) & 4294967295)::oid and l.objid = (k.key & 4294967295)::oid and l.objsubid = 1
  ) as held
  from (select x.tenant, pg_catalog.hashtext('app.task_advance:' || x.tenant::text)::bigint as key
        from unnest(array[:'t', :'o']::uuid[]) as x (tenant)) k;

select is(
  (select held from advance_locks where tenant = :'t'),
  false,
  'Before any advance, no advance lock of the tenant is held'
);
select tests.authenticate_as_service();
select is(app.task_advance(:'t'), 1, 'An advance queues Publish, whose two dependencies succeeded');
select tests.clear_authentication();
select is(
  (select held from advance_locks where tenant = :'t'),
  true,
  'and holds the tenant''s advance lock until the transaction ends (a concurrent advance of the tenant waits for it)'
);
select is(
  (select held from advance_locks where tenant = :'o'),
  false,
  'Another tenant''s advance lock is not taken: its advances do not wait'
);
select results_eq(
  $$select status, session_id is not null from public.agent_tasks where id = 'ad000003-0000-4000-8000-0000000000ad'$$,
  $$values ('queued'::text, true)$$,
  'Publish is queued with its session'
);

select * from finish();
rollback;
