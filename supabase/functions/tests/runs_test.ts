// The durable run engine through its public interface (docs/runs.md): replay/fork from a step
// without calling the model again for the reused steps, DEFINITION_CHANGED when a parked run's
// recorded code version no longer matches the handler, a thousand parked runs each woken by its
// own event, cancelling a parked run, and a worker killed between a step's effect and its record.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { agentReply, startLlmServer } from "./_llm_server.ts";
import {
  call,
  db,
  eventually,
  killFunctionServer,
  llmTenant,
  newTenant,
  ok,
  SERVICE_KEY,
  settled,
  startFunctionServer,
  test,
  type TestTenant,
} from "./_helpers.ts";
import { automation, finishedRuns } from "./_automations.ts";
import { startReceiver } from "./_receiver.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** runs.get once the run is done (completed, failed or cancelled). */
async function doneRun(t: TestTenant, id: string, timeoutMs = 30_000): Promise<Any> {
  return await eventually(async () => {
    const r = await ok(t.key, "runs.get", { id });
    return r.run.done ? r : null;
  }, timeoutMs);
}

/** A key of the tenant minted by the service role, for tests that make thousands of calls. */
async function busyKey(t: TestTenant): Promise<string> {
  const r = await call(SERVICE_KEY, "keys.create", {
    name: "busy",
    rate_limit_per_minute: 100_000,
    rate_limit_per_day: 1_000_000,
  }, { "x-ora-tenant": t.id });
  if (r.status !== 200) throw new Error(`keys.create answered ${r.status}`);
  return (r.body.data as Any).key;
}

/** Runs `op` for 0..n-1 from `concurrency` workers. */
async function pool(n: number, concurrency: number, op: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await op(next++);
  }));
}

test("runs.replay: the fork reuses the steps before from_step without calling the model, runs from_step on again, and takes edited input", async () => {
  const llm = startLlmServer((r) => {
    const toolDone = r.body.messages.some((m) => m.role === "tool");
    if (!toolDone) return { toolCalls: [{ name: "get_time", arguments: {} }] };
    return { content: agentReply(`answer ${r.n}`) };
  });
  try {
    const t = await llmTenant("runs-replay", llm.url);
    const session = await ok(t.key, "agents.run", { agent: "analyst", query: "what time is it" });
    const st = await settled(t.key, session.id, 30_000);
    assertEquals(st.status, "completed");
    assertEquals(st.result.summary, "answer 2");
    assertEquals(llm.requests.length, 2, "turn 1 (a tool call) and turn 2 (the answer)");
    const original = await ok(t.key, "runs.get", { id: session.id });
    const keys = original.steps.map((s: Any) => `${s.seq}:${s.kind}`);
    assertEquals(keys, ["1:memory", "2:llm", "3:tool", "4:llm"]);

    // from step 4 (the second model turn): memory, turn 1 and the tool call come from the record
    const fork = await ok(t.key, "runs.replay", { id: session.id, from_step: 4 });
    assert(fork.id !== session.id, "a new run");
    assertEquals([fork.forked_from_run_id, fork.forked_from_seq], [session.id, 4]);
    const f = await doneRun(t, fork.id);
    assertEquals(f.run.status, "completed");
    assertEquals(f.run.output.summary, "answer 3");
    assertEquals(llm.requests.length, 3, "the model was called once more: for step 4 only");
    assertEquals(
      f.steps.map((s: Any) => `${s.seq}:${s.key}@${s.run_attempt}`),
      original.steps.map((s: Any) => `${s.seq}:${s.key}@${s.seq < 4 ? 0 : 1}`),
      "steps 1-3 copied from the record (run_attempt 0), step 4 executed again",
    );
    assertEquals(f.steps[1].output, original.steps[1].output, "turn 1 is the original's record");
    assert(
      llm.requests[2].body.messages.some((m) => m.role === "tool"),
      "the re-run turn continued after the recorded tool call",
    );
    const [{ n: toolCalls }] = await db`select count(*)::int as n from public.usage_events
      where run_id = ${fork.id} and kind = 'tool'`;
    assertEquals(toolCalls, 0, "the tool was not called again");

    // from step 2 with edited input: both turns and the tool run again, with the new query
    const input = { ...original.run.input, query: "what time is it in Lisbon" };
    const edited = await ok(t.key, "runs.replay", { id: session.id, from_step: 2, input });
    const e = await doneRun(t, edited.id);
    assertEquals(e.run.status, "completed");
    assertEquals(llm.requests.length, 5, "two more model calls: turn 1 and turn 2");
    assertEquals(e.steps.map((s: Any) => s.run_attempt), [0, 1, 1, 1]);
    const prompt = JSON.stringify(llm.requests[3].body.messages);
    assertMatch(prompt, /in Lisbon/, "the re-run turn 1 saw the edited query");
    assertEquals(e.run.input.query, "what time is it in Lisbon");

    // out of range: nothing to fork from
    const bad = await call(t.key, "runs.replay", { id: session.id, from_step: 9 });
    assertEquals(bad.status, 400);
  } finally {
    await llm.close();
  }
});

