/**
 * The outbound client: address judgement and URL checks as pure tests with an injected resolver,
 * end to end only against loopback listeners started here. No test sends anything past loopback:
 * every client gets a resolver from this file, never the system's.
 */
import dgram from "node:dgram";
import OpenAI from "openai";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { startLlmServer } from "../_llm_server.ts";
import {
  checkAddress,
  checkUrl,
  createDenoResolver,
  createOutboundFetch,
  OutboundRefusedError,
  parseAllowList,
  type Resolver,
} from "../../_shared/platform/outbound.ts";
import { PINNED_TEST_CERT, PINNED_TEST_KEY } from "./_tls_fixture.ts";

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** A resolver answering from a table; unknown names fail (never the real DNS). */
function tableResolver(table: Record<string, readonly string[] | Error>) {
  const calls: string[] = [];
  const resolver: Resolver = (host) => {
    calls.push(host);
    const answer = table[host];
    if (answer === undefined) return Promise.reject(new Error(`${host} is not in the test table`));
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(answer);
  };
  return { resolver, calls };
}

const noResolver: Resolver = (host) => Promise.reject(new Error(`must not resolve ${host}`));

async function refused(
  p: Promise<unknown>,
  reason: OutboundRefusedError["reason"],
): Promise<OutboundRefusedError> {
  try {
    await p;
  } catch (e) {
    assert(e instanceof OutboundRefusedError, `expected OutboundRefusedError, got ${e}`);
    assertEquals(e.reason, reason, e.message);
    // Messages: sentence case, no trailing period, the fix after a colon.
    assertMatch(e.message, /^[A-Z][^\n]*[^.]$/);
    assert(e.message.includes(": "), e.message);
    return e;
  }
  throw new Error(`expected a refusal (${reason}), but the call succeeded`);
}

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
  remote: string;
}

/** A loopback listener that records what reached it. */
function listen(
  handler: (req: Request, seen: Seen) => Response | Promise<Response>,
  opts: { hostname?: string; tls?: boolean } = {},
) {
  const seen: Seen[] = [];
  const server = Deno.serve({
    hostname: opts.hostname ?? "127.0.0.1",
    port: 0,
    onListen: () => {},
    ...(opts.tls ? { cert: PINNED_TEST_CERT, key: PINNED_TEST_KEY } : {}),
  }, async (req, info) => {
    const s: Seen = {
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: await req.text(),
      remote: (info.remoteAddr as Deno.NetAddr).hostname,
    };
    seen.push(s);
    return handler(req, s);
  });
  return {
    port: server.addr.port,
    seen,
    close: () => server.shutdown(),
  };
}

const hello = () => new Response("hello");

// ---------------------------------------------------------------------------------------------
// checkAddress
// ---------------------------------------------------------------------------------------------

Deno.test("checkAddress allows plain public unicast, IPv4 and IPv6", () => {
  assertEquals(checkAddress("8.8.8.8"), { allowed: true, reason: "public", normalized: "8.8.8.8" });
  assertEquals(checkAddress("2606:4700:4700::1111"), {
    allowed: true,
    reason: "public",
    normalized: "2606:4700:4700::1111",
  });
  assertEquals(checkAddress("[2606:4700:4700:0:0:0:0:1111]").normalized, "2606:4700:4700::1111");
});

