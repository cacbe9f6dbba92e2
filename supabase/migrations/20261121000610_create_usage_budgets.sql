-- Cost (004 §12): model prices, a usage event for every LLM, tool and embedding call, and
-- monthly tenant budgets with alerts (fired once per threshold) and an optional hard limit.

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
comment on column app.model_prices.model is 'Model name as the provider reports it (e.g. gpt-4o-mini).';
comment on column app.model_prices.input_usd_per_mtok is 'USD per million prompt (input) tokens.';
comment on column app.model_prices.output_usd_per_mtok is 'USD per million completion (output) tokens.';
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
comment on table public.usage_events is 'One row per LLM call that returned, per tool call and per embedding batch: tokens, units, cost. Written with the step that made the call (app.run_step_record), so a replayed step is never billed twice.';
comment on column public.usage_events.run_id is 'The run (session, automation, …) that made the call.';
comment on column public.usage_events.run_step_id is 'The step of that run that made the call.';
comment on column public.usage_events.units is 'LLM: prompt + completion tokens; tool: 1 per call; embedding: tokens embedded.';
comment on column public.usage_events.kind is 'What was used: llm (a model call), tool (a tool call), embedding (an embedding batch) or storage.';
comment on column public.usage_events.provider is 'Who served the call (e.g. openai, offline); null when not applicable.';
comment on column public.usage_events.model is 'The model used; null for tools and storage.';
comment on column public.usage_events.prompt_tokens is 'Input tokens of an LLM or embedding call (0 otherwise).';
comment on column public.usage_events.completion_tokens is 'Output tokens of an LLM call (0 otherwise).';
comment on column public.usage_events.cost_usd is 'What the call cost in USD (tokens at the model''s price; 0 for unpriced models).';
comment on column public.usage_events.metadata is 'Details of the call from the recording step, e.g. {priced, offline} for LLM calls.';

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
comment on column public.tenant_budgets.monthly_budget_usd is 'Spend allowed per UTC calendar month, in USD.';
comment on column public.tenant_budgets.hard_limit is 'True: new work is refused with BUDGET_EXCEEDED once the month''s spend reaches the budget; false: alerts only.';
comment on column public.tenant_budgets.alert_thresholds is 'Percentages of the budget (default 80 and 100) at which an alert (budget.threshold_reached event and notification) fires, once each per month.';

create table public.usage_totals (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  period date not null,
  cost_usd numeric(16, 8) not null default 0,
  events bigint not null default 0,
  tokens bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, period)
);
comment on table public.usage_totals is 'Running totals of usage_events per tenant and UTC month, kept by app.usage_record in the same transaction as each event, so a budget check costs one row read however much was used.';
comment on column public.usage_totals.period is 'First day of the UTC calendar month.';
comment on column public.usage_totals.cost_usd is 'USD spent by the tenant in the month (sum of usage_events.cost_usd).';
comment on column public.usage_totals.events is 'Usage events recorded in the month.';
comment on column public.usage_totals.tokens is 'Prompt plus completion tokens recorded in the month.';

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
comment on column public.budget_alerts.period is 'First day of the UTC calendar month the alert belongs to.';
comment on column public.budget_alerts.threshold is 'The percentage of the budget (from tenant_budgets.alert_thresholds) that was reached.';
comment on column public.budget_alerts.spent_usd is 'Month''s spend in USD when the alert fired.';
comment on column public.budget_alerts.budget_usd is 'The monthly budget in USD when the alert fired.';
comment on column public.budget_alerts.fired_at is 'When the threshold was crossed (the usage event that crossed it was recorded).';

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
    coalesce((select u.cost_usd from public.usage_totals u
      where u.tenant_id = budget_status.tenant_id and u.period = p.period), 0) as spent_usd,
    b.monthly_budget_usd,
    coalesce(b.hard_limit, false)
  from p left join public.tenant_budgets b on b.tenant_id = budget_status.tenant_id
$$;
comment on function app.budget_status(uuid) is 'This UTC month''s spend for a tenant, its budget (null when none) and whether the limit is hard.';

