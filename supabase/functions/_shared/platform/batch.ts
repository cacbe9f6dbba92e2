/**
 * Write-behind batching for bookkeeping that must not cost each request a round trip: request
 * log rows and API-key usage statistics. Rows are flushed every `maxDelayMs`, whenever
 * `maxRows` are pending, and on shutdown; a failed flush is retried with the next one (rows are
 * kept up to `maxPending`, then the oldest are dropped with a warning).
 */
import { log } from "./log.ts";

export interface BatcherOptions {
  maxRows: number;
  maxDelayMs: number;
  /** Rows kept while flushes keep failing; beyond this the oldest are dropped. */
  maxPending?: number;
  name: string;
}

/** Collects rows and writes them in batches with `write`. */
export class Batcher<T> {
  private rows: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  /** Consecutive failed flushes: while > 0, flushes wait for their backoff instead of the row count. */
  private failures = 0;
  constructor(
    private readonly write: (rows: T[]) => Promise<void>,
    private readonly opts: BatcherOptions,
  ) {
    onShutdown(() => this.flush());
  }

  /** Queues a row; never throws and never waits. */
  add(row: T): void {
    this.rows.push(row);
    const max = this.opts.maxPending ?? 10_000;
    if (this.rows.length > max) {
      const dropped = this.rows.splice(0, this.rows.length - max);
      log("warn", `${this.opts.name}: dropped rows while the database was unreachable`, {
        dropped: dropped.length,
      });
    }
    if (this.rows.length >= this.opts.maxRows && this.failures === 0) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delay());
  }

  /** Writes everything pending (waits for a flush already in progress first). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.flushing) await this.flushing;
    if (this.rows.length === 0) return;
    const batch = this.rows.splice(0, this.opts.maxRows);
    this.flushing = this.write(batch).then(() => {
      this.failures = 0;
    }, (e) => {
      this.failures++;
      this.rows.unshift(...batch);
      log("warn", `${this.opts.name}: flush failed; will retry`, {
        rows: batch.length,
        failures: this.failures,
        error: String((e as Error)?.message ?? e),
      });
    }).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    if (this.rows.length > 0) {
      this.timer ??= setTimeout(() => void this.flush(), this.delay());
    }
  }

  /** The wait before the next flush: maxDelayMs, doubling per consecutive failure up to 10 s. */
  private delay(): number {
    return Math.min(this.opts.maxDelayMs * 2 ** this.failures, 10_000);
  }
}

const hooks: (() => Promise<void>)[] = [];
let registered = false;

/** Registers work to finish before the process exits (flushes). */
export function onShutdown(fn: () => Promise<void>): void {
  hooks.push(fn);
  if (!registered && typeof globalThis.addEventListener === "function") {
    registered = true;
    // The edge runtime dispatches beforeunload before an isolate is retired; the local server
    // calls runShutdownHooks() on SIGINT/SIGTERM.
    globalThis.addEventListener("beforeunload", () => void runShutdownHooks());
  }
}

/** Runs every shutdown hook once (flushing batches); safe to call more than once. */
export async function runShutdownHooks(): Promise<void> {
  await Promise.allSettled(hooks.map((h) => h()));
}
