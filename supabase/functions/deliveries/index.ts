// deliveries: drains the deliveries queue (notification channels and webhooks) within a time
// budget. Logic: ./worker.ts; woken by enqueues (app.delivery_enqueue) and app.tick.
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { createWorkerFunction } from "../_shared/queue/function.ts";
import { deliveriesWorker } from "./worker.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createWorkerFunction(
  "deliveries",
  { db: new Db(config, "deliveries"), config },
  [deliveriesWorker(config)],
  { concurrency: Math.max(8, config.ORA_WORKER_CONCURRENCY) },
);

export default { fetch } satisfies Deno.ServeDefaultExport;
