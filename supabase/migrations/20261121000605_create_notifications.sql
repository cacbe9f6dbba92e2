-- Notifications for people (seed 000 Part II, seed 004 §7): the in-app inbox (channels admin and
-- ora: the notification row itself), routes from severity to channels per tenant, and the delivery
-- log of the external channels (email, webhook, slack, teams, sms), delivered by the `deliveries`
-- worker (supabase/functions/deliveries/) from the pgmq queue `deliveries`. Webhook subscriptions
-- share the queue and the worker (migration …0850).

-- ============================================================================
-- DELIVERIES QUEUE (notification channels here, webhooks in …0850)
-- ============================================================================
select app.queue_register('deliveries', 'deliveries',
  'Outbound deliveries: notification channels and webhooks ({tenant_id, kind: notification | webhook, delivery_id, priority}).', 4);

-- The retry schedule a delivery uses: seconds to wait after each failed attempt.
create or replace function app.delivery_schedule(schedule jsonb default null)
returns integer[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_schedule integer[];
begin
  -- ~30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h: eight attempts over about 22 hours
  if delivery_schedule.schedule is null or jsonb_typeof(delivery_schedule.schedule) <> 'array'
     or jsonb_array_length(delivery_schedule.schedule) not between 1 and 20
     or exists (select 1 from jsonb_array_elements(delivery_schedule.schedule) e
                where not case when jsonb_typeof(e) = 'number'
                  then e::numeric = trunc(e::numeric) and e::numeric between 1 and 86400 else false end) then
    return array[30, 120, 600, 3600, 10800, 21600, 43200];
  end if;
  select array_agg(e::integer order by o) into v_schedule
  from jsonb_array_elements(delivery_schedule.schedule) with ordinality as x(e, o);
  return v_schedule;
end;
$$;
comment on function app.delivery_schedule(jsonb) is 'The retry schedule of a delivery: schedule (a JSON array of 1 to 20 whole seconds, each 1 to 86400) when valid, else the default 30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h. A delivery makes 1 + cardinality(schedule) attempts.';

-- Puts one delivery on the deliveries queue and wakes the worker (coalesced per transaction).
create or replace function app.delivery_enqueue(tenant_id uuid, kind text, delivery_id uuid, priority integer default 0)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_msg_id bigint;
begin
  if delivery_enqueue.kind not in ('notification', 'webhook') then
    raise exception 'Invalid delivery kind %: use notification or webhook', delivery_enqueue.kind
      using errcode = 'OR400', detail = 'delivery_kind_invalid';
  end if;
  select * into v_msg_id from pgmq.send('deliveries', jsonb_build_object(
    'tenant_id', delivery_enqueue.tenant_id, 'kind', delivery_enqueue.kind,
    'delivery_id', delivery_enqueue.delivery_id, 'priority', coalesce(delivery_enqueue.priority, 0)));
  if coalesce((select (t.settings ->> 'wake_workers')::boolean from public.tenants t
               where t.id = delivery_enqueue.tenant_id), true) then
    perform app.queue_wake('deliveries', 'enqueue');
  end if;
  return v_msg_id;
end;
$$;
comment on function app.delivery_enqueue(uuid, text, uuid, integer) is 'Queues one delivery (a notification_deliveries or webhook_deliveries row) on pgmq queue deliveries in the caller''s transaction and wakes the deliveries worker (coalesced; not when tenants.settings.wake_workers is false: app.tick drains it then).';

-- ============================================================================
-- NOTIFICATIONS
-- ============================================================================
create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  type text not null check (type in ('info', 'success', 'warning', 'error', 'alert')),
  title text not null check (length(title) between 1 and 500),
  message text not null check (length(message) between 1 and 10000),
  data jsonb not null default '{}'::jsonb,
  source_type text,
  source_id uuid,
  channels text[] not null default array['admin']
    check (cardinality(channels) between 1 and 7
      and channels <@ array['admin', 'ora', 'email', 'webhook', 'slack', 'teams', 'sms']),
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
comment on table public.notifications is 'Notifications for people. Channels admin and ora are this row (the in-app inboxes); email, webhook, slack, teams and sms are delivered by the deliveries worker and logged in notification_deliveries. Created with app.notification_create.';
comment on column public.notifications.type is 'Severity: info, success, warning, error or alert; notification_routes map it to channels.';
comment on column public.notifications.channels is 'Where it goes: admin and ora (in-app, delivered by this row), email, webhook, slack, teams, sms (one notification_deliveries row each).';
comment on column public.notifications.delivery_config is 'Per-notification overrides of the tenant''s channel settings: {"email": {"to": [...], "subject": "..."}, "sms": {"to": [...]}}. Endpoints and secrets are never overridden here (settings.notifications.channels, admins only).';
comment on column public.notifications.delivery_status is 'Per channel: {"status": pending | delivered | failed | dead, "at", "attempts", "error"?}; the in-app channels are delivered when the row is created.';
comment on column public.notifications.source_type is 'What raised it: system (budget alerts), automation, agent, api, …';
comment on column public.notifications.priority is 'Higher is more urgent; also the priority of its deliveries on the queue.';
comment on column public.notifications.message is 'The notification body text (1-10,000 characters).';
comment on column public.notifications.data is 'Free-form JSON the creator attaches (e.g. the budget, run or automation it is about); sent along on external channels.';
comment on column public.notifications.source_id is 'Id of the row that raised it (e.g. the automation or run), read with source_type; null when none.';
comment on column public.notifications.read is 'True once a user marked it read (notifications.read); unread, undismissed notifications make the inbox count.';
comment on column public.notifications.read_at is 'When it was marked read.';
comment on column public.notifications.dismissed is 'True once a user dismissed it; dismissed notifications leave the default list.';
comment on column public.notifications.dismissed_at is 'When it was dismissed.';
comment on column public.notifications.expires_at is 'When app.notifications_cleanup deletes it; null = kept until deleted.';

alter table public.notifications enable row level security;
alter table public.notifications force row level security;
create policy "Notifications are viewable within their tenant" on public.notifications
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Notifications can be marked within their tenant" on public.notifications
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));

