/**
 * Storing, reading and forgetting memories (seed 000 `memory.*`), with Mem0-style decisions:
 *
 * - **add** — a new key;
 * - **update** — the same key (per agent and type) with new content: a new version that
 *   supersedes the old one (kept, not deleted);
 * - **noop** — the same key with the same content;
 * - **supersede** — a similar live memory the new one contradicts (Part V), judged by the
 *   tenant's LLM or by deterministic rules (`contradictions.ts`).
 *
 * Every decision is a row in memory_decisions. Writes run as the tenant (RLS); a store is one
 * short transaction, then — holding no connection — the contradiction check (which may call the
 * LLM), then one short transaction for the supersede.
 */
import { z } from "zod";
import { resolveLlm } from "../llm/resolve.ts";
import { decodeCursor, encodeCursor } from "../platform/actions.ts";
import type { Config } from "../platform/config.ts";
import { type Db, elevated, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import { log } from "../platform/log.ts";
import { judgeByLlm, judgeByRules, type JudgedMemory, type Verdict } from "./contradictions.ts";
import { resolveEmbedder, vectorLiteral } from "./embeddings.ts";
import {
  agentIdOf,
  AgentSlug,
  defaultConfig,
  MemoryType,
  tenantClaims,
  type TenantRunner,
} from "./search.ts";
import { memorySettings } from "./settings.ts";

const Content = z.union([
  z.string().trim().min(1).max(20_000),
  z.record(z.string(), z.unknown()).refine((o) => Object.keys(o).length > 0, "an empty object")
    .refine((o) => JSON.stringify(o).length <= 20_000, "at most 20000 characters of JSON"),
]);

export const StoreMemoryInput = z.object({
  type: MemoryType,
  key: z.string().trim().min(1).max(200).describe(
    "Name of the memory, unique per agent and type: storing the same key again makes a new version",
  ),
  content: Content.describe(
    'The memory: text, or an object ({"text": …} or fields such as {"subject": …, "value": …})',
  ),
  summary: z.string().trim().max(2000).optional(),
  importance: z.number().min(0).max(1).default(0.5).describe(
    "0 to 1; 0.8 and above is critical (offered to prompts first)",
  ),
  agent: AgentSlug.optional().describe("The agent it belongs to; omitted = shared by every agent"),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  source: z.enum(["server", "desktop", "sync", "agent", "automation"]).default("server"),
  sync_id: z.uuid().optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  check_contradictions: z.boolean().default(true).describe(
    "Check similar live memories and supersede the ones this contradicts",
  ),
}).strict();
export type StoreMemoryInput = z.input<typeof StoreMemoryInput>;
type StoreParams = z.infer<typeof StoreMemoryInput>;

/** Columns of a memory as the API returns it. */
const MEMORY_COLUMNS =
  "m.id, m.agent_id, a.slug as agent, m.memory_type as type, m.key, m.content, m.summary, m.importance, m.access_count, m.last_accessed_at, m.retrieval_count, m.avg_relevance, m.contradiction_count, m.superseded_by, m.superseded_at, m.health_score, m.tier, m.source, m.sync_id, m.synced_at, m.is_dirty, m.expires_at, m.is_archived, m.archived_at, m.metadata, m.created_at, m.updated_at";

export interface StoredMemory {
  id: string;
  agent_id: string | null;
  agent: string | null;
  type: string;
  key: string;
  content: unknown;
  summary: string | null;
  importance: number;
  [column: string]: unknown;
}

export interface WriteResult {
  memory: StoredMemory;
  decision: "add" | "update" | "noop";
  /** The version this one replaced (update). */
  previous?: string;
}

export interface ContradictionReport {
  checked: boolean;
  judge?: "rules" | "llm";
  candidates?: number;
  superseded: string[];
  explanation?: string;
  error?: string;
}

export interface StoreResult extends WriteResult {
  contradictions: ContradictionReport;
}

/** The searchable text of a memory (as app.memory_content_text renders it, summary first). */
export function memoryText(m: { content: unknown; summary?: string | null }): string {
  const c = m.content;
  let body: string;
  if (typeof c === "string") body = c;
  else if (c && typeof c === "object" && typeof (c as { text?: unknown }).text === "string") {
    body = (c as { text: string }).text;
  } else if (c && typeof c === "object" && !Array.isArray(c)) {
    body = Object.keys(c).sort().map((k) => {
      const v = (c as Record<string, unknown>)[k];
      return `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`;
    }).join("\n");
  } else body = JSON.stringify(c);
  const summary = m.summary?.trim();
  return summary && summary !== body.trim() ? `${summary}\n${body}` : body;
}

function sameContent(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
        Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]),
      )
      : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

