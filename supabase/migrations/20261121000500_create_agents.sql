-- Agent registry: agents per tenant with versioned personas and skills, and agent templates
-- (packs) that install into a tenant. Seeds 000 (content team) and 004 §6, §10 (personas, skills).

-- ============================================================================
-- TEMPLATES (global; the marketplace grows from here)
-- ============================================================================
create table app.agent_templates (
  pack text not null,
  slug text not null check (slug ~ '^[a-z][a-z0-9_]{0,62}$'),
  name text not null,
  description text not null,
  persona text not null,
  skills text[] not null default '{}',
  allowed_tools text[] not null default '{}',
  memory_types text[] not null default '{}',
  can_spawn boolean not null default false,
  primary key (pack, slug)
);
comment on table app.agent_templates is 'Agent definitions grouped in packs (content, industrial); app.agent_pack_install copies a pack into a tenant.';
comment on column app.agent_templates.pack is 'The pack the template belongs to (content, industrial); app.agent_pack_install installs a whole pack.';
comment on column app.agent_templates.slug is 'The agent''s slug once installed (lowercase letters, digits, underscores).';
comment on column app.agent_templates.name is 'Display name copied to agents.name.';
comment on column app.agent_templates.description is 'What the agent does, copied to agents.description.';
comment on column app.agent_templates.persona is 'System prompt copied to agents.persona on install.';
comment on column app.agent_templates.skills is 'Skill keys copied to agents.skills (their manifests are in app.skill_templates).';
comment on column app.agent_templates.allowed_tools is 'Tool names copied to agents.allowed_tools.';
comment on column app.agent_templates.memory_types is 'Memory types copied to agents.memory_types.';
comment on column app.agent_templates.can_spawn is 'Copied to agents.can_spawn: whether the agent may start other agents.';
alter table app.agent_templates enable row level security;
alter table app.agent_templates force row level security;

create table app.skill_templates (
  pack text not null,
  key text not null,
  name text not null,
  description text not null,
  instructions text not null,
  tools text[] not null default '{}',
  primary key (pack, key)
);
comment on table app.skill_templates is 'Skill manifests installed with an agent pack (version 1 in the tenant).';
comment on column app.skill_templates.pack is 'The agent pack the skill is installed with.';
comment on column app.skill_templates.key is 'The skill key agents list in skills; installed as version 1 of public.skills.key.';
comment on column app.skill_templates.name is 'Display name copied to skills.name.';
comment on column app.skill_templates.description is 'What the skill is for, copied to skills.description.';
comment on column app.skill_templates.instructions is 'Prompt text copied to skills.instructions.';
comment on column app.skill_templates.tools is 'Tool names the skill uses, copied to skills.tools.';
alter table app.skill_templates enable row level security;
alter table app.skill_templates force row level security;

-- ============================================================================
-- AGENTS
-- ============================================================================
create table public.agents (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  slug text not null check (slug ~ '^[a-z][a-z0-9_]{0,62}$'),
  name text not null check (length(name) between 1 and 200),
  description text,
  persona text not null default '',
  persona_version integer not null default 0,
  model_settings jsonb not null default '{}'::jsonb,
  allowed_tools text[] not null default '{}',
  skills text[] not null default '{}',
  memory_types text[] not null default '{}',
  can_spawn boolean not null default false,
  kind text not null default 'persistent' check (kind in ('persistent', 'spawned')),
  parent_agent_id uuid references public.agents (id) on delete cascade,
  expires_at timestamptz,
  is_active boolean not null default true,
  pack text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, slug),
  check (kind = 'persistent' or expires_at is not null)
);
create index agents_tenant_idx on public.agents (tenant_id, slug);
comment on table public.agents is 'Agent registry: persona (system prompt, versioned in agent_personas), model settings, allowed tools, skills, memory types, can_spawn. kind=spawned agents have a parent and an expiry.';
comment on column public.agents.model_settings is '{provider: auto|openai|offline, base_url, model, temperature, max_tokens, api_key_secret} — overrides tenants.settings.llm.';
comment on column public.agents.slug is 'Identifier of the agent within its tenant (lowercase letters, digits, underscores); sessions, tasks and runs.subject refer to agents by it.';
comment on column public.agents.persona is 'The agent''s system prompt; every change bumps persona_version and is kept in agent_personas.';
comment on column public.agents.persona_version is 'Version of the current persona (1 on insert, +1 per change), set by a trigger.';
comment on column public.agents.allowed_tools is 'Tool names the agent''s sessions may call; the tool gate refuses others.';
comment on column public.agents.skills is 'Skill keys whose newest enabled version is included in the agent''s prompt (public.skills).';
comment on column public.agents.memory_types is 'Memory types (fact, preference, context, …) the agent''s prompt memory draws on; empty = all types.';
comment on column public.agents.can_spawn is 'Whether the agent may call spawn_agents to start other agent sessions.';
comment on column public.agents.kind is 'persistent (lives until deleted) or spawned (temporary, must have expires_at); nothing in Ora creates spawned agents today.';
comment on column public.agents.parent_agent_id is 'For a spawned agent, the agent that created it (deleted with it); null for persistent agents.';
comment on column public.agents.expires_at is 'After this the agent cannot start sessions; required for kind spawned.';
comment on column public.agents.is_active is 'False: the agent cannot start sessions (app.agent_snapshot ignores it).';
comment on column public.agents.pack is 'The agent pack it was installed from (content, industrial); null for agents created directly.';
comment on column public.agents.metadata is 'Free-form JSON object of extra attributes supplied by the writer; Ora does not read it.';

