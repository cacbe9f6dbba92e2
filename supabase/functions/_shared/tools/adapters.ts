/**
 * Adapters run a call: the site adapter (Ora's tables, through the domain code the ora actions
 * use, under the tenant's RLS), the sandbox adapter (seeded data; writes kept as sandbox
 * records) and the generic HTTP adapter (the tenant's endpoint through the outbound client: a
 * credential bound to its origin, timeouts, retries with the same Idempotency-Key, a circuit
 * breaker, a rate limit and a concurrency cap per integration).
 *
 * The site and sandbox adapters are transactional: their effect is written in the transaction
 * that records the call's outcome (and acknowledges its queue message), so a call happens
 * exactly once. Adding an adapter: docs/tools.md#adding-an-adapter.
 */
import type { Config } from "../platform/config.ts";
import { type Claims, type Db, elevated, type Tx } from "../platform/db.ts";
import { createOutboundFetch, OutboundRefusedError, parseAllowList } from "../platform/outbound.ts";
import { log } from "../platform/log.ts";
import type { Json } from "../runs/engine.ts";
import {
  type Effect,
  IntegrationBusyError,
  type Requester,
  ToolCallError,
  type ToolDef,
} from "./types.ts";

/** A row of public.tool_integrations (without tenant_id). */
export interface IntegrationRow {
  key: string;
  adapter: "sandbox" | "http";
  base_url: string | null;
  credential_secret: string | null;
  auth_header: string;
  auth_scheme: string | null;
  timeout_ms: number;
  max_retries: number;
  rate_limit_per_minute: number | null;
  max_concurrency: number | null;
  idempotent_retries: boolean;
  routes: Record<string, { method?: string; path?: string }>;
  enabled: boolean;
}

export type AdapterKind = "site" | "sandbox" | "http";

/** Which adapter serves a tool for a tenant: site tools the site adapter, others their
 * integration's (the sandbox when the tenant configured none). */
export function adapterOf(t: ToolDef, integration: IntegrationRow | null): AdapterKind {
  if (t.integration === "site") return "site";
  return integration?.adapter ?? "sandbox";
}

/** One call, ready to run. */
export interface CallSpec {
  tenantId: string;
  tool: ToolDef;
  args: Record<string, unknown>;
  /** Idempotency key (sent as Idempotency-Key; sandbox ids derive from it). */
  callKey: string;
  toolCallId?: string;
  runId?: string;
  requester: Requester;
  integration: IntegrationRow | null;
  adapter: AdapterKind;
}

/** How a call ended. */
export interface Outcome {
  status: "succeeded" | "failed";
  result?: Json;
  before?: Json;
  after?: Json;
  error?: { code: string; message: string; retry_after_ms?: number };
  credential_reads: { secret: string; origin: string }[];
}

export interface AdapterDeps {
  db: Db;
  config: Config;
  signal?: AbortSignal;
}

function failed(e: ToolCallError | IntegrationBusyError, reads: Outcome["credential_reads"] = []) {
  return {
    status: "failed" as const,
    error: {
      code: e.code,
      message: e.message,
      ...(e instanceof IntegrationBusyError ? { retry_after_ms: e.retryInMs } : {}),
    },
    credential_reads: reads,
  };
}

function succeeded(e: Effect, reads: Outcome["credential_reads"] = []): Outcome {
  return {
    status: "succeeded",
    result: e.result ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    credential_reads: reads,
  };
}

/** The claims the site adapter's transaction runs with: the tenant, so RLS applies. */
function siteClaims(spec: CallSpec): Claims {
  return {
    role: "authenticated",
    tenant_id: spec.tenantId,
    scopes: [],
    session_id: spec.runId,
    tool: spec.tool.name,
  };
}

/**
 * Runs a transactional adapter's effect inside `tx` under a savepoint: a failure the tool
 * reports (ToolCallError) rolls its effect back and becomes a failed outcome; anything else
 * (a database error) rolls the whole transaction back and is rethrown (the job is retried).
 */
async function effectIn(tx: Tx, run: (tx: Tx) => Promise<Effect>): Promise<Outcome> {
  await tx.unsafe("savepoint tool_effect");
  try {
    const e = await run(tx);
    await tx.unsafe("release savepoint tool_effect");
    return succeeded(e);
  } catch (err) {
    const refusal = err instanceof ToolCallError ? err : domainRefusal(err);
    if (!refusal) throw err;
    await tx.unsafe("rollback to savepoint tool_effect");
    return failed(refusal);
  }
}

