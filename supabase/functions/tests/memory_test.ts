// Memory end to end: automatic embedding through memory-indexer (insert → indexed → searchable,
// update → re-embedded, failure → retried → dead-lettered), hybrid ranking on a labelled set,
// the semantic cache, contradiction supersede, prompt retrieval within a token budget, and
// tenant isolation — through the ora API, with the real openai SDK talking to the scripted
// OpenAI-protocol server (chat + embeddings) on loopback.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { agentReply, startLlmServer } from "./_llm_server.ts";
import {
  call,
  config,
  db,
  eventually,
  llmTenant,
  newTenant,
  noIdleTransaction,
  ok,
  SERVICE_KEY,
  startServer,
  test,
  type TestTenant,
} from "./_helpers.ts";
import { Db } from "../_shared/platform/db.ts";
import { retrieveForPrompt } from "../_shared/memory/retrieval.ts";
import { tokenCount } from "../_shared/memory/tokens.ts";

const EMBED = { provider: "scripted", model: "concept-embed" };
const INDEXER_URL = `${config.SUPABASE_URL}/functions/v1/memory-indexer`;

/** A tenant whose memory is embedded by the scripted server's concept embeddings. */
function embedTenant(label: string, url: string, memory: Record<string, unknown> = {}) {
  return llmTenant(label, url, { memory: { embeddings: EMBED, ...memory } });
}

/** Waits until every chunk of the tenant has a vector. */
async function embedded(t: TestTenant, timeoutMs = 15_000) {
  await eventually(async () => {
    const [r] = await db`select count(*)::int as total,
        (count(*) filter (where embedding is null and not cold))::int as pending
      from public.memory_index where tenant_id = ${t.id}`;
    return r.total > 0 && r.pending === 0;
  }, timeoutMs);
}

async function drainIndexer(budgetMs = 3000) {
  const res = await fetch(INDEXER_URL, {
    method: "POST",
    headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ budget_ms: budgetMs, reason: "test" }),
  });
  return (await res.json()).data;
}

test("a stored memory is embedded by memory-indexer on its own and a paraphrase finds it", async () => {
  const llm = startLlmServer(() => ({ content: agentReply("ok") }));
  try {
    const t = await embedTenant("mem-auto", llm.url);
    const stored = await ok(t.key, "memory.store", {
      type: "preference",
      key: "contact-channel",
      content: "The client prefers to be contacted by email",
      importance: 0.7,
    });
    assertEquals(stored.decision, "add");
    await embedded(t);
    const [chunk] = await db`select embedding_model, embedded_hash = content_hash as current
      from public.memory_index where tenant_id = ${t.id} and source_id = ${stored.memory.id}`;
    assertEquals(chunk, { embedding_model: "openai:concept-embed", current: true });
    assert(llm.embeddings.length >= 1, "the scripted endpoint embedded the chunk");

    // no word in common: only the vector half can find it
    const found = await ok(t.key, "memory.search", { query: "customer likes mail" });
    assertEquals(found.embedder.semantic, true);
    assertEquals(found.items[0].source_id, stored.memory.id);
    assertEquals(found.items[0].text_rank, null, "no full-text match");
    assertEquals(found.items[0].vector_rank, 1);
    assert(found.items[0].similarity > 0.5, `paraphrase similarity ${found.items[0].similarity}`);
  } finally {
    await llm.close();
  }
});

