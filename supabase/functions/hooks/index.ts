// hooks: inbound webhooks firing webhook-triggered automations. Logic: ./handler.ts.
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { createHooksHandler } from "./handler.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createHooksHandler({ db: new Db(config, "hooks"), config });

export default { fetch } satisfies Deno.ServeDefaultExport;
