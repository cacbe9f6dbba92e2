/**
 * Embedders: what turns text into the index's vectors. Three kinds, one interface:
 *
 * - **OpenAI-compatible** (`openai` SDK through the outbound client, the key a tenant secret bound
 *   to the endpoint's origin, or the operator's ORA_EMBEDDINGS_* for `default`);
 * - **Supabase.ai gte-small** when the code runs on Supabase's edge runtime
 *   (`globalThis.Supabase.ai`), 384 dimensions, no key, no network;
 * - **offline lexical**: hashed words and character trigrams, deterministic, instant. It finds
 *   shared words, not shared meaning, and every result that used it says so.
 *
 * The dimension is never configured here: it is the type of memory_index.embedding, read from
 * the catalog (app.memory_embedding_dimensions()); an embedder that cannot produce it fails with
 * a message saying how to fix it.
 */
import OpenAI from "openai";
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import {
  createOutboundFetch,
  type OutboundFetch,
  OutboundRefusedError,
  parseAllowList,
} from "../platform/outbound.ts";
import { providerKey, TenantLlmSettings } from "../llm/resolve.ts";
import { retryAfterMs } from "../llm/openai.ts";
import { fnv1a } from "../platform/seeded.ts";
import { WorkError } from "../queue/classify.ts";
import { TenantEmbeddingSettings, TenantMemorySettings } from "./settings.ts";

/** What every embedder does. */
export interface Embedder {
  /** openai, supabase or offline. */
  readonly provider: string;
  /** Recorded with every vector (memory_index.embedding_model); search compares only vectors of the same model. */
  readonly model: string;
  /** False for the offline lexical embedder: its matches are shared words, not shared meaning. */
  readonly semantic: boolean;
  readonly dimensions: number;
  /** Texts per request. */
  readonly batchSize: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Embedded>;
}

export interface Embedded {
  vectors: number[][];
  /** Tokens the provider billed (0 when it does not say). */
  tokens: number;
}

/** What results say about the embedder that made the query vector. */
export interface EmbedderInfo {
  provider: string;
  model: string;
  semantic: boolean;
  note?: string;
}

export const LEXICAL_NOTE =
  "offline lexical embedder: vector matches are shared words, not shared meaning (configure an embedding provider in settings.memory.embeddings for semantic search)";

export function embedderInfo(e: Embedder): EmbedderInfo {
  return {
    provider: e.provider,
    model: e.model,
    semantic: e.semantic,
    ...(e.semantic ? {} : { note: LEXICAL_NOTE }),
  };
}

/** A failed embedding call: retryable (429, 5xx, timeouts, connections) or not. */
export class EmbeddingError extends WorkError {
  constructor(
    message: string,
    retryable: boolean,
    readonly status?: number,
    retryAfterMs?: number,
  ) {
    super(`EMBEDDING_${status ?? "ERROR"}`, message, retryable, retryAfterMs);
  }
}

/** The embedder cannot work as configured: retrying cannot help. */
export class EmbeddingConfigError extends WorkError {
  constructor(message: string) {
    super("EMBEDDINGS_NOT_CONFIGURED", message);
  }
}

