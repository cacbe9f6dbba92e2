-- Tenants, members, API keys with rate limits, and the request log.

-- ============================================================================
-- TENANTS
-- ============================================================================
create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  settings jsonb not null default '{}'::jsonb,
  limits jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.tenants is 'Tenants: every other row in Ora belongs to exactly one. Created through ora tenants.create (service role).';
comment on column public.tenants.settings is 'Settings the tenant''s admins change (settings.update): LLM providers, policy, breaker tuning, wake_workers. Validated by the API.';
comment on column public.tenants.limits is 'Plan limits set by the operator (service role: tenants.update), never by the tenant: max_spawn_depth, max_children_per_session, max_concurrent_sessions, … Missing keys take the defaults of app.tenant_limit.';
comment on column public.tenants.slug is 'Unique URL-safe handle of the tenant: lowercase letters, digits and hyphens, 2-63 characters.';

alter table public.tenants enable row level security;
alter table public.tenants force row level security;
create policy "Tenants are viewable by their own members and keys" on public.tenants
  for select to authenticated using (id = (select app.tenant_id()));
create trigger tenants_touch before update on public.tenants
  for each row execute function app.touch_updated_at();

-- A tenant's plan limit `name` (tenants.limits, else the default here: the one place defaults live).
create or replace function app.tenant_limit(tenant_id uuid, name text)
returns integer
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select coalesce(
    (select (t.limits ->> tenant_limit.name)::integer from public.tenants t where t.id = tenant_limit.tenant_id),
    case tenant_limit.name
      when 'max_spawn_depth' then 3
      when 'max_children_per_session' then 20
      when 'max_concurrent_sessions' then 10
      when 'max_concurrent_automation_runs' then 10
      when 'max_tool_calls_per_session' then 50
    end));
end;
$$;
comment on function app.tenant_limit(uuid, text) is 'A tenant''s plan limit (tenants.limits) or its default: max_spawn_depth 3, max_children_per_session 20, max_concurrent_sessions 10, max_concurrent_automation_runs 10, max_tool_calls_per_session 50. The only place these defaults are written.';

