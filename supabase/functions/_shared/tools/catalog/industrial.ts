/**
 * The industrial tools of seed 004 §3.2: CMMS, SCADA/DCS, historian, ERP, notifications, HSE and
 * compliance. Each is a contract (zod arguments, read or write, risk class, integration) with a
 * sandbox behaviour: plausible data seeded per tenant, and writes kept as sandbox records, so
 * demos and tests work without a plant. A tenant points an integration at a real system with
 * integrations.upsert (the generic HTTP adapter); the contracts stay the same.
 */
import { z } from "zod";
import type { Json } from "../../runs/engine.ts";
import {
  getRecord,
  listRecords,
  mean,
  parseTag,
  putRecord,
  rng,
  round,
  SANDBOX_ASSETS,
  seededId,
  series,
  signalOf,
  stddev,
  valueAt,
} from "../sandbox.ts";
import { defineTool, type SandboxEnv, ToolCallError, type ToolDef } from "../types.ts";

const AssetId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "an asset id such as P-101")
  .describe("Asset identifier, e.g. P-101");
const Tag = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.[A-Za-z][A-Za-z0-9_]{0,31}$/,
  "a tag such as P-101.VIB (<asset>.<measurement>)",
).describe("Process tag <asset>.<measurement>, e.g. P-101.VIB, C-201.PRESS");
const WorkOrderId = z.string().regex(/^WO-\d{4,10}$/, "a work order id such as WO-482913");
const IsoTime = z.iso.datetime({ offset: true });
const IsoDate = z.iso.date();
const WO_STATUSES = ["open", "in_progress", "on_hold", "completed", "cancelled"] as const;
const PRIORITIES = ["low", "medium", "high", "urgent"] as const;

const assetOfTag = (a: { tag: string }) => parseTag(a.tag).asset_id;

// ---------------------------------------------------------------------------------------------
// CMMS
// ---------------------------------------------------------------------------------------------

type WorkOrder = Record<string, Json> & { work_order_id: string; status: string };

/** The work orders every sandbox starts with: three per sandbox asset, seeded per tenant. */
function seededWorkOrders(tenantId: string, now: Date): WorkOrder[] {
  const titles = [
    "Inspect mechanical seal",
    "Lubrication route",
    "Replace coupling insert",
    "Vibration survey",
    "Clean strainer",
    "Calibrate transmitter",
  ];
  const out: WorkOrder[] = [];
  for (const asset of SANDBOX_ASSETS) {
    const r = rng(`${tenantId}:wo:${asset.asset_id}`);
    for (let i = 0; i < 3; i++) {
      const created = new Date(now.getTime() - Math.floor(5 + r() * 200) * 86_400_000);
      const id = seededId("WO", `${tenantId}:${asset.asset_id}:${i}`);
      out.push({
        work_order_id: id,
        asset_id: asset.asset_id,
        title: `${titles[Math.floor(r() * titles.length)]} (${asset.name})`,
        description: "",
        priority: PRIORITIES[Math.floor(r() * 3)],
        work_type: i === 0 ? "preventive" : "corrective",
        status: i === 2 && r() < 0.5 ? "open" : "completed",
        assignee: r() < 0.7 ? `TECH-${10 + Math.floor(r() * 30)}` : null,
        due_date: null,
        created_at: created.toISOString(),
        updated_at: created.toISOString(),
      });
    }
  }
  return out;
}

/** A work order as the sandbox knows it now (its record, else the seeded one); null if unknown. */
async function findWorkOrder(env: SandboxEnv, id: string, lock = false) {
  const rec = await getRecord(env, "work_order", id, lock);
  if (rec) return rec.data as WorkOrder;
  return seededWorkOrders(env.tenantId, env.now).find((w) => w.work_order_id === id) ?? null;
}

async function mustFindWorkOrder(env: SandboxEnv, id: string) {
  const wo = await findWorkOrder(env, id, true);
  if (!wo) throw new ToolCallError("NOT_FOUND", `No work order ${id} in the CMMS`);
  return wo;
}