revoke all on public.notifications from anon;
revoke insert, delete, truncate on public.notifications from authenticated;
revoke update on public.notifications from authenticated;
grant update (read, read_at, dismissed, dismissed_at) on public.notifications to authenticated;

-- ============================================================================
-- ROUTES (seed 004 §7.3): severity → channels, per tenant
-- ============================================================================
create table public.notification_routes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  severity text not null check (severity in ('info', 'success', 'warning', 'error', 'alert')),
  channels text[] not null
    check (cardinality(channels) between 1 and 7
      and channels <@ array['admin', 'ora', 'email', 'webhook', 'slack', 'teams', 'sms']),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, severity)
);
comment on table public.notification_routes is 'Per tenant, the channels a notification of each severity goes to when its creator names none. A severity without a route goes to admin only.';
comment on column public.notification_routes.severity is 'A notification type: info, success, warning, error or alert.';
comment on column public.notification_routes.channels is 'Channels (admin, ora, email, webhook, slack, teams, sms; 1-7 of them) a notification of this severity goes to when its creator names none.';

create trigger notification_routes_touch before update on public.notification_routes
  for each row execute function app.touch_updated_at();

alter table public.notification_routes enable row level security;
alter table public.notification_routes force row level security;
create policy "Notification routes are viewable within their tenant" on public.notification_routes
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Notification routes can be created within their tenant" on public.notification_routes
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Notification routes can be changed within their tenant" on public.notification_routes
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Notification routes can be deleted within their tenant" on public.notification_routes
  for delete to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.notification_routes from anon;
revoke all on public.notification_routes from authenticated;
grant select, delete on public.notification_routes to authenticated;
grant insert (tenant_id, severity, channels) on public.notification_routes to authenticated;
grant update (channels) on public.notification_routes to authenticated;