async function memoryById(tx: Tx, id: string): Promise<StoredMemory | undefined> {
  const [row] = await tx.unsafe(
    `select ${MEMORY_COLUMNS} from public.agent_memory m left join public.agents a on a.id = m.agent_id where m.id = $1`,
    [id],
  );
  return row as unknown as StoredMemory | undefined;
}

async function decide(
  tx: Tx,
  tenantId: string,
  d: {
    memory_id: string | null;
    action: string;
    target_ids?: string[];
    judge?: string;
    model?: string | null;
    explanation?: string | null;
    details?: Record<string, unknown>;
  },
) {
  await tx`
    insert into public.memory_decisions (tenant_id, memory_id, action, target_ids, judge, model, explanation, details)
    values (${tenantId}, ${d.memory_id}, ${d.action}, ${d.target_ids ?? []}::uuid[], ${
    d.judge ?? "none"
  },
      ${d.model ?? null}, ${d.explanation ?? null}, ${tx.json((d.details ?? {}) as never)})`;
}

/**
 * Writes a memory in the caller's transaction (RLS): add, a new version of the same key
 * (update), or nothing new (noop); the decision is recorded. Refuses (409) past the tenant's
 * max_live + max_cold memories.
 */
export async function writeMemory(
  tx: Tx,
  tenantId: string,
  input: StoreMemoryInput,
): Promise<WriteResult> {
  const m: StoreParams = StoreMemoryInput.parse(input);
  const [quota] = await tx`
    select (select count(*) from public.agent_memory x where x.tenant_id = ${tenantId})::integer as used,
      p.max_live + p.max_cold as allowed
    from public.memory_policies p where p.tenant_id = ${tenantId}`;
  if (quota && quota.used >= quota.allowed) {
    throw new ApiError(
      "CONFLICT",
      `Memory quota reached: ${quota.used} memories of ${quota.allowed} (max_live + max_cold of the tenant's memory policy); forget some, or ask the operator for a larger quota`,
      { reason: "memory_quota_exceeded" },
    );
  }
  const agentId = m.agent ? await agentIdOf(tx, m.agent) : null;
  const content = typeof m.content === "string" ? m.content : m.content;
  const [old] = await tx`
    select id, content, summary, importance, expires_at from public.agent_memory
    where agent_id is not distinct from ${agentId} and memory_type = ${m.type} and key = ${m.key}
      and not is_archived and superseded_at is null
    for update`;
  if (old && sameContent(old.content, content) && (old.summary ?? null) === (m.summary ?? null)) {
    // nothing new: keep it, take the higher importance and the new expiry
    await tx`
      update public.agent_memory set importance = greatest(importance, ${m.importance}),
        expires_at = coalesce(${m.expires_at ?? null}::timestamptz, expires_at)
      where id = ${old.id}`;
    await decide(tx, tenantId, {
      memory_id: old.id,
      action: "noop",
      judge: "key",
      explanation: "same key, same content",
    });
    return { memory: (await memoryById(tx, old.id))!, decision: "noop" };
  }
  if (old) {
    await tx`update public.agent_memory set superseded_at = now() where id = ${old.id}`;
  }
  const [row] = await tx`
    insert into public.agent_memory (tenant_id, agent_id, memory_type, key, content, summary, importance,
      expires_at, source, sync_id, metadata)
    values (${tenantId}, ${agentId}, ${m.type}, ${m.key}, ${tx.json(content as never)}, ${
    m.summary ?? null
  },
      ${m.importance}, ${m.expires_at ?? null}, ${m.source}, ${m.sync_id ?? null}, ${
    tx.json(m.metadata as never)
  })
    returning id`;
  if (old) {
    await tx`update public.agent_memory set superseded_by = ${row.id} where id = ${old.id}`;
    await decide(tx, tenantId, {
      memory_id: row.id,
      action: "update",
      target_ids: [old.id],
      judge: "key",
      explanation: "same key with new content: a new version supersedes the old one",
      details: { previous: { content: old.content, summary: old.summary } },
    });
  } else {
    await decide(tx, tenantId, { memory_id: row.id, action: "add", judge: "none" });
  }
  return {
    memory: (await memoryById(tx, row.id))!,
    decision: old ? "update" : "add",
    ...(old ? { previous: old.id as string } : {}),
  };
}

