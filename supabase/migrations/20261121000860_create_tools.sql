-- Tools behind an approval gate (seed 004 §3, §8, §13): the per-tenant side of the tool registry.
-- The tools themselves are contracts in code (supabase/functions/_shared/tools/); the tables
-- here say which tools a tenant has switched off, which integration serves them (the sandbox
-- by default, or an HTTP endpoint with a credential bound to its origin, rate limits and a
-- concurrency cap), the criticality of assets the policies look at, the policies of the
-- autonomous mode, and the audit trail every call leaves behind.
--
-- Approvals are in 20261121000862_create_approvals.sql, the executor's work in
-- 20261121000864_create_tool_calls.sql. Guide: docs/tools.md.

-- ============================================================================
-- HELPERS
-- ============================================================================

-- The hash an approval binds to: SHA-256 of the arguments' canonical jsonb text.
create or replace function app.tool_args_hash(arguments jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select encode(extensions.digest(convert_to(coalesce(tool_args_hash.arguments, '{}'::jsonb)::text, 'UTF8'), 'sha256'), 'hex')
$$;
comment on function app.tool_args_hash(jsonb) is 'SHA-256 (hex) of a tool call''s arguments as canonical jsonb text (keys ordered, whitespace normalised): an approval binds to this, so an approved call whose arguments changed is refused.';

-- ============================================================================
-- TOOL SETTINGS (per-tenant enablement)
-- ============================================================================
create table public.tool_settings (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  tool text not null check (tool ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$'),
  enabled boolean not null default true,
  updated_by text,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, tool)
);
comment on table public.tool_settings is 'Per-tenant switches for registry tools (tools.configure). A tool without a row is enabled; a disabled tool is offered to no agent and refused by the gate.';
comment on column public.tool_settings.tool is 'Registry tool name, e.g. scada.set_setpoint (the list is tools.list).';
comment on column public.tool_settings.updated_by is 'key:<id> or user:<id> that last changed it.';
comment on column public.tool_settings.enabled is 'False: the tool is offered to no agent and the gate refuses it; true (or no row) = enabled.';

alter table public.tool_settings enable row level security;
alter table public.tool_settings force row level security;
create policy "Tool settings are viewable within their tenant" on public.tool_settings
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Tool settings can be created within their tenant" on public.tool_settings
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Tool settings can be updated within their tenant" on public.tool_settings
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Tool settings can be deleted within their tenant" on public.tool_settings
  for delete to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.tool_settings from anon;
create trigger tool_settings_touch before update on public.tool_settings
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- INTEGRATIONS (which adapter serves an integration key, and its limits)
-- ============================================================================
create table public.tool_integrations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,62}$'),
  adapter text not null default 'sandbox' check (adapter in ('sandbox', 'http')),
  base_url text check (base_url ~ '^https?://[^?#@\s]+$' and length(base_url) <= 2000),
  credential_secret text check (credential_secret ~ '^[a-z][a-z0-9_]{0,62}$'),
  auth_header text not null default 'authorization' check (auth_header ~ '^[a-z][a-z0-9-]{0,62}$'),
  auth_scheme text default 'Bearer' check (auth_scheme ~ '^[A-Za-z][A-Za-z0-9_-]{0,30}$'),
  timeout_ms integer not null default 10000 check (timeout_ms between 100 and 120000),
  max_retries integer not null default 2 check (max_retries between 0 and 5),
  rate_limit_per_minute integer check (rate_limit_per_minute between 1 and 100000),
  max_concurrency integer check (max_concurrency between 1 and 1000),
  idempotent_retries boolean not null default true,
  routes jsonb not null default '{}'::jsonb check (jsonb_typeof(routes) = 'object'),
  enabled boolean not null default true,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, key),
  check (adapter <> 'http' or base_url is not null)
);
comment on table public.tool_integrations is 'How a tenant reaches each integration its tools name (cmms, scada, historian, erp, notify, hse, compliance, or its own): the sandbox adapter (seeded, plausible data; the default when there is no row) or the generic HTTP adapter (base URL, a credential bound to that origin, timeouts, retries, a circuit breaker, a rate limit and a concurrency cap). Swapping the sandbox for a real system is this row, not code.';
comment on column public.tool_integrations.key is 'The integration key tools declare (cmms.create_work_order → cmms).';
comment on column public.tool_integrations.adapter is 'sandbox (records calls, returns seeded data; no plant needed) or http (calls base_url through the outbound client). The site''s own tools (leads, posts, tasks, notifications, spawn_agents) always use the built-in site adapter.';
comment on column public.tool_integrations.base_url is 'http: the endpoint calls go to (POST <base_url>/<tool> with {arguments}, unless routes says otherwise). Private addresses need the operator''s ORA_OUTBOUND_ALLOW.';
comment on column public.tool_integrations.credential_secret is 'http: name of the tenant secret (secrets.set) sent as <auth_header>: <auth_scheme> <value>. The secret must be bound to base_url''s origin; app.secret_get refuses it for any other and logs every read.';
comment on column public.tool_integrations.auth_scheme is 'Prefix of the credential header value (Bearer, Token, …); null sends the secret as it is.';
comment on column public.tool_integrations.max_retries is 'http: retries of one call on 429, 502, 503, 504 and connection errors (backoff, Retry-After honoured), with the same Idempotency-Key.';
comment on column public.tool_integrations.rate_limit_per_minute is 'Calls per calendar minute across every worker (app.integration_acquire); null = no limit. Work over the limit is deferred, not failed.';
comment on column public.tool_integrations.max_concurrency is 'Calls in flight at once for this tenant and integration (leases in app.integration_leases); null = no cap.';
comment on column public.tool_integrations.idempotent_retries is 'http: the endpoint honours Idempotency-Key, so a call whose worker died mid-request may be sent again with the same key. false: such a call fails as OUTCOME_UNKNOWN instead (never sent twice).';
comment on column public.tool_integrations.routes is 'http: per-tool overrides {"<tool>": {"method": "GET", "path": "/work_orders/{work_order_id}"}}; {arg} placeholders are filled URL-encoded, GET sends the remaining arguments as the query string.';
comment on column public.tool_integrations.auth_header is 'http: lowercase name of the header carrying the credential (authorization by default).';
comment on column public.tool_integrations.timeout_ms is 'Time allowed for one call to the integration, in milliseconds (100-120,000).';
comment on column public.tool_integrations.enabled is 'False: tools of this integration are shown as disabled and are not run.';
comment on column public.tool_integrations.created_by is 'Who created or last replaced the row: key:<id>, user:<id> or service_role.';

