-- Autonomous behaviour (seed 000 Part II, 004 §4): automations fired by schedules, events,
-- metric thresholds, webhooks or by hand; each firing is a durable run of kind automation (one
-- step per action; waits park the run) executed by the trigger-engine, which also routes events.

-- ============================================================================
-- AUTOMATIONS
-- ============================================================================
create table public.automations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  description text,
  category text not null default 'general'
    check (category in ('content', 'analytics', 'leads', 'maintenance', 'notifications', 'integration', 'general')),
  trigger_type text not null check (trigger_type in ('schedule', 'event', 'threshold', 'manual', 'webhook')),
  trigger_config jsonb not null default '{}'::jsonb,
  event_names text[] not null default '{}',
  conditions jsonb,
  actions jsonb not null default '[]'::jsonb check (jsonb_typeof(actions) = 'array'),
  on_error text not null default 'notify' check (on_error in ('ignore', 'retry', 'notify', 'pause', 'abort')),
  max_retries integer not null default 3 check (max_retries between 0 and 10),
  retry_delay_seconds integer not null default 60 check (retry_delay_seconds between 1 and 86400),
  max_runs_per_hour integer check (max_runs_per_hour > 0),
  max_runs_per_day integer check (max_runs_per_day > 0),
  cooldown_seconds integer not null default 0 check (cooldown_seconds >= 0),
  status text not null default 'active'
    check (status in ('active', 'paused', 'disabled', 'error', 'draft', 'completed')),
  status_reason text,
  run_scopes text[] not null default '{}',
  version integer not null default 1,
  next_run_at timestamptz,
  threshold_state jsonb not null default '{}'::jsonb,
  total_runs integer not null default 0,
  successful_runs integer not null default 0,
  failed_runs integer not null default 0,
  skipped_runs integer not null default 0,
  last_run_at timestamptz,
  last_success_at timestamptz,
  last_error_at timestamptz,
  last_error text,
  avg_duration_ms integer,
  created_by text,
  tags text[] not null default '{}',
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, slug)
);
create index automations_tenant_idx on public.automations (tenant_id, created_at desc);
create index automations_events_idx on public.automations using gin (event_names) where status = 'active';
create index automations_due_idx on public.automations (next_run_at) where status = 'active' and trigger_type = 'schedule';
create index automations_threshold_idx on public.automations (tenant_id) where status = 'active' and trigger_type = 'threshold';
comment on table public.automations is 'Automations (seed 000 Part II): a trigger, conditions and a sequence of actions. Each firing is a run of kind automation (see automation_runs); definitions are snapshotted into the run, so editing one never changes a run in flight.';
comment on column public.automations.trigger_config is 'schedule: {cron, timezone, interval: {value, unit}, runAt, skipIfRunning}; event: {events[], filter, debounce: {seconds, key}, batch: {maxSize, maxWait}, cancelOn: {events[], match}}; threshold: {metric, operator, value, window: {duration, aggregation}, compare, sustainedFor, autoResolve, dimensions}; webhook: {}; manual: {}. Validated by the API (docs/automations.md).';
comment on column public.automations.event_names is 'Event types an event automation listens to (from trigger_config.events; * = all); indexed for matching.';
comment on column public.automations.conditions is 'A condition expression ({field, operator, value} | {and: []} | {or: []} | {not: {}}) over the runtime context; the run is skipped when it is false.';
comment on column public.automations.actions is 'The action sequence: [{type, name?, config, condition?, onError?, output?: {as}}] (14 primitives plus wait_for_event; docs/automations.md).';
comment on column public.automations.on_error is 'What a failed action does unless it says otherwise: ignore (continue), retry (the run retries with backoff, max_retries times), notify (a notification, then continue), pause (pause the automation, stop the run), abort (stop the run).';
comment on column public.automations.run_scopes is 'Scopes the automation''s data actions run with: those of whoever created or last changed it, never more.';
comment on column public.automations.total_runs is 'Runs that finished (success, partial, failed or cancelled); firings skipped by status, caps, cooldown, loop protection or conditions count in skipped_runs. Updated when a run ends.';
comment on column public.automations.version is 'Bumped on every change of trigger, conditions or actions; a run records the version it started with.';
comment on column public.automations.next_run_at is 'Schedule automations: the next firing (computed with the cron library in the automation''s time zone); null while a firing is being scheduled.';
comment on column public.automations.threshold_state is 'Threshold automations: {breaching_since, firing, fired_at, last_value, last_compare, last_checked_at}.';
comment on column public.automations.status is 'active, paused (by hand or by an on_error pause), disabled, error, draft (never fires), completed (a one-time schedule that fired).';
comment on column public.automations.slug is 'URL-safe identifier, unique per tenant (lowercase letters, digits, hyphens).';
comment on column public.automations.category is 'content, analytics, leads, maintenance, notifications, integration or general (for grouping only).';
comment on column public.automations.trigger_type is 'What fires it: schedule, event, threshold, manual or webhook (configured in trigger_config).';
comment on column public.automations.max_retries is 'Retries (0-10) of a run whose action failed, when on_error is retry.';
comment on column public.automations.retry_delay_seconds is 'Base delay in seconds before a retry; doubled each attempt, with jitter.';
comment on column public.automations.max_runs_per_hour is 'Firings allowed in the last hour; more are skipped (manual firings are not capped); null = no cap.';
comment on column public.automations.max_runs_per_day is 'Firings allowed in the last 24 hours; more are skipped (manual firings are not capped); null = no cap.';
comment on column public.automations.cooldown_seconds is 'Seconds after a firing during which further (non-manual) firings are skipped; 0 = none.';
comment on column public.automations.status_reason is 'Why the status last changed by itself (an on_error pause, an invalid schedule); cleared when status is set by hand.';
comment on column public.automations.successful_runs is 'Finished runs whose outcome was success or partial.';
comment on column public.automations.failed_runs is 'Finished runs that failed.';
comment on column public.automations.skipped_runs is 'Firings skipped by cooldown, caps or conditions.';
comment on column public.automations.last_run_at is 'Creation time of the latest finished run.';
comment on column public.automations.last_success_at is 'When a run last finished with success or partial.';
comment on column public.automations.last_error_at is 'When a run last failed.';
comment on column public.automations.last_error is 'Error message of the latest failed run.';
comment on column public.automations.avg_duration_ms is 'Moving average (90 % previous, 10 % latest) of finished runs'' duration in milliseconds.';
comment on column public.automations.created_by is 'Who created the automation: key:<id>, user:<id> or service_role.';
comment on column public.automations.tags is 'Free-text tags for filtering automations.';
comment on column public.automations.metadata is 'Free-form JSON the writer attaches; Ora does not read it.';

