/**
 * The policy engine: a pure function from a call and its context to the gate's decision —
 * execute, suggest, approval or deny — with a risk score and reasons a person can read.
 *
 * - A disabled tool, or an applicable deny policy, is refused in every mode.
 * - Reads run in every mode.
 * - assist: a write is a suggestion, never executed. copilot: every write waits for approval.
 * - autonomous: a write runs when an allow policy applies and no require_approval one does;
 *   anything not clearly allowed waits for approval.
 * - A call that would wait for approval but that no approver could decide is refused.
 *
 * A policy applies when its tool pattern and agent match and every condition holds (docs/tools.md).
 */
import { z } from "zod";
import type { Mode, RiskClass, ToolDef } from "./types.ts";

export const ROLES = ["owner", "admin", "member"] as const;
export type Role = typeof ROLES[number];
export const DEFAULT_APPROVER_ROLES: Role[] = ["owner", "admin"];
export const DEFAULT_APPROVAL_TTL_SECONDS = 3600;

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM (24 h)");
const Scalar = z.union([z.string().max(500), z.number(), z.boolean()]);
const ArgPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, "an argument path");

/** When a policy applies: every condition given must hold. */
export const PolicyConditions = z.object({
  max_risk: z.number().int().min(0).max(100).optional().describe(
    "The call's risk score is at most this",
  ),
  arg_ranges: z.record(
    ArgPath,
    z.object({ min: z.number().optional(), max: z.number().optional() }).strict(),
  ).optional().describe('Numeric arguments within bounds, e.g. {"value": {"min": 0, "max": 80}}'),
  arg_allowlists: z.record(ArgPath, z.array(Scalar).min(1).max(500)).optional().describe(
    'Arguments from a list, e.g. {"tag": ["P-101.TEMP"]}',
  ),
  time_window: z.object({
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional().describe(
      "ISO weekdays, Monday = 1",
    ),
    start: HHMM,
    end: HHMM.describe("Exclusive; earlier than start spans midnight"),
  }).strict().optional().describe("In the tenant's time zone (settings.timezone)"),
  max_asset_criticality: z.enum(["A", "B", "C"]).optional().describe(
    "B allows assets of criticality B and C; an asset with unknown criticality never passes",
  ),
  max_amount: z.number().min(0).optional().describe("The call's amount (e.g. estimated_cost)"),
}).strict();
export type PolicyConditions = z.infer<typeof PolicyConditions>;

/** A policy as stored (public.tool_policies). */
export interface PolicyRow {
  id: string;
  name: string;
  tool: string;
  agent: string | null;
  effect: "allow" | "require_approval" | "deny";
  conditions: PolicyConditions;
  approver_roles: Role[] | null;
  approval_ttl_seconds: number | null;
  priority: number;
}

export interface PolicyInput {
  tool: Pick<ToolDef, "name" | "access" | "risk" | "asset" | "amount">;
  args: Record<string, unknown>;
  mode: Mode;
  enabled: boolean;
  /** Policies whose tool pattern and agent match (app.tool_gate_context). */
  policies: PolicyRow[];
  asset: { asset_id: string; criticality: "A" | "B" | "C" } | null;
  timezone: string;
  now: Date;
  approvals: { roles?: Role[]; ttl_seconds?: number };
  /** Approver roles that exist for this requester (app.approvers_available). */
  approvers: string[];
}

export interface Decision {
  action: "execute" | "suggest" | "approval" | "deny";
  /** Machine-readable reason of a deny. */
  code?: string;
  risk: { score: number; class: RiskClass; asset?: string; criticality?: string; amount?: number };
  reasons: string[];
  policy?: { id: string; name: string; effect: string };
  approver_roles?: Role[];
  ttl_seconds?: number;
}