/**
 * Checks a just-written memory against similar live memories of the same type and supersedes
 * the ones it contradicts (decision recorded). Holds no connection while the judge works; never
 * throws (a failed check is reported, the memory stays stored).
 */
export async function checkContradictions(
  db: Db,
  config: Config,
  tenantId: string,
  written: WriteResult,
  run: TenantRunner,
  signal?: AbortSignal,
): Promise<ContradictionReport> {
  const mem = written.memory;
  try {
    const [t] = await run((tx) => tx`select settings from public.tenants where id = ${tenantId}`);
    const settings = (t?.settings ?? {}) as Record<string, unknown>;
    const mode = memorySettings(settings).contradictions ?? "auto";
    if (mode === "off") return { checked: false, superseded: [], explanation: "turned off" };
    const text = memoryText(mem);
    // CANDIDATES: similar live memories of the same type (hybrid search as the tenant)
    let vector: string | null = null;
    let model: string | undefined;
    try {
      const embedder = await resolveEmbedder(db, config, { id: tenantId, settings });
      vector = vectorLiteral((await embedder.embed([text], signal)).vectors[0]);
      model = embedder.model;
    } catch (e) {
      log("warn", "contradiction check without vectors", { tenant: tenantId, error: String(e) });
    }
    const candidates = await run(async (tx) => {
      const rows = await tx`
        select s.source_id as id, m.key, m.content, m.summary
        from public.memory_search(${text}, ${vector}::extensions.vector, 5,
          ${
        tx.json({
          source_types: ["memory"],
          memory_types: [mem.type],
          ...(mem.agent_id ? { agent_id: mem.agent_id } : {}),
          exclude_source_ids: [mem.id, ...(written.previous ? [written.previous] : [])],
          include_cold: false,
        } as never)
      }, ${
        tx.json({ embedding_model: model, min_similarity: vector ? 0.3 : undefined } as never)
      }) s
        join public.agent_memory m on m.id = s.source_id
        where m.superseded_at is null and not m.is_archived
        order by s.score desc`;
      return rows.map((r) => ({
        id: r.id as string,
        key: r.key as string,
        content: r.content,
        text: memoryText({ content: r.content, summary: r.summary }),
      }));
    });
    if (!candidates.length) {
      return { checked: true, candidates: 0, superseded: [], explanation: "no similar memories" };
    }
    const next: JudgedMemory = { id: mem.id, key: mem.key, text, content: mem.content };
    // JUDGE: the tenant's model unless offline (or told rules), the rules otherwise
    let verdict: Verdict = judgeByRules(next, candidates);
    let note = "";
    if (mode === "llm" || mode === "auto") {
      try {
        const llm = await resolveLlm(db, config, { id: tenantId, settings }, {});
        if (!llm.provider.offline) verdict = await judgeByLlm(llm, next, candidates, signal);
        else if (mode === "llm") note = " (no LLM configured: rules judged)";
      } catch (e) {
        note = ` (the LLM judge failed, rules judged: ${
          String((e as Error)?.message ?? e).slice(0, 200)
        })`;
      }
    }
    const explanation = verdict.explanation + note;
    const superseded = await run(async (tx) => {
      const ids = verdict.contradicts.length
        ? (await tx`
            update public.agent_memory set superseded_at = now(), superseded_by = ${mem.id},
              contradiction_count = contradiction_count + 1
            where id = any(${verdict.contradicts}::uuid[]) and superseded_at is null
            returning id`).map((r) => r.id as string)
        : [];
      if (ids.length) {
        await decide(tx, tenantId, {
          memory_id: mem.id,
          action: "supersede",
          target_ids: ids,
          judge: verdict.judge,
          model: verdict.model,
          explanation,
          details: { candidates: candidates.map((c) => ({ id: c.id, key: c.key })) },
        });
      }
      if (verdict.usage) {
        const usage = verdict.usage;
        await elevated(tx, () =>
          tx`select app.usage_record(${tenantId}, ${
            tx.json({
              kind: "llm",
              provider: usage.provider,
              model: usage.model,
              prompt_tokens: usage.prompt_tokens,
              completion_tokens: usage.completion_tokens,
              units: usage.prompt_tokens + usage.completion_tokens,
              metadata: { purpose: "memory_contradiction_check", memory_id: mem.id },
            } as never)
          })`);
      }
      return ids;
    });
    return {
      checked: true,
      judge: verdict.judge,
      candidates: candidates.length,
      superseded,
      explanation,
    };
  } catch (e) {
    signal?.throwIfAborted();
    const error = String((e as Error)?.message ?? e).slice(0, 500);
    log("warn", "memory contradiction check failed", { tenant: tenantId, memory: mem.id, error });
    return { checked: false, superseded: [], error };
  }
}

