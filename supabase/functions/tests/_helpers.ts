/**
 * Test helpers: talk to the served functions over HTTP exactly as clients do, and to Postgres
 * for setup and for checking what the API must not leak. Env comes from .env.local.
 */
import * as jose from "jose";
import postgres from "postgres";
import { loadConfig } from "../_shared/platform/config.ts";

export const config = loadConfig();
export const ORA_URL = `${config.SUPABASE_URL}/functions/v1/ora`;
export const SERVICE_KEY = config.SUPABASE_SERVICE_ROLE_KEY;

/** A direct connection as postgres, for setup and assertions only (never a substitute for the API). */
export const db = postgres(config.SUPABASE_DB_URL, { max: 4, prepare: false, onnotice: () => {} });

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T;
    error?: { code: string; message: string; details?: unknown };
    requestId?: string;
  };
}

/** POST {action, data} to ora with a bearer token; returns status, headers and parsed body. */
export async function call<T = Record<string, unknown>>(
  token: string | null,
  action: string,
  data: unknown = {},
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const res = await fetch(ORA_URL, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ action, data }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Like call, but fails the test unless the action succeeded; returns data. */
// deno-lint-ignore no-explicit-any
export async function ok<T = any>(token: string, action: string, data: unknown = {}): Promise<T> {
  const r = await call<T>(token, action, data);
  if (r.status !== 200) {
    throw new Error(`${action} answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  return r.body.data as T;
}

export interface TestTenant {
  id: string;
  slug: string;
  key: string;
  keyId: string;
}

/** Tenants created by the running test; test() deletes them when it ends. */
const created: string[] = [];

/** A fresh tenant through tenants.create (service role), with its owner key; removed after the test. */
export async function newTenant(
  label = "t",
  extra: Record<string, unknown> = {},
): Promise<TestTenant> {
  const slug = `${label}-${crypto.randomUUID().slice(0, 8)}`;
  const d = await ok(SERVICE_KEY, "tenants.create", { name: `Test ${label}`, slug, ...extra });
  created.push(d.tenant.id);
  return { id: d.tenant.id, slug, key: d.key.key, keyId: d.key.id };
}

/** A Supabase Auth user (row in auth.users) and, optionally, a membership. */
export async function newUser(tenantId?: string, role = "member"): Promise<string> {
  const [u] =
    await db`insert into auth.users (email) values (${`u-${crypto.randomUUID()}@example.test`}) returning id`;
  if (tenantId) {
    await db`insert into public.tenant_members (tenant_id, user_id, role) values (${tenantId}, ${u.id}, ${role})`;
  }
  return u.id;
}

/** A user access token signed like Supabase Auth's (HS256 with the project's JWT secret). */
export async function userJwt(
  sub: string,
  opts: { expiresIn?: number | null; role?: string; issuer?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new jose.SignJWT({ role: opts.role ?? "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(opts.issuer ?? config.ORA_JWT_ISSUER ?? "supabase")
    .setIssuedAt(now - 10);
  if (opts.expiresIn !== null) jwt.setExpirationTime(now + (opts.expiresIn ?? 3600));
  return await jwt.sign(new TextEncoder().encode(config.ORA_JWT_SECRET!));
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  probe: () => Promise<T>,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * True once no connection of `applicationName` is idle inside a transaction (sampled every 100 ms
 * for up to `withinMs`): a sample may catch a live transaction between two statements, while a
 * leaked one stays until the idle-in-transaction timeout (20 s).
 */
export async function noIdleTransaction(
  applicationName: string,
  withinMs = 3_000,
): Promise<boolean> {
  return await eventually(async () => {
    const [{ n }] = await db`select count(*)::int as n from pg_stat_activity
      where state like 'idle in transaction%' and application_name = ${applicationName}`;
    return n === 0;
  }, withinMs).catch(() => false);
}

/**
 * Deno.test without the op/resource sanitizers (the shared db pool outlives single tests); the
 * tenants a test created are deleted when it ends, whatever happened.
 */
export function test(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      try {
        await fn();
      } finally {
        const ids = created.splice(0);
        // cancel what they still run first, so no worker keeps working for a vanishing tenant
        if (ids.length) {
          await db`select app.run_cancel(r.tenant_id, r.id, 'test ended') from public.runs r
            where r.tenant_id = any(${ids}) and r.parent_run_id is null
              and not app.run_is_terminal(r.status)`;
          await db`delete from public.tenants where id = any(${ids})`;
        }
      }
    },
  });
}

export const MANAGER_URL = `${config.SUPABASE_URL}/functions/v1/orchestration-manager`;

/** POST {action, data} to orchestration-manager. */
// deno-lint-ignore no-explicit-any
export async function manage<T = any>(
  token: string,
  action: string,
  data: unknown = {},
): Promise<ApiResult<T>> {
  const res = await fetch(MANAGER_URL, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ action, data }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** tenants.settings.llm for the scripted LLM at `baseUrl` (provider "scripted", key in secret "llm"). */
export function scriptedLlm(baseUrl: string, extra: Record<string, unknown> = {}) {
  return {
    providers: { scripted: { base_url: baseUrl, api_key_secret: "llm" } },
    provider: "scripted",
    model: "scripted",
    timeout_ms: 20_000,
    ...extra,
  };
}

/** A tenant whose agents talk to a scripted LLM at `baseUrl` (loopback is allowed by the local
 * stack's operator setting ORA_OUTBOUND_ALLOW). */
export async function llmTenant(
  label: string,
  baseUrl: string,
  settings: Record<string, unknown> = {},
): Promise<TestTenant> {
  const t = await newTenant(label, { packs: ["content", "industrial"] });
  await ok(t.key, "secrets.set", {
    name: "llm",
    value: "sk-scripted-test",
    origin: new URL(baseUrl).origin,
  });
  const { limits, ...rest } = settings as { limits?: Record<string, number> };
  await ok(t.key, "settings.update", { llm: scriptedLlm(baseUrl), ...rest });
  if (limits) await ok(SERVICE_KEY, "tenants.update", { id: t.id, limits });
  return t;
}

/** Waits (via sessions.wait, repeatedly) until a session is done. */
// deno-lint-ignore no-explicit-any
export async function settled(token: string, id: string, timeoutMs = 30_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await manage(token, "sessions.wait", {
      id,
      wait_ms: Math.min(10_000, Math.max(0, until - Date.now())),
    });
    if (r.status !== 200) {
      throw new Error(`sessions.wait answered ${r.status}: ${JSON.stringify(r.body)}`);
    }
    if (r.body.data.done || Date.now() >= until) return r.body.data;
  }
}

export { startServer } from "../../../scripts/lib/server.ts";

const root = new URL("../../../", import.meta.url).pathname;

async function functionsSh(cmd: "start" | "stop"): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: ["scripts/functions.sh", cmd],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`functions.sh ${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Kills the local function server (SIGKILL: a crash) and waits until it is gone. */
export async function killFunctionServer(): Promise<void> {
  const pid = Number((await Deno.readTextFile(`${root}.local/functions.pid`)).trim());
  Deno.kill(pid, "SIGKILL");
  for (let i = 0; i < 200; i++) {
    const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => null);
    if (status === null || /^State:\s*Z/m.test(status)) return; // gone, or a zombie
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`function server ${pid} survived SIGKILL`);
}

/** Stops the local function server gracefully (SIGTERM, as functions.sh stop does). */
export const stopFunctionServer = () => functionsSh("stop");

/** Starts the local function server (again) and waits until it answers. */
export const startFunctionServer = () => functionsSh("start");