alter table public.automations enable row level security;
alter table public.automations force row level security;
create policy "Automations are viewable within their tenant" on public.automations
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Automations can be created within their tenant" on public.automations
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Automations can be changed within their tenant" on public.automations
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Automations can be deleted within their tenant" on public.automations
  for delete to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.automations from anon;
create trigger automations_touch before update on public.automations
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- METRICS (threshold triggers)
-- ============================================================================
create table public.metrics (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (name ~ '^[a-z][a-z0-9_.:-]{0,99}$'),
  value double precision not null,
  dimensions jsonb not null default '{}'::jsonb,
  recorded_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);
create index metrics_tenant_name_time_idx on public.metrics (tenant_id, name, recorded_at desc);
comment on table public.metrics is 'Metric points (page_views, lead_count, error_rate, sensor readings…) recorded with metrics.record; threshold automations aggregate them over windows.';
comment on column public.metrics.dimensions is 'Labels of the point ({page, source, asset}); queries and thresholds can filter on them (containment).';
comment on column public.metrics.recorded_at is 'When the value was observed (may be in the past for back-filled points).';
comment on column public.metrics.name is 'Metric name (lowercase letters, digits and _ . : -), e.g. page_views; threshold automations select by it.';
comment on column public.metrics.value is 'The observed value.';
alter table public.metrics enable row level security;
alter table public.metrics force row level security;
create policy "Metrics are viewable within their tenant" on public.metrics
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Metrics can be recorded within their tenant" on public.metrics
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
revoke all on public.metrics from anon;
revoke update, delete on public.metrics from authenticated;

-- ============================================================================
-- PENDING WINDOWS (debounce and batch) AND INBOUND WEBHOOKS
-- ============================================================================
create table app.automation_windows (
  run_id uuid primary key,
  automation_id uuid not null references public.automations (id) on delete cascade,
  window_key text not null,
  tenant_id uuid not null,
  mode text not null check (mode in ('debounce', 'batch')),
  events jsonb not null default '[]'::jsonb,
  fire_at timestamptz not null,
  closed boolean not null default false,
  opened_at timestamptz not null default now()
);
create unique index automation_windows_open_idx on app.automation_windows (automation_id, window_key) where not closed;
comment on table app.automation_windows is 'Internal: the debounce or batch window of an event automation run (one open window per automation and key): the run waits until fire_at; later events extend (debounce) or join (batch) it; a full batch is closed at once and the next event opens a new window.';
comment on column app.automation_windows.run_id is 'The automation run parked until the window fires.';
comment on column app.automation_windows.automation_id is 'The event automation the window belongs to.';
comment on column app.automation_windows.window_key is 'The debounce or batch key (from trigger_config; empty for one window per automation).';
comment on column app.automation_windows.mode is 'debounce (only the latest event, fire_at pushed back by each) or batch (events collected until max size or max wait).';
comment on column app.automation_windows.events is 'The collected triggers (debounce: the latest only).';
comment on column app.automation_windows.fire_at is 'When the window fires and its run resumes.';
comment on column app.automation_windows.closed is 'True once a batch is full: later events open a new window.';
comment on column app.automation_windows.opened_at is 'When the first event opened the window.';
alter table app.automation_windows enable row level security;
alter table app.automation_windows force row level security;
revoke all on table app.automation_windows from public, anon, authenticated, service_role;

