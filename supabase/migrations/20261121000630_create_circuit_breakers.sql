-- Circuit breakers (004 §11): one per tenant and dependency (llm:<host>, http:<host>, …),
-- shared by every worker, so a failing dependency is left alone for its cooldown (or the
-- Retry-After it asked for) and the work deferred on it resumes the moment a probe succeeds.

-- ============================================================================
-- CIRCUIT BREAKERS (004 §11)
-- ============================================================================
create table public.circuit_breakers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  key text not null,
  state text not null default 'closed' check (state in ('closed', 'open', 'half_open')),
  fail_count integer not null default 0,
  failure_threshold integer not null default 5 check (failure_threshold > 0),
  cooldown_seconds integer not null default 30 check (cooldown_seconds > 0),
  opened_at timestamptz,
  open_until timestamptz,
  probe_until timestamptz,
  last_error text,
  opened_count integer not null default 0,
  updated_at timestamptz not null default now(),
  unique (tenant_id, key)
);
comment on table public.circuit_breakers is 'One breaker per tenant and dependency (e.g. llm:<host>); threshold and cooldown come from tenants.settings breaker_failure_threshold (5) and breaker_cooldown_seconds (30) when the breaker is first created. closed → open after failure_threshold consecutive failures; after the cooldown (or the Retry-After the dependency asked for) one probe is let through (half_open); a success closes it and releases the work deferred on it at once, a failure re-opens it.';
comment on column public.circuit_breakers.open_until is 'While open: when the next probe may go (opened_at + cooldown, or the dependency''s Retry-After).';
comment on column public.circuit_breakers.probe_until is 'While half open: until when the one probe in flight is waited for before another is let through.';
comment on column public.circuit_breakers.key is 'The dependency guarded, e.g. llm:<host> for a model provider; unique per tenant.';
comment on column public.circuit_breakers.state is 'closed (calls go through), open (calls are deferred until open_until) or half_open (one probe call is let through).';
comment on column public.circuit_breakers.fail_count is 'Consecutive failures recorded since the breaker last closed; reaching failure_threshold opens it.';
comment on column public.circuit_breakers.failure_threshold is 'Consecutive failures that open the breaker (tenant setting breaker_failure_threshold, 5 by default, when created).';
comment on column public.circuit_breakers.cooldown_seconds is 'Seconds an opened breaker stays open before a probe (tenant setting breaker_cooldown_seconds, 30 by default, when created).';
comment on column public.circuit_breakers.opened_at is 'When the breaker last opened; null while closed.';
comment on column public.circuit_breakers.last_error is 'Error message of the latest recorded failure (up to 2,000 characters).';
comment on column public.circuit_breakers.opened_count is 'Times the breaker has opened since it was created.';

-- ============================================================================
-- CIRCUIT BREAKER LOGIC (atomic across workers)
-- ============================================================================

