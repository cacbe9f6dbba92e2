-- Orchestration: agent sessions with parent/child spawning into the agent_jobs queue, results,
-- per-turn run records (which double as checkpoints), and the director review.
-- Seeds 004 §1, §13 (sessions, spawn queue, priorities, concurrency keys), 002 (director).
--
-- Custom SQLSTATEs raised here (mapped to the HTTP envelope by the gateway):
--   OR400 invalid request · OR404 not found · OR409 limit or state conflict · OR402 budget exceeded

select app.ensure_queue('agent_jobs');

-- ============================================================================
-- SESSIONS
-- ============================================================================
create table public.agent_sessions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  parent_session_id uuid references public.agent_sessions (id) on delete cascade,
  root_session_id uuid,
  depth integer not null default 0,
  kind text not null default 'agent' check (kind in ('agent', 'orchestration')),
  agent_id uuid references public.agents (id) on delete set null,
  agent_slug text not null,
  mode text not null default 'autonomous' check (mode in ('assist', 'copilot', 'autonomous')),
  status text not null default 'created'
    check (status in ('created', 'queued', 'running', 'completed', 'failed', 'cancelled')),
  coordination text check (coordination in ('complete', 'partial', 'timeout')),
  priority integer not null default 0 check (priority between -100 and 100),
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  concurrency_key text check (length(concurrency_key) between 1 and 200),
  concurrency_limit integer check (concurrency_limit > 0),
  input jsonb not null default '{}'::jsonb,
  result jsonb,
  error jsonb,
  attempts integer not null default 0,
  max_attempts integer not null default 3 check (max_attempts between 1 and 20),
  queue_msg_id bigint,
  worker_id text,
  task_id uuid,
  user_id uuid,
  api_key_id uuid,
  created_by text,
  deadline_at timestamptz,
  timed_out boolean not null default false,
  aggregate_enqueued_at timestamptz,
  heartbeat_at timestamptz,
  escalated_at timestamptz,
  queued_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  -- clock time, so children spawned in one transaction keep their order
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default now()
);
create unique index agent_sessions_idempotency_idx on public.agent_sessions (tenant_id, idempotency_key)
  where idempotency_key is not null;
create index agent_sessions_tenant_parent_idx on public.agent_sessions (tenant_id, parent_session_id);
create index agent_sessions_tenant_status_idx on public.agent_sessions (tenant_id, status, created_at desc);
create index agent_sessions_running_key_idx on public.agent_sessions (tenant_id, concurrency_key) where status = 'running';
comment on table public.agent_sessions is 'One agent run (kind agent) or a coordinating parent (kind orchestration). created → queued → running → completed | failed | cancelled. Children link to parent_session_id; idempotency_key is unique per tenant (a repeated spawn returns the existing session).';
comment on column public.agent_sessions.coordination is 'For orchestration sessions once done: complete (all children completed), partial (some failed or cancelled), timeout (deadline passed first).';

-- ============================================================================
-- RESULTS (exactly one per session)
-- ============================================================================
create table public.agent_results (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  session_id uuid not null unique references public.agent_sessions (id) on delete cascade,
  parent_session_id uuid,
  agent_slug text not null,
  output jsonb not null,
  summary text,
  citations jsonb not null default '[]'::jsonb,
  metrics jsonb not null default '{}'::jsonb,
  provider text,
  model text,
  created_at timestamptz not null default now()
);
create index agent_results_tenant_parent_idx on public.agent_results (tenant_id, parent_session_id);
comment on table public.agent_results is 'The result of a session: output, summary, citations, metrics (tokens, cost, duration) and which provider produced it. Unique per session, so a job completes exactly once.';

-- ============================================================================
-- RUNS: every LLM turn and tool call (also the checkpoint a redelivered job resumes from)
-- ============================================================================
create table public.agent_runs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  session_id uuid not null references public.agent_sessions (id) on delete cascade,
  seq integer not null,
  attempt integer not null,
  kind text not null check (kind in ('llm', 'tool')),
  agent_slug text not null,
  provider text,
  model text,
  input jsonb not null default '{}'::jsonb,
  output jsonb,
  prompt_tokens integer not null default 0,
  completion_tokens integer not null default 0,
  cost_usd numeric(14, 8) not null default 0,
  duration_ms integer not null default 0,
  status text not null default 'ok' check (status in ('ok', 'error')),
  error text,
  created_at timestamptz not null default now(),
  unique (session_id, seq)
);
create index agent_runs_tenant_session_idx on public.agent_runs (tenant_id, session_id, seq);
comment on table public.agent_runs is 'Each LLM turn and tool call of a session: input, output, tokens, cost, duration. Successful runs are the checkpoint: a redelivered job replays them instead of calling the model again.';

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

