// Automation actions and policies end to end: windows (debounce, batch), cancelOn, waits that park
// the run (and survive a function-server restart), call_api through the outbound client, agents,
// chains, error strategies, caps, cooldowns, loop protection and scopes.
import { assert, assertEquals } from "./_assert.ts";
import { agentReply, startLlmServer } from "./_llm_server.ts";
import {
  call,
  db,
  eventually,
  killFunctionServer,
  llmTenant,
  newTenant,
  ok,
  startFunctionServer,
  stopFunctionServer,
  test,
} from "./_helpers.ts";
import { automation, finishedRuns } from "./_automations.ts";
import { startReceiver } from "./_receiver.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function emit(key: string, type: string, payload: Record<string, unknown>) {
  return await ok(key, "events.emit", { type, payload });
}

test("debounce: events with the same key within the window make one run with the last event; another key runs apart", async () => {
  const t = await newTenant("auto-debounce");
  const a = await automation(t, {
    trigger_type: "event",
    trigger_config: { events: ["post.edited"], debounce: { seconds: 1.5, key: "post.id" } },
    actions: [{
      type: "log",
      config: {
        message: "{{ trigger.data.post.id }} v{{ trigger.data.version }} of {{ trigger.count }}",
      },
    }],
  });
  for (let v = 1; v <= 4; v++) {
    await emit(t.key, "post.edited", { post: { id: "p1" }, version: v });
    await new Promise((r) => setTimeout(r, 300));
  }
  await emit(t.key, "post.edited", { post: { id: "p2" }, version: 1 });
  const runs = await finishedRuns(t, a.id, 2, 20_000);
  const messages = runs.map((r: Any) => r.action_results.a0.output.message).sort();
  assertEquals(messages, ["p1 v4 of 1", "p2 v1 of 1"]);
  await new Promise((r) => setTimeout(r, 500));
  assertEquals((await ok(t.key, "automations.history", { id: a.id })).items.length, 2);
});

test("batch: maxSize closes the batch at once; maxWait closes a partial one", async () => {
  const t = await newTenant("auto-batch");
  const a = await automation(t, {
    trigger_type: "event",
    trigger_config: { events: ["signup"], batch: { maxSize: 3, maxWait: 2 } },
    actions: [{
      type: "log",
      config: { message: "{{ trigger.count }} signups", data: "{{ trigger.events }}" },
    }],
  });
  for (let i = 0; i < 4; i++) await emit(t.key, "signup", { n: i });
  const runs = await finishedRuns(t, a.id, 2, 20_000);
  const byCount = runs.map((r: Any) => r.action_results.a0.output.message).sort();
  assertEquals(byCount, ["1 signups", "3 signups"]);
  // events are routed concurrently: which 3 form the full batch may vary, never the total, and
  // within a batch they are in the order they happened
  const seen = runs.flatMap((r: Any) => r.action_results.a0.output.data.map((e: Any) => e.data.n));
  assertEquals([...seen].sort(), [0, 1, 2, 3], "every event in exactly one batch");
  const full = runs.find((r: Any) => r.action_results.a0.output.message === "3 signups");
  const ns = full.action_results.a0.output.data.map((e: Any) => e.data.n);
  assertEquals(ns, [...ns].sort(), "in the order they happened");
});

test("cancelOn: a matching event cancels the waiting run; another order's event does not", async () => {
  const t = await newTenant("auto-cancel");
  const a = await automation(t, {
    trigger_type: "event",
    trigger_config: {
      events: ["cart.abandoned"],
      cancelOn: { events: ["order.placed"], match: "cart" },
    },
    actions: [
      { type: "wait", config: { seconds: 3600 } },
      { type: "log", config: { message: "reminder for {{ trigger.data.cart }}" } },
    ],
  });
  await emit(t.key, "cart.abandoned", { cart: "c1" });
  await emit(t.key, "cart.abandoned", { cart: "c2" });
  await eventually(async () => {
    const h = await ok(t.key, "automations.history", { id: a.id });
    return h.items.length === 2 && h.items.every((r: Any) => r.status === "waiting");
  });
  await emit(t.key, "order.placed", { cart: "c1" });
  const [cancelled] = await finishedRuns(t, a.id, 1);
  assertEquals(cancelled.status, "cancelled");
  assertEquals(cancelled.trigger_data.cart, "c1");
  const h = await ok(t.key, "automations.history", { id: a.id });
  assertEquals(h.items.map((r: Any) => r.status).sort(), ["cancelled", "waiting"]);
});

