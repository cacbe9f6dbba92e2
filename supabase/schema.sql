-- Schema snapshot of public and app, written by scripts/schema-dump.sh (npm run schema:dump).
-- npm test fails when the migrations produce anything else: review the diff, then re-dump.

CREATE SCHEMA app;

COMMENT ON SCHEMA app IS 'Ora internals: security-definer functions, queues layer, private tables. Not exposed through the API.';

CREATE SCHEMA public;

COMMENT ON SCHEMA public IS 'standard public schema';

CREATE FUNCTION app.agent_memory_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.agent_memory_guard() IS 'Trigger: refuses agent_id and superseded_by outside the memory''s tenant; keeps updated_at and is_dirty for changes of what a memory says (not its statistics) and archived_at with is_archived.';

CREATE FUNCTION app.agent_memory_health_init() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  new.health_score := app.memory_health(new.importance, coalesce(new.created_at, now()), new.access_count,
    new.retrieval_count, new.avg_relevance, new.expires_at, new.superseded_at is not null,
    new.contradiction_count, now());
  return new;
end;
$$;

COMMENT ON FUNCTION app.agent_memory_health_init() IS 'Trigger: a new memory starts with its health score computed (maintenance recomputes it afterwards).';

CREATE FUNCTION app.agent_memory_index_sync() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_text text;
  v_body text;
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      delete from public.memory_index m
      where m.tenant_id = old.tenant_id and m.source_type = 'memory' and m.source_id = old.id;
    end if;
    return null;
  end if;
  if tg_op = 'UPDATE' and new.content is not distinct from old.content and new.summary is not distinct from old.summary
      and new.key is not distinct from old.key and new.memory_type is not distinct from old.memory_type then
    -- what a memory says is unchanged: only its attributes follow
    update public.memory_index m
    set memory_status = case when new.superseded_at is null then 'live' else 'superseded' end,
      agent_id = new.agent_id, health = new.health_score, cold = new.is_archived,
      metadata = m.metadata || jsonb_build_object('importance', new.importance, 'tier', new.tier)
    where m.tenant_id = new.tenant_id and m.source_type = 'memory' and m.source_id = new.id
      and (m.memory_status, m.agent_id, m.health, m.cold, m.metadata ->> 'importance', m.metadata ->> 'tier')
        is distinct from (case when new.superseded_at is null then 'live' else 'superseded' end, new.agent_id,
          new.health_score, new.is_archived, new.importance::text, new.tier);
    return null;
  end if;
  v_body := app.memory_content_text(new.content);
  v_text := case when nullif(btrim(new.summary), '') is null or btrim(new.summary) = btrim(v_body) then v_body
                 else btrim(new.summary) || E'\n' || v_body end;
  perform app.memory_index_put(new.tenant_id, 'memory', new.id, new.memory_type || ': ' || new.key, v_text,
    jsonb_build_object('memory_type', new.memory_type,
      'memory_status', case when new.superseded_at is null then 'live' else 'superseded' end,
      'agent_id', new.agent_id, 'health', new.health_score, 'cold', new.is_archived,
      'source_created_at', new.created_at,
      'metadata', jsonb_build_object('key', new.key, 'importance', new.importance, 'tier', new.tier)));
  return null;
end;
$$;

COMMENT ON FUNCTION app.agent_memory_index_sync() IS 'Trigger: keeps a memory''s chunks in memory_index (text on changes of content, summary, key or type; status, agent, health and tier otherwise), in the same transaction.';

CREATE FUNCTION app.agent_pack_install(tenant_id uuid, pack text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.agent_pack_install(tenant_id uuid, pack text) IS 'Installs an agent pack (content, industrial) into a tenant; idempotent.';

CREATE FUNCTION app.agent_persona_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.agent_persona_version() IS 'Trigger (before and after): bumps agents.persona_version and stores each persona version in agent_personas.';

CREATE FUNCTION app.agent_snapshot(tenant_id uuid, slug text) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select jsonb_build_object('id', a.id, 'slug', a.slug, 'name', a.name, 'persona', a.persona,
    'persona_version', a.persona_version, 'model_settings', a.model_settings, 'allowed_tools', a.allowed_tools,
    'memory_types', a.memory_types, 'can_spawn', a.can_spawn,
    'skills', coalesce((select jsonb_agg(jsonb_build_object('key', s.key, 'version', s.version, 'name', s.name,
        'instructions', s.instructions) order by s.key)
      from (select distinct on (k.key) k.key, k.version, k.name, k.instructions from public.skills k
            where k.tenant_id = a.tenant_id and k.key = any(a.skills) and k.enabled
            order by k.key, k.version desc) s), '[]'::jsonb),
    'policy', t.settings ->> 'policy')
  from public.agents a join public.tenants t on t.id = a.tenant_id
  where a.tenant_id = agent_snapshot.tenant_id and a.slug = agent_snapshot.slug and a.is_active
    and (a.expires_at is null or a.expires_at > now())
$$;

COMMENT ON FUNCTION app.agent_snapshot(tenant_id uuid, slug text) IS 'The definition a session of this agent runs with (persona, model settings, tools, skills, tenant policy); copied into the run at spawn so later edits never change a session in flight.';

CREATE FUNCTION app.api_key_consume(api_key_id uuid, client_ip inet) RETURNS TABLE(status text, retry_after integer, limit_per_minute integer, remaining_minute integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_key public.api_keys%rowtype;
  v_now timestamptz := now();
  v_minute timestamptz := date_trunc('minute', v_now);
  v_day timestamptz := date_trunc('day', v_now at time zone 'UTC') at time zone 'UTC';
  v_minute_hits integer;
  v_day_hits integer;
begin
  select * into v_key from public.api_keys k where k.id = api_key_consume.api_key_id;
  if not found or not v_key.is_active or v_key.revoked_at is not null then
    return query select 'revoked'::text, null::integer, null::integer, null::integer;
    return;
  end if;
  if v_key.expires_at is not null and v_key.expires_at <= v_now then
    return query select 'expired'::text, null::integer, null::integer, null::integer;
    return;
  end if;
  if cardinality(v_key.allowed_ips) > 0 and (client_ip is null
      or not exists (select 1 from unnest(v_key.allowed_ips) as a(net) where api_key_consume.client_ip <<= a.net)) then
    return query select 'ip_not_allowed'::text, null::integer, null::integer, null::integer;
    return;
  end if;

  -- COUNT: both windows, atomically (concurrent gateways serialize on the counter rows)
  insert into app.rate_counters as c (api_key_id, window_kind, window_start, hits)
  values (v_key.id, 'minute', v_minute, 1)
  on conflict on constraint rate_counters_pkey do update set hits = c.hits + 1
  returning c.hits into v_minute_hits;
  if v_minute_hits > v_key.rate_limit_per_minute then
    return query select 'rate_limited_minute'::text,
      greatest(1, ceil(extract(epoch from (v_minute + interval '1 minute' - v_now)))::integer),
      v_key.rate_limit_per_minute, 0;
    return;
  end if;

  insert into app.rate_counters as c (api_key_id, window_kind, window_start, hits)
  values (v_key.id, 'day', v_day, 1)
  on conflict on constraint rate_counters_pkey do update set hits = c.hits + 1
  returning c.hits into v_day_hits;
  if v_day_hits > v_key.rate_limit_per_day then
    return query select 'rate_limited_day'::text,
      greatest(1, ceil(extract(epoch from (v_day + interval '1 day' - v_now)))::integer),
      v_key.rate_limit_per_minute, 0;
    return;
  end if;

  return query select 'ok'::text, null::integer, v_key.rate_limit_per_minute,
    v_key.rate_limit_per_minute - v_minute_hits;
end;
$$;

COMMENT ON FUNCTION app.api_key_consume(api_key_id uuid, client_ip inet) IS 'Gateway only: checks revocation, expiry and IP allowlist, then counts the request against the per-minute and per-day limits atomically. Returns ok or the reason to refuse (with retry_after seconds for rate limits). Usage statistics (total_requests, last_used_*) are written in batches by app.api_key_usage_record.';

CREATE FUNCTION app.api_key_lookup(key_prefix text) RETURNS TABLE(id uuid, tenant_id uuid, key_hash text, scopes text[])
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select k.id, k.tenant_id, k.key_hash, k.scopes
  from public.api_keys k
  where k.key_prefix = api_key_lookup.key_prefix
$$;

COMMENT ON FUNCTION app.api_key_lookup(key_prefix text) IS 'Gateway only: key id, tenant, hash and scopes for a key prefix. The caller compares hashes in constant time.';

CREATE FUNCTION app.api_key_usage_record(uses jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_ids uuid[] := array(select u.id from jsonb_to_recordset(api_key_usage_record.uses) as u (id uuid));
begin
  perform 1 from public.tenants t
  where t.id in (select k.tenant_id from public.api_keys k where k.id = any (v_ids))
  order by t.id
  for key share;
  perform 1 from public.api_keys k where k.id = any (v_ids) order by k.id for no key update;
  update public.api_keys k
  set total_requests = k.total_requests + u.n,
    last_used_at = greatest(k.last_used_at, u.at),
    last_used_ip = case when k.last_used_at is null or u.at >= k.last_used_at then u.ip else k.last_used_ip end
  from jsonb_to_recordset(api_key_usage_record.uses) as u (id uuid, n bigint, at timestamptz, ip inet)
  where k.id = u.id;
end;
$$;

COMMENT ON FUNCTION app.api_key_usage_record(uses jsonb) IS 'Gateway only: adds batched request counts and the latest use (time, client IP) to api_keys, locking the keys'' tenants (key share) and then the keys in id order so concurrent flushes and tenant deletions cannot deadlock. Rate limits do not depend on it (app.api_key_consume counts exactly); these are statistics, flushed every ~100 ms.';

CREATE TABLE public.approvals (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    request_key text NOT NULL,
    run_id uuid,
    step_key text,
    tool text NOT NULL,
    arguments jsonb NOT NULL,
    args_hash text NOT NULL,
    mode text NOT NULL,
    agent text,
    risk_score integer DEFAULT 0 NOT NULL,
    risk_class text NOT NULL,
    decision jsonb DEFAULT '{}'::jsonb NOT NULL,
    requested_by text,
    requested_by_user_id uuid,
    requested_by_key_id uuid,
    approver_roles text[] DEFAULT ARRAY['owner'::text, 'admin'::text] NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    decided_by text,
    decided_by_user_id uuid,
    decided_by_key_id uuid,
    decided_at timestamp with time zone,
    reason text,
    tool_call_id uuid,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT approvals_approver_roles_check CHECK (((approver_roles <@ ARRAY['owner'::text, 'admin'::text, 'member'::text]) AND (cardinality(approver_roles) > 0))),
    CONSTRAINT approvals_args_hash_check CHECK ((args_hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT approvals_check CHECK (((status = 'pending'::text) OR (decided_at IS NOT NULL))),
    CONSTRAINT approvals_mode_check CHECK ((mode = ANY (ARRAY['assist'::text, 'copilot'::text, 'autonomous'::text]))),
    CONSTRAINT approvals_reason_check CHECK ((length(reason) <= 2000)),
    CONSTRAINT approvals_request_key_check CHECK (((length(request_key) >= 1) AND (length(request_key) <= 300))),
    CONSTRAINT approvals_risk_score_check CHECK (((risk_score >= 0) AND (risk_score <= 100))),
    CONSTRAINT approvals_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text, 'expired'::text, 'withdrawn'::text])))
);

ALTER TABLE ONLY public.approvals FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.approvals IS 'The approval queue: tool calls waiting for a person''s decision (approvals.list|get|approve|reject). Each binds to its exact arguments (args_hash), expires at expires_at, is decided once, and can be used for one call.';

COMMENT ON COLUMN public.approvals.request_key IS 'Idempotency of the request: run:<run id>:<step> for a session''s call (a replayed gate step finds its approval), api:<key> for tools.execute.';

COMMENT ON COLUMN public.approvals.run_id IS 'The session (run) parked on this approval; null for calls made through tools.execute.';

COMMENT ON COLUMN public.approvals.step_key IS 'The gate step of the session that asked (gate:<turn>:<call id>); null for tools.execute.';

COMMENT ON COLUMN public.approvals.tool IS 'Registry name of the tool to run (e.g. scada.set_setpoint).';

COMMENT ON COLUMN public.approvals.arguments IS 'The exact arguments the approver sees and approves.';

COMMENT ON COLUMN public.approvals.args_hash IS 'app.tool_args_hash(arguments): a call with other arguments cannot use this approval.';

COMMENT ON COLUMN public.approvals.mode IS 'The gate mode that asked: copilot (every write) or autonomous (no policy clearly allowed it).';

COMMENT ON COLUMN public.approvals.agent IS 'Slug of the agent whose session asked; null for tools.execute.';

COMMENT ON COLUMN public.approvals.risk_score IS '0-100 from the tool''s risk class, the asset''s criticality and the amount (docs/tools.md#risk).';

COMMENT ON COLUMN public.approvals.risk_class IS 'Risk class of the call: none, low, medium, high or critical.';

COMMENT ON COLUMN public.approvals.decision IS 'Why the gate asked: {action, risk, reasons[], policy}.';

COMMENT ON COLUMN public.approvals.requested_by IS 'key:<id>, user:<id> or service_role: the starter of the session (or the caller of tools.execute). They can never decide it.';

COMMENT ON COLUMN public.approvals.requested_by_user_id IS 'The user who started the session (or called tools.execute); they may not decide it.';

COMMENT ON COLUMN public.approvals.requested_by_key_id IS 'The API key that started the session (or called tools.execute); it may not decide it.';

COMMENT ON COLUMN public.approvals.approver_roles IS 'Member roles that may decide it (from the policy, settings.approvals.roles, or owner and admin). Approver keys (scope approvals:write) count as admin.';

COMMENT ON COLUMN public.approvals.status IS 'pending → approved | rejected (by a person) | expired (expires_at passed; the session resumes as rejected) | withdrawn (the session that asked finished — was cancelled or failed — before anyone decided).';

COMMENT ON COLUMN public.approvals.expires_at IS 'After this a pending approval expires (policy approval_ttl_seconds, settings.approvals.ttl_seconds or an hour).';

COMMENT ON COLUMN public.approvals.decided_by IS 'user:<id> or key:<id> of the approver.';

COMMENT ON COLUMN public.approvals.decided_by_user_id IS 'The user who approved or rejected it.';

COMMENT ON COLUMN public.approvals.decided_by_key_id IS 'The API key (scope approvals:write) that approved or rejected it.';

COMMENT ON COLUMN public.approvals.decided_at IS 'When it was approved, rejected, expired or withdrawn.';

COMMENT ON COLUMN public.approvals.reason IS 'The approver''s reason; a rejection''s reason is what the model reads.';

COMMENT ON COLUMN public.approvals.tool_call_id IS 'The call that used this approval (an approval is used once).';

COMMENT ON COLUMN public.approvals.used_at IS 'When an approved call used it (an approval is used once).';

CREATE FUNCTION app.approval_audit(approval public.approvals) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select app.tool_audit_write(approval_audit.approval.tenant_id, jsonb_build_object(
    'event', approval_audit.approval.status, 'tool', approval_audit.approval.tool,
    'mode', approval_audit.approval.mode, 'run_id', approval_audit.approval.run_id,
    'step_key', approval_audit.approval.step_key, 'agent', approval_audit.approval.agent,
    'approval_id', approval_audit.approval.id, 'arguments', approval_audit.approval.arguments,
    'args_hash', approval_audit.approval.args_hash,
    'decision', jsonb_build_object('decision', approval_audit.approval.status, 'reason', approval_audit.approval.reason),
    'requested_by', approval_audit.approval.requested_by, 'actor', approval_audit.approval.decided_by))
$$;

COMMENT ON FUNCTION app.approval_audit(approval public.approvals) IS 'Internal: writes the tool_audit entry of an approval''s new status (event = status, actor = decided_by).';

CREATE FUNCTION app.approval_check_waitpoint(waitpoint_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approval_check_waitpoint(waitpoint_id uuid) IS 'Internal: resolves an approval waitpoint at once when its approval was already decided or has expired (called by app.run_park; locks the approval so a concurrent decision is never missed).';

CREATE FUNCTION app.approval_decide(tenant_id uuid, approval_id uuid, decision text, reason text, decider jsonb, expected_hash text DEFAULT NULL::text) RETURNS public.approvals
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approval_decide(tenant_id uuid, approval_id uuid, decision text, reason text, decider jsonb, expected_hash text) IS 'Decides a pending approval once (approved | rejected with a reason) for decider {kind: user|api_key, user_id|key_id}: a member whose role is in approver_roles, or an approver key (counts as admin); never the requester. Audit, event approval.decided, and the parked run resumes. Reasons: approval_not_found, not_a_member, not_an_approver, self_approval, insufficient_role, approval_expired, approval_withdrawn, approval_already_decided, arguments_changed, reason_required.';

CREATE FUNCTION app.approval_expire(approval public.approvals) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approval_expire(approval public.approvals) IS 'Internal: expires a pending approval (audit expired, event approval.expired) and resumes the runs parked on it as rejected.';

CREATE FUNCTION app.approval_lock(tenant_id uuid, approval_id uuid) RETURNS public.approvals
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approval_lock(tenant_id uuid, approval_id uuid) IS 'Internal: locks the run parked on an approval, then the approval (the order app.run_park takes them in), and returns the approval (null when not in this tenant).';

CREATE FUNCTION app.approval_resolve_waits(approval public.approvals) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approval_resolve_waits(approval public.approvals) IS 'Internal: resumes the runs parked on a decided or expired approval, with app.approval_result as the wait''s result.';

CREATE FUNCTION app.approval_result(approval public.approvals) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select jsonb_build_object('approval_id', approval_result.approval.id, 'decision', approval_result.approval.status,
    'reason', approval_result.approval.reason, 'decided_by', approval_result.approval.decided_by,
    'decided_at', approval_result.approval.decided_at, 'args_hash', approval_result.approval.args_hash)
$$;

COMMENT ON FUNCTION app.approval_result(approval public.approvals) IS 'Internal: {approval_id, decision, reason, decided_by, decided_at, args_hash}: what a run parked on an approval resumes with.';

CREATE FUNCTION app.approvals_expire_due() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approvals_expire_due() IS 'Tick job: expires pending approvals past expires_at (audit, approval.expired) and resumes their sessions as rejected.';

CREATE FUNCTION app.approvals_withdraw_on_run_end() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approvals_withdraw_on_run_end() IS 'Internal: trigger — when a run finishes, its pending approvals become withdrawn (audit withdrawn, event approval.withdrawn).';

CREATE FUNCTION app.approvers_available(tenant_id uuid, requested_by_user_id uuid, requested_by_key_id uuid) RETURNS text[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.approvers_available(tenant_id uuid, requested_by_user_id uuid, requested_by_key_id uuid) IS 'Roles that could decide an approval for this requester: member roles of other members, and admin for each active approver key (scope *, approvals:* or approvals:write, not an agent''s key) other than the requesting key.';

CREATE FUNCTION app.automation_fire(tenant_id uuid, automation_id uuid, trigger jsonb, opts jsonb DEFAULT '{}'::jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_a public.automations%rowtype;
  v_chain uuid[];
  v_window app.automation_windows%rowtype;
  v_run public.runs%rowtype;
  v_recent integer;
  v_fire_at timestamptz;
  v_max_size integer;
  v_full boolean;
begin
  -- no row lock: firings of one automation run in parallel (a busy event automation is not
  -- serialised on its row); only caps, cooldowns and windows serialise, on an advisory lock
  select * into v_a from public.automations a
  where a.id = automation_fire.automation_id and a.tenant_id = automation_fire.tenant_id;
  if not found then
    raise exception 'No automation % in this tenant', automation_fire.automation_id using errcode = 'OR404', detail = 'automation_not_found';
  end if;
  -- GUARD: a repeated firing with the same idempotency key (a retried chain step) is the same run
  if opts ->> 'idempotency_key' is not null then
    select * into v_run from public.runs r
    where r.tenant_id = automation_fire.tenant_id and r.idempotency_key = opts ->> 'idempotency_key';
    if found then
      return jsonb_build_object('status', 'started', 'run_id', v_run.id, 'existing', true);
    end if;
  end if;
  if v_a.status <> 'active' and not coalesce((opts ->> 'force')::boolean, false) then
    return jsonb_build_object('status', 'skipped', 'reason', 'automation_' || v_a.status);
  end if;

  -- GUARD: loop protection — an automation never fires from its own run's effects
  v_chain := coalesce((select array_agg(x::uuid) from jsonb_array_elements_text(trigger -> 'chain') x), '{}');
  if v_a.id = any(v_chain) or cardinality(v_chain) >= 8 then
    perform app.event_emit(v_a.tenant_id, 'automation.loop_stopped', 'automation', jsonb_build_object(
      'automation_id', v_a.id, 'slug', v_a.slug, 'chain', to_jsonb(v_chain), 'trigger', trigger - 'data'));
    update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
    return jsonb_build_object('status', 'skipped', 'reason', 'loop');
  end if;

  if opts -> 'window' is not null or v_a.cooldown_seconds > 0 or v_a.max_runs_per_hour is not null
      or v_a.max_runs_per_day is not null then
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.automation_fire:' || v_a.id::text));
  end if;

  -- WINDOWS: a later event joins or extends the open debounce/batch window
  if opts -> 'window' is not null then
    select * into v_window from app.automation_windows w
    where w.automation_id = v_a.id and w.window_key = coalesce(opts -> 'window' ->> 'key', '') and not w.closed
    for update;
    if found and exists (select 1 from public.runs r where r.id = v_window.run_id and not app.run_is_terminal(r.status)) then
      v_max_size := (opts -> 'window' ->> 'max_size')::integer;
      if v_window.mode = 'debounce' then
        v_fire_at := now() + make_interval(secs => (opts -> 'window' ->> 'seconds')::numeric);
        -- events are routed concurrently: the latest event wins, whichever is routed last
        update app.automation_windows w set fire_at = v_fire_at,
          events = case when (trigger -> 'event' ->> 'created_at')::timestamptz
              >= coalesce((w.events -> 0 -> 'event' ->> 'created_at')::timestamptz, '-infinity')
            then jsonb_build_array(trigger) else w.events end
        where w.run_id = v_window.run_id;
      else
        v_full := v_max_size is not null and jsonb_array_length(v_window.events) + 1 >= v_max_size;
        v_fire_at := case when v_full then now() else v_window.fire_at end;
        update app.automation_windows w set events = w.events || jsonb_build_array(trigger), fire_at = v_fire_at,
          closed = v_full
        where w.run_id = v_window.run_id;
      end if;
      -- move the parked run's timer with the window (a full batch resumes it now)
      if v_fire_at <= now() then
        perform app.waitpoint_resolve(wp.id, 'resolved', jsonb_build_object('window', 'full'))
        from public.run_waitpoints wp
        where wp.run_id = v_window.run_id and wp.kind = 'time' and wp.status = 'pending';
      else
        update public.run_waitpoints wp set resume_at = v_fire_at
        where wp.run_id = v_window.run_id and wp.kind = 'time' and wp.status = 'pending';
      end if;
      return jsonb_build_object('status', 'joined', 'run_id', v_window.run_id, 'fire_at', v_fire_at);
    end if;
    -- a window whose run ended without taking it is stale
    delete from app.automation_windows w where w.automation_id = v_a.id
      and w.window_key = coalesce(opts -> 'window' ->> 'key', '') and not w.closed;
  end if;

  -- SKIP IF RUNNING: a schedule whose previous run has not finished skips this firing
  if trigger ->> 'type' = 'schedule' and coalesce((v_a.trigger_config ->> 'skipIfRunning')::boolean, true)
      and exists (select 1 from public.runs r where r.tenant_id = v_a.tenant_id and r.kind = 'automation'
        and r.subject = v_a.id::text and not app.run_is_terminal(r.status)) then
    update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
    return jsonb_build_object('status', 'skipped', 'reason', 'still_running');
  end if;

  -- CAPS AND COOLDOWN (manual firings are not capped)
  if trigger ->> 'type' <> 'manual' then
    if v_a.cooldown_seconds > 0 and exists (select 1 from public.runs r
        where r.tenant_id = v_a.tenant_id and r.kind = 'automation' and r.subject = v_a.id::text
          and r.created_at > now() - make_interval(secs => v_a.cooldown_seconds)) then
      update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
      return jsonb_build_object('status', 'skipped', 'reason', 'cooldown');
    end if;
    if v_a.max_runs_per_hour is not null or v_a.max_runs_per_day is not null then
      select count(*) filter (where r.created_at > now() - interval '1 hour') into v_recent
      from public.runs r
      where r.tenant_id = v_a.tenant_id and r.kind = 'automation' and r.subject = v_a.id::text
        and r.created_at > now() - interval '1 day';
      if v_a.max_runs_per_hour is not null and v_recent >= v_a.max_runs_per_hour then
        update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
        return jsonb_build_object('status', 'skipped', 'reason', 'max_runs_per_hour');
      end if;
      if v_a.max_runs_per_day is not null and (select count(*) from public.runs r
          where r.tenant_id = v_a.tenant_id and r.kind = 'automation' and r.subject = v_a.id::text
            and r.created_at > now() - interval '1 day') >= v_a.max_runs_per_day then
        update public.automations a set skipped_runs = a.skipped_runs + 1 where a.id = v_a.id;
        return jsonb_build_object('status', 'skipped', 'reason', 'max_runs_per_day');
      end if;
    end if;
  end if;

  v_run := app.run_create(v_a.tenant_id, jsonb_build_object(
    'kind', 'automation', 'subject', v_a.id::text,
    'parent_run_id', opts ->> 'parent_run_id',
    -- two attempts to spare for a worker that dies mid-run (the engine stops action retries at max_retries)
    'max_attempts', case when v_a.on_error = 'retry' then v_a.max_retries + 1 else 1 end + 2,
    'idempotency_key', opts ->> 'idempotency_key',
    'created_by', 'automation:' || v_a.id,
    'input', jsonb_build_object(
      'automation', jsonb_build_object('id', v_a.id, 'name', v_a.name, 'slug', v_a.slug, 'version', v_a.version,
        'trigger_type', v_a.trigger_type, 'trigger_config', v_a.trigger_config, 'conditions', v_a.conditions,
        'actions', v_a.actions, 'on_error', v_a.on_error, 'max_retries', v_a.max_retries,
        'retry_delay_seconds', v_a.retry_delay_seconds, 'run_scopes', to_jsonb(v_a.run_scopes)),
      'trigger', trigger || jsonb_build_object('chain', to_jsonb(v_chain || v_a.id), 'timestamp', now()),
      'window', case when opts -> 'window' is not null then opts -> 'window' end),
    'definition_version', v_a.id || ':' || v_a.version));
  if opts -> 'window' is not null then
    v_fire_at := case when opts -> 'window' ->> 'mode' = 'debounce'
      then now() + make_interval(secs => (opts -> 'window' ->> 'seconds')::numeric)
      else now() + make_interval(secs => (opts -> 'window' ->> 'max_wait')::numeric) end;
    v_full := opts -> 'window' ->> 'mode' = 'batch' and coalesce((opts -> 'window' ->> 'max_size')::integer, 2) <= 1;
    insert into app.automation_windows (automation_id, window_key, tenant_id, run_id, mode, events, fire_at, closed)
    values (v_a.id, coalesce(opts -> 'window' ->> 'key', ''), v_a.tenant_id, v_run.id, opts -> 'window' ->> 'mode',
      jsonb_build_array(trigger), case when v_full then now() else v_fire_at end, v_full);
  end if;
  return jsonb_build_object('status', 'started', 'run_id', v_run.id);
end;
$$;

COMMENT ON FUNCTION app.automation_fire(tenant_id uuid, automation_id uuid, trigger jsonb, opts jsonb) IS 'Fires an automation (status, loop protection, cooldown, per-hour/day caps) by starting its run, or joins the open debounce/batch window. Returns {status: started|joined|skipped, reason, run_id}.';

CREATE FUNCTION app.automation_hook_accept(automation_id uuid, webhook_id text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  delete from app.automation_hook_ids h where h.received_at < now() - interval '7 days';
  insert into app.automation_hook_ids (automation_id, webhook_id) values (automation_hook_accept.automation_id, automation_hook_accept.webhook_id)
  on conflict on constraint automation_hook_ids_pkey do nothing;
  return found;
end;
$$;

COMMENT ON FUNCTION app.automation_hook_accept(automation_id uuid, webhook_id text) IS 'Inbound endpoint only: records a webhook-id for the automation; false if it was already accepted (the request is a replay).';

CREATE FUNCTION app.automation_hook_secret(automation_id uuid) RETURNS TABLE(tenant_id uuid, secret text, status text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_h app.automation_hooks%rowtype;
begin
  select * into v_h from app.automation_hooks h where h.automation_id = automation_hook_secret.automation_id;
  if not found then
    return;
  end if;
  tenant_id := v_h.tenant_id;
  select a.status into status from public.automations a where a.id = v_h.automation_id and a.trigger_type = 'webhook';
  if status is null then
    return;
  end if;
  if v_h.vault_secret_id is not null then
    execute format('select decrypted_secret from %I.decrypted_secrets where id = $1', 'vault') into secret using v_h.vault_secret_id;
  else
    secret := extensions.pgp_sym_decrypt(v_h.secret_enc, app.local_encryption_key());
  end if;
  return next;
end;
$_$;

COMMENT ON FUNCTION app.automation_hook_secret(automation_id uuid) IS 'Inbound endpoint only: the tenant, signing secret and status of a webhook-triggered automation (no row for anything else).';

CREATE FUNCTION app.automation_hook_set(tenant_id uuid, automation_id uuid, secret text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_vault uuid;
  v_key text;
begin
  if not exists (select 1 from public.automations a where a.id = automation_hook_set.automation_id and a.tenant_id = automation_hook_set.tenant_id) then
    raise exception 'No automation % in this tenant', automation_hook_set.automation_id using errcode = 'OR404', detail = 'automation_not_found';
  end if;
  delete from app.automation_hooks h where h.automation_id = automation_hook_set.automation_id;
  if to_regclass('vault.secrets') is not null then
    execute format('select %I.create_secret($1, $2)', 'vault') into v_vault
      using automation_hook_set.secret, 'ora:hook:' || automation_hook_set.automation_id || ':' || gen_random_uuid();
    insert into app.automation_hooks (automation_id, tenant_id, vault_secret_id)
    values (automation_hook_set.automation_id, automation_hook_set.tenant_id, v_vault);
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: no Vault and no local encryption key' using errcode = '55000';
    end if;
    insert into app.automation_hooks (automation_id, tenant_id, secret_enc)
    values (automation_hook_set.automation_id, automation_hook_set.tenant_id, extensions.pgp_sym_encrypt(automation_hook_set.secret, v_key));
  end if;
end;
$_$;

COMMENT ON FUNCTION app.automation_hook_set(tenant_id uuid, automation_id uuid, secret text) IS 'Stores (replaces) the signing secret of a webhook-triggered automation; never returned except by app.automation_hook_secret to the inbound endpoint.';

CREATE FUNCTION app.automation_on_run_finished() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_ms integer := (extract(epoch from (new.completed_at - coalesce(new.started_at, new.created_at))) * 1000)::integer;
  v_outcome text := case when new.status = 'completed' then coalesce(new.output ->> 'status', 'success') else new.status end;
begin
  update public.automations a set
    total_runs = a.total_runs + case when v_outcome = 'skipped' then 0 else 1 end,
    last_run_at = greatest(a.last_run_at, new.created_at),
    successful_runs = a.successful_runs + case when v_outcome in ('success', 'partial') then 1 else 0 end,
    failed_runs = a.failed_runs + case when v_outcome = 'failed' then 1 else 0 end,
    skipped_runs = a.skipped_runs + case when v_outcome = 'skipped' then 1 else 0 end,
    last_success_at = case when v_outcome in ('success', 'partial') then now() else a.last_success_at end,
    last_error_at = case when v_outcome = 'failed' then now() else a.last_error_at end,
    last_error = case when v_outcome = 'failed' then coalesce(new.error ->> 'message', new.output ->> 'error') else a.last_error end,
    avg_duration_ms = case when v_outcome in ('success', 'partial', 'failed')
      then coalesce((a.avg_duration_ms * 9 + v_ms) / 10, v_ms) else a.avg_duration_ms end
  where a.id = new.subject::uuid and a.tenant_id = new.tenant_id;
  return null;
end;
$$;

COMMENT ON FUNCTION app.automation_on_run_finished() IS 'Trigger (after an automation run finishes): updates its automation''s counts (total_runs counts finished runs; conditions-skipped runs count as skipped), last run, last success/error and a moving average duration. Counted at the end, not at the firing, so firings never wait on the automation row.';

CREATE FUNCTION app.automation_schedule_set(tenant_id uuid, automation_id uuid, next_run_at timestamp with time zone, only_if_unset boolean DEFAULT true) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  with updated as (
    update public.automations a
    set next_run_at = automation_schedule_set.next_run_at,
      status = case when automation_schedule_set.next_run_at is null and a.trigger_type = 'schedule'
        and a.trigger_config ? 'runAt' then 'completed' else a.status end
    where a.id = automation_schedule_set.automation_id and a.tenant_id = automation_schedule_set.tenant_id
      and (not automation_schedule_set.only_if_unset or a.next_run_at is null)
    returning 1)
  select exists (select 1 from updated)
$$;

COMMENT ON FUNCTION app.automation_schedule_set(tenant_id uuid, automation_id uuid, next_run_at timestamp with time zone, only_if_unset boolean) IS 'Workers: records the next firing of a schedule automation (null ends a one-time schedule: status completed); by default only when none is set (a change made meanwhile wins).';

CREATE FUNCTION app.automation_window_take(tenant_id uuid, run_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_window app.automation_windows%rowtype;
begin
  select * into v_window from app.automation_windows w
  where w.run_id = automation_window_take.run_id and w.tenant_id = automation_window_take.tenant_id
  for update;
  if not found then
    return jsonb_build_object('due', true, 'events', '[]'::jsonb, 'closed', true);
  end if;
  if v_window.fire_at > now() then
    return jsonb_build_object('due', false, 'fire_at', v_window.fire_at);
  end if;
  delete from app.automation_windows w where w.run_id = v_window.run_id;
  -- in the order the events happened (they are routed concurrently)
  return jsonb_build_object('due', true, 'events', (select coalesce(jsonb_agg(e.value
      order by (e.value -> 'event' ->> 'created_at')::timestamptz nulls last, e.ordinality), '[]'::jsonb)
    from jsonb_array_elements(v_window.events) with ordinality e), 'mode', v_window.mode, 'key', v_window.window_key);
end;
$$;

COMMENT ON FUNCTION app.automation_window_take(tenant_id uuid, run_id uuid) IS 'Workers: closes a debounce/batch run''s window once due and returns its events ({due, events}); not yet due → {due: false, fire_at}.';

CREATE FUNCTION app.automations_schedule_due() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_a record;
  v_count integer := 0;
begin
  for v_a in
    select a.id, a.tenant_id, a.next_run_at from public.automations a
    where a.status = 'active' and a.trigger_type = 'schedule' and a.next_run_at <= now()
    order by a.next_run_at limit 500
    for update skip locked
  loop
    update public.automations a set next_run_at = null where a.id = v_a.id;
    perform app.automation_fire(v_a.tenant_id, v_a.id, jsonb_build_object('type', 'schedule',
      'data', jsonb_build_object('scheduled_for', v_a.next_run_at)));
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.automations_schedule_due() IS 'Tick job: fires every active schedule automation whose next_run_at has come (its run computes the following one).';

CREATE FUNCTION app.automations_schedule_request() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if new.trigger_type = 'schedule' and new.status = 'active' and new.next_run_at is null
      and (tg_op = 'INSERT' or old.next_run_at is not null or old.status <> 'active'
        or old.trigger_config is distinct from new.trigger_config) then
    perform pgmq.send('events', jsonb_build_object('kind', 'schedule', 'tenant_id', new.tenant_id,
      'automation_id', new.id, 'after', case when tg_op = 'UPDATE' then old.next_run_at end));
    perform app.queue_wake('events', 'schedule');
  end if;
  return null;
end;
$$;

COMMENT ON FUNCTION app.automations_schedule_request() IS 'Trigger (after insert or update on automations): an active schedule automation without next_run_at gets its next firing computed by the trigger-engine (message kind schedule on the events queue, after = the firing it just had).';

CREATE FUNCTION app.automations_want(tenant_id uuid, event_type text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  return (select exists (select 1 from public.automations a
    where a.tenant_id = automations_want.tenant_id and a.status = 'active'
      and a.event_names && array[automations_want.event_type, '*']));
end;
$$;

COMMENT ON FUNCTION app.automations_want(tenant_id uuid, event_type text) IS 'Whether an active event automation of the tenant listens to event_type (or to *).';

CREATE FUNCTION app.blog_post_index_sync() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      delete from public.memory_index m
      where m.tenant_id = old.tenant_id and m.source_type = 'post' and m.source_id = old.id;
    end if;
    return null;
  end if;
  perform app.memory_index_put(new.tenant_id, 'post', new.id, new.title,
    concat_ws(E'\n\n', nullif(btrim(new.excerpt), ''), nullif(btrim(new.content), ''), new.title),
    jsonb_build_object('source_created_at', coalesce(new.published_at, new.created_at),
      'metadata', jsonb_build_object('slug', new.slug, 'status', new.status, 'tags', to_jsonb(new.tags))));
  return null;
end;
$$;

COMMENT ON FUNCTION app.blog_post_index_sync() IS 'Trigger: keeps a blog post''s chunks (excerpt and body) in memory_index, in the same transaction.';

CREATE FUNCTION app.breaker_allow(tenant_id uuid, key text) RETURNS TABLE(allowed boolean, state text, retry_in_ms integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.breaker_allow(tenant_id uuid, key text) IS 'Workers: may this tenant call this dependency now? An open breaker answers no with retry_in_ms until open_until; then one probe goes through (half_open) while the rest wait for its outcome.';

CREATE FUNCTION app.breaker_record(tenant_id uuid, key text, ok boolean, error text DEFAULT NULL::text, retry_after_seconds integer DEFAULT NULL::integer) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.breaker_record(tenant_id uuid, key text, ok boolean, error text, retry_after_seconds integer) IS 'Workers: records a call outcome for a breaker and returns its new state. Closing releases the work deferred on breaker:<key>; opening lasts the cooldown or the dependency''s Retry-After.';

CREATE FUNCTION app.breaker_released(tenant_id uuid, release_key text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_state text;
begin
  select b.state into v_state from public.circuit_breakers b
  where b.tenant_id = breaker_released.tenant_id and b.key = substr(breaker_released.release_key, length('breaker:') + 1)
  for share;
  return coalesce(v_state = 'closed', false);
end;
$$;

COMMENT ON FUNCTION app.breaker_released(tenant_id uuid, release_key text) IS 'Internal: release check for breaker:<key> deferrals — true when the breaker is closed.';

CREATE FUNCTION app.budget_assert(tenant_id uuid) RETURNS void
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.budget_assert(tenant_id uuid) IS 'Refuses new work (BUDGET_EXCEEDED) when a tenant with a hard limit has spent its monthly budget.';

CREATE FUNCTION app.budget_status(tenant_id uuid) RETURNS TABLE(period date, spent_usd numeric, budget_usd numeric, hard_limit boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  with p as (select date_trunc('month', now() at time zone 'UTC')::date as period)
  select p.period,
    coalesce((select u.cost_usd from public.usage_totals u
      where u.tenant_id = budget_status.tenant_id and u.period = p.period), 0) as spent_usd,
    b.monthly_budget_usd,
    coalesce(b.hard_limit, false)
  from p left join public.tenant_budgets b on b.tenant_id = budget_status.tenant_id
$$;

COMMENT ON FUNCTION app.budget_status(tenant_id uuid) IS 'This UTC month''s spend for a tenant, its budget (null when none) and whether the limit is hard.';

CREATE FUNCTION app.cleanup() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.cleanup() IS 'Ops: deletes expired event_log rows, request logs past 30 days, rate counters past 2 days and app.invoke_requests rows no local relay claimed within an hour. Runs daily (pg_cron job ora-cleanup).';

CREATE FUNCTION app.delivery_enqueue(tenant_id uuid, kind text, delivery_id uuid, priority integer DEFAULT 0) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_msg_id bigint;
begin
  if delivery_enqueue.kind not in ('notification', 'webhook') then
    raise exception 'Invalid delivery kind %: use notification or webhook', delivery_enqueue.kind
      using errcode = 'OR400', detail = 'delivery_kind_invalid';
  end if;
  select * into v_msg_id from pgmq.send('deliveries', jsonb_build_object(
    'tenant_id', delivery_enqueue.tenant_id, 'kind', delivery_enqueue.kind,
    'delivery_id', delivery_enqueue.delivery_id, 'priority', coalesce(delivery_enqueue.priority, 0)));
  if coalesce((select (t.settings ->> 'wake_workers')::boolean from public.tenants t
               where t.id = delivery_enqueue.tenant_id), true) then
    perform app.queue_wake('deliveries', 'enqueue');
  end if;
  return v_msg_id;
end;
$$;

COMMENT ON FUNCTION app.delivery_enqueue(tenant_id uuid, kind text, delivery_id uuid, priority integer) IS 'Queues one delivery (a notification_deliveries or webhook_deliveries row) on pgmq queue deliveries in the caller''s transaction and wakes the deliveries worker (coalesced; not when tenants.settings.wake_workers is false: app.tick drains it then).';

CREATE FUNCTION app.delivery_schedule(schedule jsonb DEFAULT NULL::jsonb) RETURNS integer[]
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
declare
  v_schedule integer[];
begin
  -- ~30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h: eight attempts over about 22 hours
  if delivery_schedule.schedule is null or jsonb_typeof(delivery_schedule.schedule) <> 'array'
     or jsonb_array_length(delivery_schedule.schedule) not between 1 and 20
     or exists (select 1 from jsonb_array_elements(delivery_schedule.schedule) e
                where not case when jsonb_typeof(e) = 'number'
                  then e::numeric = trunc(e::numeric) and e::numeric between 1 and 86400 else false end) then
    return array[30, 120, 600, 3600, 10800, 21600, 43200];
  end if;
  select array_agg(e::integer order by o) into v_schedule
  from jsonb_array_elements(delivery_schedule.schedule) with ordinality as x(e, o);
  return v_schedule;
end;
$$;

COMMENT ON FUNCTION app.delivery_schedule(schedule jsonb) IS 'The retry schedule of a delivery: schedule (a JSON array of 1 to 20 whole seconds, each 1 to 86400) when valid, else the default 30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h. A delivery makes 1 + cardinality(schedule) attempts.';

CREATE FUNCTION app.director_review(stall_after interval DEFAULT '00:20:00'::interval) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_tenant record;
  v_reviews integer := 0;
begin
  for v_tenant in
    select s.tenant_id, count(*) as checked,
      coalesce(jsonb_agg(jsonb_build_object('session_id', s.id, 'agent', s.subject, 'status', s.status,
        'last_heartbeat', coalesce(s.heartbeat_at, s.queued_at, s.created_at), 'attempts', s.attempt))
        filter (where coalesce(s.heartbeat_at, s.queued_at, s.created_at) < now() - director_review.stall_after), '[]') as stalled
    from public.runs s
    -- coordinators do no work of their own (they wait): their children are reviewed
    where s.status in ('queued', 'running') and s.kind = 'agent'
    group by s.tenant_id
  loop
    insert into public.event_log (tenant_id, event_type, event_source, payload)
    select v_tenant.tenant_id, 'blocker.escalated', 'system', jsonb_build_object('session_id', f ->> 'session_id',
      'agent', f ->> 'agent', 'status', f ->> 'status', 'last_heartbeat', f ->> 'last_heartbeat',
      'reason', 'no heartbeat for ' || director_review.stall_after)
    from jsonb_array_elements(v_tenant.stalled) f
    join public.runs s on s.id = (f ->> 'session_id')::uuid and s.escalated_at is null;

    insert into public.director_reviews (tenant_id, sessions_checked, findings, decisions)
    select v_tenant.tenant_id, v_tenant.checked, v_tenant.stalled,
      coalesce(jsonb_agg(jsonb_build_object('session_id', s.id, 'decision', 'escalated')), '[]')
    from public.runs s
    where s.id in (select (f ->> 'session_id')::uuid from jsonb_array_elements(v_tenant.stalled) f)
      and s.escalated_at is null;

    update public.runs s set escalated_at = now()
    where s.id in (select (f ->> 'session_id')::uuid from jsonb_array_elements(v_tenant.stalled) f)
      and s.escalated_at is null;
    v_reviews := v_reviews + 1;
  end loop;
  return v_reviews;
end;
$$;

COMMENT ON FUNCTION app.director_review(stall_after interval) IS 'Cron every 15 minutes: escalates agent sessions with no heartbeat for 20 minutes (blocker.escalated, once each) and records a director_reviews row per tenant with active sessions.';

CREATE FUNCTION app.event_emit(tenant_id uuid, event_type text, source text, payload jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  insert into public.event_log (tenant_id, event_type, event_source, payload)
  values (event_emit.tenant_id, event_emit.event_type, event_emit.source, event_emit.payload)
$$;

COMMENT ON FUNCTION app.event_emit(tenant_id uuid, event_type text, source text, payload jsonb) IS 'Appends an event (run.*, task.*, budget.*, blocker.*, …) to event_log in the caller''s transaction.';

CREATE FUNCTION app.events_route() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if app.automations_want(new.tenant_id, new.event_type) or app.webhooks_want(new.tenant_id, new.event_type) then
    perform pgmq.send('events', jsonb_build_object('tenant_id', new.tenant_id, 'event_id', new.id,
      'event_type', new.event_type));
    if coalesce((select (t.settings ->> 'wake_workers')::boolean from public.tenants t where t.id = new.tenant_id), true) then
      perform app.queue_wake('events', 'event');
    end if;
  end if;
  return null;
end;
$$;

COMMENT ON FUNCTION app.events_route() IS 'Trigger (after insert on event_log): queues the event for the trigger-engine (pgmq events) when an active automation or webhook subscription may want it, and wakes the engine.';

CREATE FUNCTION app.function_invoke(function_name text, body jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_body jsonb := coalesce(function_invoke.body, '{}'::jsonb);
  v_project_url text;
  v_service_role_key text;
  v_request_id bigint;
begin
  -- GUARD: the name becomes part of a URL
  if function_invoke.function_name is null or function_invoke.function_name !~ '^[a-z][a-z0-9_-]{0,62}$' then
    raise exception 'Invalid function name %: use 1 to 63 lowercase letters, digits, - or _, starting with a letter', coalesce(quote_literal(function_invoke.function_name), 'NULL')
      using errcode = '22023';
  end if;

  -- HOSTED: pg_net, with the project URL and service key from Vault (Supabase's documented pattern)
  if exists (
    select 1
    from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'net' and p.proname = 'http_post'
  ) then
    if to_regclass('vault.decrypted_secrets') is null then
      raise exception 'Server misconfigured: pg_net is installed but Supabase Vault (vault.decrypted_secrets) is not'
        using errcode = '55000';
    end if;
    -- Dynamic SQL keeps this function valid where vault and net do not exist.
    execute format('select s.decrypted_secret from %I.decrypted_secrets s where s.name = $1 limit 1', 'vault')
      into v_project_url using 'project_url';
    if coalesce(v_project_url, '') = '' then
      raise exception 'Server misconfigured: missing Vault secret project_url'
        using errcode = '55000',
              hint = 'select vault.create_secret(''https://<project-ref>.supabase.co'', ''project_url'');';
    end if;
    execute format('select s.decrypted_secret from %I.decrypted_secrets s where s.name = $1 limit 1', 'vault')
      into v_service_role_key using 'service_role_key';
    if coalesce(v_service_role_key, '') = '' then
      raise exception 'Server misconfigured: missing Vault secret service_role_key'
        using errcode = '55000',
              hint = 'select vault.create_secret(''<service role key>'', ''service_role_key'');';
    end if;

    execute format('select %I.http_post(url := $1, headers := $2, body := $3)', 'net')
      using rtrim(v_project_url, '/') || '/functions/v1/' || function_invoke.function_name,
            jsonb_build_object(
              'Content-Type', 'application/json',
              'Authorization', 'Bearer ' || v_service_role_key
            ),
            v_body;
    return;
  end if;

  -- LOCAL: a request row only this function can write, then its id on channel ora_invoke; the
  -- local function server claims the row and makes the same POST. Identical wake-ups in this
  -- transaction share the row, so they raise identical notifications, which Postgres folds.
  select r.id into v_request_id
  from app.invoke_requests r
  where r.txid = pg_catalog.pg_current_xact_id()
    and r.function_name = function_invoke.function_name
    and md5(r.body::text) = md5(v_body::text);
  if not found then
    insert into app.invoke_requests (function_name, body)
    values (function_invoke.function_name, v_body)
    returning id into v_request_id;
  end if;
  perform pg_catalog.pg_notify('ora_invoke', v_request_id::text);
end;
$_$;

COMMENT ON FUNCTION app.function_invoke(function_name text, body jsonb) IS 'Wakes Edge Function function_name (^[a-z][a-z0-9_-]{0,62}$) with a POST of body. Hosted: net.http_post to <Vault project_url>/functions/v1/<name> with the Vault service_role_key as Bearer token. Locally (no pg_net): writes the request to app.invoke_requests and pg_notify(''ora_invoke'', <row id>); the local function server claims the row and makes the call, so a notification nobody wrote through this function is ignored. Identical wake-ups (same function and body) in one transaction share one row and one notification, so a burst coalesces into one call.';

CREATE FUNCTION app.integration_acquire(tenant_id uuid, integration text, holder text, lease_seconds integer DEFAULT 60) RETURNS TABLE(ok boolean, retry_in_ms integer, reason text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_cfg public.tool_integrations%rowtype;
  v_minute timestamptz := date_trunc('minute', clock_timestamp());
  v_hits integer;
  v_leases integer;
  v_next timestamptz;
begin
  select * into v_cfg from public.tool_integrations i
  where i.tenant_id = integration_acquire.tenant_id and i.key = integration_acquire.integration;
  if v_cfg.rate_limit_per_minute is null and v_cfg.max_concurrency is null then
    return query select true, 0, null::text;
    return;
  end if;
  -- one counter per tenant and integration at a time: the count and the take are atomic
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.integration:' || integration_acquire.tenant_id::text
    || ':' || integration_acquire.integration));
  delete from app.integration_leases l
  where l.tenant_id = integration_acquire.tenant_id and l.integration = integration_acquire.integration
    and (l.expires_at < clock_timestamp() or l.holder = integration_acquire.holder);
  if v_cfg.max_concurrency is not null then
    select count(*), min(l.expires_at) into v_leases, v_next from app.integration_leases l
    where l.tenant_id = integration_acquire.tenant_id and l.integration = integration_acquire.integration;
    if v_leases >= v_cfg.max_concurrency then
      return query select false, greatest(100, least(5000, (1000 * extract(epoch from v_next - clock_timestamp()))::integer)),
        'concurrency'::text;
      return;
    end if;
  end if;
  if v_cfg.rate_limit_per_minute is not null then
    select w.hits into v_hits from app.integration_windows w
    where w.tenant_id = integration_acquire.tenant_id and w.integration = integration_acquire.integration
      and w.window_start = v_minute;
    if coalesce(v_hits, 0) >= v_cfg.rate_limit_per_minute then
      return query select false, greatest(100, (1000 * extract(epoch from v_minute + interval '1 minute' - clock_timestamp()))::integer),
        'rate_limit'::text;
      return;
    end if;
    insert into app.integration_windows as w (tenant_id, integration, window_start, hits)
    values (integration_acquire.tenant_id, integration_acquire.integration, v_minute, 1)
    on conflict on constraint integration_windows_pkey do update set hits = w.hits + 1;
  end if;
  insert into app.integration_leases (tenant_id, integration, holder, expires_at)
  values (integration_acquire.tenant_id, integration_acquire.integration, integration_acquire.holder,
    clock_timestamp() + make_interval(secs => greatest(integration_acquire.lease_seconds, 1)));
  return query select true, 0, null::text;
end;
$$;

COMMENT ON FUNCTION app.integration_acquire(tenant_id uuid, integration text, holder text, lease_seconds integer) IS 'Workers: takes a slot for one call to an integration within its rate_limit_per_minute and max_concurrency (tool_integrations; none = always ok). Not ok: retry_in_ms and reason rate_limit or concurrency; the caller defers with release key integration:<key>.';

CREATE FUNCTION app.integration_limits_cleanup() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_count integer;
begin
  delete from app.integration_windows w where w.window_start < now() - interval '1 hour';
  get diagnostics v_count = row_count;
  delete from app.integration_leases l where l.expires_at < now() - interval '1 minute';
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.integration_limits_cleanup() IS 'Tick job: drops per-minute integration counters older than an hour and leases that expired.';

CREATE FUNCTION app.integration_release(tenant_id uuid, integration text, holder text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  delete from app.integration_leases l
  where l.tenant_id = integration_release.tenant_id and l.integration = integration_release.integration
    and l.holder = integration_release.holder;
  if found then
    perform app.queue_release(integration_release.tenant_id, 'integration:' || integration_release.integration);
  end if;
end;
$$;

COMMENT ON FUNCTION app.integration_release(tenant_id uuid, integration text, holder text) IS 'Workers: ends a call''s lease on an integration and releases the work deferred on integration:<key>.';

CREATE FUNCTION app.lead_note_index_sync() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      delete from public.memory_index m
      where m.tenant_id = old.tenant_id and m.source_type = 'lead_note' and m.source_id = old.id;
    end if;
    return null;
  end if;
  -- empty notes remove the lead from the index
  perform app.memory_index_put(new.tenant_id, 'lead_note', new.id,
    new.name || coalesce(' (' || nullif(btrim(new.company), '') || ')', ''), coalesce(new.notes, ''),
    jsonb_build_object('source_created_at', new.created_at,
      'metadata', jsonb_build_object('lead_status', new.status, 'source', new.source)));
  return null;
end;
$$;

COMMENT ON FUNCTION app.lead_note_index_sync() IS 'Trigger: keeps a lead''s notes in memory_index (title: name and company), in the same transaction; leads without notes are not indexed.';

CREATE FUNCTION app.local_encryption_key() RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
declare
  v_key text;
begin
  if pg_catalog.to_regclass('app.local_secret_key') is null then
    return null;
  end if;
  -- dynamic: the table exists only where the local bootstrap made it (plpgsql_check checks constant SQL)
  execute pg_catalog.format('select k.key from %I.local_secret_key k', 'app') into v_key;
  return v_key;
end;
$$;

COMMENT ON FUNCTION app.local_encryption_key() IS 'Internal: the key in app.local_secret_key (one row, made by the local stack''s bootstrap, unreadable by API roles) that app.secret_set/secret_get encrypt with where Vault is absent; null where the table does not exist (Supabase). Called only from those security-definer functions.';

CREATE FUNCTION app.lock_down() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_fn record;
begin
  execute 'revoke execute on all routines in schema app from public, anon, authenticated';
  execute 'grant execute on function app.tenant_id() to authenticated';
  if pg_catalog.to_regprocedure('app.run_is_terminal(text)') is not null then
    execute 'grant execute on function app.run_is_terminal(text) to authenticated';
  end if;
  for v_fn in
    select p.oid::regprocedure as sig, coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') as note
    from pg_catalog.pg_proc p
    where p.pronamespace = 'app'::regnamespace and p.prokind in ('f', 'p')
  loop
    if v_fn.note like 'Internal:%' or v_fn.sig::text = 'app.lock_down()' then
      execute pg_catalog.format('revoke execute on routine %s from service_role', v_fn.sig);
    else
      execute pg_catalog.format('grant execute on routine %s to service_role', v_fn.sig);
    end if;
  end loop;
  execute 'revoke truncate, trigger, references on all tables in schema public from anon, authenticated';
end;
$$;

COMMENT ON FUNCTION app.lock_down() IS 'Migrations: restates the API roles'' privileges on app functions and public tables (see the migration that defines it). Every migration ends by calling it; tests/tenancy/schema_rules.test.sql checks the result.';

CREATE FUNCTION app.member_resolve(user_id uuid, requested_tenant uuid) RETURNS TABLE(tenant_id uuid, role text, memberships integer)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select m.tenant_id, m.role, (select count(*)::integer from public.tenant_members x where x.user_id = member_resolve.user_id)
  from public.tenant_members m
  where m.user_id = member_resolve.user_id
    and (member_resolve.requested_tenant is null or m.tenant_id = member_resolve.requested_tenant)
  order by m.created_at
  limit 1
$$;

COMMENT ON FUNCTION app.member_resolve(user_id uuid, requested_tenant uuid) IS 'Gateway only: the tenant and role of a user (the requested tenant, or the first when none requested) and how many tenants the user belongs to.';

CREATE FUNCTION app.memory_chunks(content text, max_chars integer DEFAULT 1200, overlap integer DEFAULT 200) RETURNS TABLE(chunk_index integer, chunk text)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $$
declare
  v_text text := btrim(coalesce(memory_chunks.content, ''), E' \t\r\n');
  v_len integer;
  v_start integer := 1;
  v_window text;
  v_cut integer;
  v_pos integer;
  v_sep text;
  v_next integer;
  v_i integer := 0;
begin
  if memory_chunks.max_chars < 100 or memory_chunks.overlap < 0 or memory_chunks.overlap >= memory_chunks.max_chars / 2 then
    raise exception 'Invalid chunking (max_chars %, overlap %): max_chars must be at least 100 and overlap under half of it',
      memory_chunks.max_chars, memory_chunks.overlap using errcode = '22023';
  end if;
  v_len := length(v_text);
  if v_len = 0 then
    return;
  end if;
  loop
    if v_start + memory_chunks.max_chars - 1 >= v_len then
      chunk_index := v_i;
      chunk := btrim(substr(v_text, v_start), E' \t\r\n');
      return next;
      exit;
    end if;
    v_window := substr(v_text, v_start, memory_chunks.max_chars);
    v_cut := memory_chunks.max_chars;
    foreach v_sep in array array[E'\n\n', E'\n', '. ', '? ', '! ', '; ', ' '] loop
      v_pos := strpos(reverse(v_window), reverse(v_sep));
      if v_pos > 0 and memory_chunks.max_chars - v_pos + 1 >= memory_chunks.max_chars / 2 then
        v_cut := memory_chunks.max_chars - v_pos + 1;
        exit;
      end if;
    end loop;
    chunk_index := v_i;
    chunk := btrim(substr(v_text, v_start, v_cut), E' \t\r\n');
    return next;
    v_i := v_i + 1;
    -- the next chunk starts `overlap` characters back, at the start of a word
    v_next := v_start + v_cut - memory_chunks.overlap;
    v_pos := strpos(substr(v_text, v_next, memory_chunks.overlap), ' ');
    if v_pos > 0 then
      v_next := v_next + v_pos;
    end if;
    v_start := greatest(v_next, v_start + 1);
  end loop;
end;
$$;

COMMENT ON FUNCTION app.memory_chunks(content text, max_chars integer, overlap integer) IS 'Cuts text into overlapping chunks (default at most 1200 characters, 200 of overlap) at paragraph, line, sentence or word boundaries.';

CREATE FUNCTION app.memory_content_text(content jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.memory_content_text(content jsonb) IS 'The searchable text of a memory''s content: a JSON string as is, {"text": …} its text, other objects as sorted "field: value" lines.';

CREATE FUNCTION app.memory_embed_send(tenant_id uuid, chunk_ids uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_n integer := coalesce(array_length(memory_embed_send.chunk_ids, 1), 0);
  v_i integer := 1;
  v_messages integer := 0;
begin
  if v_n = 0 then
    return 0;
  end if;
  while v_i <= v_n loop
    perform pgmq.send('embeddings', jsonb_build_object('tenant_id', memory_embed_send.tenant_id,
      'chunk_ids', to_jsonb(memory_embed_send.chunk_ids[v_i:v_i + 63])));
    v_messages := v_messages + 1;
    v_i := v_i + 64;
  end loop;
  if coalesce((select (t.settings ->> 'wake_workers')::boolean from public.tenants t where t.id = memory_embed_send.tenant_id), true) then
    perform app.queue_wake('embeddings');
  end if;
  return v_messages;
end;
$$;

COMMENT ON FUNCTION app.memory_embed_send(tenant_id uuid, chunk_ids uuid[]) IS 'Internal: queues embedding jobs for chunks of a tenant (64 per message) on the embeddings queue and wakes memory-indexer (coalesced; not when tenants.settings.wake_workers is false).';

CREATE FUNCTION app.memory_embedding_dimensions() RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select a.atttypmod from pg_catalog.pg_attribute a
  where a.attrelid = 'public.memory_index'::regclass and a.attname = 'embedding' and not a.attisdropped
$$;

COMMENT ON FUNCTION app.memory_embedding_dimensions() IS 'Workers: the dimension of memory_index.embedding (its type modifier), so embedders produce vectors of the one configured size.';

CREATE FUNCTION app.memory_embedding_usage(tenant_id uuid, provider text, model text, tokens integer, chunks integer) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select app.usage_record(memory_embedding_usage.tenant_id, jsonb_build_object('kind', 'embedding',
    'provider', memory_embedding_usage.provider, 'model', memory_embedding_usage.model,
    'prompt_tokens', memory_embedding_usage.tokens, 'units', memory_embedding_usage.tokens,
    'cost_usd', coalesce((select p.input_usd_per_mtok from app.model_prices p where p.model = memory_embedding_usage.model), 0)
      * memory_embedding_usage.tokens / 1000000.0,
    'metadata', jsonb_build_object('chunks', memory_embedding_usage.chunks, 'purpose', 'memory_index',
      'priced', exists (select 1 from app.model_prices p where p.model = memory_embedding_usage.model))))
$$;

COMMENT ON FUNCTION app.memory_embedding_usage(tenant_id uuid, provider text, model text, tokens integer, chunks integer) IS 'Workers (memory-indexer): records the usage event of one embedding batch (tokens, cost from app.model_prices).';

CREATE FUNCTION app.memory_health(importance real, created_at timestamp with time zone, access_count integer, retrieval_count integer, avg_relevance real, expires_at timestamp with time zone, superseded boolean, contradiction_count integer, at timestamp with time zone) RETURNS real
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select greatest(0, least(1,
      0.2 * exp(-greatest(0, extract(epoch from (memory_health.at - memory_health.created_at)) / 3600) / 168)
    + 0.15 * least(1, log(10, (memory_health.access_count + 1)::numeric) / 2)
    + 0.25 * memory_health.avg_relevance * least(1, memory_health.retrieval_count / 10.0)
    + 0.1 * (case when memory_health.expires_at is null or memory_health.expires_at > memory_health.at then 1 else 0 end)
    + 0.1 * (case when memory_health.superseded then 0.1 else greatest(0, 1 - 0.2 * memory_health.contradiction_count) end)
    + 0.2 * memory_health.importance
  ))::real
$$;

COMMENT ON FUNCTION app.memory_health(importance real, created_at timestamp with time zone, access_count integer, retrieval_count integer, avg_relevance real, expires_at timestamp with time zone, superseded boolean, contradiction_count integer, at timestamp with time zone) IS 'Part V health score (0 to 1) of a memory at time `at`: recency (exp(-age/1 week)) 0.2, access (log10(n+1)/2) 0.15, retrieval (mean relevance × min(1, n/10)) 0.25, freshness (not expired) 0.1, contradictions (0.1 when superseded, else 1 - 0.2·n) 0.1, importance 0.2.';

CREATE FUNCTION app.memory_index_before_update() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  -- a vector belongs to the text it was computed from; the cold tier keeps none
  if new.content is distinct from old.content or new.title is distinct from old.title or (new.cold and not old.cold) then
    new.embedding := null;
    new.embedding_model := null;
    new.embedded_hash := null;
    new.embedded_at := null;
  end if;
  new.updated_at := now();
  return new;
end;
$$;

COMMENT ON FUNCTION app.memory_index_before_update() IS 'Trigger: clears the embedding of a chunk whose text changed or that went cold, and keeps updated_at.';

CREATE FUNCTION app.memory_index_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  -- only existing state rows are updated: a tenant being deleted cascades its state away
  update public.memory_index_state s
  set version = s.version + 1, chunks = greatest(0, s.chunks - d.n), embedded = greatest(0, s.embedded - d.e), changed_at = now()
  from (select o.tenant_id, count(*)::integer as n, (count(*) filter (where o.embedding is not null))::integer as e
        from old_rows o group by o.tenant_id) d
  where s.tenant_id = d.tenant_id;
  return null;
end;
$$;

COMMENT ON FUNCTION app.memory_index_deleted() IS 'Trigger (statement): bumps the index version and counts of tenants whose chunks were deleted.';

CREATE FUNCTION app.memory_index_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  perform app.memory_embed_send(g.tenant_id, g.ids)
  from (select n.tenant_id, array_agg(n.id order by n.chunk_index, n.id) as ids from new_rows n
        where n.embedding is null and not n.cold group by n.tenant_id) g;
  insert into public.memory_index_state as s (tenant_id, version, chunks, embedded, changed_at)
  select n.tenant_id, 1, count(*), count(*) filter (where n.embedding is not null), now()
  from new_rows n group by n.tenant_id order by n.tenant_id
  on conflict on constraint memory_index_state_pkey do update
    set version = s.version + 1, chunks = s.chunks + excluded.chunks, embedded = s.embedded + excluded.embedded,
      changed_at = excluded.changed_at;
  return null;
end;
$$;

COMMENT ON FUNCTION app.memory_index_inserted() IS 'Trigger (statement): queues the new chunks for embedding in the same transaction and bumps the tenant''s index version and counts.';

CREATE FUNCTION app.memory_index_put(tenant_id uuid, source_type text, source_id uuid, title text, content text, attrs jsonb DEFAULT '{}'::jsonb) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_chunks text[];
  v_n integer;
begin
  select coalesce(array_agg(c.chunk order by c.chunk_index), '{}') into v_chunks
  from app.memory_chunks(memory_index_put.content) c;
  v_n := coalesce(array_length(v_chunks, 1), 0);
  if v_n > 0 then
    insert into public.memory_index as m (tenant_id, source_type, source_id, chunk_index, asset_id, title, content,
      metadata, memory_type, memory_status, agent_id, health, cold, source_created_at)
    select memory_index_put.tenant_id, memory_index_put.source_type, memory_index_put.source_id, (u.ord - 1)::integer,
      (memory_index_put.attrs ->> 'asset_id')::uuid, memory_index_put.title, u.chunk,
      coalesce(memory_index_put.attrs -> 'metadata', '{}'::jsonb), memory_index_put.attrs ->> 'memory_type',
      memory_index_put.attrs ->> 'memory_status', (memory_index_put.attrs ->> 'agent_id')::uuid,
      (memory_index_put.attrs ->> 'health')::real, coalesce((memory_index_put.attrs ->> 'cold')::boolean, false),
      coalesce((memory_index_put.attrs ->> 'source_created_at')::timestamptz, now())
    from unnest(v_chunks) with ordinality as u(chunk, ord)
    on conflict on constraint memory_index_tenant_id_source_type_source_id_chunk_index_key do update
      set asset_id = excluded.asset_id, title = excluded.title, content = excluded.content, metadata = excluded.metadata,
        memory_type = excluded.memory_type, memory_status = excluded.memory_status, agent_id = excluded.agent_id,
        health = excluded.health, cold = excluded.cold, source_created_at = excluded.source_created_at
      where (m.asset_id, m.title, m.content, m.metadata, m.memory_type, m.memory_status, m.agent_id, m.health, m.cold,
             m.source_created_at)
        is distinct from (excluded.asset_id, excluded.title, excluded.content, excluded.metadata, excluded.memory_type,
             excluded.memory_status, excluded.agent_id, excluded.health, excluded.cold, excluded.source_created_at);
  end if;
  delete from public.memory_index m
  where m.tenant_id = memory_index_put.tenant_id and m.source_type = memory_index_put.source_type
    and m.source_id = memory_index_put.source_id and m.chunk_index >= v_n;
  return v_n;
end;
$$;

COMMENT ON FUNCTION app.memory_index_put(tenant_id uuid, source_type text, source_id uuid, title text, content text, attrs jsonb) IS 'Indexes one source (documents, conversations, tool results; the triggers of memories, posts and lead notes use it too): chunks its content and upserts the chunks, so only new or changed text is embedded; surplus chunks are deleted, and empty content removes the source. attrs: asset_id, metadata, source_created_at (and, for memories, memory_type, memory_status, agent_id, health, cold). Returns the number of chunks.';

CREATE FUNCTION app.memory_index_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  -- changed text, or back from the cold tier: embed again (unchanged text never is)
  perform app.memory_embed_send(g.tenant_id, g.ids)
  from (select n.tenant_id, array_agg(n.id order by n.chunk_index, n.id) as ids
        from new_rows n join old_rows o on o.id = n.id
        where n.embedding is null and not n.cold and (o.content_hash is distinct from n.content_hash or o.cold)
        group by n.tenant_id) g;
  update public.memory_index_state s
  set version = s.version + 1, embedded = s.embedded + d.delta, changed_at = now()
  from (select n.tenant_id, sum((n.embedding is not null)::integer - (o.embedding is not null)::integer) as delta
        from new_rows n join old_rows o on o.id = n.id group by n.tenant_id) d
  where s.tenant_id = d.tenant_id;
  return null;
end;
$$;

COMMENT ON FUNCTION app.memory_index_updated() IS 'Trigger (statement): queues chunks whose text changed (or that left the cold tier) for embedding, bumps the index version and keeps the embedded count.';

CREATE FUNCTION app.memory_maintain_tenant(tenant_id uuid, run_id uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.memory_maintain_tenant(tenant_id uuid, run_id uuid) IS 'Internal: one tenant''s memory maintenance under its policy (see app.memory_maintenance); stores and returns the report.';

CREATE FUNCTION app.memory_maintenance(only_tenant uuid DEFAULT NULL::uuid) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.memory_maintenance(only_tenant uuid) IS 'Cron (hourly): memory maintenance (Part V) of every tenant with memories, or only `only_tenant`: expired, long-superseded and expired cold memories deleted; health recomputed (decay); superseded, idle unhealthy and over-quota memories archived (cold: embeddings dropped, still searchable by text); hot and warm tiers assigned; index counts recounted; stale cache entries purged. One report row per tenant (memory_maintenance_reports) and one run row (app.memory_maintenance_runs).';

CREATE FUNCTION app.memory_policy_create() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  insert into public.memory_policies (tenant_id) values (new.id)
  on conflict on constraint memory_policies_pkey do nothing;
  return null;
end;
$$;

COMMENT ON FUNCTION app.memory_policy_create() IS 'Trigger: every new tenant gets the default memory policy (the column defaults are the one place they are written).';

CREATE FUNCTION app.memory_reindex(tenant_id uuid, model text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_ids uuid[];
begin
  with stale as (
    update public.memory_index m
    set embedding = null, embedding_model = null, embedded_hash = null, embedded_at = null
    where m.tenant_id = memory_reindex.tenant_id and not m.cold
      and (m.embedding is null or m.embedding_model is distinct from memory_reindex.model)
    returning m.id, m.chunk_index)
  select coalesce(array_agg(s.id order by s.id), '{}') into v_ids from stale s;
  perform app.memory_embed_send(memory_reindex.tenant_id, v_ids);
  return coalesce(array_length(v_ids, 1), 0);
end;
$$;

COMMENT ON FUNCTION app.memory_reindex(tenant_id uuid, model text) IS 'Queues every chunk of the tenant without a vector of `model` for embedding (switching embedding providers, or retrying dead-lettered jobs). Returns how many.';

CREATE FUNCTION app.metric_aggregate(tenant_id uuid, name text, since timestamp with time zone, until timestamp with time zone, aggregation text, dimensions jsonb DEFAULT NULL::jsonb) RETURNS double precision
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select case metric_aggregate.aggregation
      when 'sum' then coalesce(sum(m.value), 0)
      when 'avg' then avg(m.value)
      when 'min' then min(m.value)
      when 'max' then max(m.value)
      when 'count' then count(*)::double precision
      when 'last' then (array_agg(m.value order by m.recorded_at desc))[1]
    end
  from public.metrics m
  where m.tenant_id = metric_aggregate.tenant_id and m.name = metric_aggregate.name
    and m.recorded_at >= metric_aggregate.since and m.recorded_at < metric_aggregate.until
    and (metric_aggregate.dimensions is null or m.dimensions @> metric_aggregate.dimensions)
$$;

COMMENT ON FUNCTION app.metric_aggregate(tenant_id uuid, name text, since timestamp with time zone, until timestamp with time zone, aggregation text, dimensions jsonb) IS 'A metric aggregated (sum, avg, min, max, count, last) over [since, until) for a tenant, optionally only points whose dimensions contain the given ones.';

CREATE FUNCTION app.notification_create(tenant_id uuid, n jsonb) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_type text := coalesce(notification_create.n ->> 'type', 'info');
  v_channels text[];
  v_unknown text[];
  v_settings jsonb;
  v_config jsonb := coalesce(notification_create.n -> 'delivery_config', '{}'::jsonb);
  v_priority integer := coalesce((notification_create.n ->> 'priority')::integer, 0);
  v_schedule integer[];
  v_status jsonb := '{}'::jsonb;
  v_channel text;
  v_target jsonb;
  v_id uuid;
  v_delivery uuid;
begin
  -- GUARD: what the caller gave
  if jsonb_typeof(notification_create.n) is distinct from 'object' then
    raise exception 'Invalid notification: give a JSON object {type, title, message, …}'
      using errcode = 'OR400', detail = 'notification_invalid';
  end if;
  if v_type not in ('info', 'success', 'warning', 'error', 'alert') then
    raise exception 'Invalid notification type %: use info, success, warning, error or alert', v_type
      using errcode = 'OR400', detail = 'notification_type_invalid';
  end if;
  if coalesce(btrim(notification_create.n ->> 'title'), '') = '' or coalesce(btrim(notification_create.n ->> 'message'), '') = '' then
    raise exception 'Invalid notification: title and message are required'
      using errcode = 'OR400', detail = 'notification_text_missing';
  end if;
  if jsonb_typeof(v_config) <> 'object' then
    raise exception 'Invalid delivery_config: give an object keyed by channel, e.g. {"email": {"to": ["ops@example.com"]}}'
      using errcode = 'OR400', detail = 'notification_delivery_config_invalid';
  end if;
  select t.settings -> 'notifications' into v_settings from public.tenants t where t.id = notification_create.tenant_id;
  if not found then
    raise exception 'No tenant %', notification_create.tenant_id using errcode = 'OR404', detail = 'tenant_not_found';
  end if;

  -- CHANNELS: the caller's, else the tenant's route for this severity, else the admin inbox
  if jsonb_typeof(notification_create.n -> 'channels') = 'array' then
    select coalesce(array_agg(c order by o), '{}') into v_channels from (
      select c, min(o) as o from jsonb_array_elements_text(notification_create.n -> 'channels') with ordinality as x(c, o) group by c
    ) d;
  elsif coalesce(jsonb_typeof(notification_create.n -> 'channels'), 'null') <> 'null' then
    raise exception 'Invalid channels: give an array such as ["admin", "email"]'
      using errcode = 'OR400', detail = 'notification_channels_invalid';
  else
    select r.channels into v_channels from public.notification_routes r
    where r.tenant_id = notification_create.tenant_id and r.severity = v_type;
    v_channels := coalesce(v_channels, array['admin']);
  end if;
  v_unknown := array(select c from unnest(v_channels) c
    where c not in ('admin', 'ora', 'email', 'webhook', 'slack', 'teams', 'sms'));
  if cardinality(v_unknown) > 0 or cardinality(v_channels) = 0 then
    raise exception 'Invalid channels %: use admin, ora, email, webhook, slack, teams or sms', coalesce(array_to_string(v_unknown, ', '), '[]')
      using errcode = 'OR400', detail = 'notification_channels_invalid';
  end if;

  -- IN-APP channels are this row: delivered now; external ones start pending
  foreach v_channel in array v_channels loop
    v_status := v_status || jsonb_build_object(v_channel, case when v_channel in ('admin', 'ora')
      then jsonb_build_object('status', 'delivered', 'at', now())
      else jsonb_build_object('status', 'pending', 'attempts', 0) end);
  end loop;

  insert into public.notifications (tenant_id, type, title, message, data, source_type, source_id, channels,
    delivery_config, delivery_status, priority, expires_at)
  values (notification_create.tenant_id, v_type, notification_create.n ->> 'title', notification_create.n ->> 'message',
    coalesce(notification_create.n -> 'data', '{}'::jsonb), notification_create.n ->> 'source_type',
    (notification_create.n ->> 'source_id')::uuid, v_channels, v_config, v_status, v_priority,
    (notification_create.n ->> 'expires_at')::timestamptz)
  returning id into v_id;

  -- EXTERNAL channels: one logged delivery each, queued in this transaction
  v_schedule := app.delivery_schedule(v_settings -> 'retry_schedule_seconds');
  foreach v_channel in array v_channels loop
    continue when v_channel in ('admin', 'ora');
    v_target := coalesce(v_config -> v_channel -> 'to', v_settings -> 'channels' -> v_channel -> 'to');
    insert into public.notification_deliveries (tenant_id, notification_id, channel, target, retry_schedule_seconds)
    values (notification_create.tenant_id, v_id, v_channel,
      case jsonb_typeof(v_target)
        when 'array' then (select string_agg(t, ', ') from jsonb_array_elements_text(v_target) t)
        when 'string' then v_target #>> '{}'
      end,
      v_schedule)
    returning id into v_delivery;
    perform app.delivery_enqueue(notification_create.tenant_id, 'notification', v_delivery, v_priority);
  end loop;
  return v_id;
end;
$$;

COMMENT ON FUNCTION app.notification_create(tenant_id uuid, n jsonb) IS 'Creates a notification from n = {type, title, message, data?, channels?, delivery_config?, priority?, source_type?, source_id?, expires_at?}. Without channels the tenant''s route for the severity decides (default: admin). Inserts it, one notification_deliveries row per external channel (email, webhook, slack, teams, sms), queues each on deliveries and wakes the worker, in the caller''s transaction. Returns its id.';

CREATE FUNCTION app.notifications_cleanup() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_notifications bigint;
  v_deliveries bigint;
begin
  delete from public.notifications n where n.expires_at < now();
  get diagnostics v_notifications = row_count;
  delete from public.notification_deliveries d where d.status <> 'pending' and d.updated_at < now() - interval '30 days';
  get diagnostics v_deliveries = row_count;
  return jsonb_build_object('notifications', v_notifications, 'notification_deliveries', v_deliveries);
end;
$$;

COMMENT ON FUNCTION app.notifications_cleanup() IS 'Ops: deletes notifications past expires_at and finished notification deliveries older than 30 days. Daily (pg_cron job ora-notifications-cleanup).';

CREATE FUNCTION app.queue_ack(queue_name text, msg_id bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_archived boolean;
begin
  v_archived := pgmq.archive(queue_ack.queue_name, queue_ack.msg_id);
  delete from app.queue_errors e
  where e.queue_name = queue_ack.queue_name and e.msg_id = queue_ack.msg_id;
  return v_archived;
end;
$$;

COMMENT ON FUNCTION app.queue_ack(queue_name text, msg_id bigint) IS 'Marks a message done: archives it to pgmq.a_<queue> (the audit trail) and deletes its app.queue_errors row. False if it was not in the queue.';

CREATE FUNCTION app.queue_candidates(queue_name text, qty integer) RETURNS TABLE(msg_id bigint, tenant_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $_$
begin
  perform app.queue_dlq_name(queue_candidates.queue_name);
  if not exists (select 1 from app.queue_workers w where w.queue_name = queue_candidates.queue_name) then
    raise exception 'Queue % is not registered: create it with app.queue_register', queue_candidates.queue_name
      using errcode = '22023';
  end if;
  return query execute format('select * from app.%I($1)', 'queue_candidates__' || queue_candidates.queue_name)
    using queue_candidates.qty;
end;
$_$;

COMMENT ON FUNCTION app.queue_candidates(queue_name text, qty integer) IS 'Internal: up to 2·qty visible messages of a registered queue in fair order (round-robin across tenants, least recently served first; priority then age within a tenant), from the queue''s own generated function. Candidates only: claimers lock them with SKIP LOCKED.';

CREATE FUNCTION app.queue_candidates__agent_jobs(qty integer) RETURNS TABLE(msg_id bigint, tenant_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    begin
      return query
      with recursive tenants as (
        (select q.message ->> 'tenant_id' as t from pgmq.q_agent_jobs q
         where q.message ->> 'tenant_id' is not null order by 1 limit 1)
        union all
        select (select q.message ->> 'tenant_id' from pgmq.q_agent_jobs q
                where q.message ->> 'tenant_id' > tenants.t order by 1 limit 1)
        from tenants where tenants.t is not null
      ),
      heads as (
        select h.msg_id, tn.t::uuid as tenant_id, h.rn
        from tenants tn
        cross join lateral (
          select q.msg_id, row_number() over (
            order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id) as rn
          from pgmq.q_agent_jobs q
          where q.message ->> 'tenant_id' = tn.t and q.vt <= clock_timestamp()
            and not app.queue_message_malformed(q.message)
          order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
          limit qty
        ) h
        where app.text_is_uuid(tn.t)
      )
      select heads.msg_id, heads.tenant_id from heads
      left join app.queue_turns turn on turn.queue_name = 'agent_jobs' and turn.tenant_id = heads.tenant_id
      order by heads.rn, turn.served_at nulls first, heads.msg_id
      limit qty * 2;
    end;
    $$;

COMMENT ON FUNCTION app.queue_candidates__agent_jobs(qty integer) IS 'Internal: fair claim order for queue agent_jobs (made by app.queue_register; see app.queue_candidates).';

CREATE FUNCTION app.queue_candidates__automations(qty integer) RETURNS TABLE(msg_id bigint, tenant_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    begin
      return query
      with recursive tenants as (
        (select q.message ->> 'tenant_id' as t from pgmq.q_automations q
         where q.message ->> 'tenant_id' is not null order by 1 limit 1)
        union all
        select (select q.message ->> 'tenant_id' from pgmq.q_automations q
                where q.message ->> 'tenant_id' > tenants.t order by 1 limit 1)
        from tenants where tenants.t is not null
      ),
      heads as (
        select h.msg_id, tn.t::uuid as tenant_id, h.rn
        from tenants tn
        cross join lateral (
          select q.msg_id, row_number() over (
            order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id) as rn
          from pgmq.q_automations q
          where q.message ->> 'tenant_id' = tn.t and q.vt <= clock_timestamp()
            and not app.queue_message_malformed(q.message)
          order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
          limit qty
        ) h
        where app.text_is_uuid(tn.t)
      )
      select heads.msg_id, heads.tenant_id from heads
      left join app.queue_turns turn on turn.queue_name = 'automations' and turn.tenant_id = heads.tenant_id
      order by heads.rn, turn.served_at nulls first, heads.msg_id
      limit qty * 2;
    end;
    $$;

COMMENT ON FUNCTION app.queue_candidates__automations(qty integer) IS 'Internal: fair claim order for queue automations (made by app.queue_register; see app.queue_candidates).';

CREATE FUNCTION app.queue_candidates__deliveries(qty integer) RETURNS TABLE(msg_id bigint, tenant_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    begin
      return query
      with recursive tenants as (
        (select q.message ->> 'tenant_id' as t from pgmq.q_deliveries q
         where q.message ->> 'tenant_id' is not null order by 1 limit 1)
        union all
        select (select q.message ->> 'tenant_id' from pgmq.q_deliveries q
                where q.message ->> 'tenant_id' > tenants.t order by 1 limit 1)
        from tenants where tenants.t is not null
      ),
      heads as (
        select h.msg_id, tn.t::uuid as tenant_id, h.rn
        from tenants tn
        cross join lateral (
          select q.msg_id, row_number() over (
            order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id) as rn
          from pgmq.q_deliveries q
          where q.message ->> 'tenant_id' = tn.t and q.vt <= clock_timestamp()
            and not app.queue_message_malformed(q.message)
          order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
          limit qty
        ) h
        where app.text_is_uuid(tn.t)
      )
      select heads.msg_id, heads.tenant_id from heads
      left join app.queue_turns turn on turn.queue_name = 'deliveries' and turn.tenant_id = heads.tenant_id
      order by heads.rn, turn.served_at nulls first, heads.msg_id
      limit qty * 2;
    end;
    $$;

COMMENT ON FUNCTION app.queue_candidates__deliveries(qty integer) IS 'Internal: fair claim order for queue deliveries (made by app.queue_register; see app.queue_candidates).';

CREATE FUNCTION app.queue_candidates__embeddings(qty integer) RETURNS TABLE(msg_id bigint, tenant_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    begin
      return query
      with recursive tenants as (
        (select q.message ->> 'tenant_id' as t from pgmq.q_embeddings q
         where q.message ->> 'tenant_id' is not null order by 1 limit 1)
        union all
        select (select q.message ->> 'tenant_id' from pgmq.q_embeddings q
                where q.message ->> 'tenant_id' > tenants.t order by 1 limit 1)
        from tenants where tenants.t is not null
      ),
      heads as (
        select h.msg_id, tn.t::uuid as tenant_id, h.rn
        from tenants tn
        cross join lateral (
          select q.msg_id, row_number() over (
            order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id) as rn
          from pgmq.q_embeddings q
          where q.message ->> 'tenant_id' = tn.t and q.vt <= clock_timestamp()
            and not app.queue_message_malformed(q.message)
          order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
          limit qty
        ) h
        where app.text_is_uuid(tn.t)
      )
      select heads.msg_id, heads.tenant_id from heads
      left join app.queue_turns turn on turn.queue_name = 'embeddings' and turn.tenant_id = heads.tenant_id
      order by heads.rn, turn.served_at nulls first, heads.msg_id
      limit qty * 2;
    end;
    $$;

COMMENT ON FUNCTION app.queue_candidates__embeddings(qty integer) IS 'Internal: fair claim order for queue embeddings (made by app.queue_register; see app.queue_candidates).';

CREATE FUNCTION app.queue_candidates__events(qty integer) RETURNS TABLE(msg_id bigint, tenant_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    begin
      return query
      with recursive tenants as (
        (select q.message ->> 'tenant_id' as t from pgmq.q_events q
         where q.message ->> 'tenant_id' is not null order by 1 limit 1)
        union all
        select (select q.message ->> 'tenant_id' from pgmq.q_events q
                where q.message ->> 'tenant_id' > tenants.t order by 1 limit 1)
        from tenants where tenants.t is not null
      ),
      heads as (
        select h.msg_id, tn.t::uuid as tenant_id, h.rn
        from tenants tn
        cross join lateral (
          select q.msg_id, row_number() over (
            order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id) as rn
          from pgmq.q_events q
          where q.message ->> 'tenant_id' = tn.t and q.vt <= clock_timestamp()
            and not app.queue_message_malformed(q.message)
          order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
          limit qty
        ) h
        where app.text_is_uuid(tn.t)
      )
      select heads.msg_id, heads.tenant_id from heads
      left join app.queue_turns turn on turn.queue_name = 'events' and turn.tenant_id = heads.tenant_id
      order by heads.rn, turn.served_at nulls first, heads.msg_id
      limit qty * 2;
    end;
    $$;

COMMENT ON FUNCTION app.queue_candidates__events(qty integer) IS 'Internal: fair claim order for queue events (made by app.queue_register; see app.queue_candidates).';

CREATE FUNCTION app.queue_candidates__tool_calls(qty integer) RETURNS TABLE(msg_id bigint, tenant_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
    begin
      return query
      with recursive tenants as (
        (select q.message ->> 'tenant_id' as t from pgmq.q_tool_calls q
         where q.message ->> 'tenant_id' is not null order by 1 limit 1)
        union all
        select (select q.message ->> 'tenant_id' from pgmq.q_tool_calls q
                where q.message ->> 'tenant_id' > tenants.t order by 1 limit 1)
        from tenants where tenants.t is not null
      ),
      heads as (
        select h.msg_id, tn.t::uuid as tenant_id, h.rn
        from tenants tn
        cross join lateral (
          select q.msg_id, row_number() over (
            order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id) as rn
          from pgmq.q_tool_calls q
          where q.message ->> 'tenant_id' = tn.t and q.vt <= clock_timestamp()
            and not app.queue_message_malformed(q.message)
          order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
          limit qty
        ) h
        where app.text_is_uuid(tn.t)
      )
      select heads.msg_id, heads.tenant_id from heads
      left join app.queue_turns turn on turn.queue_name = 'tool_calls' and turn.tenant_id = heads.tenant_id
      order by heads.rn, turn.served_at nulls first, heads.msg_id
      limit qty * 2;
    end;
    $$;

COMMENT ON FUNCTION app.queue_candidates__tool_calls(qty integer) IS 'Internal: fair claim order for queue tool_calls (made by app.queue_register; see app.queue_candidates).';

CREATE FUNCTION app.queue_claim(queue_name text, vt integer, qty integer, max_attempts integer DEFAULT 5) RETURNS SETOF pgmq.message_record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_candidate record;
  v_msg pgmq.message_record;
  v_claimed integer := 0;
  v_error text;
begin
  if queue_claim.vt is null or queue_claim.vt < 1 or queue_claim.qty is null or queue_claim.qty < 1 then
    raise exception 'Invalid vt % or qty %: both must be 1 or more', queue_claim.vt, queue_claim.qty using errcode = '22023';
  end if;
  for v_candidate in select * from app.queue_candidates(queue_claim.queue_name, queue_claim.qty) loop
    exit when v_claimed >= queue_claim.qty;
    execute format(
      'update pgmq.%I q set vt = clock_timestamp() + make_interval(secs => $2), read_ct = q.read_ct + 1
       where q.msg_id = (select x.msg_id from pgmq.%I x where x.msg_id = $1 and x.vt <= clock_timestamp() for update skip locked)
       returning q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message',
      'q_' || queue_claim.queue_name, 'q_' || queue_claim.queue_name)
      into v_msg using v_candidate.msg_id, queue_claim.vt;
    continue when v_msg.msg_id is null;
    delete from app.queue_deferrals d where d.queue_name = queue_claim.queue_name and d.msg_id = v_msg.msg_id;
    if v_msg.read_ct > queue_claim.max_attempts then
      select e.last_error into v_error from app.queue_errors e
      where e.queue_name = queue_claim.queue_name and e.msg_id = v_msg.msg_id;
      perform app.queue_move_to_dlq(queue_claim.queue_name, v_msg, coalesce(v_error, 'max attempts exceeded'));
      continue;
    end if;
    perform app.queue_turn_taken(queue_claim.queue_name, v_candidate.tenant_id);
    v_claimed := v_claimed + 1;
    return next v_msg;
  end loop;
end;
$_$;

COMMENT ON FUNCTION app.queue_claim(queue_name text, vt integer, qty integer, max_attempts integer) IS 'Workers: claims up to qty messages of queue_name fairly across tenants (see app.queue_candidates), hiding them for vt seconds. A message read more than max_attempts times is dead-lettered with its last error instead of returned.';

CREATE FUNCTION app.queue_consumer_done(queue_name text, worker_id text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  delete from app.queue_consumers c where c.queue_name = queue_consumer_done.queue_name and c.worker_id = queue_consumer_done.worker_id
$$;

COMMENT ON FUNCTION app.queue_consumer_done(queue_name text, worker_id text) IS 'Workers: removes a finished invocation''s consumer lease.';

CREATE FUNCTION app.queue_dead_letter(queue_name text, msg_id bigint, error text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_msg pgmq.message_record;
  v_read_ct integer;
  v_enqueued_at timestamptz;
  v_vt timestamptz;
  v_message jsonb;
begin
  perform app.queue_dlq_name(queue_dead_letter.queue_name);

  -- Lock the row so no reader takes the message while it moves.
  execute format(
    'select q.read_ct, q.enqueued_at, q.vt, q.message from pgmq.%I q where q.msg_id = $1 for update',
    'q_' || queue_dead_letter.queue_name
  ) into v_read_ct, v_enqueued_at, v_vt, v_message using queue_dead_letter.msg_id;
  if v_read_ct is null then
    return false;
  end if;
  v_msg := row(queue_dead_letter.msg_id, v_read_ct, v_enqueued_at, v_vt, v_message)::pgmq.message_record;

  perform app.queue_move_to_dlq(
    queue_dead_letter.queue_name,
    v_msg,
    coalesce(queue_dead_letter.error, 'dead-lettered without an error message')
  );
  return true;
end;
$_$;

COMMENT ON FUNCTION app.queue_dead_letter(queue_name text, msg_id bigint, error text) IS 'Dead-letters a message at once (non-retryable error): sends it to <queue_name>_dlq with error (truncated to 2000 chars), archives it and deletes its app.queue_errors row. False if it was not in the queue.';

CREATE FUNCTION app.queue_defer(queue_name text, msg_id bigint, tenant_id uuid, delay_seconds integer, release_key text DEFAULT NULL::text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_check text;
  v_released boolean;
begin
  perform 1 from pgmq.set_vt(queue_defer.queue_name, queue_defer.msg_id, greatest(1, queue_defer.delay_seconds));
  if not found then
    return false;
  end if;
  -- a deferral is not an attempt: give back the read this claim counted
  execute format('update pgmq.%I q set read_ct = greatest(0, q.read_ct - 1) where q.msg_id = $1', 'q_' || queue_defer.queue_name)
    using queue_defer.msg_id;
  if queue_defer.release_key is not null then
    insert into app.queue_deferrals as d (queue_name, msg_id, tenant_id, release_key, until)
    values (queue_defer.queue_name, queue_defer.msg_id, queue_defer.tenant_id, queue_defer.release_key,
      now() + make_interval(secs => greatest(1, queue_defer.delay_seconds)))
    on conflict on constraint queue_deferrals_pkey do update
      set release_key = excluded.release_key, until = excluded.until, tenant_id = excluded.tenant_id;
    -- REGISTER, THEN CHECK: a release between the worker's look and this deferral found nothing
    -- to release; if the key is released already, release now instead of waiting out the delay
    select c.function_name into v_check from app.queue_release_checks c
    where starts_with(queue_defer.release_key, c.prefix);
    if v_check is not null then
      execute format('select %s($1, $2)', v_check) into v_released using queue_defer.tenant_id, queue_defer.release_key;
      if v_released then
        perform app.queue_release(queue_defer.tenant_id, queue_defer.release_key);
      end if;
    end if;
  end if;
  return true;
end;
$_$;

COMMENT ON FUNCTION app.queue_defer(queue_name text, msg_id bigint, tenant_id uuid, delay_seconds integer, release_key text) IS 'Workers: makes a claimed message visible again after delay_seconds without counting an attempt; with release_key, app.queue_release can make it visible earlier — and when the check registered for the key''s prefix (app.queue_release_checks) says it is released already, it is released at once.';

CREATE FUNCTION app.queue_dlq_name(queue_name text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO ''
    AS $_$
begin
  -- 43 characters + '_dlq' = 47, the longest name pgmq accepts.
  if queue_name is null or queue_name !~ '^[a-z][a-z0-9_]{0,42}$' then
    raise exception 'Invalid queue name %: use 1 to 43 lowercase letters, digits or underscores, starting with a letter', coalesce(quote_literal(queue_name), 'NULL')
      using errcode = '22023';
  end if;
  return queue_name || '_dlq';
end;
$_$;

COMMENT ON FUNCTION app.queue_dlq_name(queue_name text) IS 'Internal: validates an Ora queue name (^[a-z][a-z0-9_]{0,42}$) and returns its dead-letter queue name, <name>_dlq.';

CREATE FUNCTION app.queue_ensure(queue_name text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_dlq text := app.queue_dlq_name(queue_ensure.queue_name);
begin
  -- Concurrent callers would otherwise race inside pgmq.create.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.queue_ensure:' || queue_ensure.queue_name));

  if not exists (select 1 from pgmq.meta m where m.queue_name = queue_ensure.queue_name) then
    perform pgmq.create(queue_ensure.queue_name);
  end if;
  if not exists (select 1 from pgmq.meta m where m.queue_name = v_dlq) then
    perform pgmq.create(v_dlq);
  end if;
end;
$$;

COMMENT ON FUNCTION app.queue_ensure(queue_name text) IS 'Creates pgmq queue queue_name and its dead-letter queue <queue_name>_dlq if missing. Idempotent. Names: ^[a-z][a-z0-9_]{0,42}$.';

CREATE FUNCTION app.queue_fail(queue_name text, msg_id bigint, error text, retry_in_seconds integer DEFAULT 0) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if queue_fail.retry_in_seconds is null or queue_fail.retry_in_seconds < 0 then
    raise exception 'Invalid retry_in_seconds %: give 0 or more seconds', coalesce(queue_fail.retry_in_seconds::text, 'NULL') using errcode = '22023';
  end if;

  perform 1 from pgmq.set_vt(queue_fail.queue_name, queue_fail.msg_id, queue_fail.retry_in_seconds);
  if not found then
    return false;
  end if;

  insert into app.queue_errors as e (queue_name, msg_id, attempts, last_error, updated_at)
  values (
    queue_fail.queue_name,
    queue_fail.msg_id,
    1,
    left(coalesce(queue_fail.error, 'unknown error'), 2000),
    now()
  )
  on conflict on constraint queue_errors_pkey do update
    set attempts = e.attempts + 1,
        last_error = excluded.last_error,
        updated_at = excluded.updated_at;
  return true;
end;
$$;

COMMENT ON FUNCTION app.queue_fail(queue_name text, msg_id bigint, error text, retry_in_seconds integer) IS 'Records a failed attempt (app.queue_errors: attempts + 1, last_error truncated to 2000 chars) and makes the message visible again after retry_in_seconds (pgmq.set_vt). False if the message is no longer in the queue. app.queue_read dead-letters it once read more than max_attempts times.';

CREATE FUNCTION app.queue_heartbeat(queue_name text, msg_ids bigint[], vt integer, worker_id text DEFAULT NULL::text) RETURNS SETOF bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
begin
  if queue_heartbeat.worker_id is not null then
    insert into app.queue_consumers as c (queue_name, worker_id, expires_at)
    values (queue_heartbeat.queue_name, queue_heartbeat.worker_id, now() + make_interval(secs => queue_heartbeat.vt * 2))
    on conflict on constraint queue_consumers_pkey do update set expires_at = excluded.expires_at;
  end if;
  return query execute format(
    'with kept as (
       update pgmq.%I q set vt = clock_timestamp() + make_interval(secs => $2)
       where q.msg_id = any($1) returning q.msg_id)
     select m from unnest($1) m where m not in (select kept.msg_id from kept)',
    'q_' || queue_heartbeat.queue_name) using queue_heartbeat.msg_ids, queue_heartbeat.vt;
end;
$_$;

COMMENT ON FUNCTION app.queue_heartbeat(queue_name text, msg_ids bigint[], vt integer, worker_id text) IS 'Workers: extends the visibility timeout of the messages a worker holds (one call for all its slots) and renews its consumer lease; returns the msg_ids no longer in the queue (their work was cancelled or finished elsewhere).';

CREATE FUNCTION app.queue_message_malformed(message jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select not app.text_is_uuid(queue_message_malformed.message ->> 'tenant_id')
    or (queue_message_malformed.message ? 'run_id' and not app.text_is_uuid(queue_message_malformed.message ->> 'run_id'))
$$;

COMMENT ON FUNCTION app.queue_message_malformed(message jsonb) IS 'The queue contract (used by claims, the quarantine and each queue''s partial index): true for a message that breaks the tenant-aware queue contract (tenant_id not a uuid, or a run_id that is not one).';

CREATE FUNCTION app.queue_move_to_dlq(queue_name text, msg pgmq.message_record, error text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
  v_dlq text := app.queue_dlq_name(queue_move_to_dlq.queue_name);
begin
  if not exists (select 1 from pgmq.meta m where m.queue_name = v_dlq) then
    perform pgmq.create(v_dlq);
  end if;

  perform pgmq.send(
    v_dlq,
    jsonb_build_object(
      'queue', queue_move_to_dlq.queue_name,
      'msg_id', (queue_move_to_dlq.msg).msg_id,
      'read_ct', (queue_move_to_dlq.msg).read_ct,
      'enqueued_at', (queue_move_to_dlq.msg).enqueued_at,
      'error', left(queue_move_to_dlq.error, 2000),
      'dead_at', now(),
      'message', (queue_move_to_dlq.msg).message
    )
  );
  perform pgmq.archive(queue_move_to_dlq.queue_name, (queue_move_to_dlq.msg).msg_id);
  delete from app.queue_errors e
  where e.queue_name = queue_move_to_dlq.queue_name
    and e.msg_id = (queue_move_to_dlq.msg).msg_id;
end;
$$;

COMMENT ON FUNCTION app.queue_move_to_dlq(queue_name text, msg pgmq.message_record, error text) IS 'Internal: sends msg to <queue>_dlq as {queue, msg_id, read_ct, enqueued_at, error, dead_at, message}, archives it from the source queue and deletes its app.queue_errors row.';

CREATE FUNCTION app.queue_next_visible_in(queue_name text) RETURNS numeric
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_seconds numeric;
begin
  perform app.queue_dlq_name(queue_next_visible_in.queue_name);
  execute format(
    'select case when min(q.vt) is null then null else greatest(0, extract(epoch from (min(q.vt) - clock_timestamp()))) end from pgmq.%I q',
    'q_' || queue_next_visible_in.queue_name) into v_seconds;
  return v_seconds;
end;
$$;

COMMENT ON FUNCTION app.queue_next_visible_in(queue_name text) IS 'Workers: seconds until the next message of queue_name becomes visible; null when the queue is empty.';

CREATE FUNCTION app.queue_read(queue_name text, vt integer, qty integer, max_attempts integer DEFAULT 5) RETURNS SETOF pgmq.message_record
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_msg pgmq.message_record;
  v_wanted integer := queue_read.qty;
  v_dead integer;
  v_error text;
begin
  -- GUARD: arguments
  perform app.queue_dlq_name(queue_read.queue_name);
  -- vt 0 would make the refill loop below read back the messages it just returned
  if queue_read.vt is null or queue_read.vt < 1 then
    raise exception 'Invalid vt %: give the visibility timeout in seconds, 1 or more', coalesce(queue_read.vt::text, 'NULL') using errcode = '22023';
  end if;
  if queue_read.qty is null or queue_read.qty < 1 then
    raise exception 'Invalid qty %: read at least 1 message', coalesce(queue_read.qty::text, 'NULL') using errcode = '22023';
  end if;
  if queue_read.max_attempts is null or queue_read.max_attempts < 1 then
    raise exception 'Invalid max_attempts %: allow at least 1 attempt', coalesce(queue_read.max_attempts::text, 'NULL') using errcode = '22023';
  end if;

  -- READ: every dead-lettered message frees a slot, so read again until qty live messages
  -- were returned or a read brings no dead message (the queue has nothing more to give).
  loop
    v_dead := 0;
    for v_msg in select * from pgmq.read(queue_read.queue_name, queue_read.vt, v_wanted) loop
      if v_msg.read_ct > queue_read.max_attempts then
        select e.last_error into v_error
        from app.queue_errors e
        where e.queue_name = queue_read.queue_name and e.msg_id = v_msg.msg_id;
        perform app.queue_move_to_dlq(queue_read.queue_name, v_msg, coalesce(v_error, 'max attempts exceeded'));
        v_dead := v_dead + 1;
      else
        v_wanted := v_wanted - 1;
        return next v_msg;
      end if;
    end loop;
    exit when v_dead = 0 or v_wanted = 0;
  end loop;
end;
$$;

COMMENT ON FUNCTION app.queue_read(queue_name text, vt integer, qty integer, max_attempts integer) IS 'Reads up to qty messages from queue_name, hiding them for vt seconds (pgmq.read, SKIP LOCKED). A message read more than max_attempts times is not returned: it goes to <queue_name>_dlq with its last error (or ''max attempts exceeded'') and is archived; the read is repeated so the caller still gets up to qty live messages.';

CREATE FUNCTION app.queue_register(queue_name text, function_name text, description text, max_consumers integer DEFAULT 2) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
begin
  perform app.queue_ensure(queue_register.queue_name);
  -- the fair claim walks tenants through this index (tenant, then priority, then age)
  execute format(
    'create index if not exists %I on pgmq.%I (((message ->> %L)), (coalesce((message ->> %L)::integer, 0)) desc, msg_id)',
    'q_' || queue_register.queue_name || '_tenant_idx', 'q_' || queue_register.queue_name, 'tenant_id', 'priority');
  -- malformed messages (usually none) are found through a partial index of their own
  execute format('create index if not exists %I on pgmq.%I (msg_id) where app.queue_message_malformed(message)',
    'q_' || queue_register.queue_name || '_malformed_idx', 'q_' || queue_register.queue_name);
  -- the fair-order query for this queue as a function of its own: static PL/pgSQL, so its plan
  -- is cached per connection instead of planned on every claim
  execute format($fn$
    create or replace function app.%1$I(qty integer)
    returns table (msg_id bigint, tenant_id uuid)
    language plpgsql
    stable
    security definer
    set search_path = ''
    as $body$
    begin
      return query
      with recursive tenants as (
        (select q.message ->> 'tenant_id' as t from pgmq.%2$I q
         where q.message ->> 'tenant_id' is not null order by 1 limit 1)
        union all
        select (select q.message ->> 'tenant_id' from pgmq.%2$I q
                where q.message ->> 'tenant_id' > tenants.t order by 1 limit 1)
        from tenants where tenants.t is not null
      ),
      heads as (
        select h.msg_id, tn.t::uuid as tenant_id, h.rn
        from tenants tn
        cross join lateral (
          select q.msg_id, row_number() over (
            order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id) as rn
          from pgmq.%2$I q
          where q.message ->> 'tenant_id' = tn.t and q.vt <= clock_timestamp()
            and not app.queue_message_malformed(q.message)
          order by coalesce((q.message ->> 'priority')::integer, 0) desc, q.msg_id
          limit qty
        ) h
        where app.text_is_uuid(tn.t)
      )
      select heads.msg_id, heads.tenant_id from heads
      left join app.queue_turns turn on turn.queue_name = %3$L and turn.tenant_id = heads.tenant_id
      order by heads.rn, turn.served_at nulls first, heads.msg_id
      limit qty * 2;
    end;
    $body$
  $fn$, 'queue_candidates__' || queue_register.queue_name, 'q_' || queue_register.queue_name, queue_register.queue_name);
  execute format('comment on function app.%I(integer) is %L', 'queue_candidates__' || queue_register.queue_name,
    'Internal: fair claim order for queue ' || queue_register.queue_name || ' (made by app.queue_register; see app.queue_candidates).');

  insert into app.queue_workers as w (queue_name, function_name, max_consumers, description)
  values (queue_register.queue_name, queue_register.function_name, queue_register.max_consumers, queue_register.description)
  on conflict on constraint queue_workers_pkey do update
    set function_name = excluded.function_name, max_consumers = excluded.max_consumers, description = excluded.description;
end;
$_$;

COMMENT ON FUNCTION app.queue_register(queue_name text, function_name text, description text, max_consumers integer) IS 'Creates queue_name (+ <queue_name>_dlq) with the tenant index fair claims use, and records the function that drains it. Idempotent.';

CREATE FUNCTION app.queue_release(tenant_id uuid, release_key text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_row record;
  v_count integer := 0;
  v_queues text[] := '{}'::text[];
begin
  for v_row in
    delete from app.queue_deferrals d
    where d.tenant_id = queue_release.tenant_id and d.release_key = queue_release.release_key
    returning d.queue_name, d.msg_id
  loop
    perform 1 from pgmq.set_vt(v_row.queue_name, v_row.msg_id, 0);
    v_count := v_count + 1;
    v_queues := v_queues || v_row.queue_name;
  end loop;
  -- only the workers of the queues whose messages were released
  for v_row in select distinct q.queue_name from unnest(v_queues) as q (queue_name) loop
    perform app.queue_wake(v_row.queue_name, 'released');
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.queue_release(tenant_id uuid, release_key text) IS 'Makes every message deferred on (tenant_id, release_key) visible at once and wakes the workers (e.g. when a circuit breaker closes). Returns how many were released.';

CREATE FUNCTION app.queue_turn_taken(queue_name text, tenant_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  insert into app.queue_turns as t (queue_name, tenant_id, served_at)
  values (queue_turn_taken.queue_name, queue_turn_taken.tenant_id, clock_timestamp())
  on conflict on constraint queue_turns_pkey do update set served_at = excluded.served_at;
end;
$$;

COMMENT ON FUNCTION app.queue_turn_taken(queue_name text, tenant_id uuid) IS 'Internal: marks a tenant as just served by a queue.';

CREATE FUNCTION app.queue_wake(queue_name text, reason text DEFAULT 'enqueue'::text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_function text;
begin
  select w.function_name into v_function from app.queue_workers w where w.queue_name = queue_wake.queue_name;
  if v_function is null then
    return;
  end if;
  -- a failed wake-up never loses work: app.tick wakes queues whose messages wait unclaimed
  begin
    perform app.function_invoke(v_function, jsonb_build_object('reason', queue_wake.reason));
  exception when others then
    raise warning '% wake-up failed (app.tick will retry): %', v_function, sqlerrm;
  end;
end;
$$;

COMMENT ON FUNCTION app.queue_wake(queue_name text, reason text) IS 'Wakes the Edge Function registered for queue_name with {"reason": reason}; identical wake-ups in one transaction coalesce. Errors become warnings (app.tick is the safety net).';

CREATE FUNCTION app.queue_wake_stalled() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_queue record;
  v_waiting boolean;
  v_woken integer := 0;
begin
  delete from app.queue_consumers c where c.expires_at < now();
  for v_queue in select w.queue_name, w.max_consumers from app.queue_workers w loop
    execute format('select exists (select 1 from pgmq.%I q where q.vt <= clock_timestamp() - interval ''1 second'')',
      'q_' || v_queue.queue_name) into v_waiting;
    continue when not v_waiting;
    continue when (select count(*) from app.queue_consumers c where c.queue_name = v_queue.queue_name) >= v_queue.max_consumers;
    perform app.queue_wake(v_queue.queue_name, 'tick');
    v_woken := v_woken + 1;
  end loop;
  return v_woken;
end;
$$;

COMMENT ON FUNCTION app.queue_wake_stalled() IS 'Cron (via app.tick): wakes the worker of each queue whose visible messages waited unclaimed for over a second while fewer than max_consumers invocations are draining it.';

CREATE FUNCTION app.queues_quarantine() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_queue text;
  v_msg pgmq.message_record;
  v_count integer := 0;
begin
  for v_queue in select w.queue_name from app.queue_workers w order by w.queue_name loop
    for v_msg in execute format(
      'select q.msg_id, q.read_ct, q.enqueued_at, q.vt, q.message from pgmq.%I q
       where app.queue_message_malformed(q.message) order by q.msg_id limit 100 for update skip locked',
      'q_' || v_queue)
    loop
      perform app.queue_move_to_dlq(v_queue, v_msg,
        'malformed message: tenant_id (and run_id, when present) must be uuids; it could never be claimed');
      v_count := v_count + 1;
    end loop;
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.queues_quarantine() IS 'Tick job: moves messages of registered queues that break the queue contract (tenant_id not a uuid, or a malformed run_id) to <queue>_dlq with the reason, up to 100 per queue per pass.';

CREATE FUNCTION app.request_log_write(rows jsonb) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  with written as (
    insert into public.request_log (request_id, tenant_id, api_key_id, user_id, function_name, action, method,
      status, error_code, duration_ms, client_ip)
    select r.request_id, r.tenant_id, r.api_key_id, r.user_id, r.function_name, r.action, r.method, r.status,
      r.error_code, r.duration_ms, r.client_ip
    from jsonb_to_recordset(request_log_write.rows) as r (request_id text, tenant_id uuid, api_key_id uuid,
      user_id uuid, function_name text, action text, method text, status integer, error_code text,
      duration_ms numeric, client_ip inet)
    where r.tenant_id is null or exists (select 1 from public.tenants t where t.id = r.tenant_id)
    returning 1)
  select count(*)::integer from written
$$;

COMMENT ON FUNCTION app.request_log_write(rows jsonb) IS 'Gateway only: writes a batch of request-log rows (flushed every ~50 ms); rows whose tenant was deleted meanwhile are dropped.';

CREATE FUNCTION app.run_cancel(tenant_id uuid, run_id uuid, reason text DEFAULT 'cancelled'::text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_root public.runs%rowtype;
  v_cancelled public.runs%rowtype;
  v_row record;
  v_count integer := 0;
begin
  select * into v_root from public.runs r where r.id = run_cancel.run_id and r.tenant_id = run_cancel.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_cancel.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  for v_cancelled in
    with recursive tree as (
      select r.id from public.runs r where r.id = v_root.id
      union all
      select c.id from public.runs c join tree t on c.parent_run_id = t.id
    )
    update public.runs r
    set status = 'cancelled', completed_at = now(), queue_msg_id = null,
      timed_out = r.timed_out or run_cancel.reason = 'deadline passed',
      error = jsonb_build_object('code', 'CANCELLED', 'message', run_cancel.reason)
    from tree
    where r.id = tree.id and r.tenant_id = run_cancel.tenant_id and not app.run_is_terminal(r.status)
    returning r.*
  loop
    v_count := v_count + 1;
    perform app.waitpoints_cancel(run_cancel.tenant_id, v_cancelled.id);
    perform app.run_event(v_cancelled, 'cancelled', jsonb_build_object('reason', run_cancel.reason));
  end loop;
  -- the queued messages of cancelled runs go away (a running worker sees it at its next heartbeat)
  for v_row in
    select k.queue_name, r.id from public.runs r join app.run_kinds k on k.kind = r.kind
    where r.root_run_id = v_root.root_run_id and r.tenant_id = run_cancel.tenant_id and r.status = 'cancelled'
  loop
    execute format('delete from pgmq.%I q where q.message ->> ''run_id'' = $1', 'q_' || v_row.queue_name) using v_row.id::text;
  end loop;
  perform app.waitpoints_on_run_finished(run_cancel.tenant_id, r.id)
  from public.runs r
  where r.root_run_id = v_root.root_run_id and r.tenant_id = run_cancel.tenant_id and r.status = 'cancelled';
  return v_count;
end;
$_$;

COMMENT ON FUNCTION app.run_cancel(tenant_id uuid, run_id uuid, reason text) IS 'Cancels a run and its unfinished descendants: waits cancelled, queued messages deleted, run.cancelled emitted, runs waiting for them resumed. A worker running one stops at its next heartbeat.';

CREATE FUNCTION app.run_complete(tenant_id uuid, run_id uuid, msg_id bigint, output jsonb) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run public.runs%rowtype;
  v_queue text;
begin
  select * into v_run from public.runs r
  where r.id = run_complete.run_id and r.tenant_id = run_complete.tenant_id
  for update;
  if not found then
    raise exception 'No run % in this tenant', run_complete.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  -- the message is acknowledged only when it is this run's
  if run_complete.msg_id is not null and v_run.queue_msg_id = run_complete.msg_id then
    perform app.queue_ack(v_queue, run_complete.msg_id);
  end if;
  if app.run_is_terminal(v_run.status) then
    return 'already';
  end if;
  update public.runs r
  set status = 'completed', output = run_complete.output, error = null, completed_at = now(), queue_msg_id = null
  where r.id = v_run.id
  returning * into v_run;
  -- a finished run is never resumed: its pending waits (a token it handed out) end with it, as in run_fail
  perform app.waitpoints_cancel(v_run.tenant_id, v_run.id);
  perform app.run_event(v_run, 'completed', jsonb_build_object('summary', v_run.output ->> 'summary',
    'coordination', v_run.output ->> 'coordination'));
  perform app.waitpoints_on_run_finished(v_run.tenant_id, v_run.id);
  return 'completed';
end;
$$;

COMMENT ON FUNCTION app.run_complete(tenant_id uuid, run_id uuid, msg_id bigint, output jsonb) IS 'Workers: completes a run (output stored once), archives its message, cancels its own pending waits, emits run.completed and resolves the waits of runs waiting for it — one transaction.';

CREATE TABLE public.runs (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    kind text NOT NULL,
    subject text,
    status text DEFAULT 'queued'::text NOT NULL,
    input jsonb DEFAULT '{}'::jsonb NOT NULL,
    output jsonb,
    error jsonb,
    attempt integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 3 NOT NULL,
    priority integer DEFAULT 0 NOT NULL,
    concurrency_key text,
    concurrency_limit integer,
    idempotency_key text,
    parent_run_id uuid,
    root_run_id uuid,
    depth integer DEFAULT 0 NOT NULL,
    definition_version text,
    code_version text,
    forked_from_run_id uuid,
    forked_from_seq integer,
    deadline_at timestamp with time zone,
    timed_out boolean DEFAULT false NOT NULL,
    queue_msg_id bigint,
    worker_id text,
    heartbeat_at timestamp with time zone,
    wake jsonb,
    resuming boolean DEFAULT false NOT NULL,
    created_by text,
    user_id uuid,
    api_key_id uuid,
    escalated_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    queued_at timestamp with time zone,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT runs_attempt_check CHECK ((attempt >= 0)),
    CONSTRAINT runs_concurrency_key_check CHECK (((length(concurrency_key) >= 1) AND (length(concurrency_key) <= 200))),
    CONSTRAINT runs_concurrency_limit_check CHECK ((concurrency_limit > 0)),
    CONSTRAINT runs_depth_check CHECK ((depth >= 0)),
    CONSTRAINT runs_idempotency_key_check CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200))),
    CONSTRAINT runs_max_attempts_check CHECK (((max_attempts >= 1) AND (max_attempts <= 20))),
    CONSTRAINT runs_priority_check CHECK (((priority >= '-100'::integer) AND (priority <= 100))),
    CONSTRAINT runs_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'waiting'::text, 'completed'::text, 'failed'::text, 'cancelled'::text])))
);

ALTER TABLE ONLY public.runs FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.runs IS 'Durable runs (agent sessions, orchestrations, automations, …): queued → running → (waiting → queued → running)* → completed | failed | cancelled. Steps are in run_steps, waits in run_waitpoints. Written only by app.* functions.';

COMMENT ON COLUMN public.runs.kind IS 'What runs: agent (one agent session), orchestration (a coordinator and its children), automation, … (app.run_kinds).';

COMMENT ON COLUMN public.runs.subject IS 'What the run is about, by kind: the agent slug for sessions, the automation id for automations.';

COMMENT ON COLUMN public.runs.status IS 'queued (a message waits in the kind''s queue), running (a worker holds it), waiting (parked on waitpoints; no worker, no message), completed, failed, cancelled.';

COMMENT ON COLUMN public.runs.input IS 'What the run was started with, including a snapshot of its definition (an agent''s persona, tools and skills) so later edits never change a run in flight.';

COMMENT ON COLUMN public.runs.output IS 'The result once completed (for sessions: summary, output, citations, provider, metrics).';

COMMENT ON COLUMN public.runs.error IS 'The last error {code, message, attempt, retryable}; kept while retrying, final once failed.';

COMMENT ON COLUMN public.runs.attempt IS 'Executions started (claims); a crash or retry starts another. Resuming after a wait is not an attempt.';

COMMENT ON COLUMN public.runs.max_attempts IS 'Executions allowed before the run fails for good (its message goes to the dead-letter queue).';

COMMENT ON COLUMN public.runs.priority IS 'Higher runs sooner within its tenant; tenants are served round-robin.';

COMMENT ON COLUMN public.runs.concurrency_key IS 'At most concurrency_limit running runs of the tenant share this key.';

COMMENT ON COLUMN public.runs.concurrency_limit IS 'Running runs allowed at once for the tenant''s concurrency_key; null = no per-key cap.';

COMMENT ON COLUMN public.runs.idempotency_key IS 'Unique per tenant: starting a run with a key that exists returns the existing run.';

COMMENT ON COLUMN public.runs.parent_run_id IS 'The run that started this one (an orchestration''s children); cancelling a run cancels its descendants.';

COMMENT ON COLUMN public.runs.root_run_id IS 'The top of this run''s tree.';

COMMENT ON COLUMN public.runs.depth IS 'Levels below the root (spawn depth).';

COMMENT ON COLUMN public.runs.definition_version IS 'Content hash of the definition the run started with (e.g. the agent snapshot).';

COMMENT ON COLUMN public.runs.code_version IS 'Version of the handler code that recorded the run''s first step; a resumed run whose handler version differs fails with DEFINITION_CHANGED instead of replaying recorded steps against different code.';

COMMENT ON COLUMN public.runs.forked_from_run_id IS 'For a replay (fork): the run whose steps before forked_from_seq were copied.';

COMMENT ON COLUMN public.runs.forked_from_seq IS 'For a replay: steps with a lower seq were copied from the original; this one and later ran again.';

COMMENT ON COLUMN public.runs.deadline_at IS 'After this the run is cancelled (or, for kinds with on_deadline time_out_waits, its waits time out).';

COMMENT ON COLUMN public.runs.timed_out IS 'True when the deadline ended the run or its waits.';

COMMENT ON COLUMN public.runs.queue_msg_id IS 'The pgmq message that currently carries the run (null while waiting or finished).';

COMMENT ON COLUMN public.runs.worker_id IS 'The worker invocation that last claimed it.';

COMMENT ON COLUMN public.runs.heartbeat_at IS 'Last sign of life from the worker running it (every visibility timeout / 3).';

COMMENT ON COLUMN public.runs.wake IS 'Why the run last resumed: {step, kind, status} of the waitpoint that woke it.';

COMMENT ON COLUMN public.runs.resuming IS 'True from a wait''s resolution until the next claim: resuming is not a new attempt.';

COMMENT ON COLUMN public.runs.created_by IS 'key:<id>, user:<id>, service_role, task:<id>, automation:<id>, run:<id>.';

COMMENT ON COLUMN public.runs.user_id IS 'The Supabase Auth user who started the run, when a user did; null otherwise.';

COMMENT ON COLUMN public.runs.api_key_id IS 'The API key that started the run, when a key did; null otherwise.';

COMMENT ON COLUMN public.runs.escalated_at IS 'When the director review escalated it as stalled (once).';

COMMENT ON COLUMN public.runs.queued_at IS 'When app.run_enqueue last sent the run''s message (at creation, fork, and on resuming after a wait); a retry keeps it.';

COMMENT ON COLUMN public.runs.started_at IS 'When a worker first claimed the run (status running).';

COMMENT ON COLUMN public.runs.completed_at IS 'When the run reached completed, failed or cancelled.';

CREATE FUNCTION app.run_create(tenant_id uuid, spec jsonb) RETURNS public.runs
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_existing public.runs%rowtype;
  v_parent public.runs%rowtype;
  v_run public.runs%rowtype;
begin
  -- GUARD: a repeated start with the same idempotency key returns the existing run
  if spec ->> 'idempotency_key' is not null then
    select * into v_existing from public.runs r
    where r.tenant_id = run_create.tenant_id and r.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return v_existing;
    end if;
  end if;
  if not exists (select 1 from app.run_kinds k where k.kind = spec ->> 'kind') then
    raise exception 'Unknown run kind %', coalesce(spec ->> 'kind', 'NULL') using errcode = 'OR400', detail = 'unknown_run_kind';
  end if;
  if spec ->> 'parent_run_id' is not null then
    select * into v_parent from public.runs r
    where r.id = (spec ->> 'parent_run_id')::uuid and r.tenant_id = run_create.tenant_id;
    if not found then
      raise exception 'No parent run % in this tenant', spec ->> 'parent_run_id' using errcode = 'OR404', detail = 'parent_not_found';
    end if;
  end if;

  insert into public.runs (tenant_id, kind, subject, input, priority, concurrency_key, concurrency_limit,
    idempotency_key, parent_run_id, root_run_id, depth, max_attempts, deadline_at, definition_version,
    created_by, user_id, api_key_id)
  values (run_create.tenant_id, spec ->> 'kind', spec ->> 'subject', coalesce(spec -> 'input', '{}'::jsonb),
    coalesce((spec ->> 'priority')::integer, v_parent.priority, 0), spec ->> 'concurrency_key',
    (spec ->> 'concurrency_limit')::integer, spec ->> 'idempotency_key', v_parent.id,
    coalesce(v_parent.root_run_id, v_parent.id), coalesce(v_parent.depth + 1, 0),
    coalesce((spec ->> 'max_attempts')::integer, 3),
    coalesce((spec ->> 'deadline_at')::timestamptz, v_parent.deadline_at),
    coalesce(spec ->> 'definition_version', md5(coalesce(spec -> 'input', '{}'::jsonb)::text)),
    spec ->> 'created_by', (spec ->> 'user_id')::uuid, (spec ->> 'api_key_id')::uuid)
  returning * into v_run;
  if v_run.root_run_id is null then
    update public.runs r set root_run_id = r.id where r.id = v_run.id returning * into v_run;
  end if;
  if coalesce((spec ->> 'enqueue')::boolean, true) then
    perform app.run_enqueue(run_create.tenant_id, v_run.id);
    select * into v_run from public.runs r where r.id = v_run.id;
  end if;
  return v_run;
end;
$$;

COMMENT ON FUNCTION app.run_create(tenant_id uuid, spec jsonb) IS 'Creates and queues a run (or returns the run with the same idempotency key). Children inherit priority and deadline from the parent.';

CREATE FUNCTION app.run_defer(tenant_id uuid, run_id uuid, msg_id bigint, delay_seconds integer, reason text, release_key text DEFAULT NULL::text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run public.runs%rowtype;
  v_queue text;
begin
  update public.runs r
  set status = 'queued', worker_id = null, attempt = greatest(0, r.attempt - 1),
    error = jsonb_build_object('code', 'DEFERRED', 'message', run_defer.reason, 'release_key', run_defer.release_key)
  where r.id = run_defer.run_id and r.tenant_id = run_defer.tenant_id and r.status = 'running'
    and r.queue_msg_id = run_defer.msg_id
  returning * into v_run;
  -- GUARD: no running run of this tenant holding that message: leave the message alone
  if v_run.id is null then
    return false;
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  return app.queue_defer(v_queue, run_defer.msg_id, v_run.tenant_id, run_defer.delay_seconds, run_defer.release_key);
end;
$$;

COMMENT ON FUNCTION app.run_defer(tenant_id uuid, run_id uuid, msg_id bigint, delay_seconds integer, reason text, release_key text) IS 'Workers: returns a claimed run to its queue after delay_seconds without counting an attempt; app.queue_release(tenant, release_key) can make it visible earlier.';

CREATE FUNCTION app.run_enqueue(tenant_id uuid, run_id uuid, delay_seconds integer DEFAULT 0) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run public.runs%rowtype;
  v_queue text;
  v_msg_id bigint;
begin
  select * into v_run from public.runs r where r.id = run_enqueue.run_id and r.tenant_id = run_enqueue.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_enqueue.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  select * into v_msg_id from pgmq.send(v_queue, jsonb_build_object(
    'run_id', v_run.id, 'tenant_id', v_run.tenant_id, 'kind', v_run.kind, 'priority', v_run.priority),
    run_enqueue.delay_seconds);
  update public.runs r set status = 'queued', queue_msg_id = v_msg_id, queued_at = now(), worker_id = null
  where r.id = v_run.id;
  if run_enqueue.delay_seconds = 0 and coalesce((select (t.settings ->> 'wake_workers')::boolean
      from public.tenants t where t.id = run_enqueue.tenant_id), true) then
    perform app.queue_wake(v_queue, 'enqueue');
  end if;
  return v_msg_id;
end;
$$;

COMMENT ON FUNCTION app.run_enqueue(tenant_id uuid, run_id uuid, delay_seconds integer) IS 'Queues a run on its kind''s queue (pgmq message {run_id, tenant_id, kind, priority}), marks it queued and wakes the worker (coalesced; not when tenants.settings.wake_workers is false).';

CREATE FUNCTION app.run_event(run public.runs, what text, extra jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  insert into public.event_log (tenant_id, event_type, event_source, payload, chain)
  select run_event.run.tenant_id,
    coalesce((select k.event_prefix from app.run_kinds k where k.kind = run_event.run.kind), 'run') || '.' || run_event.what,
    'system',
    jsonb_build_object('run_id', run_event.run.id, 'kind', run_event.run.kind, 'subject', run_event.run.subject,
      'parent_run_id', run_event.run.parent_run_id) || run_event.extra,
    coalesce(
      (select array_agg(x::uuid) from jsonb_array_elements_text(c.chain) x),
      nullif(current_setting('ora.chain', true), '')::uuid[],
      '{}')
  from (select coalesce(
      case when jsonb_typeof(run_event.run.input -> 'trigger' -> 'chain') = 'array' then run_event.run.input -> 'trigger' -> 'chain' end,
      (select r.input -> 'trigger' -> 'chain' from public.runs r
        where r.id in (run_event.run.parent_run_id, run_event.run.root_run_id)
          and jsonb_typeof(r.input -> 'trigger' -> 'chain') = 'array'
        order by r.depth desc limit 1)) as chain) c;
end;
$$;

COMMENT ON FUNCTION app.run_event(run public.runs, what text, extra jsonb) IS 'Internal: emits <prefix>.<what> for a run (prefix from app.run_kinds: run, or session for agent sessions) with run_id, kind, subject, parent_run_id and extra. The event carries the automation chain of the run (or of its parent or root), so an automation never fires from its own runs'' lifecycle.';

CREATE FUNCTION app.run_fail(tenant_id uuid, run_id uuid, msg_id bigint, error jsonb, retry_in_seconds integer, retryable boolean) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run public.runs%rowtype;
  v_queue text;
begin
  select * into v_run from public.runs r
  where r.id = run_fail.run_id and r.tenant_id = run_fail.tenant_id
  for update;
  if not found or app.run_is_terminal(v_run.status) then
    return 'already';
  end if;
  if v_run.queue_msg_id is distinct from run_fail.msg_id then
    return 'not-this-message';
  end if;
  select k.queue_name into v_queue from app.run_kinds k where k.kind = v_run.kind;
  if run_fail.retryable and v_run.attempt < v_run.max_attempts then
    update public.runs r set status = 'queued', error = run_fail.error, worker_id = null where r.id = v_run.id;
    perform app.queue_fail(v_queue, run_fail.msg_id, run_fail.error ->> 'message', greatest(0, run_fail.retry_in_seconds));
    return 'retrying';
  end if;
  update public.runs r
  set status = 'failed', error = run_fail.error, completed_at = now(), queue_msg_id = null
  where r.id = v_run.id
  returning * into v_run;
  if run_fail.msg_id is not null then
    perform app.queue_dead_letter(v_queue, run_fail.msg_id, run_fail.error ->> 'message');
  end if;
  perform app.waitpoints_cancel(v_run.tenant_id, v_run.id);
  perform app.run_event(v_run, 'failed', jsonb_build_object('attempt', v_run.attempt, 'error', run_fail.error));
  perform app.waitpoints_on_run_finished(v_run.tenant_id, v_run.id);
  return 'failed';
end;
$$;

COMMENT ON FUNCTION app.run_fail(tenant_id uuid, run_id uuid, msg_id bigint, error jsonb, retry_in_seconds integer, retryable boolean) IS 'Workers: a failed attempt — retried after retry_in_seconds while attempts remain and the error is retryable, else the run fails for good (dead letter, run.failed, waiting runs resumed).';

CREATE FUNCTION app.run_fork(tenant_id uuid, run_id uuid, from_seq integer, input jsonb DEFAULT NULL::jsonb, created_by text DEFAULT NULL::text) RETURNS public.runs
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_source public.runs%rowtype;
  v_run public.runs%rowtype;
begin
  select * into v_source from public.runs r where r.id = run_fork.run_id and r.tenant_id = run_fork.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_fork.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  if run_fork.from_seq is null or run_fork.from_seq < 1 then
    raise exception 'from_seq must be 1 or more' using errcode = 'OR400', detail = 'invalid_from_seq';
  end if;
  if run_fork.from_seq > coalesce((select max(s.seq) from public.run_steps s where s.run_id = v_source.id), 0) + 1 then
    raise exception 'Run % has no step %: fork from an existing step or the one after the last', v_source.id, run_fork.from_seq
      using errcode = 'OR400', detail = 'invalid_from_seq';
  end if;
  insert into public.runs (tenant_id, kind, subject, input, priority, concurrency_key, concurrency_limit,
    parent_run_id, root_run_id, depth, max_attempts, definition_version, code_version, forked_from_run_id,
    forked_from_seq, created_by)
  values (v_source.tenant_id, v_source.kind, v_source.subject, coalesce(run_fork.input, v_source.input),
    v_source.priority, v_source.concurrency_key, v_source.concurrency_limit, null, null, 0, v_source.max_attempts,
    case when run_fork.input is null then v_source.definition_version else md5(run_fork.input::text) end,
    v_source.code_version, v_source.id, run_fork.from_seq, coalesce(run_fork.created_by, 'run:' || v_source.id))
  returning * into v_run;
  update public.runs r set root_run_id = r.id where r.id = v_run.id returning * into v_run;
  insert into public.run_steps (tenant_id, run_id, seq, key, kind, status, input, output, error, attempts,
    run_attempt, provider, model, prompt_tokens, completion_tokens, cost_usd, started_at, completed_at, duration_ms)
  select s.tenant_id, v_run.id, s.seq, s.key, s.kind, s.status, s.input, s.output, s.error, s.attempts, 0,
    s.provider, s.model, s.prompt_tokens, s.completion_tokens, s.cost_usd, s.started_at, s.completed_at, s.duration_ms
  from public.run_steps s
  where s.run_id = v_source.id and s.seq < run_fork.from_seq and s.status = 'completed';
  perform app.run_enqueue(v_run.tenant_id, v_run.id);
  select * into v_run from public.runs r where r.id = v_run.id;
  return v_run;
end;
$$;

COMMENT ON FUNCTION app.run_fork(tenant_id uuid, run_id uuid, from_seq integer, input jsonb, created_by text) IS 'Replays run_id from step from_seq into a new run: completed steps before from_seq are copied (they return their records; no model or tool is called again), the rest runs again, optionally with new input.';

CREATE FUNCTION app.run_is_terminal(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select run_is_terminal.status in ('completed', 'failed', 'cancelled')
$$;

COMMENT ON FUNCTION app.run_is_terminal(status text) IS 'The one definition of a finished run: completed, failed or cancelled.';

CREATE FUNCTION app.run_park(tenant_id uuid, run_id uuid, msg_id bigint, step_key text, mode text, waits jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run public.runs%rowtype;
  v_wait jsonb;
  v_pos integer := 0;
  v_deadline timestamptz;
  v_timeout timestamptz;
  v_id uuid;
  v_event record;
  v_names text[];
  v_ids uuid[];
  v_done integer;
  v_total integer;
  v_output jsonb;
  v_queue text;
  v_on_deadline text;
begin
  if run_park.mode not in ('any', 'all') or jsonb_typeof(run_park.waits) <> 'array' or jsonb_array_length(run_park.waits) = 0 then
    raise exception 'Invalid wait: mode any or all with at least one wait' using errcode = 'OR400', detail = 'invalid_wait';
  end if;
  -- LOCKS FIRST, in one order: the event types (exclusive), the runs waited for, then this run
  for v_names in
    select array_agg(distinct n order by n) from jsonb_array_elements(run_park.waits) w,
      jsonb_array_elements_text(w -> 'events') n where w ->> 'kind' = 'event'
  loop
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.event:' || run_park.tenant_id::text || ':' || n))
    from unnest(v_names) n where n is not null;
  end loop;
  perform 1 from public.runs r
  where r.id in (select (jsonb_array_elements_text(w -> 'run_ids'))::uuid from jsonb_array_elements(run_park.waits) w
                 where w ->> 'kind' = 'runs')
    and r.tenant_id = run_park.tenant_id
  order by r.id for share;

  select * into v_run from public.runs r where r.id = run_park.run_id and r.tenant_id = run_park.tenant_id for update;
  if not found then
    raise exception 'No run % in this tenant', run_park.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  if v_run.status <> 'running' or v_run.queue_msg_id is distinct from run_park.msg_id then
    raise exception 'Run % is % and no longer held by this message', v_run.id, v_run.status using errcode = 'OR409', detail = 'run_not_running';
  end if;
  -- GUARD: a wait step that was already recorded (a replay) returns its record
  select s.output into v_output from public.run_steps s where s.run_id = v_run.id and s.key = run_park.step_key and s.status = 'completed';
  if found then
    return jsonb_build_object('parked', false, 'output', v_output);
  end if;
  select k.on_deadline, k.queue_name into v_on_deadline, v_queue from app.run_kinds k where k.kind = v_run.kind;
  v_deadline := case when v_on_deadline = 'time_out_waits' then v_run.deadline_at end;

  for v_wait in select * from jsonb_array_elements(run_park.waits) loop
    v_timeout := least(nullif(v_wait ->> 'timeout_at', '')::timestamptz, v_deadline);
    case v_wait ->> 'kind'
    when 'time' then
      insert into public.run_waitpoints (tenant_id, run_id, step_key, mode, position, kind, resume_at)
      values (v_run.tenant_id, v_run.id, run_park.step_key, run_park.mode, v_pos, 'time', (v_wait ->> 'at')::timestamptz)
      returning id into v_id;
      if (v_wait ->> 'at')::timestamptz <= clock_timestamp() then
        update public.run_waitpoints w set status = 'resolved', resolved_at = clock_timestamp(),
          result = jsonb_build_object('at', w.resume_at) where w.id = v_id;
      end if;
    when 'event' then
      select array_agg(n) into v_names from jsonb_array_elements_text(v_wait -> 'events') n;
      insert into public.run_waitpoints (tenant_id, run_id, step_key, mode, position, kind, resume_at, event_names,
        event_keys, event_filter)
      values (v_run.tenant_id, v_run.id, run_park.step_key, run_park.mode, v_pos, 'event', v_timeout, v_names,
        (select array_agg(v_run.tenant_id::text || ':' || n) from unnest(v_names) n),
        nullif(v_wait -> 'filter', 'null'::jsonb))
      returning id into v_id;
      -- LOOKBACK: an event that arrived just before the wait began is not missed
      select e.id, e.event_type, e.payload, e.created_at into v_event from public.event_log e
      where e.tenant_id = v_run.tenant_id and e.event_type = any(v_names)
        and e.created_at >= clock_timestamp() - make_interval(secs => coalesce((v_wait ->> 'lookback_seconds')::numeric, 0))
        and (v_wait -> 'filter' is null or jsonb_typeof(v_wait -> 'filter') = 'null' or e.payload @> (v_wait -> 'filter'))
      order by e.created_at limit 1;
      if v_event.id is not null then
        update public.run_waitpoints w set status = 'resolved', resolved_at = clock_timestamp(),
          result = jsonb_build_object('event_id', v_event.id, 'event_type', v_event.event_type,
            'payload', v_event.payload, 'created_at', v_event.created_at)
        where w.id = v_id;
      end if;
      v_event := null;
    when 'runs' then
      select array_agg(x::uuid) into v_ids from jsonb_array_elements_text(v_wait -> 'run_ids') x;
      insert into public.run_waitpoints (tenant_id, run_id, step_key, mode, position, kind, resume_at, run_ids, runs_mode)
      values (v_run.tenant_id, v_run.id, run_park.step_key, run_park.mode, v_pos, 'runs', v_timeout, v_ids,
        coalesce(v_wait ->> 'mode', 'all'))
      returning id into v_id;
      select count(*) filter (where app.run_is_terminal(r.status)), count(*) into v_done, v_total
      from public.runs r where r.id = any(v_ids) and r.tenant_id = v_run.tenant_id;
      if v_total < cardinality(v_ids) then
        raise exception 'A run waited for is not in this tenant' using errcode = 'OR404', detail = 'run_not_found';
      end if;
      if (coalesce(v_wait ->> 'mode', 'all') = 'any' and v_done > 0) or v_done = v_total then
        update public.run_waitpoints w set status = 'resolved', resolved_at = clock_timestamp(),
          result = (select jsonb_build_object('runs', jsonb_agg(jsonb_build_object('id', r.id, 'status', r.status)
            order by array_position(v_ids, r.id))) from public.runs r where r.id = any(v_ids))
        where w.id = v_id;
      end if;
    when 'token' then
      update public.run_waitpoints w
      set step_key = run_park.step_key, mode = run_park.mode, position = v_pos,
        resume_at = case when w.status = 'pending' then coalesce(least(w.resume_at, v_timeout), w.resume_at, v_timeout) else w.resume_at end
      where w.id = (v_wait ->> 'waitpoint_id')::uuid and w.run_id = v_run.id and w.kind = 'token' and w.step_key is null
      returning w.id into v_id;
      if v_id is null then
        raise exception 'No unused completion token % of this run', v_wait ->> 'waitpoint_id' using errcode = 'OR404', detail = 'token_not_found';
      end if;
    when 'approval' then
      insert into public.run_waitpoints (tenant_id, run_id, step_key, mode, position, kind, resume_at, approval_id)
      values (v_run.tenant_id, v_run.id, run_park.step_key, run_park.mode, v_pos, 'approval', v_timeout,
        (v_wait ->> 'approval_id')::uuid)
      returning id into v_id;
      perform app.approval_check_waitpoint(v_id);
    else
      raise exception 'Unknown wait kind %', coalesce(v_wait ->> 'kind', 'NULL') using errcode = 'OR400', detail = 'invalid_wait';
    end case;
    -- a timeout already past resolves as such
    update public.run_waitpoints w set status = 'timed_out', resolved_at = clock_timestamp(),
      result = jsonb_build_object('timed_out', true)
    where w.id = v_id and w.status = 'pending' and w.resume_at is not null and w.resume_at <= clock_timestamp() and w.kind <> 'time';
    v_pos := v_pos + 1;
    v_id := null;
  end loop;

  -- SATISFIED ALREADY: record the step and keep running (the message stays claimed)
  v_output := app.waitpoint_step_check(v_run.id, run_park.step_key, false);
  if v_output is not null then
    return jsonb_build_object('parked', false, 'output', v_output);
  end if;

  -- PARK: no message, no worker
  perform app.queue_ack(v_queue, run_park.msg_id);
  update public.runs r set status = 'waiting', queue_msg_id = null, worker_id = null where r.id = v_run.id
  returning * into v_run;
  perform app.run_event(v_run, 'waiting', jsonb_build_object('step', run_park.step_key,
    'waits', (select jsonb_agg(w ->> 'kind') from jsonb_array_elements(run_park.waits) w)));
  return jsonb_build_object('parked', true);
end;
$$;

COMMENT ON FUNCTION app.run_park(tenant_id uuid, run_id uuid, msg_id bigint, step_key text, mode text, waits jsonb) IS 'Workers: parks a running run on a wait step (waitpoints of kind time, event, runs, token, approval; mode any or all), or returns the step''s output at once when already satisfied. Parking archives the run''s message and emits run.waiting.';

CREATE FUNCTION app.run_step_record(tenant_id uuid, run_id uuid, step jsonb) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run public.runs%rowtype;
  v_seq integer;
  v_id uuid;
begin
  select * into v_run from public.runs r where r.id = run_step_record.run_id and r.tenant_id = run_step_record.tenant_id;
  if not found then
    raise exception 'No run % in this tenant', run_step_record.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  select coalesce(max(s.seq), 0) + 1 into v_seq from public.run_steps s where s.run_id = v_run.id;
  insert into public.run_steps as s (tenant_id, run_id, seq, key, kind, status, input, output, error, run_attempt,
    provider, model, prompt_tokens, completion_tokens, cost_usd, started_at, completed_at, duration_ms)
  values (v_run.tenant_id, v_run.id, v_seq, step ->> 'key', coalesce(step ->> 'kind', 'step'),
    coalesce(step ->> 'status', 'completed'), step -> 'input', step -> 'output', step -> 'error', v_run.attempt,
    step ->> 'provider', step ->> 'model', coalesce((step ->> 'prompt_tokens')::integer, 0),
    coalesce((step ->> 'completion_tokens')::integer, 0), coalesce((step ->> 'cost_usd')::numeric, 0),
    (step ->> 'started_at')::timestamptz, now(), coalesce((step ->> 'duration_ms')::integer, 0))
  on conflict on constraint run_steps_run_id_key_key do update
    set status = excluded.status, input = coalesce(excluded.input, s.input), output = excluded.output,
      error = excluded.error, attempts = s.attempts + 1, run_attempt = excluded.run_attempt,
      provider = excluded.provider, model = excluded.model, prompt_tokens = excluded.prompt_tokens,
      completion_tokens = excluded.completion_tokens, cost_usd = excluded.cost_usd,
      started_at = excluded.started_at, completed_at = excluded.completed_at, duration_ms = excluded.duration_ms
    -- GUARD: a completed step is never overwritten (a late duplicate changes nothing)
    where s.status <> 'completed'
  returning s.seq, s.id into v_seq, v_id;
  if v_seq is null then
    return null;
  end if;
  if v_run.code_version is null and step ->> 'code_version' is not null then
    update public.runs r set code_version = step ->> 'code_version' where r.id = v_run.id;
  end if;
  -- usage for every model or tool call that was made and answered
  if step ->> 'usage_kind' is not null then
    perform app.usage_record(v_run.tenant_id, jsonb_build_object(
      'run_id', v_run.id, 'run_step_id', v_id, 'kind', step ->> 'usage_kind',
      'provider', step ->> 'provider', 'model', step ->> 'model',
      'prompt_tokens', step ->> 'prompt_tokens', 'completion_tokens', step ->> 'completion_tokens',
      'units', coalesce((step ->> 'units')::numeric,
        coalesce((step ->> 'prompt_tokens')::numeric, 0) + coalesce((step ->> 'completion_tokens')::numeric, 0)),
      'cost_usd', step ->> 'cost_usd', 'metadata', coalesce(step -> 'usage_metadata', '{}'::jsonb)));
  end if;
  return v_seq;
end;
$$;

COMMENT ON FUNCTION app.run_step_record(tenant_id uuid, run_id uuid, step jsonb) IS 'Workers: records one step {key, kind, status, input, output, error, provider, model, tokens, cost, duration, usage_kind} of a run (a completed step is never overwritten) and its usage event; returns the step''s seq (null when it was already completed).';

CREATE FUNCTION app.runs_claim(queue_name text, worker_id text, vt integer, qty integer) RETURNS TABLE(msg_id bigint, run_id uuid, tenant_id uuid, kind text, attempt integer, resumed boolean, code_version text, input jsonb, steps jsonb, tenant_settings jsonb)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_cand_msg bigint;
  v_cand_run uuid;
  v_cand_tenant uuid;
  v_run public.runs%rowtype;
  v_taken bigint[] := '{}';
  v_stale interval := make_interval(secs => greatest(runs_claim.vt, 10) * 2);
  v_limit_name text;
  v_qtable text := 'q_' || runs_claim.queue_name;
begin
  -- LOCK the candidates' messages in one statement (SKIP LOCKED: another claimer has those)
  for v_cand_msg, v_cand_run, v_cand_tenant in
    execute format('select q.msg_id, (q.message ->> ''run_id'')::uuid as run_id, (q.message ->> ''tenant_id'')::uuid as tenant_id
      from pgmq.%I q where q.msg_id = any($1) and q.vt <= clock_timestamp()
      order by array_position($1, q.msg_id) for update skip locked', v_qtable)
      using array(select c.msg_id from app.queue_candidates(runs_claim.queue_name, runs_claim.qty) c)
  loop
    exit when cardinality(v_taken) >= runs_claim.qty;
    -- one claimer per tenant at a time, so concurrency counts cannot race; a busy tenant is
    -- skipped (another claimer is serving it), never waited for
    continue when not pg_catalog.pg_try_advisory_xact_lock(
      pg_catalog.hashtext('app.runs_claim:' || runs_claim.queue_name || ':' || v_cand_tenant::text));
    select * into v_run from public.runs r
    where r.id = v_cand_run and r.tenant_id = v_cand_tenant
    for update skip locked;
    -- GUARD: a run locked elsewhere (a parent parking on it holds it for share) is busy, not gone:
    -- its message stays visible for the next claim
    if v_run.id is null and exists (select 1 from public.runs r where r.id = v_cand_run and r.tenant_id = v_cand_tenant) then
      continue;
    end if;

    -- GUARD: a message whose run finished, vanished or moved on to another message: archive it
    if v_run.id is null or app.run_is_terminal(v_run.status) or v_run.status = 'waiting'
        or v_run.queue_msg_id is distinct from v_cand_msg then
      if v_run.id is null or v_run.queue_msg_id is distinct from v_cand_msg or app.run_is_terminal(v_run.status) then
        perform pgmq.archive(runs_claim.queue_name, v_cand_msg);
      end if;
      v_run := null;
      continue;
    end if;

    -- GUARD: a run that keeps killing its worker ends in the dead-letter queue
    if not v_run.resuming and v_run.attempt >= v_run.max_attempts then
      perform app.run_fail(v_run.tenant_id, v_run.id, v_cand_msg, jsonb_build_object('code', 'MAX_ATTEMPTS',
        'message', format('Gave up after %s attempts: the worker stopped before finishing each time', v_run.attempt)),
        0, false);
      v_run := null;
      continue;
    end if;

    -- CONCURRENCY: per key and per tenant for this kind (other fresh running runs only)
    if v_run.concurrency_key is not null and (
      select count(*) from public.runs r
      where r.tenant_id = v_run.tenant_id and r.concurrency_key = v_run.concurrency_key and r.kind = v_run.kind
        and r.status = 'running' and r.id <> v_run.id and r.heartbeat_at > now() - v_stale
    ) >= coalesce(v_run.concurrency_limit, 1) then
      v_run := null;
      continue;
    end if;
    select k.concurrency_limit_name into v_limit_name from app.run_kinds k where k.kind = v_run.kind;
    if v_limit_name is not null and (
      select count(*) from public.runs r
      where r.tenant_id = v_run.tenant_id and r.kind = v_run.kind and r.status = 'running'
        and r.id <> v_run.id and r.heartbeat_at > now() - v_stale
    ) >= app.tenant_limit(v_run.tenant_id, v_limit_name) then
      v_run := null;
      continue;
    end if;

    perform app.queue_turn_taken(runs_claim.queue_name, v_run.tenant_id);
    -- a run resumed after a wait keeps its attempt; a fresh start or a redelivery uses one
    resumed := v_run.resuming and v_run.attempt > 0;
    update public.runs r
    set status = 'running', started_at = coalesce(r.started_at, now()), heartbeat_at = now(),
      worker_id = runs_claim.worker_id, resuming = false,
      attempt = case when resumed then r.attempt else r.attempt + 1 end
    where r.id = v_run.id
    returning * into v_run;
    v_taken := v_taken || v_cand_msg;
    msg_id := v_cand_msg;
    run_id := v_run.id;
    tenant_id := v_run.tenant_id;
    kind := v_run.kind;
    attempt := v_run.attempt;
    code_version := v_run.code_version;
    input := v_run.input;
    steps := coalesce((select jsonb_agg(jsonb_build_object('key', s.key, 'seq', s.seq, 'kind', s.kind,
        'output', s.output, 'provider', s.provider, 'model', s.model, 'prompt_tokens', s.prompt_tokens,
        'completion_tokens', s.completion_tokens, 'cost_usd', s.cost_usd) order by s.seq)
      from public.run_steps s where s.run_id = v_run.id and s.status = 'completed'), '[]'::jsonb);
    select t.settings into tenant_settings from public.tenants t where t.id = v_run.tenant_id;
    return next;
    v_run := null;
  end loop;

  -- TAKE the claimed messages in one statement: hidden for vt, read once more, deferrals forgotten
  if cardinality(v_taken) > 0 then
    execute format('update pgmq.%I q set vt = clock_timestamp() + make_interval(secs => $2), read_ct = q.read_ct + 1
      where q.msg_id = any($1)', v_qtable) using v_taken, runs_claim.vt;
    delete from app.queue_deferrals d where d.queue_name = runs_claim.queue_name and d.msg_id = any(v_taken);
  end if;
end;
$_$;

COMMENT ON FUNCTION app.runs_claim(queue_name text, worker_id text, vt integer, qty integer) IS 'Workers: claims up to qty runs of queue_name fairly across tenants, honouring concurrency keys and the kind''s tenant limit; marks them running and returns each with its input, its completed steps (the memo) and its tenant''s settings. Finished runs'' messages are archived; crash loops past max_attempts fail for good.';

CREATE FUNCTION app.runs_deadline_sweep() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run record;
  v_count integer := 0;
begin
  for v_run in
    select r.id, r.tenant_id from public.runs r join app.run_kinds k on k.kind = r.kind
    where r.deadline_at < now() and r.status in ('queued', 'running', 'waiting') and k.on_deadline = 'cancel'
    limit 1000
  loop
    perform app.run_cancel(v_run.tenant_id, v_run.id, 'deadline passed');
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.runs_deadline_sweep() IS 'Tick job: cancels queued, running or waiting runs past deadline_at whose kind cancels on deadline.';

CREATE FUNCTION app.runs_heartbeat(queue_name text, worker_id text, msg_ids bigint[], vt integer) RETURNS SETOF uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_mine bigint[];
  v_gone bigint[];
begin
  -- GUARD: only the messages of runs this worker holds are extended, never another worker's
  -- (or another tenant's) message that a caller names.
  -- LOCKS in the engine's order: the runs (by id), then their messages. run_park and run_complete
  -- lock the run, then acknowledge its message; locking the messages first here deadlocked with
  -- a run parking in the same moment (40P01, and the automation run failed).
  select coalesce(array_agg(x.queue_msg_id), '{}') into v_mine
  from (
    select r.queue_msg_id from public.runs r join app.run_kinds k on k.kind = r.kind
    where k.queue_name = runs_heartbeat.queue_name and r.queue_msg_id = any(runs_heartbeat.msg_ids)
      and r.status = 'running' and r.worker_id = runs_heartbeat.worker_id
    order by r.id
    for no key update of r
  ) x;
  select coalesce(array_agg(g), '{}') into v_gone
  from app.queue_heartbeat(runs_heartbeat.queue_name, v_mine, runs_heartbeat.vt, runs_heartbeat.worker_id) g;
  update public.runs r set heartbeat_at = now()
  where r.queue_msg_id = any(v_mine) and r.status = 'running' and r.worker_id = runs_heartbeat.worker_id;
  return query
    select r.id from public.runs r join app.run_kinds k on k.kind = r.kind
    where k.queue_name = runs_heartbeat.queue_name
      and ((r.queue_msg_id = any(runs_heartbeat.msg_ids)
          and (r.status <> 'running' or r.worker_id is distinct from runs_heartbeat.worker_id or r.queue_msg_id = any(v_gone)))
        -- a run that ended while this worker ran it (cancelled, failed elsewhere) names no message
        -- any more: found by its worker, whenever a message given is no longer a run of this worker's
        or (cardinality(v_mine) < cardinality(runs_heartbeat.msg_ids) and r.worker_id = runs_heartbeat.worker_id
          and r.queue_msg_id is null and app.run_is_terminal(r.status)));
end;
$$;

COMMENT ON FUNCTION app.runs_heartbeat(queue_name text, worker_id text, msg_ids bigint[], vt integer) IS 'Workers: one heartbeat for all the runs a worker holds: extends their messages'' visibility, records heartbeat_at, and returns the runs no longer this worker''s to run (cancelled or taken over), whose work is aborted.';

CREATE FUNCTION app.secret_delete(tenant_id uuid, name text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_row app.tenant_secrets%rowtype;
begin
  delete from app.tenant_secrets s where s.tenant_id = secret_delete.tenant_id and s.name = secret_delete.name
  returning * into v_row;
  if not found then
    return false;
  end if;
  -- its Vault entry goes with the row (trigger tenant_secrets_forget)
  insert into app.secret_access_log (tenant_id, name, action) values (secret_delete.tenant_id, secret_delete.name, 'delete');
  return true;
end;
$$;

COMMENT ON FUNCTION app.secret_delete(tenant_id uuid, name text) IS 'Deletes a tenant secret and logs it.';

CREATE FUNCTION app.secret_get(tenant_id uuid, name text, purpose text, origin text) RETURNS TABLE(value text, bound_origin text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_row app.tenant_secrets%rowtype;
  v_key text;
begin
  select * into v_row from app.tenant_secrets s where s.tenant_id = secret_get.tenant_id and s.name = secret_get.name;
  if not found then
    return;
  end if;
  bound_origin := v_row.origin;
  -- GUARD: a secret goes only to the origin it was configured for
  if v_row.origin is distinct from lower(secret_get.origin) then
    insert into app.secret_access_log (tenant_id, name, action, purpose)
    values (secret_get.tenant_id, secret_get.name, 'refused', secret_get.purpose || ' → ' || coalesce(secret_get.origin, 'no origin'));
    return next;
    return;
  end if;
  if v_row.vault_secret_id is not null then
    execute format('select decrypted_secret from %I.decrypted_secrets where id = $1', 'vault') into value using v_row.vault_secret_id;
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: secret %/% is encrypted locally but there is no local encryption key (app.local_secret_key)', secret_get.tenant_id, secret_get.name
        using errcode = '55000';
    end if;
    value := extensions.pgp_sym_decrypt(v_row.value_enc, v_key);
  end if;
  insert into app.secret_access_log (tenant_id, name, action, purpose)
  values (secret_get.tenant_id, secret_get.name, 'read', secret_get.purpose || ' → ' || secret_get.origin);
  return next;
end;
$_$;

COMMENT ON FUNCTION app.secret_get(tenant_id uuid, name text, purpose text, origin text) IS 'Workers only: decrypts a tenant secret for a request to origin and logs the read with its purpose. A secret bound to another origin is not decrypted: value is null, bound_origin names its origin and the refusal is logged. No row when there is no such secret.';

CREATE FUNCTION app.secret_list(tenant_id uuid) RETURNS TABLE(name text, origin text, created_at timestamp with time zone, updated_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select s.name, s.origin, s.created_at, s.updated_at from app.tenant_secrets s
  where s.tenant_id = secret_list.tenant_id
  order by s.name
$$;

COMMENT ON FUNCTION app.secret_list(tenant_id uuid) IS 'The names of a tenant''s secrets, the origin each is bound to and when they were set (never their values).';

CREATE FUNCTION app.secret_set(tenant_id uuid, name text, value text, origin text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_vault_id uuid;
  v_key text;
begin
  if length(coalesce(secret_set.value, '')) = 0 then
    raise exception 'Secret value is empty' using errcode = 'OR400', detail = 'secret_empty';
  end if;
  if coalesce(secret_set.origin, '') !~ '^https?://[^/?#@]+$' then
    raise exception 'Invalid origin %: give the scheme://host[:port] the secret may be sent to', coalesce(secret_set.origin, 'NULL')
      using errcode = 'OR400', detail = 'secret_origin_invalid';
  end if;
  if to_regclass('vault.secrets') is not null then
    select s.vault_secret_id into v_vault_id from app.tenant_secrets s
    where s.tenant_id = secret_set.tenant_id and s.name = secret_set.name;
    if v_vault_id is null then
      -- dynamic: vault exists only on Supabase (plpgsql_check checks constant EXECUTE strings)
      execute format('select %I.create_secret($1, $2)', 'vault') into v_vault_id
        using secret_set.value, 'ora:' || secret_set.tenant_id || ':' || secret_set.name;
    else
      execute format('select %I.update_secret($1, $2)', 'vault') using v_vault_id, secret_set.value;
    end if;
    insert into app.tenant_secrets as t (tenant_id, name, vault_secret_id, origin)
    values (secret_set.tenant_id, secret_set.name, v_vault_id, lower(secret_set.origin))
    on conflict on constraint tenant_secrets_pkey do update
      set vault_secret_id = excluded.vault_secret_id, origin = excluded.origin, updated_at = now();
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: no Vault and no local encryption key (app.local_secret_key, made by scripts/bootstrap/00_supabase_compat.sql) to encrypt secrets with'
        using errcode = '55000';
    end if;
    insert into app.tenant_secrets as t (tenant_id, name, value_enc, origin)
    values (secret_set.tenant_id, secret_set.name, extensions.pgp_sym_encrypt(secret_set.value, v_key), lower(secret_set.origin))
    on conflict on constraint tenant_secrets_pkey do update
      set value_enc = excluded.value_enc, origin = excluded.origin, updated_at = now();
  end if;
  insert into app.secret_access_log (tenant_id, name, action) values (secret_set.tenant_id, secret_set.name, 'set');
end;
$_$;

COMMENT ON FUNCTION app.secret_set(tenant_id uuid, name text, value text, origin text) IS 'Stores a tenant secret bound to origin (Vault on Supabase, pgcrypto locally) and logs the write.';

CREATE FUNCTION app.session_coordination(run_id uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select case
    when exists (select 1 from public.runs c where c.parent_run_id = p.id and not app.run_is_terminal(c.status)) and not p.timed_out
      then 'running'
    when p.timed_out or (p.deadline_at is not null and p.deadline_at <= now()) then 'timeout'
    when not exists (select 1 from public.runs c where c.parent_run_id = p.id and c.status <> 'completed') then 'complete'
    else 'partial'
  end
  from public.runs p where p.id = session_coordination.run_id
$$;

COMMENT ON FUNCTION app.session_coordination(run_id uuid) IS 'The one rule for an orchestration''s coordination: timeout (its deadline passed), complete (all children completed), partial (some did not), running.';

CREATE FUNCTION app.session_spawn(tenant_id uuid, spec jsonb) RETURNS public.runs
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_existing public.runs%rowtype;
  v_parent public.runs%rowtype;
  v_agent jsonb;
  v_kind text := coalesce(spec ->> 'kind', 'agent');
  v_input jsonb;
begin
  -- GUARD: a repeated spawn with the same idempotency key returns the existing session
  if spec ->> 'idempotency_key' is not null then
    select * into v_existing from public.runs r
    where r.tenant_id = session_spawn.tenant_id and r.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return v_existing;
    end if;
  end if;
  v_agent := app.agent_snapshot(session_spawn.tenant_id, spec ->> 'agent');
  if v_agent is null then
    raise exception 'No active agent ''%'' in this tenant', spec ->> 'agent' using errcode = 'OR404', detail = 'agent_not_found';
  end if;

  if spec ->> 'parent_session_id' is not null then
    select * into v_parent from public.runs r
    where r.id = (spec ->> 'parent_session_id')::uuid and r.tenant_id = session_spawn.tenant_id
      and r.kind in ('agent', 'orchestration', 'automation')
    for update;
    if not found then
      raise exception 'No parent session % in this tenant', spec ->> 'parent_session_id' using errcode = 'OR404', detail = 'parent_not_found';
    end if;
    if app.run_is_terminal(v_parent.status) then
      raise exception 'Parent session % is %: it cannot take new children', v_parent.id, v_parent.status
        using errcode = 'OR409', detail = 'parent_finished';
    end if;
    if v_parent.depth + 1 > app.tenant_limit(session_spawn.tenant_id, 'max_spawn_depth') then
      raise exception 'Spawn depth limit reached: % levels (tenant limit max_spawn_depth)',
        app.tenant_limit(session_spawn.tenant_id, 'max_spawn_depth') using errcode = 'OR409', detail = 'spawn_depth_limit';
    end if;
    if (select count(*) from public.runs c where c.parent_run_id = v_parent.id)
        >= app.tenant_limit(session_spawn.tenant_id, 'max_children_per_session') then
      raise exception 'Children limit reached: % per session (tenant limit max_children_per_session)',
        app.tenant_limit(session_spawn.tenant_id, 'max_children_per_session') using errcode = 'OR409', detail = 'children_limit';
    end if;
  end if;

  perform app.budget_assert(session_spawn.tenant_id);

  v_input := coalesce(spec -> 'input', '{}'::jsonb) || jsonb_build_object(
    'mode', coalesce(spec ->> 'mode', v_parent.input ->> 'mode', 'autonomous'), 'agent', v_agent);
  return app.run_create(session_spawn.tenant_id, jsonb_build_object(
    'kind', v_kind, 'subject', spec ->> 'agent', 'input', v_input,
    'parent_run_id', v_parent.id, 'priority', spec -> 'priority', 'idempotency_key', spec ->> 'idempotency_key',
    'concurrency_key', spec ->> 'concurrency_key', 'concurrency_limit', spec -> 'concurrency_limit',
    'max_attempts', spec -> 'max_attempts', 'deadline_at', spec ->> 'deadline_at',
    'definition_version', md5(v_agent::text),
    'created_by', spec ->> 'created_by', 'user_id', spec ->> 'user_id', 'api_key_id', spec ->> 'api_key_id'));
end;
$$;

COMMENT ON FUNCTION app.session_spawn(tenant_id uuid, spec jsonb) IS 'Creates and queues an agent session (or returns the one with the same idempotency key), with the agent''s definition snapshotted into its input. Enforces the tenant''s spawn depth, children per session and budget hard limit (reasons spawn_depth_limit, children_limit, parent_finished, agent_not_found).';

CREATE FUNCTION app.session_spawn_orchestration(tenant_id uuid, spec jsonb) RETURNS SETOF public.runs
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_parent public.runs%rowtype;
  v_child jsonb;
  v_i integer := 0;
begin
  if jsonb_typeof(spec -> 'children') <> 'array' or jsonb_array_length(spec -> 'children') = 0 then
    raise exception 'An orchestration needs at least one child' using errcode = 'OR400', detail = 'no_children';
  end if;
  if spec ->> 'idempotency_key' is not null then
    select * into v_parent from public.runs r
    where r.tenant_id = session_spawn_orchestration.tenant_id and r.idempotency_key = spec ->> 'idempotency_key';
    if found then
      return query select * from public.runs r where r.id = v_parent.id
        union all (select * from public.runs c where c.parent_run_id = v_parent.id order by c.created_at, c.id);
      return;
    end if;
  end if;
  v_parent := app.session_spawn(session_spawn_orchestration.tenant_id, (spec - 'children') || jsonb_build_object(
    'kind', 'orchestration', 'agent', coalesce(spec ->> 'agent', 'ora')));
  return next v_parent;
  for v_child in select * from jsonb_array_elements(spec -> 'children') loop
    v_i := v_i + 1;
    return next app.session_spawn(session_spawn_orchestration.tenant_id, v_child || jsonb_build_object(
      'parent_session_id', v_parent.id,
      'idempotency_key', case when spec ->> 'idempotency_key' is not null
        then (spec ->> 'idempotency_key') || ':' || v_i end,
      'user_id', spec ->> 'user_id', 'api_key_id', spec ->> 'api_key_id', 'created_by', spec ->> 'created_by'));
  end loop;
end;
$$;

COMMENT ON FUNCTION app.session_spawn_orchestration(tenant_id uuid, spec jsonb) IS 'Creates a coordinating parent session and its children in one transaction; returns the parent first, then the children.';

CREATE FUNCTION app.table_event_emit() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.table_event_emit() IS 'Trigger: records <table>.<INSERT|UPDATE|DELETE> with old and new rows in event_log.';

CREATE FUNCTION app.task_advance(tenant_id uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_task public.agent_tasks%rowtype;
  v_session public.runs%rowtype;
  v_count integer := 0;
begin
  -- One advance per tenant at a time, and its reads start after the previous one committed: two
  -- dependencies finishing at the same moment (or a dependent created while its dependency
  -- finishes) would otherwise each see the other unfinished, and the dependent would never run.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('app.task_advance:' || task_advance.tenant_id::text));
  for v_task in
    select * from public.agent_tasks t
    where t.tenant_id = task_advance.tenant_id and t.status = 'pending' and t.assigned_agent is not null
      and (t.scheduled_for is null or t.scheduled_for <= now())
      and not exists (
        select 1 from public.task_dependencies d join public.agent_tasks dep on dep.id = d.depends_on_id
        where d.task_id = t.id and dep.status <> 'success')
    order by t.priority desc, t.created_at
    for update skip locked
  loop
    begin
    v_session := app.session_spawn(v_task.tenant_id, jsonb_build_object(
      'agent', v_task.assigned_agent, 'priority', v_task.priority,
      'max_attempts', v_task.max_attempts, 'deadline_at', v_task.deadline_at, 'created_by', 'task:' || v_task.id,
      'input', jsonb_build_object('task', jsonb_build_object('id', v_task.id, 'type', v_task.task_type,
        'title', v_task.title, 'description', v_task.description, 'instructions', v_task.instructions,
        'input', v_task.input),
        'dependencies', coalesce((select jsonb_agg(jsonb_build_object('task_id', dep.id, 'title', dep.title,
          'agent', dep.assigned_agent, 'output', dep.output) order by dep.completed_at)
          from public.task_dependencies d join public.agent_tasks dep on dep.id = d.depends_on_id
          where d.task_id = v_task.id), '[]'::jsonb))));
    exception when sqlstate 'OR402' then
      -- GUARD: over a hard budget the task waits (pending) instead of failing what finished before it
      update public.agent_tasks t set status_message = 'Waiting: ' || sqlerrm where t.id = v_task.id;
      continue;
    end;
    update public.agent_tasks t
    set status = 'queued', session_id = v_session.id, attempt_count = t.attempt_count + 1, last_attempt_at = now(),
      status_message = null, error_message = null, blocked_by = null
    where t.id = v_task.id;
    perform app.event_emit(v_task.tenant_id, 'task.queued', 'agent', jsonb_build_object(
      'task_id', v_task.id, 'title', v_task.title, 'agent', v_task.assigned_agent, 'session_id', v_session.id));
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.task_advance(tenant_id uuid) IS 'Queues due pending tasks whose dependencies all succeeded (one session each, dependency outputs as context).';

CREATE FUNCTION app.task_dependency_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if not exists (select 1 from public.agent_tasks t where t.id = new.depends_on_id and t.tenant_id = new.tenant_id)
    or not exists (select 1 from public.agent_tasks t where t.id = new.task_id and t.tenant_id = new.tenant_id) then
    raise exception 'Task % or its dependency % is not in this tenant', new.task_id, new.depends_on_id using errcode = 'OR404', detail = 'task_not_found';
  end if;
  if exists (
    with recursive upstream as (
      select d.depends_on_id as id from public.task_dependencies d where d.task_id = new.depends_on_id
      union
      select d.depends_on_id from public.task_dependencies d join upstream u on d.task_id = u.id
    )
    select 1 from upstream where id = new.task_id
  ) then
    raise exception 'Dependency cycle: task % already depends (directly or not) on task %', new.depends_on_id, new.task_id
      using errcode = 'OR400', detail = 'dependency_cycle';
  end if;
  return null;
end;
$$;

COMMENT ON FUNCTION app.task_dependency_check() IS 'Trigger: refuses dependency edges that cross tenants or close a cycle.';

CREATE FUNCTION app.task_finish(tenant_id uuid, task_id uuid, outcome text, output jsonb, error text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_task public.agent_tasks%rowtype;
  v_metrics record;
begin
  select coalesce(sum(r.prompt_tokens + r.completion_tokens), 0)::integer as tokens, coalesce(sum(r.cost_usd), 0) as cost
  into v_metrics
  from public.run_steps r join public.agent_tasks t on t.session_id = r.run_id
  where t.id = task_finish.task_id and r.tenant_id = task_finish.tenant_id;

  update public.agent_tasks t
  set status = task_finish.outcome, output = coalesce(task_finish.output, t.output),
    error_message = case when task_finish.outcome = 'success' then null else task_finish.error end,
    status_message = case when task_finish.outcome = 'success' then null else task_finish.error end,
    completed_at = now(), duration_ms = (extract(epoch from (now() - coalesce(t.started_at, t.last_attempt_at, t.created_at))) * 1000)::integer,
    tokens_used = v_metrics.tokens, estimated_cost = v_metrics.cost
  where t.id = task_finish.task_id and t.tenant_id = task_finish.tenant_id
    and t.status not in ('success', 'error', 'cancelled', 'expired')
  returning * into v_task;
  if v_task.id is null then
    return;
  end if;
  perform app.event_emit(v_task.tenant_id,
    case task_finish.outcome when 'success' then 'task.completed' when 'error' then 'task.failed' else 'task.' || task_finish.outcome end,
    'agent', jsonb_build_object('task_id', v_task.id, 'title', v_task.title, 'agent', v_task.assigned_agent,
      'session_id', v_task.session_id, 'error', task_finish.error));

  if task_finish.outcome = 'success' then
    perform app.task_advance(v_task.tenant_id);
    return;
  end if;

  -- GUARD: stop everything downstream that has not started, saying which dependency failed
  with recursive downstream as (
    select d.task_id as id from public.task_dependencies d where d.depends_on_id = v_task.id
    union
    select d.task_id from public.task_dependencies d join downstream x on d.depends_on_id = x.id
  ),
  stopped as (
    update public.agent_tasks t
    set status = 'cancelled', blocked_by = v_task.id, completed_at = now(),
      status_message = format('Stopped: dependency "%s" %s', v_task.title,
        case task_finish.outcome when 'error' then 'failed' else task_finish.outcome end),
      error_message = format('Dependency %s (%s) ended %s: %s', v_task.id, v_task.title, task_finish.outcome,
        coalesce(task_finish.error, 'no reason given'))
    from downstream
    where t.id = downstream.id and t.tenant_id = v_task.tenant_id and t.status in ('pending', 'waiting')
    returning t.id, t.title, t.status_message
  )
  insert into public.event_log (tenant_id, event_type, event_source, payload)
  select v_task.tenant_id, 'task.cancelled', 'agent', jsonb_build_object('task_id', s.id, 'title', s.title,
    'reason', s.status_message, 'blocked_by', v_task.id)
  from stopped s;
end;
$$;

COMMENT ON FUNCTION app.task_finish(tenant_id uuid, task_id uuid, outcome text, output jsonb, error text) IS 'Records a task outcome; success queues newly runnable dependents, failure stops pending dependents with a reason.';

CREATE FUNCTION app.task_links_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_constraint text;
begin
  if new.parent_task_id is not null and not exists (select 1 from public.agent_tasks t where t.id = new.parent_task_id and t.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_parent_task_id_fkey';
  elsif new.blocked_by is not null and not exists (select 1 from public.agent_tasks t where t.id = new.blocked_by and t.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_blocked_by_fkey';
  elsif new.session_id is not null and not exists (select 1 from public.runs s where s.id = new.session_id and s.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_session_id_fkey';
  elsif new.related_post_id is not null and not exists (select 1 from public.blog_posts p where p.id = new.related_post_id and p.tenant_id = new.tenant_id) then
    v_constraint := 'agent_tasks_related_post_id_fkey';
  end if;
  if v_constraint is not null then
    -- exactly what a missing row gives (the same foreign key's violation), so another tenant's
    -- row and no row cannot be told apart
    raise exception 'insert or update on table "agent_tasks" violates foreign key constraint "%"', v_constraint
      using errcode = '23503', constraint = v_constraint;
  end if;
  return null;
end;
$$;

COMMENT ON FUNCTION app.task_links_check() IS 'Trigger (after insert or update): refuses task links to rows of another tenant, which foreign keys alone allow, with the same error as a missing row.';

CREATE FUNCTION app.task_on_session_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if new.status = 'running' and old.status = 'queued' then
    update public.agent_tasks t set status = 'running', started_at = coalesce(t.started_at, now())
    where t.session_id = new.id and t.tenant_id = new.tenant_id and t.status = 'queued';
  elsif app.run_is_terminal(new.status) and not app.run_is_terminal(old.status) then
    perform app.task_finish(new.tenant_id, t.id,
      case new.status when 'completed' then 'success' when 'failed' then 'error' else 'cancelled' end,
      case when new.status = 'completed' then coalesce(new.output -> 'output', new.output) end,
      case when new.status <> 'completed' then coalesce(new.error ->> 'message', new.status) end)
    from public.agent_tasks t
    where t.session_id = new.id and t.tenant_id = new.tenant_id;
  end if;
  return null;
end;
$$;

COMMENT ON FUNCTION app.task_on_session_status() IS 'Trigger (after update of status on agent runs): a task goes running when its session starts, and takes its session''s outcome when it finishes (success, error, cancelled).';

CREATE FUNCTION app.task_retry(tenant_id uuid, task_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_task public.agent_tasks%rowtype;
begin
  update public.agent_tasks t
  set status = 'pending', error_message = null, status_message = 'retry requested', completed_at = null,
    attempt_count = 0, blocked_by = null, session_id = null
  where t.id = task_retry.task_id and t.tenant_id = task_retry.tenant_id and t.status in ('error', 'cancelled', 'expired')
  returning * into v_task;
  if v_task.id is null then
    raise exception 'Task % is not failed, cancelled or expired in this tenant', task_retry.task_id using errcode = 'OR409';
  end if;
  with recursive downstream as (
    select t.id from public.agent_tasks t where t.blocked_by = v_task.id and t.tenant_id = v_task.tenant_id
    union
    select t.id from public.agent_tasks t join downstream x on t.blocked_by = x.id
  )
  update public.agent_tasks t
  set status = 'pending', blocked_by = null, status_message = null, error_message = null, completed_at = null
  from downstream where t.id = downstream.id and t.status = 'cancelled';
  perform app.task_advance(v_task.tenant_id);
end;
$$;

COMMENT ON FUNCTION app.task_retry(tenant_id uuid, task_id uuid) IS 'Resets a failed/cancelled/expired task and the dependents it stopped, then advances the DAG.';

CREATE FUNCTION app.tasks_sweep() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_row record;
  v_count integer := 0;
begin
  for v_row in
    select t.id, t.tenant_id, t.session_id from public.agent_tasks t
    where t.deadline_at < now() and t.status in ('pending', 'queued', 'running', 'waiting')
  loop
    perform app.task_finish(v_row.tenant_id, v_row.id, 'expired', null, 'deadline passed');
    if v_row.session_id is not null then
      perform app.run_cancel(v_row.tenant_id, v_row.session_id, 'task deadline passed');
    end if;
    v_count := v_count + 1;
  end loop;
  for v_row in
    select distinct t.tenant_id from public.agent_tasks t
    where t.status = 'pending' and t.assigned_agent is not null and t.scheduled_for <= now()
  loop
    v_count := v_count + app.task_advance(v_row.tenant_id);
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.tasks_sweep() IS 'Tick job: expires tasks past deadline_at (stopping dependents) and queues tasks whose scheduled_for arrived.';

CREATE FUNCTION app.tenant_id() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  select nullif((select auth.jwt()) ->> 'tenant_id', '')::uuid
$$;

COMMENT ON FUNCTION app.tenant_id() IS 'Tenant of the current request, read from request.jwt.claims.tenant_id (set by the Ora gateway). Null when absent, which matches no row.';

CREATE FUNCTION app.tenant_limit(tenant_id uuid, name text) RETURNS integer
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  return (select coalesce(
    (select (t.limits ->> tenant_limit.name)::integer from public.tenants t where t.id = tenant_limit.tenant_id),
    case tenant_limit.name
      when 'max_spawn_depth' then 3
      when 'max_children_per_session' then 20
      when 'max_concurrent_sessions' then 10
      when 'max_concurrent_automation_runs' then 10
      when 'max_tool_calls_per_session' then 50
    end));
end;
$$;

COMMENT ON FUNCTION app.tenant_limit(tenant_id uuid, name text) IS 'A tenant''s plan limit (tenants.limits) or its default: max_spawn_depth 3, max_children_per_session 20, max_concurrent_sessions 10, max_concurrent_automation_runs 10, max_tool_calls_per_session 50. The only place these defaults are written.';

CREATE FUNCTION app.tenant_limits(tenant_id uuid) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
  select jsonb_object_agg(n, app.tenant_limit(tenant_limits.tenant_id, n))
  from unnest(array['max_spawn_depth', 'max_children_per_session', 'max_concurrent_sessions',
    'max_concurrent_automation_runs', 'max_tool_calls_per_session']) n
$$;

COMMENT ON FUNCTION app.tenant_limits(tenant_id uuid) IS 'All plan limits of a tenant with their effective values (set or default).';

CREATE FUNCTION app.tenant_secret_forget() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
begin
  if old.vault_secret_id is not null then
    execute format('delete from %I.secrets where id = $1', 'vault') using old.vault_secret_id;
  end if;
  return old;
end;
$_$;

COMMENT ON FUNCTION app.tenant_secret_forget() IS 'Internal: trigger on app.tenant_secrets deleting the Vault entry of a removed secret (also when its tenant is deleted).';

CREATE FUNCTION app.text_is_uuid(value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $_$
  select coalesce(text_is_uuid.value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false)
$_$;

COMMENT ON FUNCTION app.text_is_uuid(value text) IS 'Whether text is a uuid in its canonical 8-4-4-4-12 hex form (any case); false for null. Used by the queue contract.';

CREATE FUNCTION app.threshold_check(automation_id uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_a public.automations%rowtype;
  v_c jsonb;
  v_window interval;
  v_sustain interval;
  v_value double precision;
  v_compare double precision;
  v_change double precision;
  v_measure double precision;
  v_breach boolean;
  v_state jsonb;
  v_op text;
  v_limit double precision;
  v_shift interval;
begin
  select * into v_a from public.automations a where a.id = threshold_check.automation_id for update;
  if not found or v_a.status <> 'active' or v_a.trigger_type <> 'threshold' then
    return 'inactive';
  end if;
  v_c := v_a.trigger_config;
  v_window := (v_c -> 'window' ->> 'duration')::interval;
  v_sustain := coalesce((v_c ->> 'sustainedFor')::interval, interval '0');
  v_op := v_c ->> 'operator';
  v_limit := (v_c ->> 'value')::double precision;
  v_value := app.metric_aggregate(v_a.tenant_id, v_c ->> 'metric', now() - v_window, now(),
    coalesce(v_c -> 'window' ->> 'aggregation', 'sum'), v_c -> 'dimensions');
  v_shift := case v_c ->> 'compare' when 'same_day_last_week' then interval '7 days'
    when 'previous_period' then v_window end;
  if v_shift is not null then
    v_compare := app.metric_aggregate(v_a.tenant_id, v_c ->> 'metric', now() - v_shift - v_window, now() - v_shift,
      coalesce(v_c -> 'window' ->> 'aggregation', 'sum'), v_c -> 'dimensions');
    v_change := case when v_compare is null or v_compare = 0 then null else 100 * (v_value - v_compare) / abs(v_compare) end;
  end if;
  v_measure := case when v_op in ('change_gt', 'change_lt') then v_change else v_value end;
  v_breach := v_measure is not null and case v_op
    when 'gt' then v_measure > v_limit when 'gte' then v_measure >= v_limit
    when 'lt' then v_measure < v_limit when 'lte' then v_measure <= v_limit
    when 'eq' then v_measure = v_limit when 'change_gt' then v_measure > v_limit
    when 'change_lt' then v_measure < v_limit else false end;
  v_state := v_a.threshold_state || jsonb_build_object('last_value', v_value, 'last_compare', v_compare,
    'last_change_percent', v_change, 'last_checked_at', now());

  if v_breach then
    v_state := v_state || jsonb_build_object('breaching_since', coalesce(v_a.threshold_state ->> 'breaching_since', now()::text));
    if not coalesce((v_a.threshold_state ->> 'firing')::boolean, false)
        and (v_state ->> 'breaching_since')::timestamptz <= now() - v_sustain then
      update public.automations a set threshold_state = v_state || jsonb_build_object('firing', true, 'fired_at', now())
      where a.id = v_a.id;
      perform app.automation_fire(v_a.tenant_id, v_a.id, jsonb_build_object('type', 'threshold', 'data', jsonb_build_object(
        'metric', v_c ->> 'metric', 'value', v_value, 'compareValue', v_compare, 'changePercent', round(v_change::numeric, 2),
        'operator', v_op, 'threshold', v_limit, 'window', v_c -> 'window', 'compare', v_c ->> 'compare',
        'breachingSince', v_state ->> 'breaching_since', 'resolved', false)));
      return 'fired';
    end if;
    update public.automations a set threshold_state = v_state where a.id = v_a.id;
    return 'breaching';
  end if;

  v_state := v_state - 'breaching_since';
  if coalesce((v_a.threshold_state ->> 'firing')::boolean, false) then
    update public.automations a set threshold_state = v_state || jsonb_build_object('firing', false, 'resolved_at', now())
    where a.id = v_a.id;
    if coalesce((v_c ->> 'autoResolve')::boolean, false) then
      perform app.automation_fire(v_a.tenant_id, v_a.id, jsonb_build_object('type', 'threshold', 'data', jsonb_build_object(
        'metric', v_c ->> 'metric', 'value', v_value, 'compareValue', v_compare, 'changePercent', round(v_change::numeric, 2),
        'operator', v_op, 'threshold', v_limit, 'resolved', true)));
      return 'resolved';
    end if;
    return 'rearmed';
  end if;
  update public.automations a set threshold_state = v_state where a.id = v_a.id;
  return 'normal';
end;
$$;

COMMENT ON FUNCTION app.threshold_check(automation_id uuid) IS 'Evaluates a threshold automation now: the metric over its window (and the comparison period: previous_period or same_day_last_week, for change_gt/change_lt in percent); fires once the breach lasted sustainedFor, fires again with resolved=true on recovery when autoResolve. Returns fired, breaching, resolved, rearmed, normal or inactive.';

CREATE FUNCTION app.thresholds_due() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_id uuid;
  v_count integer := 0;
begin
  for v_id in
    select a.id from public.automations a
    where a.status = 'active' and a.trigger_type = 'threshold'
      and coalesce((a.threshold_state ->> 'last_checked_at')::timestamptz, '-infinity') < now() - interval '10 seconds'
    limit 200
  loop
    perform app.threshold_check(v_id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.thresholds_due() IS 'Tick job: evaluates every active threshold automation at most every 10 seconds.';

CREATE FUNCTION app.tick() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_job record;
  v_result jsonb;
  v_all jsonb := '{}'::jsonb;
begin
  if not pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('app.tick')) then
    return jsonb_build_object('skipped', true);
  end if;
  for v_job in select j.name, j.function_name from app.tick_jobs j order by j.run_order, j.name loop
    begin
      execute pg_catalog.format('select pg_catalog.to_jsonb(%s())', v_job.function_name) into v_result;
    exception when others then
      v_result := jsonb_build_object('error', sqlerrm);
      raise warning 'tick job % failed: %', v_job.name, sqlerrm;
    end;
    update app.tick_jobs j set last_result = v_result, last_run_at = now() where j.name = v_job.name;
    v_all := v_all || jsonb_build_object(v_job.name, v_result);
  end loop;
  return v_all;
end;
$$;

COMMENT ON FUNCTION app.tick() IS 'Cron: runs every registered tick job (timers and timeouts, deadlines, due tasks, stalled queues, …) once, in order. Every second on pg_cron >= 1.5; through app.tick_loop every 500 ms on older pg_cron.';

CREATE PROCEDURE app.tick_loop(IN seconds integer DEFAULT 59, IN interval_ms integer DEFAULT 500)
    LANGUAGE plpgsql
    AS $$
declare
  v_until timestamptz := pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => tick_loop.seconds);
begin
  while pg_catalog.clock_timestamp() < v_until loop
    perform pg_catalog.set_config('search_path', '', true);
    begin
      perform app.tick();
    exception when others then
      raise warning 'app.tick failed: %', sqlerrm;
    end;
    commit;
    perform pg_catalog.pg_sleep(tick_loop.interval_ms / 1000.0);
  end loop;
end;
$$;

COMMENT ON PROCEDURE app.tick_loop(IN seconds integer, IN interval_ms integer) IS 'Cron (pg_cron < 1.5): calls app.tick every interval_ms for seconds seconds, committing after each. The one app routine without a SET search_path clause (PostgreSQL forbids COMMIT in a procedure that has one); it pins search_path per transaction instead.';

CREATE FUNCTION app.tick_register(name text, function_name text, run_order integer DEFAULT 500) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  insert into app.tick_jobs as j (name, function_name, run_order)
  values (tick_register.name, tick_register.function_name, tick_register.run_order)
  on conflict on constraint tick_jobs_pkey do update set function_name = excluded.function_name, run_order = excluded.run_order
$$;

COMMENT ON FUNCTION app.tick_register(name text, function_name text, run_order integer) IS 'Migrations: registers an app function (no arguments) that app.tick runs on every pass, in run_order.';

CREATE FUNCTION app.tool_args_hash(arguments jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select encode(extensions.digest(convert_to(coalesce(tool_args_hash.arguments, '{}'::jsonb)::text, 'UTF8'), 'sha256'), 'hex')
$$;

COMMENT ON FUNCTION app.tool_args_hash(arguments jsonb) IS 'SHA-256 (hex) of a tool call''s arguments as canonical jsonb text (keys ordered, whitespace normalised): an approval binds to this, so an approved call whose arguments changed is refused.';

CREATE FUNCTION app.tool_audit_immutable() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from public.tenants t where t.id = old.tenant_id) then
    return old;
  end if;
  raise exception 'tool_audit is append-only: its rows are never changed or deleted' using errcode = 'OR409', detail = 'audit_append_only';
end;
$$;

COMMENT ON FUNCTION app.tool_audit_immutable() IS 'Trigger: keeps tool_audit append-only (no update; delete only as its tenant is deleted).';

CREATE FUNCTION app.tool_audit_write(tenant_id uuid, entry jsonb) RETURNS uuid
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  insert into public.tool_audit (tenant_id, event, tool, mode, run_id, step_key, agent, tool_call_id, approval_id,
    arguments, args_hash, result, before, after, decision, error, requested_by, actor)
  values (tool_audit_write.tenant_id, entry ->> 'event', entry ->> 'tool', entry ->> 'mode',
    (entry ->> 'run_id')::uuid, entry ->> 'step_key', entry ->> 'agent', (entry ->> 'tool_call_id')::uuid,
    (entry ->> 'approval_id')::uuid, entry -> 'arguments',
    coalesce(entry ->> 'args_hash', case when entry ? 'arguments' then app.tool_args_hash(entry -> 'arguments') end),
    entry -> 'result', entry -> 'before', entry -> 'after', entry -> 'decision', entry -> 'error',
    entry ->> 'requested_by', entry ->> 'actor')
  returning id
$$;

COMMENT ON FUNCTION app.tool_audit_write(tenant_id uuid, entry jsonb) IS 'Internal: appends a tool_audit row {event, tool, mode, run_id, step_key, agent, tool_call_id, approval_id, arguments, result, before, after, decision, error, requested_by, actor}.';

CREATE TABLE public.tool_calls (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    run_id uuid,
    step_key text,
    tool text NOT NULL,
    access text NOT NULL,
    integration text NOT NULL,
    adapter text NOT NULL,
    arguments jsonb NOT NULL,
    args_hash text NOT NULL,
    approval_id uuid,
    mode text,
    agent text,
    requested_by text,
    status text DEFAULT 'queued'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    deadline_at timestamp with time zone NOT NULL,
    result jsonb,
    before jsonb,
    after jsonb,
    error jsonb,
    msg_id bigint,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tool_calls_access_check CHECK ((access = ANY (ARRAY['read'::text, 'write'::text]))),
    CONSTRAINT tool_calls_adapter_check CHECK ((adapter = ANY (ARRAY['sandbox'::text, 'http'::text, 'site'::text]))),
    CONSTRAINT tool_calls_idempotency_key_check CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 300))),
    CONSTRAINT tool_calls_mode_check CHECK ((mode = ANY (ARRAY['assist'::text, 'copilot'::text, 'autonomous'::text]))),
    CONSTRAINT tool_calls_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'failed'::text])))
);

ALTER TABLE ONLY public.tool_calls FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tool_calls IS 'The tool-executor''s work: calls the gate allowed or a person approved, run through their adapter once. queued → running → succeeded | failed.';

COMMENT ON COLUMN public.tool_calls.idempotency_key IS 'Unique per tenant: run:<run id>:<step> for a session''s call, api:<key> for tools.execute. Submitting the same key again returns the same call; the executor checks the call''s status before its adapter runs, so a redelivered message never executes it twice.';

COMMENT ON COLUMN public.tool_calls.run_id IS 'The session (run) waiting for the call; null for calls made through tools.execute.';

COMMENT ON COLUMN public.tool_calls.step_key IS 'The gate step of the session that made the call; null for tools.execute.';

COMMENT ON COLUMN public.tool_calls.tool IS 'Registry name of the tool to run.';

COMMENT ON COLUMN public.tool_calls.access IS 'read or write: whether the tool changes anything.';

COMMENT ON COLUMN public.tool_calls.integration IS 'The integration the tool belongs to (cmms, scada, …, site).';

COMMENT ON COLUMN public.tool_calls.adapter IS 'What ran it: sandbox, http (tool_integrations) or site (Ora''s own tables through the same code the ora actions use).';

COMMENT ON COLUMN public.tool_calls.arguments IS 'The arguments the tool runs with.';

COMMENT ON COLUMN public.tool_calls.args_hash IS 'SHA-256 hex of the arguments (app.tool_args_hash).';

COMMENT ON COLUMN public.tool_calls.approval_id IS 'The approval this call used (null when a policy allowed it).';

COMMENT ON COLUMN public.tool_calls.mode IS 'The tenant''s tool mode when the call was made: assist, copilot or autonomous.';

COMMENT ON COLUMN public.tool_calls.agent IS 'Slug of the agent whose session made the call; null for tools.execute.';

COMMENT ON COLUMN public.tool_calls.requested_by IS 'Who the call is on behalf of: key:<id>, user:<id> or service_role.';

COMMENT ON COLUMN public.tool_calls.status IS 'queued (its message waits for the tool-executor), running, succeeded or failed.';

COMMENT ON COLUMN public.tool_calls.attempts IS 'Executions started. A call found running by a redelivery (its worker died mid-call) runs again only where that cannot repeat an effect: transactional adapters, or http endpoints that honour Idempotency-Key.';

COMMENT ON COLUMN public.tool_calls.deadline_at IS 'After this it is not started any more (failed TIMED_OUT); the session waiting for it resumes either way.';

COMMENT ON COLUMN public.tool_calls.result IS 'What the tool returned once succeeded.';

COMMENT ON COLUMN public.tool_calls.before IS 'State before the write, where the adapter can read it.';

COMMENT ON COLUMN public.tool_calls.after IS 'State after the write.';

COMMENT ON COLUMN public.tool_calls.error IS '{code, message} of a failed call.';

COMMENT ON COLUMN public.tool_calls.msg_id IS 'The pgmq message of the tool-executor queue that carries the call.';

COMMENT ON COLUMN public.tool_calls.started_at IS 'When the tool-executor started the latest execution.';

COMMENT ON COLUMN public.tool_calls.completed_at IS 'When the call succeeded or failed.';

CREATE FUNCTION app.tool_call_create(tenant_id uuid, spec jsonb) RETURNS public.tool_calls
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.tool_call_create(tenant_id uuid, spec jsonb) IS 'Internal: inserts a tool call (or returns the one with the same idempotency key) and queues it on tool_calls, waking the tool-executor.';

CREATE FUNCTION app.tool_call_finish(tenant_id uuid, tool_call_id uuid, outcome jsonb) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.tool_call_finish(tenant_id uuid, tool_call_id uuid, outcome jsonb) IS 'Workers: records a call''s outcome once {status: succeeded|failed, result, error, before, after, credential_reads}: audit executed or failed (and credential_read rows), event tool_call.finished (the calling session resumes on it). False when it had already finished.';

CREATE FUNCTION app.tool_call_requeue(tenant_id uuid, tool_call_id uuid, error jsonb) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  update public.tool_calls c set status = 'queued', error = tool_call_requeue.error
  where c.id = tool_call_requeue.tool_call_id and c.tenant_id = tool_call_requeue.tenant_id and c.status = 'running';
  return found;
end;
$$;

COMMENT ON FUNCTION app.tool_call_requeue(tenant_id uuid, tool_call_id uuid, error jsonb) IS 'Workers: returns a running call to queued (with the error of the attempt) when its job will be retried or deferred.';

CREATE FUNCTION app.tool_call_start(tenant_id uuid, tool_call_id uuid, msg_id bigint) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.tool_call_start(tenant_id uuid, tool_call_id uuid, msg_id bigint) IS 'Workers: checks and starts a queued call before its adapter runs (the idempotency check): run, done (already finished), expired (past deadline: failed TIMED_OUT), unknown (an http write cut mid-request on an endpoint without idempotent retries: failed OUTCOME_UNKNOWN), missing.';

CREATE FUNCTION app.tool_call_submit(tenant_id uuid, spec jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.tool_call_submit(tenant_id uuid, spec jsonb) IS 'Workers and tools.execute: queues a call allowed by an approval after checking the binding — this tenant''s approval, approved, not expired, not used by another call, same tool, same arguments hash. Refusals are audited and returned {ok: false, reason: approval_not_found | approval_expired | approval_pending | approval_rejected | approval_withdrawn | approval_not_approved | approval_used | tool_changed | arguments_changed, message}.';

CREATE FUNCTION app.tool_calls_sweep() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.tool_calls_sweep() IS 'Tick job: fails calls still queued or running a minute past their deadline (TIMED_OUT), so the sessions waiting on them resume.';

CREATE FUNCTION app.tool_gate_context(tenant_id uuid, tool text, integration text, run_id uuid, requester jsonb, asset_id text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.tool_gate_context(tenant_id uuid, tool text, integration text, run_id uuid, requester jsonb, asset_id text) IS 'Workers and tools.execute: the gate''s inputs for one call in one round trip: enabled, integration row, applicable policies (tool pattern and agent match), asset criticality, settings.timezone, settings.approvals, the requester (from the run: its starter and agent) and the approver roles available to it.';

CREATE FUNCTION app.tool_gate_record(tenant_id uuid, rec jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.tool_gate_record(tenant_id uuid, rec jsonb) IS 'Workers and tools.execute: records the gate''s outcome for one call in one transaction — suggested, refused, executed or failed (inline reads): an audit row; approval: an approval (idempotent per request_key) with audit requested and event approval.requested; execute: a tool call queued for the tool-executor with audit allowed. Credential reads are audited too.';

CREATE FUNCTION app.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
begin
  new.updated_at := now();
  return new;
end;
$$;

COMMENT ON FUNCTION app.touch_updated_at() IS 'Trigger: sets updated_at to now() on update.';

CREATE FUNCTION app.usage_record(tenant_id uuid, usage jsonb) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
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

COMMENT ON FUNCTION app.usage_record(tenant_id uuid, usage jsonb) IS 'Workers: records one usage event and fires each budget alert (event_log budget.threshold_reached + notification) at most once per month.';

CREATE FUNCTION app.waitpoint_resolve(waitpoint_id uuid, status text, result jsonb) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_wp public.run_waitpoints%rowtype;
begin
  select * into v_wp from public.run_waitpoints w where w.id = waitpoint_resolve.waitpoint_id;
  if not found or v_wp.status <> 'pending' then
    return false;
  end if;
  -- the run's row lock serialises everything that resolves its waits
  perform 1 from public.runs r where r.id = v_wp.run_id for update;
  update public.run_waitpoints w
  set status = waitpoint_resolve.status, result = waitpoint_resolve.result, resolved_at = clock_timestamp()
  where w.id = v_wp.id and w.status = 'pending';
  if not found then
    return false;
  end if;
  if v_wp.step_key is not null then
    perform app.waitpoint_step_check(v_wp.run_id, v_wp.step_key, true);
  end if;
  return true;
end;
$$;

COMMENT ON FUNCTION app.waitpoint_resolve(waitpoint_id uuid, status text, result jsonb) IS 'Internal: resolves (status resolved) or times out (timed_out) a pending waitpoint with result, then resumes its run if the wait step is satisfied. False when it was no longer pending.';

CREATE FUNCTION app.waitpoint_step_check(run_id uuid, step_key text, resume boolean) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_run public.runs%rowtype;
  v_mode text;
  v_pending integer;
  v_winner public.run_waitpoints%rowtype;
  v_output jsonb;
begin
  select * into v_run from public.runs r where r.id = waitpoint_step_check.run_id;
  select w.mode, count(*) filter (where w.status = 'pending') into v_mode, v_pending
  from public.run_waitpoints w where w.run_id = v_run.id and w.step_key = waitpoint_step_check.step_key
  group by w.mode;
  if v_mode = 'any' then
    select * into v_winner from public.run_waitpoints w
    where w.run_id = v_run.id and w.step_key = waitpoint_step_check.step_key and w.status in ('resolved', 'timed_out')
    order by w.resolved_at, w.position limit 1;
    if v_winner.id is null then
      return null;
    end if;
    v_output := jsonb_build_object('status', v_winner.status, 'kind', v_winner.kind, 'index', v_winner.position,
      'timed_out', v_winner.status = 'timed_out', 'result', v_winner.result);
  else
    if v_pending > 0 then
      return null;
    end if;
    select jsonb_build_object('status', case when bool_or(w.status = 'timed_out') then 'timed_out' else 'resolved' end,
        'timed_out', bool_or(w.status = 'timed_out'),
        'results', jsonb_agg(jsonb_build_object('kind', w.kind, 'status', w.status, 'result', w.result) order by w.position))
      into v_output
    from public.run_waitpoints w where w.run_id = v_run.id and w.step_key = waitpoint_step_check.step_key
      and w.status in ('resolved', 'timed_out');
  end if;

  -- the losers of an any-step no longer matter
  update public.run_waitpoints w set status = 'cancelled', resolved_at = now()
  where w.run_id = v_run.id and w.step_key = waitpoint_step_check.step_key and w.status = 'pending';

  insert into public.run_steps (tenant_id, run_id, seq, key, kind, status, output, run_attempt, completed_at)
  values (v_run.tenant_id, v_run.id,
    (select coalesce(max(s.seq), 0) + 1 from public.run_steps s where s.run_id = v_run.id),
    waitpoint_step_check.step_key, 'wait', 'completed', v_output, v_run.attempt, now())
  on conflict on constraint run_steps_run_id_key_key do nothing;

  if waitpoint_step_check.resume and v_run.status = 'waiting' then
    update public.runs r
    set wake = jsonb_build_object('step', waitpoint_step_check.step_key, 'status', v_output ->> 'status', 'at', now()),
      resuming = true,
      timed_out = r.timed_out or (v_output ->> 'timed_out')::boolean and r.deadline_at is not null and r.deadline_at <= now()
    where r.id = v_run.id;
    perform app.run_enqueue(v_run.tenant_id, v_run.id);
  end if;
  return v_output;
end;
$$;

COMMENT ON FUNCTION app.waitpoint_step_check(run_id uuid, step_key text, resume boolean) IS 'Internal: completes a wait step whose waitpoints are satisfied (any: first resolved; all: none pending): records it in run_steps, cancels the losers and, with resume, queues the waiting run.';

CREATE FUNCTION app.waitpoint_token_complete(tenant_id uuid, token_hash text, result jsonb) RETURNS TABLE(waitpoint_id uuid, run_id uuid, status text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_wp public.run_waitpoints%rowtype;
begin
  select * into v_wp from public.run_waitpoints w
  where w.token_hash = waitpoint_token_complete.token_hash and w.tenant_id = waitpoint_token_complete.tenant_id;
  if not found then
    raise exception 'No completion token like that in this tenant' using errcode = 'OR404', detail = 'token_not_found';
  end if;
  if v_wp.status <> 'pending' then
    raise exception 'This completion token is already %', v_wp.status using errcode = 'OR409', detail = 'token_already_used';
  end if;
  perform app.waitpoint_resolve(v_wp.id, 'resolved', coalesce(waitpoint_token_complete.result, '{}'::jsonb));
  return query select w.id, w.run_id, w.status from public.run_waitpoints w where w.id = v_wp.id;
end;
$$;

COMMENT ON FUNCTION app.waitpoint_token_complete(tenant_id uuid, token_hash text, result jsonb) IS 'Completes a completion token once (tenant-scoped) with result; the run waiting on it resumes with the result. A used, timed-out or cancelled token answers CONFLICT.';

CREATE FUNCTION app.waitpoint_token_create(tenant_id uuid, run_id uuid, token_hash text, timeout_at timestamp with time zone) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_id uuid;
begin
  if waitpoint_token_create.token_hash !~ '^[0-9a-f]{64}$' then
    raise exception 'token_hash must be a SHA-256 hex digest' using errcode = 'OR400', detail = 'invalid_token';
  end if;
  insert into public.run_waitpoints (tenant_id, run_id, kind, token_hash, resume_at)
  select r.tenant_id, r.id, 'token', waitpoint_token_create.token_hash, waitpoint_token_create.timeout_at
  from public.runs r where r.id = waitpoint_token_create.run_id and r.tenant_id = waitpoint_token_create.tenant_id
  returning id into v_id;
  if v_id is null then
    raise exception 'No run % in this tenant', waitpoint_token_create.run_id using errcode = 'OR404', detail = 'run_not_found';
  end if;
  return v_id;
end;
$_$;

COMMENT ON FUNCTION app.waitpoint_token_create(tenant_id uuid, run_id uuid, token_hash text, timeout_at timestamp with time zone) IS 'Workers: creates a completion token (waitpoint of kind token) for a run; only the token''s SHA-256 is stored. An outside caller completes it with app.waitpoint_token_complete.';

CREATE FUNCTION app.waitpoints_cancel(tenant_id uuid, run_id uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_count integer;
begin
  update public.run_waitpoints w set status = 'cancelled', resolved_at = now()
  where w.run_id = waitpoints_cancel.run_id and w.tenant_id = waitpoints_cancel.tenant_id and w.status = 'pending';
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.waitpoints_cancel(tenant_id uuid, run_id uuid) IS 'Cancels every pending waitpoint of a run (cancelling a run cancels its waits).';

CREATE FUNCTION app.waitpoints_due() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_wp record;
  v_count integer := 0;
begin
  for v_wp in
    select w.id, w.kind from public.run_waitpoints w
    where w.status = 'pending' and w.resume_at <= clock_timestamp()
    order by w.resume_at limit 1000
  loop
    if v_wp.kind = 'time' then
      perform app.waitpoint_resolve(v_wp.id, 'resolved', jsonb_build_object('at', clock_timestamp()));
    else
      perform app.waitpoint_resolve(v_wp.id, 'timed_out', jsonb_build_object('timed_out', true));
    end if;
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.waitpoints_due() IS 'Tick job: resolves due timers and times out due waits (the run resumes with a timeout result, not an error).';

CREATE FUNCTION app.waitpoints_on_event() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_wp record;
begin
  -- shared with other events; exclusive only while a wait for this event type is being set up
  perform pg_catalog.pg_advisory_xact_lock_shared(
    pg_catalog.hashtext('app.event:' || new.tenant_id::text || ':' || new.event_type));
  for v_wp in
    select w.id from public.run_waitpoints w
    where w.event_keys @> array[new.tenant_id::text || ':' || new.event_type] and w.status = 'pending'
      and w.kind = 'event' and (w.event_filter is null or new.payload @> w.event_filter)
    order by w.created_at
  loop
    perform app.waitpoint_resolve(v_wp.id, 'resolved', jsonb_build_object('event_id', new.id,
      'event_type', new.event_type, 'payload', new.payload, 'created_at', new.created_at));
  end loop;
  return null;
end;
$$;

COMMENT ON FUNCTION app.waitpoints_on_event() IS 'Trigger (after insert on event_log): resolves the pending waits for this event type whose filter the payload contains, in the event''s own transaction.';

CREATE FUNCTION app.waitpoints_on_run_finished(tenant_id uuid, run_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_wp public.run_waitpoints%rowtype;
  v_done integer;
  v_total integer;
  v_result jsonb;
begin
  for v_wp in
    select * from public.run_waitpoints w
    where w.run_ids @> array[waitpoints_on_run_finished.run_id] and w.status = 'pending'
      and w.tenant_id = waitpoints_on_run_finished.tenant_id
  loop
    -- the waiting run's row lock serialises siblings finishing at the same moment: whichever
    -- counts second sees the first one's commit, so the last to finish always resumes the waiter
    perform 1 from public.runs r where r.id = v_wp.run_id for update;
    continue when not exists (select 1 from public.run_waitpoints w where w.id = v_wp.id and w.status = 'pending');
    select count(*) filter (where app.run_is_terminal(r.status)), count(*),
      jsonb_build_object('runs', jsonb_agg(jsonb_build_object('id', r.id, 'status', r.status) order by array_position(v_wp.run_ids, r.id)))
      into v_done, v_total, v_result
    from public.runs r where r.id = any(v_wp.run_ids) and r.tenant_id = v_wp.tenant_id;
    if (v_wp.runs_mode = 'any' and v_done > 0) or v_done = v_total then
      perform app.waitpoint_resolve(v_wp.id, 'resolved', v_result);
    end if;
  end loop;
end;
$$;

COMMENT ON FUNCTION app.waitpoints_on_run_finished(tenant_id uuid, run_id uuid) IS 'Internal: after a run finished, resolves the waitpoints of runs waiting for it (all of their runs, or any).';

CREATE FUNCTION app.webhook_dispatch(tenant_id uuid, event jsonb, webhook_ids uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_row record;
  v_count integer := 0;
begin
  if coalesce(webhook_dispatch.event ->> 'event_type', '') = '' then
    raise exception 'Invalid event: give {id, event_type, payload, created_at}' using errcode = 'OR400', detail = 'webhook_event_invalid';
  end if;
  for v_row in
    insert into public.webhook_deliveries as d (tenant_id, webhook_id, event_id, event_type, payload, retry_schedule_seconds, timeout_ms)
    select w.tenant_id, w.id, (webhook_dispatch.event ->> 'id')::uuid, webhook_dispatch.event ->> 'event_type',
      jsonb_build_object('id', webhook_dispatch.event -> 'id', 'type', webhook_dispatch.event ->> 'event_type',
        'timestamp', coalesce(webhook_dispatch.event -> 'created_at', to_jsonb(now())),
        'data', coalesce(webhook_dispatch.event -> 'payload', 'null'::jsonb))
        -- the envelope of an event that names them (events.emit origin, asset_id, occurred_at)
        || jsonb_strip_nulls(jsonb_build_object('origin', webhook_dispatch.event -> 'origin',
          'asset_id', webhook_dispatch.event -> 'asset_id', 'occurred_at', webhook_dispatch.event -> 'occurred_at')),
      w.retry_schedule_seconds, w.timeout_ms
    from public.webhooks w
    where w.tenant_id = webhook_dispatch.tenant_id and w.id = any (webhook_dispatch.webhook_ids) and w.is_active
    order by w.created_at
    on conflict (webhook_id, event_id) do nothing
    returning d.id, d.webhook_id
  loop
    update public.webhooks w set total_deliveries = w.total_deliveries + 1, last_triggered_at = now()
    where w.id = v_row.webhook_id;
    perform app.delivery_enqueue(webhook_dispatch.tenant_id, 'webhook', v_row.id, 0);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

COMMENT ON FUNCTION app.webhook_dispatch(tenant_id uuid, event jsonb, webhook_ids uuid[]) IS 'Logs one webhook_deliveries row per active webhook in webhook_ids for event {id, event_type, payload, created_at, origin?, asset_id?, occurred_at?} (body {id, type, timestamp, data} plus origin, asset_id, occurred_at when the event has them), queues each on deliveries and wakes the worker, in the caller''s transaction. Idempotent per (webhook, event id). Returns how many were queued. Matching (types, filters) is the caller''s: dispatchEvent in _shared/webhooks/dispatch.ts.';

CREATE FUNCTION app.webhook_event_patterns(event_type text) RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path TO ''
    AS $$
  select array[webhook_event_patterns.event_type, '*'] || coalesce(array(
    select array_to_string(p[1:i], '.') || '.*'
    from (select string_to_array(webhook_event_patterns.event_type, '.') as p) x,
      generate_series(1, cardinality(x.p) - 1) i
  ), '{}')
$$;

COMMENT ON FUNCTION app.webhook_event_patterns(event_type text) IS 'The events entries that subscribe to event_type: the name itself, * and every dotted prefix followed by .* (a.b.c → a.b.c, *, a.*, a.b.*).';

CREATE FUNCTION app.webhook_secret_forget() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
begin
  if old.vault_secret_id is not null then
    execute format('delete from %I.secrets where id = $1', 'vault') using old.vault_secret_id;
  end if;
  return old;
end;
$_$;

COMMENT ON FUNCTION app.webhook_secret_forget() IS 'Internal: trigger on app.webhook_secrets deleting the Vault entry of a removed signing secret.';

CREATE FUNCTION app.webhook_secret_rotate(tenant_id uuid, webhook_id uuid, overlap_seconds integer DEFAULT 0) RETURNS TABLE(secret text, previous_expires_at timestamp with time zone)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_secret text := 'whsec_' || encode(extensions.gen_random_bytes(32), 'base64');
  v_vault_id uuid;
  v_key text;
begin
  if webhook_secret_rotate.overlap_seconds is null or webhook_secret_rotate.overlap_seconds not between 0 and 604800 then
    raise exception 'Invalid overlap_seconds %: use 0 to 604800 (7 days)', webhook_secret_rotate.overlap_seconds
      using errcode = 'OR400', detail = 'webhook_overlap_invalid';
  end if;
  perform 1 from public.webhooks w
  where w.id = webhook_secret_rotate.webhook_id and w.tenant_id = webhook_secret_rotate.tenant_id for update;
  if not found then
    raise exception 'No webhook with id %', webhook_secret_rotate.webhook_id using errcode = 'OR404', detail = 'webhook_not_found';
  end if;

  -- the previous-but-one goes; the current one becomes the previous one for the overlap
  delete from app.webhook_secrets s
  where s.webhook_id = webhook_secret_rotate.webhook_id and s.tenant_id = webhook_secret_rotate.tenant_id
    and (s.expires_at is not null or webhook_secret_rotate.overlap_seconds = 0);
  update app.webhook_secrets s set expires_at = now() + make_interval(secs => webhook_secret_rotate.overlap_seconds)
  where s.webhook_id = webhook_secret_rotate.webhook_id and s.tenant_id = webhook_secret_rotate.tenant_id
    and s.expires_at is null
  returning s.expires_at into previous_expires_at;

  if to_regclass('vault.secrets') is not null then
    -- dynamic: vault exists only on Supabase (plpgsql_check checks constant SQL)
    execute format('select %I.create_secret($1, $2)', 'vault') into v_vault_id
      using v_secret, 'ora:webhook:' || webhook_secret_rotate.webhook_id || ':' || gen_random_uuid();
    insert into app.webhook_secrets (tenant_id, webhook_id, vault_secret_id)
    values (webhook_secret_rotate.tenant_id, webhook_secret_rotate.webhook_id, v_vault_id);
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: no Vault and no local encryption key (app.local_secret_key, made by scripts/bootstrap/00_supabase_compat.sql) to encrypt webhook secrets with'
        using errcode = '55000';
    end if;
    insert into app.webhook_secrets (tenant_id, webhook_id, value_enc)
    values (webhook_secret_rotate.tenant_id, webhook_secret_rotate.webhook_id, extensions.pgp_sym_encrypt(v_secret, v_key));
  end if;
  update public.webhooks w set secret_rotated_at = now() where w.id = webhook_secret_rotate.webhook_id;
  secret := v_secret;
  return next;
end;
$_$;

COMMENT ON FUNCTION app.webhook_secret_rotate(tenant_id uuid, webhook_id uuid, overlap_seconds integer) IS 'Generates a new signing secret (whsec_ + 32 random bytes in base64), stores it encrypted as the webhook''s current secret and returns it (the only time it is shown). The previous secret stays valid for overlap_seconds (0 to 7 days; 0 removes it at once), so deliveries carry both signatures meanwhile.';

CREATE FUNCTION app.webhook_signing_secrets(tenant_id uuid, webhook_id uuid) RETURNS SETOF text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $_$
declare
  v_row app.webhook_secrets%rowtype;
  v_key text;
begin
  for v_row in
    select * from app.webhook_secrets s
    where s.tenant_id = webhook_signing_secrets.tenant_id and s.webhook_id = webhook_signing_secrets.webhook_id
      and (s.expires_at is null or s.expires_at > now())
    order by s.expires_at is not null, s.created_at desc
  loop
    if v_row.vault_secret_id is not null then
      return query execute format('select decrypted_secret from %I.decrypted_secrets where id = $1', 'vault')
        using v_row.vault_secret_id;
    else
      v_key := coalesce(v_key, app.local_encryption_key());
      if coalesce(v_key, '') = '' then
        raise exception 'Server misconfigured: webhook secrets are encrypted locally but there is no local encryption key (app.local_secret_key)'
          using errcode = '55000';
      end if;
      return next extensions.pgp_sym_decrypt(v_row.value_enc, v_key);
    end if;
  end loop;
end;
$_$;

COMMENT ON FUNCTION app.webhook_signing_secrets(tenant_id uuid, webhook_id uuid) IS 'Workers only: the decrypted signing secrets of a webhook, current first, then the previous one while its rotation overlap lasts.';

CREATE FUNCTION app.webhooks_cleanup() RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO ''
    AS $$
declare
  v_deliveries bigint;
begin
  delete from public.webhook_deliveries d where d.status <> 'pending' and d.updated_at < now() - interval '30 days';
  get diagnostics v_deliveries = row_count;
  return jsonb_build_object('webhook_deliveries', v_deliveries);
end;
$$;

COMMENT ON FUNCTION app.webhooks_cleanup() IS 'Ops: deletes finished webhook deliveries older than 30 days. Daily (pg_cron job ora-webhooks-cleanup).';

CREATE FUNCTION app.webhooks_want(tenant_id uuid, event_type text) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO ''
    AS $$
begin
  return (select webhooks_want.event_type is not null and exists (
    select 1 from public.webhooks w
    where w.tenant_id = webhooks_want.tenant_id and w.is_active
      and w.events && app.webhook_event_patterns(webhooks_want.event_type)));
end;
$$;

COMMENT ON FUNCTION app.webhooks_want(tenant_id uuid, event_type text) IS 'Whether any active webhook of the tenant subscribes to event_type (exactly, by prefix.* or *), ignoring filters: the event pipeline calls it to skip events no one listens to. One index probe (webhooks_tenant_active_idx).';

CREATE FUNCTION public.memory_search(query_text text, query_embedding extensions.vector DEFAULT NULL::extensions.vector, match_count integer DEFAULT 10, filters jsonb DEFAULT '{}'::jsonb, options jsonb DEFAULT '{}'::jsonb) RETURNS TABLE(id uuid, source_type text, source_id uuid, chunk_index integer, asset_id uuid, title text, content text, metadata jsonb, memory_type text, agent_id uuid, health real, cold boolean, source_created_at timestamp with time zone, score double precision, relevance double precision, similarity double precision, vector_rank integer, text_rank integer, strategy text)
    LANGUAGE plpgsql
    SET search_path TO ''
    SET "hnsw.ef_search" TO '100'
    SET "hnsw.iterative_scan" TO 'relaxed_order'
    AS $$
#variable_conflict use_column
declare
  v_tenant uuid := app.tenant_id();
  v_count integer := least(greatest(coalesce(memory_search.match_count, 10), 1), 100);
  v_k double precision := coalesce((memory_search.options ->> 'rrf_k')::double precision, 60);
  v_vw double precision := coalesce((memory_search.options ->> 'vector_weight')::double precision, 1);
  v_tw double precision := coalesce((memory_search.options ->> 'text_weight')::double precision, 1);
  v_cand integer;
  v_strategy text := coalesce(memory_search.options ->> 'strategy', 'auto');
  v_exact_below integer := coalesce((memory_search.options ->> 'exact_below')::integer, 2000);
  v_model text := memory_search.options ->> 'embedding_model';
  v_min_sim double precision := (memory_search.options ->> 'min_similarity')::double precision;
  v_half_life double precision := (memory_search.options ->> 'decay_half_life_days')::double precision;
  v_hw double precision := coalesce((memory_search.options ->> 'health_weight')::double precision, 0);
  v_mmr double precision := (memory_search.options ->> 'mmr_lambda')::double precision;
  v_per_source boolean := coalesce((memory_search.options ->> 'one_per_source')::boolean, true);
  f_types text[];
  f_mtypes text[];
  f_exclude uuid[];
  f_asset uuid := (memory_search.filters ->> 'asset_id')::uuid;
  f_from timestamptz := (memory_search.filters ->> 'time_from')::timestamptz;
  f_to timestamptz := (memory_search.filters ->> 'time_to')::timestamptz;
  f_min_health real := (memory_search.filters ->> 'min_health')::real;
  f_agent uuid := (memory_search.filters ->> 'agent_id')::uuid;
  f_meta jsonb := case when jsonb_typeof(memory_search.filters -> 'metadata') = 'object' then memory_search.filters -> 'metadata' end;
  f_superseded boolean := coalesce((memory_search.filters ->> 'include_superseded')::boolean, false);
  f_cold boolean := coalesce((memory_search.filters ->> 'include_cold')::boolean, true);
  v_used text := 'none';
  v_sort text;
  v_tsq tsquery;
  v_phrase tsquery;
  v_vec_ids uuid[] := '{}';
  v_vec_dist double precision[] := '{}';
  v_txt_ids uuid[] := '{}';
  v_ids uuid[];
  v_scores double precision[];
  v_embs extensions.vector[];
  v_max double precision;
  v_sel integer[] := '{}';
  v_best integer;
  v_best_val double precision;
  v_val double precision;
  v_sim double precision;
  v_j integer;
begin
  -- GUARD: a tenant, sane options
  if v_tenant is null then
    raise exception 'memory_search needs a tenant: call it with the claims of a request (tenant_id)'
      using errcode = 'OR400', detail = 'memory_search_no_tenant';
  end if;
  if v_strategy not in ('auto', 'hnsw', 'exact') then
    raise exception 'Invalid strategy %: use auto, hnsw or exact', v_strategy using errcode = 'OR400', detail = 'memory_search_strategy';
  end if;
  if v_vw < 0 or v_tw < 0 or v_k < 1 or v_hw < 0 or v_hw > 1 or (v_mmr is not null and (v_mmr < 0 or v_mmr > 1))
      or (v_half_life is not null and v_half_life <= 0) then
    raise exception 'Invalid search options %: weights >= 0, rrf_k >= 1, health_weight and mmr_lambda in [0, 1], decay_half_life_days > 0',
      memory_search.options using errcode = 'OR400', detail = 'memory_search_options';
  end if;
  if jsonb_typeof(memory_search.filters -> 'source_types') = 'array' then
    f_types := array(select jsonb_array_elements_text(memory_search.filters -> 'source_types'));
  end if;
  if jsonb_typeof(memory_search.filters -> 'memory_types') = 'array' then
    f_mtypes := array(select jsonb_array_elements_text(memory_search.filters -> 'memory_types'));
  end if;
  if jsonb_typeof(memory_search.filters -> 'exclude_source_ids') = 'array' then
    f_exclude := array(select jsonb_array_elements_text(memory_search.filters -> 'exclude_source_ids'))::uuid[];
  end if;
  v_cand := least(greatest(coalesce((memory_search.options ->> 'candidates')::integer, v_count * 4), v_count), 400);

  -- VECTOR: kNN among the tenant's chunks embedded by the same model
  if memory_search.query_embedding is not null and v_vw > 0 then
    v_used := v_strategy;
    if v_strategy = 'auto' then
      select case when coalesce(max(s.embedded), 0) <= v_exact_below then 'exact' else 'hnsw' end into v_used
      from public.memory_index_state s where s.tenant_id = v_tenant;
    end if;
    if v_used = 'exact' then
      select coalesce(array_agg(x.id order by x.dist, x.id), '{}'), coalesce(array_agg(x.dist order by x.dist, x.id), '{}')
        into v_vec_ids, v_vec_dist
      from (select m.id, extensions.cosine_distance(m.embedding, memory_search.query_embedding) as dist
            from public.memory_index m
            where m.tenant_id = v_tenant and m.embedding is not null
              and (v_model is null or m.embedding_model = v_model)
              and (f_types is null or m.source_type = any(f_types))
              and (f_mtypes is null or m.memory_type = any(f_mtypes))
              and (f_asset is null or m.asset_id = f_asset)
              and (f_from is null or m.source_created_at >= f_from)
              and (f_to is null or m.source_created_at < f_to)
              and (f_min_health is null or coalesce(m.health, 1) >= f_min_health)
              and (f_agent is null or m.agent_id is null or m.agent_id = f_agent)
              and (f_meta is null or m.metadata @> f_meta)
              and (f_exclude is null or m.source_id <> all(f_exclude))
              and (f_superseded or m.memory_status is distinct from 'superseded')
              and (f_cold or not m.cold)
            order by 2, m.id
            limit v_cand) x
      where v_min_sim is null or 1 - x.dist >= v_min_sim;
    else
      -- the ORDER BY operator is what lets the planner walk the HNSW index; the relaxed iterative
      -- scan keeps walking while filters (RLS, tenant, metadata) reject rows, re-sorted here. The
      -- planner prices a distance like a cheap operator and would rather sort a seq scan of a few
      -- thousand rows (35 ms at 10k) than walk the index (1-3 ms): with sorts priced out for this
      -- one statement, the index scan (the one plan that needs no sort) is taken.
      v_sort := current_setting('enable_sort');
      perform set_config('enable_sort', 'off', true);
      select coalesce(array_agg(x.id order by x.dist, x.id), '{}'), coalesce(array_agg(x.dist order by x.dist, x.id), '{}')
        into v_vec_ids, v_vec_dist
      from (select m.id, m.embedding operator(extensions.<=>) memory_search.query_embedding as dist
            from public.memory_index m
            where m.tenant_id = v_tenant and m.embedding is not null
              and (v_model is null or m.embedding_model = v_model)
              and (f_types is null or m.source_type = any(f_types))
              and (f_mtypes is null or m.memory_type = any(f_mtypes))
              and (f_asset is null or m.asset_id = f_asset)
              and (f_from is null or m.source_created_at >= f_from)
              and (f_to is null or m.source_created_at < f_to)
              and (f_min_health is null or coalesce(m.health, 1) >= f_min_health)
              and (f_agent is null or m.agent_id is null or m.agent_id = f_agent)
              and (f_meta is null or m.metadata @> f_meta)
              and (f_exclude is null or m.source_id <> all(f_exclude))
              and (f_superseded or m.memory_status is distinct from 'superseded')
              and (f_cold or not m.cold)
            order by m.embedding operator(extensions.<=>) memory_search.query_embedding
            limit v_cand) x
      where v_min_sim is null or 1 - x.dist >= v_min_sim;
      perform set_config('enable_sort', v_sort, true);
    end if;
  end if;

  -- FULL TEXT: any of the query's terms, ranked by frequency (ts_rank: a third of ts_rank_cd's cost
  -- with OR queries) with the title weighted; the exact phrase first
  if v_tw > 0 and coalesce(btrim(memory_search.query_text), '') <> '' then
    v_tsq := nullif(replace(plainto_tsquery('english', memory_search.query_text)::text, ' & ', ' | '), '')::tsquery;
    if v_tsq is not null and numnode(v_tsq) > 0 then
      v_phrase := phraseto_tsquery('english', memory_search.query_text);
      if numnode(v_phrase) < 3 then
        v_phrase := null;
      end if;
      select coalesce(array_agg(x.id order by x.r desc, x.id), '{}') into v_txt_ids
      from (select m.id, ts_rank(m.content_tsv, v_tsq, 32)
                 + case when v_phrase is not null and m.content_tsv @@ v_phrase then 1 else 0 end as r
            from app.memory_fts m
            where m.tenant_id = v_tenant and m.content_tsv @@ v_tsq
              and (f_types is null or m.source_type = any(f_types))
              and (f_mtypes is null or m.memory_type = any(f_mtypes))
              and (f_asset is null or m.asset_id = f_asset)
              and (f_from is null or m.source_created_at >= f_from)
              and (f_to is null or m.source_created_at < f_to)
              and (f_min_health is null or coalesce(m.health, 1) >= f_min_health)
              and (f_agent is null or m.agent_id is null or m.agent_id = f_agent)
              and (f_meta is null or m.metadata @> f_meta)
              and (f_exclude is null or m.source_id <> all(f_exclude))
              and (f_superseded or m.memory_status is distinct from 'superseded')
              and (f_cold or not m.cold)
            order by 2 desc, m.id
            limit v_cand) x;
    end if;
  end if;

  -- FUSION: reciprocal rank, then time decay and health; one chunk per source (read back
  -- through public.memory_index, under RLS, by primary key)
  select coalesce(array_agg(d.id order by d.score desc, d.id), '{}'), coalesce(array_agg(d.score order by d.score desc, d.id), '{}')
    into v_ids, v_scores
  from (
    select distinct on (case when v_per_source then m.source_type || ':' || m.source_id::text else m.id::text end)
      m.id,
      (coalesce(v_vw / (v_k + array_position(v_vec_ids, m.id)), 0) + coalesce(v_tw / (v_k + array_position(v_txt_ids, m.id)), 0))
        * case when v_half_life is null then 1
               else power(0.5, greatest(0, extract(epoch from (now() - m.source_created_at)) / 86400.0) / v_half_life) end
        * ((1 - v_hw) + v_hw * coalesce(m.health, 1)) as score
    from public.memory_index m
    where m.id = any(v_vec_ids || v_txt_ids) and m.tenant_id = v_tenant
    order by (case when v_per_source then m.source_type || ':' || m.source_id::text else m.id::text end), 2 desc, m.id
  ) d;

  -- DIVERSITY (MMR): greedily pick what is relevant and unlike what was picked
  if v_mmr is not null and coalesce(array_length(v_ids, 1), 0) > 1 then
    v_max := v_scores[1];
    select array_agg(m.embedding order by u.ord) into v_embs
    from unnest(v_ids) with ordinality as u(id, ord) join public.memory_index m on m.id = u.id;
    while coalesce(array_length(v_sel, 1), 0) < least(v_count, array_length(v_ids, 1)) loop
      v_best := null;
      v_best_val := null;
      for v_i in 1 .. array_length(v_ids, 1) loop
        continue when v_i = any(v_sel);
        v_sim := 0;
        foreach v_j in array v_sel loop
          if v_embs[v_i] is not null and v_embs[v_j] is not null then
            v_sim := greatest(v_sim, 1 - (v_embs[v_i] operator(extensions.<=>) v_embs[v_j]));
          end if;
        end loop;
        v_val := v_mmr * (v_scores[v_i] / nullif(v_max, 0)) - (1 - v_mmr) * v_sim;
        if v_best is null or v_val > v_best_val then
          v_best := v_i;
          v_best_val := v_val;
        end if;
      end loop;
      v_sel := v_sel || v_best;
    end loop;
    v_ids := array(select v_ids[s.i] from unnest(v_sel) with ordinality as s(i, ord) order by s.ord);
    v_scores := array(select v_scores[s.i] from unnest(v_sel) with ordinality as s(i, ord) order by s.ord);
  end if;

  return query
  select m.id, m.source_type, m.source_id, m.chunk_index, m.asset_id, m.title, m.content, m.metadata, m.memory_type,
    m.agent_id, m.health, m.cold, m.source_created_at, r.score,
    least(1, r.score / ((case when cardinality(v_vec_ids) > 0 then v_vw else 0 end
                       + case when cardinality(v_txt_ids) > 0 then v_tw else 0 end) / (v_k + 1))),
    1 - v_vec_dist[array_position(v_vec_ids, m.id)],
    array_position(v_vec_ids, m.id), array_position(v_txt_ids, m.id), v_used
  from unnest(v_ids, v_scores) with ordinality as r(id, score, ord)
  join public.memory_index m on m.id = r.id
  order by r.ord
  limit v_count;
end;
$$;

COMMENT ON FUNCTION public.memory_search(query_text text, query_embedding extensions.vector, match_count integer, filters jsonb, options jsonb) IS 'Hybrid search over the caller''s tenant (RLS; the claims'' tenant is required): HNSW (or exact, for small tenants) vector kNN and full-text ranks fused by reciprocal rank with weights, filters, optional time decay, health weighting and MMR diversity. See the migration for filters and options; the `strategy` column says how vectors were searched (exact, hnsw, none).';

CREATE TABLE app.agent_templates (
    pack text NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    persona text NOT NULL,
    skills text[] DEFAULT '{}'::text[] NOT NULL,
    allowed_tools text[] DEFAULT '{}'::text[] NOT NULL,
    memory_types text[] DEFAULT '{}'::text[] NOT NULL,
    can_spawn boolean DEFAULT false NOT NULL,
    CONSTRAINT agent_templates_slug_check CHECK ((slug ~ '^[a-z][a-z0-9_]{0,62}$'::text))
);

ALTER TABLE ONLY app.agent_templates FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.agent_templates IS 'Agent definitions grouped in packs (content, industrial); app.agent_pack_install copies a pack into a tenant.';

COMMENT ON COLUMN app.agent_templates.pack IS 'The pack the template belongs to (content, industrial); app.agent_pack_install installs a whole pack.';

COMMENT ON COLUMN app.agent_templates.slug IS 'The agent''s slug once installed (lowercase letters, digits, underscores).';

COMMENT ON COLUMN app.agent_templates.name IS 'Display name copied to agents.name.';

COMMENT ON COLUMN app.agent_templates.description IS 'What the agent does, copied to agents.description.';

COMMENT ON COLUMN app.agent_templates.persona IS 'System prompt copied to agents.persona on install.';

COMMENT ON COLUMN app.agent_templates.skills IS 'Skill keys copied to agents.skills (their manifests are in app.skill_templates).';

COMMENT ON COLUMN app.agent_templates.allowed_tools IS 'Tool names copied to agents.allowed_tools.';

COMMENT ON COLUMN app.agent_templates.memory_types IS 'Memory types copied to agents.memory_types.';

COMMENT ON COLUMN app.agent_templates.can_spawn IS 'Copied to agents.can_spawn: whether the agent may start other agents.';

CREATE TABLE app.automation_hook_ids (
    automation_id uuid NOT NULL,
    webhook_id text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app.automation_hook_ids FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.automation_hook_ids IS 'Internal: webhook-id values already accepted per automation (replays are answered without firing again); kept 7 days.';

COMMENT ON COLUMN app.automation_hook_ids.automation_id IS 'The automation the request was sent to.';

COMMENT ON COLUMN app.automation_hook_ids.webhook_id IS 'The webhook-id header of an accepted inbound request.';

COMMENT ON COLUMN app.automation_hook_ids.received_at IS 'When the request was accepted; rows older than 7 days are deleted.';

CREATE TABLE app.automation_hooks (
    automation_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    secret_enc bytea,
    vault_secret_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT automation_hooks_check CHECK (((secret_enc IS NULL) <> (vault_secret_id IS NULL)))
);

ALTER TABLE ONLY app.automation_hooks FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.automation_hooks IS 'Internal: the signing secret of each webhook-triggered automation (Vault on Supabase, encrypted with the local key elsewhere); inbound requests must carry a valid signature.';

COMMENT ON COLUMN app.automation_hooks.automation_id IS 'The webhook-triggered automation the secret signs for.';

COMMENT ON COLUMN app.automation_hooks.secret_enc IS 'The signing secret encrypted with the local stack''s key; null where Vault holds it.';

COMMENT ON COLUMN app.automation_hooks.vault_secret_id IS 'The Vault secret holding the signing secret (on Supabase); null elsewhere.';

CREATE TABLE app.automation_windows (
    run_id uuid NOT NULL,
    automation_id uuid NOT NULL,
    window_key text NOT NULL,
    tenant_id uuid NOT NULL,
    mode text NOT NULL,
    events jsonb DEFAULT '[]'::jsonb NOT NULL,
    fire_at timestamp with time zone NOT NULL,
    closed boolean DEFAULT false NOT NULL,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT automation_windows_mode_check CHECK ((mode = ANY (ARRAY['debounce'::text, 'batch'::text])))
);

ALTER TABLE ONLY app.automation_windows FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.automation_windows IS 'Internal: the debounce or batch window of an event automation run (one open window per automation and key): the run waits until fire_at; later events extend (debounce) or join (batch) it; a full batch is closed at once and the next event opens a new window.';

COMMENT ON COLUMN app.automation_windows.run_id IS 'The automation run parked until the window fires.';

COMMENT ON COLUMN app.automation_windows.automation_id IS 'The event automation the window belongs to.';

COMMENT ON COLUMN app.automation_windows.window_key IS 'The debounce or batch key (from trigger_config; empty for one window per automation).';

COMMENT ON COLUMN app.automation_windows.mode IS 'debounce (only the latest event, fire_at pushed back by each) or batch (events collected until max size or max wait).';

COMMENT ON COLUMN app.automation_windows.events IS 'The collected triggers (debounce: the latest only).';

COMMENT ON COLUMN app.automation_windows.fire_at IS 'When the window fires and its run resumes.';

COMMENT ON COLUMN app.automation_windows.closed IS 'True once a batch is full: later events open a new window.';

COMMENT ON COLUMN app.automation_windows.opened_at IS 'When the first event opened the window.';

CREATE TABLE app.integration_leases (
    tenant_id uuid NOT NULL,
    integration text NOT NULL,
    holder text NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY app.integration_leases FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.integration_leases IS 'Calls in flight per tenant and integration (one lease per call, released when it ends or expiring with its timeout if the worker died).';

COMMENT ON COLUMN app.integration_leases.integration IS 'The integration key (tool_integrations.key) the call goes to.';

COMMENT ON COLUMN app.integration_leases.holder IS 'Names the call holding the lease (the worker''s call id), released by app.integration_release.';

COMMENT ON COLUMN app.integration_leases.expires_at IS 'When the lease lapses if never released (the call''s timeout × attempts plus a margin).';

CREATE TABLE app.integration_windows (
    tenant_id uuid NOT NULL,
    integration text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    hits integer DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY app.integration_windows FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.integration_windows IS 'Calls per tenant, integration and calendar minute (app.integration_acquire); rows past an hour are dropped by the tick.';

COMMENT ON COLUMN app.integration_windows.integration IS 'The integration key (tool_integrations.key) the calls went to.';

COMMENT ON COLUMN app.integration_windows.window_start IS 'The calendar minute counted.';

COMMENT ON COLUMN app.integration_windows.hits IS 'Calls let through in that minute, compared with tool_integrations.rate_limit_per_minute.';

CREATE TABLE app.invoke_requests (
    id bigint NOT NULL,
    txid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    function_name text NOT NULL,
    body jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT invoke_requests_function_name_check CHECK ((function_name ~ '^[a-z][a-z0-9_-]{0,62}$'::text))
);

ALTER TABLE ONLY app.invoke_requests FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.invoke_requests IS 'Internal, local stack only (no pg_net): wake-ups written by app.function_invoke and claimed (deleted) by the local function server''s relay, which is notified of the id on channel ora_invoke. Rows a stopped relay left behind are relayed when it starts, or deleted by app.cleanup after an hour.';

COMMENT ON COLUMN app.invoke_requests.txid IS 'Transaction that asked; with function_name and md5(body) unique, so a burst of identical wake-ups in one transaction is one row and one notification.';

COMMENT ON COLUMN app.invoke_requests.function_name IS 'Edge Function to POST to: /functions/v1/<function_name>.';

COMMENT ON COLUMN app.invoke_requests.body IS 'JSON body of the POST.';

COMMENT ON COLUMN app.invoke_requests.created_at IS 'When it was first asked for (app.cleanup deletes rows older than an hour).';

ALTER TABLE app.invoke_requests ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.invoke_requests_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE app.local_secret_key (
    id boolean DEFAULT true NOT NULL,
    key text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT local_secret_key_id_check CHECK (id),
    CONSTRAINT local_secret_key_key_check CHECK ((length(key) >= 32))
);

ALTER TABLE ONLY app.local_secret_key FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.local_secret_key IS 'Local stack only (bootstrap): the key app.secret_set/secret_get encrypt tenant secrets with where Vault is absent. One row; readable only by the owner.';

CREATE TABLE public.memory_index (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    source_type text NOT NULL,
    source_id uuid NOT NULL,
    chunk_index integer DEFAULT 0 NOT NULL,
    asset_id uuid,
    title text,
    content text NOT NULL,
    content_tsv tsvector GENERATED ALWAYS AS ((setweight(to_tsvector('english'::regconfig, COALESCE(title, ''::text)), 'A'::"char") || setweight(to_tsvector('english'::regconfig, content), 'B'::"char"))) STORED,
    content_hash text GENERATED ALWAYS AS (md5(((COALESCE(title, ''::text) || chr(10)) || content))) STORED,
    embedding extensions.vector(384),
    embedding_model text,
    embedded_hash text,
    embedded_at timestamp with time zone,
    cold boolean DEFAULT false NOT NULL,
    memory_type text,
    memory_status text,
    agent_id uuid,
    health real,
    source_created_at timestamp with time zone DEFAULT now() NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT memory_index_chunk_index_check CHECK ((chunk_index >= 0)),
    CONSTRAINT memory_index_memory_status_check CHECK ((memory_status = ANY (ARRAY['live'::text, 'superseded'::text]))),
    CONSTRAINT memory_index_source_type_check CHECK ((source_type = ANY (ARRAY['memory'::text, 'post'::text, 'lead_note'::text, 'document'::text, 'conversation'::text, 'tool_result'::text])))
);

ALTER TABLE ONLY public.memory_index FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.memory_index IS 'Searchable chunks (seed 004 §2) of memories, blog posts, lead notes, documents, conversations and tool results: full text (content_tsv) and an embedding written by memory-indexer. Read through public.memory_search (hybrid search); written by triggers on the sources and by app.memory_index_put.';

COMMENT ON COLUMN public.memory_index.source_type IS 'memory (agent_memory), post (blog_posts), lead_note (leads.notes), document, conversation, tool_result (memory.index).';

COMMENT ON COLUMN public.memory_index.source_id IS 'Id of the source row (agent_memory.id, blog_posts.id, leads.id) or the document''s id.';

COMMENT ON COLUMN public.memory_index.chunk_index IS 'Position of the chunk in its source: long content is cut into chunks of about 1200 characters overlapping by 200 (app.memory_chunks).';

COMMENT ON COLUMN public.memory_index.asset_id IS 'Equipment or other asset the content is about (search filter).';

COMMENT ON COLUMN public.memory_index.title IS 'Title of the source, searched with weight A (e.g. the post title or memory key).';

COMMENT ON COLUMN public.memory_index.content IS 'The chunk''s text, searched with weight B and embedded.';

COMMENT ON COLUMN public.memory_index.content_tsv IS 'Generated English full-text vector of title (weight A) and content (weight B).';

COMMENT ON COLUMN public.memory_index.content_hash IS 'md5 of title and content: an embedding is written for one hash, and only changed content is embedded again.';

COMMENT ON COLUMN public.memory_index.embedding IS 'The chunk''s embedding (null while waiting for memory-indexer, and in the cold tier). THE dimension of the whole system: see the migration''s header.';

COMMENT ON COLUMN public.memory_index.embedding_model IS 'Which embedder wrote the vector (openai:<model>, supabase:gte-small, offline:lexical-v1); search compares only vectors of the tenant''s current model.';

COMMENT ON COLUMN public.memory_index.embedded_hash IS 'content_hash the embedding was computed for.';

COMMENT ON COLUMN public.memory_index.embedded_at IS 'When memory-indexer wrote the embedding; null while waiting or cold.';

COMMENT ON COLUMN public.memory_index.cold IS 'Cold tier (archived memory): no embedding, still searchable by text.';

COMMENT ON COLUMN public.memory_index.memory_type IS 'For memories: the memory type (search filter); null for other sources.';

COMMENT ON COLUMN public.memory_index.memory_status IS 'For memories: live or superseded (superseded ones are left out of search unless asked for).';

COMMENT ON COLUMN public.memory_index.agent_id IS 'For memories: the owning agent, null when shared.';

COMMENT ON COLUMN public.memory_index.health IS 'For memories: the memory''s health score (min_health filter, health weighting); null for other sources.';

COMMENT ON COLUMN public.memory_index.source_created_at IS 'When the source was created or published (time filters and time decay).';

COMMENT ON COLUMN public.memory_index.metadata IS 'Facts about the source kept for results, e.g. {key, importance, tier} for memories or {slug, status, tags} for posts.';

CREATE VIEW app.memory_fts AS
 SELECT m.id,
    m.tenant_id,
    m.source_type,
    m.source_id,
    m.asset_id,
    m.content_tsv,
    m.memory_type,
    m.memory_status,
    m.agent_id,
    m.health,
    m.cold,
    m.source_created_at,
    m.metadata
   FROM public.memory_index m
  WHERE (m.tenant_id = ( SELECT app.tenant_id() AS tenant_id));

COMMENT ON VIEW app.memory_fts IS 'Internal: full-text candidates of the caller''s tenant (the tenant of the request''s claims) with the GIN index usable; read only by public.memory_search. Not security_invoker on purpose: see the migration.';

CREATE TABLE app.memory_maintenance_runs (
    id uuid NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    tenants integer NOT NULL,
    errors integer NOT NULL,
    totals jsonb NOT NULL
);

ALTER TABLE ONLY app.memory_maintenance_runs FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.memory_maintenance_runs IS 'One row per maintenance run across tenants (operators): tenants maintained, tenants that failed, totals of their reports.';

COMMENT ON COLUMN app.memory_maintenance_runs.started_at IS 'When the run started.';

COMMENT ON COLUMN app.memory_maintenance_runs.finished_at IS 'When the run finished.';

COMMENT ON COLUMN app.memory_maintenance_runs.tenants IS 'Tenants maintained in the run.';

COMMENT ON COLUMN app.memory_maintenance_runs.errors IS 'Tenants whose maintenance failed (each has a report row with error).';

COMMENT ON COLUMN app.memory_maintenance_runs.totals IS 'Sums of the counters of the run''s reports.';

CREATE TABLE app.model_prices (
    model text NOT NULL,
    input_usd_per_mtok numeric(12,6) NOT NULL,
    output_usd_per_mtok numeric(12,6) NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT model_prices_input_usd_per_mtok_check CHECK ((input_usd_per_mtok >= (0)::numeric)),
    CONSTRAINT model_prices_output_usd_per_mtok_check CHECK ((output_usd_per_mtok >= (0)::numeric))
);

ALTER TABLE ONLY app.model_prices FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.model_prices IS 'USD per million tokens by model name. Tenants can override with tenants.settings.llm.prices. Unknown models cost 0 (and say so in usage metadata).';

COMMENT ON COLUMN app.model_prices.model IS 'Model name as the provider reports it (e.g. gpt-4o-mini).';

COMMENT ON COLUMN app.model_prices.input_usd_per_mtok IS 'USD per million prompt (input) tokens.';

COMMENT ON COLUMN app.model_prices.output_usd_per_mtok IS 'USD per million completion (output) tokens.';

CREATE TABLE app.queue_consumers (
    queue_name text NOT NULL,
    worker_id text NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY app.queue_consumers FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.queue_consumers IS 'Internal: worker invocations draining a queue right now (a lease renewed by their heartbeat). app.tick wakes a queue''s worker when visible work waits and fewer than its max consumers are alive.';

COMMENT ON COLUMN app.queue_consumers.queue_name IS 'The queue (app.queue_workers) the worker invocation is draining.';

COMMENT ON COLUMN app.queue_consumers.worker_id IS 'Id of the worker invocation holding the lease, as passed to app.queue_heartbeat.';

COMMENT ON COLUMN app.queue_consumers.expires_at IS 'End of the lease: set to now + 2 × the visibility timeout on every heartbeat; app.tick deletes expired rows.';

CREATE TABLE app.queue_deferrals (
    queue_name text NOT NULL,
    msg_id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    release_key text NOT NULL,
    until timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY app.queue_deferrals FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.queue_deferrals IS 'Internal: messages put back without using an attempt (e.g. an open circuit breaker), by the key whose change releases them at once (app.queue_release).';

COMMENT ON COLUMN app.queue_deferrals.release_key IS 'What the message waits for, e.g. breaker:llm:api.openai.com; app.queue_release(tenant, key) makes every message deferred on it visible now.';

COMMENT ON COLUMN app.queue_deferrals.until IS 'When the message becomes visible by itself if nothing releases it earlier.';

CREATE TABLE app.queue_errors (
    queue_name text NOT NULL,
    msg_id bigint NOT NULL,
    attempts integer DEFAULT 1 NOT NULL,
    last_error text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT queue_errors_attempts_check CHECK ((attempts > 0)),
    CONSTRAINT queue_errors_last_error_check CHECK ((length(last_error) <= 2000))
);

ALTER TABLE ONLY app.queue_errors FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.queue_errors IS 'Internal: failures recorded by app.queue_fail for messages still in their queue. Cleared by app.queue_ack and when a message is dead-lettered. Read only through app.* functions.';

COMMENT ON COLUMN app.queue_errors.queue_name IS 'pgmq queue the message is in.';

COMMENT ON COLUMN app.queue_errors.msg_id IS 'pgmq msg_id within that queue.';

COMMENT ON COLUMN app.queue_errors.attempts IS 'How many times app.queue_fail was called for this message.';

COMMENT ON COLUMN app.queue_errors.last_error IS 'The most recent error, truncated to 2000 characters; copied into the dead-letter message.';

COMMENT ON COLUMN app.queue_errors.updated_at IS 'When the most recent error was recorded.';

CREATE TABLE app.queue_release_checks (
    prefix text NOT NULL,
    function_name text NOT NULL,
    CONSTRAINT queue_release_checks_function_name_check CHECK ((function_name ~ '^app\.[a-z][a-z0-9_]*$'::text)),
    CONSTRAINT queue_release_checks_prefix_check CHECK ((prefix ~ '^[a-z][a-z0-9_]*:$'::text))
);

ALTER TABLE ONLY app.queue_release_checks FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.queue_release_checks IS 'Internal: per release-key prefix (e.g. breaker:), the app function (tenant_id uuid, release_key text) → boolean that says whether the key is already released; app.queue_defer calls it after registering a deferral.';

CREATE TABLE app.queue_turns (
    queue_name text NOT NULL,
    tenant_id uuid NOT NULL,
    served_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY app.queue_turns FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.queue_turns IS 'Internal: when each tenant last had a message claimed from each queue; claims serve the tenant served longest ago first.';

COMMENT ON COLUMN app.queue_turns.served_at IS 'Clock time of the tenant''s latest claim from this queue.';

CREATE TABLE app.queue_workers (
    queue_name text NOT NULL,
    function_name text NOT NULL,
    max_consumers integer DEFAULT 2 NOT NULL,
    description text NOT NULL,
    CONSTRAINT queue_workers_function_name_check CHECK ((function_name ~ '^[a-z][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT queue_workers_max_consumers_check CHECK (((max_consumers >= 0) AND (max_consumers <= 100)))
);

ALTER TABLE ONLY app.queue_workers FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.queue_workers IS 'Each queue and the Edge Function that drains it. Enqueueing wakes that function at once; app.tick wakes it again while visible messages wait unclaimed and fewer than max_consumers invocations are draining (0 pauses the tick''s wake-ups for that queue, e.g. during a benchmark).';

COMMENT ON COLUMN app.queue_workers.queue_name IS 'The pgmq queue (messages live in pgmq.q_<queue_name>); registered with app.queue_register.';

COMMENT ON COLUMN app.queue_workers.function_name IS 'The Edge Function (lowercase slug) that drains this queue and that app.queue_wake invokes.';

COMMENT ON COLUMN app.queue_workers.max_consumers IS 'Invocations (0-100) that may drain the queue at once before app.tick stops waking more; 0 pauses the tick''s wake-ups.';

COMMENT ON COLUMN app.queue_workers.description IS 'What the queue carries, in plain words (set by app.queue_register).';

CREATE TABLE app.rate_counters (
    api_key_id uuid NOT NULL,
    window_kind text NOT NULL,
    window_start timestamp with time zone NOT NULL,
    hits integer DEFAULT 0 NOT NULL,
    CONSTRAINT rate_counters_window_kind_check CHECK ((window_kind = ANY (ARRAY['minute'::text, 'day'::text])))
);

ALTER TABLE ONLY app.rate_counters FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.rate_counters IS 'Per-key request counters per minute and per UTC day; incremented atomically by app.api_key_consume.';

COMMENT ON COLUMN app.rate_counters.api_key_id IS 'The API key whose requests are counted.';

COMMENT ON COLUMN app.rate_counters.window_kind IS 'minute or day: the length of the counting window.';

COMMENT ON COLUMN app.rate_counters.window_start IS 'Start of the window (the minute, or the UTC day) the hits fall in.';

COMMENT ON COLUMN app.rate_counters.hits IS 'Requests the key made in the window, incremented by app.api_key_consume.';

CREATE TABLE app.run_kinds (
    kind text NOT NULL,
    queue_name text NOT NULL,
    concurrency_limit_name text,
    on_deadline text DEFAULT 'cancel'::text NOT NULL,
    event_prefix text DEFAULT 'run'::text NOT NULL,
    description text NOT NULL,
    CONSTRAINT run_kinds_event_prefix_check CHECK ((event_prefix ~ '^[a-z][a-z0-9_]{0,30}$'::text)),
    CONSTRAINT run_kinds_kind_check CHECK ((kind ~ '^[a-z][a-z0-9_.]{0,62}$'::text)),
    CONSTRAINT run_kinds_on_deadline_check CHECK ((on_deadline = ANY (ARRAY['cancel'::text, 'time_out_waits'::text])))
);

ALTER TABLE ONLY app.run_kinds FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.run_kinds IS 'Each kind of durable run: the queue whose consumer executes it (and so the Edge Function), the tenant limit that caps how many run at once, and what its deadline does.';

COMMENT ON COLUMN app.run_kinds.concurrency_limit_name IS 'Name of the tenant limit (app.tenant_limit) capping this kind''s running runs per tenant; null = no cap.';

COMMENT ON COLUMN app.run_kinds.on_deadline IS 'cancel: a queued or running run past deadline_at is cancelled. time_out_waits: its waitpoints time out at the deadline and it resumes to finish (e.g. a coordinator writing a timeout brief).';

COMMENT ON COLUMN app.run_kinds.event_prefix IS 'Prefix of the lifecycle events this kind''s runs emit: <prefix>.completed|failed|cancelled|waiting (run by default; agent sessions emit session.*).';

CREATE TABLE app.secret_access_log (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    action text NOT NULL,
    purpose text,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT secret_access_log_action_check CHECK ((action = ANY (ARRAY['set'::text, 'read'::text, 'refused'::text, 'delete'::text])))
);

ALTER TABLE ONLY app.secret_access_log FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.secret_access_log IS 'Every set, read, refused read and delete of a tenant secret, with the purpose (and target origin) given by the caller.';

COMMENT ON COLUMN app.secret_access_log.name IS 'The secret''s name (app.tenant_secrets.name) that was accessed.';

COMMENT ON COLUMN app.secret_access_log.action IS 'set, read, refused (a read for an origin the secret is not bound to) or delete.';

COMMENT ON COLUMN app.secret_access_log.purpose IS 'Why the caller accessed the secret, as it stated; a refused read appends → <origin requested>.';

COMMENT ON COLUMN app.secret_access_log.at IS 'When the access happened.';

ALTER TABLE app.secret_access_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.secret_access_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE app.skill_templates (
    pack text NOT NULL,
    key text NOT NULL,
    name text NOT NULL,
    description text NOT NULL,
    instructions text NOT NULL,
    tools text[] DEFAULT '{}'::text[] NOT NULL
);

ALTER TABLE ONLY app.skill_templates FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.skill_templates IS 'Skill manifests installed with an agent pack (version 1 in the tenant).';

COMMENT ON COLUMN app.skill_templates.pack IS 'The agent pack the skill is installed with.';

COMMENT ON COLUMN app.skill_templates.key IS 'The skill key agents list in skills; installed as version 1 of public.skills.key.';

COMMENT ON COLUMN app.skill_templates.name IS 'Display name copied to skills.name.';

COMMENT ON COLUMN app.skill_templates.description IS 'What the skill is for, copied to skills.description.';

COMMENT ON COLUMN app.skill_templates.instructions IS 'Prompt text copied to skills.instructions.';

COMMENT ON COLUMN app.skill_templates.tools IS 'Tool names the skill uses, copied to skills.tools.';

CREATE TABLE app.tenant_secrets (
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    vault_secret_id uuid,
    value_enc bytea,
    origin text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenant_secrets_check CHECK (((vault_secret_id IS NULL) <> (value_enc IS NULL))),
    CONSTRAINT tenant_secrets_name_check CHECK ((name ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT tenant_secrets_origin_check CHECK ((origin ~ '^https?://[^/?#@]+$'::text))
);

ALTER TABLE ONLY app.tenant_secrets FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.tenant_secrets IS 'Tenant credentials (LLM keys, integration tokens), each bound to one origin. On Supabase the value lives in Vault (vault_secret_id); elsewhere it is encrypted with pgcrypto under the local stack''s key (app.local_encryption_key()). Never returned through the API.';

COMMENT ON COLUMN app.tenant_secrets.origin IS 'The one origin (scheme://host[:port]) the secret may be sent to; app.secret_get refuses any other (secrets are bound to the host they were configured for).';

CREATE TABLE app.tick_jobs (
    name text NOT NULL,
    function_name text NOT NULL,
    run_order integer DEFAULT 500 NOT NULL,
    last_result jsonb,
    last_run_at timestamp with time zone,
    CONSTRAINT tick_jobs_function_name_check CHECK ((function_name ~ '^app\.[a-z][a-z0-9_]*$'::text))
);

ALTER TABLE ONLY app.tick_jobs FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.tick_jobs IS 'Periodic work app.tick runs on every pass, in run_order: each row names an app function taking no arguments (migrations register theirs with app.tick_register).';

COMMENT ON COLUMN app.tick_jobs.last_result IS 'What the function returned on its latest pass, or {error} when it failed.';

CREATE TABLE app.webhook_secrets (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    webhook_id uuid NOT NULL,
    vault_secret_id uuid,
    value_enc bytea,
    expires_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_secrets_check CHECK (((vault_secret_id IS NULL) <> (value_enc IS NULL)))
);

ALTER TABLE ONLY app.webhook_secrets FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE app.webhook_secrets IS 'Standard Webhooks signing secrets (whsec_…): in Vault on Supabase (vault_secret_id), else encrypted with pgcrypto under the local stack''s key. One current secret (expires_at null) per webhook, and after a rotation the previous one until expires_at: deliveries meanwhile carry both signatures.';

COMMENT ON COLUMN app.webhook_secrets.expires_at IS 'Null for the current secret; for the previous one, the end of the rotation overlap.';

CREATE TABLE public.agent_memory (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    agent_id uuid,
    memory_type text NOT NULL,
    key text NOT NULL,
    content jsonb NOT NULL,
    summary text,
    importance real DEFAULT 0.5 NOT NULL,
    access_count integer DEFAULT 0 NOT NULL,
    last_accessed_at timestamp with time zone,
    retrieval_count integer DEFAULT 0 NOT NULL,
    avg_relevance real DEFAULT 0 NOT NULL,
    contradiction_count integer DEFAULT 0 NOT NULL,
    superseded_by uuid,
    superseded_at timestamp with time zone,
    health_score real DEFAULT 0.5 NOT NULL,
    tier text DEFAULT 'warm'::text NOT NULL,
    source text DEFAULT 'server'::text NOT NULL,
    sync_id uuid,
    synced_at timestamp with time zone,
    is_dirty boolean DEFAULT false NOT NULL,
    expires_at timestamp with time zone,
    is_archived boolean DEFAULT false NOT NULL,
    archived_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_memory_access_count_check CHECK ((access_count >= 0)),
    CONSTRAINT agent_memory_avg_relevance_check CHECK (((avg_relevance >= (0)::double precision) AND (avg_relevance <= (1)::double precision))),
    CONSTRAINT agent_memory_check CHECK (((tier = 'cold'::text) = is_archived)),
    CONSTRAINT agent_memory_contradiction_count_check CHECK ((contradiction_count >= 0)),
    CONSTRAINT agent_memory_health_score_check CHECK (((health_score >= (0)::double precision) AND (health_score <= (1)::double precision))),
    CONSTRAINT agent_memory_importance_check CHECK (((importance >= (0)::double precision) AND (importance <= (1)::double precision))),
    CONSTRAINT agent_memory_key_check CHECK (((length(key) >= 1) AND (length(key) <= 200))),
    CONSTRAINT agent_memory_memory_type_check CHECK ((memory_type = ANY (ARRAY['fact'::text, 'preference'::text, 'context'::text, 'skill'::text, 'instruction'::text, 'reflection'::text, 'task'::text, 'entity'::text]))),
    CONSTRAINT agent_memory_retrieval_count_check CHECK ((retrieval_count >= 0)),
    CONSTRAINT agent_memory_source_check CHECK ((source = ANY (ARRAY['server'::text, 'desktop'::text, 'sync'::text, 'agent'::text, 'automation'::text]))),
    CONSTRAINT agent_memory_summary_check CHECK (((summary IS NULL) OR (length(summary) <= 2000))),
    CONSTRAINT agent_memory_tier_check CHECK ((tier = ANY (ARRAY['hot'::text, 'warm'::text, 'cold'::text])))
);

ALTER TABLE ONLY public.agent_memory FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.agent_memory IS 'What agents and people remember (seed 000): eight types, a key unique per agent and type among live rows, JSON content with a summary, importance, access and retrieval statistics, a health score and tier (Part V), expiry, archive, supersede and sync fields. Every change is indexed for search (memory_index, source_type memory) in the same transaction.';

COMMENT ON COLUMN public.agent_memory.agent_id IS 'The agent this memory belongs to; null = shared by every agent of the tenant (ORA''s external memory).';

COMMENT ON COLUMN public.agent_memory.memory_type IS 'fact (about the world or user), preference, context (situational), skill (learned behaviour), instruction (standing), reflection (the agent''s own learnings), task, entity (person, company, asset).';

COMMENT ON COLUMN public.agent_memory.key IS 'Name of the memory, unique per agent and type among live rows: storing the same key again makes a new version that supersedes the old one.';

COMMENT ON COLUMN public.agent_memory.content IS 'The memory itself: a JSON string or an object ({"text": …} or fields such as {"subject": …, "value": …}).';

COMMENT ON COLUMN public.agent_memory.summary IS 'Short plain-text summary of the content (up to 2,000 characters), searched and shown before the content.';

COMMENT ON COLUMN public.agent_memory.importance IS 'Set by whoever stores it, 0 to 1; 0.8 and above is critical (always offered to prompts first).';

COMMENT ON COLUMN public.agent_memory.access_count IS 'Reads by id or key (memory.get) and uses in prompts.';

COMMENT ON COLUMN public.agent_memory.last_accessed_at IS 'When the memory was last read by id or key or used in a prompt.';

COMMENT ON COLUMN public.agent_memory.retrieval_count IS 'Times the memory came back from a search or a prompt retrieval.';

COMMENT ON COLUMN public.agent_memory.avg_relevance IS 'Mean relevance (0 to 1) of those retrievals.';

COMMENT ON COLUMN public.agent_memory.contradiction_count IS 'Times a newer memory contradicted this one.';

COMMENT ON COLUMN public.agent_memory.superseded_by IS 'The newer memory that replaced this one (a new version of the key, or a contradiction); superseded memories are kept, never returned by default, and deleted after the policy''s retention.';

COMMENT ON COLUMN public.agent_memory.superseded_at IS 'When it was superseded; null for live memories.';

COMMENT ON COLUMN public.agent_memory.health_score IS 'Part V health, 0 to 1, from recency, access, retrieval relevance, freshness, contradictions and importance (app.memory_health); recomputed by maintenance and used in retrieval.';

COMMENT ON COLUMN public.agent_memory.tier IS 'hot (recent and healthy), warm (active), cold (archived: embeddings dropped, still searchable by text). Maintained by app.memory_maintenance.';

COMMENT ON COLUMN public.agent_memory.source IS 'Where it was created: server (API), desktop, sync, agent (a tool call), automation.';

COMMENT ON COLUMN public.agent_memory.sync_id IS 'Identity of the memory across synced copies (conflict detection).';

COMMENT ON COLUMN public.agent_memory.synced_at IS 'When the memory was last synced with another copy; nothing in Ora writes it yet.';

COMMENT ON COLUMN public.agent_memory.is_dirty IS 'Changed since the last sync.';

COMMENT ON COLUMN public.agent_memory.expires_at IS 'Hard expiry: the memory stops counting as fresh then and maintenance deletes it.';

COMMENT ON COLUMN public.agent_memory.is_archived IS 'Cold tier: archived by maintenance (low health, idle, over quota, or superseded).';

COMMENT ON COLUMN public.agent_memory.archived_at IS 'When the memory went cold (set and cleared by a trigger following is_archived).';

COMMENT ON COLUMN public.agent_memory.metadata IS 'Free-form JSON the writer attaches to the memory.';

CREATE TABLE public.agent_personas (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    agent_id uuid NOT NULL,
    version integer NOT NULL,
    persona text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.agent_personas FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.agent_personas IS 'Every persona an agent has had; agents.persona_version names the current one.';

COMMENT ON COLUMN public.agent_personas.agent_id IS 'The agent this persona belonged to.';

COMMENT ON COLUMN public.agent_personas.version IS 'The persona version (agents.persona_version when it was set), unique per agent.';

COMMENT ON COLUMN public.agent_personas.persona IS 'The system prompt text of that version.';

CREATE VIEW public.agent_sessions WITH (security_invoker='true') AS
 SELECT r.id,
    r.tenant_id,
    r.parent_run_id AS parent_session_id,
    r.root_run_id AS root_session_id,
    r.depth,
    r.kind,
    (((r.input -> 'agent'::text) ->> 'id'::text))::uuid AS agent_id,
    r.subject AS agent_slug,
    COALESCE((r.input ->> 'mode'::text), 'autonomous'::text) AS mode,
    r.status,
    app.run_is_terminal(r.status) AS done,
    (r.output ->> 'coordination'::text) AS coordination,
    r.priority,
    r.idempotency_key,
    r.concurrency_key,
    r.concurrency_limit,
    r.input,
    r.output AS result,
    r.error,
    r.attempt AS attempts,
    r.max_attempts,
    r.worker_id,
    r.created_by,
    r.user_id,
    r.api_key_id,
    r.deadline_at,
    r.timed_out,
    r.heartbeat_at,
    r.escalated_at,
    r.wake,
    r.queued_at,
    r.started_at,
    r.completed_at,
    r.created_at,
    r.updated_at
   FROM public.runs r
  WHERE (r.kind = ANY (ARRAY['agent'::text, 'orchestration'::text]));

COMMENT ON VIEW public.agent_sessions IS 'Agent sessions as the API shows them: runs of kind agent or orchestration (their steps are in run_steps, their waits in run_waitpoints). Read-only; RLS of runs applies (security_invoker).';

CREATE TABLE public.agent_tasks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    assigned_agent text,
    delegated_by text,
    task_type text DEFAULT 'general'::text NOT NULL,
    title text NOT NULL,
    description text,
    instructions jsonb,
    input jsonb DEFAULT '{}'::jsonb NOT NULL,
    output jsonb,
    priority integer DEFAULT 0 NOT NULL,
    scheduled_for timestamp with time zone,
    deadline_at timestamp with time zone,
    status text DEFAULT 'pending'::text NOT NULL,
    status_message text,
    error_message text,
    blocked_by uuid,
    attempt_count integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 3 NOT NULL,
    last_attempt_at timestamp with time zone,
    session_id uuid,
    parent_task_id uuid,
    related_post_id uuid,
    source text DEFAULT 'api'::text NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    duration_ms integer,
    tokens_used integer,
    estimated_cost numeric(14,8),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_tasks_max_attempts_check CHECK (((max_attempts >= 1) AND (max_attempts <= 20))),
    CONSTRAINT agent_tasks_priority_check CHECK (((priority >= '-100'::integer) AND (priority <= 100))),
    CONSTRAINT agent_tasks_source_check CHECK ((source = ANY (ARRAY['server'::text, 'desktop'::text, 'api'::text, 'webhook'::text, 'automation'::text, 'agent'::text]))),
    CONSTRAINT agent_tasks_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'queued'::text, 'running'::text, 'waiting'::text, 'success'::text, 'error'::text, 'cancelled'::text, 'expired'::text]))),
    CONSTRAINT agent_tasks_task_type_check CHECK (((length(task_type) >= 1) AND (length(task_type) <= 100))),
    CONSTRAINT agent_tasks_title_check CHECK (((length(title) >= 1) AND (length(title) <= 500)))
);

ALTER TABLE ONLY public.agent_tasks FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.agent_tasks IS 'Task queue with dependencies (task_dependencies). pending → queued (a session runs it) → running → success | error; cancelled when a dependency fails (blocked_by says which) or on request; expired past deadline_at. Tasks without an assigned agent wait for a person or client to complete them.';

COMMENT ON COLUMN public.agent_tasks.assigned_agent IS 'Slug of the agent whose session works on the task; a task with none stays pending.';

COMMENT ON COLUMN public.agent_tasks.delegated_by IS 'Provenance text naming who delegated the task; stored as given, no behaviour attached.';

COMMENT ON COLUMN public.agent_tasks.task_type IS 'Free-text category of the task (general by default, up to 100 characters), passed to the session as task.type.';

COMMENT ON COLUMN public.agent_tasks.instructions IS 'Structured instructions for the agent, passed to the session with the task.';

COMMENT ON COLUMN public.agent_tasks.input IS 'JSON input for the agent, passed to the session as task.input.';

COMMENT ON COLUMN public.agent_tasks.output IS 'The result: the output of the session that succeeded (given to dependent tasks as context).';

COMMENT ON COLUMN public.agent_tasks.priority IS 'Priority of the task''s session (-100 to 100, higher runs sooner).';

COMMENT ON COLUMN public.agent_tasks.scheduled_for IS 'Not started before this time (app.tick queues it when due).';

COMMENT ON COLUMN public.agent_tasks.deadline_at IS 'Past this the task expires (and its session is cancelled); dependents are stopped.';

COMMENT ON COLUMN public.agent_tasks.status IS 'pending (waiting for dependencies, schedule or an agent), queued, running, waiting, success, error, cancelled or expired.';

COMMENT ON COLUMN public.agent_tasks.status_message IS 'Human-readable note on the current status (why it waits, why it was stopped, retry requested); null when there is nothing to say.';

COMMENT ON COLUMN public.agent_tasks.error_message IS 'Why the task last ended in error or was cancelled (the session''s error or the failed dependency); cleared on retry and success.';

COMMENT ON COLUMN public.agent_tasks.blocked_by IS 'The dependency whose failure stopped this task (it went to cancelled with a reason).';

COMMENT ON COLUMN public.agent_tasks.attempt_count IS 'Sessions started for this task (retries included).';

COMMENT ON COLUMN public.agent_tasks.max_attempts IS 'Attempts (1-20) allowed to each session started for the task (the session''s runs.max_attempts).';

COMMENT ON COLUMN public.agent_tasks.last_attempt_at IS 'When the latest session for the task was started.';

COMMENT ON COLUMN public.agent_tasks.session_id IS 'The agent session (a run of kind agent) working on the task now or last.';

COMMENT ON COLUMN public.agent_tasks.parent_task_id IS 'A task this one belongs under (deleted with it); a link only, no behaviour attached.';

COMMENT ON COLUMN public.agent_tasks.related_post_id IS 'The blog post the task is about, if any; a link only, no behaviour attached.';

COMMENT ON COLUMN public.agent_tasks.source IS 'Where the task came from: server, desktop, api, webhook, automation or agent (agent when created by the tasks.create tool).';

COMMENT ON COLUMN public.agent_tasks.started_at IS 'When the first of its sessions started running.';

COMMENT ON COLUMN public.agent_tasks.completed_at IS 'When the task ended (success, error, cancelled or expired); cleared on retry.';

COMMENT ON COLUMN public.agent_tasks.duration_ms IS 'Milliseconds from its start (or last attempt) to completion.';

COMMENT ON COLUMN public.agent_tasks.tokens_used IS 'Prompt plus completion tokens of the steps of the task''s session, set when it finishes.';

COMMENT ON COLUMN public.agent_tasks.estimated_cost IS 'USD spent by the task''s session (its steps'' LLM calls).';

CREATE TABLE public.agents (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    description text,
    persona text DEFAULT ''::text NOT NULL,
    persona_version integer DEFAULT 0 NOT NULL,
    model_settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    allowed_tools text[] DEFAULT '{}'::text[] NOT NULL,
    skills text[] DEFAULT '{}'::text[] NOT NULL,
    memory_types text[] DEFAULT '{}'::text[] NOT NULL,
    can_spawn boolean DEFAULT false NOT NULL,
    kind text DEFAULT 'persistent'::text NOT NULL,
    parent_agent_id uuid,
    expires_at timestamp with time zone,
    is_active boolean DEFAULT true NOT NULL,
    pack text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agents_check CHECK (((kind = 'persistent'::text) OR (expires_at IS NOT NULL))),
    CONSTRAINT agents_kind_check CHECK ((kind = ANY (ARRAY['persistent'::text, 'spawned'::text]))),
    CONSTRAINT agents_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT agents_slug_check CHECK ((slug ~ '^[a-z][a-z0-9_]{0,62}$'::text))
);

ALTER TABLE ONLY public.agents FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.agents IS 'Agent registry: persona (system prompt, versioned in agent_personas), model settings, allowed tools, skills, memory types, can_spawn. kind=spawned agents have a parent and an expiry.';

COMMENT ON COLUMN public.agents.slug IS 'Identifier of the agent within its tenant (lowercase letters, digits, underscores); sessions, tasks and runs.subject refer to agents by it.';

COMMENT ON COLUMN public.agents.persona IS 'The agent''s system prompt; every change bumps persona_version and is kept in agent_personas.';

COMMENT ON COLUMN public.agents.persona_version IS 'Version of the current persona (1 on insert, +1 per change), set by a trigger.';

COMMENT ON COLUMN public.agents.model_settings IS '{provider: auto|openai|offline, base_url, model, temperature, max_tokens, api_key_secret} — overrides tenants.settings.llm.';

COMMENT ON COLUMN public.agents.allowed_tools IS 'Tool names the agent''s sessions may call; the tool gate refuses others.';

COMMENT ON COLUMN public.agents.skills IS 'Skill keys whose newest enabled version is included in the agent''s prompt (public.skills).';

COMMENT ON COLUMN public.agents.memory_types IS 'Memory types (fact, preference, context, …) the agent''s prompt memory draws on; empty = all types.';

COMMENT ON COLUMN public.agents.can_spawn IS 'Whether the agent may call spawn_agents to start other agent sessions.';

COMMENT ON COLUMN public.agents.kind IS 'persistent (lives until deleted) or spawned (temporary, must have expires_at); nothing in Ora creates spawned agents today.';

COMMENT ON COLUMN public.agents.parent_agent_id IS 'For a spawned agent, the agent that created it (deleted with it); null for persistent agents.';

COMMENT ON COLUMN public.agents.expires_at IS 'After this the agent cannot start sessions; required for kind spawned.';

COMMENT ON COLUMN public.agents.is_active IS 'False: the agent cannot start sessions (app.agent_snapshot ignores it).';

COMMENT ON COLUMN public.agents.pack IS 'The agent pack it was installed from (content, industrial); null for agents created directly.';

COMMENT ON COLUMN public.agents.metadata IS 'Free-form JSON object of extra attributes supplied by the writer; Ora does not read it.';

CREATE TABLE public.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    key_prefix text NOT NULL,
    key_hash text NOT NULL,
    scopes text[] DEFAULT ARRAY['*'::text] NOT NULL,
    rate_limit_per_minute integer DEFAULT 60 NOT NULL,
    rate_limit_per_day integer DEFAULT 10000 NOT NULL,
    total_requests bigint DEFAULT 0 NOT NULL,
    last_used_at timestamp with time zone,
    last_used_ip inet,
    allowed_ips cidr[] DEFAULT '{}'::cidr[] NOT NULL,
    expires_at timestamp with time zone,
    is_active boolean DEFAULT true NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason text,
    rotated_from uuid,
    agent_id uuid,
    created_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_keys_key_hash_check CHECK ((key_hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT api_keys_key_prefix_check CHECK ((key_prefix ~ '^[a-z0-9]{8}$'::text)),
    CONSTRAINT api_keys_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT api_keys_rate_limit_per_day_check CHECK ((rate_limit_per_day > 0)),
    CONSTRAINT api_keys_rate_limit_per_minute_check CHECK ((rate_limit_per_minute > 0))
);

ALTER TABLE ONLY public.api_keys FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.api_keys IS 'Ora API keys. Only the SHA-256 hash is stored; the prefix identifies a key in lists and logs. Revoke with is_active=false; rotate keeps the old key until its expires_at (grace period).';

COMMENT ON COLUMN public.api_keys.key_prefix IS 'The 8 lowercase letters or digits after ora_ in the key (ora_<prefix>_<secret>); unique, shown in lists and used by the gateway to find the key.';

COMMENT ON COLUMN public.api_keys.key_hash IS 'SHA-256 hex digest of the whole key; the key itself is never stored.';

COMMENT ON COLUMN public.api_keys.scopes IS '* for everything, or <resource>:read / <resource>:write / <resource>:* (write implies read).';

COMMENT ON COLUMN public.api_keys.rate_limit_per_minute IS 'Requests the key may make per minute; app.api_key_consume refuses more (counted in app.rate_counters).';

COMMENT ON COLUMN public.api_keys.rate_limit_per_day IS 'Requests the key may make per UTC day; app.api_key_consume refuses more (counted in app.rate_counters).';

COMMENT ON COLUMN public.api_keys.total_requests IS 'Requests counted against the key since it was created, added in batches by the gateway.';

COMMENT ON COLUMN public.api_keys.last_used_at IS 'When the key last made a counted request (written in batches by the gateway).';

COMMENT ON COLUMN public.api_keys.last_used_ip IS 'Client address of the key''s latest counted request.';

COMMENT ON COLUMN public.api_keys.allowed_ips IS 'Client addresses or CIDR ranges allowed to use the key; empty = any.';

COMMENT ON COLUMN public.api_keys.expires_at IS 'After this the gateway refuses the key; null = never expires (rotation sets it to the end of the grace period on the old key).';

COMMENT ON COLUMN public.api_keys.is_active IS 'False once the key is revoked (or rotated with no grace); the gateway refuses inactive keys.';

COMMENT ON COLUMN public.api_keys.revoked_at IS 'When the key was revoked or rotated out; null while it is usable.';

COMMENT ON COLUMN public.api_keys.revoked_reason IS 'Why the key was revoked, as given to keys.revoke, or rotated when a rotation replaced it.';

COMMENT ON COLUMN public.api_keys.rotated_from IS 'The key this one replaced in a rotation (keys.rotate); null for a key created directly.';

COMMENT ON COLUMN public.api_keys.agent_id IS 'Marks a key that acts for an agent: such keys may not decide approvals and do not count as approvers; no Ora action sets it today.';

COMMENT ON COLUMN public.api_keys.created_by IS 'Who created the key: key:<id>, user:<id> or service_role.';

CREATE VIEW public.automation_runs WITH (security_invoker='true') AS
 SELECT r.id,
    r.tenant_id,
    (r.subject)::uuid AS automation_id,
    ((r.input -> 'trigger'::text) ->> 'type'::text) AS triggered_by,
    ((r.input -> 'trigger'::text) -> 'data'::text) AS trigger_data,
        CASE r.status
            WHEN 'queued'::text THEN 'pending'::text
            WHEN 'running'::text THEN 'running'::text
            WHEN 'waiting'::text THEN 'waiting'::text
            WHEN 'completed'::text THEN COALESCE((r.output ->> 'status'::text), 'success'::text)
            ELSE r.status
        END AS status,
    r.started_at,
    r.completed_at,
    ((EXTRACT(epoch FROM (r.completed_at - COALESCE(r.started_at, r.created_at))) * (1000)::numeric))::integer AS duration_ms,
    ((r.output ->> 'actions_total'::text))::integer AS actions_total,
    ((r.output ->> 'actions_completed'::text))::integer AS actions_completed,
    ((r.output ->> 'actions_failed'::text))::integer AS actions_failed,
    (r.output -> 'results'::text) AS action_results,
    r.error,
    GREATEST((r.attempt - 1), 0) AS retry_count,
    (((r.input -> 'automation'::text) ->> 'version'::text))::integer AS automation_version,
    r.parent_run_id,
    r.created_at
   FROM public.runs r
  WHERE (r.kind = 'automation'::text);

COMMENT ON VIEW public.automation_runs IS 'Automation runs as seed 000 names them: runs of kind automation with their trigger, status (pending, running, waiting, success, partial, failed, skipped, cancelled) and per-action results; each action is a step in run_steps. Read-only; RLS of runs applies.';

CREATE TABLE public.automations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    description text,
    category text DEFAULT 'general'::text NOT NULL,
    trigger_type text NOT NULL,
    trigger_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    event_names text[] DEFAULT '{}'::text[] NOT NULL,
    conditions jsonb,
    actions jsonb DEFAULT '[]'::jsonb NOT NULL,
    on_error text DEFAULT 'notify'::text NOT NULL,
    max_retries integer DEFAULT 3 NOT NULL,
    retry_delay_seconds integer DEFAULT 60 NOT NULL,
    max_runs_per_hour integer,
    max_runs_per_day integer,
    cooldown_seconds integer DEFAULT 0 NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    status_reason text,
    run_scopes text[] DEFAULT '{}'::text[] NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    next_run_at timestamp with time zone,
    threshold_state jsonb DEFAULT '{}'::jsonb NOT NULL,
    total_runs integer DEFAULT 0 NOT NULL,
    successful_runs integer DEFAULT 0 NOT NULL,
    failed_runs integer DEFAULT 0 NOT NULL,
    skipped_runs integer DEFAULT 0 NOT NULL,
    last_run_at timestamp with time zone,
    last_success_at timestamp with time zone,
    last_error_at timestamp with time zone,
    last_error text,
    avg_duration_ms integer,
    created_by text,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT automations_actions_check CHECK ((jsonb_typeof(actions) = 'array'::text)),
    CONSTRAINT automations_category_check CHECK ((category = ANY (ARRAY['content'::text, 'analytics'::text, 'leads'::text, 'maintenance'::text, 'notifications'::text, 'integration'::text, 'general'::text]))),
    CONSTRAINT automations_cooldown_seconds_check CHECK ((cooldown_seconds >= 0)),
    CONSTRAINT automations_max_retries_check CHECK (((max_retries >= 0) AND (max_retries <= 10))),
    CONSTRAINT automations_max_runs_per_day_check CHECK ((max_runs_per_day > 0)),
    CONSTRAINT automations_max_runs_per_hour_check CHECK ((max_runs_per_hour > 0)),
    CONSTRAINT automations_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT automations_on_error_check CHECK ((on_error = ANY (ARRAY['ignore'::text, 'retry'::text, 'notify'::text, 'pause'::text, 'abort'::text]))),
    CONSTRAINT automations_retry_delay_seconds_check CHECK (((retry_delay_seconds >= 1) AND (retry_delay_seconds <= 86400))),
    CONSTRAINT automations_slug_check CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'::text)),
    CONSTRAINT automations_status_check CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text, 'disabled'::text, 'error'::text, 'draft'::text, 'completed'::text]))),
    CONSTRAINT automations_trigger_type_check CHECK ((trigger_type = ANY (ARRAY['schedule'::text, 'event'::text, 'threshold'::text, 'manual'::text, 'webhook'::text])))
);

ALTER TABLE ONLY public.automations FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.automations IS 'Automations (seed 000 Part II): a trigger, conditions and a sequence of actions. Each firing is a run of kind automation (see automation_runs); definitions are snapshotted into the run, so editing one never changes a run in flight.';

COMMENT ON COLUMN public.automations.slug IS 'URL-safe identifier, unique per tenant (lowercase letters, digits, hyphens).';

COMMENT ON COLUMN public.automations.category IS 'content, analytics, leads, maintenance, notifications, integration or general (for grouping only).';

COMMENT ON COLUMN public.automations.trigger_type IS 'What fires it: schedule, event, threshold, manual or webhook (configured in trigger_config).';

COMMENT ON COLUMN public.automations.trigger_config IS 'schedule: {cron, timezone, interval: {value, unit}, runAt, skipIfRunning}; event: {events[], filter, debounce: {seconds, key}, batch: {maxSize, maxWait}, cancelOn: {events[], match}}; threshold: {metric, operator, value, window: {duration, aggregation}, compare, sustainedFor, autoResolve, dimensions}; webhook: {}; manual: {}. Validated by the API (docs/automations.md).';

COMMENT ON COLUMN public.automations.event_names IS 'Event types an event automation listens to (from trigger_config.events; * = all); indexed for matching.';

COMMENT ON COLUMN public.automations.conditions IS 'A condition expression ({field, operator, value} | {and: []} | {or: []} | {not: {}}) over the runtime context; the run is skipped when it is false.';

COMMENT ON COLUMN public.automations.actions IS 'The action sequence: [{type, name?, config, condition?, onError?, output?: {as}}] (14 primitives plus wait_for_event; docs/automations.md).';

COMMENT ON COLUMN public.automations.on_error IS 'What a failed action does unless it says otherwise: ignore (continue), retry (the run retries with backoff, max_retries times), notify (a notification, then continue), pause (pause the automation, stop the run), abort (stop the run).';

COMMENT ON COLUMN public.automations.max_retries IS 'Retries (0-10) of a run whose action failed, when on_error is retry.';

COMMENT ON COLUMN public.automations.retry_delay_seconds IS 'Base delay in seconds before a retry; doubled each attempt, with jitter.';

COMMENT ON COLUMN public.automations.max_runs_per_hour IS 'Firings allowed in the last hour; more are skipped (manual firings are not capped); null = no cap.';

COMMENT ON COLUMN public.automations.max_runs_per_day IS 'Firings allowed in the last 24 hours; more are skipped (manual firings are not capped); null = no cap.';

COMMENT ON COLUMN public.automations.cooldown_seconds IS 'Seconds after a firing during which further (non-manual) firings are skipped; 0 = none.';

COMMENT ON COLUMN public.automations.status IS 'active, paused (by hand or by an on_error pause), disabled, error, draft (never fires), completed (a one-time schedule that fired).';

COMMENT ON COLUMN public.automations.status_reason IS 'Why the status last changed by itself (an on_error pause, an invalid schedule); cleared when status is set by hand.';

COMMENT ON COLUMN public.automations.run_scopes IS 'Scopes the automation''s data actions run with: those of whoever created or last changed it, never more.';

COMMENT ON COLUMN public.automations.version IS 'Bumped on every change of trigger, conditions or actions; a run records the version it started with.';

COMMENT ON COLUMN public.automations.next_run_at IS 'Schedule automations: the next firing (computed with the cron library in the automation''s time zone); null while a firing is being scheduled.';

COMMENT ON COLUMN public.automations.threshold_state IS 'Threshold automations: {breaching_since, firing, fired_at, last_value, last_compare, last_checked_at}.';

COMMENT ON COLUMN public.automations.total_runs IS 'Runs that finished (success, partial, failed or cancelled); firings skipped by status, caps, cooldown, loop protection or conditions count in skipped_runs. Updated when a run ends.';

COMMENT ON COLUMN public.automations.successful_runs IS 'Finished runs whose outcome was success or partial.';

COMMENT ON COLUMN public.automations.failed_runs IS 'Finished runs that failed.';

COMMENT ON COLUMN public.automations.skipped_runs IS 'Firings skipped by cooldown, caps or conditions.';

COMMENT ON COLUMN public.automations.last_run_at IS 'Creation time of the latest finished run.';

COMMENT ON COLUMN public.automations.last_success_at IS 'When a run last finished with success or partial.';

COMMENT ON COLUMN public.automations.last_error_at IS 'When a run last failed.';

COMMENT ON COLUMN public.automations.last_error IS 'Error message of the latest failed run.';

COMMENT ON COLUMN public.automations.avg_duration_ms IS 'Moving average (90 % previous, 10 % latest) of finished runs'' duration in milliseconds.';

COMMENT ON COLUMN public.automations.created_by IS 'Who created the automation: key:<id>, user:<id> or service_role.';

COMMENT ON COLUMN public.automations.tags IS 'Free-text tags for filtering automations.';

COMMENT ON COLUMN public.automations.metadata IS 'Free-form JSON the writer attaches; Ora does not read it.';

CREATE TABLE public.blog_posts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    title text NOT NULL,
    slug text NOT NULL,
    excerpt text,
    content text DEFAULT ''::text NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    author text,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    featured_image text,
    seo_title text,
    seo_description text,
    scheduled_for timestamp with time zone,
    published_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT blog_posts_slug_check CHECK ((slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT blog_posts_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'scheduled'::text, 'published'::text, 'archived'::text]))),
    CONSTRAINT blog_posts_title_check CHECK (((length(title) >= 1) AND (length(title) <= 500)))
);

ALTER TABLE ONLY public.blog_posts FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.blog_posts IS 'Blog posts. Every change is written to event_log as blog_posts.INSERT / UPDATE / DELETE.';

COMMENT ON COLUMN public.blog_posts.slug IS 'URL slug, unique per tenant: lowercase words joined by hyphens, derived from the title when not given.';

COMMENT ON COLUMN public.blog_posts.excerpt IS 'Short summary shown in lists (up to 2,000 characters).';

COMMENT ON COLUMN public.blog_posts.content IS 'The post body (up to 500,000 characters); empty until written.';

COMMENT ON COLUMN public.blog_posts.status IS 'draft, scheduled, published or archived; posts.publish sets published.';

COMMENT ON COLUMN public.blog_posts.author IS 'Who wrote the post, as free text (a person or an agent).';

COMMENT ON COLUMN public.blog_posts.tags IS 'Free-text tags (up to 50) used to filter posts.';

COMMENT ON COLUMN public.blog_posts.featured_image IS 'URL of the post''s lead image.';

COMMENT ON COLUMN public.blog_posts.seo_title IS 'Title for search engines and link previews, when different from title (up to 200 characters).';

COMMENT ON COLUMN public.blog_posts.seo_description IS 'Meta description for search engines (up to 500 characters).';

COMMENT ON COLUMN public.blog_posts.scheduled_for IS 'When the post is meant to go live; stored for the site, nothing in Ora publishes it automatically.';

COMMENT ON COLUMN public.blog_posts.published_at IS 'When the post was first published (set on create as published or by posts.publish, kept on republish).';

COMMENT ON COLUMN public.blog_posts.metadata IS 'Free-form JSON object of extra post attributes supplied by the writer.';

CREATE TABLE public.budget_alerts (
    tenant_id uuid NOT NULL,
    period date NOT NULL,
    threshold integer NOT NULL,
    spent_usd numeric(14,8) NOT NULL,
    budget_usd numeric(14,4) NOT NULL,
    fired_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.budget_alerts FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.budget_alerts IS 'Budget alerts that fired: at most one per tenant, month and threshold.';

COMMENT ON COLUMN public.budget_alerts.period IS 'First day of the UTC calendar month the alert belongs to.';

COMMENT ON COLUMN public.budget_alerts.threshold IS 'The percentage of the budget (from tenant_budgets.alert_thresholds) that was reached.';

COMMENT ON COLUMN public.budget_alerts.spent_usd IS 'Month''s spend in USD when the alert fired.';

COMMENT ON COLUMN public.budget_alerts.budget_usd IS 'The monthly budget in USD when the alert fired.';

COMMENT ON COLUMN public.budget_alerts.fired_at IS 'When the threshold was crossed (the usage event that crossed it was recorded).';

CREATE TABLE public.circuit_breakers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    key text NOT NULL,
    state text DEFAULT 'closed'::text NOT NULL,
    fail_count integer DEFAULT 0 NOT NULL,
    failure_threshold integer DEFAULT 5 NOT NULL,
    cooldown_seconds integer DEFAULT 30 NOT NULL,
    opened_at timestamp with time zone,
    open_until timestamp with time zone,
    probe_until timestamp with time zone,
    last_error text,
    opened_count integer DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT circuit_breakers_cooldown_seconds_check CHECK ((cooldown_seconds > 0)),
    CONSTRAINT circuit_breakers_failure_threshold_check CHECK ((failure_threshold > 0)),
    CONSTRAINT circuit_breakers_state_check CHECK ((state = ANY (ARRAY['closed'::text, 'open'::text, 'half_open'::text])))
);

ALTER TABLE ONLY public.circuit_breakers FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.circuit_breakers IS 'One breaker per tenant and dependency (e.g. llm:<host>); threshold and cooldown come from tenants.settings breaker_failure_threshold (5) and breaker_cooldown_seconds (30) when the breaker is first created. closed → open after failure_threshold consecutive failures; after the cooldown (or the Retry-After the dependency asked for) one probe is let through (half_open); a success closes it and releases the work deferred on it at once, a failure re-opens it.';

COMMENT ON COLUMN public.circuit_breakers.key IS 'The dependency guarded, e.g. llm:<host> for a model provider; unique per tenant.';

COMMENT ON COLUMN public.circuit_breakers.state IS 'closed (calls go through), open (calls are deferred until open_until) or half_open (one probe call is let through).';

COMMENT ON COLUMN public.circuit_breakers.fail_count IS 'Consecutive failures recorded since the breaker last closed; reaching failure_threshold opens it.';

COMMENT ON COLUMN public.circuit_breakers.failure_threshold IS 'Consecutive failures that open the breaker (tenant setting breaker_failure_threshold, 5 by default, when created).';

COMMENT ON COLUMN public.circuit_breakers.cooldown_seconds IS 'Seconds an opened breaker stays open before a probe (tenant setting breaker_cooldown_seconds, 30 by default, when created).';

COMMENT ON COLUMN public.circuit_breakers.opened_at IS 'When the breaker last opened; null while closed.';

COMMENT ON COLUMN public.circuit_breakers.open_until IS 'While open: when the next probe may go (opened_at + cooldown, or the dependency''s Retry-After).';

COMMENT ON COLUMN public.circuit_breakers.probe_until IS 'While half open: until when the one probe in flight is waited for before another is let through.';

COMMENT ON COLUMN public.circuit_breakers.last_error IS 'Error message of the latest recorded failure (up to 2,000 characters).';

COMMENT ON COLUMN public.circuit_breakers.opened_count IS 'Times the breaker has opened since it was created.';

CREATE TABLE public.director_reviews (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    reviewed_at timestamp with time zone DEFAULT now() NOT NULL,
    sessions_checked integer NOT NULL,
    findings jsonb DEFAULT '[]'::jsonb NOT NULL,
    decisions jsonb DEFAULT '[]'::jsonb NOT NULL
);

ALTER TABLE ONLY public.director_reviews FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.director_reviews IS 'What each director review found (stalled sessions: no heartbeat for 20 minutes) and decided (escalations).';

COMMENT ON COLUMN public.director_reviews.reviewed_at IS 'When app.director_review ran for the tenant.';

COMMENT ON COLUMN public.director_reviews.sessions_checked IS 'Queued or running agent sessions of the tenant the review looked at.';

COMMENT ON COLUMN public.director_reviews.findings IS '[{session_id, agent, status, last_heartbeat, attempts}] of the stalled sessions.';

COMMENT ON COLUMN public.director_reviews.decisions IS '[{session_id, decision: escalated}] for the sessions escalated by this review (once each).';

CREATE TABLE public.event_log (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    event_type text NOT NULL,
    event_source text DEFAULT 'database'::text NOT NULL,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    processed boolean DEFAULT false NOT NULL,
    processed_at timestamp with time zone,
    processing_error text,
    matched_automations uuid[],
    chain uuid[] DEFAULT (COALESCE(NULLIF(current_setting('ora.chain'::text, true), ''::text), '{}'::text))::uuid[] NOT NULL,
    origin text,
    asset_id text,
    occurred_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone DEFAULT (now() + '30 days'::interval) NOT NULL,
    CONSTRAINT event_log_asset_id_check CHECK (((length(asset_id) >= 1) AND (length(asset_id) <= 200))),
    CONSTRAINT event_log_event_source_check CHECK ((event_source = ANY (ARRAY['database'::text, 'api'::text, 'agent'::text, 'webhook'::text, 'system'::text, 'automation'::text]))),
    CONSTRAINT event_log_event_type_check CHECK (((length(event_type) >= 1) AND (length(event_type) <= 200))),
    CONSTRAINT event_log_origin_check CHECK ((origin ~ '^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,99}$'::text))
);

ALTER TABLE ONLY public.event_log FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.event_log IS 'Central event bus: one row per event (<table>.<INSERT|UPDATE|DELETE> from triggers, session.*/task.* from workers). Kept 30 days (expires_at).';

COMMENT ON COLUMN public.event_log.event_type IS 'What happened: <table>.<INSERT|UPDATE|DELETE> for table triggers, or a named event such as session.completed, task.failed, run.cancelled.';

COMMENT ON COLUMN public.event_log.event_source IS 'Who wrote the event: database (table triggers), api, agent, webhook, system (runs and workers) or automation.';

COMMENT ON COLUMN public.event_log.payload IS 'For table events: {table, operation, old, new, timestamp}.';

COMMENT ON COLUMN public.event_log.processed IS 'True once the trigger-engine routed the event; events no automation or webhook wanted are never queued and stay false.';

COMMENT ON COLUMN public.event_log.processed_at IS 'When the trigger-engine marked the event processed.';

COMMENT ON COLUMN public.event_log.processing_error IS 'Reserved for an error while routing the event; nothing writes it today (a failed routing is retried through the events queue instead).';

COMMENT ON COLUMN public.event_log.matched_automations IS 'Ids of the automations the trigger-engine fired for this event (empty when none matched); null until processed.';

COMMENT ON COLUMN public.event_log.chain IS 'Automations whose runs caused this event (set from the ora.chain setting of the writing transaction); an automation in the chain is not fired by it again (loop protection).';

COMMENT ON COLUMN public.event_log.origin IS 'The producing system a caller named (events.emit origin, seed 004''s envelope source, e.g. pi-historian); null for Ora''s own events. event_source says which channel wrote it.';

COMMENT ON COLUMN public.event_log.asset_id IS 'The asset the event is about (e.g. P-101, the identifier tools and memory use); null when none.';

COMMENT ON COLUMN public.event_log.occurred_at IS 'When it happened at its origin, as its producer said (events.emit occurred_at; earlier than created_at for a late or backfilled event); null: it happened when Ora recorded it (created_at).';

COMMENT ON COLUMN public.event_log.expires_at IS 'When app.tick deletes the event (30 days after it was written by default).';

CREATE TABLE public.leads (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    email text,
    company text,
    phone text,
    source text DEFAULT 'api'::text NOT NULL,
    status text DEFAULT 'new'::text NOT NULL,
    ai_score integer,
    notes text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT leads_ai_score_check CHECK (((ai_score >= 0) AND (ai_score <= 100))),
    CONSTRAINT leads_email_check CHECK (((email IS NULL) OR (email ~* '^[^@\s]+@[^@\s]+\.[^@\s]+$'::text))),
    CONSTRAINT leads_name_check CHECK (((length(name) >= 1) AND (length(name) <= 300))),
    CONSTRAINT leads_status_check CHECK ((status = ANY (ARRAY['new'::text, 'contacted'::text, 'qualified'::text, 'converted'::text, 'lost'::text])))
);

ALTER TABLE ONLY public.leads FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.leads IS 'Leads captured by the site. Every change is written to event_log as leads.INSERT / leads.UPDATE / leads.DELETE.';

COMMENT ON COLUMN public.leads.source IS 'Where the lead came from (free text, up to 100 characters); api unless the writer says otherwise.';

COMMENT ON COLUMN public.leads.status IS 'Sales stage: new, contacted, qualified, converted or lost.';

COMMENT ON COLUMN public.leads.ai_score IS 'Lead quality 0-100 (the hot-lead automation fires at >= 80).';

COMMENT ON COLUMN public.leads.notes IS 'Free-text notes about the lead (up to 20,000 characters).';

COMMENT ON COLUMN public.leads.metadata IS 'Free-form JSON object of extra lead attributes supplied by the writer.';

CREATE TABLE public.memory_decisions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    memory_id uuid,
    action text NOT NULL,
    target_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    judge text DEFAULT 'none'::text NOT NULL,
    model text,
    explanation text,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT memory_decisions_action_check CHECK ((action = ANY (ARRAY['add'::text, 'update'::text, 'supersede'::text, 'noop'::text, 'forget'::text, 'archive'::text]))),
    CONSTRAINT memory_decisions_judge_check CHECK ((judge = ANY (ARRAY['none'::text, 'key'::text, 'rules'::text, 'llm'::text])))
);

ALTER TABLE ONLY public.memory_decisions FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.memory_decisions IS 'Every decision taken when memories were stored or forgotten: add, update (same key, new version), supersede (a contradiction), noop (nothing new), forget, archive; who judged (key, rules, llm) and why.';

COMMENT ON COLUMN public.memory_decisions.memory_id IS 'The memory the decision is about (the new one for add, update and supersede); no foreign key, so the record outlives the memory.';

COMMENT ON COLUMN public.memory_decisions.action IS 'add, update (same key, new version), supersede (a contradiction), noop (nothing new), forget or archive.';

COMMENT ON COLUMN public.memory_decisions.target_ids IS 'Older memories the decision changed (superseded, forgotten).';

COMMENT ON COLUMN public.memory_decisions.judge IS 'key: same key stored again; rules: the deterministic contradiction rules; llm: the tenant''s model judged.';

COMMENT ON COLUMN public.memory_decisions.model IS 'The model that judged, when judge is llm; null otherwise.';

COMMENT ON COLUMN public.memory_decisions.explanation IS 'Why the decision was taken, in words (e.g. same key, same content).';

COMMENT ON COLUMN public.memory_decisions.details IS 'Extra facts of the decision, e.g. the previous content of an updated memory or the contradiction candidates.';

CREATE TABLE public.memory_index_state (
    tenant_id uuid NOT NULL,
    version bigint DEFAULT 0 NOT NULL,
    chunks integer DEFAULT 0 NOT NULL,
    embedded integer DEFAULT 0 NOT NULL,
    changed_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.memory_index_state FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.memory_index_state IS 'Per tenant: the index version (bumped by every change of memory_index: semantic_cache entries of an older version are stale), the number of chunks and of embedded chunks (memory_search searches exactly below a size, with HNSW above). Kept by statement triggers; recounted by maintenance.';

COMMENT ON COLUMN public.memory_index_state.version IS 'Incremented by every statement that changes the tenant''s chunks.';

COMMENT ON COLUMN public.memory_index_state.chunks IS 'Chunks of the tenant in memory_index (recounted by maintenance).';

COMMENT ON COLUMN public.memory_index_state.embedded IS 'Chunks with an embedding.';

COMMENT ON COLUMN public.memory_index_state.changed_at IS 'When the tenant''s chunks last changed.';

CREATE TABLE public.memory_maintenance_reports (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    health_updated integer DEFAULT 0 NOT NULL,
    expired_deleted integer DEFAULT 0 NOT NULL,
    superseded_deleted integer DEFAULT 0 NOT NULL,
    cold_deleted integer DEFAULT 0 NOT NULL,
    superseded_archived integer DEFAULT 0 NOT NULL,
    idle_archived integer DEFAULT 0 NOT NULL,
    quota_archived integer DEFAULT 0 NOT NULL,
    quota_deleted integer DEFAULT 0 NOT NULL,
    promoted_hot integer DEFAULT 0 NOT NULL,
    demoted_warm integer DEFAULT 0 NOT NULL,
    cache_purged integer DEFAULT 0 NOT NULL,
    tiers jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text
);

ALTER TABLE ONLY public.memory_maintenance_reports FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.memory_maintenance_reports IS 'One row per tenant per maintenance run (app.memory_maintenance): what was recomputed, deleted, archived and moved between tiers, the tiers afterwards, or the error that stopped this tenant''s part.';

COMMENT ON COLUMN public.memory_maintenance_reports.run_id IS 'The maintenance run (app.memory_maintenance_runs.id) that wrote the report.';

COMMENT ON COLUMN public.memory_maintenance_reports.started_at IS 'When maintenance of this tenant started.';

COMMENT ON COLUMN public.memory_maintenance_reports.finished_at IS 'When maintenance of this tenant finished (or failed).';

COMMENT ON COLUMN public.memory_maintenance_reports.health_updated IS 'Memories whose health score was recomputed.';

COMMENT ON COLUMN public.memory_maintenance_reports.expired_deleted IS 'Memories deleted because expires_at passed.';

COMMENT ON COLUMN public.memory_maintenance_reports.superseded_deleted IS 'Superseded memories deleted after superseded_retention_days.';

COMMENT ON COLUMN public.memory_maintenance_reports.cold_deleted IS 'Archived memories deleted after cold_retention_days.';

COMMENT ON COLUMN public.memory_maintenance_reports.superseded_archived IS 'Superseded memories moved to the cold tier.';

COMMENT ON COLUMN public.memory_maintenance_reports.idle_archived IS 'Warm memories archived for being idle and under archive_below_health.';

COMMENT ON COLUMN public.memory_maintenance_reports.quota_archived IS 'Live memories archived for exceeding a type quota or max_live.';

COMMENT ON COLUMN public.memory_maintenance_reports.quota_deleted IS 'Archived memories deleted for exceeding max_cold.';

COMMENT ON COLUMN public.memory_maintenance_reports.promoted_hot IS 'Memories moved to the hot tier.';

COMMENT ON COLUMN public.memory_maintenance_reports.demoted_warm IS 'Memories moved from hot to warm.';

COMMENT ON COLUMN public.memory_maintenance_reports.cache_purged IS 'Semantic cache entries deleted as expired or stale.';

COMMENT ON COLUMN public.memory_maintenance_reports.tiers IS 'Memories per tier after the run: {"hot", "warm", "cold"}.';

COMMENT ON COLUMN public.memory_maintenance_reports.error IS 'The error that stopped this tenant''s maintenance; null when it succeeded.';

CREATE TABLE public.memory_policies (
    tenant_id uuid NOT NULL,
    max_live integer DEFAULT 10000 NOT NULL,
    max_hot integer DEFAULT 1000 NOT NULL,
    max_cold integer DEFAULT 100000 NOT NULL,
    type_quotas jsonb DEFAULT '{"fact": 5000, "task": 2000, "skill": 1000, "entity": 5000, "context": 2000, "preference": 500, "reflection": 2000, "instruction": 500}'::jsonb NOT NULL,
    hot_idle_hours integer DEFAULT 24 NOT NULL,
    hot_min_health real DEFAULT 0.5 NOT NULL,
    warm_idle_days integer DEFAULT 30 NOT NULL,
    archive_below_health real DEFAULT 0.3 NOT NULL,
    superseded_retention_days integer DEFAULT 7 NOT NULL,
    cold_retention_days integer DEFAULT 365 NOT NULL,
    cache_ttl_seconds integer DEFAULT 600 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT memory_policies_archive_below_health_check CHECK (((archive_below_health >= (0)::double precision) AND (archive_below_health <= (1)::double precision))),
    CONSTRAINT memory_policies_cache_ttl_seconds_check CHECK (((cache_ttl_seconds >= 0) AND (cache_ttl_seconds <= 86400))),
    CONSTRAINT memory_policies_cold_retention_days_check CHECK ((cold_retention_days > 0)),
    CONSTRAINT memory_policies_hot_idle_hours_check CHECK ((hot_idle_hours > 0)),
    CONSTRAINT memory_policies_hot_min_health_check CHECK (((hot_min_health >= (0)::double precision) AND (hot_min_health <= (1)::double precision))),
    CONSTRAINT memory_policies_max_cold_check CHECK ((max_cold >= 0)),
    CONSTRAINT memory_policies_max_hot_check CHECK ((max_hot >= 0)),
    CONSTRAINT memory_policies_max_live_check CHECK ((max_live > 0)),
    CONSTRAINT memory_policies_superseded_retention_days_check CHECK ((superseded_retention_days >= 0)),
    CONSTRAINT memory_policies_type_quotas_check CHECK ((jsonb_typeof(type_quotas) = 'object'::text)),
    CONSTRAINT memory_policies_warm_idle_days_check CHECK ((warm_idle_days > 0))
);

ALTER TABLE ONLY public.memory_policies FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.memory_policies IS 'Memory quotas and lifecycle thresholds per tenant (Part V defaults; one row per tenant, made with the tenant). Set by the operator (service role), read by the tenant; app.memory_maintenance applies them.';

COMMENT ON COLUMN public.memory_policies.max_live IS 'Live memories (hot + warm) kept; beyond it the least healthy are archived.';

COMMENT ON COLUMN public.memory_policies.max_hot IS 'Hot memories at most (the healthiest recent ones).';

COMMENT ON COLUMN public.memory_policies.max_cold IS 'Archived memories kept; beyond it the oldest archived are deleted. Storing is refused at max_live + max_cold memories in all.';

COMMENT ON COLUMN public.memory_policies.type_quotas IS 'Live memories per type, {"fact": 5000, …}; beyond it the least healthy of that type are archived.';

COMMENT ON COLUMN public.memory_policies.hot_idle_hours IS 'A memory stays hot while created or accessed within this many hours (and healthy).';

COMMENT ON COLUMN public.memory_policies.hot_min_health IS 'Health a memory needs to be hot.';

COMMENT ON COLUMN public.memory_policies.warm_idle_days IS 'A warm memory idle this long with health under archive_below_health is archived.';

COMMENT ON COLUMN public.memory_policies.archive_below_health IS 'Health under which an idle warm memory (warm_idle_days) is archived.';

COMMENT ON COLUMN public.memory_policies.superseded_retention_days IS 'Superseded memories are deleted this many days after being superseded.';

COMMENT ON COLUMN public.memory_policies.cold_retention_days IS 'Archived memories are deleted this many days after being archived.';

COMMENT ON COLUMN public.memory_policies.cache_ttl_seconds IS 'How long a cached search stays valid (unless the index changes first).';

CREATE TABLE public.metrics (
    id bigint NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    value double precision NOT NULL,
    dimensions jsonb DEFAULT '{}'::jsonb NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT metrics_name_check CHECK ((name ~ '^[a-z][a-z0-9_.:-]{0,99}$'::text))
);

ALTER TABLE ONLY public.metrics FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.metrics IS 'Metric points (page_views, lead_count, error_rate, sensor readings…) recorded with metrics.record; threshold automations aggregate them over windows.';

COMMENT ON COLUMN public.metrics.name IS 'Metric name (lowercase letters, digits and _ . : -), e.g. page_views; threshold automations select by it.';

COMMENT ON COLUMN public.metrics.value IS 'The observed value.';

COMMENT ON COLUMN public.metrics.dimensions IS 'Labels of the point ({page, source, asset}); queries and thresholds can filter on them (containment).';

COMMENT ON COLUMN public.metrics.recorded_at IS 'When the value was observed (may be in the past for back-filled points).';

ALTER TABLE public.metrics ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.metrics_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.notification_deliveries (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    notification_id uuid NOT NULL,
    channel text NOT NULL,
    target text,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    retry_schedule_seconds integer[] NOT NULL,
    max_attempts integer GENERATED ALWAYS AS ((1 + cardinality(retry_schedule_seconds))) STORED,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    locked_until timestamp with time zone,
    sent_to text[] DEFAULT '{}'::text[] NOT NULL,
    last_attempt_at timestamp with time zone,
    last_status_code integer,
    last_error text,
    last_duration_ms integer,
    delivered_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notification_deliveries_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT notification_deliveries_channel_check CHECK ((channel = ANY (ARRAY['email'::text, 'webhook'::text, 'slack'::text, 'teams'::text, 'sms'::text]))),
    CONSTRAINT notification_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'failed'::text, 'dead'::text])))
);

ALTER TABLE ONLY public.notification_deliveries FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.notification_deliveries IS 'Delivery log of notifications'' external channels: one row per notification × channel, written by app.notification_create and the deliveries worker only.';

COMMENT ON COLUMN public.notification_deliveries.notification_id IS 'The notification being delivered.';

COMMENT ON COLUMN public.notification_deliveries.channel IS 'The external channel of this delivery: email, webhook, slack, teams or sms.';

COMMENT ON COLUMN public.notification_deliveries.target IS 'Who it goes to, for the log: email addresses or phone numbers; null for webhook, slack and teams (their URLs are settings or secrets).';

COMMENT ON COLUMN public.notification_deliveries.status IS 'pending (queued or waiting for a retry), delivered, failed (a final answer such as a 4xx, or a channel that is not configured; no retry) or dead (every attempt failed; the message went to deliveries_dlq).';

COMMENT ON COLUMN public.notification_deliveries.attempts IS 'Attempts made so far (counted by the deliveries worker when an attempt starts).';

COMMENT ON COLUMN public.notification_deliveries.retry_schedule_seconds IS 'Seconds to wait after failed attempt 1, 2, …; taken from settings.notifications.retry_schedule_seconds (or the default) when the notification was created. Jitter of ±20% is added, and a longer Retry-After is honoured.';

COMMENT ON COLUMN public.notification_deliveries.max_attempts IS 'Attempts allowed: 1 + the number of retry delays (generated from retry_schedule_seconds).';

COMMENT ON COLUMN public.notification_deliveries.next_attempt_at IS 'When the next attempt is due (now at creation, then after each failed attempt''s delay).';

COMMENT ON COLUMN public.notification_deliveries.locked_until IS 'While an attempt is in flight: until when it may take (its timeout plus a margin); a redelivered message waits for it instead of sending twice.';

COMMENT ON COLUMN public.notification_deliveries.sent_to IS 'SMS: the numbers already sent to, so a retry sends only to the others.';

COMMENT ON COLUMN public.notification_deliveries.last_attempt_at IS 'When the latest attempt started.';

COMMENT ON COLUMN public.notification_deliveries.last_status_code IS 'HTTP status of the latest attempt''s response; null when no response came.';

COMMENT ON COLUMN public.notification_deliveries.last_error IS 'Error of the latest failed attempt (for dead: with how many attempts were made).';

COMMENT ON COLUMN public.notification_deliveries.last_duration_ms IS 'How long the latest attempt took, from the request to the end of the response.';

COMMENT ON COLUMN public.notification_deliveries.delivered_at IS 'When the channel accepted it; null until delivered.';

CREATE TABLE public.notification_routes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    severity text NOT NULL,
    channels text[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notification_routes_channels_check CHECK ((((cardinality(channels) >= 1) AND (cardinality(channels) <= 7)) AND (channels <@ ARRAY['admin'::text, 'ora'::text, 'email'::text, 'webhook'::text, 'slack'::text, 'teams'::text, 'sms'::text]))),
    CONSTRAINT notification_routes_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'success'::text, 'warning'::text, 'error'::text, 'alert'::text])))
);

ALTER TABLE ONLY public.notification_routes FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.notification_routes IS 'Per tenant, the channels a notification of each severity goes to when its creator names none. A severity without a route goes to admin only.';

COMMENT ON COLUMN public.notification_routes.severity IS 'A notification type: info, success, warning, error or alert.';

COMMENT ON COLUMN public.notification_routes.channels IS 'Channels (admin, ora, email, webhook, slack, teams, sms; 1-7 of them) a notification of this severity goes to when its creator names none.';

CREATE TABLE public.notifications (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    type text NOT NULL,
    title text NOT NULL,
    message text NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    source_type text,
    source_id uuid,
    channels text[] DEFAULT ARRAY['admin'::text] NOT NULL,
    delivery_config jsonb DEFAULT '{}'::jsonb NOT NULL,
    delivery_status jsonb DEFAULT '{}'::jsonb NOT NULL,
    read boolean DEFAULT false NOT NULL,
    read_at timestamp with time zone,
    dismissed boolean DEFAULT false NOT NULL,
    dismissed_at timestamp with time zone,
    priority integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    CONSTRAINT notifications_channels_check CHECK ((((cardinality(channels) >= 1) AND (cardinality(channels) <= 7)) AND (channels <@ ARRAY['admin'::text, 'ora'::text, 'email'::text, 'webhook'::text, 'slack'::text, 'teams'::text, 'sms'::text]))),
    CONSTRAINT notifications_message_check CHECK (((length(message) >= 1) AND (length(message) <= 10000))),
    CONSTRAINT notifications_title_check CHECK (((length(title) >= 1) AND (length(title) <= 500))),
    CONSTRAINT notifications_type_check CHECK ((type = ANY (ARRAY['info'::text, 'success'::text, 'warning'::text, 'error'::text, 'alert'::text])))
);

ALTER TABLE ONLY public.notifications FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.notifications IS 'Notifications for people. Channels admin and ora are this row (the in-app inboxes); email, webhook, slack, teams and sms are delivered by the deliveries worker and logged in notification_deliveries. Created with app.notification_create.';

COMMENT ON COLUMN public.notifications.type IS 'Severity: info, success, warning, error or alert; notification_routes map it to channels.';

COMMENT ON COLUMN public.notifications.message IS 'The notification body text (1-10,000 characters).';

COMMENT ON COLUMN public.notifications.data IS 'Free-form JSON the creator attaches (e.g. the budget, run or automation it is about); sent along on external channels.';

COMMENT ON COLUMN public.notifications.source_type IS 'What raised it: system (budget alerts), automation, agent, api, …';

COMMENT ON COLUMN public.notifications.source_id IS 'Id of the row that raised it (e.g. the automation or run), read with source_type; null when none.';

COMMENT ON COLUMN public.notifications.channels IS 'Where it goes: admin and ora (in-app, delivered by this row), email, webhook, slack, teams, sms (one notification_deliveries row each).';

COMMENT ON COLUMN public.notifications.delivery_config IS 'Per-notification overrides of the tenant''s channel settings: {"email": {"to": [...], "subject": "..."}, "sms": {"to": [...]}}. Endpoints and secrets are never overridden here (settings.notifications.channels, admins only).';

COMMENT ON COLUMN public.notifications.delivery_status IS 'Per channel: {"status": pending | delivered | failed | dead, "at", "attempts", "error"?}; the in-app channels are delivered when the row is created.';

COMMENT ON COLUMN public.notifications.read IS 'True once a user marked it read (notifications.read); unread, undismissed notifications make the inbox count.';

COMMENT ON COLUMN public.notifications.read_at IS 'When it was marked read.';

COMMENT ON COLUMN public.notifications.dismissed IS 'True once a user dismissed it; dismissed notifications leave the default list.';

COMMENT ON COLUMN public.notifications.dismissed_at IS 'When it was dismissed.';

COMMENT ON COLUMN public.notifications.priority IS 'Higher is more urgent; also the priority of its deliveries on the queue.';

COMMENT ON COLUMN public.notifications.expires_at IS 'When app.notifications_cleanup deletes it; null = kept until deleted.';

CREATE TABLE public.request_log (
    id bigint NOT NULL,
    request_id text NOT NULL,
    tenant_id uuid,
    api_key_id uuid,
    user_id uuid,
    function_name text NOT NULL,
    action text,
    method text NOT NULL,
    status integer NOT NULL,
    error_code text,
    duration_ms numeric(10,2) NOT NULL,
    client_ip inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.request_log FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.request_log IS 'One row per API request: request id, key, action, status, duration. tenant_id is null for requests that never authenticated (visible to operators only). Kept 30 days.';

COMMENT ON COLUMN public.request_log.request_id IS 'The id returned to the client in the response (quote it when reporting a problem).';

COMMENT ON COLUMN public.request_log.api_key_id IS 'The API key that made the request; null for users, the service role and unauthenticated requests.';

COMMENT ON COLUMN public.request_log.user_id IS 'The Supabase Auth user that made the request; null for keys, the service role and unauthenticated requests.';

COMMENT ON COLUMN public.request_log.function_name IS 'The Edge Function that served the request (e.g. ora).';

COMMENT ON COLUMN public.request_log.action IS 'The Ora action called (e.g. runs.get); null when none was resolved.';

COMMENT ON COLUMN public.request_log.method IS 'HTTP method of the request.';

COMMENT ON COLUMN public.request_log.status IS 'HTTP status code of the response.';

COMMENT ON COLUMN public.request_log.error_code IS 'The error code of the response envelope (e.g. NOT_FOUND, INTERNAL_ERROR); null on success.';

COMMENT ON COLUMN public.request_log.duration_ms IS 'Time the gateway spent serving the request, in milliseconds (two decimals).';

COMMENT ON COLUMN public.request_log.client_ip IS 'Client address the gateway saw for the request.';

ALTER TABLE public.request_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.request_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.run_steps (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL,
    seq integer NOT NULL,
    key text NOT NULL,
    kind text DEFAULT 'step'::text NOT NULL,
    status text NOT NULL,
    input jsonb,
    output jsonb,
    error jsonb,
    attempts integer DEFAULT 1 NOT NULL,
    run_attempt integer DEFAULT 0 NOT NULL,
    provider text,
    model text,
    prompt_tokens integer DEFAULT 0 NOT NULL,
    completion_tokens integer DEFAULT 0 NOT NULL,
    cost_usd numeric(14,8) DEFAULT 0 NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone DEFAULT now() NOT NULL,
    duration_ms integer DEFAULT 0 NOT NULL,
    CONSTRAINT run_steps_attempts_check CHECK ((attempts > 0)),
    CONSTRAINT run_steps_key_check CHECK (((length(key) >= 1) AND (length(key) <= 200))),
    CONSTRAINT run_steps_kind_check CHECK ((kind ~ '^[a-z][a-z0-9_]{0,30}$'::text)),
    CONSTRAINT run_steps_seq_check CHECK ((seq > 0)),
    CONSTRAINT run_steps_status_check CHECK ((status = ANY (ARRAY['completed'::text, 'failed'::text])))
);

ALTER TABLE ONLY public.run_steps FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.run_steps IS 'The recorded steps of each run, in order. A completed step is the memo: a replayed or resumed run returns its output instead of executing it again; the prefix of steps up to k is the run''s checkpoint after step k (replay and fork start from it).';

COMMENT ON COLUMN public.run_steps.run_id IS 'The run the step belongs to.';

COMMENT ON COLUMN public.run_steps.seq IS 'Position of the step in its run, from 1 (the order steps were first recorded).';

COMMENT ON COLUMN public.run_steps.key IS 'Unique per run; the handler names each step (e.g. turn:2, tool:3:call_x, wait:children).';

COMMENT ON COLUMN public.run_steps.kind IS 'step, llm, tool, wait, sleep, … (what the step did).';

COMMENT ON COLUMN public.run_steps.status IS 'completed (memoized) or failed (the last attempt failed; it runs again on the next attempt).';

COMMENT ON COLUMN public.run_steps.input IS 'What the step was given (e.g. the messages appended since the previous LLM turn, a tool''s arguments).';

COMMENT ON COLUMN public.run_steps.output IS 'What it returned (the memo).';

COMMENT ON COLUMN public.run_steps.error IS 'The error {code, message, …} of a failed step; null once completed.';

COMMENT ON COLUMN public.run_steps.attempts IS 'Executions of this step (failed ones included).';

COMMENT ON COLUMN public.run_steps.run_attempt IS 'The run attempt that recorded it.';

COMMENT ON COLUMN public.run_steps.provider IS 'The provider of the step''s model or tool call (e.g. openai, offline); null for steps without one.';

COMMENT ON COLUMN public.run_steps.model IS 'The model an llm step called; null for other steps.';

COMMENT ON COLUMN public.run_steps.prompt_tokens IS 'Prompt tokens of the step''s model call (0 without one).';

COMMENT ON COLUMN public.run_steps.completion_tokens IS 'Completion tokens of the step''s model call (0 without one).';

COMMENT ON COLUMN public.run_steps.cost_usd IS 'Cost of the calls this step made (LLM tokens at the model''s price).';

COMMENT ON COLUMN public.run_steps.started_at IS 'When the step began executing, as the worker reported it.';

COMMENT ON COLUMN public.run_steps.completed_at IS 'When the step was recorded (completed or failed).';

COMMENT ON COLUMN public.run_steps.duration_ms IS 'How long the step took in milliseconds, as the worker measured it.';

CREATE TABLE public.run_waitpoints (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL,
    step_key text,
    mode text DEFAULT 'any'::text NOT NULL,
    "position" integer DEFAULT 0 NOT NULL,
    kind text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    resume_at timestamp with time zone,
    event_names text[],
    event_keys text[],
    event_filter jsonb,
    run_ids uuid[],
    runs_mode text,
    approval_id uuid,
    token_hash text,
    result jsonb,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    resolved_at timestamp with time zone,
    CONSTRAINT run_waitpoints_check CHECK (((kind <> 'event'::text) OR (cardinality(event_names) > 0))),
    CONSTRAINT run_waitpoints_check1 CHECK (((kind <> 'runs'::text) OR (cardinality(run_ids) > 0))),
    CONSTRAINT run_waitpoints_check2 CHECK (((kind <> 'time'::text) OR (resume_at IS NOT NULL))),
    CONSTRAINT run_waitpoints_kind_check CHECK ((kind = ANY (ARRAY['time'::text, 'event'::text, 'runs'::text, 'token'::text, 'approval'::text]))),
    CONSTRAINT run_waitpoints_mode_check CHECK ((mode = ANY (ARRAY['any'::text, 'all'::text]))),
    CONSTRAINT run_waitpoints_runs_mode_check CHECK ((runs_mode = ANY (ARRAY['all'::text, 'any'::text]))),
    CONSTRAINT run_waitpoints_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'resolved'::text, 'timed_out'::text, 'cancelled'::text])))
);

ALTER TABLE ONLY public.run_waitpoints FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.run_waitpoints IS 'What parked runs wait for. A wait step (step_key) has one or more waitpoints; mode any resumes on the first resolved, all when every one is resolved. Resolved, timed out or cancelled waitpoints stay as the record.';

COMMENT ON COLUMN public.run_waitpoints.run_id IS 'The parked run that waits on it.';

COMMENT ON COLUMN public.run_waitpoints.step_key IS 'The wait step this belongs to (its output is recorded under this key in run_steps). Null for a completion token not awaited yet.';

COMMENT ON COLUMN public.run_waitpoints.mode IS 'any: the first resolved waitpoint of the step wins and the rest are cancelled; all: the step resumes when every one is resolved or timed out.';

COMMENT ON COLUMN public.run_waitpoints."position" IS 'Index of this waitpoint in its step''s list of waits.';

COMMENT ON COLUMN public.run_waitpoints.kind IS 'time (until resume_at), event (names + filter), runs (other runs finish), token (an outside caller completes it), approval (a person decides).';

COMMENT ON COLUMN public.run_waitpoints.status IS 'pending, resolved, timed_out (its timeout passed: the run resumes with a timeout result, not an error), cancelled (its run was cancelled, or another waitpoint of an any-step won).';

COMMENT ON COLUMN public.run_waitpoints.resume_at IS 'time: when it resolves; other kinds: when it times out (null = never).';

COMMENT ON COLUMN public.run_waitpoints.event_names IS 'event: the event types (any of them) that resolve it.';

COMMENT ON COLUMN public.run_waitpoints.event_keys IS 'event: <tenant_id>:<event type> for each name (the indexed lookup an event insert uses).';

COMMENT ON COLUMN public.run_waitpoints.event_filter IS 'event: the event payload must contain this JSON (payload @> filter); null = any payload.';

COMMENT ON COLUMN public.run_waitpoints.run_ids IS 'runs: the runs waited for.';

COMMENT ON COLUMN public.run_waitpoints.runs_mode IS 'runs: all (every run finished) or any (the first finished).';

COMMENT ON COLUMN public.run_waitpoints.approval_id IS 'approval: the approval (public.approvals) whose decision resolves it.';

COMMENT ON COLUMN public.run_waitpoints.token_hash IS 'token: SHA-256 of the completion token handed to the outside caller (the token itself is never stored).';

COMMENT ON COLUMN public.run_waitpoints.result IS 'What resolved it: {at} for time, the event row, {runs: [{id, status}]}, the token''s payload, the decision; {timed_out: true} on a timeout.';

COMMENT ON COLUMN public.run_waitpoints.resolved_at IS 'When it left pending (resolved, timed out or cancelled); null while pending.';

CREATE TABLE public.semantic_cache (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    cache_key text NOT NULL,
    query text NOT NULL,
    filters jsonb DEFAULT '{}'::jsonb NOT NULL,
    results jsonb NOT NULL,
    index_version bigint NOT NULL,
    embedding_model text,
    hits integer DEFAULT 0 NOT NULL,
    valid_until timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_hit_at timestamp with time zone
);

ALTER TABLE ONLY public.semantic_cache FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.semantic_cache IS 'Search results by tenant, normalised query and filters (cache_key), valid until valid_until and while the tenant''s index version (memory_index_state.version) is still index_version: any change of the index invalidates them.';

COMMENT ON COLUMN public.semantic_cache.cache_key IS 'sha-256 of the normalised query, filters, options and embedding model.';

COMMENT ON COLUMN public.semantic_cache.query IS 'The normalised query (NFKC, lower case, single spaces, trailing punctuation removed).';

COMMENT ON COLUMN public.semantic_cache.filters IS 'The search filters the results were computed with.';

COMMENT ON COLUMN public.semantic_cache.results IS 'The search response served from the cache ({items, strategy, embedder}).';

COMMENT ON COLUMN public.semantic_cache.index_version IS 'memory_index_state.version the results were computed at.';

COMMENT ON COLUMN public.semantic_cache.embedding_model IS 'The embedder the query was embedded with; null when no embedding was used.';

COMMENT ON COLUMN public.semantic_cache.hits IS 'Times the entry answered a search since it was last written.';

COMMENT ON COLUMN public.semantic_cache.valid_until IS 'When the entry stops answering (memory_policies.cache_ttl_seconds after it was written).';

COMMENT ON COLUMN public.semantic_cache.last_hit_at IS 'When the entry last answered a search.';

CREATE TABLE public.skills (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    key text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    instructions text DEFAULT ''::text NOT NULL,
    tools text[] DEFAULT '{}'::text[] NOT NULL,
    depends_on text[] DEFAULT '{}'::text[] NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT skills_key_check CHECK ((key ~ '^[a-z][a-z0-9_.-]{0,62}$'::text)),
    CONSTRAINT skills_version_check CHECK ((version > 0))
);

ALTER TABLE ONLY public.skills FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.skills IS 'Skill manifests, versioned per tenant. An agent lists skill keys; its prompt includes the newest enabled version of each.';

COMMENT ON COLUMN public.skills.key IS 'The skill key agents list in agents.skills (lowercase letters, digits, _ . -); versions share it.';

COMMENT ON COLUMN public.skills.version IS 'Version of the skill (from 1); sessions use the newest enabled one.';

COMMENT ON COLUMN public.skills.instructions IS 'Prompt text added to the prompt of agents that list the skill.';

COMMENT ON COLUMN public.skills.tools IS 'Tool names the skill uses, stored with the manifest; the tool gate checks agents.allowed_tools, not this list.';

COMMENT ON COLUMN public.skills.depends_on IS 'Keys of other skills this one builds on; stored with the manifest, not resolved by Ora.';

COMMENT ON COLUMN public.skills.enabled IS 'False: this version is left out of prompts (an older enabled version is used instead).';

CREATE TABLE public.task_dependencies (
    tenant_id uuid NOT NULL,
    task_id uuid NOT NULL,
    depends_on_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT task_dependencies_check CHECK ((task_id <> depends_on_id))
);

ALTER TABLE ONLY public.task_dependencies FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.task_dependencies IS 'DAG edges: task_id runs after depends_on_id succeeded. Inserting an edge that closes a cycle is refused.';

COMMENT ON COLUMN public.task_dependencies.task_id IS 'The task that waits.';

COMMENT ON COLUMN public.task_dependencies.depends_on_id IS 'The task that must succeed before task_id may run.';

CREATE TABLE public.tenant_budgets (
    tenant_id uuid NOT NULL,
    monthly_budget_usd numeric(14,4) NOT NULL,
    hard_limit boolean DEFAULT false NOT NULL,
    alert_thresholds integer[] DEFAULT '{80,100}'::integer[] NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenant_budgets_monthly_budget_usd_check CHECK ((monthly_budget_usd >= (0)::numeric))
);

ALTER TABLE ONLY public.tenant_budgets FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tenant_budgets IS 'Monthly (UTC calendar month) spend budget. Alerts fire once per threshold per month; hard_limit refuses new work with BUDGET_EXCEEDED once spend reaches the budget.';

COMMENT ON COLUMN public.tenant_budgets.monthly_budget_usd IS 'Spend allowed per UTC calendar month, in USD.';

COMMENT ON COLUMN public.tenant_budgets.hard_limit IS 'True: new work is refused with BUDGET_EXCEEDED once the month''s spend reaches the budget; false: alerts only.';

COMMENT ON COLUMN public.tenant_budgets.alert_thresholds IS 'Percentages of the budget (default 80 and 100) at which an alert (budget.threshold_reached event and notification) fires, once each per month.';

CREATE TABLE public.tenant_members (
    tenant_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text DEFAULT 'member'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenant_members_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'admin'::text, 'member'::text])))
);

ALTER TABLE ONLY public.tenant_members FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tenant_members IS 'Supabase Auth users in tenants, with role owner, admin or member.';

COMMENT ON COLUMN public.tenant_members.user_id IS 'The Supabase Auth user (auth.users.id) who belongs to the tenant.';

COMMENT ON COLUMN public.tenant_members.role IS 'owner, admin or member: owners and admins get every scope, members every scope but key management.';

CREATE TABLE public.tenants (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    limits jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenants_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT tenants_slug_check CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'::text))
);

ALTER TABLE ONLY public.tenants FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tenants IS 'Tenants: every other row in Ora belongs to exactly one. Created through ora tenants.create (service role).';

COMMENT ON COLUMN public.tenants.slug IS 'Unique URL-safe handle of the tenant: lowercase letters, digits and hyphens, 2-63 characters.';

COMMENT ON COLUMN public.tenants.settings IS 'Settings the tenant''s admins change (settings.update): LLM providers, policy, breaker tuning, wake_workers. Validated by the API.';

COMMENT ON COLUMN public.tenants.limits IS 'Plan limits set by the operator (service role: tenants.update), never by the tenant: max_spawn_depth, max_children_per_session, max_concurrent_sessions, … Missing keys take the defaults of app.tenant_limit.';

CREATE TABLE public.tool_assets (
    tenant_id uuid NOT NULL,
    asset_id text NOT NULL,
    name text,
    criticality text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tool_assets_asset_id_check CHECK (((length(asset_id) >= 1) AND (length(asset_id) <= 200))),
    CONSTRAINT tool_assets_criticality_check CHECK ((criticality = ANY (ARRAY['A'::text, 'B'::text, 'C'::text])))
);

ALTER TABLE ONLY public.tool_assets FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tool_assets IS 'Asset criticality for the policy engine (assets.upsert): A = critical (safety or production stops), B = important, C = minor. A call on an asset with no row has unknown criticality, which no criticality condition allows.';

COMMENT ON COLUMN public.tool_assets.asset_id IS 'The identifier tools take as their asset argument (e.g. P-101).';

COMMENT ON COLUMN public.tool_assets.criticality IS 'A (critical: safety or production stops), B (important) or C (minor); policies compare it with max_asset_criticality.';

COMMENT ON COLUMN public.tool_assets.metadata IS 'Free-form JSON about the asset supplied with assets.upsert.';

CREATE TABLE public.tool_audit (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    seq bigint NOT NULL,
    tenant_id uuid NOT NULL,
    event text NOT NULL,
    tool text NOT NULL,
    mode text,
    run_id uuid,
    step_key text,
    agent text,
    tool_call_id uuid,
    approval_id uuid,
    arguments jsonb,
    args_hash text,
    result jsonb,
    before jsonb,
    after jsonb,
    decision jsonb,
    error jsonb,
    requested_by text,
    actor text,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT tool_audit_event_check CHECK ((event = ANY (ARRAY['suggested'::text, 'refused'::text, 'requested'::text, 'approved'::text, 'rejected'::text, 'expired'::text, 'withdrawn'::text, 'allowed'::text, 'queued'::text, 'executed'::text, 'failed'::text, 'credential_read'::text]))),
    CONSTRAINT tool_audit_mode_check CHECK ((mode = ANY (ARRAY['assist'::text, 'copilot'::text, 'autonomous'::text])))
);

ALTER TABLE ONLY public.tool_audit FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tool_audit IS 'Every tool call''s trail, append-only (004 §3.4): suggested (assist), refused (gate or binding), requested / approved / rejected / expired / withdrawn (approvals), allowed (a policy let it run), queued (submitted to the executor), executed / failed (with result and before/after), credential_read (which secret was decrypted for which origin; never its value).';

COMMENT ON COLUMN public.tool_audit.seq IS 'Insertion order (stable where created_at ties).';

COMMENT ON COLUMN public.tool_audit.event IS 'What happened; a call''s rows in seq order tell its story (e.g. requested → approved → queued → executed).';

COMMENT ON COLUMN public.tool_audit.tool IS 'Registry name of the tool called (e.g. scada.set_setpoint).';

COMMENT ON COLUMN public.tool_audit.mode IS 'The tenant''s tool mode at the call: assist (writes become suggestions), copilot (every write waits for approval) or autonomous (policies decide).';

COMMENT ON COLUMN public.tool_audit.run_id IS 'The session (run) whose agent called the tool; null for calls made through tools.execute.';

COMMENT ON COLUMN public.tool_audit.step_key IS 'The run step of the call (gate:<turn>:<call id>).';

COMMENT ON COLUMN public.tool_audit.agent IS 'Slug of the agent that called it.';

COMMENT ON COLUMN public.tool_audit.tool_call_id IS 'The executor''s tool_calls row for the call, once it was queued.';

COMMENT ON COLUMN public.tool_audit.approval_id IS 'The approval the event belongs to (requested, approved, rejected, expired, and the execution it allowed).';

COMMENT ON COLUMN public.tool_audit.arguments IS 'The arguments the tool was called with.';

COMMENT ON COLUMN public.tool_audit.args_hash IS 'SHA-256 hex of the arguments (app.tool_args_hash), which an approval binds to.';

COMMENT ON COLUMN public.tool_audit.result IS 'What the tool returned (executed events).';

COMMENT ON COLUMN public.tool_audit.before IS 'State before a write, where the adapter can read it (e.g. the old setpoint or status).';

COMMENT ON COLUMN public.tool_audit.after IS 'State after a write.';

COMMENT ON COLUMN public.tool_audit.decision IS 'The gate''s decision: {action, risk: {score, class}, reasons[], policy}; or the approver''s {decision, reason}.';

COMMENT ON COLUMN public.tool_audit.error IS 'The error {code, message} of a failed or refused call.';

COMMENT ON COLUMN public.tool_audit.requested_by IS 'Who the call is on behalf of: key:<id>, user:<id> (the session''s starter) or service_role.';

COMMENT ON COLUMN public.tool_audit.actor IS 'Who did this event: gate, user:<id> / key:<id> (an approver), tool-executor, tick.';

ALTER TABLE public.tool_audit ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.tool_audit_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.tool_integrations (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    key text NOT NULL,
    adapter text DEFAULT 'sandbox'::text NOT NULL,
    base_url text,
    credential_secret text,
    auth_header text DEFAULT 'authorization'::text NOT NULL,
    auth_scheme text DEFAULT 'Bearer'::text,
    timeout_ms integer DEFAULT 10000 NOT NULL,
    max_retries integer DEFAULT 2 NOT NULL,
    rate_limit_per_minute integer,
    max_concurrency integer,
    idempotent_retries boolean DEFAULT true NOT NULL,
    routes jsonb DEFAULT '{}'::jsonb NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tool_integrations_adapter_check CHECK ((adapter = ANY (ARRAY['sandbox'::text, 'http'::text]))),
    CONSTRAINT tool_integrations_auth_header_check CHECK ((auth_header ~ '^[a-z][a-z0-9-]{0,62}$'::text)),
    CONSTRAINT tool_integrations_auth_scheme_check CHECK ((auth_scheme ~ '^[A-Za-z][A-Za-z0-9_-]{0,30}$'::text)),
    CONSTRAINT tool_integrations_base_url_check CHECK (((base_url ~ '^https?://[^?#@\s]+$'::text) AND (length(base_url) <= 2000))),
    CONSTRAINT tool_integrations_check CHECK (((adapter <> 'http'::text) OR (base_url IS NOT NULL))),
    CONSTRAINT tool_integrations_credential_secret_check CHECK ((credential_secret ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT tool_integrations_key_check CHECK ((key ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT tool_integrations_max_concurrency_check CHECK (((max_concurrency >= 1) AND (max_concurrency <= 1000))),
    CONSTRAINT tool_integrations_max_retries_check CHECK (((max_retries >= 0) AND (max_retries <= 5))),
    CONSTRAINT tool_integrations_rate_limit_per_minute_check CHECK (((rate_limit_per_minute >= 1) AND (rate_limit_per_minute <= 100000))),
    CONSTRAINT tool_integrations_routes_check CHECK ((jsonb_typeof(routes) = 'object'::text)),
    CONSTRAINT tool_integrations_timeout_ms_check CHECK (((timeout_ms >= 100) AND (timeout_ms <= 120000)))
);

ALTER TABLE ONLY public.tool_integrations FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tool_integrations IS 'How a tenant reaches each integration its tools name (cmms, scada, historian, erp, notify, hse, compliance, or its own): the sandbox adapter (seeded, plausible data; the default when there is no row) or the generic HTTP adapter (base URL, a credential bound to that origin, timeouts, retries, a circuit breaker, a rate limit and a concurrency cap). Swapping the sandbox for a real system is this row, not code.';

COMMENT ON COLUMN public.tool_integrations.key IS 'The integration key tools declare (cmms.create_work_order → cmms).';

COMMENT ON COLUMN public.tool_integrations.adapter IS 'sandbox (records calls, returns seeded data; no plant needed) or http (calls base_url through the outbound client). The site''s own tools (leads, posts, tasks, notifications, spawn_agents) always use the built-in site adapter.';

COMMENT ON COLUMN public.tool_integrations.base_url IS 'http: the endpoint calls go to (POST <base_url>/<tool> with {arguments}, unless routes says otherwise). Private addresses need the operator''s ORA_OUTBOUND_ALLOW.';

COMMENT ON COLUMN public.tool_integrations.credential_secret IS 'http: name of the tenant secret (secrets.set) sent as <auth_header>: <auth_scheme> <value>. The secret must be bound to base_url''s origin; app.secret_get refuses it for any other and logs every read.';

COMMENT ON COLUMN public.tool_integrations.auth_header IS 'http: lowercase name of the header carrying the credential (authorization by default).';

COMMENT ON COLUMN public.tool_integrations.auth_scheme IS 'Prefix of the credential header value (Bearer, Token, …); null sends the secret as it is.';

COMMENT ON COLUMN public.tool_integrations.timeout_ms IS 'Time allowed for one call to the integration, in milliseconds (100-120,000).';

COMMENT ON COLUMN public.tool_integrations.max_retries IS 'http: retries of one call on 429, 502, 503, 504 and connection errors (backoff, Retry-After honoured), with the same Idempotency-Key.';

COMMENT ON COLUMN public.tool_integrations.rate_limit_per_minute IS 'Calls per calendar minute across every worker (app.integration_acquire); null = no limit. Work over the limit is deferred, not failed.';

COMMENT ON COLUMN public.tool_integrations.max_concurrency IS 'Calls in flight at once for this tenant and integration (leases in app.integration_leases); null = no cap.';

COMMENT ON COLUMN public.tool_integrations.idempotent_retries IS 'http: the endpoint honours Idempotency-Key, so a call whose worker died mid-request may be sent again with the same key. false: such a call fails as OUTCOME_UNKNOWN instead (never sent twice).';

COMMENT ON COLUMN public.tool_integrations.routes IS 'http: per-tool overrides {"<tool>": {"method": "GET", "path": "/work_orders/{work_order_id}"}}; {arg} placeholders are filled URL-encoded, GET sends the remaining arguments as the query string.';

COMMENT ON COLUMN public.tool_integrations.enabled IS 'False: tools of this integration are shown as disabled and are not run.';

COMMENT ON COLUMN public.tool_integrations.created_by IS 'Who created or last replaced the row: key:<id>, user:<id> or service_role.';

CREATE TABLE public.tool_policies (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    tool text NOT NULL,
    agent text,
    effect text NOT NULL,
    conditions jsonb DEFAULT '{}'::jsonb NOT NULL,
    approver_roles text[],
    approval_ttl_seconds integer,
    priority integer DEFAULT 0 NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tool_policies_agent_check CHECK ((agent ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT tool_policies_approval_ttl_seconds_check CHECK (((approval_ttl_seconds >= 60) AND (approval_ttl_seconds <= 604800))),
    CONSTRAINT tool_policies_approver_roles_check CHECK (((approver_roles <@ ARRAY['owner'::text, 'admin'::text, 'member'::text]) AND (cardinality(approver_roles) > 0))),
    CONSTRAINT tool_policies_conditions_check CHECK ((jsonb_typeof(conditions) = 'object'::text)),
    CONSTRAINT tool_policies_effect_check CHECK ((effect = ANY (ARRAY['allow'::text, 'require_approval'::text, 'deny'::text]))),
    CONSTRAINT tool_policies_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT tool_policies_priority_check CHECK (((priority >= '-1000'::integer) AND (priority <= 1000))),
    CONSTRAINT tool_policies_tool_check CHECK ((tool ~ '^(\*|[a-z][a-z0-9_]*(\.(\*|[a-z][a-z0-9_]*))?)$'::text))
);

ALTER TABLE ONLY public.tool_policies FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tool_policies IS 'Rules of the gate (policies.*, admins). A policy applies to a call when its tool pattern and agent match and every condition holds. deny applies in every mode; in autonomous mode a write runs when an allow policy applies and no deny or require_approval one does; anything not clearly allowed waits for approval.';

COMMENT ON COLUMN public.tool_policies.tool IS 'A tool name (scada.set_setpoint), every tool of an integration (scada.*), or * for all.';

COMMENT ON COLUMN public.tool_policies.agent IS 'Only calls from sessions of this agent (slug); null = any caller.';

COMMENT ON COLUMN public.tool_policies.effect IS 'allow (the call runs without approval, autonomous mode), require_approval (it waits for a person), deny (refused in every mode).';

COMMENT ON COLUMN public.tool_policies.conditions IS '{max_risk: 0-100, arg_ranges: {"<arg path>": {min, max}}, arg_allowlists: {"<arg path>": [values]}, time_window: {days: [1-7, Monday = 1], start: "HH:MM", end: "HH:MM"} in the tenant''s time zone (settings.timezone), max_asset_criticality: A|B|C, max_amount: number}. All must hold; a value the call lacks fails its condition.';

COMMENT ON COLUMN public.tool_policies.approver_roles IS 'Member roles that may decide approvals this policy asks for (default: the tenant''s settings.approvals.roles, else owner and admin).';

COMMENT ON COLUMN public.tool_policies.approval_ttl_seconds IS 'How long approvals this policy asks for stay open (default: settings.approvals.ttl_seconds, else 3600).';

COMMENT ON COLUMN public.tool_policies.priority IS 'Higher first when several policies of the same effect apply (the reasons list the first).';

COMMENT ON COLUMN public.tool_policies.enabled IS 'False: the policy is ignored by the gate.';

COMMENT ON COLUMN public.tool_policies.created_by IS 'Who created or last replaced the policy: key:<id>, user:<id> or service_role.';

CREATE TABLE public.tool_sandbox_records (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    integration text NOT NULL,
    kind text NOT NULL,
    ref text NOT NULL,
    data jsonb NOT NULL,
    tool_call_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tool_sandbox_records_kind_check CHECK ((kind ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT tool_sandbox_records_ref_check CHECK (((length(ref) >= 1) AND (length(ref) <= 200)))
);

ALTER TABLE ONLY public.tool_sandbox_records FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tool_sandbox_records IS 'State the sandbox adapter keeps per tenant (work orders, setpoints, acknowledged alarms, reservations, requisitions, incidents, inspections, messages), so a demo''s writes are read back by its reads. Written in the transaction that records the call (exactly once).';

COMMENT ON COLUMN public.tool_sandbox_records.integration IS 'The integration whose sandbox made the record (cmms, scada, …).';

COMMENT ON COLUMN public.tool_sandbox_records.kind IS 'work_order, setpoint, alarm_ack, reservation, requisition, incident, inspection, message.';

COMMENT ON COLUMN public.tool_sandbox_records.ref IS 'The record''s identifier in its kind (WO-…, a tag, an alarm id, …).';

COMMENT ON COLUMN public.tool_sandbox_records.data IS 'The record''s state as the sandbox stores it (e.g. a work order''s fields and status).';

COMMENT ON COLUMN public.tool_sandbox_records.tool_call_id IS 'The tool call that last wrote the record.';

CREATE TABLE public.tool_settings (
    tenant_id uuid NOT NULL,
    tool text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    updated_by text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tool_settings_tool_check CHECK ((tool ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$'::text))
);

ALTER TABLE ONLY public.tool_settings FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.tool_settings IS 'Per-tenant switches for registry tools (tools.configure). A tool without a row is enabled; a disabled tool is offered to no agent and refused by the gate.';

COMMENT ON COLUMN public.tool_settings.tool IS 'Registry tool name, e.g. scada.set_setpoint (the list is tools.list).';

COMMENT ON COLUMN public.tool_settings.enabled IS 'False: the tool is offered to no agent and the gate refuses it; true (or no row) = enabled.';

COMMENT ON COLUMN public.tool_settings.updated_by IS 'key:<id> or user:<id> that last changed it.';

CREATE TABLE public.usage_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    run_id uuid,
    run_step_id uuid,
    kind text NOT NULL,
    provider text,
    model text,
    prompt_tokens integer DEFAULT 0 NOT NULL,
    completion_tokens integer DEFAULT 0 NOT NULL,
    units numeric DEFAULT 0 NOT NULL,
    cost_usd numeric(14,8) DEFAULT 0 NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT usage_events_kind_check CHECK ((kind = ANY (ARRAY['llm'::text, 'tool'::text, 'embedding'::text, 'storage'::text])))
);

ALTER TABLE ONLY public.usage_events FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.usage_events IS 'One row per LLM call that returned, per tool call and per embedding batch: tokens, units, cost. Written with the step that made the call (app.run_step_record), so a replayed step is never billed twice.';

COMMENT ON COLUMN public.usage_events.run_id IS 'The run (session, automation, …) that made the call.';

COMMENT ON COLUMN public.usage_events.run_step_id IS 'The step of that run that made the call.';

COMMENT ON COLUMN public.usage_events.kind IS 'What was used: llm (a model call), tool (a tool call), embedding (an embedding batch) or storage.';

COMMENT ON COLUMN public.usage_events.provider IS 'Who served the call (e.g. openai, offline); null when not applicable.';

COMMENT ON COLUMN public.usage_events.model IS 'The model used; null for tools and storage.';

COMMENT ON COLUMN public.usage_events.prompt_tokens IS 'Input tokens of an LLM or embedding call (0 otherwise).';

COMMENT ON COLUMN public.usage_events.completion_tokens IS 'Output tokens of an LLM call (0 otherwise).';

COMMENT ON COLUMN public.usage_events.units IS 'LLM: prompt + completion tokens; tool: 1 per call; embedding: tokens embedded.';

COMMENT ON COLUMN public.usage_events.cost_usd IS 'What the call cost in USD (tokens at the model''s price; 0 for unpriced models).';

COMMENT ON COLUMN public.usage_events.metadata IS 'Details of the call from the recording step, e.g. {priced, offline} for LLM calls.';

CREATE TABLE public.usage_totals (
    tenant_id uuid NOT NULL,
    period date NOT NULL,
    cost_usd numeric(16,8) DEFAULT 0 NOT NULL,
    events bigint DEFAULT 0 NOT NULL,
    tokens bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.usage_totals FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.usage_totals IS 'Running totals of usage_events per tenant and UTC month, kept by app.usage_record in the same transaction as each event, so a budget check costs one row read however much was used.';

COMMENT ON COLUMN public.usage_totals.period IS 'First day of the UTC calendar month.';

COMMENT ON COLUMN public.usage_totals.cost_usd IS 'USD spent by the tenant in the month (sum of usage_events.cost_usd).';

COMMENT ON COLUMN public.usage_totals.events IS 'Usage events recorded in the month.';

COMMENT ON COLUMN public.usage_totals.tokens IS 'Prompt plus completion tokens recorded in the month.';

CREATE TABLE public.webhook_deliveries (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    webhook_id uuid,
    event_id uuid,
    event_type text NOT NULL,
    url text,
    payload jsonb NOT NULL,
    headers jsonb DEFAULT '{}'::jsonb NOT NULL,
    secret_name text,
    idempotency_key text,
    is_test boolean DEFAULT false NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    retry_schedule_seconds integer[] NOT NULL,
    max_attempts integer GENERATED ALWAYS AS ((1 + cardinality(retry_schedule_seconds))) STORED,
    timeout_ms integer DEFAULT 10000 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    locked_until timestamp with time zone,
    last_attempt_at timestamp with time zone,
    last_status_code integer,
    last_error text,
    last_response text,
    last_duration_ms integer,
    delivered_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_deliveries_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT webhook_deliveries_check CHECK (((webhook_id IS NOT NULL) OR (url IS NOT NULL))),
    CONSTRAINT webhook_deliveries_event_type_check CHECK (((length(event_type) >= 1) AND (length(event_type) <= 200))),
    CONSTRAINT webhook_deliveries_idempotency_key_check CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200))),
    CONSTRAINT webhook_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'failed'::text, 'dead'::text]))),
    CONSTRAINT webhook_deliveries_timeout_ms_check CHECK (((timeout_ms >= 1000) AND (timeout_ms <= 30000))),
    CONSTRAINT webhook_deliveries_url_check CHECK (((url ~ '^https?://'::text) AND (length(url) <= 2000)))
);

ALTER TABLE ONLY public.webhook_deliveries FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.webhook_deliveries IS 'Delivery log of webhooks: one row per subscription × event (dispatchEvent), test (webhooks.test) or ad-hoc signed send (send_webhook: webhook_id null, url set). Its id is the Standard Webhooks webhook-id header, the same on every attempt, so receivers can drop duplicates. Written by the deliveries worker and app functions only.';

COMMENT ON COLUMN public.webhook_deliveries.webhook_id IS 'The subscription delivered to; null for ad-hoc sends (url set instead).';

COMMENT ON COLUMN public.webhook_deliveries.event_id IS 'The event_log row delivered (unique per webhook); null for tests and ad-hoc sends.';

COMMENT ON COLUMN public.webhook_deliveries.event_type IS 'The event type delivered (webhook-test for tests, the caller''s type for ad-hoc sends).';

COMMENT ON COLUMN public.webhook_deliveries.url IS 'Ad-hoc sends only; subscription deliveries go to the webhook''s current url.';

COMMENT ON COLUMN public.webhook_deliveries.payload IS 'The JSON body: {id, type, timestamp, data} for events and tests (Standard Webhooks'' recommended shape), the caller''s payload for ad-hoc sends.';

COMMENT ON COLUMN public.webhook_deliveries.headers IS 'Extra request headers of an ad-hoc send (never webhook-*, content-type, host or content-length); empty for subscriptions.';

COMMENT ON COLUMN public.webhook_deliveries.secret_name IS 'Ad-hoc sends: the tenant secret (whsec_…, bound to the url''s origin) to sign with; null sends unsigned. Subscriptions sign with their own secrets.';

COMMENT ON COLUMN public.webhook_deliveries.idempotency_key IS 'Ad-hoc sends: the caller''s key (unique per tenant); repeating a send with it returns the first delivery.';

COMMENT ON COLUMN public.webhook_deliveries.is_test IS 'True for deliveries made by webhooks.test.';

COMMENT ON COLUMN public.webhook_deliveries.status IS 'pending (queued or waiting for a retry), delivered (2xx), failed (a final answer: 4xx other than 408 and 429, 410 which also disables the webhook, a refused URL; no retry) or dead (every attempt failed; the message went to deliveries_dlq).';

COMMENT ON COLUMN public.webhook_deliveries.attempts IS 'Attempts made so far (counted by the deliveries worker when an attempt starts).';

COMMENT ON COLUMN public.webhook_deliveries.retry_schedule_seconds IS 'Seconds to wait after failed attempt 1, 2, …; copied from the webhook (or the default schedule) when the delivery is created.';

COMMENT ON COLUMN public.webhook_deliveries.max_attempts IS 'Attempts allowed: 1 + the number of retry delays (generated from retry_schedule_seconds).';

COMMENT ON COLUMN public.webhook_deliveries.timeout_ms IS 'Time allowed for one attempt in milliseconds (1,000-30,000), copied from the webhook.';

COMMENT ON COLUMN public.webhook_deliveries.next_attempt_at IS 'When the next attempt is due (now at creation, then after each failed attempt''s delay).';

COMMENT ON COLUMN public.webhook_deliveries.locked_until IS 'While an attempt is in flight: until when it may take (its timeout plus a margin); a redelivered message waits for it instead of sending twice.';

COMMENT ON COLUMN public.webhook_deliveries.last_attempt_at IS 'When the latest attempt started.';

COMMENT ON COLUMN public.webhook_deliveries.last_status_code IS 'HTTP status of the latest attempt''s response; null when no response came.';

COMMENT ON COLUMN public.webhook_deliveries.last_error IS 'Error of the latest failed attempt (for dead: with how many attempts were made).';

COMMENT ON COLUMN public.webhook_deliveries.last_response IS 'The first 1000 characters of the latest response body.';

COMMENT ON COLUMN public.webhook_deliveries.last_duration_ms IS 'How long the latest attempt took, from the request to the end of the response.';

COMMENT ON COLUMN public.webhook_deliveries.delivered_at IS 'When the receiver answered 2xx; null until delivered.';

CREATE TABLE public.webhooks (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    url text NOT NULL,
    events text[] NOT NULL,
    filter jsonb,
    is_active boolean DEFAULT true NOT NULL,
    disabled_reason text,
    disabled_at timestamp with time zone,
    retry_schedule_seconds integer[] DEFAULT '{30,120,600,3600,10800,21600,43200}'::integer[] NOT NULL,
    timeout_ms integer DEFAULT 10000 NOT NULL,
    total_deliveries integer DEFAULT 0 NOT NULL,
    successful_deliveries integer DEFAULT 0 NOT NULL,
    failed_deliveries integer DEFAULT 0 NOT NULL,
    last_triggered_at timestamp with time zone,
    last_success_at timestamp with time zone,
    last_failure_at timestamp with time zone,
    last_status_code integer,
    last_error text,
    secret_rotated_at timestamp with time zone,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhooks_description_check CHECK ((length(description) <= 2000)),
    CONSTRAINT webhooks_events_check CHECK (((cardinality(events) >= 1) AND (cardinality(events) <= 100))),
    CONSTRAINT webhooks_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT webhooks_retry_schedule_seconds_check CHECK ((((cardinality(retry_schedule_seconds) >= 1) AND (cardinality(retry_schedule_seconds) <= 20)) AND (1 <= ALL (retry_schedule_seconds)) AND (86400 >= ALL (retry_schedule_seconds)))),
    CONSTRAINT webhooks_timeout_ms_check CHECK (((timeout_ms >= 1000) AND (timeout_ms <= 30000))),
    CONSTRAINT webhooks_url_check CHECK (((url ~ '^https?://'::text) AND (length(url) <= 2000)))
);

ALTER TABLE ONLY public.webhooks FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.webhooks IS 'Webhook subscriptions: events of the listed types whose payload matches filter are POSTed to url, signed per Standard Webhooks. The signing secret lives encrypted in app.webhook_secrets and is returned only by webhooks.create and webhooks.rotate_secret.';

COMMENT ON COLUMN public.webhooks.url IS 'The http(s) endpoint deliveries are POSTed to (up to 2,000 characters).';

COMMENT ON COLUMN public.webhooks.events IS 'Event types to deliver: exact names (leads.INSERT, session.completed), a prefix with .* (leads.*) or * for every event.';

COMMENT ON COLUMN public.webhooks.filter IS 'Null (every event of those types) or conditions on the event payload: {field, operator, value}, {and: […]}, {or: […]}, {not: …}, or an array meaning all of them (supabase/functions/_shared/webhooks/filter.ts).';

COMMENT ON COLUMN public.webhooks.is_active IS 'false: no new deliveries, and pending ones fail. Set false by a 410 Gone (disabled_reason says so) or by the tenant; webhooks.update {is_active: true} turns it back on.';

COMMENT ON COLUMN public.webhooks.disabled_reason IS 'Why is_active went false: a 410 Gone from the receiver (naming the delivery) or disabled by the tenant; cleared when turned back on.';

COMMENT ON COLUMN public.webhooks.disabled_at IS 'When the webhook was last disabled; cleared when turned back on.';

COMMENT ON COLUMN public.webhooks.retry_schedule_seconds IS 'Seconds to wait after failed attempt 1, 2, …, copied to each delivery when it is created (±20% jitter; a longer Retry-After is honoured). Default about 22 hours over 8 attempts.';

COMMENT ON COLUMN public.webhooks.timeout_ms IS 'Time allowed for one attempt (connection, request and response).';

COMMENT ON COLUMN public.webhooks.total_deliveries IS 'Deliveries created (events matched and tests); successful_deliveries and failed_deliveries count those that ended delivered, and failed or dead.';

COMMENT ON COLUMN public.webhooks.successful_deliveries IS 'Deliveries that ended delivered (a 2xx), counted by the deliveries worker.';

COMMENT ON COLUMN public.webhooks.failed_deliveries IS 'Deliveries that ended failed or dead, counted by the deliveries worker.';

COMMENT ON COLUMN public.webhooks.last_triggered_at IS 'When the latest delivery (an event or a test) was created.';

COMMENT ON COLUMN public.webhooks.last_success_at IS 'When the latest attempt succeeded.';

COMMENT ON COLUMN public.webhooks.last_failure_at IS 'When the latest attempt failed (retried or not).';

COMMENT ON COLUMN public.webhooks.last_status_code IS 'HTTP status of the latest attempt that got a response.';

COMMENT ON COLUMN public.webhooks.last_error IS 'Error of the latest failed attempt (retried or not).';

COMMENT ON COLUMN public.webhooks.secret_rotated_at IS 'When the signing secret was last rotated (app.webhook_secret_rotate); null if never.';

COMMENT ON COLUMN public.webhooks.metadata IS 'Free-form JSON object the tenant attaches; Ora does not read it.';

COMMENT ON COLUMN public.webhooks.created_by IS 'key:<id>, user:<id> or service_role.';

ALTER TABLE ONLY app.agent_templates
    ADD CONSTRAINT agent_templates_pkey PRIMARY KEY (pack, slug);

ALTER TABLE ONLY app.automation_hook_ids
    ADD CONSTRAINT automation_hook_ids_pkey PRIMARY KEY (automation_id, webhook_id);

ALTER TABLE ONLY app.automation_hooks
    ADD CONSTRAINT automation_hooks_pkey PRIMARY KEY (automation_id);

ALTER TABLE ONLY app.automation_windows
    ADD CONSTRAINT automation_windows_pkey PRIMARY KEY (run_id);

ALTER TABLE ONLY app.integration_leases
    ADD CONSTRAINT integration_leases_pkey PRIMARY KEY (tenant_id, integration, holder);

ALTER TABLE ONLY app.integration_windows
    ADD CONSTRAINT integration_windows_pkey PRIMARY KEY (tenant_id, integration, window_start);

ALTER TABLE ONLY app.invoke_requests
    ADD CONSTRAINT invoke_requests_pkey PRIMARY KEY (id);

ALTER TABLE ONLY app.local_secret_key
    ADD CONSTRAINT local_secret_key_pkey PRIMARY KEY (id);

ALTER TABLE ONLY app.memory_maintenance_runs
    ADD CONSTRAINT memory_maintenance_runs_pkey PRIMARY KEY (id);

ALTER TABLE ONLY app.model_prices
    ADD CONSTRAINT model_prices_pkey PRIMARY KEY (model);

ALTER TABLE ONLY app.queue_consumers
    ADD CONSTRAINT queue_consumers_pkey PRIMARY KEY (queue_name, worker_id);

ALTER TABLE ONLY app.queue_deferrals
    ADD CONSTRAINT queue_deferrals_pkey PRIMARY KEY (queue_name, msg_id);

ALTER TABLE ONLY app.queue_errors
    ADD CONSTRAINT queue_errors_pkey PRIMARY KEY (queue_name, msg_id);

ALTER TABLE ONLY app.queue_release_checks
    ADD CONSTRAINT queue_release_checks_pkey PRIMARY KEY (prefix);

ALTER TABLE ONLY app.queue_turns
    ADD CONSTRAINT queue_turns_pkey PRIMARY KEY (queue_name, tenant_id);

ALTER TABLE ONLY app.queue_workers
    ADD CONSTRAINT queue_workers_pkey PRIMARY KEY (queue_name);

ALTER TABLE ONLY app.rate_counters
    ADD CONSTRAINT rate_counters_pkey PRIMARY KEY (api_key_id, window_kind, window_start);

ALTER TABLE ONLY app.run_kinds
    ADD CONSTRAINT run_kinds_pkey PRIMARY KEY (kind);

ALTER TABLE ONLY app.secret_access_log
    ADD CONSTRAINT secret_access_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY app.skill_templates
    ADD CONSTRAINT skill_templates_pkey PRIMARY KEY (pack, key);

ALTER TABLE ONLY app.tenant_secrets
    ADD CONSTRAINT tenant_secrets_pkey PRIMARY KEY (tenant_id, name);

ALTER TABLE ONLY app.tick_jobs
    ADD CONSTRAINT tick_jobs_pkey PRIMARY KEY (name);

ALTER TABLE ONLY app.webhook_secrets
    ADD CONSTRAINT webhook_secrets_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.agent_memory
    ADD CONSTRAINT agent_memory_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.agent_personas
    ADD CONSTRAINT agent_personas_agent_id_version_key UNIQUE (agent_id, version);

ALTER TABLE ONLY public.agent_personas
    ADD CONSTRAINT agent_personas_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.agent_tasks
    ADD CONSTRAINT agent_tasks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_tenant_id_slug_key UNIQUE (tenant_id, slug);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_prefix_key UNIQUE (key_prefix);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.approvals
    ADD CONSTRAINT approvals_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.approvals
    ADD CONSTRAINT approvals_tenant_id_request_key_key UNIQUE (tenant_id, request_key);

ALTER TABLE ONLY public.automations
    ADD CONSTRAINT automations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.automations
    ADD CONSTRAINT automations_tenant_id_slug_key UNIQUE (tenant_id, slug);

ALTER TABLE ONLY public.blog_posts
    ADD CONSTRAINT blog_posts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.blog_posts
    ADD CONSTRAINT blog_posts_tenant_id_slug_key UNIQUE (tenant_id, slug);

ALTER TABLE ONLY public.budget_alerts
    ADD CONSTRAINT budget_alerts_pkey PRIMARY KEY (tenant_id, period, threshold);

ALTER TABLE ONLY public.circuit_breakers
    ADD CONSTRAINT circuit_breakers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.circuit_breakers
    ADD CONSTRAINT circuit_breakers_tenant_id_key_key UNIQUE (tenant_id, key);

ALTER TABLE ONLY public.director_reviews
    ADD CONSTRAINT director_reviews_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.event_log
    ADD CONSTRAINT event_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.leads
    ADD CONSTRAINT leads_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.memory_decisions
    ADD CONSTRAINT memory_decisions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.memory_index
    ADD CONSTRAINT memory_index_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.memory_index_state
    ADD CONSTRAINT memory_index_state_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.memory_index
    ADD CONSTRAINT memory_index_tenant_id_source_type_source_id_chunk_index_key UNIQUE (tenant_id, source_type, source_id, chunk_index);

ALTER TABLE ONLY public.memory_maintenance_reports
    ADD CONSTRAINT memory_maintenance_reports_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.memory_policies
    ADD CONSTRAINT memory_policies_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.metrics
    ADD CONSTRAINT metrics_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.notification_deliveries
    ADD CONSTRAINT notification_deliveries_notification_id_channel_key UNIQUE (notification_id, channel);

ALTER TABLE ONLY public.notification_deliveries
    ADD CONSTRAINT notification_deliveries_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.notification_routes
    ADD CONSTRAINT notification_routes_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.notification_routes
    ADD CONSTRAINT notification_routes_tenant_id_severity_key UNIQUE (tenant_id, severity);

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.request_log
    ADD CONSTRAINT request_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.run_steps
    ADD CONSTRAINT run_steps_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.run_steps
    ADD CONSTRAINT run_steps_run_id_key_key UNIQUE (run_id, key);

ALTER TABLE ONLY public.run_steps
    ADD CONSTRAINT run_steps_run_id_seq_key UNIQUE (run_id, seq);

ALTER TABLE ONLY public.run_waitpoints
    ADD CONSTRAINT run_waitpoints_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.run_waitpoints
    ADD CONSTRAINT run_waitpoints_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.semantic_cache
    ADD CONSTRAINT semantic_cache_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.semantic_cache
    ADD CONSTRAINT semantic_cache_tenant_id_cache_key_key UNIQUE (tenant_id, cache_key);

ALTER TABLE ONLY public.skills
    ADD CONSTRAINT skills_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.skills
    ADD CONSTRAINT skills_tenant_id_key_version_key UNIQUE (tenant_id, key, version);

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_pkey PRIMARY KEY (task_id, depends_on_id);

ALTER TABLE ONLY public.tenant_budgets
    ADD CONSTRAINT tenant_budgets_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.tenant_members
    ADD CONSTRAINT tenant_members_pkey PRIMARY KEY (tenant_id, user_id);

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_slug_key UNIQUE (slug);

ALTER TABLE ONLY public.tool_assets
    ADD CONSTRAINT tool_assets_pkey PRIMARY KEY (tenant_id, asset_id);

ALTER TABLE ONLY public.tool_audit
    ADD CONSTRAINT tool_audit_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tool_calls
    ADD CONSTRAINT tool_calls_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tool_calls
    ADD CONSTRAINT tool_calls_tenant_id_idempotency_key_key UNIQUE (tenant_id, idempotency_key);

ALTER TABLE ONLY public.tool_integrations
    ADD CONSTRAINT tool_integrations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tool_integrations
    ADD CONSTRAINT tool_integrations_tenant_id_key_key UNIQUE (tenant_id, key);

ALTER TABLE ONLY public.tool_policies
    ADD CONSTRAINT tool_policies_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tool_policies
    ADD CONSTRAINT tool_policies_tenant_id_name_key UNIQUE (tenant_id, name);

ALTER TABLE ONLY public.tool_sandbox_records
    ADD CONSTRAINT tool_sandbox_records_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tool_sandbox_records
    ADD CONSTRAINT tool_sandbox_records_tenant_id_kind_ref_key UNIQUE (tenant_id, kind, ref);

ALTER TABLE ONLY public.tool_settings
    ADD CONSTRAINT tool_settings_pkey PRIMARY KEY (tenant_id, tool);

ALTER TABLE ONLY public.usage_events
    ADD CONSTRAINT usage_events_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.usage_totals
    ADD CONSTRAINT usage_totals_pkey PRIMARY KEY (tenant_id, period);

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_tenant_id_idempotency_key_key UNIQUE (tenant_id, idempotency_key);

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_webhook_id_event_id_key UNIQUE (webhook_id, event_id);

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX automation_windows_open_idx ON app.automation_windows USING btree (automation_id, window_key) WHERE (NOT closed);

CREATE UNIQUE INDEX invoke_requests_once_per_transaction ON app.invoke_requests USING btree (txid, function_name, md5((body)::text));

CREATE INDEX queue_deferrals_key_idx ON app.queue_deferrals USING btree (tenant_id, release_key);

CREATE INDEX secret_access_log_tenant_idx ON app.secret_access_log USING btree (tenant_id, at DESC);

CREATE UNIQUE INDEX webhook_secrets_current_idx ON app.webhook_secrets USING btree (webhook_id) WHERE (expires_at IS NULL);

CREATE INDEX webhook_secrets_webhook_idx ON app.webhook_secrets USING btree (tenant_id, webhook_id);

CREATE UNIQUE INDEX agent_memory_live_key_idx ON public.agent_memory USING btree (tenant_id, COALESCE(agent_id, '00000000-0000-0000-0000-000000000000'::uuid), memory_type, key) WHERE ((NOT is_archived) AND (superseded_at IS NULL));

CREATE INDEX agent_memory_superseded_by_idx ON public.agent_memory USING btree (superseded_by) WHERE (superseded_by IS NOT NULL);

CREATE INDEX agent_memory_sync_idx ON public.agent_memory USING btree (tenant_id, is_dirty, synced_at);

CREATE INDEX agent_memory_tenant_agent_idx ON public.agent_memory USING btree (tenant_id, agent_id);

CREATE INDEX agent_memory_tenant_expiry_idx ON public.agent_memory USING btree (tenant_id, expires_at) WHERE (expires_at IS NOT NULL);

CREATE INDEX agent_memory_tenant_tier_idx ON public.agent_memory USING btree (tenant_id, tier, health_score DESC);

CREATE INDEX agent_memory_tenant_type_idx ON public.agent_memory USING btree (tenant_id, memory_type, created_at DESC);

CREATE INDEX agent_personas_tenant_idx ON public.agent_personas USING btree (tenant_id, agent_id, version DESC);

CREATE INDEX agent_tasks_due_idx ON public.agent_tasks USING btree (tenant_id, scheduled_for) WHERE (status = 'pending'::text);

CREATE INDEX agent_tasks_session_idx ON public.agent_tasks USING btree (tenant_id, session_id) WHERE (session_id IS NOT NULL);

CREATE INDEX agent_tasks_tenant_parent_idx ON public.agent_tasks USING btree (tenant_id, parent_task_id);

CREATE INDEX agent_tasks_tenant_status_idx ON public.agent_tasks USING btree (tenant_id, status, priority DESC, created_at);

CREATE INDEX agents_tenant_idx ON public.agents USING btree (tenant_id, slug);

CREATE INDEX api_keys_tenant_idx ON public.api_keys USING btree (tenant_id, created_at DESC);

CREATE INDEX approvals_pending_expiry_idx ON public.approvals USING btree (expires_at) WHERE (status = 'pending'::text);

CREATE INDEX approvals_tenant_run_idx ON public.approvals USING btree (tenant_id, run_id) WHERE (run_id IS NOT NULL);

CREATE INDEX approvals_tenant_status_idx ON public.approvals USING btree (tenant_id, status, created_at DESC);

CREATE INDEX automations_due_idx ON public.automations USING btree (next_run_at) WHERE ((status = 'active'::text) AND (trigger_type = 'schedule'::text));

CREATE INDEX automations_events_idx ON public.automations USING gin (event_names) WHERE (status = 'active'::text);

CREATE INDEX automations_tenant_idx ON public.automations USING btree (tenant_id, created_at DESC);

CREATE INDEX automations_threshold_idx ON public.automations USING btree (tenant_id) WHERE ((status = 'active'::text) AND (trigger_type = 'threshold'::text));

CREATE INDEX blog_posts_tenant_created_idx ON public.blog_posts USING btree (tenant_id, created_at DESC);

CREATE INDEX blog_posts_tenant_status_idx ON public.blog_posts USING btree (tenant_id, status);

CREATE INDEX director_reviews_tenant_idx ON public.director_reviews USING btree (tenant_id, reviewed_at DESC);

CREATE INDEX event_log_expires_idx ON public.event_log USING btree (expires_at);

CREATE INDEX event_log_tenant_asset_idx ON public.event_log USING btree (tenant_id, asset_id, created_at DESC) WHERE (asset_id IS NOT NULL);

CREATE INDEX event_log_tenant_created_idx ON public.event_log USING btree (tenant_id, created_at DESC);

CREATE INDEX event_log_tenant_type_idx ON public.event_log USING btree (tenant_id, event_type, created_at DESC);

CREATE INDEX leads_tenant_created_idx ON public.leads USING btree (tenant_id, created_at DESC);

CREATE INDEX leads_tenant_email_idx ON public.leads USING btree (tenant_id, lower(email));

CREATE INDEX leads_tenant_status_idx ON public.leads USING btree (tenant_id, status);

CREATE INDEX memory_decisions_memory_idx ON public.memory_decisions USING btree (tenant_id, memory_id);

CREATE INDEX memory_decisions_tenant_idx ON public.memory_decisions USING btree (tenant_id, created_at DESC);

CREATE INDEX memory_index_embedding_idx ON public.memory_index USING hnsw (embedding extensions.vector_cosine_ops) WITH (m='16', ef_construction='64');

CREATE INDEX memory_index_pending_idx ON public.memory_index USING btree (tenant_id) WHERE ((embedding IS NULL) AND (NOT cold));

CREATE INDEX memory_index_tenant_time_idx ON public.memory_index USING btree (tenant_id, source_created_at DESC);

CREATE INDEX memory_index_tenant_tsv_idx ON public.memory_index USING gin (tenant_id, content_tsv);

CREATE INDEX memory_maintenance_reports_tenant_idx ON public.memory_maintenance_reports USING btree (tenant_id, started_at DESC);

CREATE INDEX metrics_tenant_name_time_idx ON public.metrics USING btree (tenant_id, name, recorded_at DESC);

CREATE INDEX notification_deliveries_tenant_idx ON public.notification_deliveries USING btree (tenant_id, notification_id);

CREATE INDEX notification_deliveries_tenant_status_idx ON public.notification_deliveries USING btree (tenant_id, status, created_at DESC);

CREATE INDEX notifications_tenant_idx ON public.notifications USING btree (tenant_id, created_at DESC);

CREATE INDEX notifications_unread_idx ON public.notifications USING btree (tenant_id, created_at) WHERE ((NOT read) AND (NOT dismissed));

CREATE INDEX request_log_request_idx ON public.request_log USING btree (request_id);

CREATE INDEX request_log_tenant_idx ON public.request_log USING btree (tenant_id, created_at DESC);

CREATE INDEX run_steps_tenant_run_idx ON public.run_steps USING btree (tenant_id, run_id, seq);

CREATE INDEX run_waitpoints_approval_idx ON public.run_waitpoints USING btree (approval_id) WHERE (status = 'pending'::text);

CREATE INDEX run_waitpoints_due_idx ON public.run_waitpoints USING btree (resume_at) WHERE (status = 'pending'::text);

CREATE INDEX run_waitpoints_events_idx ON public.run_waitpoints USING gin (event_keys) WHERE (status = 'pending'::text);

CREATE INDEX run_waitpoints_runs_idx ON public.run_waitpoints USING gin (run_ids) WHERE (status = 'pending'::text);

CREATE INDEX run_waitpoints_tenant_run_idx ON public.run_waitpoints USING btree (tenant_id, run_id, step_key);

CREATE INDEX runs_automation_idx ON public.runs USING btree (tenant_id, subject, created_at DESC) WHERE (kind = 'automation'::text);

CREATE INDEX runs_deadline_idx ON public.runs USING btree (deadline_at) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text, 'waiting'::text]));

CREATE UNIQUE INDEX runs_idempotency_idx ON public.runs USING btree (tenant_id, idempotency_key) WHERE (idempotency_key IS NOT NULL);

CREATE INDEX runs_running_idx ON public.runs USING btree (tenant_id, kind, concurrency_key) WHERE (status = 'running'::text);

CREATE INDEX runs_tenant_created_idx ON public.runs USING btree (tenant_id, created_at DESC);

CREATE INDEX runs_tenant_kind_status_idx ON public.runs USING btree (tenant_id, kind, status, created_at DESC);

CREATE INDEX runs_tenant_parent_idx ON public.runs USING btree (tenant_id, parent_run_id);

CREATE INDEX semantic_cache_valid_idx ON public.semantic_cache USING btree (tenant_id, valid_until);

CREATE INDEX skills_tenant_idx ON public.skills USING btree (tenant_id, key, version DESC);

CREATE INDEX task_dependencies_tenant_idx ON public.task_dependencies USING btree (tenant_id, depends_on_id);

CREATE INDEX tenant_members_user_idx ON public.tenant_members USING btree (user_id);

CREATE INDEX tool_audit_tenant_approval_idx ON public.tool_audit USING btree (tenant_id, approval_id) WHERE (approval_id IS NOT NULL);

CREATE INDEX tool_audit_tenant_call_idx ON public.tool_audit USING btree (tenant_id, tool_call_id) WHERE (tool_call_id IS NOT NULL);

CREATE INDEX tool_audit_tenant_created_idx ON public.tool_audit USING btree (tenant_id, created_at DESC);

CREATE INDEX tool_audit_tenant_run_idx ON public.tool_audit USING btree (tenant_id, run_id, seq) WHERE (run_id IS NOT NULL);

CREATE INDEX tool_calls_open_deadline_idx ON public.tool_calls USING btree (deadline_at) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text]));

CREATE INDEX tool_calls_tenant_created_idx ON public.tool_calls USING btree (tenant_id, created_at DESC);

CREATE INDEX tool_calls_tenant_run_idx ON public.tool_calls USING btree (tenant_id, run_id) WHERE (run_id IS NOT NULL);

CREATE INDEX tool_integrations_tenant_idx ON public.tool_integrations USING btree (tenant_id, key);

CREATE INDEX tool_policies_tenant_idx ON public.tool_policies USING btree (tenant_id, tool) WHERE enabled;

CREATE INDEX tool_sandbox_records_tenant_idx ON public.tool_sandbox_records USING btree (tenant_id, kind, created_at DESC);

CREATE INDEX usage_events_run_idx ON public.usage_events USING btree (tenant_id, run_id);

CREATE INDEX usage_events_tenant_time_idx ON public.usage_events USING btree (tenant_id, created_at DESC);

CREATE INDEX webhook_deliveries_tenant_idx ON public.webhook_deliveries USING btree (tenant_id, created_at DESC);

CREATE INDEX webhook_deliveries_webhook_idx ON public.webhook_deliveries USING btree (tenant_id, webhook_id, created_at DESC);

CREATE INDEX webhooks_tenant_active_idx ON public.webhooks USING btree (tenant_id) INCLUDE (events) WHERE is_active;

CREATE INDEX webhooks_tenant_created_idx ON public.webhooks USING btree (tenant_id, created_at DESC);

CREATE TRIGGER tenant_secrets_forget AFTER DELETE ON app.tenant_secrets FOR EACH ROW EXECUTE FUNCTION app.tenant_secret_forget();

CREATE TRIGGER webhook_secrets_forget AFTER DELETE ON app.webhook_secrets FOR EACH ROW EXECUTE FUNCTION app.webhook_secret_forget();

CREATE TRIGGER agent_memory_guard BEFORE INSERT OR UPDATE ON public.agent_memory FOR EACH ROW EXECUTE FUNCTION app.agent_memory_guard();

CREATE TRIGGER agent_memory_health_init BEFORE INSERT ON public.agent_memory FOR EACH ROW EXECUTE FUNCTION app.agent_memory_health_init();

CREATE TRIGGER agent_memory_indexed AFTER INSERT ON public.agent_memory FOR EACH ROW EXECUTE FUNCTION app.agent_memory_index_sync();

CREATE TRIGGER agent_memory_reindexed AFTER UPDATE ON public.agent_memory FOR EACH ROW WHEN (((old.content IS DISTINCT FROM new.content) OR (old.summary IS DISTINCT FROM new.summary) OR (old.key IS DISTINCT FROM new.key) OR (old.memory_type IS DISTINCT FROM new.memory_type) OR (old.superseded_at IS DISTINCT FROM new.superseded_at) OR (old.agent_id IS DISTINCT FROM new.agent_id) OR (old.health_score IS DISTINCT FROM new.health_score) OR (old.is_archived IS DISTINCT FROM new.is_archived) OR (old.importance IS DISTINCT FROM new.importance) OR (old.tier IS DISTINCT FROM new.tier))) EXECUTE FUNCTION app.agent_memory_index_sync();

CREATE TRIGGER agent_memory_unindexed AFTER DELETE ON public.agent_memory FOR EACH ROW EXECUTE FUNCTION app.agent_memory_index_sync();

CREATE TRIGGER agent_tasks_check_links AFTER INSERT OR UPDATE OF tenant_id, parent_task_id, blocked_by, session_id, related_post_id ON public.agent_tasks FOR EACH ROW EXECUTE FUNCTION app.task_links_check();

CREATE TRIGGER agent_tasks_touch BEFORE UPDATE ON public.agent_tasks FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER agents_persona_history AFTER INSERT OR UPDATE OF persona ON public.agents FOR EACH ROW EXECUTE FUNCTION app.agent_persona_version();

CREATE TRIGGER agents_persona_version BEFORE INSERT OR UPDATE OF persona ON public.agents FOR EACH ROW EXECUTE FUNCTION app.agent_persona_version();

CREATE TRIGGER agents_touch BEFORE UPDATE ON public.agents FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER api_keys_touch BEFORE UPDATE ON public.api_keys FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER approvals_touch BEFORE UPDATE ON public.approvals FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER automations_schedule_request AFTER INSERT OR UPDATE OF next_run_at, status, trigger_config ON public.automations FOR EACH ROW EXECUTE FUNCTION app.automations_schedule_request();

CREATE TRIGGER automations_touch BEFORE UPDATE ON public.automations FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER blog_posts_event AFTER INSERT OR DELETE OR UPDATE ON public.blog_posts FOR EACH ROW EXECUTE FUNCTION app.table_event_emit();

CREATE TRIGGER blog_posts_indexed AFTER INSERT OR DELETE ON public.blog_posts FOR EACH ROW EXECUTE FUNCTION app.blog_post_index_sync();

CREATE TRIGGER blog_posts_reindexed AFTER UPDATE ON public.blog_posts FOR EACH ROW WHEN (((old.title IS DISTINCT FROM new.title) OR (old.excerpt IS DISTINCT FROM new.excerpt) OR (old.content IS DISTINCT FROM new.content) OR (old.status IS DISTINCT FROM new.status) OR (old.tags IS DISTINCT FROM new.tags) OR (old.published_at IS DISTINCT FROM new.published_at) OR (old.slug IS DISTINCT FROM new.slug))) EXECUTE FUNCTION app.blog_post_index_sync();

CREATE TRIGGER blog_posts_touch BEFORE UPDATE ON public.blog_posts FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER event_log_resolve_waits AFTER INSERT ON public.event_log FOR EACH ROW EXECUTE FUNCTION app.waitpoints_on_event();

CREATE TRIGGER event_log_route AFTER INSERT ON public.event_log FOR EACH ROW EXECUTE FUNCTION app.events_route();

CREATE TRIGGER leads_event AFTER INSERT OR DELETE OR UPDATE ON public.leads FOR EACH ROW EXECUTE FUNCTION app.table_event_emit();

CREATE TRIGGER leads_notes_indexed AFTER INSERT ON public.leads FOR EACH ROW WHEN ((COALESCE(btrim(new.notes), ''::text) <> ''::text)) EXECUTE FUNCTION app.lead_note_index_sync();

CREATE TRIGGER leads_notes_reindexed AFTER UPDATE ON public.leads FOR EACH ROW WHEN (((old.notes IS DISTINCT FROM new.notes) OR ((COALESCE(btrim(new.notes), ''::text) <> ''::text) AND ((old.name IS DISTINCT FROM new.name) OR (old.company IS DISTINCT FROM new.company) OR (old.status IS DISTINCT FROM new.status))))) EXECUTE FUNCTION app.lead_note_index_sync();

CREATE TRIGGER leads_notes_unindexed AFTER DELETE ON public.leads FOR EACH ROW WHEN ((COALESCE(btrim(old.notes), ''::text) <> ''::text)) EXECUTE FUNCTION app.lead_note_index_sync();

CREATE TRIGGER leads_touch BEFORE UPDATE ON public.leads FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER memory_index_before_update BEFORE UPDATE ON public.memory_index FOR EACH ROW EXECUTE FUNCTION app.memory_index_before_update();

CREATE TRIGGER memory_index_deleted AFTER DELETE ON public.memory_index REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app.memory_index_deleted();

CREATE TRIGGER memory_index_inserted AFTER INSERT ON public.memory_index REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.memory_index_inserted();

CREATE TRIGGER memory_index_updated AFTER UPDATE ON public.memory_index REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.memory_index_updated();

CREATE TRIGGER notification_deliveries_touch BEFORE UPDATE ON public.notification_deliveries FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER notification_routes_touch BEFORE UPDATE ON public.notification_routes FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER runs_automation_finished AFTER UPDATE OF status ON public.runs FOR EACH ROW WHEN (((new.kind = 'automation'::text) AND (new.status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])) AND (old.status <> ALL (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])))) EXECUTE FUNCTION app.automation_on_run_finished();

CREATE TRIGGER runs_task_status AFTER UPDATE OF status ON public.runs FOR EACH ROW WHEN (((new.kind = 'agent'::text) AND (new.status IS DISTINCT FROM old.status))) EXECUTE FUNCTION app.task_on_session_status();

CREATE TRIGGER runs_touch BEFORE UPDATE ON public.runs FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER runs_withdraw_approvals AFTER UPDATE OF status ON public.runs FOR EACH ROW WHEN (((new.status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])) AND (old.status IS DISTINCT FROM new.status))) EXECUTE FUNCTION app.approvals_withdraw_on_run_end();

CREATE TRIGGER task_dependencies_check AFTER INSERT ON public.task_dependencies FOR EACH ROW EXECUTE FUNCTION app.task_dependency_check();

CREATE TRIGGER tenants_memory_policy AFTER INSERT ON public.tenants FOR EACH ROW EXECUTE FUNCTION app.memory_policy_create();

CREATE TRIGGER tenants_touch BEFORE UPDATE ON public.tenants FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER tool_assets_touch BEFORE UPDATE ON public.tool_assets FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER tool_audit_append_only BEFORE DELETE OR UPDATE ON public.tool_audit FOR EACH ROW EXECUTE FUNCTION app.tool_audit_immutable();

CREATE TRIGGER tool_calls_touch BEFORE UPDATE ON public.tool_calls FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER tool_integrations_touch BEFORE UPDATE ON public.tool_integrations FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER tool_policies_touch BEFORE UPDATE ON public.tool_policies FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER tool_sandbox_records_touch BEFORE UPDATE ON public.tool_sandbox_records FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER tool_settings_touch BEFORE UPDATE ON public.tool_settings FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER webhook_deliveries_touch BEFORE UPDATE ON public.webhook_deliveries FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TRIGGER webhooks_touch BEFORE UPDATE ON public.webhooks FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

ALTER TABLE ONLY app.automation_hook_ids
    ADD CONSTRAINT automation_hook_ids_automation_id_fkey FOREIGN KEY (automation_id) REFERENCES public.automations(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.automation_hooks
    ADD CONSTRAINT automation_hooks_automation_id_fkey FOREIGN KEY (automation_id) REFERENCES public.automations(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.automation_windows
    ADD CONSTRAINT automation_windows_automation_id_fkey FOREIGN KEY (automation_id) REFERENCES public.automations(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.integration_leases
    ADD CONSTRAINT integration_leases_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.integration_windows
    ADD CONSTRAINT integration_windows_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.rate_counters
    ADD CONSTRAINT rate_counters_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES public.api_keys(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.tenant_secrets
    ADD CONSTRAINT tenant_secrets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.webhook_secrets
    ADD CONSTRAINT webhook_secrets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY app.webhook_secrets
    ADD CONSTRAINT webhook_secrets_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES public.webhooks(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agent_memory
    ADD CONSTRAINT agent_memory_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agent_memory
    ADD CONSTRAINT agent_memory_superseded_by_fkey FOREIGN KEY (superseded_by) REFERENCES public.agent_memory(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.agent_memory
    ADD CONSTRAINT agent_memory_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agent_personas
    ADD CONSTRAINT agent_personas_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agent_personas
    ADD CONSTRAINT agent_personas_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agent_tasks
    ADD CONSTRAINT agent_tasks_blocked_by_fkey FOREIGN KEY (blocked_by) REFERENCES public.agent_tasks(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.agent_tasks
    ADD CONSTRAINT agent_tasks_parent_task_id_fkey FOREIGN KEY (parent_task_id) REFERENCES public.agent_tasks(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agent_tasks
    ADD CONSTRAINT agent_tasks_related_post_id_fkey FOREIGN KEY (related_post_id) REFERENCES public.blog_posts(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.agent_tasks
    ADD CONSTRAINT agent_tasks_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.runs(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.agent_tasks
    ADD CONSTRAINT agent_tasks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_parent_agent_id_fkey FOREIGN KEY (parent_agent_id) REFERENCES public.agents(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.agents
    ADD CONSTRAINT agents_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_rotated_from_fkey FOREIGN KEY (rotated_from) REFERENCES public.api_keys(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.approvals
    ADD CONSTRAINT approvals_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.approvals
    ADD CONSTRAINT approvals_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.automations
    ADD CONSTRAINT automations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.blog_posts
    ADD CONSTRAINT blog_posts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.budget_alerts
    ADD CONSTRAINT budget_alerts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.circuit_breakers
    ADD CONSTRAINT circuit_breakers_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.director_reviews
    ADD CONSTRAINT director_reviews_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.event_log
    ADD CONSTRAINT event_log_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.leads
    ADD CONSTRAINT leads_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memory_decisions
    ADD CONSTRAINT memory_decisions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memory_index_state
    ADD CONSTRAINT memory_index_state_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memory_index
    ADD CONSTRAINT memory_index_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memory_maintenance_reports
    ADD CONSTRAINT memory_maintenance_reports_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memory_policies
    ADD CONSTRAINT memory_policies_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.metrics
    ADD CONSTRAINT metrics_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.notification_deliveries
    ADD CONSTRAINT notification_deliveries_notification_id_fkey FOREIGN KEY (notification_id) REFERENCES public.notifications(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.notification_deliveries
    ADD CONSTRAINT notification_deliveries_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.notification_routes
    ADD CONSTRAINT notification_routes_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.request_log
    ADD CONSTRAINT request_log_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.run_steps
    ADD CONSTRAINT run_steps_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.run_steps
    ADD CONSTRAINT run_steps_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.run_waitpoints
    ADD CONSTRAINT run_waitpoints_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.run_waitpoints
    ADD CONSTRAINT run_waitpoints_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_forked_from_run_id_fkey FOREIGN KEY (forked_from_run_id) REFERENCES public.runs(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_kind_fkey FOREIGN KEY (kind) REFERENCES app.run_kinds(kind);

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_parent_run_id_fkey FOREIGN KEY (parent_run_id) REFERENCES public.runs(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.semantic_cache
    ADD CONSTRAINT semantic_cache_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.skills
    ADD CONSTRAINT skills_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_depends_on_id_fkey FOREIGN KEY (depends_on_id) REFERENCES public.agent_tasks(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_task_id_fkey FOREIGN KEY (task_id) REFERENCES public.agent_tasks(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT task_dependencies_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tenant_budgets
    ADD CONSTRAINT tenant_budgets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tenant_members
    ADD CONSTRAINT tenant_members_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tenant_members
    ADD CONSTRAINT tenant_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tool_assets
    ADD CONSTRAINT tool_assets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tool_audit
    ADD CONSTRAINT tool_audit_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tool_calls
    ADD CONSTRAINT tool_calls_approval_id_fkey FOREIGN KEY (approval_id) REFERENCES public.approvals(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.tool_calls
    ADD CONSTRAINT tool_calls_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.tool_calls
    ADD CONSTRAINT tool_calls_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tool_integrations
    ADD CONSTRAINT tool_integrations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tool_policies
    ADD CONSTRAINT tool_policies_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tool_sandbox_records
    ADD CONSTRAINT tool_sandbox_records_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tool_settings
    ADD CONSTRAINT tool_settings_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.usage_events
    ADD CONSTRAINT usage_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.usage_totals
    ADD CONSTRAINT usage_totals_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (webhook_id) REFERENCES public.webhooks(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE app.agent_templates ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.automation_hook_ids ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.automation_hooks ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.automation_windows ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.integration_leases ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.integration_windows ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.invoke_requests ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.local_secret_key ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.memory_maintenance_runs ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.model_prices ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.queue_consumers ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.queue_deferrals ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.queue_errors ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.queue_release_checks ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.queue_turns ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.queue_workers ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.rate_counters ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.run_kinds ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.secret_access_log ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.skill_templates ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.tenant_secrets ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.tick_jobs ENABLE ROW LEVEL SECURITY;

ALTER TABLE app.webhook_secrets ENABLE ROW LEVEL SECURITY;

CREATE POLICY "Agents are viewable within their tenant" ON public.agents FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Agents can be created within their tenant" ON public.agents FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Agents can be deleted within their tenant" ON public.agents FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Agents can be updated within their tenant" ON public.agents FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Approvals are viewable within their tenant" ON public.approvals FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Assets are viewable within their tenant" ON public.tool_assets FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Assets can be created within their tenant" ON public.tool_assets FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Assets can be deleted within their tenant" ON public.tool_assets FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Assets can be updated within their tenant" ON public.tool_assets FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Automations are viewable within their tenant" ON public.automations FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Automations can be changed within their tenant" ON public.automations FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Automations can be created within their tenant" ON public.automations FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Automations can be deleted within their tenant" ON public.automations FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Budget alerts are viewable within their tenant" ON public.budget_alerts FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Budgets are viewable within their tenant" ON public.tenant_budgets FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Budgets can be changed within their tenant" ON public.tenant_budgets FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Budgets can be set within their tenant" ON public.tenant_budgets FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Cached searches are viewable within their tenant" ON public.semantic_cache FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Cached searches can be dropped within their tenant" ON public.semantic_cache FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Cached searches can be refreshed within their tenant" ON public.semantic_cache FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Circuit breakers are viewable within their tenant" ON public.circuit_breakers FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Director reviews are viewable within their tenant" ON public.director_reviews FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Events are viewable within their tenant" ON public.event_log FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Index chunks are viewable within their tenant" ON public.memory_index FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Index state is viewable within its tenant" ON public.memory_index_state FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Keys are viewable within their tenant" ON public.api_keys FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Keys can be created within their tenant" ON public.api_keys FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Keys can be updated within their tenant" ON public.api_keys FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Leads are viewable within their tenant" ON public.leads FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Leads can be created within their tenant" ON public.leads FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Leads can be deleted within their tenant" ON public.leads FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Leads can be updated within their tenant" ON public.leads FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Maintenance reports are viewable within their tenant" ON public.memory_maintenance_reports FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Members are viewable within their tenant" ON public.tenant_members FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Memories are viewable within their tenant" ON public.agent_memory FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Memories can be forgotten within their tenant" ON public.agent_memory FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Memories can be stored within their tenant" ON public.agent_memory FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Memories can be updated within their tenant" ON public.agent_memory FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Memory decisions are recorded within their tenant" ON public.memory_decisions FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Memory decisions are viewable within their tenant" ON public.memory_decisions FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Memory policies are viewable within their tenant" ON public.memory_policies FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Metrics are viewable within their tenant" ON public.metrics FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Metrics can be recorded within their tenant" ON public.metrics FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Notification deliveries are viewable within their tenant" ON public.notification_deliveries FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Notification routes are viewable within their tenant" ON public.notification_routes FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Notification routes can be changed within their tenant" ON public.notification_routes FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Notification routes can be created within their tenant" ON public.notification_routes FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Notification routes can be deleted within their tenant" ON public.notification_routes FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Notifications are viewable within their tenant" ON public.notifications FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Notifications can be marked within their tenant" ON public.notifications FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Persona versions are viewable within their tenant" ON public.agent_personas FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Posts are viewable within their tenant" ON public.blog_posts FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Posts can be created within their tenant" ON public.blog_posts FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Posts can be deleted within their tenant" ON public.blog_posts FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Posts can be updated within their tenant" ON public.blog_posts FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Request logs are viewable within their tenant" ON public.request_log FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Run steps are viewable within their tenant" ON public.run_steps FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Runs are viewable within their tenant" ON public.runs FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Sandbox records are viewable within their tenant" ON public.tool_sandbox_records FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Searches can be cached within their tenant" ON public.semantic_cache FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Skills are viewable within their tenant" ON public.skills FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Skills can be created within their tenant" ON public.skills FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Skills can be updated within their tenant" ON public.skills FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Task dependencies are viewable within their tenant" ON public.task_dependencies FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Task dependencies can be created within their tenant" ON public.task_dependencies FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tasks are viewable within their tenant" ON public.agent_tasks FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tasks can be created within their tenant" ON public.agent_tasks FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tasks can be updated within their tenant" ON public.agent_tasks FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tenants are viewable by their own members and keys" ON public.tenants FOR SELECT TO authenticated USING ((id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool audit is viewable within its tenant" ON public.tool_audit FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool calls are viewable within their tenant" ON public.tool_calls FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool integrations are viewable within their tenant" ON public.tool_integrations FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool integrations can be created within their tenant" ON public.tool_integrations FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool integrations can be deleted within their tenant" ON public.tool_integrations FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool integrations can be updated within their tenant" ON public.tool_integrations FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool policies are viewable within their tenant" ON public.tool_policies FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool policies can be created within their tenant" ON public.tool_policies FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool policies can be deleted within their tenant" ON public.tool_policies FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool policies can be updated within their tenant" ON public.tool_policies FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool settings are viewable within their tenant" ON public.tool_settings FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool settings can be created within their tenant" ON public.tool_settings FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool settings can be deleted within their tenant" ON public.tool_settings FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Tool settings can be updated within their tenant" ON public.tool_settings FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Usage is viewable within its tenant" ON public.usage_events FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Usage totals are viewable within their tenant" ON public.usage_totals FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Waitpoints are viewable within their tenant" ON public.run_waitpoints FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Webhook deliveries are viewable within their tenant" ON public.webhook_deliveries FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Webhooks are viewable within their tenant" ON public.webhooks FOR SELECT TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Webhooks can be changed within their tenant" ON public.webhooks FOR UPDATE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id))) WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Webhooks can be created within their tenant" ON public.webhooks FOR INSERT TO authenticated WITH CHECK ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

CREATE POLICY "Webhooks can be deleted within their tenant" ON public.webhooks FOR DELETE TO authenticated USING ((tenant_id = ( SELECT app.tenant_id() AS tenant_id)));

ALTER TABLE public.agent_memory ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.agent_personas ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.agent_tasks ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.agents ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.approvals ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.automations ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.blog_posts ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.budget_alerts ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.circuit_breakers ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.director_reviews ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.event_log ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.leads ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.memory_decisions ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.memory_index ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.memory_index_state ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.memory_maintenance_reports ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.memory_policies ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.metrics ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.notification_deliveries ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.notification_routes ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.notifications ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.request_log ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.run_steps ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.run_waitpoints ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.runs ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.semantic_cache ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.skills ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.task_dependencies ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tenant_budgets ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tenant_members ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tool_assets ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tool_audit ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tool_calls ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tool_integrations ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tool_policies ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tool_sandbox_records ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.tool_settings ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.usage_events ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.usage_totals ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.webhook_deliveries ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.webhooks ENABLE ROW LEVEL SECURITY;

GRANT USAGE ON SCHEMA app TO authenticated;
GRANT USAGE ON SCHEMA app TO service_role;

GRANT USAGE ON SCHEMA public TO anon;
GRANT USAGE ON SCHEMA public TO authenticated;
GRANT USAGE ON SCHEMA public TO service_role;

REVOKE ALL ON FUNCTION app.agent_memory_guard() FROM PUBLIC;
GRANT ALL ON FUNCTION app.agent_memory_guard() TO service_role;

REVOKE ALL ON FUNCTION app.agent_memory_health_init() FROM PUBLIC;
GRANT ALL ON FUNCTION app.agent_memory_health_init() TO service_role;

REVOKE ALL ON FUNCTION app.agent_memory_index_sync() FROM PUBLIC;
GRANT ALL ON FUNCTION app.agent_memory_index_sync() TO service_role;

REVOKE ALL ON FUNCTION app.agent_pack_install(tenant_id uuid, pack text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.agent_pack_install(tenant_id uuid, pack text) TO service_role;

REVOKE ALL ON FUNCTION app.agent_persona_version() FROM PUBLIC;
GRANT ALL ON FUNCTION app.agent_persona_version() TO service_role;

REVOKE ALL ON FUNCTION app.agent_snapshot(tenant_id uuid, slug text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.agent_snapshot(tenant_id uuid, slug text) TO service_role;

REVOKE ALL ON FUNCTION app.api_key_consume(api_key_id uuid, client_ip inet) FROM PUBLIC;
GRANT ALL ON FUNCTION app.api_key_consume(api_key_id uuid, client_ip inet) TO service_role;

REVOKE ALL ON FUNCTION app.api_key_lookup(key_prefix text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.api_key_lookup(key_prefix text) TO service_role;

REVOKE ALL ON FUNCTION app.api_key_usage_record(uses jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.api_key_usage_record(uses jsonb) TO service_role;

GRANT SELECT ON TABLE public.approvals TO authenticated;
GRANT ALL ON TABLE public.approvals TO service_role;

REVOKE ALL ON FUNCTION app.approval_audit(approval public.approvals) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.approval_check_waitpoint(waitpoint_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.approval_decide(tenant_id uuid, approval_id uuid, decision text, reason text, decider jsonb, expected_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.approval_decide(tenant_id uuid, approval_id uuid, decision text, reason text, decider jsonb, expected_hash text) TO service_role;

REVOKE ALL ON FUNCTION app.approval_expire(approval public.approvals) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.approval_lock(tenant_id uuid, approval_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.approval_resolve_waits(approval public.approvals) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.approval_result(approval public.approvals) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.approvals_expire_due() FROM PUBLIC;
GRANT ALL ON FUNCTION app.approvals_expire_due() TO service_role;

REVOKE ALL ON FUNCTION app.approvals_withdraw_on_run_end() FROM PUBLIC;

REVOKE ALL ON FUNCTION app.approvers_available(tenant_id uuid, requested_by_user_id uuid, requested_by_key_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.approvers_available(tenant_id uuid, requested_by_user_id uuid, requested_by_key_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.automation_fire(tenant_id uuid, automation_id uuid, trigger jsonb, opts jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.automation_fire(tenant_id uuid, automation_id uuid, trigger jsonb, opts jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.automation_hook_accept(automation_id uuid, webhook_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.automation_hook_accept(automation_id uuid, webhook_id text) TO service_role;

REVOKE ALL ON FUNCTION app.automation_hook_secret(automation_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.automation_hook_secret(automation_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.automation_hook_set(tenant_id uuid, automation_id uuid, secret text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.automation_hook_set(tenant_id uuid, automation_id uuid, secret text) TO service_role;

REVOKE ALL ON FUNCTION app.automation_on_run_finished() FROM PUBLIC;
GRANT ALL ON FUNCTION app.automation_on_run_finished() TO service_role;

REVOKE ALL ON FUNCTION app.automation_schedule_set(tenant_id uuid, automation_id uuid, next_run_at timestamp with time zone, only_if_unset boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION app.automation_schedule_set(tenant_id uuid, automation_id uuid, next_run_at timestamp with time zone, only_if_unset boolean) TO service_role;

REVOKE ALL ON FUNCTION app.automation_window_take(tenant_id uuid, run_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.automation_window_take(tenant_id uuid, run_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.automations_schedule_due() FROM PUBLIC;
GRANT ALL ON FUNCTION app.automations_schedule_due() TO service_role;

REVOKE ALL ON FUNCTION app.automations_schedule_request() FROM PUBLIC;
GRANT ALL ON FUNCTION app.automations_schedule_request() TO service_role;

REVOKE ALL ON FUNCTION app.automations_want(tenant_id uuid, event_type text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.automations_want(tenant_id uuid, event_type text) TO service_role;

REVOKE ALL ON FUNCTION app.blog_post_index_sync() FROM PUBLIC;
GRANT ALL ON FUNCTION app.blog_post_index_sync() TO service_role;

REVOKE ALL ON FUNCTION app.breaker_allow(tenant_id uuid, key text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.breaker_allow(tenant_id uuid, key text) TO service_role;

REVOKE ALL ON FUNCTION app.breaker_record(tenant_id uuid, key text, ok boolean, error text, retry_after_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.breaker_record(tenant_id uuid, key text, ok boolean, error text, retry_after_seconds integer) TO service_role;

REVOKE ALL ON FUNCTION app.breaker_released(tenant_id uuid, release_key text) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.budget_assert(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.budget_assert(tenant_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.budget_status(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.budget_status(tenant_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.cleanup() FROM PUBLIC;
GRANT ALL ON FUNCTION app.cleanup() TO service_role;

REVOKE ALL ON FUNCTION app.delivery_enqueue(tenant_id uuid, kind text, delivery_id uuid, priority integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.delivery_enqueue(tenant_id uuid, kind text, delivery_id uuid, priority integer) TO service_role;

REVOKE ALL ON FUNCTION app.delivery_schedule(schedule jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.delivery_schedule(schedule jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.director_review(stall_after interval) FROM PUBLIC;
GRANT ALL ON FUNCTION app.director_review(stall_after interval) TO service_role;

REVOKE ALL ON FUNCTION app.event_emit(tenant_id uuid, event_type text, source text, payload jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.event_emit(tenant_id uuid, event_type text, source text, payload jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.events_route() FROM PUBLIC;
GRANT ALL ON FUNCTION app.events_route() TO service_role;

REVOKE ALL ON FUNCTION app.function_invoke(function_name text, body jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.function_invoke(function_name text, body jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.integration_acquire(tenant_id uuid, integration text, holder text, lease_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.integration_acquire(tenant_id uuid, integration text, holder text, lease_seconds integer) TO service_role;

REVOKE ALL ON FUNCTION app.integration_limits_cleanup() FROM PUBLIC;
GRANT ALL ON FUNCTION app.integration_limits_cleanup() TO service_role;

REVOKE ALL ON FUNCTION app.integration_release(tenant_id uuid, integration text, holder text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.integration_release(tenant_id uuid, integration text, holder text) TO service_role;

REVOKE ALL ON FUNCTION app.lead_note_index_sync() FROM PUBLIC;
GRANT ALL ON FUNCTION app.lead_note_index_sync() TO service_role;

REVOKE ALL ON FUNCTION app.local_encryption_key() FROM PUBLIC;

REVOKE ALL ON FUNCTION app.lock_down() FROM PUBLIC;

REVOKE ALL ON FUNCTION app.member_resolve(user_id uuid, requested_tenant uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.member_resolve(user_id uuid, requested_tenant uuid) TO service_role;

REVOKE ALL ON FUNCTION app.memory_chunks(content text, max_chars integer, overlap integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_chunks(content text, max_chars integer, overlap integer) TO service_role;

REVOKE ALL ON FUNCTION app.memory_content_text(content jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_content_text(content jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.memory_embed_send(tenant_id uuid, chunk_ids uuid[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.memory_embedding_dimensions() FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_embedding_dimensions() TO service_role;

REVOKE ALL ON FUNCTION app.memory_embedding_usage(tenant_id uuid, provider text, model text, tokens integer, chunks integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_embedding_usage(tenant_id uuid, provider text, model text, tokens integer, chunks integer) TO service_role;

REVOKE ALL ON FUNCTION app.memory_health(importance real, created_at timestamp with time zone, access_count integer, retrieval_count integer, avg_relevance real, expires_at timestamp with time zone, superseded boolean, contradiction_count integer, at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_health(importance real, created_at timestamp with time zone, access_count integer, retrieval_count integer, avg_relevance real, expires_at timestamp with time zone, superseded boolean, contradiction_count integer, at timestamp with time zone) TO service_role;

REVOKE ALL ON FUNCTION app.memory_index_before_update() FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_index_before_update() TO service_role;

REVOKE ALL ON FUNCTION app.memory_index_deleted() FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_index_deleted() TO service_role;

REVOKE ALL ON FUNCTION app.memory_index_inserted() FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_index_inserted() TO service_role;

REVOKE ALL ON FUNCTION app.memory_index_put(tenant_id uuid, source_type text, source_id uuid, title text, content text, attrs jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_index_put(tenant_id uuid, source_type text, source_id uuid, title text, content text, attrs jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.memory_index_updated() FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_index_updated() TO service_role;

REVOKE ALL ON FUNCTION app.memory_maintain_tenant(tenant_id uuid, run_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.memory_maintenance(only_tenant uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_maintenance(only_tenant uuid) TO service_role;

REVOKE ALL ON FUNCTION app.memory_policy_create() FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_policy_create() TO service_role;

REVOKE ALL ON FUNCTION app.memory_reindex(tenant_id uuid, model text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.memory_reindex(tenant_id uuid, model text) TO service_role;

REVOKE ALL ON FUNCTION app.metric_aggregate(tenant_id uuid, name text, since timestamp with time zone, until timestamp with time zone, aggregation text, dimensions jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.metric_aggregate(tenant_id uuid, name text, since timestamp with time zone, until timestamp with time zone, aggregation text, dimensions jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.notification_create(tenant_id uuid, n jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.notification_create(tenant_id uuid, n jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.notifications_cleanup() FROM PUBLIC;
GRANT ALL ON FUNCTION app.notifications_cleanup() TO service_role;

REVOKE ALL ON FUNCTION app.queue_ack(queue_name text, msg_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_ack(queue_name text, msg_id bigint) TO service_role;

REVOKE ALL ON FUNCTION app.queue_candidates(queue_name text, qty integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_candidates__agent_jobs(qty integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_candidates__automations(qty integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_candidates__deliveries(qty integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_candidates__embeddings(qty integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_candidates__events(qty integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_candidates__tool_calls(qty integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_claim(queue_name text, vt integer, qty integer, max_attempts integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_claim(queue_name text, vt integer, qty integer, max_attempts integer) TO service_role;

REVOKE ALL ON FUNCTION app.queue_consumer_done(queue_name text, worker_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_consumer_done(queue_name text, worker_id text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_dead_letter(queue_name text, msg_id bigint, error text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_dead_letter(queue_name text, msg_id bigint, error text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_defer(queue_name text, msg_id bigint, tenant_id uuid, delay_seconds integer, release_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_defer(queue_name text, msg_id bigint, tenant_id uuid, delay_seconds integer, release_key text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_dlq_name(queue_name text) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_ensure(queue_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_ensure(queue_name text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_fail(queue_name text, msg_id bigint, error text, retry_in_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_fail(queue_name text, msg_id bigint, error text, retry_in_seconds integer) TO service_role;

REVOKE ALL ON FUNCTION app.queue_heartbeat(queue_name text, msg_ids bigint[], vt integer, worker_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_heartbeat(queue_name text, msg_ids bigint[], vt integer, worker_id text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_message_malformed(message jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_message_malformed(message jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.queue_move_to_dlq(queue_name text, msg pgmq.message_record, error text) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_next_visible_in(queue_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_next_visible_in(queue_name text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_read(queue_name text, vt integer, qty integer, max_attempts integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_read(queue_name text, vt integer, qty integer, max_attempts integer) TO service_role;

REVOKE ALL ON FUNCTION app.queue_register(queue_name text, function_name text, description text, max_consumers integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_register(queue_name text, function_name text, description text, max_consumers integer) TO service_role;

REVOKE ALL ON FUNCTION app.queue_release(tenant_id uuid, release_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_release(tenant_id uuid, release_key text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_turn_taken(queue_name text, tenant_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.queue_wake(queue_name text, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_wake(queue_name text, reason text) TO service_role;

REVOKE ALL ON FUNCTION app.queue_wake_stalled() FROM PUBLIC;
GRANT ALL ON FUNCTION app.queue_wake_stalled() TO service_role;

REVOKE ALL ON FUNCTION app.queues_quarantine() FROM PUBLIC;
GRANT ALL ON FUNCTION app.queues_quarantine() TO service_role;

REVOKE ALL ON FUNCTION app.request_log_write(rows jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.request_log_write(rows jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.run_cancel(tenant_id uuid, run_id uuid, reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_cancel(tenant_id uuid, run_id uuid, reason text) TO service_role;

REVOKE ALL ON FUNCTION app.run_complete(tenant_id uuid, run_id uuid, msg_id bigint, output jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_complete(tenant_id uuid, run_id uuid, msg_id bigint, output jsonb) TO service_role;

GRANT SELECT ON TABLE public.runs TO authenticated;
GRANT ALL ON TABLE public.runs TO service_role;

REVOKE ALL ON FUNCTION app.run_create(tenant_id uuid, spec jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_create(tenant_id uuid, spec jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.run_defer(tenant_id uuid, run_id uuid, msg_id bigint, delay_seconds integer, reason text, release_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_defer(tenant_id uuid, run_id uuid, msg_id bigint, delay_seconds integer, reason text, release_key text) TO service_role;

REVOKE ALL ON FUNCTION app.run_enqueue(tenant_id uuid, run_id uuid, delay_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_enqueue(tenant_id uuid, run_id uuid, delay_seconds integer) TO service_role;

REVOKE ALL ON FUNCTION app.run_event(run public.runs, what text, extra jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.run_fail(tenant_id uuid, run_id uuid, msg_id bigint, error jsonb, retry_in_seconds integer, retryable boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_fail(tenant_id uuid, run_id uuid, msg_id bigint, error jsonb, retry_in_seconds integer, retryable boolean) TO service_role;

REVOKE ALL ON FUNCTION app.run_fork(tenant_id uuid, run_id uuid, from_seq integer, input jsonb, created_by text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_fork(tenant_id uuid, run_id uuid, from_seq integer, input jsonb, created_by text) TO service_role;

REVOKE ALL ON FUNCTION app.run_is_terminal(status text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_is_terminal(status text) TO service_role;
GRANT ALL ON FUNCTION app.run_is_terminal(status text) TO authenticated;

REVOKE ALL ON FUNCTION app.run_park(tenant_id uuid, run_id uuid, msg_id bigint, step_key text, mode text, waits jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_park(tenant_id uuid, run_id uuid, msg_id bigint, step_key text, mode text, waits jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.run_step_record(tenant_id uuid, run_id uuid, step jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.run_step_record(tenant_id uuid, run_id uuid, step jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.runs_claim(queue_name text, worker_id text, vt integer, qty integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.runs_claim(queue_name text, worker_id text, vt integer, qty integer) TO service_role;

REVOKE ALL ON FUNCTION app.runs_deadline_sweep() FROM PUBLIC;
GRANT ALL ON FUNCTION app.runs_deadline_sweep() TO service_role;

REVOKE ALL ON FUNCTION app.runs_heartbeat(queue_name text, worker_id text, msg_ids bigint[], vt integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.runs_heartbeat(queue_name text, worker_id text, msg_ids bigint[], vt integer) TO service_role;

REVOKE ALL ON FUNCTION app.secret_delete(tenant_id uuid, name text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.secret_delete(tenant_id uuid, name text) TO service_role;

REVOKE ALL ON FUNCTION app.secret_get(tenant_id uuid, name text, purpose text, origin text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.secret_get(tenant_id uuid, name text, purpose text, origin text) TO service_role;

REVOKE ALL ON FUNCTION app.secret_list(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.secret_list(tenant_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.secret_set(tenant_id uuid, name text, value text, origin text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.secret_set(tenant_id uuid, name text, value text, origin text) TO service_role;

REVOKE ALL ON FUNCTION app.session_coordination(run_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.session_coordination(run_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.session_spawn(tenant_id uuid, spec jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.session_spawn(tenant_id uuid, spec jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.session_spawn_orchestration(tenant_id uuid, spec jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.session_spawn_orchestration(tenant_id uuid, spec jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.table_event_emit() FROM PUBLIC;
GRANT ALL ON FUNCTION app.table_event_emit() TO service_role;

REVOKE ALL ON FUNCTION app.task_advance(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.task_advance(tenant_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.task_dependency_check() FROM PUBLIC;
GRANT ALL ON FUNCTION app.task_dependency_check() TO service_role;

REVOKE ALL ON FUNCTION app.task_finish(tenant_id uuid, task_id uuid, outcome text, output jsonb, error text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.task_finish(tenant_id uuid, task_id uuid, outcome text, output jsonb, error text) TO service_role;

REVOKE ALL ON FUNCTION app.task_links_check() FROM PUBLIC;
GRANT ALL ON FUNCTION app.task_links_check() TO service_role;

REVOKE ALL ON FUNCTION app.task_on_session_status() FROM PUBLIC;
GRANT ALL ON FUNCTION app.task_on_session_status() TO service_role;

REVOKE ALL ON FUNCTION app.task_retry(tenant_id uuid, task_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.task_retry(tenant_id uuid, task_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.tasks_sweep() FROM PUBLIC;
GRANT ALL ON FUNCTION app.tasks_sweep() TO service_role;

REVOKE ALL ON FUNCTION app.tenant_id() FROM PUBLIC;
GRANT ALL ON FUNCTION app.tenant_id() TO service_role;
GRANT ALL ON FUNCTION app.tenant_id() TO authenticated;

REVOKE ALL ON FUNCTION app.tenant_limit(tenant_id uuid, name text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tenant_limit(tenant_id uuid, name text) TO service_role;

REVOKE ALL ON FUNCTION app.tenant_limits(tenant_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tenant_limits(tenant_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.tenant_secret_forget() FROM PUBLIC;

REVOKE ALL ON FUNCTION app.text_is_uuid(value text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.text_is_uuid(value text) TO service_role;

REVOKE ALL ON FUNCTION app.threshold_check(automation_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.threshold_check(automation_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.thresholds_due() FROM PUBLIC;
GRANT ALL ON FUNCTION app.thresholds_due() TO service_role;

REVOKE ALL ON FUNCTION app.tick() FROM PUBLIC;
GRANT ALL ON FUNCTION app.tick() TO service_role;

REVOKE ALL ON PROCEDURE app.tick_loop(IN seconds integer, IN interval_ms integer) FROM PUBLIC;
GRANT ALL ON PROCEDURE app.tick_loop(IN seconds integer, IN interval_ms integer) TO service_role;

REVOKE ALL ON FUNCTION app.tick_register(name text, function_name text, run_order integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tick_register(name text, function_name text, run_order integer) TO service_role;

REVOKE ALL ON FUNCTION app.tool_args_hash(arguments jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_args_hash(arguments jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.tool_audit_immutable() FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_audit_immutable() TO service_role;

REVOKE ALL ON FUNCTION app.tool_audit_write(tenant_id uuid, entry jsonb) FROM PUBLIC;

GRANT SELECT ON TABLE public.tool_calls TO authenticated;
GRANT ALL ON TABLE public.tool_calls TO service_role;

REVOKE ALL ON FUNCTION app.tool_call_create(tenant_id uuid, spec jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.tool_call_finish(tenant_id uuid, tool_call_id uuid, outcome jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_call_finish(tenant_id uuid, tool_call_id uuid, outcome jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.tool_call_requeue(tenant_id uuid, tool_call_id uuid, error jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_call_requeue(tenant_id uuid, tool_call_id uuid, error jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.tool_call_start(tenant_id uuid, tool_call_id uuid, msg_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_call_start(tenant_id uuid, tool_call_id uuid, msg_id bigint) TO service_role;

REVOKE ALL ON FUNCTION app.tool_call_submit(tenant_id uuid, spec jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_call_submit(tenant_id uuid, spec jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.tool_calls_sweep() FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_calls_sweep() TO service_role;

REVOKE ALL ON FUNCTION app.tool_gate_context(tenant_id uuid, tool text, integration text, run_id uuid, requester jsonb, asset_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_gate_context(tenant_id uuid, tool text, integration text, run_id uuid, requester jsonb, asset_id text) TO service_role;

REVOKE ALL ON FUNCTION app.tool_gate_record(tenant_id uuid, rec jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.tool_gate_record(tenant_id uuid, rec jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.touch_updated_at() FROM PUBLIC;
GRANT ALL ON FUNCTION app.touch_updated_at() TO service_role;

REVOKE ALL ON FUNCTION app.usage_record(tenant_id uuid, usage jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.usage_record(tenant_id uuid, usage jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.waitpoint_resolve(waitpoint_id uuid, status text, result jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.waitpoint_step_check(run_id uuid, step_key text, resume boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.waitpoint_token_complete(tenant_id uuid, token_hash text, result jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION app.waitpoint_token_complete(tenant_id uuid, token_hash text, result jsonb) TO service_role;

REVOKE ALL ON FUNCTION app.waitpoint_token_create(tenant_id uuid, run_id uuid, token_hash text, timeout_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION app.waitpoint_token_create(tenant_id uuid, run_id uuid, token_hash text, timeout_at timestamp with time zone) TO service_role;

REVOKE ALL ON FUNCTION app.waitpoints_cancel(tenant_id uuid, run_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.waitpoints_cancel(tenant_id uuid, run_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.waitpoints_due() FROM PUBLIC;
GRANT ALL ON FUNCTION app.waitpoints_due() TO service_role;

REVOKE ALL ON FUNCTION app.waitpoints_on_event() FROM PUBLIC;
GRANT ALL ON FUNCTION app.waitpoints_on_event() TO service_role;

REVOKE ALL ON FUNCTION app.waitpoints_on_run_finished(tenant_id uuid, run_id uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION app.webhook_dispatch(tenant_id uuid, event jsonb, webhook_ids uuid[]) FROM PUBLIC;
GRANT ALL ON FUNCTION app.webhook_dispatch(tenant_id uuid, event jsonb, webhook_ids uuid[]) TO service_role;

REVOKE ALL ON FUNCTION app.webhook_event_patterns(event_type text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.webhook_event_patterns(event_type text) TO service_role;

REVOKE ALL ON FUNCTION app.webhook_secret_forget() FROM PUBLIC;

REVOKE ALL ON FUNCTION app.webhook_secret_rotate(tenant_id uuid, webhook_id uuid, overlap_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION app.webhook_secret_rotate(tenant_id uuid, webhook_id uuid, overlap_seconds integer) TO service_role;

REVOKE ALL ON FUNCTION app.webhook_signing_secrets(tenant_id uuid, webhook_id uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION app.webhook_signing_secrets(tenant_id uuid, webhook_id uuid) TO service_role;

REVOKE ALL ON FUNCTION app.webhooks_cleanup() FROM PUBLIC;
GRANT ALL ON FUNCTION app.webhooks_cleanup() TO service_role;

REVOKE ALL ON FUNCTION app.webhooks_want(tenant_id uuid, event_type text) FROM PUBLIC;
GRANT ALL ON FUNCTION app.webhooks_want(tenant_id uuid, event_type text) TO service_role;

REVOKE ALL ON FUNCTION public.memory_search(query_text text, query_embedding extensions.vector, match_count integer, filters jsonb, options jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.memory_search(query_text text, query_embedding extensions.vector, match_count integer, filters jsonb, options jsonb) TO service_role;
GRANT ALL ON FUNCTION public.memory_search(query_text text, query_embedding extensions.vector, match_count integer, filters jsonb, options jsonb) TO authenticated;

GRANT SELECT ON TABLE public.memory_index TO authenticated;
GRANT ALL ON TABLE public.memory_index TO service_role;

GRANT SELECT ON TABLE app.memory_fts TO authenticated;
GRANT SELECT ON TABLE app.memory_fts TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.agent_memory TO authenticated;
GRANT ALL ON TABLE public.agent_memory TO service_role;

GRANT SELECT ON TABLE public.agent_personas TO authenticated;
GRANT ALL ON TABLE public.agent_personas TO service_role;

GRANT SELECT ON TABLE public.agent_sessions TO authenticated;
GRANT ALL ON TABLE public.agent_sessions TO service_role;

GRANT SELECT,INSERT,UPDATE ON TABLE public.agent_tasks TO authenticated;
GRANT ALL ON TABLE public.agent_tasks TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.agents TO authenticated;
GRANT ALL ON TABLE public.agents TO service_role;

GRANT ALL ON TABLE public.api_keys TO service_role;

GRANT SELECT(id) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(tenant_id),INSERT(tenant_id),UPDATE(tenant_id) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(name),INSERT(name),UPDATE(name) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(description),INSERT(description),UPDATE(description) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(key_prefix),INSERT(key_prefix) ON TABLE public.api_keys TO authenticated;

GRANT INSERT(key_hash) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(scopes),INSERT(scopes) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(rate_limit_per_minute),INSERT(rate_limit_per_minute) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(rate_limit_per_day),INSERT(rate_limit_per_day) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(total_requests) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(last_used_at) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(last_used_ip) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(allowed_ips),INSERT(allowed_ips) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(expires_at),INSERT(expires_at),UPDATE(expires_at) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(is_active),UPDATE(is_active) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(revoked_at),UPDATE(revoked_at) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(revoked_reason),UPDATE(revoked_reason) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(rotated_from),INSERT(rotated_from) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(agent_id),INSERT(agent_id) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(created_by),INSERT(created_by) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(created_at) ON TABLE public.api_keys TO authenticated;

GRANT SELECT(updated_at) ON TABLE public.api_keys TO authenticated;

GRANT SELECT ON TABLE public.automation_runs TO authenticated;
GRANT ALL ON TABLE public.automation_runs TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.automations TO authenticated;
GRANT ALL ON TABLE public.automations TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.blog_posts TO authenticated;
GRANT ALL ON TABLE public.blog_posts TO service_role;

GRANT SELECT ON TABLE public.budget_alerts TO authenticated;
GRANT ALL ON TABLE public.budget_alerts TO service_role;

GRANT SELECT ON TABLE public.circuit_breakers TO authenticated;
GRANT ALL ON TABLE public.circuit_breakers TO service_role;

GRANT SELECT ON TABLE public.director_reviews TO authenticated;
GRANT ALL ON TABLE public.director_reviews TO service_role;

GRANT SELECT ON TABLE public.event_log TO authenticated;
GRANT ALL ON TABLE public.event_log TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.leads TO authenticated;
GRANT ALL ON TABLE public.leads TO service_role;

GRANT SELECT,INSERT ON TABLE public.memory_decisions TO authenticated;
GRANT ALL ON TABLE public.memory_decisions TO service_role;

GRANT SELECT ON TABLE public.memory_index_state TO authenticated;
GRANT ALL ON TABLE public.memory_index_state TO service_role;

GRANT SELECT ON TABLE public.memory_maintenance_reports TO authenticated;
GRANT ALL ON TABLE public.memory_maintenance_reports TO service_role;

GRANT SELECT ON TABLE public.memory_policies TO authenticated;
GRANT ALL ON TABLE public.memory_policies TO service_role;

GRANT SELECT,INSERT ON TABLE public.metrics TO authenticated;
GRANT ALL ON TABLE public.metrics TO service_role;

GRANT ALL ON SEQUENCE public.metrics_id_seq TO anon;
GRANT ALL ON SEQUENCE public.metrics_id_seq TO authenticated;
GRANT ALL ON SEQUENCE public.metrics_id_seq TO service_role;

GRANT ALL ON TABLE public.notification_deliveries TO service_role;
GRANT SELECT ON TABLE public.notification_deliveries TO authenticated;

GRANT ALL ON TABLE public.notification_routes TO service_role;
GRANT SELECT,DELETE ON TABLE public.notification_routes TO authenticated;

GRANT INSERT(tenant_id) ON TABLE public.notification_routes TO authenticated;

GRANT INSERT(severity) ON TABLE public.notification_routes TO authenticated;

GRANT INSERT(channels),UPDATE(channels) ON TABLE public.notification_routes TO authenticated;

GRANT SELECT ON TABLE public.notifications TO authenticated;
GRANT ALL ON TABLE public.notifications TO service_role;

GRANT UPDATE(read) ON TABLE public.notifications TO authenticated;

GRANT UPDATE(read_at) ON TABLE public.notifications TO authenticated;

GRANT UPDATE(dismissed) ON TABLE public.notifications TO authenticated;

GRANT UPDATE(dismissed_at) ON TABLE public.notifications TO authenticated;

GRANT SELECT ON TABLE public.request_log TO authenticated;
GRANT ALL ON TABLE public.request_log TO service_role;

GRANT ALL ON SEQUENCE public.request_log_id_seq TO anon;
GRANT ALL ON SEQUENCE public.request_log_id_seq TO authenticated;
GRANT ALL ON SEQUENCE public.request_log_id_seq TO service_role;

GRANT SELECT ON TABLE public.run_steps TO authenticated;
GRANT ALL ON TABLE public.run_steps TO service_role;

GRANT SELECT ON TABLE public.run_waitpoints TO authenticated;
GRANT ALL ON TABLE public.run_waitpoints TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.semantic_cache TO authenticated;
GRANT ALL ON TABLE public.semantic_cache TO service_role;

GRANT SELECT,INSERT,UPDATE ON TABLE public.skills TO authenticated;
GRANT ALL ON TABLE public.skills TO service_role;

GRANT SELECT,INSERT ON TABLE public.task_dependencies TO authenticated;
GRANT ALL ON TABLE public.task_dependencies TO service_role;

GRANT SELECT,INSERT,UPDATE ON TABLE public.tenant_budgets TO authenticated;
GRANT ALL ON TABLE public.tenant_budgets TO service_role;

GRANT SELECT ON TABLE public.tenant_members TO authenticated;
GRANT ALL ON TABLE public.tenant_members TO service_role;

GRANT SELECT ON TABLE public.tenants TO authenticated;
GRANT ALL ON TABLE public.tenants TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.tool_assets TO authenticated;
GRANT ALL ON TABLE public.tool_assets TO service_role;

GRANT SELECT ON TABLE public.tool_audit TO authenticated;
GRANT ALL ON TABLE public.tool_audit TO service_role;

GRANT ALL ON SEQUENCE public.tool_audit_seq_seq TO anon;
GRANT ALL ON SEQUENCE public.tool_audit_seq_seq TO authenticated;
GRANT ALL ON SEQUENCE public.tool_audit_seq_seq TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.tool_integrations TO authenticated;
GRANT ALL ON TABLE public.tool_integrations TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.tool_policies TO authenticated;
GRANT ALL ON TABLE public.tool_policies TO service_role;

GRANT SELECT ON TABLE public.tool_sandbox_records TO authenticated;
GRANT ALL ON TABLE public.tool_sandbox_records TO service_role;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.tool_settings TO authenticated;
GRANT ALL ON TABLE public.tool_settings TO service_role;

GRANT SELECT ON TABLE public.usage_events TO authenticated;
GRANT ALL ON TABLE public.usage_events TO service_role;

GRANT SELECT ON TABLE public.usage_totals TO authenticated;
GRANT ALL ON TABLE public.usage_totals TO service_role;

GRANT ALL ON TABLE public.webhook_deliveries TO service_role;
GRANT SELECT ON TABLE public.webhook_deliveries TO authenticated;

GRANT ALL ON TABLE public.webhooks TO service_role;
GRANT SELECT,DELETE ON TABLE public.webhooks TO authenticated;

GRANT INSERT(tenant_id) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(name),UPDATE(name) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(description),UPDATE(description) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(url),UPDATE(url) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(events),UPDATE(events) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(filter),UPDATE(filter) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(is_active),UPDATE(is_active) ON TABLE public.webhooks TO authenticated;

GRANT UPDATE(disabled_reason) ON TABLE public.webhooks TO authenticated;

GRANT UPDATE(disabled_at) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(retry_schedule_seconds),UPDATE(retry_schedule_seconds) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(timeout_ms),UPDATE(timeout_ms) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(metadata),UPDATE(metadata) ON TABLE public.webhooks TO authenticated;

GRANT INSERT(created_by) ON TABLE public.webhooks TO authenticated;

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES  TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS  TO service_role;

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES  TO service_role;