test("changed content is embedded again; unchanged content never is", async () => {
  const llm = startLlmServer(() => ({ content: agentReply("ok") }));
  try {
    const t = await embedTenant("mem-reembed", llm.url);
    const paragraph = (topic: string) =>
      Array.from({ length: 12 }, (_, i) => `${topic} sentence ${i} about the fleet and its pumps.`)
        .join(" ");
    const doc = [paragraph("Alpha"), paragraph("Bravo"), paragraph("Charlie")].join("\n\n");
    const first = await ok(t.key, "memory.index", {
      source_type: "document",
      title: "Fleet notes",
      content: doc,
    });
    assert(first.chunks >= 2, `a long document is chunked (${first.chunks})`);
    await embedded(t);
    const embeddedTexts = () => llm.embeddings.reduce((n, r) => n + r.inputs.length, 0);
    assertEquals(embeddedTexts(), first.chunks, "every chunk embedded once");

    // the same content again: nothing to embed
    await ok(t.key, "memory.index", {
      source_type: "document",
      source_id: first.source_id,
      title: "Fleet notes",
      content: doc,
    });
    await drainIndexer(500);
    assertEquals(embeddedTexts(), first.chunks, "unchanged chunks are not embedded again");

    // change the last paragraph: only the chunks holding it change
    const before = await db`select chunk_index, content_hash from public.memory_index
      where tenant_id = ${t.id} order by chunk_index`;
    await ok(t.key, "memory.index", {
      source_type: "document",
      source_id: first.source_id,
      title: "Fleet notes",
      content: [paragraph("Alpha"), paragraph("Bravo"), paragraph("Delta")].join("\n\n"),
    });
    await embedded(t);
    const after = await db`select chunk_index, content_hash from public.memory_index
      where tenant_id = ${t.id} order by chunk_index`;
    const changed = after.filter((r, i) => before[i]?.content_hash !== r.content_hash).length;
    assert(changed >= 1 && changed < after.length, `${changed} of ${after.length} chunks changed`);
    assertEquals(embeddedTexts(), first.chunks + changed, "only the changed chunks were embedded");

    // a memory stored again with the same key and content is a noop: no new chunk, no embedding
    await ok(t.key, "memory.store", {
      type: "fact",
      key: "k",
      content: "Pump P-7 runs at night",
      check_contradictions: false,
    });
    await embedded(t);
    const n = embeddedTexts();
    const again = await ok(t.key, "memory.store", {
      type: "fact",
      key: "k",
      content: "Pump P-7 runs at night",
    });
    assertEquals(again.decision, "noop");
    const changedKey = await ok(t.key, "memory.store", {
      type: "fact",
      key: "k",
      content: "Pump P-7 runs in the day",
      check_contradictions: false, // (the check embeds the text too; counted apart below)
    });
    assertEquals(changedKey.decision, "update");
    assertEquals(changedKey.previous, again.memory.id);
    await embedded(t);
    assertEquals(embeddedTexts(), n + 1, "the new version alone was embedded");
    const old = await ok(t.key, "memory.get", { id: again.memory.id });
    assertEquals(old.superseded_by, changedKey.memory.id);
  } finally {
    await llm.close();
  }
});

test("a failing embedding endpoint: the job is retried, then dead-lettered; reindex recovers", async () => {
  const llm = startLlmServer(() => ({ content: agentReply("ok") }), {
    embed: () => ({ status: 503 }),
  });
  try {
    const t = await embedTenant("mem-fail", llm.url, {});
    await ok(t.key, "settings.update", { wake_workers: false });
    const stored = await ok(t.key, "memory.store", {
      type: "fact",
      key: "flaky",
      content: "The compressor C-3 was serviced in March",
      check_contradictions: false,
    });
    const [chunk] =
      await db`select id from public.memory_index where source_id = ${stored.memory.id}`;
    const inDlq = async () =>
      (await db`select count(*)::int as n from pgmq.q_embeddings_dlq
        where message -> 'message' ->> 'tenant_id' = ${t.id} or message ->> 'tenant_id' = ${t.id}`)[
        0
      ].n;
    // drive the retries: make the message due now and drain, until the fifth failure dead-letters it
    for (let i = 0; i < 8 && (await inDlq()) === 0; i++) {
      await db`update pgmq.q_embeddings set vt = now() where message ->> 'tenant_id' = ${t.id}`;
      await drainIndexer(1000);
    }
    assertEquals(await inDlq(), 1, "dead-lettered after its last attempt");
    assert(llm.embeddings.length >= 5, `retried: ${llm.embeddings.length} attempts`);
    const [dead] = await db`select message from pgmq.q_embeddings_dlq
      where message -> 'message' ->> 'tenant_id' = ${t.id} or message ->> 'tenant_id' = ${t.id}`;
    assertMatch(JSON.stringify(dead.message), /EMBEDDING_503/);
    const [q] =
      await db`select count(*)::int as n from pgmq.q_embeddings where message ->> 'tenant_id' = ${t.id}`;
    assertEquals(q.n, 0, "nothing left in the queue");
    const [c] =
      await db`select embedding is null as pending from public.memory_index where id = ${chunk.id}`;
    assertEquals(c.pending, true);

    // the endpoint recovers: memory.reindex queues what has no vector
    llm.setEmbedScript(() => ({}));
    const re = await ok(t.key, "memory.reindex", {});
    assertEquals(re, { model: "openai:concept-embed", queued: 1 });
    await drainIndexer(2000);
    await embedded(t, 5000);
  } finally {
    await llm.close();
  }
});

