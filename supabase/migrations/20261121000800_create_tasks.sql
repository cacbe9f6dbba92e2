-- Task chains (seed 000 agent_tasks) as a DAG: a task runs when all its dependencies succeeded;
-- a failed dependency stops its dependents with a reason; cycles are refused.

create table public.agent_tasks (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  assigned_agent text,
  delegated_by text,
  task_type text not null default 'general' check (length(task_type) between 1 and 100),
  title text not null check (length(title) between 1 and 500),
  description text,
  instructions jsonb,
  input jsonb not null default '{}'::jsonb,
  output jsonb,
  priority integer not null default 0 check (priority between -100 and 100),
  scheduled_for timestamptz,
  deadline_at timestamptz,
  status text not null default 'pending' check (status in (
    'pending', 'queued', 'running', 'waiting', 'success', 'error', 'cancelled', 'expired')),
  status_message text,
  error_message text,
  blocked_by uuid references public.agent_tasks (id) on delete set null,
  attempt_count integer not null default 0,
  max_attempts integer not null default 3 check (max_attempts between 1 and 20),
  last_attempt_at timestamptz,
  session_id uuid references public.runs (id) on delete set null,
  parent_task_id uuid references public.agent_tasks (id) on delete cascade,
  related_post_id uuid references public.blog_posts (id) on delete set null,
  source text not null default 'api' check (source in ('server', 'desktop', 'api', 'webhook', 'automation', 'agent')),
  started_at timestamptz,
  completed_at timestamptz,
  duration_ms integer,
  tokens_used integer,
  estimated_cost numeric(14, 8),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index agent_tasks_tenant_status_idx on public.agent_tasks (tenant_id, status, priority desc, created_at);
create index agent_tasks_tenant_parent_idx on public.agent_tasks (tenant_id, parent_task_id);
create index agent_tasks_due_idx on public.agent_tasks (tenant_id, scheduled_for) where status = 'pending';
create index agent_tasks_session_idx on public.agent_tasks (tenant_id, session_id) where session_id is not null;
comment on column public.agent_tasks.session_id is 'The agent session (a run of kind agent) working on the task now or last.';
comment on column public.agent_tasks.blocked_by is 'The dependency whose failure stopped this task (it went to cancelled with a reason).';
comment on column public.agent_tasks.scheduled_for is 'Not started before this time (app.tick queues it when due).';
comment on column public.agent_tasks.deadline_at is 'Past this the task expires (and its session is cancelled); dependents are stopped.';
comment on column public.agent_tasks.attempt_count is 'Sessions started for this task (retries included).';
comment on column public.agent_tasks.estimated_cost is 'USD spent by the task''s session (its steps'' LLM calls).';
comment on table public.agent_tasks is 'Task queue with dependencies (task_dependencies). pending → queued (a session runs it) → running → success | error; cancelled when a dependency fails (blocked_by says which) or on request; expired past deadline_at. Tasks without an assigned agent wait for a person or client to complete them.';
comment on column public.agent_tasks.assigned_agent is 'Slug of the agent whose session works on the task; a task with none stays pending.';
comment on column public.agent_tasks.delegated_by is 'Provenance text naming who delegated the task; stored as given, no behaviour attached.';
comment on column public.agent_tasks.task_type is 'Free-text category of the task (general by default, up to 100 characters), passed to the session as task.type.';
comment on column public.agent_tasks.instructions is 'Structured instructions for the agent, passed to the session with the task.';
comment on column public.agent_tasks.input is 'JSON input for the agent, passed to the session as task.input.';
comment on column public.agent_tasks.output is 'The result: the output of the session that succeeded (given to dependent tasks as context).';
comment on column public.agent_tasks.priority is 'Priority of the task''s session (-100 to 100, higher runs sooner).';
comment on column public.agent_tasks.status is 'pending (waiting for dependencies, schedule or an agent), queued, running, waiting, success, error, cancelled or expired.';
comment on column public.agent_tasks.status_message is 'Human-readable note on the current status (why it waits, why it was stopped, retry requested); null when there is nothing to say.';
comment on column public.agent_tasks.error_message is 'Why the task last ended in error or was cancelled (the session''s error or the failed dependency); cleared on retry and success.';
comment on column public.agent_tasks.max_attempts is 'Attempts (1-20) allowed to each session started for the task (the session''s runs.max_attempts).';
comment on column public.agent_tasks.last_attempt_at is 'When the latest session for the task was started.';
comment on column public.agent_tasks.parent_task_id is 'A task this one belongs under (deleted with it); a link only, no behaviour attached.';
comment on column public.agent_tasks.related_post_id is 'The blog post the task is about, if any; a link only, no behaviour attached.';
comment on column public.agent_tasks.source is 'Where the task came from: server, desktop, api, webhook, automation or agent (agent when created by the tasks.create tool).';
comment on column public.agent_tasks.started_at is 'When the first of its sessions started running.';
comment on column public.agent_tasks.completed_at is 'When the task ended (success, error, cancelled or expired); cleared on retry.';
comment on column public.agent_tasks.duration_ms is 'Milliseconds from its start (or last attempt) to completion.';
comment on column public.agent_tasks.tokens_used is 'Prompt plus completion tokens of the steps of the task''s session, set when it finishes.';

create table public.task_dependencies (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  task_id uuid not null references public.agent_tasks (id) on delete cascade,
  depends_on_id uuid not null references public.agent_tasks (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (task_id, depends_on_id),
  check (task_id <> depends_on_id)
);
create index task_dependencies_tenant_idx on public.task_dependencies (tenant_id, depends_on_id);
comment on table public.task_dependencies is 'DAG edges: task_id runs after depends_on_id succeeded. Inserting an edge that closes a cycle is refused.';
comment on column public.task_dependencies.task_id is 'The task that waits.';
comment on column public.task_dependencies.depends_on_id is 'The task that must succeed before task_id may run.';

alter table public.agent_tasks enable row level security;
alter table public.agent_tasks force row level security;
create policy "Tasks are viewable within their tenant" on public.agent_tasks
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Tasks can be created within their tenant" on public.agent_tasks
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Tasks can be updated within their tenant" on public.agent_tasks
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
alter table public.task_dependencies enable row level security;
alter table public.task_dependencies force row level security;
create policy "Task dependencies are viewable within their tenant" on public.task_dependencies
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Task dependencies can be created within their tenant" on public.task_dependencies
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
revoke all on public.agent_tasks, public.task_dependencies from anon;
revoke delete, truncate on public.agent_tasks from authenticated;
revoke update, delete, truncate on public.task_dependencies from authenticated;

create trigger agent_tasks_touch before update on public.agent_tasks
  for each row execute function app.touch_updated_at();

-- Refuses a dependency edge that would close a cycle, or that crosses tenants.
create or replace function app.task_dependency_check()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from public.agent_tasks t where t.id = new.depends_on_id and t.tenant_id = new.tenant_id)
    or not exists (select 1 from public.agent_tasks t where t.id = new.task_id and t.tenant_id = new.tenant_id) then
    raise exception 'Task % or its dependency % is not in this tenant', new.task_id, new.depends_on_id using errcode = 'OR404', detail = 'task_not_found';
  end if;
  if exists (
    with recursive upstream as (
      select d.depends_on_id as id from public.task_dependencies d where d.task_id = new.depends_on_id
      union
      select d.depends_on_id from public.task_dependencies d join upstream u on d.task_id = u.id
    )
    select 1 from upstream where id = new.task_id
  ) then
    raise exception 'Dependency cycle: task % already depends (directly or not) on task %', new.depends_on_id, new.task_id
      using errcode = 'OR400', detail = 'dependency_cycle';
  end if;
  return null;
end;
$$;
comment on function app.task_dependency_check() is 'Trigger: refuses dependency edges that cross tenants or close a cycle.';
-- AFTER, so RLS refuses another tenant's rows before this trigger could describe them
create trigger task_dependencies_check after insert on public.task_dependencies
  for each row execute function app.task_dependency_check();

-- Refuses task links to another tenant's rows, which foreign keys alone would allow.
create or replace function app.task_links_check()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_constraint text;
begin
  if new.parent_task_id is not null and not exists (select 1 from public.agent_tasks t where t.id = new.parent_task_id and t.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_parent_task_id_fkey';
  elsif new.blocked_by is not null and not exists (select 1 from public.agent_tasks t where t.id = new.blocked_by and t.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_blocked_by_fkey';
  elsif new.session_id is not null and not exists (select 1 from public.runs s where s.id = new.session_id and s.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_session_id_fkey';
  elsif new.related_post_id is not null and not exists (select 1 from public.blog_posts p where p.id = new.related_post_id and p.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_related_post_id_fkey';
  end if;
  if v_constraint is not null then
    -- exactly what a missing row gives (the same foreign key's violation), so another tenant's
    -- row and no row cannot be told apart
    raise exception 'insert or update on table "agent_tasks" violates foreign key constraint "%"', v_constraint
      using errcode = '23503', constraint = v_constraint;
  end if;
  return null;
end;
$$;
comment on function app.task_links_check() is 'Trigger (after insert or update): refuses task links to rows of another tenant, which foreign keys alone allow, with the same error as a missing row.';
create trigger agent_tasks_check_links after insert or update of tenant_id, parent_task_id, blocked_by, session_id, related_post_id
  on public.agent_tasks for each row execute function app.task_links_check();

-- ============================================================================
-- ADVANCING THE DAG
-- ============================================================================

-- Queues every pending task of the tenant that is due, has an agent and whose dependencies all
-- succeeded: a session runs it with the dependencies' outputs as context. Returns how many.
create or replace function app.task_advance(tenant_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_task public.agent_tasks%rowtype;
  v_session public.runs%rowtype;
  v_count integer := 0;
begin
  -- One advance per tenant at a time, and its reads start after the previous one committed: two
  -- dependencies finishing at the same moment (or a dependent created while its dependency
  -- finishes) would otherwise each see the other unfinished, and the dependent would never run.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.task_advance:' || task_advance.tenant_id::text));
  for v_task in
    select * from public.agent_tasks t
    where t.tenant_id = task_advance.tenant_id and t.status = 'pending' and t.assigned_agent is not null
      and (t.scheduled_for is null or t.scheduled_for <= now())
      and not exists (
        select 1 from public.task_dependencies d join public.agent_tasks dep on dep.id = d.depends_on_id
        where d.task_id = t.id and dep.status <> 'success')
    order by t.priority desc, t.created_at
    for update skip locked
  loop
    begin
    v_session := app.session_spawn(v_task.tenant_id, jsonb_build_object(
      'agent', v_task.assigned_agent, 'priority', v_task.priority,
      'max_attempts', v_task.max_attempts, 'deadline_at', v_task.deadline_at, 'created_by', 'task:' || v_task.id,
      'input', jsonb_build_object('task', jsonb_build_object('id', v_task.id, 'type', v_task.task_type,
        'title', v_task.title, 'description', v_task.description, 'instructions', v_task.instructions,
        'input', v_task.input),
        'dependencies', coalesce((select jsonb_agg(jsonb_build_object('task_id', dep.id, 'title', dep.title,
          'agent', dep.assigned_agent, 'output', dep.output) order by dep.completed_at)
          from public.task_dependencies d join public.agent_tasks dep on dep.id = d.depends_on_id
          where d.task_id = v_task.id), '[]'::jsonb))));
    exception when sqlstate 'OR402' then
      -- GUARD: over a hard budget the task waits (pending) instead of failing what finished before it
      update public.agent_tasks t set status_message = 'Waiting: ' || sqlerrm where t.id = v_task.id;
      continue;
    end;
    update public.agent_tasks t
    set status = 'queued', session_id = v_session.id, attempt_count = t.attempt_count + 1, last_attempt_at = now(),
      status_message = null, error_message = null, blocked_by = null
    where t.id = v_task.id;
    perform app.event_emit(v_task.tenant_id, 'task.queued', 'agent', jsonb_build_object(
      'task_id', v_task.id, 'title', v_task.title, 'agent', v_task.assigned_agent, 'session_id', v_session.id));
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function app.task_advance(uuid) is 'Queues due pending tasks whose dependencies all succeeded (one session each, dependency outputs as context).';

-- Records a task outcome (success | error | cancelled | expired): success advances the DAG;
-- anything else stops every pending dependent, transitively, naming the failed dependency.
create or replace function app.task_finish(tenant_id uuid, task_id uuid, outcome text, output jsonb, error text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_task public.agent_tasks%rowtype;
  v_metrics record;
begin
  select coalesce(sum(r.prompt_tokens + r.completion_tokens), 0)::integer as tokens, coalesce(sum(r.cost_usd), 0) as cost
  into v_metrics
  from public.run_steps r join public.agent_tasks t on t.session_id = r.run_id
  where t.id = task_finish.task_id and r.tenant_id = task_finish.tenant_id;

  update public.agent_tasks t
  set status = task_finish.outcome, output = coalesce(task_finish.output, t.output),
    error_message = case when task_finish.outcome = 'success' then null else task_finish.error end,
    status_message = case when task_finish.outcome = 'success' then null else task_finish.error end,
    completed_at = now(), duration_ms = (extract(epoch from (now() - coalesce(t.started_at, t.last_attempt_at, t.created_at))) * 1000)::integer,
    tokens_used = v_metrics.tokens, estimated_cost = v_metrics.cost
  where t.id = task_finish.task_id and t.tenant_id = task_finish.tenant_id
    and t.status not in ('success', 'error', 'cancelled', 'expired')
  returning * into v_task;
  if v_task.id is null then
    return;
  end if;
  perform app.event_emit(v_task.tenant_id,
    case task_finish.outcome when 'success' then 'task.completed' when 'error' then 'task.failed' else 'task.' || task_finish.outcome end,
    'agent', jsonb_build_object('task_id', v_task.id, 'title', v_task.title, 'agent', v_task.assigned_agent,
      'session_id', v_task.session_id, 'error', task_finish.error));

  if task_finish.outcome = 'success' then
    perform app.task_advance(v_task.tenant_id);
    return;
  end if;

  -- GUARD: stop everything downstream that has not started, saying which dependency failed
  with recursive downstream as (
    select d.task_id as id from public.task_dependencies d where d.depends_on_id = v_task.id
    union
    select d.task_id from public.task_dependencies d join downstream x on d.depends_on_id = x.id
  ),
  stopped as (
    update public.agent_tasks t
    set status = 'cancelled', blocked_by = v_task.id, completed_at = now(),
      status_message = format('Stopped: dependency "%s" %s', v_task.title,
        case task_finish.outcome when 'error' then 'failed' else task_finish.outcome end),
      error_message = format('Dependency %s (%s) ended %s: %s', v_task.id, v_task.title, task_finish.outcome,
        coalesce(task_finish.error, 'no reason given'))
    from downstream
    where t.id = downstream.id and t.tenant_id = v_task.tenant_id and t.status in ('pending', 'waiting')
    returning t.id, t.title, t.status_message
  )
  insert into public.event_log (tenant_id, event_type, event_source, payload)
  select v_task.tenant_id, 'task.cancelled', 'agent', jsonb_build_object('task_id', s.id, 'title', s.title,
    'reason', s.status_message, 'blocked_by', v_task.id)
  from stopped s;
end;
$$;
comment on function app.task_finish(uuid, uuid, text, jsonb, text) is 'Records a task outcome; success queues newly runnable dependents, failure stops pending dependents with a reason.';

-- Puts a failed, cancelled or expired task back to pending (with the dependents it stopped) and advances.
create or replace function app.task_retry(tenant_id uuid, task_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_task public.agent_tasks%rowtype;
begin
  update public.agent_tasks t
  set status = 'pending', error_message = null, status_message = 'retry requested', completed_at = null,
    attempt_count = 0, blocked_by = null, session_id = null
  where t.id = task_retry.task_id and t.tenant_id = task_retry.tenant_id and t.status in ('error', 'cancelled', 'expired')
  returning * into v_task;
  if v_task.id is null then
    raise exception 'Task % is not failed, cancelled or expired in this tenant', task_retry.task_id using errcode = 'OR409';
  end if;
  with recursive downstream as (
    select t.id from public.agent_tasks t where t.blocked_by = v_task.id and t.tenant_id = v_task.tenant_id
    union
    select t.id from public.agent_tasks t join downstream x on t.blocked_by = x.id
  )
  update public.agent_tasks t
  set status = 'pending', blocked_by = null, status_message = null, error_message = null, completed_at = null
  from downstream where t.id = downstream.id and t.status = 'cancelled';
  perform app.task_advance(v_task.tenant_id);
end;
$$;
comment on function app.task_retry(uuid, uuid) is 'Resets a failed/cancelled/expired task and the dependents it stopped, then advances the DAG.';

-- Cron: queues tasks that became due, expires tasks past their deadline.
create or replace function app.tasks_sweep()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row record;
  v_count integer := 0;
begin
  for v_row in
    select t.id, t.tenant_id, t.session_id from public.agent_tasks t
    where t.deadline_at < now() and t.status in ('pending', 'queued', 'running', 'waiting')
  loop
    perform app.task_finish(v_row.tenant_id, v_row.id, 'expired', null, 'deadline passed');
    if v_row.session_id is not null then
      perform app.run_cancel(v_row.tenant_id, v_row.session_id, 'task deadline passed');
    end if;
    v_count := v_count + 1;
  end loop;
  for v_row in
    select distinct t.tenant_id from public.agent_tasks t
    where t.status = 'pending' and t.assigned_agent is not null and t.scheduled_for <= now()
  loop
    v_count := v_count + app.task_advance(v_row.tenant_id);
  end loop;
  return v_count;
end;
$$;
comment on function app.tasks_sweep() is 'Tick job: expires tasks past deadline_at (stopping dependents) and queues tasks whose scheduled_for arrived.';

select app.tick_register('tasks', 'app.tasks_sweep', 300);

-- ============================================================================
-- TASKS FOLLOW THEIR SESSIONS
-- ============================================================================

-- A task's session started: the task is running; it finished: so is the task (success, error or
-- cancelled), which queues or stops its dependents.
create or replace function app.task_on_session_status()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.status = 'running' and old.status = 'queued' then
    update public.agent_tasks t set status = 'running', started_at = coalesce(t.started_at, now())
    where t.session_id = new.id and t.tenant_id = new.tenant_id and t.status = 'queued';
  elsif app.run_is_terminal(new.status) and not app.run_is_terminal(old.status) then
    perform app.task_finish(new.tenant_id, t.id,
      case new.status when 'completed' then 'success' when 'failed' then 'error' else 'cancelled' end,
      case when new.status = 'completed' then coalesce(new.output -> 'output', new.output) end,
      case when new.status <> 'completed' then coalesce(new.error ->> 'message', new.status) end)
    from public.agent_tasks t
    where t.session_id = new.id and t.tenant_id = new.tenant_id;
  end if;
  return null;
end;
$$;
comment on function app.task_on_session_status() is 'Trigger (after update of status on agent runs): a task goes running when its session starts, and takes its session''s outcome when it finishes (success, error, cancelled).';
create trigger runs_task_status after update of status on public.runs
  for each row when (new.kind = 'agent' and new.status is distinct from old.status)
  execute function app.task_on_session_status();

select app.lock_down();
