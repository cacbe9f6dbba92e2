-- A message that breaks the queue contract (no tenant_id, a tenant_id or run_id that is not a
-- uuid) never stops other tenants' claims — the fair claim skips it instead of failing on it —
-- and the tick's app.queues_quarantine moves it to <queue>_dlq with the reason, so it neither sits
-- forever nor wakes the queue's worker on every tick.
begin;
set local search_path = public, extensions;
select plan(7);

\set a 'e1e1e1e1-0000-4000-8000-0000000000aa'
select app.queue_register('t_malformed', 'pgtap-worker', 'pgTAP queue', 0);
select pgmq.send('t_malformed', '{"job": "no tenant"}'::jsonb) as no_tenant \gset
select pgmq.send('t_malformed', '{"tenant_id": "not-a-uuid", "job": "bad tenant"}'::jsonb) as bad_tenant \gset
select pgmq.send('t_malformed', jsonb_build_object('tenant_id', :'a'::text, 'run_id', 'r-1', 'job', 'bad run')) as bad_run \gset
select pgmq.send('t_malformed', jsonb_build_object('tenant_id', :'a'::text, 'job', 'healthy')) as healthy \gset

select tests.authenticate_as_service();
select results_eq(
  $$select message ->> 'job' from app.queue_claim('t_malformed', 30, 10)$$,
  $$values ('healthy'::text)$$,
  'A claim skips the malformed messages (it does not fail on them) and returns the healthy one'
);
select is(app.queue_message_malformed('{"tenant_id": "E1E1E1E1-0000-4000-8000-0000000000AA"}'), false,
  'An upper-case uuid is a uuid');
select tests.clear_authentication();

select is(app.queues_quarantine(), 3, 'The quarantine moves the three malformed messages');
select is(
  (select count(*)::int from pgmq.q_t_malformed where msg_id in (:no_tenant, :bad_tenant, :bad_run)),
  0,
  'They are gone from the queue'
);
select results_eq(
  $$select message -> 'message' ->> 'job', message ->> 'error' like 'malformed message:%'
    from pgmq.q_t_malformed_dlq order by message ->> 'msg_id'$$,
  $$values ('no tenant'::text, true), ('bad tenant', true), ('bad run', true)$$,
  'Each is in the dead-letter queue with the reason'
);
select is((select count(*)::int from pgmq.q_t_malformed where msg_id = :healthy), 1,
  'The healthy message is untouched (claimed, invisible until its timeout)');
select is(app.queues_quarantine(), 0, 'A second pass finds nothing');

select * from finish();
rollback;
