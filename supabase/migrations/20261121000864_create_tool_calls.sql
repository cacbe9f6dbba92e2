-- Tool calls: the gate's records and the executor's work (seed 004 §3). The gate (TypeScript,
-- _shared/tools/gate.ts) reads its context with app.tool_gate_context and records its outcome
-- with app.tool_gate_record in one statement: an audit row, an approval, or a tool call queued
-- for the tool-executor. Approved calls are submitted with app.tool_call_submit, which checks
-- the binding (same tenant, approved, not expired, not used, same arguments). The executor
-- starts a call with app.tool_call_start (a redelivered call never runs twice) and records its
-- outcome with app.tool_call_finish, which emits tool_call.finished: the event the calling
-- session waits for.

-- ============================================================================
-- TOOL CALLS
-- ============================================================================
create table public.tool_calls (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  idempotency_key text not null check (length(idempotency_key) between 1 and 300),
  run_id uuid references public.runs (id) on delete set null,
  step_key text,
  tool text not null,
  access text not null check (access in ('read', 'write')),
  integration text not null,
  adapter text not null check (adapter in ('sandbox', 'http', 'site')),
  arguments jsonb not null,
  args_hash text not null,
  approval_id uuid references public.approvals (id) on delete set null,
  mode text check (mode in ('assist', 'copilot', 'autonomous')),
  agent text,
  requested_by text,
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  attempts integer not null default 0,
  deadline_at timestamptz not null,
  result jsonb,
  before jsonb,
  after jsonb,
  error jsonb,
  msg_id bigint,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, idempotency_key)
);
create index tool_calls_tenant_created_idx on public.tool_calls (tenant_id, created_at desc);
create index tool_calls_tenant_run_idx on public.tool_calls (tenant_id, run_id) where run_id is not null;
create index tool_calls_open_deadline_idx on public.tool_calls (deadline_at) where status in ('queued', 'running');
comment on table public.tool_calls is 'The tool-executor''s work: calls the gate allowed or a person approved, run through their adapter once. queued → running → succeeded | failed.';
comment on column public.tool_calls.idempotency_key is 'Unique per tenant: run:<run id>:<step> for a session''s call, api:<key> for tools.execute. Submitting the same key again returns the same call; the executor checks the call''s status before its adapter runs, so a redelivered message never executes it twice.';
comment on column public.tool_calls.integration is 'The integration the tool belongs to (cmms, scada, …, site).';
comment on column public.tool_calls.adapter is 'What ran it: sandbox, http (tool_integrations) or site (Ora''s own tables through the same code the ora actions use).';
comment on column public.tool_calls.approval_id is 'The approval this call used (null when a policy allowed it).';
comment on column public.tool_calls.attempts is 'Executions started. A call found running by a redelivery (its worker died mid-call) runs again only where that cannot repeat an effect: transactional adapters, or http endpoints that honour Idempotency-Key.';
comment on column public.tool_calls.deadline_at is 'After this it is not started any more (failed TIMED_OUT); the session waiting for it resumes either way.';
comment on column public.tool_calls.before is 'State before the write, where the adapter can read it.';
comment on column public.tool_calls.after is 'State after the write.';
comment on column public.tool_calls.error is '{code, message} of a failed call.';
comment on column public.tool_calls.run_id is 'The session (run) waiting for the call; null for calls made through tools.execute.';
comment on column public.tool_calls.step_key is 'The gate step of the session that made the call; null for tools.execute.';
comment on column public.tool_calls.tool is 'Registry name of the tool to run.';
comment on column public.tool_calls.access is 'read or write: whether the tool changes anything.';
comment on column public.tool_calls.arguments is 'The arguments the tool runs with.';
comment on column public.tool_calls.args_hash is 'SHA-256 hex of the arguments (app.tool_args_hash).';
comment on column public.tool_calls.mode is 'The tenant''s tool mode when the call was made: assist, copilot or autonomous.';
comment on column public.tool_calls.agent is 'Slug of the agent whose session made the call; null for tools.execute.';
comment on column public.tool_calls.requested_by is 'Who the call is on behalf of: key:<id>, user:<id> or service_role.';
comment on column public.tool_calls.status is 'queued (its message waits for the tool-executor), running, succeeded or failed.';
comment on column public.tool_calls.result is 'What the tool returned once succeeded.';
comment on column public.tool_calls.msg_id is 'The pgmq message of the tool-executor queue that carries the call.';
comment on column public.tool_calls.started_at is 'When the tool-executor started the latest execution.';
comment on column public.tool_calls.completed_at is 'When the call succeeded or failed.';