test("wait_for_event: the run parks, resumes on the matching event with its payload, or times out", async () => {
  const t = await newTenant("auto-wfe");
  const a = await automation(t, {
    actions: [
      {
        type: "wait_for_event",
        name: "paid",
        config: {
          events: ["invoice.paid", "invoice.voided"],
          match: { invoice: "{{ trigger.data.invoice }}" },
          timeout: 30,
        },
      },
      { type: "log", name: "after", config: { message: "received={{ paid.received }}" } },
    ],
  });
  const first = await ok(t.key, "automations.run", { id: a.id, data: { invoice: "inv-1" } });
  await eventually(async () =>
    (await ok(t.key, "runs.get", { id: first.run_id })).run.status === "waiting"
  );
  const [{ n }] =
    await db`select count(*)::int as n from public.run_waitpoints where run_id = ${first.run_id} and status = 'pending'`;
  assertEquals(n, 1, "parked on one event waitpoint; no worker held");
  await emit(t.key, "invoice.paid", { invoice: "inv-other" });
  await emit(t.key, "invoice.voided", { invoice: "inv-1", reason: "dup" });
  const done = await eventually(async () => {
    const r = await ok(t.key, "automations.history", { id: a.id });
    return r.items.find((x: Any) => x.status === "success");
  });
  assertEquals(done.action_results.paid.output.received, true);
  assertEquals(done.action_results.paid.output.event.payload.reason, "dup");
  assertEquals(done.action_results.after.output.message, "received=true");

  const b = await automation(t, {
    actions: [
      { type: "wait_for_event", name: "paid", config: { events: ["invoice.paid"], timeout: 1 } },
      { type: "log", name: "after", config: { message: "received={{ paid.received }}" } },
    ],
  });
  const timedOut = await ok(t.key, "automations.run", { id: b.id, wait_ms: 15_000 });
  assertEquals(timedOut.action_results.after.output.message, "received=false");
});

test("a parked wait survives a function-server restart and resumes on time", async () => {
  const t = await newTenant("auto-restart");
  const a = await automation(t, {
    actions: [
      { type: "log", name: "before", config: { message: "before" } },
      { type: "wait", config: { seconds: 3 } },
      { type: "log", name: "after", config: { message: "after" } },
    ],
  });
  const fired = await ok(t.key, "automations.run", { id: a.id });
  await eventually(async () =>
    (await ok(t.key, "runs.get", { id: fired.run_id })).run.status === "waiting"
  );
  await stopFunctionServer();
  await new Promise((r) => setTimeout(r, 1000));
  await startFunctionServer();
  const [run] = await finishedRuns(t, a.id, 1, 30_000);
  assertEquals(run.status, "success");
  const steps = (await ok(t.key, "runs.get", { id: fired.run_id })).steps;
  assertEquals(steps.filter((s: Any) => s.key === "a0").length, 1, "the first action ran once");
});

