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
  /** The consumers of one invocation (a worker function draining several queues). */
  group?: ConsumerGroup;
}

/**
 * The consumers of one drain (a worker function's invocation, one consumer per queue). Work on
 * one queue often makes work for another (an event fires an automation run), so a consumer that
 * is idle while another one of its drain is busy does not return: it waits for a poke and claims
 * again. Pokes come when a job of the drain finishes and when a wake-up for the function arrives
 * while the drain runs (the function hands it to the running drain instead of starting another).
 * The drain ends when all of its consumers are idle; a poke that arrives while a consumer is
 * between its claim and its decision to leave is never lost (`seq`).
 */
export class ConsumerGroup {
  private idle = new Set<string>();
  private members = new Set<string>();
  private waiters: (() => void)[] = [];
  /** Counts pokes: a consumer that saw a newer value than at its last claim claims again. */
  seq = 0;

  constructor(readonly deadline = Infinity) {}

  join(queue: string): void {
    this.members.add(queue);
  }
  /** Marks `queue` idle (or busy again) and tells the others. */
  setIdle(queue: string, idle: boolean): void {
    const changed = idle ? !this.idle.has(queue) : this.idle.has(queue);
    if (idle) this.idle.add(queue);
    else this.idle.delete(queue);
    if (changed && idle) this.wakeWaiters();
  }
  /** Whether another consumer of the group is still working. */
  othersBusy(queue: string): boolean {
    for (const m of this.members) if (m !== queue && !this.idle.has(m)) return true;
    return false;
  }
  /** Leaves the group (the consumer returns). */
  leave(queue: string): void {
    this.members.delete(queue);
    this.idle.delete(queue);
    this.wakeWaiters();
  }
  /** Whether a wake-up can be handed to this drain (it still has consumers and time). */
  get open(): boolean {
    return this.members.size > 0 && Date.now() < this.deadline - 1000;
  }
  /** New work may be waiting: every consumer of the drain claims again. */
  poke(): void {
    this.seq++;
    this.wakeWaiters();
  }
  private wakeWaiters(): void {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }
  /** Resolves on the next poke (or change), or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
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
      msg_id: job.msgId,
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
    })().finally(() => {
      inFlight.delete(job.msgId);
      opts.group?.poke(); // the job may have made work for another queue of the invocation
    });
    inFlight.set(job.msgId, { job, abort, done });
  };

  const group = opts.group;
  group?.join(spec.queue);
  let seen = 0;
  try {
    while (Date.now() < deadline) {
      const free = opts.concurrency - inFlight.size;
      let claimed: J[] = [];
      if (free > 0) {
        seen = group?.seq ?? 0;
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
        if (claimed.length > 0) group?.setIdle(spec.queue, false);
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
      const dueMs = next === null ? Infinity : next * 1000;
      if (dueMs > opts.idleWaitMs || Date.now() + dueMs > deadline) {
        // nothing due soon: return, unless the drain was poked since the claim or another of its
        // consumers may still make work
        if (group && group.seq !== seen) continue;
        group?.setIdle(spec.queue, true);
        if (!group?.othersBusy(spec.queue)) break;
        await group.wait(Math.min(1000, Math.max(0, deadline - Date.now())));
        continue;
      }
      await sleep(Math.max(20, Math.min(dueMs, 1000)));
    }
    await Promise.allSettled([...inFlight.values()].map((f) => f.done));
  } finally {
    group?.leave(spec.queue);
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
