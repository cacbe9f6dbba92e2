// Automations end to end through the API: each trigger type, conditions and variables, the action
// primitives, error strategies, caps, cooldowns and loop protection. Runs are read back through
// automations.history / runs.get as a client would.
import { Webhook } from "standardwebhooks";
import { assert, assertEquals } from "./_assert.ts";
import { call, config, db, eventually, newTenant, ok, test, type TestTenant } from "./_helpers.ts";
import { automation, finishedRuns } from "./_automations.ts";
import { startReceiver } from "./_receiver.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function lead(t: TestTenant, fields: Record<string, unknown>): Promise<Any> {
  return await ok(t.key, "leads.create", { name: "Ada", email: "ada@example.com", ...fields });
}

test("event trigger: a hot lead fires the automation; the filter keeps cold leads out; variables fill the actions", async () => {
  const t = await newTenant("auto-event");
  const a = await automation(t, {
    trigger_type: "event",
    trigger_config: {
      events: ["leads.INSERT"],
      filter: [{ field: "ai_score", operator: "gte", value: 80 }],
    },
    actions: [
      {
        type: "log",
        name: "greet",
        config: {
          message: "Hot lead {{ trigger.data.new.name }} ({{ trigger.data.new.ai_score }})",
        },
      },
      { type: "set_variable", config: { name: "who", value: "{{ trigger.data.new }}" } },
      {
        type: "transform",
        config: { value: "{{ vars.who }}", pick: ["email", "ai_score"] },
        output: { as: "picked" },
      },
      {
        type: "condition",
        config: {
          if: { field: "picked.ai_score", operator: "gte", value: 90 },
          then: [{
            type: "log",
            name: "very_hot",
            config: { message: "very hot: {{ picked.email }}" },
          }],
          else: [{ type: "log", name: "hot", config: { message: "hot: {{ picked.email }}" } }],
        },
      },
    ],
  });
  await lead(t, { name: "Cold", ai_score: 10 });
  const hot = await lead(t, { name: "Grace", email: "grace@example.com", ai_score: 85 });
  const [run] = await finishedRuns(t, a.id);
  assertEquals(run.status, "success");
  assertEquals(run.triggered_by, "event");
  assertEquals(run.trigger_data.new.id, hot.id);
  assertEquals(run.action_results.greet.output.message, "Hot lead Grace (85)");
  assertEquals(run.action_results.a2.output, { email: "grace@example.com", ai_score: 85 });
  assertEquals(run.action_results.hot.output.message, "hot: grace@example.com");
  assert(!run.action_results.very_hot, "the else branch ran, not then");
  const full = await ok(t.key, "runs.get", { id: run.id });
  assertEquals(
    full.steps.filter((s: Any) => s.kind !== "system").map((s: Any) => s.key),
    ["a0", "a1", "a2", "a3", "a3.else.0"],
  );
  const h = await ok(t.key, "automations.history", { id: a.id });
  assertEquals(h.items.length, 1, "the cold lead did not fire it");
  const after = await ok(t.key, "automations.get", { id: a.id });
  assertEquals([after.total_runs, after.successful_runs], [1, 1]);
  const [ev] = await db`select processed, matched_automations from public.event_log
    where tenant_id = ${t.id} and payload -> 'new' ->> 'id' = ${hot.id}`;
  assertEquals([ev.processed, ev.matched_automations], [true, [a.id]]);
});

test("a missing variable is reported in the run, never rendered blank; ?? gives a default", async () => {
  const t = await newTenant("auto-vars");
  const a = await automation(t, {
    on_error: "ignore",
    actions: [
      { type: "log", name: "missing", config: { message: "phone: {{ trigger.data.phone }}" } },
      {
        type: "log",
        name: "defaulted",
        config: { message: 'phone: {{ trigger.data.phone ?? "none" }}' },
      },
    ],
  });
  const r = await ok(t.key, "automations.run", { id: a.id, data: { name: "x" }, wait_ms: 10_000 });
  assertEquals(r.status, "partial");
  assertEquals(r.action_results.missing.status, "failed");
  assertEquals(r.action_results.missing.error.code, "MISSING_VARIABLE");
  assert(r.action_results.missing.error.message.includes("{{ trigger.data.phone }}"));
  assertEquals(r.action_results.defaulted.output.message, "phone: none");
});

