// Pure pieces of the deliveries worker: Standard Webhooks signatures (checked with the
// standardwebhooks package), what an answer means, retry delays, and each channel's request shape.
import { Webhook } from "standardwebhooks";
import { assert, assertEquals, assertMatch, assertThrows } from "../_assert.ts";
import {
  combine,
  parseRetryAfter,
  retryDelaySeconds,
  verdictForStatus,
} from "../../_shared/webhooks/attempt.ts";
import { newSecret, secretKey, signatureHeaders } from "../../_shared/webhooks/sign.ts";
import {
  emailRequest,
  NotificationSettings,
  type NotificationView,
  slackRequest,
  smsRequests,
  teamsRequest,
} from "../../_shared/notifications/channels.ts";

Deno.test("signatures verify with the standardwebhooks package, one per secret", async () => {
  const current = newSecret();
  const previous = newSecret();
  const body = JSON.stringify({ type: "leads.INSERT", data: { name: "Ada" } });
  const headers = await signatureHeaders([current, previous], "msg_1", body);
  assertEquals(headers["webhook-id"], "msg_1");
  assertMatch(headers["webhook-timestamp"], /^\d{10}$/);
  assertEquals(headers["webhook-signature"].split(" ").length, 2);
  for (const s of [current, previous]) {
    assertEquals(new Webhook(s).verify(body, headers), JSON.parse(body));
  }
  assertThrows(() => new Webhook(newSecret()).verify(body, headers), Error);
  assertThrows(() => new Webhook(current).verify(body + " ", headers), Error);
  const unsigned = await signatureHeaders([], "msg_2", body);
  assertEquals(Object.keys(unsigned).sort(), ["webhook-id", "webhook-timestamp"]);
});

Deno.test("secrets must be whsec_ with a base64 key of at least 16 bytes", () => {
  assertEquals(secretKey(newSecret()).length, 32);
  assertThrows(() => secretKey("sk_abc"), TypeError);
  assertThrows(() => secretKey("whsec_!!!"), TypeError);
  assertThrows(() => secretKey("whsec_" + btoa("short")), TypeError);
});

Deno.test("2xx delivers, 410 is gone, 408/429/5xx retry, other 3xx/4xx are final", () => {
  assertEquals([200, 202, 204].map(verdictForStatus), ["delivered", "delivered", "delivered"]);
  assertEquals(verdictForStatus(410), "gone");
  assertEquals([408, 429, 500, 502, 503].map(verdictForStatus), Array(5).fill("retry"));
  assertEquals([301, 400, 401, 403, 404, 422].map(verdictForStatus), Array(6).fill("failed"));
});

Deno.test("Retry-After in seconds or as a date, capped at a day", () => {
  const now = Date.parse("2026-11-30T10:00:00Z");
  assertEquals(parseRetryAfter("7", now), 7);
  assertEquals(parseRetryAfter("Mon, 30 Nov 2026 10:01:00 GMT", now), 60);
  assertEquals(parseRetryAfter("999999", now), 86_400);
  assertEquals(parseRetryAfter("soon", now), null);
  assertEquals(parseRetryAfter(null, now), null);
});

Deno.test("retry delays follow the schedule with ±20% jitter, and honour a longer Retry-After", () => {
  const schedule = [30, 120, 600, 3600];
  assertEquals(retryDelaySeconds(schedule, 1, null, () => 0.5), 30);
  assertEquals(retryDelaySeconds(schedule, 1, null, () => 0), 24);
  assertEquals(retryDelaySeconds(schedule, 1, null, () => 1), 36);
  assertEquals(retryDelaySeconds(schedule, 3, null, () => 0.5), 600);
  assertEquals(retryDelaySeconds(schedule, 9, null, () => 0.5), 3600, "past the end: the last");
  assertEquals(retryDelaySeconds(schedule, 1, 300, () => 0.5), 300, "Retry-After is longer");
  assertEquals(retryDelaySeconds(schedule, 2, 5, () => 0.5), 120, "Retry-After is shorter");
  assertEquals(retryDelaySeconds([1], 1, null, () => 0), 1, "never below a second");
});

Deno.test("several requests of one delivery: delivered only when all were", () => {
  const r = (
    verdict: "delivered" | "retry" | "failed",
    retryAfterSeconds: number | null = null,
  ) => ({
    verdict,
    statusCode: 200,
    error: null,
    response: null,
    retryAfterSeconds,
    durationMs: 5,
  });
  assertEquals(combine([r("delivered"), r("delivered")]).verdict, "delivered");
  assertEquals(combine([r("delivered"), r("retry", 9)]).verdict, "retry");
  assertEquals(combine([r("delivered"), r("retry", 9)]).retryAfterSeconds, 9);
  assertEquals(combine([r("failed"), r("delivered")]).verdict, "failed");
  assertEquals(combine([r("failed"), r("retry")]).verdict, "retry");
});

