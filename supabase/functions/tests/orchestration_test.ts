// Sessions that spawn and coordinate children, driven through orchestration-manager and ora,
// with the real openai SDK talking to a scripted OpenAI-protocol server on loopback.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { agentReply, startLlmServer } from "./_llm_server.ts";
import {
  call,
  db,
  eventually,
  llmTenant,
  manage,
  newTenant,
  ok,
  scriptedLlm,
  SERVICE_KEY,
  settled,
  test,
} from "./_helpers.ts";

const BRIEF = "executive brief";
const agentOf = (system: string) => /Persona \(([^)]+)\)/.exec(system)?.[1] ?? "?";

test("fan-out: pdm, rca and rex run in parallel and the parent completes with three results and a brief", async () => {
  const llm = startLlmServer((r) =>
    r.system.includes(BRIEF)
      ? {
        latencyMs: 30,
        content: JSON.stringify({
          brief: "P-101: bearing wear is the likely cause.",
          actions: ["Replace bearing"],
        }),
      }
      : {
        latencyMs: 300,
        content: agentReply(`${agentOf(r.system)} looked at P-101`, {
          citations: [{ source: "historian", ref: "P-101/vib" }],
        }),
      }
  );
  try {
    const t = await llmTenant("fanout", llm.url, { limits: { max_concurrent_sessions: 3 } });
    const spawned = await manage(t.key, "sessions.spawn", {
      query: "Pump P-101 vibration is rising",
      children: [{ agent: "pdm" }, { agent: "rca" }, { agent: "rex" }],
    });
    assertEquals(spawned.status, 200, JSON.stringify(spawned.body));
    const { session, children } = spawned.body.data;
    assertEquals(session.kind, "orchestration");
    assertEquals(children.map((c: { agent_slug: string }) => c.agent_slug), ["pdm", "rca", "rex"]);
    assert(
      children.every((c: { status: string }) => c.status === "queued"),
      "spawn returns at once, children queued",
    );

    const st = await settled(t.key, session.id);
    assertEquals(st.status, "completed");
    assertEquals(st.coordination, "complete");
    assertEquals(st.completion_pct, 100);
    assertEquals(st.result.results.length, 3);
    assertEquals(st.result.brief, "P-101: bearing wear is the likely cause.");
    assertEquals(st.result.brief_source, "openai");
    assertEquals(st.result.citations.map((c: { agent: string }) => c.agent).sort(), [
      "pdm",
      "rca",
      "rex",
    ]);
    assert(st.children.every((c: { summary: string }) => c.summary.includes("looked at P-101")));

    const [p] =
      await db`select extract(epoch from completed_at - created_at) * 1000 as ms from public.agent_sessions where id = ${session.id}`;
    const kids =
      await db`select extract(epoch from completed_at - started_at) * 1000 as ms from public.agent_sessions
      where parent_session_id = ${session.id}`;
    const slowest = Math.max(...kids.map((k) => Number(k.ms)));
    const total = Number(p.ms);
    console.log(
      `    fan-out: parent ${total.toFixed(0)} ms, slowest child ${
        slowest.toFixed(0)
      } ms (model latency 300 ms)`,
    );
    assert(slowest >= 300, "each child waited for its model call");
    assert(
      total < 2 * slowest,
      `parent took ${total} ms; parallel children keep it under 2 × ${slowest} ms`,
    );
    const childCalls = llm.requests.filter((r) => !r.system.includes(BRIEF));
    assertEquals(childCalls.length, 3);
    const starts = childCalls.map((r) => r.at);
    assert(Math.max(...starts) - Math.min(...starts) < 250, "the three model calls overlapped");
  } finally {
    await llm.close();
  }
});

test("a repeated spawn with the same idempotency key returns the same sessions", async () => {
  const t = await newTenant("idem");
  await db`select app.agent_pack_install(${t.id}, 'industrial')`;
  const spec = {
    agent: "rex",
    query: "same",
    children: [{ agent: "pdm" }, { agent: "rca" }],
    idempotency_key: "incident-42",
  };
  const a = (await manage(t.key, "sessions.spawn", spec)).body.data;
  const b = (await manage(t.key, "sessions.spawn", spec)).body.data;
  assertEquals(b.session.id, a.session.id);
  assertEquals(
    b.children.map((c: { id: string }) => c.id),
    a.children.map((c: { id: string }) => c.id),
  );
  const [{ n }] =
    await db`select count(*)::int as n from public.agent_sessions where tenant_id = ${t.id}`;
  assertEquals(n, 3);
  const r1 = await ok(t.key, "agents.run", { agent: "pdm", query: "x", idempotency_key: "run-1" });
  const r2 = await ok(t.key, "agents.run", { agent: "pdm", query: "x", idempotency_key: "run-1" });
  assertEquals(r2.id, r1.id);
});

