// agent-worker: drains agent_jobs (pgmq) within a time budget. Logic: _shared/agent/worker.ts.
import { loadConfig } from "../_shared/config.ts";
import { createDb } from "../_shared/db.ts";
import { setLogLevel } from "../_shared/log.ts";
import { createAgentWorkerHandler } from "./handler.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createAgentWorkerHandler({ sql: createDb(config), config });

export default { fetch } satisfies Deno.ServeDefaultExport;
