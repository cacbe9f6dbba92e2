-- Memory lifecycle (seed 000 Part V, on the server): per-tenant policies (quotas per tenant and
-- per type, tier thresholds, retention), and maintenance as a pg_cron job — health
-- recomputed (decay), expired and long-superseded memories deleted, idle unhealthy ones and
-- those over quota archived to the cold tier (embeddings dropped, still searchable by text),
-- hot and warm tiers assigned, stale cache entries purged — with a report row per tenant and
-- per run.

-- ============================================================================
-- POLICIES (quotas, tiers, retention)
-- ============================================================================
create table public.memory_policies (
  tenant_id uuid primary key references public.tenants (id) on delete cascade,
  max_live integer not null default 10000 check (max_live > 0),
  max_hot integer not null default 1000 check (max_hot >= 0),
  max_cold integer not null default 100000 check (max_cold >= 0),
  type_quotas jsonb not null default '{"fact": 5000, "preference": 500, "context": 2000, "skill": 1000, "instruction": 500, "reflection": 2000, "task": 2000, "entity": 5000}'::jsonb
    check (jsonb_typeof(type_quotas) = 'object'),
  hot_idle_hours integer not null default 24 check (hot_idle_hours > 0),
  hot_min_health real not null default 0.5 check (hot_min_health between 0 and 1),
  warm_idle_days integer not null default 30 check (warm_idle_days > 0),
  archive_below_health real not null default 0.3 check (archive_below_health between 0 and 1),
  superseded_retention_days integer not null default 7 check (superseded_retention_days >= 0),
  cold_retention_days integer not null default 365 check (cold_retention_days > 0),
  cache_ttl_seconds integer not null default 600 check (cache_ttl_seconds between 0 and 86400),
  updated_at timestamptz not null default now()
);
comment on table public.memory_policies is 'Memory quotas and lifecycle thresholds per tenant (Part V defaults; one row per tenant, made with the tenant). Set by the operator (service role), read by the tenant; app.memory_maintenance applies them.';
comment on column public.memory_policies.max_live is 'Live memories (hot + warm) kept; beyond it the least healthy are archived.';
comment on column public.memory_policies.max_hot is 'Hot memories at most (the healthiest recent ones).';
comment on column public.memory_policies.max_cold is 'Archived memories kept; beyond it the oldest archived are deleted. Storing is refused at max_live + max_cold memories in all.';
comment on column public.memory_policies.type_quotas is 'Live memories per type, {"fact": 5000, …}; beyond it the least healthy of that type are archived.';
comment on column public.memory_policies.hot_idle_hours is 'A memory stays hot while created or accessed within this many hours (and healthy).';
comment on column public.memory_policies.hot_min_health is 'Health a memory needs to be hot.';
comment on column public.memory_policies.warm_idle_days is 'A warm memory idle this long with health under archive_below_health is archived.';
comment on column public.memory_policies.superseded_retention_days is 'Superseded memories are deleted this many days after being superseded.';
comment on column public.memory_policies.cold_retention_days is 'Archived memories are deleted this many days after being archived.';
comment on column public.memory_policies.cache_ttl_seconds is 'How long a cached search stays valid (unless the index changes first).';
comment on column public.memory_policies.archive_below_health is 'Health under which an idle warm memory (warm_idle_days) is archived.';

alter table public.memory_policies enable row level security;
alter table public.memory_policies force row level security;
create policy "Memory policies are viewable within their tenant" on public.memory_policies
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.memory_policies from anon;
revoke insert, update, delete on public.memory_policies from authenticated;

create or replace function app.memory_policy_create()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.memory_policies (tenant_id) values (new.id)
  on conflict on constraint memory_policies_pkey do nothing;
  return null;
end;
$$;
comment on function app.memory_policy_create() is 'Trigger: every new tenant gets the default memory policy (the column defaults are the one place they are written).';
create trigger tenants_memory_policy after insert on public.tenants
  for each row execute function app.memory_policy_create();
insert into public.memory_policies (tenant_id) select t.id from public.tenants t
on conflict on constraint memory_policies_pkey do nothing;