-- ============================================================================
-- POLICIES
-- ============================================================================
alter table public.agent_sessions enable row level security;
alter table public.agent_sessions force row level security;
create policy "Sessions are viewable within their tenant" on public.agent_sessions
  for select to authenticated using (tenant_id = (select app.tenant_id()));
alter table public.agent_results enable row level security;
alter table public.agent_results force row level security;
create policy "Results are viewable within their tenant" on public.agent_results
  for select to authenticated using (tenant_id = (select app.tenant_id()));
alter table public.agent_runs enable row level security;
alter table public.agent_runs force row level security;
create policy "Runs are viewable within their tenant" on public.agent_runs
  for select to authenticated using (tenant_id = (select app.tenant_id()));
alter table public.director_reviews enable row level security;
alter table public.director_reviews force row level security;
create policy "Director reviews are viewable within their tenant" on public.director_reviews
  for select to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.agent_sessions, public.agent_results, public.agent_runs, public.director_reviews from anon;
revoke insert, update, delete, truncate on public.agent_sessions, public.agent_results, public.agent_runs,
  public.director_reviews from authenticated;

create trigger agent_sessions_touch before update on public.agent_sessions
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- HELPERS
-- ============================================================================

-- Appends one event to event_log.
create or replace function app.emit_event(tenant_id uuid, event_type text, source text, payload jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.event_log (tenant_id, event_type, event_source, payload)
  values (emit_event.tenant_id, emit_event.event_type, emit_event.source, emit_event.payload)
$$;
comment on function app.emit_event(uuid, text, text, jsonb) is 'Appends an event (session.*, task.*, budget.*, blocker.*) to event_log.';

-- A tenant setting as integer, with a default.
create or replace function app.tenant_setting_int(tenant_id uuid, name text, fallback integer)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select (t.settings ->> tenant_setting_int.name)::integer from public.tenants t
    where t.id = tenant_setting_int.tenant_id), tenant_setting_int.fallback)
$$;
comment on function app.tenant_setting_int(uuid, text, integer) is 'Reads an integer from tenants.settings (max_spawn_depth, max_children_per_session, max_concurrent_sessions) or returns the default.';

-- Queues a session's job and wakes the agent-worker.
create or replace function app.enqueue_session(tenant_id uuid, session_id uuid, kind text default 'run', delay_seconds integer default 0)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_session public.agent_sessions%rowtype;
  v_msg_id bigint;
begin
  select * into v_session from public.agent_sessions s
  where s.id = enqueue_session.session_id and s.tenant_id = enqueue_session.tenant_id;
  if not found then
    raise exception 'No session % in this tenant', enqueue_session.session_id using errcode = 'OR404';
  end if;
  select * into v_msg_id from pgmq.send('agent_jobs', jsonb_build_object(
    'session_id', v_session.id, 'tenant_id', v_session.tenant_id, 'kind', enqueue_session.kind,
    'priority', v_session.priority), enqueue_session.delay_seconds);
  update public.agent_sessions s
  set queue_msg_id = v_msg_id,
    status = case when enqueue_session.kind = 'run' then 'queued' else s.status end,
    queued_at = case when enqueue_session.kind = 'run' then now() else s.queued_at end,
    aggregate_enqueued_at = case when enqueue_session.kind = 'aggregate' then now() else s.aggregate_enqueued_at end
  where s.id = v_session.id;
  if enqueue_session.delay_seconds = 0 and coalesce((select (t.settings ->> 'wake_workers')::boolean
      from public.tenants t where t.id = enqueue_session.tenant_id), true) then
    -- identical notifications in one transaction collapse into one wake-up; a failed wake-up
    -- never loses the job (pg_cron drains the queue every minute)
    begin
      perform app.invoke_function('agent-worker', '{"reason":"enqueue"}'::jsonb);
    exception when others then
      raise warning 'agent-worker wake-up failed (the cron drain will pick the job up): %', sqlerrm;
    end;
  end if;
  return v_msg_id;
end;
$$;
comment on function app.enqueue_session(uuid, uuid, text, integer) is 'Sends a session job (kind run or aggregate) to pgmq agent_jobs and wakes the agent-worker (coalesced), unless tenants.settings.wake_workers is false.';

-- ============================================================================
-- SPAWN
-- ============================================================================

-- Creates (or, for a known idempotency key, returns) a session and queues it. spec fields:
-- agent, input, parent_session_id, kind, mode, priority, idempotency_key, concurrency_key,
-- concurrency_limit, max_attempts, deadline_at, task_id, user_id, api_key_id, created_by, enqueue.
create or replace function app.spawn_session(tenant_id uuid, spec jsonb)
returns public.agent_sessions
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_existing public.agent_sessions%rowtype;
  v_parent public.agent_sessions%rowtype;
  v_agent public.agents%rowtype;
  v_session public.agent_sessions%rowtype;
  v_depth integer := 0;
  v_kind text := coalesce(spec ->> 'kind', 'agent');
