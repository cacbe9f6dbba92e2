/**
 * agent-worker: drains the agent_jobs queue (agent sessions and orchestrations, both durable
 * runs) for a bounded time and returns a report. Woken by enqueues (app.queue_wake) and by
 * app.tick while work waits unclaimed; service role only.
 * Body (optional): {concurrency?: 1..64, budget_ms?: ms, reason?: string}.
 */
import { z } from "zod";
import { agentSession, orchestration } from "../_shared/agent/session.ts";
import { gateway, type GatewayDeps } from "../_shared/platform/gateway.ts";
import { ApiError, json, parseWith, readJson } from "../_shared/platform/http.ts";
import { consume } from "../_shared/queue/consumer.ts";
import { runWorker } from "../_shared/runs/worker.ts";

const Body = z.object({
  concurrency: z.number().int().min(1).max(64).optional(),
  budget_ms: z.number().int().min(100).max(3_600_000).optional(),
  reason: z.string().max(100).optional(),
}).strict();

/** Builds the agent-worker fetch handler. */
export function createAgentWorkerHandler(deps: Omit<GatewayDeps, "name">) {
  const spec = runWorker(
    "agent_jobs",
    [agentSession(deps.config), orchestration(deps.config)],
    { retryBaseMs: deps.config.ORA_RETRY_BASE_MS },
  );
  return gateway({ ...deps, name: "agent-worker" }, async (scope) => {
    if (scope.req.method !== "POST") {
      throw new ApiError("METHOD_NOT_ALLOWED", "POST to drain the agent_jobs queue");
    }
    const principal = await scope.authenticate();
    if (principal.kind !== "service") {
      throw new ApiError("FORBIDDEN", "agent-worker runs with the service-role key only");
    }
    const raw = scope.req.headers.get("content-length") === "0"
      ? {}
      : await readJson(scope.req, 64 * 1024).catch(() => ({}));
    const body = parseWith(Body, raw ?? {}, "body");
    scope.action = `drain:${body.reason ?? "manual"}`;
    const report = await consume(spec, deps.db, deps.config, {
      workerId: `agent-worker:${crypto.randomUUID().slice(0, 8)}`,
      concurrency: body.concurrency ?? deps.config.ORA_WORKER_CONCURRENCY,
      budgetMs: body.budget_ms ?? deps.config.ORA_WORKER_BUDGET_MS,
      vtSeconds: deps.config.ORA_AGENT_VT_SECONDS,
      idleWaitMs: deps.config.ORA_WORKER_IDLE_WAIT_MS,
    });
    return json({ data: report, requestId: scope.requestId }, 200, scope.requestId);
  });
}
