/**
 * Entry points other capabilities call to send webhooks:
 *
 * - {@linkcode dispatchEvent}: the trigger-engine calls it for every event; the tenant's active
 *   subscriptions to the event's type whose filter matches get one delivery each (once per event);
 * - {@linkcode sendWebhook}: the automation action `send_webhook`, an ad-hoc signed POST with the
 *   same retries and log.
 *
 * Both log and queue in one transaction; the deliveries worker sends. The `…Tx` variants run in
 * a transaction the caller already holds (so the deliveries commit with the caller's own work).
 *
 * @module
 */
import { envelopeOf } from "../platform/conditions.ts";
import { type Db, simple, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import { SecretName } from "../secrets/secrets.ts";
import { evaluateFilter, eventPatterns, type Filter } from "./filter.ts";

/** An event as the pipeline holds it (a public.event_log row). */
export interface WebhookEvent {
  id: string;
  tenant_id: string;
  event_type: string;
  payload: unknown;
  created_at: string;
  /** Envelope fields an event may carry (events.emit): sent beside `data` when set. */
  origin?: string | null;
  asset_id?: string | null;
  occurred_at?: string | null;
}

/**
 * Queues one delivery of `event` to each of its tenant's active subscriptions whose event types
 * include it (exactly, by `prefix.*` or `*`) and whose filter matches its payload, in one
 * transaction. Idempotent per event: a replayed event queues nothing new. Returns how many
 * deliveries were queued.
 */
export async function dispatchEvent(db: Db, event: WebhookEvent): Promise<number> {
  return await db.service((tx) => dispatchEventTx(tx, event));
}

/** {@linkcode dispatchEvent} inside the caller's transaction (role service_role or owner). */
export async function dispatchEventTx(tx: Tx, event: WebhookEvent): Promise<number> {
  const hooks = await simple(tx)<{ id: string; filter: Filter | null }[]>`
    select id, filter from public.webhooks
    where tenant_id = ${event.tenant_id}::uuid and is_active and events && ${
    eventPatterns(event.event_type)
  }::text[]`;
  const envelope = envelopeOf(event);
  const matched = hooks.filter((h) => evaluateFilter(h.filter, event.payload, envelope))
    .map((h) => h.id);
  if (matched.length === 0) return 0;
  const [row] = await tx<{ n: number }[]>`
    select app.webhook_dispatch(${event.tenant_id}, ${
    tx.json({
      id: event.id,
      event_type: event.event_type,
      payload: event.payload as never,
      created_at: new Date(event.created_at).toISOString(),
      // the body carries the envelope fields the event has (occurred_at only when its producer said)
      origin: event.origin ?? null,
      asset_id: event.asset_id ?? null,
      occurred_at: event.occurred_at ? new Date(event.occurred_at).toISOString() : null,
    })
  }::jsonb, ${matched}::uuid[]) as n`;
  return row.n;
}

/** An ad-hoc webhook (the automation action send_webhook). */
export interface AdHocWebhook {
  url: string;
  /** The JSON body, sent as given. */
  payload: unknown;
  /** Tenant secret holding a `whsec_…` key, bound to the URL's origin; unsigned without it. */
  secret_name?: string;
  /** Extra request headers (not `webhook-*`, `content-type`, `host`, `content-length`). */
  headers?: Record<string, string>;
  /** One delivery per key and tenant: a repeated key returns the first delivery. */
  idempotency_key?: string;
  /** Event type recorded in the log (default `send_webhook`). */
  event_type?: string;
  /** Seconds to wait after failed attempt 1, 2, … (default as webhooks: about 22 hours). */
  retry_schedule_seconds?: number[];
  /** Time for one attempt, 1000–30000 ms (default 10000). */
  timeout_ms?: number;
}

const RESERVED_HEADER = /^(webhook-|content-type$|content-length$|host$|transfer-encoding$)/i;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

function invalid(message: string): ApiError {
  return new ApiError("VALIDATION_ERROR", message);
}

/** Checks an ad-hoc webhook before it is logged; throws ApiError VALIDATION_ERROR. */
export function validateAdHoc(w: AdHocWebhook): void {
  let url: URL;
  try {
    url = new URL(w.url);
  } catch {
    throw invalid(`Invalid webhook url: give an absolute http(s) URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw invalid(`Invalid webhook url ${url.origin}: only http and https are sent to`);
  }
  if (url.username || url.password || w.url.length > 2000) {
    throw invalid(
      `Invalid webhook url ${url.origin}: no user name or password, at most 2000 characters`,
    );
  }
  if (w.secret_name !== undefined && !SecretName.safeParse(w.secret_name).success) {
    throw invalid(`Invalid secret_name ${w.secret_name}: lowercase letters, digits and _`);
  }
  for (const [k, v] of Object.entries(w.headers ?? {})) {
    if (
      !HEADER_NAME.test(k) || RESERVED_HEADER.test(k) || typeof v !== "string" || v.length > 4000 ||
      /[\r\n]/.test(v)
    ) {
      throw invalid(
        `Invalid header ${k}: a token name, not webhook-*, content-type, content-length or host, and a single-line value`,
      );
    }
  }
  const schedule = w.retry_schedule_seconds;
  if (
    schedule !== undefined &&
    (!Array.isArray(schedule) || schedule.length < 1 || schedule.length > 20 ||
      !schedule.every((s) => Number.isInteger(s) && s >= 1 && s <= 86_400))
  ) {
    throw invalid("Invalid retry_schedule_seconds: 1 to 20 whole seconds, each 1 to 86400");
  }
  if (
    w.timeout_ms !== undefined &&
    !(Number.isInteger(w.timeout_ms) && w.timeout_ms >= 1000 && w.timeout_ms <= 30_000)
  ) {
    throw invalid("Invalid timeout_ms: 1000 to 30000");
  }
  if (
    w.idempotency_key !== undefined &&
    (w.idempotency_key.length < 1 || w.idempotency_key.length > 200)
  ) {
    throw invalid("Invalid idempotency_key: 1 to 200 characters");
  }
}

/**
 * Logs and queues an ad-hoc signed POST of `w.payload` to `w.url` for the tenant (the automation
 * action send_webhook), with the webhooks' retries. With `idempotency_key`, a repeated call
 * returns the first delivery. Throws ApiError VALIDATION_ERROR for an invalid request.
 */
export async function sendWebhook(
  db: Db,
  tenantId: string,
  w: AdHocWebhook,
): Promise<{ delivery_id: string }> {
  validateAdHoc(w);
  return await db.service((tx) => sendWebhookTx(tx, tenantId, w));
}

/** {@linkcode sendWebhook} inside the caller's transaction (role service_role or owner). */
export async function sendWebhookTx(
  tx: Tx,
  tenantId: string,
  w: AdHocWebhook,
): Promise<{ delivery_id: string }> {
  validateAdHoc(w);
  if (w.idempotency_key) {
    const [seen] = await tx<{ id: string }[]>`
      select id from public.webhook_deliveries
      where tenant_id = ${tenantId} and idempotency_key = ${w.idempotency_key}`;
    if (seen) return { delivery_id: seen.id };
  }
  const [row] = await tx<{ id: string }[]>`
    insert into public.webhook_deliveries (tenant_id, event_type, url, payload, headers, secret_name,
      idempotency_key, retry_schedule_seconds, timeout_ms)
    values (${tenantId}, ${w.event_type ?? "send_webhook"}, ${w.url}, ${
    tx.json((w.payload ?? null) as never)
  }::jsonb,
      ${tx.json((w.headers ?? {}) as never)}::jsonb, ${w.secret_name ?? null}, ${
    w.idempotency_key ?? null
  },
      app.delivery_schedule(${tx.json((w.retry_schedule_seconds ?? null) as never)}::jsonb), ${
    w.timeout_ms ?? 10_000
  })
    on conflict (tenant_id, idempotency_key) do nothing
    returning id`;
  if (!row) {
    // a concurrent call with the same key won the race
    const [seen] = await tx<{ id: string }[]>`
      select id from public.webhook_deliveries
      where tenant_id = ${tenantId} and idempotency_key = ${w.idempotency_key!}`;
    return { delivery_id: seen.id };
  }
  await tx`select app.delivery_enqueue(${tenantId}, 'webhook', ${row.id}, 0)`;
  return { delivery_id: row.id };
}
