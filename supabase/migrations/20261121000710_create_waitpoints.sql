-- Waitpoints: what a parked run waits for — a time, an event, other runs, a completion token,
-- an approval — alone or composed (any of several, or all of them). A run parks with no
-- worker and no connection held; resolving its waits records the wait step (the memo), cancels
-- the losers and queues the run again at once. app.tick resolves due timers and timeouts.
--
-- Races are closed with locks, never with sleeps: a wait for an event holds an exclusive
-- advisory lock on (tenant, event name) while it looks back for a matching event, and every
-- event insert holds the shared variant while it looks for waiters; a wait for runs locks those
-- runs before its own row, the same order in which a finishing run reaches its waiters.

-- ============================================================================
-- WAITPOINTS
-- ============================================================================
create table public.run_waitpoints (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  run_id uuid not null references public.runs (id) on delete cascade,
  step_key text,
  mode text not null default 'any' check (mode in ('any', 'all')),
  position integer not null default 0,
  kind text not null check (kind in ('time', 'event', 'runs', 'token', 'approval')),
  status text not null default 'pending' check (status in ('pending', 'resolved', 'timed_out', 'cancelled')),
  resume_at timestamptz,
  event_names text[],
  event_keys text[],
  event_filter jsonb,
  run_ids uuid[],
  runs_mode text check (runs_mode in ('all', 'any')),
  approval_id uuid,
  token_hash text unique,
  result jsonb,
  created_at timestamptz not null default clock_timestamp(),
  resolved_at timestamptz,
  check (kind <> 'event' or cardinality(event_names) > 0),
  check (kind <> 'runs' or cardinality(run_ids) > 0),
  check (kind <> 'time' or resume_at is not null)
);
create index run_waitpoints_tenant_run_idx on public.run_waitpoints (tenant_id, run_id, step_key);
create index run_waitpoints_due_idx on public.run_waitpoints (resume_at) where status = 'pending';
create index run_waitpoints_events_idx on public.run_waitpoints using gin (event_keys) where status = 'pending';
create index run_waitpoints_runs_idx on public.run_waitpoints using gin (run_ids) where status = 'pending';
create index run_waitpoints_approval_idx on public.run_waitpoints (approval_id) where status = 'pending';
comment on table public.run_waitpoints is 'What parked runs wait for. A wait step (step_key) has one or more waitpoints; mode any resumes on the first resolved, all when every one is resolved. Resolved, timed out or cancelled waitpoints stay as the record.';
comment on column public.run_waitpoints.step_key is 'The wait step this belongs to (its output is recorded under this key in run_steps). Null for a completion token not awaited yet.';
comment on column public.run_waitpoints.mode is 'any: the first resolved waitpoint of the step wins and the rest are cancelled; all: the step resumes when every one is resolved or timed out.';
comment on column public.run_waitpoints.position is 'Index of this waitpoint in its step''s list of waits.';
comment on column public.run_waitpoints.kind is 'time (until resume_at), event (names + filter), runs (other runs finish), token (an outside caller completes it), approval (a person decides).';
comment on column public.run_waitpoints.status is 'pending, resolved, timed_out (its timeout passed: the run resumes with a timeout result, not an error), cancelled (its run was cancelled, or another waitpoint of an any-step won).';
comment on column public.run_waitpoints.resume_at is 'time: when it resolves; other kinds: when it times out (null = never).';
comment on column public.run_waitpoints.event_names is 'event: the event types (any of them) that resolve it.';
comment on column public.run_waitpoints.event_keys is 'event: <tenant_id>:<event type> for each name (the indexed lookup an event insert uses).';
comment on column public.run_waitpoints.event_filter is 'event: the event payload must contain this JSON (payload @> filter); null = any payload.';
comment on column public.run_waitpoints.run_ids is 'runs: the runs waited for.';
comment on column public.run_waitpoints.runs_mode is 'runs: all (every run finished) or any (the first finished).';
comment on column public.run_waitpoints.token_hash is 'token: SHA-256 of the completion token handed to the outside caller (the token itself is never stored).';
comment on column public.run_waitpoints.result is 'What resolved it: {at} for time, the event row, {runs: [{id, status}]}, the token''s payload, the decision; {timed_out: true} on a timeout.';
comment on column public.run_waitpoints.run_id is 'The parked run that waits on it.';
comment on column public.run_waitpoints.approval_id is 'approval: the approval (public.approvals) whose decision resolves it.';
comment on column public.run_waitpoints.resolved_at is 'When it left pending (resolved, timed out or cancelled); null while pending.';

alter table public.run_waitpoints enable row level security;
alter table public.run_waitpoints force row level security;
create policy "Waitpoints are viewable within their tenant" on public.run_waitpoints
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.run_waitpoints from anon;
revoke insert, update, delete on public.run_waitpoints from authenticated;

-- ============================================================================
-- RESOLUTION
-- ============================================================================

-- If the wait step (run, step_key) is satisfied, records it, cancels its other waitpoints and
-- queues the run again; returns the step's output (null while it must keep waiting).
-- The caller holds the run's row lock.
create or replace function app.waitpoint_step_check(run_id uuid, step_key text, resume boolean)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.waitpoint_step_check(uuid, text, boolean) is 'Internal: completes a wait step whose waitpoints are satisfied (any: first resolved; all: none pending): records it in run_steps, cancels the losers and, with resume, queues the waiting run.';