create table app.automation_hooks (
  automation_id uuid primary key references public.automations (id) on delete cascade,
  tenant_id uuid not null,
  secret_enc bytea,
  vault_secret_id uuid,
  created_at timestamptz not null default now(),
  check ((secret_enc is null) <> (vault_secret_id is null))
);
comment on table app.automation_hooks is 'Internal: the signing secret of each webhook-triggered automation (Vault on Supabase, encrypted with the local key elsewhere); inbound requests must carry a valid signature.';
comment on column app.automation_hooks.automation_id is 'The webhook-triggered automation the secret signs for.';
comment on column app.automation_hooks.secret_enc is 'The signing secret encrypted with the local stack''s key; null where Vault holds it.';
comment on column app.automation_hooks.vault_secret_id is 'The Vault secret holding the signing secret (on Supabase); null elsewhere.';
alter table app.automation_hooks enable row level security;
alter table app.automation_hooks force row level security;
revoke all on table app.automation_hooks from public, anon, authenticated, service_role;

create table app.automation_hook_ids (
  automation_id uuid not null references public.automations (id) on delete cascade,
  webhook_id text not null,
  received_at timestamptz not null default now(),
  primary key (automation_id, webhook_id)
);
comment on table app.automation_hook_ids is 'Internal: webhook-id values already accepted per automation (replays are answered without firing again); kept 7 days.';
comment on column app.automation_hook_ids.automation_id is 'The automation the request was sent to.';
comment on column app.automation_hook_ids.webhook_id is 'The webhook-id header of an accepted inbound request.';
comment on column app.automation_hook_ids.received_at is 'When the request was accepted; rows older than 7 days are deleted.';
alter table app.automation_hook_ids enable row level security;
alter table app.automation_hook_ids force row level security;
revoke all on table app.automation_hook_ids from public, anon, authenticated, service_role;

-- ============================================================================
-- THE RUN KIND AND ITS QUEUES
-- ============================================================================
insert into app.run_kinds (kind, queue_name, concurrency_limit_name, on_deadline, event_prefix, description) values
  ('automation', 'automations', 'max_concurrent_automation_runs', 'cancel', 'automation',
   'One firing of an automation: conditions, then each action a step; wait and wait_for_event park the run.');
select app.queue_register('automations', 'trigger-engine', 'Automation runs (runs of kind automation).', 4);
select app.queue_register('events', 'trigger-engine', 'Events that automations or webhook subscriptions may want, to be matched.', 4);

create index runs_automation_idx on public.runs (tenant_id, subject, created_at desc) where kind = 'automation';