alter table public.tool_calls enable row level security;
alter table public.tool_calls force row level security;
create policy "Tool calls are viewable within their tenant" on public.tool_calls
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.tool_calls from anon;
revoke insert, update, delete on public.tool_calls from authenticated;
create trigger tool_calls_touch before update on public.tool_calls
  for each row execute function app.touch_updated_at();

select app.queue_register('tool_calls', 'tool-executor',
  'Tool calls a policy allowed or a person approved (public.tool_calls), run through their adapters.', 4);

-- ============================================================================
-- SANDBOX STATE (what the sandbox adapter's writes left behind)
-- ============================================================================
create table public.tool_sandbox_records (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  integration text not null,
  kind text not null check (kind ~ '^[a-z][a-z0-9_]{0,62}$'),
  ref text not null check (length(ref) between 1 and 200),
  data jsonb not null,
  tool_call_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, kind, ref)
);
create index tool_sandbox_records_tenant_idx on public.tool_sandbox_records (tenant_id, kind, created_at desc);
comment on table public.tool_sandbox_records is 'State the sandbox adapter keeps per tenant (work orders, setpoints, acknowledged alarms, reservations, requisitions, incidents, inspections, messages), so a demo''s writes are read back by its reads. Written in the transaction that records the call (exactly once).';
comment on column public.tool_sandbox_records.kind is 'work_order, setpoint, alarm_ack, reservation, requisition, incident, inspection, message.';
comment on column public.tool_sandbox_records.ref is 'The record''s identifier in its kind (WO-…, a tag, an alarm id, …).';
comment on column public.tool_sandbox_records.integration is 'The integration whose sandbox made the record (cmms, scada, …).';
comment on column public.tool_sandbox_records.data is 'The record''s state as the sandbox stores it (e.g. a work order''s fields and status).';
comment on column public.tool_sandbox_records.tool_call_id is 'The tool call that last wrote the record.';
alter table public.tool_sandbox_records enable row level security;
alter table public.tool_sandbox_records force row level security;
create policy "Sandbox records are viewable within their tenant" on public.tool_sandbox_records
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.tool_sandbox_records from anon;
revoke insert, update, delete on public.tool_sandbox_records from authenticated;
create trigger tool_sandbox_records_touch before update on public.tool_sandbox_records
  for each row execute function app.touch_updated_at();

-- ============================================================================
-- THE GATE'S CONTEXT AND RECORD
-- ============================================================================

