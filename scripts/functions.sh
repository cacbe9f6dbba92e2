#!/usr/bin/env bash
# The local function server (scripts/serve.ts) in the background.
#   functions.sh start   start it unless running; wait until it answers
#   functions.sh stop    stop it
#   functions.sh status  exit 0 when it is running
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PIDFILE="$ORA_LOCAL/functions.pid"
LOGFILE="$PGLOGDIR/functions.log"

# A killed server can linger as a zombie (nobody reaps it in some containers): that is not running.
running() {
  [ -f "$PIDFILE" ] || return 1
  local pid; pid="$(cat "$PIDFILE")"
  kill -0 "$pid" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$pid/status"
}

start() {
  if running; then info "Functions already served on 127.0.0.1:$FN_PORT (pid $(cat "$PIDFILE"))"; return; fi
  # a server that was just killed may hold the port for a moment while it exits
  for _ in $(seq 1 50); do port_in_use "$FN_PORT" || break; sleep 0.1; done
  port_in_use "$FN_PORT" && die "Port $FN_PORT is taken by another program; stop it (or set ORA_FUNCTIONS_PORT) and run again"
  step "Serving functions on http://127.0.0.1:$FN_PORT/functions/v1/<name>"
  mkdir -p "$PGLOGDIR"
  cd "$ORA_ROOT"
  nohup deno run --env-file=.env.local --allow-all scripts/serve.ts >>"$LOGFILE" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$FN_PORT/functions/v1/ora" 2>/dev/null; then return; fi
    running || { tail -5 "$LOGFILE" >&2; die "The function server exited; see .local/log/functions.log"; }
    sleep 0.2
  done
  die "The function server did not answer within 30 s; see .local/log/functions.log"
}

stop() {
  if running; then
    step "Stopping the function server"
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    for _ in $(seq 1 50); do running || break; sleep 0.1; done
    running && kill -9 "$(cat "$PIDFILE")" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) die "usage: scripts/functions.sh start|stop|status" ;;
esac
