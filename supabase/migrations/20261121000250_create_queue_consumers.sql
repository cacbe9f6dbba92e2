-- What every queue consumer shares (supabase/functions/_shared/queue/): fair claiming across
-- tenants, heartbeats, deferrals that can be released early, and wake-ups.
--
-- Every Ora message carries {"tenant_id": uuid, "priority": integer, …}. Claims take each
-- tenant's head (highest priority, then oldest) before anyone's second message, and among
-- tenants the one served longest ago first, so one tenant's burst cannot starve another.

-- ============================================================================
-- FAIRNESS STATE
-- ============================================================================
create table app.queue_turns (
  queue_name text not null,
  tenant_id uuid not null,
  served_at timestamptz not null,
  primary key (queue_name, tenant_id)
);
comment on table app.queue_turns is 'Internal: when each tenant last had a message claimed from each queue; claims serve the tenant served longest ago first.';
comment on column app.queue_turns.served_at is 'Clock time of the tenant''s latest claim from this queue.';
alter table app.queue_turns enable row level security;
alter table app.queue_turns force row level security;
revoke all on table app.queue_turns from public, anon, authenticated, service_role;

-- ============================================================================
-- DEFERRALS (released early by the event that ends their reason)
-- ============================================================================
create table app.queue_deferrals (
  queue_name text not null,
  msg_id bigint not null,
  tenant_id uuid not null,
  release_key text not null,
  until timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (queue_name, msg_id)
);
create index queue_deferrals_key_idx on app.queue_deferrals (tenant_id, release_key);
comment on table app.queue_deferrals is 'Internal: messages put back without using an attempt (e.g. an open circuit breaker), by the key whose change releases them at once (app.queue_release).';

-- What tells a deferral that its release already happened. A deferral is registered after the
-- worker saw the blocking condition (an open breaker) in an earlier transaction; if the condition
-- cleared in between, the release found nothing to release. So app.queue_defer checks again after
-- registering, through the check registered for the key's prefix, which locks what it reads (a
-- concurrent release then either sees the deferral or is seen by the check).
create table app.queue_release_checks (
  prefix text primary key check (prefix ~ '^[a-z][a-z0-9_]*:$'),
  function_name text not null check (function_name ~ '^app\.[a-z][a-z0-9_]*$')
);
comment on table app.queue_release_checks is 'Internal: per release-key prefix (e.g. breaker:), the app function (tenant_id uuid, release_key text) → boolean that says whether the key is already released; app.queue_defer calls it after registering a deferral.';
alter table app.queue_release_checks enable row level security;
alter table app.queue_release_checks force row level security;
revoke all on table app.queue_release_checks from public, anon, authenticated, service_role;
comment on column app.queue_deferrals.release_key is 'What the message waits for, e.g. breaker:llm:api.openai.com; app.queue_release(tenant, key) makes every message deferred on it visible now.';
comment on column app.queue_deferrals.until is 'When the message becomes visible by itself if nothing releases it earlier.';
alter table app.queue_deferrals enable row level security;
alter table app.queue_deferrals force row level security;
revoke all on table app.queue_deferrals from public, anon, authenticated, service_role;

-- ============================================================================
-- CONSUMERS (leases of running worker invocations)
-- ============================================================================
create table app.queue_consumers (
  queue_name text not null,
  worker_id text not null,
  expires_at timestamptz not null,
  primary key (queue_name, worker_id)
);
comment on table app.queue_consumers is 'Internal: worker invocations draining a queue right now (a lease renewed by their heartbeat). app.tick wakes a queue''s worker when visible work waits and fewer than its max consumers are alive.';
comment on column app.queue_consumers.queue_name is 'The queue (app.queue_workers) the worker invocation is draining.';
comment on column app.queue_consumers.worker_id is 'Id of the worker invocation holding the lease, as passed to app.queue_heartbeat.';
comment on column app.queue_consumers.expires_at is 'End of the lease: set to now + 2 × the visibility timeout on every heartbeat; app.tick deletes expired rows.';
alter table app.queue_consumers enable row level security;
alter table app.queue_consumers force row level security;
revoke all on table app.queue_consumers from public, anon, authenticated, service_role;