-- Everything the gate needs about one call, in one round trip: whether the tenant enabled the
-- tool, its integration, the policies that may apply, the asset's criticality, the tenant's time
-- zone and approval settings, who the call is on behalf of and which approver roles exist.
-- requester: {requested_by, user_id, key_id} for calls outside a run (tools.execute).
create or replace function app.tool_gate_context(tenant_id uuid, tool text, integration text, run_id uuid,
  requester jsonb, asset_id text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_run public.runs%rowtype;
  v_settings jsonb;
  v_by text := requester ->> 'requested_by';
  v_user uuid := (requester ->> 'user_id')::uuid;
  v_key uuid := (requester ->> 'key_id')::uuid;
  v_agent text := requester ->> 'agent';
begin
  if tool_gate_context.run_id is not null then
    select * into v_run from public.runs r where r.id = tool_gate_context.run_id and r.tenant_id = tool_gate_context.tenant_id;
    if v_run.id is null then
      raise exception 'No run % in this tenant', tool_gate_context.run_id using errcode = 'OR404', detail = 'run_not_found';
    end if;
    v_by := coalesce(v_run.created_by, 'run:' || v_run.id);
    v_user := v_run.user_id;
    v_key := v_run.api_key_id;
    v_agent := v_run.subject;
  end if;
  select t.settings into v_settings from public.tenants t where t.id = tool_gate_context.tenant_id;
  return jsonb_build_object(
    'enabled', coalesce((select s.enabled from public.tool_settings s
      where s.tenant_id = tool_gate_context.tenant_id and s.tool = tool_gate_context.tool), true),
    'integration', (select to_jsonb(i) - 'tenant_id' from public.tool_integrations i
      where i.tenant_id = tool_gate_context.tenant_id and i.key = tool_gate_context.integration),
    'policies', coalesce((select jsonb_agg(to_jsonb(p) - 'tenant_id' order by p.priority desc, p.name)
      from public.tool_policies p
      where p.tenant_id = tool_gate_context.tenant_id and p.enabled
        and (p.tool = '*' or p.tool = tool_gate_context.tool
          or (right(p.tool, 2) = '.*' and split_part(tool_gate_context.tool, '.', 1) = left(p.tool, -2)))
        and (p.agent is null or p.agent = v_agent)), '[]'::jsonb),
    'asset', (select jsonb_build_object('asset_id', a.asset_id, 'name', a.name, 'criticality', a.criticality)
      from public.tool_assets a where a.tenant_id = tool_gate_context.tenant_id and a.asset_id = tool_gate_context.asset_id),
    'timezone', coalesce(v_settings ->> 'timezone', 'UTC'),
    'approvals', coalesce(v_settings -> 'approvals', '{}'::jsonb),
    'requester', jsonb_build_object('requested_by', v_by, 'user_id', v_user, 'key_id', v_key, 'agent', v_agent),
    'approvers', to_jsonb(app.approvers_available(tool_gate_context.tenant_id, v_user, v_key)));
end;
$$;
comment on function app.tool_gate_context(uuid, text, text, uuid, jsonb, text) is 'Workers and tools.execute: the gate''s inputs for one call in one round trip: enabled, integration row, applicable policies (tool pattern and agent match), asset criticality, settings.timezone, settings.approvals, the requester (from the run: its starter and agent) and the approver roles available to it.';

-- Queues a tool call for the executor (or returns the one with the same idempotency key).
create or replace function app.tool_call_create(tenant_id uuid, spec jsonb)
returns public.tool_calls
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call public.tool_calls%rowtype;
  v_msg bigint;
begin
  insert into public.tool_calls (tenant_id, idempotency_key, run_id, step_key, tool, access, integration, adapter,
    arguments, args_hash, approval_id, mode, agent, requested_by, deadline_at)
  values (tool_call_create.tenant_id, spec ->> 'idempotency_key', (spec ->> 'run_id')::uuid, spec ->> 'step_key',
    spec ->> 'tool', coalesce(spec ->> 'access', 'write'), spec ->> 'integration',
    coalesce(spec ->> 'adapter', case when spec ->> 'integration' = 'site' then 'site' end,
      (select i.adapter from public.tool_integrations i
       where i.tenant_id = tool_call_create.tenant_id and i.key = spec ->> 'integration'), 'sandbox'),
    coalesce(spec -> 'arguments', '{}'::jsonb), app.tool_args_hash(spec -> 'arguments'), (spec ->> 'approval_id')::uuid,
    spec ->> 'mode', spec ->> 'agent', spec ->> 'requested_by',
    clock_timestamp() + make_interval(secs => coalesce((spec ->> 'deadline_seconds')::integer, 900)))
  on conflict on constraint tool_calls_tenant_id_idempotency_key_key do nothing
  returning * into v_call;
  if v_call.id is null then
    select * into v_call from public.tool_calls c
    where c.tenant_id = tool_call_create.tenant_id and c.idempotency_key = spec ->> 'idempotency_key';
    return v_call;
  end if;
  select * into v_msg from pgmq.send('tool_calls', jsonb_build_object('tool_call_id', v_call.id,
    'tenant_id', v_call.tenant_id, 'priority', coalesce((spec ->> 'priority')::integer, 0)));
  update public.tool_calls c set msg_id = v_msg where c.id = v_call.id returning * into v_call;
  if coalesce((select (t.settings ->> 'wake_workers')::boolean from public.tenants t where t.id = tool_call_create.tenant_id), true) then
    perform app.queue_wake('tool_calls', 'enqueue');
  end if;
  return v_call;
end;
$$;
comment on function app.tool_call_create(uuid, jsonb) is 'Internal: inserts a tool call (or returns the one with the same idempotency key) and queues it on tool_calls, waking the tool-executor.';

-- Records what the gate decided for one call, atomically: the audit row, and for outcome
-- approval an approval (event approval.requested), for outcome execute a tool call queued for the
-- executor. Idempotent per request_key: a replayed gate step finds what it recorded.
-- rec: {outcome: suggested|refused|executed|failed|approval|execute, tool, mode, run_id, step_key,
-- agent, arguments, decision, requested_by, requested_by_user_id, requested_by_key_id, result,
-- error, request_key, approval: {approver_roles, ttl_seconds, risk_score, risk_class},
-- call: {access, integration, adapter, deadline_seconds}, credential_reads: [{secret, origin}]}
create or replace function app.tool_gate_record(tenant_id uuid, rec jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_outcome text := rec ->> 'outcome';
  v_base jsonb;
  v_approval public.approvals%rowtype;
  v_call public.tool_calls%rowtype;
  v_read jsonb;
begin
  v_base := jsonb_build_object('tool', rec ->> 'tool', 'mode', rec ->> 'mode', 'run_id', rec ->> 'run_id',
    'step_key', rec ->> 'step_key', 'agent', rec ->> 'agent', 'arguments', coalesce(rec -> 'arguments', '{}'::jsonb),
    'decision', rec -> 'decision', 'requested_by', rec ->> 'requested_by', 'actor', 'gate');
  for v_read in select * from jsonb_array_elements(coalesce(rec -> 'credential_reads', '[]'::jsonb)) loop
    perform app.tool_audit_write(tool_gate_record.tenant_id, v_base || jsonb_build_object('event', 'credential_read',
      'result', v_read, 'decision', null));
  end loop;
  case v_outcome
  when 'suggested', 'refused', 'executed', 'failed' then
    perform app.tool_audit_write(tool_gate_record.tenant_id, v_base || jsonb_build_object('event', v_outcome,
      'result', rec -> 'result', 'error', rec -> 'error'));
    return jsonb_build_object('outcome', v_outcome);
  when 'approval' then
    insert into public.approvals (tenant_id, request_key, run_id, step_key, tool, arguments, args_hash, mode, agent,
      risk_score, risk_class, decision, requested_by, requested_by_user_id, requested_by_key_id, approver_roles, expires_at)
    values (tool_gate_record.tenant_id, rec ->> 'request_key', (rec ->> 'run_id')::uuid, rec ->> 'step_key',
      rec ->> 'tool', coalesce(rec -> 'arguments', '{}'::jsonb), app.tool_args_hash(rec -> 'arguments'), rec ->> 'mode',
      rec ->> 'agent', coalesce((rec #>> '{approval,risk_score}')::integer, 0),
      coalesce(rec #>> '{approval,risk_class}', 'medium'), coalesce(rec -> 'decision', '{}'::jsonb),
      rec ->> 'requested_by', (rec ->> 'requested_by_user_id')::uuid, (rec ->> 'requested_by_key_id')::uuid,
      coalesce((select array_agg(r) from jsonb_array_elements_text(rec #> '{approval,approver_roles}') r), array['owner', 'admin']),
      now() + make_interval(secs => coalesce((rec #>> '{approval,ttl_seconds}')::integer, 3600)))
    on conflict on constraint approvals_tenant_id_request_key_key do nothing
    returning * into v_approval;
    if v_approval.id is null then
      select * into v_approval from public.approvals a
      where a.tenant_id = tool_gate_record.tenant_id and a.request_key = rec ->> 'request_key';
    else
      perform app.tool_audit_write(tool_gate_record.tenant_id, v_base || jsonb_build_object('event', 'requested',
        'approval_id', v_approval.id));
      perform app.event_emit(tool_gate_record.tenant_id, 'approval.requested', 'agent', jsonb_build_object(
        'approval_id', v_approval.id, 'tool', v_approval.tool, 'run_id', v_approval.run_id, 'agent', v_approval.agent,
        'risk_score', v_approval.risk_score, 'risk_class', v_approval.risk_class,
        'approver_roles', to_jsonb(v_approval.approver_roles), 'expires_at', v_approval.expires_at,
        'reasons', v_approval.decision -> 'reasons'));
    end if;
    return jsonb_build_object('outcome', 'approval', 'approval_id', v_approval.id, 'status', v_approval.status,
      'expires_at', v_approval.expires_at, 'args_hash', v_approval.args_hash);
  when 'execute' then
    select * into v_call from public.tool_calls c
    where c.tenant_id = tool_gate_record.tenant_id and c.idempotency_key = rec ->> 'request_key';
    if v_call.id is null then
      v_call := app.tool_call_create(tool_gate_record.tenant_id, (rec -> 'call') || jsonb_build_object(
        'idempotency_key', rec ->> 'request_key', 'run_id', rec ->> 'run_id', 'step_key', rec ->> 'step_key',
        'tool', rec ->> 'tool', 'arguments', coalesce(rec -> 'arguments', '{}'::jsonb), 'mode', rec ->> 'mode',
        'agent', rec ->> 'agent', 'requested_by', rec ->> 'requested_by'));
      perform app.tool_audit_write(tool_gate_record.tenant_id, v_base || jsonb_build_object('event', 'allowed',
        'tool_call_id', v_call.id));
    end if;
    return jsonb_build_object('outcome', 'execute', 'tool_call_id', v_call.id, 'status', v_call.status);
  else
    raise exception 'Unknown gate outcome %', coalesce(v_outcome, 'NULL') using errcode = 'OR400', detail = 'invalid_outcome';
  end case;
end;
$$;
comment on function app.tool_gate_record(uuid, jsonb) is 'Workers and tools.execute: records the gate''s outcome for one call in one transaction — suggested, refused, executed or failed (inline reads): an audit row; approval: an approval (idempotent per request_key) with audit requested and event approval.requested; execute: a tool call queued for the tool-executor with audit allowed. Credential reads are audited too.';

-- ============================================================================
-- SUBMITTING AN APPROVED CALL (the binding)
-- ============================================================================

-- Submits a call that an approval allows: the approval must be this tenant's, approved, for the
-- same tool and the same arguments (hash), and not used by another call. A refusal is audited
-- and returned as {ok: false, reason, message}; success queues the call (idempotent per key).
create or replace function app.tool_call_submit(tenant_id uuid, spec jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.approvals%rowtype;
  v_call public.tool_calls%rowtype;
  v_hash text := app.tool_args_hash(spec -> 'arguments');
  v_reason text;
  v_message text;
begin
  select * into v_row from public.approvals a
  where a.id = (spec ->> 'approval_id')::uuid and a.tenant_id = tool_call_submit.tenant_id
  for update;
  -- a repeated submit of the same call (a replayed step) gets the call it made
  if v_row.tool_call_id is not null then
    select * into v_call from public.tool_calls c where c.id = v_row.tool_call_id;
    if v_call.idempotency_key = spec ->> 'idempotency_key' then
      return jsonb_build_object('ok', true, 'tool_call_id', v_call.id, 'status', v_call.status);
    end if;
  end if;
  v_reason := case
    when v_row.id is null then 'approval_not_found'
    when v_row.status = 'pending' and v_row.expires_at <= now() then 'approval_expired'
    when v_row.status = 'expired' then 'approval_expired'
    when v_row.status = 'pending' then 'approval_pending'
    when v_row.status = 'rejected' then 'approval_rejected'
    when v_row.status = 'withdrawn' then 'approval_withdrawn'
    when v_row.status <> 'approved' then 'approval_not_approved'
    when v_row.tool_call_id is not null then 'approval_used'
    when v_row.tool <> spec ->> 'tool' then 'tool_changed'
    when v_row.args_hash <> v_hash then 'arguments_changed'
  end;
  if v_reason is not null then
    v_message := case v_reason
      when 'approval_not_found' then 'No such approval in this tenant'
      when 'approval_expired' then 'The approval expired before the call was made'
      when 'approval_pending' then 'The approval has not been decided yet'
      when 'approval_rejected' then 'The approval was rejected: ' || coalesce(v_row.reason, 'no reason given')
      when 'approval_withdrawn' then 'The approval was withdrawn: ' || coalesce(v_row.reason, 'its session ended')
      when 'approval_not_approved' then 'The approval is ' || v_row.status || ', not approved'
      when 'approval_used' then 'The approval was already used by another call: an approval allows one call'
      when 'tool_changed' then 'The approval is for ' || v_row.tool || ', not ' || (spec ->> 'tool')
      else 'The arguments differ from the ones that were approved: ask for a new approval' end;
    perform app.tool_audit_write(tool_call_submit.tenant_id, jsonb_build_object('event', 'refused',
      'tool', spec ->> 'tool', 'mode', spec ->> 'mode', 'run_id', spec ->> 'run_id', 'step_key', spec ->> 'step_key',
      'agent', spec ->> 'agent', 'approval_id', v_row.id, 'arguments', coalesce(spec -> 'arguments', '{}'::jsonb),
      'error', jsonb_build_object('code', v_reason, 'message', v_message),
      'requested_by', spec ->> 'requested_by', 'actor', coalesce(spec ->> 'actor', 'gate')));
    return jsonb_build_object('ok', false, 'reason', v_reason, 'message', v_message, 'approval_id', v_row.id);
  end if;

  v_call := app.tool_call_create(tool_call_submit.tenant_id, spec || jsonb_build_object('approval_id', v_row.id,
    'mode', coalesce(spec ->> 'mode', v_row.mode), 'agent', coalesce(spec ->> 'agent', v_row.agent),
    'requested_by', coalesce(spec ->> 'requested_by', v_row.requested_by)));
  if v_call.approval_id is distinct from v_row.id then
    -- the idempotency key belongs to another call: refuse rather than reuse it
    perform app.tool_audit_write(tool_call_submit.tenant_id, jsonb_build_object('event', 'refused',
      'tool', spec ->> 'tool', 'approval_id', v_row.id, 'arguments', spec -> 'arguments',
      'error', jsonb_build_object('code', 'idempotency_key_in_use', 'message', 'The idempotency key belongs to another call'),
      'requested_by', spec ->> 'requested_by', 'actor', coalesce(spec ->> 'actor', 'gate')));
    return jsonb_build_object('ok', false, 'reason', 'idempotency_key_in_use',
      'message', 'The idempotency key belongs to another call');
  end if;
  update public.approvals a set tool_call_id = v_call.id, used_at = now() where a.id = v_row.id;
  perform app.tool_audit_write(tool_call_submit.tenant_id, jsonb_build_object('event', 'queued',
    'tool', v_call.tool, 'mode', v_call.mode, 'run_id', v_call.run_id, 'step_key', v_call.step_key, 'agent', v_call.agent,
    'approval_id', v_row.id, 'tool_call_id', v_call.id, 'arguments', v_call.arguments, 'args_hash', v_call.args_hash,
    'requested_by', v_call.requested_by, 'actor', coalesce(spec ->> 'actor', 'gate')));
  return jsonb_build_object('ok', true, 'tool_call_id', v_call.id, 'status', v_call.status);
end;
$$;
comment on function app.tool_call_submit(uuid, jsonb) is 'Workers and tools.execute: queues a call allowed by an approval after checking the binding — this tenant''s approval, approved, not expired, not used by another call, same tool, same arguments hash. Refusals are audited and returned {ok: false, reason: approval_not_found | approval_expired | approval_pending | approval_rejected | approval_withdrawn | approval_not_approved | approval_used | tool_changed | arguments_changed, message}.';

-- ============================================================================
-- EXECUTOR SIDE
-- ============================================================================

-- Records the outcome of a running (or queued) call once: result or error, before/after, the
-- audit (executed or failed, plus credential reads), and event tool_call.finished for the
-- session waiting on it. False when the call had already finished.
-- outcome: {status: succeeded|failed, result, error: {code, message}, before, after, credential_reads, actor}
create or replace function app.tool_call_finish(tenant_id uuid, tool_call_id uuid, outcome jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call public.tool_calls%rowtype;
  v_read jsonb;
  v_base jsonb;
begin
  if outcome ->> 'status' not in ('succeeded', 'failed') then
    raise exception 'A finished call is succeeded or failed' using errcode = 'OR400', detail = 'invalid_outcome';
  end if;
  update public.tool_calls c
  set status = outcome ->> 'status', result = outcome -> 'result', error = outcome -> 'error',
    before = outcome -> 'before', after = outcome -> 'after', completed_at = now()
  where c.id = tool_call_finish.tool_call_id and c.tenant_id = tool_call_finish.tenant_id
    and c.status in ('queued', 'running')
  returning * into v_call;
  if v_call.id is null then
    return false;
  end if;
  v_base := jsonb_build_object('tool', v_call.tool, 'mode', v_call.mode, 'run_id', v_call.run_id,
    'step_key', v_call.step_key, 'agent', v_call.agent, 'tool_call_id', v_call.id, 'approval_id', v_call.approval_id,
    'arguments', v_call.arguments, 'args_hash', v_call.args_hash, 'requested_by', v_call.requested_by,
    'actor', coalesce(outcome ->> 'actor', 'tool-executor'));
  for v_read in select * from jsonb_array_elements(coalesce(outcome -> 'credential_reads', '[]'::jsonb)) loop
    perform app.tool_audit_write(v_call.tenant_id, v_base || jsonb_build_object('event', 'credential_read', 'result', v_read));
  end loop;
  perform app.tool_audit_write(v_call.tenant_id, v_base || jsonb_build_object(
    'event', case when v_call.status = 'succeeded' then 'executed' else 'failed' end,
    'result', v_call.result, 'before', v_call.before, 'after', v_call.after, 'error', v_call.error));
  perform app.event_emit(v_call.tenant_id, 'tool_call.finished', 'system', jsonb_build_object(
    'tool_call_id', v_call.id, 'tool', v_call.tool, 'status', v_call.status, 'run_id', v_call.run_id,
    'approval_id', v_call.approval_id, 'error', v_call.error -> 'code'));
  return true;
end;
$$;
comment on function app.tool_call_finish(uuid, uuid, jsonb) is 'Workers: records a call''s outcome once {status: succeeded|failed, result, error, before, after, credential_reads}: audit executed or failed (and credential_read rows), event tool_call.finished (the calling session resumes on it). False when it had already finished.';

-- Starts a call for the executor: checks its state before any adapter runs, so a redelivered
-- message never executes a call twice. state: run (go ahead: call and integration returned),
-- done (already finished: acknowledge), expired (past its deadline: failed, not run), unknown
-- (an http write whose worker died mid-request on an endpoint without idempotent retries:
-- failed as OUTCOME_UNKNOWN, never sent again), missing.
create or replace function app.tool_call_start(tenant_id uuid, tool_call_id uuid, msg_id bigint)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call public.tool_calls%rowtype;
  v_integration jsonb;
begin
  select * into v_call from public.tool_calls c
  where c.id = tool_call_start.tool_call_id and c.tenant_id = tool_call_start.tenant_id
  for update;
  if v_call.id is null then
    return jsonb_build_object('state', 'missing');
  end if;
  if v_call.status in ('succeeded', 'failed') then
    return jsonb_build_object('state', 'done', 'status', v_call.status);
  end if;
  if v_call.deadline_at <= clock_timestamp() then
    perform app.tool_call_finish(v_call.tenant_id, v_call.id, jsonb_build_object('status', 'failed',
      'error', jsonb_build_object('code', 'TIMED_OUT', 'message', 'The call was not started before its deadline')));
    return jsonb_build_object('state', 'expired');
  end if;
  select to_jsonb(i) - 'tenant_id' into v_integration from public.tool_integrations i
  where i.tenant_id = v_call.tenant_id and i.key = v_call.integration;
  -- GUARD: a call some worker already started and never finished
  if v_call.status = 'running' and v_call.adapter = 'http' and v_call.access = 'write'
      and not coalesce((v_integration ->> 'idempotent_retries')::boolean, false) then
    perform app.tool_call_finish(v_call.tenant_id, v_call.id, jsonb_build_object('status', 'failed',
      'error', jsonb_build_object('code', 'OUTCOME_UNKNOWN', 'message',
        'The worker stopped during the request and the endpoint does not honour Idempotency-Key: the call may or may not have happened, so it is not sent again')));
    return jsonb_build_object('state', 'unknown');
  end if;
  update public.tool_calls c
  set status = 'running', attempts = c.attempts + 1, started_at = coalesce(c.started_at, now()),
    msg_id = tool_call_start.msg_id
  where c.id = v_call.id
  returning * into v_call;
  return jsonb_build_object('state', 'run', 'call', to_jsonb(v_call), 'integration', v_integration);
end;
$$;
comment on function app.tool_call_start(uuid, uuid, bigint) is 'Workers: checks and starts a queued call before its adapter runs (the idempotency check): run, done (already finished), expired (past deadline: failed TIMED_OUT), unknown (an http write cut mid-request on an endpoint without idempotent retries: failed OUTCOME_UNKNOWN), missing.';

-- Puts a running call back to queued after an attempt that ended cleanly (a retry or a
-- deferral follows), so the next attempt is not taken for one cut off mid-request.
create or replace function app.tool_call_requeue(tenant_id uuid, tool_call_id uuid, error jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.tool_calls c set status = 'queued', error = tool_call_requeue.error
  where c.id = tool_call_requeue.tool_call_id and c.tenant_id = tool_call_requeue.tenant_id and c.status = 'running';
  return found;
end;
$$;
comment on function app.tool_call_requeue(uuid, uuid, jsonb) is 'Workers: returns a running call to queued (with the error of the attempt) when its job will be retried or deferred.';

-- Fails calls that never finished by their deadline (a lost message, a dead worker), so their
-- sessions resume.
create or replace function app.tool_calls_sweep()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_call record;
  v_count integer := 0;
begin
  for v_call in
    select c.id, c.tenant_id from public.tool_calls c
    where c.status in ('queued', 'running') and c.deadline_at < now() - interval '1 minute'
    order by c.deadline_at limit 500
  loop
    if app.tool_call_finish(v_call.tenant_id, v_call.id, jsonb_build_object('status', 'failed', 'actor', 'tick',
        'error', jsonb_build_object('code', 'TIMED_OUT', 'message', 'The call did not finish before its deadline'))) then
      v_count := v_count + 1;
    end if;
  end loop;
  return v_count;
end;
$$;
comment on function app.tool_calls_sweep() is 'Tick job: fails calls still queued or running a minute past their deadline (TIMED_OUT), so the sessions waiting on them resume.';
select app.tick_register('tool_calls', 'app.tool_calls_sweep', 95);

select app.lock_down();
