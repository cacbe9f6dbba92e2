// The webhook event filter: a pure evaluator of {field, operator, value} conditions (seed 000's
// event filters and condition expressions), event-type patterns, and the schema that guards them.
import { assert, assertEquals } from "../_assert.ts";
import {
  evaluateFilter,
  eventPatterns,
  eventTypeMatches,
  fieldValue,
  type Filter,
  FilterSchema,
  jsonEqual,
} from "../../_shared/webhooks/filter.ts";

const lead = {
  table: "leads",
  operation: "INSERT",
  old: null,
  new: {
    name: "Ada",
    email: "ada@example.com",
    company: "Enterprise Robotics",
    ai_score: 85,
    source: "organic",
    tags: ["vip", "eu"],
    metadata: { plan: "pro", seats: 12 },
    created_at: "2026-11-30T10:00:00Z",
  },
  timestamp: "2026-11-30T10:00:00Z",
};

Deno.test("no filter matches every event", () => {
  assert(evaluateFilter(null, lead));
  assert(evaluateFilter(undefined, lead));
});

Deno.test("field paths read the payload, then the row in new (and old for deletes)", () => {
  assertEquals(fieldValue(lead, "operation"), "INSERT");
  assertEquals(fieldValue(lead, "new.ai_score"), 85);
  assertEquals(fieldValue(lead, "ai_score"), 85, "a bare column name reads new");
  assertEquals(fieldValue(lead, "metadata.seats"), 12);
  assertEquals(fieldValue(lead, "tags.1"), "eu", "array elements by index");
  assertEquals(fieldValue(lead, "tags.x"), undefined);
  assertEquals(fieldValue(lead, "missing.deeper"), undefined);
  const deleted = { table: "leads", operation: "DELETE", old: { ai_score: 12 }, new: null };
  assertEquals(fieldValue(deleted, "ai_score"), 12, "a DELETE's row is in old");
  assertEquals(fieldValue({ a: { b: null } }, "a.b"), null, "null is a value, not a miss");
  assertEquals(fieldValue("text", "length"), undefined, "no properties of non-objects");
  assertEquals(fieldValue({}, "constructor"), undefined, "inherited properties are not fields");
});

Deno.test("comparison operators on numbers and strings; mismatched types are false", () => {
  const t = (operator: string, field: string, value: unknown) =>
    evaluateFilter({ field, operator, value } as Filter, lead);
  assert(t("gte", "ai_score", 80));
  assert(t("gt", "ai_score", 84));
  assert(!t("gt", "ai_score", 85));
  assert(t("lte", "ai_score", 85));
  assert(t("lt", "ai_score", 90));
  assert(!t("gte", "ai_score", "80"), "a number is not compared with a string");
  assert(t("gt", "created_at", "2026-01-01T00:00:00Z"), "ISO timestamps order as strings");
  assert(!t("gt", "missing", 1), "a missing field compares false");
  assert(t("eq", "source", "organic"));
  assert(!t("eq", "source", "Organic"), "eq is exact");
  assert(t("ne", "source", "paid"));
  assert(t("ne", "missing", "x"), "a missing field is not equal to a value");
  assert(
    t("eq", "metadata", { seats: 12, plan: "pro" }),
    "objects compare deeply, in any key order",
  );
  assert(!t("eq", "missing", null), "eq never matches a missing field");
});

Deno.test("string, array and set operators", () => {
  const t = (operator: string, field: string, value?: unknown) =>
    evaluateFilter({ field, operator, value } as Filter, lead);
  assert(t("contains", "company", "Robotics"));
  assert(!t("contains", "company", "robotics"), "contains is case-sensitive");
  assert(t("contains", "tags", "vip"), "contains on an array looks for the element");
  assert(!t("contains", "ai_score", 8), "contains on a number is false");
  assert(t("startsWith", "email", "ada@"));
  assert(t("endsWith", "email", "@example.com"));
  assert(!t("startsWith", "ai_score", "8"));
  assert(t("in", "source", ["organic", "referral"]));
  assert(!t("in", "source", ["paid"]));
  assert(!t("in", "missing", [null]), "in never matches a missing field");
  assert(t("notIn", "source", ["paid"]));
  assert(t("notIn", "missing", ["paid"]), "a missing field is in no list");
  assert(t("exists", "company"));
  assert(!t("exists", "missing"));
  assert(t("notExists", "missing"));
  assert(t("matches", "email", "^[a-z]+@example\\.com$"));
  assert(!t("matches", "ai_score", "8"), "matches needs a string field");
});