test("conditions: and/or/not over the runtime context skip the run when false", async () => {
  const t = await newTenant("auto-cond");
  const a = await automation(t, {
    conditions: {
      and: [
        { field: "trigger.data.plan", operator: "in", value: ["pro", "team"] },
        { not: { field: "trigger.data.email", operator: "endsWith", value: "@spam.test" } },
        {
          or: [{ field: "trigger.data.seats", operator: "gt", value: 5 }, {
            field: "trigger.data.vip",
            operator: "exists",
          }],
        },
        { field: "trigger.data.email", operator: "matches", value: "^[a-z]+@[a-z.]+$" },
      ],
    },
    actions: [{ type: "log", config: { message: "ok" } }],
  });
  const yes = await ok(t.key, "automations.run", {
    id: a.id,
    data: { plan: "pro", email: "ann@corp.test", seats: 9 },
    wait_ms: 10_000,
  });
  assertEquals(yes.status, "success");
  for (
    const data of [
      { plan: "free", email: "ann@corp.test", seats: 9 },
      { plan: "pro", email: "bob@spam.test", seats: 9 },
      { plan: "pro", email: "ann@corp.test", seats: 2 },
      { plan: "pro", email: "Ann@corp.test", vip: true },
    ]
  ) {
    const no = await ok(t.key, "automations.run", { id: a.id, data, wait_ms: 10_000 });
    assertEquals(no.status, "skipped", JSON.stringify(data));
  }
  const vip = await ok(t.key, "automations.run", {
    id: a.id,
    data: { plan: "team", email: "cy@corp.test", vip: true },
    wait_ms: 10_000,
  });
  assertEquals(vip.status, "success");
});

test("manual trigger: automations.run with wait_ms returns the finished run; paused automations still run by hand", async () => {
  const t = await newTenant("auto-manual");
  const a = await automation(t, {
    actions: [{ type: "log", config: { message: "hello {{ trigger.data.who }}" } }],
  });
  await ok(t.key, "automations.pause", { id: a.id });
  const r = await ok(t.key, "automations.run", {
    id: a.id,
    data: { who: "world" },
    wait_ms: 10_000,
  });
  assertEquals(r.status, "success");
  assertEquals(r.triggered_by, "manual");
  assertEquals(r.action_results.a0.output.message, "hello world");
});

test("webhook trigger: a Standard Webhooks signature fires it; bad signatures, stale timestamps and replays do not", async () => {
  const t = await newTenant("auto-hook");
  const a = await automation(t, {
    trigger_type: "webhook",
    actions: [{ type: "log", config: { message: "order {{ trigger.data.order }}" } }],
  });
  assert(a.webhook.secret.startsWith("whsec_"));
  const url = `${config.SUPABASE_URL}/functions/v1/hooks/${a.id}`;
  assertEquals(a.webhook.url, url);
  const send = async (body: string, opts: { secret?: string; at?: Date; id?: string } = {}) => {
    const id = opts.id ?? `msg_${crypto.randomUUID()}`;
    const at = opts.at ?? new Date();
    const sig = new Webhook(opts.secret ?? a.webhook.secret).sign(id, at, body);
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": sig,
      },
      body,
    });
    return { status: res.status, body: await res.json(), id };
  };
  const good = await send(JSON.stringify({ order: 42 }));
  assertEquals(good.status, 202);
  assertEquals(good.body.data.status, "started");
  const replay = await send(JSON.stringify({ order: 42 }), { id: good.id });
  assertEquals(replay.status, 202);
  assertEquals(replay.body.data.status, "duplicate");

  const other = `whsec_${btoa("another-secret-of-32-bytes-long!")}`;
  assertEquals((await send(JSON.stringify({ order: 1 }), { secret: other })).status, 401);
  const stale = await send(JSON.stringify({ order: 2 }), {
    at: new Date(Date.now() - 10 * 60_000),
  });
  assertEquals(stale.status, 401);
  // a tampered body fails with the same 401 as an unknown hook
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "webhook-id": "x1",
      "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
      "webhook-signature": "v1,AAAA",
    },
    body: "{}",
  });
  assertEquals(res.status, 401);
  await res.body?.cancel();
  const unknown = await fetch(`${config.SUPABASE_URL}/functions/v1/hooks/${crypto.randomUUID()}`, {
    method: "POST",
    headers: {
      "webhook-id": "x1",
      "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
      "webhook-signature": "v1,AAAA",
    },
    body: "{}",
  });
  assertEquals(unknown.status, 401);
  await unknown.body?.cancel();

  const runs = await finishedRuns(t, a.id);
  assertEquals(runs.length, 1, "exactly one run: the replay and the forgeries fired nothing");
  assertEquals(runs[0].action_results.a0.output.message, "order 42");

  // rotation: the old secret stops working
  const rotated = await ok(t.key, "automations.rotate_secret", { id: a.id });
  assertEquals((await send("{}")).status, 401);
  assertEquals((await send("{}", { secret: rotated.webhook.secret })).status, 202);
});

