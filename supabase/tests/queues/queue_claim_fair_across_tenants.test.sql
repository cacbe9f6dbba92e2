-- app.queue_claim, the claim of every queue consumer that does not drain runs (called as
-- service_role), is fair on a plain tenant-aware queue too: each tenant's best message (priority,
-- then age) before anyone's second, tenants served longest ago first, so a burst from one tenant
-- cannot starve another.
begin;
set local search_path = public, extensions;
select plan(8);

-- FIXTURES (as postgres): a queue where tenant P queued 20 messages at priority 9, then tenant Q
-- one at priority 0 and one at priority 5
\set p 'f0f0f0f0-0000-4000-8000-0000000000aa'
\set q 'f0f0f0f0-0000-4000-8000-0000000000bb'
select app.queue_register('t_fair_claims', 'pgtap-worker', 'pgTAP queue', 0);
select count(*) as burst from generate_series(1, 20) i,
  lateral pgmq.send('t_fair_claims', jsonb_build_object('tenant_id', :'p'::text, 'priority', 9, 'n', i)) \gset
select pgmq.send('t_fair_claims', '{"tenant_id":"f0f0f0f0-0000-4000-8000-0000000000bb","priority":0,"n":"q-low"}') as q_low \gset
select pgmq.send('t_fair_claims', '{"tenant_id":"f0f0f0f0-0000-4000-8000-0000000000bb","priority":5,"n":"q-high"}') as q_high \gset

-- ============================================================================
-- ONE MESSAGE PER CLAIM
-- ============================================================================
select tests.authenticate_as_service();
select msg_id as c1, message ->> 'tenant_id' as t1 from app.queue_claim('t_fair_claims', 30, 1) \gset
select msg_id as c2, message ->> 'tenant_id' as t2, read_ct as c2_reads from app.queue_claim('t_fair_claims', 30, 1) \gset
select msg_id as c3, message ->> 'tenant_id' as t3 from app.queue_claim('t_fair_claims', 30, 1) \gset
select msg_id as c4, message ->> 'tenant_id' as t4 from app.queue_claim('t_fair_claims', 30, 1) \gset
select tests.clear_authentication();

select ok(
  :'q_high'::bigint in (:c1, :c2),
  'Q''s best message is claimed within the first two claims, despite P''s burst of 20 at a higher priority'
);
select is(
  array[:'t1', :'t2', :'t3', :'t4'],
  array[:'p', :'q', :'p', :'q'],
  'Tenants take turns: P (queued first), Q, P, Q'
);
select is(
  array[:c2, :c4]::bigint[],
  array[:q_high, :q_low]::bigint[],
  'Within Q, priority 5 goes before priority 0 although it was queued later'
);
select is(:c2_reads::int, 1, 'A claimed message is read once');
select is(
  (select count(*)::int from pgmq.q_t_fair_claims where msg_id in (:c1, :c2, :c3, :c4) and vt > clock_timestamp() + interval '20 seconds'),
  4,
  'and hidden for the visibility timeout'
);
select is(
  (select count(*)::int from pgmq.q_t_fair_claims where vt <= clock_timestamp()),
  18,
  'P''s other 18 messages wait, visible'
);

-- ============================================================================
-- SEVERAL PER CLAIM
-- ============================================================================
select pgmq.send('t_fair_claims', '{"tenant_id":"f0f0f0f0-0000-4000-8000-0000000000bb","priority":0,"n":"q-late"}') as q_late \gset
select tests.authenticate_as_service();
create temporary table claimed as
  select c.n, c.msg_id, c.message ->> 'tenant_id' as tenant_id
  from app.queue_claim('t_fair_claims', 30, 3) with ordinality as c (msg_id, read_ct, enqueued_at, vt, message, n);
select tests.clear_authentication();
select results_eq(
  $$select tenant_id, count(*)::int from claimed group by 1 order by 1$$,
  format($$values (%L, 2), (%L, 1)$$, :'p', :'q'),
  'A claim of 3 takes Q''s late message alongside two of P''s'
);
select ok(
  (select msg_id from claimed where tenant_id = :'q') = :'q_late'::bigint
    and (select n from claimed where tenant_id = :'q') <= 2,
  'Q''s message is among the first two of that claim'
);

select * from finish();
rollback;
