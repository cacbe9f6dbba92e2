// trigger-engine: routes events and runs automations. Logic: _shared/automations/.
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { createTriggerEngineHandler } from "./handler.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createTriggerEngineHandler({ db: new Db(config, "trigger-engine"), config });

export default { fetch } satisfies Deno.ServeDefaultExport;
