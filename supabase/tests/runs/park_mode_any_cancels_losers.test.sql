-- A wait step in mode any resumes its run on the first waitpoint that resolves: the winner is
-- recorded as the step's output, the other waitpoints are cancelled (a later timer or token
-- changes nothing), and the run is queued again at once; its next claim is a resumption on the
-- same attempt, with the wait step among its completed steps.
begin;
set local search_path = public, extensions;
select plan(11);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): a claimed run parked on any of: a timer, an event, a completion token
select tests.create_tenant('t-runs-park-any') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as run from app.run_create(:'t', '{"kind":"agent","subject":"writer"}') \gset
select tests.authenticate_as_service();
select msg_id as msg, attempt as first_attempt from app.runs_claim('agent_jobs', 't-runs-any-worker', 30, 10) \gset
select app.waitpoint_token_create(:'t', :'run', encode(sha256('tap-any-token'::bytea), 'hex'), null) as token_wp \gset
select app.run_park(:'t', :'run', :msg, 'wait:first', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'time', 'at', now() + interval '1 day'),
  jsonb_build_object('kind', 'event', 'events', array['payment.received']),
  jsonb_build_object('kind', 'token', 'waitpoint_id', :'token_wp'::uuid))) as parked \gset
select tests.clear_authentication();
select is((:'parked'::jsonb) -> 'parked', 'true'::jsonb, 'The run is parked on three waits');

-- ============================================================================
-- THE EVENT ARRIVES FIRST
-- ============================================================================
select app.event_emit(:'t', 'payment.received', 'webhook', '{"amount": 42}');

select results_eq(
  format($$select position, kind, status from public.run_waitpoints where run_id = %L order by position$$, :'run'),
  $$values (0, 'time'::text, 'cancelled'::text), (1, 'event', 'resolved'), (2, 'token', 'cancelled')$$,
  'The event''s waitpoint is resolved; the timer and the token are cancelled'
);
select results_eq(
  format($$select kind, status, output - 'result', output #> '{result,payload}' from public.run_steps
    where run_id = %L and key = 'wait:first'$$, :'run'),
  $$values ('wait'::text, 'completed'::text, '{"kind": "event", "index": 1, "status": "resolved", "timed_out": false}'::jsonb,
    '{"amount": 42}'::jsonb)$$,
  'The wait step is recorded with the winner: the event (index 1) and its payload'
);
select results_eq(
  format($$select r.status, r.resuming, r.wake ->> 'step', r.wake ->> 'status', q.message ->> 'run_id'
    from public.runs r join pgmq.q_agent_jobs q on q.msg_id = r.queue_msg_id where r.id = %L$$, :'run'),
  format($$values ('queued'::text, true, 'wait:first'::text, 'resolved'::text, %L::text)$$, :'run'),
  'The run is queued again at once, with a new message, marked as resuming from wait:first'
);

-- ============================================================================
-- THE LOSERS CHANGE NOTHING
-- ============================================================================
select tests.authenticate_as_service();
select is(
  tests.error_of($$select app.waitpoint_token_complete(tests.get_tenant_id('t-runs-park-any'),
    encode(sha256('tap-any-token'::bytea), 'hex'), '{"late": true}')$$),
  'OR409: token_already_used',
  'Completing the cancelled token answers OR409 token_already_used'
);
select tests.clear_authentication();
update public.run_waitpoints set resume_at = now() - interval '1 second' where run_id = :'run' and kind = 'time';
select app.waitpoints_due() as due \gset
select app.event_emit(:'t', 'payment.received', 'webhook', '{"amount": 43}');
select results_eq(
  format($$select count(*)::int, min(output #>> '{result,payload,amount}') from public.run_steps where run_id = %L$$, :'run'),
  $$values (1, '42'::text)$$,
  'A timer coming due or a second event afterwards records nothing more: the step keeps the first winner'
);
select is(
  (select count(*)::int from pgmq.q_agent_jobs where message ->> 'run_id' = :'run'),
  1,
  'and queues the run no second time'
);

-- ============================================================================
-- RESUMING: the next claim is not a new attempt
-- ============================================================================
select tests.authenticate_as_service();
create temporary table resumed as select * from app.runs_claim('agent_jobs', 't-runs-any-worker-2', 30, 10);
select tests.clear_authentication();
select results_eq(
  $$select run_id, attempt, resumed from resumed$$,
  format($$values (%L::uuid, %s, true)$$, :'run', :first_attempt),
  'The next claim resumes the run on the same attempt'
);
select is(
  (select jsonb_agg(s ->> 'key') from resumed, jsonb_array_elements(steps) s),
  '["wait:first"]'::jsonb,
  'and hands the worker the recorded wait step, so parking on it again returns its record'
);
select results_eq(
  format($$select status, resuming, worker_id from public.runs where id = %L$$, :'run'),
  $$values ('running'::text, false, 't-runs-any-worker-2'::text)$$,
  'The run is running again, no longer marked as resuming'
);
select results_eq(
  format($$select event_type from public.event_log where tenant_id = %L and event_type like 'session.%%' order by created_at, event_type$$, :'t'),
  $$values ('session.waiting'::text)$$,
  'Parking emitted session.waiting; resolving the wait emits no run event of its own'
);

select * from finish();
rollback;
