/** automations.*, events.*, metrics.* — autonomous behaviour (docs/automations.md). */
import { z } from "zod";
import {
  type ActionContext,
  type AfterContext,
  Cursor,
  Limit,
  tenantAction,
  Uuid,
} from "../../_shared/platform/actions.ts";
import { listPage } from "../../_shared/platform/crud.ts";
import { elevated } from "../../_shared/platform/db.ts";
import {
  automationHistory,
  automationRunStatus,
  createAutomation,
  describeAutomation,
  emitEvent,
  EventType,
  getAutomation,
  rotateHookSecret,
  runAutomation,
  UpdateAutomation,
  updateAutomation,
} from "../../_shared/automations/automations.ts";
import { NewAutomation } from "../../_shared/automations/schema.ts";
import { waitFor } from "../../_shared/sessions/sessions.ts";

const read = { resource: "automations", access: "read" as const };
const write = { resource: "automations", access: "write" as const };

const List = z.object({
  status: z.enum(["active", "paused", "disabled", "error", "draft", "completed"]).optional(),
  trigger_type: z.enum(["schedule", "event", "threshold", "manual", "webhook"]).optional(),
  category: z.string().max(50).optional(),
  tag: z.string().max(50).optional(),
  limit: Limit,
  cursor: Cursor,
}).strict();
const ById = z.object({ id: Uuid }).strict();
const Run = z.object({
  id: Uuid,
  data: z.record(z.string(), z.unknown()).default({}).describe("Becomes trigger.data"),
  wait_ms: z.number().int().min(0).max(25_000).default(0).describe(
    "Wait up to this long for the run to finish",
  ),
}).strict();
const History = z.object({
  id: Uuid,
  status: z.enum([
    "pending",
    "running",
    "waiting",
    "success",
    "partial",
    "failed",
    "skipped",
    "cancelled",
  ]).optional(),
  limit: Limit,
  cursor: Cursor,
}).strict();
/** How far ahead of the server's clock an occurred_at may be (clock skew of the producer). */
const FUTURE_SKEW_MS = 5 * 60_000;
const Origin = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,99}$/,
  "a system name: letters, digits and _ . : / @ - (e.g. pi-historian), at most 100",
);
const AssetId = z.string().trim().min(1).max(200);
const Emit = z.object({
  type: EventType,
  payload: z.record(z.string(), z.unknown()).default({}),
  origin: Origin.optional().describe(
    "The system that produced it (seed 004's envelope source), e.g. pi-historian",
  ),
  asset_id: AssetId.optional().describe("The asset it is about, e.g. P-101"),
  occurred_at: z.iso.datetime({ offset: true }).refine(
    (t) => Date.parse(t) <= Date.now() + FUTURE_SKEW_MS,
    "is in the future (more than 5 minutes ahead of the server's clock)",
  ).optional().describe(
    "When it happened at its origin (ISO 8601 with offset); default: when Ora records it",
  ),
}).strict();
const EventList = z.object({
  type: z.string().max(200).optional(),
  source: z.enum(["database", "api", "agent", "webhook", "system", "automation"]).optional(),
  origin: Origin.optional(),
  asset_id: AssetId.optional(),
  limit: Limit,
  cursor: Cursor,
}).strict();
const MetricName = z.string().regex(/^[a-z][a-z0-9_.:-]{0,99}$/, "lowercase, e.g. page_views");
const Point = z.object({
  name: MetricName,
  value: z.number().finite(),
  dimensions: z.record(z.string(), z.union([z.string().max(200), z.number(), z.boolean()])).default(
    {},
  ),
  recorded_at: z.iso.datetime({ offset: true }).optional(),
}).strict();
const Record_ = z.union([
  Point,
  z.object({ points: z.array(Point).min(1).max(1000) }).strict(),
]);
const Query = z.object({
  name: MetricName,
  since: z.iso.datetime({ offset: true }),
  until: z.iso.datetime({ offset: true }).optional(),
  aggregation: z.enum(["sum", "avg", "min", "max", "count", "last"]).default("sum"),
  dimensions: z.record(z.string(), z.unknown()).optional(),
  bucket: z.enum(["minute", "hour", "day", "week"]).optional().describe(
    "Also return one value per bucket",
  ),
}).strict();

