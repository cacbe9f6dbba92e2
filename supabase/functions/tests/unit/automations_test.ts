// The automation language without a stack: cron next-run times across DST in three time zones
// checked against a second, independent cron library (cron-parser), the DST policy, intervals and
// one-time schedules; conditions and templates.
import { CronExpressionParser } from "cron-parser";
import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { nextRun } from "../../_shared/automations/schedule.ts";
import { evaluate, eventResolver, lookup } from "../../_shared/platform/conditions.ts";
import { MissingVariableError, render, renderWith } from "../../_shared/automations/template.ts";
import { NewAutomation, ScheduleTrigger } from "../../_shared/automations/schema.ts";

const ZONES = [
  // zone, spring-forward day, fall-back day (2026), the local hour that is skipped/repeated
  { tz: "America/New_York", spring: "2026-03-08", fall: "2026-11-01", gap: 2, repeat: 1 },
  { tz: "Europe/Berlin", spring: "2026-03-29", fall: "2026-10-25", gap: 2, repeat: 2 },
  { tz: "Australia/Sydney", spring: "2026-10-04", fall: "2026-04-05", gap: 2, repeat: 2 },
];

function local(d: Date, tz: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

function ours(cron: string, tz: string, from: Date, until: Date): Date[] {
  const s = ScheduleTrigger.parse({ cron, timezone: tz });
  const out: Date[] = [];
  let after: Date | null = from;
  while (out.length < 2000) {
    const n: Date | null = nextRun(s, after, from);
    if (!n || n >= until) break;
    out.push(n);
    after = n;
  }
  return out;
}

function theirs(cron: string, tz: string, from: Date, until: Date): Date[] {
  const it = CronExpressionParser.parse(cron, { currentDate: from, endDate: until, tz });
  const out: Date[] = [];
  while (it.hasNext() && out.length < 2000) out.push(it.next().toDate());
  return out.filter((d) => d < until); // endDate is inclusive there, exclusive here
}

/** Firings per local date. */
function perDay(ds: Date[], tz: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const d of ds) {
    const l = local(d, tz);
    m.set(l.date, [...(m.get(l.date) ?? []), l.time]);
  }
  return m;
}

function around(day: string): [Date, Date] {
  const d = new Date(`${day}T12:00:00Z`);
  return [new Date(d.getTime() - 3 * 86_400_000), new Date(d.getTime() + 3 * 86_400_000)];
}

for (const z of ZONES) {
  for (const cron of ["30 9 * * *", "0 */6 * * *", "*/20 * * * 1-5", "0 * * * *", "45 3 * * 0"]) {
    Deno.test(`cron ${cron} in ${z.tz} agrees with cron-parser across both DST changes`, () => {
      for (const day of [z.spring, z.fall]) {
        const [from, until] = around(day);
        assertEquals(
          ours(cron, z.tz, from, until).map((d) => d.toISOString()),
          theirs(cron, z.tz, from, until).map((d) => d.toISOString()),
        );
      }
    });
  }

  Deno.test(`DST policy in ${z.tz}: a daily job in the skipped hour runs once, at the end of the gap`, () => {
    const cron = `30 ${z.gap} * * *`;
    const [from, until] = around(z.spring);
    const mine = perDay(ours(cron, z.tz, from, until), z.tz);
    const other = perDay(theirs(cron, z.tz, from, until), z.tz);
    for (const [date, times] of mine) {
      assertEquals(times.length, 1, `${date}: exactly once`);
      if (date !== z.spring) assertEquals(times, other.get(date), date);
    }
    assertEquals(mine.get(z.spring), [`0${z.gap + 1}:00`]);
    // the second library fires once too, half an hour later (03:30): both run the job once
    assertEquals(other.get(z.spring)?.length, 1);
  });

  Deno.test(`DST policy in ${z.tz}: a daily job in the repeated hour runs once; an hourly job every real hour`, () => {
    const [from, until] = around(z.fall);
    const daily = perDay(ours(`30 ${z.repeat} * * *`, z.tz, from, until), z.tz);
    for (const [date, times] of daily) assertEquals(times.length, 1, `${date}: exactly once`);
    const hourly = perDay(ours("0 * * * *", z.tz, from, until), z.tz);
    assertEquals(hourly.get(z.fall)!.length, 25, "25 real hours on the fall-back day");
    assertEquals(
      perDay(ours("0 * * * *", z.tz, ...around(z.spring)), z.tz).get(z.spring)!.length,
      23,
    );
  });
}

