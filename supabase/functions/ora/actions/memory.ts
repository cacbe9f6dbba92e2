/** memory.store|get|search|list|forget|index|unindex|reindex|health|decisions */
import { z } from "zod";
import {
  type ActionContext,
  type AfterContext,
  Limit,
  tenantAction,
  Uuid,
} from "../../_shared/platform/actions.ts";
import { elevated } from "../../_shared/platform/db.ts";
import { ApiError } from "../../_shared/platform/http.ts";
import {
  type CacheLookup,
  embedderModelId,
  searchCached,
  searchFresh,
  SearchMemoryInput,
} from "../../_shared/memory/search.ts";
import {
  checkContradictions,
  forgetMemory,
  ForgetMemoryInput,
  getMemory,
  GetMemoryInput,
  listMemories,
  ListMemoriesInput,
  memoryHealth,
  StoreMemoryInput,
  writeMemory,
  type WriteResult,
} from "../../_shared/memory/store.ts";

const read = { resource: "memory", access: "read" as const };
const write = { resource: "memory", access: "write" as const };

const IndexInput = z.object({
  source_type: z.enum(["document", "conversation", "tool_result"]),
  source_id: Uuid.optional().describe("Id of the document (a new one when omitted)"),
  title: z.string().trim().max(500).optional(),
  content: z.string().max(1_000_000).describe(
    "Text to index, cut into overlapping chunks; empty removes the source",
  ),
  asset_id: Uuid.optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  created_at: z.iso.datetime({ offset: true }).optional().describe(
    "When the source was created (time filters, decay); default now",
  ),
}).strict();

