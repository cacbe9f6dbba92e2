-- The security-definer worker functions act inside the tenant they are given and nowhere else:
-- every app.run_*, runs_* and waitpoint function called (as service_role, like the workers) with
-- tenant B and tenant A's run, message, token or task raises (OR404 / OR409) or changes nothing,
-- and so does B's own run paired with A's message; A's runs, steps, waitpoints, messages, tasks
-- and events are exactly as they were afterwards. The API roles cannot call them at all.
begin;
set local search_path = public, extensions;
select plan(44);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres)
select tests.create_tenant('t-runs-scope-a') as a \gset
select tests.create_tenant('t-runs-scope-b') as b \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'a', :'b');
select app.agent_pack_install(:'a', 'content') + app.agent_pack_install(:'b', 'content') as installed \gset
select encode(sha256('t-runs-scope-a-token'::bytea), 'hex') as a_token \gset

-- A: a session a worker is running (its message hidden for two hours, heartbeat 5 minutes old)
select id as a_run from app.session_spawn(:'a', '{"agent":"writer","input":{"query":"A"}}') \gset
select msg_id as a_msg from app.runs_claim('agent_jobs', 't-runs-scope-worker-a', 30, 10) \gset
update pgmq.q_agent_jobs set vt = now() + interval '2 hours' where msg_id = :a_msg;
update public.runs set heartbeat_at = now() - interval '5 minutes' where id = :'a_run';
-- A: a session parked on an event and a completion token
select id as a_wait from app.session_spawn(:'a', '{"agent":"seo"}') \gset
select msg_id as a_wait_msg from app.runs_claim('agent_jobs', 't-runs-scope-worker-a', 30, 10) \gset
select app.waitpoint_token_create(:'a', :'a_wait', :'a_token', null) as a_token_wp \gset
select app.run_park(:'a', :'a_wait', :a_wait_msg, 'wait:go', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'event', 'events', array['a.go']),
  jsonb_build_object('kind', 'token', 'waitpoint_id', :'a_token_wp'::uuid))) as a_parked \gset
