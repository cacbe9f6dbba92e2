-- Approvals (seed 004 §3.3): a call the gate will not run on its own waits for a person. An
-- approval binds to the exact arguments (their hash), expires, and is decided once, by a member
-- of the same tenant with the right role or an approver key, never by the key or person whose
-- session asked for it. A session parks on it (a waitpoint of kind approval, no worker held) and
-- resumes with the decision; expiry resumes it as rejected. Events approval.requested, .decided
-- and .expired go to event_log for notifications and automations.

-- ============================================================================
-- APPROVALS
-- ============================================================================
create table public.approvals (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  request_key text not null check (length(request_key) between 1 and 300),
  run_id uuid references public.runs (id) on delete set null,
  step_key text,
  tool text not null,
  arguments jsonb not null,
  args_hash text not null check (args_hash ~ '^[0-9a-f]{64}$'),
  mode text not null check (mode in ('assist', 'copilot', 'autonomous')),
  agent text,
  risk_score integer not null default 0 check (risk_score between 0 and 100),
  risk_class text not null,
  decision jsonb not null default '{}'::jsonb,
  requested_by text,
  requested_by_user_id uuid,
  requested_by_key_id uuid,
  approver_roles text[] not null default array['owner', 'admin']
    check (approver_roles <@ array['owner', 'admin', 'member'] and cardinality(approver_roles) > 0),
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'expired', 'withdrawn')),
  expires_at timestamptz not null,
  decided_by text,
  decided_by_user_id uuid,
  decided_by_key_id uuid,
  decided_at timestamptz,
  reason text check (length(reason) <= 2000),
  tool_call_id uuid,
  used_at timestamptz,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, request_key),
  check (status = 'pending' or decided_at is not null)
);
create index approvals_tenant_status_idx on public.approvals (tenant_id, status, created_at desc);
create index approvals_tenant_run_idx on public.approvals (tenant_id, run_id) where run_id is not null;
create index approvals_pending_expiry_idx on public.approvals (expires_at) where status = 'pending';
comment on table public.approvals is 'The approval queue: tool calls waiting for a person''s decision (approvals.list|get|approve|reject). Each binds to its exact arguments (args_hash), expires at expires_at, is decided once, and can be used for one call.';
comment on column public.approvals.request_key is 'Idempotency of the request: run:<run id>:<step> for a session''s call (a replayed gate step finds its approval), api:<key> for tools.execute.';
comment on column public.approvals.run_id is 'The session (run) parked on this approval; null for calls made through tools.execute.';
comment on column public.approvals.arguments is 'The exact arguments the approver sees and approves.';
comment on column public.approvals.args_hash is 'app.tool_args_hash(arguments): a call with other arguments cannot use this approval.';
comment on column public.approvals.mode is 'The gate mode that asked: copilot (every write) or autonomous (no policy clearly allowed it).';
comment on column public.approvals.risk_score is '0-100 from the tool''s risk class, the asset''s criticality and the amount (docs/tools.md#risk).';
comment on column public.approvals.decision is 'Why the gate asked: {action, risk, reasons[], policy}.';
comment on column public.approvals.requested_by is 'key:<id>, user:<id> or service_role: the starter of the session (or the caller of tools.execute). They can never decide it.';
comment on column public.approvals.approver_roles is 'Member roles that may decide it (from the policy, settings.approvals.roles, or owner and admin). Approver keys (scope approvals:write) count as admin.';
comment on column public.approvals.status is 'pending → approved | rejected (by a person) | expired (expires_at passed; the session resumes as rejected) | withdrawn (the session that asked finished — was cancelled or failed — before anyone decided).';
comment on column public.approvals.decided_by is 'user:<id> or key:<id> of the approver.';
comment on column public.approvals.reason is 'The approver''s reason; a rejection''s reason is what the model reads.';
comment on column public.approvals.tool_call_id is 'The call that used this approval (an approval is used once).';
comment on column public.approvals.step_key is 'The gate step of the session that asked (gate:<turn>:<call id>); null for tools.execute.';
comment on column public.approvals.tool is 'Registry name of the tool to run (e.g. scada.set_setpoint).';
comment on column public.approvals.agent is 'Slug of the agent whose session asked; null for tools.execute.';
comment on column public.approvals.risk_class is 'Risk class of the call: none, low, medium, high or critical.';
comment on column public.approvals.requested_by_user_id is 'The user who started the session (or called tools.execute); they may not decide it.';
comment on column public.approvals.requested_by_key_id is 'The API key that started the session (or called tools.execute); it may not decide it.';
comment on column public.approvals.expires_at is 'After this a pending approval expires (policy approval_ttl_seconds, settings.approvals.ttl_seconds or an hour).';
comment on column public.approvals.decided_by_user_id is 'The user who approved or rejected it.';
comment on column public.approvals.decided_by_key_id is 'The API key (scope approvals:write) that approved or rejected it.';
comment on column public.approvals.decided_at is 'When it was approved, rejected, expired or withdrawn.';
comment on column public.approvals.used_at is 'When an approved call used it (an approval is used once).';

