/**
 * The one outbound HTTP client: every user-supplied URL (LLM base URLs, webhooks, `call_api`,
 * tool adapters) goes through {@linkcode createOutboundFetch} or at least {@linkcode checkUrl}.
 *
 * Policy, in the order it is applied to every hop of a request:
 *
 * 1. Only `http:` and `https:` URLs, with no user name or password in them.
 * 2. The host is an address literal (judged as the WHATWG URL parser reads it, so
 *    `http://2130706433/`, `http://0x7f.1/` and `http://[::ffff:127.0.0.1]/` are 127.0.0.1) or a
 *    name, resolved for A and AAAA records; `localhost` and `*.localhost` are loopback and never
 *    resolved. A resolution failure or an empty answer refuses the request.
 * 3. Every address is judged by {@linkcode checkAddress}: only plain public unicast passes;
 *    IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo IPv6 addresses are judged by the IPv4
 *    address they embed. One refused address refuses the request.
 * 4. Exceptions come only from the operator's allow list ({@linkcode parseAllowList}, e.g. from
 *    `ORA_OUTBOUND_ALLOW`), never from tenant settings; this module never reads the environment.
 * 5. The connection goes to an address that was checked: the socket's `lookup` returns the checked
 *    addresses, so no second resolution happens between the check and the connection (DNS
 *    rebinding), while TLS still verifies the certificate for the host name (SNI and Host are the
 *    name). The peer address is verified again when the response arrives. Deno 2.9 honours
 *    `lookup` (tested); what remains where a runtime does not is in docs/security.md.
 * 6. Redirects are followed by hand (at most `maxRedirects`), each hop checked again from step 1;
 *    a credential bound to one origin is never sent to another one.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import tls from "node:tls";
import ipaddr from "ipaddr.js";

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;
type Ip = IPv4 | IPv6;

/** The operator setting that conventionally holds the allow list (read by the caller, not here). */
export const OUTBOUND_ALLOW_SETTING = "ORA_OUTBOUND_ALLOW";

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** Why the outbound client refused a request. */
export type OutboundRefusalReason =
  /** The URL does not parse. */
  | "invalid_url"
  /** The scheme is not http or https. */
  | "scheme"
  /** The URL carries a user name or password. */
  | "userinfo"
  /** The host is, or resolves to, an address outside plain public unicast. */
  | "private_address"
  /** The host name did not resolve, or resolved to no address. */
  | "resolution_failed"
  /** A credential bound to one origin would have been sent to another. */
  | "credential_origin"
  /** More redirects than `maxRedirects`. */
  | "too_many_redirects"
  /** The response body is larger than `maxResponseBytes`. */
  | "response_too_large"
  /** The socket ended up connected to an address that was not checked. */
  | "connected_address";

/**
 * A request the outbound policy refused. `reason` is stable (for code and logs); `message` says
 * what is wrong and how to fix it. Messages name the origin, never the full URL (a query string
 * may carry a secret).
 */
export class OutboundRefusedError extends Error {
  override readonly name = "OutboundRefusedError";
  /** Stable code for what was refused. */
  readonly reason: OutboundRefusalReason;
  /** The refused origin (scheme, host, port), when the URL parsed. */
  readonly origin?: string;
  /** The address that was refused, for `private_address`. */
  readonly address?: string;