const cmms: ToolDef[] = [
  defineTool({
    name: "cmms.get_work_order",
    description: "One work order from the CMMS by id: asset, title, priority, status, assignee.",
    params: z.object({ work_order_id: WorkOrderId }).strict(),
    access: "read",
    risk: "none",
    integration: "cmms",
    sandbox: async (a, env) => ({ result: await mustFindWorkOrder(env, a.work_order_id) }),
  }),
  defineTool({
    name: "cmms.search_work_orders",
    description: "Search CMMS work orders by asset, status and priority, newest first.",
    params: z.object({
      asset_id: AssetId.optional(),
      status: z.enum(WO_STATUSES).optional(),
      priority: z.enum(PRIORITIES).optional(),
      limit: z.number().int().min(1).max(50).default(10),
    }).strict(),
    access: "read",
    risk: "none",
    integration: "cmms",
    asset: (a) => a.asset_id,
    sandbox: async (a, env) => {
      const recorded = (await listRecords(env, "work_order")).map((r) => r.data as WorkOrder);
      const ids = new Set(recorded.map((w) => w.work_order_id));
      const all = [
        ...recorded,
        ...seededWorkOrders(env.tenantId, env.now).filter((w) => !ids.has(w.work_order_id)),
      ].filter((w) =>
        (!a.asset_id || w.asset_id === a.asset_id) && (!a.status || w.status === a.status) &&
        (!a.priority || w.priority === a.priority)
      ).sort((x, y) => String(y.created_at).localeCompare(String(x.created_at)));
      return { result: { items: all.slice(0, a.limit), total: all.length } };
    },
  }),
  defineTool({
    name: "cmms.create_work_order",
    description:
      "Create a work order in the CMMS for an asset (corrective, preventive, predictive or inspection).",
    params: z.object({
      asset_id: AssetId,
      title: z.string().trim().min(3).max(200),
      description: z.string().max(4000).optional(),
      priority: z.enum(PRIORITIES).default("medium"),
      work_type: z.enum(["corrective", "preventive", "predictive", "inspection"]).default(
        "corrective",
      ),
      due_date: IsoDate.optional(),
    }).strict(),
    access: "write",
    risk: "medium",
    integration: "cmms",
    asset: (a) => a.asset_id,
    sandbox: async (a, env) => {
      const id = seededId("WO", env.callKey);
      const wo: WorkOrder = {
        work_order_id: id,
        asset_id: a.asset_id,
        title: a.title,
        description: a.description ?? "",
        priority: a.priority,
        work_type: a.work_type,
        status: "open",
        assignee: null,
        due_date: a.due_date ?? null,
        created_at: env.now.toISOString(),
        updated_at: env.now.toISOString(),
      };
      await putRecord(env, "work_order", id, wo);
      return { result: wo, before: null, after: wo };
    },
  }),
  defineTool({
    name: "cmms.update_work_order_status",
    description: "Move a work order to another status (open, in_progress, on_hold, completed, …).",
    params: z.object({
      work_order_id: WorkOrderId,
      status: z.enum(WO_STATUSES),
      note: z.string().max(2000).optional(),
    }).strict(),
    access: "write",
    risk: "low",
    integration: "cmms",
    sandbox: async (a, env) => {
      const wo = await mustFindWorkOrder(env, a.work_order_id);
      const after: WorkOrder = { ...wo, status: a.status, updated_at: env.now.toISOString() };
      if (a.note) after.last_note = a.note;
      await putRecord(env, "work_order", wo.work_order_id, after);
      return {
        result: after,
        before: { status: wo.status },
        after: { status: a.status },
      };
    },
  }),
  defineTool({
    name: "cmms.assign_technician",
    description: "Assign a technician to a work order, optionally for a scheduled time.",
    params: z.object({
      work_order_id: WorkOrderId,
      technician_id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
      scheduled_for: IsoTime.optional(),
    }).strict(),
    access: "write",
    risk: "low",
    integration: "cmms",
    sandbox: async (a, env) => {
      const wo = await mustFindWorkOrder(env, a.work_order_id);
      const after = {
        ...wo,
        assignee: a.technician_id,
        scheduled_for: a.scheduled_for ?? null,
        updated_at: env.now.toISOString(),
      };
      await putRecord(env, "work_order", wo.work_order_id, after);
      return {
        result: after,
        before: { assignee: wo.assignee ?? null },
        after: { assignee: a.technician_id, scheduled_for: a.scheduled_for ?? null },
      };
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// SCADA / DCS
// ---------------------------------------------------------------------------------------------

async function currentSetpoint(env: SandboxEnv, tag: string): Promise<number> {
  const rec = await getRecord(env, "setpoint", tag);
  if (rec) return Number(rec.data.setpoint);
  return round(signalOf(env.tenantId, tag).base, 1);
}

interface Alarm extends Record<string, Json> {
  alarm_id: string;
  asset_id: string;
  tag: string;
  area: string;
  priority: string;
  message: string;
  raised_at: string;
  acknowledged: boolean;
}

function seededAlarms(tenantId: string, now: Date): Alarm[] {
  const r = rng(`${tenantId}:alarms:${Math.floor(now.getTime() / 86_400_000)}`);
  const kinds = [
    ["VIB", "High vibration"],
    ["TEMP", "High bearing temperature"],
    ["PRESS", "Low discharge pressure"],
    ["LEVEL", "High level"],
    ["FLOW", "Low flow"],
  ];
  const n = 3 + Math.floor(r() * 4);
  const alarms: Alarm[] = [];
  for (let i = 0; i < n; i++) {
    const asset = i === 0 ? SANDBOX_ASSETS[0] : SANDBOX_ASSETS[Math.floor(r() * 6)];
    const [m, text] = i === 0 ? kinds[0] : kinds[Math.floor(r() * kinds.length)];
    alarms.push({
      alarm_id: seededId("ALM", `${tenantId}:${now.toISOString().slice(0, 10)}:${i}`, 5),
      asset_id: asset.asset_id,
      tag: `${asset.asset_id}.${m}`,
      area: asset.area,
      priority: i === 0 ? "high" : ["low", "medium", "high", "critical"][Math.floor(r() * 4)],
      message: `${text} on ${asset.asset_id} (${asset.name})`,
      raised_at: new Date(now.getTime() - Math.floor(r() * 720) * 60_000).toISOString(),
      acknowledged: false,
    });
  }
  return alarms;
}

const scada: ToolDef[] = [
  defineTool({
    name: "scada.get_tag",
    description: "Current value of a process tag (value, unit, quality, setpoint, alarm limit).",
    params: z.object({ tag: Tag }).strict(),
    access: "read",
    risk: "none",
    integration: "scada",
    asset: assetOfTag,
    sandbox: async (a, env) => {
      const s = signalOf(env.tenantId, a.tag);
      return {
        result: {
          tag: a.tag,
          asset_id: parseTag(a.tag).asset_id,
          value: round(valueAt(env.tenantId, a.tag, env.now, env.now), 2),
          unit: s.unit,
          quality: "good",
          timestamp: env.now.toISOString(),
          setpoint: await currentSetpoint(env, a.tag),
          alarm_limit: s.alarm,
        },
      };
    },
  }),
  defineTool({
    name: "scada.get_alarm_list",
    description: "Active (or recent) alarms, by area, asset or priority.",
    params: z.object({
      area: z.string().max(100).optional(),
      asset_id: AssetId.optional(),
      priority: z.enum(["low", "medium", "high", "critical"]).optional(),
      active_only: z.boolean().default(true),
      limit: z.number().int().min(1).max(100).default(20),
    }).strict(),
    access: "read",
    risk: "none",
    integration: "scada",
    asset: (a) => a.asset_id,
    sandbox: async (a, env) => {
      const acked = new Set((await listRecords(env, "alarm_ack", 500)).map((r) => r.ref));
      const items = seededAlarms(env.tenantId, env.now)
        .map((x) => ({ ...x, acknowledged: acked.has(x.alarm_id) }))
        .filter((x) =>
          (!a.area || x.area === a.area) && (!a.asset_id || x.asset_id === a.asset_id) &&
          (!a.priority || x.priority === a.priority) && (!a.active_only || !x.acknowledged)
        );
      return { result: { items: items.slice(0, a.limit), total: items.length } };
    },
  }),
  defineTool({
    name: "scada.ack_alarm",
    description: "Acknowledge an alarm on an asset (the alarm stays until its condition clears).",
    params: z.object({
      alarm_id: z.string().regex(/^ALM-\d{3,10}$/),
      asset_id: AssetId,
      comment: z.string().max(1000).optional(),
    }).strict(),
    access: "write",
    risk: "medium",
    integration: "scada",
    asset: (a) => a.asset_id,
    sandbox: async (a, env) => {
      const prior = await getRecord(env, "alarm_ack", a.alarm_id, true);
      if (prior) {
        return {
          result: { ...prior.data, already_acknowledged: true },
          before: { acknowledged: true },
          after: { acknowledged: true },
        };
      }
      const ack = {
        alarm_id: a.alarm_id,
        asset_id: a.asset_id,
        acknowledged: true,
        acknowledged_at: env.now.toISOString(),
        comment: a.comment ?? null,
      };
      await putRecord(env, "alarm_ack", a.alarm_id, ack);
      return { result: ack, before: { acknowledged: false }, after: { acknowledged: true } };
    },
  }),
  defineTool({
    name: "scada.set_setpoint",
    description:
      "Change the setpoint of a control loop. Safety-critical: policies bound the value range.",
    params: z.object({
      tag: Tag,
      value: z.number().finite(),
      unit: z.string().max(20).optional(),
      reason: z.string().trim().min(3).max(500),
    }).strict(),
    access: "write",
    risk: "critical",
    integration: "scada",
    asset: assetOfTag,
    sandbox: async (a, env) => {
      const previous = await currentSetpoint(env, a.tag);
      const unit = signalOf(env.tenantId, a.tag).unit;
      await putRecord(env, "setpoint", a.tag, {
        tag: a.tag,
        setpoint: a.value,
        unit,
        reason: a.reason,
        applied_at: env.now.toISOString(),
      });
      return {
        result: {
          tag: a.tag,
          previous,
          setpoint: a.value,
          unit,
          applied_at: env.now.toISOString(),
        },
        before: { setpoint: previous },
        after: { setpoint: a.value },
      };
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// Historian
// ---------------------------------------------------------------------------------------------

function window(a: { start: string; end?: string }, now: Date) {
  const start = new Date(a.start);
  const end = a.end ? new Date(a.end) : now;
  if (!(end > start)) throw new ToolCallError("INVALID_RANGE", "end must be after start");
  if (end.getTime() - start.getTime() > 366 * 86_400_000) {
    throw new ToolCallError("INVALID_RANGE", "The range is limited to one year");
  }
  return { start, end };
}

const Interval = z.enum(["1m", "5m", "15m", "1h", "1d"]);

const historian: ToolDef[] = [
  defineTool({
    name: "historian.query_timeseries",
    description:
      "Values of a tag over a time range, sampled at an interval (widened to at most max_points).",
    params: z.object({
      tag: Tag,
      start: IsoTime,
      end: IsoTime.optional(),
      interval: Interval.default("1h"),
      max_points: z.number().int().min(1).max(500).default(48),
    }).strict(),
    access: "read",
    risk: "none",
    integration: "historian",
    asset: assetOfTag,
    sandbox: (a, env) => {
      const { start, end } = window(a, env.now);
      const s = series(env.tenantId, a.tag, start, end, a.interval, a.max_points, env.now);
      return Promise.resolve({
        result: {
          tag: a.tag,
          unit: signalOf(env.tenantId, a.tag).unit,
          interval_seconds: s.interval_ms / 1000,
          points: s.points,
        },
      });
    },
  }),
  defineTool({
    name: "historian.aggregate",
    description: "One aggregate (avg, min, max, sum, count, stddev) of a tag over a time range.",
    params: z.object({
      tag: Tag,
      start: IsoTime,
      end: IsoTime.optional(),
      function: z.enum(["avg", "min", "max", "sum", "count", "stddev"]),
      interval: Interval.default("15m"),
    }).strict(),
    access: "read",
    risk: "none",
    integration: "historian",
    asset: assetOfTag,
    sandbox: (a, env) => {
      const { start, end } = window(a, env.now);
      const vs = series(env.tenantId, a.tag, start, end, a.interval, 2000, env.now).points.map((
        p,
      ) => p.v);
      const fn: Record<string, (xs: number[]) => number> = {
        avg: mean,
        min: (xs) => Math.min(...xs),
        max: (xs) => Math.max(...xs),
        sum: (xs) => xs.reduce((x, y) => x + y, 0),
        count: (xs) => xs.length,
        stddev,
      };
      return Promise.resolve({
        result: {
          tag: a.tag,
          function: a.function,
          value: vs.length ? round(fn[a.function](vs), 3) : null,
          unit: a.function === "count" ? null : signalOf(env.tenantId, a.tag).unit,
          start: start.toISOString(),
          end: end.toISOString(),
          samples: vs.length,
        },
      });
    },
  }),
  defineTool({
    name: "historian.detect_anomaly",
    description:
      "Compare a tag's recent values with its own baseline: anomalous points (z-score) and the trend per day.",
    params: z.object({
      tag: Tag,
      start: IsoTime,
      end: IsoTime.optional(),
      sensitivity: z.number().int().min(1).max(5).default(3).describe("5 flags the most"),
    }).strict(),
    access: "read",
    risk: "none",
    integration: "historian",
    asset: assetOfTag,
    sandbox: (a, env) => {
      const { start, end } = window(a, env.now);
      const pts = series(env.tenantId, a.tag, start, end, "1h", 400, env.now).points;
      const half = Math.max(2, Math.floor(pts.length / 2));
      const base = pts.slice(0, half).map((p) => p.v);
      const m = mean(base);
      const sd = stddev(base) || 1e-9;
      const limit = 4.5 - 0.5 * a.sensitivity;
      const anomalies = pts.map((p) => ({ ...p, z: round((p.v - m) / sd, 2) }))
        .filter((p) => Math.abs(p.z) > limit);
      const days = (end.getTime() - start.getTime()) / 86_400_000 || 1;
      const first = mean(pts.slice(0, 6).map((p) => p.v));
      const last = mean(pts.slice(-6).map((p) => p.v));
      return Promise.resolve({
        result: {
          tag: a.tag,
          anomalous: anomalies.length > 0,
          anomalies: anomalies.slice(-20),
          anomaly_count: anomalies.length,
          baseline: { mean: round(m, 3), stddev: round(sd, 3) },
          trend_pct_per_day: first ? round(((last - first) / first / days) * 100, 2) : 0,
          unit: signalOf(env.tenantId, a.tag).unit,
        },
      });
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// ERP / inventory
// ---------------------------------------------------------------------------------------------

const PartNumber = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$/, "a part number");

async function stock(env: SandboxEnv, part: string, site: string) {
  const r = rng(`${env.tenantId}:part:${part}:${site}`);
  const onHand = Math.floor(r() * 120);
  const reservedBase = Math.floor(r() * Math.min(10, onHand));
  const reservations = (await listRecords(env, "reservation", 1000))
    .filter((x) => x.data.part_number === part && x.data.site === site)
    .reduce((n, x) => n + Number(x.data.quantity), 0);
  const reserved = reservedBase + reservations;
  return {
    part_number: part,
    site,
    on_hand: onHand,
    reserved,
    available: Math.max(0, onHand - reserved),
    reorder_point: 5 + Math.floor(r() * 20),
    unit_cost: round(5 + r() * 2500, 2),
    currency: "USD",
    lead_time_days: 3 + Math.floor(r() * 58),
  };
}

const erp: ToolDef[] = [
  defineTool({
    name: "erp.get_inventory_level",
    description:
      "Stock of a part at a site: on hand, reserved, available, reorder point, lead time.",
    params: z.object({ part_number: PartNumber, site: z.string().max(40).default("MAIN") })
      .strict(),
    access: "read",
    risk: "none",
    integration: "erp",
    sandbox: async (a, env) => ({ result: await stock(env, a.part_number, a.site) }),
  }),
  defineTool({
    name: "erp.reserve_parts",
    description: "Reserve a quantity of a part (optionally for a work order).",
    params: z.object({
      part_number: PartNumber,
      quantity: z.number().int().min(1).max(10_000),
      work_order_id: WorkOrderId.optional(),
      site: z.string().max(40).default("MAIN"),
    }).strict(),
    access: "write",
    risk: "low",
    integration: "erp",
    sandbox: async (a, env) => {
      // one reservation at a time per part: the availability check and the write are atomic
      await env
        .tx`select pg_advisory_xact_lock(hashtext(${`sandbox:${env.tenantId}:${a.part_number}`}))`;
      const before = await stock(env, a.part_number, a.site);
      if (before.available < a.quantity) {
        throw new ToolCallError(
          "INSUFFICIENT_STOCK",
          `Only ${before.available} of ${a.part_number} available at ${a.site} (asked for ${a.quantity})`,
        );
      }
      const id = seededId("RES", env.callKey);
      const reservation = {
        reservation_id: id,
        part_number: a.part_number,
        quantity: a.quantity,
        site: a.site,
        work_order_id: a.work_order_id ?? null,
        reserved_at: env.now.toISOString(),
      };
      await putRecord(env, "reservation", id, reservation);
      return {
        result: { ...reservation, available_after: before.available - a.quantity },
        before: { available: before.available, reserved: before.reserved },
        after: {
          available: before.available - a.quantity,
          reserved: before.reserved + a.quantity,
        },
      };
    },
  }),
  defineTool({
    name: "erp.create_purchase_requisition",
    description: "Raise a purchase requisition for a part (estimated cost checked by policies).",
    params: z.object({
      part_number: PartNumber,
      quantity: z.number().int().min(1).max(100_000),
      estimated_cost: z.number().min(0).max(100_000_000).describe("Total, in currency"),
      currency: z.string().regex(/^[A-Z]{3}$/).default("USD"),
      justification: z.string().trim().min(3).max(2000),
      needed_by: IsoDate.optional(),
    }).strict(),
    access: "write",
    risk: "medium",
    integration: "erp",
    amount: (a) => a.estimated_cost,
    sandbox: async (a, env) => {
      const id = seededId("PR", env.callKey);
      const pr = {
        requisition_id: id,
        ...a,
        status: "submitted",
        created_at: env.now.toISOString(),
      };
      await putRecord(env, "requisition", id, pr);
      return { result: pr, before: null, after: pr };
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// Notifications (to people outside Ora)
// ---------------------------------------------------------------------------------------------

function notifyTool(
  channel: string,
  description: string,
  params: z.ZodObject,
  recipients: (a: Record<string, unknown>) => unknown,
): ToolDef {
  return defineTool({
    name: `notify.send_${channel}`,
    description,
    params,
    access: "write",
    risk: "low",
    integration: "notify",
    sandbox: async (a: Record<string, unknown>, env: SandboxEnv) => {
      const id = seededId("MSG", env.callKey, 8);
      const message = {
        message_id: id,
        channel,
        recipients: recipients(a) as Json,
        ...a as Record<string, Json>,
        status: "accepted",
        note: "sandbox: recorded, not delivered",
        accepted_at: env.now.toISOString(),
      };
      await putRecord(env, "message", id, message);
      return { result: message, before: null, after: { message_id: id, status: "accepted" } };
    },
  });
}

const Phone = z.string().regex(/^\+[1-9]\d{6,14}$/, "an E.164 phone number such as +15551234567");
const Text = (max: number) => z.string().trim().min(1).max(max);

const notify: ToolDef[] = [
  notifyTool(
    "email",
    "Send an email to people (1–20 recipients).",
    z.object({ to: z.array(z.email()).min(1).max(20), subject: Text(200), body: Text(20_000) })
      .strict(),
    (a) => a.to,
  ),
  notifyTool(
    "sms",
    "Send a text message to phones (E.164 numbers).",
    z.object({ to: z.array(Phone).min(1).max(10), message: Text(480) }).strict(),
    (a) => a.to,
  ),
  notifyTool(
    "slack",
    "Post a message to a Slack channel.",
    z.object({ channel: z.string().regex(/^#[a-z0-9_-]{1,80}$/), message: Text(4000) }).strict(),
    (a) => [a.channel],
  ),
  notifyTool(
    "teams",
    "Post a message to a Microsoft Teams channel.",
    z.object({ channel: z.string().trim().min(1).max(200), message: Text(4000) }).strict(),
    (a) => [a.channel],
  ),
  notifyTool(
    "whatsapp",
    "Send a WhatsApp message to a phone (E.164 number).",
    z.object({ to: Phone, message: Text(4000) }).strict(),
    (a) => [a.to],
  ),
];

// ---------------------------------------------------------------------------------------------
// Safety and compliance
// ---------------------------------------------------------------------------------------------

const safety: ToolDef[] = [
  defineTool({
    name: "hse.create_incident_record",
    description: "Record a health, safety or environment incident (or a near miss).",
    params: z.object({
      title: z.string().trim().min(3).max(200),
      description: z.string().trim().min(3).max(10_000),
      severity: z.enum(["near_miss", "minor", "serious", "major", "fatal"]),
      asset_id: AssetId.optional(),
      location: z.string().max(200).optional(),
      occurred_at: IsoTime.optional(),
      injuries: z.boolean().default(false),
    }).strict(),
    access: "write",
    risk: "medium",
    integration: "hse",
    asset: (a) => a.asset_id,
    sandbox: async (a, env) => {
      const id = seededId("INC", env.callKey);
      const incident = {
        incident_id: id,
        ...a,
        status: "open",
        recorded_at: env.now.toISOString(),
      };
      await putRecord(env, "incident", id, incident);
      return { result: incident, before: null, after: incident };
    },
  }),
  defineTool({
    name: "compliance.schedule_inspection",
    description: "Schedule an inspection of an asset (statutory, insurance, internal, regulatory).",
    params: z.object({
      asset_id: AssetId,
      inspection_type: z.enum(["statutory", "insurance", "internal", "regulatory"]),
      due_date: IsoDate,
      notes: z.string().max(2000).optional(),
    }).strict(),
    access: "write",
    risk: "low",
    integration: "compliance",
    asset: (a) => a.asset_id,
    sandbox: async (a, env) => {
      const id = seededId("INSP", env.callKey);
      const inspection = {
        inspection_id: id,
        ...a,
        status: "scheduled",
        scheduled_at: env.now.toISOString(),
      };
      await putRecord(env, "inspection", id, inspection);
      return { result: inspection, before: null, after: inspection };
    },
  }),
];

/** The 22 tools of seed 004 §3.2. */
export const INDUSTRIAL_TOOLS: ToolDef[] = [
  ...cmms,
  ...scada,
  ...historian,
  ...erp,
  ...notify,
  ...safety,
];
