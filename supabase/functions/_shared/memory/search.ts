/**
 * Memory search: public.memory_search (hybrid vector + full text, fused by reciprocal rank) behind
 * the semantic cache. A search is two short transactions around the query's embedding, so no
 * connection is held while a provider answers:
 *
 * 1. `searchCached` (in the caller's transaction): the tenant's settings, the cache key (tenant,
 *    normalised query, filters, options, embedding model) and a lookup that only hits while the
 *    tenant's index version is the one the entry was computed at;
 * 2. the query embedded (no connection held);
 * 3. `searchFresh`: the index version, the search, the cache entry and retrieval statistics.
 *
 * Every statement runs as the tenant (RLS), the vector search included.
 */
import { z } from "zod";
import { type Config, loadConfig } from "../platform/config.ts";
import type { Claims, Db, Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import { log } from "../platform/log.ts";
import {
  type Embedder,
  type EmbedderInfo,
  embedderInfo,
  LEXICAL_NOTE,
  resolveEmbedder,
  vectorLiteral,
} from "./embeddings.ts";
import { memorySettings } from "./settings.ts";

export const MEMORY_TYPES = [
  "fact",
  "preference",
  "context",
  "skill",
  "instruction",
  "reflection",
  "task",
  "entity",
] as const;
export const MemoryType = z.enum(MEMORY_TYPES);
export type MemoryType = z.infer<typeof MemoryType>;

export const SOURCE_TYPES = [
  "memory",
  "post",
  "lead_note",
  "document",
  "conversation",
  "tool_result",
] as const;
export const SourceType = z.enum(SOURCE_TYPES);

export const AgentSlug = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "an agent slug");

export const SearchFilters = z.object({
  source_types: z.array(SourceType).min(1).max(SOURCE_TYPES.length).optional().describe(
    "Only these sources (memory, post, lead_note, document, conversation, tool_result)",
  ),
  memory_types: z.array(MemoryType).min(1).max(MEMORY_TYPES.length).optional().describe(
    "Only memories of these types",
  ),
  asset_id: z.uuid().optional(),
  time_from: z.iso.datetime({ offset: true }).optional().describe("Sources created from"),
  time_to: z.iso.datetime({ offset: true }).optional().describe("Sources created before"),
  min_health: z.number().min(0).max(1).optional().describe(
    "Memories at least this healthy (other sources pass)",
  ),
  agent: AgentSlug.optional().describe("Memories of this agent and shared ones"),
  metadata: z.record(z.string(), z.unknown()).optional().describe(
    "Chunks whose metadata contains this",
  ),
  include_superseded: z.boolean().optional().describe(
    "Include superseded memories (default false)",
  ),
  include_cold: z.boolean().optional().describe(
    "Include the cold tier (archived; text matches only; default true)",
  ),
}).strict();
export type SearchFilters = z.infer<typeof SearchFilters>;

export const SearchMemoryInput = z.object({
  query: z.string().trim().min(1).max(2000),
  limit: z.number().int().min(1).max(50).default(10),
  filters: SearchFilters.default({}),
  vector_weight: z.number().min(0).max(10).optional().describe("Weight of the vector ranking (1)"),
  text_weight: z.number().min(0).max(10).optional().describe("Weight of the full-text ranking (1)"),
  decay_half_life_days: z.number().gt(0).max(36_500).optional().describe(
    "Halve a result's score every this many days of age (off by default)",
  ),
  mmr_lambda: z.number().min(0).max(1).optional().describe(
    "Diversify (MMR): 1 = relevance only, 0 = diversity only (off by default)",
  ),
  health_weight: z.number().min(0).max(1).optional().describe(
    "How much a memory's health scales its score (0)",
  ),
  min_similarity: z.number().min(-1).max(1).optional().describe(
    "Drop vector matches below this cosine similarity",
  ),
  cache: z.boolean().default(true).describe("Use and fill the semantic cache"),
}).strict();
export type SearchMemoryInput = z.input<typeof SearchMemoryInput>;
type SearchParams = z.infer<typeof SearchMemoryInput>;

/** One search result: a chunk, its source and how it ranked. */
export interface MemoryHit {
  id: string;
  source_type: string;
  source_id: string;
  chunk_index: number;
  title: string | null;
  content: string;
  score: number;
  relevance: number;
  similarity: number | null;
  vector_rank: number | null;
  text_rank: number | null;
  asset_id: string | null;
  metadata: Record<string, unknown>;
  memory_type: string | null;
  health: number | null;
  cold: boolean;
  source_created_at: string;
}

export interface SearchResult {
  items: MemoryHit[];
  cached: boolean;
  /** exact or hnsw (how vectors were searched), none (text only). */
  strategy: string;
  embedder: EmbedderInfo & { error?: string };
  took_ms: number;
}