Deno.test("no backfill: after an outage the next firing is the first one after now", () => {
  const s = ScheduleTrigger.parse({ cron: "0 * * * *" });
  const now = new Date("2026-06-01T10:20:00Z");
  const missed = new Date("2026-06-01T05:00:00Z");
  assertEquals(nextRun(s, missed, now)?.toISOString(), "2026-06-01T11:00:00.000Z");
});

Deno.test("intervals keep their phase; runAt fires once", () => {
  const s = ScheduleTrigger.parse({ interval: { value: 15, unit: "minutes" } });
  const last = new Date("2026-06-01T10:00:00Z");
  assertEquals(
    nextRun(s, last, new Date("2026-06-01T10:01:00Z"))?.toISOString(),
    "2026-06-01T10:15:00.000Z",
  );
  assertEquals(
    nextRun(s, last, new Date("2026-06-01T10:47:00Z"))?.toISOString(),
    "2026-06-01T11:00:00.000Z",
  );
  const once = ScheduleTrigger.parse({ runAt: "2026-07-01T09:00:00+02:00" });
  assertEquals(nextRun(once, null)?.toISOString(), "2026-07-01T07:00:00.000Z");
  assertEquals(nextRun(once, new Date("2026-07-01T07:00:00Z")), null);
});

Deno.test("schedules are validated: 5 fields, a real time zone, exactly one kind", () => {
  assert(!ScheduleTrigger.safeParse({ cron: "* * * * * *" }).success, "6 fields");
  assert(!ScheduleTrigger.safeParse({ cron: "61 * * * *" }).success);
  assert(!ScheduleTrigger.safeParse({ cron: "0 9 * * *", timezone: "Mars/Olympus" }).success);
  assert(
    !ScheduleTrigger.safeParse({ cron: "0 9 * * *", interval: { value: 1, unit: "hours" } })
      .success,
  );
  assert(ScheduleTrigger.safeParse({ cron: "0 9 * * 1-5", timezone: "Asia/Kolkata" }).success);
});

Deno.test("conditions: every operator, and/or/not, lists, missing fields", () => {
  const ctx = {
    n: 5,
    s: "hello world",
    a: ["x", { k: 1 }],
    o: { key: true },
    t: "2026-05-01T10:00:00Z",
    nil: null,
  };
  const r = (p: string) => lookup(ctx, p);
  const yes = [
    { field: "n", operator: "eq", value: 5 },
    { field: "n", operator: "ne", value: 6 },
    { field: "n", operator: "gt", value: 4 },
    { field: "n", operator: "gte", value: 5 },
    { field: "n", operator: "lt", value: 6 },
    { field: "n", operator: "lte", value: 5 },
    { field: "s", operator: "contains", value: "lo w" },
    { field: "a", operator: "contains", value: { k: 1 } },
    { field: "o", operator: "contains", value: "key" },
    { field: "s", operator: "startsWith", value: "hell" },
    { field: "s", operator: "endsWith", value: "world" },
    { field: "n", operator: "in", value: [1, 5] },
    { field: "n", operator: "notIn", value: [1, 2] },
    { field: "s", operator: "exists" },
    { field: "nil", operator: "notExists" },
    { field: "missing", operator: "notExists" },
    { field: "s", operator: "matches", value: "^h.*d$" },
    { field: "t", operator: "gt", value: "2026-04-30T23:00:00-02:00" },
    { field: "a[1].k", operator: "eq", value: 1 },
  ] as const;
  for (const c of yes) assert(evaluate(c as never, r), JSON.stringify(c));
  const no = [
    { field: "missing", operator: "eq", value: null },
    { field: "missing", operator: "gt", value: 0 },
    { field: "s", operator: "gt", value: 3 },
    { field: "n", operator: "in", value: "5" },
    { field: "constructor", operator: "exists" },
    { field: "s", operator: "matches", value: "^world" },
  ] as const;
  for (const c of no) assert(!evaluate(c as never, r), JSON.stringify(c));
  assert(
    evaluate({
      and: [{ field: "n", operator: "eq", value: 5 }, {
        not: { field: "n", operator: "eq", value: 6 },
      }],
    }, r),
  );
  assert(
    evaluate(
      { or: [{ field: "n", operator: "eq", value: 0 }, { field: "s", operator: "exists" }] },
      r,
    ),
  );
  assert(
    !evaluate(
      [{ field: "n", operator: "eq", value: 5 }, { field: "n", operator: "eq", value: 6 }],
      r,
    ),
  );
});

