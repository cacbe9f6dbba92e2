/**
 * Notification channels: the tenant settings that configure them (`settings.notifications`,
 * admins only) and the HTTP request each channel's real API expects. Pure functions; the
 * deliveries worker reads the settings and secrets and sends what these build.
 *
 * | channel | API shape | credential |
 * | --- | --- | --- |
 * | email | Resend `POST /emails` JSON `{from, to[], subject, text, html, reply_to?, tags, headers}` (SendGrid-style providers with a Resend-compatible endpoint work too) | `Authorization: Bearer <api_key_secret>`, bound to the url's origin; `Idempotency-Key: <delivery id>` |
 * | sms | Twilio `POST /2010-04-01/Accounts/{account_sid}/Messages.json`, form `To`, `From`, `Body`; one request per number | HTTP Basic `account_sid:<api_key_secret>`; `I-Twilio-Idempotency-Token` |
 * | slack | Slack incoming webhook: JSON `{text, blocks}` | the webhook URL itself is the secret (`url_secret`) |
 * | teams | Teams Workflows incoming webhook: JSON `{type: "message", attachments: [Adaptive Card 1.4]}` | the webhook URL is the secret (`url_secret`) |
 * | webhook | Standard Webhooks JSON `{id, type: "notification.<severity>", timestamp, data}` | optional `signing_secret` (a `whsec_…` tenant secret) signs it |
 *
 * @module
 */
import { z } from "zod";
import { SecretName } from "../secrets/secrets.ts";
import type { PreparedRequest } from "../webhooks/attempt.ts";

export const IN_APP_CHANNELS = ["admin", "ora"] as const;
export const EXTERNAL_CHANNELS = ["email", "webhook", "slack", "teams", "sms"] as const;
export const CHANNELS = [...IN_APP_CHANNELS, ...EXTERNAL_CHANNELS] as const;
export type Channel = (typeof CHANNELS)[number];
export type ExternalChannel = (typeof EXTERNAL_CHANNELS)[number];
export const SEVERITIES = ["info", "success", "warning", "error", "alert"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** An http(s) URL with no user name or password. */
export const EndpointUrl = z.url().max(2000).refine((u) => {
  const url = new URL(u);
  return (url.protocol === "https:" || url.protocol === "http:") && !url.username &&
    !url.password;
}, "an http(s) URL without user name or password");

const Phone = z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 number such as +14155550100");

/** A retry schedule: seconds to wait after failed attempt 1, 2, … */
export const RetrySchedule = z.array(z.number().int().min(1).max(86_400)).min(1).max(20)
  .describe("Seconds to wait after failed attempt 1, 2, … (±20% jitter; Retry-After honoured)");

export const EmailChannel = z.object({
  url: EndpointUrl.default("https://api.resend.com/emails").describe(
    "Resend-compatible send endpoint",
  ),
  api_key_secret: SecretName.describe("Tenant secret with the API key, bound to url's origin"),
  from: z.string().min(3).max(320).describe("Sender, e.g. Ora <alerts@example.com>"),
  to: z.array(z.email()).min(1).max(50).describe("Default recipients"),
  reply_to: z.email().optional(),
}).strict();

export const SmsChannel = z.object({
  url: EndpointUrl.default("https://api.twilio.com").describe("Twilio-compatible API base URL"),
  account_sid: z.string().regex(/^[A-Za-z0-9]{8,64}$/, "the account SID"),
  api_key_secret: SecretName.describe("Tenant secret with the auth token, bound to url's origin"),
  from: Phone,
  to: z.array(Phone).min(1).max(20).describe("Default recipients"),
}).strict();

export const IncomingWebhookChannel = z.object({
  url_secret: SecretName.describe(
    "Tenant secret whose value is the incoming-webhook URL, bound to that URL's origin",
  ),
}).strict();

export const WebhookChannel = z.object({
  url: EndpointUrl,
  signing_secret: SecretName.optional().describe(
    "Tenant secret holding a whsec_… key, bound to url's origin: deliveries are signed per Standard Webhooks",
  ),
}).strict();

/** settings.notifications: channel endpoints, retry schedule and timeout (admins only). */
export const NotificationSettings = z.object({
  channels: z.object({
    email: EmailChannel.optional(),
    sms: SmsChannel.optional(),
    slack: IncomingWebhookChannel.optional(),
    teams: IncomingWebhookChannel.optional(),
    webhook: WebhookChannel.optional(),
  }).strict().optional(),
  retry_schedule_seconds: RetrySchedule.optional(),
  timeout_ms: z.number().int().min(1000).max(30_000).optional().describe(
    "Time allowed for one attempt (default 10000)",
  ),
}).strict();
export type NotificationSettings = z.infer<typeof NotificationSettings>;

/** notifications.delivery_config: recipients and subject per notification; never endpoints. */
export const DeliveryConfig = z.object({
  email: z.object({
    to: z.array(z.email()).min(1).max(50).optional(),
    subject: z.string().min(1).max(300).optional(),
  }).strict().optional(),
  sms: z.object({ to: z.array(Phone).min(1).max(20).optional() }).strict().optional(),
}).strict();
export type DeliveryConfig = z.infer<typeof DeliveryConfig>;

/** What a channel renders. */
export interface NotificationView {
  id: string;
  type: Severity;
  title: string;
  message: string;
  data: unknown;
  priority: number;
  source_type: string | null;
  source_id: string | null;
  created_at: string;
}

const LABEL: Record<Severity, string> = {
  info: "Info",
  success: "Success",
  warning: "Warning",
  error: "Error",
  alert: "Alert",
};
const USER_AGENT = "Ora-Notifications/1";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function subjectOf(n: NotificationView): string {
  return n.type === "info" || n.type === "success" ? n.title : `[${LABEL[n.type]}] ${n.title}`;
}

/** Resend `POST /emails`. */
export function emailRequest(
  n: NotificationView,
  cfg: z.infer<typeof EmailChannel>,
  override: DeliveryConfig["email"],
  apiKey: string,
  deliveryId: string,
): PreparedRequest {
  const origin = new URL(cfg.url).origin;
  const body = {
    from: cfg.from,
    to: override?.to ?? cfg.to,
    subject: override?.subject ?? subjectOf(n),
    text: `${n.message}\n\n— ${LABEL[n.type]} from Ora (${n.created_at})`,
    html: `<h2>${escapeHtml(n.title)}</h2><p>${
      escapeHtml(n.message).replaceAll("\n", "<br>")
    }</p><p style="color:#888">${LABEL[n.type]} from Ora · ${escapeHtml(n.created_at)}</p>`,
    ...(cfg.reply_to ? { reply_to: cfg.reply_to } : {}),
    tags: [{ name: "severity", value: n.type }, { name: "source", value: "ora" }],
    headers: { "X-Ora-Notification-Id": n.id },
  };
  return {
    url: cfg.url,
    headers: {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      "idempotency-key": deliveryId,
    },
    body: JSON.stringify(body),
    credential: { origin, headers: { authorization: `Bearer ${apiKey}` } },
  };
}

/** Twilio `Messages.json`, one request per recipient not yet sent to. */
export function smsRequests(
  n: NotificationView,
  cfg: z.infer<typeof SmsChannel>,
  override: DeliveryConfig["sms"],
  authToken: string,
  deliveryId: string,
  alreadySent: readonly string[],
): PreparedRequest[] {
  const base = new URL(cfg.url);
  const url = new URL(
    `${base.pathname.replace(/\/$/, "")}/2010-04-01/Accounts/${
      encodeURIComponent(cfg.account_sid)
    }/Messages.json`,
    base.origin,
  ).toString();
  const text = `${LABEL[n.type]}: ${n.title} — ${n.message}`.slice(0, 1600);
  const basic = btoa(`${cfg.account_sid}:${authToken}`);
  return (override?.to ?? cfg.to).filter((to) => !alreadySent.includes(to)).map((to) => ({
    url,
    key: to,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": USER_AGENT,
      "i-twilio-idempotency-token": `${deliveryId}:${to}`,
    },
    body: new URLSearchParams({ To: to, From: cfg.from, Body: text }).toString(),
    credential: { origin: base.origin, headers: { authorization: `Basic ${basic}` } },
  }));
}

