-- app.spawn_session and app.spawn_orchestration: idempotency keys, spawn depth and children
-- limits, unknown agents, the hard budget limit, orchestrations (parent + queued children), the
-- single aggregate job once every child finished, and cancellation cascading to descendants.
begin;
set local search_path = public, extensions;
select plan(30);

-- FIXTURES (as postgres): workers not woken; S has tight spawn limits
select tests.create_tenant('t-orch-spawn-s') as s \gset
select tests.create_tenant('t-orch-spawn-t') as t \gset
select tests.create_tenant('t-orch-spawn-h') as h \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'s', :'t', :'h');
update public.tenants set settings = settings || '{"max_spawn_depth": 1, "max_children_per_session": 2}' where id = :'s';
select app.agent_pack_install(x, 'content') from unnest(array[:'s', :'t', :'h']::uuid[]) x;

-- ============================================================================
-- IDEMPOTENCY
-- ============================================================================
select id as first_id, queue_msg_id as first_msg
from app.spawn_session(:'s', '{"agent":"writer","idempotency_key":"t-orch-job-1","input":{"query":"first"}}') \gset
select is(
  (select id from app.spawn_session(:'s', '{"agent":"seo","idempotency_key":"t-orch-job-1","input":{"query":"second"}}')),
  :'first_id'::uuid,
  'A repeated spawn with the same idempotency key returns the existing session'
);
select results_eq(
  $$select agent_slug, input ->> 'query', queue_msg_id from public.agent_sessions where idempotency_key = 't-orch-job-1'
    and tenant_id = tests.get_tenant_id('t-orch-spawn-s')$$,
  format($$values ('writer'::text, 'first'::text, %s::bigint)$$, :first_msg),
  'without changing it or creating a second session'
);
select is(
  (select count(*)::int from pgmq.q_agent_jobs where message ->> 'session_id' = :'first_id'),
  1,
  'and without queueing its job twice'
);
select isnt(
  (select id from app.spawn_session(:'t', '{"agent":"writer","idempotency_key":"t-orch-job-1"}')),
  :'first_id'::uuid,
  'The same key in another tenant is another session (keys are per tenant)'
);