-- Which function drains which queue, and how many invocations may drain it at once.
create table app.queue_workers (
  queue_name text primary key,
  function_name text not null check (function_name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  max_consumers integer not null default 2 check (max_consumers between 0 and 100),
  description text not null
);
comment on table app.queue_workers is 'Each queue and the Edge Function that drains it. Enqueueing wakes that function at once; app.tick wakes it again while visible messages wait unclaimed and fewer than max_consumers invocations are draining (0 pauses the tick''s wake-ups for that queue, e.g. during a benchmark).';
comment on column app.queue_workers.queue_name is 'The pgmq queue (messages live in pgmq.q_<queue_name>); registered with app.queue_register.';
comment on column app.queue_workers.function_name is 'The Edge Function (lowercase slug) that drains this queue and that app.queue_wake invokes.';
comment on column app.queue_workers.max_consumers is 'Invocations (0-100) that may drain the queue at once before app.tick stops waking more; 0 pauses the tick''s wake-ups.';
comment on column app.queue_workers.description is 'What the queue carries, in plain words (set by app.queue_register).';
alter table app.queue_workers enable row level security;
alter table app.queue_workers force row level security;
revoke all on table app.queue_workers from public, anon, authenticated, service_role;

-- ============================================================================
-- QUEUE SET-UP
-- ============================================================================

-- The message contract of every tenant-aware queue: tenant_id is a uuid, and run_id, when the
-- message has one, is a uuid too. A message that breaks it (an operator's hand-sent message, a
-- producer bug) could never be claimed fairly — a tenant-less one would sit and wake its worker on
-- every tick, a malformed id would fail every claim of the queue — so claims skip it and
-- app.queues_quarantine moves it to the dead-letter queue.
create or replace function app.text_is_uuid(value text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(text_is_uuid.value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false)
$$;
comment on function app.text_is_uuid(text) is 'Whether text is a uuid in its canonical 8-4-4-4-12 hex form (any case); false for null. Used by the queue contract.';

create or replace function app.queue_message_malformed(message jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select not app.text_is_uuid(queue_message_malformed.message ->> 'tenant_id')
    or (queue_message_malformed.message ? 'run_id' and not app.text_is_uuid(queue_message_malformed.message ->> 'run_id'))
$$;
comment on function app.queue_message_malformed(jsonb) is 'The queue contract (used by claims, the quarantine and each queue''s partial index): true for a message that breaks the tenant-aware queue contract (tenant_id not a uuid, or a run_id that is not one).';

-- Creates a tenant-aware queue (and its dead-letter queue) drained by function_name.
create or replace function app.queue_register(queue_name text, function_name text, description text,
  max_consumers integer default 2)
returns void
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
comment on function app.queue_register(text, text, text, integer) is 'Creates queue_name (+ <queue_name>_dlq) with the tenant index fair claims use, and records the function that drains it. Idempotent.';

-- Wakes the function that drains queue_name (coalesced per transaction by app.function_invoke).
create or replace function app.queue_wake(queue_name text, reason text default 'enqueue')
returns void
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.queue_wake(text, text) is 'Wakes the Edge Function registered for queue_name with {"reason": reason}; identical wake-ups in one transaction coalesce. Errors become warnings (app.tick is the safety net).';

-- ============================================================================
-- FAIR CLAIMING
-- ============================================================================

-- Up to 2·qty visible messages in fair order: each tenant's best message (priority, then age)
-- first, tenants served longest ago first; then each tenant's second best, and so on.
create or replace function app.queue_candidates(queue_name text, qty integer)
returns table (msg_id bigint, tenant_id uuid)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform app.queue_dlq_name(queue_candidates.queue_name);
  if not exists (select 1 from app.queue_workers w where w.queue_name = queue_candidates.queue_name) then
    raise exception 'Queue % is not registered: create it with app.queue_register', queue_candidates.queue_name
      using errcode = '22023';
  end if;
  return query execute format('select * from app.%I($1)', 'queue_candidates__' || queue_candidates.queue_name)
    using queue_candidates.qty;
end;
$$;
comment on function app.queue_candidates(text, integer) is 'Internal: up to 2·qty visible messages of a registered queue in fair order (round-robin across tenants, least recently served first; priority then age within a tenant), from the queue''s own generated function. Candidates only: claimers lock them with SKIP LOCKED.';

-- Records that tenant_id was served from queue_name now (fair claiming).
create or replace function app.queue_turn_taken(queue_name text, tenant_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into app.queue_turns as t (queue_name, tenant_id, served_at)
  values (queue_turn_taken.queue_name, queue_turn_taken.tenant_id, clock_timestamp())
  on conflict on constraint queue_turns_pkey do update set served_at = excluded.served_at;
end;
$$;
comment on function app.queue_turn_taken(text, uuid) is 'Internal: marks a tenant as just served by a queue.';

-- Claims up to qty messages fairly across tenants: hidden for vt seconds, read_ct + 1. Messages
-- read more than max_attempts times go to the dead-letter queue instead (a crash loop).
create or replace function app.queue_claim(queue_name text, vt integer, qty integer, max_attempts integer default 5)
returns setof pgmq.message_record
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
comment on function app.queue_claim(text, integer, integer, integer) is 'Workers: claims up to qty messages of queue_name fairly across tenants (see app.queue_candidates), hiding them for vt seconds. A message read more than max_attempts times is dead-lettered with its last error instead of returned.';

-- Extends the visibility of messages a worker still holds; returns the ones that are gone.
create or replace function app.queue_heartbeat(queue_name text, msg_ids bigint[], vt integer, worker_id text default null)
returns setof bigint
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
comment on function app.queue_heartbeat(text, bigint[], integer, text) is 'Workers: extends the visibility timeout of the messages a worker holds (one call for all its slots) and renews its consumer lease; returns the msg_ids no longer in the queue (their work was cancelled or finished elsewhere).';

-- Ends a worker invocation's consumer lease.
create or replace function app.queue_consumer_done(queue_name text, worker_id text)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from app.queue_consumers c where c.queue_name = queue_consumer_done.queue_name and c.worker_id = queue_consumer_done.worker_id
$$;
comment on function app.queue_consumer_done(text, text) is 'Workers: removes a finished invocation''s consumer lease.';

-- Puts a claimed message back without using an attempt until delay_seconds pass or release_key is released.
create or replace function app.queue_defer(queue_name text, msg_id bigint, tenant_id uuid, delay_seconds integer, release_key text default null)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
comment on function app.queue_defer(text, bigint, uuid, integer, text) is 'Workers: makes a claimed message visible again after delay_seconds without counting an attempt; with release_key, app.queue_release can make it visible earlier — and when the check registered for the key''s prefix (app.queue_release_checks) says it is released already, it is released at once.';

-- Makes every message deferred on (tenant, release_key) visible now and wakes their workers.
create or replace function app.queue_release(tenant_id uuid, release_key text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.queue_release(uuid, text) is 'Makes every message deferred on (tenant_id, release_key) visible at once and wakes the workers (e.g. when a circuit breaker closes). Returns how many were released.';

-- Seconds until the next message of queue_name becomes visible (null when the queue is empty).
create or replace function app.queue_next_visible_in(queue_name text)
returns numeric
language plpgsql
stable
security definer
set search_path = ''
as $$
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
comment on function app.queue_next_visible_in(text) is 'Workers: seconds until the next message of queue_name becomes visible; null when the queue is empty.';

-- Wakes the worker of every queue whose visible messages have waited unclaimed for more than a
-- second while fewer than its max consumers are draining (lost wake-ups, retries and deferrals
-- coming due). Called by app.tick.
create or replace function app.queue_wake_stalled()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.queue_wake_stalled() is 'Cron (via app.tick): wakes the worker of each queue whose visible messages waited unclaimed for over a second while fewer than max_consumers invocations are draining it.';

-- ============================================================================
-- THE TICK (timers, timeouts, deadlines, due work, stalled queues)
-- ============================================================================
create table app.tick_jobs (
  name text primary key,
  function_name text not null check (function_name ~ '^app\.[a-z][a-z0-9_]*$'),
  run_order integer not null default 500,
  last_result jsonb,
  last_run_at timestamptz
);
comment on table app.tick_jobs is 'Periodic work app.tick runs on every pass, in run_order: each row names an app function taking no arguments (migrations register theirs with app.tick_register).';
comment on column app.tick_jobs.last_result is 'What the function returned on its latest pass, or {error} when it failed.';
alter table app.tick_jobs enable row level security;
alter table app.tick_jobs force row level security;
revoke all on table app.tick_jobs from public, anon, authenticated, service_role;

-- Registers (or moves) a periodic job run by app.tick.
create or replace function app.tick_register(name text, function_name text, run_order integer default 500)
returns void
language sql
security definer
set search_path = ''
as $$
  insert into app.tick_jobs as j (name, function_name, run_order)
  values (tick_register.name, tick_register.function_name, tick_register.run_order)
  on conflict on constraint tick_jobs_pkey do update set function_name = excluded.function_name, run_order = excluded.run_order
$$;
comment on function app.tick_register(text, text, integer) is 'Migrations: registers an app function (no arguments) that app.tick runs on every pass, in run_order.';

-- One pass of the scheduler: every registered job in order, each isolated (one failing job is
-- recorded and the rest still run). Skips when another tick is running.
create or replace function app.tick()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.tick() is 'Cron: runs every registered tick job (timers and timeouts, deadlines, due tasks, stalled queues, …) once, in order. Every second on pg_cron >= 1.5; through app.tick_loop every 500 ms on older pg_cron.';

-- Runs app.tick every interval_ms for seconds seconds, committing after each (pg_cron < 1.5
-- schedules whole minutes only; a minute job calls this to tick every interval_ms).
create or replace procedure app.tick_loop(seconds integer default 59, interval_ms integer default 500)
language plpgsql
-- no SET clause: a procedure with one cannot COMMIT; the search path is pinned per transaction below
as $$
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
comment on procedure app.tick_loop(integer, integer) is 'Cron (pg_cron < 1.5): calls app.tick every interval_ms for seconds seconds, committing after each. The one app routine without a SET search_path clause (PostgreSQL forbids COMMIT in a procedure that has one); it pins search_path per transaction instead.';

-- Moves messages that break the queue contract to the dead-letter queue (see
-- app.queue_message_malformed), before the stalled-queue check would wake a worker for them.
create or replace function app.queues_quarantine()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.queues_quarantine() is 'Tick job: moves messages of registered queues that break the queue contract (tenant_id not a uuid, or a malformed run_id) to <queue>_dlq with the reason, up to 100 per queue per pass.';
select app.tick_register('queue_quarantine', 'app.queues_quarantine', 990);
select app.tick_register('queues', 'app.queue_wake_stalled', 1000);

-- Schedule: seconds where pg_cron supports them (1.5+, hosted Supabase), else a minute job that loops.
do $$
begin
  if (select string_to_array(split_part(e.extversion, '-', 1), '.')::integer[] >= array[1, 5]
      from pg_catalog.pg_extension e where e.extname = 'pg_cron') then
    perform cron.schedule('ora-tick', '1 seconds', 'select app.tick()');
  else
    perform cron.schedule('ora-tick', '* * * * *', 'call app.tick_loop(59, 500)');
  end if;
end
$$;

select app.lock_down();
