/**
 * notifications.list|get|read|dismiss|send|deliveries and notification_routes.list|set|delete:
 * the in-app inbox, sending a notification (routed by severity to its channels), the delivery log
 * of its external channels, and the routes (an admin concern: settings scope).
 */
import { z } from "zod";
import { type ActionContext, tenantAction, Uuid } from "../../_shared/platform/actions.ts";
import {
  deleteRoute,
  getNotification,
  ListNotifications,
  listNotifications,
  listRoutes,
  MarkNotifications,
  markNotifications,
  notificationDeliveries,
  SendNotification,
  sendNotification,
  SetRoute,
  setRoute,
} from "../../_shared/notifications/notifications.ts";
import { SEVERITIES } from "../../_shared/notifications/channels.ts";

const read = { resource: "notifications", access: "read" as const };
const write = { resource: "notifications", access: "write" as const };

export const notificationActions = {
  "notifications.list": tenantAction({
    description:
      "List notifications, newest first (dismissed ones only with include_dismissed), with filters and cursor pagination.",
    scope: read,
    params: ListNotifications,
    returns: "{items: notification[], nextCursor: string | null}",
    handler: ({ tx }: ActionContext, p: z.infer<typeof ListNotifications>) =>
      listNotifications(tx, p),
  }),
  "notifications.get": tenantAction({
    description: "Get one notification, with delivery_status per channel.",
    scope: read,
    params: z.object({ id: Uuid }).strict(),
    returns: "notification",
    handler: ({ tx }: ActionContext, { id }: { id: string }) => getNotification(tx, id),
  }),
  "notifications.read": tenantAction({
    description: "Mark a notification (id) or every notification (all: true) read.",
    scope: write,
    params: MarkNotifications,
    returns: "{updated: number}",
    handler: ({ tx }: ActionContext, p: z.infer<typeof MarkNotifications>) =>
      markNotifications(tx, p, "read"),
  }),
  "notifications.dismiss": tenantAction({
    description:
      "Dismiss a notification (id) or every notification (all: true); dismissed ones leave the default list.",
    scope: write,
    params: MarkNotifications,
    returns: "{updated: number}",
    handler: ({ tx }: ActionContext, p: z.infer<typeof MarkNotifications>) =>
      markNotifications(tx, p, "dismissed"),
  }),
  "notifications.send": tenantAction({
    description:
      "Send a notification. Without channels, the tenant's route for its type decides (default: admin). admin and ora are in-app (delivered at once); email, webhook, slack, teams and sms are delivered by the deliveries worker to the endpoints in settings.notifications, with retries, and logged (notifications.deliveries).",
    scope: write,
    params: SendNotification,
    returns: "notification",
    handler: ({ tx, tenantId }: ActionContext, n: z.infer<typeof SendNotification>) =>
      sendNotification(tx, tenantId, n),
  }),
  "notifications.deliveries": tenantAction({
    description:
      "The delivery log of a notification: one row per external channel with status (pending, delivered, failed, dead), attempts, the last status code and error, and timings.",
    scope: read,
    params: z.object({ id: Uuid.describe("The notification's id") }).strict(),
    returns: "{items: delivery[]}",
    handler: ({ tx }: ActionContext, { id }: { id: string }) => notificationDeliveries(tx, id),
  }),
  "notification_routes.list": tenantAction({
    description:
      "Routes from severity (notification type) to channels; severities without a route go to admin (listed in defaults).",
    scope: { resource: "settings", access: "read" },
    params: z.object({}).strict(),
    returns:
      "{items: {severity, channels, created_at, updated_at}[], defaults: {severity, channels}[]}",
    handler: ({ tx }: ActionContext) => listRoutes(tx),
  }),
  "notification_routes.set": tenantAction({
    description:
      "Route a severity to channels (replaces its route). Channel endpoints are configured in settings.notifications (settings.update).",
    scope: { resource: "settings", access: "write" },
    params: SetRoute,
    returns: "{severity, channels, created_at, updated_at}",
    handler: ({ tx, tenantId }: ActionContext, r: z.infer<typeof SetRoute>) =>
      setRoute(tx, tenantId, r),
  }),
  "notification_routes.delete": tenantAction({
    description: "Remove a severity's route: its notifications go to admin again.",
    scope: { resource: "settings", access: "write" },
    params: z.object({ severity: z.enum(SEVERITIES) }).strict(),
    returns: "{severity, deleted: true, channels: ['admin']}",
    handler: ({ tx }: ActionContext, { severity }: { severity: string }) =>
      deleteRoute(tx, severity),
  }),
};