  constructor(
    reason: OutboundRefusalReason,
    message: string,
    details: { origin?: string; address?: string } = {},
  ) {
    super(message);
    this.reason = reason;
    this.origin = details.origin;
    this.address = details.address;
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/**
 * The verdict's reason: `public` and `allowlisted` are allowed, `invalid` did not parse, the rest
 * name the refused range.
 */
export type AddressReason =
  | "public"
  | "allowlisted"
  | "invalid"
  | "loopback"
  | "private"
  | "link_local"
  | "unique_local"
  | "site_local"
  | "multicast"
  | "broadcast"
  | "unspecified"
  | "carrier_grade_nat"
  | "documentation"
  | "benchmarking"
  | "reserved";

/** What {@linkcode checkAddress} decided about one address. */
export interface AddressVerdict {
  allowed: boolean;
  reason: AddressReason;
  /**
   * The address that was judged, canonical: an IPv6 address that embeds an IPv4 one
   * (`::ffff:7f00:1`, `64:ff9b::7f00:1`, `2002:7f00:1::`) is reported as that IPv4 address.
   */
  normalized: string;
}

const REASON_PHRASE: Record<AddressReason, string> = {
  public: "a public address",
  allowlisted: "an allowlisted address",
  invalid: "an invalid address",
  loopback: "a loopback address",
  private: "a private address",
  link_local: "a link-local address",
  unique_local: "a unique-local address",
  site_local: "a site-local address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  unspecified: "the unspecified address",
  carrier_grade_nat: "a carrier-grade NAT address",
  documentation: "a documentation address",
  benchmarking: "a benchmarking address",
  reserved: "a reserved address",
};

/** ipaddr.js range names → our reasons; every range not listed here is `reserved`. */
const RANGE_REASON: Record<string, AddressReason> = {
  unicast: "public",
  loopback: "loopback",
  private: "private",
  linkLocal: "link_local",
  uniqueLocal: "unique_local",
  deprecatedSiteLocal: "site_local",
  multicast: "multicast",
  broadcast: "broadcast",
  unspecified: "unspecified",
  carrierGradeNat: "carrier_grade_nat",
  benchmarking: "benchmarking",
};

/** Ranges ipaddr.js folds into `reserved` that deserve a precise reason in messages. */
const NAMED_RANGES: [Ip, number, AddressReason][] = [
  ["192.0.2.0/24", "documentation"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["198.18.0.0/15", "benchmarking"],
  ["2001:db8::/32", "documentation"],
  ["3fff::/20", "documentation"],
  ["2001:2::/48", "benchmarking"],
].map(([cidr, reason]) => [...ipaddr.parseCIDR(cidr), reason as AddressReason]);

/** Global unicast IPv6 (RFC 4291 §2.4); everything outside it is unassigned or special. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

function v4FromWords(hi: number, lo: number): IPv4 {
  return new ipaddr.IPv4([(hi >> 8) & 0xff, hi & 0xff, (lo >> 8) & 0xff, lo & 0xff]);
}

/**
 * The IPv4 addresses an IPv6 address stands for, first the one traffic goes to; `[]` when it
 * embeds none, `null` when it is in a translation range but not in a form we can judge.
 */
function embeddedIPv4(a: IPv6): IPv4[] | null {
  const p = a.parts;
  const zero = (from: number, to: number) => p.slice(from, to).every((w) => w === 0);
  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (IPv4-translated, RFC 6145)
  if (zero(0, 5) && p[5] === 0xffff) return [v4FromWords(p[6], p[7])];
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) return [v4FromWords(p[6], p[7])];
  // ::a.b.c.d (IPv4-compatible, deprecated); :: and ::1 are judged as themselves
  if (zero(0, 6) && (p[6] !== 0 || p[7] > 1)) return [v4FromWords(p[6], p[7])];
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052)
  if (p[0] === 0x64 && p[1] === 0xff9b && zero(2, 6)) return [v4FromWords(p[6], p[7])];
  // NAT64 local-use prefix 64:ff9b:1::/48 (RFC 8215): judged in its /96 form only, because a
  // shorter network-specific prefix puts the IPv4 address in bits we cannot locate reliably.
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 1) {
    return zero(3, 6) ? [v4FromWords(p[6], p[7])] : null;
  }
  // 6to4 2002:aabb:ccdd::/48 (RFC 3056)
  if (p[0] === 0x2002) return [v4FromWords(p[1], p[2])];
  // Teredo 2001:0:<server v4>:<flags>:<port>:<client v4 xor 0xffffffff> (RFC 4380)
  if (p[0] === 0x2001 && p[1] === 0) {
    return [v4FromWords(~p[6] & 0xffff, ~p[7] & 0xffff), v4FromWords(p[2], p[3])];
  }
  return [];
}

/** The range reason of one address, with no embedding and no allow list. */
function rangeReason(a: Ip): AddressReason {
  for (const [net, bits, reason] of NAMED_RANGES) {
    if (net.kind() === a.kind() && a.match(net, bits)) return reason;
  }
  const reason = RANGE_REASON[a.range()] ?? "reserved";
  if (reason === "public" && a.kind() === "ipv6" && !a.match(GLOBAL_UNICAST_V6)) return "reserved";
  return reason;
}

function canonical(a: Ip): string {
  return a.kind() === "ipv6" ? (a as IPv6).toRFC5952String() : a.toString();
}

/** Parses an address literal (brackets and zone id tolerated); null when it is not one. */
function parseAddress(raw: string): Ip | null {
  const s = raw.trim().replace(/^\[(.*)\]$/, "$1");
  if (!ipaddr.isValid(s)) return null;
  const a = ipaddr.parse(s);
  if (a.kind() === "ipv6") (a as IPv6).zoneId = undefined;
  return a;
}

/** An IPv4-mapped address as IPv4, anything else unchanged (for comparing peers). */
function unmapped(a: Ip): Ip {
  return a.kind() === "ipv6" && (a as IPv6).isIPv4MappedAddress() ? (a as IPv6).toIPv4Address() : a;
}