-- ============================================================================
-- MAINTENANCE REPORTS
-- ============================================================================
create table public.memory_maintenance_reports (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  run_id uuid not null,
  started_at timestamptz not null,
  finished_at timestamptz not null default clock_timestamp(),
  health_updated integer not null default 0,
  expired_deleted integer not null default 0,
  superseded_deleted integer not null default 0,
  cold_deleted integer not null default 0,
  superseded_archived integer not null default 0,
  idle_archived integer not null default 0,
  quota_archived integer not null default 0,
  quota_deleted integer not null default 0,
  promoted_hot integer not null default 0,
  demoted_warm integer not null default 0,
  cache_purged integer not null default 0,
  tiers jsonb not null default '{}'::jsonb,
  error text
);
create index memory_maintenance_reports_tenant_idx on public.memory_maintenance_reports (tenant_id, started_at desc);
comment on table public.memory_maintenance_reports is 'One row per tenant per maintenance run (app.memory_maintenance): what was recomputed, deleted, archived and moved between tiers, the tiers afterwards, or the error that stopped this tenant''s part.';
comment on column public.memory_maintenance_reports.tiers is 'Memories per tier after the run: {"hot", "warm", "cold"}.';
comment on column public.memory_maintenance_reports.run_id is 'The maintenance run (app.memory_maintenance_runs.id) that wrote the report.';
comment on column public.memory_maintenance_reports.started_at is 'When maintenance of this tenant started.';
comment on column public.memory_maintenance_reports.finished_at is 'When maintenance of this tenant finished (or failed).';
comment on column public.memory_maintenance_reports.health_updated is 'Memories whose health score was recomputed.';
comment on column public.memory_maintenance_reports.expired_deleted is 'Memories deleted because expires_at passed.';
comment on column public.memory_maintenance_reports.superseded_deleted is 'Superseded memories deleted after superseded_retention_days.';
comment on column public.memory_maintenance_reports.cold_deleted is 'Archived memories deleted after cold_retention_days.';
comment on column public.memory_maintenance_reports.superseded_archived is 'Superseded memories moved to the cold tier.';
comment on column public.memory_maintenance_reports.idle_archived is 'Warm memories archived for being idle and under archive_below_health.';
comment on column public.memory_maintenance_reports.quota_archived is 'Live memories archived for exceeding a type quota or max_live.';
comment on column public.memory_maintenance_reports.quota_deleted is 'Archived memories deleted for exceeding max_cold.';
comment on column public.memory_maintenance_reports.promoted_hot is 'Memories moved to the hot tier.';
comment on column public.memory_maintenance_reports.demoted_warm is 'Memories moved from hot to warm.';
comment on column public.memory_maintenance_reports.cache_purged is 'Semantic cache entries deleted as expired or stale.';
comment on column public.memory_maintenance_reports.error is 'The error that stopped this tenant''s maintenance; null when it succeeded.';
alter table public.memory_maintenance_reports enable row level security;
alter table public.memory_maintenance_reports force row level security;
create policy "Maintenance reports are viewable within their tenant" on public.memory_maintenance_reports
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.memory_maintenance_reports from anon;
revoke insert, update, delete on public.memory_maintenance_reports from authenticated;

create table app.memory_maintenance_runs (
  id uuid primary key,
  started_at timestamptz not null,
  finished_at timestamptz not null,
  tenants integer not null,
  errors integer not null,
  totals jsonb not null
);
comment on table app.memory_maintenance_runs is 'One row per maintenance run across tenants (operators): tenants maintained, tenants that failed, totals of their reports.';
comment on column app.memory_maintenance_runs.started_at is 'When the run started.';
comment on column app.memory_maintenance_runs.finished_at is 'When the run finished.';
comment on column app.memory_maintenance_runs.tenants is 'Tenants maintained in the run.';
comment on column app.memory_maintenance_runs.errors is 'Tenants whose maintenance failed (each has a report row with error).';
comment on column app.memory_maintenance_runs.totals is 'Sums of the counters of the run''s reports.';
alter table app.memory_maintenance_runs enable row level security;
alter table app.memory_maintenance_runs force row level security;
revoke all on table app.memory_maintenance_runs from public, anon, authenticated, service_role;