/** A cache hit, or what a fresh search needs. */
export type CacheLookup =
  | { hit: SearchResult }
  | { hit?: undefined; key: string; params: SearchParams; settings: Record<string, unknown> };

/** A transaction runner as the tenant (db.tenant with the caller's claims, or AfterContext.read). */
export type TenantRunner = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

/** Claims of a service caller (worker, automation) acting for `tenantId` under RLS. */
export function tenantClaims(tenantId: string, scopes = ["memory:*"]): Claims {
  return { role: "authenticated", tenant_id: tenantId, scopes };
}

/** The model id an embedder of these settings records, without contacting anything. */
export function embedderModelId(config: Config, settings: Record<string, unknown>): string {
  const e = memorySettings(settings).embeddings ?? {};
  const name = e.provider ?? "default";
  if (name === "offline") return "offline:lexical-v1";
  if (name === "supabase") return "supabase:gte-small";
  const supabase = (globalThis as unknown as { Supabase?: { ai?: unknown } }).Supabase?.ai;
  if (name === "default" && supabase) return "supabase:gte-small";
  if (name === "default" && !config.ORA_EMBEDDINGS_API_KEY) return "offline:lexical-v1";
  return `openai:${e.model ?? config.ORA_EMBEDDINGS_MODEL}`;
}

/** Sorted-key JSON, so equal filters give equal keys. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${
      Object.keys(v as Record<string, unknown>).filter((k) =>
        (v as Record<string, unknown>)[k] !== undefined
      ).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
        .join(",")
    }}`;
  }
  return JSON.stringify(v);
}

/** A query as the cache sees it: case, spacing and trailing punctuation do not matter. */
export function normaliseQuery(q: string): string {
  return q.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").replace(/[\s.?!,;:]+$/, "").trim();
}

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The cache key of a search. */
export async function cacheKey(p: SearchParams, model: string): Promise<string> {
  const { query, cache: _c, ...rest } = p;
  return await sha256(canonical({ q: normaliseQuery(query), model, ...rest }));
}

/** Step 1, in the caller's transaction: a cache hit, or what a fresh search needs. */
export async function searchCached(
  tx: Tx,
  config: Config,
  tenantId: string,
  input: SearchMemoryInput,
): Promise<CacheLookup> {
  const started = performance.now();
  const params = SearchMemoryInput.parse(input);
  const [t] = await tx`select settings from public.tenants where id = ${tenantId}`;
  const settings = (t?.settings ?? {}) as Record<string, unknown>;
  const model = embedderModelId(config, settings);
  const key = await cacheKey(params, model);
  if (params.cache) {
    const [hit] = await tx`
      update public.semantic_cache c set hits = c.hits + 1, last_hit_at = now()
      where c.tenant_id = ${tenantId} and c.cache_key = ${key} and c.valid_until > now()
        and c.index_version = (select s.version from public.memory_index_state s where s.tenant_id = ${tenantId})
      returning c.results`;
    if (hit) {
      const cached = hit.results as Omit<SearchResult, "cached" | "took_ms">;
      await recordRetrievals(tx, tenantId, cached.items);
      return {
        hit: { ...cached, cached: true, took_ms: Math.round(performance.now() - started) },
      };
    }
  }
  return { key, params, settings };
}

