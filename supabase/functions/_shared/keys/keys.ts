/**
 * Ora API keys: `ora_<prefix>_<secret>`; only the SHA-256 hash is ever stored.
 *
 * Minting rule: a caller may only create, rotate or revoke keys **no broader than itself** —
 * in scopes, rate limits, IP allowlist and expiry — so a key can never mint or borrow more than
 * it has. Users (owner/admin roles) have no key limits; API keys carry their own.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { hashKey, hasScope, type Principal, principalName } from "../platform/auth.ts";
import type { Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";

const PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomString(alphabet: string, length: number): string {
  // Rejection sampling keeps every character uniformly likely.
  const out: string[] = [];
  const limit = 256 - (256 % alphabet.length);
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < limit && out.length < length) out.push(alphabet[b % alphabet.length]);
    }
  }
  return out.join("");
}

export interface NewKey {
  /** The full key: shown once, never stored. */
  key: string;
  prefix: string;
  hash: string;
}

/** A new random key (8-char prefix, 40-char base62 secret ≈ 238 bits) and its hash. */
export function generateKey(): NewKey {
  const prefix = randomString(PREFIX_ALPHABET, 8);
  const key = `ora_${prefix}_${randomString(SECRET_ALPHABET, 40)}`;
  return { key, prefix, hash: hashKey(key) };
}

/** Columns a key is shown with; the hash is never among them. */
export const KEY_COLUMNS = [
  "id",
  "name",
  "description",
  "key_prefix",
  "scopes",
  "rate_limit_per_minute",
  "rate_limit_per_day",
  "total_requests",
  "last_used_at",
  "last_used_ip",
  "allowed_ips",
  "expires_at",
  "is_active",
  "revoked_at",
  "revoked_reason",
  "rotated_from",
  "created_by",
  "created_at",
  "updated_at",
];

export const Scope = z.string().regex(
  /^(\*|[a-z][a-z_]*:(read|write|\*))$/,
  "'*' or '<resource>:read|write|*'",
);
const IpOrCidr = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

export const KeyOptions = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  scopes: z.array(Scope).min(1).max(50).default(["*"]),
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000).default(60),
  rate_limit_per_day: z.number().int().min(1).max(100_000_000).default(10_000),
  allowed_ips: z.array(IpOrCidr).max(100).default([]).describe(
    "Addresses or CIDR ranges; empty = any",
  ),
  expires_at: z.iso.datetime({ offset: true }).optional().describe("Must be in the future"),
}).strict();
export type KeyOptions = z.infer<typeof KeyOptions>;

/** What bounds a key: its scopes, limits, allowlist and expiry. */
export interface KeyBounds {
  scopes: string[];
  rate_limit_per_minute: number;
  rate_limit_per_day: number;
  allowed_ips: string[];
  expires_at: string | Date | null;
}

/** Whether `scopes` can hand out `scope`: `*` needs `*`, `<r>:*` needs `*` or `<r>:*`. */
export function canGrantScope(scopes: readonly string[], scope: string): boolean {
  if (scope === "*") return scopes.includes("*");
  const [resource, access] = scope.split(":");
  if (access === "*") return scopes.includes("*") || scopes.includes(`${resource}:*`);
  return hasScope(scopes, resource, access as "read" | "write");
}

function parseRange(s: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (s.includes("/")) return ipaddr.parseCIDR(s);
  const a = ipaddr.parse(s);
  return [a, a.kind() === "ipv4" ? 32 : 128];
}

/** Whether every address or range in `inner` lies inside one of the ranges in `outer`. */
export function rangesWithin(inner: readonly string[], outer: readonly string[]): boolean {
  const outs = outer.map(parseRange);
  return inner.every((s) => {
    const [addr, bits] = parseRange(s);
    return outs.some(([o, obits]) =>
      o.kind() === addr.kind() && bits >= obits &&
      (addr as ipaddr.IPv4).match(o as ipaddr.IPv4, obits)
    );
  });
}

/**
 * Refuses (403, with `details.reason`) a key that would be broader than the caller: scopes the
 * caller lacks; for an API-key caller also higher rate limits, a wider (or no) IP allowlist, or a
 * later (or no) expiry. `callerKey` is the caller's own key (null for users and the service role).
 */
export function assertNoBroader(
  principal: Principal,
  callerKey: KeyBounds | null,
  wanted: KeyBounds,
): void {
  const refuse = (reason: string, message: string) => {
    throw new ApiError("FORBIDDEN", message, { reason });
  };
  for (const s of wanted.scopes) {
    if (!canGrantScope(principal.scopes, s)) {
      refuse("scope_not_held", `Cannot grant scope '${s}': your credentials do not hold it`);
    }
  }
  if (!callerKey) return;
  if (wanted.rate_limit_per_minute > callerKey.rate_limit_per_minute) {
    refuse(
      "rate_limit_above_caller",
      `Cannot grant ${wanted.rate_limit_per_minute} requests per minute: your key allows ${callerKey.rate_limit_per_minute}`,
    );
  }
  if (wanted.rate_limit_per_day > callerKey.rate_limit_per_day) {
    refuse(
      "rate_limit_above_caller",
      `Cannot grant ${wanted.rate_limit_per_day} requests per day: your key allows ${callerKey.rate_limit_per_day}`,
    );
  }
  if (callerKey.allowed_ips.length > 0) {
    if (
      wanted.allowed_ips.length === 0 || !rangesWithin(wanted.allowed_ips, callerKey.allowed_ips)
    ) {
      refuse(
        "ips_outside_caller",
        "Cannot grant access from addresses your key is not allowed from: give allowed_ips within your key's allowlist",
      );
    }
  }
  if (callerKey.expires_at !== null) {
    const limit = new Date(callerKey.expires_at).getTime();
    if (wanted.expires_at === null || new Date(wanted.expires_at).getTime() > limit) {
      refuse(
        "expiry_after_caller",
        `Cannot grant a key that outlives yours: give expires_at no later than ${
          new Date(limit).toISOString()
        }`,
      );
    }
  }
}

