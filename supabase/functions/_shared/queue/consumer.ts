/**
 * The one queue consumer every worker runs on. A worker is a spec — how to claim, run, settle
 * errors and heartbeat its jobs — plus a few lines of wiring; the loop is never copied.
 *
 * The contract:
 * - **claim** a batch fairly across tenants (as many as there are free slots);
 * - **run** each job with a heartbeat that extends its visibility timeout (one query for all
 *   slots every vt/3); a job the heartbeat reports as gone (cancelled) is aborted;
 * - a job **completes** in the same transaction that records its effect and archives its message
 *   (the spec's `run` does that);
 * - a failure is **classified** once (`classify`): retried with backoff and jitter honouring
 *   Retry-After, deferred without using an attempt, or final (dead letter);
 * - **per-slot isolation**: one job's error, or a failed claim, never fails the invocation;
 * - a **time budget**: no new claims after it; unfinished work reappears after its visibility
 *   timeout; an idle consumer returns at once unless work comes due within `idleWaitMs`.
 */
import type { Config } from "../platform/config.ts";
import { type Db, sleep } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import { type Classified, classify } from "./classify.ts";

/** What every claimed job carries. */
export interface QueueJob {
  msgId: string;
  tenantId: string;
  attempt: number;
}

/** What a job's code gets besides the job. */
export interface JobContext {
  db: Db;
  config: Config;
  workerId: string;
  vtSeconds: number;
  /** Aborted when the job's work was cancelled elsewhere (the heartbeat says so). */
  signal: AbortSignal;
}

/** A worker: how it claims, runs, settles and heartbeats its jobs. */
export interface WorkerSpec<J extends QueueJob> {
  /** The pgmq queue it drains. */
  queue: string;
  claim(db: Db, workerId: string, vtSeconds: number, qty: number): Promise<J[]>;
  /** Does the job and archives its message in the transaction recording the effect; returns an outcome label for the report (completed, parked, …). */
  run(job: J, ctx: JobContext): Promise<string>;
  /** Records a classified failure: retry after `delayMs`, fail for good, or defer. Returns an outcome label. */
  settle(job: J, failure: Classified & { delayMs: number }, ctx: JobContext): Promise<string>;
  /** Extends the visibility of the jobs in flight; returns the msgIds whose work must stop. */
  heartbeat(db: Db, workerId: string, jobs: J[], vtSeconds: number): Promise<Set<string>>;
  /** Seconds until the next message becomes visible (null: the queue is empty). */
  nextVisibleIn(db: Db): Promise<number | null>;
  /** Ends the invocation's consumer lease. */
  done?(db: Db, workerId: string): Promise<void>;
  /** Delay before a retry of this job (backoff with jitter, Retry-After honoured). */
  retryDelayMs(job: J, failure: Classified): number;
}

export interface ConsumeOptions {
  workerId: string;
  concurrency: number;
  budgetMs: number;
  vtSeconds: number;
  /** Stay for work that becomes visible within this long; otherwise return when idle. */
  idleWaitMs: number;
}

export interface ConsumeReport {
  workerId: string;
  queue: string;
  claimed: number;
  /** Job outcomes by label (completed, parked, retrying, failed, deferred, stopped, …). */
  outcomes: Record<string, number>;
  /** Errors of the consumer itself (claims, heartbeats, settling) that it survived. */
  errors: number;
  ms: number;
}

