/**
 * Orchestration overhead.
 *  1. Spawn → result throughput with an instant (offline) model at 1, 4 and 16 workers, beside
 *     raw pgmq send + read + archive of the same number of messages with the same concurrency.
 *  2. A 15-agent fan-out with 2.5 s model latency and 5 workers against the ideal
 *     ceil(15 / 5) × 2.5 s (seed 004 §1.5 expects 10–15 s including the brief).
 * Workers are agent-worker invocations with an explicit slot count. So that no other worker
 * joins in, the bench tenants set wake_workers=false and the minute cron drain is paused for
 * the run (cron.alter_job active=false) and restored afterwards.
 */
import postgres from "postgres";
import { loadConfig } from "../../supabase/functions/_shared/platform/config.ts";
import { agentReply, startLlmServer } from "../../supabase/functions/tests/_llm_server.ts";
import { fmt, postAction, table } from "./_stats.ts";

const config = loadConfig();
const base = `${config.SUPABASE_URL}/functions/v1`;
const sql = postgres(config.SUPABASE_DB_URL, { max: 20, prepare: false, onnotice: () => {} });
const service = config.SUPABASE_SERVICE_ROLE_KEY;

const post = (fn: string, key: string, action: string, data: unknown) =>
  postAction(`${base}/${fn}`, key, action, data);

async function tenant(label: string, settings: Record<string, unknown>) {
  const d = await post("ora", service, "tenants.create", {
    name: label,
    slug: `${label}-${crypto.randomUUID().slice(0, 8)}`,
    packs: ["content", "industrial"],
  });
  // a key whose per-minute limit the bench cannot hit
  d.key.key = (await post("ora", d.key.key, "keys.create", {
    name: "bench",
    rate_limit_per_minute: 1_000_000,
  })).key;
  await post("ora", d.key.key, "settings.update", {
    wake_workers: false,
    max_concurrent_sessions: 64,
    ...settings,
  });
  return { id: d.tenant.id as string, key: d.key.key as string };
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

/** Polls (at most 120 s) until every session in `ids` completed; returns seconds since `t0`. */
async function whenCompleted(ids: string[], t0: number): Promise<number> {
  const until = Date.now() + 120_000;
  for (;;) {
    const [{ done }] = await sql`select count(*)::int as done from public.agent_sessions
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
  const t = await tenant("bench-orch", { llm: { provider: "offline" } });
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

async function fanout() {
  const LATENCY = 2500;
  const llm = startLlmServer(() => ({ latencyMs: LATENCY, content: agentReply("bench finding") }));
  try {
    const f = await tenant("bench-fanout", {
      max_concurrent_sessions: 5,
      outbound_allowlist: ["127.0.0.1"],
    });
    await post("ora", f.key, "secrets.set", { name: "llm", value: "sk-bench" });
    await post("ora", f.key, "settings.update", {
      llm: { base_url: llm.url, model: "scripted", api_key_secret: "llm" },
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
      const [s] =
        await sql`select status from public.agent_sessions where id = ${spawned.session.id}`;
      if (s.status === "completed" || s.status === "failed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const wall = (performance.now() - t0) / 1000;
    const report = await draining;
    const [p] = await sql`select status, coordination,
        extract(epoch from (select max(completed_at) from public.agent_sessions c where c.parent_session_id = s.id) - s.created_at) as children_s,
        extract(epoch from completed_at - created_at) as total_s
      from public.agent_sessions s where id = ${spawned.session.id}`;
    const ideal = Math.ceil(agents.length / 5) * (LATENCY / 1000);
    console.log(
      `  ${agents.length}-agent fan-out, ${LATENCY} ms model latency, 5 workers (${report.completed} jobs incl. the brief)`,
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

// The minute cron drain would add workers mid-measurement: pause it for the run.
const [cronJob] = await sql`select jobid from cron.job where jobname = 'ora-agent-worker'`;
if (cronJob) await sql`select cron.alter_job(${cronJob.jobid}::bigint, active := false)`;
try {
  await throughput();
  await fanout();
} finally {
  if (cronJob) await sql`select cron.alter_job(${cronJob.jobid}::bigint, active := true)`;
  await sql.end();
}