begin
  -- GUARD: a repeated spawn with the same idempotency key returns the existing session
  if spec ->> 'idempotency_key' is not null then
    select * into v_existing from public.agent_sessions s
    where s.tenant_id = spawn_session.tenant_id and s.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return v_existing;
    end if;
  end if;

  select * into v_agent from public.agents a
  where a.tenant_id = spawn_session.tenant_id and a.slug = spec ->> 'agent' and a.is_active
    and (a.expires_at is null or a.expires_at > now());
  if not found then
    raise exception 'No active agent ''%'' in this tenant', spec ->> 'agent' using errcode = 'OR404';
  end if;

  if spec ->> 'parent_session_id' is not null then
    select * into v_parent from public.agent_sessions s
    where s.id = (spec ->> 'parent_session_id')::uuid and s.tenant_id = spawn_session.tenant_id
    for update;
    if not found then
      raise exception 'No parent session % in this tenant', spec ->> 'parent_session_id' using errcode = 'OR404';
    end if;
    if v_parent.status in ('completed', 'failed', 'cancelled') then
      raise exception 'Parent session % is %: it cannot take new children', v_parent.id, v_parent.status using errcode = 'OR409';
    end if;
    v_depth := v_parent.depth + 1;
    if v_depth > app.tenant_setting_int(spawn_session.tenant_id, 'max_spawn_depth', 3) then
      raise exception 'Spawn depth limit reached: % levels (tenant setting max_spawn_depth)',
        app.tenant_setting_int(spawn_session.tenant_id, 'max_spawn_depth', 3) using errcode = 'OR409';
    end if;
    if (select count(*) from public.agent_sessions c where c.parent_session_id = v_parent.id)
        >= app.tenant_setting_int(spawn_session.tenant_id, 'max_children_per_session', 20) then
      raise exception 'Children limit reached: % per session (tenant setting max_children_per_session)',
        app.tenant_setting_int(spawn_session.tenant_id, 'max_children_per_session', 20) using errcode = 'OR409';
    end if;
  end if;

  if spec ->> 'task_id' is not null and not exists (select 1 from public.agent_tasks t
      where t.id = (spec ->> 'task_id')::uuid and t.tenant_id = spawn_session.tenant_id) then
    raise exception 'No task % in this tenant', spec ->> 'task_id' using errcode = 'OR404';
  end if;

  perform app.assert_budget(spawn_session.tenant_id);

  insert into public.agent_sessions (tenant_id, parent_session_id, root_session_id, depth, kind, agent_id, agent_slug,
    mode, status, priority, idempotency_key, concurrency_key, concurrency_limit, input, max_attempts, task_id,
    user_id, api_key_id, created_by, deadline_at, started_at, heartbeat_at)
  values (spawn_session.tenant_id, v_parent.id, coalesce(v_parent.root_session_id, v_parent.id), v_depth, v_kind,
    v_agent.id, v_agent.slug, coalesce(spec ->> 'mode', v_parent.mode, 'autonomous'),
    case when v_kind = 'orchestration' then 'running' else 'created' end,
    coalesce((spec ->> 'priority')::integer, v_parent.priority, 0), spec ->> 'idempotency_key',
    spec ->> 'concurrency_key', (spec ->> 'concurrency_limit')::integer, coalesce(spec -> 'input', '{}'::jsonb),
    coalesce((spec ->> 'max_attempts')::integer, 3), (spec ->> 'task_id')::uuid, (spec ->> 'user_id')::uuid,
    (spec ->> 'api_key_id')::uuid, spec ->> 'created_by',
    coalesce((spec ->> 'deadline_at')::timestamptz, v_parent.deadline_at),
    case when v_kind = 'orchestration' then now() end, case when v_kind = 'orchestration' then now() end)
  returning * into v_session;
  if v_session.root_session_id is null then
    update public.agent_sessions s set root_session_id = s.id where s.id = v_session.id returning * into v_session;
  end if;

  if v_kind = 'agent' and coalesce((spec ->> 'enqueue')::boolean, true) then
    perform app.enqueue_session(spawn_session.tenant_id, v_session.id);
    select * into v_session from public.agent_sessions s where s.id = v_session.id;
  end if;
  return v_session;
end;
$$;
comment on function app.spawn_session(uuid, jsonb) is 'Creates and queues a session (or returns the one with the same idempotency key). Enforces spawn depth, children per session and the budget hard limit.';

-- Spawns an orchestration: a coordinating parent and its children, in one transaction.
create or replace function app.spawn_orchestration(tenant_id uuid, spec jsonb)
returns setof public.agent_sessions
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_parent public.agent_sessions%rowtype;
  v_child jsonb;
  v_i integer := 0;
