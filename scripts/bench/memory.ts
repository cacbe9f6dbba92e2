/**
 * Memory search and indexing.
 *  1. Hybrid search (public.memory_search: vector kNN + full text fused by reciprocal rank, as the
 *     tenant under RLS) over 384-d chunks at 10k — and at 100k with ORA_BENCH_MEMORY_100K=1 —
 *     for one tenant owning the whole table and for one of 100 tenants sharing it: p50/p95 with
 *     HNSW beside exact search in the same run, recall@10 of HNSW (vector half alone) against
 *     exact, and what the default (auto) strategy picks. Anchors: p95 < 20 ms and recall@10 ≥
 *     0.95 at 100k (pgvector on a 2-core Supabase Micro: p95 24 ms at 0.99).
 *  2. Indexing throughput: chunks/s through the embeddings queue and memory-indexer with an
 *     instant (offline) embedder, beside writing the same vectors straight into the table.
 * Data is synthetic and clustered (200 topics: a centre plus noise, words of the topic plus
 * random words), loaded with SQL; the bench's tenants are deleted at the end.
 */
import postgres from "postgres";
import { loadConfig } from "../../supabase/functions/_shared/platform/config.ts";
import { lexicalVector } from "../../supabase/functions/_shared/memory/embeddings.ts";
import { fmt, pct, table } from "./_stats.ts";
import { mulberry32 } from "../../supabase/functions/_shared/platform/seeded.ts";

const config = loadConfig();
const sql = postgres(config.SUPABASE_DB_URL, { max: 4, prepare: false, onnotice: () => {} });
const BIG = Deno.env.get("ORA_BENCH_MEMORY_100K") === "1";
const QUERIES = Number(Deno.env.get("ORA_BENCH_MEMORY_QUERIES") ?? 100);
const TOPICS = 200;
const [{ dims }] = await sql<{ dims: number }[]>`select app.memory_embedding_dimensions() as dims`;

// seeded, so every run searches the same data
const rnd = mulberry32(42);
const centers = Array.from({ length: TOPICS * dims }, () => rnd() * 2 - 1);