test("call_api: through the outbound client with an Idempotency-Key per action and a secret bound to its origin; retry strategy rides out failures", async () => {
  let failures = 2;
  const api = startReceiver(() =>
    failures-- > 0
      ? { status: 503, headers: { "retry-after": "1" }, body: "busy" }
      : { body: '{"accepted":true}' }
  );
  try {
    const t = await newTenant("auto-api");
    await ok(t.key, "secrets.set", {
      name: "crm_token",
      value: "crm-secret-token-123",
      origin: api.origin,
    });
    const a = await automation(t, {
      on_error: "retry",
      max_retries: 3,
      retry_delay_seconds: 1,
      actions: [{
        type: "call_api",
        name: "crm",
        config: {
          url: `${api.origin}/leads/{{ trigger.data.id }}`,
          method: "POST",
          body: { score: "{{ trigger.data.score }}" },
          credential_secret: "crm_token",
        },
      }],
    });
    const fired = await ok(t.key, "automations.run", { id: a.id, data: { id: "L1", score: 91 } });
    const [run] = await finishedRuns(t, a.id, 1, 30_000);
    assertEquals(run.status, "success");
    assertEquals(run.retry_count, 2);
    assertEquals(run.action_results.crm.output, { status: 200, body: { accepted: true } });
    assertEquals(api.received.length, 3);
    assertEquals(JSON.parse(api.received[2].body), { score: 91 });
    assertEquals(api.received[0].headers["authorization"], "Bearer crm-secret-token-123");
    assertEquals(
      new Set(api.received.map((r) => r.headers["idempotency-key"])).size,
      1,
      "the same key on every retry",
    );
    assertEquals(api.received[0].headers["idempotency-key"], `${fired.run_id}:a0`);

    // the secret is never sent to another origin
    const b = await automation(t, {
      on_error: "abort",
      actions: [{
        type: "call_api",
        config: { url: "http://localhost:9/x", credential_secret: "crm_token" },
      }],
    });
    const refused = await ok(t.key, "automations.run", { id: b.id, wait_ms: 10_000 });
    assertEquals(refused.status, "failed");
    assertEquals(refused.error.code, "SECRET_ORIGIN_MISMATCH");
    assertEquals(api.received.length, 3);
  } finally {
    await api.close();
  }
});

test("on_error: ignore continues (partial); abort stops the run; pause also pauses the automation; an action's onError overrides", async () => {
  const t = await newTenant("auto-onerror");
  const failing = {
    type: "update_data",
    config: { table: "leads", id: crypto.randomUUID(), set: { status: "qualified" } },
  };
  const after = { type: "log", name: "after", config: { message: "after" } };
  const ignore = await automation(t, { on_error: "ignore", actions: [failing, after] });
  const r1 = await ok(t.key, "automations.run", { id: ignore.id, wait_ms: 10_000 });
  assertEquals([r1.status, r1.actions_failed, r1.action_results.a0.error.code], [
    "partial",
    1,
    "NOT_FOUND",
  ]);
  assertEquals(r1.action_results.after.status, "completed");

  const abort = await automation(t, { on_error: "abort", actions: [failing, after] });
  const r2 = await ok(t.key, "automations.run", { id: abort.id, wait_ms: 10_000 });
  assertEquals(r2.status, "failed");
  assertEquals(r2.error.code, "NOT_FOUND");
  const steps2 = (await ok(t.key, "runs.get", { id: r2.id })).steps;
  assert(!steps2.some((s: Any) => s.key === "a1"), "nothing after the failed action ran");

  const pause = await automation(t, { on_error: "pause", actions: [failing, after] });
  const r3 = await ok(t.key, "automations.run", { id: pause.id, wait_ms: 10_000 });
  assertEquals(r3.status, "failed");
  const paused = await ok(t.key, "automations.get", { id: pause.id });
  assertEquals(paused.status, "paused");
  assert(paused.status_reason.includes("on_error"));
  assertEquals(paused.failed_runs, 1);

  const override = await automation(t, {
    on_error: "abort",
    actions: [{ ...failing, onError: "ignore" }, after],
  });
  const r4 = await ok(t.key, "automations.run", { id: override.id, wait_ms: 10_000 });
  assertEquals(r4.status, "partial");
});