export const memoryActions = {
  "memory.store": tenantAction({
    description:
      "Store a memory (add; the same key again makes a new version that supersedes the old one; the same content is a noop), then check similar live memories of the same type and supersede the ones it contradicts (the tenant's LLM judges, deterministic rules offline). Indexed and embedded automatically.",
    scope: write,
    params: StoreMemoryInput,
    returns:
      "{memory, decision: add|update|noop, previous?, contradictions: {checked, judge, candidates, superseded[], explanation}}",
    handler: ({ tx, tenantId }: ActionContext, data: z.infer<typeof StoreMemoryInput>) =>
      writeMemory(tx, tenantId, data),
    after: async (ctx: AfterContext, data: z.infer<typeof StoreMemoryInput>, result: unknown) => {
      const written = result as WriteResult;
      const contradictions = data.check_contradictions && written.decision !== "noop"
        ? await checkContradictions(ctx.db, ctx.config, ctx.tenantId, written, ctx.read)
        : { checked: false, superseded: [] };
      return { ...written, contradictions };
    },
  }),
  "memory.get": tenantAction({
    description:
      "One memory by id, or by key and type (and agent): the live version first. Counts as an access.",
    scope: read,
    params: GetMemoryInput,
    returns: "memory",
    handler: ({ tx }: ActionContext, data: z.infer<typeof GetMemoryInput>) => getMemory(tx, data),
  }),
  "memory.search": tenantAction({
    description:
      "Hybrid search of the tenant's memory index (memories, posts, lead notes, documents, …): vector and full-text ranks fused by reciprocal rank, with filters, optional time decay, health weighting and MMR diversity, behind a semantic cache invalidated by any index change.",
    scope: read,
    params: SearchMemoryInput,
    returns:
      "{items: [{id, source_type, source_id, title, content, score, relevance, similarity, vector_rank, text_rank, …}], cached, strategy, embedder, took_ms}",
    handler: ({ tx, tenantId, config }: ActionContext, data: z.infer<typeof SearchMemoryInput>) =>
      searchCached(tx, config, tenantId, data),
    after: (ctx: AfterContext, _data: unknown, result: unknown) => {
      const lookup = result as CacheLookup;
      if (lookup.hit) return Promise.resolve(lookup.hit);
      return searchFresh(ctx.db, ctx.config, ctx.tenantId, lookup, ctx.read);
    },
  }),
  "memory.list": tenantAction({
    description:
      "List memories newest first: by type, agent ('shared' for none), status (live, superseded, archived, all), tier, key prefix, importance; cursor pagination.",
    scope: read,
    params: ListMemoriesInput,
    returns: "{items: memory[], nextCursor: string | null}",
    handler: ({ tx }: ActionContext, data: z.infer<typeof ListMemoriesInput>) =>
      listMemories(tx, data),
  }),
  "memory.forget": tenantAction({
    description:
      "Forget a memory: by id that memory, by key and type every version of the key. Deleted (with its index chunks), or archived to the cold tier with archive: true. Recorded as a decision.",
    scope: write,
    params: ForgetMemoryInput,
    returns: "{id, ids[], key, type, deleted | archived: true}",
    handler: ({ tx, tenantId }: ActionContext, data: z.infer<typeof ForgetMemoryInput>) =>
      forgetMemory(tx, tenantId, data),
  }),
  "memory.index": tenantAction({
    description:
      "Index a document, conversation or tool result for search: chunked (about 1200 characters, 200 overlapping) and embedded automatically; indexing the same source again re-embeds only changed chunks. Memories, posts and lead notes are indexed by themselves.",
    scope: write,
    params: IndexInput,
    returns: "{source_type, source_id, chunks}",
    handler: async ({ tx, tenantId }: ActionContext, d: z.infer<typeof IndexInput>) => {
      const sourceId = d.source_id ?? crypto.randomUUID();
      const attrs = {
        ...(d.asset_id ? { asset_id: d.asset_id } : {}),
        metadata: d.metadata,
        ...(d.created_at ? { source_created_at: d.created_at } : {}),
      };
      const [row] = await elevated(
        tx,
        () =>
          tx`select app.memory_index_put(${tenantId}, ${d.source_type}, ${sourceId}, ${
            d.title ?? null
          }, ${d.content}, ${tx.json(attrs as never)}) as chunks`,
      );
      return { source_type: d.source_type, source_id: sourceId, chunks: row.chunks };
    },
  }),
  "memory.unindex": tenantAction({
    description: "Remove a document, conversation or tool result from the index.",
    scope: write,
    params: z.object({
      source_type: z.enum(["document", "conversation", "tool_result"]),
      source_id: Uuid,
    }).strict(),
    returns: "{source_type, source_id, removed}",
    handler: async (
      { tx, tenantId }: ActionContext,
      d: { source_type: string; source_id: string },
    ) => {
      const [n] = await tx`select count(*)::integer as n from public.memory_index
        where source_type = ${d.source_type} and source_id = ${d.source_id}`;
      if (!n.n) throw new ApiError("NOT_FOUND", `No indexed ${d.source_type} ${d.source_id}`);
      await elevated(
        tx,
        () =>
          tx`select app.memory_index_put(${tenantId}, ${d.source_type}, ${d.source_id}, null, '')`,
      );
      return { ...d, removed: n.n };
    },
  }),
  "memory.reindex": tenantAction({
    description:
      "Queue every chunk without a vector of the tenant's current embedding model for embedding: after switching embedding providers (settings.memory.embeddings), or to retry dead-lettered jobs.",
    scope: write,
    params: z.object({}).strict(),
    returns: "{model, queued}",
    handler: async ({ tx, tenantId, config }: ActionContext) => {
      const [t] = await tx`select settings from public.tenants where id = ${tenantId}`;
      const model = embedderModelId(config, (t?.settings ?? {}) as Record<string, unknown>);
      const [row] = await elevated(
        tx,
        () => tx`select app.memory_reindex(${tenantId}, ${model}) as queued`,
      );
      return { model, queued: row.queued };
    },
  }),
  "memory.health": tenantAction({
    description:
      "Memory health: memories by status, tier and type, mean health, index size, the policy (quotas, thresholds) and its use, the latest maintenance report.",
    scope: read,
    params: z.object({}).strict(),
    returns:
      "{total, live, superseded, archived, avg_health, tiers, live_by_type, index, policy, quota, last_maintenance}",
    handler: ({ tx, tenantId }: ActionContext) => memoryHealth(tx, tenantId),
  }),
  "memory.decisions": tenantAction({
    description:
      "Decisions taken when memories were stored or forgotten (add, update, supersede, noop, forget, archive), newest first.",
    scope: read,
    params: z.object({ memory_id: Uuid.optional(), limit: Limit }).strict(),
    returns: "{items: decision[]}",
    handler: async ({ tx }: ActionContext, d: { memory_id?: string; limit: number }) => ({
      items: await tx`
        select id, memory_id, action, target_ids, judge, model, explanation, details, created_at
        from public.memory_decisions
        where ${
        d.memory_id
          ? tx`(memory_id = ${d.memory_id} or ${d.memory_id} = any(target_ids))`
          : tx`true`
      }
        order by created_at desc, id desc limit ${d.limit}`,
    }),
  }),
};