begin
  if jsonb_typeof(spec -> 'children') <> 'array' or jsonb_array_length(spec -> 'children') = 0 then
    raise exception 'An orchestration needs at least one child' using errcode = 'OR400';
  end if;
  if spec ->> 'idempotency_key' is not null then
    select * into v_parent from public.agent_sessions s
    where s.tenant_id = spawn_orchestration.tenant_id and s.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return query select * from public.agent_sessions s where s.id = v_parent.id
        union all (select * from public.agent_sessions c where c.parent_session_id = v_parent.id order by c.created_at, c.id);
      return;
    end if;
  end if;
  v_parent := app.spawn_session(spawn_orchestration.tenant_id, (spec - 'children') || jsonb_build_object(
    'kind', 'orchestration', 'agent', coalesce(spec ->> 'agent', 'ora')));
  return next v_parent;
  for v_child in select * from jsonb_array_elements(spec -> 'children') loop
    v_i := v_i + 1;
    return next app.spawn_session(spawn_orchestration.tenant_id, v_child || jsonb_build_object(
      'parent_session_id', v_parent.id,
      'idempotency_key', case when spec ->> 'idempotency_key' is not null
        then (spec ->> 'idempotency_key') || ':' || v_i end,
      'user_id', spec ->> 'user_id', 'api_key_id', spec ->> 'api_key_id', 'created_by', spec ->> 'created_by'));
  end loop;
end;
$$;
comment on function app.spawn_orchestration(uuid, jsonb) is 'Creates a coordinating parent session and spawns its children into agent_jobs in one transaction; returns parent first, then children.';

-- ============================================================================
-- CLAIM (worker side)
-- ============================================================================

