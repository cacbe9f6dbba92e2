// Webhook subscriptions through ora webhooks.*, events matched by dispatchEvent (as the
// trigger-engine calls it), ad-hoc sends (sendWebhook), and the deliveries worker against loopback
// receivers: Standard Webhooks signatures verified with the standardwebhooks package, two
// signatures during a rotation's overlap, retries with backoff, Retry-After, 410, final 4xx, dead
// letters, timeouts, and a redelivered message that never sends twice.
import { Webhook } from "standardwebhooks";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { call, config, db, eventually, newTenant, ok, test, type TestTenant } from "./_helpers.ts";
import { type Receiver, startReceiver } from "./_receiver.ts";
import { Db } from "../_shared/platform/db.ts";
import { dispatchEvent, sendWebhook, type WebhookEvent } from "../_shared/webhooks/dispatch.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

const pool = new Db({ ...config, ORA_DB_POOL_SIZE: 2 }, "webhooks-test");

/**
 * An event as the trigger-engine hands it to dispatchEvent. Built here rather than inserted into
 * event_log: once the trigger-engine dispatches stored events itself, it cannot race these tests.
 */
function event(t: TestTenant, type: string, payload: unknown): WebhookEvent {
  return {
    id: crypto.randomUUID(),
    tenant_id: t.id,
    event_type: type,
    payload,
    created_at: new Date().toISOString(),
  };
}

/** A leads.INSERT event shaped as the table trigger writes it. */
function leadEvent(t: TestTenant, lead: Record<string, unknown>): WebhookEvent {
  const row = { id: crypto.randomUUID(), tenant_id: t.id, status: "new", ...lead };
  return event(t, "leads.INSERT", {
    table: "leads",
    operation: "INSERT",
    old: null,
    new: row,
    timestamp: new Date().toISOString(),
  });
}

async function deliveries(t: TestTenant, id: string): Promise<Row[]> {
  return (await ok(t.key, "webhooks.deliveries", { id })).items;
}

/** Waits until the webhook's deliveries are all settled (count of them, at least `n`). */
async function settled(t: TestTenant, id: string, n = 1, timeoutMs = 30_000): Promise<Row[]> {
  return await eventually(
    async () => {
      const ds = await deliveries(t, id);
      return ds.length >= n && ds.every((d) => d.status !== "pending") ? ds : null;
    },
    timeoutMs,
    150,
  );
}

async function hook(t: TestTenant, rx: Receiver, extra: Record<string, unknown> = {}) {
  return await ok(t.key, "webhooks.create", {
    name: "test hook",
    url: `${rx.origin}/hook`,
    events: ["leads.INSERT"],
    ...extra,
  });
}

