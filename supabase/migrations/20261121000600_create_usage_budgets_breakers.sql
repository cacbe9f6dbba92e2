-- Cost and resilience: usage events for every LLM and tool call, monthly tenant budgets with
-- alerts, notifications, circuit breakers per provider and tenant, and tenant secrets.
-- Seeds 004 §8 (credentials), §11 (resilience), §12 (cost), 000 Part II (notifications).

create extension if not exists pgcrypto with schema extensions;

-- ============================================================================
-- MODEL PRICES (global reference data)
-- ============================================================================
create table app.model_prices (
  model text primary key,
  input_usd_per_mtok numeric(12, 6) not null check (input_usd_per_mtok >= 0),
  output_usd_per_mtok numeric(12, 6) not null check (output_usd_per_mtok >= 0),
  updated_at timestamptz not null default now()
);
comment on table app.model_prices is 'USD per million tokens by model name. Tenants can override with tenants.settings.llm.prices. Unknown models cost 0 (and say so in usage metadata).';
alter table app.model_prices enable row level security;
alter table app.model_prices force row level security;
insert into app.model_prices (model, input_usd_per_mtok, output_usd_per_mtok) values
  ('gpt-4o', 2.5, 10), ('gpt-4o-mini', 0.15, 0.6), ('gpt-4.1', 2, 8), ('gpt-4.1-mini', 0.4, 1.6),
  ('gpt-4.1-nano', 0.1, 0.4), ('o4-mini', 1.1, 4.4), ('offline', 0, 0);

-- ============================================================================
-- USAGE EVENTS
-- ============================================================================
create table public.usage_events (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  run_id uuid,
  run_step_id uuid,
  kind text not null check (kind in ('llm', 'tool', 'embedding', 'storage')),
  provider text,
  model text,
  prompt_tokens integer not null default 0,
  completion_tokens integer not null default 0,
  units numeric not null default 0,
  cost_usd numeric(14, 8) not null default 0,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index usage_events_tenant_time_idx on public.usage_events (tenant_id, created_at desc);
create index usage_events_run_idx on public.usage_events (tenant_id, run_id);
comment on table public.usage_events is 'One row per LLM call that returned and per tool call (units = 1), and later per embedding: tokens, units, cost. Written in its own transaction right after the call, so a crash never double-counts it.';

-- ============================================================================
-- BUDGETS AND ALERTS
-- ============================================================================
create table public.tenant_budgets (
  tenant_id uuid primary key references public.tenants (id) on delete cascade,
  monthly_budget_usd numeric(14, 4) not null check (monthly_budget_usd >= 0),
  hard_limit boolean not null default false,
  alert_thresholds integer[] not null default '{80,100}',
  updated_at timestamptz not null default now()
);
comment on table public.tenant_budgets is 'Monthly (UTC calendar month) spend budget. Alerts fire once per threshold per month; hard_limit refuses new work with BUDGET_EXCEEDED once spend reaches the budget.';

create table public.budget_alerts (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  period date not null,
  threshold integer not null,
  spent_usd numeric(14, 8) not null,
  budget_usd numeric(14, 4) not null,
  fired_at timestamptz not null default now(),
  primary key (tenant_id, period, threshold)
);
comment on table public.budget_alerts is 'Budget alerts that fired: at most one per tenant, month and threshold.';

-- ============================================================================
-- NOTIFICATIONS (seed 000 Part II; delivery channels come with automations)
-- ============================================================================
create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  type text not null check (type in ('info', 'success', 'warning', 'error', 'alert')),
  title text not null,
  message text not null,
  data jsonb not null default '{}'::jsonb,
  source_type text,
  source_id uuid,
  channels text[] not null default array['admin'],
  delivery_config jsonb not null default '{}'::jsonb,
  delivery_status jsonb not null default '{}'::jsonb,
  read boolean not null default false,
  read_at timestamptz,
  dismissed boolean not null default false,
  dismissed_at timestamptz,
  priority integer not null default 0,
  created_at timestamptz not null default now(),
  expires_at timestamptz
);
create index notifications_tenant_idx on public.notifications (tenant_id, created_at desc);
create index notifications_unread_idx on public.notifications (tenant_id, created_at) where not read and not dismissed;
comment on table public.notifications is 'Notifications for people (admin inbox, ORA); channels and routes by severity are delivered by later workers.';

