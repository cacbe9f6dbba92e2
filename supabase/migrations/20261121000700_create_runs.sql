-- Durable runs: one execution model for agent sessions, automations, approvals and flows.
--
-- A run is a sequence of memoized steps (a completed step is never executed again: a replay
-- returns its record) executed by the queue consumer of its kind's queue. A run parks on
-- waitpoints (a time, an event, an approval, other runs, a completion token) with no worker and
-- no connection held, and resumes when they resolve (20261121000710_create_waitpoints.sql).
--
-- Custom SQLSTATEs (mapped to the HTTP envelope): OR400 invalid · OR403 forbidden · OR404 not
-- found · OR409 state or limit conflict. DETAIL carries a machine-readable reason.

-- ============================================================================
-- RUN KINDS (registry)
-- ============================================================================
create table app.run_kinds (
  kind text primary key check (kind ~ '^[a-z][a-z0-9_.]{0,62}$'),
  queue_name text not null,
  concurrency_limit_name text,
  on_deadline text not null default 'cancel' check (on_deadline in ('cancel', 'time_out_waits')),
  event_prefix text not null default 'run' check (event_prefix ~ '^[a-z][a-z0-9_]{0,30}$'),
  description text not null
);
comment on table app.run_kinds is 'Each kind of durable run: the queue whose consumer executes it (and so the Edge Function), the tenant limit that caps how many run at once, and what its deadline does.';
comment on column app.run_kinds.concurrency_limit_name is 'Name of the tenant limit (app.tenant_limit) capping this kind''s running runs per tenant; null = no cap.';
comment on column app.run_kinds.event_prefix is 'Prefix of the lifecycle events this kind''s runs emit: <prefix>.completed|failed|cancelled|waiting (run by default; agent sessions emit session.*).';
comment on column app.run_kinds.on_deadline is 'cancel: a queued or running run past deadline_at is cancelled. time_out_waits: its waitpoints time out at the deadline and it resumes to finish (e.g. a coordinator writing a timeout brief).';
alter table app.run_kinds enable row level security;
alter table app.run_kinds force row level security;
revoke all on table app.run_kinds from public, anon, authenticated, service_role;

-- ============================================================================
-- RUNS
-- ============================================================================
create table public.runs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  kind text not null references app.run_kinds (kind),
  subject text,
  status text not null default 'queued'
    check (status in ('queued', 'running', 'waiting', 'completed', 'failed', 'cancelled')),
  input jsonb not null default '{}'::jsonb,
  output jsonb,
  error jsonb,
  attempt integer not null default 0 check (attempt >= 0),
  max_attempts integer not null default 3 check (max_attempts between 1 and 20),
  priority integer not null default 0 check (priority between -100 and 100),
  concurrency_key text check (length(concurrency_key) between 1 and 200),
  concurrency_limit integer check (concurrency_limit > 0),
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  parent_run_id uuid references public.runs (id) on delete cascade,
  root_run_id uuid,
  depth integer not null default 0 check (depth >= 0),
  definition_version text,
  code_version text,
  forked_from_run_id uuid references public.runs (id) on delete set null,
  forked_from_seq integer,
  deadline_at timestamptz,
  timed_out boolean not null default false,
  queue_msg_id bigint,
  worker_id text,
  heartbeat_at timestamptz,
  wake jsonb,
  resuming boolean not null default false,
  created_by text,
  user_id uuid,
  api_key_id uuid,
  escalated_at timestamptz,
  -- clock time, so runs created in one transaction keep their order
  created_at timestamptz not null default clock_timestamp(),
  queued_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz not null default now()
);
create unique index runs_idempotency_idx on public.runs (tenant_id, idempotency_key) where idempotency_key is not null;
create index runs_tenant_created_idx on public.runs (tenant_id, created_at desc);
create index runs_tenant_kind_status_idx on public.runs (tenant_id, kind, status, created_at desc);
create index runs_tenant_parent_idx on public.runs (tenant_id, parent_run_id);
create index runs_running_idx on public.runs (tenant_id, kind, concurrency_key) where status = 'running';
create index runs_deadline_idx on public.runs (deadline_at) where status in ('queued', 'running', 'waiting');
comment on table public.runs is 'Durable runs (agent sessions, orchestrations, automations, …): queued → running → (waiting → queued → running)* → completed | failed | cancelled. Steps are in run_steps, waits in run_waitpoints. Written only by app.* functions.';
comment on column public.runs.kind is 'What runs: agent (one agent session), orchestration (a coordinator and its children), automation, … (app.run_kinds).';
comment on column public.runs.subject is 'What the run is about, by kind: the agent slug for sessions, the automation id for automations.';
comment on column public.runs.status is 'queued (a message waits in the kind''s queue), running (a worker holds it), waiting (parked on waitpoints; no worker, no message), completed, failed, cancelled.';
comment on column public.runs.input is 'What the run was started with, including a snapshot of its definition (an agent''s persona, tools and skills) so later edits never change a run in flight.';
comment on column public.runs.output is 'The result once completed (for sessions: summary, output, citations, provider, metrics).';
comment on column public.runs.error is 'The last error {code, message, attempt, retryable}; kept while retrying, final once failed.';
comment on column public.runs.attempt is 'Executions started (claims); a crash or retry starts another. Resuming after a wait is not an attempt.';
comment on column public.runs.max_attempts is 'Executions allowed before the run fails for good (its message goes to the dead-letter queue).';
comment on column public.runs.priority is 'Higher runs sooner within its tenant; tenants are served round-robin.';
comment on column public.runs.concurrency_key is 'At most concurrency_limit running runs of the tenant share this key.';
comment on column public.runs.idempotency_key is 'Unique per tenant: starting a run with a key that exists returns the existing run.';
comment on column public.runs.parent_run_id is 'The run that started this one (an orchestration''s children); cancelling a run cancels its descendants.';
comment on column public.runs.root_run_id is 'The top of this run''s tree.';
comment on column public.runs.depth is 'Levels below the root (spawn depth).';
comment on column public.runs.definition_version is 'Content hash of the definition the run started with (e.g. the agent snapshot).';
comment on column public.runs.code_version is 'Version of the handler code that recorded the run''s first step; a resumed run whose handler version differs fails with DEFINITION_CHANGED instead of replaying recorded steps against different code.';
comment on column public.runs.forked_from_run_id is 'For a replay (fork): the run whose steps before forked_from_seq were copied.';
comment on column public.runs.forked_from_seq is 'For a replay: steps with a lower seq were copied from the original; this one and later ran again.';
comment on column public.runs.deadline_at is 'After this the run is cancelled (or, for kinds with on_deadline time_out_waits, its waits time out).';
comment on column public.runs.timed_out is 'True when the deadline ended the run or its waits.';
comment on column public.runs.queue_msg_id is 'The pgmq message that currently carries the run (null while waiting or finished).';
comment on column public.runs.worker_id is 'The worker invocation that last claimed it.';
comment on column public.runs.heartbeat_at is 'Last sign of life from the worker running it (every visibility timeout / 3).';
comment on column public.runs.wake is 'Why the run last resumed: {step, kind, status} of the waitpoint that woke it.';
comment on column public.runs.resuming is 'True from a wait''s resolution until the next claim: resuming is not a new attempt.';
comment on column public.runs.created_by is 'key:<id>, user:<id>, service_role, task:<id>, automation:<id>, run:<id>.';
comment on column public.runs.escalated_at is 'When the director review escalated it as stalled (once).';
comment on column public.runs.concurrency_limit is 'Running runs allowed at once for the tenant''s concurrency_key; null = no per-key cap.';
comment on column public.runs.user_id is 'The Supabase Auth user who started the run, when a user did; null otherwise.';
comment on column public.runs.api_key_id is 'The API key that started the run, when a key did; null otherwise.';
comment on column public.runs.queued_at is 'When app.run_enqueue last sent the run''s message (at creation, fork, and on resuming after a wait); a retry keeps it.';
comment on column public.runs.started_at is 'When a worker first claimed the run (status running).';
comment on column public.runs.completed_at is 'When the run reached completed, failed or cancelled.';