alter table public.approvals enable row level security;
alter table public.approvals force row level security;
create policy "Approvals are viewable within their tenant" on public.approvals
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.approvals from anon;
revoke insert, update, delete on public.approvals from authenticated;
create trigger approvals_touch before update on public.approvals
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- WHO MAY DECIDE
-- ============================================================================

-- The approver roles a tenant can field for a request: roles of members other than the requesting
-- user, plus admin when an approver key other than the requesting key exists. An approval whose
-- roles none of these meet could never be decided, so the gate denies it (no approver → deny).
create or replace function app.approvers_available(tenant_id uuid, requested_by_user_id uuid, requested_by_key_id uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(distinct r), '{}') from (
    select m.role as r from public.tenant_members m
    where m.tenant_id = approvers_available.tenant_id
      and m.user_id is distinct from approvers_available.requested_by_user_id
    union all
    select 'admin' from public.api_keys k
    where k.tenant_id = approvers_available.tenant_id and k.is_active and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now()) and k.agent_id is null
      and k.id is distinct from approvers_available.requested_by_key_id
      and k.scopes && array['*', 'approvals:*', 'approvals:write']
  ) x
$$;
comment on function app.approvers_available(uuid, uuid, uuid) is 'Roles that could decide an approval for this requester: member roles of other members, and admin for each active approver key (scope *, approvals:* or approvals:write, not an agent''s key) other than the requesting key.';

-- The result a decided approval gives the run waiting on it.
create or replace function app.approval_result(approval public.approvals)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object('approval_id', approval_result.approval.id, 'decision', approval_result.approval.status,
    'reason', approval_result.approval.reason, 'decided_by', approval_result.approval.decided_by,
    'decided_at', approval_result.approval.decided_at, 'args_hash', approval_result.approval.args_hash)
$$;
comment on function app.approval_result(public.approvals) is 'Internal: {approval_id, decision, reason, decided_by, decided_at, args_hash}: what a run parked on an approval resumes with.';

-- Resolves the pending waitpoints parked on an approval with its decision.
create or replace function app.approval_resolve_waits(approval public.approvals)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_wp uuid;
  v_count integer := 0;
begin
  for v_wp in
    select w.id from public.run_waitpoints w
    where w.approval_id = approval_resolve_waits.approval.id and w.tenant_id = approval_resolve_waits.approval.tenant_id
      and w.status = 'pending' and w.kind = 'approval'
  loop
    if app.waitpoint_resolve(v_wp, 'resolved', app.approval_result(approval_resolve_waits.approval)) then
      v_count := v_count + 1;
    end if;
  end loop;
  return v_count;
end;
$$;
comment on function app.approval_resolve_waits(public.approvals) is 'Internal: resumes the runs parked on a decided or expired approval, with app.approval_result as the wait''s result.';

-- Locks an approval for a change, after the run parked on it: every path takes the run's row
-- first (as app.run_park does before it checks approvals), so a decision, an expiry and a park
-- racing each other queue up instead of deadlocking.
create or replace function app.approval_lock(tenant_id uuid, approval_id uuid)
returns public.approvals
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_run uuid;
  v_row public.approvals%rowtype;