-- ============================================================================
-- CIRCUIT BREAKERS (004 §11)
-- ============================================================================
create table public.circuit_breakers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  key text not null,
  state text not null default 'closed' check (state in ('closed', 'open', 'half_open')),
  fail_count integer not null default 0,
  failure_threshold integer not null default 5 check (failure_threshold > 0),
  cooldown_seconds integer not null default 30 check (cooldown_seconds > 0),
  opened_at timestamptz,
  open_until timestamptz,
  probe_until timestamptz,
  last_error text,
  opened_count integer not null default 0,
  updated_at timestamptz not null default now(),
  unique (tenant_id, key)
);
comment on table public.circuit_breakers is 'One breaker per tenant and dependency (e.g. llm:<host>); threshold and cooldown come from tenants.settings breaker_failure_threshold (5) and breaker_cooldown_seconds (30) when the breaker is first created. closed → open after failure_threshold consecutive failures; after the cooldown (or the Retry-After the dependency asked for) one probe is let through (half_open); a success closes it and releases the work deferred on it at once, a failure re-opens it.';
comment on column public.circuit_breakers.open_until is 'While open: when the next probe may go (opened_at + cooldown, or the dependency''s Retry-After).';
comment on column public.circuit_breakers.probe_until is 'While half open: until when the one probe in flight is waited for before another is let through.';

-- ============================================================================
-- TENANT SECRETS (004 §8): Vault on Supabase, pgcrypto-encrypted locally; access logged
-- ============================================================================
create table app.tenant_secrets (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  vault_secret_id uuid,
  value_enc bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, name),
  check ((vault_secret_id is null) <> (value_enc is null))
);
comment on table app.tenant_secrets is 'Tenant credentials (LLM keys, integration tokens). On Supabase the value lives in Vault (vault_secret_id); elsewhere it is encrypted with pgcrypto under the local stack''s key (app.local_encryption_key()). Never returned through the API.';

create table app.secret_access_log (
  id bigint generated always as identity primary key,
  tenant_id uuid not null,
  name text not null,
  action text not null check (action in ('set', 'read', 'delete')),
  purpose text,
  at timestamptz not null default now()
);
create index secret_access_log_tenant_idx on app.secret_access_log (tenant_id, at desc);
comment on table app.secret_access_log is 'Every set, read and delete of a tenant secret, with the purpose given by the caller.';

alter table app.tenant_secrets enable row level security;
alter table app.tenant_secrets force row level security;
alter table app.secret_access_log enable row level security;
alter table app.secret_access_log force row level security;

-- The key tenant secrets are encrypted with where Vault is absent; null when there is none.
create or replace function app.local_encryption_key()
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_key text;
begin
  if pg_catalog.to_regclass('app.local_secret_key') is null then
    return null;
  end if;
  -- dynamic: the table exists only where the local bootstrap made it (plpgsql_check checks constant SQL)
  execute pg_catalog.format('select k.key from %I.local_secret_key k', 'app') into v_key;
  return v_key;
end;
$$;
comment on function app.local_encryption_key() is 'Internal: the key in app.local_secret_key (one row, made by the local stack''s bootstrap, unreadable by API roles) that app.secret_set/secret_get encrypt with where Vault is absent; null where the table does not exist (Supabase). Called only from those security-definer functions.';
revoke all on function app.local_encryption_key() from public, anon, authenticated, service_role;

