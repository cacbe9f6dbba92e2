/**
 * The one condition language of Ora (seed 000: `{field, operator, value}` with eq … matches,
 * combined with and/or/not, or a list that must all hold): automation trigger filters and
 * conditions, and webhook subscription filters. Pure functions, no I/O.
 *
 * `matches` runs on RE2 (linear time), so a tenant's pattern can never stall a worker however
 * hostile the pattern or the text. A comparison between mismatched types is false, never an error.
 */
import { RE2 } from "re2-wasm";
import { z } from "zod";

export const OPERATORS = [
  "eq",
  "ne",
  "gt",
  "lt",
  "gte",
  "lte",
  "contains",
  "startsWith",
  "endsWith",
  "in",
  "notIn",
  "exists",
  "notExists",
  "matches",
] as const;
export type Operator = typeof OPERATORS[number];

export interface SimpleCondition {
  field: string;
  operator: Operator;
  value?: unknown;
}
export type Condition =
  | SimpleCondition
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition };

/** Limits that keep evaluation cheap (it runs for every event). */
export const CONDITION_LIMITS = { depth: 5, conditions: 50, patternLength: 200 };

/** A path into the subject: trigger.data.new.email, new.ai_score, items.0.sku, tags[1]… */
export const FieldPath = z.string().min(1).max(300).regex(
  /^[A-Za-z_$][\w$-]*(\.[\w$-]+|\[\d+\])*$/,
  "a dotted path such as new.ai_score",
);

/** Zod schema of one condition (recursive). */
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({
      field: FieldPath,
      operator: z.enum(OPERATORS),
      value: z.unknown().optional(),
    }).strict().superRefine((c, ctx) => {
      const issue = (message: string) => ctx.addIssue({ code: "custom", message, path: ["value"] });
      if ((c.operator === "in" || c.operator === "notIn") && !Array.isArray(c.value)) {
        issue(`${c.operator} needs an array value`);
      }
      if (!["exists", "notExists"].includes(c.operator) && c.value === undefined) {
        issue(`${c.operator} needs a value`);
      }
      if (c.operator === "matches") {
        if (typeof c.value !== "string" || c.value.length > CONDITION_LIMITS.patternLength) {
          issue(
            `matches needs a regular expression of at most ${CONDITION_LIMITS.patternLength} characters`,
          );
        } else {
          try {
            re2(c.value);
          } catch {
            issue("not a regular expression RE2 accepts (no look-around or back-references)");
          }
        }
      }
    }),
    z.object({ and: z.array(ConditionSchema).min(1).max(CONDITION_LIMITS.conditions) }).strict(),
    z.object({ or: z.array(ConditionSchema).min(1).max(CONDITION_LIMITS.conditions) }).strict(),
    z.object({ not: ConditionSchema }).strict(),
  ])
) as z.ZodType<Condition>;

/** Conditions as stored: one expression, or a list that must all hold, within the limits. */
export const Conditions = z.union([
  ConditionSchema,
  z.array(ConditionSchema).max(CONDITION_LIMITS.conditions),
]).superRefine((f, ctx) => {
  const size = measure(f);
  if (size.depth > CONDITION_LIMITS.depth) {
    ctx.addIssue({
      code: "custom",
      message: `Nested deeper than ${CONDITION_LIMITS.depth} levels`,
    });
  }
  if (size.conditions > CONDITION_LIMITS.conditions) {
    ctx.addIssue({
      code: "custom",
      message: `More than ${CONDITION_LIMITS.conditions} conditions in all`,
    });
  }
});

function measure(f: Condition | Condition[], depth = 1): { depth: number; conditions: number } {
  const children: Condition[] = Array.isArray(f)
    ? f
    : "and" in f
    ? f.and
    : "or" in f
    ? f.or
    : "not" in f
    ? [f.not]
    : [];
  if (children.length === 0) return { depth, conditions: Array.isArray(f) ? 0 : 1 };
  let d = depth;
  let n = 0;
  for (const c of children) {
    const m = measure(c, depth + 1);
    d = Math.max(d, m.depth);
    n += m.conditions;
  }
  return { depth: d, conditions: n };
}

/** A path looked up: whether it exists, and its value. */
export interface Lookup {
  found: boolean;
  value: unknown;
}

const MISSING: Lookup = { found: false, value: undefined };

/** The segments of a dotted path: `a.b[2].c` → ["a", "b", 2, "c"]. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [part];
    if (m[1] !== "") out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Looks `path` up in `root`, own properties only (no prototype: `constructor` is just missing). */
