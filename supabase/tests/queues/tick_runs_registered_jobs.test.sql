-- app.tick (cron: every second, or every 500 ms through app.tick_loop) runs every job registered
-- with app.tick_register, in run_order, each in isolation: one failing job is recorded (its work
-- undone, a warning raised) and the others still run.
begin;
set local search_path = public, extensions;
select plan(9);

-- The cron tick may be running right now: wait for it and hold its lock (app.tick takes it again,
-- advisory locks are re-entrant within a session), so no tick of cron's skips or races this one.
select pg_advisory_xact_lock(pg_catalog.hashtext('app.tick'));

-- FIXTURES (as postgres): two jobs around the built-in ones; the first writes an event, then fails
select tests.create_tenant('t-tick-jobs') as t \gset
create function app.t_tick_fails() returns integer language plpgsql set search_path = '' as $$
begin
  insert into public.event_log (tenant_id, event_type)
  select t.id, 'tick.half_done' from public.tenants t where t.slug = 't-tick-jobs';
  raise exception 'half done and broken';
end;
$$;
create function app.t_tick_counts() returns integer language sql set search_path = '' as $$
  insert into public.event_log (tenant_id, event_type)
  select t.id, 'tick.ran' from public.tenants t where t.slug = 't-tick-jobs'
  returning 7
$$;
select app.tick_register('t-tick-fails', 'app.t_tick_fails', 1);
select app.tick_register('t-tick-counts', 'app.t_tick_counts', 2);

select ok(
  (select array_agg(name order by run_order, name) from app.tick_jobs)
    @> array['waitpoints', 'deadlines', 'tasks', 'queues', 't-tick-fails', 't-tick-counts'],
  'The migrations registered their tick jobs (waitpoints, deadlines, tasks, queues)'
);

-- ============================================================================
-- ONE PASS
-- ============================================================================
select app.tick() as result \gset

select ok((:'result'::jsonb) ?& array['waitpoints', 'deadlines', 'tasks', 'queues', 't-tick-fails', 't-tick-counts'],
  'One pass runs every registered job and reports each by name');
select is((:'result'::jsonb) -> 't-tick-counts', '7'::jsonb, 'A job''s report is what its function returned');
select is((:'result'::jsonb) -> 't-tick-fails', '{"error": "half done and broken"}'::jsonb,
  'A failing job is reported with its error');
select is(
  (select count(*)::int from public.event_log where tenant_id = :'t' and event_type = 'tick.ran'),
  1,
  'The job after the failing one still ran'
);
select is_empty(
  format($$select 1 from public.event_log where tenant_id = %L and event_type = 'tick.half_done'$$, :'t'),
  'and what the failing job did before it failed was undone'
);
select results_eq(
  $$select name, last_result, last_run_at = now() from app.tick_jobs where name like 't-tick-%' order by run_order$$,
  $$values ('t-tick-fails'::text, '{"error": "half done and broken"}'::jsonb, true), ('t-tick-counts', '7'::jsonb, true)$$,
  'Each job''s last result and time are recorded'
);
select ok(
  (select bool_and(jsonb_typeof(last_result) = 'number') from app.tick_jobs
   where name in ('waitpoints', 'deadlines', 'tasks', 'queues')),
  'The built-in jobs ran too and reported counts'
);

-- ============================================================================
-- A SECOND PASS runs them all again
-- ============================================================================
select app.tick() as again \gset
select is(
  (select count(*)::int from public.event_log where tenant_id = :'t' and event_type = 'tick.ran'),
  2,
  'A second pass runs the jobs again'
);

select * from finish();
rollback;
