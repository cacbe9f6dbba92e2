/** The client address behind proxies: pure tests, no server, no network. */
import { assertEquals, assertMatch } from "../_assert.ts";
import { clientIp, parseClientAddress } from "../../_shared/platform/client_ip.ts";

function req(headers: [string, string][] = []): Request {
  const h = new Headers();
  for (const [k, v] of headers) h.append(k, v);
  return new Request("http://127.0.0.1/functions/v1/ora", { headers: h });
}

const socket = { transport: "tcp", hostname: "192.0.2.10", port: 51234 } as Deno.NetAddr;
const xff = (value: string) => req([["x-forwarded-for", value]]);

Deno.test("with no header configured, the socket address is the client", () => {
  assertEquals(clientIp(xff("203.0.113.7"), socket, { trustedHops: 0 }), "192.0.2.10");
  assertEquals(clientIp(req(), "::1", { trustedHops: 0 }), "::1");
  assertEquals(clientIp(req(), { hostname: "::ffff:10.0.0.1" }, { trustedHops: 0 }), "10.0.0.1");
  assertEquals(
    clientIp(req(), { transport: "unix", path: "/tmp/s" } as Deno.UnixAddr, { trustedHops: 0 }),
    null,
  );
  assertEquals(clientIp(req(), undefined, { trustedHops: 0 }), null);
});

Deno.test("one trusted proxy: the rightmost entry, whatever the client prepended", () => {
  const one = { header: "x-forwarded-for", trustedHops: 1 };
  assertEquals(clientIp(xff("203.0.113.7"), socket, one), "203.0.113.7");
  // The leftmost entry is client-controlled: it claims an address allowlisted on some key.
  assertEquals(clientIp(xff("198.51.100.1, 203.0.113.7"), socket, one), "203.0.113.7");
  assertEquals(clientIp(xff("  198.51.100.1 ,203.0.113.7  "), socket, one), "203.0.113.7");
  // Repeated header lines are one list, in order.
  const twoLines = req([["x-forwarded-for", "6.6.6.6"], ["x-forwarded-for", "203.0.113.8"]]);
  assertEquals(clientIp(twoLines, socket, one), "203.0.113.8");
});

Deno.test("two trusted proxies: the entry two from the right", () => {
  const two = { header: "X-Forwarded-For", trustedHops: 2 };
  assertEquals(clientIp(xff("6.6.6.6, 203.0.113.7, 10.0.0.2"), socket, two), "203.0.113.7");
  assertEquals(clientIp(xff("203.0.113.7, 10.0.0.2"), socket, two), "203.0.113.7");
  // Fewer entries than proxies: the request did not come through them all.
  assertEquals(clientIp(xff("10.0.0.2"), socket, two), null);
});

Deno.test("a configured header that is missing gives no address, not the socket's", () => {
  assertEquals(clientIp(req(), socket, { header: "x-forwarded-for", trustedHops: 1 }), null);
  assertEquals(clientIp(xff(""), socket, { header: "x-forwarded-for", trustedHops: 1 }), null);
});

Deno.test("Forwarded (RFC 7239): the for= parameter of the trusted element", () => {
  const fwd = (v: string) => req([["forwarded", v]]);
  const one = { header: "forwarded", trustedHops: 1 };
  assertEquals(
    clientIp(
      fwd('for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711"'),
      socket,
      one,
    ),
    "2001:db8:cafe::17",
  );
  assertEquals(clientIp(fwd("for=192.0.2.60;proto=https"), socket, one), "192.0.2.60");
  assertEquals(clientIp(fwd("for=_hidden"), socket, one), null);
  assertEquals(clientIp(fwd("proto=https"), socket, one), null);
});

Deno.test("entries are parsed and returned canonical", () => {
  const cases: [string, string][] = [
    ["203.0.113.7", "203.0.113.7"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["[2001:db8::1]", "2001:db8::1"],
    ["[2001:db8::1]:443", "2001:db8::1"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::ffff:cb00:7107", "203.0.113.7"],
    ["[::ffff:203.0.113.7]:80", "203.0.113.7"],
    ["fe80::1%eth0", "fe80::1"],
    ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"],
  ];
  for (const [raw, want] of cases) assertEquals([raw, parseClientAddress(raw)], [raw, want]);
});

Deno.test("anything unparsable is null, never a string inet would choke on", () => {
  for (
    const raw of [
      "",
      " ",
      "aa",
      "unknown",
      "1.2.3.4.5",
      "256.1.1.1",
      "1.2.3",
      "127.1",
      "0x7f.1",
      "2130706433",
      "010.0.0.1",
      "1.2.3.4:99999",
      "[2001:db8::1]:99999",
      "[1.2.3.4]",
      "2001:db8::1:80:x",
      "::ffff:1.2.3.4.5",
      "1.2.3.4; drop table",
      "'1.2.3.4'",
    ]
  ) {
    assertEquals([raw, parseClientAddress(raw)], [raw, null]);
    assertEquals([
      raw,
      clientIp(xff(`6.6.6.6, ${raw}`), socket, {
        header: "x-forwarded-for",
        trustedHops: 1,
      }),
    ], [raw, null]);
  }
});

Deno.test("a trustedHops that makes no sense is a configuration error", () => {
  for (
    const opts of [
      { header: "x-forwarded-for", trustedHops: 0 },
      { header: "x-forwarded-for", trustedHops: 1.5 },
      { trustedHops: -1 },
      { trustedHops: Number.NaN },
    ]
  ) {
    let message = "";
    try {
      clientIp(req(), socket, opts);
    } catch (e) {
      message = (e as Error).message;
    }
    assertMatch(
      message,
      /^Invalid trustedHops .*: use the number of proxies in front of the function/,
    );
  }
});
