-- app.queue_claim dead-letters a message read more than max_attempts times (a handler that keeps
-- failing, or a worker that keeps dying) instead of returning it: it goes to <queue>_dlq with its
-- last recorded error (or 'max attempts exceeded') and is archived; the claim returns the live
-- messages it found alongside.
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): one tenant's failing message, then another tenant's healthy one
\set a 'd1d1d1d1-0000-4000-8000-0000000000aa'
\set b 'd1d1d1d1-0000-4000-8000-0000000000bb'
select app.queue_register('t_claim_dlq', 'pgtap-worker', 'pgTAP queue', 0);
select pgmq.send('t_claim_dlq', jsonb_build_object('tenant_id', :'a'::text, 'job', 'poison')) as poison \gset

-- ============================================================================
-- THREE ATTEMPTS (max_attempts 3), each failed by the handler
-- ============================================================================
select tests.authenticate_as_service();
select is((select read_ct from app.queue_claim('t_claim_dlq', 30, 1, 3)), 1, 'Attempt 1 is claimed');
select ok(app.queue_fail('t_claim_dlq', :poison, 'HTTP 500 from the handler (1)', 0), 'and fails');
select is((select read_ct from app.queue_claim('t_claim_dlq', 30, 1, 3)), 2, 'Attempt 2 is claimed');
select ok(app.queue_fail('t_claim_dlq', :poison, 'HTTP 500 from the handler (2)', 0), 'and fails');
select is((select read_ct from app.queue_claim('t_claim_dlq', 30, 1, 3)), 3, 'Attempt 3, the last of 3, is claimed');
select ok(app.queue_fail('t_claim_dlq', :poison, 'HTTP 500 from the handler (3)', 0), 'and fails');

-- ============================================================================
-- THE FOURTH CLAIM: dead-lettered, while another tenant's live message is claimed alongside
-- ============================================================================
select pgmq.send('t_claim_dlq', jsonb_build_object('tenant_id', :'b'::text, 'job', 'healthy')) as healthy \gset
create temporary table fourth as select * from app.queue_claim('t_claim_dlq', 30, 2, 3);
select tests.clear_authentication();

select results_eq(
  $$select msg_id, message ->> 'job' from fourth$$,
  format($$values (%s::bigint, 'healthy'::text)$$, :healthy),
  'A claim of 2 returns the other tenant''s live message, not the message already read 3 times'
);
select results_eq(
  format($$select (select count(*)::int from pgmq.q_t_claim_dlq where msg_id = %1$s),
    (select count(*)::int from pgmq.a_t_claim_dlq where msg_id = %1$s),
    (select count(*)::int from app.queue_errors where queue_name = 't_claim_dlq' and msg_id = %1$s)$$, :poison),
  $$values (0, 1, 0)$$,
  'The failing message left its queue for the archive, and its error row is gone'
);
create temporary table dead as select * from pgmq.read('t_claim_dlq_dlq', 30, 10);
select results_eq(
  $$select message ->> 'queue', (message ->> 'msg_id')::bigint, (message ->> 'read_ct')::int, message ->> 'error',
    message -> 'message' ->> 'job' from dead$$,
  format($$values ('t_claim_dlq'::text, %s::bigint, 4, 'HTTP 500 from the handler (3)'::text, 'poison'::text)$$, :poison),
  'It is in t_claim_dlq_dlq with its queue, id, reads, last error and original message'
);

-- ============================================================================
-- A WORKER THAT DIES (no error recorded): max attempts exceeded
-- ============================================================================
select pgmq.send('t_claim_dlq', jsonb_build_object('tenant_id', :'a'::text, 'job', 'crasher')) as crasher \gset
select tests.authenticate_as_service();
select is((select msg_id from app.queue_claim('t_claim_dlq', 30, 1, 1)), :crasher::bigint, 'A message with max_attempts 1 is claimed once');
select tests.clear_authentication();
update pgmq.q_t_claim_dlq set vt = now() - interval '1 second' where msg_id = :crasher;
select tests.authenticate_as_service();
select is((select count(*)::int from app.queue_claim('t_claim_dlq', 30, 1, 1)), 0, 'and not again after its visibility timeout ran out');
select tests.clear_authentication();
select is(
  (select message ->> 'error' from pgmq.read('t_claim_dlq_dlq', 30, 10) where (message ->> 'msg_id')::bigint = :crasher),
  'max attempts exceeded',
  'Its dead letter says max attempts exceeded'
);

select * from finish();
rollback;
