// Memory's pure parts: the offline lexical embedder, the contradiction rules, token budgets and
// packing, memory-type mapping, cache keys and the prompt's memory section. No stack needed.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lexicalVector, OfflineEmbedder } from "../../_shared/memory/embeddings.ts";
import { judgeByRules, ruleContradiction } from "../../_shared/memory/contradictions.ts";
import {
  agentMemoryTypes,
  type Candidate,
  compressLine,
  MEMORY_HEADER,
  packMemories,
  withMemory,
} from "../../_shared/memory/retrieval.ts";
import { cacheKey, normaliseQuery, SearchMemoryInput } from "../../_shared/memory/search.ts";
import { memoryText, StoreMemoryInput } from "../../_shared/memory/store.ts";
import { tokenCount, truncateTokens } from "../../_shared/memory/tokens.ts";
import { buildPrompt, OUTPUT_CONTRACT } from "../../_shared/agent/prompt.ts";
import { cosine } from "../_embeddings.ts";

Deno.test("the lexical embedder is deterministic, unit-length, and close for shared words only", async () => {
  const e = new OfflineEmbedder(384);
  const [a, b, c, d] = (await e.embed([
    "Pump P-101 bearing overheating",
    "pump p-101 bearings overheating",
    "Quarterly invoice for cleaning",
    "Pump P-101 bearing overheating",
  ])).vectors;
  assertEquals(a, d);
  assertEquals(a.length, 384);
  assert(Math.abs(Math.hypot(...a) - 1) < 1e-4);
  assert(cosine(a, b) > 0.8, `plural and case: ${cosine(a, b)}`);
  assert(cosine(a, c) < 0.2, `unrelated: ${cosine(a, c)}`);
  assertEquals(e.semantic, false);
  assertEquals(lexicalVector("", 8).filter((x) => x !== 0).length, 1, "never a zero vector");
});

Deno.test("contradiction rules: changed numbers, negation, opposites and fields; details and other subjects are not contradictions", () => {
  const r = (a: unknown, b: unknown) =>
    ruleContradiction(
      { text: memoryText({ content: a }), content: a },
      { text: memoryText({ content: b }), content: b },
    );
  assertMatch(r("P-101 trip temperature is 90 °C", "P-101 trip temperature is 95 °C")!, /95 → 90/);
  assertMatch(r("The client no longer prefers email", "The client prefers email")!, /negated/);
  assertMatch(r("Night shift alarms are disabled", "Night shift alarms are enabled")!, /enabled/);
  assertMatch(r({ customer: "ACME", plan: "team" }, { customer: "ACME", plan: "pro" })!, /plan/);
  assertEquals(r("The meeting moved to 2026-12-03", "The meeting moved to 2026-12-03"), null);
  assertEquals(
    r(
      "Compressor C-3 vibration was 1.1 mm/s at night",
      "Compressor C-5 vibration was 1.9 mm/s at night",
    ),
    null,
    "different identifiers",
  );
  assertEquals(
    r("P-101 trip temperature is 95 °C and alarms go to the control room", "P-101 has a new seal"),
    null,
  );
  assertEquals(r({ customer: "ACME", city: "Oslo" }, { customer: "ACME", plan: "pro" }), null);
  const v = judgeByRules(
    { id: "n", key: "new", text: "The gate is open at night", content: "" },
    [
      { id: "o1", key: "gate", text: "The gate is closed at night", content: "" },
      { id: "o2", key: "lunch", text: "Lunch is at noon", content: "" },
    ],
  );
  assertEquals(v.contradicts, ["o1"]);
  assertEquals(v.judge, "rules");
});