test("DEFINITION_CHANGED: a parked run whose recorded code version differs from the handler's fails when it resumes instead of replaying", async () => {
  const t = await newTenant("runs-defchg");
  const a = await automation(t, {
    actions: [
      { type: "log", name: "before", config: { message: "before" } },
      { type: "wait", config: { seconds: 2 } },
      { type: "log", name: "after", config: { message: "after" } },
    ],
  });
  const control = await ok(t.key, "automations.run", { id: a.id });
  const fired = await ok(t.key, "automations.run", { id: a.id });
  await eventually(async () => {
    const [x, y] = await Promise.all(
      [fired.run_id, control.run_id].map((id) => ok(t.key, "runs.get", { id })),
    );
    return x.run.status === "waiting" && y.run.status === "waiting";
  });
  const [before] = await db`select code_version from public.runs where id = ${fired.run_id}`;
  assertEquals(before.code_version, "automation/1", "the first step fixed the code version");
  // a deploy of different handler code, as far as this run can tell
  await db`update public.runs set code_version = 'automation/0-previous-deploy' where id = ${fired.run_id}`;

  const r = await doneRun(t, fired.run_id);
  assertEquals(r.run.status, "failed");
  assertEquals(r.run.error.code, "DEFINITION_CHANGED");
  assertMatch(r.run.error.message, /automation\/0-previous-deploy/);
  assert(!r.steps.some((s: Any) => s.key === "a2"), "no step past the wait ran");
  assertEquals(r.steps.filter((s: Any) => s.key === "a0").length, 1);
  const [{ n }] = await db`select count(*)::int as n from pgmq.q_automations
    where message ->> 'run_id' = ${fired.run_id}`;
  assertEquals(n, 0, "its message is not left in the queue");
  const c = await doneRun(t, control.run_id);
  assertEquals(c.run.status, "completed", "the untouched run resumed and finished");
});

test("1,000 parked runs, each woken by its own event: every run resumes once with its event", async () => {
  const N = 1000;
  const t = await newTenant("runs-1000", {
    limits: { max_concurrent_automation_runs: 64 },
  });
  const key = await busyKey(t);
  const a = await automation(t, {
    actions: [
      {
        type: "wait_for_event",
        name: "got",
        config: {
          events: ["order.shipped"],
          match: { order: "{{ trigger.data.order }}" },
          timeout: 600,
        },
      },
      { type: "log", name: "after", config: { message: "{{ trigger.data.order }}" } },
    ],
  });
  const orders = Array.from({ length: N }, (_, i) => `o-${i}-${crypto.randomUUID().slice(0, 6)}`);
  const runOf = new Map<string, string>();
  await pool(N, 16, async (i) => {
    const r = await ok(key, "automations.run", { id: a.id, data: { order: orders[i] } });
    runOf.set(orders[i], r.run_id);
  });
  assertEquals(runOf.size, N);
  let byStatus: Record<string, number> = {};
  await eventually(
    async () => {
      const rows = await db`select status, count(*)::int as n from public.runs
      where subject = ${a.id} group by status`;
      byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      if (byStatus.failed || byStatus.completed) {
        const bad = await db`select id, status, error from public.runs
        where subject = ${a.id} and status in ('failed', 'completed') limit 3`;
        throw new Error(`runs ended before their event: ${JSON.stringify(bad)}`);
      }
      return byStatus.waiting === N;
    },
    90_000,
    250,
  ).catch((e) => {
    throw new Error(`${e.message}; runs by status: ${JSON.stringify(byStatus)}`);
  });
  const [{ pending }] = await db`select count(*)::int as pending from public.run_waitpoints w
    join public.runs r on r.id = w.run_id where r.subject = ${a.id} and w.status = 'pending'`;
  assertEquals(pending, N, "one pending event waitpoint per run");

  // in reverse order, so no run can be woken by arrival order alone
  await pool(N, 16, async (i) => {
    const order = orders[N - 1 - i];
    await ok(key, "events.emit", { type: "order.shipped", payload: { order, n: N - 1 - i } });
  });
  const rows = await eventually(
    async () => {
      const rs = await db`select id, status, action_results from public.automation_runs
      where automation_id = ${a.id}`;
      return rs.filter((r) => r.status === "success").length === N ? rs : null;
    },
    90_000,
    250,
  );
  for (const r of rows) {
    const got = r.action_results.got.output;
    assertEquals(got.received, true);
    const order = got.event.payload.order;
    assertEquals(runOf.get(order), r.id, `run ${r.id} resumed with its own event`);
    assertEquals(r.action_results.after.output.message, order);
  }
  const [{ resolved, dup }] = await db`select
      count(*) filter (where w.status = 'resolved')::int as resolved,
      (select count(*)::int from (select s.run_id from public.run_steps s join public.runs r2 on r2.id = s.run_id
        where r2.subject = ${a.id} and s.key = 'a0' group by s.run_id having count(*) > 1) d) as dup
    from public.run_waitpoints w join public.runs r on r.id = w.run_id where r.subject = ${a.id}`;
  assertEquals(
    [resolved, dup],
    [N, 0],
    "each waitpoint resolved once; each wait step recorded once",
  );
});

