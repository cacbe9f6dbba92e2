-- The lost release: a worker sees a breaker open (or a probe in flight), the probe succeeds and
-- app.queue_release runs, and only then does the worker record its deferral — which the release
-- never saw, so the job would sit out its whole delay (up to a minute) after the dependency
-- recovered. app.queue_defer registers the deferral, then asks the check registered for the key's
-- prefix (breaker: → app.breaker_released, which locks the breaker row) whether the key is
-- released already, and if so releases it at once.
begin;
set local search_path = public, extensions;
select plan(6);

select tests.create_tenant('tap-lost-release');
select tests.get_tenant_id('tap-lost-release') as t \gset
select app.queue_register('t_lost_release', 't-lost-release-worker', 'pgTAP: lost release', 0);
select pgmq.send('t_lost_release', jsonb_build_object('tenant_id', :'t'::text, 'job', 'late')) as late \gset
select pgmq.send('t_lost_release', jsonb_build_object('tenant_id', :'t'::text, 'job', 'blocked')) as blocked \gset
-- the breaker the worker saw: open, and (for the first job) closed again before it deferred
insert into public.circuit_breakers (tenant_id, key, state, opened_at, open_until)
values (:'t', 'llm:recovered.example', 'closed', null, null),
       (:'t', 'llm:down.example', 'open', now(), now() + interval '60 seconds');
create temporary view msgs as
  select msg_id, vt <= clock_timestamp() as visible from pgmq.q_t_lost_release;

select tests.authenticate_as_service();
select count(*) from app.queue_claim('t_lost_release', 30, 10);
select ok(app.queue_defer('t_lost_release', :late, :'t', 60, 'breaker:llm:recovered.example'), 'The late deferral is recorded');
select ok(app.queue_defer('t_lost_release', :blocked, :'t', 60, 'breaker:llm:down.example'), 'So is the one whose breaker is still open');
select tests.clear_authentication();

select is((select visible from msgs where msg_id = :late), true,
  'A deferral on a breaker that already closed is released at once, not after 60 s');
select is((select count(*)::int from app.queue_deferrals where msg_id = :late and queue_name = 't_lost_release'), 0,
  'and leaves no deferral behind');
select is((select visible from msgs where msg_id = :blocked), false,
  'A deferral on a breaker still open waits');

select app.breaker_record(:'t', 'llm:down.example', true);
select is((select visible from msgs where msg_id = :blocked), true,
  'and is released when the breaker closes');

select * from finish();
rollback;
