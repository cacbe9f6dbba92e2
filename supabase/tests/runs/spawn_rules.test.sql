-- app.session_spawn and app.session_spawn_orchestration (as service_role): idempotency keys; the
-- plan limits in tenants.limits (spawn depth, children per session), which the tenant's own
-- settings cannot raise; unknown, inactive or foreign parents and agents; finished parents; the
-- hard budget limit — each refusal with its SQLSTATE and DETAIL reason. A session snapshots its
-- agent's definition; an orchestration is a coordinating run queued with its children.
begin;
set local search_path = public, extensions;
select plan(28);

-- FIXTURES (as postgres): workers not woken; S has tight plan limits (and asks for more in its
-- settings, which it may edit); T has the defaults; H has a budget
select tests.create_tenant('t-runs-spawn-s') as s \gset
select tests.create_tenant('t-runs-spawn-t') as t \gset
select tests.create_tenant('t-runs-spawn-h') as h \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'s', :'t', :'h');
update public.tenants set limits = '{"max_spawn_depth": 1, "max_children_per_session": 2}',
  settings = settings || '{"max_spawn_depth": 9, "max_children_per_session": 99}' where id = :'s';
select sum(app.agent_pack_install(x, 'content')) as installed from unnest(array[:'s', :'t', :'h']::uuid[]) x \gset

select tests.authenticate_as_service();

-- ============================================================================
-- IDEMPOTENCY
-- ============================================================================
select id as first_id, queue_msg_id as first_msg
from app.session_spawn(:'s', '{"agent":"writer","idempotency_key":"t-runs-job-1","input":{"query":"first"}}') \gset
select is(
  (select id from app.session_spawn(:'s', '{"agent":"seo","idempotency_key":"t-runs-job-1","input":{"query":"second"}}')),
  :'first_id'::uuid,
  'A repeated spawn with the same idempotency key returns the existing session'
);
select results_eq(
  format($$select agent_slug, input ->> 'query', (select count(*)::int from pgmq.q_agent_jobs q where q.message ->> 'run_id' = s.id::text)
    from public.agent_sessions s where idempotency_key = 't-runs-job-1' and tenant_id = %L$$, :'s'),
  $$values ('writer'::text, 'first'::text, 1)$$,
  'without changing it, creating a second session or queueing it twice'
);
select isnt(
  (select id from app.session_spawn(:'t', '{"agent":"writer","idempotency_key":"t-runs-job-1"}')),
  :'first_id'::uuid,
  'The same key in another tenant is another session (keys are per tenant)'
);

-- ============================================================================
-- THE AGENT'S DEFINITION IS SNAPSHOTTED
-- ============================================================================
select tests.clear_authentication();
update public.agents set persona = 'A new persona, edited after the spawn' where tenant_id = :'s' and slug = 'writer';
select results_eq(
  format($$select kind, agent_slug, input #>> '{agent,persona}' like 'You are the Content Writer.%%', (input #>> '{agent,persona_version}')::int,
      input -> 'agent' -> 'skills' -> 0 ->> 'key', mode from public.agent_sessions where id = %L$$, :'first_id'),
  $$values ('agent'::text, 'writer'::text, true, 1, 'writing'::text, 'autonomous'::text)$$,
  'A session carries a snapshot of its agent (persona, version, skills): editing the agent later does not change it'
);
select tests.authenticate_as_service();