const RISK_BASE: Record<RiskClass, number> = {
  none: 0,
  low: 20,
  medium: 45,
  high: 70,
  critical: 85,
};
const CRITICALITY_ADD: Record<string, number> = { A: 15, B: 5, C: 0 };
const CRITICALITY_RANK: Record<string, number> = { A: 3, B: 2, C: 1 };

/** A value at a dotted path of the arguments (items.0.qty). */
export function valueAt(args: unknown, path: string): unknown {
  let v: unknown = args;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The risk of a call: its tool's class, plus the asset's criticality (unknown counts as B). */
export function riskOf(input: Pick<PolicyInput, "tool" | "args" | "asset">): Decision["risk"] {
  const assetId = input.tool.asset?.(input.args as never);
  const amount = input.tool.amount?.(input.args as never);
  let score = RISK_BASE[input.tool.risk];
  if (assetId && input.tool.access === "write") {
    score += CRITICALITY_ADD[input.asset?.criticality ?? "B"];
  }
  return {
    score: Math.min(100, score),
    class: input.tool.risk,
    ...(assetId ? { asset: assetId, criticality: input.asset?.criticality ?? "unknown" } : {}),
    ...(amount !== undefined ? { amount } : {}),
  };
}

const clocks = new Map<string, Intl.DateTimeFormat>();

function clockFormat(timezone: string): Intl.DateTimeFormat {
  let f = clocks.get(timezone);
  if (!f) {
    const options: Intl.DateTimeFormatOptions = {
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    };
    try {
      f = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: timezone });
    } catch {
      // an unknown zone (settings are validated; a stale one) reads as UTC
      f = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
    }
    if (clocks.size > 500) clocks.clear();
    clocks.set(timezone, f);
  }
  return f;
}

