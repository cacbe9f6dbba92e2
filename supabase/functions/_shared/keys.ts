/** Ora API key material: `ora_<prefix>_<secret>`; only the SHA-256 hash is ever stored. */
import { hashKey } from "./auth.ts";

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
export async function generateKey(): Promise<NewKey> {
  const prefix = randomString(PREFIX_ALPHABET, 8);
  const key = `ora_${prefix}_${randomString(SECRET_ALPHABET, 40)}`;
  return { key, prefix, hash: await hashKey(key) };
}
