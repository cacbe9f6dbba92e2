// orchestration-manager: sessions.* over the same {action, data} envelope as ora.
import { loadConfig } from "../_shared/config.ts";
import { createDb } from "../_shared/db.ts";
import { setLogLevel } from "../_shared/log.ts";
import { createActionHandler } from "../ora/handler.ts";
import { sessionActions } from "./actions.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createActionHandler(
  "orchestration-manager",
  { sql: createDb(config), config },
  sessionActions,
);

export default { fetch } satisfies Deno.ServeDefaultExport;
