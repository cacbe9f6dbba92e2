#!/usr/bin/env bash
# The project-local Postgres 15 cluster on 127.0.0.1:54322 (where it lives: pg_cluster_home in lib.sh).
#   db.sh start     init the cluster if needed and start it (waits until ready)
#   db.sh stop      stop it if running
#   db.sh setup     Supabase-compat bootstrap (plain Postgres only), migrations, seed
#   db.sh reset     drop and recreate the database contents, then setup
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

prepare_dirs() {
  local u; u="$(pg_os_user)"
  id "$u" >/dev/null 2>&1 || die "The account '$u' that runs Postgres does not exist; install postgresql-15 first"
  mkdir -p "$ORA_LOCAL" "$PGLOGDIR"
  if [ "$PG_CLUSTER_HOME" != "$ORA_LOCAL" ]; then
    # root: the cluster lives in postgres' own folder, so the checkout's permissions never matter
    install -d -o "$u" -g "$(id -gn "$u")" -m 700 "$(dirname "$PG_CLUSTER_HOME")" "$PG_CLUSTER_HOME"
    printf '%s\n' "$ORA_ROOT" >"$PG_CLUSTER_HOME/checkout"
    # .local/pgdata points there, for people looking for the cluster (the scripts use the real path)
    if [ -d "$ORA_LOCAL/pgdata" ] && [ ! -L "$ORA_LOCAL/pgdata" ]; then
      rmdir "$ORA_LOCAL/pgdata" 2>/dev/null \
        || die "$ORA_LOCAL/pgdata is an unfinished cluster (no PG_VERSION); remove it and start again"
    fi
    ln -sfn "$PGDATA" "$ORA_LOCAL/pgdata"
  fi
  mkdir -p "$PGRUN"; chown "$u" "$PGRUN"
  as_pg test -w "$PGRUN" || die "The account '$u' cannot write to $PGRUN; check that folder's parents"
}

init_cluster() {
  [ -f "$PGDATA/PG_VERSION" ] && return
  step "Creating the Postgres cluster in $PGDATA"
  mkdir -p "$PGDATA"; chown "$(pg_os_user)" "$PGDATA"; chmod 700 "$PGDATA"
  local pw="$PG_CLUSTER_HOME/.pwfile-init"
  (umask 077; echo postgres >"$pw"); chown "$(pg_os_user)" "$pw"
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pw" --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$PGLOGDIR/initdb.log" 2>&1 || { rm -f "$pw"; die "initdb failed; see .local/log/initdb.log"; }
  rm -f "$pw"
  cat >>"$PGDATA/postgresql.conf" <<CONF

# --- Ora local stack ---
listen_addresses = '127.0.0.1'
port = $DB_PORT
unix_socket_directories = '$PGRUN'
max_connections = 200
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.timezone = 'UTC'
cron.use_background_workers = on
max_worker_processes = 32
synchronous_commit = off
log_min_messages = warning
log_min_error_statement = panic
CONF
}

# pg_ctl_do start|restart: pg_ctl without -l, so Postgres writes to the stdout/stderr it inherits;
# this shell opens .local/log/postgres.log (root may, the postgres account may not be able to).
pg_ctl_do() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -o "-p $DB_PORT" -m fast -s -w -t 60 "$1" >>"$PGLOGDIR/postgres.log" 2>&1
}

start() {
  prepare_dirs
  init_cluster
  if pg_running; then info "Postgres already running on 127.0.0.1:$DB_PORT"; return; fi
  if port_in_use "$DB_PORT"; then
    die "Port $DB_PORT is taken by another program; stop it (or set ORA_DB_PORT) and run again"
  fi
  step "Starting Postgres $PG_MAJOR on 127.0.0.1:$DB_PORT"
  pg_ctl_do start || { tail -5 "$PGLOGDIR/postgres.log" >&2; die "Postgres did not start; see .local/log/postgres.log"; }
}

stop() {
  if pg_running; then
    step "Stopping Postgres"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -s -w stop >/dev/null
  else
    info "Postgres is not running"
  fi
}

is_supabase() {
  # A Supabase database has supabase_admin; the local bootstrap never creates it.
  [ "$(psql_db -tAc "select count(*) from pg_roles where rolname = 'supabase_admin'")" = "1" ]
}

BOOTSTRAP_STAMP_SQL="select coalesce(obj_description('auth'::regnamespace, 'pg_namespace'), '') from pg_namespace where nspname = 'auth'"

