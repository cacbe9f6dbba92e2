#!/usr/bin/env bash
# npm run bench: brings the stack up if needed and runs every benchmark. Figures are printed
# beside their baseline from the same run, as ratios; nothing here fails on a timing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ORA_ROOT"
started_here=0
bash "$ORA_ROOT/scripts/functions.sh" status || started_here=1
trap '[ "$started_here" = 1 ] && bash scripts/stop.sh >/dev/null 2>&1 || true' EXIT
bash scripts/up.sh
for b in scripts/bench/*.ts; do
  [[ "$(basename "$b")" == _* ]] && continue
  [ -n "${ORA_BENCH:-}" ] && [[ "$b" != *"$ORA_BENCH"* ]] && continue
  step "bench: $(basename "$b" .ts)"
  deno run --allow-all --env-file=.env.local "$b"
done