begin
  select a.run_id into v_run from public.approvals a
  where a.id = approval_lock.approval_id and a.tenant_id = approval_lock.tenant_id;
  if v_run is not null then
    perform 1 from public.runs r where r.id = v_run for update;
  end if;
  select * into v_row from public.approvals a
  where a.id = approval_lock.approval_id and a.tenant_id = approval_lock.tenant_id
  for update;
  return v_row;
end;
$$;
comment on function app.approval_lock(uuid, uuid) is 'Internal: locks the run parked on an approval, then the approval (the order app.run_park takes them in), and returns the approval (null when not in this tenant).';

-- The audit entry of an approval's change of status (decided, expired, withdrawn): the event is
-- its new status and the actor whoever decided it (decided_by: user:/key:, tick or system).
create or replace function app.approval_audit(approval public.approvals)
returns void
language sql
security definer
set search_path = ''
as $$
  select app.tool_audit_write(approval_audit.approval.tenant_id, jsonb_build_object(
    'event', approval_audit.approval.status, 'tool', approval_audit.approval.tool,
    'mode', approval_audit.approval.mode, 'run_id', approval_audit.approval.run_id,
    'step_key', approval_audit.approval.step_key, 'agent', approval_audit.approval.agent,
    'approval_id', approval_audit.approval.id, 'arguments', approval_audit.approval.arguments,
    'args_hash', approval_audit.approval.args_hash,
    'decision', jsonb_build_object('decision', approval_audit.approval.status, 'reason', approval_audit.approval.reason),
    'requested_by', approval_audit.approval.requested_by, 'actor', approval_audit.approval.decided_by))
$$;
comment on function app.approval_audit(public.approvals) is 'Internal: writes the tool_audit entry of an approval''s new status (event = status, actor = decided_by).';