/**
 * Stores a memory for `tenantId` as the tenant (RLS): add / update / noop, then the
 * contradiction check (unless `check_contradictions` is false). For automations (`store_memory`)
 * and agent tools (`memory.store`); call it without holding a connection.
 */
export async function storeMemory(
  db: Db,
  tenantId: string,
  input: StoreMemoryInput,
  opts: { config?: Config; signal?: AbortSignal } = {},
): Promise<StoreResult> {
  const params = StoreMemoryInput.parse(input);
  const config = opts.config ?? defaultConfig();
  const run: TenantRunner = (fn) => db.tenant(tenantClaims(tenantId), fn);
  const written = await run((tx) => writeMemory(tx, tenantId, params));
  const contradictions = params.check_contradictions && written.decision !== "noop"
    ? await checkContradictions(db, config, tenantId, written, run, opts.signal)
    : { checked: false, superseded: [] };
  return { ...written, contradictions };
}

// ---------------------------------------------------------------------------------------------
// get, list, forget
// ---------------------------------------------------------------------------------------------

export const GetMemoryInput = z.object({
  id: z.uuid().optional(),
  key: z.string().min(1).max(200).optional(),
  type: MemoryType.optional(),
  agent: AgentSlug.optional(),
}).strict().refine((d) => d.id || (d.key && d.type), { message: "Give id, or key and type" });
export type GetMemoryInput = z.infer<typeof GetMemoryInput>;

async function findOne(tx: Tx, f: GetMemoryInput): Promise<StoredMemory> {
  let id = f.id;
  if (!id) {
    const agentId = f.agent ? await agentIdOf(tx, f.agent) : null;
    const [row] = await tx`
      select id from public.agent_memory where agent_id is not distinct from ${agentId}
        and memory_type = ${f.type!} and key = ${f.key!}
      order by (not is_archived and superseded_at is null) desc, created_at desc limit 1`;
    id = row?.id;
  }
  const m = id ? await memoryById(tx, id) : undefined;
  if (!m) throw new ApiError("NOT_FOUND", `No memory ${f.id ?? `${f.type}/${f.key}`}`);
  return m;
}

/** A memory by id or (agent, type, key) — the live version first — counted as an access. */
export async function getMemory(tx: Tx, input: GetMemoryInput): Promise<StoredMemory> {
  const m = await findOne(tx, GetMemoryInput.parse(input));
  await tx`update public.agent_memory set access_count = access_count + 1, last_accessed_at = now()
    where id = ${m.id}`;
  return { ...m, access_count: Number(m.access_count) + 1 };
}

export const ListMemoriesInput = z.object({
  type: MemoryType.optional(),
  agent: z.union([AgentSlug, z.literal("shared")]).optional().describe(
    "An agent's memories, or 'shared' for those of no agent",
  ),
  status: z.enum(["live", "superseded", "archived", "all"]).default("live"),
  tier: z.enum(["hot", "warm", "cold"]).optional(),
  key_prefix: z.string().min(1).max(200).optional(),
  min_importance: z.number().min(0).max(1).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
}).strict();
export type ListMemoriesInput = z.input<typeof ListMemoriesInput>;

