-- The security-definer worker functions act inside the tenant they are given and nowhere else:
-- called with tenant B and tenant A's session, job or task, each one raises (OR404 / OR409) or
-- changes nothing, and A's sessions, jobs and tasks are exactly as they were afterwards.
-- The API roles cannot call them at all; service_role (the workers) can.
begin;
set local search_path = public, extensions;
select plan(46);

-- Only the jobs made here are visible to the claim below (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres)
select tests.create_tenant('t-orch-scope-a') as a \gset
select tests.create_tenant('t-orch-scope-b') as b \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'a', :'b');
select app.agent_pack_install(:'a', 'content');
select app.agent_pack_install(:'b', 'content');

-- A: a writer session a worker is running (its job hidden for two hours, its heartbeat 5 minutes old)
select id as a_run, queue_msg_id as a_msg from app.spawn_session(:'a', '{"agent":"writer","input":{"query":"A"}}') \gset
update public.agent_sessions set status = 'running', attempts = 1, started_at = now(), worker_id = 't-orch-scope-worker-a',
  heartbeat_at = now() - interval '5 minutes'
where id = :'a_run';
update pgmq.q_agent_jobs set vt = now() + interval '2 hours' where msg_id = :a_msg;
-- A: a queued task, and a failed task with the dependent it stopped
insert into public.agent_tasks (id, tenant_id, title, status, assigned_agent) values
  ('a0000001-0000-4000-8000-00000000000a', :'a', 'A queued', 'queued', 'writer'),
  ('a0000002-0000-4000-8000-00000000000a', :'a', 'A failed', 'error', null);
insert into public.agent_tasks (id, tenant_id, title, status, blocked_by, status_message) values
  ('a0000003-0000-4000-8000-00000000000a', :'a', 'A stopped', 'cancelled', 'a0000002-0000-4000-8000-00000000000a',
    'Stopped: dependency "A failed" failed');
insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
values (:'a', 'a0000003-0000-4000-8000-00000000000a', 'a0000002-0000-4000-8000-00000000000a');

-- B: two queued sessions (claimed below) and a running task, for the service_role calls at the end
select id as b_run, queue_msg_id as b_msg from app.spawn_session(:'b', '{"agent":"writer","input":{"query":"B"}}') \gset
select id as b_other from app.spawn_session(:'b', '{"agent":"seo"}') \gset
insert into public.agent_tasks (id, tenant_id, title, status) values
  ('b0000001-0000-4000-8000-00000000000b', :'b', 'B running', 'running');

-- What A has before B's calls
create temporary table a_sessions_before as select * from public.agent_sessions where tenant_id = :'a';
create temporary table a_tasks_before as select * from public.agent_tasks where tenant_id = :'a';
create temporary table a_jobs_before as
  select msg_id, read_ct, vt, message from pgmq.q_agent_jobs where message ->> 'tenant_id' = :'a';
create temporary table a_events_before as select * from public.event_log where tenant_id = :'a';

-- ============================================================================
-- B'S CALLS ON A'S SESSION, JOB AND TASKS (as postgres: the functions are what is tested)
-- ============================================================================
select throws_ok(
  format($$select app.complete_session(%L, %L, %s, '{"summary":"forged by B"}')$$, :'b', :'a_run', :a_msg),
  'OR404', null,
  'complete_session(B, A''s session, A''s job) raises OR404 before acknowledging anything'
);
select is(
  app.fail_session_attempt(:'b', :'a_run', :a_msg, '{"message":"failed by B"}', 0, true),
  'already',
  'fail_session_attempt(B, A''s session, A''s job) finds no session of B and does nothing'
);
select throws_ok(
  format($$select app.cancel_session(%L, %L, 'cancelled by B')$$, :'b', :'a_run'),
  'OR404', null,
  'cancel_session(B, A''s session) raises OR404'
);
select throws_ok(
  format($$select app.record_agent_run(%L, %L, '{"seq":1,"kind":"llm","provider":"offline","model":"offline","prompt_tokens":10,"completion_tokens":5,"cost_usd":1}')$$,
    :'b', :'a_run'),
  'OR404', null,
  'record_agent_run(B, A''s session) raises OR404'
);
select is(
  app.heartbeat_session(:'b', :'a_run', 0, 10),
  'missing',
  'heartbeat_session(B, A''s session, 0) finds no session of B'
);
select is(
  app.heartbeat_session(:'b', :'a_run', :a_msg, 10),
  'missing',
  'heartbeat_session(B, A''s session, A''s job) finds no session of B either'
);
select throws_ok(
  format($$select app.enqueue_session(%L, %L)$$, :'b', :'a_run'),
  'OR404', null,
  'enqueue_session(B, A''s session) raises OR404'
);
select throws_ok(
  format($$select app.spawn_session(%L, jsonb_build_object('agent', 'writer', 'parent_session_id', %L::uuid))$$, :'b', :'a_run'),
  'OR404', null,
  'spawn_session(B, parent = A''s session) raises OR404'
);
select lives_ok(
  format($$select app.task_finish(%L, 'a0000001-0000-4000-8000-00000000000a', 'success', '{"forged": true}', null)$$, :'b'),
  'task_finish(B, A''s task, success) returns without error'
);
select lives_ok(
  format($$select app.task_finish(%L, 'a0000002-0000-4000-8000-00000000000a', 'error', null, 'by B')$$, :'b'),
  'task_finish(B, A''s failed task, error) returns without error'
);
select throws_ok(
  format($$select app.task_retry(%L, 'a0000002-0000-4000-8000-00000000000a')$$, :'b'),
  'OR409', null,
  'task_retry(B, A''s failed task) raises OR409'
);
select lives_ok(
  format($$select app.check_parent(%L, %L)$$, :'b', :'a_run'),
  'check_parent(B, A''s session) returns without error'
);