test("create returns the secret once; reads never show it; unsafe targets and filters are refused", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("wh-crud");
    const w = await hook(t, rx, { events: ["leads.*", "session.completed"], description: "CRM" });
    assertMatch(w.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assertEquals([w.is_active, w.total_deliveries, w.timeout_ms], [true, 0, 10000]);
    assertEquals(w.retry_schedule_seconds, [30, 120, 600, 3600, 10800, 21600, 43200]);
    assertMatch(w.created_by, /^key:/);
    const got = await ok(t.key, "webhooks.get", { id: w.id });
    assertEquals("secret" in got, false, "get never returns the secret");
    const list = await ok(t.key, "webhooks.list", { event: "leads.UPDATE" });
    assertEquals(list.items.map((x: Row) => x.id), [w.id]);
    assertEquals("secret" in list.items[0], false);
    assertEquals((await ok(t.key, "webhooks.list", { event: "tasks.completed" })).items, []);
    const [stored] = await db`select count(*)::int as n, bool_and(value_enc is not null) as enc
      from app.webhook_secrets where webhook_id = ${w.id}`;
    assertEquals([stored.n, stored.enc], [1, true], "stored encrypted");

    const updated = await ok(t.key, "webhooks.update", {
      id: w.id,
      name: "renamed",
      timeout_ms: 2000,
    });
    assertEquals([updated.name, updated.timeout_ms], ["renamed", 2000]);

    const refused = [
      { url: "http://10.1.2.3/hook" },
      { url: "http://[::ffff:169.254.169.254]/" },
      { url: "https://user:pw@example.com/" },
      { url: "ftp://example.com/" },
      { events: [] },
      { events: ["bad event!"] },
      { filter: { field: "x", operator: "matches", value: "(x)\\1" } }, // RE2 has no back-references
      { retry_schedule_seconds: [0] },
    ];
    for (const r of refused) {
      const res = await call(t.key, "webhooks.create", {
        name: "x",
        url: `${rx.origin}/h`,
        events: ["a"],
        ...r,
      });
      assertEquals(res.status, 400, JSON.stringify(r));
    }
    const other = await newTenant("wh-crud-other");
    assertEquals((await call(other.key, "webhooks.get", { id: w.id })).status, 404);
    assertEquals(
      (await call(other.key, "webhooks.update", { id: w.id, name: "mine" })).status,
      404,
    );
    assertEquals((await call(other.key, "webhooks.rotate_secret", { id: w.id })).status, 404);
    assertEquals((await call(other.key, "webhooks.test", { id: w.id })).status, 404);
    assertEquals((await call(other.key, "webhooks.delete", { id: w.id })).status, 404);
    const limited = await ok(t.key, "keys.create", { name: "reader", scopes: ["webhooks:read"] });
    assertEquals((await call(limited.key, "webhooks.get", { id: w.id })).status, 200);
    assertEquals((await call(limited.key, "webhooks.rotate_secret", { id: w.id })).status, 403);
    assertEquals((await ok(t.key, "webhooks.delete", { id: w.id })).deleted, true);
    const [gone] =
      await db`select count(*)::int as n from app.webhook_secrets where webhook_id = ${w.id}`;
    assertEquals(gone.n, 0, "its secrets go with it");
  } finally {
    await rx.close();
  }
});

test("events reach the subscriptions whose types and filters match, signed per Standard Webhooks", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("wh-match");
    const hot = await hook(t, rx, {
      name: "hot leads",
      url: `${rx.origin}/hot`,
      filter: [{ field: "ai_score", operator: "gte", value: 80 }],
    });
    const all = await hook(t, rx, {
      name: "all leads",
      url: `${rx.origin}/all`,
      events: ["leads.*"],
    });
    const cold = await hook(t, rx, {
      name: "cold",
      url: `${rx.origin}/cold`,
      filter: { field: "new.ai_score", operator: "lt", value: 20 },
    });
    const sessions = await hook(t, rx, {
      name: "sessions",
      url: `${rx.origin}/sessions`,
      events: ["session.completed", "session.failed"],
    });
    const [want] = await db`select app.webhooks_want(${t.id}, 'leads.INSERT') as leads,
      app.webhooks_want(${t.id}, 'tasks.completed') as tasks`;
    assertEquals([want.leads, want.tasks], [true, false]);

    const lead = leadEvent(t, { name: "Ada", email: "ada@example.com", ai_score: 85 });
    assertEquals(await dispatchEvent(pool, lead), 2, "hot and all match; cold's filter does not");
    assertEquals(await dispatchEvent(pool, lead), 0, "a replayed event queues nothing new");
    const done = event(t, "session.completed", { run_id: crypto.randomUUID(), summary: "done" });
    assertEquals(await dispatchEvent(pool, done), 1);

    await settled(t, hot.id);
    await settled(t, all.id);
    await settled(t, sessions.id);
    assertEquals((await deliveries(t, cold.id)).length, 0);
    for (const [w, path] of [[hot, "/hot"], [all, "/all"]] as const) {
      const [r] = rx.on(path);
      const body = new Webhook(w.secret).verify(r.body, r.headers) as Row;
      assertEquals(body.type, "leads.INSERT");
      assertEquals(body.id, lead.id);
      assertEquals(body.data.new.email, "ada@example.com");
      assertEquals(r.headers["content-type"], "application/json");
      const [d] = await deliveries(t, w.id);
      assertEquals(r.headers["webhook-id"], d.id, "webhook-id is the delivery's id");
      assertEquals([d.status, d.attempts, d.last_status_code, d.event_id], [
        "delivered",
        1,
        200,
        lead.id,
      ]);
    }
    const [s] = rx.on("/sessions");
    assertEquals(
      (new Webhook(sessions.secret).verify(s.body, s.headers) as Row).type,
      "session.completed",
    );
    const stats = await ok(t.key, "webhooks.get", { id: hot.id });
    assertEquals([stats.total_deliveries, stats.successful_deliveries, stats.failed_deliveries], [
      1,
      1,
      0,
    ]);
    assert(stats.last_success_at && stats.last_triggered_at);

    await ok(t.key, "webhooks.update", { id: all.id, is_active: false });
    const next = leadEvent(t, { name: "Bob", ai_score: 10 });
    assertEquals(
      await dispatchEvent(pool, next),
      1,
      "only cold now: all is off, hot's filter fails",
    );
  } finally {
    await rx.close();
  }
});