create index tool_integrations_tenant_idx on public.tool_integrations (tenant_id, key);
alter table public.tool_integrations enable row level security;
alter table public.tool_integrations force row level security;
create policy "Tool integrations are viewable within their tenant" on public.tool_integrations
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Tool integrations can be created within their tenant" on public.tool_integrations
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Tool integrations can be updated within their tenant" on public.tool_integrations
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Tool integrations can be deleted within their tenant" on public.tool_integrations
  for delete to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.tool_integrations from anon;
create trigger tool_integrations_touch before update on public.tool_integrations
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- ASSETS (criticality, read by the policy engine)
-- ============================================================================
create table public.tool_assets (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  asset_id text not null check (length(asset_id) between 1 and 200),
  name text,
  criticality text not null check (criticality in ('A', 'B', 'C')),
  metadata jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, asset_id)
);
comment on table public.tool_assets is 'Asset criticality for the policy engine (assets.upsert): A = critical (safety or production stops), B = important, C = minor. A call on an asset with no row has unknown criticality, which no criticality condition allows.';
comment on column public.tool_assets.asset_id is 'The identifier tools take as their asset argument (e.g. P-101).';
comment on column public.tool_assets.criticality is 'A (critical: safety or production stops), B (important) or C (minor); policies compare it with max_asset_criticality.';
comment on column public.tool_assets.metadata is 'Free-form JSON about the asset supplied with assets.upsert.';
alter table public.tool_assets enable row level security;
alter table public.tool_assets force row level security;
create policy "Assets are viewable within their tenant" on public.tool_assets
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Assets can be created within their tenant" on public.tool_assets
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Assets can be updated within their tenant" on public.tool_assets
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Assets can be deleted within their tenant" on public.tool_assets
  for delete to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.tool_assets from anon;
