/**
 * The client's address behind proxies, for IP allowlists on API keys and the request log.
 *
 * Each proxy appends the address it received the request from to `X-Forwarded-For`, so only the
 * entries added by proxies we run are trustworthy: the leftmost entries are whatever the client
 * sent. With `trustedHops` proxies in front of the function, the client's address is the entry
 * `trustedHops` from the right. Every value is parsed with ipaddr.js and returned canonical
 * (IPv4 dotted quad, IPv6 RFC 5952, IPv4-mapped IPv6 as IPv4), or `null` — never a string that
 * Postgres's `inet` cast would choke on.
 *
 * @module
 */
import ipaddr from "ipaddr.js";

/** Options of {@linkcode clientIp}. */
export interface ClientIpOptions {
  /**
   * The header the proxies write, e.g. `x-forwarded-for` (comma-separated addresses) or
   * `forwarded` (RFC 7239, its `for=` parameters). Unset: the socket address is the client.
   */
  header?: string;
  /** How many proxies in front of the function append to `header`; at least 1 with a header. */
  trustedHops: number;
}

/** A socket address as `Deno.serve` reports it (`info.remoteAddr`), or its host string. */
export type SocketAddress = Deno.Addr | { hostname: string } | string | null | undefined;

/**
 * The client address of `req`, canonical, or `null` when it cannot be known: the header is
 * configured but missing, has fewer entries than `trustedHops`, or the entry is not an address.
 *
 * @example
 * // One proxy in front; the client prepended a fake entry.
 * clientIp(req, info.remoteAddr, { header: "x-forwarded-for", trustedHops: 1 })
 * // "x-forwarded-for: 6.6.6.6, 203.0.113.7" → "203.0.113.7"
 *
 * @throws {TypeError} when `trustedHops` is not a whole number, or is below 1 with a header
 */
export function clientIp(
  req: Request,
  socketAddr: SocketAddress,
  opts: ClientIpOptions,
): string | null {
  const { header, trustedHops } = opts;
  if (!Number.isInteger(trustedHops) || trustedHops < (header ? 1 : 0)) {
    throw new TypeError(
      `Invalid trustedHops ${trustedHops}: use the number of proxies in front of the function${
        header ? ` that write ${header}, at least 1` : ""
      }`,
    );
  }
  if (!header) return parseClientAddress(socketHost(socketAddr));
  const value = req.headers.get(header);
  if (value === null) return null;
  const entries = header.toLowerCase() === "forwarded" ? forwardedFor(value) : value.split(",");
  if (entries.length < trustedHops) return null;
  return parseClientAddress(entries[entries.length - trustedHops]);
}

function socketHost(addr: SocketAddress): string | undefined {
  if (!addr) return undefined;
  if (typeof addr === "string") return addr;
  return "hostname" in addr ? addr.hostname : undefined;
}

/** The `for=` values of a `Forwarded` header, one per element (`""` where absent). */
function forwardedFor(value: string): string[] {
  return value.split(",").map((element) => {
    for (const pair of element.split(";")) {
      const eq = pair.indexOf("=");
      if (eq > 0 && pair.slice(0, eq).trim().toLowerCase() === "for") {
        return pair.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      }
    }
    return "";
  });
}

/**
 * Parses one address as proxies and sockets write it — `203.0.113.7`, `203.0.113.7:51234`,
 * `2001:db8::1`, `[2001:db8::1]:443`, `::ffff:203.0.113.7` — into its canonical form, or `null`.
 * Only dotted-quad IPv4 is accepted (no `127.1` or `0x7f.1` shorthand: a proxy never writes
 * those, and readers disagree on them); an IPv6 zone id is dropped.
 */
export function parseClientAddress(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (bracketed) {
    if (bracketed[2] !== undefined && Number(bracketed[2]) > 65535) return null;
    s = bracketed[1];
    if (!ipaddr.IPv6.isValid(s)) return null;
  } else if (/^[^:]+:\d{1,5}$/.test(s)) {
    // IPv4 with a port: exactly one colon, so it cannot be IPv6.
    const [host, port] = s.split(":");
    if (Number(port) > 65535) return null;
    s = host;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return ipaddr.IPv4.parse(s).toString();
  if (!ipaddr.IPv6.isValid(s)) return null;
  const v6 = ipaddr.IPv6.parse(s);
  v6.zoneId = undefined;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
}