-- Marks a pending approval whose time is up as expired: audit, event, waiting runs resumed.
-- The caller holds the approval's row lock.
create or replace function app.approval_expire(approval public.approvals)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.approvals%rowtype;
begin
  update public.approvals a
  set status = 'expired', decided_at = now(), decided_by = 'tick',
    reason = 'The approval expired at ' || to_char(a.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
      || ' without a decision'
  where a.id = approval_expire.approval.id and a.status = 'pending'
  returning * into v_row;
  if v_row.id is null then
    return;
  end if;
  perform app.approval_audit(v_row);
  perform app.event_emit(v_row.tenant_id, 'approval.expired', 'system', jsonb_build_object(
    'approval_id', v_row.id, 'tool', v_row.tool, 'run_id', v_row.run_id, 'agent', v_row.agent,
    'expires_at', v_row.expires_at));
  perform app.approval_resolve_waits(v_row);
end;
$$;
comment on function app.approval_expire(public.approvals) is 'Internal: expires a pending approval (audit expired, event approval.expired) and resumes the runs parked on it as rejected.';

-- A run finished (completed, failed or cancelled) while an approval it asked for was pending:
-- nobody will use that approval any more, so it leaves the queue as withdrawn (audit withdrawn,
-- event approval.withdrawn) instead of waiting for a decision that would change nothing. Runs on
-- the run's status change, so every way a run ends is covered; the run's row is already locked,
-- the order app.approval_lock takes.
create or replace function app.approvals_withdraw_on_run_end()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.approvals%rowtype;
begin
  for v_row in
    update public.approvals a
    set status = 'withdrawn', decided_at = now(), decided_by = 'system',
      reason = 'The session that asked for it was ' || new.status || ' before a decision'
    where a.tenant_id = new.tenant_id and a.run_id = new.id and a.status = 'pending'
    returning *
  loop
    perform app.approval_audit(v_row);
    perform app.event_emit(v_row.tenant_id, 'approval.withdrawn', 'system', jsonb_build_object(
      'approval_id', v_row.id, 'tool', v_row.tool, 'run_id', v_row.run_id, 'agent', v_row.agent,
      'run_status', new.status));
  end loop;
  return null;
end;
$$;
comment on function app.approvals_withdraw_on_run_end() is 'Internal: trigger — when a run finishes, its pending approvals become withdrawn (audit withdrawn, event approval.withdrawn).';
create trigger runs_withdraw_approvals after update of status on public.runs
  for each row when (new.status in ('completed', 'failed', 'cancelled') and old.status is distinct from new.status)
  execute function app.approvals_withdraw_on_run_end();

-- ============================================================================
-- DECIDING
-- ============================================================================

-- Decides a pending approval once: approve or reject, by an approver of its tenant who did not
-- request it. decider: {kind: user|api_key, user_id | key_id}; roles and scopes are read here,
-- never taken from the caller. expected_hash, when given, must be the hash the approver saw.
create or replace function app.approval_decide(tenant_id uuid, approval_id uuid, decision text, reason text,
  decider jsonb, expected_hash text default null)
returns public.approvals
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.approvals%rowtype;
  v_role text;
  v_key public.api_keys%rowtype;
  v_by text;
begin
  if approval_decide.decision not in ('approved', 'rejected') then
    raise exception 'Invalid decision %: approved or rejected', coalesce(approval_decide.decision, 'NULL')
      using errcode = 'OR400', detail = 'invalid_decision';
  end if;
  v_row := app.approval_lock(approval_decide.tenant_id, approval_decide.approval_id);
  if v_row.id is null then
    raise exception 'No approval % in this tenant', approval_decide.approval_id using errcode = 'OR404', detail = 'approval_not_found';
  end if;

  -- WHO: a member with one of the approval's roles, or an approver key; never the requester
  if decider ->> 'kind' = 'user' then
    select m.role into v_role from public.tenant_members m
    where m.tenant_id = v_row.tenant_id and m.user_id = (decider ->> 'user_id')::uuid;
    if v_role is null then
      raise exception 'Only members of this tenant decide its approvals' using errcode = 'OR403', detail = 'not_a_member';
    end if;
    if (decider ->> 'user_id')::uuid = v_row.requested_by_user_id then
      raise exception 'You requested this call (your session asked for it): another approver must decide it'
        using errcode = 'OR403', detail = 'self_approval';
    end if;
    if not v_role = any(v_row.approver_roles) then
      raise exception 'Your role % cannot decide this approval: it needs %', v_role, array_to_string(v_row.approver_roles, ' or ')
        using errcode = 'OR403', detail = 'insufficient_role';
    end if;
    v_by := 'user:' || (decider ->> 'user_id');
  elsif decider ->> 'kind' = 'api_key' then
    select * into v_key from public.api_keys k
    where k.id = (decider ->> 'key_id')::uuid and k.tenant_id = v_row.tenant_id and k.is_active and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now());
    if v_key.id is null or not v_key.scopes && array['*', 'approvals:*', 'approvals:write'] or v_key.agent_id is not null then
      raise exception 'This key cannot decide approvals: it needs scope approvals:write and must not be an agent''s key'
        using errcode = 'OR403', detail = 'not_an_approver';
    end if;
    if v_key.id = v_row.requested_by_key_id then
      raise exception 'This key requested the call (its session asked for it): another approver must decide it'
        using errcode = 'OR403', detail = 'self_approval';
    end if;
    if not 'admin' = any(v_row.approver_roles) then
      raise exception 'An approver key acts as admin; this approval needs %', array_to_string(v_row.approver_roles, ' or ')
        using errcode = 'OR403', detail = 'insufficient_role';
    end if;
    v_by := 'key:' || v_key.id;
  else
    raise exception 'Approvals are decided by a member of the tenant or an approver key' using errcode = 'OR403', detail = 'not_an_approver';
  end if;

  -- ONCE: a decided or expired approval stays as it is
  if v_row.status = 'pending' and v_row.expires_at <= now() then
    perform app.approval_expire(v_row);
    select * into v_row from public.approvals a where a.id = v_row.id;
  end if;
  if v_row.status = 'expired' then
    raise exception 'Approval % expired at %: the call was not run', v_row.id, v_row.expires_at
      using errcode = 'OR409', detail = 'approval_expired';
  end if;
  if v_row.status = 'withdrawn' then
    raise exception 'Approval % was withdrawn: %', v_row.id, v_row.reason using errcode = 'OR409', detail = 'approval_withdrawn';
  end if;
  if v_row.status <> 'pending' then
    raise exception 'Approval % was already %', v_row.id, v_row.status using errcode = 'OR409', detail = 'approval_already_decided';
  end if;
  if approval_decide.expected_hash is not null and approval_decide.expected_hash <> v_row.args_hash then
    raise exception 'The arguments of approval % are not the ones you saw (args_hash differs): read it again before deciding', v_row.id
      using errcode = 'OR409', detail = 'arguments_changed';
  end if;
  if approval_decide.decision = 'rejected' and coalesce(trim(approval_decide.reason), '') = '' then
    raise exception 'A rejection needs a reason: the agent reads it to adapt' using errcode = 'OR400', detail = 'reason_required';
  end if;

  update public.approvals a
  set status = approval_decide.decision, decided_at = now(), decided_by = v_by,
    decided_by_user_id = case when decider ->> 'kind' = 'user' then (decider ->> 'user_id')::uuid end,
    decided_by_key_id = v_key.id, reason = nullif(trim(approval_decide.reason), '')
  where a.id = v_row.id
  returning * into v_row;
  perform app.approval_audit(v_row);
  perform app.event_emit(v_row.tenant_id, 'approval.decided', 'api', jsonb_build_object(
    'approval_id', v_row.id, 'tool', v_row.tool, 'decision', v_row.status, 'reason', v_row.reason,
    'decided_by', v_by, 'run_id', v_row.run_id, 'agent', v_row.agent));
  perform app.approval_resolve_waits(v_row);
  return v_row;
