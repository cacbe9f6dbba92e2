-- Outbound webhooks (seed 000 §5): a tenant's subscriptions to event types, signed per Standard
-- Webhooks (https://www.standardwebhooks.com) with a per-subscription secret kept encrypted
-- (Vault on Supabase, the local key elsewhere), and their delivery log. Deliveries ride the
-- `deliveries` queue and worker of migration …0605; ad-hoc signed sends (the automation action
-- send_webhook) use the same log with no subscription.

-- ============================================================================
-- SUBSCRIPTIONS
-- ============================================================================
create table public.webhooks (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  description text check (length(description) <= 2000),
  url text not null check (url ~ '^https?://' and length(url) <= 2000),
  events text[] not null check (cardinality(events) between 1 and 100),
  filter jsonb,
  is_active boolean not null default true,
  disabled_reason text,
  disabled_at timestamptz,
  -- the default is app.delivery_schedule(null)'s, spelled out: API roles cannot call app functions
  retry_schedule_seconds integer[] not null default '{30,120,600,3600,10800,21600,43200}'
    check (cardinality(retry_schedule_seconds) between 1 and 20 and 1 <= all (retry_schedule_seconds)
      and 86400 >= all (retry_schedule_seconds)),
  timeout_ms integer not null default 10000 check (timeout_ms between 1000 and 30000),
  total_deliveries integer not null default 0,
  successful_deliveries integer not null default 0,
  failed_deliveries integer not null default 0,
  last_triggered_at timestamptz,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  last_status_code integer,
  last_error text,
  secret_rotated_at timestamptz,
  metadata jsonb not null default '{}'::jsonb,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index webhooks_tenant_created_idx on public.webhooks (tenant_id, created_at desc);
-- app.webhooks_want and dispatch read a tenant's active subscriptions (a handful) through this
create index webhooks_tenant_active_idx on public.webhooks (tenant_id) include (events) where is_active;
comment on table public.webhooks is 'Webhook subscriptions: events of the listed types whose payload matches filter are POSTed to url, signed per Standard Webhooks. The signing secret lives encrypted in app.webhook_secrets and is returned only by webhooks.create and webhooks.rotate_secret.';
comment on column public.webhooks.events is 'Event types to deliver: exact names (leads.INSERT, session.completed), a prefix with .* (leads.*) or * for every event.';
comment on column public.webhooks.filter is 'Null (every event of those types) or conditions on the event payload: {field, operator, value}, {and: […]}, {or: […]}, {not: …}, or an array meaning all of them (supabase/functions/_shared/webhooks/filter.ts).';
comment on column public.webhooks.is_active is 'false: no new deliveries, and pending ones fail. Set false by a 410 Gone (disabled_reason says so) or by the tenant; webhooks.update {is_active: true} turns it back on.';
comment on column public.webhooks.retry_schedule_seconds is 'Seconds to wait after failed attempt 1, 2, …, copied to each delivery when it is created (±20% jitter; a longer Retry-After is honoured). Default about 22 hours over 8 attempts.';
comment on column public.webhooks.timeout_ms is 'Time allowed for one attempt (connection, request and response).';
comment on column public.webhooks.total_deliveries is 'Deliveries created (events matched and tests); successful_deliveries and failed_deliveries count those that ended delivered, and failed or dead.';
comment on column public.webhooks.last_error is 'Error of the latest failed attempt (retried or not).';
comment on column public.webhooks.created_by is 'key:<id>, user:<id> or service_role.';
comment on column public.webhooks.url is 'The http(s) endpoint deliveries are POSTed to (up to 2,000 characters).';
comment on column public.webhooks.disabled_reason is 'Why is_active went false: a 410 Gone from the receiver (naming the delivery) or disabled by the tenant; cleared when turned back on.';
comment on column public.webhooks.disabled_at is 'When the webhook was last disabled; cleared when turned back on.';
comment on column public.webhooks.successful_deliveries is 'Deliveries that ended delivered (a 2xx), counted by the deliveries worker.';
comment on column public.webhooks.failed_deliveries is 'Deliveries that ended failed or dead, counted by the deliveries worker.';
comment on column public.webhooks.last_triggered_at is 'When the latest delivery (an event or a test) was created.';
comment on column public.webhooks.last_success_at is 'When the latest attempt succeeded.';
comment on column public.webhooks.last_failure_at is 'When the latest attempt failed (retried or not).';
comment on column public.webhooks.last_status_code is 'HTTP status of the latest attempt that got a response.';
comment on column public.webhooks.secret_rotated_at is 'When the signing secret was last rotated (app.webhook_secret_rotate); null if never.';
comment on column public.webhooks.metadata is 'Free-form JSON object the tenant attaches; Ora does not read it.';

create trigger webhooks_touch before update on public.webhooks
  for each row execute function app.touch_updated_at();

alter table public.webhooks enable row level security;
alter table public.webhooks force row level security;
create policy "Webhooks are viewable within their tenant" on public.webhooks
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Webhooks can be created within their tenant" on public.webhooks
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Webhooks can be changed within their tenant" on public.webhooks
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Webhooks can be deleted within their tenant" on public.webhooks
  for delete to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.webhooks from anon;
revoke all on public.webhooks from authenticated;
grant select, delete on public.webhooks to authenticated;
grant insert (tenant_id, name, description, url, events, filter, is_active, retry_schedule_seconds, timeout_ms,
  metadata, created_by) on public.webhooks to authenticated;
grant update (name, description, url, events, filter, is_active, disabled_reason, disabled_at, retry_schedule_seconds,
  timeout_ms, metadata) on public.webhooks to authenticated;

-- ============================================================================
-- SIGNING SECRETS (private): the current one, and the previous one during a rotation's overlap
-- ============================================================================
create table app.webhook_secrets (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  webhook_id uuid not null references public.webhooks (id) on delete cascade,
  vault_secret_id uuid,
  value_enc bytea,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  check ((vault_secret_id is null) <> (value_enc is null))
);
create index webhook_secrets_webhook_idx on app.webhook_secrets (tenant_id, webhook_id);
create unique index webhook_secrets_current_idx on app.webhook_secrets (webhook_id) where expires_at is null;
comment on table app.webhook_secrets is 'Standard Webhooks signing secrets (whsec_…): in Vault on Supabase (vault_secret_id), else encrypted with pgcrypto under the local stack''s key. One current secret (expires_at null) per webhook, and after a rotation the previous one until expires_at: deliveries meanwhile carry both signatures.';
comment on column app.webhook_secrets.expires_at is 'Null for the current secret; for the previous one, the end of the rotation overlap.';
alter table app.webhook_secrets enable row level security;
alter table app.webhook_secrets force row level security;
revoke all on table app.webhook_secrets from public, anon, authenticated, service_role;

-- Removes a deleted secret's Vault entry (deletes cascade here from webhooks and tenants).
create or replace function app.webhook_secret_forget()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.vault_secret_id is not null then
    execute format('delete from %I.secrets where id = $1', 'vault') using old.vault_secret_id;
  end if;
  return old;
end;
$$;
comment on function app.webhook_secret_forget() is 'Internal: trigger on app.webhook_secrets deleting the Vault entry of a removed signing secret.';
create trigger webhook_secrets_forget after delete on app.webhook_secrets
  for each row execute function app.webhook_secret_forget();

-- Makes a new signing secret current; the old one stays valid for overlap_seconds (0: at once gone).
create or replace function app.webhook_secret_rotate(tenant_id uuid, webhook_id uuid, overlap_seconds integer default 0)
returns table (secret text, previous_expires_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_secret text := 'whsec_' || encode(extensions.gen_random_bytes(32), 'base64');
  v_vault_id uuid;
  v_key text;
begin
  if webhook_secret_rotate.overlap_seconds is null or webhook_secret_rotate.overlap_seconds not between 0 and 604800 then
    raise exception 'Invalid overlap_seconds %: use 0 to 604800 (7 days)', webhook_secret_rotate.overlap_seconds
      using errcode = 'OR400', detail = 'webhook_overlap_invalid';
  end if;
  perform 1 from public.webhooks w
  where w.id = webhook_secret_rotate.webhook_id and w.tenant_id = webhook_secret_rotate.tenant_id for update;
  if not found then
    raise exception 'No webhook with id %', webhook_secret_rotate.webhook_id using errcode = 'OR404', detail = 'webhook_not_found';
  end if;

  -- the previous-but-one goes; the current one becomes the previous one for the overlap
  delete from app.webhook_secrets s
  where s.webhook_id = webhook_secret_rotate.webhook_id and s.tenant_id = webhook_secret_rotate.tenant_id
    and (s.expires_at is not null or webhook_secret_rotate.overlap_seconds = 0);
  update app.webhook_secrets s set expires_at = now() + make_interval(secs => webhook_secret_rotate.overlap_seconds)
  where s.webhook_id = webhook_secret_rotate.webhook_id and s.tenant_id = webhook_secret_rotate.tenant_id
    and s.expires_at is null
  returning s.expires_at into previous_expires_at;

  if to_regclass('vault.secrets') is not null then
    -- dynamic: vault exists only on Supabase (plpgsql_check checks constant SQL)
    execute format('select %I.create_secret($1, $2)', 'vault') into v_vault_id
      using v_secret, 'ora:webhook:' || webhook_secret_rotate.webhook_id || ':' || gen_random_uuid();
    insert into app.webhook_secrets (tenant_id, webhook_id, vault_secret_id)
    values (webhook_secret_rotate.tenant_id, webhook_secret_rotate.webhook_id, v_vault_id);
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: no Vault and no local encryption key (app.local_secret_key, made by scripts/bootstrap/00_supabase_compat.sql) to encrypt webhook secrets with'
        using errcode = '55000';
    end if;
    insert into app.webhook_secrets (tenant_id, webhook_id, value_enc)
    values (webhook_secret_rotate.tenant_id, webhook_secret_rotate.webhook_id, extensions.pgp_sym_encrypt(v_secret, v_key));
  end if;
  update public.webhooks w set secret_rotated_at = now() where w.id = webhook_secret_rotate.webhook_id;
  secret := v_secret;
  return next;
end;
$$;
comment on function app.webhook_secret_rotate(uuid, uuid, integer) is 'Generates a new signing secret (whsec_ + 32 random bytes in base64), stores it encrypted as the webhook''s current secret and returns it (the only time it is shown). The previous secret stays valid for overlap_seconds (0 to 7 days; 0 removes it at once), so deliveries carry both signatures meanwhile.';

-- The secrets a delivery is signed with: the current one first, then the previous one while valid.
create or replace function app.webhook_signing_secrets(tenant_id uuid, webhook_id uuid)
returns setof text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_row app.webhook_secrets%rowtype;
  v_key text;
begin
  for v_row in
    select * from app.webhook_secrets s
    where s.tenant_id = webhook_signing_secrets.tenant_id and s.webhook_id = webhook_signing_secrets.webhook_id
      and (s.expires_at is null or s.expires_at > now())
    order by s.expires_at is not null, s.created_at desc
  loop
    if v_row.vault_secret_id is not null then
      return query execute format('select decrypted_secret from %I.decrypted_secrets where id = $1', 'vault')
        using v_row.vault_secret_id;
    else
      v_key := coalesce(v_key, app.local_encryption_key());
      if coalesce(v_key, '') = '' then
        raise exception 'Server misconfigured: webhook secrets are encrypted locally but there is no local encryption key (app.local_secret_key)'
          using errcode = '55000';
      end if;
      return next extensions.pgp_sym_decrypt(v_row.value_enc, v_key);
    end if;
  end loop;
end;
$$;
comment on function app.webhook_signing_secrets(uuid, uuid) is 'Workers only: the decrypted signing secrets of a webhook, current first, then the previous one while its rotation overlap lasts.';

-- ============================================================================
-- MATCHING
-- ============================================================================

-- The subscription patterns that match event_type: itself, each dotted prefix with .*, and *.
create or replace function app.webhook_event_patterns(event_type text)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array[webhook_event_patterns.event_type, '*'] || coalesce(array(
    select array_to_string(p[1:i], '.') || '.*'
    from (select string_to_array(webhook_event_patterns.event_type, '.') as p) x,
      generate_series(1, cardinality(x.p) - 1) i
  ), '{}')
$$;
comment on function app.webhook_event_patterns(text) is 'The events entries that subscribe to event_type: the name itself, * and every dotted prefix followed by .* (a.b.c → a.b.c, *, a.*, a.b.*).';

-- Does any active subscription of the tenant listen to event_type? (cheap; indexed)
create or replace function app.webhooks_want(tenant_id uuid, event_type text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select webhooks_want.event_type is not null and exists (
    select 1 from public.webhooks w
    where w.tenant_id = webhooks_want.tenant_id and w.is_active
      and w.events && app.webhook_event_patterns(webhooks_want.event_type)));
end;
$$;
comment on function app.webhooks_want(uuid, text) is 'Whether any active webhook of the tenant subscribes to event_type (exactly, by prefix.* or *), ignoring filters: the event pipeline calls it to skip events no one listens to. One index probe (webhooks_tenant_active_idx).';

-- ============================================================================
-- DELIVERY LOG
-- ============================================================================
create table public.webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  webhook_id uuid references public.webhooks (id) on delete cascade,
  event_id uuid,
  event_type text not null check (length(event_type) between 1 and 200),
  url text check (url ~ '^https?://' and length(url) <= 2000),
  payload jsonb not null,
  headers jsonb not null default '{}'::jsonb,
  secret_name text,
  idempotency_key text check (length(idempotency_key) between 1 and 200),
  is_test boolean not null default false,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'dead')),
  attempts integer not null default 0 check (attempts >= 0),
  retry_schedule_seconds integer[] not null,
  max_attempts integer generated always as (1 + cardinality(retry_schedule_seconds)) stored,
  timeout_ms integer not null default 10000 check (timeout_ms between 1000 and 30000),
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  last_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  last_response text,
  last_duration_ms integer,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (webhook_id is not null or url is not null),
  unique (webhook_id, event_id),
  unique (tenant_id, idempotency_key)
);
create index webhook_deliveries_tenant_idx on public.webhook_deliveries (tenant_id, created_at desc);
create index webhook_deliveries_webhook_idx on public.webhook_deliveries (tenant_id, webhook_id, created_at desc);
comment on table public.webhook_deliveries is 'Delivery log of webhooks: one row per subscription × event (dispatchEvent), test (webhooks.test) or ad-hoc signed send (send_webhook: webhook_id null, url set). Its id is the Standard Webhooks webhook-id header, the same on every attempt, so receivers can drop duplicates. Written by the deliveries worker and app functions only.';
comment on column public.webhook_deliveries.url is 'Ad-hoc sends only; subscription deliveries go to the webhook''s current url.';
comment on column public.webhook_deliveries.payload is 'The JSON body: {id, type, timestamp, data} for events and tests (Standard Webhooks'' recommended shape), the caller''s payload for ad-hoc sends.';
comment on column public.webhook_deliveries.secret_name is 'Ad-hoc sends: the tenant secret (whsec_…, bound to the url''s origin) to sign with; null sends unsigned. Subscriptions sign with their own secrets.';
comment on column public.webhook_deliveries.status is 'pending (queued or waiting for a retry), delivered (2xx), failed (a final answer: 4xx other than 408 and 429, 410 which also disables the webhook, a refused URL; no retry) or dead (every attempt failed; the message went to deliveries_dlq).';
comment on column public.webhook_deliveries.locked_until is 'While an attempt is in flight: until when it may take (its timeout plus a margin); a redelivered message waits for it instead of sending twice.';
comment on column public.webhook_deliveries.last_response is 'The first 1000 characters of the latest response body.';
comment on column public.webhook_deliveries.webhook_id is 'The subscription delivered to; null for ad-hoc sends (url set instead).';
comment on column public.webhook_deliveries.event_id is 'The event_log row delivered (unique per webhook); null for tests and ad-hoc sends.';
comment on column public.webhook_deliveries.event_type is 'The event type delivered (webhook-test for tests, the caller''s type for ad-hoc sends).';
comment on column public.webhook_deliveries.headers is 'Extra request headers of an ad-hoc send (never webhook-*, content-type, host or content-length); empty for subscriptions.';
comment on column public.webhook_deliveries.idempotency_key is 'Ad-hoc sends: the caller''s key (unique per tenant); repeating a send with it returns the first delivery.';
comment on column public.webhook_deliveries.is_test is 'True for deliveries made by webhooks.test.';
comment on column public.webhook_deliveries.attempts is 'Attempts made so far (counted by the deliveries worker when an attempt starts).';
comment on column public.webhook_deliveries.max_attempts is 'Attempts allowed: 1 + the number of retry delays (generated from retry_schedule_seconds).';
comment on column public.webhook_deliveries.retry_schedule_seconds is 'Seconds to wait after failed attempt 1, 2, …; copied from the webhook (or the default schedule) when the delivery is created.';
comment on column public.webhook_deliveries.timeout_ms is 'Time allowed for one attempt in milliseconds (1,000-30,000), copied from the webhook.';
comment on column public.webhook_deliveries.next_attempt_at is 'When the next attempt is due (now at creation, then after each failed attempt''s delay).';
comment on column public.webhook_deliveries.last_attempt_at is 'When the latest attempt started.';
comment on column public.webhook_deliveries.last_status_code is 'HTTP status of the latest attempt''s response; null when no response came.';
comment on column public.webhook_deliveries.last_error is 'Error of the latest failed attempt (for dead: with how many attempts were made).';
comment on column public.webhook_deliveries.last_duration_ms is 'How long the latest attempt took, from the request to the end of the response.';
comment on column public.webhook_deliveries.delivered_at is 'When the receiver answered 2xx; null until delivered.';

