// ora: the public action API (GET = schema, POST {action, data}). Actions: ./actions/*.ts.
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { createActionHandler } from "../_shared/platform/handler.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { toolCatalogDocument } from "../_shared/tools/registry.ts";
import { actions } from "./actions/index.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
// the tool registry's contracts are published with the actions (key "tools")
const fetch = createActionHandler("ora", { db: new Db(config, "ora"), config }, actions, {
  tools: toolCatalogDocument(),
});

export default { fetch } satisfies Deno.ServeDefaultExport;