test("cancel cascades to children and removes their queued jobs", async () => {
  const llm = startLlmServer(() => ({ latencyMs: 4000 }));
  try {
    const t = await llmTenant("cancel", llm.url, { limits: { max_concurrent_sessions: 1 } });
    const { session, children } = (await manage(t.key, "sessions.spawn", {
      query: "slow",
      children: [{ agent: "pdm" }, { agent: "rca" }, { agent: "rex" }],
    })).body.data;
    await eventually(() => Promise.resolve(llm.requests.length >= 1), 10_000);
    const r = await manage(t.key, "sessions.cancel", { id: session.id, reason: "operator stop" });
    assertEquals(r.status, 200);
    assertEquals(r.body.data.cancelled, 4);
    const st = (await manage(t.key, "sessions.status", { id: session.id })).body.data;
    assertEquals(st.status, "cancelled");
    assert(st.children.every((c: { status: string }) => c.status === "cancelled"));
    const ids = children.map((c: { id: string }) => c.id);
    const [{ n }] =
      await db`select count(*)::int as n from pgmq.q_agent_jobs where message ->> 'run_id' = any(${ids})`;
    assertEquals(n, 0, "no job of a cancelled child is left in the queue");
    const events =
      await db`select count(*)::int as n from public.event_log where tenant_id = ${t.id} and event_type = 'session.cancelled'`;
    assertEquals(events[0].n, 4);
    // the running child's worker notices at its next heartbeat and writes no result
    await new Promise((res) => setTimeout(res, 4500));
    const [{ results }] =
      await db`select count(*)::int as results from public.runs where tenant_id = ${t.id} and status = 'completed'`;
    assertEquals(results, 0);
  } finally {
    await llm.close();
  }
});

test("spawn depth and children per session are limited per tenant", async () => {
  const t = await newTenant("limits");
  await db`select app.agent_pack_install(${t.id}, 'industrial')`;
  await db`select app.agent_pack_install(${t.id}, 'content')`;
  await ok(t.key, "settings.update", { wake_workers: false });
  await ok(SERVICE_KEY, "tenants.update", { id: t.id, limits: { max_children_per_session: 2 } });
  const tooMany = await manage(t.key, "sessions.spawn", {
    query: "q",
    children: [{ agent: "pdm" }, { agent: "rca" }, { agent: "rex" }],
  });
  assertEquals(tooMany.status, 409);
  assertMatch(tooMany.body.error!.message, /Children limit/);
  assertEquals((tooMany.body.error!.details as { reason: string }).reason, "children_limit");
  await ok(SERVICE_KEY, "tenants.update", { id: t.id, limits: { max_spawn_depth: 0 } });
  const tooDeep = await manage(t.key, "sessions.spawn", {
    query: "q",
    children: [{ agent: "pdm" }],
  });
  assertEquals(tooDeep.status, 409);
  assertMatch(tooDeep.body.error!.message, /depth limit/);
  assertEquals((tooDeep.body.error!.details as { reason: string }).reason, "spawn_depth_limit");
  const [{ n }] =
    await db`select count(*)::int as n from public.agent_sessions where tenant_id = ${t.id}`;
  assertEquals(n, 0, "a refused spawn leaves nothing behind");
  const unknown = await manage(t.key, "sessions.spawn", { children: [{ agent: "nobody" }] });
  assertEquals(unknown.status, 404);
});

