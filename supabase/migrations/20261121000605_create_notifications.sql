-- Notifications for people (seed 000 Part II): the in-app inbox. Channels and routes by
-- severity are delivered by the notification workers.

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

select app.lock_down();
