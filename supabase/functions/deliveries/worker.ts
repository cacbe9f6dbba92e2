/**
 * The deliveries worker: drains queue `deliveries` (notification channels and webhooks) on the
 * shared consumer. Each message `{tenant_id, kind, delivery_id}` names a row of
 * notification_deliveries or webhook_deliveries; the row, not the message, is the truth:
 *
 * 1. **Lease** (one transaction, row locked): a delivery no longer pending is acknowledged (a
 *    redelivered message never sends twice once delivered); one whose attempt is in flight
 *    elsewhere (`locked_until`) or whose retry is not due puts the message back until then;
 *    otherwise the endpoint, body and secrets are read, the attempt is counted and the row is
 *    locked for the attempt's timeout plus a margin. A delivery that cannot be sent as configured
 *    fails here, with the reason, without a request.
 * 2. **Attempt** (no connection held): POST through the outbound client, signed per Standard
 *    Webhooks where there are secrets, with the same `webhook-id` on every attempt.
 * 3. **Settle** (one transaction): the result is recorded on the row (and the webhook's
 *    statistics or the notification's delivery_status), and the message is archived
 *    (delivered, failed), made visible again after the retry delay (pending), or moved to
 *    deliveries_dlq after the last attempt (dead). A 410 disables the webhook.
 *
 * A crash after the request and before step 3 can repeat that request once the lease runs out
 * (at-least-once); receivers drop the duplicate by `webhook-id` (or the provider's idempotency
 * key: `Idempotency-Key` for email, `I-Twilio-Idempotency-Token` for SMS).
 */
import type { Config } from "../_shared/platform/config.ts";
import type { Tx } from "../_shared/platform/db.ts";
import { parseAllowList } from "../_shared/platform/outbound.ts";
import type { TableRow } from "../_shared/platform/types.ts";
import { type PlainJob, plainWorker } from "../_shared/queue/plain.ts";
import {
  attempt,
  type AttemptResult,
  combine,
  retryDelaySeconds,
} from "../_shared/webhooks/attempt.ts";
import {
  DeliveryConfigError,
  type DeliveryPlan,
  prepareWebhookDelivery,
} from "../_shared/webhooks/deliver.ts";
import { prepareNotificationDelivery } from "../_shared/notifications/deliver.ts";
import { signatureHeaders } from "../_shared/webhooks/sign.ts";

export const QUEUE = "deliveries";

/** A message of queue deliveries. */
export interface DeliveryMessage {
  kind: "notification" | "webhook";
  delivery_id: string;
  priority?: number;
}

type Kind = DeliveryMessage["kind"];
type Delivery = TableRow<"notification_deliveries"> | TableRow<"webhook_deliveries">;
const TABLE: Record<Kind, string> = {
  notification: "public.notification_deliveries",
  webhook: "public.webhook_deliveries",
};
/** Lease beyond an attempt's timeout, for recording its result. */
const LEASE_MARGIN_SECONDS = 15;
/** How soon a message whose delivery is being attempted elsewhere looks again. */
const BUSY_RECHECK_SECONDS = 3;
/** Reads of one message before the consumer dead-letters it as a crash loop (attempts are counted on the row). */
const MAX_READS = 64;

type Lease =
  | { outcome: string }
  | { outcome?: undefined; row: Delivery; plan: DeliveryPlan };

/** The consumer spec of queue deliveries. */
export function deliveriesWorker(config: Config) {
  const allow = parseAllowList(config.ORA_OUTBOUND_ALLOW ?? []);
  return plainWorker<DeliveryMessage>(
    QUEUE,
    async (job, ctx) => {
      const kind = job.payload.kind;
      if (kind !== "notification" && kind !== "webhook") {
        // a malformed message: final, so the consumer dead-letters it with this reason
        throw new Error(`Unknown delivery kind ${JSON.stringify(kind)}`);
      }
      const lease = await ctx.db.service((tx) => leaseDelivery(tx, job, kind));
      if (lease.outcome !== undefined) return lease.outcome;
      const { result, sentTo } = await send(lease.plan, allow);
      return await ctx.db.service((tx) => settle(tx, job, kind, lease.row, result, sentTo));
    },
    { retryBaseMs: config.ORA_RETRY_BASE_MS, maxAttempts: MAX_READS },
  );
}

