/** Helpers for the automation suites. */
import { eventually, ok, type TestTenant } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Creates an automation (active, manual unless given) and returns it. */
export async function automation(t: TestTenant, spec: Record<string, unknown>): Promise<Any> {
  return await ok(t.key, "automations.create", {
    name: "Test automation",
    slug: `a-${crypto.randomUUID().slice(0, 8)}`,
    trigger_type: "manual",
    ...spec,
  });
}

/** The automation's runs once `n` of them have finished (success, partial, failed, skipped). */
export async function finishedRuns(
  t: TestTenant,
  id: string,
  n = 1,
  timeoutMs = 15_000,
): Promise<Any[]> {
  return await eventually(
    async () => {
      const h = await ok(t.key, "automations.history", { id, limit: 50 });
      const done = h.items.filter((r: Any) =>
        ["success", "partial", "failed", "skipped", "cancelled"].includes(r.status)
      );
      return done.length >= n ? done : null;
    },
    timeoutMs,
    50,
  );
}