create trigger tool_assets_touch before update on public.tool_assets
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- POLICIES (the autonomous mode's rules)
-- ============================================================================
create table public.tool_policies (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  description text,
  tool text not null check (tool ~ '^(\*|[a-z][a-z0-9_]*(\.(\*|[a-z][a-z0-9_]*))?)$'),
  agent text check (agent ~ '^[a-z][a-z0-9_]{0,62}$'),
  effect text not null check (effect in ('allow', 'require_approval', 'deny')),
  conditions jsonb not null default '{}'::jsonb check (jsonb_typeof(conditions) = 'object'),
  approver_roles text[] check (approver_roles <@ array['owner', 'admin', 'member'] and cardinality(approver_roles) > 0),
  approval_ttl_seconds integer check (approval_ttl_seconds between 60 and 604800),
  priority integer not null default 0 check (priority between -1000 and 1000),
  enabled boolean not null default true,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, name)
);
comment on table public.tool_policies is 'Rules of the gate (policies.*, admins). A policy applies to a call when its tool pattern and agent match and every condition holds. deny applies in every mode; in autonomous mode a write runs when an allow policy applies and no deny or require_approval one does; anything not clearly allowed waits for approval.';
comment on column public.tool_policies.tool is 'A tool name (scada.set_setpoint), every tool of an integration (scada.*), or * for all.';
comment on column public.tool_policies.agent is 'Only calls from sessions of this agent (slug); null = any caller.';
comment on column public.tool_policies.effect is 'allow (the call runs without approval, autonomous mode), require_approval (it waits for a person), deny (refused in every mode).';
comment on column public.tool_policies.conditions is '{max_risk: 0-100, arg_ranges: {"<arg path>": {min, max}}, arg_allowlists: {"<arg path>": [values]}, time_window: {days: [1-7, Monday = 1], start: "HH:MM", end: "HH:MM"} in the tenant''s time zone (settings.timezone), max_asset_criticality: A|B|C, max_amount: number}. All must hold; a value the call lacks fails its condition.';
comment on column public.tool_policies.approver_roles is 'Member roles that may decide approvals this policy asks for (default: the tenant''s settings.approvals.roles, else owner and admin).';
comment on column public.tool_policies.approval_ttl_seconds is 'How long approvals this policy asks for stay open (default: settings.approvals.ttl_seconds, else 3600).';
comment on column public.tool_policies.priority is 'Higher first when several policies of the same effect apply (the reasons list the first).';
comment on column public.tool_policies.enabled is 'False: the policy is ignored by the gate.';
comment on column public.tool_policies.created_by is 'Who created or last replaced the policy: key:<id>, user:<id> or service_role.';

create index tool_policies_tenant_idx on public.tool_policies (tenant_id, tool) where enabled;
alter table public.tool_policies enable row level security;
alter table public.tool_policies force row level security;
create policy "Tool policies are viewable within their tenant" on public.tool_policies
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Tool policies can be created within their tenant" on public.tool_policies
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Tool policies can be updated within their tenant" on public.tool_policies
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Tool policies can be deleted within their tenant" on public.tool_policies
  for delete to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.tool_policies from anon;
