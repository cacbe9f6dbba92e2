-- Task chains as a DAG: an edge that would close a cycle or cross tenants is refused; a failed task
-- stops its pending dependents transitively (blocked_by and a status message say why), and
-- app.task_retry puts the failed task and the dependents it stopped back to pending.
begin;
set local search_path = public, extensions;
select plan(16);

-- FIXTURES (as postgres): in D a chain research <- draft <- publish, plus an unrelated task and a
-- draft review that already ran; tasks have no assigned agent, so nothing gets queued
select tests.create_tenant('t-orch-dag-d') as d \gset
select tests.create_tenant('t-orch-dag-e') as e \gset
insert into public.agent_tasks (id, tenant_id, title, status) values
  ('d0000001-0000-4000-8000-00000000000d', :'d', 'Research', 'running'),
  ('d0000002-0000-4000-8000-00000000000d', :'d', 'Draft', 'pending'),
  ('d0000003-0000-4000-8000-00000000000d', :'d', 'Publish', 'waiting'),
  ('d0000004-0000-4000-8000-00000000000d', :'d', 'Unrelated', 'pending'),
  ('d0000005-0000-4000-8000-00000000000d', :'d', 'Review started early', 'running'),
  ('e0000001-0000-4000-8000-00000000000e', :'e', 'Task of E', 'pending');
insert into public.task_dependencies (tenant_id, task_id, depends_on_id) values
  (:'d', 'd0000002-0000-4000-8000-00000000000d', 'd0000001-0000-4000-8000-00000000000d'),
  (:'d', 'd0000003-0000-4000-8000-00000000000d', 'd0000002-0000-4000-8000-00000000000d'),
  (:'d', 'd0000005-0000-4000-8000-00000000000d', 'd0000001-0000-4000-8000-00000000000d');

-- ============================================================================
-- EDGES
-- ============================================================================
select throws_ok(
  format($$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (%L, 'd0000001-0000-4000-8000-00000000000d', 'd0000003-0000-4000-8000-00000000000d')$$, :'d'),
  'OR400',
  'Dependency cycle: task d0000003-0000-4000-8000-00000000000d already depends (directly or not) on task d0000001-0000-4000-8000-00000000000d',
  'An edge closing a cycle through the chain (research after publish) is refused with OR400'
);
select throws_ok(
  format($$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (%L, 'd0000001-0000-4000-8000-00000000000d', 'd0000002-0000-4000-8000-00000000000d')$$, :'d'),
  'OR400',
  null,
  'So is the direct two-task cycle'
);
select throws_ok(
  format($$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (%L, 'd0000001-0000-4000-8000-00000000000d', 'd0000001-0000-4000-8000-00000000000d')$$, :'d'),
  '23514',
  null,
  'A task cannot depend on itself'
);
select throws_ok(
  format($$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (%L, 'd0000004-0000-4000-8000-00000000000d', 'e0000001-0000-4000-8000-00000000000e')$$, :'d'),
  'OR404',
  null,
  'A task of D cannot depend on a task of E'
);
select throws_ok(
  format($$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (%L, 'e0000001-0000-4000-8000-00000000000e', 'd0000004-0000-4000-8000-00000000000d')$$, :'e'),
  'OR404',
  null,
  'nor, filed under E, a task of E on a task of D'
);
select lives_ok(
  format($$insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
    values (%L, 'd0000004-0000-4000-8000-00000000000d', 'd0000001-0000-4000-8000-00000000000d')$$, :'d'),
  'A new edge that closes no cycle is accepted (unrelated now waits for research too)'
);
-- (removed again: Unrelated stays outside the chain below)
delete from public.task_dependencies where task_id = 'd0000004-0000-4000-8000-00000000000d';

-- ============================================================================
-- FAILURE STOPS DEPENDENTS
-- ============================================================================
select app.task_finish(:'d', 'd0000001-0000-4000-8000-00000000000d', 'error', null, 'source site down');