// ---------------------------------------------------------------------------------------------
// Operator allow list
// ---------------------------------------------------------------------------------------------

/** A parsed operator allow list: host names, `*.domain` suffixes, addresses and CIDR ranges. */
export interface OutboundAllowList {
  /** The entries as given (trimmed), for logs and messages. */
  readonly entries: readonly string[];
  readonly hosts: ReadonlySet<string>;
  /** From `*.example.internal`: matches `a.example.internal`, not `example.internal`. */
  readonly suffixes: readonly string[];
  readonly ranges: readonly (readonly [Ip, number])[];
}

/** An allow list as the operator wrote it (comma/space separated or a list), or parsed. */
export type AllowInput = string | readonly string[] | OutboundAllowList | undefined;

const EMPTY_ALLOW: OutboundAllowList = { entries: [], hosts: new Set(), suffixes: [], ranges: [] };

function isAllowList(v: AllowInput): v is OutboundAllowList {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "ranges" in v;
}

function canonicalHost(name: string): string | null {
  try {
    const host = new URL(`http://${name}/`).hostname;
    return host === name ? host.replace(/\.$/, "") : null;
  } catch {
    return null;
  }
}

/**
 * Parses the operator's outbound allow list, e.g. the value of `ORA_OUTBOUND_ALLOW`:
 * `"127.0.0.1, ::1, 10.20.0.0/16, ollama.internal, *.svc.cluster.local"`. An IPv4-mapped IPv6
 * entry is stored as its IPv4 address. Throws a `TypeError` naming the first invalid entry, so a
 * typo in the setting fails loudly at startup instead of silently refusing (or allowing).
 */
export function parseAllowList(input: AllowInput): OutboundAllowList {
  if (input === undefined) return EMPTY_ALLOW;
  if (isAllowList(input)) return input;
  const raw = typeof input === "string" ? input.split(/[\s,]+/) : [...input];
  const entries: string[] = [];
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const ranges: [Ip, number][] = [];
  for (const item of raw) {
    const entry = item.trim();
    if (!entry) continue;
    entries.push(entry);
    const lower = entry.toLowerCase();
    if (lower.includes("/")) {
      if (!ipaddr.isValidCIDR(lower)) throw invalidAllowEntry(entry);
      const [net, bits] = ipaddr.parseCIDR(lower);
      ranges.push(
        net.kind() === "ipv6" && (net as IPv6).isIPv4MappedAddress() && bits >= 96
          ? [(net as IPv6).toIPv4Address(), bits - 96]
          : [net, bits],
      );
      continue;
    }
    const address = parseAddress(lower);
    if (address) {
      const a = unmapped(address);
      ranges.push([a, a.kind() === "ipv4" ? 32 : 128]);
      continue;
    }
    if (lower.startsWith("*.")) {
      const suffix = canonicalHost(lower.slice(2));
      if (!suffix) throw invalidAllowEntry(entry);
      suffixes.push(`.${suffix}`);
      continue;
    }
    const host = canonicalHost(lower);
    if (!host) throw invalidAllowEntry(entry);
    hosts.add(host);
  }
  return { entries, hosts, suffixes, ranges };
}

function invalidAllowEntry(entry: string): TypeError {
  return new TypeError(
    `Invalid outbound allow entry "${entry}": use a host name, *.domain, an IP address or a CIDR such as 10.0.0.0/8`,
  );
}