test("a 429 storm opens the circuit; jobs are delayed, none lost; it closes after recovery", async () => {
  let storm = true;
  const llm = startLlmServer(() =>
    storm ? { status: 429, headers: { "retry-after": "1" } } : { latencyMs: 10 }
  );
  try {
    const t = await llmTenant("storm", llm.url, {
      breaker_failure_threshold: 3,
      breaker_cooldown_seconds: 2,
    });
    const ids: string[] = [];
    for (const agent of ["pdm", "rca", "rex"]) {
      ids.push((await ok(t.key, "agents.run", { agent, query: "storm", max_attempts: 5 })).id);
    }
    const opened = await eventually(
      async () =>
        (await db`select * from public.circuit_breakers where tenant_id = ${t.id} and state = 'open'`)[
          0
        ],
      20_000,
    );
    assertEquals(opened.key, `llm:${new URL(llm.url).host}`);
    const callsWhileOpen = llm.requests.length;
    await new Promise((r) => setTimeout(r, 1000));
    assert(
      llm.requests.length <= callsWhileOpen + 1,
      "an open breaker stops calls to the provider",
    );
    storm = false;
    for (const id of ids) {
      const st = await settled(t.key, id, 60_000);
      assertEquals(st.status, "completed", JSON.stringify(st.session.error));
    }
    const [b] =
      await db`select state, opened_count from public.circuit_breakers where tenant_id = ${t.id}`;
    assertEquals(b.state, "closed");
    assert(b.opened_count >= 1);
    const [{ dead }] =
      await db`select count(*)::int as dead from pgmq.q_agent_jobs_dlq where message ->> 'msg_id' is not null
      and (message -> 'message' ->> 'tenant_id') = ${t.id}`;
    assertEquals(dead, 0, "nothing was dead-lettered");
    const [{ results }] =
      await db`select count(*)::int as results from public.runs where tenant_id = ${t.id} and status = 'completed'`;
    assertEquals(results, 3, "every job finished exactly once");
  } finally {
    await llm.close();
  }
});

test("after a 429 storm, parked sessions finish within seconds of the provider's recovery, not at the next cron minute", async () => {
  let storm = true;
  const llm = startLlmServer(() =>
    storm ? { status: 429, headers: { "retry-after": "1" } } : { latencyMs: 300 }
  );
  try {
    const t = await llmTenant("storm-recovery", llm.url, {
      breaker_failure_threshold: 3,
      breaker_cooldown_seconds: 2,
    });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(
        (await ok(t.key, "agents.run", { agent: "pdm", query: `q${i}`, max_attempts: 8 })).id,
      );
    }
    await eventually(
      async () =>
        (await db`select 1 from public.circuit_breakers where tenant_id = ${t.id} and state = 'open'`)[
          0
        ],
      20_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    storm = false;
    const recovered = Date.now();
    for (const id of ids) {
      const st = await settled(t.key, id, 60_000);
      assertEquals(st.status, "completed", JSON.stringify(st.session.error));
    }
    const [{ last }] = await db`select max(completed_at) as last from public.runs
      where tenant_id = ${t.id} and status = 'completed'`;
    const seconds = (new Date(last).getTime() - recovered) / 1000;
    console.log(`    20 sessions done ${seconds.toFixed(1)} s after the provider recovered`);
    // liveness, not speed: well under the minute the cron safety net would take
    assert(seconds < 30, `the last session finished ${seconds} s after recovery`);
  } finally {
    await llm.close();
  }
});

test("budget: the 80% alert fires once and the hard limit refuses new spawns with BUDGET_EXCEEDED", async () => {
  const llm = startLlmServer(() => ({ promptTokens: 1000, completionTokens: 500 }));
  try {
    const t = await llmTenant("budget", llm.url);
    await ok(t.key, "settings.update", {
      llm: scriptedLlm(llm.url, {
        prices: { scripted: { input_usd_per_mtok: 0.25, output_usd_per_mtok: 0.4 } },
      }),
    });
    // each call costs 1000 × 0.25 + 500 × 0.4 = 450 µUSD: 45%, 90%, 135% of a 0.001 USD budget
    await ok(t.key, "budgets.set", { monthly_budget_usd: 0.001, hard_limit: true });
    for (let i = 0; i < 3; i++) {
      const st = await ok(t.key, "agents.run", {
        agent: "analyst",
        query: `call ${i}`,
        wait_ms: 15_000,
      });
      assertEquals(st.status, "completed");
    }
    const b = await ok(t.key, "budgets.get");
    assertEquals(b.spent_usd, 0.00135);
    assertEquals(b.alerts.map((a: { threshold: number }) => a.threshold), [80, 100]);
    const events =
      await db`select payload from public.event_log where tenant_id = ${t.id} and event_type = 'budget.threshold_reached'`;
    assertEquals(events.map((e) => e.payload.threshold).sort(), [100, 80]);
    const notes =
      await db`select title from public.notifications where tenant_id = ${t.id} order by created_at`;
    assertEquals(notes.map((n) => n.title), ["Budget 80% reached", "Budget 100% reached"]);
    const refused = await call(t.key, "agents.run", { agent: "analyst", query: "one more" });
    assertEquals(refused.status, 402);
    assertEquals(refused.body.error!.code, "BUDGET_EXCEEDED");
    const refusedMany = await manage(t.key, "sessions.spawn", {
      query: "q",
      children: [{ agent: "pdm" }],
    });
    assertEquals(refusedMany.body.error!.code, "BUDGET_EXCEEDED");
    const [{ usage }] =
      await db`select count(*)::int as usage from public.usage_events where tenant_id = ${t.id}`;
    assertEquals(usage, 3, "one usage event per model call made");
  } finally {
    await llm.close();
  }
});

