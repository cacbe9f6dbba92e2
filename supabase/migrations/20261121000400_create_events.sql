-- The tenant-scoped event_log: table triggers (leads, blog posts, …), workers (run.*, task.*,
-- budget.*) and clients (events.emit) write to it; waits and automations consume it.

-- ============================================================================
-- EVENT LOG
-- ============================================================================
create table public.event_log (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  event_type text not null check (length(event_type) between 1 and 200),
  event_source text not null default 'database'
    check (event_source in ('database', 'api', 'agent', 'webhook', 'system', 'automation')),
  payload jsonb not null default '{}'::jsonb,
  processed boolean not null default false,
  processed_at timestamptz,
  processing_error text,
  matched_automations uuid[],
  chain uuid[] not null default coalesce(nullif(current_setting('ora.chain', true), ''), '{}')::uuid[],
  origin text check (origin ~ '^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,99}$'),
  asset_id text check (length(asset_id) between 1 and 200),
  occurred_at timestamptz,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '30 days'
);
create index event_log_tenant_created_idx on public.event_log (tenant_id, created_at desc);
create index event_log_tenant_type_idx on public.event_log (tenant_id, event_type, created_at desc);
create index event_log_expires_idx on public.event_log (expires_at);
create index event_log_tenant_asset_idx on public.event_log (tenant_id, asset_id, created_at desc) where asset_id is not null;
comment on table public.event_log is 'Central event bus: one row per event (<table>.<INSERT|UPDATE|DELETE> from triggers, session.*/task.* from workers). Kept 30 days (expires_at).';
comment on column public.event_log.payload is 'For table events: {table, operation, old, new, timestamp}.';
comment on column public.event_log.chain is 'Automations whose runs caused this event (set from the ora.chain setting of the writing transaction); an automation in the chain is not fired by it again (loop protection).';
comment on column public.event_log.event_type is 'What happened: <table>.<INSERT|UPDATE|DELETE> for table triggers, or a named event such as session.completed, task.failed, run.cancelled.';
comment on column public.event_log.event_source is 'Who wrote the event: database (table triggers), api, agent, webhook, system (runs and workers) or automation.';
comment on column public.event_log.processed is 'True once the trigger-engine routed the event; events no automation or webhook wanted are never queued and stay false.';
comment on column public.event_log.processed_at is 'When the trigger-engine marked the event processed.';
comment on column public.event_log.processing_error is 'Reserved for an error while routing the event; nothing writes it today (a failed routing is retried through the events queue instead).';
comment on column public.event_log.matched_automations is 'Ids of the automations the trigger-engine fired for this event (empty when none matched); null until processed.';
comment on column public.event_log.origin is 'The producing system a caller named (events.emit origin, seed 004''s envelope source, e.g. pi-historian); null for Ora''s own events. event_source says which channel wrote it.';
comment on column public.event_log.asset_id is 'The asset the event is about (e.g. P-101, the identifier tools and memory use); null when none.';
comment on column public.event_log.occurred_at is 'When it happened at its origin, as its producer said (events.emit occurred_at; earlier than created_at for a late or backfilled event); null: it happened when Ora recorded it (created_at).';
comment on column public.event_log.expires_at is 'When app.tick deletes the event (30 days after it was written by default).';

alter table public.event_log enable row level security;
alter table public.event_log force row level security;
create policy "Events are viewable within their tenant" on public.event_log
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.event_log from anon;
revoke insert, update, delete, truncate on public.event_log from authenticated;

-- Appends one event to event_log.
create or replace function app.event_emit(tenant_id uuid, event_type text, source text, payload jsonb)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.event_log (tenant_id, event_type, event_source, payload)
  values (event_emit.tenant_id, event_emit.event_type, event_emit.source, event_emit.payload)
$$;
comment on function app.event_emit(uuid, text, text, jsonb) is 'Appends an event (run.*, task.*, budget.*, blocker.*, …) to event_log in the caller''s transaction.';

-- Writes <table>.<OP> with old/new rows to event_log for the row's tenant.
create or replace function app.table_event_emit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_old jsonb := case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end;
  v_new jsonb := case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end;
  v_tenant uuid;
begin
  v_tenant := coalesce(v_new ->> 'tenant_id', v_old ->> 'tenant_id')::uuid;
  -- GUARD: a row removed because its tenant is being deleted leaves no event behind
  if tg_op = 'DELETE' and not exists (select 1 from public.tenants t where t.id = v_tenant) then
    return old;
  end if;
  insert into public.event_log (tenant_id, event_type, event_source, payload)
  values (
    v_tenant,
    tg_table_name || '.' || tg_op,
    'database',
    jsonb_build_object('table', tg_table_name, 'operation', tg_op, 'old', v_old, 'new', v_new, 'timestamp', now())
  );
  return coalesce(new, old);
end;
$$;
comment on function app.table_event_emit() is 'Trigger: records <table>.<INSERT|UPDATE|DELETE> with old and new rows in event_log.';

-- ============================================================================
-- MAINTENANCE
-- ============================================================================

-- Deletes expired events, request logs older than 30 days, stale rate counters and unclaimed wake-ups.
create or replace function app.cleanup()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_events bigint;
  v_requests bigint;
  v_counters bigint;
  v_invokes bigint;
begin
  delete from public.event_log where expires_at < now();
  get diagnostics v_events = row_count;
  delete from public.request_log where created_at < now() - interval '30 days';
  get diagnostics v_requests = row_count;
  delete from app.rate_counters where window_start < now() - interval '2 days';
  get diagnostics v_counters = row_count;
  -- wake-ups no local relay claimed within an hour (it was stopped; cron has woken the workers since)
  delete from app.invoke_requests where created_at < now() - interval '1 hour';
  get diagnostics v_invokes = row_count;
  return jsonb_build_object('events', v_events, 'request_logs', v_requests, 'rate_counters', v_counters,
    'invoke_requests', v_invokes);
end;
$$;
comment on function app.cleanup() is 'Ops: deletes expired event_log rows, request logs past 30 days, rate counters past 2 days and app.invoke_requests rows no local relay claimed within an hour. Runs daily (pg_cron job ora-cleanup).';

select cron.schedule('ora-cleanup', '17 3 * * *', 'select app.cleanup()');

select app.lock_down();
