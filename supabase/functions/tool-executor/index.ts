// tool-executor: runs approved and allowed tool calls through their adapters (queue tool_calls).
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { createToolExecutorHandler } from "./handler.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createToolExecutorHandler({ db: new Db(config, "tool-executor"), config });

export default { fetch } satisfies Deno.ServeDefaultExport;