/** SQLSTATEs the domain code raises when a call asks for something it may not have (a limit, a
 * missing row, a constraint): the tool's answer, not a fault to retry. */
const REFUSING_SQLSTATES = new Set(["23505", "23514", "23503", "23502", "22P02", "22001", "22003"]);

function domainRefusal(err: unknown): ToolCallError | null {
  const pg = err as { code?: string; message?: string; detail?: string };
  if (!pg?.code) return null;
  if (/^OR4\d\d$/.test(pg.code)) {
    return new ToolCallError(pg.detail ?? pg.code, pg.message ?? pg.code);
  }
  if (REFUSING_SQLSTATES.has(pg.code)) {
    return new ToolCallError(`DB_${pg.code}`, `Refused by the database: ${pg.message ?? pg.code}`);
  }
  return null;
}

function runEffect(spec: CallSpec, tx: Tx, now: Date): Promise<Effect> {
  const t = spec.tool;
  if (spec.adapter === "site") {
    return t.site!(spec.args as never, {
      tenantId: spec.tenantId,
      tx,
      callKey: spec.callKey,
      toolCallId: spec.toolCallId,
      runId: spec.runId,
      requester: spec.requester,
      now,
    });
  }
  return t.sandbox!(spec.args as never, {
    tenantId: spec.tenantId,
    tx,
    callKey: spec.callKey,
    toolCallId: spec.toolCallId,
    integration: t.integration,
    now,
  });
}

/** How the executor records a call around its adapter. */
export interface CallRecorder {
  /** Locks the call in the effect's transaction; false when it finished meanwhile (a duplicate
   * delivery overtook this one): the effect is then skipped. */
  lock(tx: Tx): Promise<boolean>;
  /** Records the outcome (and acknowledges the message) in `tx`. */
  commit(tx: Tx, outcome: Outcome): Promise<void>;
  /** Acknowledges without recording (the call was finished by someone else). */
  skip(tx: Tx): Promise<void>;
}

/**
 * Runs a call and records its outcome: for the site and sandbox adapters in one transaction with
 * the effect, after locking the call (exactly once); for http after the request. Returns null
 * when the call turned out to be finished already. Throws IntegrationBusyError when the
 * integration cannot take the call now (defer), and retryable ToolCallErrors when its endpoint
 * keeps failing (retry).
 */
export async function runCall(
  deps: AdapterDeps,
  spec: CallSpec,
  rec: CallRecorder,
): Promise<Outcome | null> {
  const now = new Date();
  const inTx = async (tx: Tx, asService: (fn: () => Promise<unknown>) => Promise<unknown>) => {
    if (!(await asService(() => rec.lock(tx)))) {
      await asService(() => rec.skip(tx));
      return null;
    }
    const out = await effectIn(tx, (t) => runEffect(spec, t, now));
    await asService(() => rec.commit(tx, out));
    return out;
  };
  if (spec.adapter === "site" && !spec.tool.direct) {
    return await deps.db.tenant(siteClaims(spec), (tx) => inTx(tx, (fn) => elevated(tx, fn)));
  }
  if (spec.adapter === "sandbox") {
    return await deps.db.service((tx) => inTx(tx, (fn) => fn()));
  }
  // a read outside a transaction (direct) or an http call: the effect, then its record
  let out: Outcome;
  try {
    out = spec.tool.direct ? await runDirect(deps, spec) : await httpWithSlot(deps, spec);
  } catch (e) {
    if (e instanceof ToolCallError && !e.retryable) out = failed(e, readsOf(e));
    else throw e;
  }
  await deps.db.service((tx) => rec.commit(tx, out));
  return out;
}

/** Runs a read inline (no queue): its outcome, never throwing for what the tool reports. */
export async function runRead(deps: AdapterDeps, spec: CallSpec): Promise<Outcome> {
  const now = new Date();
  try {
    if (spec.tool.direct) return await runDirect(deps, spec);
    if (spec.adapter === "site") {
      return await deps.db.tenant(
        siteClaims(spec),
        (tx) => effectIn(tx, (t) => runEffect(spec, t, now)),
      );
    }
    if (spec.adapter === "sandbox") {
      return await deps.db.service((tx) => effectIn(tx, (t) => runEffect(spec, t, now)));
    }
    return await httpWithSlot(deps, spec);
  } catch (e) {
    if (e instanceof ToolCallError || e instanceof IntegrationBusyError) {
      return failed(e, readsOf(e));
    }
    throw e;
  }
}