create table public.run_steps (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  run_id uuid not null references public.runs (id) on delete cascade,
  seq integer not null check (seq > 0),
  key text not null check (length(key) between 1 and 200),
  kind text not null default 'step' check (kind ~ '^[a-z][a-z0-9_]{0,30}$'),
  status text not null check (status in ('completed', 'failed')),
  input jsonb,
  output jsonb,
  error jsonb,
  attempts integer not null default 1 check (attempts > 0),
  run_attempt integer not null default 0,
  provider text,
  model text,
  prompt_tokens integer not null default 0,
  completion_tokens integer not null default 0,
  cost_usd numeric(14, 8) not null default 0,
  started_at timestamptz,
  completed_at timestamptz not null default now(),
  duration_ms integer not null default 0,
  unique (run_id, key),
  unique (run_id, seq)
);
create index run_steps_tenant_run_idx on public.run_steps (tenant_id, run_id, seq);
comment on table public.run_steps is 'The recorded steps of each run, in order. A completed step is the memo: a replayed or resumed run returns its output instead of executing it again; the prefix of steps up to k is the run''s checkpoint after step k (replay and fork start from it).';
comment on column public.run_steps.key is 'Unique per run; the handler names each step (e.g. turn:2, tool:3:call_x, wait:children).';
comment on column public.run_steps.kind is 'step, llm, tool, wait, sleep, … (what the step did).';
comment on column public.run_steps.status is 'completed (memoized) or failed (the last attempt failed; it runs again on the next attempt).';
comment on column public.run_steps.input is 'What the step was given (e.g. the messages appended since the previous LLM turn, a tool''s arguments).';
comment on column public.run_steps.output is 'What it returned (the memo).';
comment on column public.run_steps.attempts is 'Executions of this step (failed ones included).';
comment on column public.run_steps.run_attempt is 'The run attempt that recorded it.';
comment on column public.run_steps.cost_usd is 'Cost of the calls this step made (LLM tokens at the model''s price).';
comment on column public.run_steps.run_id is 'The run the step belongs to.';
comment on column public.run_steps.seq is 'Position of the step in its run, from 1 (the order steps were first recorded).';
comment on column public.run_steps.error is 'The error {code, message, …} of a failed step; null once completed.';
comment on column public.run_steps.provider is 'The provider of the step''s model or tool call (e.g. openai, offline); null for steps without one.';
comment on column public.run_steps.model is 'The model an llm step called; null for other steps.';
comment on column public.run_steps.prompt_tokens is 'Prompt tokens of the step''s model call (0 without one).';
comment on column public.run_steps.completion_tokens is 'Completion tokens of the step''s model call (0 without one).';
comment on column public.run_steps.started_at is 'When the step began executing, as the worker reported it.';
comment on column public.run_steps.completed_at is 'When the step was recorded (completed or failed).';
comment on column public.run_steps.duration_ms is 'How long the step took in milliseconds, as the worker measured it.';