test("hybrid ranking on a labelled set: exact phrase, paraphrase, filter, decay, diversity", async () => {
  const llm = startLlmServer(() => ({ content: agentReply("ok") }));
  try {
    const t = await embedTenant("mem-rank", llm.url);
    const assetA = crypto.randomUUID();
    const assetB = crypto.randomUUID();
    const docs: Record<string, { content: string; asset?: string; days?: number }> = {
      overheat: {
        content: "Centrifugal pump P-101 bearing overheating after a lubrication failure",
        asset: assetA,
      },
      fleet: { content: "Automobile service plan for the fleet" },
      invoice: { content: "Quarterly invoice for the cleaning contract" },
      alarms: {
        content: "Bearing temperature alarm limits for the compressors and the fans",
        asset: assetB,
      },
      temps: { content: "Compressor alarm log: bearing limits, temperature readings" },
      vib_old: { content: "Pump vibration analysis report", days: 400 },
      vib_new: { content: "Pump vibration analysis report", days: 2 },
    };
    const ids: Record<string, string> = {};
    for (const [name, d] of Object.entries(docs)) {
      const r = await ok(t.key, "memory.index", {
        source_type: "document",
        title: name,
        content: d.content,
        ...(d.asset ? { asset_id: d.asset } : {}),
        ...(d.days ? { created_at: new Date(Date.now() - d.days * 86_400_000).toISOString() } : {}),
      });
      ids[r.source_id] = name;
    }
    await embedded(t);
    const search = async (query: string, extra: Record<string, unknown> = {}) => {
      const r = await ok(t.key, "memory.search", { query, cache: false, ...extra });
      return r.items.map((i: { source_id: string }) => ids[i.source_id]) as string[];
    };

    // exact phrase: the document holding the phrase first, ahead of one with the same words apart
    const phrase = await search("bearing temperature alarm limits");
    assertEquals(phrase[0], "alarms", phrase.join(", "));
    assert(phrase.indexOf("temps") > 0, "the same words out of order rank below");

    // paraphrase: no shared word, found by meaning
    assertEquals((await search("car maintenance schedule"))[0], "fleet");

    // filter: only the asset's chunks
    assertEquals(await search("bearing", { filters: { asset_id: assetA } }), ["overheat"]);
    assertEquals(
      await search("bearing", {
        filters: { time_from: new Date(Date.now() - 86_400_000).toISOString() },
      })
        .then((r) => r.includes("vib_old")),
      false,
    );

    // decay: equal text, the newer one wins once age counts
    const withDecay = await ok(t.key, "memory.search", {
      query: "pump vibration analysis",
      decay_half_life_days: 30,
      cache: false,
    });
    const top: string[] = withDecay.items.map((i: { source_id: string }) => ids[i.source_id]);
    assert(top.indexOf("vib_new") < top.indexOf("vib_old"), top.join(", "));
    const noDecay = await search("pump vibration analysis");
    assert(
      noDecay.includes("vib_old") && noDecay.indexOf("vib_old") < 2,
      `without decay the old report ranks high: ${noDecay}`,
    );
    const scoreOf = (n: string) =>
      withDecay.items.find((i: { source_id: string }) => ids[i.source_id] === n)?.score ?? 0;
    assert(scoreOf("vib_old") < scoreOf("vib_new") / 100, "400 days at a 30-day half-life");

    // diversity: the two identical reports are not both in the top two with MMR
    const plain = await search("pump vibration analysis report", { limit: 3 });
    assertEquals(plain.slice(0, 2).sort(), ["vib_new", "vib_old"]);
    const diverse = await search("pump vibration analysis report", { limit: 3, mmr_lambda: 0.3 });
    assert(
      !(diverse.slice(0, 2).includes("vib_new") && diverse.slice(0, 2).includes("vib_old")),
      `MMR spread the top two: ${diverse.join(", ")}`,
    );
  } finally {
    await llm.close();
  }
});

