// app.invoke_function reaches Edge Functions from SQL: directly, coalesced within a
// transaction, never through a notification it did not write, and from a pg_cron job (runs
// last: pg_cron 1.4 fires on whole minutes).
import { assert, assertEquals } from "./_assert.ts";
import { db, eventually, test } from "./_helpers.ts";

test("app.invoke_function from SQL reaches the agent-worker function", async () => {
  const reason = `sql-${crypto.randomUUID().slice(0, 8)}`;
  await db`select app.invoke_function('agent-worker', ${db.json({ reason, budget_ms: 1000 })})`;
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
      await tx`select app.invoke_function('agent-worker', ${tx.json({ reason, budget_ms: 1000 })})`;
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
  await db`select app.invoke_function('agent-worker', ${db.json({ reason, budget_ms: 1000 })})`;
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

test("the pg_cron job ora-agent-worker reaches agent-worker through app.invoke_function", async () => {
  const [job] =
    await db`select jobid, schedule, command from cron.job where jobname = 'ora-agent-worker'`;
  assertEquals(job.schedule, "* * * * *");
  assert(job.command.includes("app.invoke_function('agent-worker'"));
  // pg_cron 1.4 schedules whole minutes: a run happens within 60 s of any moment.
  const since = new Date(Date.now() - 5 * 60_000);
  const run = await eventually(
    async () =>
      (await db`select status, start_time from cron.job_run_details
      where jobid = ${job.jobid} and start_time > ${since} and status = 'succeeded' order by start_time desc limit 1`)[
        0
      ],
    75_000,
    1000,
  );
  const served = await eventually(
    async () =>
      (await db`select status from public.request_log where function_name = 'agent-worker' and action = 'drain:cron'
      and created_at >= ${run.start_time} order by created_at limit 1`)[0],
    60_000,
    200,
  );
  assertEquals(served.status, 200);
});
