// app.function_invoke reaches Edge Functions from SQL: directly, coalesced within a
// transaction, never through a notification it did not write; and the pg_cron tick wakes
// workers whose queues hold unclaimed work.
import { assert, assertEquals } from "./_assert.ts";
import { db, eventually, newTenant, ok, settled, test } from "./_helpers.ts";

test("app.function_invoke from SQL reaches the agent-worker function", async () => {
  const reason = `sql-${crypto.randomUUID().slice(0, 8)}`;
  await db`select app.function_invoke('agent-worker', ${db.json({ reason, budget_ms: 1000 })})`;
  const row = await eventually(
    async () =>
      (await db`select status from public.request_log where function_name = 'agent-worker' and action = ${
        "drain:" + reason
      }`)[0],
    30_000,
  );
  assertEquals(row.status, 200);
});

test("identical wake-ups in one transaction coalesce into one call", async () => {
  const reason = `burst-${crypto.randomUUID().slice(0, 8)}`;
  await db.begin(async (tx) => {
    for (let i = 0; i < 50; i++) {
      await tx`select app.function_invoke('agent-worker', ${tx.json({ reason, budget_ms: 1000 })})`;
    }
  });
  await eventually(
    async () =>
      (await db`select 1 from public.request_log where action = ${"drain:" + reason}`).length > 0,
    30_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  const [{ n }] = await db`select count(*)::int as n from public.request_log where action = ${
    "drain:" + reason
  }`;
  assertEquals(n, 1);
});

test("a raw pg_notify on ora_invoke by another role makes no call", async () => {
  const forged = `forged-${crypto.randomUUID().slice(0, 8)}`;
  const [{ next_id }] =
    await db`select coalesce(max(id), 0) + 1000000 as next_id from app.invoke_requests`;
  // anon may pg_notify (every role may): the old payload format, and an id nobody wrote
  await db.begin(async (tx) => {
    await tx`set local role anon`;
    await tx`select pg_notify('ora_invoke', ${
      JSON.stringify({ function: "agent-worker", body: { reason: forged, budget_ms: 1000 } })
    })`;
    await tx`select pg_notify('ora_invoke', ${String(next_id)})`;
  });
  // a real wake-up after the forged ones: once it is served, the relay has seen them too
  const reason = `after-forged-${crypto.randomUUID().slice(0, 8)}`;
  await db`select app.function_invoke('agent-worker', ${db.json({ reason, budget_ms: 1000 })})`;
  await eventually(
    async () =>
      (await db`select 1 from public.request_log where action = ${"drain:" + reason}`).length > 0,
    30_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  const [{ n }] = await db`select count(*)::int as n from public.request_log where action = ${
    "drain:" + forged
  }`;
  assertEquals(n, 0, "the forged notification was not relayed");
});

test("work queued without a wake-up is picked up by the pg_cron tick within seconds", async () => {
  const [job] = await db`select schedule, command from cron.job where jobname = 'ora-tick'`;
  assert(job.command.includes("app.tick"), "the ora-tick job runs app.tick");
  // pg_cron 1.4 schedules whole minutes; its job loops app.tick every 500 ms (1.6: '1 seconds')
  await eventually(
    async () =>
      (await db`select 1 from app.tick_jobs where last_run_at > now() - interval '5 seconds'`)
        .length > 0,
    65_000,
    500,
  );
  const t = await newTenant("tick");
  await db`select app.agent_pack_install(${t.id}, 'content')`;
  await ok(t.key, "settings.update", { wake_workers: false });
  const session = await ok(t.key, "agents.run", { agent: "writer", query: "no wake-up" });
  const started = Date.now();
  const st = await settled(t.key, session.id, 20_000);
  assertEquals(st.status, "completed");
  const waited = Date.now() - started;
  console.log(`    picked up by the tick after ${waited} ms`);
  assert(waited < 10_000, `the tick woke the worker (${waited} ms)`);
});
