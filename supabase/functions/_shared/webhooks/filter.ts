/**
 * Event filters: which events a webhook subscription receives. Pure functions, no I/O, so the
 * automation conditions can share them later.
 *
 * A filter is one condition or an array of conditions that must all hold (seed 000's
 * `filter: [{field, operator, value}]`). A condition is
 *
 * - `{field, operator, value?}`: `field` is a dotted path into the event payload (`new.ai_score`,
 *   `items.0.sku`); for table events (`{table, operation, old, new}`) a path that is not at the
 *   top level is looked up in `new`, then in `old`, so `{field: "ai_score"}` reads the row;
 * - `{and: [...]}`, `{or: [...]}`, `{not: condition}`.
 *
 * Operators: `eq`, `ne` (deep JSON equality), `gt`, `gte`, `lt`, `lte` (two numbers, or two
 * strings compared in code-point order, which orders ISO timestamps), `contains` (substring of a
 * string, or element of an array), `startsWith`, `endsWith`, `in`, `notIn` (value is an array),
 * `exists`, `notExists` (neither undefined nor null), `matches` (a regular expression on a
 * string). A comparison between mismatched types is false, never an error.
 *
 * @module
 */
import { z } from "zod";

export const OPERATORS = [
  "eq",
  "ne",
  "gt",
  "gte",
  "lt",
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
export type Operator = (typeof OPERATORS)[number];

export interface FieldCondition {
  field: string;
  operator: Operator;
  value?: unknown;
}
export type Condition =
  | FieldCondition
  | { and: Condition[] }
  | { or: Condition[] }
  | { not: Condition };
/** A condition, or conditions that must all hold. */
export type Filter = Condition | Condition[];

/** Limits that keep evaluation cheap for every event. */
export const FILTER_LIMITS = { depth: 5, conditions: 50, patternLength: 200, subjectLength: 1000 };

const FIELD = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/**
 * Why a `matches` pattern is refused, or null when it is acceptable: it must compile, stay short
 * and avoid the shapes that backtrack catastrophically (a quantified group that itself holds a
 * quantifier, such as `(a+)+`, and backreferences).
 */
export function unsafePattern(pattern: string): string | null {
  if (pattern.length > FILTER_LIMITS.patternLength) {
    return `longer than ${FILTER_LIMITS.patternLength} characters`;
  }
  try {
    new RegExp(pattern, "u");
  } catch (e) {
    return `not a valid regular expression (${(e as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return "backreferences are not supported";
  if (/\([^()]*[+*{|][^()]*\)\s*[+*{]/.test(pattern)) {
    return "a repeated group that contains a quantifier or an alternation, such as (a+)+ or (a|aa)*, can take exponential time";
  }
  if ((pattern.match(/(?<!\\)[*+]|\{\d+,\}/g) ?? []).length > 2) {
    return "more than two unbounded quantifiers (*, +, {n,})";
  }
  return null;
}

const FieldConditionSchema = z.object({
  field: z.string().regex(FIELD, "a dotted path such as new.ai_score").max(200),
  operator: z.enum(OPERATORS),
  value: z.unknown().optional(),
}).strict().superRefine((c, ctx) => {
  if ((c.operator === "in" || c.operator === "notIn") && !Array.isArray(c.value)) {
    ctx.addIssue({
      code: "custom",
      message: `${c.operator} needs an array value`,
      path: ["value"],
    });
  }
  if (c.operator === "matches") {
    const why = typeof c.value === "string"
      ? unsafePattern(c.value)
      : "give the pattern as a string";
    if (why) ctx.addIssue({ code: "custom", message: `Invalid pattern: ${why}`, path: ["value"] });
  }
  if (!["exists", "notExists"].includes(c.operator) && c.value === undefined) {
    ctx.addIssue({ code: "custom", message: `${c.operator} needs a value`, path: ["value"] });
  }
});

/** Zod schema of one condition (recursive). */
export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    FieldConditionSchema,
    z.object({ and: z.array(ConditionSchema).min(1).max(FILTER_LIMITS.conditions) }).strict(),
    z.object({ or: z.array(ConditionSchema).min(1).max(FILTER_LIMITS.conditions) }).strict(),
    z.object({ not: ConditionSchema }).strict(),
  ])
) as z.ZodType<Condition>;

/** Zod schema of a filter: a condition or an array of them (all must hold), within the limits. */
export const FilterSchema = z.union([
  ConditionSchema,
  z.array(ConditionSchema).min(1).max(FILTER_LIMITS.conditions),
]).superRefine((f, ctx) => {
  const size = measure(f as Filter);
  if (size.depth > FILTER_LIMITS.depth) {
    ctx.addIssue({ code: "custom", message: `Nested deeper than ${FILTER_LIMITS.depth} levels` });
  }
  if (size.conditions > FILTER_LIMITS.conditions) {
    ctx.addIssue({
      code: "custom",
      message: `More than ${FILTER_LIMITS.conditions} conditions in all`,
    });
  }
}).describe(
  "Conditions on the event payload: {field, operator, value}, {and: […]}, {or: […]}, {not: …}, or an array (all must hold). For table events a field not at the top level is read from new (then old).",
);

function measure(f: Filter | Condition, depth = 1): { depth: number; conditions: number } {
  const children: Condition[] = Array.isArray(f)
    ? f
    : "and" in f
    ? f.and
    : "or" in f
    ? f.or
    : "not" in f
    ? [f.not]
    : [];
  if (children.length === 0) return { depth, conditions: 1 };
  let d = depth;
  let n = 0;
  for (const c of children) {
    const m = measure(c, depth + 1);
    d = Math.max(d, m.depth);
    n += m.conditions;
  }
  return { depth: d, conditions: n };
}

function walk(subject: unknown, parts: string[]): unknown {
  let v: unknown = subject;
  for (const p of parts) {
    if (v === null || typeof v !== "object") return undefined;
    if (Array.isArray(v)) {
      if (!/^\d+$/.test(p)) return undefined;
      v = v[Number(p)];
    } else {
      if (!Object.hasOwn(v, p)) return undefined;
      v = (v as Record<string, unknown>)[p];
    }
  }
  return v;
}

/**
 * The value at dotted `path` in `subject`; for table-event payloads, a path missing at the top
 * level is read from `new`, then from `old`. Undefined when there is none.
 */
export function fieldValue(subject: unknown, path: string): unknown {
  const parts = path.split(".");
  const direct = walk(subject, parts);
  if (direct !== undefined || subject === null || typeof subject !== "object") return direct;
  for (const row of ["new", "old"]) {
    const r = (subject as Record<string, unknown>)[row];
    if (r !== null && typeof r === "object" && !Array.isArray(r)) {
      const v = walk(r, parts);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** Deep equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  return ak.length === bk.length &&
    ak.every((k) =>
      Object.hasOwn(b, k) &&
      jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Whether one field condition holds for `subject`. */
export function evaluateCondition(c: FieldCondition, subject: unknown): boolean {
  const v = fieldValue(subject, c.field);
  const want = c.value;
  switch (c.operator) {
    case "eq":
      return present(v) && jsonEqual(v, want);
    case "ne":
      return !jsonEqual(v ?? null, want);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const d = compare(v, want);
      if (d === null || Number.isNaN(d)) return false;
      return c.operator === "gt"
        ? d > 0
        : c.operator === "gte"
        ? d >= 0
        : c.operator === "lt"
        ? d < 0
        : d <= 0;
    }
    case "contains":
      if (typeof v === "string") return typeof want === "string" && v.includes(want);
      if (Array.isArray(v)) return v.some((x) => jsonEqual(x, want));
      return false;
    case "startsWith":
      return typeof v === "string" && typeof want === "string" && v.startsWith(want);
    case "endsWith":
      return typeof v === "string" && typeof want === "string" && v.endsWith(want);
    case "in":
      return present(v) && Array.isArray(want) && want.some((x) => jsonEqual(v, x));
    case "notIn":
      return Array.isArray(want) && !want.some((x) => jsonEqual(v ?? null, x));
    case "exists":
      return present(v);
    case "notExists":
      return !present(v);
    case "matches": {
      if (typeof v !== "string" || typeof want !== "string" || unsafePattern(want)) return false;
      return new RegExp(want, "u").test(v.slice(0, FILTER_LIMITS.subjectLength));
    }
    default:
      return false;
  }
}

/** Whether `filter` (null or undefined: no filter) holds for `subject`. */
export function evaluateFilter(filter: Filter | null | undefined, subject: unknown): boolean {
  if (filter === null || filter === undefined) return true;
  if (Array.isArray(filter)) return filter.every((c) => evaluateFilter(c, subject));
  if (typeof filter !== "object") return false;
  if ("and" in filter) {
    return Array.isArray(filter.and) && filter.and.every((c) => evaluateFilter(c, subject));
  }
  if ("or" in filter) {
    return Array.isArray(filter.or) && filter.or.some((c) => evaluateFilter(c, subject));
  }
  if ("not" in filter) return !evaluateFilter(filter.not, subject);
  if ("field" in filter && "operator" in filter) return evaluateCondition(filter, subject);
  return false;
}

/** Event type patterns of subscriptions: `leads.INSERT`, `leads.*` (any dotted suffix), `*`. */
export const EventPattern = z.string().max(200).regex(
  /^(\*|[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*(\.\*)?)$/,
  "an event type (leads.INSERT), a prefix with .* (leads.*) or *",
);

/** The subscription patterns that match `eventType` (as app.webhook_event_patterns in SQL). */
export function eventPatterns(eventType: string): string[] {
  const parts = eventType.split(".");
  const prefixes = parts.slice(0, -1).map((_, i) => `${parts.slice(0, i + 1).join(".")}.*`);
  return [eventType, "*", ...prefixes];
}

/** Whether a subscription to `patterns` receives events of type `eventType`. */
export function eventTypeMatches(patterns: readonly string[], eventType: string): boolean {
  const wanted = new Set(eventPatterns(eventType));
  return patterns.some((p) => wanted.has(p));
}
