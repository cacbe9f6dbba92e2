-- Agent memory (seed 000 `agent_memory`; Part V lifecycle): what agents and people remember per
-- tenant, with the eight memory types, keys unique per agent and type among live rows,
-- importance, access and retrieval statistics, a health score, tiers, expiry, archive,
-- supersede (contradictions) and sync fields. Memories are searched through the memory index
-- (next migration); quotas, tiers and maintenance are in the lifecycle migration.

-- ============================================================================
-- AGENT MEMORY
-- ============================================================================
create table public.agent_memory (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid references public.agents (id) on delete cascade,
  memory_type text not null check (memory_type in
    ('fact', 'preference', 'context', 'skill', 'instruction', 'reflection', 'task', 'entity')),
  key text not null check (length(key) between 1 and 200),
  content jsonb not null,
  summary text check (summary is null or length(summary) <= 2000),
  importance real not null default 0.5 check (importance between 0 and 1),
  access_count integer not null default 0 check (access_count >= 0),
  last_accessed_at timestamptz,
  retrieval_count integer not null default 0 check (retrieval_count >= 0),
  avg_relevance real not null default 0 check (avg_relevance between 0 and 1),
  contradiction_count integer not null default 0 check (contradiction_count >= 0),
  superseded_by uuid references public.agent_memory (id) on delete set null,
  superseded_at timestamptz,
  health_score real not null default 0.5 check (health_score between 0 and 1),
  tier text not null default 'warm' check (tier in ('hot', 'warm', 'cold')),
  source text not null default 'server' check (source in ('server', 'desktop', 'sync', 'agent', 'automation')),
  sync_id uuid,
  synced_at timestamptz,
  is_dirty boolean not null default false,
  expires_at timestamptz,
  is_archived boolean not null default false,
  archived_at timestamptz,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((tier = 'cold') = is_archived)
);
-- keys are unique per agent (null = shared) and type among live rows (not archived, not superseded)
create unique index agent_memory_live_key_idx on public.agent_memory
  (tenant_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), memory_type, key)
  where not is_archived and superseded_at is null;
create index agent_memory_tenant_type_idx on public.agent_memory (tenant_id, memory_type, created_at desc);
create index agent_memory_tenant_tier_idx on public.agent_memory (tenant_id, tier, health_score desc);
create index agent_memory_tenant_agent_idx on public.agent_memory (tenant_id, agent_id);
create index agent_memory_tenant_expiry_idx on public.agent_memory (tenant_id, expires_at) where expires_at is not null;
create index agent_memory_superseded_by_idx on public.agent_memory (superseded_by) where superseded_by is not null;
create index agent_memory_sync_idx on public.agent_memory (tenant_id, is_dirty, synced_at);

comment on table public.agent_memory is 'What agents and people remember (seed 000): eight types, a key unique per agent and type among live rows, JSON content with a summary, importance, access and retrieval statistics, a health score and tier (Part V), expiry, archive, supersede and sync fields. Every change is indexed for search (memory_index, source_type memory) in the same transaction.';
comment on column public.agent_memory.agent_id is 'The agent this memory belongs to; null = shared by every agent of the tenant (ORA''s external memory).';
comment on column public.agent_memory.memory_type is 'fact (about the world or user), preference, context (situational), skill (learned behaviour), instruction (standing), reflection (the agent''s own learnings), task, entity (person, company, asset).';
comment on column public.agent_memory.key is 'Name of the memory, unique per agent and type among live rows: storing the same key again makes a new version that supersedes the old one.';
comment on column public.agent_memory.content is 'The memory itself: a JSON string or an object ({"text": …} or fields such as {"subject": …, "value": …}).';
comment on column public.agent_memory.importance is 'Set by whoever stores it, 0 to 1; 0.8 and above is critical (always offered to prompts first).';
comment on column public.agent_memory.access_count is 'Reads by id or key (memory.get) and uses in prompts.';
comment on column public.agent_memory.retrieval_count is 'Times the memory came back from a search or a prompt retrieval.';
comment on column public.agent_memory.avg_relevance is 'Mean relevance (0 to 1) of those retrievals.';
comment on column public.agent_memory.contradiction_count is 'Times a newer memory contradicted this one.';
comment on column public.agent_memory.superseded_by is 'The newer memory that replaced this one (a new version of the key, or a contradiction); superseded memories are kept, never returned by default, and deleted after the policy''s retention.';
comment on column public.agent_memory.superseded_at is 'When it was superseded; null for live memories.';
comment on column public.agent_memory.health_score is 'Part V health, 0 to 1, from recency, access, retrieval relevance, freshness, contradictions and importance (app.memory_health); recomputed by maintenance and used in retrieval.';
comment on column public.agent_memory.tier is 'hot (recent and healthy), warm (active), cold (archived: embeddings dropped, still searchable by text). Maintained by app.memory_maintenance.';
comment on column public.agent_memory.source is 'Where it was created: server (API), desktop, sync, agent (a tool call), automation.';
comment on column public.agent_memory.sync_id is 'Identity of the memory across synced copies (conflict detection).';
comment on column public.agent_memory.is_dirty is 'Changed since the last sync.';
comment on column public.agent_memory.expires_at is 'Hard expiry: the memory stops counting as fresh then and maintenance deletes it.';
comment on column public.agent_memory.is_archived is 'Cold tier: archived by maintenance (low health, idle, over quota, or superseded).';
comment on column public.agent_memory.summary is 'Short plain-text summary of the content (up to 2,000 characters), searched and shown before the content.';
comment on column public.agent_memory.last_accessed_at is 'When the memory was last read by id or key or used in a prompt.';
comment on column public.agent_memory.synced_at is 'When the memory was last synced with another copy; nothing in Ora writes it yet.';
comment on column public.agent_memory.archived_at is 'When the memory went cold (set and cleared by a trigger following is_archived).';
comment on column public.agent_memory.metadata is 'Free-form JSON the writer attaches to the memory.';