-- ============================================================================
-- POLICIES (read-only for the API roles; app.* functions write)
-- ============================================================================
alter table public.runs enable row level security;
alter table public.runs force row level security;
create policy "Runs are viewable within their tenant" on public.runs
  for select to authenticated using (tenant_id = (select app.tenant_id()));
alter table public.run_steps enable row level security;
alter table public.run_steps force row level security;
create policy "Run steps are viewable within their tenant" on public.run_steps
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.runs, public.run_steps from anon;
revoke insert, update, delete on public.runs, public.run_steps from authenticated;

create trigger runs_touch before update on public.runs
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- RULES
-- ============================================================================

-- Whether a run status is final.
create or replace function app.run_is_terminal(status text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select run_is_terminal.status in ('completed', 'failed', 'cancelled')
$$;
comment on function app.run_is_terminal(text) is 'The one definition of a finished run: completed, failed or cancelled.';
grant execute on function app.run_is_terminal(text) to authenticated;

-- The lifecycle event of a run: <kind's prefix>.<what> with the run's identity (one per change).
create or replace function app.run_event(run public.runs, what text, extra jsonb default '{}')
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.event_log (tenant_id, event_type, event_source, payload, chain)
  select run_event.run.tenant_id,
    coalesce((select k.event_prefix from app.run_kinds k where k.kind = run_event.run.kind), 'run') || '.' || run_event.what,
    'system',
    jsonb_build_object('run_id', run_event.run.id, 'kind', run_event.run.kind, 'subject', run_event.run.subject,
      'parent_run_id', run_event.run.parent_run_id) || run_event.extra,
    coalesce(
      (select array_agg(x::uuid) from jsonb_array_elements_text(c.chain) x),
      nullif(current_setting('ora.chain', true), '')::uuid[],
      '{}')
  from (select coalesce(
      case when jsonb_typeof(run_event.run.input -> 'trigger' -> 'chain') = 'array' then run_event.run.input -> 'trigger' -> 'chain' end,
      (select r.input -> 'trigger' -> 'chain' from public.runs r
        where r.id in (run_event.run.parent_run_id, run_event.run.root_run_id)
          and jsonb_typeof(r.input -> 'trigger' -> 'chain') = 'array'
        order by r.depth desc limit 1)) as chain) c;
end;
$$;
comment on function app.run_event(public.runs, text, jsonb) is 'Internal: emits <prefix>.<what> for a run (prefix from app.run_kinds: run, or session for agent sessions) with run_id, kind, subject, parent_run_id and extra. The event carries the automation chain of the run (or of its parent or root), so an automation never fires from its own runs'' lifecycle.';

-- ============================================================================
-- ENQUEUE AND CREATE
-- ============================================================================

-- Sends the run's message to its kind's queue (now or after delay_seconds), marks it queued and
-- wakes the worker. The message carries tenant and priority for fair claiming.
create or replace function app.run_enqueue(tenant_id uuid, run_id uuid, delay_seconds integer default 0)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run public.runs%rowtype;
  v_queue text;
  v_msg_id bigint;
begin
  select * into v_run from public.runs r where r.id = run_enqueue.run_id and r.tenant_id = run_enqueue.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_enqueue.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  select * into v_msg_id from pgmq.send(v_queue, jsonb_build_object(
    'run_id', v_run.id, 'tenant_id', v_run.tenant_id, 'kind', v_run.kind, 'priority', v_run.priority),
    run_enqueue.delay_seconds);
  update public.runs r set status = 'queued', queue_msg_id = v_msg_id, queued_at = now(), worker_id = null
  where r.id = v_run.id;
  if run_enqueue.delay_seconds = 0 and coalesce((select (t.settings ->> 'wake_workers')::boolean
      from public.tenants t where t.id = run_enqueue.tenant_id), true) then
    perform app.queue_wake(v_queue, 'enqueue');
  end if;
  return v_msg_id;
end;
$$;
comment on function app.run_enqueue(uuid, uuid, integer) is 'Queues a run on its kind''s queue (pgmq message {run_id, tenant_id, kind, priority}), marks it queued and wakes the worker (coalesced; not when tenants.settings.wake_workers is false).';

-- Creates (or, for a known idempotency key, returns) a run and queues it. spec: kind, subject,
-- input, priority, concurrency_key, concurrency_limit, idempotency_key, parent_run_id,
-- max_attempts, deadline_at, definition_version, created_by, user_id, api_key_id, enqueue (default true).
create or replace function app.run_create(tenant_id uuid, spec jsonb)
returns public.runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_existing public.runs%rowtype;
  v_parent public.runs%rowtype;
  v_run public.runs%rowtype;
begin
  -- GUARD: a repeated start with the same idempotency key returns the existing run
  if spec ->> 'idempotency_key' is not null then
    select * into v_existing from public.runs r
    where r.tenant_id = run_create.tenant_id and r.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return v_existing;
    end if;
  end if;
  if not exists (select 1 from app.run_kinds k where k.kind = spec ->> 'kind') then
    raise exception 'Unknown run kind %', coalesce(spec ->> 'kind', 'NULL') using errcode = 'OR400', detail = 'unknown_run_kind';
  end if;
  if spec ->> 'parent_run_id' is not null then
    select * into v_parent from public.runs r
    where r.id = (spec ->> 'parent_run_id')::uuid and r.tenant_id = run_create.tenant_id;
    if not found then
      raise exception 'No parent run % in this tenant', spec ->> 'parent_run_id' using errcode = 'OR404', detail = 'parent_not_found';
    end if;
  end if;

  insert into public.runs (tenant_id, kind, subject, input, priority, concurrency_key, concurrency_limit,
    idempotency_key, parent_run_id, root_run_id, depth, max_attempts, deadline_at, definition_version,
    created_by, user_id, api_key_id)
  values (run_create.tenant_id, spec ->> 'kind', spec ->> 'subject', coalesce(spec -> 'input', '{}'::jsonb),
    coalesce((spec ->> 'priority')::integer, v_parent.priority, 0), spec ->> 'concurrency_key',
    (spec ->> 'concurrency_limit')::integer, spec ->> 'idempotency_key', v_parent.id,
    coalesce(v_parent.root_run_id, v_parent.id), coalesce(v_parent.depth + 1, 0),
    coalesce((spec ->> 'max_attempts')::integer, 3),
    coalesce((spec ->> 'deadline_at')::timestamptz, v_parent.deadline_at),
    coalesce(spec ->> 'definition_version', md5(coalesce(spec -> 'input', '{}'::jsonb)::text)),
    spec ->> 'created_by', (spec ->> 'user_id')::uuid, (spec ->> 'api_key_id')::uuid)
  returning * into v_run;
  if v_run.root_run_id is null then
    update public.runs r set root_run_id = r.id where r.id = v_run.id returning * into v_run;
  end if;
  if coalesce((spec ->> 'enqueue')::boolean, true) then
    perform app.run_enqueue(run_create.tenant_id, v_run.id);
    select * into v_run from public.runs r where r.id = v_run.id;
  end if;
  return v_run;
end;
$$;
comment on function app.run_create(uuid, jsonb) is 'Creates and queues a run (or returns the run with the same idempotency key). Children inherit priority and deadline from the parent.';

-- ============================================================================
-- CLAIM (worker side)
-- ============================================================================

-- Claims up to qty runs from queue_name, fairly across tenants (priority within a tenant),
-- honouring concurrency keys and the kind's tenant limit. Messages of finished runs are
-- archived without running; runs that used up their attempts (crash loops) fail for good.
create or replace function app.runs_claim(queue_name text, worker_id text, vt integer, qty integer)
returns table (msg_id bigint, run_id uuid, tenant_id uuid, kind text, attempt integer, resumed boolean,
  code_version text, input jsonb, steps jsonb, tenant_settings jsonb)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cand_msg bigint;
  v_cand_run uuid;
  v_cand_tenant uuid;
  v_run public.runs%rowtype;
  v_taken bigint[] := '{}';
  v_stale interval := make_interval(secs => greatest(runs_claim.vt, 10) * 2);
  v_limit_name text;
  v_qtable text := 'q_' || runs_claim.queue_name;
begin
  -- LOCK the candidates' messages in one statement (SKIP LOCKED: another claimer has those)
  for v_cand_msg, v_cand_run, v_cand_tenant in
    execute format('select q.msg_id, (q.message ->> ''run_id'')::uuid as run_id, (q.message ->> ''tenant_id'')::uuid as tenant_id
      from pgmq.%I q where q.msg_id = any($1) and q.vt <= clock_timestamp()
      order by array_position($1, q.msg_id) for update skip locked', v_qtable)
      using array(select c.msg_id from app.queue_candidates(runs_claim.queue_name, runs_claim.qty) c)
  loop
    exit when cardinality(v_taken) >= runs_claim.qty;
    -- one claimer per tenant at a time, so concurrency counts cannot race; a busy tenant is
    -- skipped (another claimer is serving it), never waited for
    continue when not pg_catalog.pg_try_advisory_xact_lock(
      pg_catalog.hashtext('app.runs_claim:' || runs_claim.queue_name || ':' || v_cand_tenant::text));
    select * into v_run from public.runs r
    where r.id = v_cand_run and r.tenant_id = v_cand_tenant
    for update skip locked;
    -- GUARD: a run locked elsewhere (a parent parking on it holds it for share) is busy, not gone:
    -- its message stays visible for the next claim
    if v_run.id is null and exists (select 1 from public.runs r where r.id = v_cand_run and r.tenant_id = v_cand_tenant) then
      continue;
    end if;

    -- GUARD: a message whose run finished, vanished or moved on to another message: archive it
    if v_run.id is null or app.run_is_terminal(v_run.status) or v_run.status = 'waiting'
        or v_run.queue_msg_id is distinct from v_cand_msg then
      if v_run.id is null or v_run.queue_msg_id is distinct from v_cand_msg or app.run_is_terminal(v_run.status) then
        perform pgmq.archive(runs_claim.queue_name, v_cand_msg);
      end if;
      v_run := null;
      continue;
    end if;

    -- GUARD: a run that keeps killing its worker ends in the dead-letter queue
    if not v_run.resuming and v_run.attempt >= v_run.max_attempts then
      perform app.run_fail(v_run.tenant_id, v_run.id, v_cand_msg, jsonb_build_object('code', 'MAX_ATTEMPTS',
        'message', format('Gave up after %s attempts: the worker stopped before finishing each time', v_run.attempt)),
        0, false);
      v_run := null;
      continue;
    end if;

    -- CONCURRENCY: per key and per tenant for this kind (other fresh running runs only)
    if v_run.concurrency_key is not null and (
      select count(*) from public.runs r
      where r.tenant_id = v_run.tenant_id and r.concurrency_key = v_run.concurrency_key and r.kind = v_run.kind
        and r.status = 'running' and r.id <> v_run.id and r.heartbeat_at > now() - v_stale
    ) >= coalesce(v_run.concurrency_limit, 1) then
      v_run := null;
      continue;
    end if;
    select k.concurrency_limit_name into v_limit_name from app.run_kinds k where k.kind = v_run.kind;
    if v_limit_name is not null and (
      select count(*) from public.runs r
      where r.tenant_id = v_run.tenant_id and r.kind = v_run.kind and r.status = 'running'
        and r.id <> v_run.id and r.heartbeat_at > now() - v_stale
    ) >= app.tenant_limit(v_run.tenant_id, v_limit_name) then
      v_run := null;
      continue;
    end if;

    perform app.queue_turn_taken(runs_claim.queue_name, v_run.tenant_id);
    -- a run resumed after a wait keeps its attempt; a fresh start or a redelivery uses one
    resumed := v_run.resuming and v_run.attempt > 0;
    update public.runs r
    set status = 'running', started_at = coalesce(r.started_at, now()), heartbeat_at = now(),
      worker_id = runs_claim.worker_id, resuming = false,
      attempt = case when resumed then r.attempt else r.attempt + 1 end
    where r.id = v_run.id
    returning * into v_run;
    v_taken := v_taken || v_cand_msg;
    msg_id := v_cand_msg;
    run_id := v_run.id;
    tenant_id := v_run.tenant_id;
    kind := v_run.kind;
    attempt := v_run.attempt;
    code_version := v_run.code_version;
    input := v_run.input;
    steps := coalesce((select jsonb_agg(jsonb_build_object('key', s.key, 'seq', s.seq, 'kind', s.kind,
        'output', s.output, 'provider', s.provider, 'model', s.model, 'prompt_tokens', s.prompt_tokens,
        'completion_tokens', s.completion_tokens, 'cost_usd', s.cost_usd) order by s.seq)
      from public.run_steps s where s.run_id = v_run.id and s.status = 'completed'), '[]'::jsonb);
    select t.settings into tenant_settings from public.tenants t where t.id = v_run.tenant_id;
    return next;
    v_run := null;
  end loop;

  -- TAKE the claimed messages in one statement: hidden for vt, read once more, deferrals forgotten
  if cardinality(v_taken) > 0 then
    execute format('update pgmq.%I q set vt = clock_timestamp() + make_interval(secs => $2), read_ct = q.read_ct + 1
      where q.msg_id = any($1)', v_qtable) using v_taken, runs_claim.vt;
    delete from app.queue_deferrals d where d.queue_name = runs_claim.queue_name and d.msg_id = any(v_taken);
  end if;
end;
$$;
comment on function app.runs_claim(text, text, integer, integer) is 'Workers: claims up to qty runs of queue_name fairly across tenants, honouring concurrency keys and the kind''s tenant limit; marks them running and returns each with its input, its completed steps (the memo) and its tenant''s settings. Finished runs'' messages are archived; crash loops past max_attempts fail for good.';

-- Extends the visibility of the messages a worker holds, records heartbeats, and returns the
-- runs that stopped being this worker's (cancelled, finished elsewhere): their work is aborted.
create or replace function app.runs_heartbeat(queue_name text, worker_id text, msg_ids bigint[], vt integer)
returns setof uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_mine bigint[];
  v_gone bigint[];
begin
  -- GUARD: only the messages of runs this worker holds are extended, never another worker's
  -- (or another tenant's) message that a caller names.
  -- LOCKS in the engine's order: the runs (by id), then their messages. run_park and run_complete
  -- lock the run, then acknowledge its message; locking the messages first here deadlocked with
  -- a run parking in the same moment (40P01, and the automation run failed).
  select coalesce(array_agg(x.queue_msg_id), '{}') into v_mine
  from (
    select r.queue_msg_id from public.runs r join app.run_kinds k on k.kind = r.kind
    where k.queue_name = runs_heartbeat.queue_name and r.queue_msg_id = any(runs_heartbeat.msg_ids)
      and r.status = 'running' and r.worker_id = runs_heartbeat.worker_id
    order by r.id
    for no key update of r
  ) x;
  select coalesce(array_agg(g), '{}') into v_gone
  from app.queue_heartbeat(runs_heartbeat.queue_name, v_mine, runs_heartbeat.vt, runs_heartbeat.worker_id) g;
  update public.runs r set heartbeat_at = now()
  where r.queue_msg_id = any(v_mine) and r.status = 'running' and r.worker_id = runs_heartbeat.worker_id;
  return query
    select r.id from public.runs r join app.run_kinds k on k.kind = r.kind
    where k.queue_name = runs_heartbeat.queue_name
      and ((r.queue_msg_id = any(runs_heartbeat.msg_ids)
          and (r.status <> 'running' or r.worker_id is distinct from runs_heartbeat.worker_id or r.queue_msg_id = any(v_gone)))
        -- a run that ended while this worker ran it (cancelled, failed elsewhere) names no message
        -- any more: found by its worker, whenever a message given is no longer a run of this worker's
        or (cardinality(v_mine) < cardinality(runs_heartbeat.msg_ids) and r.worker_id = runs_heartbeat.worker_id
          and r.queue_msg_id is null and app.run_is_terminal(r.status)));
end;
$$;
comment on function app.runs_heartbeat(text, text, bigint[], integer) is 'Workers: one heartbeat for all the runs a worker holds: extends their messages'' visibility, records heartbeat_at, and returns the runs no longer this worker''s to run (cancelled or taken over), whose work is aborted.';

-- ============================================================================
-- STEPS
-- ============================================================================

-- Records a step of a running run (completed: the memo; failed: an attempt that failed) and the
-- usage of any model call it made. The first completed step fixes the run's code_version.
create or replace function app.run_step_record(tenant_id uuid, run_id uuid, step jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run public.runs%rowtype;
  v_seq integer;
  v_id uuid;
begin
  select * into v_run from public.runs r where r.id = run_step_record.run_id and r.tenant_id = run_step_record.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_step_record.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  select coalesce(max(s.seq), 0) + 1 into v_seq from public.run_steps s where s.run_id = v_run.id;
  insert into public.run_steps as s (tenant_id, run_id, seq, key, kind, status, input, output, error, run_attempt,
    provider, model, prompt_tokens, completion_tokens, cost_usd, started_at, completed_at, duration_ms)
  values (v_run.tenant_id, v_run.id, v_seq, step ->> 'key', coalesce(step ->> 'kind', 'step'),
    coalesce(step ->> 'status', 'completed'), step -> 'input', step -> 'output', step -> 'error', v_run.attempt,
    step ->> 'provider', step ->> 'model', coalesce((step ->> 'prompt_tokens')::integer, 0),
    coalesce((step ->> 'completion_tokens')::integer, 0), coalesce((step ->> 'cost_usd')::numeric, 0),
    (step ->> 'started_at')::timestamptz, now(), coalesce((step ->> 'duration_ms')::integer, 0))
  on conflict on constraint run_steps_run_id_key_key do update
    set status = excluded.status, input = coalesce(excluded.input, s.input), output = excluded.output,
      error = excluded.error, attempts = s.attempts + 1, run_attempt = excluded.run_attempt,
      provider = excluded.provider, model = excluded.model, prompt_tokens = excluded.prompt_tokens,
      completion_tokens = excluded.completion_tokens, cost_usd = excluded.cost_usd,
      started_at = excluded.started_at, completed_at = excluded.completed_at, duration_ms = excluded.duration_ms
    -- GUARD: a completed step is never overwritten (a late duplicate changes nothing)
    where s.status <> 'completed'
  returning s.seq, s.id into v_seq, v_id;
  if v_seq is null then
    return null;
  end if;
  if v_run.code_version is null and step ->> 'code_version' is not null then
    update public.runs r set code_version = step ->> 'code_version' where r.id = v_run.id;
  end if;
  -- usage for every model or tool call that was made and answered
  if step ->> 'usage_kind' is not null then
    perform app.usage_record(v_run.tenant_id, jsonb_build_object(
      'run_id', v_run.id, 'run_step_id', v_id, 'kind', step ->> 'usage_kind',
      'provider', step ->> 'provider', 'model', step ->> 'model',
      'prompt_tokens', step ->> 'prompt_tokens', 'completion_tokens', step ->> 'completion_tokens',
      'units', coalesce((step ->> 'units')::numeric,
        coalesce((step ->> 'prompt_tokens')::numeric, 0) + coalesce((step ->> 'completion_tokens')::numeric, 0)),
      'cost_usd', step ->> 'cost_usd', 'metadata', coalesce(step -> 'usage_metadata', '{}'::jsonb)));
  end if;
  return v_seq;
end;
$$;
comment on function app.run_step_record(uuid, uuid, jsonb) is 'Workers: records one step {key, kind, status, input, output, error, provider, model, tokens, cost, duration, usage_kind} of a run (a completed step is never overwritten) and its usage event; returns the step''s seq (null when it was already completed).';

-- ============================================================================
-- FINISH
-- ============================================================================

-- Completes a run with its output and archives its message, in one transaction. Returns
-- 'completed', or 'already' for a run that had finished (a redelivery).
create or replace function app.run_complete(tenant_id uuid, run_id uuid, msg_id bigint, output jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run public.runs%rowtype;
  v_queue text;
begin
  select * into v_run from public.runs r
  where r.id = run_complete.run_id and r.tenant_id = run_complete.tenant_id
  for update;
  if not found then
    raise exception 'No run % in this tenant', run_complete.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  -- the message is acknowledged only when it is this run's
  if run_complete.msg_id is not null and v_run.queue_msg_id = run_complete.msg_id then
    perform app.queue_ack(v_queue, run_complete.msg_id);
  end if;
  if app.run_is_terminal(v_run.status) then
    return 'already';
  end if;
  update public.runs r
  set status = 'completed', output = run_complete.output, error = null, completed_at = now(), queue_msg_id = null
  where r.id = v_run.id
  returning * into v_run;
  -- a finished run is never resumed: its pending waits (a token it handed out) end with it, as in run_fail
  perform app.waitpoints_cancel(v_run.tenant_id, v_run.id);
  perform app.run_event(v_run, 'completed', jsonb_build_object('summary', v_run.output ->> 'summary',
    'coordination', v_run.output ->> 'coordination'));
  perform app.waitpoints_on_run_finished(v_run.tenant_id, v_run.id);
  return 'completed';
end;
$$;
comment on function app.run_complete(uuid, uuid, bigint, jsonb) is 'Workers: completes a run (output stored once), archives its message, cancels its own pending waits, emits run.completed and resolves the waits of runs waiting for it — one transaction.';

-- Records a failed attempt: retries after retry_in_seconds while attempts remain and the error is
-- retryable; otherwise fails the run for good (its message dead-lettered). Returns 'retrying',
-- 'failed' or 'already'.
create or replace function app.run_fail(tenant_id uuid, run_id uuid, msg_id bigint, error jsonb,
  retry_in_seconds integer, retryable boolean)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run public.runs%rowtype;
  v_queue text;
begin
  select * into v_run from public.runs r
  where r.id = run_fail.run_id and r.tenant_id = run_fail.tenant_id
  for update;
  if not found or app.run_is_terminal(v_run.status) then
    return 'already';
  end if;
  if v_run.queue_msg_id is distinct from run_fail.msg_id then
    return 'not-this-message';
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  if run_fail.retryable and v_run.attempt < v_run.max_attempts then
    update public.runs r set status = 'queued', error = run_fail.error, worker_id = null where r.id = v_run.id;
    perform app.queue_fail(v_queue, run_fail.msg_id, run_fail.error ->> 'message', greatest(0, run_fail.retry_in_seconds));
    return 'retrying';
  end if;
  update public.runs r
  set status = 'failed', error = run_fail.error, completed_at = now(), queue_msg_id = null
  where r.id = v_run.id
  returning * into v_run;
  if run_fail.msg_id is not null then
    perform app.queue_dead_letter(v_queue, run_fail.msg_id, run_fail.error ->> 'message');
  end if;
  perform app.waitpoints_cancel(v_run.tenant_id, v_run.id);
  perform app.run_event(v_run, 'failed', jsonb_build_object('attempt', v_run.attempt, 'error', run_fail.error));
  perform app.waitpoints_on_run_finished(v_run.tenant_id, v_run.id);
  return 'failed';
end;
$$;
comment on function app.run_fail(uuid, uuid, bigint, jsonb, integer, boolean) is 'Workers: a failed attempt — retried after retry_in_seconds while attempts remain and the error is retryable, else the run fails for good (dead letter, run.failed, waiting runs resumed).';

-- Puts a claimed run back without using an attempt (e.g. an open circuit breaker) until
-- delay_seconds pass or release_key is released.
create or replace function app.run_defer(tenant_id uuid, run_id uuid, msg_id bigint, delay_seconds integer,
  reason text, release_key text default null)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run public.runs%rowtype;
  v_queue text;
begin
  update public.runs r
  set status = 'queued', worker_id = null, attempt = greatest(0, r.attempt - 1),
    error = jsonb_build_object('code', 'DEFERRED', 'message', run_defer.reason, 'release_key', run_defer.release_key)
  where r.id = run_defer.run_id and r.tenant_id = run_defer.tenant_id and r.status = 'running'
    and r.queue_msg_id = run_defer.msg_id
  returning * into v_run;
  -- GUARD: no running run of this tenant holding that message: leave the message alone
  if v_run.id is null then
    return false;
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  return app.queue_defer(v_queue, run_defer.msg_id, v_run.tenant_id, run_defer.delay_seconds, run_defer.release_key);
end;
$$;
comment on function app.run_defer(uuid, uuid, bigint, integer, text, text) is 'Workers: returns a claimed run to its queue after delay_seconds without counting an attempt; app.queue_release(tenant, release_key) can make it visible earlier.';

-- Cancels a run and every unfinished descendant: their waits are cancelled, their queued
-- messages deleted. Returns how many runs were cancelled.
create or replace function app.run_cancel(tenant_id uuid, run_id uuid, reason text default 'cancelled')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_root public.runs%rowtype;
  v_cancelled public.runs%rowtype;
  v_row record;
  v_count integer := 0;
begin
  select * into v_root from public.runs r where r.id = run_cancel.run_id and r.tenant_id = run_cancel.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_cancel.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  for v_cancelled in
    with recursive tree as (
      select r.id from public.runs r where r.id = v_root.id
      union all
      select c.id from public.runs c join tree t on c.parent_run_id = t.id
    )
    update public.runs r
    set status = 'cancelled', completed_at = now(), queue_msg_id = null,
      timed_out = r.timed_out or run_cancel.reason = 'deadline passed',
      error = jsonb_build_object('code', 'CANCELLED', 'message', run_cancel.reason)
    from tree
    where r.id = tree.id and r.tenant_id = run_cancel.tenant_id and not app.run_is_terminal(r.status)
    returning r.*
  loop
    v_count := v_count + 1;
    perform app.waitpoints_cancel(run_cancel.tenant_id, v_cancelled.id);
    perform app.run_event(v_cancelled, 'cancelled', jsonb_build_object('reason', run_cancel.reason));
  end loop;
  -- the queued messages of cancelled runs go away (a running worker sees it at its next heartbeat)
  for v_row in
    select k.queue_name, r.id from public.runs r join app.run_kinds k on k.kind = r.kind
    where r.root_run_id = v_root.root_run_id and r.tenant_id = run_cancel.tenant_id and r.status = 'cancelled'
  loop
    execute format('delete from pgmq.%I q where q.message ->> ''run_id'' = $1', 'q_' || v_row.queue_name) using v_row.id::text;
  end loop;
  perform app.waitpoints_on_run_finished(run_cancel.tenant_id, r.id)
  from public.runs r
  where r.root_run_id = v_root.root_run_id and r.tenant_id = run_cancel.tenant_id and r.status = 'cancelled';
  return v_count;
end;
$$;
comment on function app.run_cancel(uuid, uuid, text) is 'Cancels a run and its unfinished descendants: waits cancelled, queued messages deleted, run.cancelled emitted, runs waiting for them resumed. A worker running one stops at its next heartbeat.';

-- Replays a run from step from_seq into a new run (a fork): steps before from_seq are copied
-- and return their records; from_seq on runs again. input replaces the original input when given.
create or replace function app.run_fork(tenant_id uuid, run_id uuid, from_seq integer, input jsonb default null,
  created_by text default null)
returns public.runs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_source public.runs%rowtype;
  v_run public.runs%rowtype;
begin
  select * into v_source from public.runs r where r.id = run_fork.run_id and r.tenant_id = run_fork.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_fork.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  if run_fork.from_seq is null or run_fork.from_seq < 1 then
    raise exception 'from_seq must be 1 or more' using errcode = 'OR400', detail = 'invalid_from_seq';
  end if;
  if run_fork.from_seq > coalesce((select max(s.seq) from public.run_steps s where s.run_id = v_source.id), 0) + 1 then
    raise exception 'Run % has no step %: fork from an existing step or the one after the last', v_source.id, run_fork.from_seq
      using errcode = 'OR400', detail = 'invalid_from_seq';
  end if;
  insert into public.runs (tenant_id, kind, subject, input, priority, concurrency_key, concurrency_limit,
    parent_run_id, root_run_id, depth, max_attempts, definition_version, code_version, forked_from_run_id,
    forked_from_seq, created_by)
  values (v_source.tenant_id, v_source.kind, v_source.subject, coalesce(run_fork.input, v_source.input),
    v_source.priority, v_source.concurrency_key, v_source.concurrency_limit, null, null, 0, v_source.max_attempts,
    case when run_fork.input is null then v_source.definition_version else md5(run_fork.input::text) end,
    v_source.code_version, v_source.id, run_fork.from_seq, coalesce(run_fork.created_by, 'run:' || v_source.id))
  returning * into v_run;
  update public.runs r set root_run_id = r.id where r.id = v_run.id returning * into v_run;
  insert into public.run_steps (tenant_id, run_id, seq, key, kind, status, input, output, error, attempts,
    run_attempt, provider, model, prompt_tokens, completion_tokens, cost_usd, started_at, completed_at, duration_ms)
  select s.tenant_id, v_run.id, s.seq, s.key, s.kind, s.status, s.input, s.output, s.error, s.attempts, 0,
    s.provider, s.model, s.prompt_tokens, s.completion_tokens, s.cost_usd, s.started_at, s.completed_at, s.duration_ms
  from public.run_steps s
  where s.run_id = v_source.id and s.seq < run_fork.from_seq and s.status = 'completed';
  perform app.run_enqueue(v_run.tenant_id, v_run.id);
  select * into v_run from public.runs r where r.id = v_run.id;
  return v_run;
end;
$$;
comment on function app.run_fork(uuid, uuid, integer, jsonb, text) is 'Replays run_id from step from_seq into a new run: completed steps before from_seq are copied (they return their records; no model or tool is called again), the rest runs again, optionally with new input.';

select app.lock_down();
