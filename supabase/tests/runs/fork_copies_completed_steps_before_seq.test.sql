-- app.run_fork replays a run from step from_seq into a new run: the completed steps before
-- from_seq are copied (a replay returns their records instead of calling a model or tool again);
-- that step and every later one, and any step that had failed, are not. The fork is a new root
-- run, queued, that remembers where it came from; new input replaces the original when given.
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): a completed run with steps 1 completed, 2 failed, 3 and 4 completed
select tests.create_tenant('t-runs-fork') as t \gset
select tests.create_tenant('t-runs-fork-other') as o \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'t', :'o');
select id as source from app.run_create(:'t', '{"kind":"agent","subject":"writer","priority":7,"input":{"query":"v1"},"enqueue":false}') \gset
select app.run_step_record(:'t', :'source', '{"key":"turn:1","kind":"llm","output":{"text":"plan"},"prompt_tokens":10,"cost_usd":0.1,"code_version":"c1"}') as s1 \gset
select app.run_step_record(:'t', :'source', '{"key":"tool:1","kind":"tool","status":"failed","error":{"message":"404"}}') as s2 \gset
select app.run_step_record(:'t', :'source', '{"key":"turn:2","kind":"llm","output":{"text":"retry"}}') as s3 \gset
select app.run_step_record(:'t', :'source', '{"key":"turn:3","kind":"llm","output":{"text":"final"}}') as s4 \gset
update public.runs set status = 'completed', output = '{"summary":"v1 done"}', completed_at = now() where id = :'source';

-- ============================================================================
-- FORK FROM STEP 4
-- ============================================================================
select tests.authenticate_as_service();
select id as fork from app.run_fork(:'t', :'source', 4) \gset
select tests.clear_authentication();

select results_eq(
  format($$select seq, key, status, output from public.run_steps where run_id = %L order by seq$$, :'fork'),
  $$values (1, 'turn:1'::text, 'completed'::text, '{"text": "plan"}'::jsonb), (3, 'turn:2', 'completed', '{"text": "retry"}')$$,
  'The fork has the completed steps before 4, with their seq and outputs; not the failed step 2, not step 4'
);
select results_eq(
  format($$select s.prompt_tokens, s.cost_usd, s.run_attempt, s.tenant_id from public.run_steps s where s.run_id = %L and s.key = 'turn:1'$$, :'fork'),
  format($$values (10, 0.1::numeric, 0, %L::uuid)$$, :'t'),
  'Copied steps keep their recorded usage, in the same tenant'
);
select results_eq(
  format($$select kind, subject, input, priority, forked_from_run_id, forked_from_seq, parent_run_id, root_run_id = id, depth,
      code_version, definition_version = (select definition_version from public.runs where id = %L), created_by
    from public.runs where id = %L$$, :'source', :'fork'),
  format($$values ('agent'::text, 'writer'::text, '{"query": "v1"}'::jsonb, 7, %1$L::uuid, 4, null::uuid, true, 0, 'c1'::text, true, 'run:' || %1$L)$$, :'source'),
  'It is a new root run of the same kind, input, priority, definition and code, remembering the run and step it came from'
);
select results_eq(
  format($$select r.status, r.attempt, r.output, q.message ->> 'run_id' from public.runs r
    join pgmq.q_agent_jobs q on q.msg_id = r.queue_msg_id where r.id = %L$$, :'fork'),
  format($$values ('queued'::text, 0, null::jsonb, %L::text)$$, :'fork'),
  'It is queued with a message of its own, not started, no output'
);
select results_eq(
  format($$select status, output, (select count(*)::int from public.run_steps s where s.run_id = r.id) from public.runs r where id = %L$$, :'source'),
  $$values ('completed'::text, '{"summary": "v1 done"}'::jsonb, 4)$$,
  'The original run and its four steps are untouched'
);

-- ============================================================================
-- OTHER STARTING POINTS AND NEW INPUT
-- ============================================================================
select tests.authenticate_as_service();
select id as from_first from app.run_fork(:'t', :'source', 1) \gset
select id as after_last from app.run_fork(:'t', :'source', 5, '{"query":"v2"}', 'user:tap') \gset
select tests.clear_authentication();
select is_empty(
  format($$select 1 from public.run_steps where run_id = %L$$, :'from_first'),
  'Forking from step 1 copies nothing: the whole run runs again'
);
select is(
  (select array_agg(seq order by seq) from public.run_steps where run_id = :'after_last'),
  array[1, 3, 4],
  'Forking from the step after the last copies every completed step'
);
select results_eq(
  format($$select input, definition_version, created_by from public.runs where id = %L$$, :'after_last'),
  $$values ('{"query": "v2"}'::jsonb, md5('{"query": "v2"}'), 'user:tap'::text)$$,
  'New input replaces the original, with a definition version of its own, and the caller is recorded'
);

-- ============================================================================
-- REFUSED
-- ============================================================================
select tests.authenticate_as_service();
select is(tests.error_of(format($$select app.run_fork(%L, %L, 6)$$, :'t', :'source')), 'OR400: invalid_from_seq',
  'A from_seq past the step after the last is refused (OR400 invalid_from_seq)');
select is(tests.error_of(format($$select app.run_fork(%L, %L, 0)$$, :'t', :'source')), 'OR400: invalid_from_seq',
  'So is 0');
select is(tests.error_of(format($$select app.run_fork(%L, %L, 2)$$, :'o', :'source')), 'OR404: run_not_found',
  'Another tenant cannot fork the run (OR404 run_not_found)');
select tests.clear_authentication();
select is(
  (select count(*)::int from public.runs where forked_from_run_id = :'source'),
  3,
  'The refused forks made no run'
);

select * from finish();
rollback;
