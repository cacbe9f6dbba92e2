-- Tasks follow their session runs: app.task_advance starts a session (a run of kind agent) for a
-- due task whose dependencies succeeded, with their outputs as context; the task is running when
-- a worker claims the run, and takes its outcome when the run finishes — completed → success with
-- the run's output (and its steps' tokens and cost), which starts the dependents; failed → error,
-- which stops them.
begin;
set local search_path = public, extensions;
select plan(10);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): Research ← Draft ← Publish, each assigned to an agent
select tests.create_tenant('t-orch-tasks-runs') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select app.agent_pack_install(:'t', 'content') as installed \gset
insert into public.agent_tasks (id, tenant_id, title, assigned_agent, input) values
  ('f0000001-0000-4000-8000-00000000000f', :'t', 'Research', 'analyst', '{"topic": "pumps"}'),
  ('f0000002-0000-4000-8000-00000000000f', :'t', 'Draft', 'writer', '{}'),
  ('f0000003-0000-4000-8000-00000000000f', :'t', 'Publish', 'social', '{}');
insert into public.task_dependencies (tenant_id, task_id, depends_on_id) values
  (:'t', 'f0000002-0000-4000-8000-00000000000f', 'f0000001-0000-4000-8000-00000000000f'),
  (:'t', 'f0000003-0000-4000-8000-00000000000f', 'f0000002-0000-4000-8000-00000000000f');
create temporary view tasks as
  select title, status from public.agent_tasks where tenant_id = :'t' order by id;
grant select on tasks to service_role;

-- ============================================================================
-- ADVANCE: only the task whose dependencies are done gets a session
-- ============================================================================
select tests.authenticate_as_service();
select is(app.task_advance(:'t'), 1, 'Advancing the DAG queues one task: Research, which depends on nothing');
select tests.clear_authentication();
select results_eq(
  $$select t.status, r.kind, r.subject, r.status, r.input #>> '{task,title}', r.created_by = 'task:' || t.id
    from public.agent_tasks t join public.runs r on r.id = t.session_id where t.title = 'Research'$$,
  $$values ('queued'::text, 'agent'::text, 'analyst'::text, 'queued'::text, 'Research'::text, true)$$,
  'It is queued with a session of its agent, carrying the task in its input'
);

-- ============================================================================
-- CLAIMED: the task is running; COMPLETED: success, and the next task starts
-- ============================================================================
select tests.authenticate_as_service();
select run_id as research_run, msg_id as research_msg from app.runs_claim('agent_jobs', 't-tasks-runs-worker', 30, 10) \gset
select is((select status from tasks where title = 'Research'), 'running', 'When a worker claims the session, the task is running');
select app.run_step_record(:'t', :'research_run',
  '{"key":"turn:1","kind":"llm","output":{"text":"notes"},"prompt_tokens":100,"completion_tokens":50,"cost_usd":0.02}') as seq \gset
select is(app.run_complete(:'t', :'research_run', :research_msg, '{"summary":"Pumps fail at the seals","output":{"notes":"seals"}}'),
  'completed', 'The session completes');
select tests.clear_authentication();
select results_eq(
  $$select status, output, tokens_used, estimated_cost, completed_at is not null from public.agent_tasks where title = 'Research'
    and tenant_id = tests.get_tenant_id('t-orch-tasks-runs')$$,
  $$values ('success'::text, '{"notes": "seals"}'::jsonb, 150, 0.02::numeric, true)$$,
  'Its task succeeds with the session''s output, tokens and cost'
);
select results_eq(
  $$select t.status, r.input #> '{dependencies,0,output}' from public.agent_tasks t join public.runs r on r.id = t.session_id
    where t.title = 'Draft' and t.tenant_id = tests.get_tenant_id('t-orch-tasks-runs')$$,
  $$values ('queued'::text, '{"notes": "seals"}'::jsonb)$$,
  'and Draft, whose dependency succeeded, is queued with Research''s output as context'
);
select is((select status from tasks where title = 'Publish'), 'pending', 'Publish still waits for Draft');

-- ============================================================================
-- FAILED FOR GOOD: the task errs and its dependents stop
-- ============================================================================
select tests.authenticate_as_service();
select run_id as draft_run, msg_id as draft_msg from app.runs_claim('agent_jobs', 't-tasks-runs-worker', 30, 10) \gset
select is(app.run_fail(:'t', :'draft_run', :draft_msg, '{"code":"LLM_ERROR","message":"model refused"}', 0, false), 'failed',
  'Draft''s session fails for good');
select tests.clear_authentication();
select results_eq(
  $$select title, status, error_message from public.agent_tasks where tenant_id = tests.get_tenant_id('t-orch-tasks-runs')
    and title in ('Draft', 'Publish') order by id$$,
  $$values ('Draft'::text, 'error'::text, 'model refused'::text),
    ('Publish', 'cancelled', 'Dependency f0000002-0000-4000-8000-00000000000f (Draft) ended error: model refused')$$,
  'Draft errs with the session''s error, and Publish is stopped, naming it'
);
select is_empty(
  $$select 1 from public.runs r join public.agent_tasks t on t.session_id = r.id where t.title = 'Publish'
    and t.tenant_id = tests.get_tenant_id('t-orch-tasks-runs')$$,
  'Publish never got a session'
);

select * from finish();
rollback;
