// agent-worker: drains agent_jobs (pgmq) within a time budget. Logic: _shared/agent/worker.ts.
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { createAgentWorkerHandler } from "./handler.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createAgentWorkerHandler({ db: new Db(config, "agent-worker"), config });

export default { fetch } satisfies Deno.ServeDefaultExport;
