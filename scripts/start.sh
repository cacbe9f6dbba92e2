#!/usr/bin/env bash
# npm start: the local stack in the foreground until Ctrl-C (then everything stops).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ORA_ROOT/scripts/up.sh"
trap 'echo; bash "$ORA_ROOT/scripts/stop.sh"; exit 0' INT TERM

step "Demo: three agents investigate a pump, the coordinator writes the brief"
(cd "$ORA_ROOT" && deno run --allow-all --env-file=.env.local scripts/demo.ts) || info "(the demo failed; the stack is still up)"

step "Ora is running"
grep -v '^#' "$ORA_ROOT/.env.local" | sed 's/^/    /' >&2
cat >&2 <<MSG

    Try it:
      curl -s http://127.0.0.1:$FN_PORT/functions/v1/ora | head -c 300
      curl -s -X POST http://127.0.0.1:$FN_PORT/functions/v1/ora \\
        -H "Authorization: Bearer \$ORA_API_KEY" -H 'content-type: application/json' \\
        -d '{"action":"leads.create","data":{"name":"Ada","email":"ada@example.com","ai_score":91}}'

    Logs: .local/log/functions.log, .local/log/postgres.log. Press Ctrl-C to stop.
MSG
if [ "${ORA_START_DETACH:-}" = "1" ]; then exit 0; fi
tail -n 0 -F "$PGLOGDIR/functions.log" &
wait
