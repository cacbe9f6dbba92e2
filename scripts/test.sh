#!/usr/bin/env bash
# npm test: brings the local stack up (installing what is missing), then runs every suite and
# ends with one line: "N passed, N failed" (totals over all suites).
#   suites: type check, deno lint, deno fmt --check, supabase db lint, generated-types drift,
#           schema snapshot drift, unit tests (no stack), pgTAP (pg_prove),
#           deno test (HTTP against the served functions)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ORA_ROOT"

PASSED=0
FAILED=0
FAILED_NAMES=()
OUT="$ORA_LOCAL/test-output"

started_here=0
bash "$ORA_ROOT/scripts/functions.sh" status || started_here=1
finish() {
  if [ "$started_here" = 1 ] && [ "${ORA_TEST_KEEP_STACK:-}" != "1" ]; then bash "$ORA_ROOT/scripts/stop.sh" >/dev/null 2>&1 || true; fi
}
trap finish EXIT

bash scripts/up.sh
mkdir -p "$OUT"

# check NAME CMD...: one test that passes when CMD exits 0 (output kept in .local/test-output).
check() {
  local name="$1"; shift
  local log="$OUT/$name.log"
  if "$@" >"$log" 2>&1; then
    PASSED=$((PASSED + 1)); printf '  ok   %s\n' "$name"
  else
    FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); printf '  FAIL %s (see %s)\n' "$name" "$log"
    tail -30 "$log" | sed 's/^/       /'
  fi
}

TS_FILES=(supabase/functions/*/index.ts scripts/*.ts scripts/bench/*.ts supabase/functions/tests/*.ts
  supabase/functions/tests/unit/*.ts)

# deno_suite NAME ARGS...: a deno test run whose passed/failed counts join the totals.
deno_suite() {
  local name="$1"; shift
  NO_COLOR=1 deno test --allow-all "$@" >"$OUT/$name.log" 2>&1 || true
  grep -E '^(ERRORS|FAILURES|ok \||FAILED \|)|=> |\.\.\. FAILED|^error:' "$OUT/$name.log" | sed 's/^/    /' || true
  local summary d_ok d_fail
  summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$OUT/$name.log" | tail -1 || true)
  if [ -n "$summary" ]; then
    d_ok=$(echo "$summary" | sed -E 's/.*\| ([0-9]+) passed.*/\1/')
    d_fail=$(echo "$summary" | sed -E 's/.*\| ([0-9]+) failed.*/\1/')
  else
    d_ok=0; d_fail=1; tail -30 "$OUT/$name.log" | sed 's/^/       /'
  fi
  PASSED=$((PASSED + d_ok)); FAILED=$((FAILED + d_fail))
  [ "$d_fail" -gt 0 ] && FAILED_NAMES+=("$name")
  return 0
}

step "Static checks"
check "deno-check" deno check "${TS_FILES[@]}"
check "deno-lint" deno lint
check "deno-fmt" deno fmt --check
check "supabase-db-lint" supabase db lint --remote="$DB_URL" --schema public,app --fail-on error
check "generated-types-match-migrations" bash scripts/gen-types.sh --check
check "schema-matches-snapshot" bash scripts/schema-dump.sh --check

step "Unit tests (no stack)"
deno_suite unit-tests supabase/functions/tests/unit/

step "pgTAP (pg_prove)"
psql_db -f supabase/tests/helpers.sql >/dev/null
mapfile -t TAP_FILES < <(find supabase/tests -name '*.test.sql' | sort)
tap_rc=0
PGPASSWORD=postgres pg_prove --verbose --jobs 2 -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres "${TAP_FILES[@]}" \
  >"$OUT/pgtap.log" 2>&1 || tap_rc=$?
tap_ok=$(grep -cE '^\s*ok [0-9]+' "$OUT/pgtap.log" || true)
tap_fail=$(grep -cE '^\s*not ok [0-9]+' "$OUT/pgtap.log" || true)
if [ "$tap_rc" -ne 0 ] && [ "$tap_fail" -eq 0 ]; then tap_fail=1; fi
PASSED=$((PASSED + tap_ok)); FAILED=$((FAILED + tap_fail))
grep -E '^\s*not ok|Dubious|Bad plan|ERROR' "$OUT/pgtap.log" | head -40 | sed 's/^/       /' || true
tail -3 "$OUT/pgtap.log" | sed 's/^/    /'
[ "$tap_fail" -gt 0 ] && FAILED_NAMES+=("pgTAP")

step "deno test (HTTP against the served functions)"
deno_suite deno-test --env-file=.env.local --ignore=supabase/functions/tests/unit supabase/functions/tests/

echo
[ ${#FAILED_NAMES[@]} -gt 0 ] && echo "Failing: ${FAILED_NAMES[*]} (logs in .local/test-output/)"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