bootstrap() {
  if is_supabase; then info "Supabase database: no bootstrap needed"; return; fi
  local want have
  want="ora-bootstrap $(cat "$ORA_ROOT"/scripts/bootstrap/*.sql | sha256sum | cut -c1-16)"
  have="$(psql_db -tAc "$BOOTSTRAP_STAMP_SQL" 2>/dev/null || true)"
  if [ "$have" = "$want" ]; then info "Supabase-compat bootstrap up to date"; return; fi
  step "Applying the Supabase-compat bootstrap (roles, auth, extensions, pgmq)"
  for f in "$ORA_ROOT"/scripts/bootstrap/*.sql; do
    psql_db -f "$f" >/dev/null || die "Bootstrap file $(basename "$f") failed"
  done
  psql_db -c "comment on schema auth is '$want'" >/dev/null
}

# What each migration file held when it was applied: "<version>=<sha256 prefix>" per file, kept
# as the comment on schema supabase_migrations. The CLI applies only versions it has not seen, so
# a migration edited in place after it was applied (nothing is deployed yet, so that happens)
# would leave the local database silently different from the files.
migration_hashes() {
  local f
  for f in "$ORA_ROOT"/supabase/migrations/*.sql; do
    printf '%s=%s\n' "$(basename "$f" | cut -d_ -f1)" "$(sha256sum "$f" | cut -c1-16)"
  done
}

# Prints why the local database no longer matches supabase/migrations (nothing when it does):
# an applied migration whose file changed or went away, or one applied without a record.
migrations_stale() {
  local applied recorded current line v
  applied="$(psql_db -tAc "select version from supabase_migrations.schema_migrations order by 1" 2>/dev/null || true)"
  [ -n "$applied" ] || return 0
  recorded="$(psql_db -tAc "select coalesce(obj_description('supabase_migrations'::regnamespace, 'pg_namespace'), '')" 2>/dev/null || true)"
  current="$(migration_hashes)"
  for v in $applied; do
    line="$(grep "^$v=" <<<"$current" || true)"
    if [ -z "$line" ]; then echo "migration $v was applied but its file is gone"; return 0; fi
    if ! grep -q "^$v=" <<<"$recorded"; then echo "migration $v was applied without a record of its content"; return 0; fi
    if ! grep -qx "$line" <<<"$recorded"; then echo "migration $v changed after it was applied"; return 0; fi
  done
}

migrate() {
  local stale
  stale="$(migrations_stale)"
  if [ -n "$stale" ]; then
    # the local database is derived from the migrations and the seed: rebuild it
    warn "The local database is out of date: $stale. Rebuilding it from the migrations (local data is dropped)."
    # a running function server's invoke relay listens on the old database: it starts again after
    bash "$ORA_ROOT/scripts/functions.sh" stop >/dev/null 2>&1 || true
    recreate_db
    bootstrap
  fi
  step "Applying migrations with the Supabase CLI"
  (cd "$ORA_ROOT" && supabase migration up --remote="$DB_URL" --include-all --yes >"$PGLOGDIR/migrate.log" 2>&1) \
    || { tail -20 "$PGLOGDIR/migrate.log" >&2; die "A migration failed; the output above says which"; }
  grep -iE "applying|up to date|local database" "$PGLOGDIR/migrate.log" | sed 's/^/    /' >&2 || true
  psql_db -c "comment on schema supabase_migrations is '$(migration_hashes)'" >/dev/null
}

seed() {
  step "Loading supabase/seed.sql"
  psql_db -f "$ORA_ROOT/supabase/seed.sql" >/dev/null || die "supabase/seed.sql failed"
}

# Drops and recreates database postgres (empty).
recreate_db() {
  step "Resetting database postgres (drop and recreate)"
  PGPASSWORD=postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DB_PORT" -U postgres -d template1 \
    -c "drop database if exists postgres with (force)" -c "create database postgres" >/dev/null \
    || die "Could not recreate database postgres"
  # pg_cron's scheduler stops when its database is dropped; a restart brings it back.
  pg_ctl_do restart || { tail -5 "$PGLOGDIR/postgres.log" >&2; die "Postgres did not restart; see .local/log/postgres.log"; }
}

reset() {
  start
  recreate_db
  setup
}

# pg_cron below 1.5 (this machine's) schedules whole minutes: its tick job loops for 59 s from the
# next minute on. Until then nothing ticks (timers, retries, stalled queues), so bridge the gap
# with one loop in the background; app.tick's advisory lock keeps overlapping loops harmless.
tick_bridge() {
  local secs=$(( 61 - $(date +%-S) ))
  (PGPASSWORD=postgres "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres \
    -c "call app.tick_loop($secs, 500)" >/dev/null 2>&1 &)
}

setup() { bootstrap; migrate; seed; tick_bridge; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  setup) setup ;;
  bootstrap) bootstrap ;;
  migrate) migrate ;;
  seed) seed ;;
  reset) reset ;;
  *) die "usage: scripts/db.sh start|stop|setup|bootstrap|migrate|seed|reset" ;;
esac