Deno.test("checkAddress refuses every special-purpose range with its name", () => {
  const cases: [string, string][] = [
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link_local"],
    ["100.64.0.1", "carrier_grade_nat"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["255.255.255.255", "broadcast"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["192.0.0.8", "reserved"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.1", "benchmarking"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link_local"],
    ["fc00::1", "unique_local"],
    ["fd12:3456::1", "unique_local"],
    ["fec0::1", "site_local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["3fff::1", "documentation"],
    ["2001:2::1", "benchmarking"],
    ["100::1", "reserved"],
    ["4000::1", "reserved"],
    ["1::1", "reserved"],
  ];
  for (const [ip, reason] of cases) {
    const v = checkAddress(ip);
    assertEquals([ip, v.allowed, v.reason], [ip, false, reason]);
  }
});

Deno.test("checkAddress judges IPv6 forms by the IPv4 address they embed", () => {
  const loopback: string[] = [
    "::ffff:127.0.0.1", // IPv4-mapped, dotted
    "::ffff:7f00:1", // IPv4-mapped, as the URL parser rewrites it
    "::7f00:1", // IPv4-compatible
    "::127.0.0.1",
    "::ffff:0:7f00:1", // IPv4-translated (RFC 6145)
    "64:ff9b::7f00:1", // NAT64 well-known prefix
    "64:ff9b::127.0.0.1",
    "64:ff9b:1::7f00:1", // NAT64 local-use prefix, /96 form
    "2002:7f00:1::1", // 6to4
    "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1 (obfuscated)
  ];
  for (const ip of loopback) {
    assertEquals([ip, checkAddress(ip)], [ip, {
      allowed: false,
      reason: "loopback",
      normalized: "127.0.0.1",
    }]);
  }
  assertEquals(checkAddress("::ffff:10.0.0.5").reason, "private");
  assertEquals(checkAddress("64:ff9b::a9fe:a9fe").reason, "link_local");
  assertEquals(checkAddress("2002:c0a8:101::1").reason, "private");
  // Public IPv4 behind a translation form is public, reported as that IPv4 address.
  assertEquals(checkAddress("::ffff:8.8.8.8"), {
    allowed: true,
    reason: "public",
    normalized: "8.8.8.8",
  });
  assertEquals(checkAddress("64:ff9b::808:808").normalized, "8.8.8.8");
  assertEquals(checkAddress("2002:808:808::1").allowed, true);
  // Teredo: the server half is judged too.
  assertEquals(checkAddress("2001:0:a00:1:8000:63bf:f7f7:f7f7").reason, "private");
  // A local-use NAT64 address not in /96 form cannot be judged: refused.
  assertEquals(checkAddress("64:ff9b:1:a00:5::1").allowed, false);
});

Deno.test("checkAddress reads shorthand IPv4 as the URL parser does", () => {
  for (const ip of ["2130706433", "0x7f.1", "017700000001", "0177.0.0.1", "127.1"]) {
    assertEquals([ip, checkAddress(ip)], [ip, {
      allowed: false,
      reason: "loopback",
      normalized: "127.0.0.1",
    }]);
  }
  // Leading zero is octal: 010 is 8, not 10.
  assertEquals(checkAddress("010.0.0.1").normalized, "8.0.0.1");
});

Deno.test("checkAddress calls anything unparsable invalid", () => {
  for (const ip of ["", "aa", "1.2.3.4.5", "08.0.0.1", "1.2.3.4:80", "::ffff:1.2.3.4.5", " "]) {
    assertEquals([ip, checkAddress(ip).allowed, checkAddress(ip).reason], [ip, false, "invalid"]);
  }
});

Deno.test("checkAddress allows what the operator lists, and only that", () => {
  const allow = parseAllowList("127.0.0.1, 10.0.0.0/8 fd00::/8");
  assertEquals(checkAddress("127.0.0.1", allow), {
    allowed: true,
    reason: "allowlisted",
    normalized: "127.0.0.1",
  });
  assertEquals(checkAddress("::ffff:127.0.0.1", allow).reason, "allowlisted");
  assertEquals(checkAddress("10.200.3.4", allow).reason, "allowlisted");
  assertEquals(checkAddress("fd00::2", allow).reason, "allowlisted");
  assertEquals(checkAddress("127.0.0.2", allow).reason, "loopback");
  assertEquals(checkAddress("::1", allow).reason, "loopback");
  assertEquals(checkAddress("192.168.0.1", allow).reason, "private");
  // An IPv4-mapped entry is its IPv4 address.
  assertEquals(checkAddress("127.0.0.1", ["::ffff:127.0.0.1"]).reason, "allowlisted");
});

Deno.test("parseAllowList names the first invalid entry", () => {
  for (const bad of ["10.0.0.0/33", "http://x.example", "a b/c", "host:80", "*."]) {
    let message = "";
    try {
      parseAllowList([bad]);
    } catch (e) {
      assert(e instanceof TypeError);
      message = e.message;
    }
    assertMatch(message, /^Invalid outbound allow entry ".*": use a host name/, bad);
  }
  const list = parseAllowList(" llm.internal,*.svc.local ,, ::1 ");
  assertEquals(list.entries, ["llm.internal", "*.svc.local", "::1"]);
  assertEquals(parseAllowList(undefined).entries, []);
});

// ---------------------------------------------------------------------------------------------
// checkUrl
// ---------------------------------------------------------------------------------------------

Deno.test("checkUrl judges every URL spelling of loopback as 127.0.0.1, with no resolution", async () => {
  for (
    const url of [
      "http://127.0.0.1/",
      "http://2130706433/",
      "http://0x7f.1/",
      "http://017700000001/",
      "http://0177.0.0.1:8080/v1",
      "http://127.1/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:7f00:1]/",
      "http://[::7f00:1]/",
      "http://[64:ff9b::7f00:1]/",
      "http://[2002:7f00:1::]/",
      "https://localhost/",
      "http://LOCALHOST./",
      "http://api.localhost:3000/",
    ]
  ) {
    const e = await refused(checkUrl(url, { resolver: noResolver }), "private_address");
    assertMatch(
      e.message,
      /a loopback address \(127\.0\.0\.1\): private, loopback and link-local targets are refused/,
      url,
    );
    assertEquals(e.address, "127.0.0.1", url);
  }
  const v6 = await refused(
    checkUrl("http://[::1]:9/", { resolver: noResolver }),
    "private_address",
  );
  assertEquals(
    v6.message,
    "Outbound URL http://[::1]:9 points to a loopback address (::1): private, loopback and link-local targets are refused; an operator can allow it in ORA_OUTBOUND_ALLOW",
  );
});

Deno.test("checkUrl refuses other schemes and credentials in the URL", async () => {
  for (
    const url of [
      "ftp://example.com/",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "ws://x.example/",
    ]
  ) {
    await refused(checkUrl(url, { resolver: noResolver }), "scheme");
  }
  const e = await refused(
    checkUrl("https://user:pw@api.example.com/", { resolver: noResolver }),
    "userinfo",
  );
  assert(!e.message.includes("pw"), "the password is not echoed");
  await refused(checkUrl("not a url", { resolver: noResolver }), "invalid_url");
  await refused(checkUrl("http://1.2.3.4.5/", { resolver: noResolver }), "invalid_url");
});

Deno.test("checkUrl checks every resolved address and refuses when any is private", async () => {
  const { resolver, calls } = tableResolver({
    "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "mixed.example": ["93.184.215.14", "10.0.0.1"],
    "mapped.example": ["::ffff:169.254.169.254"],
  });
  const ok = await checkUrl("https://PUBLIC.example/v1?x=1", { resolver });
  assertEquals(ok.addresses, ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]);
  assertEquals(ok.url.hostname, "public.example");
  const mixed = await refused(checkUrl("https://mixed.example/", { resolver }), "private_address");
  assertEquals(
    mixed.message,
    "Outbound URL https://mixed.example resolves to a private address (10.0.0.1): private, loopback and link-local targets are refused; an operator can allow it in ORA_OUTBOUND_ALLOW",
  );
  const mapped = await refused(checkUrl("http://mapped.example/", { resolver }), "private_address");
  assertEquals(mapped.address, "169.254.169.254");
  assertEquals(calls, ["public.example", "mixed.example", "mapped.example"]);
});

Deno.test("checkUrl refuses when resolution fails or finds nothing", async () => {
  const { resolver } = tableResolver({
    "down.example": new Error("connection refused by name server"),
    "empty.example": [],
    "junk.example": ["not-an-address"],
  });
  const down = await refused(checkUrl("https://down.example/", { resolver }), "resolution_failed");
  assertMatch(
    down.message,
    /could not be resolved \(connection refused by name server\): check the host name$/,
  );
  await refused(checkUrl("https://empty.example/", { resolver }), "resolution_failed");
  await refused(checkUrl("https://junk.example/", { resolver }), "resolution_failed");
  await refused(checkUrl("https://unknown.example/", { resolver }), "resolution_failed");
});

Deno.test("checkUrl lets the operator allow addresses, CIDRs and host names", async () => {
  const { resolver } = tableResolver({
    "llm.internal": ["10.0.0.7"],
    "a.svc.local": ["10.9.9.9"],
    "svc.local": ["10.9.9.9"],
  });
  const allow = parseAllowList("127.0.0.1, llm.internal, *.svc.local, 192.168.0.0/16");
  assertEquals(
    (await checkUrl("http://[::ffff:127.0.0.1]:8000/", { allow, resolver })).addresses,
    ["::ffff:7f00:1"],
  );
  assertEquals((await checkUrl("http://llm.internal/", { allow, resolver })).addresses, [
    "10.0.0.7",
  ]);
  assertEquals((await checkUrl("http://a.svc.local/", { allow, resolver })).addresses, [
    "10.9.9.9",
  ]);
  await refused(checkUrl("http://svc.local/", { allow, resolver }), "private_address");
  await checkUrl("http://192.168.4.4/", { allow, resolver });
  // localhost is 127.0.0.1 and ::1: both must be allowed.
  await refused(checkUrl("http://localhost/", { allow, resolver }), "private_address");
  await checkUrl("http://localhost/", { allow: "127.0.0.1 ::1", resolver: noResolver });
  // A host name entry still has to resolve.
  await refused(
    checkUrl("http://llm.internal/", { allow: ["llm.internal"], resolver: noResolver }),
    "resolution_failed",
  );
});

// ---------------------------------------------------------------------------------------------
// The default resolver, against a DNS server on loopback
// ---------------------------------------------------------------------------------------------

/** A tiny DNS server on 127.0.0.1: A records from `a`, NXDOMAIN for `nx`, SERVFAIL for `fail`. */
async function startDns(zone: { a: Record<string, string>; nx: string[]; fail: string[] }) {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg: Uint8Array, rinfo: { address: string; port: number }) => {
    let i = 12;
    const labels: string[] = [];
    while (msg[i] !== 0) {
      labels.push(new TextDecoder().decode(msg.subarray(i + 1, i + 1 + msg[i])));
      i += msg[i] + 1;
    }
    const qEnd = i + 5;
    const name = labels.join(".").toLowerCase();
    const qtype = (msg[i + 1] << 8) | msg[i + 2];
    const rcode = zone.fail.includes(name) ? 2 : zone.nx.includes(name) ? 3 : 0;
    const ip = rcode === 0 && qtype === 1 ? zone.a[name] : undefined;
    const head = new Uint8Array([
      msg[0],
      msg[1],
      0x81,
      0x80 | rcode,
      0,
      1,
      0,
      ip ? 1 : 0,
      0,
      0,
      0,
      0,
    ]);
    const answer = ip
      ? new Uint8Array([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...ip.split(".").map(Number)])
      : new Uint8Array();
    const out = new Uint8Array([...head, ...msg.subarray(12, qEnd), ...answer]);
    socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return {
    port: socket.address().port,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

Deno.test("the Deno resolver: no AAAA is fine, NXDOMAIN and SERVFAIL refuse", async () => {
  const dns = await startDns({
    a: { "v4only.test": "93.184.215.14", "inside.test": "10.1.1.1" },
    nx: ["gone.test"],
    fail: ["broken.test"],
  });
  try {
    const resolver = createDenoResolver({ nameServer: { ipAddr: "127.0.0.1", port: dns.port } });
    assertEquals(await resolver("v4only.test", {}), ["93.184.215.14"]);
    assertEquals((await checkUrl("https://v4only.test/", { resolver })).addresses, [
      "93.184.215.14",
    ]);
    await refused(checkUrl("https://inside.test/", { resolver }), "private_address");
    await refused(checkUrl("https://gone.test/", { resolver }), "resolution_failed");
    await refused(checkUrl("https://broken.test/", { resolver }), "resolution_failed");
  } finally {
    await dns.close();
  }
});

// ---------------------------------------------------------------------------------------------
// createOutboundFetch, end to end on loopback
// ---------------------------------------------------------------------------------------------

Deno.test("outbound fetch refuses loopback by default and connects nowhere", async () => {
  const server = listen(hello);
  try {
    const fetch = createOutboundFetch({ resolver: noResolver });
    await refused(fetch(`http://127.0.0.1:${server.port}/`), "private_address");
    await refused(fetch(`http://[::ffff:127.0.0.1]:${server.port}/`), "private_address");
    await refused(fetch(`http://localhost:${server.port}/`), "private_address");
    assertEquals(server.seen.length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("outbound fetch reaches loopback only through the operator allow list", async () => {
  const server = listen((req) => Response.json({ path: new URL(req.url).pathname }));
  try {
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver: noResolver });
    const res = await fetch(`http://127.0.0.1:${server.port}/a?b=1`);
    assertEquals([res.status, await res.json()], [200, { path: "/a" }]);
    assertEquals(res.url, `http://127.0.0.1:${server.port}/a?b=1`);
    // ::ffff:127.0.0.1 reaches the IPv4 listener through the IPv4-mapped address, as allowed.
    const mapped = await fetch(`http://[::ffff:127.0.0.1]:${server.port}/m`);
    assertEquals(await mapped.json(), { path: "/m" });
    assertEquals(server.seen.length, 2);
  } finally {
    await server.close();
  }
});

Deno.test("outbound fetch connects to the checked address, not to a second resolution", async () => {
  // `pinned.test` exists in no DNS (RFC 6761 reserves .test): only the injected resolver knows it,
  // so a reply proves the connection used the checked address and the name stayed the Host.
  const server = listen((req) => new Response(`host=${req.headers.get("host")}`));
  try {
    const { resolver, calls } = tableResolver({ "pinned.test": ["127.0.0.1"] });
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver });
    const res = await fetch(`http://pinned.test:${server.port}/x`);
    assertEquals(await res.text(), `host=pinned.test:${server.port}`);
    assertEquals(calls, ["pinned.test"]);
    assertEquals(server.seen[0].remote, "127.0.0.1");
  } finally {
    await server.close();
  }
});

Deno.test("outbound fetch over TLS: pinned address, certificate verified for the name", async () => {
  const server = listen((req) => new Response(`tls host=${req.headers.get("host")}`), {
    tls: true,
  });
  try {
    const { resolver } = tableResolver({
      "pinned.test": ["127.0.0.1"],
      "other.test": ["127.0.0.1"],
    });
    const fetch = createOutboundFetch({
      allow: "127.0.0.1",
      resolver,
      caCerts: [PINNED_TEST_CERT],
    });
    const res = await fetch(`https://pinned.test:${server.port}/`);
    assertEquals(await res.text(), `tls host=pinned.test:${server.port}`);
    // The same address under another name: the certificate does not match, so TLS fails.
    let mismatch: unknown;
    await fetch(`https://other.test:${server.port}/`).catch((e) => mismatch = e);
    assertMatch(String(mismatch), /altnames|certificate|Hostname/i);
    // Without the test CA the self-signed certificate is not trusted.
    let untrusted: unknown;
    await createOutboundFetch({ allow: "127.0.0.1", resolver })(
      `https://pinned.test:${server.port}/`,
    )
      .catch((e) => untrusted = e);
    assertMatch(String(untrusted), /self-signed|certificate|UnknownIssuer/i);
    assertEquals(server.seen.length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("outbound fetch refuses a redirect to a refused address before connecting", async () => {
  let v6: ReturnType<typeof listen> | undefined;
  try {
    v6 = listen(hello, { hostname: "::1" });
  } catch {
    // No IPv6 loopback on this machine: the refusal is still checked below.
  }
  const target = `http://[::1]:${v6?.port ?? 9}/inside`;
  const server = listen(() => new Response(null, { status: 302, headers: { location: target } }));
  try {
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver: noResolver });
    const e = await refused(fetch(`http://127.0.0.1:${server.port}/`), "private_address");
    assertMatch(
      e.message,
      /^Outbound URL http:\/\/\[::1\]:\d+ points to a loopback address \(::1\)/,
    );
    assertEquals(server.seen.length, 1);
    assertEquals(v6?.seen.length ?? 0, 0);
  } finally {
    await server.close();
    await v6?.close();
  }
});

Deno.test("outbound fetch follows redirects up to maxRedirects, each hop checked", async () => {
  const server = listen((req) => {
    const n = Number(new URL(req.url).searchParams.get("n") ?? 0);
    return n < 5
      ? new Response(null, { status: 307, headers: { location: `/hop?n=${n + 1}` } })
      : new Response(`done after ${n}`);
  });
  try {
    const { resolver, calls } = tableResolver({ "pinned.test": ["127.0.0.1"] });
    const base = `http://pinned.test:${server.port}`;
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver, maxRedirects: 5 });
    const res = await fetch(`${base}/hop?n=0`);
    assertEquals([await res.text(), res.redirected, res.url], [
      "done after 5",
      true,
      `${base}/hop?n=5`,
    ]);
    assertEquals(calls.length, 6, "every hop resolved and checked again");

    const strict = createOutboundFetch({ allow: "127.0.0.1", resolver, maxRedirects: 3 });
    const before = server.seen.length;
    const e = await refused(strict(`${base}/hop?n=0`), "too_many_redirects");
    assertMatch(e.message, /redirected more than 3 times: point the URL at the final location$/);
    assertEquals(server.seen.length - before, 4);

    const manual = await strict(`${base}/hop?n=0`, { redirect: "manual" });
    assertEquals([manual.status, manual.headers.get("location")], [307, "/hop?n=1"]);
    await manual.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("outbound fetch turns a POST into a GET on 303, keeps it on 307", async () => {
  const server = listen((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/see-other") {
      return new Response(null, { status: 303, headers: { location: "/end" } });
    }
    if (path === "/temporary") {
      return new Response(null, { status: 307, headers: { location: "/end" } });
    }
    return new Response("end");
  });
  try {
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver: noResolver });
    const base = `http://127.0.0.1:${server.port}`;
    const init = {
      method: "POST",
      body: '{"a":1}',
      headers: { "content-type": "application/json" },
    };
    await (await fetch(`${base}/see-other`, init)).text();
    await (await fetch(`${base}/temporary`, init)).text();
    const ends = server.seen.filter((s) => s.url.endsWith("/end"));
    assertEquals(ends.map((s) => [s.method, s.body, s.headers.get("content-type")]), [
      ["GET", "", null],
      ["POST", '{"a":1}', "application/json"],
    ]);
  } finally {
    await server.close();
  }
});

Deno.test("a bound credential goes to its origin only, never across a redirect", async () => {
  const b = listen((req) => new Response(`b saw ${req.headers.get("authorization")}`));
  const a = listen((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/away") {
      return new Response(null, { status: 302, headers: { location: `http://b.test:${b.port}/` } });
    }
    if (path === "/stay") {
      return new Response(null, { status: 302, headers: { location: "/here" } });
    }
    return new Response(`a saw ${req.headers.get("authorization")}`);
  });
  try {
    const { resolver } = tableResolver({ "a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"] });
    const origin = `http://a.test:${a.port}`;
    const fetch = createOutboundFetch({
      allow: "127.0.0.1",
      resolver,
      credential: {
        origin,
        headers: { authorization: "Bearer s3cret-token" },
        secrets: ["s3cret-token"],
      },
    });
    // Injected for its origin, also after a same-origin redirect.
    assertEquals(await (await fetch(`${origin}/here`)).text(), "a saw Bearer s3cret-token");
    assertEquals(await (await fetch(`${origin}/stay`)).text(), "a saw Bearer s3cret-token");
    // Not injected for another origin.
    assertEquals(await (await fetch(`http://b.test:${b.port}/`)).text(), "b saw null");
    // A redirect that would carry it elsewhere is refused before connecting there.
    const e = await refused(fetch(`${origin}/away`), "credential_origin");
    assertEquals(
      e.message,
      `Redirect from ${origin} to http://b.test:${b.port} would carry the credential bound to ${origin}: a secret is only sent to the origin it was configured for; fix the URL or configure the credential for http://b.test:${b.port}`,
    );
    // A request that already carries the secret (as an SDK sets it) to another origin: refused.
    await refused(
      fetch(`http://b.test:${b.port}/`, { headers: { authorization: "Bearer s3cret-token" } }),
      "credential_origin",
    );
    await refused(fetch(`http://b.test:${b.port}/?key=s3cret-token`), "credential_origin");
    await refused(fetch(`http://b.test:${b.port}/?key=s3cret%2Dtoken`), "credential_origin");
    await refused(
      fetch(`http://b.test:${b.port}/`, { method: "POST", body: "token=s3cret-token" }),
      "credential_origin",
    );
    assertEquals(b.seen.length, 1);
    assert(!b.seen.some((s) => JSON.stringify([...s.headers]).includes("s3cret")));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("without a bound credential, Authorization is dropped on a cross-origin redirect", async () => {
  const b = listen((req) => new Response(`b saw ${req.headers.get("authorization")}`));
  const a = listen(() =>
    new Response(null, { status: 307, headers: { location: `http://b.test:${b.port}/` } })
  );
  try {
    const { resolver } = tableResolver({ "a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"] });
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver });
    const res = await fetch(`http://a.test:${a.port}/`, {
      headers: { authorization: "Bearer x", cookie: "c=1", "x-trace": "t" },
    });
    assertEquals(await res.text(), "b saw null");
    assertEquals([b.seen[0].headers.get("cookie"), b.seen[0].headers.get("x-trace")], [null, "t"]);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("outbound fetch gives up after timeoutMs, and on the caller's abort", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const server = listen(async () => {
    await gate;
    return hello();
  });
  try {
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver: noResolver, timeoutMs: 150 });
    const url = `http://127.0.0.1:${server.port}/slow`;
    const started = Date.now();
    let timeout: unknown;
    await fetch(url).catch((e) => timeout = e);
    assert(timeout instanceof DOMException, String(timeout));
    assertEquals(timeout.name, "TimeoutError");
    assertMatch(timeout.message, /timed out after 150 ms/);
    assert(Date.now() - started < 2000);

    const caller = new AbortController();
    const reason = new Error("caller gave up");
    setTimeout(() => caller.abort(reason), 50);
    let aborted: unknown;
    await createOutboundFetch({ allow: "127.0.0.1", resolver: noResolver })(url, {
      signal: caller.signal,
    }).catch((e) => aborted = e);
    assertEquals(aborted, reason);
  } finally {
    release();
    await server.close();
  }
});

Deno.test("outbound fetch caps the response size, declared or streamed", async () => {
  const big = "x".repeat(4096);
  const server = listen((req) =>
    new URL(req.url).pathname === "/declared" ? new Response(big) : new Response(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      }),
    )
  );
  try {
    const fetch = createOutboundFetch({
      allow: "127.0.0.1",
      resolver: noResolver,
      maxResponseBytes: 1024,
    });
    const base = `http://127.0.0.1:${server.port}`;
    await refused(fetch(`${base}/declared`), "response_too_large");
    const streamed = await fetch(`${base}/streamed`);
    await refused(streamed.text(), "response_too_large");
    const roomy = createOutboundFetch({ allow: "127.0.0.1", resolver: noResolver });
    assertEquals((await (await roomy(`${base}/streamed`)).text()).length, 4 * 4096);
  } finally {
    await server.close();
  }
});