alter table public.agent_memory enable row level security;
alter table public.agent_memory force row level security;
create policy "Memories are viewable within their tenant" on public.agent_memory
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Memories can be stored within their tenant" on public.agent_memory
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Memories can be updated within their tenant" on public.agent_memory
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Memories can be forgotten within their tenant" on public.agent_memory
  for delete to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.agent_memory from anon;

-- A memory may belong only to an agent of its own tenant (a foreign key alone would allow another tenant's).
create or replace function app.agent_memory_guard()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.agent_id is not null and not exists (
    select 1 from public.agents a where a.id = new.agent_id and a.tenant_id = new.tenant_id) then
    raise exception 'Agent % is not an agent of this tenant', new.agent_id
      using errcode = 'OR400', detail = 'memory_agent_not_in_tenant';
  end if;
  if new.superseded_by is not null and (tg_op = 'INSERT' or new.superseded_by is distinct from old.superseded_by)
    and not exists (select 1 from public.agent_memory m where m.id = new.superseded_by and m.tenant_id = new.tenant_id) then
    raise exception 'Memory % is not a memory of this tenant', new.superseded_by
      using errcode = 'OR400', detail = 'memory_superseded_by_not_in_tenant';
  end if;
  -- updated_at follows what the memory says, not its statistics
  if tg_op = 'UPDATE' and (new.content is distinct from old.content or new.summary is distinct from old.summary
      or new.key is distinct from old.key or new.memory_type is distinct from old.memory_type
      or new.importance is distinct from old.importance or new.expires_at is distinct from old.expires_at) then
    new.updated_at := now();
    new.is_dirty := true;
  end if;
  if new.is_archived and new.archived_at is null then
    new.archived_at := now();
  elsif not new.is_archived then
    new.archived_at := null;
  end if;
  return new;
end;
$$;
comment on function app.agent_memory_guard() is 'Trigger: refuses agent_id and superseded_by outside the memory''s tenant; keeps updated_at and is_dirty for changes of what a memory says (not its statistics) and archived_at with is_archived.';
create trigger agent_memory_guard before insert or update on public.agent_memory
  for each row execute function app.agent_memory_guard();

-- ============================================================================
-- HEALTH (Part V)
-- ============================================================================

-- Part V's health score at time `at`: recency 0.2, access 0.15, retrieval relevance 0.25,
-- freshness 0.1, contradictions 0.1, importance 0.2.
create or replace function app.memory_health(importance real, created_at timestamptz, access_count integer,
  retrieval_count integer, avg_relevance real, expires_at timestamptz, superseded boolean,
  contradiction_count integer, at timestamptz)
returns real
language sql
immutable
set search_path = ''
as $$
  select greatest(0, least(1,
      0.2 * exp(-greatest(0, extract(epoch from (memory_health.at - memory_health.created_at)) / 3600) / 168)
    + 0.15 * least(1, log(10, (memory_health.access_count + 1)::numeric) / 2)
    + 0.25 * memory_health.avg_relevance * least(1, memory_health.retrieval_count / 10.0)
    + 0.1 * (case when memory_health.expires_at is null or memory_health.expires_at > memory_health.at then 1 else 0 end)
    + 0.1 * (case when memory_health.superseded then 0.1 else greatest(0, 1 - 0.2 * memory_health.contradiction_count) end)
    + 0.2 * memory_health.importance
  ))::real
$$;
comment on function app.memory_health(real, timestamptz, integer, integer, real, timestamptz, boolean, integer, timestamptz) is 'Part V health score (0 to 1) of a memory at time `at`: recency (exp(-age/1 week)) 0.2, access (log10(n+1)/2) 0.15, retrieval (mean relevance × min(1, n/10)) 0.25, freshness (not expired) 0.1, contradictions (0.1 when superseded, else 1 - 0.2·n) 0.1, importance 0.2.';

create or replace function app.agent_memory_health_init()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.health_score := app.memory_health(new.importance, coalesce(new.created_at, now()), new.access_count,
    new.retrieval_count, new.avg_relevance, new.expires_at, new.superseded_at is not null,
    new.contradiction_count, now());
  return new;
end;
$$;
comment on function app.agent_memory_health_init() is 'Trigger: a new memory starts with its health score computed (maintenance recomputes it afterwards).';
create trigger agent_memory_health_init before insert on public.agent_memory
  for each row execute function app.agent_memory_health_init();

-- ============================================================================
-- RENDERING
-- ============================================================================

-- The text of a memory's content: a JSON string as is; {"text": …} its text; other objects as
-- "field: value" lines; anything else as JSON.
create or replace function app.memory_content_text(content jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when jsonb_typeof(memory_content_text.content) = 'string' then memory_content_text.content #>> '{}'
    when jsonb_typeof(memory_content_text.content) = 'object' and jsonb_typeof(memory_content_text.content -> 'text') = 'string'
      then memory_content_text.content ->> 'text'
    when jsonb_typeof(memory_content_text.content) = 'object' then
      (select string_agg(e.key || ': ' || case when jsonb_typeof(e.value) = 'string' then e.value #>> '{}' else e.value::text end,
         E'\n' order by e.key)
       from jsonb_each(memory_content_text.content) e)
    else memory_content_text.content::text
  end
$$;
comment on function app.memory_content_text(jsonb) is 'The searchable text of a memory''s content: a JSON string as is, {"text": …} its text, other objects as sorted "field: value" lines.';

-- ============================================================================
-- DECISIONS (Mem0-style: add, update, supersede, noop, forget)
-- ============================================================================
create table public.memory_decisions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  memory_id uuid,
  action text not null check (action in ('add', 'update', 'supersede', 'noop', 'forget', 'archive')),
  target_ids uuid[] not null default '{}',
  judge text not null default 'none' check (judge in ('none', 'key', 'rules', 'llm')),
  model text,
  explanation text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index memory_decisions_tenant_idx on public.memory_decisions (tenant_id, created_at desc);
create index memory_decisions_memory_idx on public.memory_decisions (tenant_id, memory_id);
comment on table public.memory_decisions is 'Every decision taken when memories were stored or forgotten: add, update (same key, new version), supersede (a contradiction), noop (nothing new), forget, archive; who judged (key, rules, llm) and why.';
comment on column public.memory_decisions.memory_id is 'The memory the decision is about (the new one for add, update and supersede); no foreign key, so the record outlives the memory.';
comment on column public.memory_decisions.target_ids is 'Older memories the decision changed (superseded, forgotten).';
comment on column public.memory_decisions.judge is 'key: same key stored again; rules: the deterministic contradiction rules; llm: the tenant''s model judged.';
comment on column public.memory_decisions.action is 'add, update (same key, new version), supersede (a contradiction), noop (nothing new), forget or archive.';
comment on column public.memory_decisions.model is 'The model that judged, when judge is llm; null otherwise.';
comment on column public.memory_decisions.explanation is 'Why the decision was taken, in words (e.g. same key, same content).';
comment on column public.memory_decisions.details is 'Extra facts of the decision, e.g. the previous content of an updated memory or the contradiction candidates.';

alter table public.memory_decisions enable row level security;
alter table public.memory_decisions force row level security;
create policy "Memory decisions are viewable within their tenant" on public.memory_decisions
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Memory decisions are recorded within their tenant" on public.memory_decisions
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
revoke all on public.memory_decisions from anon;
revoke update, delete on public.memory_decisions from authenticated;

select app.lock_down();
