/**
 * What the deliveries worker needs to send one webhook delivery, read inside its lease
 * transaction: the endpoint (the subscription's current URL, or the ad-hoc URL), the body, and
 * the signing secrets (the subscription's current and previous ones, or an ad-hoc send's tenant
 * secret bound to the URL's origin). Also the secret readers the notification channels share.
 *
 * @module
 */
import type { Tx } from "../platform/db.ts";
import type { TableRow } from "../platform/types.ts";
import type { PreparedRequest } from "./attempt.ts";
import { secretKey } from "./sign.ts";

/** Everything one attempt needs, read while the delivery was leased. */
export interface DeliveryPlan {
  requests: PreparedRequest[];
  timeoutMs: number;
  /** Standard Webhooks headers over this id, signed with these secrets (none: unsigned). */
  signing?: { id: string; secrets: string[] };
}

/**
 * A delivery that cannot be attempted as configured (a channel not set up, a missing or
 * misbound secret, a disabled webhook): it fails at once with this code and message.
 */
export class DeliveryConfigError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "DeliveryConfigError";
  }
}

const USER_AGENT = "Ora-Webhooks/1";

/**
 * Reads tenant secret `name` for a request to `origin` (logged with `purpose`). Throws
 * {@linkcode DeliveryConfigError} when it is missing or bound to another origin.
 */
export async function readSecret(
  tx: Tx,
  tenantId: string,
  name: string,
  purpose: string,
  origin: string,
): Promise<string> {
  const [row] = await tx<{ value: string | null; bound_origin: string }[]>`
    select value, bound_origin from app.secret_get(${tenantId}, ${name}, ${purpose}, ${origin})`;
  if (!row) {
    throw new DeliveryConfigError(
      "SECRET_MISSING",
      `No tenant secret named ${name}: store it with secrets.set (origin ${origin})`,
    );
  }
  if (row.bound_origin !== origin || row.value === null) {
    throw new DeliveryConfigError(
      "SECRET_ORIGIN",
      `Secret ${name} is bound to ${row.bound_origin}, not ${origin}: a secret is only sent to the origin it was configured for (set it again for ${origin} if that is intended)`,
    );
  }
  return row.value;
}

/**
 * Reads a secret whose value is itself a URL (Slack and Teams incoming webhooks): it is read for
 * the origin it is bound to, and that must be the URL's own origin.
 */
export async function readUrlSecret(
  tx: Tx,
  tenantId: string,
  name: string,
  purpose: string,
): Promise<string> {
  const [bound] = await tx<{ origin: string }[]>`
    select origin from app.secret_list(${tenantId}) where name = ${name}`;
  if (!bound) {
    throw new DeliveryConfigError(
      "SECRET_MISSING",
      `No tenant secret named ${name}: store the incoming-webhook URL with secrets.set (origin: the URL's scheme://host)`,
    );
  }
  const value = await readSecret(tx, tenantId, name, purpose, bound.origin);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DeliveryConfigError("SECRET_INVALID", `Secret ${name} does not hold a URL`);
  }
  if (url.origin !== bound.origin) {
    throw new DeliveryConfigError(
      "SECRET_ORIGIN",
      `Secret ${name} holds a URL on ${url.origin} but is bound to ${bound.origin}: set it again with origin ${url.origin}`,
    );
  }
  return value;
}

/** Checks that a secret is a usable `whsec_…` signing key. */
export function signingSecret(name: string, value: string): string {
  try {
    secretKey(value);
  } catch (e) {
    throw new DeliveryConfigError("SECRET_INVALID", `Secret ${name}: ${(e as Error).message}`);
  }
  return value;
}

/** The plan of one webhook delivery (subscription or ad-hoc). */
export async function prepareWebhookDelivery(
  tx: Tx,
  d: TableRow<"webhook_deliveries">,
): Promise<DeliveryPlan> {
  let url: string;
  let secrets: string[] = [];
  if (d.webhook_id) {
    const [w] = await tx<{ url: string; is_active: boolean; disabled_reason: string | null }[]>`
      select url, is_active, disabled_reason from public.webhooks
      where tenant_id = ${d.tenant_id} and id = ${d.webhook_id}`;
    if (!w) throw new DeliveryConfigError("WEBHOOK_DELETED", "The webhook was deleted");
    if (!w.is_active) {
      throw new DeliveryConfigError(
        "WEBHOOK_DISABLED",
        `The webhook is disabled${
          w.disabled_reason ? ` (${w.disabled_reason})` : ""
        }: turn it back on with webhooks.update {is_active: true}`,
      );
    }
    url = w.url;
    secrets = (await tx<{ s: string }[]>`
      select s from app.webhook_signing_secrets(${d.tenant_id}, ${d.webhook_id}) s`).map((r) =>
      r.s
    );
  } else {
    url = d.url!;
    if (d.secret_name) {
      const origin = new URL(url).origin;
      const value = await readSecret(tx, d.tenant_id, d.secret_name, "webhook", origin);
      secrets = [signingSecret(d.secret_name, value)];
    }
  }
  const extra = (d.headers ?? {}) as Record<string, string>;
  return {
    requests: [{
      url,
      headers: { ...extra, "content-type": "application/json", "user-agent": USER_AGENT },
      body: JSON.stringify(d.payload),
    }],
    timeoutMs: d.timeout_ms,
    signing: { id: d.id, secrets },
  };
}
