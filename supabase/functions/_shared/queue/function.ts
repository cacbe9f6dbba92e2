/**
 * The Edge Function around queue consumers: `POST` with the service-role key (enqueue wake-ups,
 * app.tick, an operator), an optional body `{concurrency?, budget_ms?, reason?}`, drains every
 * queue of the worker concurrently for the time budget and answers with one report per queue.
 * A plain wake-up (no concurrency or budget given) that finds a drain of the same function
 * running in this isolate is handed to it — the drain claims again at once — and answered
 * immediately, so wake-ups never queue behind a long drain.
 * Wiring a worker function is this plus its specs (see docs/architecture.md, "Adding a worker").
 */
import { z } from "zod";
import { gateway, type GatewayDeps } from "../platform/gateway.ts";
import { ApiError, json, parseWith, readJson } from "../platform/http.ts";
import { consume, ConsumerGroup, type QueueJob, type WorkerSpec } from "./consumer.ts";

const Body = z.object({
  concurrency: z.number().int().min(1).max(64).optional(),
  budget_ms: z.number().int().min(100).max(3_600_000).optional(),
  reason: z.string().max(100).optional(),
}).strict();

export interface WorkerFunctionOptions {
  /** Slots per queue unless the body says otherwise (default ORA_WORKER_CONCURRENCY). */
  concurrency?: number;
  /** Visibility timeout in seconds (default ORA_AGENT_VT_SECONDS). */
  vtSeconds?: number;
}

/** The drain each worker function runs in this isolate (for handing wake-ups to it). */
const draining = new Map<string, ConsumerGroup>();

/** Builds the fetch handler of a worker function draining `specs`' queues. */
export function createWorkerFunction(
  name: string,
  deps: Omit<GatewayDeps, "name">,
  // deno-lint-ignore no-explicit-any
  specs: WorkerSpec<any>[],
  opts: WorkerFunctionOptions = {},
) {
  return gateway({ ...deps, name }, async (scope) => {
    if (scope.req.method !== "POST") {
      throw new ApiError(
        "METHOD_NOT_ALLOWED",
        `POST to drain ${specs.map((s) => s.queue).join(", ")}`,
      );
    }
    const principal = await scope.authenticate();
    if (principal.kind !== "service") {
      throw new ApiError("FORBIDDEN", `${name} runs with the service-role key only`);
    }
    const raw = scope.req.headers.get("content-length") === "0"
      ? {}
      : await readJson(scope.req, 64 * 1024).catch(() => ({}));
    const body = parseWith(Body, raw ?? {}, "body");
    scope.action = `drain:${body.reason ?? "manual"}`;
    // A plain wake-up while this isolate drains the function already goes to that drain.
    const running = draining.get(name);
    const wakeUp = body.concurrency === undefined && body.budget_ms === undefined;
    if (wakeUp && running?.open) {
      running.poke();
      return json(
        { data: { handed_to_running_drain: true }, requestId: scope.requestId },
        200,
        scope.requestId,
      );
    }
    const workerId = `${name}:${crypto.randomUUID().slice(0, 8)}`;
    const budgetMs = body.budget_ms ?? deps.config.ORA_WORKER_BUDGET_MS;
    const group = new ConsumerGroup(Date.now() + budgetMs);
    if (wakeUp) draining.set(name, group);
    try {
      const reports = await Promise.all(
        specs.map((spec: WorkerSpec<QueueJob>) =>
          consume(spec, deps.db, deps.config, {
            workerId,
            concurrency: body.concurrency ?? opts.concurrency ?? deps.config.ORA_WORKER_CONCURRENCY,
            budgetMs,
            vtSeconds: opts.vtSeconds ?? deps.config.ORA_AGENT_VT_SECONDS,
            idleWaitMs: deps.config.ORA_WORKER_IDLE_WAIT_MS,
            group,
          })
        ),
      );
      const data = reports.length === 1 ? reports[0] : { workerId, queues: reports };
      return json({ data, requestId: scope.requestId }, 200, scope.requestId);
    } finally {
      if (draining.get(name) === group) draining.delete(name);
    }
  });
}
