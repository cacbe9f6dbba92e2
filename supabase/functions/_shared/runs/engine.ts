/**
 * The durable run engine in TypeScript: one small API every run handler uses.
 *
 * ```ts
 * const out = await ctx.step("fetch", () => callSomething());      // memoized: runs once
 * await ctx.sleepUntil("cool-off", new Date(Date.now() + 60_000)); // parks: no worker held
 * const ev = await ctx.waitForEvent("paid", { event: "order.paid", filter: { order: id }, timeoutMs });
 * const kids = await ctx.waitForRuns("children", ids, { mode: "all" });
 * ```
 *
 * A completed step is never executed again: on a redelivery or a resume its recorded output is
 * returned (outputs must be JSON: a replay returns them parsed from their record). Anything non-deterministic (now, random ids, model and tool calls) belongs in a step,
 * so a replay is faithful. A wait that is not satisfied yet parks the run (`Suspended` unwinds
 * the handler; the worker lets go) and the run starts over from the top when the wait resolves,
 * replaying its steps from their records until it reaches new work.
 */
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import { hashKey } from "../platform/auth.ts";
import { log } from "../platform/log.ts";
import type { Classifiable, Classified } from "../queue/classify.ts";

/** JSON a step can record and return. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A recorded step as the run sees it on replay. */
export interface StepRecord {
  key: string;
  seq: number;
  kind: string;
  output: Json;
  provider?: string | null;
  model?: string | null;
  prompt_tokens?: number;
  completion_tokens?: number;
  cost_usd?: string | number;
}

/** What a step's result adds to its record (usage of a model or tool call). */
export interface StepMeta {
  provider?: string;
  model?: string;
  prompt_tokens?: number;
  completion_tokens?: number;
  cost_usd?: number;
  /** Records a usage event of this kind (llm, tool, embedding) for the step. */
  usage_kind?: "llm" | "tool" | "embedding";
  units?: number;
  usage_metadata?: Record<string, unknown>;
}

/** The output of a wait step. */
export interface WaitResult {
  status: "resolved" | "timed_out";
  timed_out: boolean;
  /** any-waits: which waitpoint won (its position, kind and result). */
  kind?: string;
  index?: number;
  result?: Json;
  /** all-waits: every waitpoint's outcome, in order. */
  results?: { kind: string; status: string; result: Json }[];
}

/** One thing to wait for (the SQL side is app.run_park). */
export type Wait =
  | { kind: "time"; at: string }
  | {
    kind: "event";
    events: string[];
    filter?: Record<string, unknown>;
    timeout_at?: string;
    lookback_seconds?: number;
  }
  | { kind: "runs"; run_ids: string[]; mode?: "all" | "any"; timeout_at?: string }
  | { kind: "token"; waitpoint_id: string; timeout_at?: string }
  | { kind: "approval"; approval_id: string; timeout_at?: string };

/** Unwinds a handler whose run just parked on a wait. Not an error: the worker lets go. */
export class Suspended {
  constructor(readonly stepKey: string) {}
}

/** A resumed run whose handler code changed since its steps were recorded. */
export class DefinitionChangedError extends Error implements Classifiable {
  constructor(kind: string, recorded: string, current: string) {
    super(
      `Run definition changed: this ${kind} run recorded its steps with handler version ${recorded}, the worker runs ${current}; replaying recorded steps against different code could do the wrong thing, so the run fails instead (start it again, or fork it)`,
    );
    this.name = "DefinitionChangedError";
  }
  classify(): Classified {
    return { kind: "final", code: "DEFINITION_CHANGED", message: this.message };
  }
}

/** The run was cancelled while its handler was working. */
export class RunStoppedError extends Error {
  constructor() {
    super("The run was cancelled");
    this.name = "RunStoppedError";
  }
}