create trigger tool_policies_touch before update on public.tool_policies
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- AUDIT (append-only)
-- ============================================================================
create table public.tool_audit (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  event text not null check (event in ('suggested', 'refused', 'requested', 'approved', 'rejected', 'expired',
    'withdrawn', 'allowed', 'queued', 'executed', 'failed', 'credential_read')),
  tool text not null,
  mode text check (mode in ('assist', 'copilot', 'autonomous')),
  run_id uuid,
  step_key text,
  agent text,
  tool_call_id uuid,
  approval_id uuid,
  arguments jsonb,
  args_hash text,
  result jsonb,
  before jsonb,
  after jsonb,
  decision jsonb,
  error jsonb,
  requested_by text,
  actor text,
  created_at timestamptz not null default clock_timestamp()
);
create index tool_audit_tenant_created_idx on public.tool_audit (tenant_id, created_at desc);
create index tool_audit_tenant_run_idx on public.tool_audit (tenant_id, run_id, seq) where run_id is not null;
create index tool_audit_tenant_approval_idx on public.tool_audit (tenant_id, approval_id) where approval_id is not null;
create index tool_audit_tenant_call_idx on public.tool_audit (tenant_id, tool_call_id) where tool_call_id is not null;
comment on table public.tool_audit is 'Every tool call''s trail, append-only (004 §3.4): suggested (assist), refused (gate or binding), requested / approved / rejected / expired / withdrawn (approvals), allowed (a policy let it run), queued (submitted to the executor), executed / failed (with result and before/after), credential_read (which secret was decrypted for which origin; never its value).';
comment on column public.tool_audit.seq is 'Insertion order (stable where created_at ties).';
comment on column public.tool_audit.event is 'What happened; a call''s rows in seq order tell its story (e.g. requested → approved → queued → executed).';
comment on column public.tool_audit.run_id is 'The session (run) whose agent called the tool; null for calls made through tools.execute.';
comment on column public.tool_audit.step_key is 'The run step of the call (gate:<turn>:<call id>).';
comment on column public.tool_audit.agent is 'Slug of the agent that called it.';
comment on column public.tool_audit.decision is 'The gate''s decision: {action, risk: {score, class}, reasons[], policy}; or the approver''s {decision, reason}.';
comment on column public.tool_audit.before is 'State before a write, where the adapter can read it (e.g. the old setpoint or status).';
comment on column public.tool_audit.after is 'State after a write.';
comment on column public.tool_audit.requested_by is 'Who the call is on behalf of: key:<id>, user:<id> (the session''s starter) or service_role.';
comment on column public.tool_audit.actor is 'Who did this event: gate, user:<id> / key:<id> (an approver), tool-executor, tick.';
comment on column public.tool_audit.tool is 'Registry name of the tool called (e.g. scada.set_setpoint).';
comment on column public.tool_audit.mode is 'The tenant''s tool mode at the call: assist (writes become suggestions), copilot (every write waits for approval) or autonomous (policies decide).';
comment on column public.tool_audit.tool_call_id is 'The executor''s tool_calls row for the call, once it was queued.';
comment on column public.tool_audit.approval_id is 'The approval the event belongs to (requested, approved, rejected, expired, and the execution it allowed).';
comment on column public.tool_audit.arguments is 'The arguments the tool was called with.';
comment on column public.tool_audit.args_hash is 'SHA-256 hex of the arguments (app.tool_args_hash), which an approval binds to.';
comment on column public.tool_audit.result is 'What the tool returned (executed events).';
comment on column public.tool_audit.error is 'The error {code, message} of a failed or refused call.';

alter table public.tool_audit enable row level security;
alter table public.tool_audit force row level security;
create policy "Tool audit is viewable within its tenant" on public.tool_audit
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.tool_audit from anon;
revoke insert, update, delete on public.tool_audit from authenticated;

-- The trail is never rewritten: updates are refused, deletes only cascade from a deleted tenant.
create or replace function app.tool_audit_immutable()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.tenants t where t.id = old.tenant_id) then
    return old;
  end if;
  raise exception 'tool_audit is append-only: its rows are never changed or deleted' using errcode = 'OR409', detail = 'audit_append_only';
end;
$$;
comment on function app.tool_audit_immutable() is 'Trigger: keeps tool_audit append-only (no update; delete only as its tenant is deleted).';
create trigger tool_audit_append_only before update or delete on public.tool_audit
  for each row execute function app.tool_audit_immutable();

-- Appends one audit row for tenant_id from entry (columns by name).
create or replace function app.tool_audit_write(tenant_id uuid, entry jsonb)
returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into public.tool_audit (tenant_id, event, tool, mode, run_id, step_key, agent, tool_call_id, approval_id,
    arguments, args_hash, result, before, after, decision, error, requested_by, actor)
  values (tool_audit_write.tenant_id, entry ->> 'event', entry ->> 'tool', entry ->> 'mode',
    (entry ->> 'run_id')::uuid, entry ->> 'step_key', entry ->> 'agent', (entry ->> 'tool_call_id')::uuid,
    (entry ->> 'approval_id')::uuid, entry -> 'arguments',
    coalesce(entry ->> 'args_hash', case when entry ? 'arguments' then app.tool_args_hash(entry -> 'arguments') end),
    entry -> 'result', entry -> 'before', entry -> 'after', entry -> 'decision', entry -> 'error',
    entry ->> 'requested_by', entry ->> 'actor')
  returning id