test("store_memory: stores a rendered memory as the tenant; a second firing with the same content is a noop; bad definitions and unknown agents fail clearly", async () => {
  const t = await newTenant("auto-memory");
  const a = await automation(t, {
    on_error: "ignore",
    actions: [{
      type: "store_memory",
      name: "remember",
      config: {
        key: "order_{{ trigger.data.order }}",
        value: { total: "{{ trigger.data.total }}", note: "big order" },
        type: "entity",
        importance: 0.9,
      },
    }],
  });
  const r1 = await ok(t.key, "automations.run", {
    id: a.id,
    data: { order: "o-7", total: 420 },
    wait_ms: 15_000,
  });
  assertEquals(r1.status, "success", JSON.stringify(r1.action_results));
  assertEquals(r1.action_results.remember.output.decision, "add");
  const m = await ok(t.key, "memory.get", { key: "order_o-7", type: "entity" });
  assertEquals([m.content.total, m.content.note, m.importance, m.source], [
    420,
    "big order",
    0.9,
    "automation",
  ]);
  assertEquals(m.metadata.run_id, r1.id);
  const r2 = await ok(t.key, "automations.run", {
    id: a.id,
    data: { order: "o-7", total: 420 },
    wait_ms: 15_000,
  });
  assertEquals(r2.action_results.remember.output.decision, "noop");

  // another tenant never sees it
  const other = await newTenant("auto-memory-other");
  const probe = await call(other.key, "memory.get", { key: "order_o-7", type: "entity" });
  assertEquals(probe.body.error?.code, "NOT_FOUND");

  // a memory type that does not exist is refused when the automation is defined
  const bad = await call(t.key, "automations.create", {
    name: "bad",
    slug: "bad-memory",
    trigger_type: "manual",
    actions: [{ type: "store_memory", config: { key: "k", value: "v", type: "gossip" } }],
  });
  assertEquals(bad.status, 400);
  // an agent that does not exist fails the action (not retried), the run goes on
  const b = await automation(t, {
    on_error: "ignore",
    actions: [
      { type: "store_memory", config: { key: "k", value: "v", agent: "nobody" } },
      { type: "log", name: "after", config: { message: "after" } },
    ],
  });
  const r3 = await ok(t.key, "automations.run", { id: b.id, wait_ms: 15_000 });
  assertEquals([r3.status, r3.action_results.a0.error.code], ["partial", "NOT_FOUND"]);
  assertEquals(r3.action_results.after.status, "completed");
});

test("caps and cooldown: max_runs_per_hour and cooldown_seconds skip event firings and count them", async () => {
  const t = await newTenant("auto-caps");
  const capped = await automation(t, {
    trigger_type: "event",
    trigger_config: { events: ["ping"] },
    max_runs_per_hour: 2,
    actions: [{ type: "log", config: { message: "x" } }],
  });
  const cooled = await automation(t, {
    trigger_type: "event",
    trigger_config: { events: ["ping"] },
    cooldown_seconds: 3600,
    actions: [{ type: "log", config: { message: "y" } }],
  });
  for (let i = 0; i < 4; i++) await emit(t.key, "ping", { i });
  await eventually(async () => {
    const a = await ok(t.key, "automations.get", { id: capped.id });
    const b = await ok(t.key, "automations.get", { id: cooled.id });
    return a.total_runs + a.skipped_runs === 4 && b.total_runs + b.skipped_runs === 4;
  });
  const a = await ok(t.key, "automations.get", { id: capped.id });
  const b = await ok(t.key, "automations.get", { id: cooled.id });
  assertEquals([a.total_runs, a.skipped_runs], [2, 2]);
  assertEquals([b.total_runs, b.skipped_runs], [1, 3]);
});