-- ============================================================================
-- MAINTENANCE
-- ============================================================================

-- One tenant's maintenance under its policy; returns the report (also stored as a row).
create or replace function app.memory_maintain_tenant(tenant_id uuid, run_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  p public.memory_policies%rowtype;
  v_started timestamptz := clock_timestamp();
  v_now timestamptz := now();
  v_health integer;
  v_expired integer;
  v_superseded_deleted integer;
  v_cold_deleted integer;
  v_superseded_archived integer;
  v_idle integer;
  v_quota_archived integer;
  v_quota_type integer;
  v_quota_deleted integer;
  v_hot integer;
  v_warm integer;
  v_purged integer;
  v_tiers jsonb;
  v_report jsonb;
begin
  insert into public.memory_policies (tenant_id) values (memory_maintain_tenant.tenant_id)
  on conflict on constraint memory_policies_pkey do nothing;
  select * into p from public.memory_policies mp where mp.tenant_id = memory_maintain_tenant.tenant_id;

  -- DELETE: expired, long superseded, cold past retention
  with d as (delete from public.agent_memory m
             where m.tenant_id = memory_maintain_tenant.tenant_id and m.expires_at <= v_now returning 1)
  select count(*) into v_expired from d;
  with d as (delete from public.agent_memory m
             where m.tenant_id = memory_maintain_tenant.tenant_id
               and m.superseded_at < v_now - make_interval(days => p.superseded_retention_days) returning 1)
  select count(*) into v_superseded_deleted from d;
  with d as (delete from public.agent_memory m
             where m.tenant_id = memory_maintain_tenant.tenant_id and m.is_archived
               and m.archived_at < v_now - make_interval(days => p.cold_retention_days) returning 1)
  select count(*) into v_cold_deleted from d;

  -- DECAY: health recomputed for now
  with u as (
    update public.agent_memory m set health_score = h.score
    from (select x.id, app.memory_health(x.importance, x.created_at, x.access_count, x.retrieval_count, x.avg_relevance,
            x.expires_at, x.superseded_at is not null, x.contradiction_count, v_now) as score
          from public.agent_memory x where x.tenant_id = memory_maintain_tenant.tenant_id) h
    where m.id = h.id and abs(m.health_score - h.score) >= 0.001
    returning 1)
  select count(*) into v_health from u;

  -- COLD: superseded at once; idle and unhealthy
  with u as (update public.agent_memory m set is_archived = true, tier = 'cold'
             where m.tenant_id = memory_maintain_tenant.tenant_id and not m.is_archived and m.superseded_at is not null
             returning 1)
  select count(*) into v_superseded_archived from u;
  with u as (update public.agent_memory m set is_archived = true, tier = 'cold'
             where m.tenant_id = memory_maintain_tenant.tenant_id and not m.is_archived and m.superseded_at is null
               and m.health_score < p.archive_below_health
               and coalesce(m.last_accessed_at, m.created_at) < v_now - make_interval(days => p.warm_idle_days)
             returning 1)
  select count(*) into v_idle from u;

  -- QUOTAS: the least valuable beyond each type's quota, then beyond max_live, go cold
  with ranked as (
    select m.id, m.memory_type, row_number() over (partition by m.memory_type
      order by m.importance desc, m.health_score desc, coalesce(m.last_accessed_at, m.created_at) desc, m.id) as rn
    from public.agent_memory m
    where m.tenant_id = memory_maintain_tenant.tenant_id and not m.is_archived and m.superseded_at is null),
  u as (update public.agent_memory m set is_archived = true, tier = 'cold'
        from ranked r
        where m.id = r.id and r.rn > coalesce((p.type_quotas ->> r.memory_type)::integer, 2147483647)
        returning 1)
  select count(*) into v_quota_type from u;
  with ranked as (
    select m.id, row_number() over (
      order by m.importance desc, m.health_score desc, coalesce(m.last_accessed_at, m.created_at) desc, m.id) as rn
    from public.agent_memory m
    where m.tenant_id = memory_maintain_tenant.tenant_id and not m.is_archived and m.superseded_at is null),
  u as (update public.agent_memory m set is_archived = true, tier = 'cold'
        from ranked r where m.id = r.id and r.rn > p.max_live returning 1)
  select count(*) into v_quota_archived from u;
  v_quota_archived := v_quota_archived + v_quota_type;
  with ranked as (
    select m.id, row_number() over (order by m.archived_at desc, m.id) as rn
    from public.agent_memory m where m.tenant_id = memory_maintain_tenant.tenant_id and m.is_archived),
  d as (delete from public.agent_memory m using ranked r where m.id = r.id and r.rn > p.max_cold returning 1)
  select count(*) into v_quota_deleted from d;

  -- TIERS: hot = the healthiest recently created or used (at most max_hot); other live ones warm
  with eligible as (
    select m.id, row_number() over (order by m.health_score desc, greatest(m.created_at, m.last_accessed_at) desc, m.id) as rn
    from public.agent_memory m
    where m.tenant_id = memory_maintain_tenant.tenant_id and not m.is_archived and m.superseded_at is null
      and m.health_score >= p.hot_min_health
      and greatest(m.created_at, m.last_accessed_at) >= v_now - make_interval(hours => p.hot_idle_hours)),
  target as (
    select m.id, case when e.rn is not null and e.rn <= p.max_hot then 'hot' else 'warm' end as tier
    from public.agent_memory m left join eligible e on e.id = m.id
    where m.tenant_id = memory_maintain_tenant.tenant_id and not m.is_archived),
  u as (update public.agent_memory m set tier = t.tier from target t
        where m.id = t.id and m.tier <> t.tier returning m.tier)
  select count(*) filter (where u.tier = 'hot'), count(*) filter (where u.tier = 'warm') into v_hot, v_warm from u;

  -- INDEX: recount (self-healing) and purge stale cache entries
  update public.memory_index_state s
  set chunks = c.chunks, embedded = c.embedded
  from (select count(*)::integer as chunks, (count(*) filter (where i.embedding is not null))::integer as embedded
        from public.memory_index i where i.tenant_id = memory_maintain_tenant.tenant_id) c
  where s.tenant_id = memory_maintain_tenant.tenant_id and (s.chunks, s.embedded) is distinct from (c.chunks, c.embedded);
  with d as (delete from public.semantic_cache c
             where c.tenant_id = memory_maintain_tenant.tenant_id
               and (c.valid_until < v_now or c.index_version < coalesce(
                 (select s.version from public.memory_index_state s where s.tenant_id = memory_maintain_tenant.tenant_id), 0))
             returning 1)
  select count(*) into v_purged from d;

  select jsonb_build_object('hot', count(*) filter (where m.tier = 'hot'), 'warm', count(*) filter (where m.tier = 'warm'),
      'cold', count(*) filter (where m.tier = 'cold'))
    into v_tiers
  from public.agent_memory m where m.tenant_id = memory_maintain_tenant.tenant_id;

  insert into public.memory_maintenance_reports (tenant_id, run_id, started_at, health_updated, expired_deleted,
    superseded_deleted, cold_deleted, superseded_archived, idle_archived, quota_archived, quota_deleted, promoted_hot,
    demoted_warm, cache_purged, tiers)
  values (memory_maintain_tenant.tenant_id, memory_maintain_tenant.run_id, v_started, v_health, v_expired,
    v_superseded_deleted, v_cold_deleted, v_superseded_archived, v_idle, v_quota_archived, v_quota_deleted, v_hot,
    v_warm, v_purged, v_tiers);
  v_report := jsonb_build_object('health_updated', v_health, 'expired_deleted', v_expired,
    'superseded_deleted', v_superseded_deleted, 'cold_deleted', v_cold_deleted,
    'superseded_archived', v_superseded_archived, 'idle_archived', v_idle, 'quota_archived', v_quota_archived,
    'quota_deleted', v_quota_deleted, 'promoted_hot', v_hot, 'demoted_warm', v_warm, 'cache_purged', v_purged);
  return v_report || jsonb_build_object('tiers', v_tiers);
end;
$$;
comment on function app.memory_maintain_tenant(uuid, uuid) is 'Internal: one tenant''s memory maintenance under its policy (see app.memory_maintenance); stores and returns the report.';

-- Maintenance of every tenant that has memories (or only `only_tenant`): each tenant isolated
-- (its failure is reported and the others still run), one report row per tenant and one run row.
create or replace function app.memory_maintenance(only_tenant uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run uuid := gen_random_uuid();
  v_started timestamptz := clock_timestamp();
  v_tenant uuid;
  v_report jsonb;
  v_totals jsonb := '{}'::jsonb;
  v_tenants integer := 0;
  v_errors integer := 0;
begin
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('app.memory_maintenance')) then
    return jsonb_build_object('skipped', true, 'reason', 'another maintenance run is in progress');
  end if;
  for v_tenant in
    select t.id from public.tenants t
    where (memory_maintenance.only_tenant is null or t.id = memory_maintenance.only_tenant)
      and (exists (select 1 from public.agent_memory m where m.tenant_id = t.id)
        or exists (select 1 from public.semantic_cache c where c.tenant_id = t.id))
    order by t.id
  loop
    begin
      v_report := app.memory_maintain_tenant(v_tenant, v_run);
      v_tenants := v_tenants + 1;
      select coalesce(jsonb_object_agg(k.key, coalesce((v_totals ->> k.key)::integer, 0) + (k.value #>> '{}')::integer), '{}'::jsonb)
        into v_totals
      from jsonb_each(v_report) k where jsonb_typeof(k.value) = 'number';
    exception when others then
      v_errors := v_errors + 1;
      raise warning 'memory maintenance of tenant % failed: %', v_tenant, sqlerrm;
      insert into public.memory_maintenance_reports (tenant_id, run_id, started_at, error)
      values (v_tenant, v_run, clock_timestamp(), sqlerrm);
    end;
  end loop;
  insert into app.memory_maintenance_runs (id, started_at, finished_at, tenants, errors, totals)
  values (v_run, v_started, clock_timestamp(), v_tenants, v_errors, v_totals);
  return jsonb_build_object('run_id', v_run, 'tenants', v_tenants, 'errors', v_errors, 'totals', v_totals);
end;
$$;
comment on function app.memory_maintenance(uuid) is 'Cron (hourly): memory maintenance (Part V) of every tenant with memories, or only `only_tenant`: expired, long-superseded and expired cold memories deleted; health recomputed (decay); superseded, idle unhealthy and over-quota memories archived (cold: embeddings dropped, still searchable by text); hot and warm tiers assigned; index counts recounted; stale cache entries purged. One report row per tenant (memory_maintenance_reports) and one run row (app.memory_maintenance_runs).';

select cron.schedule('ora-memory-maintenance', '41 * * * *', $$select app.memory_maintenance()$$);

-- Embedding model prices (USD per million input tokens) for the usage events of memory-indexer.
insert into app.model_prices (model, input_usd_per_mtok, output_usd_per_mtok) values
  ('text-embedding-3-small', 0.02, 0), ('text-embedding-3-large', 0.13, 0), ('text-embedding-ada-002', 0.1, 0)
on conflict (model) do nothing;

-- ============================================================================
-- AGENT TEMPLATES: memory as tools. Every packaged agent may search memory (a read: no approval);
-- the coordinators and the analysts may also store what they learn (a write: through the gate).
-- ============================================================================
update app.agent_templates set allowed_tools = allowed_tools || '{memory_search}'::text[]
where not 'memory_search' = any(allowed_tools);
update app.agent_templates set allowed_tools = allowed_tools || '{memory.store}'::text[]
where (pack, slug) in (('content', 'ora'), ('content', 'analyst'), ('industrial', 'rca'), ('industrial', 'rex'))
  and not 'memory.store' = any(allowed_tools);

select app.lock_down();
