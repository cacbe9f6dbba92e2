-- pgmq-compatible schema for a plain Postgres (never applied to a Supabase database).
--
-- Installed only where the server offers no pgmq extension (pg_available_extensions): wherever it
-- does (hosted Supabase: pgmq 1.4.4), migration 20261121000200 runs `create extension pgmq`.
-- This file gives the local stack a `pgmq` schema with the same names, signatures, return types and
-- semantics as pgmq 1.4.x (no message headers) for the subset Ora uses:
--   create, create_non_partitioned, create_unlogged, drop_queue, list_queues,
--   send, send_batch, read, read_with_poll, pop, archive (one / many), delete (one / many),
--   purge_queue, set_vt, metrics, metrics_all.
-- Queue tables are pgmq's own layout: pgmq.q_<name> (live messages) and pgmq.a_<name>
-- (archive, with archived_at), registered in pgmq.meta. The contract tests
-- (supabase/tests/queues/pgmq_*.test.sql) run against whichever is installed.
--
-- Deliberate differences from pgmq 1.4.4, all stricter or fixes that pgmq made later:
--   * queue names must match ^[a-z0-9_]{1,47}$ (pgmq only rejects $ ; -- ' and > 47 chars);
--   * queue creation takes a transaction advisory lock (pgmq >= 1.5);
--   * read_with_poll sleeps poll_interval_ms / 1000.0 (1.4.4 divides integers: it spins below
--     1000 ms and sleeps whole seconds above), never past the deadline, and reads once more at
--     the deadline, so a message that becomes visible during the last interval is returned;
--   * drop_queue(name, partitioned => true) without pg_partman says so (1.4.4 fails on a null
--     identifier; both raise 22004 and drop nothing).
-- Like pgmq 1.4.4, pop and set_vt use now() (transaction start) while send and read use
-- clock_timestamp(), so tests that pass here also pass against the real extension.
--
-- Re-applied whenever it changes (scripts/db.sh bootstrap), so every statement is idempotent.
-- (psql script: \if skips everything when the extension is available.)

select not exists (
  select 1 from pg_catalog.pg_available_extensions where name = 'pgmq'
) as ora_pgmq_stand_in \gset
\if :ora_pgmq_stand_in

create schema if not exists pgmq;
comment on schema pgmq is 'Ora local stack: pgmq 1.4-compatible message queues (bootstrap; hosted Supabase uses the pgmq extension instead)';

-- ============================================================================
-- TABLES AND TYPES
-- ============================================================================

-- One row per queue, exactly as pgmq keeps it.
create table if not exists pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null,
  is_unlogged boolean not null,
  created_at timestamptz default now() not null
);
comment on table pgmq.meta is 'pgmq: one row per queue (pgmq.q_<name> holds its messages, pgmq.a_<name> its archive).';

do $$
begin
  -- A message as returned by read, pop and set_vt.
  if to_regtype('pgmq.message_record') is null then
    create type pgmq.message_record as (
      msg_id bigint,
      read_ct integer,
      enqueued_at timestamptz,
      vt timestamptz,
      message jsonb
    );
  end if;
  -- A queue as returned by list_queues.
  if to_regtype('pgmq.queue_record') is null then
    create type pgmq.queue_record as (
      queue_name varchar,
      is_partitioned boolean,
      is_unlogged boolean,
      created_at timestamptz
    );
  end if;
  -- One queue's figures as returned by metrics and metrics_all.
  if to_regtype('pgmq.metrics_result') is null then
    create type pgmq.metrics_result as (
      queue_name text,
      queue_length bigint,
      newest_msg_age_sec integer,
      oldest_msg_age_sec integer,
      total_messages bigint,
      scrape_time timestamptz
    );
  end if;
end
$$;

comment on type pgmq.message_record is 'pgmq: a message (msg_id, read_ct, enqueued_at, vt, message).';
comment on type pgmq.queue_record is 'pgmq: a queue as listed by pgmq.list_queues().';
comment on type pgmq.metrics_result is 'pgmq: queue figures returned by pgmq.metrics() and pgmq.metrics_all().';

-- ============================================================================
-- NAMES
-- ============================================================================

