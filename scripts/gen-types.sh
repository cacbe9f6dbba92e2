#!/usr/bin/env bash
# Generates supabase/functions/_shared/database.types.ts from the local database with the
# Supabase CLI.  --check: fail when the committed file differs (types drifted from migrations).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TARGET="$ORA_ROOT/supabase/functions/_shared/database.types.ts"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
(cd "$ORA_ROOT" && supabase gen types typescript --remote="$DB_URL" --schema public,app 2>/dev/null </dev/null) >"$tmp.raw" \
  || die "supabase gen types failed"
# The CLI may print notices (e.g. a first-run TLS warning) on stdout before the types.
sed -n '/^export type Json/,$p' "$tmp.raw" >"$tmp"; rm -f "$tmp.raw"
[ -s "$tmp" ] || die "supabase gen types printed no types"
# Format like the rest of the code so the committed file passes deno fmt.
cp "$tmp" "$tmp.ts" && (cd "$ORA_ROOT" && deno fmt --quiet --line-width=100 "$tmp.ts") && mv "$tmp.ts" "$tmp"
if [ "${1:-}" = "--check" ]; then
  diff -u "$TARGET" "$tmp" >&2 && exit 0
  die "Generated types differ from supabase/functions/_shared/database.types.ts; run 'npm run gen:types' and commit"
fi
cp "$tmp" "$TARGET"
info "wrote supabase/functions/_shared/database.types.ts"