create trigger webhook_deliveries_touch before update on public.webhook_deliveries
  for each row execute function app.touch_updated_at();

alter table public.webhook_deliveries enable row level security;
alter table public.webhook_deliveries force row level security;
create policy "Webhook deliveries are viewable within their tenant" on public.webhook_deliveries
  for select to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.webhook_deliveries from anon;
revoke all on public.webhook_deliveries from authenticated;
grant select on public.webhook_deliveries to authenticated;

-- Logs and queues one delivery of event to each listed subscription (once per event: a replayed
-- event queues nothing new); returns how many were queued.
create or replace function app.webhook_dispatch(tenant_id uuid, event jsonb, webhook_ids uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row record;
  v_count integer := 0;
begin
  if coalesce(webhook_dispatch.event ->> 'event_type', '') = '' then
    raise exception 'Invalid event: give {id, event_type, payload, created_at}' using errcode = 'OR400', detail = 'webhook_event_invalid';
  end if;
  for v_row in
    insert into public.webhook_deliveries as d (tenant_id, webhook_id, event_id, event_type, payload, retry_schedule_seconds, timeout_ms)
    select w.tenant_id, w.id, (webhook_dispatch.event ->> 'id')::uuid, webhook_dispatch.event ->> 'event_type',
      jsonb_build_object('id', webhook_dispatch.event -> 'id', 'type', webhook_dispatch.event ->> 'event_type',
        'timestamp', coalesce(webhook_dispatch.event -> 'created_at', to_jsonb(now())),
        'data', coalesce(webhook_dispatch.event -> 'payload', 'null'::jsonb))
        -- the envelope of an event that names them (events.emit origin, asset_id, occurred_at)
        || jsonb_strip_nulls(jsonb_build_object('origin', webhook_dispatch.event -> 'origin',
          'asset_id', webhook_dispatch.event -> 'asset_id', 'occurred_at', webhook_dispatch.event -> 'occurred_at')),
      w.retry_schedule_seconds, w.timeout_ms
    from public.webhooks w
    where w.tenant_id = webhook_dispatch.tenant_id and w.id = any (webhook_dispatch.webhook_ids) and w.is_active
    order by w.created_at
    on conflict (webhook_id, event_id) do nothing
    returning d.id, d.webhook_id
  loop
    update public.webhooks w set total_deliveries = w.total_deliveries + 1, last_triggered_at = now()
    where w.id = v_row.webhook_id;
    perform app.delivery_enqueue(webhook_dispatch.tenant_id, 'webhook', v_row.id, 0);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function app.webhook_dispatch(uuid, jsonb, uuid[]) is 'Logs one webhook_deliveries row per active webhook in webhook_ids for event {id, event_type, payload, created_at, origin?, asset_id?, occurred_at?} (body {id, type, timestamp, data} plus origin, asset_id, occurred_at when the event has them), queues each on deliveries and wakes the worker, in the caller''s transaction. Idempotent per (webhook, event id). Returns how many were queued. Matching (types, filters) is the caller''s: dispatchEvent in _shared/webhooks/dispatch.ts.';

-- ============================================================================
-- RETENTION
-- ============================================================================

-- Deletes finished webhook deliveries older than 30 days (daily, pg_cron ora-webhooks-cleanup).
create or replace function app.webhooks_cleanup()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_deliveries bigint;
begin
  delete from public.webhook_deliveries d where d.status <> 'pending' and d.updated_at < now() - interval '30 days';
  get diagnostics v_deliveries = row_count;
  return jsonb_build_object('webhook_deliveries', v_deliveries);
end;
$$;
comment on function app.webhooks_cleanup() is 'Ops: deletes finished webhook deliveries older than 30 days. Daily (pg_cron job ora-webhooks-cleanup).';

select cron.schedule('ora-webhooks-cleanup', '37 3 * * *', 'select app.webhooks_cleanup()');

select app.lock_down();
