-- A wait step in mode all resumes its run only when every waitpoint has resolved (or timed out):
-- each resolution before the last is recorded on its waitpoint and the run keeps waiting, with no
-- message; the last one records the step with every result, in order, and queues the run. A runs
-- wait (all of its runs, the default) resolves when the last of them finishes, however it ends.
begin;
set local search_path = public, extensions;
select plan(9);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): a coordinating run with two children, parked on all of: both
-- children finishing, and a sign-off event
select tests.create_tenant('t-runs-park-all') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as run from app.run_create(:'t', '{"kind":"orchestration","subject":"ora"}') \gset
select tests.authenticate_as_service();
select msg_id as msg from app.runs_claim('agent_jobs', 't-runs-all-worker', 30, 10) \gset
select id as c1 from app.run_create(:'t', format('{"kind":"agent","subject":"writer","parent_run_id":"%s"}', :'run')::jsonb) \gset
select id as c2 from app.run_create(:'t', format('{"kind":"agent","subject":"seo","parent_run_id":"%s"}', :'run')::jsonb) \gset
select app.run_park(:'t', :'run', :msg, 'wait:all', 'all', jsonb_build_array(
  jsonb_build_object('kind', 'runs', 'run_ids', array[:'c1'::uuid, :'c2'::uuid]),
  jsonb_build_object('kind', 'event', 'events', array['brief.signed_off']))) as parked \gset
select tests.clear_authentication();
select is((:'parked'::jsonb) -> 'parked', 'true'::jsonb, 'The coordinator is parked on its children and a sign-off');

create temporary view coordinator as
  select r.status, r.queue_msg_id is not null as has_message,
    (select array_agg(w.status order by w.position) from public.run_waitpoints w where w.run_id = r.id) as waits
  from public.runs r where r.id = :'run';

-- ============================================================================
-- ONE BY ONE
-- ============================================================================
select app.run_complete(:'t', :'c1', null, '{"summary":"draft"}') as c1_done \gset
select results_eq(
  $$select * from coordinator$$,
  $$values ('waiting'::text, false, array['pending', 'pending'])$$,
  'One child of two completing leaves the runs wait pending and the run waiting'
);
select app.event_emit(:'t', 'brief.signed_off', 'api', '{"by": "editor"}');
select results_eq(
  $$select * from coordinator$$,
  $$values ('waiting'::text, false, array['pending', 'resolved'])$$,
  'The sign-off resolves its waitpoint, but the run keeps waiting for the other'
);
select is_empty(
  format($$select 1 from public.run_steps where run_id = %L and key = 'wait:all'$$, :'run'),
  'and nothing is recorded for the step yet'
);

-- the second child fails for good: finished all the same
select tests.authenticate_as_service();
select msg_id as c2_msg from app.runs_claim('agent_jobs', 't-runs-all-worker', 30, 10) \gset
select is(app.run_fail(:'t', :'c2', :c2_msg, '{"message":"no keywords"}', 0, false), 'failed', 'The second child fails for good');
select tests.clear_authentication();

select results_eq(
  $$select * from coordinator$$,
  $$values ('queued'::text, true, array['resolved', 'resolved'])$$,
  'With both waits resolved the coordinator is queued again'
);
select results_eq(
  format($$select output ->> 'status', (output ->> 'timed_out')::boolean, jsonb_array_length(output -> 'results')
    from public.run_steps where run_id = %L and key = 'wait:all'$$, :'run'),
  $$values ('resolved'::text, false, 2)$$,
  'The step is recorded as resolved with both results'
);
select is(
  (select output #> '{results,0,result,runs}' from public.run_steps where run_id = :'run' and key = 'wait:all'),
  jsonb_build_array(jsonb_build_object('id', :'c1'::uuid, 'status', 'completed'), jsonb_build_object('id', :'c2'::uuid, 'status', 'failed')),
  'in order: first the runs, each with how it ended'
);
select is(
  (select output #> '{results,1,result,payload}' from public.run_steps where run_id = :'run' and key = 'wait:all'),
  '{"by": "editor"}'::jsonb,
  'then the sign-off event'
);

select * from finish();
rollback;
