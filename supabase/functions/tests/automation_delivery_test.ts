// Automations meet deliveries: notification, email, Slack and webhook actions reach loopback
// receivers through the deliveries worker, and stored events (a lead insert, a finished session)
// reach webhook subscriptions through the trigger-engine — signed per Standard Webhooks.
import { Webhook } from "standardwebhooks";
import { assert, assertEquals } from "./_assert.ts";
import { eventually, newTenant, ok, test, type TestTenant } from "./_helpers.ts";
import { automation } from "./_automations.ts";
import { startReceiver } from "./_receiver.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

async function channels(t: TestTenant, origin: string) {
  await ok(t.key, "secrets.set", { name: "resend", value: "re_test_key_123456", origin });
  await ok(t.key, "secrets.set", { name: "slack_hook", value: `${origin}/slack/T0/B0/X`, origin });
  await ok(t.key, "settings.update", {
    notifications: {
      channels: {
        email: {
          url: `${origin}/emails`,
          api_key_secret: "resend",
          from: "Ora <ora@example.com>",
          to: ["ops@example.com"],
        },
        slack: { url_secret: "slack_hook" },
      },
    },
  });
}

test("send_notification, email and slack actions deliver through the tenant's channels", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("auto-deliver");
    await channels(t, rx.origin);
    const a = await automation(t, {
      actions: [
        {
          type: "send_notification",
          name: "note",
          config: {
            title: "Deal {{ trigger.data.deal }}",
            message: "won by {{ trigger.data.owner }}",
            type: "success",
            channels: ["admin", "slack"],
          },
        },
        {
          type: "email",
          config: {
            to: "{{ trigger.data.email }}",
            subject: "Deal {{ trigger.data.deal }}",
            body: "Congrats",
          },
        },
        { type: "slack", config: { text: "Deal {{ trigger.data.deal }} closed" } },
      ],
    });
    const r = await ok(t.key, "automations.run", {
      id: a.id,
      data: { deal: "D-9", owner: "Ann", email: "ann@example.com" },
      wait_ms: 10_000,
    });
    assertEquals(r.status, "success");
    const inbox = await ok(t.key, "notifications.get", {
      id: r.action_results.note.output.notification_id,
    });
    assertEquals([inbox.title, inbox.message, inbox.source_type], [
      "Deal D-9",
      "won by Ann",
      "automation",
    ]);
    await eventually(() =>
      Promise.resolve(rx.on("/slack").length === 2 && rx.on("/emails").length === 1)
    );
    const mail = JSON.parse(rx.on("/emails")[0].body);
    assertEquals(mail.to, ["ann@example.com"]);
    assertEquals(mail.subject, "Deal D-9");
    const texts = rx.on("/slack").map((x) => JSON.stringify(JSON.parse(x.body)));
    assert(texts.some((x) => x.includes("Deal D-9 closed")));
  } finally {
    await rx.close();
  }
});

test("send_webhook: a signed delivery with the run's step as idempotency key, retried until it lands", async () => {
  let fails = 1;
  const rx = startReceiver(() => fails-- > 0 ? { status: 503 } : {});
  try {
    const t = await newTenant("auto-sendhook");
    const secret = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;
    await ok(t.key, "secrets.set", { name: "partner", value: secret, origin: rx.origin });
    const a = await automation(t, {
      actions: [{
        type: "send_webhook",
        config: {
          url: `${rx.origin}/in`,
          payload: { lead: "{{ trigger.data.lead }}" },
          secret_name: "partner",
          retry_schedule_seconds: [1],
        },
      }],
    });
    const r = await ok(t.key, "automations.run", {
      id: a.id,
      data: { lead: "L-1" },
      wait_ms: 10_000,
    });
    assertEquals(r.status, "success");
    // the delivery is retried by the deliveries worker (the tenant's retry schedule)
    await eventually(() => Promise.resolve(rx.on("/in").length >= 2), 20_000, 200);
    const last = rx.on("/in").at(-1)!;
    const verified = new Webhook(secret).verify(last.body, last.headers) as Any;
    assertEquals(verified, { lead: "L-1" });
    const ids = new Set(rx.on("/in").map((x) => x.headers["webhook-id"]));
    assertEquals(ids.size, 1, "the same webhook-id on every attempt");
  } finally {
    await rx.close();
  }
});

test("stored events reach webhook subscriptions through the trigger-engine: a lead insert and a finished session", async () => {
  const rx = startReceiver();
  try {
    const t = await newTenant("auto-subs", { packs: ["content"] });
    const w = await ok(t.key, "webhooks.create", {
      name: "crm",
      url: `${rx.origin}/crm`,
      events: ["leads.INSERT", "session.completed"],
    });
    const lead = await ok(t.key, "leads.create", { name: "Webhooked", ai_score: 10 });
    const session = await ok(t.key, "agents.run", {
      agent: "analyst",
      query: "hello",
      wait_ms: 10_000,
    });
    await eventually(() => Promise.resolve(rx.on("/crm").length >= 2), 20_000, 100);
    const bodies = rx.on("/crm").map((x) => new Webhook(w.secret).verify(x.body, x.headers) as Any);
    const types = bodies.map((b) => b.type).sort();
    assertEquals(types, ["leads.INSERT", "session.completed"]);
    const ins = bodies.find((b) => b.type === "leads.INSERT");
    assertEquals(ins.data.new.id, lead.id);
    const done = bodies.find((b) => b.type === "session.completed");
    assertEquals(done.data.run_id, session.session?.id ?? session.id);
  } finally {
    await rx.close();
  }
});