-- A: a session deferred on a breaker's key
select id as a_deferred from app.session_spawn(:'a', '{"agent":"social"}') \gset
select msg_id as a_deferred_msg from app.runs_claim('agent_jobs', 't-runs-scope-worker-a', 30, 10) \gset
select app.run_defer(:'a', :'a_deferred', :a_deferred_msg, 3600, 'llm breaker open', 'breaker:llm:api.example.com') as a_did_defer \gset
-- A: a completed session with a recorded step (what a fork would copy)
select id as a_done from app.session_spawn(:'a', '{"agent":"analyst","enqueue":false}') \gset
select app.run_step_record(:'a', :'a_done', '{"key":"turn:1","kind":"llm","output":{"text":"A"}}') as a_step \gset
select app.run_complete(:'a', :'a_done', null, '{"summary":"A done"}') as a_completed \gset
-- A: a queued session whose message is hidden (a forged message of B's will name it)
select id as a_queued, queue_msg_id as a_queued_msg from app.session_spawn(:'a', '{"agent":"imager"}') \gset
update pgmq.q_agent_jobs set vt = now() + interval '2 hours' where msg_id = :a_queued_msg;
-- A: a queued task, and a failed task with the dependent it stopped
insert into public.agent_tasks (id, tenant_id, title, status, assigned_agent, session_id) values
  ('a0000001-0000-4000-8000-00000000000a', :'a', 'A queued', 'queued', 'writer', :'a_run'),
  ('a0000002-0000-4000-8000-00000000000a', :'a', 'A failed', 'error', null, null);
insert into public.agent_tasks (id, tenant_id, title, status, blocked_by, status_message) values
  ('a0000003-0000-4000-8000-00000000000a', :'a', 'A stopped', 'cancelled', 'a0000002-0000-4000-8000-00000000000a',
    'Stopped: dependency "A failed" failed');
insert into public.task_dependencies (tenant_id, task_id, depends_on_id)
values (:'a', 'a0000003-0000-4000-8000-00000000000a', 'a0000002-0000-4000-8000-00000000000a');

-- B: a session its worker is running, and a forged message naming A's queued session under B
select id as b_run from app.session_spawn(:'b', '{"agent":"writer","input":{"query":"B"}}') \gset
select msg_id as b_msg from app.runs_claim('agent_jobs', 't-runs-scope-worker-b', 30, 10) where run_id = :'b_run' \gset
select pgmq.send('agent_jobs', jsonb_build_object('run_id', :'a_queued'::uuid, 'tenant_id', :'b'::uuid, 'kind', 'agent', 'priority', 0))
  as forged_msg \gset

-- What A has before B's calls
create temporary table a_runs_before as select * from public.runs where tenant_id = :'a';
create temporary table a_steps_before as select * from public.run_steps where tenant_id = :'a';
create temporary table a_waits_before as select * from public.run_waitpoints where tenant_id = :'a';
create temporary table a_tasks_before as select * from public.agent_tasks where tenant_id = :'a';
create temporary table a_msgs_before as
  select msg_id, read_ct, vt, message from pgmq.q_agent_jobs where message ->> 'tenant_id' = :'a';
create temporary table a_deferrals_before as select * from app.queue_deferrals where tenant_id = :'a';
create temporary table a_events_before as select * from public.event_log where tenant_id = :'a';
create temporary table a_archived_before as select msg_id from pgmq.a_agent_jobs where message ->> 'tenant_id' = :'a';

-- ============================================================================
-- B'S CALLS ON A'S RUNS, MESSAGES, TOKENS AND TASKS (as service_role, like B's worker)
-- ============================================================================
select tests.authenticate_as_service();
select is(tests.error_of(format($$select app.run_enqueue(%L, %L)$$, :'b', :'a_run')),
  'OR404: run_not_found', 'run_enqueue(B, A''s run) raises OR404 run_not_found');
select is(tests.error_of(format($$select app.run_create(%L, '{"kind":"agent","parent_run_id":"%s"}')$$, :'b', :'a_run')),
  'OR404: parent_not_found', 'run_create(B, parent = A''s run) raises OR404 parent_not_found');
select is(tests.error_of(format($$select app.session_spawn(%L, '{"agent":"writer","parent_session_id":"%s"}')$$, :'b', :'a_run')),
  'OR404: parent_not_found', 'session_spawn(B, parent = A''s session) raises OR404 parent_not_found');
select is(tests.error_of(format($$select app.run_step_record(%L, %L, '{"key":"turn:9","kind":"llm","cost_usd":1,"usage_kind":"llm"}')$$, :'b', :'a_run')),
  'OR404: run_not_found', 'run_step_record(B, A''s run) raises OR404 run_not_found');
select is(tests.error_of(format($$select app.run_complete(%L, %L, %s, '{"summary":"forged by B"}')$$, :'b', :'a_run', :a_msg)),
  'OR404: run_not_found', 'run_complete(B, A''s run, A''s message) raises OR404 before acknowledging anything');
select is(app.run_fail(:'b', :'a_run', :a_msg, '{"message":"failed by B"}', 0, false), 'already',
  'run_fail(B, A''s run, A''s message) finds no run of B and does nothing');
select is(app.run_defer(:'b', :'a_run', :a_msg, 3600, 'deferred by B'), false,
  'run_defer(B, A''s run, A''s message) finds no running run of B and does nothing');
select is(tests.error_of(format($$select app.run_cancel(%L, %L, 'cancelled by B')$$, :'b', :'a_run')),
  'OR404: run_not_found', 'run_cancel(B, A''s run) raises OR404 run_not_found');
select is(tests.error_of(format($$select app.run_fork(%L, %L, 1)$$, :'b', :'a_done')),
  'OR404: run_not_found', 'run_fork(B, A''s run) raises OR404 run_not_found');
select is(tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:b', 'any', '[{"kind":"time","at":"2999-01-01T00:00:00Z"}]')$$,
    :'b', :'a_run', :a_msg)),
  'OR404: run_not_found', 'run_park(B, A''s run, A''s message) raises OR404 run_not_found');