-- Claims up to qty runnable jobs: highest priority first, honouring per-key and per-tenant
-- concurrency limits. Jobs whose session already finished are acknowledged here (archived)
-- without running again; jobs past max_attempts (crash loops) are dead-lettered.
create or replace function app.claim_agent_jobs(worker_id text, vt integer, qty integer)
returns table (msg_id bigint, read_ct integer, job_kind text, session_id uuid, tenant_id uuid, attempt integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_msg record;
  v_session public.agent_sessions%rowtype;
  v_claimed integer := 0;
  v_stale interval := make_interval(secs => greatest(claim_agent_jobs.vt, 10) * 2);
  v_kind text;
begin
  -- one claimer at a time, so concurrency counts cannot race
  perform pg_advisory_xact_lock(hashtext('ora.agent_jobs.claim'));
  for v_msg in
    select q.msg_id, q.read_ct, q.message from pgmq.q_agent_jobs q
    where q.vt <= clock_timestamp()
    order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
    for update skip locked
  loop
    exit when v_claimed >= claim_agent_jobs.qty;
    v_kind := coalesce(v_msg.message ->> 'kind', 'run');
    select * into v_session from public.agent_sessions s
    where s.id = (v_msg.message ->> 'session_id')::uuid and s.tenant_id = (v_msg.message ->> 'tenant_id')::uuid
    for update;

    -- GUARD: finished or vanished sessions: acknowledge without running again
    if not found or v_session.status in ('completed', 'failed', 'cancelled') then
      perform pgmq.archive('agent_jobs', v_msg.msg_id);
      continue;
    end if;

    -- GUARD: a run that keeps killing its worker ends in the dead-letter queue
    if v_session.attempts >= v_session.max_attempts then
      perform app.finish_session_failure(v_session.tenant_id, v_session.id, v_msg.msg_id,
        jsonb_build_object('code', 'MAX_ATTEMPTS', 'message',
          format('Gave up after %s attempts: the worker stopped before finishing each time', v_session.attempts)));
      continue;
    end if;

    -- CONCURRENCY: per key and per tenant (other fresh running sessions only)
    if v_kind = 'run' and v_session.concurrency_key is not null and (
      select count(*) from public.agent_sessions r
      where r.tenant_id = v_session.tenant_id and r.concurrency_key = v_session.concurrency_key
        and r.status = 'running' and r.id <> v_session.id and r.heartbeat_at > now() - v_stale
    ) >= coalesce(v_session.concurrency_limit, 1) then
      continue;
    end if;
    if v_kind = 'run' and (
      select count(*) from public.agent_sessions r
      where r.tenant_id = v_session.tenant_id and r.kind = 'agent' and r.status = 'running'
        and r.id <> v_session.id and r.heartbeat_at > now() - v_stale
    ) >= app.tenant_setting_int(v_session.tenant_id, 'max_concurrent_sessions', 10) then
      continue;
    end if;

    update pgmq.q_agent_jobs q set vt = clock_timestamp() + make_interval(secs => claim_agent_jobs.vt), read_ct = q.read_ct + 1
    where q.msg_id = v_msg.msg_id;
    update public.agent_sessions s
    set status = 'running', started_at = coalesce(s.started_at, now()), heartbeat_at = now(),
      worker_id = claim_agent_jobs.worker_id, queue_msg_id = v_msg.msg_id,
      attempts = s.attempts + 1
    where s.id = v_session.id
    returning * into v_session;
    if v_session.task_id is not null then
      update public.agent_tasks t set status = 'running', started_at = coalesce(t.started_at, now())
      where t.id = v_session.task_id and t.tenant_id = v_session.tenant_id and t.status = 'queued';
    end if;
    v_claimed := v_claimed + 1;
    msg_id := v_msg.msg_id;
    read_ct := v_msg.read_ct + 1;
    job_kind := v_kind;
    session_id := v_session.id;
    tenant_id := v_session.tenant_id;
    attempt := v_session.attempts;
    return next;
  end loop;
end;
$$;
comment on function app.claim_agent_jobs(text, integer, integer) is 'Workers: claims up to qty agent_jobs (priority first, concurrency limits honoured), marking their sessions running. Already-finished sessions are acknowledged; crash loops are dead-lettered.';

-- Seconds until the next agent job becomes visible (null when the queue is empty).
create or replace function app.agent_jobs_next_visible_in()
returns numeric
language sql
stable
security definer
set search_path = ''
as $$
  -- greatest() skips nulls, so the empty queue is handled explicitly
  select case when min(q.vt) is null then null
    else greatest(0, extract(epoch from (min(q.vt) - clock_timestamp()))) end
  from pgmq.q_agent_jobs q
$$;
comment on function app.agent_jobs_next_visible_in() is 'Workers: seconds until the next queued agent job is visible, null when none is queued.';

-- Extends a running job's visibility and records a heartbeat; returns the session status
-- (a worker seeing 'cancelled' stops).
create or replace function app.heartbeat_session(tenant_id uuid, session_id uuid, msg_id bigint, vt integer)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text;
begin
  update public.agent_sessions s set heartbeat_at = now()
  where s.id = heartbeat_session.session_id and s.tenant_id = heartbeat_session.tenant_id
  returning s.status into v_status;
  if v_status = 'running' and exists (select 1 from public.agent_sessions s
      where s.id = heartbeat_session.session_id and s.queue_msg_id = heartbeat_session.msg_id) then
    perform pgmq.set_vt('agent_jobs', heartbeat_session.msg_id, heartbeat_session.vt);
  end if;
  return coalesce(v_status, 'missing');
end;
$$;
comment on function app.heartbeat_session(uuid, uuid, bigint, integer) is 'Workers: heartbeat for a running session; extends its job''s visibility timeout.';

-- ============================================================================
-- RUN RECORDS AND USAGE
-- ============================================================================

-- Records one LLM turn or tool call (and its usage) for a session, committed on its own.
create or replace function app.record_agent_run(tenant_id uuid, session_id uuid, run jsonb)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_session public.agent_sessions%rowtype;
begin
  select * into v_session from public.agent_sessions s
  where s.id = record_agent_run.session_id and s.tenant_id = record_agent_run.tenant_id;
  if not found then
    raise exception 'No session % in this tenant', record_agent_run.session_id using errcode = 'OR404';
  end if;
  insert into public.agent_runs (tenant_id, session_id, seq, attempt, kind, agent_slug, provider, model, input, output,
    prompt_tokens, completion_tokens, cost_usd, duration_ms, status, error)
  values (record_agent_run.tenant_id, record_agent_run.session_id, (run ->> 'seq')::integer, v_session.attempts,
    run ->> 'kind', v_session.agent_slug, run ->> 'provider', run ->> 'model', coalesce(run -> 'input', '{}'::jsonb),
    run -> 'output', coalesce((run ->> 'prompt_tokens')::integer, 0), coalesce((run ->> 'completion_tokens')::integer, 0),
    coalesce((run ->> 'cost_usd')::numeric, 0), coalesce((run ->> 'duration_ms')::integer, 0),
    coalesce(run ->> 'status', 'ok'), left(run ->> 'error', 2000))
  returning id into v_id;
  -- usage for every call that was made and answered: LLM turns that returned, and tool calls
  if coalesce(run ->> 'status', 'ok') = 'ok' or run ->> 'kind' = 'tool' then
    perform app.record_usage(record_agent_run.tenant_id, jsonb_build_object(
      'session_id', record_agent_run.session_id, 'agent_run_id', v_id, 'kind', run ->> 'kind',
      'provider', run ->> 'provider', 'model', run ->> 'model', 'prompt_tokens', run ->> 'prompt_tokens',
      'completion_tokens', run ->> 'completion_tokens',
      'units', case when run ->> 'kind' = 'tool' then 1
        else coalesce((run ->> 'prompt_tokens')::integer, 0) + coalesce((run ->> 'completion_tokens')::integer, 0) end,
      'cost_usd', run ->> 'cost_usd', 'metadata', coalesce(run -> 'usage_metadata', '{}'::jsonb)));
  end if;
  return v_id;
end;
$$;
comment on function app.record_agent_run(uuid, uuid, jsonb) is 'Workers: records an LLM turn or tool call (agent_runs) and, for LLM calls, its usage event and budget alerts.';

-- ============================================================================
-- FINISH
-- ============================================================================

-- Marks a session completed with its result, exactly once, and acknowledges its job in the same
-- transaction. Returns 'completed', or 'already' when it had finished before (redelivery).
create or replace function app.complete_session(tenant_id uuid, session_id uuid, msg_id bigint, result jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_session public.agent_sessions%rowtype;
begin
  select * into v_session from public.agent_sessions s
  where s.id = complete_session.session_id and s.tenant_id = complete_session.tenant_id
  for update;
  if not found then
    raise exception 'No session % in this tenant', complete_session.session_id using errcode = 'OR404';
  end if;
  -- the job is acknowledged only when it is this session's
  if complete_session.msg_id is not null and v_session.queue_msg_id = complete_session.msg_id then
    perform app.queue_ack('agent_jobs', complete_session.msg_id);
  end if;
  if v_session.status in ('completed', 'failed', 'cancelled') then
    return 'already';
  end if;

  insert into public.agent_results (tenant_id, session_id, parent_session_id, agent_slug, output, summary, citations,
    metrics, provider, model)
  values (v_session.tenant_id, v_session.id, v_session.parent_session_id, v_session.agent_slug,
    coalesce(complete_session.result -> 'output', complete_session.result), complete_session.result ->> 'summary', coalesce(complete_session.result -> 'citations', '[]'::jsonb),
    coalesce(complete_session.result -> 'metrics', '{}'::jsonb), complete_session.result ->> 'provider', complete_session.result ->> 'model')
  on conflict on constraint agent_results_session_id_key do nothing;

  update public.agent_sessions s
  set status = 'completed', result = complete_session.result, completed_at = now(), error = null,
    coordination = case when s.kind = 'orchestration' then coalesce(complete_session.result ->> 'coordination', 'complete') end
  where s.id = v_session.id;

  perform app.emit_event(v_session.tenant_id, 'session.completed', 'agent', jsonb_build_object(
    'session_id', v_session.id, 'agent', v_session.agent_slug, 'kind', v_session.kind,
    'parent_session_id', v_session.parent_session_id, 'task_id', v_session.task_id,
    'summary', complete_session.result ->> 'summary', 'coordination', complete_session.result ->> 'coordination'));
  if v_session.task_id is not null then
    perform app.task_finished(v_session.tenant_id, v_session.task_id, 'success',
      coalesce(complete_session.result -> 'output', complete_session.result), null);
  end if;
  if v_session.parent_session_id is not null then
    perform app.check_parent(v_session.tenant_id, v_session.parent_session_id);
  end if;
  return 'completed';
end;
$$;
comment on function app.complete_session(uuid, uuid, bigint, jsonb) is 'Workers: stores the result (once), completes the session, acknowledges its job, emits session.completed, advances its task and parent.';

-- Marks a session failed for good: dead-letters its job, emits session.failed, fails its task.
create or replace function app.finish_session_failure(tenant_id uuid, session_id uuid, msg_id bigint, error jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_session public.agent_sessions%rowtype;
begin
  -- GUARD: a session of another tenant (or none), or a job that is not this session's: touch nothing
  if not exists (select 1 from public.agent_sessions s
      where s.id = finish_session_failure.session_id and s.tenant_id = finish_session_failure.tenant_id
        and (finish_session_failure.msg_id is null or s.queue_msg_id = finish_session_failure.msg_id)) then
    return;
  end if;
  update public.agent_sessions s
  set status = 'failed', error = finish_session_failure.error, completed_at = now()
  where s.id = finish_session_failure.session_id and s.tenant_id = finish_session_failure.tenant_id
    and s.status not in ('completed', 'failed', 'cancelled')
  returning * into v_session;
  if finish_session_failure.msg_id is not null then
    perform app.queue_dead_letter('agent_jobs', finish_session_failure.msg_id, error ->> 'message');
  end if;
  if v_session.id is null then
    return;
  end if;
  perform app.emit_event(v_session.tenant_id, 'session.failed', 'agent', jsonb_build_object(
    'session_id', v_session.id, 'agent', v_session.agent_slug, 'parent_session_id', v_session.parent_session_id,
    'task_id', v_session.task_id, 'attempts', v_session.attempts, 'error', finish_session_failure.error));
  if v_session.task_id is not null then
    perform app.task_finished(v_session.tenant_id, v_session.task_id, 'error', null, error ->> 'message');
  end if;
  if v_session.parent_session_id is not null then
    perform app.check_parent(v_session.tenant_id, v_session.parent_session_id);
  end if;
end;
$$;
comment on function app.finish_session_failure(uuid, uuid, bigint, jsonb) is 'Workers: fails a session for good (dead-letters the job, session.failed, task failed, parent advanced).';

-- Records a failed attempt: retries after retry_in_seconds while attempts remain (and the
-- error is retryable), otherwise fails the session. Returns 'retrying' or 'failed'.
create or replace function app.fail_session_attempt(tenant_id uuid, session_id uuid, msg_id bigint, error jsonb,
  retry_in_seconds integer, retryable boolean)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_session public.agent_sessions%rowtype;
begin
  select * into v_session from public.agent_sessions s
  where s.id = fail_session_attempt.session_id and s.tenant_id = fail_session_attempt.tenant_id
  for update;
  if not found or v_session.status in ('completed', 'failed', 'cancelled') then
    return 'already';
  end if;
  if v_session.queue_msg_id is distinct from fail_session_attempt.msg_id then
    return 'not-this-job';
  end if;
  if fail_session_attempt.retryable and v_session.attempts < v_session.max_attempts then
    update public.agent_sessions s set status = 'queued', error = fail_session_attempt.error where s.id = v_session.id;
    perform app.queue_fail('agent_jobs', fail_session_attempt.msg_id, error ->> 'message', fail_session_attempt.retry_in_seconds);
    return 'retrying';
  end if;
  perform app.finish_session_failure(fail_session_attempt.tenant_id, fail_session_attempt.session_id,
    fail_session_attempt.msg_id, fail_session_attempt.error);
  return 'failed';
end;
$$;
comment on function app.fail_session_attempt(uuid, uuid, bigint, jsonb, integer, boolean) is 'Workers: retry with backoff while attempts remain, else fail for good.';

-- Puts a claimed job back without using up an attempt (e.g. an open circuit breaker).
create or replace function app.defer_session(tenant_id uuid, session_id uuid, msg_id bigint, delay_seconds integer, reason text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.agent_sessions s
  set status = 'queued', attempts = greatest(0, s.attempts - 1),
    error = jsonb_build_object('code', 'DEFERRED', 'message', defer_session.reason)
  where s.id = defer_session.session_id and s.tenant_id = defer_session.tenant_id and s.status = 'running'
    and s.queue_msg_id = defer_session.msg_id;
  -- GUARD: no running session of this tenant holding that job: leave the job alone
  if not found then
    return;
  end if;
  perform pgmq.set_vt('agent_jobs', defer_session.msg_id, greatest(1, defer_session.delay_seconds));
end;
$$;
comment on function app.defer_session(uuid, uuid, bigint, integer, text) is 'Workers: returns a claimed job to the queue after delay_seconds without counting an attempt.';

-- When every child of an orchestration has finished, queues its aggregation (once).
create or replace function app.check_parent(tenant_id uuid, parent_session_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_parent public.agent_sessions%rowtype;
begin
  -- the parent row lock serialises sibling completions, so exactly one of them sees "all done"
  select * into v_parent from public.agent_sessions s
  where s.id = check_parent.parent_session_id and s.tenant_id = check_parent.tenant_id
  for update;
  if not found or v_parent.kind <> 'orchestration' or v_parent.status <> 'running'
      or v_parent.aggregate_enqueued_at is not null then
    return;
  end if;
  if exists (select 1 from public.agent_sessions c where c.parent_session_id = v_parent.id
      and c.status not in ('completed', 'failed', 'cancelled')) then
    return;
  end if;
  perform app.enqueue_session(v_parent.tenant_id, v_parent.id, 'aggregate');
end;
$$;
comment on function app.check_parent(uuid, uuid) is 'Queues the aggregation of an orchestration once all its children have finished.';

-- Cancels a session and every unfinished descendant, removing their queued jobs. Returns how many were cancelled.
create or replace function app.cancel_session(tenant_id uuid, session_id uuid, reason text default 'cancelled')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row record;
  v_count integer := 0;
  v_root public.agent_sessions%rowtype;
begin
  select * into v_root from public.agent_sessions s
  where s.id = cancel_session.session_id and s.tenant_id = cancel_session.tenant_id;
  if not found then
    raise exception 'No session % in this tenant', cancel_session.session_id using errcode = 'OR404';
  end if;
  for v_row in
    with recursive tree as (
      select s.id from public.agent_sessions s where s.id = v_root.id
      union all
      select c.id from public.agent_sessions c join tree t on c.parent_session_id = t.id
    )
    update public.agent_sessions s
    set status = 'cancelled', completed_at = now(),
      error = jsonb_build_object('code', 'CANCELLED', 'message', cancel_session.reason)
    from tree
    where s.id = tree.id and s.tenant_id = cancel_session.tenant_id
      and s.status not in ('completed', 'failed', 'cancelled')
    returning s.id, s.queue_msg_id, s.agent_slug, s.task_id, s.parent_session_id
  loop
    v_count := v_count + 1;
    if v_row.queue_msg_id is not null then
      perform pgmq.delete('agent_jobs', v_row.queue_msg_id);
    end if;
    perform app.emit_event(cancel_session.tenant_id, 'session.cancelled', 'agent', jsonb_build_object(
      'session_id', v_row.id, 'agent', v_row.agent_slug, 'parent_session_id', v_row.parent_session_id,
      'reason', cancel_session.reason));
    if v_row.task_id is not null then
      perform app.task_finished(cancel_session.tenant_id, v_row.task_id, 'cancelled', null, cancel_session.reason);
    end if;
  end loop;
  if v_root.parent_session_id is not null then
    perform app.check_parent(cancel_session.tenant_id, v_root.parent_session_id);
  end if;
  return v_count;
end;
$$;
comment on function app.cancel_session(uuid, uuid, text) is 'Cancels a session and its unfinished descendants (cascading), deleting their queued jobs.';

-- ============================================================================
-- SWEEPS (pg_cron)
-- ============================================================================

-- Orchestrations past their deadline: cancel what is unfinished and aggregate as a timeout.
create or replace function app.sweep_sessions()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_parent public.agent_sessions%rowtype;
  v_child record;
  v_count integer := 0;
begin
  for v_parent in
    select * from public.agent_sessions s
    where s.kind = 'orchestration' and s.status = 'running' and s.deadline_at < now() and s.aggregate_enqueued_at is null
    for update skip locked
  loop
    update public.agent_sessions s set timed_out = true where s.id = v_parent.id;
    for v_child in
      select c.id from public.agent_sessions c
      where c.parent_session_id = v_parent.id and c.status not in ('completed', 'failed', 'cancelled')
    loop
      perform app.cancel_session(v_parent.tenant_id, v_child.id, 'deadline passed');
    end loop;
    perform app.check_parent(v_parent.tenant_id, v_parent.id);
    v_count := v_count + 1;
  end loop;
  -- agent sessions past their own deadline (e.g. agents.run with deadline_at)
  for v_child in
    select a.id, a.tenant_id from public.agent_sessions a
    where a.kind = 'agent' and a.status in ('created', 'queued', 'running') and a.deadline_at < now()
  loop
    perform app.cancel_session(v_child.tenant_id, v_child.id, 'deadline passed');
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function app.sweep_sessions() is 'Cron: orchestrations past deadline_at cancel their unfinished children and aggregate with coordination timeout; agent sessions past their deadline are cancelled.';

-- The director review (002): sessions without a heartbeat for 20 minutes are escalated once
-- (event blocker.escalated) and each tenant gets a review row with findings and decisions.
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
      coalesce(jsonb_agg(jsonb_build_object('session_id', s.id, 'agent', s.agent_slug, 'status', s.status,
        'last_heartbeat', coalesce(s.heartbeat_at, s.queued_at, s.created_at), 'attempts', s.attempts))
        filter (where coalesce(s.heartbeat_at, s.queued_at, s.created_at) < now() - director_review.stall_after), '[]') as stalled
    from public.agent_sessions s
    -- orchestration parents do no work of their own (and send no heartbeats): their children are reviewed
    where s.status in ('queued', 'running') and s.kind = 'agent'
    group by s.tenant_id
  loop
    insert into public.event_log (tenant_id, event_type, event_source, payload)
    select v_tenant.tenant_id, 'blocker.escalated', 'system', jsonb_build_object('session_id', f ->> 'session_id',
      'agent', f ->> 'agent', 'status', f ->> 'status', 'last_heartbeat', f ->> 'last_heartbeat',
      'reason', 'no heartbeat for ' || director_review.stall_after)
    from jsonb_array_elements(v_tenant.stalled) f
    join public.agent_sessions s on s.id = (f ->> 'session_id')::uuid and s.escalated_at is null;

    insert into public.director_reviews (tenant_id, sessions_checked, findings, decisions)
    select v_tenant.tenant_id, v_tenant.checked, v_tenant.stalled,
      coalesce(jsonb_agg(jsonb_build_object('session_id', s.id, 'decision', 'escalated')), '[]')
    from public.agent_sessions s
    where s.id in (select (f ->> 'session_id')::uuid from jsonb_array_elements(v_tenant.stalled) f)
      and s.escalated_at is null;

    update public.agent_sessions s set escalated_at = now()
    where s.id in (select (f ->> 'session_id')::uuid from jsonb_array_elements(v_tenant.stalled) f)
      and s.escalated_at is null;
    v_reviews := v_reviews + 1;
  end loop;
  return v_reviews;
end;
$$;
comment on function app.director_review(interval) is 'Cron every 15 minutes: escalates sessions with no heartbeat for 20 minutes (blocker.escalated, once each) and records a director_reviews row per tenant with active sessions.';

select cron.schedule('ora-agent-worker', '* * * * *', $$select app.invoke_function('agent-worker', '{"reason":"cron"}'::jsonb)$$);
select cron.schedule('ora-sweep', '* * * * *', $$select app.sweep_sessions(); select app.sweep_tasks()$$);
select cron.schedule('ora-director-review', '*/15 * * * *', $$select app.director_review()$$);
