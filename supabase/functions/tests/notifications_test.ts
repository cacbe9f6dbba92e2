// Notifications through ora notifications.* and notification_routes.*: routes by severity, each
// external channel against a loopback receiver in the shape its real API expects (Resend email,
// Twilio SMS, Slack and Teams incoming webhooks, a Standard Webhooks-signed webhook), the delivery
// log, retries, and secrets only ever sent to the origin they are bound to.
import { Webhook } from "standardwebhooks";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  call,
  db,
  eventually,
  newTenant,
  ok,
  SERVICE_KEY,
  test,
  type TestTenant,
} from "./_helpers.ts";
import { startReceiver } from "./_receiver.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

/** Waits until every delivery of a notification is settled (not pending), and returns them. */
async function settledDeliveries(key: string, id: string, timeoutMs = 20_000): Promise<Row[]> {
  return await eventually(
    async () => {
      const { items } = await ok(key, "notifications.deliveries", { id });
      return items.length > 0 && items.every((d: Row) => d.status !== "pending") ? items : null;
    },
    timeoutMs,
    150,
  );
}

async function configure(t: TestTenant, notifications: Record<string, unknown>) {
  await ok(t.key, "settings.update", { notifications });
}

test("routes by severity pick the channels; explicit channels win; unrouted severities go to admin", async () => {
  const slack = startReceiver();
  try {
    const t = await newTenant("routes");
    await ok(t.key, "secrets.set", {
      name: "slack_hook",
      value: `${slack.origin}/services/T000/B000/XXXX`,
      origin: slack.origin,
    });
    await configure(t, { channels: { slack: { url_secret: "slack_hook" } } });
    const route = await ok(t.key, "notification_routes.set", {
      severity: "warning",
      channels: ["admin", "ora", "slack"],
    });
    assertEquals(route.channels, ["admin", "ora", "slack"]);
    const routes = await ok(t.key, "notification_routes.list");
    assertEquals(routes.items.map((r: Row) => r.severity), ["warning"]);
    assertEquals(routes.defaults.length, 4, "the other severities go to admin");

    const warning = await ok(t.key, "notifications.send", {
      type: "warning",
      title: "Disk almost full",
      message: "Volume /data is at 91%.",
    });
    assertEquals(warning.channels, ["admin", "ora", "slack"]);
    assertEquals(warning.delivery_status.admin.status, "delivered", "in-app: delivered at once");
    assertEquals(warning.delivery_status.slack.status, "pending");
    const info = await ok(t.key, "notifications.send", {
      type: "info",
      title: "Hi",
      message: "Hello",
    });
    assertEquals(info.channels, ["admin"]);
    const explicit = await ok(t.key, "notifications.send", {
      type: "warning",
      title: "For ORA only",
      message: "x",
      channels: ["ora"],
    });
    assertEquals(explicit.channels, ["ora"], "explicit channels win over the route");

    const [d] = await settledDeliveries(t.key, warning.id);
    assertEquals([d.channel, d.status, d.attempts, d.last_status_code], [
      "slack",
      "delivered",
      1,
      200,
    ]);
    assertEquals(slack.received.length, 1, "only the routed warning went to Slack");
    const body = JSON.parse(slack.received[0].body);
    assertEquals(slack.received[0].path, "/services/T000/B000/XXXX");
    assertMatch(body.text, /Disk almost full/);
    assertEquals(body.blocks[0].text.text, "Disk almost full");
    const after = await ok(t.key, "notifications.get", { id: warning.id });
    assertEquals(after.delivery_status.slack.status, "delivered");

    const ora = await ok(t.key, "notifications.list", { channel: "ora" });
    assertEquals(ora.items.map((n: Row) => n.title).sort(), ["Disk almost full", "For ORA only"]);
    await ok(t.key, "notification_routes.delete", { severity: "warning" });
    const unrouted = await ok(t.key, "notifications.send", {
      type: "warning",
      title: "w",
      message: "m",
    });
    assertEquals(unrouted.channels, ["admin"], "a deleted route falls back to admin");
  } finally {
    await slack.close();
  }
});