test("schedule trigger: runAt fires once then completes; a cron schedule computes its next firing in its time zone", async () => {
  const t = await newTenant("auto-sched");
  const at = new Date(Date.now() + 1500).toISOString();
  const once = await automation(t, {
    trigger_type: "schedule",
    trigger_config: { runAt: at },
    actions: [{
      type: "log",
      config: { message: "scheduled for {{ trigger.data.scheduled_for }}" },
    }],
  });
  assertEquals(new Date(once.next_run_at).toISOString(), at);
  const [run] = await finishedRuns(t, once.id, 1, 20_000);
  assertEquals(run.status, "success");
  assertEquals(run.triggered_by, "schedule");
  const done = await eventually(async () => {
    const g = await ok(t.key, "automations.get", { id: once.id });
    return g.status === "completed" ? g : null;
  });
  assertEquals(done.next_run_at, null);

  const daily = await automation(t, {
    trigger_type: "schedule",
    trigger_config: { cron: "30 9 * * *", timezone: "America/New_York" },
    actions: [{ type: "log", config: { message: "daily" } }],
  });
  const g = await ok(t.key, "automations.get", { id: daily.id });
  assertEquals(g.upcoming.length, 5);
  for (const u of g.upcoming) {
    const local = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(new Date(u));
    assertEquals(local, "09:30");
  }
  assertEquals(new Date(g.next_run_at).toISOString(), g.upcoming[0]);

  // make it due now (as if its time had come): it fires, and the engine sets the following one
  await db`update public.automations set next_run_at = now() - interval '1 second' where id = ${daily.id}`;
  const [r2] = await finishedRuns(t, daily.id, 1, 20_000);
  assertEquals(r2.status, "success");
  const next = await eventually(async () => {
    const x = await ok(t.key, "automations.get", { id: daily.id });
    return x.next_run_at ? x : null;
  });
  assertEquals(
    new Date(next.next_run_at).toISOString(),
    g.upcoming[0],
    "no backfill: the next firing after now",
  );
});

test("schedule created straight in SQL (Studio) gets its next firing from the engine", async () => {
  const t = await newTenant("auto-sql");
  const [a] =
    await db`insert into public.automations (tenant_id, name, slug, trigger_type, trigger_config, actions)
    values (${t.id}, 'From Studio', 'from-studio', 'schedule',
      ${db.json({ interval: { value: 2, unit: "hours" }, timezone: "UTC" })},
      ${db.json([{ type: "log", config: { message: "x" } }])}) returning id`;
  const row = await eventually(async () => {
    const [r] = await db`select next_run_at from public.automations where id = ${a.id}`;
    return r.next_run_at ? r : null;
  });
  const ms = new Date(row.next_run_at).getTime() - Date.now();
  assert(ms > 7_100_000 && ms <= 7_200_000, `next firing in about 2 hours (${ms} ms)`);
});

test("threshold trigger: change against the previous period fires once while breaching, and again on recovery with autoResolve", async () => {
  const t = await newTenant("auto-threshold");
  const a = await automation(t, {
    trigger_type: "threshold",
    trigger_config: {
      metric: "page_views",
      operator: "change_lt",
      value: -50,
      window: { duration: "1h", aggregation: "sum" },
      compare: "previous_period",
      autoResolve: true,
    },
    actions: [{
      type: "log",
      config: {
        message:
          "{{ trigger.data.metric }} {{ trigger.data.changePercent }}% resolved={{ trigger.data.resolved }}",
      },
    }],
  });
  const ago = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  await ok(t.key, "metrics.record", {
    points: [
      { name: "page_views", value: 600, recorded_at: ago(90) },
      { name: "page_views", value: 400, recorded_at: ago(70) },
      { name: "page_views", value: 200, recorded_at: ago(10) },
    ],
  });
  const q = await ok(t.key, "metrics.query", { name: "page_views", since: ago(60) });
  assertEquals(q.value, 200);
  const check = async () => (await db`select app.threshold_check(${a.id}) as r`)[0].r;
  assertEquals(await check(), "fired", "1000 → 200 is −80 %");
  assertEquals(await check(), "breaching", "fires once per breach");
  const [run] = await finishedRuns(t, a.id);
  assertEquals(run.action_results.a0.output.message, "page_views -80% resolved=false");
  await ok(t.key, "metrics.record", { name: "page_views", value: 900 });
  assertEquals(await check(), "resolved");
  const runs = await finishedRuns(t, a.id, 2);
  assertEquals(runs[0].action_results.a0.output.message.endsWith("resolved=true"), true);
});