/** The caller's own key bounds (null for users and the service role). */
async function callerBounds(tx: Tx, p: Principal): Promise<KeyBounds | null> {
  if (p.kind !== "api_key") return null;
  const [row] = await tx<KeyBounds[]>`
    select scopes, rate_limit_per_minute, rate_limit_per_day, allowed_ips::text[] as allowed_ips, expires_at
    from public.api_keys where id = ${p.keyId!}`;
  if (!row) throw new ApiError("UNAUTHORIZED", "API key not found");
  return row;
}

function assertFuture(expiresAt: string | Date | null | undefined): void {
  if (expiresAt && new Date(expiresAt).getTime() <= Date.now()) {
    throw new ApiError("VALIDATION_ERROR", "Invalid data.expires_at: it must be in the future", {
      reason: "expiry_in_past",
    });
  }
}

/** Inserts a key for `tenantId` and returns it with the full key (shown only here). */
export async function insertKey(
  tx: Tx,
  tenantId: string,
  opts: Omit<KeyOptions, "expires_at"> & { expires_at?: string | Date | null },
  extra: { created_by: string; rotated_from?: string },
) {
  const k = generateKey();
  const [row] = await tx`
    insert into public.api_keys (tenant_id, name, description, key_prefix, key_hash, scopes,
      rate_limit_per_minute, rate_limit_per_day, allowed_ips, expires_at, created_by, rotated_from)
    values (${tenantId}, ${opts.name}, ${
    opts.description ?? null
  }, ${k.prefix}, ${k.hash}, ${opts.scopes},
      ${opts.rate_limit_per_minute}, ${opts.rate_limit_per_day}, ${opts.allowed_ips}::cidr[],
      ${opts.expires_at ?? null}, ${extra.created_by}, ${extra.rotated_from ?? null})
    returning ${tx(KEY_COLUMNS)}`;
  return { ...row, key: k.key };
}

async function keyById(tx: Tx, id: string) {
  const [row] = await tx`
    select ${tx(KEY_COLUMNS.filter((c) => c !== "allowed_ips"))}, allowed_ips::text[] as allowed_ips
    from public.api_keys where id = ${id}`;
  if (!row) throw new ApiError("NOT_FOUND", `No API key with id ${id}`);
  return row;
}

/** The tenant's keys (never a key or its hash). */
export async function listKeys(tx: Tx, includeRevoked: boolean) {
  const items = await tx`
    select ${tx(KEY_COLUMNS)} from public.api_keys
    where ${includeRevoked ? tx`true` : tx`is_active`}
    order by created_at desc`;
  return { items };
}

/** Creates a key no broader than the caller. */
export async function createKey(tx: Tx, tenantId: string, p: Principal, opts: KeyOptions) {
  assertFuture(opts.expires_at);
  assertNoBroader(p, await callerBounds(tx, p), { ...opts, expires_at: opts.expires_at ?? null });
  return insertKey(tx, tenantId, opts, { created_by: principalName(p) });
}

/** Revokes a key (no broader than the caller) at once. */
export async function revokeKey(tx: Tx, p: Principal, id: string, reason?: string) {
  const target = await keyById(tx, id);
  assertNoBroader(p, await callerBounds(tx, p), target as unknown as KeyBounds);
  const [row] = await tx`
    update public.api_keys set is_active = false, revoked_at = coalesce(revoked_at, now()),
      revoked_reason = coalesce(${reason ?? null}, revoked_reason)
    where id = ${id} returning ${tx(KEY_COLUMNS)}`;
  return row;
}

/**
 * Issues a replacement with the same settings (expiry included) and keeps the old key working
 * for `graceSeconds` (0 = revoke now). Only keys no broader than the caller can be rotated.
 */
export async function rotateKey(
  tx: Tx,
  tenantId: string,
  p: Principal,
  id: string,
  graceSeconds: number,
) {
  const old = await keyById(tx, id);
  if (!old.is_active) throw new ApiError("CONFLICT", "Cannot rotate a revoked key");
  assertNoBroader(p, await callerBounds(tx, p), old as unknown as KeyBounds);
  const fresh = await insertKey(tx, tenantId, {
    name: old.name,
    description: old.description ?? undefined,
    scopes: old.scopes,
    rate_limit_per_minute: old.rate_limit_per_minute,
    rate_limit_per_day: old.rate_limit_per_day,
    allowed_ips: old.allowed_ips,
    expires_at: old.expires_at,
  }, { created_by: principalName(p), rotated_from: id });
  const [previous] = graceSeconds === 0
    ? await tx`
      update public.api_keys set is_active = false, revoked_at = now(), revoked_reason = 'rotated'
      where id = ${id} returning ${tx(KEY_COLUMNS)}`
    : await tx`
      update public.api_keys
      set expires_at = least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => ${graceSeconds}))
      where id = ${id} returning ${tx(KEY_COLUMNS)}`;
  return { key: fresh, previous };
}