test("loop protection: an automation whose update re-triggers itself runs once and the loop is reported; chains too", async () => {
  const t = await newTenant("auto-loop");
  const l = await ok(t.key, "leads.create", { name: "Loop", ai_score: 50 });
  const a = await automation(t, {
    trigger_type: "event",
    trigger_config: { events: ["leads.UPDATE"] },
    actions: [{
      type: "update_data",
      config: {
        table: "leads",
        id: "{{ trigger.data.new.id }}",
        set: { notes: "touched {{ system.now }}" },
      },
    }],
  });
  await ok(t.key, "leads.update", { id: l.id, status: "contacted" });
  const [run] = await finishedRuns(t, a.id);
  assertEquals(run.status, "success");
  const loop = await eventually(async () => {
    const [e] =
      await db`select payload from public.event_log where tenant_id = ${t.id} and event_type = 'automation.loop_stopped'`;
    return e;
  });
  assertEquals(loop.payload.automation_id, a.id);
  await new Promise((r) => setTimeout(r, 500));
  const g = await ok(t.key, "automations.get", { id: a.id });
  assertEquals([g.total_runs, g.skipped_runs], [1, 1]);

  // A chains B, B chains A: the second A is stopped
  const bSlug = `b-${crypto.randomUUID().slice(0, 6)}`;
  const aSlug = `a-${crypto.randomUUID().slice(0, 6)}`;
  await automation(t, {
    slug: bSlug,
    on_error: "ignore",
    actions: [{ type: "chain", config: { automation: aSlug } }],
  });
  const ca = await automation(t, {
    slug: aSlug,
    on_error: "ignore",
    actions: [{
      type: "chain",
      config: { automation: bSlug, waitForCompletion: true, timeout: 20 },
    }],
  });
  const r = await ok(t.key, "automations.run", { id: ca.id, wait_ms: 20_000 });
  assertEquals(r.status, "success");
  const bRun = r.action_results.a0.output;
  assertEquals(bRun.status, "partial", "B ran; its chain back to A was stopped");
  assertEquals(bRun.results.a0.error.code, "LOOP_STOPPED");
});

test("execute_agent: the agent runs as a child session, its output lands in the output variable with its usage", async () => {
  const llm = startLlmServer(() => ({
    content: agentReply("lead looks strong"),
    promptTokens: 120,
    completionTokens: 30,
  }));
  try {
    const t = await llmTenant("auto-agent", llm.url);
    const a = await automation(t, {
      actions: [
        {
          type: "execute_agent",
          config: {
            agent: "analyst",
            input: { task: "analyze_lead", leadId: "{{ trigger.data.lead }}" },
          },
          output: { as: "analysis" },
        },
        { type: "log", name: "summary", config: { message: "{{ analysis.summary }}" } },
      ],
    });
    const r = await ok(t.key, "automations.run", {
      id: a.id,
      data: { lead: "L-7" },
      wait_ms: 20_000,
    });
    assertEquals(r.status, "success");
    assertEquals(r.action_results.summary.output.message, "lead looks strong");
    assertEquals(r.action_results.a0.output.usage.prompt_tokens, 120);
    const [child] = await db`select parent_run_id, kind, input -> 'leadId' as lead from public.runs
      where id = ${r.action_results.a0.output.run_id}`;
    assertEquals([child.parent_run_id, child.kind, child.lead], [r.id, "agent", "L-7"]);
    assert(llm.requests[0].body.messages.some((m) => String(m.content).includes("L-7")));
  } finally {
    await llm.close();
  }
});

test("scopes: an automation runs with its author's scopes, so a narrow key cannot save one that does more", async () => {
  const t = await newTenant("auto-scopes");
  const narrow = await ok(t.key, "keys.create", { name: "narrow", scopes: ["automations:write"] });
  const refused = await call(narrow.key, "automations.create", {
    name: "sneaky",
    slug: "sneaky",
    trigger_type: "manual",
    actions: [{
      type: "update_data",
      config: { table: "leads", id: "x", set: { status: "lost" } },
    }],
  });
  assertEquals(refused.status, 403);
  assertEquals((refused.body.error!.details as Any).missing, ["leads:write"]);
  const fine = await call(narrow.key, "automations.create", {
    name: "fine",
    slug: "fine",
    trigger_type: "manual",
    actions: [{ type: "log", config: { message: "ok" } }],
  });
  assertEquals(fine.status, 200);
  // changing it with the owner key keeps it runnable by the owner's scopes only
  const other = await newTenant("auto-scopes-other");
  const cross = await call(other.key, "automations.run", { id: (fine.body.data as Any).id });
  assertEquals(cross.status, 404, "another tenant cannot even see it");
});

test("events.emit: custom events are recorded; Ora's own event names are reserved", async () => {
  const t = await newTenant("auto-emit");
  const e = await emit(t.key, "order.paid", { order: 1 });
  assertEquals(e.event_source, "api");
  for (const type of ["session.completed", "automation.completed", "leads.INSERT"]) {
    const r = await call(t.key, "events.emit", { type, payload: {} });
    assertEquals(r.status, 400, type);
  }
  const list = await ok(t.key, "events.list", { type: "order.paid" });
  assertEquals(list.items.length, 1);
});