-- Resolves (or times out) one pending waitpoint and resumes its run when its step is satisfied.
create or replace function app.waitpoint_resolve(waitpoint_id uuid, status text, result jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.waitpoint_resolve(uuid, text, jsonb) is 'Internal: resolves (status resolved) or times out (timed_out) a pending waitpoint with result, then resumes its run if the wait step is satisfied. False when it was no longer pending.';

-- Cancels a run's pending waitpoints (the run was cancelled or failed).
create or replace function app.waitpoints_cancel(tenant_id uuid, run_id uuid)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update public.run_waitpoints w set status = 'cancelled', resolved_at = now()
  where w.run_id = waitpoints_cancel.run_id and w.tenant_id = waitpoints_cancel.tenant_id and w.status = 'pending';
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function app.waitpoints_cancel(uuid, uuid) is 'Cancels every pending waitpoint of a run (cancelling a run cancels its waits).';

-- A run finished: resolves the runs-waitpoints of the runs waiting for it (all or any).
create or replace function app.waitpoints_on_run_finished(tenant_id uuid, run_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.waitpoints_on_run_finished(uuid, uuid) is 'Internal: after a run finished, resolves the waitpoints of runs waiting for it (all of their runs, or any).';

-- Matches a new event against pending event waitpoints of its tenant, in the event's transaction.
create or replace function app.waitpoints_on_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.waitpoints_on_event() is 'Trigger (after insert on event_log): resolves the pending waits for this event type whose filter the payload contains, in the event''s own transaction.';
create trigger event_log_resolve_waits after insert on public.event_log
  for each row execute function app.waitpoints_on_event();

-- ============================================================================
-- PARK (worker side)
-- ============================================================================

-- Parks a running run on the wait step step_key with waits (a list; mode any or all), or returns
-- the step's output at once when the waits are already satisfied (a time past, an event within
-- the lookback, runs finished, a token completed). Parking archives the run's message: no worker
-- and no message hold it while it waits. Returns {parked: bool, output}.
-- Each wait: {kind: time, at} | {kind: event, events: [..], filter?, timeout_at?, lookback_seconds?}
--   | {kind: runs, run_ids: [..], mode?: all|any, timeout_at?} | {kind: token, waitpoint_id, timeout_at?}
--   | {kind: approval, approval_id, timeout_at?}
create or replace function app.run_park(tenant_id uuid, run_id uuid, msg_id bigint, step_key text, mode text, waits jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.run_park(uuid, uuid, bigint, text, text, jsonb) is 'Workers: parks a running run on a wait step (waitpoints of kind time, event, runs, token, approval; mode any or all), or returns the step''s output at once when already satisfied. Parking archives the run''s message and emits run.waiting.';

-- ============================================================================
-- COMPLETION TOKENS
-- ============================================================================

-- Creates a completion token for a run: an unawaited token waitpoint (timeout optional).
-- Returns the waitpoint id; the caller keeps the token (only its SHA-256 is stored).
create or replace function app.waitpoint_token_create(tenant_id uuid, run_id uuid, token_hash text, timeout_at timestamptz)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
comment on function app.waitpoint_token_create(uuid, uuid, text, timestamptz) is 'Workers: creates a completion token (waitpoint of kind token) for a run; only the token''s SHA-256 is stored. An outside caller completes it with app.waitpoint_token_complete.';

-- Completes a token of the tenant with a result (single use); resumes the run waiting on it.
create or replace function app.waitpoint_token_complete(tenant_id uuid, token_hash text, result jsonb)
returns table (waitpoint_id uuid, run_id uuid, status text)
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.waitpoint_token_complete(uuid, text, jsonb) is 'Completes a completion token once (tenant-scoped) with result; the run waiting on it resumes with the result. A used, timed-out or cancelled token answers CONFLICT.';

-- Until approvals exist (the tools migration replaces it): an approval waitpoint stays pending.
create or replace function app.approval_check_waitpoint(waitpoint_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform 1 from public.run_waitpoints w where w.id = approval_check_waitpoint.waitpoint_id;
end;
$$;
comment on function app.approval_check_waitpoint(uuid) is 'Internal: resolves an approval waitpoint at once when its approval was already decided (replaced by the approvals migration).';

-- ============================================================================
-- PERIODIC WORK (run by app.tick)
-- ============================================================================

-- Resolves due timers and times out due waits (their runs resume with a timeout result).
create or replace function app.waitpoints_due()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.waitpoints_due() is 'Tick job: resolves due timers and times out due waits (the run resumes with a timeout result, not an error).';

-- Cancels runs past their deadline whose kind cancels on deadline (the others time out their waits).
create or replace function app.runs_deadline_sweep()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.runs_deadline_sweep() is 'Tick job: cancels queued, running or waiting runs past deadline_at whose kind cancels on deadline.';

select app.tick_register('waitpoints', 'app.waitpoints_due', 100);
select app.tick_register('deadlines', 'app.runs_deadline_sweep', 200);

select app.lock_down();