/** A site read served outside any transaction (it opens its own, as the tenant). */
async function runDirect(deps: AdapterDeps, spec: CallSpec): Promise<Outcome> {
  try {
    return succeeded(
      await spec.tool.direct!(spec.args as never, {
        tenantId: spec.tenantId,
        db: deps.db,
        config: deps.config,
        runId: spec.runId,
        signal: deps.signal,
      }),
    );
  } catch (err) {
    const refusal = err instanceof ToolCallError ? err : domainRefusal(err);
    if (!refusal) throw err;
    return failed(refusal);
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/** An http call within the integration's rate limit and concurrency cap (a lease per call). */
async function httpWithSlot(deps: AdapterDeps, spec: CallSpec): Promise<Outcome> {
  const holder = spec.toolCallId ?? `${spec.callKey}:${crypto.randomUUID()}`;
  const held = await acquireSlot(deps.db, spec, holder);
  try {
    return await httpCall(deps, spec);
  } finally {
    if (held) {
      await releaseSlot(deps.db, spec, holder).catch((e) =>
        log("warn", "could not release an integration slot", { error: String(e) })
      );
    }
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Longest wait between two tries within one call; longer waits go back to the queue. */
const MAX_INLINE_WAIT_MS = 2000;

const credentialReads = new WeakMap<Error, Outcome["credential_reads"]>();
function readsOf(e: unknown): Outcome["credential_reads"] {
  return (e instanceof Error && credentialReads.get(e)) || [];
}

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The request for a call: the integration's route for the tool, or POST <base>/<tool>. */
export function buildRequest(integ: IntegrationRow, tool: string, args: Record<string, unknown>) {
  const route = integ.routes?.[tool];
  const method = (route?.method ?? "POST").toUpperCase();
  const rest: Record<string, unknown> = { ...args };
  let path = route?.path ?? `/${tool}`;
  path = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
    const v = rest[name];
    delete rest[name];
    return encodeURIComponent(v === undefined || v === null ? "" : String(v));
  });
  const url = new URL(integ.base_url!.replace(/\/+$/, "") + path);
  let body: string | undefined;
  if (method === "GET" || method === "DELETE") {
    for (const [k, v] of Object.entries(rest)) {
      if (v !== undefined) {
        url.searchParams.set(k, typeof v === "object" ? JSON.stringify(v) : String(v));
      }
    }
  } else {
    body = JSON.stringify(route ? rest : { tool, arguments: args });
  }
  return { method, url, body };
}

/** One call through the generic HTTP adapter (retries inside, breaker per integration). */
export async function httpCall(deps: AdapterDeps, spec: CallSpec): Promise<Outcome> {
  const integ = spec.integration;
  if (!integ?.base_url) {
    throw new ToolCallError(
      "NOT_CONFIGURED",
      `Integration ${spec.tool.integration} has no base_url: configure it with integrations.upsert`,
    );
  }
  const { db, config } = deps;
  const origin = new URL(integ.base_url).origin;
  const reads: Outcome["credential_reads"] = [];
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
    "idempotency-key": spec.callKey,
  };
  let credential: { origin: string; headers: Record<string, string> } | undefined;
  if (integ.credential_secret) {
    // the database decrypts it only for the origin it is bound to, and logs the read
    const [row] = await db.q<{ value: string | null; bound_origin: string | null }[]>`
      select * from app.secret_get(${spec.tenantId}, ${integ.credential_secret},
        ${`tool:${integ.key}`}, ${origin})`;
    if (!row?.bound_origin) {
      throw new ToolCallError(
        "CREDENTIAL_MISSING",
        `Secret ${integ.credential_secret} for integration ${integ.key} is not set: store it with secrets.set (origin ${origin})`,
      );
    }
    if (row.bound_origin !== origin || !row.value) {
      throw new ToolCallError(
        "CREDENTIAL_ORIGIN",
        `Secret ${integ.credential_secret} is bound to ${row.bound_origin}, not ${origin}: a secret is only sent to the origin it was configured for`,
      );
    }
    reads.push({ secret: integ.credential_secret, origin });
    const value = integ.auth_scheme ? `${integ.auth_scheme} ${row.value}` : row.value;
    credential = { origin, headers: { [integ.auth_header]: value } };
  }
  const fetch = createOutboundFetch({
    allow: parseAllowList(config.ORA_OUTBOUND_ALLOW ?? []),
    credential,
    timeoutMs: integ.timeout_ms,
    maxResponseBytes: 2 * 1024 * 1024,
  });
  const req = buildRequest(integ, spec.tool.name, spec.args);
  const breaker = `tool:${integ.key}`;
  const unsafeToRepeat = spec.tool.access === "write" && !integ.idempotent_retries;
  const fail = (e: ToolCallError) => {
    credentialReads.set(e, reads);
    return e;
  };

  for (let attempt = 0;; attempt++) {
    const [gate] = await db.s<{ allowed: boolean; retry_in_ms: number }[]>`
      select * from app.breaker_allow(${spec.tenantId}::uuid, ${breaker}::text)`;
    if (!gate.allowed) {
      const busy = new IntegrationBusyError(integ.key, "breaker_open", gate.retry_in_ms);
      credentialReads.set(busy, reads);
      throw busy;
    }
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers,
        body: req.body,
        signal: deps.signal,
      });
    } catch (e) {
      if (e instanceof OutboundRefusedError) {
        throw fail(new ToolCallError(`OUTBOUND_${e.reason.toUpperCase()}`, e.message));
      }
      if (deps.signal?.aborted) throw e;
      const message = `Integration ${integ.key} did not answer: ${(e as Error)?.message ?? e}`;
      await db
        .s`select app.breaker_record(${spec.tenantId}::uuid, ${breaker}::text, false, ${message}::text)`;
      if (unsafeToRepeat) {
        throw fail(
          new ToolCallError(
            "OUTCOME_UNKNOWN",
            `${message}; the endpoint does not honour Idempotency-Key, so the call is not sent again and may or may not have happened`,
          ),
        );
      }
      if (attempt >= integ.max_retries) {
        throw fail(new ToolCallError("UNAVAILABLE", message, true));
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      continue;
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch { /* not JSON: kept as text */ }
    if (res.ok) {
      await db.s`select app.breaker_record(${spec.tenantId}::uuid, ${breaker}::text, true)`;
      const o = body !== null && typeof body === "object" && !Array.isArray(body)
        ? body as Record<string, Json>
        : null;
      return succeeded(
        o && ("result" in o || "before" in o || "after" in o)
          ? { result: o.result ?? null, before: o.before, after: o.after }
          : { result: body as Json },
        reads,
      );
    }
    const detail = typeof body === "object" && body !== null
      ? JSON.stringify(body).slice(0, 500)
      : String(body).slice(0, 500);
    const message = `Integration ${integ.key} answered ${res.status}: ${detail}`;
    if (!RETRYABLE_STATUS.has(res.status)) {
      // the endpoint is up and said no: not a breaker failure
      await db.s`select app.breaker_record(${spec.tenantId}::uuid, ${breaker}::text, true)`;
      throw fail(new ToolCallError(`HTTP_${res.status}`, message));
    }
    const after = retryAfterMs(res.headers.get("retry-after"));
    await db.s`select app.breaker_record(${spec.tenantId}::uuid, ${breaker}::text, false,
      ${message}::text, ${after === undefined ? null : Math.ceil(after / 1000)}::integer)`;
    const wait = after ?? 200 * 2 ** attempt;
    if (attempt >= integ.max_retries || wait > MAX_INLINE_WAIT_MS) {
      throw fail(new ToolCallError(`HTTP_${res.status}`, message, true, after));
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** Takes a slot of the integration's rate limit and concurrency cap, or throws IntegrationBusyError. */
export async function acquireSlot(db: Db, spec: CallSpec, holder: string): Promise<boolean> {
  const integ = spec.integration;
  if (!integ || (integ.rate_limit_per_minute === null && integ.max_concurrency === null)) {
    return false;
  }
  const lease = Math.ceil((integ.timeout_ms * (integ.max_retries + 1) + 5000) / 1000);
  const [slot] = await db.s<{ ok: boolean; retry_in_ms: number; reason: string }[]>`
    select * from app.integration_acquire(${spec.tenantId}::uuid, ${integ.key}::text,
      ${holder}::text, ${lease}::integer)`;
  if (!slot.ok) {
    throw new IntegrationBusyError(
      integ.key,
      slot.reason as "rate_limit" | "concurrency",
      slot.retry_in_ms,
    );
  }
  return true;
}

/** Ends a call's slot (and lets work deferred on the integration go). */
export async function releaseSlot(db: Db, spec: CallSpec, holder: string): Promise<void> {
  await db.s`select app.integration_release(${spec.tenantId}::uuid, ${spec.integration!.key}::text,
    ${holder}::text)`;
}
