/**
 * agent-worker: drains the agent_jobs queue (agent sessions and orchestrations, both durable
 * runs) for a bounded time and returns a report. Woken by enqueues (app.queue_wake) and by
 * app.tick while work waits unclaimed; service role only.
 */
import { agentSession, orchestration } from "../_shared/agent/session.ts";
import type { GatewayDeps } from "../_shared/platform/gateway.ts";
import { createWorkerFunction } from "../_shared/queue/function.ts";
import { runWorker } from "../_shared/runs/worker.ts";

/** Builds the agent-worker fetch handler. */
export function createAgentWorkerHandler(deps: Omit<GatewayDeps, "name">) {
  return createWorkerFunction("agent-worker", deps, [
    runWorker("agent_jobs", [agentSession(deps.config), orchestration(deps.config)], {
      retryBaseMs: deps.config.ORA_RETRY_BASE_MS,
    }),
  ]);
}
