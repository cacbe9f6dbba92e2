/**
 * Notifications for people: the in-app inbox (read, dismiss), sending one (app.notification_create,
 * which also queues the external channels), routes from severity to channels, and the delivery
 * log. Reads run under RLS in the request transaction; writes to what only app functions may
 * write go through `elevated`.
 *
 * @module
 */
import { z } from "zod";
import { Cursor, Limit, Uuid } from "../platform/actions.ts";
import { listPage } from "../platform/crud.ts";
import { elevated, type Fragment, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import { CHANNELS, DeliveryConfig, SEVERITIES } from "./channels.ts";

const Channel = z.enum(CHANNELS);
const Severity = z.enum(SEVERITIES);

export const ListNotifications = z.object({
  unread: z.boolean().optional().describe("true: only unread ones"),
  type: Severity.optional(),
  channel: Channel.optional().describe("Only those sent to this channel (ora: ORA's inbox)"),
  include_dismissed: z.boolean().default(false),
  limit: Limit,
  cursor: Cursor,
}).strict();

export async function listNotifications(tx: Tx, p: z.infer<typeof ListNotifications>) {
  const conds: Fragment[] = [];
  if (p.unread) conds.push(tx`not read`);
  if (!p.include_dismissed) conds.push(tx`not dismissed`);
  if (p.type) conds.push(tx`type = ${p.type}`);
  if (p.channel) conds.push(tx`${p.channel}::text = any(channels)`);
  return await listPage(tx, "notifications", conds, p.limit, p.cursor);
}

export async function getNotification(tx: Tx, id: string) {
  const [row] = await tx`select * from public.notifications where id = ${id}`;
  if (!row) throw new ApiError("NOT_FOUND", `No notification with id ${id}`);
  return row;
}

/** Which notifications a read or dismiss applies to: one, or all of the tenant's. */
export const MarkNotifications = z.object({
  id: Uuid.optional(),
  all: z.literal(true).optional().describe("true: every notification of the tenant"),
}).strict().refine((d) => (d.id === undefined) !== (d.all === undefined), {
  message: "Give either id or all: true",
});

/** Marks notifications read or dismissed (under RLS: only those two markers are writable). */
export async function markNotifications(
  tx: Tx,
  p: z.infer<typeof MarkNotifications>,
  mark: "read" | "dismissed",
) {
  const which = p.id ? tx`id = ${p.id}` : tx`true`;
  const rows = mark === "read"
    ? await tx`update public.notifications set read = true, read_at = now()
        where ${which} and not read returning id`
    : await tx`update public.notifications set dismissed = true, dismissed_at = now()
        where ${which} and not dismissed returning id`;
  if (p.id && rows.length === 0) {
    // already marked, or not there at all
    await getNotification(tx, p.id);
  }
  return { updated: rows.length };
}

export const SendNotification = z.object({
  type: Severity.default("info"),
  title: z.string().trim().min(1).max(500),
  message: z.string().trim().min(1).max(10_000),
  data: z.record(z.string(), z.unknown()).optional(),
  channels: z.array(Channel).min(1).max(7).optional().describe(
    "Where it goes; omitted: the tenant's route for its type (default admin)",
  ),
  delivery_config: DeliveryConfig.optional().describe(
    "Recipients (email.to, sms.to) and the email subject for this notification; endpoints are settings",
  ),
  priority: z.number().int().min(-100).max(100).default(0),
  source_type: z.string().min(1).max(100).optional(),
  source_id: Uuid.optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
}).strict();

/** Creates a notification through app.notification_create (routes, deliveries, wake-up). */
export async function sendNotification(
  tx: Tx,
  tenantId: string,
  n: z.infer<typeof SendNotification>,
) {
  const [row] = await elevated(
    tx,
    () =>
      tx<{ id: string }[]>`select app.notification_create(${tenantId}, ${
        tx.json({ source_type: "api", ...n } as never)
      }::jsonb) as id`,
  );
  return await getNotification(tx, row.id);
}

/** The delivery log of one notification (one row per external channel). */
export async function notificationDeliveries(tx: Tx, id: string) {
  await getNotification(tx, id);
  const items = await tx`
    select id, notification_id, channel, target, status, attempts, max_attempts, next_attempt_at,
      last_attempt_at, last_status_code, last_error, last_duration_ms, delivered_at, sent_to,
      created_at, updated_at
    from public.notification_deliveries where notification_id = ${id}
    order by created_at, channel`;
  return { items };
}

// ---------------------------------------------------------------------------------------------
// ROUTES
// ---------------------------------------------------------------------------------------------

export const SetRoute = z.object({
  severity: Severity,
  channels: z.array(Channel).min(1).max(7).refine((c) => new Set(c).size === c.length, {
    message: "Each channel once",
  }),
}).strict();

export async function listRoutes(tx: Tx) {
  const rows = await tx`
    select severity, channels, created_at, updated_at from public.notification_routes
    order by array_position(${[...SEVERITIES]}::text[], severity)`;
  const routed = new Set(rows.map((r) => r.severity));
  return {
    items: rows,
    defaults: SEVERITIES.filter((s) => !routed.has(s)).map((severity) => ({
      severity,
      channels: ["admin"],
    })),
  };
}

export async function setRoute(tx: Tx, tenantId: string, r: z.infer<typeof SetRoute>) {
  const [row] = await tx`
    insert into public.notification_routes (tenant_id, severity, channels)
    values (${tenantId}, ${r.severity}, ${r.channels})
    on conflict (tenant_id, severity) do update set channels = excluded.channels
    returning severity, channels, created_at, updated_at`;
  return row;
}

export async function deleteRoute(tx: Tx, severity: string) {
  const [row] = await tx`
    delete from public.notification_routes where severity = ${severity} returning severity`;
  if (!row) throw new ApiError("NOT_FOUND", `No route for severity ${severity}`);
  return { severity, deleted: true, channels: ["admin"] };
}
