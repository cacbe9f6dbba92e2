/** keys.list|create|revoke|rotate — API keys of the caller's tenant (no broader than the caller). */
import { z } from "zod";
import { type ActionContext, tenantAction, Uuid } from "../../_shared/platform/actions.ts";
import { createKey, KeyOptions, listKeys, revokeKey, rotateKey } from "../../_shared/keys/keys.ts";

const read = { resource: "keys", access: "read" as const };
const write = { resource: "keys", access: "write" as const };
const Rotate = z.object({
  id: Uuid,
  grace_seconds: z.number().int().min(0).max(7 * 86400).default(3600),
}).strict();
const Revoke = z.object({ id: Uuid, reason: z.string().max(500).optional() }).strict();

export const keyActions = {
  "keys.list": tenantAction({
    description:
      "List the tenant's API keys (prefix, scopes, limits, usage; never the key or its hash).",
    scope: read,
    params: z.object({ include_revoked: z.boolean().default(false) }).strict(),
    returns: "{items: key[]}",
    handler: ({ tx }: ActionContext, d: { include_revoked: boolean }) =>
      listKeys(tx, d.include_revoked),
  }),
  "keys.create": tenantAction({
    description:
      "Create an API key no broader than your own credentials (scopes, limits, IPs, expiry). The full key is in the result once and cannot be shown again.",
    scope: write,
    params: KeyOptions,
    returns: "key & {key: string}",
    handler: ({ tx, tenantId, principal }: ActionContext, opts: KeyOptions) =>
      createKey(tx, tenantId, principal, opts),
  }),
  "keys.revoke": tenantAction({
    description: "Revoke an API key (no broader than your own credentials) at once.",
    scope: write,
    params: Revoke,
    returns: "key",
    handler: ({ tx, principal }: ActionContext, d: z.infer<typeof Revoke>) =>
      revokeKey(tx, principal, d.id, d.reason),
  }),
  "keys.rotate": tenantAction({
    description:
      "Issue a replacement key with the same settings (expiry included); the old key keeps working for grace_seconds (default 3600, 0 = revoke now). Only keys no broader than your credentials.",
    scope: write,
    params: Rotate,
    returns: "{key: new key & {key: string}, previous: old key}",
    handler: ({ tx, tenantId, principal }: ActionContext, d: z.infer<typeof Rotate>) =>
      rotateKey(tx, tenantId, principal, d.id, d.grace_seconds),
  }),
};
