/**
 * Automations.
 *  1. Event → first action latency: a lead insert (committed) until the Hot-Lead-style automation's
 *     first action starts (its step's started_at), p50/p95 — quiet (one lead at a time) and under a
 *     steady load of inserts — beside a bare insert + pgmq.send, then pgmq.read of that message,
 *     in the same run.
 *  2. Throughput: events/s the trigger-engine routes (no automation wants them… but a webhook-less
 *     tenant has none routed at all, so every event here matches one automation) and the
 *     automation runs/s it completes, for a burst of events inserted at once.
 */
import postgres from "postgres";
import { loadConfig } from "../../supabase/functions/_shared/platform/config.ts";
import { benchTenant, fmt, pct, postAction, table } from "./_stats.ts";

const config = loadConfig();
const base = `${config.SUPABASE_URL}/functions/v1`;
const sql = postgres(config.SUPABASE_DB_URL, { max: 8, prepare: false, onnotice: () => {} });
const service = config.SUPABASE_SERVICE_ROLE_KEY;

const t = await benchTenant(base, service, "bench-auto", {
  packs: ["content"],
  limits: { max_concurrent_automation_runs: 64 },
  settings: {},
});
const hot = await postAction(`${base}/ora`, t.key, "automations.create", {
  name: "Bench hot lead",
  slug: "bench-hot-lead",
  trigger_type: "event",
  trigger_config: {
    events: ["leads.INSERT"],
    filter: [{ field: "ai_score", operator: "gte", value: 80 }],
  },
  actions: [{
    type: "log",
    config: { message: "hot lead {{ trigger.data.new.id }}", level: "debug" },
  }],
});

/** Inserts a hot lead; returns when the insert committed (ms, wall clock) and its id. */
async function insertLead(): Promise<{ at: number; id: string }> {
  const [row] = await sql`insert into public.leads (tenant_id, name, ai_score)
    values (${t.id}, 'Bench', 90) returning id`;
  return { at: Date.now() + (performance.now() % 1), id: row.id };
}

/** ms from the commit until the automation's first action started, per lead. */
async function firstActionLatency(leads: { at: number; id: string }[]): Promise<number[]> {
  const ids = leads.map((l) => l.id);
  for (let i = 0; i < 600; i++) {
    const [{ n }] = await sql`select count(*)::int as n from public.runs r join public.run_steps s
      on s.run_id = r.id and s.key = 'a0' and s.status = 'completed'
      where r.subject = ${hot.id} and r.input -> 'trigger' -> 'data' -> 'new' ->> 'id' = any(${ids})`;
    if (n >= ids.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = await sql`select r.input -> 'trigger' -> 'data' -> 'new' ->> 'id' as id,
      extract(epoch from s.started_at) * 1000 as started
    from public.runs r join public.run_steps s on s.run_id = r.id and s.key = 'a0'
    where r.subject = ${hot.id} and r.input -> 'trigger' -> 'data' -> 'new' ->> 'id' = any(${ids})`;
  const started = new Map(rows.map((r) => [r.id, Number(r.started)]));
  return leads.filter((l) => started.has(l.id)).map((l) => started.get(l.id)! - l.at);
}

// ---- baseline: insert + pgmq.send in one statement, then pgmq.read -----------------------------
const q = `bench_evt_${crypto.randomUUID().slice(0, 8)}`;
await sql`select pgmq.create(${q})`;
await sql`create temporary table if not exists bench_rows (id bigint generated always as identity, v int)`;
const base_ms: number[] = [];
for (let i = 0; i < 200; i++) {
  const t0 = performance.now();
  await sql`with r as (insert into bench_rows (v) values (${i}) returning id)
    select pgmq.send(${q}, jsonb_build_object('id', (select id from r)))`;
  const [m] = await sql`select msg_id from pgmq.read(${q}, 30, 1)`;
  if (!m) throw new Error("baseline message not read");
  base_ms.push(performance.now() - t0);
  await sql`select pgmq.archive(${q}, ${m.msg_id}::bigint)`;
}
await sql`select pgmq.drop_queue(${q})`;

// ---- 1a: quiet — one lead at a time -------------------------------------------------------
const quiet: number[] = [];
for (let i = 0; i < 60; i++) {
  const l = await insertLead();
  quiet.push(...await firstActionLatency([l]));
  await new Promise((r) => setTimeout(r, 100));
}

// ---- 1b: steady load — 50 inserts/s for 6 s -------------------------------------------------
const steadyLeads: { at: number; id: string }[] = [];
const t1 = performance.now();
for (let i = 0; i < 300; i++) {
  const due = t1 + i * 20;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  steadyLeads.push(await insertLead());
}
const steady = await firstActionLatency(steadyLeads);

console.log("\n  Event → first action (lead insert committed → first action started), ms");
const b50 = pct(base_ms, 50);
table(["scenario", "n", "p50", "p95", "p50 / baseline p50"], [
  [
    "insert + pgmq.send, then pgmq.read (baseline)",
    base_ms.length,
    fmt(b50, 2),
    fmt(pct(base_ms, 95), 2),
    "1.0",
  ],
  [
    "quiet: one hot lead at a time",
    quiet.length,
    fmt(pct(quiet, 50)),
    fmt(pct(quiet, 95)),
    fmt(pct(quiet, 50) / b50),
  ],
  [
    "steady: 50 hot leads/s",
    steady.length,
    fmt(pct(steady, 50)),
    fmt(pct(steady, 95)),
    fmt(pct(steady, 50) / b50),
  ],
]);

// ---- 2: a burst of events ---------------------------------------------------------------------
const N = 1000;
const burst = await postAction(`${base}/ora`, t.key, "automations.create", {
  name: "Bench burst",
  slug: "bench-burst",
  trigger_type: "event",
  trigger_config: { events: ["bench.ping"] },
  actions: [{ type: "log", config: { message: "{{ trigger.data.i }}", level: "debug" } }],
});
const t2 = performance.now();
for (let i = 0; i < N; i += 100) {
  await sql`insert into public.event_log (tenant_id, event_type, event_source, payload)
    select ${t.id}, 'bench.ping', 'api', jsonb_build_object('i', g)
    from generate_series(${i}::int, ${i + 99}::int) g`;
}
const inserted = performance.now() - t2;
let routedAt = 0;
let doneAt = 0;
for (let i = 0; i < 1200 && !doneAt; i++) {
  const [r] = await sql`select
      (select count(*)::int from public.event_log where tenant_id = ${t.id} and event_type = 'bench.ping' and processed) as routed,
      (select count(*)::int from public.runs where subject = ${burst.id} and status = 'completed') as done`;
  if (!routedAt && r.routed >= N) routedAt = performance.now() - t2;
  if (r.done >= N) doneAt = performance.now() - t2;
  else await new Promise((res) => setTimeout(res, 100));
}
console.log(`\n  Burst of ${N} matching events (inserted in ${fmt(inserted / 1000, 2)} s)`);
table(["stage", "seconds", "per second"], [
  ["routed by the trigger-engine", fmt(routedAt / 1000, 2), fmt(N / (routedAt / 1000), 0)],
  ["automation runs completed", fmt(doneAt / 1000, 2), fmt(N / (doneAt / 1000), 0)],
]);

await postAction(`${base}/ora`, service, "tenants.delete", { id: t.id }).catch(() => {});
await sql.end();