-- The view automation history reads (runs of kind automation, in seed 000's words).
create view public.automation_runs with (security_invoker = true) as
select r.id, r.tenant_id, r.subject::uuid as automation_id,
  r.input -> 'trigger' ->> 'type' as triggered_by, r.input -> 'trigger' -> 'data' as trigger_data,
  case r.status when 'queued' then 'pending' when 'running' then 'running' when 'waiting' then 'waiting'
    when 'completed' then coalesce(r.output ->> 'status', 'success') else r.status end as status,
  r.started_at, r.completed_at,
  (extract(epoch from (r.completed_at - coalesce(r.started_at, r.created_at))) * 1000)::integer as duration_ms,
  (r.output ->> 'actions_total')::integer as actions_total,
  (r.output ->> 'actions_completed')::integer as actions_completed,
  (r.output ->> 'actions_failed')::integer as actions_failed,
  r.output -> 'results' as action_results, r.error, greatest(r.attempt - 1, 0) as retry_count,
  (r.input -> 'automation' ->> 'version')::integer as automation_version,
  r.parent_run_id, r.created_at
from public.runs r
where r.kind = 'automation';
comment on view public.automation_runs is 'Automation runs as seed 000 names them: runs of kind automation with their trigger, status (pending, running, waiting, success, partial, failed, skipped, cancelled) and per-action results; each action is a step in run_steps. Read-only; RLS of runs applies.';
revoke all on public.automation_runs from anon;
revoke insert, update, delete on public.automation_runs from authenticated;
grant select on public.automation_runs to authenticated;

-- ============================================================================
-- FIRING
-- ============================================================================

-- Fires an automation: checks status, caps, cooldown and loop protection, then starts its run
-- (or joins the open debounce/batch window). trigger: {type, data, event_id?, chain?: uuid[]};
-- opts: {window?: {mode, key, seconds|max_wait, max_size}, parent_run_id?, force?}. Returns
-- {status: started|joined|skipped, reason?, run_id?}.
create or replace function app.automation_fire(tenant_id uuid, automation_id uuid, trigger jsonb, opts jsonb default '{}')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_a public.automations%rowtype;
  v_chain uuid[];
  v_window app.automation_windows%rowtype;
  v_run public.runs%rowtype;
  v_recent integer;
  v_fire_at timestamptz;
  v_max_size integer;
  v_full boolean;
begin
  -- no row lock: firings of one automation run in parallel (a busy event automation is not
  -- serialised on its row); only caps, cooldowns and windows serialise, on an advisory lock
  select * into v_a from public.automations a
  where a.id = automation_fire.automation_id and a.tenant_id = automation_fire.tenant_id;
  if not found then
    raise exception 'No automation % in this tenant', automation_fire.automation_id using errcode = 'OR404', detail = 'automation_not_found';
  end if;
  -- GUARD: a repeated firing with the same idempotency key (a retried chain step) is the same run
  if opts ->> 'idempotency_key' is not null then
    select * into v_run from public.runs r
    where r.tenant_id = automation_fire.tenant_id and r.idempotency_key = opts ->> 'idempotency_key';
    if found then
      return jsonb_build_object('status', 'started', 'run_id', v_run.id, 'existing', true);
    end if;
  end if;
  if v_a.status <> 'active' and not coalesce((opts ->> 'force')::boolean, false) then
    return jsonb_build_object('status', 'skipped', 'reason', 'automation_' || v_a.status);
  end if;

  -- GUARD: loop protection — an automation never fires from its own run's effects
  v_chain := coalesce((select array_agg(x::uuid) from jsonb_array_elements_text(trigger -> 'chain') x), '{}');
  if v_a.id = any(v_chain) or cardinality(v_chain) >= 8 then
    perform app.event_emit(v_a.tenant_id, 'automation.loop_stopped', 'automation', jsonb_build_object(
      'automation_id', v_a.id, 'slug', v_a.slug, 'chain', to_jsonb(v_chain), 'trigger', trigger - 'data'));
    update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
    return jsonb_build_object('status', 'skipped', 'reason', 'loop');
  end if;

  if opts -> 'window' is not null or v_a.cooldown_seconds > 0 or v_a.max_runs_per_hour is not null
      or v_a.max_runs_per_day is not null then
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.automation_fire:' || v_a.id::text));
  end if;

  -- WINDOWS: a later event joins or extends the open debounce/batch window
  if opts -> 'window' is not null then
    select * into v_window from app.automation_windows w
    where w.automation_id = v_a.id and w.window_key = coalesce(opts -> 'window' ->> 'key', '') and not w.closed
    for update;
    if found and exists (select 1 from public.runs r where r.id = v_window.run_id and not app.run_is_terminal(r.status)) then
      v_max_size := (opts -> 'window' ->> 'max_size')::integer;
      if v_window.mode = 'debounce' then
        v_fire_at := now() + make_interval(secs => (opts -> 'window' ->> 'seconds')::numeric);
        -- events are routed concurrently: the latest event wins, whichever is routed last
        update app.automation_windows w set fire_at = v_fire_at,
          events = case when (trigger -> 'event' ->> 'created_at')::timestamptz
              >= coalesce((w.events -> 0 -> 'event' ->> 'created_at')::timestamptz, '-infinity')
            then jsonb_build_array(trigger) else w.events end
        where w.run_id = v_window.run_id;
      else
        v_full := v_max_size is not null and jsonb_array_length(v_window.events) + 1 >= v_max_size;
        v_fire_at := case when v_full then now() else v_window.fire_at end;
        update app.automation_windows w set events = w.events || jsonb_build_array(trigger), fire_at = v_fire_at,
          closed = v_full
        where w.run_id = v_window.run_id;
      end if;
      -- move the parked run's timer with the window (a full batch resumes it now)
      if v_fire_at <= now() then
        perform app.waitpoint_resolve(wp.id, 'resolved', jsonb_build_object('window', 'full'))
        from public.run_waitpoints wp
        where wp.run_id = v_window.run_id and wp.kind = 'time' and wp.status = 'pending';
      else
        update public.run_waitpoints wp set resume_at = v_fire_at
        where wp.run_id = v_window.run_id and wp.kind = 'time' and wp.status = 'pending';
      end if;
      return jsonb_build_object('status', 'joined', 'run_id', v_window.run_id, 'fire_at', v_fire_at);
    end if;
    -- a window whose run ended without taking it is stale
    delete from app.automation_windows w where w.automation_id = v_a.id
      and w.window_key = coalesce(opts -> 'window' ->> 'key', '') and not w.closed;
  end if;

  -- SKIP IF RUNNING: a schedule whose previous run has not finished skips this firing
  if trigger ->> 'type' = 'schedule' and coalesce((v_a.trigger_config ->> 'skipIfRunning')::boolean, true)
      and exists (select 1 from public.runs r where r.tenant_id = v_a.tenant_id and r.kind = 'automation'
        and r.subject = v_a.id::text and not app.run_is_terminal(r.status)) then
    update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
    return jsonb_build_object('status', 'skipped', 'reason', 'still_running');
  end if;

  -- CAPS AND COOLDOWN (manual firings are not capped)
  if trigger ->> 'type' <> 'manual' then
    if v_a.cooldown_seconds > 0 and exists (select 1 from public.runs r
        where r.tenant_id = v_a.tenant_id and r.kind = 'automation' and r.subject = v_a.id::text
          and r.created_at > now() - make_interval(secs => v_a.cooldown_seconds)) then
      update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
      return jsonb_build_object('status', 'skipped', 'reason', 'cooldown');
    end if;
    if v_a.max_runs_per_hour is not null or v_a.max_runs_per_day is not null then
      select count(*) filter (where r.created_at > now() - interval '1 hour') into v_recent
      from public.runs r
      where r.tenant_id = v_a.tenant_id and r.kind = 'automation' and r.subject = v_a.id::text
        and r.created_at > now() - interval '1 day';
      if v_a.max_runs_per_hour is not null and v_recent >= v_a.max_runs_per_hour then
        update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
        return jsonb_build_object('status', 'skipped', 'reason', 'max_runs_per_hour');
      end if;
      if v_a.max_runs_per_day is not null and (select count(*) from public.runs r
          where r.tenant_id = v_a.tenant_id and r.kind = 'automation' and r.subject = v_a.id::text
            and r.created_at > now() - interval '1 day') >= v_a.max_runs_per_day then
        update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
        return jsonb_build_object('status', 'skipped', 'reason', 'max_runs_per_day');
      end if;
    end if;
  end if;

  v_run := app.run_create(v_a.tenant_id, jsonb_build_object(
    'kind', 'automation', 'subject', v_a.id::text,
    'parent_run_id', opts ->> 'parent_run_id',
    -- two attempts to spare for a worker that dies mid-run (the engine stops action retries at max_retries)
    'max_attempts', case when v_a.on_error = 'retry' then v_a.max_retries + 1 else 1 end + 2,
    'idempotency_key', opts ->> 'idempotency_key',
    'created_by', 'automation:' || v_a.id,
    'input', jsonb_build_object(
      'automation', jsonb_build_object('id', v_a.id, 'name', v_a.name, 'slug', v_a.slug, 'version', v_a.version,
        'trigger_type', v_a.trigger_type, 'trigger_config', v_a.trigger_config, 'conditions', v_a.conditions,
        'actions', v_a.actions, 'on_error', v_a.on_error, 'max_retries', v_a.max_retries,
        'retry_delay_seconds', v_a.retry_delay_seconds, 'run_scopes', to_jsonb(v_a.run_scopes)),
      'trigger', trigger || jsonb_build_object('chain', to_jsonb(v_chain || v_a.id), 'timestamp', now()),
      'window', case when opts -> 'window' is not null then opts -> 'window' end),
    'definition_version', v_a.id || ':' || v_a.version));
  if opts -> 'window' is not null then
    v_fire_at := case when opts -> 'window' ->> 'mode' = 'debounce'
      then now() + make_interval(secs => (opts -> 'window' ->> 'seconds')::numeric)
      else now() + make_interval(secs => (opts -> 'window' ->> 'max_wait')::numeric) end;
    v_full := opts -> 'window' ->> 'mode' = 'batch' and coalesce((opts -> 'window' ->> 'max_size')::integer, 2) <= 1;
    insert into app.automation_windows (automation_id, window_key, tenant_id, run_id, mode, events, fire_at, closed)
    values (v_a.id, coalesce(opts -> 'window' ->> 'key', ''), v_a.tenant_id, v_run.id, opts -> 'window' ->> 'mode',
      jsonb_build_array(trigger), case when v_full then now() else v_fire_at end, v_full);
  end if;
  return jsonb_build_object('status', 'started', 'run_id', v_run.id);
end;
$$;
comment on function app.automation_fire(uuid, uuid, jsonb, jsonb) is 'Fires an automation (status, loop protection, cooldown, per-hour/day caps) by starting its run, or joins the open debounce/batch window. Returns {status: started|joined|skipped, reason, run_id}.';

-- A debounce/batch run takes its window: the collected events if it is due, else when it is due.
create or replace function app.automation_window_take(tenant_id uuid, run_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_window app.automation_windows%rowtype;
begin
  select * into v_window from app.automation_windows w
  where w.run_id = automation_window_take.run_id and w.tenant_id = automation_window_take.tenant_id
  for update;
  if not found then
    return jsonb_build_object('due', true, 'events', '[]'::jsonb, 'closed', true);
  end if;
  if v_window.fire_at > now() then
    return jsonb_build_object('due', false, 'fire_at', v_window.fire_at);
  end if;
  delete from app.automation_windows w where w.run_id = v_window.run_id;
  -- in the order the events happened (they are routed concurrently)
  return jsonb_build_object('due', true, 'events', (select coalesce(jsonb_agg(e.value
      order by (e.value -> 'event' ->> 'created_at')::timestamptz nulls last, e.ordinality), '[]'::jsonb)
    from jsonb_array_elements(v_window.events) with ordinality e), 'mode', v_window.mode, 'key', v_window.window_key);
end;
$$;
comment on function app.automation_window_take(uuid, uuid) is 'Workers: closes a debounce/batch run''s window once due and returns its events ({due, events}); not yet due → {due: false, fire_at}.';

-- Sets an automation's next scheduled firing (computed by the cron library in its time zone).
create or replace function app.automation_schedule_set(tenant_id uuid, automation_id uuid, next_run_at timestamptz,
  only_if_unset boolean default true)
returns boolean
language sql
security definer
set search_path = ''
as $$
  with updated as (
    update public.automations a
    set next_run_at = automation_schedule_set.next_run_at,
      status = case when automation_schedule_set.next_run_at is null and a.trigger_type = 'schedule'
        and a.trigger_config ? 'runAt' then 'completed' else a.status end
    where a.id = automation_schedule_set.automation_id and a.tenant_id = automation_schedule_set.tenant_id
      and (not automation_schedule_set.only_if_unset or a.next_run_at is null)
    returning 1)
  select exists (select 1 from updated)
$$;
comment on function app.automation_schedule_set(uuid, uuid, timestamptz, boolean) is 'Workers: records the next firing of a schedule automation (null ends a one-time schedule: status completed); by default only when none is set (a change made meanwhile wins).';

-- Asks the trigger-engine to compute a schedule automation's next firing (croner, in its time
-- zone): whenever an active schedule automation is left without next_run_at — just created from
-- SQL, resumed, or just fired (after = the firing it just had).
create or replace function app.automations_schedule_request()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.trigger_type = 'schedule' and new.status = 'active' and new.next_run_at is null
      and (tg_op = 'INSERT' or old.next_run_at is not null or old.status <> 'active'
        or old.trigger_config is distinct from new.trigger_config) then
    perform pgmq.send('events', jsonb_build_object('kind', 'schedule', 'tenant_id', new.tenant_id,
      'automation_id', new.id, 'after', case when tg_op = 'UPDATE' then old.next_run_at end));
    perform app.queue_wake('events', 'schedule');
  end if;
  return null;
end;
$$;
comment on function app.automations_schedule_request() is 'Trigger (after insert or update on automations): an active schedule automation without next_run_at gets its next firing computed by the trigger-engine (message kind schedule on the events queue, after = the firing it just had).';
create trigger automations_schedule_request after insert or update of next_run_at, status, trigger_config on public.automations
  for each row execute function app.automations_schedule_request();

-- Tick job: fires schedule automations that are due (next_run_at cleared until the engine sets the next).
create or replace function app.automations_schedule_due()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_a record;
  v_count integer := 0;
begin
  for v_a in
    select a.id, a.tenant_id, a.next_run_at from public.automations a
    where a.status = 'active' and a.trigger_type = 'schedule' and a.next_run_at <= now()
    order by a.next_run_at limit 500
    for update skip locked
  loop
    update public.automations a set next_run_at = null where a.id = v_a.id;
    perform app.automation_fire(v_a.tenant_id, v_a.id, jsonb_build_object('type', 'schedule',
      'data', jsonb_build_object('scheduled_for', v_a.next_run_at)));
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function app.automations_schedule_due() is 'Tick job: fires every active schedule automation whose next_run_at has come (its run computes the following one).';
select app.tick_register('automations_schedule', 'app.automations_schedule_due', 400);

-- ============================================================================
-- THRESHOLDS
-- ============================================================================

-- Aggregates a metric over [since, until) for a tenant (dimensions: containment filter).
create or replace function app.metric_aggregate(tenant_id uuid, name text, since timestamptz, until timestamptz,
  aggregation text, dimensions jsonb default null)
returns double precision
language sql
stable
security definer
set search_path = ''
as $$
  select case metric_aggregate.aggregation
      when 'sum' then coalesce(sum(m.value), 0)
      when 'avg' then avg(m.value)
      when 'min' then min(m.value)
      when 'max' then max(m.value)
      when 'count' then count(*)::double precision
      when 'last' then (array_agg(m.value order by m.recorded_at desc))[1]
    end
  from public.metrics m
  where m.tenant_id = metric_aggregate.tenant_id and m.name = metric_aggregate.name
    and m.recorded_at >= metric_aggregate.since and m.recorded_at < metric_aggregate.until
    and (metric_aggregate.dimensions is null or m.dimensions @> metric_aggregate.dimensions)
$$;
comment on function app.metric_aggregate(uuid, text, timestamptz, timestamptz, text, jsonb) is 'A metric aggregated (sum, avg, min, max, count, last) over [since, until) for a tenant, optionally only points whose dimensions contain the given ones.';

-- Evaluates one threshold automation now; fires on a sustained breach (and on recovery when
-- autoResolve). Returns what it decided.
create or replace function app.threshold_check(automation_id uuid)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_a public.automations%rowtype;
  v_c jsonb;
  v_window interval;
  v_sustain interval;
  v_value double precision;
  v_compare double precision;
  v_change double precision;
  v_measure double precision;
  v_breach boolean;
  v_state jsonb;
  v_op text;
  v_limit double precision;
  v_shift interval;
begin
  select * into v_a from public.automations a where a.id = threshold_check.automation_id for update;
  if not found or v_a.status <> 'active' or v_a.trigger_type <> 'threshold' then
    return 'inactive';
  end if;
  v_c := v_a.trigger_config;
  v_window := (v_c -> 'window' ->> 'duration')::interval;
  v_sustain := coalesce((v_c ->> 'sustainedFor')::interval, interval '0');
  v_op := v_c ->> 'operator';
  v_limit := (v_c ->> 'value')::double precision;
  v_value := app.metric_aggregate(v_a.tenant_id, v_c ->> 'metric', now() - v_window, now(),
    coalesce(v_c -> 'window' ->> 'aggregation', 'sum'), v_c -> 'dimensions');
  v_shift := case v_c ->> 'compare' when 'same_day_last_week' then interval '7 days'
    when 'previous_period' then v_window end;
  if v_shift is not null then
    v_compare := app.metric_aggregate(v_a.tenant_id, v_c ->> 'metric', now() - v_shift - v_window, now() - v_shift,
      coalesce(v_c -> 'window' ->> 'aggregation', 'sum'), v_c -> 'dimensions');
    v_change := case when v_compare is null or v_compare = 0 then null else 100 * (v_value - v_compare) / abs(v_compare) end;
  end if;
  v_measure := case when v_op in ('change_gt', 'change_lt') then v_change else v_value end;
  v_breach := v_measure is not null and case v_op
    when 'gt' then v_measure > v_limit when 'gte' then v_measure >= v_limit
    when 'lt' then v_measure < v_limit when 'lte' then v_measure <= v_limit
    when 'eq' then v_measure = v_limit when 'change_gt' then v_measure > v_limit
    when 'change_lt' then v_measure < v_limit else false end;
  v_state := v_a.threshold_state || jsonb_build_object('last_value', v_value, 'last_compare', v_compare,
    'last_change_percent', v_change, 'last_checked_at', now());

  if v_breach then
    v_state := v_state || jsonb_build_object('breaching_since', coalesce(v_a.threshold_state ->> 'breaching_since', now()::text));
    if not coalesce((v_a.threshold_state ->> 'firing')::boolean, false)
        and (v_state ->> 'breaching_since')::timestamptz <= now() - v_sustain then
      update public.automations a set threshold_state = v_state || jsonb_build_object('firing', true, 'fired_at', now())
      where a.id = v_a.id;
      perform app.automation_fire(v_a.tenant_id, v_a.id, jsonb_build_object('type', 'threshold', 'data', jsonb_build_object(
        'metric', v_c ->> 'metric', 'value', v_value, 'compareValue', v_compare, 'changePercent', round(v_change::numeric, 2),
        'operator', v_op, 'threshold', v_limit, 'window', v_c -> 'window', 'compare', v_c ->> 'compare',
        'breachingSince', v_state ->> 'breaching_since', 'resolved', false)));
      return 'fired';
    end if;
    update public.automations a set threshold_state = v_state where a.id = v_a.id;
    return 'breaching';
  end if;

  v_state := v_state - 'breaching_since';
  if coalesce((v_a.threshold_state ->> 'firing')::boolean, false) then
    update public.automations a set threshold_state = v_state || jsonb_build_object('firing', false, 'resolved_at', now())
    where a.id = v_a.id;
    if coalesce((v_c ->> 'autoResolve')::boolean, false) then
      perform app.automation_fire(v_a.tenant_id, v_a.id, jsonb_build_object('type', 'threshold', 'data', jsonb_build_object(
        'metric', v_c ->> 'metric', 'value', v_value, 'compareValue', v_compare, 'changePercent', round(v_change::numeric, 2),
        'operator', v_op, 'threshold', v_limit, 'resolved', true)));
      return 'resolved';
    end if;
    return 'rearmed';
  end if;
  update public.automations a set threshold_state = v_state where a.id = v_a.id;
  return 'normal';
end;
$$;
comment on function app.threshold_check(uuid) is 'Evaluates a threshold automation now: the metric over its window (and the comparison period: previous_period or same_day_last_week, for change_gt/change_lt in percent); fires once the breach lasted sustainedFor, fires again with resolved=true on recovery when autoResolve. Returns fired, breaching, resolved, rearmed, normal or inactive.';

-- Tick job: checks threshold automations not checked for 10 seconds.
create or replace function app.thresholds_due()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_count integer := 0;
begin
  for v_id in
    select a.id from public.automations a
    where a.status = 'active' and a.trigger_type = 'threshold'
      and coalesce((a.threshold_state ->> 'last_checked_at')::timestamptz, '-infinity') < now() - interval '10 seconds'
    limit 200
  loop
    perform app.threshold_check(v_id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function app.thresholds_due() is 'Tick job: evaluates every active threshold automation at most every 10 seconds.';
select app.tick_register('automations_thresholds', 'app.thresholds_due', 410);

-- ============================================================================
-- EVENTS → THE TRIGGER-ENGINE
-- ============================================================================

-- Whether any active event automation of the tenant listens to event_type.
create or replace function app.automations_want(tenant_id uuid, event_type text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select exists (select 1 from public.automations a
    where a.tenant_id = automations_want.tenant_id and a.status = 'active'
      and a.event_names && array[automations_want.event_type, '*']));
end;
$$;
comment on function app.automations_want(uuid, text) is 'Whether an active event automation of the tenant listens to event_type (or to *).';


-- Sends an event to the trigger-engine when an automation or a webhook subscription may want it,
-- in the event's own transaction (and wakes the engine, coalesced).
create or replace function app.events_route()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if app.automations_want(new.tenant_id, new.event_type) or app.webhooks_want(new.tenant_id, new.event_type) then
    perform pgmq.send('events', jsonb_build_object('tenant_id', new.tenant_id, 'event_id', new.id,
      'event_type', new.event_type));
    if coalesce((select (t.settings ->> 'wake_workers')::boolean from public.tenants t where t.id = new.tenant_id), true) then
      perform app.queue_wake('events', 'event');
    end if;
  end if;
  return null;
end;
$$;
comment on function app.events_route() is 'Trigger (after insert on event_log): queues the event for the trigger-engine (pgmq events) when an active automation or webhook subscription may want it, and wakes the engine.';
create trigger event_log_route after insert on public.event_log
  for each row execute function app.events_route();

-- ============================================================================
-- STATISTICS
-- ============================================================================

-- A finished automation run updates its automation's statistics.
create or replace function app.automation_on_run_finished()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ms integer := (extract(epoch from (new.completed_at - coalesce(new.started_at, new.created_at))) * 1000)::integer;
  v_outcome text := case when new.status = 'completed' then coalesce(new.output ->> 'status', 'success') else new.status end;
begin
  update public.automations a set
    total_runs = a.total_runs + case when v_outcome = 'skipped' then 0 else 1 end,
    last_run_at = greatest(a.last_run_at, new.created_at),
    successful_runs = a.successful_runs + case when v_outcome in ('success', 'partial') then 1 else 0 end,
    failed_runs = a.failed_runs + case when v_outcome = 'failed' then 1 else 0 end,
    skipped_runs = a.skipped_runs + case when v_outcome = 'skipped' then 1 else 0 end,
    last_success_at = case when v_outcome in ('success', 'partial') then now() else a.last_success_at end,
    last_error_at = case when v_outcome = 'failed' then now() else a.last_error_at end,
    last_error = case when v_outcome = 'failed' then coalesce(new.error ->> 'message', new.output ->> 'error') else a.last_error end,
    avg_duration_ms = case when v_outcome in ('success', 'partial', 'failed')
      then coalesce((a.avg_duration_ms * 9 + v_ms) / 10, v_ms) else a.avg_duration_ms end
  where a.id = new.subject::uuid and a.tenant_id = new.tenant_id;
  return null;
end;
$$;
comment on function app.automation_on_run_finished() is 'Trigger (after an automation run finishes): updates its automation''s counts (total_runs counts finished runs; conditions-skipped runs count as skipped), last run, last success/error and a moving average duration. Counted at the end, not at the firing, so firings never wait on the automation row.';
create trigger runs_automation_finished after update of status on public.runs
  for each row when (new.kind = 'automation' and new.status in ('completed', 'failed', 'cancelled')
    and old.status not in ('completed', 'failed', 'cancelled'))
  execute function app.automation_on_run_finished();

-- ============================================================================
-- WEBHOOK TRIGGERS: signing secrets and replay protection
-- ============================================================================

-- Stores the signing secret of a webhook automation (Vault on Supabase, the local key elsewhere).
create or replace function app.automation_hook_set(tenant_id uuid, automation_id uuid, secret text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_vault uuid;
  v_key text;
begin
  if not exists (select 1 from public.automations a where a.id = automation_hook_set.automation_id and a.tenant_id = automation_hook_set.tenant_id) then
    raise exception 'No automation % in this tenant', automation_hook_set.automation_id using errcode = 'OR404', detail = 'automation_not_found';
  end if;
  delete from app.automation_hooks h where h.automation_id = automation_hook_set.automation_id;
  if to_regclass('vault.secrets') is not null then
    execute format('select %I.create_secret($1, $2)', 'vault') into v_vault
      using automation_hook_set.secret, 'ora:hook:' || automation_hook_set.automation_id || ':' || gen_random_uuid();
    insert into app.automation_hooks (automation_id, tenant_id, vault_secret_id)
    values (automation_hook_set.automation_id, automation_hook_set.tenant_id, v_vault);
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: no Vault and no local encryption key' using errcode = '55000';
    end if;
    insert into app.automation_hooks (automation_id, tenant_id, secret_enc)
    values (automation_hook_set.automation_id, automation_hook_set.tenant_id, extensions.pgp_sym_encrypt(automation_hook_set.secret, v_key));
  end if;
end;
$$;
comment on function app.automation_hook_set(uuid, uuid, text) is 'Stores (replaces) the signing secret of a webhook-triggered automation; never returned except by app.automation_hook_secret to the inbound endpoint.';

-- The signing secret and tenant of an active webhook automation, for the inbound endpoint.
create or replace function app.automation_hook_secret(automation_id uuid)
returns table (tenant_id uuid, secret text, status text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_h app.automation_hooks%rowtype;
begin
  select * into v_h from app.automation_hooks h where h.automation_id = automation_hook_secret.automation_id;
  if not found then
    return;
  end if;
  tenant_id := v_h.tenant_id;
  select a.status into status from public.automations a where a.id = v_h.automation_id and a.trigger_type = 'webhook';
  if status is null then
    return;
  end if;
  if v_h.vault_secret_id is not null then
    execute format('select decrypted_secret from %I.decrypted_secrets where id = $1', 'vault') into secret using v_h.vault_secret_id;
  else
    secret := extensions.pgp_sym_decrypt(v_h.secret_enc, app.local_encryption_key());
  end if;
  return next;
end;
$$;
comment on function app.automation_hook_secret(uuid) is 'Inbound endpoint only: the tenant, signing secret and status of a webhook-triggered automation (no row for anything else).';

-- Records an accepted webhook-id; false when it was seen before (a replay).
create or replace function app.automation_hook_accept(automation_id uuid, webhook_id text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from app.automation_hook_ids h where h.received_at < now() - interval '7 days';
  insert into app.automation_hook_ids (automation_id, webhook_id) values (automation_hook_accept.automation_id, automation_hook_accept.webhook_id)
  on conflict on constraint automation_hook_ids_pkey do nothing;
  return found;
end;
$$;
comment on function app.automation_hook_accept(uuid, text) is 'Inbound endpoint only: records a webhook-id for the automation; false if it was already accepted (the request is a replay).';

select app.lock_down();