-- ============================================================================
-- DELIVERY LOG: one row per notification × external channel
-- ============================================================================
create table public.notification_deliveries (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  notification_id uuid not null references public.notifications (id) on delete cascade,
  channel text not null check (channel in ('email', 'webhook', 'slack', 'teams', 'sms')),
  target text,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'dead')),
  attempts integer not null default 0 check (attempts >= 0),
  retry_schedule_seconds integer[] not null,
  max_attempts integer generated always as (1 + cardinality(retry_schedule_seconds)) stored,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz,
  sent_to text[] not null default '{}',
  last_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  last_duration_ms integer,
  delivered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (notification_id, channel)
);
create index notification_deliveries_tenant_idx on public.notification_deliveries (tenant_id, notification_id);
create index notification_deliveries_tenant_status_idx on public.notification_deliveries (tenant_id, status, created_at desc);
comment on table public.notification_deliveries is 'Delivery log of notifications'' external channels: one row per notification × channel, written by app.notification_create and the deliveries worker only.';
comment on column public.notification_deliveries.target is 'Who it goes to, for the log: email addresses or phone numbers; null for webhook, slack and teams (their URLs are settings or secrets).';
comment on column public.notification_deliveries.status is 'pending (queued or waiting for a retry), delivered, failed (a final answer such as a 4xx, or a channel that is not configured; no retry) or dead (every attempt failed; the message went to deliveries_dlq).';
comment on column public.notification_deliveries.retry_schedule_seconds is 'Seconds to wait after failed attempt 1, 2, …; taken from settings.notifications.retry_schedule_seconds (or the default) when the notification was created. Jitter of ±20% is added, and a longer Retry-After is honoured.';
comment on column public.notification_deliveries.locked_until is 'While an attempt is in flight: until when it may take (its timeout plus a margin); a redelivered message waits for it instead of sending twice.';
comment on column public.notification_deliveries.sent_to is 'SMS: the numbers already sent to, so a retry sends only to the others.';
comment on column public.notification_deliveries.last_duration_ms is 'How long the latest attempt took, from the request to the end of the response.';
comment on column public.notification_deliveries.notification_id is 'The notification being delivered.';
comment on column public.notification_deliveries.channel is 'The external channel of this delivery: email, webhook, slack, teams or sms.';
comment on column public.notification_deliveries.attempts is 'Attempts made so far (counted by the deliveries worker when an attempt starts).';
comment on column public.notification_deliveries.max_attempts is 'Attempts allowed: 1 + the number of retry delays (generated from retry_schedule_seconds).';
comment on column public.notification_deliveries.next_attempt_at is 'When the next attempt is due (now at creation, then after each failed attempt''s delay).';
comment on column public.notification_deliveries.last_attempt_at is 'When the latest attempt started.';
comment on column public.notification_deliveries.last_status_code is 'HTTP status of the latest attempt''s response; null when no response came.';
comment on column public.notification_deliveries.last_error is 'Error of the latest failed attempt (for dead: with how many attempts were made).';
comment on column public.notification_deliveries.delivered_at is 'When the channel accepted it; null until delivered.';

create trigger notification_deliveries_touch before update on public.notification_deliveries
  for each row execute function app.touch_updated_at();

alter table public.notification_deliveries enable row level security;
alter table public.notification_deliveries force row level security;
create policy "Notification deliveries are viewable within their tenant" on public.notification_deliveries
  for select to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.notification_deliveries from anon;
revoke all on public.notification_deliveries from authenticated;
grant select on public.notification_deliveries to authenticated;

-- ============================================================================
-- CREATING NOTIFICATIONS
-- ============================================================================

-- The one way to create a notification: inserts it, logs and queues one delivery per external
-- channel, and wakes the deliveries worker, all in the caller's transaction.
create or replace function app.notification_create(tenant_id uuid, n jsonb)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_type text := coalesce(notification_create.n ->> 'type', 'info');
  v_channels text[];
  v_unknown text[];
  v_settings jsonb;
  v_config jsonb := coalesce(notification_create.n -> 'delivery_config', '{}'::jsonb);
  v_priority integer := coalesce((notification_create.n ->> 'priority')::integer, 0);
  v_schedule integer[];
  v_status jsonb := '{}'::jsonb;
  v_channel text;
  v_target jsonb;
  v_id uuid;
  v_delivery uuid;
