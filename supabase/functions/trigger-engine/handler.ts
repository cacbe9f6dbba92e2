/**
 * trigger-engine: routes events to automations and webhook subscriptions (the `events` queue:
 * matching, debounce/batch windows, cancelOn, webhook deliveries, schedule computation) and executes automation runs (the `automations`
 * queue), both on the shared queue consumer. Woken by enqueues and by app.tick; service role only.
 */
import { automationRun } from "../_shared/automations/engine.ts";
import { eventRouter } from "../_shared/automations/events.ts";
import type { GatewayDeps } from "../_shared/platform/gateway.ts";
import { createWorkerFunction } from "../_shared/queue/function.ts";
import { dispatchEventTx } from "../_shared/webhooks/dispatch.ts";
import { runWorker } from "../_shared/runs/worker.ts";

/** Builds the trigger-engine fetch handler. */
export function createTriggerEngineHandler(deps: Omit<GatewayDeps, "name">) {
  return createWorkerFunction("trigger-engine", deps, [
    eventRouter(deps.config, [dispatchEventTx]),
    runWorker("automations", [automationRun(deps.config)], {
      retryBaseMs: deps.config.ORA_RETRY_BASE_MS,
    }),
  ]);
}