-- ============================================================================
-- LIMITS: depth, children, unknown or inactive agents, budget
-- ============================================================================
select id as parent from app.spawn_session(:'s', '{"agent":"ora"}') \gset
select id as child from app.spawn_session(:'s', format('{"agent":"writer","parent_session_id":"%s"}', :'parent')::jsonb) \gset
select results_eq(
  format($$select depth, parent_session_id, root_session_id, status from public.agent_sessions where id = %L$$, :'child'),
  format($$values (1, %1$L::uuid, %1$L::uuid, 'queued'::text)$$, :'parent'),
  'A child is one level deeper than its parent, with the parent as root, and queued'
);
select throws_ok(
  format($$select app.spawn_session(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'s', :'child'),
  'OR409',
  'Spawn depth limit reached: 1 levels (tenant setting max_spawn_depth)',
  'A grandchild beyond max_spawn_depth 1 is refused with OR409'
);
select lives_ok(
  format($$select app.spawn_session(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'s', :'parent'),
  'A second child is within max_children_per_session 2'
);
select throws_ok(
  format($$select app.spawn_session(%L, '{"agent":"social","parent_session_id":"%s"}')$$, :'s', :'parent'),
  'OR409',
  'Children limit reached: 2 per session (tenant setting max_children_per_session)',
  'A third child is refused with OR409'
);
select is(
  (select count(*)::int from public.agent_sessions where parent_session_id = :'parent'),
  2,
  'The parent keeps exactly its two children'
);
select throws_ok(
  format($$select app.spawn_session(%L, '{"agent":"no_such_agent"}')$$, :'s'),
  'OR404',
  'No active agent ''no_such_agent'' in this tenant',
  'An unknown agent is refused with OR404'
);
update public.agents set is_active = false where tenant_id = :'s' and slug = 'imager';
select throws_ok(
  format($$select app.spawn_session(%L, '{"agent":"imager"}')$$, :'s'),
  'OR404',
  'No active agent ''imager'' in this tenant',
  'An inactive agent is refused with OR404'
);
select throws_ok(
  format($$select app.spawn_session(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'t', :'child'),
  'OR404',
  null,
  'A parent in another tenant is not found (OR404)'
);

insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit) values (:'h', 1, true);
select app.usage_record(:'h', '{"kind":"llm","model":"gpt-4o","cost_usd":0.5}');
select lives_ok(
  format($$select app.spawn_session(%L, '{"agent":"writer"}')$$, :'h'),
  'Under its hard budget a tenant can spawn'
);
select app.usage_record(:'h', '{"kind":"llm","model":"gpt-4o","cost_usd":0.5}');
select throws_ok(
  format($$select app.spawn_session(%L, '{"agent":"writer"}')$$, :'h'),
  'OR402',
  null,
  'At its hard budget limit (1 of 1 USD) spawning is refused with OR402'
);
select throws_ok(
  format($$select * from app.spawn_orchestration(%L, '{"children":[{"agent":"writer"}]}')$$, :'h'),
  'OR402',
  null,
  'and so is an orchestration'
);
update public.tenant_budgets set hard_limit = false where tenant_id = :'h';
select lives_ok(
  format($$select app.spawn_session(%L, '{"agent":"writer"}')$$, :'h'),
  'With a soft limit the same spend does not stop new work'
);

-- ============================================================================
-- ORCHESTRATION: parent + children, one aggregate job once all have finished
-- ============================================================================
create temporary table orch as
  select * from app.spawn_orchestration(:'t', '{"agent":"ora","input":{"query":"Launch post"},
    "children":[{"agent":"writer","input":{"part":"draft"}},{"agent":"seo"},{"agent":"social"}]}')
    with ordinality;
alter table orch rename column ordinality to n;
select id as orch from orch where n = 1 \gset

select results_eq(
  $$select kind, status, depth, agent_slug, parent_session_id is null, started_at is not null from orch where n = 1$$,
  $$values ('orchestration'::text, 'running'::text, 0, 'ora'::text, true, true)$$,
  'spawn_orchestration returns the parent first: kind orchestration, running, depth 0'
);
select results_eq(
  $$select agent_slug, kind, status, depth, parent_session_id, root_session_id from orch where n > 1 order by n$$,
  format($$values ('writer'::text, 'agent'::text, 'queued'::text, 1, %1$L::uuid, %1$L::uuid),
    ('seo', 'agent', 'queued', 1, %1$L, %1$L), ('social', 'agent', 'queued', 1, %1$L, %1$L)$$, :'orch'),
  'then its children in order: agents at depth 1, queued, under the parent'
);
select results_eq(
  format($$select message ->> 'kind', count(*)::int from pgmq.q_agent_jobs
    where message ->> 'session_id' in (select id::text from orch) group by 1$$),
  $$values ('run'::text, 3)$$,
  'Exactly the three children have a run job queued; the parent has none'
);

select app.complete_session(:'t', (select id from orch where n = 2), null, '{"summary":"draft"}');
select app.complete_session(:'t', (select id from orch where n = 3), null, '{"summary":"keywords"}');
select results_eq(
  format($$select aggregate_enqueued_at is null, status from public.agent_sessions where id = %L$$, :'orch'),
  $$values (true, 'running'::text)$$,
  'With one child still queued, nothing is aggregated yet'
);
select app.complete_session(:'t', (select id from orch where n = 4), null, '{"summary":"posts"}');
select results_eq(
  format($$select message ->> 'kind', count(*)::int from pgmq.q_agent_jobs where message ->> 'session_id' = %L group by 1$$, :'orch'),
  $$values ('aggregate'::text, 1)$$,
  'When the last child completes, exactly one aggregate job is queued for the parent'
);
select results_eq(
  format($$select aggregate_enqueued_at is not null, status from public.agent_sessions where id = %L$$, :'orch'),
  $$values (true, 'running'::text)$$,
  'and the parent records it, still running until the aggregation completes it'
);
select is(
  app.complete_session(:'t', (select id from orch where n = 4), null, '{"summary":"posts again"}'),
  'already',
  'A redelivered completion of the last child is recognised'
);
select app.check_parent(:'t', :'orch');
select is(
  (select count(*)::int from pgmq.q_agent_jobs where message ->> 'session_id' = :'orch'),
  1,
  'and neither it nor another check_parent queues a second aggregate job'
);

-- ============================================================================
-- CANCEL: cascades to every unfinished descendant and removes their jobs
-- ============================================================================
create temporary table tree as
  select * from app.spawn_orchestration(:'t', '{"agent":"ora",
    "children":[{"agent":"writer"},{"agent":"seo"},{"agent":"analyst"}]}') with ordinality;
alter table tree rename column ordinality to n;
select id as root from tree where n = 1 \gset
-- a grandchild under the first child, and the third child already done
insert into tree select g.*, 5 from app.spawn_session(:'t', format('{"agent":"imager","parent_session_id":"%s"}',
  (select id from tree where n = 2))::jsonb) g;
select app.complete_session(:'t', (select id from tree where n = 4), null, '{"summary":"done early"}');
create temporary table tree_jobs as select queue_msg_id as msg_id from tree where n in (2, 3, 5);

select is(
  app.cancel_session(:'t', :'root', 'changed my mind'),
  4,
  'Cancelling the root cancels it, its two unfinished children and the grandchild'
);
select results_eq(
  $$select t.n, s.status, s.error ->> 'code', s.error ->> 'message' from tree t
    join public.agent_sessions s on s.id = t.id order by t.n$$,
  $$values (1::bigint, 'cancelled'::text, 'CANCELLED'::text, 'changed my mind'::text),
    (2, 'cancelled', 'CANCELLED', 'changed my mind'), (3, 'cancelled', 'CANCELLED', 'changed my mind'),
    (4, 'completed', null, null), (5, 'cancelled', 'CANCELLED', 'changed my mind')$$,
  'Every unfinished session of the tree is cancelled with the reason; the finished child keeps its result'
);
select is_empty(
  $$select 1 from pgmq.q_agent_jobs q join tree_jobs j using (msg_id)
    union all select 1 from pgmq.a_agent_jobs q join tree_jobs j using (msg_id)$$,
  'The cancelled sessions'' jobs were deleted from the queue (not archived as done)'
);
select is(
  (select count(*)::int from public.event_log where tenant_id = :'t' and event_type = 'session.cancelled'
    and payload ->> 'session_id' in (select id::text from tree)),
  4,
  'One session.cancelled event per cancelled session'
);
select is(
  (select count(*)::int from pgmq.q_agent_jobs where message ->> 'session_id' = :'root'),
  0,
  'A cancelled orchestration queues no aggregation'
);
select is(
  app.cancel_session(:'t', :'root', 'again'),
  0,
  'Cancelling it again cancels nothing more'
);

select * from finish();
rollback;