select is(tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:b', 'any', '[{"kind":"runs","run_ids":["%s"]}]')$$,
    :'b', :'b_run', :b_msg, :'a_run')),
  'OR404: run_not_found', 'run_park(B, B''s run, waiting for A''s run) raises OR404 run_not_found');
select is(tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:b', 'any', '[{"kind":"token","waitpoint_id":"%s"}]')$$,
    :'b', :'b_run', :b_msg, :'a_token_wp')),
  'OR404: token_not_found', 'run_park(B, B''s run, awaiting A''s token) raises OR404 token_not_found');
select is(tests.error_of(format($$select app.waitpoint_token_create(%L, %L, %L, null)$$, :'b', :'a_wait', repeat('b', 64))),
  'OR404: run_not_found', 'waitpoint_token_create(B, A''s run) raises OR404 run_not_found');
select is(tests.error_of(format($$select * from app.waitpoint_token_complete(%L, %L, '{"forged": true}')$$, :'b', :'a_token')),
  'OR404: token_not_found', 'waitpoint_token_complete(B, A''s token) raises OR404 token_not_found');
select is(app.waitpoints_cancel(:'b', :'a_wait'), 0, 'waitpoints_cancel(B, A''s parked run) cancels nothing');
select is(app.queue_release(:'b', 'breaker:llm:api.example.com'), 0,
  'queue_release(B, the key A''s run is deferred on) releases nothing');
select is(
  array(select app.runs_heartbeat('agent_jobs', 't-runs-scope-worker-b', array[:a_msg]::bigint[], 3600)),
  array[:'a_run'::uuid],
  'runs_heartbeat(B''s worker, A''s message) answers that A''s run is not B''s worker''s'
);

-- B's own run, paired with A's message
select is(app.run_fail(:'b', :'b_run', :a_msg, '{"message":"wrong message"}', 0, false), 'not-this-message',
  'run_fail(B, B''s run, A''s message) refuses: not that run''s message');
select is(app.run_defer(:'b', :'b_run', :a_msg, 3600, 'wrong message'), false,
  'run_defer(B, B''s run, A''s message) does nothing');
select is(tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:b', 'any', '[{"kind":"time","at":"2999-01-01T00:00:00Z"}]')$$,
    :'b', :'b_run', :a_msg)),
  'OR409: run_not_running', 'run_park(B, B''s run, A''s message) raises OR409 run_not_running');

-- a forged message naming A's run under tenant B is archived, never run
select is_empty(
  format($$select 1 from app.runs_claim('agent_jobs', 't-runs-scope-worker-b', 30, 10) where run_id = %L$$, :'a_queued'),
  'A claim never hands out A''s run for a message that names it under tenant B'
);
select is_empty(format($$select 1 from pgmq.q_agent_jobs where msg_id = %s$$, :forged_msg),
  'and the forged message is archived');

-- tasks
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
select is(app.run_complete(:'b', :'b_run', :a_msg, '{"summary":"done in B"}'), 'completed',
  'run_complete(B, B''s run, A''s message) completes B''s run (last: it would end the claim above)');
select tests.clear_authentication();

-- ============================================================================
-- A IS UNCHANGED
-- ============================================================================
select set_eq(format($$select * from public.runs where tenant_id = %L$$, :'a'), $$select * from a_runs_before$$,
  'A''s runs are exactly as they were (running, waiting, deferred, completed, queued; same heartbeats and attempts)');
select set_eq(format($$select * from public.run_steps where tenant_id = %L$$, :'a'), $$select * from a_steps_before$$,
  'A''s steps are exactly as they were');
select set_eq(format($$select * from public.run_waitpoints where tenant_id = %L$$, :'a'), $$select * from a_waits_before$$,
  'A''s waitpoints (its event wait and token) are exactly as they were');