test("event envelope: events.emit records origin, asset and when it happened; filters, variables, lists and webhooks see them", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("auto-envelope");
    const a = await automation(t, {
      trigger_type: "event",
      trigger_config: {
        events: ["sensor.temperature"],
        filter: [
          { field: "event.asset_id", operator: "eq", value: "P-101" },
          { field: "value", operator: "gt", value: 85 },
        ],
      },
      actions: [{
        type: "log",
        name: "seen",
        config: {
          message:
            "{{ trigger.event.asset_id }} from {{ trigger.event.origin }} at {{ trigger.event.occurred_at }}: {{ trigger.data.value }}",
        },
      }],
    });
    const hook = await ok(t.key, "webhooks.create", {
      name: "P-101 only",
      url: `${rx.origin}/p101`,
      events: ["sensor.*"],
      filter: { field: "event.asset_id", operator: "eq", value: "P-101" },
    });

    const at = new Date(Date.now() - 90_000).toISOString();
    const ev = await ok(t.key, "events.emit", {
      type: "sensor.temperature",
      payload: { value: 91.5, unit: "C" },
      origin: "pi-historian",
      asset_id: "P-101",
      occurred_at: at,
    });
    assertEquals([ev.origin, ev.asset_id, new Date(ev.occurred_at).toISOString()], [
      "pi-historian",
      "P-101",
      at,
    ]);
    assert(Date.parse(ev.created_at) > Date.parse(at), "recorded after it happened");
    // another asset, and a payload without an envelope: neither fires it
    await ok(t.key, "events.emit", {
      type: "sensor.temperature",
      payload: { value: 99 },
      origin: "pi-historian",
      asset_id: "P-202",
    });
    await ok(t.key, "events.emit", { type: "sensor.temperature", payload: { value: 99 } });

    const [run] = await finishedRuns(t, a.id);
    assertEquals(run.status, "success");
    assertEquals(
      run.action_results.seen.output.message,
      `P-101 from pi-historian at ${at}: 91.5`,
    );
    await new Promise((r) => setTimeout(r, 500));
    assertEquals((await ok(t.key, "automations.history", { id: a.id })).items.length, 1);

    const byAsset = await ok(t.key, "events.list", { asset_id: "P-101" });
    assertEquals(byAsset.items.map((e: Any) => e.id), [ev.id]);
    const byOrigin = await ok(t.key, "events.list", { origin: "pi-historian" });
    assertEquals(byOrigin.items.length, 2);

    const [d] = await eventually(
      async () => {
        const ds = (await ok(t.key, "webhooks.deliveries", { id: hook.id })).items;
        return ds.length && ds.every((x: Any) => x.status !== "pending") ? ds : null;
      },
      30_000,
      150,
    );
    assertEquals(d.status, "delivered");
    const [r] = rx.on("/p101");
    const body = new Webhook(hook.secret).verify(r.body, r.headers) as Any;
    assertEquals(
      [body.id, body.type, body.origin, body.asset_id, new Date(body.occurred_at).toISOString()],
      [ev.id, "sensor.temperature", "pi-historian", "P-101", at],
    );
    assertEquals(body.data, { value: 91.5, unit: "C" });
    assertEquals(rx.on("/p101").length, 1, "P-202's event did not reach the P-101 subscription");

    // bad envelopes are refused with the field named, and nothing is recorded
    const bad = [
      { occurred_at: new Date(Date.now() + 3_600_000).toISOString() },
      { occurred_at: "yesterday" },
      { origin: "has spaces" },
      { asset_id: "" },
      { source: "api" },
    ];
    for (const extra of bad) {
      const res = await call(t.key, "events.emit", { type: "sensor.temperature", ...extra });
      assertEquals(res.status, 400, JSON.stringify(extra));
    }
    const [{ n }] =
      await db`select count(*)::int as n from public.event_log where tenant_id = ${t.id}
        and event_type = 'sensor.temperature'`;
    assertEquals(n, 3);
  } finally {
    await rx.close();
  }
});