-- Stores (or replaces) a tenant secret: in Vault when present, else encrypted with pgcrypto.
create or replace function app.secret_set(tenant_id uuid, name text, value text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_vault_id uuid;
  v_key text;
begin
  if length(coalesce(secret_set.value, '')) = 0 then
    raise exception 'Secret value is empty' using errcode = '22023';
  end if;
  if to_regclass('vault.secrets') is not null then
    select s.vault_secret_id into v_vault_id from app.tenant_secrets s
    where s.tenant_id = secret_set.tenant_id and s.name = secret_set.name;
    if v_vault_id is null then
      -- dynamic: vault exists only on Supabase (plpgsql_check checks constant EXECUTE strings)
      execute format('select %I.create_secret($1, $2)', 'vault') into v_vault_id
        using secret_set.value, 'ora:' || secret_set.tenant_id || ':' || secret_set.name;
    else
      execute format('select %I.update_secret($1, $2)', 'vault') using v_vault_id, secret_set.value;
    end if;
    insert into app.tenant_secrets as t (tenant_id, name, vault_secret_id)
    values (secret_set.tenant_id, secret_set.name, v_vault_id)
    on conflict on constraint tenant_secrets_pkey do update set vault_secret_id = excluded.vault_secret_id, updated_at = now();
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: no Vault and no local encryption key (app.local_secret_key, made by scripts/bootstrap/00_supabase_compat.sql) to encrypt secrets with'
        using errcode = '55000';
    end if;
    insert into app.tenant_secrets as t (tenant_id, name, value_enc)
    values (secret_set.tenant_id, secret_set.name, extensions.pgp_sym_encrypt(secret_set.value, v_key))
    on conflict on constraint tenant_secrets_pkey do update set value_enc = excluded.value_enc, updated_at = now();
  end if;
  insert into app.secret_access_log (tenant_id, name, action) values (secret_set.tenant_id, secret_set.name, 'set');
end;
$$;
comment on function app.secret_set(uuid, text, text) is 'Stores a tenant secret (Vault on Supabase, pgcrypto locally) and logs the write.';

-- Reads a tenant secret for a stated purpose (logged); null when absent.
create or replace function app.secret_get(tenant_id uuid, name text, purpose text)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row app.tenant_secrets%rowtype;
  v_value text;
  v_key text;
begin
  select * into v_row from app.tenant_secrets s where s.tenant_id = secret_get.tenant_id and s.name = secret_get.name;
  if not found then
    return null;
  end if;
  if v_row.vault_secret_id is not null then
    execute format('select decrypted_secret from %I.decrypted_secrets where id = $1', 'vault') into v_value using v_row.vault_secret_id;
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: secret %/% is encrypted locally but there is no local encryption key (app.local_secret_key)', secret_get.tenant_id, secret_get.name
        using errcode = '55000';
    end if;
    v_value := extensions.pgp_sym_decrypt(v_row.value_enc, v_key);
  end if;
  insert into app.secret_access_log (tenant_id, name, action, purpose)
  values (secret_get.tenant_id, secret_get.name, 'read', secret_get.purpose);
  return v_value;
end;
$$;
comment on function app.secret_get(uuid, text, text) is 'Workers only: decrypts a tenant secret and logs the read with its purpose.';

-- Deletes a tenant secret (and its Vault entry); returns whether it existed.
create or replace function app.secret_delete(tenant_id uuid, name text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row app.tenant_secrets%rowtype;
begin
  delete from app.tenant_secrets s where s.tenant_id = secret_delete.tenant_id and s.name = secret_delete.name
  returning * into v_row;
  if not found then
    return false;
  end if;
  if v_row.vault_secret_id is not null then
    execute format('delete from %I.secrets where id = $1', 'vault') using v_row.vault_secret_id;
  end if;
  insert into app.secret_access_log (tenant_id, name, action) values (secret_delete.tenant_id, secret_delete.name, 'delete');
  return true;
end;
$$;
comment on function app.secret_delete(uuid, text) is 'Deletes a tenant secret and logs it.';

-- ============================================================================
-- BUDGET LOGIC
-- ============================================================================

-- This month's spend for a tenant against its budget.
create or replace function app.budget_status(tenant_id uuid)
returns table (period date, spent_usd numeric, budget_usd numeric, hard_limit boolean)
language sql
stable
security definer
set search_path = ''
as $$
  with p as (select date_trunc('month', now() at time zone 'UTC')::date as period)
  select p.period,
    coalesce((select sum(u.cost_usd) from public.usage_events u
      where u.tenant_id = budget_status.tenant_id
        and u.created_at >= (p.period::timestamp at time zone 'UTC')), 0) as spent_usd,
    b.monthly_budget_usd,
    coalesce(b.hard_limit, false)
  from p left join public.tenant_budgets b on b.tenant_id = budget_status.tenant_id
$$;
comment on function app.budget_status(uuid) is 'This UTC month''s spend for a tenant, its budget (null when none) and whether the limit is hard.';

-- Records a usage event and fires budget alerts (event + notification) once per threshold and month.
create or replace function app.record_usage(tenant_id uuid, usage jsonb)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id uuid;
  v_status record;
  v_pct numeric;
  v_threshold integer;
  v_thresholds integer[];
begin
  insert into public.usage_events (tenant_id, run_id, run_step_id, kind, provider, model, prompt_tokens,
    completion_tokens, units, cost_usd, metadata)
  values (record_usage.tenant_id, (usage ->> 'run_id')::uuid, (usage ->> 'run_step_id')::uuid,
    coalesce(usage ->> 'kind', 'llm'), usage ->> 'provider', usage ->> 'model',
    coalesce((usage ->> 'prompt_tokens')::integer, 0), coalesce((usage ->> 'completion_tokens')::integer, 0),
    coalesce((usage ->> 'units')::numeric, 0), coalesce((usage ->> 'cost_usd')::numeric, 0),
    coalesce(usage -> 'metadata', '{}'::jsonb))
  returning id into v_id;

  -- ALERTS: thresholds crossed this month that have not fired yet
  select * into v_status from app.budget_status(record_usage.tenant_id);
  if v_status.budget_usd is null or v_status.budget_usd = 0 then
    return v_id;
  end if;
  v_pct := 100 * v_status.spent_usd / v_status.budget_usd;
  select b.alert_thresholds into v_thresholds from public.tenant_budgets b where b.tenant_id = record_usage.tenant_id;
  foreach v_threshold in array v_thresholds loop
    continue when v_pct < v_threshold;
    insert into public.budget_alerts (tenant_id, period, threshold, spent_usd, budget_usd)
    values (record_usage.tenant_id, v_status.period, v_threshold, v_status.spent_usd, v_status.budget_usd)
    on conflict on constraint budget_alerts_pkey do nothing;
    continue when not found;
    insert into public.event_log (tenant_id, event_type, event_source, payload)
    values (record_usage.tenant_id, 'budget.threshold_reached', 'system', jsonb_build_object(
      'threshold', v_threshold, 'spent_usd', v_status.spent_usd, 'budget_usd', v_status.budget_usd,
      'period', v_status.period, 'hard_limit', v_status.hard_limit));
    insert into public.notifications (tenant_id, type, title, message, data, source_type, priority)
    values (record_usage.tenant_id, case when v_threshold >= 100 then 'alert' else 'warning' end,
      format('Budget %s%% reached', v_threshold),
      format('Spend this month is %s USD of a %s USD budget%s.', round(v_status.spent_usd, 4), v_status.budget_usd,
        case when v_threshold >= 100 and v_status.hard_limit then '; new work is refused until next month or a higher budget' else '' end),
      jsonb_build_object('threshold', v_threshold, 'spent_usd', v_status.spent_usd, 'budget_usd', v_status.budget_usd),
      'system', case when v_threshold >= 100 then 10 else 5 end);
  end loop;
  return v_id;
end;
$$;
comment on function app.record_usage(uuid, jsonb) is 'Workers: records one usage event and fires each budget alert (event_log budget.threshold_reached + notification) at most once per month.';

-- Raises BUDGET_EXCEEDED (SQLSTATE P0001 with that message) when the tenant is at its hard limit.
create or replace function app.assert_budget(tenant_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v record;
begin
  select * into v from app.budget_status(assert_budget.tenant_id);
  if v.hard_limit and v.budget_usd is not null and v.spent_usd >= v.budget_usd then
    raise exception 'Budget exceeded: spend this month is % USD of a % USD budget with a hard limit', round(v.spent_usd, 4), v.budget_usd
      using errcode = 'OR402';
  end if;
end;
$$;
comment on function app.assert_budget(uuid) is 'Refuses new work (BUDGET_EXCEEDED) when a tenant with a hard limit has spent its monthly budget.';

-- ============================================================================
-- CIRCUIT BREAKER LOGIC (atomic across workers)
-- ============================================================================

-- Whether a call may go ahead; moves open → half_open once open_until passes and lets one probe through.
create or replace function app.breaker_allow(tenant_id uuid, key text)
returns table (allowed boolean, state text, retry_in_ms integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v public.circuit_breakers%rowtype;
begin
  select * into v from public.circuit_breakers b
  where b.tenant_id = breaker_allow.tenant_id and b.key = breaker_allow.key
  for update;
  if not found or v.state = 'closed' then
    return query select true, 'closed'::text, 0;
    return;
  end if;
  if v.state = 'open' and now() >= coalesce(v.open_until, v.opened_at + make_interval(secs => v.cooldown_seconds)) then
    update public.circuit_breakers b set state = 'half_open', probe_until = now() + interval '60 seconds', updated_at = now()
    where b.id = v.id;
    return query select true, 'half_open'::text, 0;
    return;
  end if;
  if v.state = 'half_open' and now() >= v.probe_until then
    -- the probe never reported back: let another through
    update public.circuit_breakers b set probe_until = now() + interval '60 seconds', updated_at = now() where b.id = v.id;
    return query select true, 'half_open'::text, 0;
    return;
  end if;
  -- open: until open_until; half_open with a probe in flight: until the probe reports (callers
  -- defer with release key breaker:<key>, so a successful probe releases them at once)
  return query select false, v.state,
    greatest(100, (1000 * extract(epoch from (case when v.state = 'open'
      then coalesce(v.open_until, v.opened_at + make_interval(secs => v.cooldown_seconds)) else v.probe_until end - now())))::integer);
end;
$$;
comment on function app.breaker_allow(uuid, text) is 'Workers: may this tenant call this dependency now? An open breaker answers no with retry_in_ms until open_until; then one probe goes through (half_open) while the rest wait for its outcome.';

-- Records a call's outcome: success closes the breaker (releasing the work deferred on it);
-- failures open it at the threshold (a failed probe re-opens it) for the cooldown, or for the
-- Retry-After the dependency asked for.
create or replace function app.breaker_record(tenant_id uuid, key text, ok boolean, error text default null,
  retry_after_seconds integer default null)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_state text;
  v_was text;
begin
  if ok then
    update public.circuit_breakers b set state = 'closed', fail_count = 0, opened_at = null, open_until = null,
      probe_until = null, updated_at = now()
    where b.tenant_id = breaker_record.tenant_id and b.key = breaker_record.key and (b.state <> 'closed' or b.fail_count > 0)
    returning b.state into v_state;
    if v_state is not null then
      perform app.queue_release(breaker_record.tenant_id, 'breaker:' || breaker_record.key);
    end if;
    return coalesce(v_state, 'closed');
  end if;
  select b.state into v_was from public.circuit_breakers b
  where b.tenant_id = breaker_record.tenant_id and b.key = breaker_record.key for update;
  insert into public.circuit_breakers as b (tenant_id, key, fail_count, last_error, failure_threshold, cooldown_seconds)
  values (breaker_record.tenant_id, breaker_record.key, 1, left(error, 2000),
    coalesce((select (t.settings ->> 'breaker_failure_threshold')::integer from public.tenants t where t.id = breaker_record.tenant_id), 5),
    coalesce((select (t.settings ->> 'breaker_cooldown_seconds')::integer from public.tenants t where t.id = breaker_record.tenant_id), 30))
  on conflict on constraint circuit_breakers_tenant_id_key_key do update
  set fail_count = b.fail_count + 1, last_error = left(excluded.last_error, 2000), updated_at = now(),
    state = case when b.state = 'half_open' or b.fail_count + 1 >= b.failure_threshold then 'open' else b.state end
  returning b.state into v_state;
  if v_state = 'open' and v_was is distinct from 'open' then
    update public.circuit_breakers b
    set opened_at = now(), opened_count = b.opened_count + 1, probe_until = null,
      open_until = now() + make_interval(secs => coalesce(least(greatest(breaker_record.retry_after_seconds, 1), 3600), b.cooldown_seconds))
    where b.tenant_id = breaker_record.tenant_id and b.key = breaker_record.key;
  end if;
  return v_state;
end;
$$;
comment on function app.breaker_record(uuid, text, boolean, text, integer) is 'Workers: records a call outcome for a breaker and returns its new state. Closing releases the work deferred on breaker:<key>; opening lasts the cooldown or the dependency''s Retry-After.';

-- ============================================================================
-- POLICIES
-- ============================================================================
alter table public.usage_events enable row level security;
alter table public.usage_events force row level security;
create policy "Usage is viewable within its tenant" on public.usage_events
  for select to authenticated using (tenant_id = (select app.tenant_id()));

alter table public.tenant_budgets enable row level security;
alter table public.tenant_budgets force row level security;
create policy "Budgets are viewable within their tenant" on public.tenant_budgets
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Budgets can be set within their tenant" on public.tenant_budgets
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Budgets can be changed within their tenant" on public.tenant_budgets
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));

alter table public.budget_alerts enable row level security;
alter table public.budget_alerts force row level security;
create policy "Budget alerts are viewable within their tenant" on public.budget_alerts
  for select to authenticated using (tenant_id = (select app.tenant_id()));

alter table public.notifications enable row level security;
alter table public.notifications force row level security;
create policy "Notifications are viewable within their tenant" on public.notifications
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Notifications can be marked within their tenant" on public.notifications
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));

alter table public.circuit_breakers enable row level security;
alter table public.circuit_breakers force row level security;
create policy "Circuit breakers are viewable within their tenant" on public.circuit_breakers
  for select to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.usage_events, public.tenant_budgets, public.budget_alerts, public.notifications,
  public.circuit_breakers from anon;
revoke insert, update, delete, truncate on public.usage_events, public.budget_alerts, public.circuit_breakers from authenticated;
revoke delete, truncate on public.tenant_budgets from authenticated;
revoke insert, delete, truncate on public.notifications from authenticated;
revoke update on public.notifications from authenticated;
grant update (read, read_at, dismissed, dismissed_at) on public.notifications to authenticated;

-- Names of a tenant's secrets with when they were set; never their values.
create or replace function app.secret_list(tenant_id uuid)
returns table (name text, created_at timestamptz, updated_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select s.name, s.created_at, s.updated_at from app.tenant_secrets s
  where s.tenant_id = secret_list.tenant_id
  order by s.name
$$;
comment on function app.secret_list(uuid) is 'The names of a tenant''s secrets and when they were set (never their values).';
