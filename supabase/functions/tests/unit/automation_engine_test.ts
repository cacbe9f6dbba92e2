// The automation run handler against a scripted database: a transient database failure in the
// engine's own work (parking a wait) is retried, not turned into the action's final failure.
import { assertEquals } from "../_assert.ts";
import type { Config } from "../../_shared/platform/config.ts";
import type { Db } from "../../_shared/platform/db.ts";
import { classify } from "../../_shared/queue/classify.ts";
import { RunContext, type RunJob } from "../../_shared/runs/engine.ts";
import { type AutomationInput, automationRun } from "../../_shared/automations/engine.ts";

/** A Db whose statements answer from `answer(text)`. */
function scriptedDb(answer: (text: string) => unknown[]): Db {
  const s = (strings: TemplateStringsArray) =>
    Promise.resolve().then(() => answer(strings.join("$")));
  return { s, q: s } as unknown as Db;
}

function input(onError: string): AutomationInput {
  return {
    automation: {
      id: crypto.randomUUID(),
      name: "wfe",
      slug: "wfe",
      version: 1,
      trigger_type: "manual",
      trigger_config: {},
      conditions: null,
      actions: [{
        type: "wait_for_event",
        name: "got",
        config: { events: ["order.paid"], timeout: 60 },
      }] as AutomationInput["automation"]["actions"],
      on_error: onError as AutomationInput["automation"]["on_error"],
      max_retries: 0,
      retry_delay_seconds: 1,
      run_scopes: ["*"],
    },
    trigger: { type: "manual", data: {}, chain: [], timestamp: new Date().toISOString() },
  };
}

for (const onError of ["notify", "ignore", "abort", "pause"]) {
  Deno.test(`a deadlock while parking is retried (DB_40P01, kind retry) under on_error ${onError}`, async () => {
    const db = scriptedDb((text) => {
      if (text.includes("app.run_park")) {
        throw Object.assign(new Error("deadlock detected"), { code: "40P01" });
      }
      return [{ seq: 1 }];
    });
    const job: RunJob = {
      msgId: "1",
      runId: crypto.randomUUID(),
      tenantId: crypto.randomUUID(),
      kind: "automation",
      attempt: 1,
      resumed: false,
      codeVersion: null,
      input: {},
      steps: [],
      tenantSettings: {},
    };
    const handler = automationRun({} as Config);
    const ctx = new RunContext(
      job,
      db,
      {} as Config,
      new AbortController().signal,
      handler.version,
    );
    const failure = await handler.run(ctx, input(onError)).then(() => null, (e) => e);
    const c = classify(failure);
    assertEquals([c.kind, c.code], ["retry", "DB_40P01"]);
  });
}