Deno.test("matches runs in linear time (RE2): a catastrophic pattern cannot stall the engine", () => {
  const t0 = performance.now();
  assert(
    !evaluate(
      { field: "s", operator: "matches", value: "^(a+)+$" },
      (p) => lookup({ s: "a".repeat(30_000) + "b" }, p),
    ),
  );
  assert(performance.now() - t0 < 2000);
  const bad = NewAutomation.safeParse({
    name: "x",
    slug: "x",
    trigger_type: "manual",
    conditions: { field: "a", operator: "matches", value: "(?<=a)b" },
    actions: [{ type: "log", config: { message: "m" } }],
  });
  assert(!bad.success, "look-behind is refused when saved, not at run time");
});

Deno.test("event filters read the table row: ai_score means payload.new.ai_score", () => {
  const r = eventResolver({ table: "leads", new: { ai_score: 91 }, old: { ai_score: 40 } });
  assert(evaluate([{ field: "ai_score", operator: "gte", value: 80 }], r));
  assert(evaluate([{ field: "old.ai_score", operator: "lt", value: 50 }], r));
});

Deno.test("event filters read the envelope as event.<field> only where the payload has no such path", () => {
  const envelope = { type: "sensor.temperature", asset_id: "P-101", origin: "pi-historian" };
  const r = eventResolver({ value: 91 }, envelope);
  assert(evaluate({ field: "event.asset_id", operator: "eq", value: "P-101" }, r));
  assert(evaluate({ field: "event.origin", operator: "startsWith", value: "pi-" }, r));
  assert(!evaluate({ field: "event.missing", operator: "exists" }, r));
  // a payload that has an `event` object of its own wins
  const own = eventResolver({ event: { asset_id: "X-9" } }, envelope);
  assert(evaluate({ field: "event.asset_id", operator: "eq", value: "X-9" }, own));
  // without an envelope (webhook filters on stored table events) nothing changes
  assert(!eventResolver({ value: 1 })("event.asset_id").found);
});

Deno.test("templates: whole-value variables keep their type, text interpolates, missing paths are reported", () => {
  const ctx = {
    trigger: { data: { new: { id: 7, name: "Ada", tags: ["a"] } } },
    analysis: { score: 0.9 },
  };
  assertEquals(render("{{ trigger.data.new }}", ctx), ctx.trigger.data.new);
  assertEquals(
    render({
      id: "{{ trigger.data.new.id }}",
      msg: "Hi {{ trigger.data.new.name }}, {{ analysis.score }}",
    }, ctx),
    {
      id: 7,
      msg: "Hi Ada, 0.9",
    },
  );
  assertEquals(render("tags {{ trigger.data.new.tags }}", ctx), 'tags ["a"]');
  assertEquals(render('{{ trigger.data.phone ?? "n/a" }}', ctx), "n/a");
  assertEquals(render("{{ trigger.data.count ?? 0 }}", ctx), 0);
  assertEquals(renderWith("{{ a.b }} and {{ c }}", ctx).missing, ["a.b", "c"]);
  assertThrows(() => render("{{ trigger.data.email }}", ctx), MissingVariableError);
  try {
    render("{{ trigger.data.email }}", ctx);
  } catch (e) {
    assert((e as Error).message.includes("{{ trigger.data.email }}"));
  }
  assertThrows(() => render("{{ __proto__ }}", {}), MissingVariableError); // never the prototype
});