test("SIGKILL mid-action: the run resumes after its last completed action and never repeats it", async () => {
  let killedAt: (() => void) | undefined;
  const inSecond = new Promise<void>((r) => killedAt = r);
  let secondCalls = 0;
  const api = startReceiver((r) => {
    if (r.path === "/second" && ++secondCalls === 1) {
      killedAt!();
      return { delayMs: 15_000 }; // the worker dies while it waits
    }
    return {};
  });
  try {
    const t = await newTenant("auto-crash");
    const a = await automation(t, {
      actions: [
        {
          type: "call_api",
          name: "first",
          config: { url: `${api.origin}/first`, timeout: 20_000 },
        },
        {
          type: "call_api",
          name: "second",
          config: { url: `${api.origin}/second`, timeout: 20_000 },
        },
        { type: "log", name: "third", config: { message: "done" } },
      ],
    });
    const fired = await ok(t.key, "automations.run", { id: a.id });
    await inSecond;
    await killFunctionServer();
    await startFunctionServer();
    const [run] = await finishedRuns(t, a.id, 1, 60_000);
    assertEquals(run.status, "success");
    const paths = api.received.map((r) => r.headers["idempotency-key"]);
    assertEquals(paths.filter((k) => k === `${fired.run_id}:a0`).length, 1, "first: once");
    assertEquals(
      paths.filter((k) => k === `${fired.run_id}:a1`).length,
      2,
      "second: again, same key",
    );
    const steps = (await ok(t.key, "runs.get", { id: fired.run_id })).steps
      .filter((s: Any) => s.status === "completed" && s.kind === "action").map((s: Any) => s.key);
    assertEquals(steps, ["a0", "a1", "a2"]);
  } finally {
    await api.close();
  }
});

test("300 runs parked on an event hold no connection and all resume when it arrives", async () => {
  const t = await newTenant("auto-parked");
  const a = await automation(t, {
    trigger_type: "event",
    trigger_config: { events: ["job.queued"] },
    actions: [
      { type: "wait_for_event", name: "go", config: { events: ["jobs.release"], timeout: 120 } },
      { type: "log", config: { message: "job {{ trigger.data.n }} released={{ go.received }}" } },
    ],
  });
  const N = 300;
  for (let i = 0; i < N; i += 25) {
    await Promise.all(
      Array.from(
        { length: Math.min(25, N - i) },
        (_, k) => ok(t.key, "events.emit", { type: "job.queued", payload: { n: i + k } }),
      ),
    );
  }
  await eventually(
    async () => {
      const [{ n }] =
        await db`select count(*)::int as n from public.run_waitpoints w join public.runs r on r.id = w.run_id
      where r.subject = ${a.id} and w.status = 'pending' and w.kind = 'event'`;
      return n === N;
    },
    60_000,
    250,
  );
  // the engine may still be finishing its last drain (archiving, an empty claim from the
  // safety-net cron) when the last run parks; a connection held for a parked run would stay busy,
  // so the engine's connections must all go idle and stay so — not at one sampled instant
  const settled = await eventually(
    async () => {
      const [{ busy }] = await db`select count(*)::int as busy from pg_stat_activity
        where application_name = 'trigger-engine' and state <> 'idle'`;
      return busy === 0;
    },
    10_000,
    100,
  ).catch(() => false);
  assert(settled, "nobody holds a connection for a parked run");
  await ok(t.key, "events.emit", { type: "jobs.release", payload: {} });
  await eventually(
    async () => {
      const [{ n }] = await db`select count(*)::int as n from public.runs
      where subject = ${a.id} and status = 'completed'`;
      return n === N;
    },
    90_000,
    250,
  );
  const [{ released }] = await db`select count(*)::int as released from public.runs
    where subject = ${a.id} and output -> 'results' -> 'a1' -> 'output' ->> 'message' like '%released=true'`;
  assertEquals(released, N);
});
