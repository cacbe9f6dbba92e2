/**
 * Tenant secrets: stored in Vault on Supabase (pgcrypto locally), each bound to the one origin it
 * may be sent to; never returned, every access logged (app.secret_access_log).
 */
import { z } from "zod";
import { elevated, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";

export const SecretName = z.string().regex(
  /^[a-z][a-z0-9_]{0,62}$/,
  "lowercase letters, digits and _",
);
/** scheme://host[:port], nothing else: where the secret may be sent. */
export const SecretOrigin = z.url().refine((u) => {
  const url = new URL(u);
  return (url.protocol === "https:" || url.protocol === "http:") &&
    u.replace(/\/$/, "") === url.origin;
}, "scheme://host[:port] with no path, e.g. https://api.openai.com").transform((u) =>
  new URL(u).origin
);

export async function setSecret(
  tx: Tx,
  tenantId: string,
  s: { name: string; value: string; origin: string },
) {
  await elevated(
    tx,
    () => tx`select app.secret_set(${tenantId}, ${s.name}, ${s.value}, ${s.origin})`,
  );
  return { name: s.name, origin: s.origin, stored: true };
}

export async function listSecrets(tx: Tx, tenantId: string) {
  return {
    items: await elevated(
      tx,
      () => tx`select name, origin, created_at, updated_at from app.secret_list(${tenantId})`,
    ),
  };
}

export async function deleteSecret(tx: Tx, tenantId: string, name: string) {
  const [row] = await elevated(
    tx,
    () => tx`select app.secret_delete(${tenantId}, ${name}) as deleted`,
  );
  if (!row.deleted) throw new ApiError("NOT_FOUND", `No secret named ${name}`);
  return { name, deleted: true };
}