$$;
comment on function app.tool_audit_write(uuid, jsonb) is 'Internal: appends a tool_audit row {event, tool, mode, run_id, step_key, agent, tool_call_id, approval_id, arguments, result, before, after, decision, error, requested_by, actor}.';

-- ============================================================================
-- PER-INTEGRATION LIMITS (004 §13): a rate per minute and a concurrency cap, across workers
-- ============================================================================
create table app.integration_windows (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  integration text not null,
  window_start timestamptz not null,
  hits integer not null default 0,
  primary key (tenant_id, integration, window_start)
);
comment on table app.integration_windows is 'Calls per tenant, integration and calendar minute (app.integration_acquire); rows past an hour are dropped by the tick.';
comment on column app.integration_windows.integration is 'The integration key (tool_integrations.key) the calls went to.';
comment on column app.integration_windows.window_start is 'The calendar minute counted.';
comment on column app.integration_windows.hits is 'Calls let through in that minute, compared with tool_integrations.rate_limit_per_minute.';
alter table app.integration_windows enable row level security;
alter table app.integration_windows force row level security;
revoke all on table app.integration_windows from public, anon, authenticated, service_role;

create table app.integration_leases (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  integration text not null,
  holder text not null,
  expires_at timestamptz not null,
  primary key (tenant_id, integration, holder)
);
comment on table app.integration_leases is 'Calls in flight per tenant and integration (one lease per call, released when it ends or expiring with its timeout if the worker died).';
comment on column app.integration_leases.integration is 'The integration key (tool_integrations.key) the call goes to.';
comment on column app.integration_leases.holder is 'Names the call holding the lease (the worker''s call id), released by app.integration_release.';
comment on column app.integration_leases.expires_at is 'When the lease lapses if never released (the call''s timeout × attempts plus a margin).';
alter table app.integration_leases enable row level security;
alter table app.integration_leases force row level security;
revoke all on table app.integration_leases from public, anon, authenticated, service_role;

-- Takes a slot for one call to an integration: within its rate per minute and its concurrency
-- cap (tool_integrations), or tells how long to wait. holder names the call (its lease).
create or replace function app.integration_acquire(tenant_id uuid, integration text, holder text, lease_seconds integer default 60)
returns table (ok boolean, retry_in_ms integer, reason text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cfg public.tool_integrations%rowtype;
  v_minute timestamptz := date_trunc('minute', clock_timestamp());
  v_hits integer;
  v_leases integer;
  v_next timestamptz;
begin
  select * into v_cfg from public.tool_integrations i
  where i.tenant_id = integration_acquire.tenant_id and i.key = integration_acquire.integration;
  if v_cfg.rate_limit_per_minute is null and v_cfg.max_concurrency is null then
    return query select true, 0, null::text;
    return;
  end if;
  -- one counter per tenant and integration at a time: the count and the take are atomic
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.integration:' || integration_acquire.tenant_id::text
    || ':' || integration_acquire.integration));
  delete from app.integration_leases l
  where l.tenant_id = integration_acquire.tenant_id and l.integration = integration_acquire.integration
    and (l.expires_at < clock_timestamp() or l.holder = integration_acquire.holder);
  if v_cfg.max_concurrency is not null then
    select count(*), min(l.expires_at) into v_leases, v_next from app.integration_leases l
    where l.tenant_id = integration_acquire.tenant_id and l.integration = integration_acquire.integration;
    if v_leases >= v_cfg.max_concurrency then
      return query select false, greatest(100, least(5000, (1000 * extract(epoch from v_next - clock_timestamp()))::integer)),
        'concurrency'::text;
      return;
    end if;
  end if;
  if v_cfg.rate_limit_per_minute is not null then
    select w.hits into v_hits from app.integration_windows w
    where w.tenant_id = integration_acquire.tenant_id and w.integration = integration_acquire.integration
      and w.window_start = v_minute;
    if coalesce(v_hits, 0) >= v_cfg.rate_limit_per_minute then
      return query select false, greatest(100, (1000 * extract(epoch from v_minute + interval '1 minute' - clock_timestamp()))::integer),
        'rate_limit'::text;
      return;
    end if;
    insert into app.integration_windows as w (tenant_id, integration, window_start, hits)
    values (integration_acquire.tenant_id, integration_acquire.integration, v_minute, 1)
    on conflict on constraint integration_windows_pkey do update set hits = w.hits + 1;
  end if;
  insert into app.integration_leases (tenant_id, integration, holder, expires_at)
  values (integration_acquire.tenant_id, integration_acquire.integration, integration_acquire.holder,
    clock_timestamp() + make_interval(secs => greatest(integration_acquire.lease_seconds, 1)));
  return query select true, 0, null::text;