const n: NotificationView = {
  id: "0b9f3a5e-0000-4000-8000-000000000001",
  type: "alert",
  title: "Budget 100% reached",
  message: "Spend is 101 USD of 100 USD.",
  data: { threshold: 100 },
  priority: 10,
  source_type: "system",
  source_id: null,
  created_at: "2026-11-30T10:00:00.000Z",
};

Deno.test("email is a Resend send: bearer key bound to the endpoint, idempotency key", () => {
  const cfg = NotificationSettings.parse({
    channels: {
      email: {
        api_key_secret: "resend",
        from: "Ora <alerts@example.com>",
        to: ["ops@example.com"],
      },
    },
  }).channels!.email!;
  assertEquals(cfg.url, "https://api.resend.com/emails", "Resend is the default endpoint");
  const req = emailRequest(n, cfg, { to: ["cfo@example.com"] }, "re_key_123456", "d-1");
  const body = JSON.parse(req.body);
  assertEquals(body.to, ["cfo@example.com"], "the notification's recipients win");
  assertEquals(body.from, "Ora <alerts@example.com>");
  assertEquals(body.subject, "[Alert] Budget 100% reached");
  assert(body.text.includes("Spend is 101 USD") && body.html.includes("<h2>"));
  assertEquals(req.headers["idempotency-key"], "d-1");
  assertEquals(req.credential, {
    origin: "https://api.resend.com",
    headers: { authorization: "Bearer re_key_123456" },
  });
});

Deno.test("sms is a Twilio Messages form per number not yet sent to, with Basic auth", () => {
  const cfg = NotificationSettings.parse({
    channels: {
      sms: {
        url: "http://127.0.0.1:9999/twilio",
        account_sid: "AC123456789",
        api_key_secret: "twilio",
        from: "+14155550100",
        to: ["+14155550101", "+14155550102"],
      },
    },
  }).channels!.sms!;
  const reqs = smsRequests(n, cfg, undefined, "token-123456", "d-2", ["+14155550101"]);
  assertEquals(reqs.length, 1, "the number already sent to is skipped");
  assertEquals(
    reqs[0].url,
    "http://127.0.0.1:9999/twilio/2010-04-01/Accounts/AC123456789/Messages.json",
  );
  const form = new URLSearchParams(reqs[0].body);
  assertEquals(form.get("To"), "+14155550102");
  assertEquals(form.get("From"), "+14155550100");
  assertMatch(form.get("Body")!, /^Alert: Budget 100% reached/);
  assertEquals(
    reqs[0].credential?.headers?.authorization,
    `Basic ${btoa("AC123456789:token-123456")}`,
  );
  assertEquals(reqs[0].headers["i-twilio-idempotency-token"], "d-2:+14155550102");
});

Deno.test("slack and teams post to the secret URL, which only that origin may receive", () => {
  const slack = slackRequest(n, "https://hooks.slack.com/services/T0/B0/XYZ");
  const s = JSON.parse(slack.body);
  assertMatch(s.text, /Budget 100% reached/);
  assertEquals(s.blocks[0].type, "header");
  assertEquals(slack.credential, {
    origin: "https://hooks.slack.com",
    secrets: ["https://hooks.slack.com/services/T0/B0/XYZ"],
  });
  const teams = JSON.parse(teamsRequest(n, "https://example.webhook.office.com/x/y").body);
  assertEquals(teams.type, "message");
  assertEquals(teams.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
  assertEquals(teams.attachments[0].content.type, "AdaptiveCard");
  assertEquals(teams.attachments[0].content.body[0].text, "Budget 100% reached");
});

Deno.test("channel settings refuse endpoints with credentials and unknown keys", () => {
  const bad = [
    {
      channels: {
        email: {
          url: "https://u:p@x.example/",
          api_key_secret: "k",
          from: "a@b.co",
          to: ["a@b.co"],
        },
      },
    },
    { channels: { pager: {} } },
    { channels: { sms: { account_sid: "AC1", api_key_secret: "k", from: "12", to: [] } } },
    { retry_schedule_seconds: [0] },
  ];
  for (const s of bad) assert(!NotificationSettings.safeParse(s).success, JSON.stringify(s));
});