/** What the engine knows about the run being executed. */
export interface RunJob {
  msgId: string;
  runId: string;
  tenantId: string;
  kind: string;
  attempt: number;
  resumed: boolean;
  codeVersion: string | null;
  input: Record<string, unknown>;
  steps: StepRecord[];
  /** The tenant's settings as of the claim. */
  tenantSettings: Record<string, unknown>;
}

/** A kind of run: its code and the version of that code. */
export interface RunHandler<I = Record<string, unknown>, O = Json> {
  kind: string;
  /** Bump when the order or keys of steps change: runs recorded with another version fail with DEFINITION_CHANGED instead of replaying. */
  version: string;
  run(ctx: RunContext, input: I): Promise<O>;
}

/** The handle a run handler works through. */
export class RunContext {
  private memo = new Map<string, StepRecord>();
  private used = new Set<string>();

  constructor(
    readonly job: RunJob,
    readonly db: Db,
    readonly config: Config,
    readonly signal: AbortSignal,
    private readonly codeVersion: string,
  ) {
    for (const s of job.steps) this.memo.set(s.key, s);
  }

  get runId(): string {
    return this.job.runId;
  }
  get tenantId(): string {
    return this.job.tenantId;
  }
  /** Completed steps replayed from their records so far (a resumed or redelivered run). */
  get recordedSteps(): StepRecord[] {
    return [...this.memo.values()];
  }

  /** The recorded step `key`, if it completed. */
  recorded(key: string): StepRecord | undefined {
    return this.memo.get(key);
  }

  private claim(key: string): void {
    if (this.used.has(key)) {
      throw new Error(`Step key ${key} is used twice in this run: every step needs its own key`);
    }
    this.used.add(key);
  }

  /** Throws RunStoppedError once the run was cancelled. */
  checkStopped(): void {
    if (this.signal.aborted) throw new RunStoppedError();
  }

  /**
   * Runs `fn` once for this run: its output is recorded under `key` and returned as recorded on
   * every replay. A failure is recorded as a failed attempt of the step and rethrown.
   */
  async step<T>(
    key: string,
    fn: () => Promise<T>,
    opts: { kind?: string; input?: unknown; meta?: (out: T) => StepMeta } = {},
  ): Promise<T> {
    this.claim(key);
    const memo = this.memo.get(key);
    if (memo) return memo.output as T;
    this.checkStopped();
    const started = new Date();
    const t0 = performance.now();
    let output: T;
    try {
      output = await fn();
    } catch (e) {
      if (!(e instanceof Suspended) && !this.signal.aborted) {
        await this.record({
          key,
          kind: opts.kind ?? "step",
          status: "failed",
          input: opts.input ?? null,
          error: { message: String((e as Error)?.message ?? e).slice(0, 2000) },
          started_at: started.toISOString(),
          duration_ms: Math.round(performance.now() - t0),
        }).catch((r) => log("warn", "could not record a failed step", { key, error: String(r) }));
      }
      throw e;
    }
    const meta = opts.meta?.(output) ?? {};
    const seq = await this.record({
      key,
      kind: opts.kind ?? "step",
      status: "completed",
      input: opts.input ?? null,
      output,
      started_at: started.toISOString(),
      duration_ms: Math.round(performance.now() - t0),
      code_version: this.codeVersion,
      ...meta,
    });
    this.memo.set(key, {
      key,
      seq: seq ?? 0,
      kind: opts.kind ?? "step",
      output: output as Json,
      ...meta,
    });
    return output;
  }

  private async record(step: Record<string, unknown>): Promise<number | null> {
    const [row] = await this.db.s<{ seq: number | null }[]>`
      select app.run_step_record(${this.tenantId}::uuid, ${this.runId}::uuid, ${step}::jsonb) as seq`;
    return row.seq;
  }

  /** The current time, recorded (a replay sees the same time). */
  now(key: string): Promise<string> {
    return this.step(key, () => Promise.resolve(new Date().toISOString()));
  }