function allowsAddress(allow: OutboundAllowList, a: Ip): boolean {
  return allow.ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

function allowsHost(allow: OutboundAllowList, host: string): boolean {
  return allow.hosts.has(host) || allow.suffixes.some((s) => host.endsWith(s));
}

/**
 * Judges one address literal: allowed when it is plain public unicast, or when the operator's
 * allow list covers it (or the IPv4 address it embeds). Pure: no resolution, no I/O.
 *
 * Accepts what the URL parser and resolvers produce: dotted or shorthand IPv4 (`127.1`,
 * `0x7f.1`, `2130706433`), IPv6 with or without brackets. Anything else is `invalid`.
 *
 * @example
 * checkAddress("::ffff:127.0.0.1") // { allowed: false, reason: "loopback", normalized: "127.0.0.1" }
 * checkAddress("127.0.0.1", ["127.0.0.1"]) // { allowed: true, reason: "allowlisted", … }
 */
export function checkAddress(ip: string, allow?: AllowInput): AddressVerdict {
  const address = parseAddress(ip);
  if (!address) return { allowed: false, reason: "invalid", normalized: ip };
  const embedded = address.kind() === "ipv6" ? embeddedIPv4(address as IPv6) : [];
  const judged: Ip[] = embedded === null ? [] : embedded.length ? embedded : [address];
  const normalized = canonical(judged[0] ?? address);
  const list = parseAllowList(allow);
  if (allowsAddress(list, address) || (judged[0] && allowsAddress(list, judged[0]))) {
    return { allowed: true, reason: "allowlisted", normalized };
  }
  // A local-use NAT64 address in a form other than /96: where it leads is the operator's secret.
  if (embedded === null) return { allowed: false, reason: "reserved", normalized };
  for (const a of judged) {
    const reason = rangeReason(a);
    if (reason !== "public") return { allowed: false, reason, normalized: canonical(a) };
  }
  return { allowed: true, reason: "public", normalized };
}

// ---------------------------------------------------------------------------------------------
// URLs and resolution
// ---------------------------------------------------------------------------------------------

/** Resolves a host name to address literals (A and AAAA). Throws or returns `[]` on failure. */
export type Resolver = (
  hostname: string,
  options: { signal?: AbortSignal },
) => Promise<readonly string[]>;

/** Options of {@linkcode createDenoResolver}. */
export interface DenoResolverOptions {
  /** Ask this name server instead of the system's (e.g. a filtering resolver, or a test). */
  nameServer?: { ipAddr: string; port?: number };
}

/**
 * A {@linkcode Resolver} on `Deno.resolveDns`: A and AAAA in parallel. A family with no record
 * (`NotFound`) contributes nothing; any other error fails the whole resolution, so the check
 * never judges half an answer. Needs `--allow-net`.
 */
export function createDenoResolver(opts: DenoResolverOptions = {}): Resolver {
  return async (hostname, { signal } = {}) => {
    const lookups = (["A", "AAAA"] as const).map((type) =>
      Deno.resolveDns(hostname, type, { signal, nameServer: opts.nameServer })
    );
    const settled = await Promise.allSettled(lookups);
    const found: string[] = [];
    for (const s of settled) {
      if (s.status === "fulfilled") found.push(...s.value);
      else if (!(s.reason instanceof Deno.errors.NotFound)) throw s.reason;
    }
    return found;
  };
}

/** The default resolver: the system's name servers through `Deno.resolveDns`. */
export const resolveWithDeno: Resolver = createDenoResolver();

/** Options of {@linkcode checkUrl}. */
export interface CheckUrlOptions {
  /** The operator's exceptions ({@linkcode parseAllowList}); none by default. */
  allow?: AllowInput;
  /** Name resolution; default {@linkcode resolveWithDeno}. Tests inject one. */
  resolver?: Resolver;
  /** Aborts the resolution. */
  signal?: AbortSignal;
}

/** A URL that passed the policy, with the addresses a connection to it may use. */
export interface CheckedUrl {
  url: URL;
  /** Every checked address of the host, canonical; connect to these and nothing else. */
  addresses: string[];
}

/** Parses an outbound URL and applies the scheme and userinfo rules (no resolution). */
function parseOutboundUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new OutboundRefusedError(
      "invalid_url",
      `Outbound URL is not a valid absolute URL: ${String(input).slice(0, 200)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OutboundRefusedError(
      "scheme",
      `Outbound URL scheme ${url.protocol} is refused: use an http or https URL`,
      { origin: url.protocol },
    );
  }
  if (url.username || url.password) {
    throw new OutboundRefusedError(
      "userinfo",
      `Outbound URL ${url.origin} carries a user name or password: remove them from the URL and configure the credential as a secret bound to the host`,
      { origin: url.origin },
    );
  }
  return url;
}

/** `[::1]` → `::1`; names lose a trailing dot. */
function bareHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith("[") ? h.slice(1, -1) : h.replace(/\.$/, "");
}

function isLiteral(host: string): boolean {
  return host.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(host);
}

function refusedAddress(url: URL, verdict: AddressVerdict, resolved: boolean) {
  const verb = resolved ? "resolves to" : "points to";
  return new OutboundRefusedError(
    "private_address",
    `Outbound URL ${url.origin} ${verb} ${
      REASON_PHRASE[verdict.reason]
    } (${verdict.normalized}): ` +
      `private, loopback and link-local targets are refused; an operator can allow it in ${OUTBOUND_ALLOW_SETTING}`,
    { origin: url.origin, address: verdict.normalized },
  );
}

/**
 * Checks a URL against the outbound policy and returns the addresses a connection may use.
 * Resolves the host (A and AAAA) unless it is an address literal or `localhost`; every address
 * must pass {@linkcode checkAddress}. A host named in the allow list skips the address judgement
 * (the operator vouches for it) but must still resolve, so it can be pinned.
 *
 * @throws {OutboundRefusedError} `invalid_url`, `scheme`, `userinfo`, `private_address` or
 * `resolution_failed`
 */
export async function checkUrl(
  input: string | URL,
  opts: CheckUrlOptions = {},
): Promise<CheckedUrl> {
  const url = parseOutboundUrl(input);
  const allow = parseAllowList(opts.allow);
  const host = bareHost(url);
  if (isLiteral(host)) {
    const verdict = checkAddress(host, allow);
    if (!verdict.allowed) throw refusedAddress(url, verdict, false);
    return { url, addresses: [canonical(parseAddress(host)!)] };
  }
  const hostAllowed = allowsHost(allow, host);
  const local = host === "localhost" || host.endsWith(".localhost");
  const found = local ? ["127.0.0.1", "::1"] : await resolve(url, host, opts);
  const addresses: string[] = [];
  for (const raw of found) {
    const address = parseAddress(raw);
    if (!address) {
      throw new OutboundRefusedError(
        "resolution_failed",
        `Outbound URL ${url.origin} resolved to something that is not an address (${
          String(raw).slice(0, 60)
        }): check the resolver`,
        { origin: url.origin },
      );
    }
    if (!hostAllowed) {
      const verdict = checkAddress(raw, allow);
      if (!verdict.allowed) throw refusedAddress(url, verdict, !local);
    }
    const c = canonical(address);
    if (!addresses.includes(c)) addresses.push(c);
  }
  return { url, addresses };
}

async function resolve(url: URL, host: string, opts: CheckUrlOptions): Promise<readonly string[]> {
  let found: readonly string[];
  try {
    found = await (opts.resolver ?? resolveWithDeno)(host, { signal: opts.signal });
  } catch (e) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new OutboundRefusedError(
      "resolution_failed",
      `Outbound URL ${url.origin} could not be resolved (${
        e instanceof Error ? e.message : String(e)
      }): check the host name`,
      { origin: url.origin },
    );
  }
  if (!found.length) {
    throw new OutboundRefusedError(
      "resolution_failed",
      `Outbound URL ${url.origin} has no A or AAAA record: check the host name`,
      { origin: url.origin },
    );
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Credentials bound to origins
// ---------------------------------------------------------------------------------------------

/**
 * A secret bound to the origin it was configured for. The client adds `headers` to requests for
 * that origin only, and refuses any request to another origin whose URL, headers or body contain
 * one of the secret values (`secrets` plus the values of `headers`) — including after a redirect.
 *
 * Two ways to use it: let the client inject the header (`headers: { authorization: "Bearer …" }`),
 * or, when a library sets the header itself (the `openai` SDK's `Authorization`), list the raw
 * key in `secrets` so the client can recognise it.
 */
export interface BoundCredential {
  /** `scheme://host[:port]`; compared with the request's origin after normalisation. */
  origin: string;
  /** Headers added to requests for `origin`, and only those; their values count as secrets. */
  headers?: Record<string, string>;
  /** Secret values (8 characters or more) that must never reach another origin. */
  secrets?: readonly string[];
}

/** Shorter values would match by accident (a port, a version) and block unrelated requests. */
const MIN_SECRET_LENGTH = 8;

interface Credential {
  origin: string;
  headers: [string, string][];
  secrets: string[];
}

function normalizeCredentials(
  input: BoundCredential | readonly BoundCredential[] | undefined,
): Credential[] {
  const list = input === undefined ? [] : Array.isArray(input) ? input : [input as BoundCredential];
  return list.map((c) => {
    const url = parseOutboundUrl(c.origin);
    if (url.pathname !== "/" || url.search || url.hash) {
      throw new TypeError(
        `Invalid credential origin ${c.origin}: use scheme://host[:port] with no path`,
      );
    }
    const headers = Object.entries(c.headers ?? {}).map(([k, v]) =>
      [k.toLowerCase(), v] as [string, string]
    );
    const secrets = [...(c.secrets ?? []), ...headers.map(([, v]) => v)];
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET_LENGTH) {
        throw new TypeError(
          `Credential for ${url.origin} has a value of ${secret.length} characters: secrets and credential headers need at least ${MIN_SECRET_LENGTH}, or they cannot be recognised in a request`,
        );
      }
    }
    return { origin: url.origin, headers, secrets };
  });
}

