/** Small helpers shared by the benchmarks: closed-loop load, percentiles, table printing. */

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The p-th percentile of `xs` (in any order; NaN when empty). */
export function pct(xs: number[], p: number): number {
  return percentile([...xs].sort((a, b) => a - b), p);
}

/**
 * Runs `op` from `concurrency` closed-loop clients until `total` operations are done or
 * `maxSeconds` pass (whichever first). Bounded in count and time.
 */
export async function load(
  op: () => Promise<boolean>,
  opts: { concurrency: number; total: number; maxSeconds: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const deadline = performance.now() + opts.maxSeconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (issued < opts.total && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      const good = await op().catch(() => false);
      latencies.push(performance.now() - t0);
      if (!good) errors++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

/** Prints rows as an aligned table. */
export function table(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  for (const [i, r] of cells.entries()) {
    console.log("  " + r.map((c, j) => c.padStart(widths[j])).join("  "));
    if (i === 0) console.log("  " + widths.map((w) => "-".repeat(w)).join("  "));
  }
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** POSTs {action, data} to a function URL; throws unless it answered 200; returns data. */
// deno-lint-ignore no-explicit-any
type Data = any;

export async function postAction(
  url: string,
  key: string,
  action: string,
  data: unknown,
  headers: Record<string, string> = {},
): Promise<Data> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ action, data }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(body)}`);
  return body.data;
}

/**
 * A bench tenant (service role) with packs, plan limits, settings, and a key whose limits the
 * bench cannot hit (minted by the service role for that tenant: no key is broader than its minter).
 */
export async function benchTenant(
  base: string,
  serviceKey: string,
  label: string,
  opts: { packs?: string[]; limits?: Record<string, number>; settings?: Record<string, unknown> } =
    {},
) {
  const d = await postAction(`${base}/ora`, serviceKey, "tenants.create", {
    name: label,
    slug: `${label}-${crypto.randomUUID().slice(0, 8)}`,
    packs: opts.packs ?? [],
    limits: opts.limits ?? {},
    settings: opts.settings ?? {},
  });
  const key = (await postAction(`${base}/ora`, serviceKey, "keys.create", {
    name: "bench",
    rate_limit_per_minute: 1_000_000,
    rate_limit_per_day: 100_000_000,
  }, { "x-ora-tenant": d.tenant.id })).key as string;
  return { id: d.tenant.id as string, key };
}