const made: string[] = [];
async function tenants(n: number, label: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into public.tenants (name, slug, settings)
    select ${label} || ' ' || g, ${label} || '-' || substr(md5(random()::text), 1, 8) || '-' || g,
      '{"wake_workers": false, "memory": {"embeddings": {"provider": "offline"}}}'::jsonb
    from generate_series(1, ${n}) g returning id`;
  made.push(...rows.map((r) => r.id));
  return rows.map((r) => r.id);
}

/** `per` chunks for each tenant, in batches on two connections (HNSW is maintained as rows arrive). */
async function load(ids: string[], per: number, from = 0): Promise<number> {
  const t0 = performance.now();
  const jobs: { ids: string[]; from: number; to: number }[] = [];
  const step = Math.max(1, Math.floor(1000 / ids.length));
  for (let s = from; s < from + per; s += step) {
    jobs.push({ ids, from: s + 1, to: Math.min(from + per, s + step) });
  }
  const run = async () => {
    for (let j = jobs.shift(); j; j = jobs.shift()) {
      await sql`
        insert into public.memory_index (tenant_id, source_type, source_id, title, content, embedding, embedding_model)
        select t.id, 'document', gen_random_uuid(), 'doc ' || g,
          'topic' || tc.c || 'a topic' || tc.c || 'b ' ||
            (select string_agg('w' || (random() * 2000)::integer, ' ') from generate_series(1, 20) x where g = g),
          (select array_agg((${centers}::real[])[(tc.c - 1) * ${dims} + i] + 0.35 * (random() * 2 - 1) order by i)
           from generate_series(1, ${dims}) i where g = g)::extensions.vector,
          'bench'
        from unnest(${j.ids}::uuid[]) t(id), generate_series(${j.from}::integer, ${j.to}::integer) g,
          lateral (select 1 + abs(hashtext(t.id::text || g)) % ${TOPICS} as c) tc`;
    }
  };
  await Promise.all([run(), run()]);
  // what autovacuum would do before long: statistics, the visibility map, GIN's pending list
  await sql`vacuum analyze public.memory_index`;
  return (performance.now() - t0) / 1000;
}

interface Query {
  text: string;
  vec: string;
}
function queries(n: number): Query[] {
  const r = mulberry32(7);
  return Array.from({ length: n }, () => {
    const c = 1 + Math.floor(r() * TOPICS);
    const v = Array.from(
      { length: dims },
      (_, i) => (centers[(c - 1) * dims + i] + 0.2 * (r() * 2 - 1)).toFixed(4),
    );
    return { text: `topic${c}a w${Math.floor(r() * 2000)}`, vec: `[${v.join(",")}]` };
  });
}

/** Runs every query as the tenant; returns latencies (ms, the search statement) and result ids. */
async function measure(tenant: string, qs: Query[], options: Record<string, unknown>) {
  const claims = JSON.stringify({ role: "authenticated", tenant_id: tenant });
  const ms: number[] = [];
  const ids: string[][] = [];
  const strategies = new Set<string>();
  await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    for (const [i, q] of qs.entries()) {
      const t0 = performance.now();
      const rows = await tx.unsafe(
        `select id, strategy from public.memory_search($1, $2::extensions.vector, 10, '{}'::jsonb, $3::jsonb)`,
        [q.text, q.vec, JSON.stringify(options)],
      );
      if (i >= 5) ms.push(performance.now() - t0); // the first few warm the plan cache
      ids.push(rows.map((r) => r.id as string));
      for (const r of rows) strategies.add(r.strategy as string);
    }
  });
  ms.sort((a, b) => a - b);
  return { p50: pct(ms, 50), p95: pct(ms, 95), ids, strategies: [...strategies].join("/") };
}

function recall(approx: string[][], exact: string[][]): number {
  let hit = 0, all = 0;
  for (let i = 0; i < exact.length; i++) {
    const e = new Set(exact[i]);
    all += e.size;
    hit += approx[i].filter((id) => e.has(id)).length;
  }
  return all ? hit / all : 1;
}

const rows: (string | number)[][] = [];
async function scenario(label: string, tenant: string, chunks: number) {
  const qs = queries(QUERIES + 5);
  const hnsw = await measure(tenant, qs, { strategy: "hnsw" });
  const exact = await measure(tenant, qs, { strategy: "exact" });
  const auto = await measure(tenant, qs, {});
  const vHnsw = await measure(tenant, qs, { strategy: "hnsw", text_weight: 0 });
  const vExact = await measure(tenant, qs, { strategy: "exact", text_weight: 0 });
  const r = recall(vHnsw.ids.slice(5), vExact.ids.slice(5));
  rows.push([
    label,
    chunks,
    `${fmt(hnsw.p50, 2)} / ${fmt(hnsw.p95, 2)}`,
    `${fmt(exact.p50, 2)} / ${fmt(exact.p95, 2)}`,
    fmt(exact.p95 / hnsw.p95, 2),
    `${fmt(vHnsw.p95, 2)} / ${fmt(vExact.p95, 2)}`,
    `${auto.strategies} ${fmt(auto.p95, 2)}`,
    fmt(r, 3),
    fmt(hnsw.p95 / 20, 2),
    fmt(r / 0.95, 3),
  ]);
  console.log(`    ${label}: measured (${QUERIES} queries each)`);
}

/**
 * Deletes the bench tenants' chunks. Vacuuming 100k deleted vectors out of an HNSW graph takes
 * many minutes (it repairs the graph around each one), so, as pgvector advises, the indexes are
 * rebuilt concurrently first (from a fresh snapshot: only the rows that are left) and the
 * vacuum then has nothing to repair.
 */
async function dropTenants(ids: string[]) {
  await sql`delete from public.tenants where id = any(${ids}::uuid[])`;
  await sql`reindex index concurrently public.memory_index_embedding_idx`;
  await sql`reindex index concurrently public.memory_index_tenant_tsv_idx`;
  await sql`vacuum analyze public.memory_index`;
}

async function search() {
  console.log(
    `\n  hybrid search, ${dims}-d, ${TOPICS} topics, ${QUERIES} queries per figure${
      BIG ? "" : " (100k: ORA_BENCH_MEMORY_100K=1)"
    }`,
  );
  // one tenant owning the table
  const [one] = await tenants(1, "bench-mem-one");
  const t10 = await load([one], 10_000);
  console.log(`    loaded 10k chunks for one tenant in ${fmt(t10, 1)} s`);
  await scenario("one tenant", one, 10_000);
  if (BIG) {
    const t100 = await load([one], 90_000, 10_000);
    console.log(`    loaded 90k more in ${fmt(t100, 1)} s`);
    await scenario("one tenant", one, 100_000);
  }
  await dropTenants([one]);
  // one of 100 tenants sharing the table
  const many = await tenants(100, "bench-mem-shared");
  const s10 = await load(many, 100);
  console.log(`    loaded 100 tenants × 100 chunks in ${fmt(s10, 1)} s`);
  await scenario("1 of 100 tenants", many[37], 10_000);
  if (BIG) {
    const s100 = await load(many, 900, 100);
    console.log(`    loaded 100 tenants × 900 more in ${fmt(s100, 1)} s`);
    await scenario("1 of 100 tenants", many[37], 100_000);
  }
  await dropTenants(many);
  console.log();
  table([
    "table",
    "chunks",
    "HNSW p50/p95 ms",
    "exact p50/p95 ms",
    "exact÷HNSW p95",
    "vector only p95 HNSW / exact",
    "auto picks, p95",
    "recall@10",
    "p95÷20 ms",
    "recall÷0.95",
  ], rows);
  console.log(
    "  HNSW: ef_search 100 with relaxed iterative scans (filters and RLS never starve it); exact: cosine distance\n" +
      "  over the tenant's rows; auto: exact up to 2000 embedded chunks of the tenant, HNSW above.\n" +
      "  Latency is the search statement as the tenant (RLS), hybrid (vector + full text) unless it says\n" +
      "  vector only; recall is the vector half alone, HNSW against exact, for the same queries. Data:\n" +
      "  200 topic centres plus noise (real embeddings cluster too; uniform random vectors would be harder).\n",
  );
}

async function indexing() {
  const N = 2000;
  const [t] = await tenants(1, "bench-mem-index");
  // the tick would add indexer invocations mid-measurement: pause its wake-ups for embeddings
  await sql`update app.queue_workers set max_consumers = 0 where queue_name = 'embeddings'`;
  try {
    // baseline: the same number of vectors written straight into the table
    const texts = Array.from(
      { length: N },
      (_, i) => `Note ${i} about pump P-${i % 97} and its bearings`,
    );
    const vecs = texts.map((x) => `[${lexicalVector(x, dims).join(",")}]`);
    const starts = Array.from({ length: Math.ceil(N / 64) }, (_, k) => k * 64);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let i = starts.shift(); i !== undefined; i = starts.shift()) {
        const batch = texts.slice(i, i + 64).map((content, k) => ({ content, vec: vecs[i + k] }));
        await sql`insert into public.memory_index (tenant_id, source_type, source_id, content, embedding, embedding_model)
          select ${t}, 'document', gen_random_uuid(), b.content, b.vec::extensions.vector, 'offline:lexical-v1'
          from jsonb_to_recordset(${sql.json(batch)}) as b(content text, vec text)`;
      }
    }));
    const raw = N / ((performance.now() - t0) / 1000);
    await sql`delete from public.memory_index where tenant_id = ${t}`;

    // through the queue: chunks written without vectors, then one memory-indexer invocation
    await sql`insert into public.memory_index (tenant_id, source_type, source_id, content)
      select ${t}, 'document', gen_random_uuid(), 'Note ' || g || ' about pump P-' || g % 97 || ' and its bearings'
      from generate_series(1, ${N}) g`;
    const rows2: (string | number)[][] = [];
    const t1 = performance.now();
    const res = await fetch(`${config.SUPABASE_URL}/functions/v1/memory-indexer`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${config.SUPABASE_SERVICE_ROLE_KEY}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ concurrency: 4, budget_ms: 300_000, reason: "bench" }),
    });
    const report = (await res.json()).data;
    const secs = (performance.now() - t1) / 1000;
    const [left] = await sql`select count(*)::integer as n from public.memory_index
      where tenant_id = ${t} and embedding is null`;
    const rate = (N - left.n) / secs;
    rows2.push([
      N,
      N - left.n,
      report?.outcomes?.completed ?? 0,
      fmt(rate, 0),
      fmt(raw, 0),
      fmt(rate / raw, 2),
    ]);
    console.log(`  indexing with an instant embedder (offline), memory-indexer at 4 slots`);
    table(
      ["chunks", "embedded", "jobs", "indexer chunks/s", "direct insert rows/s", "ratio"],
      rows2,
    );
    console.log(
      "  ratio = chunks/s through the embeddings queue (claim, read, embed, write, archive; 64 chunks per\n" +
        "  job, 4 slots) ÷ rows/s writing the same vectors straight into memory_index (64 per statement,\n" +
        "  4 connections): what the queue and the worker cost on top of maintaining the indexes.\n",
    );
  } finally {
    await sql`update app.queue_workers set max_consumers = 2 where queue_name = 'embeddings'`;
  }
}

try {
  await search();
  await indexing();
} finally {
  if (made.length) await sql`delete from public.tenants where id = any(${made}::uuid[])`;
  await sql.end();
}