export function lookup(root: unknown, path: string): Lookup {
  let cur: unknown = root;
  for (const seg of pathSegments(path)) {
    if (cur === null || typeof cur !== "object") return MISSING;
    if (Array.isArray(cur)) {
      const i = typeof seg === "number" ? seg : /^\d+$/.test(seg) ? Number(seg) : NaN;
      if (!(i >= 0 && i < cur.length)) return MISSING;
      cur = cur[i];
    } else {
      const key = String(seg);
      if (!Object.hasOwn(cur as object, key)) return MISSING;
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return { found: true, value: cur };
}

/** JSON equality (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length &&
    ka.every((k) =>
      Object.hasOwn(b as object, k) &&
      jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
}

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Orders two values: numbers numerically, ISO times as times, other strings lexically. */
function compare(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "number" && a.trim() !== "" && !isNaN(Number(a))) {
    return Number(a) - b;
  }
  if (typeof a === "string" && typeof b === "string") {
    if (ISO.test(a) && ISO.test(b)) return Date.parse(a) - Date.parse(b);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return null;
}

const regexCache = new Map<string, RE2>();

/** A compiled RE2 pattern (throws on a pattern RE2 does not support, e.g. look-behind). */
export function re2(pattern: string): RE2 {
  let r = regexCache.get(pattern);
  if (!r) {
    r = new RE2(pattern, "u");
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(pattern, r);
  }
  return r;
}

/** Whether one simple condition holds for the looked-up field. */
export function test(op: SimpleCondition["operator"], field: Lookup, value: unknown): boolean {
  const v = field.value;
  switch (op) {
    case "exists":
      return field.found && v !== null;
    case "notExists":
      return !field.found || v === null;
    case "eq":
      return field.found && jsonEqual(v, value);
    case "ne":
      return !field.found || !jsonEqual(v, value);
    case "gt":
    case "lt":
    case "gte":
    case "lte": {
      if (!field.found) return false;
      const c = compare(v, value);
      if (c === null || Number.isNaN(c)) return false;
      return op === "gt" ? c > 0 : op === "lt" ? c < 0 : op === "gte" ? c >= 0 : c <= 0;
    }
    case "contains":
      if (typeof v === "string") return typeof value === "string" && v.includes(value);
      if (Array.isArray(v)) return v.some((x) => jsonEqual(x, value));
      if (v && typeof v === "object") return typeof value === "string" && Object.hasOwn(v, value);
      return false;
    case "startsWith":
      return typeof v === "string" && typeof value === "string" && v.startsWith(value);
    case "endsWith":
      return typeof v === "string" && typeof value === "string" && v.endsWith(value);
    case "in":
      return field.found && Array.isArray(value) && value.some((x) => jsonEqual(x, v));
    case "notIn":
      return !Array.isArray(value) || !field.found || !value.some((x) => jsonEqual(x, v));
    case "matches":
      return typeof v === "string" && typeof value === "string" &&
        re2(value).test(v.slice(0, 100_000));
  }
}

/** Evaluates a condition (or a list that must all hold) with `resolve` looking fields up. */
export function evaluate(
  cond: Condition | Condition[] | null | undefined,
  resolve: (path: string) => Lookup,
): boolean {
  if (cond === null || cond === undefined) return true;
  if (Array.isArray(cond)) return cond.every((c) => evaluate(c, resolve));
  // stored definitions are validated, but a row edited by hand may hold anything: unknown
  // shapes are false, never an error
  if ("and" in cond) return Array.isArray(cond.and) && cond.and.every((c) => evaluate(c, resolve));
  if ("or" in cond) return Array.isArray(cond.or) && cond.or.some((c) => evaluate(c, resolve));
  if ("not" in cond) return !evaluate(cond.not, resolve);
  if (typeof cond.field !== "string") return false;
  return test(cond.operator, resolve(cond.field), cond.value);
}

/** What an event says about itself beside its payload (filters read it as `event.<field>`). */
export interface EventEnvelope {
  id?: string;
  type?: string;
  origin?: string | null;
  asset_id?: string | null;
  occurred_at?: string | null;
}

/**
 * The envelope of a stored event (an event_log row) as filters and runs read it; `occurred_at`
 * falls back to when Ora recorded the event.
 */
export function envelopeOf(e: {
  id: string;
  event_type: string;
  created_at: string;
  origin?: string | null;
  asset_id?: string | null;
  occurred_at?: string | null;
}): EventEnvelope {
  return {
    id: e.id,
    type: e.event_type,
    origin: e.origin ?? null,
    asset_id: e.asset_id ?? null,
    occurred_at: e.occurred_at ?? e.created_at,
  };
}

/**
 * How event filters look fields up: in the event's payload, then in its `new` row (table events:
 * `ai_score` means payload.new.ai_score), then in its `old` row; last, `event.<field>` reads the
 * envelope (`event.asset_id`, `event.origin`, `event.occurred_at`, `event.type`) when the payload
 * has no such path itself.
 */
export function eventResolver(
  payload: unknown,
  envelope?: EventEnvelope,
): (path: string) => Lookup {
  return (path) => {
    const direct = lookup(payload, path);
    if (direct.found) return direct;
    const p = payload as Record<string, unknown> | null;
    if (p && typeof p === "object" && p.new && typeof p.new === "object") {
      const inNew = lookup(p.new, path);
      if (inNew.found) return inNew;
    }
    if (p && typeof p === "object" && p.old && typeof p.old === "object") {
      const inOld = lookup(p.old, path);
      if (inOld.found) return inOld;
    }
    if (envelope && path.startsWith("event.")) {
      return lookup(envelope, path.slice("event.".length));
    }
    return MISSING;
  };
}
