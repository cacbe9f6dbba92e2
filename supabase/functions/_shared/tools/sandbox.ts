/**
 * The sandbox's building blocks: seeded randomness (the same tenant, tag and time give the same
 * numbers), plausible process signals, and the records its writes leave in
 * public.tool_sandbox_records (read back by its reads), all within the call's transaction.
 */
import { fnv1a, mulberry32 } from "../platform/seeded.ts";
import type { Json } from "../runs/engine.ts";
import type { SandboxEnv } from "./types.ts";

/** A seeded generator of numbers in [0, 1) (mulberry32), seeded by a number or a string. */
export function rng(seed: number | string): () => number {
  return mulberry32(typeof seed === "string" ? fnv1a(seed) : seed);
}

/** An identifier like WO-482913, derived from `key` (the same call always gets the same one). */
export function seededId(prefix: string, key: string, digits = 6): string {
  const span = 10 ** (digits - 1) * 9;
  return `${prefix}-${10 ** (digits - 1) + (fnv1a(`${prefix}:${key}`) % span)}`;
}

export function round(n: number, places = 2): number {
  const f = 10 ** places;
  return Math.round(n * f) / f;
}

/** The plant the sandbox pretends to be: assets every tenant's sandbox knows. */
export const SANDBOX_ASSETS = [
  { asset_id: "P-101", name: "Crude transfer pump", area: "unit-100" },
  { asset_id: "P-102", name: "Crude transfer pump (standby)", area: "unit-100" },
  { asset_id: "C-201", name: "Gas compressor", area: "unit-200" },
  { asset_id: "K-301", name: "Cooling water fan", area: "unit-300" },
  { asset_id: "T-401", name: "Storage tank", area: "tank-farm" },
  { asset_id: "HX-501", name: "Feed/effluent exchanger", area: "unit-500" },
];

interface Signal {
  unit: string;
  base: number;
  amp: number;
  noise: number;
  alarm: number;
  /** Fraction the signal grew over the last 7 days (a degrading asset), 0 for a healthy one. */
  drift: number;
}

const MEASUREMENTS: Record<string, Omit<Signal, "drift">> = {
  VIB: { unit: "mm/s", base: 2.8, amp: 0.3, noise: 0.12, alarm: 7.1 },
  TEMP: { unit: "°C", base: 65, amp: 3, noise: 0.6, alarm: 85 },
  PRESS: { unit: "bar", base: 8, amp: 0.5, noise: 0.08, alarm: 11 },
  FLOW: { unit: "m3/h", base: 180, amp: 15, noise: 3, alarm: 260 },
  SPEED: { unit: "rpm", base: 2950, amp: 8, noise: 4, alarm: 3150 },
  LEVEL: { unit: "%", base: 55, amp: 12, noise: 0.8, alarm: 92 },
  CURRENT: { unit: "A", base: 42, amp: 2.5, noise: 0.4, alarm: 60 },
};

/** Splits a tag such as P-101.VIB into its asset and measurement. */
export function parseTag(tag: string): { asset_id: string; measurement: string } {
  const i = tag.lastIndexOf(".");
  return i > 0
    ? { asset_id: tag.slice(0, i), measurement: tag.slice(i + 1).toUpperCase() }
    : { asset_id: tag, measurement: "VALUE" };
}

/** The seeded signal behind a tag. P-101's vibration and temperature are rising (the demo's
 * story: up about 40 % in a week); other tags drift when their seed says so. */
export function signalOf(tenantId: string, tag: string): Signal {
  const { asset_id, measurement } = parseTag(tag);
  const m = MEASUREMENTS[measurement] ??
    { unit: "", base: 50, amp: 4, noise: 0.8, alarm: 90 };
  const r = rng(`${tenantId}:signal:${tag}`);
  const scale = 0.9 + 0.2 * r();
  const degrading = (asset_id === "P-101" && (measurement === "VIB" || measurement === "TEMP")) ||
    r() < 0.12;
  return {
    unit: m.unit,
    base: m.base * scale,
    amp: m.amp * scale,
    noise: m.noise,
    alarm: m.alarm,
    drift: degrading ? (measurement === "TEMP" ? 0.18 : 0.4) : 0,
  };
}