const publicUrl = (ctx: ActionContext) => ctx.config.SUPABASE_URL.replace(/\/$/, "");

/** pause / resume: the same update with another status. */
function setStatus(status: "paused" | "active") {
  return (ctx: ActionContext, d: z.infer<typeof ById>) =>
    updateAutomation(ctx.tx, ctx.tenantId, ctx.principal, { id: d.id, status }, publicUrl(ctx));
}

export const automationActions = {
  "automations.list": tenantAction({
    description: "List automations, newest first, by status, trigger type, category or tag.",
    scope: read,
    params: List,
    returns: "{items: automation[], nextCursor}",
    handler: ({ tx }: ActionContext, f: z.infer<typeof List>) => {
      const conds = [];
      if (f.status) conds.push(tx`status = ${f.status}`);
      if (f.trigger_type) conds.push(tx`trigger_type = ${f.trigger_type}`);
      if (f.category) conds.push(tx`category = ${f.category}`);
      if (f.tag) conds.push(tx`${f.tag} = any(tags)`);
      return listPage(tx, "automations", conds, f.limit, f.cursor);
    },
  }),
  "automations.get": tenantAction({
    description: "One automation with its statistics; schedules also list their next 5 firings.",
    scope: read,
    params: ById,
    returns: "automation (+ upcoming[] for schedules)",
    handler: ({ tx }: ActionContext, d: z.infer<typeof ById>) => describeAutomation(tx, d.id),
  }),
  "automations.create": tenantAction({
    description:
      "Create an automation: a trigger (schedule, event, threshold, manual, webhook), conditions and actions. Webhook automations return their URL and signing secret once.",
    scope: write,
    params: NewAutomation,
    returns: "automation (+ webhook: {url, secret} for webhook triggers)",
    handler: (ctx: ActionContext, d: NewAutomation) =>
      createAutomation(ctx.tx, ctx.tenantId, ctx.principal, d, publicUrl(ctx)),
  }),
  "automations.update": tenantAction({
    description:
      "Change an automation. A change of trigger, conditions or actions bumps its version (runs in flight keep the version they started with).",
    scope: write,
    params: UpdateAutomation,
    returns: "automation",
    handler: (ctx: ActionContext, d: z.infer<typeof UpdateAutomation>) =>
      updateAutomation(ctx.tx, ctx.tenantId, ctx.principal, d, publicUrl(ctx)),
  }),
  "automations.delete": tenantAction({
    description: "Delete an automation (its past runs stay in runs).",
    scope: write,
    params: ById,
    returns: "{id, deleted: true}",
    handler: async ({ tx }: ActionContext, d: z.infer<typeof ById>) => {
      await getAutomation(tx, d.id);
      await tx`delete from public.automations where id = ${d.id}`;
      return { id: d.id, deleted: true };
    },
  }),
  "automations.pause": tenantAction({
    description: "Pause an automation: it stops firing until resumed (runs in flight finish).",
    scope: write,
    params: ById,
    returns: "automation",
    handler: setStatus("paused"),
  }),
  "automations.resume": tenantAction({
    description:
      "Resume a paused automation; a schedule continues from now (missed firings are not made up).",
    scope: write,
    params: ById,
    returns: "automation",
    handler: setStatus("active"),
  }),
  "automations.run": tenantAction({
    description:
      "Fire an automation by hand (also when paused or draft) with data as trigger.data; wait_ms waits for its result.",
    scope: write,
    params: Run,
    returns: "{status: started|skipped, run_id} or the finished run when wait_ms > 0",
    handler: ({ tx, tenantId, principal }: ActionContext, d: z.infer<typeof Run>) =>
      runAutomation(tx, tenantId, principal, d.id, d.data),
    after: (ctx: AfterContext, d: z.infer<typeof Run>, fired) => {
      const f = fired as { run_id?: string };
      if (!d.wait_ms || !f.run_id) return Promise.resolve(fired);
      return waitFor(() => ctx.read((tx) => automationRunStatus(tx, f.run_id!)), d.wait_ms);
    },
  }),
  "automations.history": tenantAction({
    description:
      "Runs of an automation, newest first: trigger, status, per-action results, duration.",
    scope: read,
    params: History,
    returns: "{items: automation_run[], nextCursor}",
    handler: ({ tx }: ActionContext, d: z.infer<typeof History>) => automationHistory(tx, d.id, d),
  }),
  "automations.rotate_secret": tenantAction({
    description:
      "Give a webhook automation a new signing secret (returned once; the old one stops working).",
    scope: write,
    params: ById,
    returns: "{id, webhook: {url, secret}}",
    handler: (ctx: ActionContext, d: z.infer<typeof ById>) =>
      rotateHookSecret(ctx.tx, ctx.tenantId, d.id, publicUrl(ctx)),
  }),

  "events.emit": tenantAction({
    description:
      "Record a custom event (e.g. order.paid, sensor.temperature) with optional envelope (origin, asset_id, occurred_at): it fires matching event automations, resolves waits and reaches webhook subscriptions.",
    scope: { resource: "events", access: "write" },
    params: Emit,
    returns: "event",
    handler: ({ tx, tenantId }: ActionContext, d: z.infer<typeof Emit>) =>
      emitEvent(tx, tenantId, d),
  }),
  "events.list": tenantAction({
    description:
      "Events of the tenant (kept 30 days), newest first, by type, source (the writing channel), origin or asset.",
    scope: { resource: "events", access: "read" },
    params: EventList,
    returns: "{items: event[], nextCursor}",
    handler: ({ tx }: ActionContext, f: z.infer<typeof EventList>) => {
      const conds = [];
      if (f.type) conds.push(tx`event_type = ${f.type}`);
      if (f.source) conds.push(tx`event_source = ${f.source}`);
      if (f.origin) conds.push(tx`origin = ${f.origin}`);
      if (f.asset_id) conds.push(tx`asset_id = ${f.asset_id}`);
      return listPage(tx, "event_log", conds, f.limit, f.cursor);
    },
  }),

  "metrics.record": tenantAction({
    description: "Record metric points (one, or up to 1000 as points[]) for threshold automations.",
    scope: { resource: "metrics", access: "write" },
    params: Record_,
    returns: "{recorded: number}",
    handler: async ({ tx, tenantId }: ActionContext, d: z.infer<typeof Record_>) => {
      const points = "points" in d ? d.points : [d];
      await tx`insert into public.metrics ${
        tx(points.map((p) => ({
          tenant_id: tenantId,
          name: p.name,
          value: p.value,
          dimensions: tx.json(p.dimensions as never),
          recorded_at: p.recorded_at ?? new Date().toISOString(),
        })) as never)
      }`;
      return { recorded: points.length };
    },
  }),
  "metrics.query": tenantAction({
    description:
      "Aggregate a metric over [since, until) (sum, avg, min, max, count, last), optionally per bucket.",
    scope: { resource: "metrics", access: "read" },
    params: Query,
    returns: "{name, aggregation, value, buckets?: [{at, value}]}",
    handler: async ({ tx, tenantId }: ActionContext, q: z.infer<typeof Query>) => {
      const until = q.until ?? new Date().toISOString();
      const dims = q.dimensions ? tx.json(q.dimensions as never) : null;
      const [row] = await elevated(
        tx,
        () =>
          tx`select app.metric_aggregate(${tenantId}, ${q.name}, ${q.since}::timestamptz,
          ${until}::timestamptz, ${q.aggregation}, ${dims}::jsonb) as value`,
      );
      if (!q.bucket) {
        return {
          name: q.name,
          aggregation: q.aggregation,
          since: q.since,
          until,
          value: row.value,
        };
      }
      const agg = {
        sum: tx`sum(value)`,
        avg: tx`avg(value)`,
        min: tx`min(value)`,
        max: tx`max(value)`,
        count: tx`count(*)::double precision`,
        last: tx`(array_agg(value order by recorded_at desc))[1]`,
      }[q.aggregation];
      const buckets = await tx`
        select date_trunc(${q.bucket}, recorded_at) as at, ${agg} as value from public.metrics
        where name = ${q.name} and recorded_at >= ${q.since}::timestamptz and recorded_at < ${until}::timestamptz
          and (${dims}::jsonb is null or dimensions @> ${dims}::jsonb)
        group by 1 order by 1`;
      return {
        name: q.name,
        aggregation: q.aggregation,
        since: q.since,
        until,
        value: row.value,
        buckets,
      };
    },
  }),
};
