/**
 * Orchestration overhead.
 *  1. Spawn → result throughput with an instant (offline) model at 1, 4 and 16 worker slots,
 *     beside raw pgmq send + read + archive of the same number of messages at the same concurrency.
 *  2. Concurrency: 1, 8, 32 and 64 clients calling agents.run with wait_ms (spawn, the worker runs
 *     it, the waiting request returns the result) — completed/s and p50/p99 — beside the bare
 *     spawn (agents.run without waiting) at the same concurrency.
 *  3. A 15-agent fan-out with 2.5 s model latency and 5 slots against the ideal
 *     ceil(15 / 5) × 2.5 s (seed 004 §1.5 expects 10–15 s including the brief).
 * For 1 and 3 the bench tenants do not wake workers and the tick's wake-ups for agent_jobs are
 * paused (max_consumers 0), so only the bench's own agent-worker invocation works; restored after.
 */
import postgres from "postgres";
import { loadConfig } from "../../supabase/functions/_shared/platform/config.ts";
import { agentReply, startLlmServer } from "../../supabase/functions/tests/_llm_server.ts";
import { benchTenant, fmt, load, postAction, table } from "./_stats.ts";

const config = loadConfig();
const base = `${config.SUPABASE_URL}/functions/v1`;
const sql = postgres(config.SUPABASE_DB_URL, { max: 20, prepare: false, onnotice: () => {} });
const service = config.SUPABASE_SERVICE_ROLE_KEY;

const post = (fn: string, key: string, action: string, data: unknown) =>
  postAction(`${base}/${fn}`, key, action, data);

function tenant(label: string, settings: Record<string, unknown>, limits = {}) {
  return benchTenant(base, service, label, {
    packs: ["content", "industrial"],
    limits: { max_concurrent_sessions: 64, ...limits },
    settings,
  });
}

/** One agent-worker invocation with `concurrency` slots; returns when the queue is idle. */
async function drain(concurrency: number) {
  const res = await fetch(`${base}/agent-worker`, {
    method: "POST",
    headers: { authorization: `Bearer ${service}`, "content-type": "application/json" },
    body: JSON.stringify({ concurrency, budget_ms: 300_000, reason: "bench" }),
  });
  return (await res.json()).data;
}

async function pgmqBaseline(n: number, concurrency: number): Promise<number> {
  const q = `bench_raw_${crypto.randomUUID().slice(0, 8).replaceAll("-", "")}`;
  await sql`select pgmq.create(${q})`;
  const t0 = performance.now();
  for (let i = 0; i < n; i += 100) {
    await sql`select pgmq.send_batch(${q}, array(select jsonb_build_object('i', g) from generate_series(1, ${
      Math.min(100, n - i)
    }) g))`;
  }
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const [m] = await sql`select msg_id from pgmq.read(${q}, 30, 1)`;
      if (!m) return;
      await sql`select pgmq.archive(${q}, ${m.msg_id}::bigint)`;
      done++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  await sql`select pgmq.drop_queue(${q})`;
  if (done !== n) throw new Error(`pgmq baseline processed ${done} of ${n}`);
  return n / secs;
}

