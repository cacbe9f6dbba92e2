-- The card's watched domain tables (leads, blog_posts) and the tenant-scoped event_log their
-- triggers write to. Automations (trigger-engine) consume event_log.

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
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '30 days'
);
create index event_log_tenant_created_idx on public.event_log (tenant_id, created_at desc);
create index event_log_tenant_type_idx on public.event_log (tenant_id, event_type, created_at desc);
create index event_log_unprocessed_idx on public.event_log (tenant_id, created_at) where not processed;
create index event_log_expires_idx on public.event_log (expires_at);
comment on table public.event_log is 'Central event bus: one row per event (<table>.<INSERT|UPDATE|DELETE> from triggers, session.*/task.* from workers). Kept 30 days (expires_at).';
comment on column public.event_log.payload is 'For table events: {table, operation, old, new, timestamp}.';

alter table public.event_log enable row level security;
alter table public.event_log force row level security;
create policy "Events are viewable within their tenant" on public.event_log
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.event_log from anon;
revoke insert, update, delete, truncate on public.event_log from authenticated;

-- Writes <table>.<OP> with old/new rows to event_log for the row's tenant.
create or replace function app.emit_table_event()
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
comment on function app.emit_table_event() is 'Trigger: records <table>.<INSERT|UPDATE|DELETE> with old and new rows in event_log.';

-- ============================================================================
-- LEADS
-- ============================================================================
create table public.leads (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 300),
  email text check (email is null or email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  company text,
  phone text,
  source text not null default 'api',
  status text not null default 'new' check (status in ('new', 'contacted', 'qualified', 'converted', 'lost')),
  ai_score integer check (ai_score between 0 and 100),
  notes text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index leads_tenant_created_idx on public.leads (tenant_id, created_at desc);
create index leads_tenant_status_idx on public.leads (tenant_id, status);
create index leads_tenant_email_idx on public.leads (tenant_id, lower(email));
comment on table public.leads is 'Leads captured by the site. Every change is written to event_log as leads.INSERT / leads.UPDATE / leads.DELETE.';
comment on column public.leads.ai_score is 'Lead quality 0-100 (the hot-lead automation fires at >= 80).';

-- ============================================================================
-- BLOG POSTS
-- ============================================================================
create table public.blog_posts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  title text not null check (length(title) between 1 and 500),
  slug text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  excerpt text,
  content text not null default '',
  status text not null default 'draft' check (status in ('draft', 'scheduled', 'published', 'archived')),
  author text,
  tags text[] not null default '{}',
  featured_image text,
  seo_title text,
  seo_description text,
  scheduled_for timestamptz,
  published_at timestamptz,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, slug)
);
create index blog_posts_tenant_created_idx on public.blog_posts (tenant_id, created_at desc);
create index blog_posts_tenant_status_idx on public.blog_posts (tenant_id, status);
comment on table public.blog_posts is 'Blog posts. Every change is written to event_log as blog_posts.INSERT / UPDATE / DELETE.';

-- ============================================================================
-- SHARED: policies, triggers
-- ============================================================================
alter table public.leads enable row level security;
alter table public.leads force row level security;
create policy "Leads are viewable within their tenant" on public.leads
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Leads can be created within their tenant" on public.leads
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Leads can be updated within their tenant" on public.leads
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Leads can be deleted within their tenant" on public.leads
  for delete to authenticated using (tenant_id = (select app.tenant_id()));

alter table public.blog_posts enable row level security;
alter table public.blog_posts force row level security;
create policy "Posts are viewable within their tenant" on public.blog_posts
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Posts can be created within their tenant" on public.blog_posts
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Posts can be updated within their tenant" on public.blog_posts
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Posts can be deleted within their tenant" on public.blog_posts
  for delete to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.leads, public.blog_posts from anon;

create trigger leads_touch before update on public.leads
  for each row execute function app.touch_updated_at();
create trigger blog_posts_touch before update on public.blog_posts
  for each row execute function app.touch_updated_at();
create trigger leads_event after insert or update or delete on public.leads
  for each row execute function app.emit_table_event();
create trigger blog_posts_event after insert or update or delete on public.blog_posts
  for each row execute function app.emit_table_event();

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