-- Refuses queue names that are not ^[a-z0-9_]{1,47}$ (the longest pgmq allows is 47).
create or replace function pgmq.validate_queue_name(queue_name text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if queue_name is null or queue_name !~ '^[a-z0-9_]{1,47}$' then
    raise exception 'Invalid queue name %: use 1 to 47 lowercase letters, digits or underscores', coalesce(quote_literal(queue_name), 'NULL')
      using errcode = '22023';
  end if;
end;
$$;

-- Validates the queue name and returns its table name: <prefix>_<queue_name>.
create or replace function pgmq.format_table_name(queue_name text, prefix text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  perform pgmq.validate_queue_name(queue_name);
  return lower(prefix || '_' || queue_name);
end;
$$;

-- ============================================================================
-- QUEUES
-- ============================================================================

-- Creates the queue's tables, indexes and meta row unless they exist (shared by create*).
create or replace function pgmq._create_queue(queue_name text, unlogged boolean)
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
  v_atable text := pgmq.format_table_name(queue_name, 'a');
begin
  -- Two sessions creating the same queue would otherwise race on the catalog.
  perform pg_advisory_xact_lock(hashtext('pgmq.queue_' || _create_queue.queue_name));

  execute format(
    $sql$
    create %s table if not exists pgmq.%I (
      msg_id bigint primary key generated always as identity,
      read_ct integer default 0 not null,
      enqueued_at timestamptz default now() not null,
      vt timestamptz not null,
      message jsonb
    )
    $sql$,
    case when _create_queue.unlogged then 'unlogged' else '' end, v_qtable
  );

  execute format(
    $sql$
    create table if not exists pgmq.%I (
      msg_id bigint primary key,
      read_ct integer default 0 not null,
      enqueued_at timestamptz default now() not null,
      archived_at timestamptz default now() not null,
      vt timestamptz not null,
      message jsonb
    )
    $sql$,
    v_atable
  );

  execute format('create index if not exists %I on pgmq.%I (vt asc)', v_qtable || '_vt_idx', v_qtable);
  execute format('create index if not exists %I on pgmq.%I (archived_at)', 'archived_at_idx_' || _create_queue.queue_name, v_atable);

  insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
  values (_create_queue.queue_name, false, _create_queue.unlogged)
  on conflict do nothing;
end;
$$;

-- Creates a queue (logged tables); does nothing if it exists.
create or replace function pgmq.create_non_partitioned(queue_name text)
returns void
language sql
set search_path = ''
as $$
  select pgmq._create_queue(queue_name, false);
$$;

-- Creates a queue; does nothing if it exists.
create or replace function pgmq."create"(queue_name text)
returns void
language sql
set search_path = ''
as $$
  select pgmq._create_queue(queue_name, false);
$$;

-- Creates a queue whose message table is unlogged (faster, lost on crash); archive stays logged.
create or replace function pgmq.create_unlogged(queue_name text)
returns void
language sql
set search_path = ''
as $$
  select pgmq._create_queue(queue_name, true);
$$;

-- Drops a queue with its archive and meta row; with partitioned, also its pg_partman config.
-- pgmq 1.4.4's one signature (the default makes drop_queue(name) call it), replacing the
-- drop_queue(text) of earlier versions of this file. A missing queue raises 42P01 as in 1.4.4.
drop function if exists pgmq.drop_queue(text);
create or replace function pgmq.drop_queue(queue_name text, partitioned boolean default false)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
  v_atable text := pgmq.format_table_name(queue_name, 'a');
  v_partman_schema text;
begin
  perform pg_advisory_xact_lock(hashtext('pgmq.queue_' || drop_queue.queue_name));

  if to_regclass(format('pgmq.%I', v_qtable)) is null then
    raise exception 'relation "pgmq.%" does not exist', v_qtable using errcode = '42P01';
  end if;
  if drop_queue.partitioned then
    select e.extnamespace::regnamespace::text into v_partman_schema
    from pg_catalog.pg_extension e where e.extname = 'pg_partman';
    if v_partman_schema is null then
      raise exception 'Cannot drop queue % as partitioned: pg_partman is not installed', drop_queue.queue_name
        using errcode = '22004', hint = 'Queues made by pgmq.create are not partitioned: drop it with partitioned => false.';
    end if;
  end if;

  execute format('drop table if exists pgmq.%I', v_qtable);
  execute format('drop table if exists pgmq.%I', v_atable);
  delete from pgmq.meta m where m.queue_name = drop_queue.queue_name;
  if drop_queue.partitioned then
    execute format('delete from %I.part_config where parent_table in ($1, $2)', v_partman_schema)
      using 'pgmq.' || v_qtable, 'pgmq.' || v_atable;
  end if;
  return true;
end;
$$;

-- Lists every queue from pgmq.meta.
create or replace function pgmq.list_queues()
returns setof pgmq.queue_record
language sql
stable
set search_path = ''
as $$
  select m.queue_name, m.is_partitioned, m.is_unlogged, m.created_at
  from pgmq.meta m
  order by m.queue_name;
$$;

-- Deletes every message in the queue (the archive is kept) and returns how many there were.
-- DELETE, as pgmq does: TRUNCATE would take an ACCESS EXCLUSIVE lock and block every concurrent
-- send and read until the purging transaction ends.
create or replace function pgmq.purge_queue(queue_name text)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
  v_count bigint;
begin
  execute format('delete from pgmq.%I', v_qtable);
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

-- ============================================================================
-- MESSAGES
-- ============================================================================

-- Sends one message, visible after delay seconds; returns its msg_id.
create or replace function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    'insert into pgmq.%I (vt, message) values (clock_timestamp() + $2, $1) returning msg_id',
    v_qtable
  ) using send.msg, make_interval(secs => send.delay);
end;
$$;

-- Sends an array of messages (ids follow array order), visible after delay seconds.
create or replace function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $sql$
    insert into pgmq.%I (vt, message)
    select clock_timestamp() + $2, u.msg
    from unnest($1) with ordinality as u (msg, ord)
    order by u.ord
    returning msg_id
    $sql$,
    v_qtable
  ) using send_batch.msgs, make_interval(secs => send_batch.delay);