test("malformed model output is repaired once; a malformed HTTP body is retried", async () => {
  let n = 0;
  const llm = startLlmServer(() => {
    n++;
    if (n === 1) return { content: "Sure! Here is my analysis, not in JSON." };
    if (n === 2) return { content: agentReply("repaired") };
    if (n === 3) return { raw: "{ this is not json" };
    return { content: agentReply("after a broken body") };
  });
  try {
    const t = await llmTenant("malformed", llm.url);
    await ok(t.key, "settings.update", {
      llm: scriptedLlm(llm.url),
    });
    const first = await ok(t.key, "agents.run", { agent: "analyst", query: "a", wait_ms: 15_000 });
    assertEquals(first.result.summary, "repaired");
    assertMatch(llm.requests[1].body.messages.at(-1)!.content!, /not valid/);
    const second = await ok(t.key, "agents.run", { agent: "analyst", query: "b" });
    const st = await settled(t.key, second.id);
    assertEquals(st.result.summary, "after a broken body");
  } finally {
    await llm.close();
  }
});

test("tools run inside the job's tenant: a search never returns another tenant's rows", async () => {
  const llm = startLlmServer((r) => {
    const hasToolResult = r.body.messages.some((m) => m.role === "tool");
    return hasToolResult
      ? { content: agentReply("found leads") }
      : { toolCalls: [{ name: "leads_search", arguments: { search: "Marker" } }] };
  });
  try {
    const a = await llmTenant("tools-a", llm.url);
    const b = await newTenant("tools-b");
    await ok(a.key, "leads.create", { name: "Marker A", email: "a@marker.test" });
    await ok(b.key, "leads.create", { name: "Marker B", email: "b@marker.test" });
    const run = await ok(a.key, "agents.run", {
      agent: "analyst",
      query: "find Marker leads",
      wait_ms: 15_000,
    });
    assertEquals(run.status, "completed");
    const toolRuns =
      await db`select output from public.run_steps where run_id = ${run.session.id} and kind = 'tool'`;
    assertEquals(toolRuns.length, 1);
    const found = toolRuns[0].output.result.map((l: { name: string }) => l.name);
    assertEquals(found, ["Marker A"]);
    const toolMessage = llm.requests[1].body.messages.find((m) => m.role === "tool")!;
    assert(toolMessage.content!.includes("Marker A") && !toolMessage.content!.includes("Marker B"));
    const runs =
      await db`select kind, seq from public.run_steps where run_id = ${run.session.id} order by seq`;
    assertEquals(runs.map((r) => r.kind), ["memory", "llm", "tool", "llm"]);
  } finally {
    await llm.close();
  }
});

test("without an LLM configured the offline provider answers, labelled in the result", async () => {
  const t = await newTenant("offline");
  await db`select app.agent_pack_install(${t.id}, 'content')`;
  const st = await ok(t.key, "agents.run", {
    agent: "writer",
    query: "Draft a post about pumps",
    wait_ms: 15_000,
  });
  assertEquals(st.status, "completed");
  assertEquals(st.result.provider, "offline");
  assertEquals(st.result.offline, true);
  assertMatch(st.result.summary, /offline provider/);
});

test("a model call that exceeds its timeout is retried and the job still completes once", async () => {
  let n = 0;
  const llm = startLlmServer(() =>
    ++n === 1 ? { latencyMs: 3000 } : { content: agentReply("in time") }
  );
  try {
    const t = await llmTenant("timeout", llm.url);
    await ok(t.key, "settings.update", {
      llm: scriptedLlm(llm.url, { timeout_ms: 1000 }),
    });
    const run = await ok(t.key, "agents.run", { agent: "analyst", query: "hurry" });
    const st = await settled(t.key, run.id);
    assertEquals(st.status, "completed");
    assertEquals(st.result.summary, "in time");
    const runs =
      await db`select status, attempts from public.run_steps where run_id = ${run.id} and kind = 'llm' order by seq`;
    assertEquals(
      runs.map((r) => `${r.status}×${r.attempts}`),
      ["completed×1"],
      "the timed-out call was retried in place: one turn, recorded once",
    );
    assertEquals(llm.requests.length, 2);
  } finally {
    await llm.close();
  }
});
