-- A wait with a timeout that passes resolves as timed_out, not as an error: app.waitpoints_due()
-- (the tick job) times out due waits and resolves due timers, and the run resumes with a timeout
-- result; a timeout already past when the run parks times out at once. For a kind whose deadline
-- times out its waits (orchestration), the deadline caps every wait's timeout.
begin;
set local search_path = public, extensions;
select plan(10);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): two claimed runs; one waits for an approval event for up to an hour,
-- the other sleeps for an hour
select tests.create_tenant('t-runs-timeout') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as waiter from app.run_create(:'t', '{"kind":"agent","subject":"writer","priority":2}') \gset
select id as sleeper from app.run_create(:'t', '{"kind":"agent","subject":"seo","priority":1}') \gset
select tests.authenticate_as_service();
create temporary table claimed as select run_id, msg_id from app.runs_claim('agent_jobs', 't-runs-timeout-worker', 30, 10);
select msg_id as waiter_msg from claimed where run_id = :'waiter' \gset
select msg_id as sleeper_msg from claimed where run_id = :'sleeper' \gset
select app.run_park(:'t', :'waiter', :waiter_msg, 'wait:approval', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'event', 'events', array['draft.approved'], 'timeout_at', now() + interval '1 hour'))) as p1 \gset
select app.run_park(:'t', :'sleeper', :sleeper_msg, 'sleep:1h', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'time', 'at', now() + interval '1 hour'))) as p2 \gset
select tests.clear_authentication();
select is(array[(:'p1'::jsonb) -> 'parked', (:'p2'::jsonb) -> 'parked'], array['true'::jsonb, 'true'::jsonb], 'Both runs are parked');

-- ============================================================================
-- NOT DUE YET: nothing happens
-- ============================================================================
select app.waitpoints_due() as due_early \gset
select results_eq(
  format($$select status from public.run_waitpoints where run_id in (%L, %L)$$, :'waiter', :'sleeper'),
  $$values ('pending'::text), ('pending')$$,
  'Before their time the tick leaves both waits pending'
);

-- ============================================================================
-- AN HOUR LATER (the waits' times moved back instead of sleeping)
-- ============================================================================
update public.run_waitpoints set resume_at = now() - interval '1 second' where run_id in (:'waiter', :'sleeper');
select cmp_ok(app.waitpoints_due(), '>=', 2, 'The tick job handles the two due waits');

select results_eq(
  format($$select status, result from public.run_waitpoints where run_id = %L$$, :'waiter'),
  $$values ('timed_out'::text, '{"timed_out": true}'::jsonb)$$,
  'The event wait whose timeout passed is timed_out'
);
select results_eq(
  format($$select output ->> 'status', (output ->> 'timed_out')::boolean from public.run_steps where run_id = %L and key = 'wait:approval'$$, :'waiter'),
  $$values ('timed_out'::text, true)$$,
  'Its step is recorded as timed out (a result, not an error)'
);
select results_eq(
  format($$select status, wake ->> 'status', error from public.runs where id = %L$$, :'waiter'),
  $$values ('queued'::text, 'timed_out'::text, null::jsonb)$$,
  'and the run is queued to resume, woken by the timeout, with no error'
);
select results_eq(
  format($$select w.status, s.output ->> 'status', r.status from public.run_waitpoints w
    join public.run_steps s on s.run_id = w.run_id and s.key = w.step_key join public.runs r on r.id = w.run_id
    where w.run_id = %L$$, :'sleeper'),
  $$values ('resolved'::text, 'resolved'::text, 'queued'::text)$$,
  'The timer that came due is resolved (not timed out) and its run queued to resume'
);

-- ============================================================================
-- A TIMEOUT ALREADY PAST when the run parks
-- ============================================================================
select tests.authenticate_as_service();
select msg_id as waiter_msg2 from app.runs_claim('agent_jobs', 't-runs-timeout-worker', 30, 10) where run_id = :'waiter' \gset
select is(
  app.run_park(:'t', :'waiter', :waiter_msg2, 'wait:late', 'any', jsonb_build_array(
    jsonb_build_object('kind', 'event', 'events', array['draft.approved'], 'timeout_at', now() - interval '1 minute'))) #>> '{output,status}',
  'timed_out',
  'A wait whose timeout is already past times out at once, without parking'
);
select tests.clear_authentication();

-- ============================================================================
-- DEADLINE: an orchestration's waits time out at its deadline at the latest
-- ============================================================================
select id as coordinator from app.run_create(:'t', jsonb_build_object('kind', 'orchestration', 'subject', 'ora',
  'deadline_at', now() + interval '10 minutes')) \gset
select tests.authenticate_as_service();
select msg_id as coordinator_msg from app.runs_claim('agent_jobs', 't-runs-timeout-worker', 30, 10) where run_id = :'coordinator' \gset
select app.run_park(:'t', :'coordinator', :coordinator_msg, 'wait:children', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'event', 'events', array['children.done']),
  jsonb_build_object('kind', 'event', 'events', array['children.late'], 'timeout_at', now() + interval '1 day'))) as p3 \gset
select tests.clear_authentication();
select results_eq(
  format($$select position, resume_at from public.run_waitpoints where run_id = %L order by position$$, :'coordinator'),
  $$values (0, now() + interval '10 minutes'), (1, now() + interval '10 minutes')$$,
  'Its waits time out at its deadline: one that had no timeout, and one whose timeout was later'
);
update public.run_waitpoints set resume_at = now() - interval '1 second' where run_id = :'coordinator';
update public.runs set deadline_at = now() - interval '1 second' where id = :'coordinator';
select app.waitpoints_due() as due_deadline \gset
select results_eq(
  format($$select status, timed_out, wake ->> 'status' from public.runs where id = %L$$, :'coordinator'),
  $$values ('queued'::text, true, 'timed_out'::text)$$,
  'At the deadline it resumes, marked timed_out, to write its timeout brief'
);

select * from finish();
rollback;
