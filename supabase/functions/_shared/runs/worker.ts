/**
 * The queue-consumer spec that executes durable runs: claim runs of the registered kinds, run
 * their handler with a RunContext, complete (output + archive in one transaction), park, or
 * settle a failure (retry, defer, dead letter). A worker for run kinds is this plus wiring.
 */
import type { Db } from "../platform/db.ts";
import type { AppRow } from "../platform/types.ts";
import { backoffMs, type Classified } from "../queue/classify.ts";
import type { JobContext, WorkerSpec } from "../queue/consumer.ts";
import {
  DefinitionChangedError,
  type Json,
  type RunHandler,
  type RunJob,
  RunStoppedError,
  Suspended,
} from "./engine.ts";
import { RunContext } from "./engine.ts";

/** A row of app.runs_claim (msg_id is int8: a string from postgres.js). */
type ClaimRow = Omit<AppRow<"runs_claim">, "msg_id" | "code_version" | "tenant_settings"> & {
  tenant_settings: Record<string, unknown> | null;
  msg_id: string;
  code_version: string | null;
};

/** A consumer spec for `queue`, executing runs with the handlers of their kinds. */
export function runWorker(
  queue: string,
  handlers: RunHandler<never, Json>[],
  opts: { retryBaseMs: number },
): WorkerSpec<RunJob> {
  const byKind = new Map(handlers.map((h) => [h.kind, h]));
  return {
    queue,
    async claim(db, workerId, vt, qty) {
      const rows = await db.s<ClaimRow[]>`
        select * from app.runs_claim(${queue}::text, ${workerId}::text, ${vt}::integer, ${qty}::integer)`;
      return rows.map((r) => ({
        msgId: String(r.msg_id),
        runId: r.run_id,
        tenantId: r.tenant_id,
        kind: r.kind,
        attempt: r.attempt,
        resumed: r.resumed,
        codeVersion: r.code_version,
        input: r.input as Record<string, unknown>,
        steps: r.steps as unknown as RunJob["steps"],
        tenantSettings: r.tenant_settings ?? {},
      }));
    },
    async run(job, ctx: JobContext) {
      const handler = byKind.get(job.kind);
      if (!handler) throw new Error(`No handler for run kind ${job.kind} on queue ${queue}`);
      if (job.codeVersion && job.codeVersion !== handler.version && job.steps.length > 0) {
        throw new DefinitionChangedError(job.kind, job.codeVersion, handler.version);
      }
      const rc = new RunContext(job, ctx.db, ctx.config, ctx.signal, handler.version);
      let output: Json;
      try {
        output = await (handler as RunHandler<Record<string, unknown>, Json>).run(rc, job.input);
      } catch (e) {
        if (e instanceof Suspended) return "parked";
        if (e instanceof RunStoppedError || ctx.signal.aborted) return "stopped";
        throw e;
      }
      const [r] = await ctx.db.s<{ outcome: string }[]>`
        select app.run_complete(${job.tenantId}::uuid, ${job.runId}::uuid, ${job.msgId}::bigint,
          ${output}::jsonb) as outcome`;
      return r.outcome === "completed" ? "completed" : "already";
    },
    async settle(job, f, ctx) {
      const error = { code: f.code, message: f.message, attempt: job.attempt, kind: f.kind };
      if (f.kind === "defer") {
        const [r] = await ctx.db.q<{ ok: boolean }[]>`
          select app.run_defer(${job.tenantId}, ${job.runId}, ${job.msgId},
            ${Math.max(1, Math.ceil(f.delayMs / 1000))}, ${f.message}, ${
          f.releaseKey ?? null
        }) as ok`;
        return r.ok ? "deferred" : "already";
      }
      const [r] = await ctx.db.s<{ outcome: string }[]>`
        select app.run_fail(${job.tenantId}::uuid, ${job.runId}::uuid, ${job.msgId}::bigint,
          ${error}::jsonb, ${Math.ceil(f.delayMs / 1000)}::integer, ${
        f.kind === "retry"
      }) as outcome`;
      return r.outcome;
    },
    async heartbeat(db: Db, workerId, jobs, vt) {
      const rows = await db.s<{ id: string }[]>`
        select id from app.runs_heartbeat(${queue}::text, ${workerId}::text,
          ${jobs.map((j) => j.msgId)}::bigint[], ${vt}::integer) as id`;
      const stopped = new Set(rows.map((r) => r.id));
      return new Set(jobs.filter((j) => stopped.has(j.runId)).map((j) => j.msgId));
    },
    async nextVisibleIn(db) {
      const [row] = await db.q<
        { s: string | null }[]
      >`select app.queue_next_visible_in(${queue}) as s`;
      return row.s === null ? null : Number(row.s);
    },
    async done(db, workerId) {
      await db.s`select app.queue_consumer_done(${queue}::text, ${workerId}::text)`;
    },
    retryDelayMs(job, f: Classified) {
      return Math.max(backoffMs(job.attempt, opts.retryBaseMs), f.retryAfterMs ?? 0);
    },
  };
}
