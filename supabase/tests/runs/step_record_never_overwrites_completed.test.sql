-- app.run_step_record (a worker, as service_role) memoizes steps: a failed attempt of a step is
-- recorded and may be recorded again (attempts count up) until the step completes; a completed
-- step is never overwritten — a late duplicate, or a failure reported after it, returns null and
-- changes nothing, and its usage is billed once. The first step with a code_version fixes the run's.
begin;
set local search_path = public, extensions;
select plan(14);

-- FIXTURES (as postgres): a run (not queued: steps are recorded whatever the run's status)
select tests.create_tenant('t-runs-steps') as t \gset
select id as run from app.run_create(:'t', '{"kind":"agent","subject":"writer","enqueue":false}') \gset
create temporary view turn1 as
  select seq, status, output, error, attempts, prompt_tokens, cost_usd from public.run_steps
  where run_id = :'run' and key = 'turn:1';
grant select on turn1 to service_role;

select tests.authenticate_as_service();

-- ============================================================================
-- FAILED ATTEMPTS, then the completion
-- ============================================================================
select is(
  app.run_step_record(:'t', :'run', '{"key":"turn:1","kind":"llm","status":"failed","error":{"message":"HTTP 429"},"code_version":"v1"}'),
  1,
  'A first, failed attempt of turn:1 is recorded as step 1'
);
select is(
  app.run_step_record(:'t', :'run', '{"key":"turn:1","kind":"llm","status":"failed","error":{"message":"timeout"}}'),
  1,
  'A second failed attempt records over it, same seq'
);
select results_eq(
  $$select status, error ->> 'message', attempts from turn1$$,
  $$values ('failed'::text, 'timeout'::text, 2)$$,
  'The step keeps the latest error and counts two attempts'
);
select is(
  app.run_step_record(:'t', :'run', '{"key":"turn:1","kind":"llm","status":"completed","output":{"text":"draft"},
    "provider":"offline","model":"offline","prompt_tokens":100,"completion_tokens":20,"cost_usd":0.25,"usage_kind":"llm"}'),
  1,
  'The successful attempt completes it, same seq'
);
select results_eq(
  $$select status, output, error, attempts, prompt_tokens, cost_usd from turn1$$,
  $$values ('completed'::text, '{"text": "draft"}'::jsonb, null::jsonb, 3, 100, 0.25::numeric)$$,
  'It is completed with its output and usage, the error cleared, three attempts in all'
);

-- ============================================================================
-- NEVER OVERWRITTEN
-- ============================================================================
create temporary table completed_before as select * from public.run_steps where run_id = :'run' and key = 'turn:1';
select is(
  app.run_step_record(:'t', :'run', '{"key":"turn:1","kind":"llm","status":"completed","output":{"text":"a different draft"},
    "prompt_tokens":999,"cost_usd":9,"usage_kind":"llm"}'),
  null,
  'A late duplicate completion of turn:1 returns null'
);
select is(
  app.run_step_record(:'t', :'run', '{"key":"turn:1","kind":"llm","status":"failed","error":{"message":"late failure"}}'),
  null,
  'and so does a failure reported after it completed'
);
select set_eq(
  format($$select * from public.run_steps where run_id = %L and key = 'turn:1'$$, :'run'),
  $$select * from completed_before$$,
  'The completed step is exactly as it was: output, usage, attempts, times'
);
select tests.clear_authentication();
select results_eq(
  format($$select count(*)::int, sum(cost_usd) from public.usage_events where run_id = %L$$, :'run'),
  $$values (1, 0.25::numeric)$$,
  'Its usage was billed once, by the completion that counted'
);
select is(
  (select run_step_id from public.usage_events where run_id = :'run'),
  (select id from public.run_steps where run_id = :'run' and key = 'turn:1'),
  'and names the step'
);

-- ============================================================================
-- THE NEXT STEPS, and the code version
-- ============================================================================
select tests.authenticate_as_service();
select is(
  app.run_step_record(:'t', :'run', '{"key":"tool:1:call_a","kind":"tool","output":{"rows":3},"code_version":"v2"}'),
  2,
  'A step with another key is the next seq (status completed unless said otherwise)'
);
select tests.clear_authentication();
select is(
  (select code_version from public.runs where id = :'run'),
  'v1',
  'The run keeps the code_version of its first recorded step'
);
select results_eq(
  format($$select seq, key, kind, status from public.run_steps where run_id = %L order by seq$$, :'run'),
  $$values (1, 'turn:1'::text, 'llm'::text, 'completed'::text), (2, 'tool:1:call_a', 'tool', 'completed')$$,
  'The run has its two steps, in order'
);
select tests.authenticate_as_service();
select is(
  tests.error_of(format($$select app.run_step_record(%L, gen_random_uuid(), '{"key":"x"}')$$, :'t')),
  'OR404: run_not_found',
  'Recording a step of a run that does not exist is refused (OR404 run_not_found)'
);
select tests.clear_authentication();

select * from finish();
rollback;
