/**
 * The durable run engine (docs/runs.md).
 *  1. Per-step overhead: automation runs of 100 no-op steps (100 `log` actions), timed from their
 *     run_steps timestamps (first step's start → last step's record), per step — beside one bare
 *     statement round trip and a bare pgmq send + read + archive round trip measured in the same
 *     run. Also the statements per step, counted from the engine's code.
 *  2. Event → parked run resumed, with 1,000 runs parked on wait_for_event (each matching its own
 *     key): from the event's insert committed (acknowledged to the client) to the start of the step
 *     after the wait, p50/p95 — events one at a time, then the rest in one burst. (The wait step is
 *     recorded and the run queued in the event's own transaction.)
 *  3. Timer lateness: N runs parked on `wait` until one shared time; lateness of the waitpoint's
 *     resolution (the tick) and of the start of the step after the wait, p50/p95/max.
 * Figures are printed beside their baseline as ratios; nothing here fails on a timing.
 */
import postgres from "postgres";
import { loadConfig } from "../../supabase/functions/_shared/platform/config.ts";
import { benchTenant, fmt, pct, postAction, table } from "./_stats.ts";

const config = loadConfig();
const base = `${config.SUPABASE_URL}/functions/v1`;
const sql = postgres(config.SUPABASE_DB_URL, { max: 8, prepare: false, onnotice: () => {} });
const service = config.SUPABASE_SERVICE_ROLE_KEY;

const median = (xs: number[]) => pct(xs, 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `op` for 0..n-1 from `concurrency` workers. */
async function pool(n: number, concurrency: number, op: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await op(next++);
  }));
}

