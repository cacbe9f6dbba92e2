/**
 * When a schedule automation fires next. Cron expressions are evaluated by croner in the
 * automation's IANA time zone (pg_cron only knows UTC). The policy (docs/automations.md):
 *
 * - No backfill: after an outage a schedule fires once for the firings it missed, then continues
 *   from now (the next firing is the first one after both the last firing and now).
 * - Spring forward: a time that does not exist that day (02:30 when clocks jump 02:00→03:00) fires
 *   at the end of the gap (03:00), so a daily job still runs exactly once.
 * - Fall back: a wall-clock time that happens twice fires on its first occurrence only, so a daily
 *   job runs exactly once; an hourly job (`0 * * * *`) fires every real hour, both 01:00s included.
 */
import { Cron } from "croner";
import type { z } from "zod";
import type { ScheduleTrigger } from "./schema.ts";

type Schedule = z.infer<typeof ScheduleTrigger>;

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 };

/**
 * The next firing of `s` after `after` (the firing it just had; null for a new or resumed
 * schedule) and after `now`; null when a one-time schedule has fired.
 */
export function nextRun(s: Schedule, after: Date | null, now = new Date()): Date | null {
  if (s.runAt) {
    const at = new Date(s.runAt);
    return after === null || after < at ? at : null;
  }
  if (s.interval) {
    const ms = s.interval.value * UNIT_MS[s.interval.unit];
    const anchor = after ?? now;
    const k = Math.max(1, Math.floor((now.getTime() - anchor.getTime()) / ms) + 1);
    return new Date(anchor.getTime() + k * ms);
  }
  const from = after && after > now ? after : now;
  return new Cron(s.cron!, { timezone: s.timezone, paused: true }).nextRun(from);
}

/** The next `count` firings from now (for previews in the API). */
export function upcoming(s: Schedule, count: number, now = new Date()): string[] {
  const out: string[] = [];
  let after: Date | null = null;
  let cursor = now;
  for (let i = 0; i < count; i++) {
    const next = nextRun(s, after, cursor);
    if (!next) break;
    out.push(next.toISOString());
    after = next;
    cursor = next;
  }
  return out;
}
