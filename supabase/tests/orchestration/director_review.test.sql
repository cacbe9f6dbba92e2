-- app.director_review (cron, every 15 minutes): a running session without a heartbeat for 20
-- minutes is escalated once (event blocker.escalated, escalated_at set) and each tenant with
-- active sessions gets a director_reviews row with findings and decisions; later reviews list the
-- session again but do not escalate it again, and fresh sessions are left alone.
begin;
set local search_path = public, extensions;
select plan(15);

-- FIXTURES (as postgres): in R, a writer whose heartbeat is 30 minutes old and an seo session
-- that is fresh; Q has only a finished session
select tests.create_tenant('t-orch-director-r') as r \gset
select tests.create_tenant('t-orch-director-q') as q \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'r', :'q');
select app.agent_pack_install(:'r', 'content');
select app.agent_pack_install(:'q', 'content');
select id as stalled from app.spawn_session(:'r', '{"agent":"writer"}') \gset
select id as fresh from app.spawn_session(:'r', '{"agent":"seo"}') \gset
update public.agent_sessions set status = 'running', attempts = 1, started_at = now() - interval '40 minutes',
  heartbeat_at = now() - interval '30 minutes'
where id = :'stalled';
update public.agent_sessions set status = 'running', attempts = 1, started_at = now() - interval '40 minutes',
  heartbeat_at = now() - interval '1 minute'
where id = :'fresh';
select id as finished from app.spawn_session(:'q', '{"agent":"writer"}') \gset
select app.complete_session(:'q', :'finished', null, '{"summary":"done"}');

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
  (select escalated_at from public.agent_sessions where id = :'stalled'),
  null,
  'and marked escalated'
);
select results_eq(
  format($$select escalated_at, status from public.agent_sessions where id = %L$$, :'fresh'),
  $$values (null::timestamptz, 'running'::text)$$,
  'The session with a fresh heartbeat is neither escalated nor touched'
);
select is(
  (select status from public.agent_sessions where id = :'stalled'),
  'running',
  'Escalating does not cancel or fail the stalled session (a person decides)'
);

select results_eq(
  format($$select sessions_checked, jsonb_array_length(findings), findings -> 0 ->> 'session_id', findings -> 0 ->> 'agent',
      (findings -> 0 ->> 'last_heartbeat')::timestamptz = now() - interval '30 minutes'
    from public.director_reviews where tenant_id = %L$$, :'r'),
  format($$values (2, 1, %L::text, 'writer'::text, true)$$, :'stalled'),
  'R gets one review: 2 active sessions checked, the stalled one in the findings with its last heartbeat'
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
update public.agent_sessions set escalated_at = now() - interval '15 minutes' where id = :'stalled';
update public.director_reviews set reviewed_at = now() - interval '15 minutes' where tenant_id = :'r';
select cmp_ok(app.director_review(), '>=', 1, 'A second review runs');

select is(
  (select count(*)::int from public.event_log where tenant_id = :'r' and event_type = 'blocker.escalated'),
  1,
  'It writes no second blocker.escalated event for the session still stalled'
);
select is(
  (select escalated_at from public.agent_sessions where id = :'stalled'),
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
  (select escalated_at from public.agent_sessions where id = :'fresh'),
  null,
  'The fresh session is still not escalated'
);

-- once the stalled session finishes it is no longer a finding
select app.complete_session(:'r', :'stalled', null, '{"summary":"finally"}');
update public.director_reviews set reviewed_at = now() - interval '1 minute' where tenant_id = :'r' and reviewed_at = now();
select app.director_review();
select results_eq(
  format($$select sessions_checked, findings, decisions from public.director_reviews
    where tenant_id = %L and reviewed_at = now()$$, :'r'),
  $$values (1, '[]'::jsonb, '[]'::jsonb)$$,
  'After it completes, R''s review checks one session and finds nothing'
);

select * from finish();
rollback;
