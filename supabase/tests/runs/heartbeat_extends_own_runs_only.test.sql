-- app.runs_heartbeat (one call per worker for all the runs it holds, as service_role): extends the
-- visibility of the worker's own runs' messages, records their heartbeat and renews the worker's
-- consumer lease; it answers which runs are no longer the worker's (cancelled, taken over) so it
-- aborts them, and never extends a message that another worker holds.
begin;
set local search_path = public, extensions;
select plan(7);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): worker W holds R1 and R2; worker V holds R3
select tests.create_tenant('t-runs-heartbeat') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as r1 from app.run_create(:'t', '{"kind":"agent","subject":"writer","priority":3}') \gset
select id as r2 from app.run_create(:'t', '{"kind":"agent","subject":"seo","priority":2}') \gset
select tests.authenticate_as_service();
create temporary table held as select run_id, msg_id from app.runs_claim('agent_jobs', 't-heartbeat-w', 30, 10);
select tests.clear_authentication();
select msg_id as m1 from held where run_id = :'r1' \gset
select msg_id as m2 from held where run_id = :'r2' \gset
select id as r3 from app.run_create(:'t', '{"kind":"agent","subject":"social"}') \gset
select tests.authenticate_as_service();
select msg_id as m3 from app.runs_claim('agent_jobs', 't-heartbeat-v', 30, 10) \gset
select tests.clear_authentication();
update public.runs set heartbeat_at = now() - interval '20 seconds' where id in (:'r1', :'r2', :'r3');

-- ============================================================================
-- W'S HEARTBEAT
-- ============================================================================
select tests.authenticate_as_service();
select is(
  array(select app.runs_heartbeat('agent_jobs', 't-heartbeat-w', array[:m1, :m2]::bigint[], 300)),
  '{}'::uuid[],
  'W''s heartbeat for its two runs answers that both are still its own'
);
select tests.clear_authentication();
select is(
  (select count(*)::int from pgmq.q_agent_jobs where msg_id in (:m1, :m2) and vt > clock_timestamp() + interval '250 seconds'),
  2,
  'Their messages are hidden for the new visibility timeout'
);
select results_eq(
  format($$select id, heartbeat_at = now() from public.runs where id in (%L, %L, %L) order by heartbeat_at desc, id$$, :'r1', :'r2', :'r3'),
  format($$select id, id <> %L from public.runs where id in (%L, %L, %L) order by heartbeat_at desc, id$$, :'r3', :'r1', :'r2', :'r3'),
  'Their heartbeats are recorded; V''s run is not touched'
);
select ok(
  (select expires_at = now() + interval '600 seconds' from app.queue_consumers where queue_name = 'agent_jobs' and worker_id = 't-heartbeat-w'),
  'W''s consumer lease is renewed for twice the visibility timeout'
);

-- ============================================================================
-- A CANCELLED RUN, AND ANOTHER WORKER'S MESSAGE
-- ============================================================================
select tests.authenticate_as_service();
select is(app.run_cancel(:'t', :'r2', 'stop'), 1, 'R2 is cancelled while W runs it');
create temporary table stopped as
  select app.runs_heartbeat('agent_jobs', 't-heartbeat-w', array[:m1, :m2, :m3]::bigint[], 900) as run_id;
select results_eq(
  $$select run_id from stopped order by run_id$$,
  format($$select unnest(array[%L, %L]::uuid[]) order by 1$$, :'r2', :'r3'),
  'W''s next heartbeat answers that R2 is no longer its to run (cancelled), nor R3 (V''s, named by mistake)'
);
select tests.clear_authentication();
select ok(
  (select vt < clock_timestamp() + interval '60 seconds' from pgmq.q_agent_jobs where msg_id = :m3),
  'and leaves the visibility of V''s message alone'
);

select * from finish();
rollback;