-- Every plan limit of a tenant with its effective value.
create or replace function app.tenant_limits(tenant_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_object_agg(n, app.tenant_limit(tenant_limits.tenant_id, n))
  from unnest(array['max_spawn_depth', 'max_children_per_session', 'max_concurrent_sessions',
    'max_concurrent_automation_runs', 'max_tool_calls_per_session']) n
$$;
comment on function app.tenant_limits(uuid) is 'All plan limits of a tenant with their effective values (set or default).';

-- ============================================================================
-- TENANT MEMBERS (Supabase Auth users)
-- ============================================================================
create table public.tenant_members (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member' check (role in ('owner', 'admin', 'member')),
  created_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
create index tenant_members_user_idx on public.tenant_members (user_id);
comment on table public.tenant_members is 'Supabase Auth users in tenants, with role owner, admin or member.';
comment on column public.tenant_members.user_id is 'The Supabase Auth user (auth.users.id) who belongs to the tenant.';
comment on column public.tenant_members.role is 'owner, admin or member: owners and admins get every scope, members every scope but key management.';

alter table public.tenant_members enable row level security;
alter table public.tenant_members force row level security;
create policy "Members are viewable within their tenant" on public.tenant_members
  for select to authenticated using (tenant_id = (select app.tenant_id()));

-- ============================================================================
-- API KEYS
-- Keys look like ora_<prefix>_<secret>; only the SHA-256 hash of the whole key is stored.
-- ============================================================================
create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  description text,
  key_prefix text not null unique check (key_prefix ~ '^[a-z0-9]{8}$'),
  key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] not null default array['*'],
  rate_limit_per_minute integer not null default 60 check (rate_limit_per_minute > 0),
  rate_limit_per_day integer not null default 10000 check (rate_limit_per_day > 0),
  total_requests bigint not null default 0,
  last_used_at timestamptz,
  last_used_ip inet,
  allowed_ips cidr[] not null default '{}',
  expires_at timestamptz,
  is_active boolean not null default true,
  revoked_at timestamptz,
  revoked_reason text,
  rotated_from uuid references public.api_keys (id) on delete set null,
  agent_id uuid,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index api_keys_tenant_idx on public.api_keys (tenant_id, created_at desc);
comment on table public.api_keys is 'Ora API keys. Only the SHA-256 hash is stored; the prefix identifies a key in lists and logs. Revoke with is_active=false; rotate keeps the old key until its expires_at (grace period).';
comment on column public.api_keys.allowed_ips is 'Client addresses or CIDR ranges allowed to use the key; empty = any.';
comment on column public.api_keys.scopes is '* for everything, or <resource>:read / <resource>:write / <resource>:* (write implies read).';
comment on column public.api_keys.key_prefix is 'The 8 lowercase letters or digits after ora_ in the key (ora_<prefix>_<secret>); unique, shown in lists and used by the gateway to find the key.';
comment on column public.api_keys.key_hash is 'SHA-256 hex digest of the whole key; the key itself is never stored.';
comment on column public.api_keys.rate_limit_per_minute is 'Requests the key may make per minute; app.api_key_consume refuses more (counted in app.rate_counters).';
comment on column public.api_keys.rate_limit_per_day is 'Requests the key may make per UTC day; app.api_key_consume refuses more (counted in app.rate_counters).';
comment on column public.api_keys.total_requests is 'Requests counted against the key since it was created, added in batches by the gateway.';
comment on column public.api_keys.last_used_at is 'When the key last made a counted request (written in batches by the gateway).';
comment on column public.api_keys.last_used_ip is 'Client address of the key''s latest counted request.';
comment on column public.api_keys.expires_at is 'After this the gateway refuses the key; null = never expires (rotation sets it to the end of the grace period on the old key).';
comment on column public.api_keys.is_active is 'False once the key is revoked (or rotated with no grace); the gateway refuses inactive keys.';
comment on column public.api_keys.revoked_at is 'When the key was revoked or rotated out; null while it is usable.';
comment on column public.api_keys.revoked_reason is 'Why the key was revoked, as given to keys.revoke, or rotated when a rotation replaced it.';
comment on column public.api_keys.rotated_from is 'The key this one replaced in a rotation (keys.rotate); null for a key created directly.';
comment on column public.api_keys.agent_id is 'Marks a key that acts for an agent: such keys may not decide approvals and do not count as approvers; no Ora action sets it today.';
comment on column public.api_keys.created_by is 'Who created the key: key:<id>, user:<id> or service_role.';

alter table public.api_keys enable row level security;
alter table public.api_keys force row level security;
create policy "Keys are viewable within their tenant" on public.api_keys
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Keys can be created within their tenant" on public.api_keys
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Keys can be updated within their tenant" on public.api_keys
  for update to authenticated
  using (tenant_id = (select app.tenant_id()))
  with check (tenant_id = (select app.tenant_id()));
create trigger api_keys_touch before update on public.api_keys
  for each row execute function app.touch_updated_at();

-- The hash never leaves the database through the API roles.
revoke all on public.api_keys from anon, authenticated;
grant select (id, tenant_id, name, description, key_prefix, scopes, rate_limit_per_minute,
  rate_limit_per_day, total_requests, last_used_at, last_used_ip, allowed_ips, expires_at,
  is_active, revoked_at, revoked_reason, rotated_from, agent_id, created_by, created_at, updated_at)
  on public.api_keys to authenticated;
grant insert (tenant_id, name, description, key_prefix, key_hash, scopes, rate_limit_per_minute,
  rate_limit_per_day, allowed_ips, expires_at, rotated_from, agent_id, created_by)
  on public.api_keys to authenticated;
grant update (name, description, is_active, revoked_at, revoked_reason, expires_at, tenant_id)
  on public.api_keys to authenticated;

-- ============================================================================
-- RATE LIMIT COUNTERS (private; one row per key per window)
-- ============================================================================
create table app.rate_counters (
  api_key_id uuid not null references public.api_keys (id) on delete cascade,
  window_kind text not null check (window_kind in ('minute', 'day')),
  window_start timestamptz not null,
  hits integer not null default 0,
  primary key (api_key_id, window_kind, window_start)
);
comment on table app.rate_counters is 'Per-key request counters per minute and per UTC day; incremented atomically by app.api_key_consume.';
comment on column app.rate_counters.api_key_id is 'The API key whose requests are counted.';
comment on column app.rate_counters.window_kind is 'minute or day: the length of the counting window.';
comment on column app.rate_counters.window_start is 'Start of the window (the minute, or the UTC day) the hits fall in.';
comment on column app.rate_counters.hits is 'Requests the key made in the window, incremented by app.api_key_consume.';
alter table app.rate_counters enable row level security;
alter table app.rate_counters force row level security;

-- Finds a key by its public prefix for the gateway, which compares the hash in constant time.
create or replace function app.api_key_lookup(key_prefix text)
returns table (id uuid, tenant_id uuid, key_hash text, scopes text[])
language sql
stable
security definer
set search_path = ''
as $$
  select k.id, k.tenant_id, k.key_hash, k.scopes
  from public.api_keys k
  where k.key_prefix = api_key_lookup.key_prefix
$$;
comment on function app.api_key_lookup(text) is 'Gateway only: key id, tenant, hash and scopes for a key prefix. The caller compares hashes in constant time.';

-- Checks a key's state and counts one request against its limits, atomically.
-- status: ok | revoked | expired | ip_not_allowed | rate_limited_minute | rate_limited_day
create or replace function app.api_key_consume(api_key_id uuid, client_ip inet)
returns table (status text, retry_after integer, limit_per_minute integer, remaining_minute integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_key public.api_keys%rowtype;
  v_now timestamptz := now();
  v_minute timestamptz := date_trunc('minute', v_now);
  v_day timestamptz := date_trunc('day', v_now at time zone 'UTC') at time zone 'UTC';
  v_minute_hits integer;
  v_day_hits integer;
begin
  select * into v_key from public.api_keys k where k.id = api_key_consume.api_key_id;
  if not found or not v_key.is_active or v_key.revoked_at is not null then
    return query select 'revoked'::text, null::integer, null::integer, null::integer;
    return;
  end if;
  if v_key.expires_at is not null and v_key.expires_at <= v_now then
    return query select 'expired'::text, null::integer, null::integer, null::integer;
    return;
  end if;
  if cardinality(v_key.allowed_ips) > 0 and (client_ip is null
      or not exists (select 1 from unnest(v_key.allowed_ips) as a(net) where api_key_consume.client_ip <<= a.net)) then
    return query select 'ip_not_allowed'::text, null::integer, null::integer, null::integer;
    return;
  end if;

  -- COUNT: both windows, atomically (concurrent gateways serialize on the counter rows)
  insert into app.rate_counters as c (api_key_id, window_kind, window_start, hits)
  values (v_key.id, 'minute', v_minute, 1)
  on conflict on constraint rate_counters_pkey do update set hits = c.hits + 1
  returning c.hits into v_minute_hits;
  if v_minute_hits > v_key.rate_limit_per_minute then
    return query select 'rate_limited_minute'::text,
      greatest(1, ceil(extract(epoch from (v_minute + interval '1 minute' - v_now)))::integer),
      v_key.rate_limit_per_minute, 0;
    return;
  end if;

  insert into app.rate_counters as c (api_key_id, window_kind, window_start, hits)
  values (v_key.id, 'day', v_day, 1)
  on conflict on constraint rate_counters_pkey do update set hits = c.hits + 1
  returning c.hits into v_day_hits;
  if v_day_hits > v_key.rate_limit_per_day then
    return query select 'rate_limited_day'::text,
      greatest(1, ceil(extract(epoch from (v_day + interval '1 day' - v_now)))::integer),
      v_key.rate_limit_per_minute, 0;
    return;
  end if;

  return query select 'ok'::text, null::integer, v_key.rate_limit_per_minute,
    v_key.rate_limit_per_minute - v_minute_hits;
end;
$$;
comment on function app.api_key_consume(uuid, inet) is 'Gateway only: checks revocation, expiry and IP allowlist, then counts the request against the per-minute and per-day limits atomically. Returns ok or the reason to refuse (with retry_after seconds for rate limits). Usage statistics (total_requests, last_used_*) are written in batches by app.api_key_usage_record.';

-- Adds batched usage statistics to keys: [{id, n, at, ip}] from the gateway's write-behind batch.
-- A batch touches several keys, possibly of several tenants, while a tenant may be deleted (its
-- keys cascade in storage order) and other instances flush their own batches. Locks are taken in
-- one order — the keys' tenants (key share, so a tenant deletion waits before it cascades), then
-- the keys by id — so none of these can deadlock.
create or replace function app.api_key_usage_record(uses jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ids uuid[] := array(select u.id from jsonb_to_recordset(api_key_usage_record.uses) as u (id uuid));
begin
  perform 1 from public.tenants t
  where t.id in (select k.tenant_id from public.api_keys k where k.id = any (v_ids))
  order by t.id
  for key share;
  perform 1 from public.api_keys k where k.id = any (v_ids) order by k.id for no key update;
  update public.api_keys k
  set total_requests = k.total_requests + u.n,
    last_used_at = greatest(k.last_used_at, u.at),
    last_used_ip = case when k.last_used_at is null or u.at >= k.last_used_at then u.ip else k.last_used_ip end
  from jsonb_to_recordset(api_key_usage_record.uses) as u (id uuid, n bigint, at timestamptz, ip inet)
  where k.id = u.id;
end;
$$;
comment on function app.api_key_usage_record(jsonb) is 'Gateway only: adds batched request counts and the latest use (time, client IP) to api_keys, locking the keys'' tenants (key share) and then the keys in id order so concurrent flushes and tenant deletions cannot deadlock. Rate limits do not depend on it (app.api_key_consume counts exactly); these are statistics, flushed every ~100 ms.';

-- Resolves a Supabase Auth user to a tenant membership (the requested tenant, or the only one).
create or replace function app.member_resolve(user_id uuid, requested_tenant uuid)
returns table (tenant_id uuid, role text, memberships integer)
language sql
stable
security definer
set search_path = ''
as $$
  select m.tenant_id, m.role, (select count(*)::integer from public.tenant_members x where x.user_id = member_resolve.user_id)
  from public.tenant_members m
  where m.user_id = member_resolve.user_id
    and (member_resolve.requested_tenant is null or m.tenant_id = member_resolve.requested_tenant)
  order by m.created_at
  limit 1
$$;
comment on function app.member_resolve(uuid, uuid) is 'Gateway only: the tenant and role of a user (the requested tenant, or the first when none requested) and how many tenants the user belongs to.';

-- ============================================================================
-- REQUEST LOG
-- ============================================================================
create table public.request_log (
  id bigint generated always as identity primary key,
  request_id text not null,
  tenant_id uuid references public.tenants (id) on delete cascade,
  api_key_id uuid,
  user_id uuid,
  function_name text not null,
  action text,
  method text not null,
  status integer not null,
  error_code text,
  duration_ms numeric(10, 2) not null,
  client_ip inet,
  created_at timestamptz not null default now()
);
create index request_log_tenant_idx on public.request_log (tenant_id, created_at desc);
create index request_log_request_idx on public.request_log (request_id);
comment on table public.request_log is 'One row per API request: request id, key, action, status, duration. tenant_id is null for requests that never authenticated (visible to operators only). Kept 30 days.';
comment on column public.request_log.request_id is 'The id returned to the client in the response (quote it when reporting a problem).';
comment on column public.request_log.api_key_id is 'The API key that made the request; null for users, the service role and unauthenticated requests.';
comment on column public.request_log.user_id is 'The Supabase Auth user that made the request; null for keys, the service role and unauthenticated requests.';
comment on column public.request_log.function_name is 'The Edge Function that served the request (e.g. ora).';
comment on column public.request_log.action is 'The Ora action called (e.g. runs.get); null when none was resolved.';
comment on column public.request_log.method is 'HTTP method of the request.';
comment on column public.request_log.status is 'HTTP status code of the response.';
comment on column public.request_log.error_code is 'The error code of the response envelope (e.g. NOT_FOUND, INTERNAL_ERROR); null on success.';
comment on column public.request_log.duration_ms is 'Time the gateway spent serving the request, in milliseconds (two decimals).';
comment on column public.request_log.client_ip is 'Client address the gateway saw for the request.';

alter table public.request_log enable row level security;
alter table public.request_log force row level security;
create policy "Request logs are viewable within their tenant" on public.request_log
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.request_log from anon;
revoke insert, update, delete, truncate on public.request_log from authenticated;

-- Writes a batch of request-log rows from the gateway; rows of tenants deleted meanwhile are dropped
-- (a vanished tenant must not block the batch).
create or replace function app.request_log_write(rows jsonb)
returns integer
language sql
security definer
set search_path = ''
as $$
  with written as (
    insert into public.request_log (request_id, tenant_id, api_key_id, user_id, function_name, action, method,
      status, error_code, duration_ms, client_ip)
    select r.request_id, r.tenant_id, r.api_key_id, r.user_id, r.function_name, r.action, r.method, r.status,
      r.error_code, r.duration_ms, r.client_ip
    from jsonb_to_recordset(request_log_write.rows) as r (request_id text, tenant_id uuid, api_key_id uuid,
      user_id uuid, function_name text, action text, method text, status integer, error_code text,
      duration_ms numeric, client_ip inet)
    where r.tenant_id is null or exists (select 1 from public.tenants t where t.id = r.tenant_id)
    returning 1)
  select count(*)::integer from written
$$;
comment on function app.request_log_write(jsonb) is 'Gateway only: writes a batch of request-log rows (flushed every ~50 ms); rows whose tenant was deleted meanwhile are dropped.';

revoke all on public.tenants, public.tenant_members from anon;
revoke insert, update, delete, truncate on public.tenants, public.tenant_members from authenticated;

select app.lock_down();
