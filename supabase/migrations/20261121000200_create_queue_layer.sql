-- Queue layer: pgmq plus what pgmq lacks (dead-lettering with recorded errors), and the one
-- function that wakes Edge Functions (pg_net on hosted Supabase, pg_notify locally).
-- Identical on hosted Supabase (real pgmq 1.4 extension) and locally (scripts/bootstrap/10_pgmq.sql),
-- as is the contract test suite, supabase/tests/queues/pgmq_*.test.sql.

-- ============================================================================
-- PGMQ
-- The extension wherever the server offers it (hosted Supabase: pgmq 1.4.4). Where it does not
-- (the local stack), scripts/bootstrap/10_pgmq.sql has already made a compatible pgmq schema.
-- ============================================================================
do $$
begin
  if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pgmq') then
    if not exists (select 1 from pg_catalog.pg_extension where extname = 'pgmq')
       and exists (select 1 from pg_catalog.pg_namespace where nspname = 'pgmq') then
      raise exception 'Schema pgmq exists but is not the pgmq extension, which is now available'
        using errcode = '55000',
              hint = 'It is the local stand-in from an older bootstrap: drop schema pgmq cascade (locally: npm run db:reset) and apply the migrations again.';
    end if;
    create extension if not exists pgmq;
  elsif not exists (select 1 from pg_catalog.pg_namespace where nspname = 'pgmq') then
    raise exception 'pgmq is not available: install the pgmq extension, or apply scripts/bootstrap/10_pgmq.sql first'
      using errcode = '55000';
  end if;
end
$$;

-- Workers run as service_role: the pgmq functions, the queue tables (pgmq.q_<name>, pgmq.a_<name>,
-- pgmq.meta) and their msg_id sequences, including those of queues created later by the owner.
-- The stand-in grants the same itself; the extension grants only pg_monitor. Idempotent.
grant usage on schema pgmq to service_role;
grant execute on all functions in schema pgmq to service_role;
grant select, insert, update, delete on all tables in schema pgmq to service_role;
grant usage, select on all sequences in schema pgmq to service_role;
alter default privileges in schema pgmq grant select, insert, update, delete on tables to service_role;
alter default privileges in schema pgmq grant usage, select on sequences to service_role;

-- ============================================================================
-- QUEUE ERRORS (internal)
-- ============================================================================
create table app.queue_errors (
  queue_name text not null,
  msg_id bigint not null,
  attempts integer not null default 1 check (attempts > 0),
  last_error text not null check (length(last_error) <= 2000),
  updated_at timestamptz not null default now(),
  primary key (queue_name, msg_id)
);
comment on table app.queue_errors is 'Internal: failures recorded by app.queue_fail for messages still in their queue. Cleared by app.queue_ack and when a message is dead-lettered. Read only through app.* functions.';
comment on column app.queue_errors.queue_name is 'pgmq queue the message is in.';
comment on column app.queue_errors.msg_id is 'pgmq msg_id within that queue.';
comment on column app.queue_errors.attempts is 'How many times app.queue_fail was called for this message.';
comment on column app.queue_errors.last_error is 'The most recent error, truncated to 2000 characters; copied into the dead-letter message.';
comment on column app.queue_errors.updated_at is 'When the most recent error was recorded.';

-- Deny by default: no policies, so only the owner's security-definer functions reach it.
alter table app.queue_errors enable row level security;
alter table app.queue_errors force row level security;
revoke all on table app.queue_errors from public, anon, authenticated, service_role;

-- ============================================================================
-- INTERNAL HELPERS (not executable by API roles)
-- ============================================================================