test("the semantic cache answers a repeated search and is invalidated by any index change", async () => {
  const t = await newTenant("mem-cache");
  await ok(t.key, "memory.store", {
    type: "fact",
    key: "hours",
    content: "The warehouse opens at 7:00 on weekdays",
  });
  // the vector arriving is an index change too: let memory-indexer finish first
  await embedded(t);
  const first = await ok(t.key, "memory.search", { query: "When does the warehouse open?" });
  assertEquals(first.cached, false);
  assertEquals(first.embedder.semantic, false, "no provider: the offline lexical embedder");
  assertMatch(first.embedder.note, /lexical/);
  const second = await ok(t.key, "memory.search", { query: "  when does the WAREHOUSE open " });
  assertEquals(second.cached, true, "same normalised query and filters");
  assertEquals(second.items, first.items);
  const filtered = await ok(t.key, "memory.search", {
    query: "when does the warehouse open",
    filters: { memory_types: ["fact"] },
  });
  assertEquals(filtered.cached, false, "other filters are another entry");

  await ok(t.key, "memory.store", {
    type: "fact",
    key: "weekend",
    content: "The warehouse opens at 9:00 on Saturdays",
  });
  await embedded(t);
  const third = await ok(t.key, "memory.search", { query: "When does the warehouse open?" });
  assertEquals(third.cached, false, "the index changed");
  assertEquals(third.items.length, 2);
  const [row] = await db`select hits from public.semantic_cache where tenant_id = ${t.id}
    and query = 'when does the warehouse open'`;
  assertEquals(row.hits, 0, "refreshed");
});