async function setVisibleIn(tx: Tx, msgId: string, seconds: number) {
  await tx`select pgmq.set_vt(${QUEUE}, ${msgId}::bigint, ${
    Math.max(1, Math.ceil(seconds))
  }::integer)`;
}

// ---------------------------------------------------------------------------------------------
// 1. LEASE
// ---------------------------------------------------------------------------------------------
async function leaseDelivery(tx: Tx, job: PlainJob<DeliveryMessage>, kind: Kind): Promise<Lease> {
  const [d] = await tx<(Delivery & { locked_for: number | null; due_in: number })[]>`
    select d.*, extract(epoch from d.locked_until - now())::float8 as locked_for,
      extract(epoch from d.next_attempt_at - now())::float8 as due_in
    from ${tx(TABLE[kind])} d
    where d.tenant_id = ${job.tenantId} and d.id = ${job.payload.delivery_id}
    for update`;
  // GUARD: deleted (its webhook or notification went) or already settled: nothing to send
  if (!d) {
    await job.ackIn(tx);
    return { outcome: "gone" };
  }
  if (d.status !== "pending") {
    await job.ackIn(tx);
    return { outcome: "duplicate" };
  }
  // GUARD: an attempt is in flight elsewhere, or the retry is not due: come back then
  if (d.locked_for !== null && d.locked_for > 0) {
    // look again soon: the attempt usually ends well before its lease does
    await setVisibleIn(tx, job.msgId, Math.min(d.locked_for + 1, BUSY_RECHECK_SECONDS));
    return { outcome: "busy" };
  }
  if (d.due_in > 1) {
    await setVisibleIn(tx, job.msgId, d.due_in);
    return { outcome: "not_due" };
  }
  const { locked_for: _l, due_in: _d, ...row } = d;
  let plan: DeliveryPlan;
  try {
    plan = kind === "notification"
      ? await prepareNotificationDelivery(tx, row as TableRow<"notification_deliveries">)
      : await prepareWebhookDelivery(tx, row as TableRow<"webhook_deliveries">);
  } catch (e) {
    if (!(e instanceof DeliveryConfigError)) throw e;
    const failed: AttemptResult = {
      verdict: "failed",
      statusCode: null,
      error: `${e.code}: ${e.message}`,
      response: null,
      retryAfterSeconds: null,
      durationMs: 0,
    };
    const counted = { ...row, attempts: row.attempts + 1 } as Delivery;
    return { outcome: await settle(tx, job, kind, counted, failed, []) };
  }
  const leaseSeconds = Math.ceil(plan.timeoutMs * Math.max(1, plan.requests.length) / 1000) +
    LEASE_MARGIN_SECONDS;
  const [leased] = await tx<Delivery[]>`
    update ${tx(TABLE[kind])} set attempts = attempts + 1, last_attempt_at = now(),
      locked_until = now() + make_interval(secs => ${leaseSeconds})
    where tenant_id = ${job.tenantId} and id = ${d.id}
    returning *`;
  return { row: leased, plan };
}

// ---------------------------------------------------------------------------------------------
// 2. ATTEMPT
// ---------------------------------------------------------------------------------------------
async function send(
  plan: DeliveryPlan,
  allow: ReturnType<typeof parseAllowList>,
): Promise<{ result: AttemptResult; sentTo: string[] }> {
  if (plan.requests.length === 0) {
    // everyone was sent to by an earlier attempt
    return {
      result: {
        verdict: "delivered",
        statusCode: null,
        error: null,
        response: null,
        retryAfterSeconds: null,
        durationMs: 0,
      },
      sentTo: [],
    };
  }
  const results: AttemptResult[] = [];
  const sentTo: string[] = [];
  const signing = plan.signing;
  for (const req of plan.requests) {
    const r = await attempt(req, {
      allow,
      timeoutMs: plan.timeoutMs,
      sign: signing ? (q) => signatureHeaders(signing.secrets, signing.id, q.body) : undefined,
    });
    results.push(r);
    if (r.verdict === "delivered" && req.key) sentTo.push(req.key);
  }
  return { result: combine(results), sentTo };
}