/** Throws unless no secret bound elsewhere appears in what would be sent to `url`. */
function assertNoForeignSecret(
  url: URL,
  headers: Headers,
  body: Uint8Array | null,
  credentials: Credential[],
  redirectFrom?: URL,
): void {
  const foreign = credentials.filter((c) => c.origin !== url.origin);
  if (!foreign.length) return;
  const haystacks = [url.href, safeDecode(url.href), ...[...headers].map(([, v]) => v)];
  if (body) haystacks.push(new TextDecoder().decode(body));
  for (const c of foreign) {
    if (!c.secrets.some((s) => haystacks.some((h) => h.includes(s)))) continue;
    const what = redirectFrom
      ? `Redirect from ${redirectFrom.origin} to ${url.origin} would carry the credential bound to ${c.origin}`
      : `Outbound request to ${url.origin} carries the credential bound to ${c.origin}`;
    throw new OutboundRefusedError(
      "credential_origin",
      `${what}: a secret is only sent to the origin it was configured for; fix the URL or configure the credential for ${url.origin}`,
      { origin: url.origin },
    );
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replaceAll("+", " "));
  } catch {
    return s;
  }
}

function withCredentials(url: URL, base: Headers, credentials: Credential[]): Headers {
  const headers = new Headers(base);
  for (const c of credentials) {
    if (c.origin === url.origin) { for (const [k, v] of c.headers) headers.set(k, v); }
  }
  return headers;
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

/** Options of {@linkcode createOutboundFetch}. */
export interface OutboundOptions extends Omit<CheckUrlOptions, "signal"> {
  /** Credentials bound to origins; see {@linkcode BoundCredential}. */
  credential?: BoundCredential | readonly BoundCredential[];
  /** Redirects followed per request, each checked again; default 3, 0 to follow none. */
  maxRedirects?: number;
  /** Budget for the whole exchange: resolution, every hop and the body; default 30 000 ms. */
  timeoutMs?: number;
  /** Largest response body accepted (after decompression); default 10 MiB. */
  maxResponseBytes?: number;
  /** Extra PEM root certificates trusted besides the system's (an operator's internal CA). */
  caCerts?: readonly string[];
}

/** A `fetch`-compatible function bound to an outbound policy. */
export type OutboundFetch = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** Never forwarded as given: connection-level, or set by the client itself. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "upgrade",
  "trailer",
  "host",
  "content-length",
  "accept-encoding",
]);
/** Dropped on a cross-origin redirect, as the Fetch standard does for Authorization. */
const CROSS_ORIGIN_DROPPED = ["authorization", "proxy-authorization", "cookie"];
const BODY_HEADERS = ["content-type", "content-encoding", "content-language", "content-location"];