end;
$$;
comment on function app.integration_acquire(uuid, text, text, integer) is 'Workers: takes a slot for one call to an integration within its rate_limit_per_minute and max_concurrency (tool_integrations; none = always ok). Not ok: retry_in_ms and reason rate_limit or concurrency; the caller defers with release key integration:<key>.';

-- Ends a call's lease and lets work deferred on the integration go at once.
create or replace function app.integration_release(tenant_id uuid, integration text, holder text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from app.integration_leases l
  where l.tenant_id = integration_release.tenant_id and l.integration = integration_release.integration
    and l.holder = integration_release.holder;
  if found then
    perform app.queue_release(integration_release.tenant_id, 'integration:' || integration_release.integration);
  end if;
end;
$$;
comment on function app.integration_release(uuid, text, text) is 'Workers: ends a call''s lease on an integration and releases the work deferred on integration:<key>.';

-- Drops counters older than an hour and expired leases.
create or replace function app.integration_limits_cleanup()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  delete from app.integration_windows w where w.window_start < now() - interval '1 hour';
  get diagnostics v_count = row_count;
  delete from app.integration_leases l where l.expires_at < now() - interval '1 minute';
  return v_count;
end;
$$;
comment on function app.integration_limits_cleanup() is 'Tick job: drops per-minute integration counters older than an hour and leases that expired.';
select app.tick_register('integration_limits', 'app.integration_limits_cleanup', 900);

-- ============================================================================
-- AGENT TEMPLATES: the tools each packaged agent may call (allowlists)
-- ============================================================================
update app.agent_templates t set allowed_tools = v.tools
from (values
  ('content', 'ora', '{leads_search,posts_search,get_time,spawn_agents,tasks.create,notifications.create}'::text[]),
  ('content', 'writer', '{posts_search,get_time,posts.create}'),
  ('content', 'analyst', '{leads_search,posts_search,get_time,leads.update}'),
  ('industrial', 'pdm', '{get_time,historian.query_timeseries,historian.aggregate,historian.detect_anomaly,scada.get_tag,cmms.search_work_orders,cmms.create_work_order}'),
  ('industrial', 'rca', '{get_time,historian.query_timeseries,historian.detect_anomaly,scada.get_alarm_list,cmms.search_work_orders,cmms.get_work_order}'),
  ('industrial', 'rex', '{get_time,spawn_agents,cmms.search_work_orders,tasks.create,notifications.create}'),
  ('industrial', 'tpm', '{get_time,historian.aggregate,cmms.search_work_orders}'),
  ('industrial', 'apm', '{get_time,historian.aggregate,historian.detect_anomaly,cmms.search_work_orders}'),
  ('industrial', 'work_order', '{get_time,cmms.get_work_order,cmms.search_work_orders,cmms.create_work_order,cmms.update_work_order_status,cmms.assign_technician,erp.get_inventory_level,erp.reserve_parts}'),
  ('industrial', 'spare_parts', '{get_time,erp.get_inventory_level,erp.reserve_parts,erp.create_purchase_requisition}'),
  ('industrial', 'energy', '{get_time,historian.query_timeseries,historian.aggregate,scada.get_tag}'),
  ('industrial', 'safety', '{get_time,scada.get_alarm_list,scada.ack_alarm,hse.create_incident_record,compliance.schedule_inspection,notify.send_email,notify.send_sms}'),
  ('industrial', 'quality', '{get_time,historian.query_timeseries,historian.detect_anomaly}'),
  ('industrial', 'maintenance_planning', '{get_time,cmms.search_work_orders,cmms.update_work_order_status,compliance.schedule_inspection}'),
  ('industrial', 'iso_55000', '{get_time,cmms.search_work_orders,compliance.schedule_inspection}')
) as v (pack, slug, tools)
where t.pack = v.pack and t.slug = v.slug;

select app.lock_down();