test("during a rotation's overlap deliveries carry two signatures, either secret verifies", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("wh-rotate");
    const w = await hook(t, rx);
    const rotated = await ok(t.key, "webhooks.rotate_secret", { id: w.id, overlap_seconds: 3600 });
    assert(rotated.secret !== w.secret);
    assert(Date.parse(rotated.previous_expires_at) > Date.now() + 3500_000);
    assertEquals(await dispatchEvent(pool, leadEvent(t, { name: "A" })), 1);
    await settled(t, w.id);
    const [r] = rx.received;
    assertEquals(r.headers["webhook-signature"].split(" ").length, 2);
    new Webhook(w.secret).verify(r.body, r.headers);
    new Webhook(rotated.secret).verify(r.body, r.headers);

    const again = await ok(t.key, "webhooks.rotate_secret", { id: w.id, overlap_seconds: 0 });
    assertEquals(again.previous_expires_at, null);
    assertEquals(await dispatchEvent(pool, leadEvent(t, { name: "B" })), 1);
    await settled(t, w.id, 2);
    const r2 = rx.received[1];
    assertEquals(r2.headers["webhook-signature"].split(" ").length, 1, "overlap 0: one signature");
    new Webhook(again.secret).verify(r2.body, r2.headers);
    let refused = false;
    try {
      new Webhook(rotated.secret).verify(r2.body, r2.headers);
    } catch {
      refused = true;
    }
    assert(refused, "the retired secret no longer verifies");
  } finally {
    await rx.close();
  }
});

test("a failing receiver is retried with backoff until it recovers; statistics follow", async () => {
  let failures = 2;
  const rx = startReceiver(() => failures-- > 0 ? { status: 500, body: "oops" } : { status: 204 });
  try {
    const t = await newTenant("wh-retry");
    const w = await hook(t, rx, { retry_schedule_seconds: [1, 1, 1] });
    await dispatchEvent(pool, leadEvent(t, { name: "A" }));
    const [d] = await settled(t, w.id);
    assertEquals([d.status, d.attempts, d.max_attempts, d.last_status_code], [
      "delivered",
      3,
      4,
      204,
    ]);
    assertEquals(rx.received.length, 3);
    assertEquals(
      new Set(rx.received.map((r) => r.headers["webhook-id"])).size,
      1,
      "same webhook-id",
    );
    assert(rx.received[1].at - rx.received[0].at >= 700, "waited about a second");
    const stats = await ok(t.key, "webhooks.get", { id: w.id });
    assertEquals([stats.successful_deliveries, stats.failed_deliveries], [1, 0]);
    assertMatch(stats.last_error, /^HTTP_500/, "the last failure is kept for operators");
  } finally {
    await rx.close();
  }
});

test("Retry-After from a 429 is honoured over a shorter schedule", async () => {
  let first = true;
  const rx = startReceiver(() => {
    if (!first) return { status: 200 };
    first = false;
    return { status: 429, headers: { "retry-after": "3" } };
  });
  try {
    const t = await newTenant("wh-ra");
    const w = await hook(t, rx, { retry_schedule_seconds: [1] });
    await dispatchEvent(pool, leadEvent(t, { name: "A" }));
    const [d] = await settled(t, w.id);
    assertEquals([d.status, d.attempts], ["delivered", 2]);
    const gap = rx.received[1].at - rx.received[0].at;
    assert(gap >= 2900, `the retry waited for Retry-After (gap ${gap} ms)`);
  } finally {
    await rx.close();
  }
});

