-- Completion tokens (app.waitpoint_token_create / app.waitpoint_token_complete, as service_role
-- on behalf of an outside caller): only the token's SHA-256 is stored; completing it resumes the
-- run waiting on it with the caller's result, once; another tenant cannot complete it (not found,
-- nothing changes), nor create a token on a run that is not its own.
begin;
set local search_path = public, extensions;
select plan(12);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): A's run, parked on a token (the caller keeps the token, the database
-- its hash); B has a run of its own
select encode(sha256('tap-secret-completion-token'::bytea), 'hex') as token_hash \gset
select tests.create_tenant('t-runs-token-a') as a \gset
select tests.create_tenant('t-runs-token-b') as b \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'a', :'b');
select id as run from app.run_create(:'a', '{"kind":"agent","subject":"writer"}') \gset
select id as b_run from app.run_create(:'b', '{"kind":"agent","subject":"writer","enqueue":false}') \gset
select tests.authenticate_as_service();
select msg_id as msg from app.runs_claim('agent_jobs', 't-runs-token-worker', 30, 10) \gset

-- ============================================================================
-- CREATE
-- ============================================================================
select app.waitpoint_token_create(:'a', :'run', :'token_hash', now() + interval '1 day') as wp \gset
select is(
  tests.error_of(format($$select app.waitpoint_token_create(%L, %L, 'not-a-digest', null)$$, :'a', :'run')),
  'OR400: invalid_token',
  'A token_hash that is not a SHA-256 hex digest is refused (OR400 invalid_token)'
);
select is(
  tests.error_of(format($$select app.waitpoint_token_create(%L, %L, %L, null)$$, :'b', :'run', repeat('b', 64))),
  'OR404: run_not_found',
  'B cannot create a token on A''s run (OR404 run_not_found)'
);
select app.run_park(:'a', :'run', :msg, 'wait:approval', 'any', jsonb_build_array(
  jsonb_build_object('kind', 'token', 'waitpoint_id', :'wp'::uuid))) ->> 'parked' as parked \gset
select tests.clear_authentication();
select is(:'parked'::text, 'true', 'A''s run parks on its token');
select results_eq(
  format($$select kind, status, token_hash, resume_at, step_key from public.run_waitpoints where id = %L$$, :'wp'),
  format($$values ('token'::text, 'pending'::text, %L::text, now() + interval '1 day', 'wait:approval'::text)$$, :'token_hash'),
  'The waitpoint stores the token''s hash (never the token), its timeout and the step awaiting it'
);

-- ============================================================================
-- ANOTHER TENANT
-- ============================================================================
select tests.authenticate_as_service();
select is(
  tests.error_of(format($$select * from app.waitpoint_token_complete(%L, %L, '{"approved": "by B"}')$$, :'b', :'token_hash')),
  'OR404: token_not_found',
  'B completing A''s token is told there is no such token (OR404 token_not_found)'
);
select tests.clear_authentication();
select results_eq(
  format($$select w.status, w.result, r.status from public.run_waitpoints w join public.runs r on r.id = w.run_id where w.id = %L$$, :'wp'),
  $$values ('pending'::text, null::jsonb, 'waiting'::text)$$,
  'and A''s token and run are untouched'
);

-- ============================================================================
-- COMPLETE, ONCE
-- ============================================================================
select tests.authenticate_as_service();
select results_eq(
  format($$select waitpoint_id, run_id, status from app.waitpoint_token_complete(%L, %L, '{"approved": true, "by": "ops"}')$$,
    :'a', :'token_hash'),
  format($$values (%L::uuid, %L::uuid, 'resolved'::text)$$, :'wp', :'run'),
  'A completes its token: the waitpoint and run it resolved are returned'
);
select tests.clear_authentication();
select results_eq(
  format($$select r.status, s.output -> 'result' from public.runs r join public.run_steps s on s.run_id = r.id and s.key = 'wait:approval'
    where r.id = %L$$, :'run'),
  $$values ('queued'::text, '{"by": "ops", "approved": true}'::jsonb)$$,
  'The run is queued to resume with the caller''s result as its wait step''s output'
);
select tests.authenticate_as_service();
select is(
  tests.error_of(format($$select * from app.waitpoint_token_complete(%L, %L, '{"approved": false}')$$, :'a', :'token_hash')),
  'OR409: token_already_used',
  'Completing it a second time is refused (OR409 token_already_used)'
);
select tests.clear_authentication();
select results_eq(
  format($$select result, (select count(*)::int from public.run_steps s where s.run_id = w.run_id),
    (select count(*)::int from pgmq.q_agent_jobs q where q.message ->> 'run_id' = w.run_id::text)
    from public.run_waitpoints w where w.id = %L$$, :'wp'),
  $$values ('{"by": "ops", "approved": true}'::jsonb, 1, 1)$$,
  'and changes nothing: the first result stands, one step, one message'
);

-- ============================================================================
-- UNKNOWN TOKENS, and B's own token on B's own run works
-- ============================================================================
select tests.authenticate_as_service();
select is(
  tests.error_of(format($$select * from app.waitpoint_token_complete(%L, %L, '{}')$$, :'a', repeat('0', 64))),
  'OR404: token_not_found',
  'An unknown token is not found'
);
select ok(
  app.waitpoint_token_create(:'b', :'b_run', repeat('b', 64), null) is not null,
  'B can create a token on its own run'
);
select tests.clear_authentication();

select * from finish();
rollback;