-- the two that take a job id: they must not touch a job of a session they did not find
select lives_ok(
  format($$select app.defer_session(%L, %L, %s, 3600, 'deferred by B')$$, :'b', :'a_run', :a_msg),
  'defer_session(B, A''s session, A''s job) returns without error'
);
select is(
  (select vt from pgmq.q_agent_jobs where msg_id = :a_msg),
  now() + interval '2 hours',
  'defer_session(B, A''s session, A''s job) leaves A''s job visibility where it was'
);
select lives_ok(
  format($$select app.finish_session_failure(%L, %L, %s, '{"message":"failed by B"}')$$, :'b', :'a_run', :a_msg),
  'finish_session_failure(B, A''s session, A''s job) returns without error'
);
select isnt_empty(
  format($$select 1 from pgmq.q_agent_jobs where msg_id = %s$$, :a_msg),
  'finish_session_failure(B, A''s session, A''s job) leaves A''s job in the queue (not dead-lettered)'
);

-- a session of B tied to A's task: claiming and finishing it must not move A's task
select throws_ok(
  format($$select app.spawn_session(%L, jsonb_build_object('agent', 'writer', 'task_id', 'a0000001-0000-4000-8000-00000000000a'::uuid))$$, :'b'),
  'OR404', null,
  'spawn_session(B, task = A''s task) raises OR404'
);
select lives_ok(
  $$select count(*) from app.claim_agent_jobs('t-orch-scope-worker', 30, 10)$$,
  'Claiming the visible jobs (B''s) works'
);
select is(
  (select status from public.agent_tasks where id = 'a0000001-0000-4000-8000-00000000000a'),
  'queued',
  'Claiming B''s jobs leaves A''s queued task queued'
);

-- ============================================================================
-- A IS UNCHANGED
-- ============================================================================
select set_eq(
  format($$select * from public.agent_sessions where tenant_id = %L$$, :'a'),
  $$select * from a_sessions_before$$,
  'A''s session is exactly as it was (running, same heartbeat, attempts, error, no children)'
);
select set_eq(
  format($$select msg_id, read_ct, vt, message from pgmq.q_agent_jobs where message ->> 'tenant_id' = %L$$, :'a'),
  $$select * from a_jobs_before$$,
  'A''s job is still queued with the same visibility and read count'
);
select is_empty(
  format($$select 1 from pgmq.a_agent_jobs where message ->> 'tenant_id' = %1$L
    union all select 1 from pgmq.q_agent_jobs_dlq where message -> 'message' ->> 'tenant_id' = %1$L
    union all select 1 from app.queue_errors where queue_name = 'agent_jobs' and msg_id = %2$s$$, :'a', :a_msg),
  'A''s job was neither archived, dead-lettered nor charged an error'
);
select set_eq(
  format($$select * from public.agent_tasks where tenant_id = %L$$, :'a'),
  $$select * from a_tasks_before$$,
  'A''s tasks are exactly as they were (queued, failed, stopped)'
);
select is_empty(
  format($$select 1 from public.agent_results where tenant_id = %1$L
    union all select 1 from public.agent_runs where tenant_id = %1$L
    union all select 1 from public.usage_events where tenant_id = %1$L$$, :'a'),
  'A has no result, run or usage recorded by B''s calls'
);
select set_eq(
  format($$select * from public.event_log where tenant_id = %L$$, :'a'),
  $$select * from a_events_before$$,
  'No event was written to A''s log'
);

-- ============================================================================
-- PRIVILEGES: the API roles cannot call the worker functions, even on their own tenant
-- ============================================================================
select tests.authenticate_as_tenant(:'a');
select throws_ok(format($$select app.complete_session(%L, %L, null, '{}')$$, :'a', :'a_run'),
  '42501', 'permission denied for function complete_session', 'authenticated cannot call complete_session');
select throws_ok(format($$select app.fail_session_attempt(%L, %L, %s, '{}', 0, true)$$, :'a', :'a_run', :a_msg),
  '42501', 'permission denied for function fail_session_attempt', 'authenticated cannot call fail_session_attempt');