// ---------------------------------------------------------------------------------------------
// 3. SETTLE
// ---------------------------------------------------------------------------------------------
async function settle(
  tx: Tx,
  job: PlainJob<DeliveryMessage>,
  kind: Kind,
  d: Delivery,
  result: AttemptResult,
  sentTo: string[],
): Promise<string> {
  // d.attempts counts this attempt (also when it failed before any request)
  const attemptNo = d.attempts;
  const outcome = result.verdict === "delivered"
    ? "delivered"
    : result.verdict === "retry"
    ? (attemptNo >= (d.max_attempts ?? 1 + d.retry_schedule_seconds.length) ? "dead" : "retrying")
    : "failed";
  const delay = outcome === "retrying"
    ? retryDelaySeconds(d.retry_schedule_seconds, attemptNo, result.retryAfterSeconds)
    : 0;
  const status = outcome === "retrying" ? "pending" : outcome;
  const error = outcome === "dead"
    ? `${result.error} (gave up after ${attemptNo} attempts)`
    : result.error;

  // GUARD: the row is settled only while pending (a concurrent settle already won otherwise)
  const [updated] = await tx`
    update ${tx(TABLE[kind])} set status = ${status}, attempts = ${attemptNo},
      locked_until = null,
      next_attempt_at = now() + make_interval(secs => ${delay}),
      last_status_code = ${result.statusCode}, last_error = ${error},
      last_duration_ms = ${result.durationMs},
      delivered_at = ${outcome === "delivered" ? tx`now()` : null}
      ${
    kind === "webhook"
      ? tx`, last_response = ${result.response}`
      : tx`, sent_to = array(select distinct unnest(sent_to || ${sentTo}::text[]))`
  }
    where tenant_id = ${job.tenantId} and id = ${d.id} and status = 'pending'
    returning id`;
  if (!updated) {
    await job.ackIn(tx);
    return "duplicate";
  }

  // the message: archived, back after the delay, or dead-lettered with the reason
  if (outcome === "retrying") await setVisibleIn(tx, job.msgId, delay);
  else if (outcome === "dead") {
    await tx`select app.queue_dead_letter(${QUEUE}, ${job.msgId}::bigint, ${error ?? "failed"})`;
  } else await job.ackIn(tx);

  if (kind === "webhook") {
    await recordWebhookStats(tx, d as TableRow<"webhook_deliveries">, outcome, result, error);
  } else {await recordNotificationStatus(
      tx,
      d as TableRow<"notification_deliveries">,
      status,
      attemptNo,
      result,
      error,
    );}
  return outcome;
}

async function recordWebhookStats(
  tx: Tx,
  d: TableRow<"webhook_deliveries">,
  outcome: string,
  result: AttemptResult,
  error: string | null,
) {
  if (!d.webhook_id) return;
  const ok = outcome === "delivered";
  const final = outcome === "failed" || outcome === "dead";
  const gone = result.verdict === "gone";
  await tx`
    update public.webhooks set
      successful_deliveries = successful_deliveries + ${ok ? 1 : 0},
      failed_deliveries = failed_deliveries + ${final ? 1 : 0},
      last_success_at = case when ${ok} then now() else last_success_at end,
      last_failure_at = case when ${ok} then last_failure_at else now() end,
      last_error = case when ${ok} then last_error else ${error} end,
      last_status_code = coalesce(${result.statusCode}::integer, last_status_code),
      is_active = is_active and not ${gone},
      disabled_reason = case when ${gone} then ${`410 Gone on delivery ${d.id}: the receiver says the endpoint no longer exists`} else disabled_reason end,
      disabled_at = case when ${gone} then now() else disabled_at end
    where tenant_id = ${d.tenant_id} and id = ${d.webhook_id}`;
}

async function recordNotificationStatus(
  tx: Tx,
  d: TableRow<"notification_deliveries">,
  status: string,
  attempts: number,
  result: AttemptResult,
  error: string | null,
) {
  const entry = Object.fromEntries(
    Object.entries({
      status,
      attempts,
      at: new Date().toISOString(),
      status_code: result.statusCode,
      error,
    }).filter(([, v]) => v !== null && v !== undefined),
  );
  await tx`
    update public.notifications
    set delivery_status = delivery_status || jsonb_build_object(${d.channel}::text, ${
    tx.json(entry)
  }::jsonb)
    where tenant_id = ${d.tenant_id} and id = ${d.notification_id}`;
}
