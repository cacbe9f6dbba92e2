// ora: the public action API. Logic lives in handler.ts; this file wires config and the pool.
import { loadConfig } from "../_shared/config.ts";
import { createDb } from "../_shared/db.ts";
import { setLogLevel } from "../_shared/log.ts";
import { createOraHandler } from "./handler.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createOraHandler({ sql: createDb(config), config });

export default { fetch } satisfies Deno.ServeDefaultExport;