test("email goes out as a Resend send with the key bound to the endpoint and an idempotency key", async () => {
  const resend = startReceiver(() => ({ status: 200, body: '{"id":"em_1"}' }));
  try {
    const t = await newTenant("email");
    await ok(t.key, "secrets.set", {
      name: "resend",
      value: "re_test_123456789",
      origin: resend.origin,
    });
    await configure(t, {
      channels: {
        email: {
          url: `${resend.origin}/emails`,
          api_key_secret: "resend",
          from: "Ora <alerts@example.com>",
          to: ["ops@example.com"],
        },
      },
    });
    const n = await ok(t.key, "notifications.send", {
      type: "error",
      title: "Sync failed",
      message: "The CRM sync failed 3 times.",
      channels: ["admin", "email"],
      delivery_config: {
        email: { to: ["cfo@example.com", "ops@example.com"], subject: "CRM sync" },
      },
    });
    const [d] = await settledDeliveries(t.key, n.id);
    assertEquals([d.channel, d.status, d.target], [
      "email",
      "delivered",
      "cfo@example.com, ops@example.com",
    ]);
    const [r] = resend.received;
    assertEquals([r.method, r.path], ["POST", "/emails"]);
    assertEquals(r.headers.authorization, "Bearer re_test_123456789");
    assertEquals(r.headers["idempotency-key"], d.id);
    assertEquals(r.headers["content-type"], "application/json");
    const body = JSON.parse(r.body);
    assertEquals(body.from, "Ora <alerts@example.com>");
    assertEquals(body.to, ["cfo@example.com", "ops@example.com"]);
    assertEquals(body.subject, "CRM sync");
    assertMatch(body.text, /The CRM sync failed 3 times\./);
    assertMatch(body.html, /<h2>Sync failed<\/h2>/);
  } finally {
    await resend.close();
  }
});

test("sms goes to each number as a Twilio Messages form with Basic auth", async () => {
  const twilio = startReceiver(() => ({ status: 201, body: '{"sid":"SM1"}' }));
  try {
    const t = await newTenant("sms");
    await ok(t.key, "secrets.set", {
      name: "twilio",
      value: "twilio-token-123",
      origin: twilio.origin,
    });
    await configure(t, {
      channels: {
        sms: {
          url: twilio.origin,
          account_sid: "AC0123456789",
          api_key_secret: "twilio",
          from: "+14155550100",
          to: ["+14155550101", "+14155550102"],
        },
      },
    });
    const n = await ok(t.key, "notifications.send", {
      type: "alert",
      title: "Line 3 stopped",
      message: "Press P-12 tripped.",
      channels: ["sms"],
    });
    const [d] = await settledDeliveries(t.key, n.id);
    assertEquals([d.status, d.sent_to.sort()], ["delivered", ["+14155550101", "+14155550102"]]);
    assertEquals(twilio.received.length, 2, "one message per number");
    for (const r of twilio.received) {
      assertEquals(r.path, "/2010-04-01/Accounts/AC0123456789/Messages.json");
      assertEquals(r.headers["content-type"], "application/x-www-form-urlencoded");
      assertEquals(r.headers.authorization, `Basic ${btoa("AC0123456789:twilio-token-123")}`);
      const form = new URLSearchParams(r.body);
      assertEquals(form.get("From"), "+14155550100");
      assertMatch(form.get("Body")!, /^Alert: Line 3 stopped — Press P-12 tripped\.$/);
    }
    assertEquals(
      twilio.received.map((r) => new URLSearchParams(r.body).get("To")).sort(),
      ["+14155550101", "+14155550102"],
    );
  } finally {
    await twilio.close();
  }
});

