-- Cancelling a parked run cancels its waitpoints: the event, token or timer it waited for no
-- longer resumes it (a late token is refused as already used), and the runs waiting for the
-- cancelled run resume, told it ended cancelled.
begin;
set local search_path = public, extensions;
select plan(8);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): W parks on any of an event, a token and a timer; X parks waiting for W
select tests.create_tenant('t-runs-cancel-waits') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as w from app.run_create(:'t', '{"kind":"agent","subject":"writer","priority":1}') \gset
select id as x from app.run_create(:'t', '{"kind":"agent","subject":"seo"}') \gset
select tests.authenticate_as_service();
create temporary table claimed as select run_id, msg_id from app.runs_claim('agent_jobs', 't-runs-cancel-worker', 30, 10);
select msg_id as w_msg from claimed where run_id = :'w' \gset
select msg_id as x_msg from claimed where run_id = :'x' \gset
select app.waitpoint_token_create(:'t', :'w', encode(sha256('tap-cancel-token'::bytea), 'hex'), null) as token_wp \gset
select app.run_park(:'t', :'w', :w_msg, 'wait:input', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'event', 'events', array['input.given']),
  jsonb_build_object('kind', 'token', 'waitpoint_id', :'token_wp'::uuid),
  jsonb_build_object('kind', 'time', 'at', now() + interval '1 hour'))) ->> 'parked' as w_parked \gset
select app.run_park(:'t', :'x', :x_msg, 'wait:w', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'runs', 'run_ids', array[:'w'::uuid]))) ->> 'parked' as x_parked \gset
select is(array[:'w_parked', :'x_parked'], array['true', 'true'], 'W and X are parked');

-- ============================================================================
-- CANCEL W
-- ============================================================================
select is(app.run_cancel(:'t', :'w', 'user gave up'), 1, 'Cancelling W cancels one run');
select tests.clear_authentication();

select results_eq(
  format($$select kind, status, resolved_at is not null from public.run_waitpoints where run_id = %L order by position$$, :'w'),
  $$values ('event'::text, 'cancelled'::text, true), ('token', 'cancelled', true), ('time', 'cancelled', true)$$,
  'Its three waitpoints are cancelled'
);

select app.event_emit(:'t', 'input.given', 'api', '{}');
update public.run_waitpoints set resume_at = now() - interval '1 second' where run_id = :'w' and kind = 'time';
select app.waitpoints_due() as due \gset
select results_eq(
  format($$select status, queue_msg_id, (select count(*)::int from public.run_steps s where s.run_id = r.id)
    from public.runs r where r.id = %L$$, :'w'),
  $$values ('cancelled'::text, null::bigint, 0)$$,
  'The event arriving and the timer coming due afterwards neither record the step nor queue W'
);
select tests.authenticate_as_service();
select is(
  tests.error_of($$select app.waitpoint_token_complete(tests.get_tenant_id('t-runs-cancel-waits'),
    encode(sha256('tap-cancel-token'::bytea), 'hex'), '{"input": "too late"}')$$),
  'OR409: token_already_used',
  'Its token answers OR409 token_already_used'
);
select tests.clear_authentication();

-- ============================================================================
-- X, WAITING FOR W, RESUMES
-- ============================================================================
select results_eq(
  format($$select w.status, r.status from public.run_waitpoints w join public.runs r on r.id = w.run_id where w.run_id = %L$$, :'x'),
  $$values ('resolved'::text, 'queued'::text)$$,
  'X''s wait for W is resolved and X is queued to resume'
);
select is(
  (select output #> '{result,runs}' from public.run_steps where run_id = :'x' and key = 'wait:w'),
  jsonb_build_array(jsonb_build_object('id', :'w'::uuid, 'status', 'cancelled')),
  'told that W ended cancelled'
);
select is(
  (select count(*)::int from pgmq.q_agent_jobs where message ->> 'run_id' = :'w'),
  0,
  'W has no message left in the queue'
);

select * from finish();
rollback;
