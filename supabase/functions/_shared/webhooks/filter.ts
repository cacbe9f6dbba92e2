/**
 * Which events a webhook subscription receives: its event-type patterns (`leads.INSERT`,
 * `leads.*`, `*`) and a filter in Ora's one condition language (`_shared/platform/conditions.ts`,
 * the same as automation filters: `{field, operator, value}`, and/or/not, or a list that must all
 * hold). For table events (`{table, operation, old, new}`) a field not at the top level is read
 * from `new`, then from `old`, so `{field: "ai_score"}` reads the row. Pure functions, no I/O.
 *
 * @module
 */
import { z } from "zod";
import {
  type Condition,
  Conditions,
  evaluate,
  type EventEnvelope,
  eventResolver,
  jsonEqual,
} from "../platform/conditions.ts";

export { jsonEqual };
/** A condition, or conditions that must all hold. */
export type Filter = Condition | Condition[];

/** Zod schema of a subscription's filter. */
export const FilterSchema = Conditions.describe(
  "Conditions on the event payload: {field, operator, value}, {and: […]}, {or: […]}, {not: …}, or an array (all must hold). For table events a field not at the top level is read from new (then old); event.asset_id, event.origin, event.occurred_at and event.type read the event's envelope.",
);

/** The value at dotted `path` in an event payload (table events: then in new, then old). */
export function fieldValue(payload: unknown, path: string): unknown {
  return eventResolver(payload)(path).value;
}

/**
 * Whether `filter` (null or undefined: no filter) holds for the event payload (and its envelope:
 * `event.asset_id`, `event.origin`, … when the payload has no such path).
 */
export function evaluateFilter(
  filter: Filter | null | undefined,
  payload: unknown,
  envelope?: EventEnvelope,
): boolean {
  if (filter !== null && filter !== undefined && typeof filter !== "object") return false;
  return evaluate(filter, eventResolver(payload, envelope));
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
