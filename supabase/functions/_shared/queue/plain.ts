/**
 * A consumer spec for plain queues (messages that are not runs: embeddings, deliveries, events).
 * Claims fairly across tenants with app.queue_claim (a message read more than `maxAttempts`
 * times is dead-lettered there), heartbeats with app.queue_heartbeat, and settles failures with
 * app.queue_fail (retry after the backoff), app.queue_defer (no attempt used) or
 * app.queue_dead_letter (final). The handler archives the message itself, in the transaction
 * that records its effect (`ackIn(tx)`), so an effect and its acknowledgement commit together.
 *
 * A new worker on a plain queue:
 *
 * ```ts
 * const spec = plainWorker<{ id: string }>("embeddings", async (job, ctx) => {
 *   await ctx.db.service(async (tx) => {
 *     await tx`update … where id = ${job.payload.id}`;   // the effect
 *     await job.ackIn(tx);                                // archived in the same transaction
 *   });
 *   return "completed";
 * }, { retryBaseMs: 2000, maxAttempts: 5 });
 * const report = await consume(spec, db, config, { workerId, concurrency, budgetMs, vtSeconds, idleWaitMs });
 * ```
 */
import { type Db, literal, type Tx } from "../platform/db.ts";
import { backoffMs, type Classified } from "./classify.ts";
import type { JobContext, QueueJob, WorkerSpec } from "./consumer.ts";

/** A message of a plain queue, as a handler sees it. */
export interface PlainJob<P> extends QueueJob {
  payload: P & { tenant_id: string };
  enqueuedAt: string;
  /** Archives the message inside `tx` (the transaction that records the job's effect). */
  ackIn(tx: Tx): Promise<void>;
}

interface MessageRow {
  msg_id: string;
  read_ct: number;
  enqueued_at: string;
  message: Record<string, unknown> & { tenant_id: string };
}

/** A consumer spec for plain queue `queue` whose messages `handle` processes. */
export function plainWorker<P>(
  queue: string,
  handle: (job: PlainJob<P>, ctx: JobContext) => Promise<string>,
  opts: { retryBaseMs: number; maxAttempts: number },
): WorkerSpec<PlainJob<P>> {
  return {
    queue,
    async claim(db: Db, _workerId, vt, qty) {
      const rows = await db.s<MessageRow[]>`
        select msg_id, read_ct, enqueued_at, message from app.queue_claim(${queue}::text,
          ${vt}::integer, ${qty}::integer, ${opts.maxAttempts}::integer)`;
      return rows.map((r) => {
        const msgId = String(r.msg_id);
        return {
          msgId,
          tenantId: r.message.tenant_id,
          attempt: r.read_ct,
          enqueuedAt: r.enqueued_at,
          payload: r.message as P & { tenant_id: string },
          ackIn: async (tx: Tx) => {
            await tx.unsafe(`select app.queue_ack(${literal(queue)}, ${Number(msgId)})`);
          },
        };
      });
    },
    run: handle,
    async settle(job, f, ctx) {
      if (f.kind === "defer") {
        await ctx.db.s`select app.queue_defer(${queue}::text, ${job.msgId}::bigint,
          ${job.tenantId}::uuid, ${Math.max(1, Math.ceil(f.delayMs / 1000))}::integer,
          ${f.releaseKey ?? null}::text)`;
        return "deferred";
      }
      if (f.kind === "final" || job.attempt >= opts.maxAttempts) {
        await ctx.db.s`select app.queue_dead_letter(${queue}::text, ${job.msgId}::bigint,
          ${`${f.code}: ${f.message}`}::text)`;
        return "failed";
      }
      await ctx.db.s`select app.queue_fail(${queue}::text, ${job.msgId}::bigint,
        ${`${f.code}: ${f.message}`}::text, ${Math.ceil(f.delayMs / 1000)}::integer)`;
      return "retrying";
    },
    async heartbeat(db, workerId, jobs, vt) {
      const rows = await db.s<{ gone: string }[]>`
        select g as gone from app.queue_heartbeat(${queue}::text, ${
        jobs.map((j) => j.msgId)
      }::bigint[], ${vt}::integer, ${workerId}::text) g`;
      return new Set(rows.map((r) => String(r.gone)));
    },
    async nextVisibleIn(db) {
      const [row] = await db.s<{ s: string | null }[]>`
        select app.queue_next_visible_in(${queue}::text) as s`;
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
