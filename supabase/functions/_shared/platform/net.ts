/**
 * Outbound URL checks for user-supplied targets (LLM base URLs, webhooks, call_api): private,
 * loopback and link-local addresses are refused unless the tenant's allowlist names the host.
 */
import { ApiError } from "./http.ts";

function ipv4Private(ip: string): boolean {
  const p = ip.split(".").map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
  const [a, b] = p;
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
}

function ipv6Private(ip: string): boolean {
  const v = ip.toLowerCase().replace(/^\[|\]$/g, "");
  if (v === "::1" || v === "::") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v);
  if (mapped) return ipv4Private(mapped[1]);
  return /^(fc|fd|fe8|fe9|fea|feb)/.test(v);
}

/** Whether an address (IPv4 or IPv6 literal) is private, loopback, link-local or reserved. */
export function isPrivateAddress(ip: string): boolean {
  return ip.includes(":") ? ipv6Private(ip) : ipv4Private(ip);
}

/**
 * Refuses (400) a URL that is not http(s) or whose host is, or resolves to, a private address,
 * unless `allowlist` contains the host (name or address).
 */
export async function assertOutboundAllowed(
  raw: string,
  allowlist: readonly string[] = [],
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError("VALIDATION_ERROR", `Invalid outbound URL: ${raw}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ApiError("VALIDATION_ERROR", `Outbound URL must be http(s): ${url.protocol}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (allowlist.map((h) => h.toLowerCase()).includes(host)) return url;
  const literal = /^[\d.]+$/.test(host) || host.includes(":");
  const addresses = literal
    ? [host]
    : host === "localhost" || host.endsWith(".localhost")
    ? ["127.0.0.1"]
    : await resolve(host);
  const blocked = addresses.find(isPrivateAddress);
  if (blocked) {
    throw new ApiError(
      "FORBIDDEN",
      `Outbound URL ${url.origin} points to a private or loopback address (${blocked}); add the host to tenants.settings.outbound_allowlist to allow it`,
    );
  }
  return url;
}

async function resolve(host: string): Promise<string[]> {
  const found: string[] = [];
  for (const type of ["A", "AAAA"] as const) {
    try {
      found.push(...await Deno.resolveDns(host, type));
    } catch { /* no record of this type */ }
  }
  return found;
}
