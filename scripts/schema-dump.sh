#!/usr/bin/env bash
# Writes supabase/schema.sql: the schema the migrations produce (schemas public and app, with
# privileges, policies and comments), normalised so it only changes when the schema does.
#   --check: fail when the committed snapshot differs (an unintended schema change).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TARGET="$ORA_ROOT/supabase/schema.sql"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
{
  echo "-- Schema snapshot of public and app, written by scripts/schema-dump.sh (npm run schema:dump)."
  echo "-- npm test fails when the migrations produce anything else: review the diff, then re-dump."
  PGPASSWORD=postgres "$PGBIN/pg_dump" -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres \
    --schema-only --schema=public --schema=app --no-owner \
    | grep -vE '^(--|SET |SELECT pg_catalog.set_config|\\(un)?restrict )' | cat -s
} >"$tmp" || die "pg_dump failed"
if [ "${1:-}" = "--check" ]; then
  diff -u "$TARGET" "$tmp" >&2 && exit 0
  die "The schema differs from supabase/schema.sql; if the change is intended, run 'npm run schema:dump' and commit"
fi
cp "$tmp" "$TARGET"
info "wrote supabase/schema.sql ($(wc -l <"$TARGET") lines)"
