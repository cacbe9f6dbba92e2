-- app.director_review (cron, every 15 minutes): an agent session (a run of kind agent) queued or
-- running without a sign of life for 20 minutes is escalated once (event blocker.escalated,
-- escalated_at set) and each tenant with active sessions gets a director_reviews row with findings
-- and decisions; later reviews list the session again but do not escalate it again. Fresh
-- sessions, waiting sessions and coordinators (which only wait for their children) are left alone.
begin;
set local search_path = public, extensions;
select plan(16);

-- FIXTURES (as postgres): in R, a writer whose heartbeat is 30 minutes old, a fresh seo session,
-- a coordinator silent for an hour and a session parked for an hour; Q has only a finished session
select tests.create_tenant('t-runs-director-r') as r \gset
select tests.create_tenant('t-runs-director-q') as q \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'r', :'q');
select app.agent_pack_install(:'r', 'content') + app.agent_pack_install(:'q', 'content') as installed \gset
select id as stalled from app.session_spawn(:'r', '{"agent":"writer"}') \gset
select id as fresh from app.session_spawn(:'r', '{"agent":"seo"}') \gset
select id as coordinator from app.session_spawn(:'r', '{"agent":"ora","kind":"orchestration"}') \gset
select id as parked from app.session_spawn(:'r', '{"agent":"analyst"}') \gset
update public.runs set status = 'running', attempt = 1, started_at = now() - interval '40 minutes',
  heartbeat_at = now() - interval '30 minutes'
where id = :'stalled';
update public.runs set status = 'running', attempt = 1, started_at = now() - interval '40 minutes',
  heartbeat_at = now() - interval '1 minute'
where id = :'fresh';
update public.runs set status = 'running', attempt = 1, started_at = now() - interval '2 hours',
  heartbeat_at = now() - interval '1 hour'
where id = :'coordinator';
update public.runs set status = 'waiting', queue_msg_id = null, attempt = 1, heartbeat_at = now() - interval '1 hour'
where id = :'parked';
select id as finished from app.session_spawn(:'q', '{"agent":"writer"}') \gset
select app.run_complete(:'q', :'finished', null, '{"summary":"done"}') as q_done \gset

-- ============================================================================
-- FIRST REVIEW
-- ============================================================================
select cmp_ok(app.director_review(), '>=', 1, 'The review runs and reviews at least tenant R');

select results_eq(
  format($$select payload ->> 'session_id', payload ->> 'agent', payload ->> 'status', payload ->> 'reason', event_source
    from public.event_log where tenant_id = %L and event_type = 'blocker.escalated'$$, :'r'),
  format($$values (%L::text, 'writer'::text, 'running'::text, 'no heartbeat for 00:20:00'::text, 'system'::text)$$, :'stalled'),
  'The session silent for 30 minutes is escalated with one blocker.escalated event'
);
select isnt(
  (select escalated_at from public.runs where id = :'stalled'),
  null,
  'and marked escalated'
);
select results_eq(
  format($$select id, escalated_at, status from public.runs where id in (%L, %L, %L) order by status, id$$, :'fresh', :'coordinator', :'parked'),
  format($$select id, null::timestamptz, status from public.runs where id in (%L, %L, %L) order by status, id$$, :'fresh', :'coordinator', :'parked'),
  'The fresh session, the silent coordinator and the parked session are neither escalated nor touched'
);
select is(
  (select status from public.runs where id = :'stalled'),
  'running',
  'Escalating does not cancel or fail the stalled session (a person decides)'
);

select results_eq(
  format($$select sessions_checked, jsonb_array_length(findings), findings -> 0 ->> 'session_id', findings -> 0 ->> 'agent',
      (findings -> 0 ->> 'last_heartbeat')::timestamptz = now() - interval '30 minutes', (findings -> 0 ->> 'attempts')::int
    from public.director_reviews where tenant_id = %L$$, :'r'),
  format($$values (2, 1, %L::text, 'writer'::text, true, 1)$$, :'stalled'),
  'R gets one review: its 2 active agent sessions checked, the stalled one in the findings with its last heartbeat'
);
select is(
  (select decisions from public.director_reviews where tenant_id = :'r'),
  jsonb_build_array(jsonb_build_object('session_id', :'stalled'::uuid, 'decision', 'escalated')),
  'and the decision to escalate it'
);
select is_empty(
  format($$select 1 from public.director_reviews where tenant_id = %L$$, :'q'),
  'A tenant without active sessions gets no review'
);

-- ============================================================================
-- SECOND REVIEW: the same session is not escalated again
-- ============================================================================
-- pretend the first review ran 15 minutes ago
update public.runs set escalated_at = now() - interval '15 minutes' where id = :'stalled';
update public.director_reviews set reviewed_at = now() - interval '15 minutes' where tenant_id = :'r';
select cmp_ok(app.director_review(), '>=', 1, 'A second review runs');

select is(
  (select count(*)::int from public.event_log where tenant_id = :'r' and event_type = 'blocker.escalated'),
  1,
  'It writes no second blocker.escalated event for the session still stalled'
);
select is(
  (select escalated_at from public.runs where id = :'stalled'),
  now() - interval '15 minutes',
  'and leaves its escalated_at from the first review'
);
select results_eq(
  format($$select sessions_checked, findings -> 0 ->> 'session_id', decisions from public.director_reviews
    where tenant_id = %L and reviewed_at = now()$$, :'r'),
  format($$values (2, %L::text, '[]'::jsonb)$$, :'stalled'),
  'Its review row still lists the stalled session as a finding, with no new decision'
);
select is(
  (select count(*)::int from public.director_reviews where tenant_id = :'r'),
  2,
  'R has one review row per review'
);
select is(
  (select escalated_at from public.runs where id = :'fresh'),
  null,
  'The fresh session is still not escalated'
);

-- ============================================================================
-- A QUEUED SESSION nobody claims for 20 minutes is a finding too
-- ============================================================================
select app.run_complete(:'r', :'stalled', null, '{"summary":"finally"}') as stalled_done \gset
update public.runs set status = 'queued', heartbeat_at = null, queued_at = now() - interval '25 minutes' where id = :'fresh';
update public.director_reviews set reviewed_at = now() - interval '1 minute' where tenant_id = :'r' and reviewed_at = now();
select app.director_review() as third \gset
select results_eq(
  format($$select sessions_checked, findings -> 0 ->> 'session_id', findings -> 0 ->> 'status', decisions -> 0 ->> 'decision'
    from public.director_reviews where tenant_id = %L and reviewed_at = now()$$, :'r'),
  format($$values (1, %L::text, 'queued'::text, 'escalated'::text)$$, :'fresh'),
  'Once the stalled one completed, the review checks one session: queued unclaimed for 25 minutes, escalated'
);
select is(
  (select count(*)::int from public.event_log where tenant_id = :'r' and event_type = 'blocker.escalated'),
  2,
  'with its own blocker.escalated event'
);

select * from finish();
rollback;
