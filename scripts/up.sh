#!/usr/bin/env bash
# Brings the whole local stack up in the background: install what is missing, Postgres,
# bootstrap + migrations + seed, .env.local, the function server. Used by start and test.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ORA_ROOT/scripts/install.sh"
bash "$ORA_ROOT/scripts/db.sh" start
bash "$ORA_ROOT/scripts/db.sh" setup
step "Writing .env.local"
(cd "$ORA_ROOT" && deno run --allow-all scripts/local-env.ts) || die "Could not write .env.local"
bash "$ORA_ROOT/scripts/functions.sh" start
