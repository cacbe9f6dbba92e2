/**
 * tool-executor: drains the tool_calls queue (calls a policy allowed or a person approved) for a
 * bounded time and returns a report. Woken by every enqueue (app.queue_wake) and by app.tick
 * while work waits unclaimed; service role only. Logic: _shared/tools/executor.ts.
 */
import type { GatewayDeps } from "../_shared/platform/gateway.ts";
import { createWorkerFunction } from "../_shared/queue/function.ts";
import { toolCallsWorker } from "../_shared/tools/executor.ts";

/** Builds the tool-executor fetch handler. */
export function createToolExecutorHandler(deps: Omit<GatewayDeps, "name">) {
  return createWorkerFunction("tool-executor", deps, [toolCallsWorker(deps.config)]);
}
