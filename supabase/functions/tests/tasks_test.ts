// Task chains as a DAG through ora tasks.*: order, failure propagation, cycles, retry.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { agentReply, startLlmServer } from "./_llm_server.ts";
import { call, db, eventually, llmTenant, newTenant, ok, scriptedLlm, test } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
type Task = Record<string, any>;

async function waitTasks(
  key: string,
  ids: string[],
  done: (t: Task) => boolean,
  timeoutMs = 30_000,
): Promise<Task[]> {
  return await eventually(
    async () => {
      const tasks = await Promise.all(ids.map((id) => ok(key, "tasks.get", { id })));
      return tasks.every(done) ? tasks : null;
    },
    timeoutMs,
    200,
  );
}
const finished = (t: Task) => ["success", "error", "cancelled", "expired"].includes(t.status);

test("writer → (seo, imager) → publish runs in dependency order with the outputs passed along", async () => {
  const t = await newTenant("dag");
  await db`select app.agent_pack_install(${t.id}, 'content')`;
  // The writer gets its agent last, so nothing runs before the whole chain exists.
  const writer = await ok(t.key, "tasks.create", { title: "Write the draft" });
  const seo = await ok(t.key, "tasks.create", {
    title: "SEO pass",
    assigned_agent: "seo",
    depends_on: [writer.id],
  });
  const imager = await ok(t.key, "tasks.create", {
    title: "Featured image",
    assigned_agent: "imager",
    depends_on: [writer.id],
  });
  const publish = await ok(t.key, "tasks.create", {
    title: "Publish",
    assigned_agent: "social",
    depends_on: [seo.id, imager.id],
  });
  assertEquals(seo.status, "pending");
  assertEquals(publish.depends_on.length, 2);
  const assigned = await ok(t.key, "tasks.update", { id: writer.id, assigned_agent: "writer" });
  assertEquals(assigned.status, "queued", "a runnable task is queued as soon as it has an agent");

  const [w, s, i, p] = await waitTasks(t.key, [writer.id, seo.id, imager.id, publish.id], finished);
  for (const x of [w, s, i, p]) assertEquals(x.status, "success", `${x.title}: ${x.error_message}`);
  const ts = (
    x: Task,
  ) => [Date.parse(x.started_at), Date.parse(x.completed_at)];
  assert(
    ts(s)[0] >= ts(w)[1] && ts(i)[0] >= ts(w)[1],
    "seo and imager start after the writer finished",
  );
  assert(ts(p)[0] >= Math.max(ts(s)[1], ts(i)[1]), "publish starts after both");
  const [session] = await db`select input from public.agent_sessions where id = ${p.session_id}`;
  assertEquals(session.input.dependencies.map((d: { title: string }) => d.title).sort(), [
    "Featured image",
    "SEO pass",
  ]);
  assert(
    session.input.dependencies.every((d: { output: unknown }) => d.output),
    "dependency outputs are passed on",
  );
  const events =
    await db`select event_type from public.event_log where tenant_id = ${t.id} and event_type = 'task.completed'`;
  assertEquals(events.length, 4);
});

test("a failed dependency stops its dependents with a reason, and retry resumes them", async () => {
  let seoFails = true;
  const llm = startLlmServer((r) =>
    r.system.includes("SEO Specialist") && seoFails
      ? { status: 500 }
      : { content: agentReply("done") }
  );
  try {
    const t = await llmTenant("dagfail", llm.url);
    const writer = await ok(t.key, "tasks.create", { title: "Write", assigned_agent: "writer" });
    const seo = await ok(t.key, "tasks.create", {
      title: "SEO pass",
      assigned_agent: "seo",
      depends_on: [writer.id],
      max_attempts: 1,
    });
    const imager = await ok(t.key, "tasks.create", {
      title: "Image",
      assigned_agent: "imager",
      depends_on: [writer.id],
    });
    const publish = await ok(t.key, "tasks.create", {
      title: "Publish",
      assigned_agent: "social",
      depends_on: [seo.id, imager.id],
    });
    const after = await ok(t.key, "tasks.create", {
      title: "Announce",
      assigned_agent: "social",
      depends_on: [publish.id],
    });
    const [, s, i, p, a] = await waitTasks(t.key, [
      writer.id,
      seo.id,
      imager.id,
      publish.id,
      after.id,
    ], finished);
    assertEquals(s.status, "error");
    assertEquals(i.status, "success", "a sibling branch is unaffected");
    assertEquals(p.status, "cancelled");
    assertEquals(p.blocked_by, seo.id);
    assertMatch(p.status_message, /dependency "SEO pass" failed/);
    assertEquals(a.status, "cancelled", "stopping is transitive");
    const [dead] =
      await db`select count(*)::int as n from pgmq.q_agent_jobs_dlq where message -> 'message' ->> 'run_id' = ${s.session_id}`;
    assertEquals(dead.n, 1, "the failed job is in the dead-letter queue");
    const failed =
      await db`select payload from public.event_log where tenant_id = ${t.id} and event_type = 'task.failed'`;
    assertEquals(failed.length, 1);

    seoFails = false;
    await ok(t.key, "tasks.retry", { id: seo.id });
    const [s2, p2, a2] = await waitTasks(
      t.key,
      [seo.id, publish.id, after.id],
      (x) => x.status === "success",
    );
    assertEquals([s2.status, p2.status, a2.status], ["success", "success", "success"]);
  } finally {
    await llm.close();
  }
});