/** Step 2 and 3: embeds the query (no connection held), then searches and caches as the tenant. */
export async function searchFresh(
  db: Db,
  config: Config,
  tenantId: string,
  miss: Exclude<CacheLookup, { hit: SearchResult }>,
  run: TenantRunner,
  signal?: AbortSignal,
): Promise<SearchResult> {
  const started = performance.now();
  const p = miss.params;
  let embedder: Embedder | undefined;
  let info: SearchResult["embedder"];
  let vector: string | null = null;
  try {
    embedder = await resolveEmbedder(db, config, { id: tenantId, settings: miss.settings });
    info = embedderInfo(embedder);
    const out = await embedder.embed([p.query], signal);
    vector = vectorLiteral(out.vectors[0]);
  } catch (e) {
    // the text half still answers; the result says why the vector half did not
    const message = String((e as Error)?.message ?? e).slice(0, 500);
    log("warn", "memory search without vectors: the query could not be embedded", {
      tenant: tenantId,
      error: message,
    });
    info = {
      provider: embedder?.provider ?? "unknown",
      model: embedder?.model ?? embedderModelId(config, miss.settings),
      semantic: false,
      note: "the query could not be embedded: full-text results only",
      error: message,
    };
  }
  const options = {
    embedding_model: embedder?.model,
    vector_weight: p.vector_weight,
    text_weight: p.text_weight,
    decay_half_life_days: p.decay_half_life_days,
    mmr_lambda: p.mmr_lambda,
    health_weight: p.health_weight,
    min_similarity: p.min_similarity,
  };
  const result = await run(async (tx) => {
    const agentId = p.filters.agent ? await agentIdOf(tx, p.filters.agent) : undefined;
    const filters = { ...sqlFilters(p.filters), ...(agentId ? { agent_id: agentId } : {}) };
    const [v] = await tx`select coalesce(
      (select s.version from public.memory_index_state s where s.tenant_id = ${tenantId}), 0) as version`;
    const rows = await tx<(MemoryHit & { strategy: string })[]>`
      select * from public.memory_search(${p.query}, ${vector}::extensions.vector, ${p.limit},
        ${tx.json(filters as never)}, ${tx.json(options as never)})`;
    const items: MemoryHit[] = rows.map(({ strategy: _s, ...r }) => r);
    const strategy = rows[0]?.strategy ?? (vector ? "exact" : "none");
    const body = { items, strategy, embedder: info };
    if (p.cache && !info.error) {
      const [pol] = await tx`
        select cache_ttl_seconds from public.memory_policies where tenant_id = ${tenantId}`;
      const ttl = Number(pol?.cache_ttl_seconds ?? 0);
      if (ttl > 0) {
        await tx`
          insert into public.semantic_cache as c (tenant_id, cache_key, query, filters, results, index_version,
            embedding_model, valid_until)
          values (${tenantId}, ${miss.key}, ${normaliseQuery(p.query)}, ${
          tx.json(p.filters as never)
        },
            ${tx.json(body as never)}, ${v.version}, ${embedder?.model ?? null},
            now() + make_interval(secs => ${ttl}))
          on conflict on constraint semantic_cache_tenant_id_cache_key_key do update
            set results = excluded.results, index_version = excluded.index_version, filters = excluded.filters,
              embedding_model = excluded.embedding_model, valid_until = excluded.valid_until, hits = 0,
              created_at = now(), last_hit_at = null`;
      }
    }
    await recordRetrievals(tx, tenantId, items);
    return body;
  });
  return { ...result, cached: false, took_ms: Math.round(performance.now() - started) };
}

/**
 * Searches the tenant's memory index (memories, posts, lead notes, documents, …) with hybrid
 * search behind the semantic cache, as the tenant (RLS). For agent tools and automations; call
 * it without holding a connection. `opts.config` defaults to the process configuration.
 */
export async function searchMemory(
  db: Db,
  tenantId: string,
  query: SearchMemoryInput,
  opts: { config?: Config; signal?: AbortSignal } = {},
): Promise<SearchResult> {
  const config = opts.config ?? defaultConfig();
  const run: TenantRunner = (fn) => db.tenant(tenantClaims(tenantId, ["memory:read"]), fn);
  const lookup = await run((tx) => searchCached(tx, config, tenantId, query));
  if (lookup.hit) return lookup.hit;
  return await searchFresh(db, config, tenantId, lookup, run, opts.signal);
}

let loaded: Config | undefined;
/** The process configuration (from the environment), for callers that pass none. */
export function defaultConfig(): Config {
  if (!loaded) loaded = loadConfig();
  return loaded;
}

/** The SQL function's filters from the API's. */
export function sqlFilters(f: SearchFilters): Record<string, unknown> {
  const { agent: _a, ...rest } = f;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}

/** An agent's id by slug (under RLS), or a not-found error the API maps to 404. */
export async function agentIdOf(tx: Tx, slug: string): Promise<string> {
  const [a] = await tx`select id from public.agents where slug = ${slug}`;
  if (!a) throw new ApiError("NOT_FOUND", `No agent ${slug}`);
  return a.id;
}

/** Counts memories that came back from a search (retrieval count, mean relevance). */
export async function recordRetrievals(
  tx: Tx,
  tenantId: string,
  items: { source_type: string; source_id: string; relevance: number }[],
): Promise<void> {
  const hits = items.filter((i) => i.source_type === "memory");
  if (!hits.length) return;
  await tx`
    update public.agent_memory m
    set avg_relevance = least(1, greatest(0, (m.avg_relevance * m.retrieval_count + h.relevance) / (m.retrieval_count + 1))),
      retrieval_count = m.retrieval_count + 1
    from (select * from jsonb_to_recordset(${
    tx.json(hits.map((h) => ({ id: h.source_id, relevance: h.relevance })) as never)
  }) as x(id uuid, relevance real)) h
    where m.id = h.id and m.tenant_id = ${tenantId}`;
}

export { LEXICAL_NOTE };