function checkLength(vectors: number[][], count: number, dims: number, model: string) {
  if (vectors.length !== count) {
    throw new EmbeddingError(
      `Embedding model ${model} returned ${vectors.length} vectors for ${count} texts`,
      true,
    );
  }
  for (const v of vectors) {
    if (v.length !== dims) {
      throw new EmbeddingConfigError(
        `Embedding model ${model} returned ${v.length} dimensions; memory_index.embedding holds ${dims}: choose a model (or the send_dimensions setting) that gives ${dims}, or change the column's dimension (docs/memory.md)`,
      );
    }
    if (!v.every(Number.isFinite)) {
      throw new EmbeddingError(`Embedding model ${model} returned a non-numeric vector`, false);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// OpenAI-compatible
// ---------------------------------------------------------------------------------------------

export class OpenAIEmbedder implements Embedder {
  readonly provider = "openai";
  readonly semantic = true;
  readonly model: string;
  private client: OpenAI;
  constructor(
    private opts: {
      apiKey: string;
      baseURL: string;
      model: string;
      dimensions: number;
      sendDimensions: boolean;
      batchSize: number;
      timeoutMs: number;
      fetch: OutboundFetch;
    },
  ) {
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      maxRetries: 0,
      fetch: opts.fetch as unknown as typeof fetch,
    });
    this.model = `openai:${opts.model}`;
  }
  get dimensions() {
    return this.opts.dimensions;
  }
  get batchSize() {
    return this.opts.batchSize;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Embedded> {
    if (texts.length === 0) return { vectors: [], tokens: 0 };
    let res;
    try {
      res = await this.client.embeddings.create({
        model: this.opts.model,
        input: texts,
        encoding_format: "float",
        ...(this.opts.sendDimensions ? { dimensions: this.opts.dimensions } : {}),
      }, { timeout: this.opts.timeoutMs, signal });
    } catch (e) {
      throw toEmbeddingError(e);
    }
    const data = [...(res?.data ?? [])].sort((a, b) => a.index - b.index);
    const vectors = data.map((d) => d.embedding as unknown as number[]);
    checkLength(vectors, texts.length, this.opts.dimensions, this.model);
    return { vectors, tokens: res.usage?.prompt_tokens ?? 0 };
  }
}

function toEmbeddingError(e: unknown): Error {
  const cause = (e as { cause?: unknown })?.cause;
  if (e instanceof OutboundRefusedError) return e;
  if (cause instanceof OutboundRefusedError) return cause;
  if (e instanceof OpenAI.APIUserAbortError) {
    return new EmbeddingError("Embedding call aborted", false);
  }
  if (e instanceof OpenAI.APIConnectionTimeoutError) {
    return new EmbeddingError("Embedding call timed out", true);
  }
  if (e instanceof OpenAI.APIConnectionError) {
    return new EmbeddingError(`Embedding connection failed: ${e.message}`, true);
  }
  if (e instanceof OpenAI.APIError) {
    const status = e.status ?? 0;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return new EmbeddingError(
      `Embedding endpoint answered ${status}: ${e.message}`.slice(0, 500),
      retryable,
      status,
      retryAfterMs(e.headers as Headers),
    );
  }
  return new EmbeddingError(
    `Embedding call failed: ${(e as Error)?.message ?? String(e)}`.slice(0, 500),
    true,
  );
}

// ---------------------------------------------------------------------------------------------
// Supabase.ai gte-small (Supabase's edge runtime)
// ---------------------------------------------------------------------------------------------

interface SupabaseAiSession {
  run(input: string, opts: { mean_pool: boolean; normalize: boolean }): Promise<unknown>;
}
type SupabaseAi = { Session: new (model: string) => SupabaseAiSession };

/** Supabase.ai when running on Supabase's edge runtime. */
export function supabaseAi(): SupabaseAi | undefined {
  return (globalThis as unknown as { Supabase?: { ai?: SupabaseAi } }).Supabase?.ai;
}

export class SupabaseEmbedder implements Embedder {
  readonly provider = "supabase";
  readonly model = "supabase:gte-small";
  readonly semantic = true;
  readonly dimensions = 384;
  readonly batchSize = 16;
  private session: SupabaseAiSession;
  constructor(ai: SupabaseAi, indexDimensions: number) {
    if (indexDimensions !== 384) {
      throw new EmbeddingConfigError(
        `gte-small makes 384-dimensional vectors; memory_index.embedding holds ${indexDimensions}: configure an OpenAI-compatible embedder with ${indexDimensions} dimensions`,
      );
    }
    this.session = new ai.Session("gte-small");
  }
  async embed(texts: string[]): Promise<Embedded> {
    const vectors: number[][] = [];
    for (const text of texts) {
      try {
        const out = await this.session.run(text, { mean_pool: true, normalize: true });
        vectors.push(Array.from(out as ArrayLike<number>));
      } catch (e) {
        throw new EmbeddingError(`gte-small failed: ${(e as Error)?.message ?? e}`, true);
      }
    }
    checkLength(vectors, texts.length, this.dimensions, this.model);
    return { vectors, tokens: 0 };
  }
}

// ---------------------------------------------------------------------------------------------
// Offline lexical
// ---------------------------------------------------------------------------------------------

const STOP = new Set(
  "a an and are as at be but by for from has have in is it its of on or that the this to was were will with"
    .split(
      " ",
    ),
);

/** Words of a text, lowercased, stop words out, crude suffixes stripped (pumps → pump, failed → fail). */
export function lexicalTokens(text: string): string[] {
  const words =
    text.toLowerCase().normalize("NFKD").match(/[\p{L}\p{N}]+(?:[-.][\p{L}\p{N}]+)*/gu) ??
      [];
  return words.filter((w) => !STOP.has(w)).map(stem);
}

function stem(w: string): string {
  if (w.length <= 4 || /\d/.test(w)) return w;
  for (const suffix of ["ing", "ed", "es", "s"]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) return w.slice(0, -suffix.length);
  }
  return w;
}

/** A deterministic lexical vector: signed feature hashing of words (weight 1) and trigrams (0.3). */
export function lexicalVector(text: string, dims: number): number[] {
  const v = new Float64Array(dims);
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    const sign = (fnv1a(feature, 0x9747b28c) & 1) === 0 ? 1 : -1;
    v[h % dims] += sign * weight;
  };
  const counts = new Map<string, number>();
  for (const t of lexicalTokens(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const [t, n] of counts) {
    const w = 1 + Math.log(n);
    add(`w:${t}`, w);
    const padded = ` ${t} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(`g:${padded.slice(i, i + 3)}`, 0.3 * w);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  // an empty text gets a fixed unit vector (pgvector cannot take cosine distance of zero vectors)
  if (norm === 0) {
    v[0] = 1;
    norm = 1;
  }
  return Array.from(v, (x) => Math.round((x / norm) * 1e6) / 1e6);
}

export class OfflineEmbedder implements Embedder {
  readonly provider = "offline";
  readonly model = "offline:lexical-v1";
  readonly semantic = false;
  readonly batchSize = 256;
  constructor(readonly dimensions: number) {}
  embed(texts: string[]): Promise<Embedded> {
    return Promise.resolve({
      vectors: texts.map((t) => lexicalVector(t, this.dimensions)),
      tokens: 0,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

let dimensionsCache: number | undefined;

/** The dimension of memory_index.embedding (from the catalog; cached per process). */
export async function indexDimensions(db: Db): Promise<number> {
  if (dimensionsCache) return dimensionsCache;
  const [row] = await db.s<{ d: number }[]>`select app.memory_embedding_dimensions() as d`;
  if (!row?.d || row.d < 1) {
    throw new EmbeddingConfigError(
      "Server misconfigured: memory_index.embedding has no dimension (apply the memory migrations)",
    );
  }
  dimensionsCache = Number(row.d);
  return dimensionsCache;
}

/** The tenant's settings (for callers that only have its id). */
export async function tenantSettings(db: Db, tenantId: string): Promise<Record<string, unknown>> {
  const [row] = await db.s<{ settings: Record<string, unknown> | null }[]>`
    select settings from public.tenants where id = ${tenantId}::uuid`;
  return row?.settings ?? {};
}

/**
 * The tenant's embedder: the provider named in settings.memory.embeddings (a provider of
 * memory.embeddings.providers or llm.providers, 'supabase', 'offline') or, by default,
 * Supabase.ai gte-small on Supabase's edge runtime, else the operator's ORA_EMBEDDINGS_* when
 * it has a key, else the offline lexical embedder.
 */
export async function resolveEmbedder(
  db: Db,
  config: Config,
  tenant: { id: string; settings: Record<string, unknown> },
): Promise<Embedder> {
  const m = TenantMemorySettings.safeParse(tenant.settings.memory ?? {});
  if (!m.success) {
    throw new EmbeddingConfigError(`Tenant memory settings are invalid: ${m.error.message}`);
  }
  const s: TenantEmbeddingSettings = m.data.embeddings ?? {};
  const dims = await indexDimensions(db);
  const name = s.provider ?? "default";
  const timeoutMs = s.timeout_ms ?? config.ORA_LLM_TIMEOUT_MS;
  const batchSize = s.batch_size ?? 64;
  const model = s.model ?? config.ORA_EMBEDDINGS_MODEL;
  const sendDimensions = s.send_dimensions ?? /^text-embedding-3/.test(model);
  const allow = parseAllowList(config.ORA_OUTBOUND_ALLOW ?? []);
  const ai = supabaseAi();
  // an OpenAI-compatible endpoint through the outbound client (the key bound to its origin)
  const openAI = (
    baseURL: string,
    apiKey: string,
    allowList: typeof allow,
    credential: { origin: string; secrets: string[] } | undefined,
  ) =>
    new OpenAIEmbedder({
      apiKey,
      baseURL,
      model,
      dimensions: dims,
      sendDimensions,
      batchSize,
      timeoutMs,
      fetch: createOutboundFetch({ allow: allowList, credential, timeoutMs: timeoutMs + 5000 }),
    });

  if (name === "offline") return new OfflineEmbedder(dims);
  if (name === "supabase") {
    if (!ai) {
      throw new EmbeddingConfigError(
        "Embedding provider 'supabase' (gte-small) runs only on Supabase's edge runtime: choose another provider here",
      );
    }
    return new SupabaseEmbedder(ai, dims);
  }
  if (name === "default") {
    if (ai && dims === 384) return new SupabaseEmbedder(ai, dims);
    if (!config.ORA_EMBEDDINGS_API_KEY) return new OfflineEmbedder(dims);
    // the operator's endpoint and key (environment): trusted configuration, its host allowed
    const origin = new URL(config.ORA_EMBEDDINGS_BASE_URL).origin;
    return openAI(
      config.ORA_EMBEDDINGS_BASE_URL,
      config.ORA_EMBEDDINGS_API_KEY,
      parseAllowList([...allow.entries, new URL(origin).hostname]),
      { origin, secrets: [config.ORA_EMBEDDINGS_API_KEY] },
    );
  }

  const llm = TenantLlmSettings.safeParse(tenant.settings.llm ?? {});
  const p = s.providers?.[name] ?? (llm.success ? llm.data.providers?.[name] : undefined);
  if (!p) {
    throw new EmbeddingConfigError(
      `Embedding provider '${name}' is not configured for this tenant: add it to settings.memory.embeddings.providers or settings.llm.providers (an admin setting), or choose 'default' or 'offline'`,
    );
  }
  const { origin, apiKey } = await providerKey(db, tenant.id, p, {
    name,
    model,
    purpose: "embeddings",
    what: "embedding provider",
  }, (m) => new EmbeddingConfigError(m));
  return openAI(
    p.base_url,
    apiKey ?? "no-key",
    allow,
    apiKey && apiKey.length >= 8 ? { origin, secrets: [apiKey] } : undefined,
  );
}

/** Embeds `texts` in the embedder's batch size. */
export async function embedAll(
  e: Embedder,
  texts: string[],
  signal?: AbortSignal,
): Promise<Embedded> {
  const vectors: number[][] = [];
  let tokens = 0;
  for (let i = 0; i < texts.length; i += e.batchSize) {
    const out = await e.embed(texts.slice(i, i + e.batchSize), signal);
    vectors.push(...out.vectors);
    tokens += out.tokens;
  }
  return { vectors, tokens };
}

/** A vector as pgvector's text input. */
export function vectorLiteral(v: number[]): string {
  return `[${v.join(",")}]`;
}