test("410 Gone disables the webhook with the reason and stops retrying; 400 is final too", async () => {
  const rx = startReceiver((r) =>
    r.path === "/gone" ? { status: 410 } : { status: 400, body: "bad" }
  );
  try {
    const t = await newTenant("wh-gone");
    const gone = await hook(t, rx, { url: `${rx.origin}/gone`, retry_schedule_seconds: [1, 1] });
    const bad = await hook(t, rx, { url: `${rx.origin}/bad`, retry_schedule_seconds: [1, 1] });
    await dispatchEvent(pool, leadEvent(t, { name: "A" }));
    const [dg] = await settled(t, gone.id);
    const [db4] = await settled(t, bad.id);
    assertEquals([dg.status, dg.attempts, dg.last_status_code], ["failed", 1, 410]);
    assertEquals([db4.status, db4.attempts, db4.last_status_code], ["failed", 1, 400]);
    assertMatch(db4.last_error, /^HTTP_400.*bad/);
    const w = await ok(t.key, "webhooks.get", { id: gone.id });
    assertEquals([w.is_active, w.failed_deliveries], [false, 1]);
    assertMatch(w.disabled_reason, /^410 Gone/);
    assertEquals(
      (await ok(t.key, "webhooks.get", { id: bad.id })).is_active,
      true,
      "a 400 does not disable",
    );
    await new Promise((r) => setTimeout(r, 2000));
    assertEquals(rx.on("/gone").length, 1, "no retry after 410");
    assertEquals(rx.on("/bad").length, 1, "no retry after 400");
    assertEquals((await call(t.key, "webhooks.test", { id: gone.id })).status, 409);
    const on = await ok(t.key, "webhooks.update", { id: gone.id, is_active: true });
    assertEquals([on.is_active, on.disabled_reason], [true, null]);
  } finally {
    await rx.close();
  }
});

test("after the last attempt a delivery is dead, in the dead-letter queue, and counted failed", async () => {
  const rx = startReceiver(() => ({ status: 503 }));
  try {
    const t = await newTenant("wh-dead");
    const w = await hook(t, rx, { retry_schedule_seconds: [1] });
    await dispatchEvent(pool, leadEvent(t, { name: "A" }));
    const [d] = await settled(t, w.id);
    assertEquals([d.status, d.attempts, d.last_status_code], ["dead", 2, 503]);
    assertMatch(d.last_error, /gave up after 2 attempts/);
    const dlq = await db`select message from pgmq.q_deliveries_dlq
      where message -> 'message' ->> 'delivery_id' = ${d.id} or message ->> 'delivery_id' = ${d.id}`;
    assertEquals(dlq.length, 1, "the message went to deliveries_dlq");
    const stats = await ok(t.key, "webhooks.get", { id: w.id });
    assertEquals([stats.successful_deliveries, stats.failed_deliveries, stats.is_active], [
      0,
      1,
      true,
    ]);
  } finally {
    await rx.close();
  }
});

test("an attempt that exceeds the webhook's timeout fails and is retried", async () => {
  let slow = true;
  const rx = startReceiver(() => {
    if (!slow) return { status: 200 };
    slow = false;
    return { status: 200, delayMs: 3000 };
  });
  try {
    const t = await newTenant("wh-timeout");
    const w = await hook(t, rx, { timeout_ms: 1000, retry_schedule_seconds: [1] });
    await dispatchEvent(pool, leadEvent(t, { name: "A" }));
    const [d] = await settled(t, w.id);
    assertEquals([d.status, d.attempts], ["delivered", 2]);
    const stats = await ok(t.key, "webhooks.get", { id: w.id });
    assertMatch(stats.last_error, /^TIMEOUT: no complete answer within 1000 ms/);
  } finally {
    await rx.close();
  }
});