select throws_ok(format($$select app.cancel_session(%L, %L, 'x')$$, :'a', :'a_run'),
  '42501', 'permission denied for function cancel_session', 'authenticated cannot call cancel_session');
select throws_ok(format($$select app.record_agent_run(%L, %L, '{"seq":9,"kind":"tool"}')$$, :'a', :'a_run'),
  '42501', 'permission denied for function record_agent_run', 'authenticated cannot call record_agent_run');
select throws_ok(format($$select app.heartbeat_session(%L, %L, 0, 10)$$, :'a', :'a_run'),
  '42501', 'permission denied for function heartbeat_session', 'authenticated cannot call heartbeat_session');
select throws_ok(format($$select app.enqueue_session(%L, %L)$$, :'a', :'a_run'),
  '42501', 'permission denied for function enqueue_session', 'authenticated cannot call enqueue_session');
select throws_ok(format($$select app.spawn_session(%L, '{"agent":"writer"}')$$, :'a'),
  '42501', 'permission denied for function spawn_session', 'authenticated cannot call spawn_session');
select throws_ok(format($$select app.task_finish(%L, 'a0000001-0000-4000-8000-00000000000a', 'success', null, null)$$, :'a'),
  '42501', 'permission denied for function task_finish', 'authenticated cannot call task_finish');
select throws_ok(format($$select app.task_retry(%L, 'a0000002-0000-4000-8000-00000000000a')$$, :'a'),
  '42501', 'permission denied for function task_retry', 'authenticated cannot call task_retry');
select throws_ok($$select * from app.claim_agent_jobs('t-orch-scope-api', 30, 10)$$,
  '42501', 'permission denied for function claim_agent_jobs', 'authenticated cannot claim jobs');
select is(
  array(select f from unnest(array[
      'app.complete_session(uuid,uuid,bigint,jsonb)', 'app.fail_session_attempt(uuid,uuid,bigint,jsonb,integer,boolean)',
      'app.finish_session_failure(uuid,uuid,bigint,jsonb)', 'app.defer_session(uuid,uuid,bigint,integer,text)',
      'app.cancel_session(uuid,uuid,text)', 'app.record_agent_run(uuid,uuid,jsonb)',
      'app.heartbeat_session(uuid,uuid,bigint,integer)', 'app.enqueue_session(uuid,uuid,text,integer)',
      'app.spawn_session(uuid,jsonb)', 'app.spawn_orchestration(uuid,jsonb)', 'app.check_parent(uuid,uuid)',
      'app.claim_agent_jobs(text,integer,integer)', 'app.task_finish(uuid,uuid,text,jsonb,text)',
      'app.task_retry(uuid,uuid)', 'app.task_advance(uuid)']) f
    where has_function_privilege('anon', f, 'execute') or has_function_privilege('authenticated', f, 'execute')),
  '{}'::text[],
  'Neither anon nor authenticated may execute any worker function'
);

-- ...and service_role, the workers' role, can (on B's own session and task)
select tests.authenticate_as_service();
select is(app.heartbeat_session(:'b', :'b_run', :b_msg, 30), 'running',
  'service_role can call heartbeat_session (B''s job was claimed above)');
select lives_ok(
  format($$select app.record_agent_run(%L, %L, '{"seq":1,"kind":"llm","provider":"offline","model":"offline","prompt_tokens":10,"completion_tokens":5,"cost_usd":0}')$$,
    :'b', :'b_run'),
  'service_role can call record_agent_run'
);
select is(app.fail_session_attempt(:'b', :'b_run', :b_msg, '{"message":"transient"}', 0, true), 'retrying',
  'service_role can call fail_session_attempt');
select ok(app.enqueue_session(:'b', :'b_run') > :b_msg, 'service_role can call enqueue_session');
select is(app.complete_session(:'b', :'b_run', :b_msg, '{"summary":"done in B"}'), 'completed',
  'service_role can call complete_session');
select is(app.cancel_session(:'b', :'b_other', 'no longer needed'), 1, 'service_role can call cancel_session');
select lives_ok(
  format($$select app.spawn_session(%L, '{"agent":"writer","idempotency_key":"t-orch-scope-service"}')$$, :'b'),
  'service_role can call spawn_session'
);
select lives_ok(
  format($$select app.task_finish(%L, 'b0000001-0000-4000-8000-00000000000b', 'error', null, 'broke')$$, :'b'),
  'service_role can call task_finish'
);
select lives_ok(
  format($$select app.task_retry(%L, 'b0000001-0000-4000-8000-00000000000b')$$, :'b'),
  'service_role can call task_retry'
);
select tests.clear_authentication();
select results_eq(
  format($$select status from public.agent_tasks where id = 'b0000001-0000-4000-8000-00000000000b'
    union all select status from public.agent_sessions where id in (%L, %L) order by 1$$, :'b_run', :'b_other'),
  $$values ('cancelled'), ('completed'), ('pending')$$,
  'The service_role calls took effect in B: session completed, other cancelled, task back to pending'
);

select * from finish();
rollback;
