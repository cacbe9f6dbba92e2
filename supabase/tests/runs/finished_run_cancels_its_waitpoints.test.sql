-- A run that finishes — completed or failed for good — can never be resumed, so its pending
-- waitpoints are cancelled with it: a completion token it handed out and never awaited then
-- answers token_already_used instead of reporting a resolution that resumes nothing.
begin;
set local search_path = public, extensions;
select plan(6);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): two claimed runs, each with a completion token it never awaits
select tests.create_tenant('t-runs-finish-waits') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select id as done from app.run_create(:'t', '{"kind":"agent","subject":"writer","priority":1}') \gset
select id as failing from app.run_create(:'t', '{"kind":"agent","subject":"seo"}') \gset
select tests.authenticate_as_service();
create temporary table claimed as select run_id, msg_id from app.runs_claim('agent_jobs', 't-finish-waits-worker', 30, 10);
select msg_id as done_msg from claimed where run_id = :'done' \gset
select msg_id as failing_msg from claimed where run_id = :'failing' \gset
select app.waitpoint_token_create(:'t', :'done', repeat('d', 64), now() + interval '1 day') as done_token \gset
select app.waitpoint_token_create(:'t', :'failing', repeat('f', 64), null) as failing_token \gset

-- ============================================================================
-- COMPLETED
-- ============================================================================
select is(app.run_complete(:'t', :'done', :done_msg, '{"summary":"finished without the approval"}'), 'completed',
  'A run completes without awaiting the token it handed out');
select tests.clear_authentication();
select is((select status from public.run_waitpoints where id = :'done_token'), 'cancelled', 'Its pending token is cancelled');
select tests.authenticate_as_service();
select is(
  tests.error_of(format($$select * from app.waitpoint_token_complete(%L, %L, '{"approved": true}')$$, :'t', repeat('d', 64))),
  'OR409: token_already_used',
  'Completing that token later answers OR409 token_already_used'
);

-- ============================================================================
-- FAILED FOR GOOD
-- ============================================================================
select is(app.run_fail(:'t', :'failing', :failing_msg, '{"message":"broken"}', 0, false), 'failed', 'The other run fails for good');
select tests.clear_authentication();
select is((select status from public.run_waitpoints where id = :'failing_token'), 'cancelled', 'and its token is cancelled too');

-- the tick never times out waitpoints of finished runs
update public.run_waitpoints set resume_at = now() - interval '1 second' where id = :'done_token';
select app.waitpoints_due() as due \gset
select is((select status from public.run_waitpoints where id = :'done_token'), 'cancelled',
  'A finished run''s waitpoint is not timed out by the tick later');

select * from finish();
rollback;
