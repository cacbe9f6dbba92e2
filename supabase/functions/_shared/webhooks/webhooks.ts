/**
 * Webhook subscriptions for the `webhooks.*` actions: create (returns the signing secret once),
 * list, get, update, delete, test, the delivery log, and secret rotation with an overlap during
 * which deliveries carry both signatures. Rows are read and written under RLS; the secret lives
 * in app.webhook_secrets, reached through app functions only.
 *
 * @module
 */
import { z } from "zod";
import { Cursor, Limit, Uuid } from "../platform/actions.ts";
import { definedOnly, listPage } from "../platform/crud.ts";
import { elevated, type Fragment, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import { checkAddress, type OutboundAllowList } from "../platform/outbound.ts";
import { RetrySchedule } from "../notifications/channels.ts";
import { EventPattern, eventPatterns, FilterSchema } from "./filter.ts";

/** Subscriptions per tenant. */
export const MAX_WEBHOOKS = 100;
/** The longest rotation overlap (7 days). */
export const MAX_OVERLAP_SECONDS = 604_800;

/** Columns returned for a webhook (never a secret: it is not in this table). */
const COLUMNS = [
  "id",
  "name",
  "description",
  "url",
  "events",
  "filter",
  "is_active",
  "disabled_reason",
  "disabled_at",
  "retry_schedule_seconds",
  "timeout_ms",
  "total_deliveries",
  "successful_deliveries",
  "failed_deliveries",
  "last_triggered_at",
  "last_success_at",
  "last_failure_at",
  "last_status_code",
  "last_error",
  "secret_rotated_at",
  "metadata",
  "created_by",
  "created_at",
  "updated_at",
] as const;

const WebhookUrl = z.url().max(2000).refine((u) => {
  const url = new URL(u);
  return (url.protocol === "https:" || url.protocol === "http:") && !url.username &&
    !url.password;
}, "an http(s) URL without user name or password");

export const WebhookFields = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  url: WebhookUrl.describe("Where deliveries are POSTed (https in production)"),
  events: z.array(EventPattern).min(1).max(100).describe(
    "Event types: leads.INSERT, session.completed, a prefix such as leads.*, or *",
  ),
  filter: FilterSchema.nullable().optional(),
  is_active: z.boolean().optional(),
  retry_schedule_seconds: RetrySchedule.optional(),
  timeout_ms: z.number().int().min(1000).max(30_000).optional().describe(
    "Time for one attempt (default 10000)",
  ),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict();

/**
 * Refuses, before anything is stored, a URL whose host is an address literal the outbound policy
 * refuses (names are resolved and checked at every delivery).
 */
export function assertDeliverableUrl(url: string, allow: OutboundAllowList): void {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  const verdict = checkAddress(host, allow);
  if (verdict.reason !== "invalid" && !verdict.allowed) {
    throw new ApiError(
      "VALIDATION_ERROR",
      `Invalid url: ${host} is ${
        verdict.reason.replaceAll("_", " ")
      } and webhooks are only sent to public addresses (an operator can allow it in ORA_OUTBOUND_ALLOW)`,
    );
  }
}

function notFound(id: string): ApiError {
  return new ApiError("NOT_FOUND", `No webhook with id ${id}`);
}

async function byId(tx: Tx, id: string) {
  const [row] = await tx`select ${
    tx(COLUMNS as unknown as string[])
  } from public.webhooks where id = ${id}`;
  if (!row) throw notFound(id);
  return row;
}

/** Creates a subscription and its signing secret; the secret is in the result, and never again. */
export async function createWebhook(
  tx: Tx,
  tenantId: string,
  w: z.infer<typeof WebhookFields>,
  createdBy: string,
  allow: OutboundAllowList,
) {
  assertDeliverableUrl(w.url, allow);
  const [{ n }] = await tx<{ n: number }[]>`select count(*)::int as n from public.webhooks`;
  if (n >= MAX_WEBHOOKS) {
    throw new ApiError(
      "CONFLICT",
      `Webhook limit reached: ${MAX_WEBHOOKS} per tenant; delete one you no longer use`,
    );
  }
  const row = definedOnly({
    ...w,
    filter: w.filter === undefined
      ? undefined
      : w.filter === null
      ? null
      : tx.json(w.filter as never),
    metadata: w.metadata === undefined ? undefined : tx.json(w.metadata as never),
    tenant_id: tenantId,
    created_by: createdBy,
  });
  const [created] = await tx`insert into public.webhooks ${tx(row)} returning id`;
  const [s] = await elevated(
    tx,
    () =>
      tx<{ secret: string }[]>`
        select secret from app.webhook_secret_rotate(${tenantId}, ${created.id}, 0)`,
  );
  return { ...(await byId(tx, created.id)), secret: s.secret };
}

export const ListWebhooks = z.object({
  is_active: z.boolean().optional(),
  event: z.string().max(200).optional().describe(
    "Only subscriptions that receive this event type",
  ),
  limit: Limit,
  cursor: Cursor,
}).strict();

export async function listWebhooks(tx: Tx, p: z.infer<typeof ListWebhooks>) {
  const conds: Fragment[] = [];
  if (p.is_active !== undefined) conds.push(tx`is_active = ${p.is_active}`);
  if (p.event) conds.push(tx`events && ${eventPatterns(p.event)}::text[]`);
  const page = await listPage(tx, "webhooks", conds, p.limit, p.cursor);
  return {
    items: page.items.map((r) =>
      Object.fromEntries(COLUMNS.map((c) => [c, (r as Record<string, unknown>)[c]]))
    ),
    nextCursor: page.nextCursor,
  };
}

export async function getWebhook(tx: Tx, id: string) {
  return await byId(tx, id);
}

export const UpdateWebhook = WebhookFields.partial().extend({ id: Uuid }).strict();

export async function updateWebhook(
  tx: Tx,
  p: z.infer<typeof UpdateWebhook>,
  allow: OutboundAllowList,
) {
  const { id, ...fields } = p;
  if (Object.keys(fields).length === 0) {
    throw new ApiError("VALIDATION_ERROR", "Give at least one field to change");
  }
  if (fields.url) assertDeliverableUrl(fields.url, allow);
  const set: Record<string, unknown> = definedOnly({
    ...fields,
    filter: fields.filter === undefined
      ? undefined
      : fields.filter === null
      ? null
      : tx.json(fields.filter as never),
    metadata: fields.metadata === undefined ? undefined : tx.json(fields.metadata as never),
  });
  // turning a webhook back on clears why it was off
  if (fields.is_active === true) Object.assign(set, { disabled_reason: null, disabled_at: null });
  if (fields.is_active === false) {
    Object.assign(set, { disabled_reason: "disabled by the tenant", disabled_at: new Date() });
  }
  const [row] = await tx`update public.webhooks set ${tx(set)} where id = ${id} returning id`;
  if (!row) throw notFound(id);
  return await byId(tx, id);
}

export async function deleteWebhook(tx: Tx, id: string) {
  const [row] = await tx`delete from public.webhooks where id = ${id} returning id`;
  if (!row) throw notFound(id);
  return { id, deleted: true };
}

export const RotateSecret = z.object({
  id: Uuid,
  overlap_seconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(86_400).describe(
    "How long the previous secret keeps signing deliveries too (default 1 day; 0 retires it now)",
  ),
}).strict();

/** Makes a new secret current; the previous one keeps signing for the overlap. */
export async function rotateSecret(tx: Tx, tenantId: string, p: z.infer<typeof RotateSecret>) {
  await byId(tx, p.id);
  const [s] = await elevated(
    tx,
    () =>
      tx<{ secret: string; previous_expires_at: string | null }[]>`
        select secret, previous_expires_at
        from app.webhook_secret_rotate(${tenantId}, ${p.id}, ${p.overlap_seconds})`,
  );
  return { id: p.id, secret: s.secret, previous_expires_at: s.previous_expires_at };
}

export const TestWebhook = z.object({
  id: Uuid,
  event_type: EventPattern.refine((e) => !e.includes("*"), "an event type, not a pattern")
    .default("webhook.test"),
  payload: z.record(z.string(), z.unknown()).default({ message: "Test delivery from Ora" }),
  wait_ms: z.number().int().min(0).max(20_000).default(5000).describe(
    "Wait up to this long for the first attempt's result",
  ),
}).strict();

/** Logs and queues a test delivery to the webhook (whatever its events and filter say). */
export async function testWebhook(tx: Tx, tenantId: string, p: z.infer<typeof TestWebhook>) {
  const w = await byId(tx, p.id);
  if (!w.is_active) {
    throw new ApiError(
      "CONFLICT",
      `The webhook is disabled${
        w.disabled_reason ? ` (${w.disabled_reason})` : ""
      }: turn it back on with webhooks.update {is_active: true} first`,
    );
  }
  const id = crypto.randomUUID();
  const body = {
    id,
    type: p.event_type,
    timestamp: new Date().toISOString(),
    data: p.payload,
  };
  await elevated(tx, async () => {
    await tx`
      insert into public.webhook_deliveries (id, tenant_id, webhook_id, event_type, payload, is_test,
        retry_schedule_seconds, timeout_ms)
      select ${id}, tenant_id, id, ${p.event_type}, ${tx.json(body as never)}::jsonb, true,
        retry_schedule_seconds, timeout_ms
      from public.webhooks where tenant_id = ${tenantId} and id = ${p.id}`;
    await tx`update public.webhooks set total_deliveries = total_deliveries + 1,
      last_triggered_at = now() where tenant_id = ${tenantId} and id = ${p.id}`;
    await tx`select app.delivery_enqueue(${tenantId}, 'webhook', ${id}, 10)`;
  });
  return { delivery_id: id };
}

/** Delivery columns shown in the log (headers and payload included, no secret). */
export const DELIVERY_COLUMNS = [
  "id",
  "webhook_id",
  "event_id",
  "event_type",
  "url",
  "payload",
  "is_test",
  "status",
  "attempts",
  "max_attempts",
  "next_attempt_at",
  "last_attempt_at",
  "last_status_code",
  "last_error",
  "last_response",
  "last_duration_ms",
  "delivered_at",
  "idempotency_key",
  "created_at",
  "updated_at",
] as const;

export async function getDelivery(tx: Tx, id: string) {
  const [row] = await tx`
    select ${
    tx(DELIVERY_COLUMNS as unknown as string[])
  } from public.webhook_deliveries where id = ${id}`;
  return row ?? null;
}

export const ListDeliveries = z.object({
  id: Uuid.optional().describe("A webhook's id; omitted: every delivery, ad-hoc sends included"),
  status: z.enum(["pending", "delivered", "failed", "dead"]).optional(),
  limit: Limit,
  cursor: Cursor,
}).strict();

export async function listDeliveries(tx: Tx, p: z.infer<typeof ListDeliveries>) {
  if (p.id) await byId(tx, p.id);
  const conds: Fragment[] = [];
  if (p.id) conds.push(tx`webhook_id = ${p.id}`);
  if (p.status) conds.push(tx`status = ${p.status}`);
  const page = await listPage(tx, "webhook_deliveries", conds, p.limit, p.cursor);
  return {
    items: page.items.map((r) =>
      Object.fromEntries(DELIVERY_COLUMNS.map((c) => [c, (r as Record<string, unknown>)[c]]))
    ),
    nextCursor: page.nextCursor,
  };
}