-- ============================================================================
-- PERSONA VERSIONS (004 §10)
-- ============================================================================
create table public.agent_personas (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid not null references public.agents (id) on delete cascade,
  version integer not null,
  persona text not null,
  created_at timestamptz not null default now(),
  unique (agent_id, version)
);
create index agent_personas_tenant_idx on public.agent_personas (tenant_id, agent_id, version desc);
comment on table public.agent_personas is 'Every persona an agent has had; agents.persona_version names the current one.';
comment on column public.agent_personas.agent_id is 'The agent this persona belonged to.';
comment on column public.agent_personas.version is 'The persona version (agents.persona_version when it was set), unique per agent.';
comment on column public.agent_personas.persona is 'The system prompt text of that version.';

-- Versions personas: BEFORE bumps agents.persona_version when the persona is set or changed,
-- AFTER stores that version in agent_personas (the agent row exists by then).
create or replace function app.agent_persona_version()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.persona is not distinct from old.persona then
    return new;
  end if;
  if tg_when = 'BEFORE' then
    new.persona_version := case when tg_op = 'INSERT' then 1 else old.persona_version + 1 end;
    return new;
  end if;
  insert into public.agent_personas (tenant_id, agent_id, version, persona)
  values (new.tenant_id, new.id, new.persona_version, new.persona);
  return new;
end;
$$;
comment on function app.agent_persona_version() is 'Trigger (before and after): bumps agents.persona_version and stores each persona version in agent_personas.';

-- ============================================================================
-- SKILLS (004 §6): versioned manifests per tenant
-- ============================================================================
create table public.skills (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  key text not null check (key ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  version integer not null default 1 check (version > 0),
  name text not null,
  description text not null default '',
  instructions text not null default '',
  tools text[] not null default '{}',
  depends_on text[] not null default '{}',
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  unique (tenant_id, key, version)
);
create index skills_tenant_idx on public.skills (tenant_id, key, version desc);
comment on table public.skills is 'Skill manifests, versioned per tenant. An agent lists skill keys; its prompt includes the newest enabled version of each.';
comment on column public.skills.key is 'The skill key agents list in agents.skills (lowercase letters, digits, _ . -); versions share it.';
comment on column public.skills.version is 'Version of the skill (from 1); sessions use the newest enabled one.';
comment on column public.skills.instructions is 'Prompt text added to the prompt of agents that list the skill.';
comment on column public.skills.tools is 'Tool names the skill uses, stored with the manifest; the tool gate checks agents.allowed_tools, not this list.';
comment on column public.skills.depends_on is 'Keys of other skills this one builds on; stored with the manifest, not resolved by Ora.';
comment on column public.skills.enabled is 'False: this version is left out of prompts (an older enabled version is used instead).';

-- ============================================================================
-- POLICIES
-- ============================================================================
alter table public.agents enable row level security;
alter table public.agents force row level security;
create policy "Agents are viewable within their tenant" on public.agents
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Agents can be created within their tenant" on public.agents
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Agents can be updated within their tenant" on public.agents
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Agents can be deleted within their tenant" on public.agents
  for delete to authenticated using (tenant_id = (select app.tenant_id()));

alter table public.agent_personas enable row level security;
alter table public.agent_personas force row level security;
create policy "Persona versions are viewable within their tenant" on public.agent_personas
  for select to authenticated using (tenant_id = (select app.tenant_id()));

alter table public.skills enable row level security;
alter table public.skills force row level security;
create policy "Skills are viewable within their tenant" on public.skills
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Skills can be created within their tenant" on public.skills
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Skills can be updated within their tenant" on public.skills
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));