test("a dependency cycle is refused and changes nothing", async () => {
  const t = await newTenant("cycle");
  const a = await ok(t.key, "tasks.create", { title: "A" });
  const b = await ok(t.key, "tasks.create", { title: "B", depends_on: [a.id] });
  const c = await ok(t.key, "tasks.create", { title: "C", depends_on: [b.id] });
  const r = await call(t.key, "tasks.update", { id: a.id, add_depends_on: [c.id] });
  assertEquals(r.status, 400);
  assertMatch(r.body.error!.message, /cycle/i);
  assertEquals((await ok(t.key, "tasks.get", { id: a.id })).depends_on.length, 0);
  const self = await call(t.key, "tasks.update", { id: a.id, add_depends_on: [a.id] });
  assertEquals(self.status, 400);
  const other = await newTenant("cycle2");
  const foreign = await call(other.key, "tasks.create", { title: "X", depends_on: [a.id] });
  assertEquals(foreign.status, 404, "another tenant's task cannot be a dependency");
});

test("agent-less tasks wait for a person; completing one by hand releases its dependents", async () => {
  const t = await newTenant("manual");
  await db`select app.agent_pack_install(${t.id}, 'content')`;
  const review = await ok(t.key, "tasks.create", { title: "Human review" });
  const next = await ok(t.key, "tasks.create", {
    title: "Write",
    assigned_agent: "writer",
    depends_on: [review.id],
  });
  assertEquals(review.status, "pending");
  const done = await ok(t.key, "tasks.update", {
    id: review.id,
    status: "success",
    output: { approved: true },
  });
  assertEquals(done.status, "success");
  const [n] = await waitTasks(t.key, [next.id], finished);
  assertEquals(n.status, "success");
});

test("scheduled tasks wait for their time and deadlines expire tasks", async () => {
  const t = await newTenant("sched");
  await db`select app.agent_pack_install(${t.id}, 'content')`;
  const later = await ok(t.key, "tasks.create", {
    title: "Later",
    assigned_agent: "writer",
    scheduled_for: new Date(Date.now() + 3600_000).toISOString(),
  });
  assertEquals(later.status, "pending");
  const late = await ok(t.key, "tasks.create", {
    title: "Too late",
    deadline_at: new Date(Date.now() - 1000).toISOString(),
  });
  const dependent = await ok(t.key, "tasks.create", {
    title: "After too late",
    depends_on: [late.id],
  });
  await db`select app.tasks_sweep()`;
  assertEquals((await ok(t.key, "tasks.get", { id: late.id })).status, "expired");
  assertEquals((await ok(t.key, "tasks.get", { id: dependent.id })).status, "cancelled");
  assertEquals((await ok(t.key, "tasks.get", { id: later.id })).status, "pending");
  await db`update public.agent_tasks set scheduled_for = now() - interval '1 second' where id = ${later.id}`;
  await db`select app.tasks_sweep()`;
  const [l] = await waitTasks(t.key, [later.id], finished);
  assertEquals(l.status, "success");
});

test("at a hard budget limit a finished task keeps its result and its dependents wait", async () => {
  const llm = startLlmServer(() => ({ promptTokens: 1000, completionTokens: 1000 }));
  try {
    const t = await llmTenant("dagbudget", llm.url);
    await ok(t.key, "settings.update", {
      llm: scriptedLlm(llm.url, {
        prices: { scripted: { input_usd_per_mtok: 1, output_usd_per_mtok: 1 } },
      }),
    });
    // one call costs 0.002 USD: the writer's call spends the whole 0.001 budget
    await ok(t.key, "budgets.set", { monthly_budget_usd: 0.001, hard_limit: true });
    const writer = await ok(t.key, "tasks.create", { title: "Write", assigned_agent: "writer" });
    const seo = await ok(t.key, "tasks.create", {
      title: "SEO",
      assigned_agent: "seo",
      depends_on: [writer.id],
    });
    const [w] = await waitTasks(t.key, [writer.id], finished);
    assertEquals(w.status, "success", "the writer's finished work is kept");
    const s = await eventually(async () => {
      const x = await ok(t.key, "tasks.get", { id: seo.id });
      return x.status_message ? x : null;
    });
    assertEquals(s.status, "pending");
    assertMatch(s.status_message, /Waiting: Budget exceeded/);
  } finally {
    await llm.close();
  }
});
