-- app.run_park (a worker, as service_role) parks a running run on a wait step that is not
-- satisfied yet: the waitpoints are recorded, the run's message is archived and the run is
-- waiting with no worker and no message, session.waiting is emitted; and only the worker holding the
-- run's message can park it.
begin;
set local search_path = public, extensions;
select plan(13);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): a run of kind agent, claimed by a worker
select tests.create_tenant('t-runs-park') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as run from app.run_create(:'t', '{"kind":"agent","subject":"writer","input":{"query":"wait for it"}}') \gset
select tests.authenticate_as_service();
select msg_id as msg, attempt as claimed_attempt from app.runs_claim('agent_jobs', 't-runs-park-worker', 30, 10) \gset

-- ============================================================================
-- PARK on a timer an hour away and on an event
-- ============================================================================
select is(
  app.run_park(:'t', :'run', :msg, 'wait:review', 'any', jsonb_build_array(
    jsonb_build_object('kind', 'time', 'at', now() + interval '1 hour'),
    jsonb_build_object('kind', 'event', 'events', array['review.done'], 'filter', '{"doc": 7}'::jsonb))),
  '{"parked": true}'::jsonb,
  'A run whose waits are not satisfied is parked'
);
select tests.clear_authentication();

select results_eq(
  format($$select status, queue_msg_id, worker_id, attempt from public.runs where id = %L$$, :'run'),
  format($$values ('waiting'::text, null::bigint, null::text, %s)$$, :claimed_attempt),
  'It is waiting, with no message and no worker, on the same attempt'
);
select results_eq(
  format($$select (select count(*)::int from pgmq.q_agent_jobs where msg_id = %1$s),
    (select count(*)::int from pgmq.a_agent_jobs where msg_id = %1$s)$$, :msg),
  $$values (0, 1)$$,
  'Its message left the queue for the archive'
);
select results_eq(
  format($$select step_key, mode, position, kind, status, resume_at, event_names, event_keys, event_filter
    from public.run_waitpoints where run_id = %L order by position$$, :'run'),
  format($$values ('wait:review'::text, 'any'::text, 0, 'time'::text, 'pending'::text, now() + interval '1 hour',
      null::text[], null::text[], null::jsonb),
    ('wait:review', 'any', 1, 'event', 'pending', null, array['review.done'], array[%L || ':review.done'], '{"doc": 7}')$$, :'t'),
  'One pending waitpoint per wait, in order: the timer, and the event with its tenant-scoped key and filter'
);
select ok(
  (select tenant_id = :'t' from public.run_waitpoints where run_id = :'run' limit 1),
  'The waitpoints belong to the run''s tenant'
);
select is_empty(
  format($$select 1 from public.run_steps where run_id = %L and key = 'wait:review'$$, :'run'),
  'No step is recorded until the wait resolves'
);
select results_eq(
  format($$select payload ->> 'step', payload -> 'waits' from public.event_log where tenant_id = %L and event_type = 'session.waiting'$$, :'t'),
  $$values ('wait:review'::text, '["time", "event"]'::jsonb)$$,
  'session.waiting is emitted with the step and the kinds of its waits'
);

-- ============================================================================
-- ONLY THE HOLDER OF THE RUN'S MESSAGE PARKS IT
-- ============================================================================
select tests.authenticate_as_service();
select is(
  tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:again', 'any', '[{"kind":"time","at":"2999-01-01T00:00:00Z"}]')$$,
    :'t', :'run', :msg)),
  'OR409: run_not_running',
  'A waiting run cannot be parked again (OR409 run_not_running)'
);
select id as other from app.run_create(:'t', '{"kind":"agent","subject":"seo"}') \gset
select msg_id as other_msg from app.runs_claim('agent_jobs', 't-runs-park-worker', 30, 10) \gset
select is(
  tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:x', 'any', '[{"kind":"time","at":"2999-01-01T00:00:00Z"}]')$$,
    :'t', :'other', :other_msg + 1000)),
  'OR409: run_not_running',
  'A running run cannot be parked with a message that is not its own'
);
select is(
  tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:x', 'sometimes', '[{"kind":"time","at":"2999-01-01T00:00:00Z"}]')$$,
    :'t', :'other', :other_msg)),
  'OR400: invalid_wait',
  'A mode other than any or all is refused (OR400 invalid_wait)'
);
select is(
  tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:x', 'any', '[]')$$, :'t', :'other', :other_msg)),
  'OR400: invalid_wait',
  'So is an empty list of waits'
);
select is(
  tests.error_of(format($$select app.run_park(%L, %L, %s, 'wait:x', 'any', '[{"kind":"sunset"}]')$$, :'t', :'other', :other_msg)),
  'OR400: invalid_wait',
  'and a wait of an unknown kind'
);
select tests.clear_authentication();
select results_eq(
  format($$select status, queue_msg_id from public.runs where id = %L$$, :'other'),
  format($$values ('running'::text, %s::bigint)$$, :other_msg),
  'A refused park leaves the run running with its message'
);

select * from finish();
rollback;