-- Whether a call may go ahead; moves open → half_open once open_until passes and lets one probe through.
create or replace function app.breaker_allow(tenant_id uuid, key text)
returns table (allowed boolean, state text, retry_in_ms integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v public.circuit_breakers%rowtype;
begin
  select * into v from public.circuit_breakers b
  where b.tenant_id = breaker_allow.tenant_id and b.key = breaker_allow.key
  for update;
  if not found or v.state = 'closed' then
    return query select true, 'closed'::text, 0;
    return;
  end if;
  if v.state = 'open' and now() >= coalesce(v.open_until, v.opened_at + make_interval(secs => v.cooldown_seconds)) then
    update public.circuit_breakers b set state = 'half_open', probe_until = now() + interval '60 seconds', updated_at = now()
    where b.id = v.id;
    return query select true, 'half_open'::text, 0;
    return;
  end if;
  if v.state = 'half_open' and now() >= v.probe_until then
    -- the probe never reported back: let another through
    update public.circuit_breakers b set probe_until = now() + interval '60 seconds', updated_at = now() where b.id = v.id;
    return query select true, 'half_open'::text, 0;
    return;
  end if;
  -- open: until open_until; half_open with a probe in flight: until the probe reports (callers
  -- defer with release key breaker:<key>, so a successful probe releases them at once)
  return query select false, v.state,
    greatest(100, (1000 * extract(epoch from (case when v.state = 'open'
      then coalesce(v.open_until, v.opened_at + make_interval(secs => v.cooldown_seconds)) else v.probe_until end - now())))::integer);
end;
$$;
comment on function app.breaker_allow(uuid, text) is 'Workers: may this tenant call this dependency now? An open breaker answers no with retry_in_ms until open_until; then one probe goes through (half_open) while the rest wait for its outcome.';

-- Records a call's outcome: success closes the breaker (releasing the work deferred on it);
-- failures open it at the threshold (a failed probe re-opens it) for the cooldown, or for the
-- Retry-After the dependency asked for.
create or replace function app.breaker_record(tenant_id uuid, key text, ok boolean, error text default null,
  retry_after_seconds integer default null)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_state text;
  v_was text;
begin
  if ok then
    update public.circuit_breakers b set state = 'closed', fail_count = 0, opened_at = null, open_until = null,
      probe_until = null, updated_at = now()
    where b.tenant_id = breaker_record.tenant_id and b.key = breaker_record.key and (b.state <> 'closed' or b.fail_count > 0)
    returning b.state into v_state;
    if v_state is not null then
      perform app.queue_release(breaker_record.tenant_id, 'breaker:' || breaker_record.key);
    end if;
    return coalesce(v_state, 'closed');
  end if;
  select b.state into v_was from public.circuit_breakers b
  where b.tenant_id = breaker_record.tenant_id and b.key = breaker_record.key for update;
  -- a new breaker's first failure opens it when the threshold is 1
  insert into public.circuit_breakers as b (tenant_id, key, fail_count, last_error, failure_threshold, cooldown_seconds, state)
  select breaker_record.tenant_id, breaker_record.key, 1, left(error, 2000), s.threshold, s.cooldown,
    case when s.threshold <= 1 then 'open' else 'closed' end
  from (select
    coalesce((select (t.settings ->> 'breaker_failure_threshold')::integer from public.tenants t where t.id = breaker_record.tenant_id), 5) as threshold,
    coalesce((select (t.settings ->> 'breaker_cooldown_seconds')::integer from public.tenants t where t.id = breaker_record.tenant_id), 30) as cooldown) s
  on conflict on constraint circuit_breakers_tenant_id_key_key do update
  set fail_count = b.fail_count + 1, last_error = left(excluded.last_error, 2000), updated_at = now(),
    state = case when b.state = 'half_open' or b.fail_count + 1 >= b.failure_threshold then 'open' else b.state end
  returning b.state into v_state;
  if v_state = 'open' and v_was is distinct from 'open' then
    update public.circuit_breakers b
    set opened_at = now(), opened_count = b.opened_count + 1, probe_until = null,
      -- (greatest() ignores nulls: without a Retry-After the cooldown applies, not 1 second)
      open_until = now() + make_interval(secs => case when breaker_record.retry_after_seconds is null then b.cooldown_seconds
        else least(greatest(breaker_record.retry_after_seconds, 1), 3600) end)
    where b.tenant_id = breaker_record.tenant_id and b.key = breaker_record.key;
  end if;
  return v_state;
end;
$$;
comment on function app.breaker_record(uuid, text, boolean, text, integer) is 'Workers: records a call outcome for a breaker and returns its new state. Closing releases the work deferred on breaker:<key>; opening lasts the cooldown or the dependency''s Retry-After.';

-- Release check for deferrals on breaker:<key> (app.queue_release_checks): released once the
-- breaker is closed (a deferral without a breaker row keeps its delay). Locks the breaker's row for share, so a closing breaker_record
-- either finished first (seen closed here) or waits for the deferral to commit (and releases it).
create or replace function app.breaker_released(tenant_id uuid, release_key text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_state text;
begin
  select b.state into v_state from public.circuit_breakers b
  where b.tenant_id = breaker_released.tenant_id and b.key = substr(breaker_released.release_key, length('breaker:') + 1)
  for share;
  return coalesce(v_state = 'closed', false);
end;
$$;
comment on function app.breaker_released(uuid, text) is 'Internal: release check for breaker:<key> deferrals — true when the breaker is closed.';
insert into app.queue_release_checks (prefix, function_name) values ('breaker:', 'app.breaker_released')
on conflict (prefix) do update set function_name = excluded.function_name;

alter table public.circuit_breakers enable row level security;
alter table public.circuit_breakers force row level security;
create policy "Circuit breakers are viewable within their tenant" on public.circuit_breakers
  for select to authenticated using (tenant_id = (select app.tenant_id()));

revoke all on public.circuit_breakers from anon;
revoke insert, update, delete, truncate on public.circuit_breakers from authenticated;

select app.lock_down();
