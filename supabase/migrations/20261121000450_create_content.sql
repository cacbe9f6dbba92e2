-- The card's watched domain tables: leads and blog posts. Every change is recorded in event_log
-- by a trigger, in the same transaction.

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
comment on column public.leads.source is 'Where the lead came from (free text, up to 100 characters); api unless the writer says otherwise.';
comment on column public.leads.status is 'Sales stage: new, contacted, qualified, converted or lost.';
comment on column public.leads.notes is 'Free-text notes about the lead (up to 20,000 characters).';
comment on column public.leads.metadata is 'Free-form JSON object of extra lead attributes supplied by the writer.';

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
comment on column public.blog_posts.slug is 'URL slug, unique per tenant: lowercase words joined by hyphens, derived from the title when not given.';
comment on column public.blog_posts.excerpt is 'Short summary shown in lists (up to 2,000 characters).';
comment on column public.blog_posts.content is 'The post body (up to 500,000 characters); empty until written.';
comment on column public.blog_posts.status is 'draft, scheduled, published or archived; posts.publish sets published.';
comment on column public.blog_posts.author is 'Who wrote the post, as free text (a person or an agent).';
comment on column public.blog_posts.tags is 'Free-text tags (up to 50) used to filter posts.';
comment on column public.blog_posts.featured_image is 'URL of the post''s lead image.';
comment on column public.blog_posts.seo_title is 'Title for search engines and link previews, when different from title (up to 200 characters).';
comment on column public.blog_posts.seo_description is 'Meta description for search engines (up to 500 characters).';
comment on column public.blog_posts.scheduled_for is 'When the post is meant to go live; stored for the site, nothing in Ora publishes it automatically.';
comment on column public.blog_posts.published_at is 'When the post was first published (set on create as published or by posts.publish, kept on republish).';
comment on column public.blog_posts.metadata is 'Free-form JSON object of extra post attributes supplied by the writer.';

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
  for each row execute function app.table_event_emit();
create trigger blog_posts_event after insert or update or delete on public.blog_posts
  for each row execute function app.table_event_emit();

select app.lock_down();
