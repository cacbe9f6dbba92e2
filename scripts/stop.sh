#!/usr/bin/env bash
# npm run stop: stops the function server and Postgres left running by npm start.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$ORA_ROOT/scripts/functions.sh" stop
bash "$ORA_ROOT/scripts/db.sh" stop