test("a contradicting memory supersedes the old one: rules offline, the LLM judge when configured", async () => {
  // offline: deterministic rules
  const t = await newTenant("mem-rules");
  const old = await ok(t.key, "memory.store", {
    type: "fact",
    key: "p101-trip",
    content: "Pump P-101 bearing temperature trip is 95 °C",
  });
  const other = await ok(t.key, "memory.store", {
    type: "fact",
    key: "p102-trip",
    content: "Pump P-102 has a new seal since May",
  });
  const next = await ok(t.key, "memory.store", {
    type: "fact",
    key: "p101-trip-2026",
    content: "Pump P-101 bearing temperature trip is 90 °C",
  });
  assertEquals(next.contradictions.judge, "rules");
  assertEquals(next.contradictions.superseded, [old.memory.id]);
  assertMatch(next.contradictions.explanation, /95 → 90/);
  const was = await ok(t.key, "memory.get", { id: old.memory.id });
  assertEquals(was.superseded_by, next.memory.id);
  assertEquals(was.contradiction_count, 1);
  assertEquals((await ok(t.key, "memory.get", { id: other.memory.id })).superseded_at, null);
  const decisions = await ok(t.key, "memory.decisions", { memory_id: next.memory.id });
  const sup = decisions.items.find((d: { action: string }) => d.action === "supersede");
  assertEquals(sup.target_ids, [old.memory.id]);
  assertEquals(sup.judge, "rules");
  // superseded memories are left out of search
  const hits = await ok(t.key, "memory.search", { query: "P-101 trip temperature" });
  assert(!hits.items.some((i: { source_id: string }) => i.source_id === old.memory.id));

  // with an LLM: the model judges what rules cannot see
  const llm = startLlmServer((r) =>
    r.system.includes("fact-checker")
      ? {
        content: JSON.stringify({
          contradicts: [0],
          explanation: "phone calls versus email only",
        }),
      }
      : { content: agentReply("ok") }
  );
  try {
    const l = await embedTenant("mem-llm", llm.url);
    const phone = await ok(l.key, "memory.store", {
      type: "preference",
      key: "acme-channel",
      content: "ACME's buyer wants phone calls for urgent orders",
    });
    const email = await ok(l.key, "memory.store", {
      type: "preference",
      key: "acme-channel-2",
      content: "ACME's buyer wants email only, for every order",
    });
    assertEquals(email.contradictions.judge, "llm");
    assertEquals(email.contradictions.superseded, [phone.memory.id]);
    const judged = llm.requests.find((r) => r.system.includes("fact-checker"))!;
    assertMatch(judged.body.messages[1].content!, /0\. ACME's buyer wants phone calls/);
    const [usage] = await db`select count(*)::int as n from public.usage_events
      where tenant_id = ${l.id} and metadata ->> 'purpose' = 'memory_contradiction_check'`;
    assertEquals(usage.n, 1, "the judged store is a usage event (the first had nothing to judge)");
  } finally {
    await llm.close();
  }
});

test("prompt retrieval stays within its token budget: critical first, then relevant, then recent", async () => {
  const t = await newTenant("mem-budget", { packs: ["industrial"] });
  await ok(t.key, "memory.store", {
    type: "fact",
    key: "critical-permit",
    content: "Every P-101 shutdown needs a permit signed by the area authority",
    importance: 0.95,
  });
  for (let i = 0; i < 25; i++) {
    await ok(t.key, "memory.store", {
      type: "fact",
      key: `reading-${i}`,
      content: `Reading ${i}: compressor C-${i} vibration was ${
        (i * 0.37).toFixed(2)
      } mm/s during the ${
        i % 2 ? "night" : "day"
      } shift, logged by the operator on duty with a note about the weather`,
      check_contradictions: false,
    });
  }
  const pool = new Db(config, "memory-test");
  try {
    const args = {
      tenantId: t.id,
      agent: { slug: "pdm", memory_types: ["fact", "decision", "learning"] },
      query: "compressor C-7 vibration",
    };
    for (const budget of [100, 200, 400]) {
      const r = await retrieveForPrompt(pool, config, { ...args, budgetTokens: budget });
      assert(
        tokenCount(r.text) <= budget,
        `${tokenCount(r.text)} tokens for a budget of ${budget}`,
      );
      assertEquals(r.tokens, tokenCount(r.text));
      assertEquals(r.used[0].key, "critical-permit", "the critical memory first");
      if (budget >= 200) {
        assert(
          r.used.some((u) => u.key === "reading-7" && u.tier === "relevant"),
          `the relevant one: ${r.used.map((u) => u.key).join(", ")}`,
        );
      }
    }
    const big = await retrieveForPrompt(pool, config, { ...args, budgetTokens: 400 });
    const small = await retrieveForPrompt(pool, config, { ...args, budgetTokens: 150 });
    assert(big.used.length > small.used.length, "a bigger budget holds more");
    assertMatch(big.text, /^\[FACT\]\n- \(critical-permit\)/);
    assertEquals((await retrieveForPrompt(pool, config, { ...args, budgetTokens: 0 })).used, []);
    const [a] = await db`select access_count from public.agent_memory where tenant_id = ${t.id}
      and key = 'critical-permit'`;
    assert(a.access_count >= 3, "uses in prompts count as accesses");
  } finally {
    await pool.end();
  }
});

test("an agent's prompt carries its memories and its result lists the ones it used", async () => {
  const llm = startLlmServer(() => ({ content: agentReply("P-101 needs a permit first") }));
  try {
    const t = await embedTenant("mem-agent", llm.url);
    const permit = await ok(t.key, "memory.store", {
      type: "fact",
      key: "p101-permit",
      content: "Every P-101 shutdown needs a permit signed by the area authority",
      importance: 0.9,
    });
    await ok(t.key, "memory.store", {
      type: "preference",
      key: "tone",
      content: "Managers want one-line answers",
    });
    const st = await ok(t.key, "agents.run", {
      agent: "pdm",
      query: "Can we shut down P-101 tonight?",
      wait_ms: 15_000,
    });
    assertEquals(st.status, "completed");
    const system = llm.requests[0].system;
    assertMatch(system, /Memory \(.*\):\n\[FACT\]\n- \(p101-permit\) Every P-101 shutdown/);
    assert(!system.includes("one-line answers"), "pdm reads facts, decisions and learnings only");
    assert(system.indexOf("Memory (") < system.indexOf("Reply with one JSON object"));
    const used = st.result.metrics.memory.used;
    assertEquals(used.map((u: { id: string }) => u.id), [permit.memory.id]);
    const [step] = await db`select kind, output from public.run_steps
      where run_id = ${st.session.id} and key = 'memory'`;
    assertEquals(step.kind, "memory");
    assertEquals(step.output.used[0].key, "p101-permit");
  } finally {
    await llm.close();
  }
});

test("another tenant's memories never appear, even when their vectors are nearest", async () => {
  const llm = startLlmServer(() => ({ content: agentReply("ok") }));
  try {
    const a = await embedTenant("mem-iso-a", llm.url);
    const b = await embedTenant("mem-iso-b", llm.url);
    const text = "Secret merger plan with the automobile fleet customer";
    const mine = await ok(a.key, "memory.store", { type: "fact", key: "secret", content: text });
    await ok(b.key, "memory.store", {
      type: "fact",
      key: "lunch",
      content: "The canteen serves soup on Fridays",
    });
    await embedded(a);
    await embedded(b);
    // B searches with A's exact text: A's chunk is the nearest vector in the table
    for (const q of [{ query: text }, { query: text, vector_weight: 5, text_weight: 0 }]) {
      const r = await ok(b.key, "memory.search", { ...q, limit: 50, cache: false });
      assert(!r.items.some((i: { source_id: string }) => i.source_id === mine.memory.id));
      assert(r.items.every((i: { content: string }) => !i.content.includes("merger")));
    }
    const got = await call(b.key, "memory.get", { id: mine.memory.id });
    assertEquals(got.status, 404);
    const forgot = await call(b.key, "memory.forget", { id: mine.memory.id });
    assertEquals(forgot.status, 404);
    assertEquals((await ok(a.key, "memory.get", { id: mine.memory.id })).key, "secret");
  } finally {
    await llm.close();
  }
});

test("memory.health reports counts, tiers and the latest maintenance; forget deletes or archives", async () => {
  const t = await newTenant("mem-health");
  const keep = await ok(t.key, "memory.store", {
    type: "entity",
    key: "acme",
    content: { name: "ACME", city: "Oslo" },
  });
  const drop = await ok(t.key, "memory.store", {
    type: "task",
    key: "call",
    content: "Call ACME back",
  });
  const arch = await ok(t.key, "memory.store", { type: "context", key: "q3", content: "Q3 push" });
  assertEquals((await ok(t.key, "memory.forget", { key: "call", type: "task" })).deleted, true);
  assertEquals(
    (await ok(t.key, "memory.forget", { id: arch.memory.id, archive: true })).archived,
    true,
  );
  const [chunks] =
    await db`select count(*)::int as n from public.memory_index where source_id = ${drop.memory.id}`;
  assertEquals(chunks.n, 0, "a forgotten memory leaves the index");
  const [cold] = await db`select cold, embedding is null as no_vector from public.memory_index
    where source_id = ${arch.memory.id}`;
  assertEquals(cold, { cold: true, no_vector: true }, "archived: cold, text only");
  await db`select app.memory_maintenance(${t.id})`;
  const h = await ok(t.key, "memory.health", {});
  assertEquals([h.live, h.archived, h.tiers.cold], [1, 1, 1]);
  assertEquals(h.live_by_type, { entity: 1 });
  assert(h.last_maintenance, "the maintenance report");
  const listed = await ok(t.key, "memory.list", { status: "all" });
  assertEquals(listed.items.length, 2);
  assertEquals((await ok(t.key, "memory.list", {})).items.map((m: { id: string }) => m.id), [
    keep.memory.id,
  ]);
  const bad = await call(t.key, "memory.store", { type: "opinion", key: "x", content: "y" });
  assertEquals(bad.status, 400);
});

test("searches wait for a slow embedding provider holding no connection: 20 at once on a pool of 2 all answer, and health.check too", async () => {
  // the embeddings endpoint takes 1.5 s; a connection may be waited for at most 1 s. A search
  // that held its connection while the query is embedded would starve the others into 503s.
  const llm = startLlmServer(() => ({ content: agentReply("unused") }), {
    embed: () => ({ latencyMs: 1500 }),
  });
  const server = await startServer({ ORA_DB_POOL_SIZE: "2", ORA_DB_ACQUIRE_TIMEOUT_MS: "1000" });
  try {
    const t = await embedTenant("mem-slow", llm.url);
    const search = (body: unknown) =>
      fetch(`${server.url}/ora`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${t.key}` },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const all = Array.from(
      { length: 20 },
      (_, i) =>
        search({ action: "memory.search", data: { query: `slow query ${i}`, cache: false } }),
    );
    await new Promise((r) => setTimeout(r, 300));
    const health = await search({ action: "health.check", data: {} });
    const results = await Promise.all(all);
    assertEquals(health.status, 200, JSON.stringify(health.body));
    assertEquals(
      results.map((r) => r.status),
      Array(20).fill(200),
      JSON.stringify(results.find((r) => r.status !== 200)?.body),
    );
    assert(results.every((r) => r.body.data.embedder.semantic), "the vector half was embedded");
    // nothing is left idle in a transaction (a leaked one would stay until the 20 s timeout)
    assert(await noIdleTransaction("ora"), "no connection is left idle in a transaction");
  } finally {
    await server.stop();
    await llm.close();
  }
});