test("a redelivered message never sends twice: not after delivery, not while an attempt is in flight", async () => {
  const rx = startReceiver((r) => r.n === 1 ? { status: 200, delayMs: 1500 } : { status: 200 });
  try {
    const t = await newTenant("wh-dup");
    const w = await hook(t, rx);
    await dispatchEvent(pool, leadEvent(t, { name: "A" }));
    const [pending] = await eventually(async () => {
      const ds = await deliveries(t, w.id);
      return ds.length && ds[0].attempts === 1 ? ds : null;
    });
    // while the first attempt is in flight, the same message arrives again
    const resend = () =>
      db`select pgmq.send('deliveries', ${
        db.json({ tenant_id: t.id, kind: "webhook", delivery_id: pending.id })
      }), app.queue_wake('deliveries', 'test')`;
    await resend();
    const [d] = await settled(t, w.id);
    assertEquals([d.status, d.attempts], ["delivered", 1]);
    // and once more after it was delivered
    await resend();
    await eventually(async () => {
      const [q] = await db`select count(*)::int as n from pgmq.q_deliveries
        where message ->> 'delivery_id' = ${d.id}`;
      return q.n === 0;
    }, 15_000);
    assertEquals(rx.received.length, 1, "the receiver got it exactly once");
    assertEquals((await deliveries(t, w.id))[0].attempts, 1);
  } finally {
    await rx.close();
  }
});

test("sendWebhook: ad-hoc signed sends with a secret bound to the URL's origin, once per idempotency key", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("wh-adhoc");
    const whsec = "whsec_" +
      btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await ok(t.key, "secrets.set", { name: "partner", value: whsec, origin: rx.origin });
    const payload = { order: 42, items: ["a", "b"] };
    const first = await sendWebhook(pool, t.id, {
      url: `${rx.origin}/partner?x=1`,
      payload,
      secret_name: "partner",
      headers: { "x-partner": "acme" },
      idempotency_key: "order-42",
      retry_schedule_seconds: [1],
    });
    const again = await sendWebhook(pool, t.id, {
      url: `${rx.origin}/partner?x=1`,
      payload,
      secret_name: "partner",
      idempotency_key: "order-42",
    });
    assertEquals(again.delivery_id, first.delivery_id, "the same key returns the first delivery");
    const [d] = await eventually(async () => {
      const { items } = await ok(t.key, "webhooks.deliveries", {});
      return items.length === 1 && items[0].status !== "pending" ? items : null;
    });
    assertEquals([d.status, d.webhook_id, d.event_type, d.url], [
      "delivered",
      null,
      "send_webhook",
      `${rx.origin}/partner?x=1`,
    ]);
    const [r] = rx.received;
    assertEquals(r.path, "/partner?x=1");
    assertEquals(r.headers["x-partner"], "acme");
    assertEquals(new Webhook(whsec).verify(r.body, r.headers), payload);
    assertEquals(rx.received.length, 1);

    // a secret bound to another origin is never used: the delivery fails without a request
    await ok(t.key, "secrets.set", {
      name: "elsewhere",
      value: whsec,
      origin: "https://partner.example",
    });
    const misbound = await sendWebhook(pool, t.id, {
      url: `${rx.origin}/x`,
      payload,
      secret_name: "elsewhere",
    });
    const failed = await eventually(async () => {
      const { items } = await ok(t.key, "webhooks.deliveries", { status: "failed" });
      return items.find((i: Row) => i.id === misbound.delivery_id);
    });
    assertMatch(failed.last_error, /^SECRET_ORIGIN/);
    assertEquals(rx.received.length, 1);
    let refused = "";
    try {
      await sendWebhook(pool, t.id, { url: "ftp://x.example/", payload });
    } catch (e) {
      refused = (e as Error).message;
    }
    assertMatch(refused, /only http and https/);
  } finally {
    await rx.close();
  }
});

test("webhooks.test sends a signed test delivery and waits for its first attempt", async () => {
  const rx = startReceiver(() => ({ status: 200, body: "thanks" }));
  try {
    const t = await newTenant("wh-test");
    const w = await hook(t, rx, { events: ["orders.created"] });
    const d = await ok(t.key, "webhooks.test", { id: w.id, payload: { hello: "world" } });
    assertEquals([d.status, d.is_test, d.event_type, d.last_response], [
      "delivered",
      true,
      "webhook.test",
      "thanks",
    ]);
    const body = new Webhook(w.secret).verify(rx.received[0].body, rx.received[0].headers) as Row;
    assertEquals([body.type, body.data], ["webhook.test", { hello: "world" }]);
    assertEquals((await ok(t.key, "webhooks.get", { id: w.id })).total_deliveries, 1);
  } finally {
    await rx.close();
  }
});

// the test pool outlives single tests; close it once the last test of this file is done
Deno.test({
  name: "webhooks tests release their connections",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => pool.end(),
});
