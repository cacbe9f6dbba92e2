/**
 * The orchestration API shared by the ora (agents.run/status) and orchestration-manager
 * (sessions.*) functions: spawning, status and coordination, waiting, cancelling.
 * Writes go through app.* functions as service_role with the caller's tenant (verified by the
 * gateway) inside the request transaction; reads run under RLS; waits happen after the commit.
 */
import { z } from "zod";
import { type Principal, principalName } from "../platform/auth.ts";
import { elevated, sleep, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import type { ViewRow } from "../platform/types.ts";

const Slug = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "an agent slug");

/** What a caller asks of one agent. `input` is free-form; `query` is the common case. */
export const ChildSpec = z.object({
  agent: Slug,
  query: z.string().min(1).max(20_000).optional().describe(
    "The task in words; merged into input.query",
  ),
  input: z.record(z.string(), z.unknown()).optional(),
  mode: z.enum(["assist", "copilot", "autonomous"]).optional(),
  priority: z.number().int().min(-100).max(100).optional().describe("Higher runs sooner"),
  concurrency: z.object({
    key: z.string().min(1).max(200),
    limit: z.number().int().min(1).max(1000).default(1),
  }).optional()
    .describe("At most `limit` sessions with this key run at once (per tenant)"),
  max_attempts: z.number().int().min(1).max(20).optional(),
}).strict();
export type ChildSpec = z.infer<typeof ChildSpec>;

export const RunSpec = ChildSpec.extend({
  idempotency_key: z.string().min(1).max(200).optional().describe(
    "A repeated call with the same key returns the same session",
  ),
  deadline_at: z.iso.datetime({ offset: true }).optional(),
  wait_ms: z.number().int().min(0).max(25_000).default(0).describe(
    "Wait up to this long for the result",
  ),
}).strict();

export const OrchestrationSpec = z.object({
  agent: Slug.default("ora").describe("The coordinating agent (writes the brief)"),
  query: z.string().min(1).max(20_000).optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  children: z.array(ChildSpec).min(1).max(100),
  mode: z.enum(["assist", "copilot", "autonomous"]).default("autonomous"),
  priority: z.number().int().min(-100).max(100).default(0),
  idempotency_key: z.string().min(1).max(200).optional(),
  timeout_ms: z.number().int().min(1000).max(86_400_000).optional().describe(
    "Aggregate as a timeout after this long",
  ),
  wait_ms: z.number().int().min(0).max(25_000).default(0),
}).strict();

function sqlSpec(c: ChildSpec, defaultQuery?: string) {
  const query = c.query ?? defaultQuery;
  return {
    agent: c.agent,
    input: { ...(c.input ?? {}), ...(query ? { query } : {}) },
    mode: c.mode,
    priority: c.priority,
    concurrency_key: c.concurrency?.key,
    concurrency_limit: c.concurrency?.limit,
    max_attempts: c.max_attempts,
  };
}

function who(p: Principal) {
  return {
    user_id: p.userId,
    api_key_id: p.keyId,
    created_by: principalName(p),
  };
}

/** Spawns one agent session (agents.run) in the request transaction. */
export async function spawnOne(
  tx: Tx,
  tenantId: string,
  p: Principal,
  spec: z.infer<typeof RunSpec>,
) {
  const body = {
    ...sqlSpec(spec),
    ...who(p),
    idempotency_key: spec.idempotency_key,
    deadline_at: spec.deadline_at,
  };
  const [row] = await elevated(
    tx,
    () => tx`select id from app.session_spawn(${tenantId}, ${tx.json(body as never)})`,
  );
  const [session] = await tx`select * from public.agent_sessions where id = ${row.id}`;
  return session;
}

/** Spawns a coordinating parent and its children in the request transaction. */
export async function spawnMany(
  tx: Tx,
  tenantId: string,
  p: Principal,
  spec: z.infer<typeof OrchestrationSpec>,
) {
  const body = {
    agent: spec.agent,
    input: { ...(spec.input ?? {}), ...(spec.query ? { query: spec.query } : {}) },
    mode: spec.mode,
    priority: spec.priority,
    idempotency_key: spec.idempotency_key,
    deadline_at: spec.timeout_ms ? new Date(Date.now() + spec.timeout_ms).toISOString() : undefined,
    children: spec.children.map((c) => sqlSpec(c, spec.query)),
    ...who(p),
  };
  const ids = await elevated(
    tx,
    () =>
      tx<{ id: string }[]>`select id from app.session_spawn_orchestration(${tenantId}, ${
        tx.json(body as never)
      })`,
  );
  const rows = await tx`
    select s.* from public.agent_sessions s join unnest(${ids.map((r) => r.id)}::uuid[])
      with ordinality as o (id, n) on o.id = s.id
    order by o.n`;
  return { session: rows[0], children: rows.slice(1) };
}

/** A session with its children, results and coordination, read under RLS. */
export async function sessionStatus(tx: Tx, id: string) {
  const [session] = await tx<ViewRow<"agent_sessions">[]>`
    select * from public.agent_sessions where id = ${id}`;
  if (!session) throw new ApiError("NOT_FOUND", `No session with id ${id}`);
  const children = await tx`
    select c.id, c.agent_slug, c.status, c.done, c.attempts, c.error, c.started_at, c.completed_at,
      c.result ->> 'summary' as summary, c.result -> 'output' as output, c.result -> 'citations' as citations,
      c.result ->> 'provider' as provider, c.result ->> 'model' as model, c.result -> 'metrics' as metrics
    from public.agent_sessions c
    where c.parent_session_id = ${id} order by c.created_at, c.id`;
  const finished = children.filter((c) => c.done).length;
  const done = session.done === true;
  return {
    session,
    status: session.status,
    done,
    coordination: session.coordination ?? (done ? null : "running"),
    completion_pct: children.length
      ? Math.round((100 * finished) / children.length)
      : done
      ? 100
      : 0,
    children,
    result: session.result,
  };
}

/**
 * Polls `read` until the session (or any run) is done or `waitMs` passes. Each read is its own short
 * transaction: nothing is held between polls.
 */
export async function waitFor<T extends { done: boolean }>(
  read: () => Promise<T>,
  waitMs: number,
) {
  const until = Date.now() + waitMs;
  let status = await read();
  let interval = 25;
  while (!status.done && Date.now() < until) {
    await sleep(Math.min(interval, Math.max(0, until - Date.now())));
    interval = Math.min(interval * 2, 250);
    status = await read();
  }
  return {
    ...status,
    waited_ms: waitMs - Math.max(0, until - Date.now()),
    timed_out: !status.done && waitMs > 0,
  };
}

/** Cancels a session and all its unfinished descendants. */
export async function cancelSession(tx: Tx, tenantId: string, id: string, reason: string) {
  const [found] = await tx`select id from public.agent_sessions where id = ${id}`;
  if (!found) throw new ApiError("NOT_FOUND", `No session with id ${id}`);
  const [row] = await elevated(
    tx,
    () => tx`select app.run_cancel(${tenantId}, ${id}, ${reason}) as cancelled`,
  );
  return { id, cancelled: row.cancelled as number };
}