end;
$$;
comment on function app.approval_decide(uuid, uuid, text, text, jsonb, text) is 'Decides a pending approval once (approved | rejected with a reason) for decider {kind: user|api_key, user_id|key_id}: a member whose role is in approver_roles, or an approver key (counts as admin); never the requester. Audit, event approval.decided, and the parked run resumes. Reasons: approval_not_found, not_a_member, not_an_approver, self_approval, insufficient_role, approval_expired, approval_withdrawn, approval_already_decided, arguments_changed, reason_required.';

-- An approval waitpoint was just created (app.run_park): an approval decided (or expired) before
-- the run parked resolves it at once. Locks the approval, so a decision racing the park is seen.
create or replace function app.approval_check_waitpoint(waitpoint_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_wp public.run_waitpoints%rowtype;
  v_row public.approvals%rowtype;
begin
  select * into v_wp from public.run_waitpoints w where w.id = approval_check_waitpoint.waitpoint_id;
  if v_wp.id is null or v_wp.kind <> 'approval' or v_wp.status <> 'pending' then
    return;
  end if;
  select * into v_row from public.approvals a
  where a.id = v_wp.approval_id and a.tenant_id = v_wp.tenant_id
  for update;
  if v_row.id is null then
    raise exception 'No approval % in this tenant to wait for', v_wp.approval_id using errcode = 'OR404', detail = 'approval_not_found';
  end if;
  if v_row.status = 'pending' and v_row.expires_at <= now() then
    perform app.approval_expire(v_row);
    return;
  end if;
  if v_row.status <> 'pending' then
    perform app.waitpoint_resolve(v_wp.id, 'resolved', app.approval_result(v_row));
  end if;
end;
$$;
comment on function app.approval_check_waitpoint(uuid) is 'Internal: resolves an approval waitpoint at once when its approval was already decided or has expired (called by app.run_park; locks the approval so a concurrent decision is never missed).';

-- ============================================================================
-- EXPIRY (tick)
-- ============================================================================
create or replace function app.approvals_expire_due()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_due record;
  v_row public.approvals%rowtype;
  v_count integer := 0;
begin
  for v_due in
    select a.id, a.tenant_id from public.approvals a
    where a.status = 'pending' and a.expires_at <= now()
    order by a.expires_at limit 500
  loop
    v_row := app.approval_lock(v_due.tenant_id, v_due.id);
    continue when v_row.status is distinct from 'pending' or v_row.expires_at > now();
    perform app.approval_expire(v_row);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function app.approvals_expire_due() is 'Tick job: expires pending approvals past expires_at (audit, approval.expired) and resumes their sessions as rejected.';
select app.tick_register('approvals', 'app.approvals_expire_due', 90);

select app.lock_down();