/**
 * Creates a `fetch`-compatible function that sends every request through the outbound policy
 * (see the module documentation). Pass it wherever a library accepts a `fetch`:
 *
 * ```ts
 * const fetch = createOutboundFetch({
 *   allow: parseAllowList(config.ORA_OUTBOUND_ALLOW),
 *   credential: { origin: new URL(baseURL).origin, secrets: [apiKey] },
 *   timeoutMs: 120_000,
 * });
 * const client = new OpenAI({ apiKey, baseURL, fetch });
 * ```
 *
 * Differences from the global `fetch`: HTTP/1.1 only (`node:http`/`node:https`, whose `lookup`
 * pins the connection to the checked addresses), one connection per request (no pooling across
 * checks), `gzip`/`deflate` responses decoded, `init.client` and `init.window` ignored.
 * `redirect: "manual"` returns the 3xx response, `"error"` rejects on one, `"follow"` (default)
 * follows up to `maxRedirects`.
 *
 * Rejects with {@linkcode OutboundRefusedError} when the policy refuses a hop, with the caller's
 * abort reason when `init.signal` aborts, and with a `TimeoutError` `DOMException` when
 * `timeoutMs` runs out (also while the body is being read).
 */
export function createOutboundFetch(opts: OutboundOptions = {}): OutboundFetch {
  const allow = parseAllowList(opts.allow);
  const credentials = normalizeCredentials(opts.credential);
  const resolver = opts.resolver ?? resolveWithDeno;
  const maxRedirects = opts.maxRedirects ?? 3;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxResponseBytes = opts.maxResponseBytes ?? 10 * 1024 * 1024;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new TypeError(`Invalid maxRedirects ${maxRedirects}: use a whole number from 0`);
  }
  if (!(timeoutMs > 0)) {
    throw new TypeError(`Invalid timeoutMs ${timeoutMs}: use a positive number`);
  }
  if (!(maxResponseBytes > 0)) {
    throw new TypeError(`Invalid maxResponseBytes ${maxResponseBytes}: use a positive number`);
  }
  const ca = opts.caCerts?.length ? [...tls.rootCertificates, ...opts.caCerts] : undefined;

  return async function outboundFetch(input, init) {
    // Policy errors first: `new Request` would reject userinfo with a less helpful TypeError.
    if (!(input instanceof Request)) parseOutboundUrl(input);
    const request = new Request(input, init);
    const exchange = new Exchange(timeoutMs, request.signal);
    try {
      let url = parseOutboundUrl(request.url);
      let method = request.method;
      let body: Uint8Array | null = request.body
        ? new Uint8Array(await request.arrayBuffer())
        : null;
      const headers = new Headers(request.headers);
      for (let hop = 0;; hop++) {
        const { addresses } = await checkUrl(url, { allow, resolver, signal: exchange.signal });
        assertNoForeignSecret(url, headers, body, credentials);
        const sent = withCredentials(url, headers, credentials);
        const res = await send(url, addresses, {
          method,
          headers: sent,
          body,
          signal: exchange.signal,
          ca,
        });
        const location = res.headers.location;
        if (
          !REDIRECT_STATUSES.has(res.statusCode ?? 0) || !location || request.redirect === "manual"
        ) {
          return toResponse(res, { url, redirected: hop > 0, method, exchange, maxResponseBytes });
        }
        res.destroy();
        if (request.redirect === "error") {
          throw new TypeError(
            `Outbound request to ${url.origin} was redirected: redirect mode is error`,
          );
        }
        if (hop >= maxRedirects) {
          throw new OutboundRefusedError(
            "too_many_redirects",
            `Outbound request to ${url.origin} was redirected more than ${maxRedirects} times: point the URL at the final location`,
            { origin: url.origin },
          );
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new OutboundRefusedError(
            "invalid_url",
            `Outbound request to ${url.origin} was redirected to an invalid location: fix the server's Location header`,
            { origin: url.origin },
          );
        }
        next = parseOutboundUrl(next);
        const status = res.statusCode!;
        if (
          (status === 303 && method !== "HEAD") ||
          ((status === 301 || status === 302) && method === "POST")
        ) {
          method = "GET";
          body = null;
          for (const h of BODY_HEADERS) headers.delete(h);
        }
        // What this hop carried (injected credentials included) must not follow to another origin.
        assertNoForeignSecret(next, sent, body, credentials, url);
        if (next.origin !== url.origin) { for (const h of CROSS_ORIGIN_DROPPED) headers.delete(h); }
        url = next;
      }
    } catch (e) {
      exchange.done();
      throw exchange.failure(e);
    }
  };
}