-- Records a usage event and fires budget alerts (event + notification) once per threshold and month.
create or replace function app.usage_record(tenant_id uuid, usage jsonb)
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
  values (usage_record.tenant_id, (usage ->> 'run_id')::uuid, (usage ->> 'run_step_id')::uuid,
    coalesce(usage ->> 'kind', 'llm'), usage ->> 'provider', usage ->> 'model',
    coalesce((usage ->> 'prompt_tokens')::integer, 0), coalesce((usage ->> 'completion_tokens')::integer, 0),
    coalesce((usage ->> 'units')::numeric, 0), coalesce((usage ->> 'cost_usd')::numeric, 0),
    coalesce(usage -> 'metadata', '{}'::jsonb))
  returning id into v_id;
  insert into public.usage_totals as t (tenant_id, period, cost_usd, events, tokens)
  values (usage_record.tenant_id, date_trunc('month', now() at time zone 'UTC')::date,
    coalesce((usage ->> 'cost_usd')::numeric, 0), 1,
    coalesce((usage ->> 'prompt_tokens')::integer, 0) + coalesce((usage ->> 'completion_tokens')::integer, 0))
  on conflict on constraint usage_totals_pkey do update
    set cost_usd = t.cost_usd + excluded.cost_usd, events = t.events + 1, tokens = t.tokens + excluded.tokens,
      updated_at = now();
  -- nothing more to do without a budget (most tenants, most calls)
  if coalesce((usage ->> 'cost_usd')::numeric, 0) = 0
      or not exists (select 1 from public.tenant_budgets b where b.tenant_id = usage_record.tenant_id) then
    return v_id;
  end if;

  -- ALERTS: thresholds crossed this month that have not fired yet
  select * into v_status from app.budget_status(usage_record.tenant_id);
  if v_status.budget_usd is null or v_status.budget_usd = 0 then
    return v_id;
  end if;
  v_pct := 100 * v_status.spent_usd / v_status.budget_usd;
  select b.alert_thresholds into v_thresholds from public.tenant_budgets b where b.tenant_id = usage_record.tenant_id;
  foreach v_threshold in array v_thresholds loop
    continue when v_pct < v_threshold;
    insert into public.budget_alerts (tenant_id, period, threshold, spent_usd, budget_usd)
    values (usage_record.tenant_id, v_status.period, v_threshold, v_status.spent_usd, v_status.budget_usd)
    on conflict on constraint budget_alerts_pkey do nothing;
    continue when not found;
    insert into public.event_log (tenant_id, event_type, event_source, payload)
    values (usage_record.tenant_id, 'budget.threshold_reached', 'system', jsonb_build_object(
      'threshold', v_threshold, 'spent_usd', v_status.spent_usd, 'budget_usd', v_status.budget_usd,
      'period', v_status.period, 'hard_limit', v_status.hard_limit));
    -- routed like any notification: the tenant's route for warning / alert picks the channels
    perform app.notification_create(usage_record.tenant_id, jsonb_build_object(
      'type', case when v_threshold >= 100 then 'alert' else 'warning' end,
      'title', format('Budget %s%% reached', v_threshold),
      'message', format('Spend this month is %s USD of a %s USD budget%s.', round(v_status.spent_usd, 4), v_status.budget_usd,
        case when v_threshold >= 100 and v_status.hard_limit then '; new work is refused until next month or a higher budget' else '' end),
      'data', jsonb_build_object('threshold', v_threshold, 'spent_usd', v_status.spent_usd, 'budget_usd', v_status.budget_usd),
      'source_type', 'system',
      'priority', case when v_threshold >= 100 then 10 else 5 end));
  end loop;
  return v_id;
end;
$$;
comment on function app.usage_record(uuid, jsonb) is 'Workers: records one usage event and fires each budget alert (event_log budget.threshold_reached + notification) at most once per month.';

-- Raises BUDGET_EXCEEDED (SQLSTATE P0001 with that message) when the tenant is at its hard limit.
create or replace function app.budget_assert(tenant_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v record;
begin
  select * into v from app.budget_status(budget_assert.tenant_id);
  if v.hard_limit and v.budget_usd is not null and v.spent_usd >= v.budget_usd then
    raise exception 'Budget exceeded: spend this month is % USD of a % USD budget with a hard limit', round(v.spent_usd, 4), v.budget_usd
      using errcode = 'OR402';
  end if;
end;
$$;
comment on function app.budget_assert(uuid) is 'Refuses new work (BUDGET_EXCEEDED) when a tenant with a hard limit has spent its monthly budget.';

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

alter table public.usage_totals enable row level security;
alter table public.usage_totals force row level security;
create policy "Usage totals are viewable within their tenant" on public.usage_totals
  for select to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.usage_events, public.usage_totals, public.tenant_budgets, public.budget_alerts from anon;
revoke insert, update, delete, truncate on public.usage_events, public.usage_totals, public.budget_alerts from authenticated;
revoke delete, truncate on public.tenant_budgets from authenticated;

select app.lock_down();
