#!/usr/bin/env bash
# Shared helpers for the local stack scripts: paths, logging, one-sentence failures.
set -euo pipefail

ORA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORA_LOCAL="$ORA_ROOT/.local"
ORA_CACHE="$ORA_LOCAL/cache"
PGLOGDIR="$ORA_LOCAL/log"
PG_MAJOR=15
PGBIN="/usr/lib/postgresql/$PG_MAJOR/bin"
DB_PORT="${ORA_DB_PORT:-54322}"
FN_PORT="${ORA_FUNCTIONS_PORT:-54321}"
DB_URL="postgresql://postgres:postgres@127.0.0.1:$DB_PORT/postgres"
export DENO_DIR="$ORA_LOCAL/deno"
export DENO_NO_UPDATE_CHECK=1
export PATH="$ORA_ROOT/node_modules/.bin:$PATH"

step() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
# die prints one clear sentence and exits non-zero; callers never show a stack trace.
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# as_root runs a command with root rights: directly as root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@";
  else die "Installing system packages needs root or passwordless sudo; run 'npm start' as root or install: $*"; fi
}

# pg_os_user is the non-root account that owns and runs the cluster (initdb refuses root).
pg_os_user() {
  if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

# The cluster's home (data dir pgdata/, socket dir run/): files the cluster owner must open.
# As a normal user that is .local/ in the checkout, run by you. As root the cluster runs as the
# OS user postgres, which may not be able to enter the checkout at all (a clone under /root,
# mode 700), so it lives outside, in a postgres-owned folder keyed by the checkout's path:
# ~postgres/ora-clusters/<first 12 hex of sha256(physical checkout path)>/ (with .local/pgdata a
# symlink to it). A real .local/pgdata made by an earlier version keeps being used as root.
# Logs stay in .local/log either way: the invoking shell opens them and Postgres inherits them.
pg_cluster_home() {
  if [ "$(id -u)" -ne 0 ] || { [ -f "$ORA_LOCAL/pgdata/PG_VERSION" ] && [ ! -L "$ORA_LOCAL/pgdata" ]; }; then
    echo "$ORA_LOCAL"; return
  fi
  # (before postgresql-15 is installed there is no account yet: Debian's default home then)
  local home; home="$(getent passwd postgres | cut -d: -f6 || true)"
  echo "${home:-/var/lib/postgresql}/ora-clusters/$(cd "$ORA_ROOT" && pwd -P | tr -d '\n' | sha256sum | cut -c1-12)"
}
PG_CLUSTER_HOME="$(pg_cluster_home)"
PGDATA="$PG_CLUSTER_HOME/pgdata"
PGRUN="$PG_CLUSTER_HOME/run"

# as_pg runs a command as the cluster owner (from /: it may not be able to enter the current folder).
as_pg() {
  local u; u="$(pg_os_user)"
  if [ "$(id -un)" = "$u" ]; then "$@"; else (cd / && runuser -u "$u" -- "$@"); fi
}

# psql_db runs psql against the local cluster as postgres, stopping at the first error.
psql_db() {
  PGOPTIONS="-c client_min_messages=warning" \
  PGPASSWORD=postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres "$@"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
