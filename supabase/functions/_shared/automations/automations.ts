/**
 * The automations API (automations.*, events.*, metrics.*): definitions are validated with the
 * language's zod schemas, saved under RLS in the request transaction, and fired through
 * app.automation_fire. An automation runs with the scopes of whoever saved it, never more: saving
 * one whose actions need a scope the caller lacks is refused.
 */
import { z } from "zod";
import { type Principal, principalName } from "../platform/auth.ts";
import { listPage } from "../platform/crud.ts";
import { elevated, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import { nextRun, upcoming } from "./schedule.ts";
import { Conditions } from "../platform/conditions.ts";
import {
  type Action,
  Actions,
  Category,
  missingScopes,
  NewAutomation,
  parseTrigger,
  ScheduleTrigger,
} from "./schema.ts";

type Row = Record<string, unknown> & {
  id: string;
  trigger_type: string;
  trigger_config: Record<string, unknown>;
  status: string;
};

/** Event names an event automation is routed (its trigger events and its cancelOn events). */
export function eventNames(type: string, config: Record<string, unknown>): string[] {
  if (type !== "event") return [];
  const c = config as { events?: string[]; cancelOn?: { events?: string[] } };
  return [...new Set([...(c.events ?? []), ...(c.cancelOn?.events ?? [])])];
}

function assertScopes(actions: Action[], p: Principal) {
  const missing = missingScopes(actions, p.scopes);
  if (missing.length > 0) {
    throw new ApiError(
      "FORBIDDEN",
      `These actions need scopes your credential lacks: ${
        missing.join(", ")
      }. An automation runs with the scopes of whoever saves it, never more.`,
      { missing },
    );
  }
}

function firstNextRun(
  type: string,
  config: Record<string, unknown>,
  status: string,
): string | null {
  if (type !== "schedule" || status !== "active") return null;
  const s = ScheduleTrigger.parse(config);
  if (s.runAt && Date.parse(s.runAt) < Date.now() - 60_000) {
    throw new ApiError("VALIDATION_ERROR", `trigger_config.runAt ${s.runAt} is in the past`);
  }
  return nextRun(s, null)?.toISOString() ?? null;
}

/** A new webhook signing secret (Standard Webhooks: whsec_ + base64 of 32 random bytes). */
export function newHookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

async function setHookSecret(tx: Tx, tenantId: string, id: string, base: string) {
  const secret = newHookSecret();
  await elevated(tx, () => tx`select app.automation_hook_set(${tenantId}, ${id}, ${secret})`);
  return { url: `${base}/functions/v1/hooks/${id}`, secret };
}

/** automations.create */
export async function createAutomation(
  tx: Tx,
  tenantId: string,
  p: Principal,
  a: NewAutomation,
  publicUrl: string,
) {
  assertScopes(a.actions as Action[], p);
  const config = a.trigger_config as Record<string, unknown>;
  const [row] = await tx<Row[]>`
    insert into public.automations ${
    tx({
      tenant_id: tenantId,
      name: a.name,
      slug: a.slug,
      description: a.description ?? null,
      category: a.category,
      trigger_type: a.trigger_type,
      trigger_config: tx.json(config as never),
      event_names: eventNames(a.trigger_type, config),
      conditions: a.conditions === undefined ? null : tx.json(a.conditions as never),
      actions: tx.json(a.actions as never),
      on_error: a.on_error,
      max_retries: a.max_retries,
      retry_delay_seconds: a.retry_delay_seconds,
      max_runs_per_hour: a.max_runs_per_hour ?? null,
      max_runs_per_day: a.max_runs_per_day ?? null,
      cooldown_seconds: a.cooldown_seconds,
      status: a.status,
      run_scopes: p.scopes,
      next_run_at: firstNextRun(a.trigger_type, config, a.status),
      created_by: principalName(p),
      tags: a.tags,
      metadata: tx.json(a.metadata as never),
    } as never)
  } returning *`.catch(conflict(a.slug));
  const webhook = a.trigger_type === "webhook"
    ? await setHookSecret(tx, tenantId, row.id, publicUrl)
    : undefined;
  return webhook ? { ...row, webhook } : row;
}

function conflict(slug: string) {
  return (e: { code?: string }) => {
    if (e.code === "23505") {
      throw new ApiError(
        "CONFLICT",
        `An automation with slug ${slug} already exists in this tenant`,
      );
    }
    throw e;
  };
}

/** An automation by id, under RLS (404 otherwise). */
export async function getAutomation(tx: Tx, id: string) {
  const [row] = await tx<Row[]>`select * from public.automations where id = ${id}`;
  if (!row) throw new ApiError("NOT_FOUND", `No automation with id ${id}`);
  return row;
}

/** automations.get: the automation, and its next firings when it is a schedule. */
export async function describeAutomation(tx: Tx, id: string) {
  const row = await getAutomation(tx, id);
  if (row.trigger_type !== "schedule") return row;
  const s = ScheduleTrigger.safeParse(row.trigger_config);
  return { ...row, upcoming: s.success && row.status === "active" ? upcoming(s.data, 5) : [] };
}

export const UpdateAutomation = z.object({
  id: z.uuid(),
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).nullable().optional(),
  category: Category.optional(),
  trigger_type: z.enum(["schedule", "event", "threshold", "manual", "webhook"]).optional(),
  trigger_config: z.record(z.string(), z.unknown()).optional(),
  conditions: Conditions.nullable().optional(),
  actions: Actions.optional(),
  on_error: z.enum(["ignore", "retry", "notify", "pause", "abort"]).optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  retry_delay_seconds: z.number().int().min(1).max(86_400).optional(),
  max_runs_per_hour: z.number().int().min(1).max(100_000).nullable().optional(),
  max_runs_per_day: z.number().int().min(1).max(1_000_000).nullable().optional(),
  cooldown_seconds: z.number().int().min(0).max(30 * 86_400).optional(),
  status: z.enum(["active", "paused", "disabled", "draft"]).optional(),
  tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict().refine((d) => Object.keys(d).length > 1, "Give at least one field to change");

/** automations.update (and pause/resume): a change of behaviour bumps the version. */
export async function updateAutomation(
  tx: Tx,
  tenantId: string,
  p: Principal,
  d: z.infer<typeof UpdateAutomation>,
  publicUrl: string,
) {
  const cur = await getAutomation(tx, d.id);
  const type = d.trigger_type ?? cur.trigger_type;
  const typeChanged = d.trigger_type !== undefined && d.trigger_type !== cur.trigger_type;
  if (typeChanged && d.trigger_config === undefined) {
    throw new ApiError("VALIDATION_ERROR", "Changing trigger_type needs its trigger_config too");
  }
  let config = cur.trigger_config;
  if (d.trigger_config !== undefined) {
    const parsed = parseTrigger(type, d.trigger_config);
    if (!parsed.success) {
      throw new ApiError(
        "VALIDATION_ERROR",
        `Invalid trigger_config: ${
          parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")
        }`,
        {
          issues: parsed.error.issues.map((i) => ({
            path: `trigger_config.${i.path.join(".")}`,
            message: i.message,
          })),
        },
      );
    }
    config = parsed.data as Record<string, unknown>;
  }
  const actions = (d.actions ?? cur.actions) as Action[];
  // whoever changes an automation is who it runs as from now on: their scopes must cover it
  assertScopes(actions, p);
  const behaviour = d.trigger_type !== undefined || d.trigger_config !== undefined ||
    d.conditions !== undefined || d.actions !== undefined;
  const status = d.status ?? cur.status;
  const reschedule = type === "schedule" &&
    (d.trigger_config !== undefined || typeChanged ||
      (d.status === "active" && cur.status !== "active"));
  const set: Record<string, unknown> = {
    ...Object.fromEntries(
      Object.entries({
        name: d.name,
        description: d.description,
        category: d.category,
        on_error: d.on_error,
        max_retries: d.max_retries,
        retry_delay_seconds: d.retry_delay_seconds,
        max_runs_per_hour: d.max_runs_per_hour,
        max_runs_per_day: d.max_runs_per_day,
        cooldown_seconds: d.cooldown_seconds,
        status: d.status,
        tags: d.tags,
      }).filter(([, v]) => v !== undefined),
    ),
    run_scopes: p.scopes,
  };
  if (d.status !== undefined && d.status !== cur.status) set.status_reason = null;
  if (d.metadata !== undefined) set.metadata = tx.json(d.metadata as never);
  if (d.trigger_type !== undefined) set.trigger_type = d.trigger_type;
  if (d.trigger_config !== undefined || typeChanged) {
    set.trigger_config = tx.json(config as never);
    set.event_names = eventNames(type, config);
    set.threshold_state = tx.json({} as never);
  }
  if (d.conditions !== undefined) {
    set.conditions = d.conditions === null ? null : tx.json(d.conditions as never);
  }
  if (d.actions !== undefined) set.actions = tx.json(d.actions as never);
  if (reschedule) set.next_run_at = firstNextRun(type, config, status);
  else if (type !== "schedule") set.next_run_at = null;
  const [row] = await tx<Row[]>`
    update public.automations set ${tx(set as never)}, version = version + ${behaviour ? 1 : 0}
    where id = ${d.id} returning *`;
  const webhook = type === "webhook" && typeChanged
    ? await setHookSecret(tx, tenantId, row.id, publicUrl)
    : undefined;
  return webhook ? { ...row, webhook } : row;
}

/** automations.rotate_secret: a new signing secret for a webhook automation (the old one stops working). */
export async function rotateHookSecret(tx: Tx, tenantId: string, id: string, publicUrl: string) {
  const row = await getAutomation(tx, id);
  if (row.trigger_type !== "webhook") {
    throw new ApiError("VALIDATION_ERROR", `Automation ${id} is not webhook-triggered`);
  }
  return { id, webhook: await setHookSecret(tx, tenantId, id, publicUrl) };
}

/** automations.run: fires an automation by hand (paused or draft ones too). */
export async function runAutomation(
  tx: Tx,
  tenantId: string,
  p: Principal,
  id: string,
  data: unknown,
) {
  await getAutomation(tx, id);
  const [row] = await elevated(
    tx,
    () =>
      tx<{ r: { status: string; reason?: string; run_id?: string } }[]>`
      select app.automation_fire(${tenantId}, ${id}, ${
        tx.json({ type: "manual", data: data ?? {}, by: principalName(p), chain: [] } as never)
      }, ${tx.json({ force: true } as never)}) as r`,
  );
  return row.r;
}

/** A run of an automation as automation_runs shows it, with `done`. */
export async function automationRunStatus(tx: Tx, runId: string) {
  const [run] = await tx`select * from public.automation_runs where id = ${runId}`;
  if (!run) throw new ApiError("NOT_FOUND", `No automation run with id ${runId}`);
  return {
    ...run,
    done: ["success", "partial", "failed", "skipped", "cancelled"].includes(run.status),
  };
}

/** automations.history: runs of one automation, newest first. */
export async function automationHistory(
  tx: Tx,
  id: string,
  f: { status?: string; limit: number; cursor?: string },
) {
  await getAutomation(tx, id);
  const conds = [tx`automation_id = ${id}`];
  if (f.status) conds.push(tx`status = ${f.status}`);
  return listPage(tx, "automation_runs", conds, f.limit, f.cursor);
}

/** Reserved event namespaces: Ora's own events cannot be emitted through events.emit. */
const RESERVED =
  /^(session|automation|run|task|budget|blocker|notification|webhook|tool|approval|memory|system)\.|\.(INSERT|UPDATE|DELETE)$/;

export const EventType = z.string().min(1).max(200).regex(
  /^[A-Za-z][\w.:-]*$/,
  "letters, digits and . _ : - (e.g. order.paid)",
).refine(
  (t) => !RESERVED.test(t),
  "reserved for Ora's own events (session.*, automation.*, *.INSERT …): choose another name",
);

/** events.emit: records a custom event (routed to automations, waits and webhooks). */
export async function emitEvent(
  tx: Tx,
  tenantId: string,
  e: {
    type: string;
    payload: Record<string, unknown>;
    origin?: string;
    asset_id?: string;
    occurred_at?: string;
  },
) {
  const [row] = await elevated(
    tx,
    () =>
      tx`insert into public.event_log (tenant_id, event_type, event_source, payload, origin, asset_id,
        occurred_at)
      values (${tenantId}, ${e.type}, 'api', ${tx.json(e.payload as never)}, ${e.origin ?? null},
        ${e.asset_id ?? null}, ${e.occurred_at ?? null})
      returning id, event_type, event_source, payload, origin, asset_id, occurred_at, created_at`,
  );
  return row;
}