test("teams gets an Adaptive Card message; the webhook channel is signed per Standard Webhooks", async () => {
  const rx = startReceiver(() => ({ status: 202 }));
  try {
    const t = await newTenant("teams");
    const whsec = "whsec_" +
      btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await ok(t.key, "secrets.set", {
      name: "teams_hook",
      value: `${rx.origin}/teams/abc`,
      origin: rx.origin,
    });
    await ok(t.key, "secrets.set", { name: "hook_signing", value: whsec, origin: rx.origin });
    await configure(t, {
      channels: {
        teams: { url_secret: "teams_hook" },
        webhook: { url: `${rx.origin}/hook`, signing_secret: "hook_signing" },
      },
    });
    const n = await ok(t.key, "notifications.send", {
      type: "success",
      title: "Backup done",
      message: "All 12 volumes backed up.",
      data: { volumes: 12 },
      channels: ["teams", "webhook"],
    });
    const ds = await settledDeliveries(t.key, n.id);
    assertEquals(ds.map((d) => [d.channel, d.status, d.last_status_code]).sort(), [
      ["teams", "delivered", 202],
      ["webhook", "delivered", 202],
    ]);
    const teams = JSON.parse(rx.on("/teams")[0].body);
    assertEquals(teams.type, "message");
    assertEquals(teams.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
    assertEquals(teams.attachments[0].content.body[0].text, "Backup done");
    const [hook] = rx.on("/hook");
    const payload = new Webhook(whsec).verify(hook.body, hook.headers) as Row;
    assertEquals(payload.type, "notification.success");
    assertEquals(payload.data.id, n.id);
    assertEquals(payload.data.data, { volumes: 12 });
    assertEquals(hook.headers["webhook-id"], ds.find((d) => d.channel === "webhook")!.id);
  } finally {
    await rx.close();
  }
});

test("a failing channel is retried on the tenant's schedule until the receiver recovers", async () => {
  let failures = 2;
  const rx = startReceiver(() => failures-- > 0 ? { status: 503, body: "busy" } : { status: 200 });
  try {
    const t = await newTenant("nretry");
    await ok(t.key, "secrets.set", {
      name: "slack_hook",
      value: `${rx.origin}/s/1/2/3`,
      origin: rx.origin,
    });
    await configure(t, {
      channels: { slack: { url_secret: "slack_hook" } },
      retry_schedule_seconds: [1, 1, 1],
    });
    const n = await ok(t.key, "notifications.send", {
      type: "error",
      title: "x",
      message: "y",
      channels: ["slack"],
    });
    const [d] = await settledDeliveries(t.key, n.id, 30_000);
    assertEquals([d.status, d.attempts, d.max_attempts, d.last_status_code], [
      "delivered",
      3,
      4,
      200,
    ]);
    assertEquals(rx.received.length, 3);
    assert(rx.received[1].at - rx.received[0].at >= 700, "the retry waited about a second");
  } finally {
    await rx.close();
  }
});

test("a channel that is not configured, or a secret bound elsewhere, fails at once and sends nothing", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("nocfg");
    const missing = await ok(t.key, "notifications.send", {
      type: "info",
      title: "x",
      message: "y",
      channels: ["admin", "email"],
    });
    const [d1] = await settledDeliveries(t.key, missing.id);
    assertEquals([d1.status, d1.attempts], ["failed", 1]);
    assertMatch(d1.last_error, /^CHANNEL_NOT_CONFIGURED: Channel email is not configured/);

    // the key is bound to Resend's origin; the endpoint points elsewhere: the key is not read
    await ok(t.key, "secrets.set", {
      name: "resend",
      value: "re_live_123456789",
      origin: "https://api.resend.com",
    });
    await configure(t, {
      channels: {
        email: {
          url: `${rx.origin}/emails`,
          api_key_secret: "resend",
          from: "a@example.com",
          to: ["b@example.com"],
        },
      },
    });
    const misbound = await ok(t.key, "notifications.send", {
      type: "info",
      title: "x",
      message: "y",
      channels: ["email"],
    });
    const [d2] = await settledDeliveries(t.key, misbound.id);
    assertEquals(d2.status, "failed");
    assertMatch(
      d2.last_error,
      /^SECRET_ORIGIN: Secret resend is bound to https:\/\/api\.resend\.com/,
    );
    assertEquals(rx.received.length, 0, "nothing was sent");
    const [log] = await db`select action, purpose from app.secret_access_log
      where tenant_id = ${t.id} and name = 'resend' and action = 'refused'`;
    assert(log, "the refusal is logged");
  } finally {
    await rx.close();
  }
});