test("runs.cancel on a parked run cancels it and its waitpoints; a later matching event does not resume it", async () => {
  const t = await newTenant("runs-cancel");
  const a = await automation(t, {
    actions: [
      {
        type: "wait_for_event",
        name: "got",
        config: {
          events: ["ticket.closed"],
          match: { ticket: "{{ trigger.data.ticket }}" },
          timeout: 600,
        },
      },
      { type: "log", name: "after", config: { message: "after" } },
    ],
  });
  const victim = await ok(t.key, "automations.run", { id: a.id, data: { ticket: "T-1" } });
  const control = await ok(t.key, "automations.run", { id: a.id, data: { ticket: "T-1" } });
  await eventually(async () => {
    const [{ n }] = await db`select count(*)::int as n from public.runs
      where id in (${victim.run_id}, ${control.run_id}) and status = 'waiting'`;
    return n === 2;
  });
  const c = await ok(t.key, "runs.cancel", { id: victim.run_id, reason: "no longer needed" });
  assertEquals(c, { id: victim.run_id, cancelled: 1 });
  const after = await ok(t.key, "runs.get", { id: victim.run_id });
  assertEquals(after.run.status, "cancelled");
  assertEquals(after.waitpoints.map((w: Any) => w.status), ["cancelled"]);

  await ok(t.key, "events.emit", { type: "ticket.closed", payload: { ticket: "T-1" } });
  const ctl = await doneRun(t, control.run_id);
  assertEquals(
    ctl.run.status,
    "completed",
    "the same event resumed the run that was not cancelled",
  );
  await sleep(1500);
  const v = await ok(t.key, "runs.get", { id: victim.run_id });
  assertEquals(v.run.status, "cancelled");
  assertEquals(v.waitpoints.map((w: Any) => w.status), ["cancelled"]);
  assert(!v.steps.some((s: Any) => s.key === "a0" || s.key === "a1"), "it never resumed");
  const [history] = (await ok(t.key, "automations.history", { id: a.id })).items
    .filter((r: Any) => r.id === victim.run_id);
  assertEquals(history.status, "cancelled");
  // cancelling again is a no-op, not an error
  assertEquals((await ok(t.key, "runs.cancel", { id: victim.run_id })).cancelled, 0);
});

test("SIGKILL mid-run between call_api steps: each step recorded once, each effect's Idempotency-Key sent for one action only", async () => {
  let release: (() => void) | undefined;
  const inSecond = new Promise<void>((r) => release = r);
  let killed = false;
  const api = startReceiver((r) => {
    // the second action's first request hangs until the worker is killed: its effect happened
    // at the receiver, its record never did
    if (r.path.startsWith("/step/1") && !killed) {
      release!();
      return { delayMs: 10_000 };
    }
    return {};
  });
  try {
    const t = await newTenant("runs-crash");
    const a = await automation(t, {
      actions: [0, 1, 2, 3].map((i) => ({
        type: "call_api",
        name: `s${i}`,
        config: { url: `${api.origin}/step/${i}`, method: "POST", body: { i }, timeout: 20_000 },
      })),
    });
    const fired = await ok(t.key, "automations.run", { id: a.id });
    await inSecond;
    await killFunctionServer();
    killed = true;
    await startFunctionServer();
    const [run] = await finishedRuns(t, a.id, 1, 60_000);
    assertEquals(run.status, "success");
    const r = await ok(t.key, "runs.get", { id: fired.run_id });
    assertEquals(
      r.steps.filter((s: Any) => s.status === "completed").map((s: Any) => s.key),
      ["a0", "a1", "a2", "a3"],
      "each step recorded exactly once",
    );
    assertEquals(r.run.attempt, 2, "the crashed attempt counts");
    const keysByPath = new Map<string, Set<string>>();
    for (const q of api.received) {
      const p = q.path;
      if (!keysByPath.has(p)) keysByPath.set(p, new Set());
      keysByPath.get(p)!.add(q.headers["idempotency-key"]);
    }
    assertEquals(
      [...keysByPath.keys()].sort(),
      ["/step/0", "/step/1", "/step/2", "/step/3"],
    );
    for (const [p, ks] of keysByPath) {
      assertEquals(ks.size, 1, `one Idempotency-Key for ${p}`);
    }
    assertEquals(
      api.on("/step/0").length,
      1,
      "the recorded step before the crash was not repeated",
    );
    assertEquals(
      api.on("/step/1").length,
      2,
      "the step in flight was sent again, with the same key",
    );
    assertEquals(api.on("/step/2").length, 1);
    assertEquals(api.on("/step/3").length, 1);
    const distinct = new Set(api.received.map((q) => q.headers["idempotency-key"]));
    assertEquals(distinct.size, 4, "4 distinct effects at the receiver, deduplicable by key");
  } finally {
    await api.close();
  }
});