/** Polls (at most `maxMs`) until `probe` is true. */
async function until(probe: () => Promise<boolean>, maxMs: number, what: string) {
  const end = Date.now() + maxMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${maxMs / 1000} s`);
    await sleep(100);
  }
}

const t = await benchTenant(base, service, "bench-runs", {
  limits: { max_concurrent_automation_runs: 64 },
});
const ora = (action: string, data: unknown) => postAction(`${base}/ora`, t.key, action, data);
const create = (slug: string, actions: unknown[]) =>
  ora("automations.create", { name: slug, slug, trigger_type: "manual", actions });

try {
  // ---- baselines: one statement; pgmq send + read + archive ----------------------------------
  const q = `bench_runs_${crypto.randomUUID().slice(0, 8)}`;
  await sql`select pgmq.create(${q})`;
  const stmt: number[] = [];
  const pgmq: number[] = [];
  for (let i = 0; i < 300; i++) {
    let t0 = performance.now();
    await sql`select 1`;
    stmt.push(performance.now() - t0);
    t0 = performance.now();
    await sql`select pgmq.send(${q}, jsonb_build_object('i', ${i}::int))`;
    const [m] = await sql`select msg_id from pgmq.read(${q}, 30, 1)`;
    if (!m) throw new Error("baseline message not read");
    await sql`select pgmq.archive(${q}, ${m.msg_id}::bigint)`;
    pgmq.push(performance.now() - t0);
  }
  await sql`select pgmq.drop_queue(${q})`;
  const stmtMs = median(stmt);
  const pgmqMs = median(pgmq);

  // ---- 1: per-step overhead --------------------------------------------------------------------
  const STEPS = 100;
  const RUNS = 5;
  const noop = await create(
    "bench-noop-100",
    Array.from({ length: STEPS }, (_, i) => ({
      type: "log",
      config: { message: `step ${i}`, level: "debug" },
    })),
  );
  const perStep: number[] = [];
  const perStepRun: number[] = [];
  let runsMs = 0;
  for (let r = 0; r < RUNS; r++) {
    const run = await ora("automations.run", { id: noop.id, wait_ms: 25_000 });
    if (run.status !== "success") throw new Error(`no-op run ended ${run.status}`);
    const [s] = await sql`select
        extract(epoch from max(s.completed_at) - min(s.started_at)) * 1000 as steps_ms,
        extract(epoch from r.completed_at - r.started_at) * 1000 as run_ms,
        count(*)::int as n
      from public.run_steps s join public.runs r on r.id = s.run_id
      where s.run_id = ${run.id} group by r.id`;
    if (s.n !== STEPS) throw new Error(`expected ${STEPS} steps, got ${s.n}`);
    perStep.push(Number(s.steps_ms) / STEPS);
    perStepRun.push(Number(s.run_ms) / STEPS);
    runsMs += Number(s.run_ms);
  }

  console.log(
    `\n  Per-step overhead: ${RUNS} automation runs of ${STEPS} log steps (median of the runs)`,
  );
  table(["measure", "ms", "÷ select 1", "÷ pgmq round trip"], [
    ["select 1 (baseline)", fmt(stmtMs, 3), "1.0", fmt(stmtMs / pgmqMs, 2)],
    ["pgmq send + read + archive (baseline)", fmt(pgmqMs, 3), fmt(pgmqMs / stmtMs, 1), "1.0"],
    [
      "per step: first step start → last step recorded",
      fmt(median(perStep), 3),
      fmt(median(perStep) / stmtMs, 1),
      fmt(median(perStep) / pgmqMs, 2),
    ],
    [
      "per step: run claimed → run completed",
      fmt(median(perStepRun), 3),
      fmt(median(perStepRun) / stmtMs, 1),
      fmt(median(perStepRun) / pgmqMs, 2),
    ],
  ]);
  console.log(
    `  round trips per step: 1 (app.run_step_record; a log action reads nothing), counted from the` +
      ` engine's code; per run add claim, completion and heartbeats. ${RUNS * STEPS} steps in ${
        fmt(runsMs / 1000, 2)
      } s of runs.`,
  );

  // ---- 2: event → parked run resumed, 1,000 parked -----------------------------------------
  const PARKED = 1000;
  const QUIET = 100;
  const waiter = await create("bench-wfe", [
    {
      type: "wait_for_event",
      name: "got",
      config: { events: ["bench.go"], match: { k: "{{ trigger.data.k }}" }, timeout: 900 },
    },
    { type: "log", name: "after", config: { message: "{{ trigger.data.k }}", level: "debug" } },
  ]);
  const keys = Array.from({ length: PARKED }, (_, i) => `k${i}`);
  const parkT0 = performance.now();
  await pool(PARKED, 16, async (i) => {
    await ora("automations.run", { id: waiter.id, data: { k: keys[i] } });
  });
  const firedS = (performance.now() - parkT0) / 1000;
  let parkedBy = "";
  await until(
    async () => {
      const rows = await sql`select status, count(*)::int as n from public.runs
      where subject = ${waiter.id} group by status order by status`;
      parkedBy = rows.map((r) => `${r.status} ${r.n}`).join(", ");
      return rows.find((r) => r.status === "waiting")?.n >= PARKED;
    },
    120_000,
    `${PARKED} runs parked`,
  ).catch((e) => {
    throw new Error(`${e.message} (runs: ${parkedBy})`);
  });
  const parkedS = (performance.now() - parkT0) / 1000;

  /** Inserts events for `ks` in one statement; returns the commit time (epoch ms). */
  const emit = async (ks: string[]) => {
    await sql`insert into public.event_log (tenant_id, event_type, event_source, payload)
      select ${t.id}, 'bench.go', 'api', jsonb_build_object('k', k) from unnest(${ks}::text[]) k`;
    return Date.now();
  };
  const committed = new Map<string, number>();
  for (let i = 0; i < QUIET; i++) {
    committed.set(keys[i], await emit([keys[i]]));
    await sleep(50);
  }
  const burstKeys = keys.slice(QUIET);
  const burstAt = await emit(burstKeys);
  for (const k of burstKeys) committed.set(k, burstAt);
  await until(
    async () => {
      const [{ n }] = await sql`select count(*)::int as n from public.runs
      where subject = ${waiter.id} and status = 'completed'`;
      return n >= PARKED;
    },
    180_000,
    `${PARKED} runs resumed`,
  );
  const drainedS = (Date.now() - burstAt) / 1000;
  const rows = await sql`select r.input -> 'trigger' -> 'data' ->> 'k' as k,
      extract(epoch from a.started_at) * 1000 as next_started
    from public.runs r
    join public.run_steps a on a.run_id = r.id and a.key = 'a1'
    where r.subject = ${waiter.id}`;
  const lat = (ks: Set<string>) =>
    rows.filter((r) => ks.has(r.k)).map((r) => Number(r.next_started) - committed.get(r.k)!);
  const quietSet = new Set(keys.slice(0, QUIET));
  const burstSet = new Set(burstKeys);
  console.log(
    `\n  Event → parked run resumed, ${PARKED} runs parked on wait_for_event (fired in ${
      fmt(firedS, 1)
    } s, all parked after ${fmt(parkedS, 1)} s)`,
  );
  const row = (label: string, xs: number[]) => [
    label,
    xs.length,
    fmt(pct(xs, 50)),
    fmt(pct(xs, 95)),
    fmt(pct(xs, 50) / pgmqMs),
  ];
  table(["from the event's commit to", "n", "p50 ms", "p95 ms", "p50 ÷ pgmq round trip"], [
    row(`the step after the wait started, one event at a time (${QUIET})`, lat(quietSet)),
    row(`the step after the wait started, ${burstKeys.length} in one insert`, lat(burstSet)),
  ]);
  console.log(
    `  the burst of ${burstKeys.length}: every run resumed and completed ${
      fmt(drainedS, 2)
    } s after the insert (${fmt(burstKeys.length / drainedS, 0)} runs/s).`,
  );

  // ---- 3: timer lateness --------------------------------------------------------------------
  const TIMERS = 300;
  const timer = await create("bench-timer", [
    { type: "wait", config: { until: "{{ trigger.data.at }}" } },
    { type: "log", name: "after", config: { message: "woke", level: "debug" } },
  ]);
  const due = new Date(Date.now() + 20_000);
  const dueIso = due.toISOString();
  await pool(TIMERS, 16, async () => {
    await ora("automations.run", { id: timer.id, data: { at: dueIso } });
  });
  let parkedBeforeDue = 0;
  await until(
    async () => {
      const [{ n }] = await sql`select count(*)::int as n from public.runs
      where subject = ${timer.id} and status = 'waiting'`;
      parkedBeforeDue = n;
      return n >= TIMERS || Date.now() >= due.getTime();
    },
    60_000,
    "timer runs parked",
  );
  await until(
    async () => {
      const [{ n }] = await sql`select count(*)::int as n from public.runs
      where subject = ${timer.id} and status = 'completed'`;
      return n >= TIMERS;
    },
    120_000,
    "timer runs completed",
  );
  const timers = await sql`select
      extract(epoch from w.resolved_at - w.resume_at) * 1000 as resolved_late,
      extract(epoch from a.started_at) * 1000 - ${due.getTime()}::float8 as next_late
    from public.runs r
    join public.run_waitpoints w on w.run_id = r.id and w.kind = 'time'
    join public.run_steps a on a.run_id = r.id and a.key = 'a1'
    where r.subject = ${timer.id}`;
  const resolvedLate = timers.map((r) => Number(r.resolved_late));
  const nextLate = timers.map((r) => Number(r.next_late));
  console.log(
    `\n  Timer lateness: ${TIMERS} runs parked on one shared time (${parkedBeforeDue} parked before it)`,
  );
  const lrow = (label: string, xs: number[]) => [
    label,
    xs.length,
    fmt(pct(xs, 50)),
    fmt(pct(xs, 95)),
    fmt(Math.max(...xs)),
    fmt(pct(xs, 95) / pgmqMs),
  ];
  table(["lateness of", "n", "p50 ms", "p95 ms", "max ms", "p95 ÷ pgmq round trip"], [
    lrow("the waitpoint's resolution (tick)", resolvedLate),
    lrow("the step after the wait started", nextLate),
  ]);
  console.log("  the tick runs every 0.5–1 s (docs/runs.md): that bounds the first line.\n");
} finally {
  if (Deno.env.get("ORA_BENCH_KEEP") === "1") {
    console.log(`  kept tenant ${t.id}`);
    await sql.end();
    Deno.exit(0);
  }
  await sql`select app.run_cancel(r.tenant_id, r.id, 'bench ended') from public.runs r
    where r.tenant_id = ${t.id} and not app.run_is_terminal(r.status)`;
  await postAction(`${base}/ora`, service, "tenants.delete", { id: t.id }).catch(() =>
    sql`delete from public.tenants where id = ${t.id}`
  ).catch(() => {});
  await sql.end();
}
