/**
 * The agent-worker drain loop: claims agent_jobs (priority first, concurrency limits applied in
 * SQL), runs them with heartbeats that extend the visibility timeout, and settles each job:
 * completed (result + ack in one transaction), retried with exponential backoff and jitter,
 * deferred (open breaker, no attempt used) or dead-lettered after the last attempt.
 * It stops claiming when its time budget is spent; unfinished work reappears after its
 * visibility timeout for the next invocation (every handler is idempotent).
 */
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import { LlmError } from "../llm/types.ts";
import { log } from "../platform/log.ts";
import {
  aggregateJob,
  BreakerOpenError,
  type JobContext,
  runAgentJob,
  SessionGoneError,
} from "./run.ts";

export interface DrainOptions {
  workerId: string;
  concurrency: number;
  budgetMs: number;
  vtSeconds: number;
}

export interface DrainReport {
  workerId: string;
  claimed: number;
  completed: number;
  retried: number;
  failed: number;
  deferred: number;
  ms: number;
}

interface Claimed {
  msg_id: string;
  read_ct: number;
  job_kind: "run" | "aggregate";
  session_id: string;
  tenant_id: string;
  attempt: number;
}

/** Exponential backoff with jitter: base·2^(attempt−1), capped at 5 minutes, times 0.5–1.0. */
export function backoffMs(attempt: number, baseMs: number): number {
  const raw = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.round(raw * (0.5 + Math.random() * 0.5));
}

async function loadPrices(db: Db): Promise<Map<string, { input: number; output: number }>> {
  const rows = await db.q<{ model: string; input: string; output: string }[]>`
    select model, input_usd_per_mtok as input, output_usd_per_mtok as output from app.model_prices`;
  return new Map(rows.map((r) => [r.model, { input: Number(r.input), output: Number(r.output) }]));
}

/** Drains agent_jobs with `concurrency` slots until the queue is idle or the budget is spent. */
export async function drain(db: Db, config: Config, opts: DrainOptions): Promise<DrainReport> {
  const started = Date.now();
  const deadline = started + opts.budgetMs;
  const report: DrainReport = {
    workerId: opts.workerId,
    claimed: 0,
    completed: 0,
    retried: 0,
    failed: 0,
    deferred: 0,
    ms: 0,
  };
  const prices = await loadPrices(db);

  const slot = async () => {
    let idleSince = Date.now();
    while (Date.now() < deadline) {
      const [job] = await db.q<
        Claimed[]
      >`select * from app.claim_agent_jobs(${opts.workerId}, ${opts.vtSeconds}, 1)`;
      if (job) idleSince = Date.now();
      if (!job) {
        // Idle: wait for a delayed job that becomes visible within the idle horizon and the budget.
        const [next] = await db.q<
          { s: string | null }[]
        >`select app.agent_jobs_next_visible_in() as s`;
        if (next.s === null) return;
        const dueMs = Number(next.s) * 1000;
        if (
          dueMs > config.ORA_WORKER_IDLE_WAIT_MS - (Date.now() - idleSince) ||
          Date.now() + dueMs > deadline
        ) return;
        const waitMs = Math.max(100, Math.min(dueMs, 1000));
        await new Promise((r) => setTimeout(r, waitMs));
        continue;
      }
      report.claimed++;
      await settle(db, config, opts, job, prices, report);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, slot));
  report.ms = Date.now() - started;
  return report;
}

async function settle(
  db: Db,
  config: Config,
  opts: DrainOptions,
  job: Claimed,
  prices: JobContext["prices"],
  report: DrainReport,
): Promise<void> {
  const abort = new AbortController();
  const ctx: JobContext = {
    db,
    config,
    tenantId: job.tenant_id,
    sessionId: job.session_id,
    signal: abort.signal,
    prices,
  };
  // HEARTBEAT: extend visibility while working; a cancelled session aborts the in-flight call
  const beat = setInterval(async () => {
    try {
      const [h] = await db.q<{ status: string }[]>`
        select app.heartbeat_session(${job.tenant_id}, ${job.session_id}, ${job.msg_id}, ${opts.vtSeconds}) as status`;
      if (h.status !== "running") abort.abort();
    } catch (e) {
      log("warn", "heartbeat failed", {
        session: job.session_id,
        error: String((e as Error).message),
      });
    }
  }, Math.max(1000, (opts.vtSeconds * 1000) / 3));
  const fields = {
    worker: opts.workerId,
    session: job.session_id,
    tenant: job.tenant_id,
    kind: job.job_kind,
    attempt: job.attempt,
  };
  try {
    const result = job.job_kind === "aggregate" ? await aggregateJob(ctx) : await runAgentJob(ctx);
    clearInterval(beat);
    const [r] = await db.q<{ outcome: string }[]>`
      select app.complete_session(${job.tenant_id}, ${job.session_id}, ${job.msg_id}, ${
      db.json(result as never)
    }) as outcome`;
    report.completed++;
    log("info", "job completed", { ...fields, outcome: r.outcome });
  } catch (e) {
    clearInterval(beat);
    if (e instanceof SessionGoneError || abort.signal.aborted) {
      log("info", "job stopped: session no longer running", fields);
      return;
    }
    if (e instanceof BreakerOpenError) {
      report.deferred++;
      await db.q`select app.defer_session(${job.tenant_id}, ${job.session_id}, ${job.msg_id},
        ${Math.ceil(e.retryInMs / 1000)}, ${e.message})`;
      log("info", "job deferred: circuit open", { ...fields, retryInMs: e.retryInMs });
      return;
    }
    const pgCode = (e as { code?: string }).code;
    const budget = pgCode === "OR402";
    const retryable = budget ? false : e instanceof LlmError ? e.retryable : true;
    const retryMs = Math.max(
      backoffMs(job.attempt, config.ORA_RETRY_BASE_MS),
      e instanceof LlmError ? e.retryAfterMs ?? 0 : 0,
    );
    const error = {
      code: budget
        ? "BUDGET_EXCEEDED"
        : e instanceof LlmError
        ? `LLM_${e.status ?? "ERROR"}`
        : "AGENT_ERROR",
      message: String((e as Error)?.message ?? e).slice(0, 2000),
      attempt: job.attempt,
    };
    const [r] = await db.q<{ outcome: string }[]>`
      select app.fail_session_attempt(${job.tenant_id}, ${job.session_id}, ${job.msg_id}, ${
      db.json(error)
    },
        ${Math.ceil(retryMs / 1000)}, ${retryable}) as outcome`;
    if (r.outcome === "retrying") report.retried++;
    else report.failed++;
    log(r.outcome === "retrying" ? "warn" : "error", `job ${r.outcome}`, {
      ...fields,
      error: error.message,
      retryMs,
    });
  }
}
