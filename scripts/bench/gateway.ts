/**
 * Gateway overhead: an authenticated `leads.list` through the ora function (HTTP, key check,
 * atomic rate limit, RLS transaction, request log) against the same query through the pool
 * directly (same RLS transaction, no HTTP or auth), at 1, 8 and 32 concurrent clients. Twice:
 * with prepared statements off (what Supavisor's transaction pooler requires: the hosted
 * default) and on (ORA_DB_PREPARE=true, for direct or session-mode connections), the latter on a
 * second function server started for the bench.
 */
import { loadConfig } from "../../supabase/functions/_shared/platform/config.ts";
import postgres from "postgres";
import { startServer } from "../lib/server.ts";
import { benchTenant, fmt, load, table } from "./_stats.ts";

const config = loadConfig();
// The baseline: the same RLS transaction (begin, role + claims, the query, commit) straight on a
// postgres.js pool, with no HTTP, authentication, rate limiting or request log.
const sql = postgres(config.SUPABASE_DB_URL, { max: 32, prepare: false, onnotice: () => {} });

// A tenant of its own with 200 leads and a key whose limits the bench cannot hit.
const { id: tenantId, key } = await benchTenant(
  `${config.SUPABASE_URL}/functions/v1`,
  config.SUPABASE_SERVICE_ROLE_KEY,
  "bench",
);
await sql`insert into public.leads (tenant_id, name, ai_score)
  select ${tenantId}, 'Lead ' || g, g % 100 from generate_series(1, 200) g`;

const viaGateway = (url: string) => async () => {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: '{"action":"leads.list","data":{"limit":20}}',
  });
  await res.arrayBuffer();
  return res.status === 200;
};
const claims = JSON.stringify({ role: "authenticated", tenant_id: tenantId, scopes: ["*"] });
const directOn = (db: postgres.Sql) => async () => {
  const rows = await db.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    return await tx`select * from public.leads where true order by created_at desc, id desc limit 21`;
  });
  return rows.length > 0;
};
const prepared = postgres(config.SUPABASE_DB_URL, { max: 32, prepare: true, onnotice: () => {} });
const second = await startServer({ ORA_DB_PREPARE: "true", ORA_DB_POOL_SIZE: "10" });

for (
  const [label, gatewayUrl, db] of [
    [
      "prepared statements off (transaction pooler)",
      `${config.SUPABASE_URL}/functions/v1/ora`,
      sql,
    ],
    ["prepared statements on (direct or session connection)", `${second.url}/ora`, prepared],
  ] as const
) {
  const viaGw = viaGateway(gatewayUrl);
  const direct = directOn(db);
  // Warm both paths (JIT, pool connections, key cache).
  await load(viaGw, { concurrency: 8, total: 300, maxSeconds: 10 });
  await load(direct, { concurrency: 8, total: 300, maxSeconds: 10 });
  const rows: (string | number)[][] = [];
  for (const concurrency of [1, 8, 32]) {
    const total = concurrency === 1 ? 1000 : 3000;
    const d = await load(direct, { concurrency, total, maxSeconds: 20 });
    const g = await load(viaGw, { concurrency, total, maxSeconds: 20 });
    rows.push([
      concurrency,
      fmt(g.perSecond, 0),
      fmt(d.perSecond, 0),
      fmt(g.perSecond / d.perSecond, 2),
      `${fmt(g.p50, 2)} / ${fmt(g.p99, 2)}`,
      `${fmt(d.p50, 2)} / ${fmt(d.p99, 2)}`,
      fmt(g.p50 / d.p50, 2),
      g.errors + d.errors,
    ]);
  }
  console.log(`\n  leads.list (20 rows), ${label}: ora gateway vs the same transaction on a pool`);
  table(
    [
      "clients",
      "gateway req/s",
      "direct q/s",
      "throughput ratio",
      "gateway p50/p99 ms",
      "direct p50/p99 ms",
      "p50 ratio",
      "errors",
    ],
    rows,
  );
}
console.log(
  "  ratio = gateway / direct; the gap is HTTP (client and server) + key check + rate-limit count.\n",
);

await second.stop();
await prepared.end();
await sql`delete from public.tenants where id = ${tenantId}`;
await sql.end();