test("inbox: list, get, read and dismiss; invalid input is a 400; routes need settings scope", async () => {
  const t = await newTenant("inbox");
  const a = await ok(t.key, "notifications.send", { type: "info", title: "A", message: "a" });
  const b = await ok(t.key, "notifications.send", {
    type: "alert",
    title: "B",
    message: "b",
    priority: 5,
  });
  assertEquals(a.source_type, "api");
  let list = await ok(t.key, "notifications.list", { unread: true });
  assertEquals(list.items.map((n: Row) => n.title), ["B", "A"]);
  assertEquals((await ok(t.key, "notifications.read", { id: a.id })).updated, 1);
  assertEquals((await ok(t.key, "notifications.read", { id: a.id })).updated, 0, "already read");
  list = await ok(t.key, "notifications.list", { unread: true });
  assertEquals(list.items.map((n: Row) => n.title), ["B"]);
  assertEquals((await ok(t.key, "notifications.dismiss", { all: true })).updated, 2);
  assertEquals(
    (await ok(t.key, "notifications.list")).items.length,
    0,
    "dismissed ones leave the list",
  );
  assertEquals(
    (await ok(t.key, "notifications.list", { include_dismissed: true, type: "alert" })).items
      .length,
    1,
  );
  assertEquals((await ok(t.key, "notifications.get", { id: b.id })).read, false);

  const other = await newTenant("inbox-other");
  assertEquals((await call(other.key, "notifications.get", { id: a.id })).status, 404);
  assertEquals((await call(other.key, "notifications.read", { id: a.id })).status, 404);
  assertEquals((await call(other.key, "notifications.deliveries", { id: a.id })).status, 404);

  const bad = await call(t.key, "notifications.send", {
    title: "x",
    message: "y",
    channels: ["pigeon"],
  });
  assertEquals(bad.status, 400);
  const none = await call(t.key, "notifications.read", {});
  assertEquals(none.status, 400);
  const badSettings = await call(t.key, "settings.update", {
    notifications: {
      channels: { email: { url: "https://x.example/e", from: "a@b.co", to: ["a@b.co"] } },
    },
  });
  assertEquals(badSettings.status, 400, "email needs api_key_secret");

  const limited = await ok(t.key, "keys.create", {
    name: "notify-only",
    scopes: ["notifications:*"],
  });
  assertEquals(
    (await call(limited.key, "notifications.send", { title: "x", message: "y" })).status,
    200,
  );
  assertEquals(
    (await call(limited.key, "notification_routes.set", { severity: "info", channels: ["ora"] }))
      .status,
    403,
    "routes are an admin concern (settings:write)",
  );
});

test("the service role can send into a tenant; budget alerts are routed like any notification", async () => {
  const t = await newTenant("budget");
  await ok(t.key, "notification_routes.set", { severity: "warning", channels: ["admin", "ora"] });
  await ok(t.key, "budgets.set", { monthly_budget_usd: 1, alert_thresholds: [50] });
  await db`select app.usage_record(${t.id}, ${
    db.json({ provider: "test", model: "m", prompt_tokens: 1, completion_tokens: 1, cost_usd: 0.6 })
  })`;
  const [n] = await db`select type, channels from public.notifications where tenant_id = ${t.id}`;
  assertEquals([n.type, n.channels], ["warning", ["admin", "ora"]]);
  const r = await call(SERVICE_KEY, "notifications.send", { title: "From ops", message: "hello" }, {
    "x-ora-tenant": t.id,
  });
  assertEquals(r.status, 200);
});
