/**
 * The trigger-engine's event router: a plain-queue worker on `events`. Each message is either an
 * event some automation (or webhook subscription) may want — written by the event's own
 * transaction (app.events_route) — or a request to compute a schedule automation's next firing.
 *
 * An event is matched against the tenant's active event automations (event names, then filters
 * over the payload), fires each match (app.automation_fire: caps, cooldown, loop protection,
 * debounce/batch windows), cancels the runs a `cancelOn` event names, and is marked processed —
 * all in one transaction with the message's acknowledgement, so a retried message never fires
 * twice and a failed one fires nothing.
 */
import type { Config } from "../platform/config.ts";
import { literal, simple, sqlValue, type Tx } from "../platform/db.ts";
import { plainWorker } from "../queue/plain.ts";
import { envelopeOf, evaluate, eventResolver, jsonEqual } from "../platform/conditions.ts";
import { nextRun } from "./schedule.ts";
import { EventTrigger, ScheduleTrigger } from "./schema.ts";

type EventMessage =
  | { kind?: "event"; tenant_id: string; event_id: string; event_type: string }
  | { kind: "schedule"; tenant_id: string; automation_id: string; after: string | null };

interface EventRow {
  id: string;
  event_type: string;
  event_source: string;
  payload: Record<string, unknown>;
  chain: string[];
  created_at: string;
  origin: string | null;
  asset_id: string | null;
  occurred_at: string | null;
}

interface Candidate {
  id: string;
  trigger_config: unknown;
}

/** Extra work done for every routed event (webhook subscriptions deliver through this). */
export type EventHook = (tx: Tx, event: EventRow & { tenant_id: string }) => Promise<unknown>;

/** The consumer spec for the `events` queue. */
export function eventRouter(config: Config, hooks: EventHook[] = []) {
  return plainWorker<EventMessage>("events", async (job, jc) => {
    const m = job.payload;
    if (m.kind === "schedule") {
      await jc.db.service(async (tx) => {
        await scheduleNext(tx, m.tenant_id, m.automation_id, m.after);
        await job.ackIn(tx);
      });
      return "scheduled";
    }
    return await jc.db.service(async (tx) => {
      // the event and the automations that may want it, in one round trip
      const [event] = await simple(tx)<(EventRow & { candidates: Candidate[] })[]>`
        select e.id, e.event_type, e.event_source, e.payload, e.chain, e.created_at, e.origin,
          e.asset_id, e.occurred_at,
          coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'trigger_config', a.trigger_config)
              order by a.created_at, a.id)
            from public.automations a
            where a.tenant_id = e.tenant_id and a.status = 'active' and a.trigger_type = 'event'
              and a.event_names && array[e.event_type, '*']), '[]'::jsonb) as candidates
        from public.event_log e
        where e.id = ${m.event_id}::uuid and e.tenant_id = ${m.tenant_id}::uuid`;
      if (!event) {
        await job.ackIn(tx); // expired or its tenant is gone
        return "gone";
      }
      const fired = await route(tx, m.tenant_id, event, event.candidates);
      for (const hook of hooks) await hook(tx, { ...event, tenant_id: m.tenant_id });
      await tx.unsafe(`with done as (update public.event_log set processed = true,
          processed_at = now(), matched_automations = ${sqlValue(fired)}::uuid[]
          where id = ${literal(event.id)})
        select app.queue_ack('events', ${Number(job.msgId)})`);
      return fired.length > 0 ? "fired" : "unmatched";
    });
  }, { retryBaseMs: config.ORA_RETRY_BASE_MS, maxAttempts: 5 });
}

/** Matches one event against the tenant's automations; the ids of those it fired. */
export async function route(
  tx: Tx,
  tenantId: string,
  event: EventRow,
  candidates: Candidate[],
): Promise<string[]> {
  const envelope = envelopeOf(event);
  const resolve = eventResolver(event.payload, envelope);
  const fired: string[] = [];
  for (const c of candidates) {
    const parsed = EventTrigger.safeParse(c.trigger_config);
    if (!parsed.success) continue; // saved outside the API and invalid: never fires
    const t = parsed.data;
    if (t.cancelOn?.events.includes(event.event_type)) {
      await cancelMatching(tx, tenantId, c.id, t.cancelOn.match, event);
    }
    if (!t.events.includes(event.event_type) && !t.events.includes("*")) continue;
    if (!evaluate(t.filter, resolve)) continue;
    const trigger = {
      type: "event",
      data: event.payload,
      event: {
        id: event.id,
        type: event.event_type,
        source: event.event_source,
        created_at: event.created_at,
        origin: envelope.origin,
        asset_id: envelope.asset_id,
        occurred_at: envelope.occurred_at,
      },
      chain: event.chain ?? [],
    };
    const windowKey = (k?: string) => {
      if (!k) return "";
      const v = resolve(k);
      return v.found ? (typeof v.value === "string" ? v.value : JSON.stringify(v.value)) : "";
    };
    const opts = t.debounce
      ? {
        window: { mode: "debounce", key: windowKey(t.debounce.key), seconds: t.debounce.seconds },
      }
      : t.batch
      ? {
        window: {
          mode: "batch",
          key: windowKey(t.batch.key),
          max_wait: t.batch.maxWait,
          max_size: t.batch.maxSize,
        },
      }
      : {};
    const [r] = await simple(tx)<{ r: { status: string } }[]>`
      select app.automation_fire(${tenantId}::uuid, ${c.id}::uuid, ${trigger}::jsonb, ${opts}::jsonb) as r`;
    if (r.r.status !== "skipped") fired.push(c.id);
  }
  return fired;
}

/** cancelOn: cancels the automation's unfinished runs whose trigger matches the event. */
async function cancelMatching(
  tx: Tx,
  tenantId: string,
  automationId: string,
  match: string | undefined,
  event: EventRow,
) {
  const runs = await tx<{ id: string; data: unknown }[]>`
    select id, input -> 'trigger' -> 'data' as data from public.runs
    where tenant_id = ${tenantId} and kind = 'automation' and subject = ${automationId}
      and status in ('queued', 'running', 'waiting', 'deferred')
    limit 1000`;
  const mine = eventResolver(event.payload);
  for (const run of runs) {
    if (match) {
      const a = eventResolver(run.data)(match);
      const b = mine(match);
      if (!a.found || !b.found || !jsonEqual(a.value, b.value)) continue;
    }
    await tx`select app.run_cancel(${tenantId}, ${run.id},
      ${`cancelled by event ${event.event_type} (${event.id})`})`;
  }
}

/** Computes and records a schedule automation's next firing (unless one was set meanwhile). */
export async function scheduleNext(
  tx: Tx,
  tenantId: string,
  automationId: string,
  after: string | null,
) {
  const [a] = await tx<{ trigger_config: unknown; status: string; next_run_at: string | null }[]>`
    select trigger_config, status, next_run_at from public.automations
    where id = ${automationId} and tenant_id = ${tenantId} and trigger_type = 'schedule'
    for update`;
  if (!a || a.status !== "active" || a.next_run_at !== null) return null;
  const parsed = ScheduleTrigger.safeParse(a.trigger_config);
  if (!parsed.success) {
    await tx`update public.automations set status = 'error',
      status_reason = ${`Invalid schedule: ${parsed.error.issues[0]?.message}`}
      where id = ${automationId}`;
    return null;
  }
  const next = nextRun(parsed.data, after ? new Date(after) : null);
  await tx`select app.automation_schedule_set(${tenantId}, ${automationId},
    ${next ? next.toISOString() : null}::timestamptz, true)`;
  return next;
}