revoke all on public.agents, public.agent_personas, public.skills from anon;
revoke insert, update, delete, truncate on public.agent_personas from authenticated;
revoke delete, truncate on public.skills from authenticated;

create trigger agents_touch before update on public.agents
  for each row execute function app.touch_updated_at();
create trigger agents_persona_version before insert or update of persona on public.agents
  for each row execute function app.agent_persona_version();
create trigger agents_persona_history after insert or update of persona on public.agents
  for each row execute function app.agent_persona_version();

-- ============================================================================
-- PACK INSTALLATION
-- ============================================================================

-- Copies a template pack into a tenant (skips agents the tenant already has); returns how many were added.
create or replace function app.agent_pack_install(tenant_id uuid, pack text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  if not exists (select 1 from app.agent_templates t where t.pack = agent_pack_install.pack) then
    raise exception 'Unknown agent pack: %', agent_pack_install.pack using errcode = 'P0002';
  end if;
  insert into public.agents (tenant_id, slug, name, description, persona, skills, allowed_tools, memory_types, can_spawn, pack)
  select agent_pack_install.tenant_id, t.slug, t.name, t.description, t.persona, t.skills, t.allowed_tools,
    t.memory_types, t.can_spawn, t.pack
  from app.agent_templates t
  where t.pack = agent_pack_install.pack
  on conflict on constraint agents_tenant_id_slug_key do nothing;
  get diagnostics v_count = row_count;
  insert into public.skills (tenant_id, key, version, name, description, instructions, tools)
  select agent_pack_install.tenant_id, t.key, 1, t.name, t.description, t.instructions, t.tools
  from app.skill_templates t
  where t.pack = agent_pack_install.pack
  on conflict on constraint skills_tenant_id_key_version_key do nothing;
  return v_count;
end;
$$;
comment on function app.agent_pack_install(uuid, text) is 'Installs an agent pack (content, industrial) into a tenant; idempotent.';

-- ---- content team (seed 000) ----
insert into app.agent_templates (pack, slug, name, description, persona, skills, allowed_tools, memory_types, can_spawn) values
('content', 'ora', 'ORA', 'Orchestrator: plans work, delegates to specialists and merges their results.',
 'You are ORA, the orchestrator of a content team. Break requests into tasks, delegate them to the right specialist (writer, imager, seo, social, analyst), and merge their results into one clear brief. Be decisive and concise.',
 '{planning}', '{leads_search,posts_search,get_time}', '{decision,context,preference}', true),
('content', 'writer', 'Content Writer', 'Writes and edits blog posts in the brand voice.',
 'You are the Content Writer. Write clear, engaging, well-structured posts in the brand''s voice. Prefer concrete examples over filler. Return drafts with a title, an excerpt and the body.',
 '{writing}', '{posts_search,get_time}', '{preference,learning}', false),
('content', 'imager', 'Image Creator', 'Proposes featured images and visual briefs for posts.',
 'You are the Image Creator. For each piece of content propose a featured image concept, alt text and a prompt an image model can use. Keep visuals on brand.',
 '{}', '{posts_search}', '{preference}', false),
('content', 'seo', 'SEO Specialist', 'Optimises titles, descriptions, keywords and structure for search.',
 'You are the SEO Specialist. Suggest titles, meta descriptions, keywords, headings and internal links that improve search visibility without keyword stuffing.',
 '{seo_audit}', '{posts_search}', '{learning}', false),
('content', 'social', 'Social Media Manager', 'Turns content into social posts per channel.',
 'You are the Social Media Manager. Turn content into channel-appropriate posts (LinkedIn, X, newsletter) with hooks and calls to action.',
 '{}', '{posts_search}', '{preference}', false),
('content', 'analyst', 'Analyst', 'Analyses leads, traffic and content performance.',
 'You are the Analyst. Analyse leads and content performance with numbers, state confidence, and recommend the next best actions.',
 '{lead_scoring}', '{leads_search,posts_search,get_time}', '{fact,learning}', false);

-- ---- industrial team (seed 004 §1) ----
insert into app.agent_templates (pack, slug, name, description, persona, skills, allowed_tools, memory_types, can_spawn)
select 'industrial', v.slug, v.name, v.description,
  'You are the ' || v.name || ' specialist for an industrial operator (oil & gas, mining, petrochemical). ' || v.focus ||
  ' Ground every claim in the data you are given, cite it, state confidence, and flag safety implications first.',
  v.skills, '{get_time}', '{fact,decision,learning}', v.slug = 'rex'
from (values
  ('pdm', 'Predictive Maintenance', 'Predicts failures from condition data.', 'Assess equipment health from vibration, temperature and process trends and estimate remaining useful life.', '{condition_monitoring}'::text[]),
  ('rca', 'Root Cause Analysis', 'Finds root causes of failures and incidents.', 'Run structured root cause analysis (5 whys, fault trees) and separate causes from symptoms.', '{rca_method}'),
  ('rex', 'Reliability Excellence', 'Reliability strategy and lessons learned.', 'Turn findings into reliability improvements, lessons learned and an engineering action list.', '{}'),
  ('tpm', 'Total Productive Maintenance', 'Autonomous maintenance and OEE.', 'Improve OEE through autonomous maintenance, planned maintenance and loss elimination.', '{}'),
  ('apm', 'Asset Performance Management', 'Asset performance and criticality.', 'Rank assets by criticality and risk and recommend performance strategies.', '{}'),
  ('work_order', 'Work Order Planner', 'Drafts and prioritises work orders.', 'Draft precise work orders with scope, parts, permits and priority.', '{}'),
  ('spare_parts', 'Spare Parts', 'Inventory and critical spares.', 'Plan critical spares, lead times and stocking levels.', '{}'),
  ('energy', 'Energy Optimisation', 'Energy efficiency.', 'Find energy losses and quantify savings opportunities.', '{}'),
  ('safety', 'Safety (HSE)', 'Health, safety and environment.', 'Identify hazards, required controls and permit implications; safety overrides production.', '{}'),
  ('quality', 'Quality', 'Product and process quality.', 'Analyse quality deviations and their process causes.', '{}'),
  ('maintenance_planning', 'Maintenance Planning', 'Schedules and shutdown plans.', 'Build maintenance schedules and shutdown plans with resources and sequencing.', '{}'),
  ('equipment_lifecycle', 'Equipment Lifecycle', 'Repair, refurbish or replace.', 'Evaluate lifecycle cost and recommend repair, refurbish or replace decisions.', '{}'),
  ('operator_training', 'Operator Training', 'Training needs and material.', 'Identify skill gaps and produce concise training material for operators.', '{}'),
  ('continuous_improvement', 'Continuous Improvement', 'Kaizen and 30/60/90-day plans.', 'Turn findings into 30/60/90-day improvement initiatives with owners and metrics.', '{}'),
  ('iso_55000', 'ISO 55000 Compliance', 'Asset management system compliance.', 'Check practices against ISO 55000/55001 and list gaps with evidence required.', '{}')
) as v (slug, name, description, focus, skills);

insert into app.skill_templates (pack, key, name, description, instructions, tools) values
('content', 'planning', 'Planning', 'Break a goal into delegated tasks.',
 'List the tasks needed, the specialist for each, their dependencies, and what done looks like. Delegate rather than doing specialist work yourself.', '{}'),
('content', 'writing', 'Writing', 'House style for drafts.',
 'Short paragraphs, active voice, one idea per paragraph, a concrete example per section, no clichés.', '{}'),
('content', 'seo_audit', 'SEO audit', 'Checklist for on-page SEO.',
 'Check title length (50-60 chars), meta description (150-160), one H1, descriptive headings, keyword in the first 100 words, internal links, image alt text.', '{}'),
('content', 'lead_scoring', 'Lead scoring', 'How to score a lead 0-100.',
 'Weigh fit (company size, role, industry) and intent (source, pages visited, message). 80+ is hot: recommend contact within the hour.', '{leads_search}'),
('industrial', 'condition_monitoring', 'Condition monitoring', 'Reading condition data.',
 'Compare readings with baselines and alarm limits (ISO 10816 for vibration), note trend direction and rate of change, estimate time to limit.', '{}'),
('industrial', 'rca_method', 'RCA method', 'Structured root cause analysis.',
 'State the failure, build a 5-whys chain and a fault tree, verify each cause against evidence, and list corrective and preventive actions.', '{}');