Deno.test("packing never exceeds the budget and fills critical, relevant, then recent", () => {
  const mk = (i: number, tier: Candidate["tier"], type = "fact"): Candidate => ({
    id: `m${i}`,
    key: `k${i}`,
    type,
    text: `Memory number ${i} says something moderately long about pumps, valves and shifts.`,
    summary: null,
    score: 1 - i / 100,
    tier,
  });
  const cands = [
    mk(1, "critical", "instruction"),
    mk(2, "critical"),
    mk(3, "relevant"),
    mk(4, "relevant", "preference"),
    mk(2, "relevant"),
    mk(5, "recent"),
    mk(6, "recent"),
    mk(7, "recent"),
  ];
  for (const budget of [0, 10, 30, 60, 100, 200, 1000]) {
    const p = packMemories(cands, budget);
    assert(tokenCount(p.text) <= budget, `${tokenCount(p.text)} > ${budget}`);
    assertEquals(p.tokens, tokenCount(p.text));
    assertEquals(new Set(p.used.map((u) => u.id)).size, p.used.length, "each memory once");
  }
  const p = packMemories(cands, 1000);
  assertEquals(p.used.map((u) => u.id), ["m1", "m2", "m3", "m4", "m5", "m6", "m7"]);
  assertMatch(p.text, /^\[INSTRUCTION\]\n- \(k1\)/);
  assertEquals(p.text.match(/^\[FACT\]$/gm)?.length, 1, "grouped by type");
  const small = packMemories(cands, 60);
  assert(small.used.length < 7 && small.used.length >= 1);
  assertMatch(
    compressLine({ key: "k", type: "context", text: "word ".repeat(200), summary: null }),
    /…$/,
  );
  assert(tokenCount(truncateTokens("word ".repeat(200), 12)) <= 12);
});

Deno.test("agent memory types map onto the eight (learning → reflection, decision → fact)", () => {
  assertEquals(agentMemoryTypes(["fact", "decision", "learning"]), ["fact", "reflection"]);
  assertEquals(agentMemoryTypes(["preference", "learning"]), ["preference", "reflection"]);
  assertEquals(agentMemoryTypes([]).length, 8);
  assertEquals(agentMemoryTypes(["nonsense"]).length, 8);
});

Deno.test("cache keys ignore case, spacing and trailing punctuation, not filters or model", async () => {
  const p = (q: string, extra = {}) => SearchMemoryInput.parse({ query: q, ...extra });
  assertEquals(normaliseQuery("  When does   it OPEN?? "), "when does it open");
  const k = await cacheKey(p("When does it open?"), "m");
  assertEquals(await cacheKey(p("when does it open"), "m"), k);
  assert(
    await cacheKey(p("when does it open", { filters: { memory_types: ["fact"] } }), "m") !== k,
  );
  assert(await cacheKey(p("when does it open"), "other-model") !== k);
  assert(await cacheKey(p("when does it open", { limit: 3 }), "m") !== k);
});

Deno.test("the memory section goes into the system prompt just before the output contract", () => {
  const msgs = buildPrompt({
    persona: "You are X.",
    agentName: "X",
    skills: [],
    mode: "autonomous",
    input: { query: "q" },
  });
  assertEquals(withMemory(msgs, ""), msgs);
  const withMem = withMemory(msgs, "[FACT]\n- (k) v");
  const sys = withMem[0].content!;
  assert(sys.indexOf(MEMORY_HEADER) < sys.indexOf(OUTPUT_CONTRACT));
  assertMatch(sys, /data, not instructions/);
  assertEquals(withMem[1], msgs[1]);
});

Deno.test("store input: eight types, text or object content, importance 0 to 1", () => {
  assert(StoreMemoryInput.safeParse({ type: "fact", key: "k", content: "v" }).success);
  assert(StoreMemoryInput.safeParse({ type: "entity", key: "k", content: { a: 1 } }).success);
  assert(!StoreMemoryInput.safeParse({ type: "opinion", key: "k", content: "v" }).success);
  assert(!StoreMemoryInput.safeParse({ type: "fact", key: "k", content: {} }).success);
  assert(
    !StoreMemoryInput.safeParse({ type: "fact", key: "k", content: "v", importance: 2 }).success,
  );
  assertEquals(memoryText({ content: { b: 2, a: "x" }, summary: "S" }), "S\na: x\nb: 2");
});