-- ============================================================================
-- PLAN LIMITS (tenants.limits), not the tenant's settings
-- ============================================================================
select id as parent from app.session_spawn(:'s', '{"agent":"ora","priority":5,"mode":"supervised"}') \gset
select id as child from app.session_spawn(:'s', format('{"agent":"writer","parent_session_id":"%s"}', :'parent')::jsonb) \gset
select results_eq(
  format($$select depth, parent_session_id, root_session_id, status, priority, mode from public.agent_sessions where id = %L$$, :'child'),
  format($$values (1, %1$L::uuid, %1$L::uuid, 'queued'::text, 5, 'supervised'::text)$$, :'parent'),
  'A child is one level deeper than its parent, under it, queued, with its priority and mode'
);
select is(
  tests.error_of(format($$select app.session_spawn(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'s', :'child')),
  'OR409: spawn_depth_limit',
  'A grandchild beyond max_spawn_depth 1 is refused: OR409 spawn_depth_limit'
);
select throws_ok(
  format($$select app.session_spawn(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'s', :'child'),
  'OR409',
  'Spawn depth limit reached: 1 levels (tenant limit max_spawn_depth)',
  'and the message names the tenant limit'
);
select lives_ok(
  format($$select app.session_spawn(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'s', :'parent'),
  'A second child is within max_children_per_session 2'
);
select is(
  tests.error_of(format($$select app.session_spawn(%L, '{"agent":"social","parent_session_id":"%s"}')$$, :'s', :'parent')),
  'OR409: children_limit',
  'A third child is refused: OR409 children_limit'
);
select throws_ok(
  format($$select app.session_spawn(%L, '{"agent":"social","parent_session_id":"%s"}')$$, :'s', :'parent'),
  'OR409',
  'Children limit reached: 2 per session (tenant limit max_children_per_session)',
  'and the message names the tenant limit'
);
select is(
  (select count(*)::int from public.agent_sessions where parent_session_id = :'parent'),
  2,
  'The parent keeps exactly its two children: S''s own settings asking for more changed nothing'
);
select results_eq(
  format($$select app.tenant_limit(%L, 'max_spawn_depth'), app.tenant_limit(%L, 'max_spawn_depth'), app.tenant_limit(%L, 'max_children_per_session')$$,
    :'s', :'t', :'t'),
  $$values (1, 3, 20)$$,
  'Limits come from tenants.limits, else the defaults (depth 3, 20 children)'
);

-- ============================================================================
-- PARENTS AND AGENTS
-- ============================================================================
select app.run_complete(:'s', :'child', null, '{"summary":"done"}') as child_done \gset
select is(
  tests.error_of(format($$select app.session_spawn(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'t', :'parent')),
  'OR404: parent_not_found',
  'A parent in another tenant is not found: OR404 parent_not_found'
);
select is(
  tests.error_of(format($$select app.session_spawn(%L, '{"agent":"seo","parent_session_id":"%s"}')$$, :'s', gen_random_uuid())),
  'OR404: parent_not_found',
  'and neither is one that does not exist'
);
select is(app.run_cancel(:'s', :'parent', 'done with it'), 2, 'Cancelling the parent (and its unfinished child)');
select is(
  tests.error_of(format($$select app.session_spawn(%L, '{"agent":"writer","parent_session_id":"%s"}')$$, :'s', :'parent')),
  'OR409: parent_finished',
  'A finished parent takes no new children: OR409 parent_finished'
);
select is(
  tests.error_of(format($$select app.session_spawn(%L, '{"agent":"no_such_agent"}')$$, :'s')),
  'OR404: agent_not_found',
  'An unknown agent is refused: OR404 agent_not_found'
);
select tests.clear_authentication();
update public.agents set is_active = false where tenant_id = :'s' and slug = 'imager';
select tests.authenticate_as_service();
select throws_ok(
  format($$select app.session_spawn(%L, '{"agent":"imager"}')$$, :'s'),
  'OR404',
  'No active agent ''imager'' in this tenant',
  'An inactive agent is refused too, with a message naming it'
);

-- ============================================================================
-- BUDGET: the hard limit refuses new work
-- ============================================================================
select tests.clear_authentication();
insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit) values (:'h', 1, true);
select app.usage_record(:'h', '{"kind":"llm","model":"gpt-4o","cost_usd":0.5}') as u1 \gset
select tests.authenticate_as_service();
select lives_ok(format($$select app.session_spawn(%L, '{"agent":"writer"}')$$, :'h'), 'Under its hard budget a tenant can spawn');
select app.usage_record(:'h', '{"kind":"llm","model":"gpt-4o","cost_usd":0.5}') as u2 \gset
select is(
  tests.error_of(format($$select app.session_spawn(%L, '{"agent":"writer"}')$$, :'h')),
  'OR402',
  'At its hard budget limit (1 of 1 USD) spawning is refused with OR402'
);
select is(
  tests.error_of(format($$select * from app.session_spawn_orchestration(%L, '{"children":[{"agent":"writer"}]}')$$, :'h')),
  'OR402',
  'and so is an orchestration'
);
select tests.clear_authentication();
update public.tenant_budgets set hard_limit = false where tenant_id = :'h';
select tests.authenticate_as_service();
select lives_ok(format($$select app.session_spawn(%L, '{"agent":"writer"}')$$, :'h'), 'With a soft limit the same spend does not stop new work');

-- ============================================================================
-- ORCHESTRATION: a coordinating run, queued with its children
-- ============================================================================
create temporary table orch as
  select * from app.session_spawn_orchestration(:'t', '{"input":{"query":"Launch post"},"idempotency_key":"t-runs-orch-1",
    "deadline_at":"2999-01-01T00:00:00Z","children":[{"agent":"writer","input":{"part":"draft"}},{"agent":"seo"},{"agent":"social"}]}')
  with ordinality;
alter table orch rename column ordinality to n;
select id as orch from orch where n = 1 \gset
select results_eq(
  $$select kind, subject, status, depth, parent_run_id is null, queue_msg_id is not null from orch where n = 1$$,
  $$values ('orchestration'::text, 'ora'::text, 'queued'::text, 0, true, true)$$,
  'session_spawn_orchestration returns the coordinator first: kind orchestration, agent ora by default, queued at depth 0'
);
select results_eq(
  $$select subject, kind, status, depth, parent_run_id, root_run_id, deadline_at, idempotency_key from orch where n > 1 order by n$$,
  format($$values ('writer'::text, 'agent'::text, 'queued'::text, 1, %1$L::uuid, %1$L::uuid, '2999-01-01T00:00:00Z'::timestamptz, 't-runs-orch-1:1'::text),
    ('seo', 'agent', 'queued', 1, %1$L, %1$L, '2999-01-01T00:00:00Z', 't-runs-orch-1:2'),
    ('social', 'agent', 'queued', 1, %1$L, %1$L, '2999-01-01T00:00:00Z', 't-runs-orch-1:3')$$, :'orch'),
  'then its children in order: agent sessions at depth 1 under it, sharing its deadline, each with a derived idempotency key'
);
select is(
  (select count(*)::int from pgmq.q_agent_jobs q join orch on q.msg_id = orch.queue_msg_id),
  4,
  'The coordinator and the three children each have a message queued'
);
select is(
  (select array_agg(o.id order by o.ordinality) from app.session_spawn_orchestration(:'t', '{"idempotency_key":"t-runs-orch-1","children":[{"agent":"analyst"}]}')
     with ordinality as o),
  (select array_agg(id order by n) from orch),
  'Spawning it again with the same idempotency key returns the same coordinator and children'
);
select is(
  tests.error_of(format($$select * from app.session_spawn_orchestration(%L, '{"children":[]}')$$, :'t')),
  'OR400: no_children',
  'An orchestration without children is refused: OR400 no_children'
);
select tests.clear_authentication();
select is(
  app.session_coordination(:'orch'),
  'running',
  'While its children run, the orchestration''s coordination is running'
);

select * from finish();
rollback;