const WEEK_MS = 7 * 86_400_000;

/** The signal's value at `t` (seeded per tag and minute; `now` anchors the week of drift). */
export function valueAt(tenantId: string, tag: string, t: Date, now: Date): number {
  const s = signalOf(tenantId, tag);
  const progress = Math.min(1, Math.max(0, 1 - (now.getTime() - t.getTime()) / WEEK_MS));
  const trend = s.base * (1 + s.drift * progress);
  const hours = t.getTime() / 3_600_000;
  const phase = (fnv1a(`${tenantId}:${tag}:phase`) % 628) / 100;
  const minute = Math.floor(t.getTime() / 60_000);
  const noise = (rng(`${tenantId}:${tag}:${minute}`)() * 2 - 1) * s.noise;
  return round(trend + s.amp * Math.sin((2 * Math.PI * hours) / 24 + phase) + noise, 3);
}

export const INTERVAL_MS: Record<string, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "1d": 86_400_000,
};

/** Points of a tag between start and end, at `interval` widened so at most `maxPoints` come back. */
export function series(
  tenantId: string,
  tag: string,
  start: Date,
  end: Date,
  interval: string,
  maxPoints: number,
  now: Date,
): { interval_ms: number; points: { t: string; v: number }[] } {
  const span = Math.max(0, end.getTime() - start.getTime());
  let step = INTERVAL_MS[interval] ?? 3_600_000;
  if (span / step > maxPoints) step = Math.ceil(span / maxPoints / 60_000) * 60_000;
  const points: { t: string; v: number }[] = [];
  const first = Math.ceil(start.getTime() / step) * step;
  for (let ms = first; ms <= end.getTime() && points.length < maxPoints; ms += step) {
    const t = new Date(ms);
    points.push({ t: t.toISOString(), v: valueAt(tenantId, tag, t, now) });
  }
  return { interval_ms: step, points };
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

export function stddev(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

// ---------------------------------------------------------------------------------------------
// Records (public.tool_sandbox_records), in the call's service-role transaction
// ---------------------------------------------------------------------------------------------

export interface SandboxRecord {
  ref: string;
  data: Record<string, Json>;
  created_at: string;
}

/** The record `kind`/`ref` of the tenant, locked for the call's update; null when absent. */
export async function getRecord(
  env: SandboxEnv,
  kind: string,
  ref: string,
  lock = false,
): Promise<SandboxRecord | null> {
  const rows = await env.tx<SandboxRecord[]>`
    select ref, data, created_at from public.tool_sandbox_records
    where tenant_id = ${env.tenantId} and kind = ${kind} and ref = ${ref}
    ${lock ? env.tx`for update` : env.tx``}`;
  return rows[0] ?? null;
}

/** The tenant's records of `kind`, newest first. */
export async function listRecords(env: SandboxEnv, kind: string, limit = 200) {
  return await env.tx<SandboxRecord[]>`
    select ref, data, created_at from public.tool_sandbox_records
    where tenant_id = ${env.tenantId} and kind = ${kind}
    order by created_at desc limit ${limit}`;
}

/** Creates or replaces the record `kind`/`ref`. */
export async function putRecord(
  env: SandboxEnv,
  kind: string,
  ref: string,
  data: Record<string, unknown>,
): Promise<void> {
  await env.tx`
    insert into public.tool_sandbox_records (tenant_id, integration, kind, ref, data, tool_call_id)
    values (${env.tenantId}, ${env.integration}, ${kind}, ${ref}, ${env.tx.json(data as never)},
      ${env.toolCallId ?? null})
    on conflict (tenant_id, kind, ref) do update set data = excluded.data,
      tool_call_id = excluded.tool_call_id`;
}
