/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com), with Web Crypto:
 *
 * - `webhook-id`: the delivery's id, the same on every attempt (receivers drop duplicates by it);
 * - `webhook-timestamp`: seconds since the epoch when the attempt was signed;
 * - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` per secret,
 *   separated by spaces. The key is the base64 after `whsec_`. During a rotation's overlap a
 *   delivery is signed with the new and the previous secret: receivers holding either verify it.
 *
 * @module
 */

/** Prefix of Standard Webhooks secrets. */
export const SECRET_PREFIX = "whsec_";

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The HMAC key of a `whsec_…` secret; throws when it is not one. */
export function secretKey(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new TypeError(`Invalid signing secret: it must start with ${SECRET_PREFIX}`);
  }
  let key: Uint8Array;
  try {
    key = fromBase64(secret.slice(SECRET_PREFIX.length));
  } catch {
    throw new TypeError(`Invalid signing secret: the part after ${SECRET_PREFIX} must be base64`);
  }
  if (key.length < 16) {
    throw new TypeError(`Invalid signing secret: ${key.length} bytes of key, at least 16 needed`);
  }
  return key;
}

/** A new `whsec_` secret with 32 random bytes (the database makes them the same way). */
export function newSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** `v1,<base64 signature>` of `<id>.<timestamp>.<body>` under one secret. */
export async function sign(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    secretKey(secret) as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${id}.${timestamp}.${body}`),
  );
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/**
 * The Standard Webhooks headers for one attempt: `webhook-id`, `webhook-timestamp` and, when
 * there are secrets, `webhook-signature` with one `v1,` signature per secret (space-separated).
 */
export async function signatureHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  now: Date = new Date(),
): Promise<Record<string, string>> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
  };
  if (secrets.length > 0) {
    const sigs = await Promise.all(secrets.map((s) => sign(s, id, timestamp, body)));
    headers["webhook-signature"] = sigs.join(" ");
  }
  return headers;
}