Deno.test("outbound fetch decodes gzip like fetch does", async () => {
  const text = "compressible ".repeat(200);
  const server = listen(async () => {
    const gz = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Response(await new Response(gz).arrayBuffer(), {
      headers: { "content-encoding": "gzip", "content-type": "text/plain" },
    });
  });
  try {
    const fetch = createOutboundFetch({ allow: "127.0.0.1", resolver: noResolver });
    assertEquals(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), text);
    assertEquals(server.seen[0].headers.get("accept-encoding"), "gzip, deflate");
  } finally {
    await server.close();
  }
});

// ---------------------------------------------------------------------------------------------
// As the openai SDK's fetch
// ---------------------------------------------------------------------------------------------

Deno.test("the openai SDK runs through the outbound fetch, and refusals reach it as the cause", async () => {
  const llm = startLlmServer(() => ({ content: "pong" }));
  try {
    const origin = new URL(llm.url).origin;
    const allowed = new OpenAI({
      apiKey: "sk-test-key",
      baseURL: llm.url,
      maxRetries: 0,
      fetch: createOutboundFetch({
        allow: "127.0.0.1",
        resolver: noResolver,
        credential: { origin, secrets: ["sk-test-key"] },
      }),
    });
    const done = await allowed.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "ping" }],
    });
    assertEquals(done.choices[0].message.content, "pong");
    assertEquals(llm.requests.length, 1);

    // The same endpoint without the operator's exception: refused, the server never hears of it.
    const refusedClient = new OpenAI({
      apiKey: "sk-test-key",
      baseURL: llm.url,
      maxRetries: 0,
      fetch: createOutboundFetch({ resolver: noResolver }),
    });
    let err: unknown;
    await refusedClient.chat.completions.create({ model: "m", messages: [] }).catch((e) => err = e);
    assert(err instanceof OpenAI.APIConnectionError, String(err));
    assert(err.cause instanceof OutboundRefusedError);
    assertEquals(err.cause.reason, "private_address");

    // A key bound to another origin is not sent to this one.
    const leaky = new OpenAI({
      apiKey: "sk-test-key",
      baseURL: llm.url,
      maxRetries: 0,
      fetch: createOutboundFetch({
        allow: "127.0.0.1",
        resolver: noResolver,
        credential: { origin: "https://api.openai.com", secrets: ["sk-test-key"] },
      }),
    });
    err = undefined;
    await leaky.chat.completions.create({ model: "m", messages: [] }).catch((e) => err = e);
    assert(err instanceof OpenAI.APIConnectionError);
    assertEquals((err.cause as OutboundRefusedError).reason, "credential_origin");
    assertEquals(llm.requests.length, 1);
  } finally {
    await llm.close();
  }
});

Deno.test("a credential too short to recognise is a configuration error", () => {
  let message = "";
  try {
    createOutboundFetch({ credential: { origin: "https://api.example.com", secrets: ["abc"] } });
  } catch (e) {
    assert(e instanceof TypeError);
    message = e.message;
  }
  assertEquals(
    message,
    "Credential for https://api.example.com has a value of 3 characters: secrets and credential headers need at least 8, or they cannot be recognised in a request",
  );
});
