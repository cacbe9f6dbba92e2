// The shared queue consumer with a scripted worker spec: no database, no network.
import { assert, assertEquals } from "../_assert.ts";
import { consume, type QueueJob, type WorkerSpec } from "../../_shared/queue/consumer.ts";
import type { Config } from "../../_shared/platform/config.ts";
import type { Db } from "../../_shared/platform/db.ts";
import { LlmError } from "../../_shared/llm/types.ts";

const db = {} as Db;
const config = {} as Config;

function spec(
  jobs: QueueJob[],
  run: (job: QueueJob) => Promise<string>,
  overrides: Partial<WorkerSpec<QueueJob>> = {},
) {
  const settled: { msgId: string; kind: string; delayMs: number }[] = [];
  const queue = [...jobs];
  const s: WorkerSpec<QueueJob> = {
    queue: "test",
    claim: (_db, _w, _vt, qty) => Promise.resolve(queue.splice(0, qty)),
    run: (job) => run(job),
    settle: (job, f) => {
      settled.push({ msgId: job.msgId, kind: f.kind, delayMs: f.delayMs });
      return Promise.resolve(f.kind === "final" ? "failed" : "retrying");
    },
    heartbeat: () => Promise.resolve(new Set()),
    nextVisibleIn: () => Promise.resolve(null),
    retryDelayMs: () => 1234,
    ...overrides,
  };
  return { s, settled };
}

const job = (n: number): QueueJob => ({ msgId: String(n), tenantId: "t", attempt: 1 });
const opts = { workerId: "w", concurrency: 3, budgetMs: 5000, vtSeconds: 10, idleWaitMs: 0 };

Deno.test("one job's error never fails the invocation: the rest complete, the failure is settled", async () => {
  const { s, settled } = spec(
    [job(1), job(2), job(3), job(4)],
    (j) =>
      j.msgId === "2"
        ? Promise.reject(new LlmError("429", true, 429))
        : Promise.resolve("completed"),
  );
  const report = await consume(s, db, config, opts);
  assertEquals(report.claimed, 4);
  assertEquals(report.outcomes, { completed: 3, retrying: 1 });
  assertEquals(settled, [{ msgId: "2", kind: "retry", delayMs: 1234 }]);
});

Deno.test("a failing claim is survived: logged, counted, and the consumer goes on", async () => {
  let calls = 0;
  const { s } = spec([], () => Promise.resolve("completed"), {
    claim: () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error("connection reset")) : Promise.resolve([]);
    },
  });
  const report = await consume(s, db, config, { ...opts, budgetMs: 3000 });
  assertEquals(report.errors, 1);
  assert(calls >= 2, "it claimed again after the failure");
});

Deno.test("a failure that cannot be recorded is counted, not thrown", async () => {
  const { s } = spec([job(1)], () => Promise.reject(new Error("boom")), {
    settle: () => Promise.reject(new Error("database gone")),
  });
  const report = await consume(s, db, config, opts);
  assertEquals(report.errors, 1);
});

Deno.test("slots run jobs concurrently up to the concurrency, never beyond", async () => {
  let running = 0;
  let peak = 0;
  const { s } = spec(Array.from({ length: 9 }, (_, i) => job(i)), async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 30));
    running--;
    return "completed";
  });
  const report = await consume(s, db, config, opts);
  assertEquals(report.outcomes.completed, 9);
  assertEquals(peak, 3);
});

Deno.test("work the heartbeat reports gone is aborted and counted as stopped", async () => {
  const { s } = spec([job(1)], (j) =>
    new Promise((_, reject) => {
      const t = setTimeout(() => reject(new Error("never")), 5000);
      // the job watches its signal the way real handlers do
      (j as unknown as { signal: AbortSignal }).signal?.addEventListener("abort", () => {
        clearTimeout(t);
        reject(new Error("aborted"));
      });
    }), {
    run: (_j, ctx) =>
      new Promise((_, reject) =>
        ctx.signal.addEventListener("abort", () => reject(new Error("aborted")))
      ),
    heartbeat: (_db, _w, jobs) => Promise.resolve(new Set(jobs.map((j) => j.msgId))),
  });
  const report = await consume(s, db, config, { ...opts, vtSeconds: 1 });
  assertEquals(report.outcomes, { stopped: 1 });
});

Deno.test("an idle consumer returns at once unless work comes due within idleWaitMs", async () => {
  const { s } = spec([], () => Promise.resolve("completed"), {
    nextVisibleIn: () => Promise.resolve(60),
  });
  const report = await consume(s, db, config, { ...opts, idleWaitMs: 2000 });
  assert(report.ms < 500, `returned after ${report.ms} ms`);
});