/** Drains `spec.queue` until it is idle or the budget is spent. Never throws. */
export async function consume<J extends QueueJob>(
  spec: WorkerSpec<J>,
  db: Db,
  config: Config,
  opts: ConsumeOptions,
): Promise<ConsumeReport> {
  const started = Date.now();
  const deadline = started + opts.budgetMs;
  const report: ConsumeReport = {
    workerId: opts.workerId,
    queue: spec.queue,
    claimed: 0,
    outcomes: {},
    errors: 0,
    ms: 0,
  };
  const count = (label: string) => report.outcomes[label] = (report.outcomes[label] ?? 0) + 1;
  const inFlight = new Map<string, { job: J; abort: AbortController; done: Promise<void> }>();

  // HEARTBEAT: one query for every job in flight; aborts the ones whose work was cancelled
  const beat = async () => {
    if (inFlight.size === 0) return;
    try {
      const stop = await spec.heartbeat(
        db,
        opts.workerId,
        [...inFlight.values()].map((f) => f.job),
        opts.vtSeconds,
      );
      for (const msgId of stop) inFlight.get(msgId)?.abort.abort(new JobStoppedError());
    } catch (e) {
      report.errors++;
      log("warn", "heartbeat failed", { queue: spec.queue, error: errorText(e) });
    }
  };
  const timer = setInterval(() => void beat(), Math.max(500, (opts.vtSeconds * 1000) / 3));

  const start = (job: J) => {
    const abort = new AbortController();
    const ctx: JobContext = {
      db,
      config,
      workerId: opts.workerId,
      vtSeconds: opts.vtSeconds,
      signal: abort.signal,
    };
    const fields = {
      queue: spec.queue,
      msg: job.msgId,
      tenant: job.tenantId,
      attempt: job.attempt,
    };
    const done = (async () => {
      try {
        count(await spec.run(job, ctx));
      } catch (e) {
        if (abort.signal.aborted) {
          count("stopped");
          log("info", "job stopped: its work was cancelled", fields);
          return;
        }
        const c = classify(e);
        const delayMs = c.kind === "final"
          ? 0
          : c.kind === "defer"
          ? c.retryAfterMs ?? 1000
          : spec.retryDelayMs(job, c);
        const failure = { ...c, delayMs };
        try {
          const outcome = await spec.settle(job, failure, ctx);
          count(outcome);
          log(c.kind === "final" ? "error" : "warn", `job ${outcome}`, {
            ...fields,
            code: c.code,
            error: c.message,
            delayMs: failure.delayMs,
          });
        } catch (e2) {
          // the message reappears after its visibility timeout and is tried again
          report.errors++;
          log("error", "could not record a job's failure", { ...fields, error: errorText(e2) });
        }
      }
    })().finally(() => inFlight.delete(job.msgId));
    inFlight.set(job.msgId, { job, abort, done });
  };

  try {
    while (Date.now() < deadline) {
      const free = opts.concurrency - inFlight.size;
      let claimed: J[] = [];
      if (free > 0) {
        try {
          claimed = await spec.claim(db, opts.workerId, opts.vtSeconds, free);
        } catch (e) {
          report.errors++;
          log("warn", "claim failed", { queue: spec.queue, error: errorText(e) });
          await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
          continue;
        }
        report.claimed += claimed.length;
        for (const job of claimed) start(job);
      }
      if (claimed.length > 0 && inFlight.size < opts.concurrency) continue;
      if (inFlight.size > 0) {
        // busy: wait for a slot to free up, looking for new work now and then
        await Promise.race([...[...inFlight.values()].map((f) => f.done), sleep(250)]);
        continue;
      }
      // IDLE: stay only for work that comes due soon
      let next: number | null;
      try {
        next = await spec.nextVisibleIn(db);
      } catch (e) {
        report.errors++;
        log("warn", "queue check failed", { queue: spec.queue, error: errorText(e) });
        break;
      }
      if (next === null) break;
      const dueMs = next * 1000;
      if (dueMs > opts.idleWaitMs || Date.now() + dueMs > deadline) break;
      await sleep(Math.max(20, Math.min(dueMs, 1000)));
    }
    await Promise.allSettled([...inFlight.values()].map((f) => f.done));
  } finally {
    clearInterval(timer);
    try {
      await spec.done?.(db, opts.workerId);
    } catch (e) {
      report.errors++;
      log("warn", "could not end the consumer lease", { queue: spec.queue, error: errorText(e) });
    }
  }
  report.ms = Date.now() - started;
  return report;
}

/** The job's work was cancelled elsewhere; the consumer stops it without recording a failure. */
export class JobStoppedError extends Error {
  constructor() {
    super("The job's work was cancelled");
    this.name = "JobStoppedError";
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