Deno.test("and, or, not and arrays (all must hold) compose", () => {
  // seed 000's compound example
  const hot: Filter = {
    or: [
      { field: "ai_score", operator: "gte", value: 90 },
      {
        and: [
          { field: "ai_score", operator: "gte", value: 70 },
          { field: "company", operator: "contains", value: "Enterprise" },
        ],
      },
    ],
  };
  assert(evaluateFilter(hot, lead));
  assert(!evaluateFilter(hot, { new: { ai_score: 75, company: "Tiny" } }));
  assert(evaluateFilter([{ field: "ai_score", operator: "gte", value: 80 }], lead));
  assert(
    !evaluateFilter([
      { field: "ai_score", operator: "gte", value: 80 },
      { field: "source", operator: "eq", value: "paid" },
    ], lead),
    "an array needs every condition",
  );
  assert(evaluateFilter({ not: { field: "source", operator: "eq", value: "paid" } }, lead));
  assert(!evaluateFilter({ bogus: true } as unknown as Filter, lead), "unknown shapes are false");
});

Deno.test("the schema accepts seed-style filters and refuses malformed or costly ones", () => {
  assert(FilterSchema.safeParse([{ field: "ai_score", operator: "gte", value: 80 }]).success);
  assert(FilterSchema.safeParse({ not: { field: "x", operator: "exists" } }).success);
  const refused = [
    { field: "x", operator: "like", value: "a" },
    { field: "x", operator: "in", value: "a" },
    { field: "x", operator: "eq" },
    { field: "bad path!", operator: "eq", value: 1 },
    { field: "x", operator: "matches", value: "(x)\\1" },
    { field: "x", operator: "matches", value: "(?<=a)b" },
    { field: "x", operator: "matches", value: "a".repeat(201) },
    { field: "x", operator: "matches", value: "(" },
    { and: [] },
    { and: [{ and: [{ and: [{ and: [{ and: [{ field: "x", operator: "exists" }] }] }] }] }] },
    Array.from({ length: 51 }, () => ({ field: "x", operator: "exists" })),
  ];
  for (const f of refused) {
    assert(!FilterSchema.safeParse(f).success, `refused: ${JSON.stringify(f).slice(0, 80)}`);
  }
});

Deno.test("matches runs on RE2: a pattern that backtracks catastrophically elsewhere is linear here", () => {
  const evil = [{ field: "s", operator: "matches", value: "(a+)+$" }] as Filter;
  assert(FilterSchema.safeParse(evil).success, "RE2 accepts it: it cannot blow up");
  assert(!evaluateFilter(evil, { s: "a".repeat(50_000) + "!" }), "and answers (no match)");
  assert(evaluateFilter(evil, { s: "aaaa" }));
});

Deno.test("event patterns: exact names, dotted prefixes with .*, and *", () => {
  assertEquals(eventPatterns("leads.INSERT"), ["leads.INSERT", "*", "leads.*"]);
  assertEquals(eventPatterns("a.b.c"), ["a.b.c", "*", "a.*", "a.b.*"]);
  assert(eventTypeMatches(["session.completed"], "session.completed"));
  assert(eventTypeMatches(["session.*"], "session.failed"));
  assert(eventTypeMatches(["*"], "anything"));
  assert(!eventTypeMatches(["session.*"], "session"), "a prefix pattern needs a suffix");
  assert(!eventTypeMatches(["leads.INSERT"], "leads.UPDATE"));
  assert(!eventTypeMatches(["lead.*"], "leads.INSERT"), "prefixes match whole segments");
});

Deno.test("jsonEqual compares JSON values structurally", () => {
  assert(jsonEqual([1, { a: 2 }], [1, { a: 2 }]));
  assert(!jsonEqual([1, 2], [2, 1]));
  assert(!jsonEqual({ a: 1 }, { a: 1, b: undefined }), "an extra key differs");
  assert(!jsonEqual(1, "1"));
});