-- Validates an Ora queue name and returns the name of its dead-letter queue (<name>_dlq).
create or replace function app.queue_dlq_name(queue_name text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  -- 43 characters + '_dlq' = 47, the longest name pgmq accepts.
  if queue_name is null or queue_name !~ '^[a-z][a-z0-9_]{0,42}$' then
    raise exception 'Invalid queue name %: use 1 to 43 lowercase letters, digits or underscores, starting with a letter', coalesce(quote_literal(queue_name), 'NULL')
      using errcode = '22023';
  end if;
  return queue_name || '_dlq';
end;
$$;
comment on function app.queue_dlq_name(text) is 'Internal: validates an Ora queue name (^[a-z][a-z0-9_]{0,42}$) and returns its dead-letter queue name, <name>_dlq.';

-- Sends a message to <queue>_dlq with its history and error, archives it, forgets its errors.
create or replace function app.queue_move_to_dlq(queue_name text, msg pgmq.message_record, error text)
returns void
language plpgsql
set search_path = ''
as $$
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
comment on function app.queue_move_to_dlq(text, pgmq.message_record, text) is 'Internal: sends msg to <queue>_dlq as {queue, msg_id, read_ct, enqueued_at, error, dead_at, message}, archives it from the source queue and deletes its app.queue_errors row.';

revoke all on function app.queue_dlq_name(text) from public, anon, authenticated, service_role;
revoke all on function app.queue_move_to_dlq(text, pgmq.message_record, text) from public, anon, authenticated, service_role;

-- ============================================================================
-- QUEUE API (service_role)
-- ============================================================================

-- Creates the queue and its dead-letter queue <queue_name>_dlq unless they exist.
create or replace function app.queue_ensure(queue_name text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.queue_ensure(text) is 'Creates pgmq queue queue_name and its dead-letter queue <queue_name>_dlq if missing. Idempotent. Names: ^[a-z][a-z0-9_]{0,42}$.';

-- Reads up to qty messages like pgmq.read, dead-lettering (not returning) those read more than max_attempts times.
create or replace function app.queue_read(queue_name text, vt integer, qty integer, max_attempts integer default 5)
returns setof pgmq.message_record
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.queue_read(text, integer, integer, integer) is 'Reads up to qty messages from queue_name, hiding them for vt seconds (pgmq.read, SKIP LOCKED). A message read more than max_attempts times is not returned: it goes to <queue_name>_dlq with its last error (or ''max attempts exceeded'') and is archived; the read is repeated so the caller still gets up to qty live messages.';

-- Records a failed attempt and makes the message visible again after retry_in_seconds.
create or replace function app.queue_fail(queue_name text, msg_id bigint, error text, retry_in_seconds integer default 0)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
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
comment on function app.queue_fail(text, bigint, text, integer) is 'Records a failed attempt (app.queue_errors: attempts + 1, last_error truncated to 2000 chars) and makes the message visible again after retry_in_seconds (pgmq.set_vt). False if the message is no longer in the queue. app.queue_read dead-letters it once read more than max_attempts times.';

-- Marks a message done: archives it (the archive is the audit trail) and forgets its errors.
create or replace function app.queue_ack(queue_name text, msg_id bigint)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_archived boolean;
begin
  v_archived := pgmq.archive(queue_ack.queue_name, queue_ack.msg_id);
  delete from app.queue_errors e
  where e.queue_name = queue_ack.queue_name and e.msg_id = queue_ack.msg_id;
  return v_archived;
end;
$$;
comment on function app.queue_ack(text, bigint) is 'Marks a message done: archives it to pgmq.a_<queue> (the audit trail) and deletes its app.queue_errors row. False if it was not in the queue.';

-- Dead-letters a message at once (for errors that retrying cannot fix).
create or replace function app.queue_dead_letter(queue_name text, msg_id bigint, error text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
comment on function app.queue_dead_letter(text, bigint, text) is 'Dead-letters a message at once (non-retryable error): sends it to <queue_name>_dlq with error (truncated to 2000 chars), archives it and deletes its app.queue_errors row. False if it was not in the queue.';

revoke all on function app.queue_ensure(text) from public, anon, authenticated;
revoke all on function app.queue_read(text, integer, integer, integer) from public, anon, authenticated;
revoke all on function app.queue_fail(text, bigint, text, integer) from public, anon, authenticated;
revoke all on function app.queue_ack(text, bigint) from public, anon, authenticated;
revoke all on function app.queue_dead_letter(text, bigint, text) from public, anon, authenticated;
grant execute on function app.queue_ensure(text) to service_role;
grant execute on function app.queue_read(text, integer, integer, integer) to service_role;
grant execute on function app.queue_fail(text, bigint, text, integer) to service_role;
grant execute on function app.queue_ack(text, bigint) to service_role;
grant execute on function app.queue_dead_letter(text, bigint, text) to service_role;

-- ============================================================================
-- WAKING EDGE FUNCTIONS
-- ============================================================================

-- Wake-ups for the local relay (used only where pg_net is absent). pg_notify is open to every
-- role, anon included, so a notification proves nothing: app.function_invoke writes the request
-- here (no API role can read or write this table) and notifies only its id; the relay, connected
-- as the owner, claims the row by id (delete … returning) and ignores any id it cannot claim.
create table app.invoke_requests (
  id bigint generated always as identity primary key,
  txid xid8 not null default pg_catalog.pg_current_xact_id(),
  function_name text not null check (function_name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  body jsonb not null,
  created_at timestamptz not null default now()
);
-- One row per (transaction, function, body): identical wake-ups in one transaction notify the same
-- id, and Postgres delivers identical notifications of a transaction once.
create unique index invoke_requests_once_per_transaction
  on app.invoke_requests (txid, function_name, md5(body::text));
comment on table app.invoke_requests is 'Internal, local stack only (no pg_net): wake-ups written by app.function_invoke and claimed (deleted) by the local function server''s relay, which is notified of the id on channel ora_invoke. Rows a stopped relay left behind are relayed when it starts, or deleted by app.cleanup after an hour.';
comment on column app.invoke_requests.txid is 'Transaction that asked; with function_name and md5(body) unique, so a burst of identical wake-ups in one transaction is one row and one notification.';
comment on column app.invoke_requests.function_name is 'Edge Function to POST to: /functions/v1/<function_name>.';
comment on column app.invoke_requests.body is 'JSON body of the POST.';
comment on column app.invoke_requests.created_at is 'When it was first asked for (app.cleanup deletes rows older than an hour).';

-- Deny by default: no policies, no grants; only the owner (app.function_invoke, the relay) reaches it.
alter table app.invoke_requests enable row level security;
alter table app.invoke_requests force row level security;
revoke all on table app.invoke_requests from public, anon, authenticated, service_role;

-- POSTs body to Edge Function function_name: pg_net where installed, else a request for the local relay.
create or replace function app.function_invoke(function_name text, body jsonb default '{}'::jsonb)
returns void
language plpgsql
security definer
set search_path = ''
as $$
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
$$;
comment on function app.function_invoke(text, jsonb) is 'Wakes Edge Function function_name (^[a-z][a-z0-9_-]{0,62}$) with a POST of body. Hosted: net.http_post to <Vault project_url>/functions/v1/<name> with the Vault service_role_key as Bearer token. Locally (no pg_net): writes the request to app.invoke_requests and pg_notify(''ora_invoke'', <row id>); the local function server claims the row and makes the call, so a notification nobody wrote through this function is ignored. Identical wake-ups (same function and body) in one transaction share one row and one notification, so a burst coalesces into one call.';

revoke all on function app.function_invoke(text, jsonb) from public, anon, authenticated;
grant execute on function app.function_invoke(text, jsonb) to service_role, postgres;
