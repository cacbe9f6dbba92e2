/** keys.list|create|revoke|rotate — API keys of the caller's tenant. */
import { z } from "zod";
import { type ActionContext, tenantAction, Uuid } from "../../_shared/actions.ts";
import { hasScope, type Principal } from "../../_shared/auth.ts";
import type { Tx } from "../../_shared/db.ts";
import { ApiError } from "../../_shared/http.ts";
import { generateKey } from "../../_shared/keys.ts";

/** Columns a key is shown with; the hash is never among them. */
const KEY_COLUMNS = [
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

const Scope = z.string().regex(
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
  expires_at: z.iso.datetime({ offset: true }).optional(),
}).strict();
type KeyOptions = z.infer<typeof KeyOptions>;

/** A key may only hand out scopes it holds itself. */
function assertGrantable(principal: Principal, scopes: string[]): void {
  for (const s of scopes) {
    const [resource, access] = s === "*" ? ["*", "*"] : s.split(":");
    const ok = resource === "*"
      ? principal.scopes.includes("*")
      : access === "*"
      ? principal.scopes.includes("*") || principal.scopes.includes(`${resource}:*`)
      : hasScope(principal.scopes, resource, access as "read" | "write");
    if (!ok) {
      throw new ApiError("FORBIDDEN", `Cannot grant scope '${s}': your credentials do not hold it`);
    }
  }
}

function createdBy(p: Principal): string {
  return p.kind === "api_key"
    ? `key:${p.keyId}`
    : p.kind === "user"
    ? `user:${p.userId}`
    : "service_role";
}

/** Inserts a key for `tenantId` and returns it with the full key (shown only here). */
export async function insertKey(
  tx: Tx,
  tenantId: string,
  opts: KeyOptions,
  extra: { created_by: string; rotated_from?: string },
) {
  const k = await generateKey();
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
  const [row] = await tx`select ${tx(KEY_COLUMNS)} from public.api_keys where id = ${id}`;
  if (!row) throw new ApiError("NOT_FOUND", `No API key with id ${id}`);
  return row;
}

export const keyActions = {
  "keys.list": tenantAction({
    description:
      "List the tenant's API keys (prefix, scopes, limits, usage; never the key or its hash).",
    scope: { resource: "keys", access: "read" },
    params: z.object({ include_revoked: z.boolean().default(false) }).strict(),
    returns: "{items: key[]}",
    handler: async ({ tx }: ActionContext, { include_revoked }: { include_revoked: boolean }) => {
      const items = await tx`
        select ${tx(KEY_COLUMNS)} from public.api_keys
        where ${include_revoked ? tx`true` : tx`is_active`}
        order by created_at desc`;
      return { items };
    },
  }),
  "keys.create": tenantAction({
    description: "Create an API key. The full key is in the result once and cannot be shown again.",
    scope: { resource: "keys", access: "write" },
    params: KeyOptions,
    returns: "key & {key: string}",
    handler: ({ tx, tenantId, principal }: ActionContext, opts: KeyOptions) => {
      assertGrantable(principal, opts.scopes);
      return insertKey(tx, tenantId, opts, { created_by: createdBy(principal) });
    },
  }),
  "keys.revoke": tenantAction({
    description: "Revoke an API key at once.",
    scope: { resource: "keys", access: "write" },
    params: z.object({ id: Uuid, reason: z.string().max(500).optional() }).strict(),
    returns: "key",
    handler: async ({ tx }: ActionContext, { id, reason }: { id: string; reason?: string }) => {
      const [row] = await tx`
        update public.api_keys set is_active = false, revoked_at = coalesce(revoked_at, now()),
          revoked_reason = coalesce(${reason ?? null}, revoked_reason)
        where id = ${id} returning ${tx(KEY_COLUMNS)}`;
      if (!row) throw new ApiError("NOT_FOUND", `No API key with id ${id}`);
      return row;
    },
  }),
  "keys.rotate": tenantAction({
    description:
      "Issue a replacement key with the same settings; the old key keeps working for grace_seconds (default 3600, 0 = revoke now).",
    scope: { resource: "keys", access: "write" },
    params: z.object({
      id: Uuid,
      grace_seconds: z.number().int().min(0).max(7 * 86400).default(3600),
    }).strict(),
    returns: "{key: new key & {key: string}, previous: old key}",
    handler: async (
      { tx, tenantId, principal }: ActionContext,
      { id, grace_seconds }: { id: string; grace_seconds: number },
    ) => {
      const old = await keyById(tx, id);
      if (!old.is_active) throw new ApiError("CONFLICT", "Cannot rotate a revoked key");
      const fresh = await insertKey(tx, tenantId, {
        name: old.name,
        description: old.description ?? undefined,
        scopes: old.scopes,
        rate_limit_per_minute: old.rate_limit_per_minute,
        rate_limit_per_day: old.rate_limit_per_day,
        allowed_ips: old.allowed_ips,
        expires_at: undefined,
      }, { created_by: createdBy(principal), rotated_from: id });
      const [previous] = grace_seconds === 0
        ? await tx`
          update public.api_keys set is_active = false, revoked_at = now(), revoked_reason = 'rotated'
          where id = ${id} returning ${tx(KEY_COLUMNS)}`
        : await tx`
          update public.api_keys
          set expires_at = least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => ${grace_seconds}))
          where id = ${id} returning ${tx(KEY_COLUMNS)}`;
      return { key: fresh, previous };
    },
  }),
};
