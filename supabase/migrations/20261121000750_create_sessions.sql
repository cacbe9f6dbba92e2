-- Agent sessions: durable runs of kind agent (one agent answering one request) and
-- orchestration (a coordinator whose children run in parallel; it parks until they finish and
-- writes one brief). Spawning snapshots the agent's definition into the run, so editing an
-- agent never changes a session in flight. Seeds 004 §1, §13 (spawning, priorities,
-- concurrency keys), 002 (director review).

insert into app.run_kinds (kind, queue_name, concurrency_limit_name, on_deadline, event_prefix, description) values
  ('agent', 'agent_jobs', 'max_concurrent_sessions', 'cancel', 'session',
   'One agent session: prompt from the agent snapshot, the LLM tool-calling loop (each turn and tool call a step), a result.'),
  ('orchestration', 'agent_jobs', null, 'time_out_waits', 'session',
   'A coordinator: waits for its child sessions (until its deadline), then writes one brief from their results.');

select app.queue_register('agent_jobs', 'agent-worker', 'Agent sessions and orchestrations (runs of kind agent and orchestration).', 4);

-- ============================================================================
-- THE SESSION VIEW (runs of kind agent and orchestration, in the words of the API)
-- ============================================================================
create view public.agent_sessions with (security_invoker = true) as
select r.id, r.tenant_id, r.parent_run_id as parent_session_id, r.root_run_id as root_session_id, r.depth, r.kind,
  (r.input -> 'agent' ->> 'id')::uuid as agent_id, r.subject as agent_slug,
  coalesce(r.input ->> 'mode', 'autonomous') as mode,
  r.status, app.run_is_terminal(r.status) as done,
  r.output ->> 'coordination' as coordination,
  r.priority, r.idempotency_key, r.concurrency_key, r.concurrency_limit,
  r.input, r.output as result, r.error, r.attempt as attempts, r.max_attempts,
  r.worker_id, r.created_by, r.user_id, r.api_key_id, r.deadline_at, r.timed_out, r.heartbeat_at,
  r.escalated_at, r.wake, r.queued_at, r.started_at, r.completed_at, r.created_at, r.updated_at
from public.runs r
where r.kind in ('agent', 'orchestration');
comment on view public.agent_sessions is 'Agent sessions as the API shows them: runs of kind agent or orchestration (their steps are in run_steps, their waits in run_waitpoints). Read-only; RLS of runs applies (security_invoker).';
revoke all on public.agent_sessions from anon;
revoke insert, update, delete on public.agent_sessions from authenticated;
grant select on public.agent_sessions to authenticated;

-- ============================================================================
-- DIRECTOR REVIEWS (002: every 15 minutes)
-- ============================================================================
create table public.director_reviews (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  reviewed_at timestamptz not null default now(),
  sessions_checked integer not null,
  findings jsonb not null default '[]'::jsonb,
  decisions jsonb not null default '[]'::jsonb
);
create index director_reviews_tenant_idx on public.director_reviews (tenant_id, reviewed_at desc);
comment on table public.director_reviews is 'What each director review found (stalled sessions: no heartbeat for 20 minutes) and decided (escalations).';
comment on column public.director_reviews.findings is '[{session_id, agent, status, last_heartbeat, attempts}] of the stalled sessions.';
comment on column public.director_reviews.decisions is '[{session_id, decision: escalated}] for the sessions escalated by this review (once each).';
comment on column public.director_reviews.reviewed_at is 'When app.director_review ran for the tenant.';
comment on column public.director_reviews.sessions_checked is 'Queued or running agent sessions of the tenant the review looked at.';
alter table public.director_reviews enable row level security;
alter table public.director_reviews force row level security;
create policy "Director reviews are viewable within their tenant" on public.director_reviews
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.director_reviews from anon;
revoke insert, update, delete on public.director_reviews from authenticated;

-- ============================================================================
-- SPAWN
-- ============================================================================

