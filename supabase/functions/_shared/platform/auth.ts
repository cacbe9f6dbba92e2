/**
 * Who is calling: an Ora API key (`ora_<prefix>_<secret>`), a Supabase Auth user JWT, or the
 * service-role key. Resolves the tenant and scopes the request runs with.
 */
import * as jose from "jose";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "./config.ts";
import { type Claims, type Db, literal, type Row } from "./db.ts";
import { ApiError } from "./http.ts";

export interface Principal {
  kind: "api_key" | "user" | "service";
  tenantId: string | null;
  scopes: string[];
  keyId?: string;
  userId?: string;
  memberRole?: string;
  rateLimit?: { limit: number; remaining: number };
  /** API keys: the client address the key's allowlist is checked against. */
  clientIp?: string | null;
  /** API keys: the key's state is checked and the request counted in the first transaction. */
  consumePending?: boolean;
  /** API keys: the request was admitted and counted (usage statistics follow). */
  counted?: boolean;
}

/** Who a principal is, as creator, requester or actor: key:<id>, user:<id> or service_role. */
export function principalName(p: Principal): string {
  return p.kind === "api_key"
    ? `key:${p.keyId}`
    : p.kind === "user"
    ? `user:${p.userId}`
    : "service_role";
}

const KEY_FORMAT = /^ora_([a-z0-9]{8})_([A-Za-z0-9]{32,64})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Scopes a member role grants: owners and admins everything, members all but key management. */
const MEMBER_SCOPES: Record<string, string[]> = {
  owner: ["*"],
  admin: ["*"],
  member: [
    "leads:*",
    "posts:*",
    "events:*",
    "health:read",
    "tasks:*",
    "agents:*",
    "sessions:*",
    "automations:*",
    "notifications:*",
    "metrics:*",
    "runs:read",
    "keys:read",
  ],
};

/**
 * SHA-256 of a full API key (or token), lowercase hex: the only form keys are stored in.
 * node:crypto's synchronous hash: WebCrypto's digest cost ~8 % of the gateway's CPU per request
 * (an async op and a promise for 50 bytes).
 */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Compares two strings in constant time (for equal lengths; unequal lengths fail at once). */
export function safeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  if (x.byteLength !== y.byteLength) return false;
  return timingSafeEqual(x, y);
}

/** Key prefix → (id, tenant, hash, scopes), or null for an unknown prefix. Id, tenant, hash and
 * scopes never change for a key, so caching them is safe: state (revocation, expiry, IPs, limits)
 * is checked on every request by app.api_key_consume. Misses are cached too, so a known prefix
 * with a wrong secret and an unknown prefix take the same path and the same time. */
const keyCache = new Map<string, { at: number; row: KeyRow | null }>();
const KEY_CACHE_MS = 60_000;
const KEY_CACHE_MAX = 10_000;
const DUMMY_HASH = "0".repeat(64);
interface KeyRow {
  id: string;
  tenant_id: string;
  key_hash: string;
  scopes: string[];
}

async function lookupKey(db: Db, prefix: string): Promise<KeyRow | null> {
  const hit = keyCache.get(prefix);
  if (hit && Date.now() - hit.at < KEY_CACHE_MS) return hit.row;
  const rows = await db.q<KeyRow[]>`
    select id, tenant_id, key_hash, scopes from app.api_key_lookup(${prefix})`;
  const row = rows[0] ?? null;
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(prefix, { at: Date.now(), row });
  return row;
}

export interface AuthContext {
  db: Db;
  config: Config;
  clientIp: string | null;
}

let jwks: ReturnType<typeof jose.createRemoteJWKSet> | undefined;

/** Resolves the caller from the Authorization header, or throws 401/403/400. API keys still need
 * `consumeStatement` + `applyConsume` (done in the request transaction's first round trip). */
export async function authenticate(req: Request, ctx: AuthContext): Promise<Principal> {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) {
    throw new ApiError(
      "UNAUTHORIZED",
      "Missing credentials: send Authorization: Bearer <Ora API key or Supabase JWT>",
    );
  }
  const token = match[1];
  if (token.startsWith("ora_")) return await authenticateKey(token, ctx);
  if (safeEqual(token, ctx.config.SUPABASE_SERVICE_ROLE_KEY)) return servicePrincipal(req);
  return await authenticateJwt(token, req, ctx);
}

function servicePrincipal(req: Request): Principal {
  const tenant = req.headers.get("x-ora-tenant");
  if (tenant && !UUID.test(tenant)) {
    throw new ApiError("VALIDATION_ERROR", "x-ora-tenant must be a tenant id (uuid)");
  }
  return { kind: "service", tenantId: tenant, scopes: ["*"] };
}

async function authenticateKey(token: string, ctx: AuthContext): Promise<Principal> {
  const parts = KEY_FORMAT.exec(token);
  if (!parts) throw new ApiError("UNAUTHORIZED", "Invalid API key: expected ora_<prefix>_<secret>");
  const row = await lookupKey(ctx.db, parts[1]);
  const hash = hashKey(token);
  // Compare against a dummy when the prefix is unknown so both paths do the same work.
  const ok = safeEqual(hash, row?.key_hash ?? DUMMY_HASH) && row !== null;
  if (!ok || !row) throw new ApiError("UNAUTHORIZED", "Invalid API key");
  return {
    kind: "api_key",
    tenantId: row.tenant_id,
    scopes: row.scopes,
    keyId: row.id,
    clientIp: ctx.clientIp,
    consumePending: true,
  };
}

/** The statement that checks an API key's state and counts the request, as literal SQL for the
 * transaction prelude (committed on its own: the counter row locks end with it). The key id is a
 * uuid from the database and the address was parsed into canonical form. */