  /** A random id, recorded (a replay sees the same id). */
  uuid(key: string): Promise<string> {
    return this.step(key, () => Promise.resolve(crypto.randomUUID()));
  }

  /** Parks on `waits` (any: the first resolved wins; all: every one) unless already satisfied. */
  async wait(key: string, waits: Wait[], mode: "any" | "all" = "any"): Promise<WaitResult> {
    this.claim(key);
    const memo = this.memo.get(key);
    if (memo) return memo.output as unknown as WaitResult;
    this.checkStopped();
    const [row] = await this.db.s<{ r: { parked: boolean; output?: WaitResult } }[]>`
      select app.run_park(${this.tenantId}::uuid, ${this.runId}::uuid, ${this.job.msgId}::bigint,
        ${key}::text, ${mode}::text, ${waits}::jsonb) as r`;
    if (!row.r.parked && row.r.output) {
      this.memo.set(key, { key, seq: 0, kind: "wait", output: row.r.output as unknown as Json });
      return row.r.output;
    }
    throw new Suspended(key);
  }

  /** Waits until `at`. */
  sleepUntil(key: string, at: Date | string): Promise<WaitResult> {
    return this.wait(key, [{ kind: "time", at: new Date(at).toISOString() }]);
  }

  /** Waits for one of `event(s)` whose payload contains `filter`, up to `timeoutMs`; looks back
   * `lookbackMs` for an event that arrived just before the wait began. */
  waitForEvent(
    key: string,
    o: {
      event?: string;
      events?: string[];
      filter?: Record<string, unknown>;
      timeoutMs?: number;
      lookbackMs?: number;
    },
  ): Promise<WaitResult> {
    const events = o.events ?? (o.event ? [o.event] : []);
    return this.wait(key, [{
      kind: "event",
      events,
      filter: o.filter,
      timeout_at: o.timeoutMs ? new Date(Date.now() + o.timeoutMs).toISOString() : undefined,
      lookback_seconds: o.lookbackMs ? o.lookbackMs / 1000 : undefined,
    }]);
  }

  /** Waits for runs to finish: all of them (default) or any. */
  waitForRuns(
    key: string,
    runIds: string[],
    o: { mode?: "all" | "any"; timeoutMs?: number } = {},
  ): Promise<WaitResult> {
    return this.wait(key, [{
      kind: "runs",
      run_ids: runIds,
      mode: o.mode ?? "all",
      timeout_at: o.timeoutMs ? new Date(Date.now() + o.timeoutMs).toISOString() : undefined,
    }]);
  }

  /** Waits for a person's decision on an approval. */
  waitForApproval(key: string, approvalId: string, o: { timeoutMs?: number } = {}) {
    return this.wait(key, [{
      kind: "approval",
      approval_id: approvalId,
      timeout_at: o.timeoutMs ? new Date(Date.now() + o.timeoutMs).toISOString() : undefined,
    }]);
  }

  /**
   * Creates a completion token an outside caller resolves with `waitpoints.complete` (recorded:
   * a replay gets the same token). Wait on it with `waitForToken`.
   */
  createToken(key: string, o: { timeoutMs?: number } = {}): Promise<{ id: string; token: string }> {
    return this.step(key, async () => {
      const token = `wpt_${crypto.randomUUID().replaceAll("-", "")}${
        crypto.randomUUID().replaceAll("-", "")
      }`;
      const timeout = o.timeoutMs ? new Date(Date.now() + o.timeoutMs).toISOString() : null;
      const [row] = await this.db.q<{ id: string }[]>`
        select app.waitpoint_token_create(${this.tenantId}, ${this.runId}, ${hashKey(token)},
          ${timeout}::timestamptz) as id`;
      return { id: row.id, token };
    }, { kind: "token" });
  }

  /** Waits until the token is completed (its payload is the result) or times out. */
  waitForToken(key: string, waitpointId: string): Promise<WaitResult> {
    return this.wait(key, [{ kind: "token", waitpoint_id: waitpointId }]);
  }
}