end;
$$;

-- Reads up to qty visible messages (oldest first), hiding them for vt seconds and counting
-- the read; FOR UPDATE SKIP LOCKED means concurrent readers never get the same message.
create or replace function pgmq.read(queue_name text, vt integer, qty integer)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $sql$
    with cte as (
      select q.msg_id
      from pgmq.%I q
      where q.vt <= clock_timestamp()
      order by q.msg_id asc
      limit $1
      for update skip locked
    )
    update pgmq.%I m
    set vt = clock_timestamp() + $2,
        read_ct = m.read_ct + 1
    from cte
    where m.msg_id = cte.msg_id
    returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message
    $sql$,
    v_qtable, v_qtable
  ) using read.qty, make_interval(secs => read.vt);
end;
$$;

-- Like read, but waits up to max_poll_seconds (checking every poll_interval_ms) for messages;
-- the last check is at the deadline, so nothing that became visible before it is missed.
create or replace function pgmq.read_with_poll(
  queue_name text,
  vt integer,
  qty integer,
  max_poll_seconds integer default 5,
  poll_interval_ms integer default 100
)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  v_stop_at timestamptz := clock_timestamp() + make_interval(secs => read_with_poll.max_poll_seconds);
  v_msg pgmq.message_record;
  v_found boolean;
begin
  perform pgmq.validate_queue_name(read_with_poll.queue_name);
  loop
    v_found := false;
    for v_msg in
      select * from pgmq.read(read_with_poll.queue_name, read_with_poll.vt, read_with_poll.qty)
    loop
      v_found := true;
      return next v_msg;
    end loop;
    exit when v_found or clock_timestamp() >= v_stop_at;
    -- sleep one interval, or until the deadline if that comes first; then read again
    perform pg_sleep(least(
      read_with_poll.poll_interval_ms / 1000.0,
      extract(epoch from v_stop_at - clock_timestamp())
    ));
  end loop;
end;
$$;

-- Reads and deletes the oldest visible message in one step.
create or replace function pgmq.pop(queue_name text)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $sql$
    with cte as (
      select q.msg_id
      from pgmq.%I q
      where q.vt <= now()
      order by q.msg_id asc
      limit 1
      for update skip locked
    )
    delete from pgmq.%I m
    using cte
    where m.msg_id = cte.msg_id
    returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message
    $sql$,
    v_qtable, v_qtable
  );
end;
$$;

-- Sets a message's visibility timeout to now() + vt seconds and returns it (nothing if absent).
create or replace function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
returns setof pgmq.message_record
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    $sql$
    update pgmq.%I m
    set vt = now() + $2
    where m.msg_id = $1
    returning m.msg_id, m.read_ct, m.enqueued_at, m.vt, m.message
    $sql$,
    v_qtable
  ) using set_vt.msg_id, make_interval(secs => set_vt.vt);
end;
$$;

