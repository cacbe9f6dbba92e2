-- Tenant isolation for public.agent_tasks: tenant B lists, creates and edits its own tasks and
-- never tenant A's, nor links its tasks to A's tasks or sessions; tasks are cancelled, not
-- deleted, through the API.
begin;
set local search_path = public, extensions;
select plan(19);

-- FIXTURES (as postgres): one task in each tenant (no assigned agent, so nothing gets queued), and
-- a session in A that B's tasks must not be able to point at
select tests.create_tenant('t-orch-tasks-a');
select tests.create_tenant('t-orch-tasks-b');
update public.tenants set settings = settings || '{"wake_workers": false}'
  where id in (tests.get_tenant_id('t-orch-tasks-a'), tests.get_tenant_id('t-orch-tasks-b'));
select app.agent_pack_install(tests.get_tenant_id('t-orch-tasks-a'), 'content');
select id as a_session from app.session_spawn(tests.get_tenant_id('t-orch-tasks-a'), '{"agent":"writer"}') \gset
insert into public.agent_tasks (id, tenant_id, title, status) values
  ('a7a7a7a7-0000-4000-8000-00000000000a', tests.get_tenant_id('t-orch-tasks-a'), 'Task of A', 'pending'),
  ('b7b7b7b7-0000-4000-8000-00000000000b', tests.get_tenant_id('t-orch-tasks-b'), 'Task of B', 'pending');
create temporary table a_tasks_before as
  select * from public.agent_tasks where tenant_id = tests.get_tenant_id('t-orch-tasks-a');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-tasks-b'));

-- READ
select results_eq(
  $$select title from public.agent_tasks$$,
  $$values ('Task of B')$$,
  'B reading every task gets its own task and nothing else'
);
select is_empty(
  $$select 1 from public.agent_tasks where tenant_id = tests.get_tenant_id('t-orch-tasks-a')$$,
  'B cannot read A''s tasks even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.agent_tasks (tenant_id, title, parent_task_id)
    values (tests.get_tenant_id('t-orch-tasks-b'), 'Subtask of B', 'b7b7b7b7-0000-4000-8000-00000000000b')$$,
  'B can create a task (here a subtask of its own task) in its own tenant'
);
select throws_ok(
  $$insert into public.agent_tasks (tenant_id, title, assigned_agent)
    values (tests.get_tenant_id('t-orch-tasks-a'), 'Planted by B', 'writer')$$,
  '42501',
  'new row violates row-level security policy for table "agent_tasks"',
  'B cannot create a task in A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.agent_tasks set status = 'cancelled', title = 'Cancelled by B'
    where tenant_id = tests.get_tenant_id('t-orch-tasks-a')$$),
  0,
  'B cancelling or renaming A''s tasks changes no rows'
);
select is(
  tests.rows_affected($$update public.agent_tasks set description = 'touched by B'$$),
  2,
  'B updating without a filter changes only its own two tasks'
);
select throws_ok(
  $$update public.agent_tasks set tenant_id = tests.get_tenant_id('t-orch-tasks-a') where title = 'Task of B'$$,
  '42501',
  'new row violates row-level security policy for table "agent_tasks"',
  'B cannot move its own task into A''s tenant'
);

-- DELETE: not granted
select throws_ok(
  $$delete from public.agent_tasks where tenant_id = tests.get_tenant_id('t-orch-tasks-a')$$,
  '42501',
  'permission denied for table agent_tasks',
  'B cannot delete A''s tasks'
);
select throws_ok(
  $$delete from public.agent_tasks where title = 'Task of B'$$,
  '42501',
  'permission denied for table agent_tasks',
  'B cannot delete its own tasks either'
);
select throws_ok(
  $$truncate public.agent_tasks$$,
  '42501',
  'permission denied for table agent_tasks',
  'B cannot truncate agent_tasks'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.agent_tasks where tenant_id = tests.get_tenant_id('t-orch-tasks-a')$$,
  $$select * from a_tasks_before$$,
  'A''s task is still there, unchanged, after B''s attempts'
);
select results_eq(
  $$select title, description from public.agent_tasks where tenant_id = tests.get_tenant_id('t-orch-tasks-b') order by title$$,
  $$values ('Subtask of B'::text, 'touched by B'::text), ('Task of B'::text, 'touched by B'::text)$$,
  'B''s tasks were updated and stayed in tenant B'
);

-- A lists its own task only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-tasks-a'));
select results_eq(
  $$select title from public.agent_tasks$$,
  $$values ('Task of A')$$,
  'A reading every task gets its own task and nothing else'
);

-- CROSS-TENANT LINKS: foreign keys are checked past RLS, so the tenant has to be checked too (last:
-- a link that is accepted would change the counts above). B knows A's ids here; in real life it
-- would have to learn them. The refusal is the foreign-key violation (23503) a missing row gives,
-- so B cannot tell A's rows from rows that do not exist.
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-tasks-b'));
select throws_ok(
  $$insert into public.agent_tasks (tenant_id, title, parent_task_id)
    values (tests.get_tenant_id('t-orch-tasks-b'), 'Child of A''s task', 'a7a7a7a7-0000-4000-8000-00000000000a')$$,
  '23503',
  null,
  'B cannot make its task a subtask of A''s task (23503, as for a task that does not exist)'
);
select throws_ok(
  $$insert into public.agent_tasks (tenant_id, title, blocked_by)
    values (tests.get_tenant_id('t-orch-tasks-b'), 'Blocked by A''s task', 'a7a7a7a7-0000-4000-8000-00000000000a')$$,
  '23503',
  null,
  'B cannot mark its task blocked by A''s task'
);
select throws_ok(
  format($$insert into public.agent_tasks (tenant_id, title, session_id, deadline_at)
    values (tests.get_tenant_id('t-orch-tasks-b'), 'Run by A''s session', %L, now() - interval '1 minute')$$, :'a_session'),
  '23503',
  null,
  'B cannot point its task at A''s session (app.tasks_sweep would then cancel it as B, raise and stop for every tenant)'
);
select throws_ok(
  format($$update public.agent_tasks set session_id = %L where title = 'Task of B'$$, :'a_session'),
  '23503',
  null,
  'B cannot repoint its existing task at A''s session either'
);

select tests.clear_authentication();
select is_empty(
  format($$select 1 from public.agent_tasks where tenant_id = tests.get_tenant_id('t-orch-tasks-b')
    and (parent_task_id = 'a7a7a7a7-0000-4000-8000-00000000000a' or blocked_by = 'a7a7a7a7-0000-4000-8000-00000000000a'
      or session_id = %L)$$, :'a_session'),
  'No task of B refers to A''s task or session'
);
select lives_ok(
  $$select app.tasks_sweep()$$,
  'The task sweep (cron, every tenant at once) still runs'
);

select * from finish();
rollback;
