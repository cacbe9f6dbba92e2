/**
 * What the deliveries worker needs to send one notification to one external channel, read inside
 * its lease transaction: the notification, the tenant's channel settings (admins only), and the
 * channel's secrets, each read for the origin it is bound to.
 *
 * @module
 */
import type { Tx } from "../platform/db.ts";
import type { TableRow } from "../platform/types.ts";
import {
  DeliveryConfig,
  emailRequest,
  type ExternalChannel,
  NotificationSettings,
  type NotificationView,
  slackRequest,
  smsRequests,
  teamsRequest,
  webhookChannelRequest,
} from "./channels.ts";
import {
  DeliveryConfigError,
  type DeliveryPlan,
  readSecret,
  readUrlSecret,
  signingSecret,
} from "../webhooks/deliver.ts";

/** Default time for one attempt. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The plan of one notification delivery; throws DeliveryConfigError when it cannot be sent. */
export async function prepareNotificationDelivery(
  tx: Tx,
  d: TableRow<"notification_deliveries">,
): Promise<DeliveryPlan> {
  const [row] = await tx<
    (NotificationView & { delivery_config: unknown; settings: unknown })[]
  >`
    select n.id, n.type, n.title, n.message, n.data, n.priority, n.source_type, n.source_id,
      n.created_at, n.delivery_config, t.settings -> 'notifications' as settings
    from public.notifications n join public.tenants t on t.id = n.tenant_id
    where n.tenant_id = ${d.tenant_id} and n.id = ${d.notification_id}`;
  if (!row) throw new DeliveryConfigError("NOTIFICATION_DELETED", "The notification was deleted");
  const { delivery_config, settings, ...rest } = row;
  const n: NotificationView = {
    ...rest,
    created_at: new Date(rest.created_at).toISOString(),
  };
  const parsed = NotificationSettings.safeParse(settings ?? {});
  if (!parsed.success) {
    throw new DeliveryConfigError(
      "SETTINGS_INVALID",
      `settings.notifications is invalid (${
        parsed.error.issues[0]?.message
      }): fix it with settings.update`,
    );
  }
  const overrides = DeliveryConfig.safeParse(delivery_config ?? {});
  if (!overrides.success) {
    throw new DeliveryConfigError(
      "DELIVERY_CONFIG_INVALID",
      `The notification's delivery_config is invalid: ${overrides.error.issues[0]?.message}`,
    );
  }
  const channel = d.channel as ExternalChannel;
  const notConfigured = () =>
    new DeliveryConfigError(
      "CHANNEL_NOT_CONFIGURED",
      `Channel ${channel} is not configured: set settings.notifications.channels.${channel} with settings.update`,
    );
  const channels = parsed.data.channels ?? {};
  const timeoutMs = parsed.data.timeout_ms ?? DEFAULT_TIMEOUT_MS;
  const purpose = `notification:${channel}`;
  // a channel's API key, read only for the origin of its endpoint
  const apiKeyFor = (cfg: { api_key_secret: string; url: string }) =>
    readSecret(tx, d.tenant_id, cfg.api_key_secret, purpose, new URL(cfg.url).origin);
  switch (channel) {
    case "email": {
      const cfg = channels.email;
      if (!cfg) throw notConfigured();
      const key = await apiKeyFor(cfg);
      return {
        requests: [emailRequest(n, cfg, overrides.data.email, key, d.id)],
        timeoutMs,
      };
    }
    case "sms": {
      const cfg = channels.sms;
      if (!cfg) throw notConfigured();
      const token = await apiKeyFor(cfg);
      return {
        requests: smsRequests(n, cfg, overrides.data.sms, token, d.id, d.sent_to),
        timeoutMs,
      };
    }
    case "slack":
    case "teams": {
      const cfg = channels[channel];
      if (!cfg) throw notConfigured();
      const url = await readUrlSecret(tx, d.tenant_id, cfg.url_secret, purpose);
      return {
        requests: [channel === "slack" ? slackRequest(n, url) : teamsRequest(n, url)],
        timeoutMs,
      };
    }
    case "webhook": {
      const cfg = channels.webhook;
      if (!cfg) throw notConfigured();
      const secrets = cfg.signing_secret
        ? [
          signingSecret(
            cfg.signing_secret,
            await readSecret(
              tx,
              d.tenant_id,
              cfg.signing_secret,
              purpose,
              new URL(cfg.url).origin,
            ),
          ),
        ]
        : [];
      return {
        requests: [webhookChannelRequest(n, cfg)],
        timeoutMs,
        signing: { id: d.id, secrets },
      };
    }
    default:
      throw new DeliveryConfigError("CHANNEL_UNKNOWN", `Unknown channel ${channel}`);
  }
}