select set_eq(
  format($$select msg_id, read_ct, vt, message from pgmq.q_agent_jobs where message ->> 'tenant_id' = %L$$, :'a'),
  $$select * from a_msgs_before$$,
  'A''s messages are still queued with the same visibility and read counts (the heartbeat extended none)'
);
select set_eq(format($$select * from app.queue_deferrals where tenant_id = %L$$, :'a'), $$select * from a_deferrals_before$$,
  'A''s deferral is still in place');
select set_eq(
  format($$select msg_id from pgmq.a_agent_jobs where message ->> 'tenant_id' = %L$$, :'a'), $$select * from a_archived_before$$,
  'None of A''s messages was archived'
);
select is_empty(
  format($$select 1 from pgmq.q_agent_jobs_dlq where message -> 'message' ->> 'tenant_id' = %1$L
    union all select 1 from app.queue_errors e join a_msgs_before m on m.msg_id = e.msg_id where e.queue_name = 'agent_jobs'$$, :'a'),
  'nor dead-lettered, nor charged an error'
);
select set_eq(format($$select * from public.agent_tasks where tenant_id = %L$$, :'a'), $$select * from a_tasks_before$$,
  'A''s tasks are exactly as they were (queued, failed, stopped)');
select is_empty(format($$select 1 from public.usage_events where tenant_id = %L$$, :'a'), 'A has no usage recorded by B''s calls');
select set_eq(format($$select * from public.event_log where tenant_id = %L$$, :'a'), $$select * from a_events_before$$,
  'No event was written to A''s log');

-- ============================================================================
-- PRIVILEGES: the API roles cannot call any worker function, even on their own tenant
-- ============================================================================
select is(
  array(select p.oid::regprocedure::text from pg_proc p
        where p.pronamespace = 'app'::regnamespace
          and p.proname ~ '^(run|runs|waitpoint|waitpoints|session|task|tasks|queue)_'
          and p.proname <> 'run_is_terminal'
          and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))
        order by 1),
  '{}'::text[],
  'Neither anon nor authenticated may execute any run, waitpoint, session, task or queue function'
);
select is(
  array(select p.oid::regprocedure::text from pg_proc p
        where p.pronamespace = 'app'::regnamespace
          and p.proname in ('run_create', 'run_enqueue', 'runs_claim', 'runs_heartbeat', 'run_step_record', 'run_complete',
            'run_fail', 'run_defer', 'run_cancel', 'run_fork', 'run_park', 'waitpoint_token_create', 'waitpoint_token_complete',
            'waitpoints_cancel', 'session_spawn', 'session_spawn_orchestration', 'task_finish', 'task_retry')
          and not has_function_privilege('service_role', p.oid, 'execute')
        order by 1),
  '{}'::text[],
  'service_role, the workers'' role, may execute each of them'
);
select tests.authenticate_as_tenant(:'a');
select throws_ok(format($$select app.run_complete(%L, %L, null, '{}')$$, :'a', :'a_run'),
  '42501', 'permission denied for function run_complete', 'authenticated cannot call run_complete');
select throws_ok($$select * from app.runs_claim('agent_jobs', 't-runs-scope-api', 30, 10)$$,
  '42501', 'permission denied for function runs_claim', 'authenticated cannot claim runs');
select throws_ok(format($$select * from app.waitpoint_token_complete(%L, %L, '{}')$$, :'a', :'a_token'),
  '42501', 'permission denied for function waitpoint_token_complete', 'authenticated cannot complete tokens directly');
select throws_ok(format($$select app.session_spawn(%L, '{"agent":"writer"}')$$, :'a'),
  '42501', 'permission denied for function session_spawn', 'authenticated cannot spawn sessions directly');
select tests.authenticate_as_anon();
select throws_ok(format($$select app.run_cancel(%L, %L)$$, :'a', :'a_run'),
  '42501', null, 'anon cannot call run_cancel');
select tests.clear_authentication();
select is(
  (select status from public.runs where id = :'b_run'),
  'completed',
  'B''s own calls took effect in B'
);

select * from finish();
rollback;