select results_eq(
  $$select status, error_message, status_message, completed_at is not null from public.agent_tasks
    where id = 'd0000001-0000-4000-8000-00000000000d'$$,
  $$values ('error'::text, 'source site down'::text, 'source site down'::text, true)$$,
  'The failed task is marked error with its reason'
);
select results_eq(
  $$select title, status, blocked_by, status_message from public.agent_tasks
    where id in ('d0000002-0000-4000-8000-00000000000d', 'd0000003-0000-4000-8000-00000000000d') order by id$$,
  $$values ('Draft'::text, 'cancelled'::text, 'd0000001-0000-4000-8000-00000000000d'::uuid, 'Stopped: dependency "Research" failed'::text),
    ('Publish', 'cancelled', 'd0000001-0000-4000-8000-00000000000d', 'Stopped: dependency "Research" failed')$$,
  'Its pending dependent and that one''s waiting dependent are cancelled, blocked by the failed task, saying why'
);
select is(
  (select error_message from public.agent_tasks where id = 'd0000003-0000-4000-8000-00000000000d'),
  'Dependency d0000001-0000-4000-8000-00000000000d (Research) ended error: source site down',
  'with the failed dependency and its error in error_message'
);
select results_eq(
  $$select id::text, status, blocked_by from public.agent_tasks
    where id in ('d0000004-0000-4000-8000-00000000000d', 'd0000005-0000-4000-8000-00000000000d') order by id$$,
  $$values ('d0000004-0000-4000-8000-00000000000d'::text, 'pending'::text, null::uuid),
    ('d0000005-0000-4000-8000-00000000000d', 'running', null)$$,
  'An unrelated task and a dependent that had already started are left alone'
);
select results_eq(
  format($$select event_type, payload ->> 'title', payload ->> 'blocked_by' from public.event_log
    where tenant_id = %L and event_type in ('task.failed', 'task.cancelled') order by event_type, payload ->> 'title'$$, :'d'),
  $$values ('task.cancelled'::text, 'Draft'::text, 'd0000001-0000-4000-8000-00000000000d'::text),
    ('task.cancelled', 'Publish', 'd0000001-0000-4000-8000-00000000000d'), ('task.failed', 'Research', null)$$,
  'Events: task.failed for the task, task.cancelled for each stopped dependent'
);
select app.task_finish(:'d', 'd0000001-0000-4000-8000-00000000000d', 'success', '{"late": true}', null);
select is(
  (select status from public.agent_tasks where id = 'd0000001-0000-4000-8000-00000000000d'),
  'error',
  'A late outcome for a task that already ended is ignored'
);

-- ============================================================================
-- RETRY
-- ============================================================================
select throws_ok(
  format($$select app.task_retry(%L, 'd0000004-0000-4000-8000-00000000000d')$$, :'d'),
  'OR409',
  null,
  'A task that has not failed cannot be retried (OR409)'
);
select app.task_retry(:'d', 'd0000001-0000-4000-8000-00000000000d');
select results_eq(
  $$select status, error_message, status_message, completed_at, attempt_count from public.agent_tasks
    where id = 'd0000001-0000-4000-8000-00000000000d'$$,
  $$values ('pending'::text, null::text, 'retry requested'::text, null::timestamptz, 0)$$,
  'task_retry puts the failed task back to pending'
);
select results_eq(
  $$select title, status, blocked_by, status_message, error_message, completed_at from public.agent_tasks
    where id in ('d0000002-0000-4000-8000-00000000000d', 'd0000003-0000-4000-8000-00000000000d') order by id$$,
  $$values ('Draft'::text, 'pending'::text, null::uuid, null::text, null::text, null::timestamptz),
    ('Publish', 'pending', null, null, null, null)$$,
  'and the dependents it stopped too, no longer blocked'
);
select is(
  (select count(*)::int from public.task_dependencies where tenant_id = :'d'),
  3,
  'The chain''s edges are all still there'
);

select * from finish();
rollback;