/** Local weekday (1 = Monday) and minutes since midnight of `now` in `timezone`. */
export function localClock(now: Date, timezone: string): { day: number; minutes: number } {
  const parts = clockFormat(timezone).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(get("weekday")) + 1;
  return { day, minutes: Number(get("hour")) * 60 + Number(get("minute")) };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

/** Which conditions of a policy fail for this call (empty: the policy applies). */
export function failedConditions(
  c: PolicyConditions,
  input: PolicyInput,
  risk: Decision["risk"],
): string[] {
  const failed: string[] = [];
  if (c.max_risk !== undefined && risk.score > c.max_risk) {
    failed.push(`risk ${risk.score} is above ${c.max_risk}`);
  }
  for (const [path, range] of Object.entries(c.arg_ranges ?? {})) {
    const v = valueAt(input.args, path);
    if (typeof v !== "number" || !Number.isFinite(v)) {
      failed.push(`${path} is not a number`);
    } else if (range.min !== undefined && v < range.min) {
      failed.push(`${path} ${v} is below ${range.min}`);
    } else if (range.max !== undefined && v > range.max) {
      failed.push(`${path} ${v} is above ${range.max}`);
    }
  }
  for (const [path, list] of Object.entries(c.arg_allowlists ?? {})) {
    const v = valueAt(input.args, path);
    const values = Array.isArray(v) ? v : [v];
    const bad = values.filter((x) => !list.some((l) => l === x));
    if (v === undefined || bad.length) {
      failed.push(`${path} ${JSON.stringify(v ?? null)} is not in its allowlist`);
    }
  }
  if (c.time_window) {
    const { day, minutes } = localClock(input.now, input.timezone);
    const start = minutesOf(c.time_window.start);
    const end = minutesOf(c.time_window.end);
    // a window spanning midnight belongs to the day it started
    const inHours = start <= end
      ? minutes >= start && minutes < end
      : minutes >= start || minutes < end;
    const windowDay = start > end && minutes < end ? (day === 1 ? 7 : day - 1) : day;
    if (!inHours || (c.time_window.days && !c.time_window.days.includes(windowDay))) {
      failed.push(
        `outside ${
          c.time_window.days ? `days ${c.time_window.days.join(",")} ` : ""
        }${c.time_window.start}–${c.time_window.end} (${input.timezone})`,
      );
    }
  }
  if (c.max_asset_criticality) {
    const crit = input.asset?.criticality;
    if (!crit) {
      failed.push(`asset ${risk.asset ?? "(none)"} has no known criticality`);
    } else if (CRITICALITY_RANK[crit] > CRITICALITY_RANK[c.max_asset_criticality]) {
      failed.push(
        `asset ${risk.asset} is criticality ${crit} (allowed up to ${c.max_asset_criticality})`,
      );
    }
  }
  if (c.max_amount !== undefined) {
    if (risk.amount === undefined) failed.push("the call has no amount");
    else if (risk.amount > c.max_amount) {
      failed.push(`amount ${risk.amount} is above ${c.max_amount}`);
    }
  }
  return failed;
}

/** Decides what happens to one call. */
export function evaluate(input: PolicyInput): Decision {
  const risk = riskOf(input);
  const name = input.tool.name;
  const deny = (code: string, reasons: string[], policy?: PolicyRow): Decision => ({
    action: "deny",
    code,
    risk,
    reasons,
    ...(policy ? { policy: { id: policy.id, name: policy.name, effect: policy.effect } } : {}),
  });
  if (!input.enabled) {
    return deny("tool_disabled", [`${name} is disabled for this tenant (tools.configure)`]);
  }
  const applicable = input.policies.filter((p) =>
    failedConditions(p.conditions ?? {}, input, risk).length === 0
  );
  const denied = applicable.find((p) => p.effect === "deny");
  if (denied) return deny("policy_denied", [`policy "${denied.name}" denies this call`], denied);

  if (input.tool.access === "read") {
    return { action: "execute", risk, reasons: ["read-only tool"] };
  }
  if (input.mode === "assist") {
    return {
      action: "suggest",
      risk,
      reasons: [
        "assist mode: a call that changes things is a suggestion for a person, never executed",
      ],
    };
  }

  let decision: Decision;
  const required = applicable.find((p) => p.effect === "require_approval");
  const allowed = applicable.find((p) => p.effect === "allow");
  if (input.mode === "copilot") {
    decision = {
      action: "approval",
      risk,
      reasons: ["copilot mode: every call that changes things waits for a person's approval"],
    };
  } else if (required) {
    decision = {
      action: "approval",
      risk,
      reasons: [`policy "${required.name}" requires approval`],
      policy: { id: required.id, name: required.name, effect: required.effect },
    };
  } else if (allowed) {
    return {
      action: "execute",
      risk,
      reasons: [`policy "${allowed.name}" allows it`],
      policy: { id: allowed.id, name: allowed.name, effect: allowed.effect },
    };
  } else {
    const misses = input.policies.filter((p) => p.effect === "allow").map((p) =>
      `policy "${p.name}" does not apply: ${
        failedConditions(p.conditions ?? {}, input, risk).join("; ")
      }`
    );
    decision = {
      action: "approval",
      risk,
      reasons: misses.length ? misses : [`no policy allows ${name} on its own`],
    };
  }

  // WHO may decide: the first applicable policy that names roles, the tenant's setting, owner+admin
  const named = applicable.find((p) => p.effect !== "deny" && p.approver_roles?.length);
  const roles = named?.approver_roles ?? input.approvals.roles ?? DEFAULT_APPROVER_ROLES;
  const ttl = named?.approval_ttl_seconds ??
    applicable.find((p) => p.approval_ttl_seconds)?.approval_ttl_seconds ??
    input.approvals.ttl_seconds ?? DEFAULT_APPROVAL_TTL_SECONDS;
  if (!roles.some((r) => input.approvers.includes(r))) {
    return deny("no_approver", [
      ...decision.reasons,
      `no approver could decide it (needs ${roles.join(" or ")} other than the requester): refused`,
    ]);
  }
  return { ...decision, approver_roles: roles, ttl_seconds: ttl };
}
