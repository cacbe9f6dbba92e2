/**
 * webhooks.create|list|get|update|delete|test|deliveries|rotate_secret: subscriptions to events,
 * signed per Standard Webhooks. The signing secret is returned by create and rotate_secret only.
 */
import { z } from "zod";
import {
  type ActionContext,
  type AfterContext,
  tenantAction,
  Uuid,
} from "../../_shared/platform/actions.ts";
import { principalName } from "../../_shared/platform/auth.ts";
import { sleep } from "../../_shared/platform/db.ts";
import { type OutboundAllowList, parseAllowList } from "../../_shared/platform/outbound.ts";
import {
  createWebhook,
  deleteWebhook,
  getDelivery,
  getWebhook,
  ListDeliveries,
  listDeliveries,
  ListWebhooks,
  listWebhooks,
  RotateSecret,
  rotateSecret,
  TestWebhook,
  testWebhook,
  UpdateWebhook,
  updateWebhook,
  WebhookFields,
} from "../../_shared/webhooks/webhooks.ts";

const read = { resource: "webhooks", access: "read" as const };
const write = { resource: "webhooks", access: "write" as const };

let allowCache: { raw: string | undefined; list: OutboundAllowList } | undefined;
function allowList(ctx: ActionContext): OutboundAllowList {
  const raw = ctx.config.ORA_OUTBOUND_ALLOW;
  if (!allowCache || allowCache.raw !== raw) allowCache = { raw, list: parseAllowList(raw ?? []) };
  return allowCache.list;
}

export const webhookActions = {
  "webhooks.create": tenantAction({
    description:
      "Subscribe a URL to events (exact types, prefix.* or *), optionally filtered on the payload. Deliveries are POSTed with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature) and retried over about a day. Returns the signing secret (whsec_…) once.",
    scope: write,
    params: WebhookFields,
    returns: "webhook & {secret}",
    handler: (ctx: ActionContext, w: z.infer<typeof WebhookFields>) =>
      createWebhook(ctx.tx, ctx.tenantId, w, principalName(ctx.principal), allowList(ctx)),
  }),
  "webhooks.list": tenantAction({
    description: "List webhooks, newest first, with their delivery statistics.",
    scope: read,
    params: ListWebhooks,
    returns: "{items: webhook[], nextCursor: string | null}",
    handler: ({ tx }: ActionContext, p: z.infer<typeof ListWebhooks>) => listWebhooks(tx, p),
  }),
  "webhooks.get": tenantAction({
    description: "Get one webhook with its statistics (never its secret).",
    scope: read,
    params: z.object({ id: Uuid }).strict(),
    returns: "webhook",
    handler: ({ tx }: ActionContext, { id }: { id: string }) => getWebhook(tx, id),
  }),
  "webhooks.update": tenantAction({
    description:
      "Change a webhook. is_active: true turns a disabled one (e.g. after a 410 Gone) back on.",
    scope: write,
    params: UpdateWebhook,
    returns: "webhook",
    handler: (ctx: ActionContext, p: z.infer<typeof UpdateWebhook>) =>
      updateWebhook(ctx.tx, p, allowList(ctx)),
  }),
  "webhooks.delete": tenantAction({
    description:
      "Delete a webhook, its secrets and its delivery log; pending deliveries are dropped.",
    scope: write,
    params: z.object({ id: Uuid }).strict(),
    returns: "{id, deleted: true}",
    handler: ({ tx }: ActionContext, { id }: { id: string }) => deleteWebhook(tx, id),
  }),
  "webhooks.test": tenantAction({
    description:
      "Send a test delivery ({id, type, timestamp, data}) to the webhook whatever its events and filter, signed and retried like any other; waits up to wait_ms for the first attempt.",
    scope: write,
    params: TestWebhook,
    returns: "delivery (status pending while the first attempt has not finished)",
    handler: ({ tx, tenantId }: ActionContext, p: z.infer<typeof TestWebhook>) =>
      testWebhook(tx, tenantId, p),
    after: async (ctx: AfterContext, p: z.infer<typeof TestWebhook>, result: unknown) => {
      const { delivery_id } = result as { delivery_id: string };
      const until = Date.now() + p.wait_ms;
      for (;;) {
        const d = await ctx.read((tx) => getDelivery(tx, delivery_id));
        const attempted = d && (d.status !== "pending" || d.last_attempt_at !== null &&
            d.last_duration_ms !== null);
        if (!d || attempted || Date.now() >= until) return d;
        await sleep(Math.min(200, Math.max(0, until - Date.now())));
      }
    },
  }),
  "webhooks.deliveries": tenantAction({
    description:
      "The delivery log: a webhook's deliveries (id) or all of them (ad-hoc sends included), newest first, with status, attempts, last status code, error and response.",
    scope: read,
    params: ListDeliveries,
    returns: "{items: delivery[], nextCursor: string | null}",
    handler: ({ tx }: ActionContext, p: z.infer<typeof ListDeliveries>) => listDeliveries(tx, p),
  }),
  "webhooks.rotate_secret": tenantAction({
    description:
      "Issue a new signing secret (returned once). The previous one keeps signing for overlap_seconds (default 1 day), so meanwhile every delivery carries two signatures and receivers can switch without losing any.",
    scope: write,
    params: RotateSecret,
    returns: "{id, secret, previous_expires_at}",
    handler: ({ tx, tenantId }: ActionContext, p: z.infer<typeof RotateSecret>) =>
      rotateSecret(tx, tenantId, p),
  }),
};