/** Slack incoming webhook: `{text, blocks}` (text is the fallback for notifications). */
export function slackRequest(n: NotificationView, url: string): PreparedRequest {
  const body = {
    text: `${LABEL[n.type]}: ${n.title} — ${n.message}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: n.title.slice(0, 150) } },
      { type: "section", text: { type: "mrkdwn", text: n.message.slice(0, 3000) } },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `*${LABEL[n.type]}* · Ora · ${n.created_at}` }],
      },
    ],
  };
  return {
    url,
    headers: { "content-type": "application/json", "user-agent": USER_AGENT },
    body: JSON.stringify(body),
    credential: { origin: new URL(url).origin, secrets: [url] },
  };
}

const TEAMS_COLOR: Record<Severity, string> = {
  info: "Default",
  success: "Good",
  warning: "Warning",
  error: "Attention",
  alert: "Attention",
};

/** Teams Workflows incoming webhook: a message with one Adaptive Card. */
export function teamsRequest(n: NotificationView, url: string): PreparedRequest {
  const body = {
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          {
            type: "TextBlock",
            text: n.title,
            weight: "Bolder",
            size: "Medium",
            wrap: true,
            color: TEAMS_COLOR[n.type],
          },
          { type: "TextBlock", text: n.message, wrap: true },
          {
            type: "FactSet",
            facts: [
              { title: "Severity", value: LABEL[n.type] },
              { title: "Created", value: n.created_at },
            ],
          },
        ],
      },
    }],
  };
  return {
    url,
    headers: { "content-type": "application/json", "user-agent": USER_AGENT },
    body: JSON.stringify(body),
    credential: { origin: new URL(url).origin, secrets: [url] },
  };
}

/** The webhook channel: a Standard Webhooks body (signed at send time when a secret is set). */
export function webhookChannelRequest(
  n: NotificationView,
  cfg: z.infer<typeof WebhookChannel>,
): PreparedRequest {
  const body = {
    id: n.id,
    type: `notification.${n.type}`,
    timestamp: n.created_at,
    data: n,
  };
  return {
    url: cfg.url,
    headers: { "content-type": "application/json", "user-agent": USER_AGENT },
    body: JSON.stringify(body),
  };
}
