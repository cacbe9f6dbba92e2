// orchestration-manager: sessions.* over the same {action, data} envelope as ora.
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { createActionHandler } from "../_shared/platform/handler.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { sessionActions } from "./actions.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createActionHandler(
  "orchestration-manager",
  { db: new Db(config, "orchestration-manager"), config },
  sessionActions,
);

export default { fetch } satisfies Deno.ServeDefaultExport;
