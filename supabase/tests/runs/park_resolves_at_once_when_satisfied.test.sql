-- app.run_park does not park a run whose wait is already satisfied — a time already past, an event
-- that arrived within the lookback, runs that already finished, a completion token already
-- completed: it records the wait step and returns its output, and the run keeps running with its
-- message. A wait step that was recorded (a replay) returns its record without waiting again.
begin;
set local search_path = public, extensions;
select plan(13);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): a claimed run; a child run that already completed; an event of an
-- hour ago and one just now
select tests.create_tenant('t-runs-park-now') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as run from app.run_create(:'t', '{"kind":"agent","subject":"writer"}') \gset
select id as child from app.run_create(:'t', format('{"kind":"agent","subject":"seo","parent_run_id":"%s"}', :'run')::jsonb) \gset
select app.run_complete(:'t', :'child', null, '{"summary":"done before"}') as child_done \gset
-- the child's message is archived at the claim below (its run finished)
insert into public.event_log (tenant_id, event_type, payload, created_at) values
  (:'t', 'doc.approved', '{"doc": 1}', now() - interval '1 hour'),
  (:'t', 'doc.approved', '{"doc": 2}', now());
select tests.authenticate_as_service();
select msg_id as msg from app.runs_claim('agent_jobs', 't-runs-park-now-worker', 30, 10) \gset

-- ============================================================================
-- A TIME ALREADY PAST
-- ============================================================================
select app.run_park(:'t', :'run', :msg, 'wait:time', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'time', 'at', now() - interval '1 minute'))) as time_park \gset
select is((:'time_park'::jsonb) -> 'parked', 'false'::jsonb, 'A wait for a time already past does not park');
select is(
  ((:'time_park'::jsonb) -> 'output') - 'result'::text,
  '{"kind": "time", "index": 0, "status": "resolved", "timed_out": false}'::jsonb,
  'It returns the step''s output: resolved by the time wait'
);

-- ============================================================================
-- AN EVENT WITHIN THE LOOKBACK (the filter picks the one that matches)
-- ============================================================================
select app.run_park(:'t', :'run', :msg, 'wait:event', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'event', 'events', array['doc.approved'], 'filter', '{"doc": 2}'::jsonb,
    'lookback_seconds', 600))) as event_park \gset
select is((:'event_park'::jsonb) -> 'parked', 'false'::jsonb, 'A wait for an event that arrived within the lookback does not park');
select is(
  (:'event_park'::jsonb) #> '{output,result,payload}',
  '{"doc": 2}'::jsonb,
  'It resolves with the matching event (payload doc 2), not the other of that type'
);

-- ============================================================================
-- RUNS ALREADY FINISHED
-- ============================================================================
select app.run_park(:'t', :'run', :msg, 'wait:children', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'runs', 'run_ids', array[:'child'::uuid]))) as runs_park \gset
select is((:'runs_park'::jsonb) -> 'parked', 'false'::jsonb, 'A wait for runs that already finished does not park');
select is(
  (:'runs_park'::jsonb) #> '{output,result}',
  jsonb_build_object('runs', jsonb_build_array(jsonb_build_object('id', :'child'::uuid, 'status', 'completed'))),
  'It resolves with each run''s final status'
);

-- ============================================================================
-- A COMPLETION TOKEN ALREADY COMPLETED
-- ============================================================================
select app.waitpoint_token_create(:'t', :'run', encode(sha256('tap-token-early'::bytea), 'hex'), null) as token_wp \gset
select waitpoint_id as completed_wp from app.waitpoint_token_complete(:'t', encode(sha256('tap-token-early'::bytea), 'hex'),
  '{"approved": true}') \gset
select app.run_park(:'t', :'run', :msg, 'wait:token', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'token', 'waitpoint_id', :'token_wp'::uuid))) as token_park \gset
select is((:'token_park'::jsonb) -> 'parked', 'false'::jsonb, 'Awaiting a token that was already completed does not park');
select is((:'token_park'::jsonb) #> '{output,result}', '{"approved": true}'::jsonb, 'It resolves with the token''s result');
select tests.clear_authentication();

-- ============================================================================
-- THE RUN KEPT RUNNING; EACH WAIT IS A RECORDED STEP
-- ============================================================================
select results_eq(
  format($$select status, queue_msg_id, (select count(*)::int from pgmq.q_agent_jobs where msg_id = %s)
    from public.runs where id = %L$$, :msg, :'run'),
  format($$values ('running'::text, %s::bigint, 1)$$, :msg),
  'The run is still running and its message still in the queue'
);
select results_eq(
  format($$select key, kind, status, output ->> 'status' from public.run_steps where run_id = %L order by seq$$, :'run'),
  $$values ('wait:time'::text, 'wait'::text, 'completed'::text, 'resolved'::text), ('wait:event', 'wait', 'completed', 'resolved'),
    ('wait:children', 'wait', 'completed', 'resolved'), ('wait:token', 'wait', 'completed', 'resolved')$$,
  'Each satisfied wait was recorded as a completed wait step, in order'
);

-- ============================================================================
-- REPLAY: a recorded wait step returns its record
-- ============================================================================
select tests.authenticate_as_service();
select is(
  app.run_park(:'t', :'run', :msg, 'wait:event', 'any', '[{"kind":"time","at":"2999-01-01T00:00:00Z"}]'),
  jsonb_build_object('parked', false, 'output', (:'event_park'::jsonb) -> 'output'),
  'Parking again on a recorded step (a replay) returns the recorded output, whatever the waits now say'
);
select tests.clear_authentication();
select is(
  (select count(*)::int from public.run_waitpoints where run_id = :'run' and step_key = 'wait:event'),
  1,
  'and creates no new waitpoint'
);

-- ============================================================================
-- BUT AN EVENT OLDER THAN THE LOOKBACK does not count: that wait parks
-- ============================================================================
select tests.authenticate_as_service();
select is(
  app.run_park(:'t', :'run', :msg, 'wait:old-event', 'any', jsonb_build_array(
    jsonb_build_object('kind', 'event', 'events', array['doc.approved'], 'filter', '{"doc": 1}'::jsonb,
      'lookback_seconds', 60))),
  '{"parked": true}'::jsonb,
  'A wait for an event older than its lookback (doc 1, an hour ago, lookback 60 s) parks'
);
select tests.clear_authentication();

select * from finish();
rollback;
