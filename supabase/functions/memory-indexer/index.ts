// memory-indexer: drains the embeddings queue within a time budget (embeds chunks of
// memory_index in batches). Logic: _shared/memory/indexer.ts; the loop: _shared/queue/.
import { memoryIndexerSpec } from "../_shared/memory/indexer.ts";
import { loadConfig } from "../_shared/platform/config.ts";
import { Db } from "../_shared/platform/db.ts";
import { setLogLevel } from "../_shared/platform/log.ts";
import { createWorkerFunction } from "../_shared/queue/function.ts";

const config = loadConfig();
setLogLevel(config.ORA_LOG_LEVEL);
const fetch = createWorkerFunction("memory-indexer", {
  db: new Db(config, "memory-indexer"),
  config,
}, [memoryIndexerSpec(config)]);

export default { fetch } satisfies Deno.ServeDefaultExport;