/** The deadline and abort wiring of one request, kept until its body is read. */
class Exchange {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #caller: AbortSignal;
  readonly #timeoutMs: number;
  #timedOut = false;
  readonly #onCallerAbort = () => this.#controller.abort(this.#caller.reason);

  constructor(timeoutMs: number, caller: AbortSignal) {
    this.#caller = caller;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(this.#timeoutError());
    }, timeoutMs);
    if (caller.aborted) this.#controller.abort(caller.reason);
    else caller.addEventListener("abort", this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Releases the timer and the caller's listener; idempotent. */
  done(): void {
    clearTimeout(this.#timer);
    this.#caller.removeEventListener("abort", this.#onCallerAbort);
  }

  /** The error to surface: the caller's abort reason, our timeout, or `e` itself. */
  failure(e: unknown): unknown {
    if (this.#caller.aborted) return this.#caller.reason;
    if (this.#timedOut) return this.#timeoutError();
    return e;
  }

  #timeoutError(): DOMException {
    return new DOMException(
      `Outbound request timed out after ${this.#timeoutMs} ms`,
      "TimeoutError",
    );
  }
}

interface SendOptions {
  method: string;
  headers: Headers;
  body: Uint8Array | null;
  signal: AbortSignal;
  ca?: string[];
}

type LookupCallback = (
  err: Error | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/** A `lookup` for `net.connect` that answers with the checked addresses only. */
function pinnedLookup(addresses: string[]) {
  return (
    hostname: string,
    options: { family?: number | string; all?: boolean } | number | LookupCallback,
    callback?: LookupCallback,
  ) => {
    const cb = (typeof options === "function" ? options : callback)!;
    const opts = typeof options === "object" ? options : { family: options as number };
    const want = opts.family === "IPv4" ? 4 : opts.family === "IPv6" ? 6 : Number(opts.family ?? 0);
    const list = addresses
      .map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
      .filter((a) => !want || a.family === want);
    if (!list.length) {
      cb(
        Object.assign(new Error(`No checked IPv${want} address for ${hostname}`), {
          code: "ENOTFOUND",
        }),
        "",
      );
    } else if (opts.all) cb(null, list);
    else cb(null, list[0].address, list[0].family);
  };
}

function isCheckedPeer(remote: string | undefined, addresses: string[]): boolean {
  const peer = remote ? parseAddress(remote) : null;
  if (!peer) return false;
  const p = canonical(unmapped(peer));
  return addresses.some((a) => canonical(unmapped(parseAddress(a)!)) === p);
}

/** One HTTP exchange to `url`, connected only to `addresses`; resolves at the response head. */
function send(url: URL, addresses: string[], o: SendOptions): Promise<http.IncomingMessage> {
  const secure = url.protocol === "https:";
  const headers: Record<string, string> = {};
  o.headers.forEach((v, k) => {
    if (!HOP_BY_HOP.has(k)) headers[k] = v;
  });
  headers["host"] = url.host;
  headers["accept-encoding"] = "gzip, deflate";
  if (o.body) headers["content-length"] = String(o.body.byteLength);
  const options: https.RequestOptions = {
    host: bareHost(url),
    port: Number(url.port) || (secure ? 443 : 80),
    path: url.pathname + url.search,
    method: o.method,
    headers,
    agent: false,
    // deno-lint-ignore no-explicit-any
    lookup: pinnedLookup(addresses) as any,
    signal: o.signal,
    ...(secure && o.ca ? { ca: o.ca } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(options, (res) => {
      // Belt and braces: if a runtime ignored `lookup`, do not hand over what an unchecked
      // peer answered.
      if (!isCheckedPeer(res.socket?.remoteAddress, addresses)) {
        res.destroy();
        reject(
          new OutboundRefusedError(
            "connected_address",
            `Outbound request to ${url.origin} reached ${
              res.socket?.remoteAddress ?? "an unknown address"
            }, which was not checked: this runtime did not honour the pinned lookup`,
            { origin: url.origin, address: res.socket?.remoteAddress },
          ),
        );
        return;
      }
      resolve(res);
    });
    req.on("error", reject);
    req.end(o.body ? Buffer.from(o.body.buffer, o.body.byteOffset, o.body.byteLength) : undefined);
  });
}

interface ResponseContext {
  url: URL;
  redirected: boolean;
  method: string;
  exchange: Exchange;
  maxResponseBytes: number;
}

/** A web `Response` over a node response: decoded, size-capped, deadline still running. */
function toResponse(res: http.IncomingMessage, ctx: ResponseContext): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  }
  const status = res.statusCode ?? 502;
  let body: ReadableStream<Uint8Array> | null = null;
  if (NULL_BODY_STATUSES.has(status) || ctx.method === "HEAD") {
    res.destroy();
    ctx.exchange.done();
  } else {
    const encoding = headers.get("content-encoding")?.trim().toLowerCase();
    const declared = Number(headers.get("content-length"));
    if (!encoding && Number.isFinite(declared) && declared > ctx.maxResponseBytes) {
      res.destroy();
      throw tooLarge(ctx);
    }
    let stream = Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
    if (encoding === "gzip" || encoding === "x-gzip") stream = decompress(stream, "gzip");
    else if (encoding === "deflate") stream = decompress(stream, "deflate");
    body = capped(stream, ctx);
  }
  const response = new Response(body, { status, statusText: res.statusMessage, headers });
  Object.defineProperty(response, "url", { value: ctx.url.href });
  Object.defineProperty(response, "redirected", { value: ctx.redirected });
  return response;
}

function decompress(stream: ReadableStream<Uint8Array>, format: CompressionFormat) {
  const decoder = new DecompressionStream(format) as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
  return stream.pipeThrough(decoder);
}

function tooLarge(ctx: ResponseContext): OutboundRefusedError {
  return new OutboundRefusedError(
    "response_too_large",
    `Outbound response from ${ctx.url.origin} is larger than ${ctx.maxResponseBytes} bytes: raise maxResponseBytes if the endpoint is expected to send that much`,
    { origin: ctx.url.origin },
  );
}

/** Passes `source` through, failing past `maxResponseBytes`; ends the exchange when done. */
function capped(source: ReadableStream<Uint8Array>, ctx: ResponseContext) {
  const reader = source.getReader();
  let total = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          ctx.exchange.done();
          controller.close();
          return;
        }
        total += value.byteLength;
        if (total > ctx.maxResponseBytes) {
          const err = tooLarge(ctx);
          ctx.exchange.done();
          controller.error(err);
          await reader.cancel(err).catch(() => {});
          return;
        }
        controller.enqueue(value);
      } catch (e) {
        const err = ctx.exchange.failure(e);
        ctx.exchange.done();
        controller.error(err);
      }
    },
    async cancel(reason) {
      ctx.exchange.done();
      await reader.cancel(reason);
    },
  });
}