/** Polls (at most 120 s) until every run in `ids` completed; returns seconds since `t0`. */
async function whenCompleted(ids: string[], t0: number): Promise<number> {
  const until = Date.now() + 120_000;
  for (;;) {
    const [{ done }] = await sql`select count(*)::int as done from public.runs
      where id = any(${ids}::uuid[]) and status = 'completed'`;
    if (done >= ids.length) return (performance.now() - t0) / 1000;
    if (Date.now() > until) {
      throw new Error(`only ${done} of ${ids.length} sessions completed within 120 s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function throughput() {
  const N = 120;
  const rows: (string | number)[][] = [];
  const t = await tenant("bench-orch", { wake_workers: false, llm: { provider: "offline" } });
  for (const workers of [1, 4, 16]) {
    const ids: string[] = [];
    await Promise.all(Array.from({ length: 8 }, async (_, c) => {
      for (let i = c; i < N; i += 8) {
        ids.push(
          (await post("ora", t.key, "agents.run", { agent: "analyst", query: `job ${i}` })).id,
        );
      }
    }));
    const t0 = performance.now();
    const draining = drain(workers);
    const secs = await whenCompleted(ids, t0);
    await draining;
    const raw = await pgmqBaseline(N, workers);
    const jobsPerSec = N / secs;
    rows.push([
      workers,
      N,
      fmt(jobsPerSec, 1),
      fmt(raw, 0),
      fmt(jobsPerSec / raw, 3),
      fmt((1000 * secs) / N, 1),
    ]);
  }
  console.log(
    `\n  spawn → result, offline model, ${N} sessions per row (agent-worker slots = workers)`,
  );
  table(["workers", "sessions", "jobs/s", "raw pgmq msg/s", "ratio", "ms/job"], rows);
  console.log(
    "  ratio = orchestration jobs/s ÷ raw pgmq send+read+archive msg/s at the same concurrency.\n",
  );
  await sql`delete from public.tenants where id = ${t.id}`;
}

async function concurrency() {
  const t = await tenant("bench-conc", { llm: { provider: "offline" } });
  const run = (wait: boolean) => async () => {
    const res = await fetch(`${base}/ora`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        action: "agents.run",
        data: { agent: "analyst", query: "concurrency", ...(wait ? { wait_ms: 20_000 } : {}) },
      }),
    });
    const body = await res.json();
    return res.status === 200 && (!wait || body.data.status === "completed");
  };
  const rows: (string | number)[][] = [];
  for (const c of [1, 8, 32, 64]) {
    const total = Math.max(40, 3 * c);
    const spawn = await load(run(false), { concurrency: c, total, maxSeconds: 60 });
    const waited = await load(run(true), { concurrency: c, total, maxSeconds: 90 });
    rows.push([
      c,
      fmt(waited.perSecond, 1),
      `${fmt(waited.p50, 0)} / ${fmt(waited.p99, 0)}`,
      fmt(spawn.perSecond, 1),
      `${fmt(spawn.p50, 1)} / ${fmt(spawn.p99, 1)}`,
      waited.errors + spawn.errors,
    ]);
  }
  console.log(
    "\n  agents.run with wait_ms (result in the response) vs the bare spawn, offline model",
  );
  table([
    "clients",
    "completed/s",
    "wait p50/p99 ms",
    "bare spawn/s",
    "spawn p50/p99 ms",
    "errors",
  ], rows);
  console.log(
    "  every waiting request holds no connection while it waits; the default pool is 10.\n",
  );
  await sql`delete from public.tenants where id = ${t.id}`;
}

async function fanout() {
  const LATENCY = 2500;
  const llm = startLlmServer(() => ({ latencyMs: LATENCY, content: agentReply("bench finding") }));
  try {
    const f = await tenant("bench-fanout", {
      wake_workers: false,
      llm: {
        providers: { scripted: { base_url: llm.url, api_key_secret: "llm" } },
        provider: "scripted",
        model: "scripted",
      },
    }, { max_concurrent_sessions: 5 });
    await post("ora", f.key, "secrets.set", {
      name: "llm",
      value: "sk-bench-key",
      origin: new URL(llm.url).origin,
    });
    const agents =
      (await sql`select slug from public.agents where tenant_id = ${f.id} and pack = 'industrial' order by slug`)
        .map((r) => ({ agent: r.slug }));
    const t0 = performance.now();
    const spawned = await post("orchestration-manager", f.key, "sessions.spawn", {
      agent: "rex",
      query: "Full round-up",
      children: agents,
    });
    const draining = drain(5);
    for (;;) {
      const [s] = await sql`select status from public.runs where id = ${spawned.session.id}`;
      if (s.status === "completed" || s.status === "failed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const wall = (performance.now() - t0) / 1000;
    const report = await draining;
    const [p] = await sql`select status, output ->> 'coordination' as coordination,
        extract(epoch from (select max(completed_at) from public.runs c where c.parent_run_id = s.id) - s.created_at) as children_s,
        extract(epoch from completed_at - created_at) as total_s
      from public.runs s where id = ${spawned.session.id}`;
    const ideal = Math.ceil(agents.length / 5) * (LATENCY / 1000);
    console.log(
      `  ${agents.length}-agent fan-out, ${LATENCY} ms model latency, 5 slots (${
        report.outcomes.completed ?? 0
      } runs completed by the bench worker, incl. the coordinator)`,
    );
    table(["measure", "seconds", "vs ideal"], [
      ["ideal children: ceil(15/5) × 2.5 s", fmt(ideal, 2), "1.00"],
      ["children done", fmt(Number(p.children_s), 2), fmt(Number(p.children_s) / ideal, 2)],
      [
        "parent done (incl. brief, +1 model call)",
        fmt(Number(p.total_s), 2),
        fmt(Number(p.total_s) / ideal, 2),
      ],
      ["wall clock seen by the client", fmt(wall, 2), fmt(wall / ideal, 2)],
    ]);
    console.log(
      `  status ${p.status}/${p.coordination}; seed 004 §1.5 expects 10–15 s for this round-up.\n`,
    );
    await sql`delete from public.tenants where id = ${f.id}`;
  } finally {
    await llm.close();
  }
}

// The tick would add workers mid-measurement: pause its wake-ups for agent_jobs during 1 and 3.
const pause = () =>
  sql`update app.queue_workers set max_consumers = 0 where queue_name = 'agent_jobs'`;
const resume = () =>
  sql`update app.queue_workers set max_consumers = 4 where queue_name = 'agent_jobs'`;
try {
  await pause();
  await throughput();
  await resume();
  await concurrency();
  await pause();
  await fanout();
} finally {
  await resume();
  await sql.end();
}