-- The agent's definition as a session runs it: persona, model settings, tools and the newest
-- enabled version of each skill. Null when the tenant has no such active agent.
create or replace function app.agent_snapshot(tenant_id uuid, slug text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('id', a.id, 'slug', a.slug, 'name', a.name, 'persona', a.persona,
    'persona_version', a.persona_version, 'model_settings', a.model_settings, 'allowed_tools', a.allowed_tools,
    'memory_types', a.memory_types, 'can_spawn', a.can_spawn,
    'skills', coalesce((select jsonb_agg(jsonb_build_object('key', s.key, 'version', s.version, 'name', s.name,
        'instructions', s.instructions) order by s.key)
      from (select distinct on (k.key) k.key, k.version, k.name, k.instructions from public.skills k
            where k.tenant_id = a.tenant_id and k.key = any(a.skills) and k.enabled
            order by k.key, k.version desc) s), '[]'::jsonb),
    'policy', t.settings ->> 'policy')
  from public.agents a join public.tenants t on t.id = a.tenant_id
  where a.tenant_id = agent_snapshot.tenant_id and a.slug = agent_snapshot.slug and a.is_active
    and (a.expires_at is null or a.expires_at > now())
$$;
comment on function app.agent_snapshot(uuid, text) is 'The definition a session of this agent runs with (persona, model settings, tools, skills, tenant policy); copied into the run at spawn so later edits never change a session in flight.';

-- Creates (or, for a known idempotency key, returns) an agent session (kind agent) or a
-- coordinating parent (kind orchestration) and queues it. spec: agent, input, mode,
-- parent_session_id, priority, idempotency_key, concurrency_key, concurrency_limit, max_attempts,
-- deadline_at, kind, user_id, api_key_id, created_by.
create or replace function app.session_spawn(tenant_id uuid, spec jsonb)
returns public.runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_existing public.runs%rowtype;
  v_parent public.runs%rowtype;
  v_agent jsonb;
  v_kind text := coalesce(spec ->> 'kind', 'agent');
  v_input jsonb;
begin
  -- GUARD: a repeated spawn with the same idempotency key returns the existing session
  if spec ->> 'idempotency_key' is not null then
    select * into v_existing from public.runs r
    where r.tenant_id = session_spawn.tenant_id and r.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return v_existing;
    end if;
  end if;
  v_agent := app.agent_snapshot(session_spawn.tenant_id, spec ->> 'agent');
  if v_agent is null then
    raise exception 'No active agent ''%'' in this tenant', spec ->> 'agent' using errcode = 'OR404', detail = 'agent_not_found';
  end if;

  if spec ->> 'parent_session_id' is not null then
    select * into v_parent from public.runs r
    where r.id = (spec ->> 'parent_session_id')::uuid and r.tenant_id = session_spawn.tenant_id
      and r.kind in ('agent', 'orchestration', 'automation')
    for update;
    if not found then
      raise exception 'No parent session % in this tenant', spec ->> 'parent_session_id' using errcode = 'OR404', detail = 'parent_not_found';
    end if;
    if app.run_is_terminal(v_parent.status) then
      raise exception 'Parent session % is %: it cannot take new children', v_parent.id, v_parent.status
        using errcode = 'OR409', detail = 'parent_finished';
    end if;
    if v_parent.depth + 1 > app.tenant_limit(session_spawn.tenant_id, 'max_spawn_depth') then
      raise exception 'Spawn depth limit reached: % levels (tenant limit max_spawn_depth)',
        app.tenant_limit(session_spawn.tenant_id, 'max_spawn_depth') using errcode = 'OR409', detail = 'spawn_depth_limit';
    end if;
    if (select count(*) from public.runs c where c.parent_run_id = v_parent.id)
        >= app.tenant_limit(session_spawn.tenant_id, 'max_children_per_session') then
      raise exception 'Children limit reached: % per session (tenant limit max_children_per_session)',
        app.tenant_limit(session_spawn.tenant_id, 'max_children_per_session') using errcode = 'OR409', detail = 'children_limit';
    end if;
  end if;

  perform app.budget_assert(session_spawn.tenant_id);

  v_input := coalesce(spec -> 'input', '{}'::jsonb) || jsonb_build_object(
    'mode', coalesce(spec ->> 'mode', v_parent.input ->> 'mode', 'autonomous'), 'agent', v_agent);
  return app.run_create(session_spawn.tenant_id, jsonb_build_object(
    'kind', v_kind, 'subject', spec ->> 'agent', 'input', v_input,
    'parent_run_id', v_parent.id, 'priority', spec -> 'priority', 'idempotency_key', spec ->> 'idempotency_key',
    'concurrency_key', spec ->> 'concurrency_key', 'concurrency_limit', spec -> 'concurrency_limit',
    'max_attempts', spec -> 'max_attempts', 'deadline_at', spec ->> 'deadline_at',
    'definition_version', md5(v_agent::text),
    'created_by', spec ->> 'created_by', 'user_id', spec ->> 'user_id', 'api_key_id', spec ->> 'api_key_id'));
end;
$$;
comment on function app.session_spawn(uuid, jsonb) is 'Creates and queues an agent session (or returns the one with the same idempotency key), with the agent''s definition snapshotted into its input. Enforces the tenant''s spawn depth, children per session and budget hard limit (reasons spawn_depth_limit, children_limit, parent_finished, agent_not_found).';

-- Spawns an orchestration: a coordinating parent and its children, in one transaction. The
-- parent parks until its children finish (or its deadline), then writes the brief.
create or replace function app.session_spawn_orchestration(tenant_id uuid, spec jsonb)
returns setof public.runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_parent public.runs%rowtype;
  v_child jsonb;
  v_i integer := 0;
begin
  if jsonb_typeof(spec -> 'children') <> 'array' or jsonb_array_length(spec -> 'children') = 0 then
    raise exception 'An orchestration needs at least one child' using errcode = 'OR400', detail = 'no_children';
  end if;
  if spec ->> 'idempotency_key' is not null then
    select * into v_parent from public.runs r
    where r.tenant_id = session_spawn_orchestration.tenant_id and r.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return query select * from public.runs r where r.id = v_parent.id
        union all (select * from public.runs c where c.parent_run_id = v_parent.id order by c.created_at, c.id);
      return;
    end if;
  end if;
  v_parent := app.session_spawn(session_spawn_orchestration.tenant_id, (spec - 'children') || jsonb_build_object(
    'kind', 'orchestration', 'agent', coalesce(spec ->> 'agent', 'ora')));
  return next v_parent;
  for v_child in select * from jsonb_array_elements(spec -> 'children') loop
    v_i := v_i + 1;
    return next app.session_spawn(session_spawn_orchestration.tenant_id, v_child || jsonb_build_object(
      'parent_session_id', v_parent.id,
      'idempotency_key', case when spec ->> 'idempotency_key' is not null
        then (spec ->> 'idempotency_key') || ':' || v_i end,
      'user_id', spec ->> 'user_id', 'api_key_id', spec ->> 'api_key_id', 'created_by', spec ->> 'created_by'));
  end loop;
end;
$$;
comment on function app.session_spawn_orchestration(uuid, jsonb) is 'Creates a coordinating parent session and its children in one transaction; returns the parent first, then the children.';

-- How an orchestration went: timeout (its deadline ended it), complete (every child completed),
-- partial (some failed or were cancelled), or running.
create or replace function app.session_coordination(run_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when exists (select 1 from public.runs c where c.parent_run_id = p.id and not app.run_is_terminal(c.status)) and not p.timed_out
      then 'running'
    when p.timed_out or (p.deadline_at is not null and p.deadline_at <= now()) then 'timeout'
    when not exists (select 1 from public.runs c where c.parent_run_id = p.id and c.status <> 'completed') then 'complete'
    else 'partial'
  end
  from public.runs p where p.id = session_coordination.run_id
$$;
comment on function app.session_coordination(uuid) is 'The one rule for an orchestration''s coordination: timeout (its deadline passed), complete (all children completed), partial (some did not), running.';

-- ============================================================================
-- LIFECYCLE HOOKS (session.* events; tasks follow their sessions in the tasks migration)
-- ============================================================================

-- Sessions need no trigger of their own: their runs' lifecycle events are session.completed,
-- session.failed, session.cancelled and session.waiting (app.run_kinds.event_prefix), with run_id,
-- kind, subject (the agent) and parent_run_id; tasks follow their sessions in the tasks migration.

-- ============================================================================
-- DIRECTOR REVIEW (002)
-- ============================================================================

-- Sessions without a heartbeat for stall_after are escalated once (event blocker.escalated) and
-- each tenant with active sessions gets a review row with findings and decisions.
create or replace function app.director_review(stall_after interval default interval '20 minutes')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_tenant record;
  v_reviews integer := 0;
begin
  for v_tenant in
    select s.tenant_id, count(*) as checked,
      coalesce(jsonb_agg(jsonb_build_object('session_id', s.id, 'agent', s.subject, 'status', s.status,
        'last_heartbeat', coalesce(s.heartbeat_at, s.queued_at, s.created_at), 'attempts', s.attempt))
        filter (where coalesce(s.heartbeat_at, s.queued_at, s.created_at) < now() - director_review.stall_after), '[]') as stalled
    from public.runs s
    -- coordinators do no work of their own (they wait): their children are reviewed
    where s.status in ('queued', 'running') and s.kind = 'agent'
    group by s.tenant_id
  loop
    insert into public.event_log (tenant_id, event_type, event_source, payload)
    select v_tenant.tenant_id, 'blocker.escalated', 'system', jsonb_build_object('session_id', f ->> 'session_id',
      'agent', f ->> 'agent', 'status', f ->> 'status', 'last_heartbeat', f ->> 'last_heartbeat',
      'reason', 'no heartbeat for ' || director_review.stall_after)
    from jsonb_array_elements(v_tenant.stalled) f
    join public.runs s on s.id = (f ->> 'session_id')::uuid and s.escalated_at is null;

    insert into public.director_reviews (tenant_id, sessions_checked, findings, decisions)
    select v_tenant.tenant_id, v_tenant.checked, v_tenant.stalled,
      coalesce(jsonb_agg(jsonb_build_object('session_id', s.id, 'decision', 'escalated')), '[]')
    from public.runs s
    where s.id in (select (f ->> 'session_id')::uuid from jsonb_array_elements(v_tenant.stalled) f)
      and s.escalated_at is null;

    update public.runs s set escalated_at = now()
    where s.id in (select (f ->> 'session_id')::uuid from jsonb_array_elements(v_tenant.stalled) f)
      and s.escalated_at is null;
    v_reviews := v_reviews + 1;
  end loop;
  return v_reviews;
end;
$$;
comment on function app.director_review(interval) is 'Cron every 15 minutes: escalates agent sessions with no heartbeat for 20 minutes (blocker.escalated, once each) and records a director_reviews row per tenant with active sessions.';

select cron.schedule('ora-director-review', '*/15 * * * *', $$select app.director_review()$$);

select app.lock_down();
