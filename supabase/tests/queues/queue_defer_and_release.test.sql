-- Deferrals (what a worker does when a dependency's circuit breaker is open): app.queue_defer puts
-- a claimed message back without counting the attempt, visible again after the delay or as soon as
-- app.queue_release(tenant, key) releases the key it waits on — only that tenant's messages on
-- that key, and only the worker of their queue is woken.
begin;
set local search_path = public, extensions;
select plan(17);

select exists (
  select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'net' and p.proname = 'http_post'
) as has_pg_net \gset

-- FIXTURES (as postgres): a queue drained by a worker of its own; A and B each have a message
\set a 'de1e0000-0000-4000-8000-0000000000aa'
\set b 'de1e0000-0000-4000-8000-0000000000bb'
select app.queue_register('t_deferrals', 't-deferrals-worker', 'pgTAP: deferrals');
select pgmq.send('t_deferrals', jsonb_build_object('tenant_id', :'a'::text, 'job', 'a1')) as a1 \gset
select pgmq.send('t_deferrals', jsonb_build_object('tenant_id', :'a'::text, 'job', 'a2')) as a2 \gset
select pgmq.send('t_deferrals', jsonb_build_object('tenant_id', :'b'::text, 'job', 'b1')) as b1 \gset
create temporary view msgs as
  select msg_id, read_ct, vt <= clock_timestamp() as visible, vt > clock_timestamp() + interval '500 seconds' as far
  from pgmq.q_t_deferrals;

-- ============================================================================
-- DEFER (as service_role, after a claim)
-- ============================================================================
select tests.authenticate_as_service();
select count(*) as claimed from app.queue_claim('t_deferrals', 30, 10) \gset
select is(:claimed::int, 3, 'The worker claims the three messages');
select ok(
  app.queue_defer('t_deferrals', :a1, :'a'::uuid, 600, 'breaker:llm:api.example.com'),
  'It defers A''s first message on the breaker''s key for 10 minutes'
);
select ok(
  app.queue_defer('t_deferrals', :a2, :'a'::uuid, 600),
  'A''s second for 10 minutes without a key'
);
select ok(
  app.queue_defer('t_deferrals', :b1, :'b'::uuid, 600, 'breaker:llm:api.example.com'),
  'and B''s on the same key name'
);
select ok(
  not app.queue_defer('t_deferrals', 987654321, :'a'::uuid, 600, 'breaker:llm:api.example.com'),
  'Deferring a message that is not in the queue answers false'
);
select tests.clear_authentication();

select results_eq(
  $$select msg_id, read_ct, visible, far from msgs order by msg_id$$,
  format($$values (%s::bigint, 0, false, true), (%s, 0, false, true), (%s, 0, false, true)$$, :a1, :a2, :b1),
  'Deferred messages are hidden for the delay, and the deferral gave back the attempt (read_ct 0)'
);
select results_eq(
  $$select msg_id, tenant_id, release_key from app.queue_deferrals where queue_name = 't_deferrals' order by msg_id$$,
  format($$values (%s::bigint, %L::uuid, 'breaker:llm:api.example.com'::text), (%s, %L, 'breaker:llm:api.example.com')$$,
    :a1, :'a', :b1, :'b'),
  'Those with a key are recorded under their tenant and key'
);

-- ============================================================================
-- RELEASE
-- ============================================================================
select tests.authenticate_as_service();
select is(app.queue_release(:'a', 'breaker:llm:api.example.com'), 1, 'Releasing A''s key releases one message');
select is(app.queue_release(:'a', 'breaker:llm:api.example.com'), 0, 'Releasing it again releases nothing more');
select is(app.queue_release(:'a', 'breaker:llm:other.example.com'), 0, 'Another key releases nothing');
select tests.clear_authentication();

select results_eq(
  $$select msg_id, visible from msgs order by msg_id$$,
  format($$values (%s::bigint, true), (%s, false), (%s, false)$$, :a1, :a2, :b1),
  'A''s message on the key is visible at once; A''s keyless one and B''s stay deferred'
);
select results_eq(
  $$select msg_id from app.queue_deferrals where queue_name = 't_deferrals'$$,
  format($$values (%s::bigint)$$, :b1),
  'Only B''s deferral remains'
);

\if :has_pg_net
select skip('pg_net is installed: wake-ups go over HTTP, not through app.invoke_requests', 2);
\else
select results_eq(
  $$select function_name, body from app.invoke_requests where txid = pg_current_xact_id() and body ->> 'reason' = 'released'$$,
  $$values ('t-deferrals-worker'::text, '{"reason": "released"}'::jsonb)$$,
  'The release woke the worker of the released message''s queue'
);
select is_empty(
  $$select 1 from app.invoke_requests where txid = pg_current_xact_id() and body ->> 'reason' = 'released'
    and function_name <> 't-deferrals-worker'$$,
  'and no other queue''s worker'
);
\endif

-- ============================================================================
-- CLAIMED AGAIN: released at once, or when the delay runs out by itself
-- ============================================================================
update pgmq.q_t_deferrals set vt = now() - interval '1 second' where msg_id = :b1;
select tests.authenticate_as_service();
create temporary table again as select * from app.queue_claim('t_deferrals', 30, 10);
select tests.clear_authentication();
select results_eq(
  $$select msg_id, read_ct from again order by msg_id$$,
  format($$values (%s::bigint, 1), (%s, 1)$$, :a1, :b1),
  'The released message and the one whose delay ran out are claimed again, each on its first counted attempt'
);
select is_empty(
  $$select 1 from app.queue_deferrals where queue_name = 't_deferrals'$$,
  'Claiming B''s message ended its deferral'
);
select is(
  (select read_ct from pgmq.q_t_deferrals where msg_id = :a2),
  0,
  'A''s keyless message still waits out its delay, its attempt given back'
);

select * from finish();
rollback;