-- Moves messages from the queue to its archive; returns the ids that were moved.
create or replace function pgmq.archive(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
  v_atable text := pgmq.format_table_name(queue_name, 'a');
begin
  return query execute format(
    $sql$
    with archived as (
      delete from pgmq.%I q
      where q.msg_id = any($1)
      returning q.msg_id, q.vt, q.read_ct, q.enqueued_at, q.message
    )
    insert into pgmq.%I (msg_id, vt, read_ct, enqueued_at, message)
    select a.msg_id, a.vt, a.read_ct, a.enqueued_at, a.message
    from archived a
    returning msg_id
    $sql$,
    v_qtable, v_atable
  ) using archive.msg_ids;
end;
$$;

-- Moves one message from the queue to its archive; true if it was there.
create or replace function pgmq.archive(queue_name text, msg_id bigint)
returns boolean
language sql
set search_path = ''
as $$
  select exists (select 1 from pgmq.archive(queue_name, array[msg_id]));
$$;

-- Deletes messages from the queue for good; returns the ids that were deleted.
create or replace function pgmq.delete(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
begin
  return query execute format(
    'delete from pgmq.%I q where q.msg_id = any($1) returning q.msg_id',
    v_qtable
  ) using "delete".msg_ids;
end;
$$;

-- Deletes one message from the queue for good; true if it was there.
create or replace function pgmq.delete(queue_name text, msg_id bigint)
returns boolean
language sql
set search_path = ''
as $$
  select exists (select 1 from pgmq.delete(queue_name, array[msg_id]));
$$;

-- ============================================================================
-- METRICS
-- ============================================================================

-- Length, newest/oldest message age (seconds) and messages ever sent, for one queue.
create or replace function pgmq.metrics(queue_name text)
returns pgmq.metrics_result
language plpgsql
set search_path = ''
as $$
declare
  v_qtable text := pgmq.format_table_name(queue_name, 'q');
  v_queue_length bigint;
  v_newest timestamptz;
  v_oldest timestamptz;
  v_total bigint;
begin
  execute format('select count(*), max(q.enqueued_at), min(q.enqueued_at) from pgmq.%I q', v_qtable)
    into v_queue_length, v_newest, v_oldest;
  -- Messages ever sent: the msg_id identity's last value (0 before the first send).
  v_total := coalesce(
    pg_catalog.pg_sequence_last_value(pg_catalog.pg_get_serial_sequence(format('pgmq.%I', v_qtable), 'msg_id')::regclass),
    0
  );
  return row(
    metrics.queue_name,
    v_queue_length,
    extract(epoch from (now() - v_newest))::integer,
    extract(epoch from (now() - v_oldest))::integer,
    v_total,
    now()
  )::pgmq.metrics_result;
end;
$$;

-- pgmq.metrics() for every queue in pgmq.meta.
create or replace function pgmq.metrics_all()
returns setof pgmq.metrics_result
language plpgsql
set search_path = ''
as $$
declare
  v_queue_name text;
begin
  for v_queue_name in select m.queue_name::text from pgmq.meta m order by m.queue_name loop
    return next pgmq.metrics(v_queue_name);
  end loop;
end;
$$;

-- ============================================================================
-- PRIVILEGES: as on Supabase, only service_role (and the owner) may use pgmq
-- ============================================================================
revoke all on schema pgmq from public, anon, authenticated;
grant usage on schema pgmq to service_role;

revoke all on all functions in schema pgmq from public, anon, authenticated;
grant execute on all functions in schema pgmq to service_role;
alter default privileges in schema pgmq revoke execute on functions from public;

-- pgmq's functions run as their caller, so the caller needs the queue tables too.
revoke all on all tables in schema pgmq from public, anon, authenticated;
grant select, insert, update, delete on all tables in schema pgmq to service_role;
grant usage, select on all sequences in schema pgmq to service_role;
alter default privileges in schema pgmq grant select, insert, update, delete on tables to service_role;
-- (purge_queue deletes rows: no TRUNCATE, which earlier versions of this file granted)
revoke truncate on all tables in schema pgmq from service_role;
alter default privileges in schema pgmq revoke truncate on tables from service_role;
alter default privileges in schema pgmq grant usage, select on sequences to service_role;

-- As the extension does: monitoring may read queue tables.
grant usage on schema pgmq to pg_monitor;
grant select on all tables in schema pgmq to pg_monitor;
grant select on all sequences in schema pgmq to pg_monitor;
alter default privileges in schema pgmq grant select on tables to pg_monitor;
alter default privileges in schema pgmq grant select on sequences to pg_monitor;

\else
\echo 'The pgmq extension is available: no stand-in (migration 20261121000200 creates the extension)'
\endif