export function consumeStatement(p: Principal): string {
  const ip = p.clientIp ? `${literal(p.clientIp)}::inet` : "null::inet";
  return `select * from app.api_key_consume(${literal(p.keyId!)}::uuid, ${ip})`;
}

interface ConsumeRow {
  status: string;
  retry_after: number | null;
  limit_per_minute: number | null;
  remaining_minute: number | null;
}

/** Applies app.api_key_consume's answer: sets the rate-limit headers or throws 401/403/429. */
export function applyConsume(p: Principal, rows: Row[]): void {
  const state = rows[0] as ConsumeRow;
  p.consumePending = false;
  switch (state.status) {
    case "ok":
      p.counted = true;
      p.rateLimit = {
        limit: state.limit_per_minute ?? 0,
        remaining: Math.max(0, state.remaining_minute ?? 0),
      };
      return;
    case "revoked":
      throw new ApiError("UNAUTHORIZED", "API key has been revoked");
    case "expired":
      throw new ApiError("UNAUTHORIZED", "API key has expired");
    case "ip_not_allowed":
      throw new ApiError("FORBIDDEN", "API key is not allowed from this IP address");
    case "rate_limited_minute":
    case "rate_limited_day": {
      const window = state.status === "rate_limited_minute" ? "per-minute" : "per-day";
      const retry = String(state.retry_after ?? 60);
      p.rateLimit = { limit: state.limit_per_minute ?? 0, remaining: 0 };
      throw new ApiError(
        "RATE_LIMITED",
        `Rate limit exceeded: the key's ${window} limit is used up`,
        { retryAfter: Number(retry) },
        { "retry-after": retry },
      );
    }
    default:
      throw new Error(`api_key_consume returned unknown status ${state.status}`);
  }
}

/** Consumes a pending API key on its own (for requests that end before a transaction opens). */
export async function consumeNow(p: Principal, db: Db): Promise<void> {
  if (!p.consumePending) return;
  const rows = await db.q`select * from app.api_key_consume(${p.keyId!}, ${
    p.clientIp ?? null
  }::inet)`;
  applyConsume(p, rows);
}

/** Every JWT must expire; its issuer must match ORA_JWT_ISSUER when that is configured. */
function verifyOptions(config: Config, algorithms?: string[]): jose.JWTVerifyOptions {
  return {
    algorithms,
    requiredClaims: ["exp"],
    ...(config.ORA_JWT_ISSUER ? { issuer: config.ORA_JWT_ISSUER } : {}),
  };
}

async function authenticateJwt(token: string, req: Request, ctx: AuthContext): Promise<Principal> {
  let payload: jose.JWTPayload;
  try {
    if (ctx.config.ORA_JWT_SECRET) {
      ({ payload } = await jose.jwtVerify(
        token,
        new TextEncoder().encode(ctx.config.ORA_JWT_SECRET),
        verifyOptions(ctx.config, ["HS256"]),
      ));
    } else {
      jwks ??= jose.createRemoteJWKSet(
        new URL(
          ctx.config.ORA_JWKS_URL ?? `${ctx.config.SUPABASE_URL}/auth/v1/.well-known/jwks.json`,
        ),
      );
      ({ payload } = await jose.jwtVerify(token, jwks, verifyOptions(ctx.config)));
    }
  } catch (e) {
    const expired = e instanceof jose.errors.JWTExpired;
    const claim = e instanceof jose.errors.JWTClaimValidationFailed ? e.claim : undefined;
    throw new ApiError(
      "UNAUTHORIZED",
      expired
        ? "Token has expired"
        : claim === "exp"
        ? "Token has no expiry (exp): sign tokens that expire"
        : claim === "iss"
        ? "Token was issued by another issuer (iss)"
        : "Invalid credentials: not an Ora API key or a valid JWT",
    );
  }
  if (payload.role === "service_role") return servicePrincipal(req);
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (
    payload.role !== "authenticated" || !audience.includes("authenticated") ||
    typeof payload.sub !== "string" || !UUID.test(payload.sub)
  ) {
    throw new ApiError("UNAUTHORIZED", "Token does not belong to a signed-in user");
  }
  const requested = req.headers.get("x-ora-tenant");
  if (requested && !UUID.test(requested)) {
    throw new ApiError("VALIDATION_ERROR", "x-ora-tenant must be a tenant id (uuid)");
  }
  const [member] = await ctx.db.q<{ tenant_id: string; role: string; memberships: number }[]>`
    select * from app.member_resolve(${payload.sub}::uuid, ${requested}::uuid)`;
  if (!member) {
    throw new ApiError(
      "FORBIDDEN",
      requested ? "You are not a member of that tenant" : "You are not a member of any tenant",
    );
  }
  if (!requested && member.memberships > 1) {
    throw new ApiError(
      "VALIDATION_ERROR",
      "You belong to several tenants: choose one with the x-ora-tenant header",
    );
  }
  return {
    kind: "user",
    tenantId: member.tenant_id,
    userId: payload.sub,
    memberRole: member.role,
    scopes: MEMBER_SCOPES[member.role] ?? [],
  };
}

/** Whether `scopes` grant `access` on `resource`. `*` and `<resource>:*` grant all; write implies read. */
export function hasScope(
  scopes: readonly string[],
  resource: string,
  access: "read" | "write",
): boolean {
  return scopes.some((s) =>
    s === "*" || s === `${resource}:*` || s === `${resource}:${access}` ||
    (access === "read" && s === `${resource}:write`)
  );
}

/** The claims a principal's queries run with (read by RLS through app.tenant_id()). */
export function claimsOf(p: Principal): Claims {
  return {
    role: "authenticated",
    tenant_id: p.tenantId,
    sub: p.userId,
    key_id: p.keyId,
    scopes: p.scopes,
  };
}