/** Memories newest first with filters and keyset pagination. */
export async function listMemories(tx: Tx, input: ListMemoriesInput) {
  const f = ListMemoriesInput.parse(input);
  const conds: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    conds.push(sql.replace("$?", `$${params.length}`));
  };
  if (f.type) add("m.memory_type = $?", f.type);
  if (f.agent === "shared") conds.push("m.agent_id is null");
  else if (f.agent) add("m.agent_id = $?", await agentIdOf(tx, f.agent));
  if (f.status === "live") conds.push("not m.is_archived and m.superseded_at is null");
  if (f.status === "superseded") conds.push("m.superseded_at is not null");
  if (f.status === "archived") conds.push("m.is_archived");
  if (f.tier) add("m.tier = $?", f.tier);
  if (f.key_prefix) {
    add("m.key like $? escape '\\'", f.key_prefix.replace(/[\\%_]/g, (c) => "\\" + c) + "%");
  }
  if (f.min_importance !== undefined) add("m.importance >= $?", f.min_importance);
  if (f.cursor) {
    const c = decodeCursor(f.cursor);
    if (!c) {
      throw new ApiError(
        "VALIDATION_ERROR",
        "Invalid data.cursor: pass nextCursor from a previous page",
      );
    }
    params.push(c.createdAt, c.id);
    conds.push(
      `(m.created_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
    );
  }
  params.push(f.limit + 1);
  const rows = await tx.unsafe(
    `select ${MEMORY_COLUMNS} from public.agent_memory m left join public.agents a on a.id = m.agent_id
     where ${conds.length ? conds.join(" and ") : "true"}
     order by m.created_at desc, m.id desc limit $${params.length}`,
    params as never[],
  );
  const items = rows.slice(0, f.limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > f.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

export const ForgetMemoryInput = z.object({
  id: z.uuid().optional(),
  key: z.string().min(1).max(200).optional(),
  type: MemoryType.optional(),
  agent: AgentSlug.optional(),
  archive: z.boolean().default(false).describe(
    "Archive to the cold tier (searchable by text) instead of deleting",
  ),
  reason: z.string().max(500).optional(),
}).strict().refine((d) => d.id || (d.key && d.type), { message: "Give id, or key and type" });
export type ForgetMemoryInput = z.input<typeof ForgetMemoryInput>;

/** Deletes a memory (and every version of its key when given by key), or archives it; recorded. */
export async function forgetMemory(tx: Tx, tenantId: string, input: ForgetMemoryInput) {
  const f = ForgetMemoryInput.parse(input);
  const m = await findOne(tx, f);
  const ids = f.id ? [m.id] : (await tx`
    select id from public.agent_memory where agent_id is not distinct from ${m.agent_id}
      and memory_type = ${m.type} and key = ${m.key}`).map((r) => r.id as string);
  if (f.archive) {
    await tx`update public.agent_memory set is_archived = true, tier = 'cold'
      where id = any(${ids}::uuid[]) and not is_archived`;
  } else {
    await tx`delete from public.agent_memory where id = any(${ids}::uuid[])`;
  }
  await decide(tx, tenantId, {
    memory_id: m.id,
    action: f.archive ? "archive" : "forget",
    target_ids: ids,
    explanation: f.reason ?? null,
    details: { key: m.key, type: m.type },
  });
  return { id: m.id, ids, key: m.key, type: m.type, [f.archive ? "archived" : "deleted"]: true };
}

/** Counts by tier, type and status, health, quota use and the latest maintenance report. */
export async function memoryHealth(tx: Tx, tenantId: string) {
  const [totals] = await tx`
    select count(*)::integer as total,
      (count(*) filter (where not is_archived and superseded_at is null))::integer as live,
      (count(*) filter (where superseded_at is not null))::integer as superseded,
      (count(*) filter (where is_archived))::integer as archived,
      coalesce(round(avg(health_score) filter (where not is_archived and superseded_at is null)::numeric, 3), 0)::float8 as avg_health,
      (count(*) filter (where expires_at <= now()))::integer as expired
    from public.agent_memory`;
  const tiers =
    await tx`select tier, count(*)::integer as n from public.agent_memory group by tier`;
  const types = await tx`
    select memory_type as type, count(*)::integer as n from public.agent_memory
    where not is_archived and superseded_at is null group by memory_type order by memory_type`;
  const [index] = await tx`
    select chunks, embedded, version, changed_at from public.memory_index_state where tenant_id = ${tenantId}`;
  const [policy] = await tx`select * from public.memory_policies where tenant_id = ${tenantId}`;
  const [report] = await tx`
    select * from public.memory_maintenance_reports order by started_at desc limit 1`;
  return {
    ...totals,
    tiers: Object.fromEntries(
      ["hot", "warm", "cold"].map((t) => [t, tiers.find((r) => r.tier === t)?.n ?? 0]),
    ),
    live_by_type: Object.fromEntries(types.map((r) => [r.type, r.n])),
    index: index ?? { chunks: 0, embedded: 0, version: 0, changed_at: null },
    policy: policy ?? null,
    quota: policy
      ? {
        live: totals.live,
        max_live: policy.max_live,
        total: totals.total,
        max_total: policy.max_live + policy.max_cold,
      }
      : null,
    last_maintenance: report ?? null,
  };
}