begin
  -- GUARD: what the caller gave
  if jsonb_typeof(notification_create.n) is distinct from 'object' then
    raise exception 'Invalid notification: give a JSON object {type, title, message, …}'
      using errcode = 'OR400', detail = 'notification_invalid';
  end if;
  if v_type not in ('info', 'success', 'warning', 'error', 'alert') then
    raise exception 'Invalid notification type %: use info, success, warning, error or alert', v_type
      using errcode = 'OR400', detail = 'notification_type_invalid';
  end if;
  if coalesce(btrim(notification_create.n ->> 'title'), '') = '' or coalesce(btrim(notification_create.n ->> 'message'), '') = '' then
    raise exception 'Invalid notification: title and message are required'
      using errcode = 'OR400', detail = 'notification_text_missing';
  end if;
  if jsonb_typeof(v_config) <> 'object' then
    raise exception 'Invalid delivery_config: give an object keyed by channel, e.g. {"email": {"to": ["ops@example.com"]}}'
      using errcode = 'OR400', detail = 'notification_delivery_config_invalid';
  end if;
  select t.settings -> 'notifications' into v_settings from public.tenants t where t.id = notification_create.tenant_id;
  if not found then
    raise exception 'No tenant %', notification_create.tenant_id using errcode = 'OR404', detail = 'tenant_not_found';
  end if;

  -- CHANNELS: the caller's, else the tenant's route for this severity, else the admin inbox
  if jsonb_typeof(notification_create.n -> 'channels') = 'array' then
    select coalesce(array_agg(c order by o), '{}') into v_channels from (
      select c, min(o) as o from jsonb_array_elements_text(notification_create.n -> 'channels') with ordinality as x(c, o) group by c
    ) d;
  elsif coalesce(jsonb_typeof(notification_create.n -> 'channels'), 'null') <> 'null' then
    raise exception 'Invalid channels: give an array such as ["admin", "email"]'
      using errcode = 'OR400', detail = 'notification_channels_invalid';
  else
    select r.channels into v_channels from public.notification_routes r
    where r.tenant_id = notification_create.tenant_id and r.severity = v_type;
    v_channels := coalesce(v_channels, array['admin']);
  end if;
  v_unknown := array(select c from unnest(v_channels) c
    where c not in ('admin', 'ora', 'email', 'webhook', 'slack', 'teams', 'sms'));
  if cardinality(v_unknown) > 0 or cardinality(v_channels) = 0 then
    raise exception 'Invalid channels %: use admin, ora, email, webhook, slack, teams or sms', coalesce(array_to_string(v_unknown, ', '), '[]')
      using errcode = 'OR400', detail = 'notification_channels_invalid';
  end if;

  -- IN-APP channels are this row: delivered now; external ones start pending
  foreach v_channel in array v_channels loop
    v_status := v_status || jsonb_build_object(v_channel, case when v_channel in ('admin', 'ora')
      then jsonb_build_object('status', 'delivered', 'at', now())
      else jsonb_build_object('status', 'pending', 'attempts', 0) end);
  end loop;

  insert into public.notifications (tenant_id, type, title, message, data, source_type, source_id, channels,
    delivery_config, delivery_status, priority, expires_at)
  values (notification_create.tenant_id, v_type, notification_create.n ->> 'title', notification_create.n ->> 'message',
    coalesce(notification_create.n -> 'data', '{}'::jsonb), notification_create.n ->> 'source_type',
    (notification_create.n ->> 'source_id')::uuid, v_channels, v_config, v_status, v_priority,
    (notification_create.n ->> 'expires_at')::timestamptz)
  returning id into v_id;

  -- EXTERNAL channels: one logged delivery each, queued in this transaction
  v_schedule := app.delivery_schedule(v_settings -> 'retry_schedule_seconds');
  foreach v_channel in array v_channels loop
    continue when v_channel in ('admin', 'ora');
    v_target := coalesce(v_config -> v_channel -> 'to', v_settings -> 'channels' -> v_channel -> 'to');
    insert into public.notification_deliveries (tenant_id, notification_id, channel, target, retry_schedule_seconds)
    values (notification_create.tenant_id, v_id, v_channel,
      case jsonb_typeof(v_target)
        when 'array' then (select string_agg(t, ', ') from jsonb_array_elements_text(v_target) t)
        when 'string' then v_target #>> '{}'
      end,
      v_schedule)
    returning id into v_delivery;
    perform app.delivery_enqueue(notification_create.tenant_id, 'notification', v_delivery, v_priority);
  end loop;
  return v_id;
end;
$$;
comment on function app.notification_create(uuid, jsonb) is 'Creates a notification from n = {type, title, message, data?, channels?, delivery_config?, priority?, source_type?, source_id?, expires_at?}. Without channels the tenant''s route for the severity decides (default: admin). Inserts it, one notification_deliveries row per external channel (email, webhook, slack, teams, sms), queues each on deliveries and wakes the worker, in the caller''s transaction. Returns its id.';

-- ============================================================================
-- RETENTION
-- ============================================================================

-- Deletes expired notifications and old finished deliveries (daily, pg_cron ora-deliveries-cleanup).
create or replace function app.notifications_cleanup()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_notifications bigint;
  v_deliveries bigint;
begin
  delete from public.notifications n where n.expires_at < now();
  get diagnostics v_notifications = row_count;
  delete from public.notification_deliveries d where d.status <> 'pending' and d.updated_at < now() - interval '30 days';
  get diagnostics v_deliveries = row_count;
  return jsonb_build_object('notifications', v_notifications, 'notification_deliveries', v_deliveries);
end;
$$;
comment on function app.notifications_cleanup() is 'Ops: deletes notifications past expires_at and finished notification deliveries older than 30 days. Daily (pg_cron job ora-notifications-cleanup).';

select cron.schedule('ora-notifications-cleanup', '27 3 * * *', 'select app.notifications_cleanup()');

select app.lock_down();
