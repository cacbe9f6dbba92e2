// Key minting: a caller never creates, rotates or revokes a key broader than itself.
import { assertEquals, assertThrows } from "../_assert.ts";
import {
  assertNoBroader,
  canGrantScope,
  type KeyBounds,
  rangesWithin,
} from "../../_shared/keys/keys.ts";
import type { Principal } from "../../_shared/platform/auth.ts";
import { ApiError } from "../../_shared/platform/http.ts";

const keyCaller = (scopes: string[]): Principal => ({
  kind: "api_key",
  tenantId: "t",
  scopes,
  keyId: "k",
});
const bounds = (b: Partial<KeyBounds> = {}): KeyBounds => ({
  scopes: ["leads:read"],
  rate_limit_per_minute: 60,
  rate_limit_per_day: 1000,
  allowed_ips: [],
  expires_at: null,
  ...b,
});
function reason(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return (e.details as { reason: string }).reason;
    throw e;
  }
  return undefined;
}

Deno.test("scopes: * needs *, <r>:* needs * or <r>:*, write implies read", () => {
  assertEquals(canGrantScope(["keys:write"], "*"), false);
  assertEquals(canGrantScope(["leads:*"], "leads:*"), true);
  assertEquals(canGrantScope(["leads:write"], "leads:*"), false);
  assertEquals(canGrantScope(["leads:write"], "leads:read"), true);
  assertEquals(canGrantScope(["leads:read"], "leads:write"), false);
});

Deno.test("a key cannot mint a key with scopes, limits, IPs or expiry beyond its own", () => {
  const me = keyCaller(["keys:write", "leads:read"]);
  const mine = bounds({
    rate_limit_per_minute: 10,
    rate_limit_per_day: 100,
    allowed_ips: ["10.0.0.0/8"],
    expires_at: "2030-01-01T00:00:00Z",
  });
  const ok = bounds({
    rate_limit_per_minute: 10,
    rate_limit_per_day: 100,
    allowed_ips: ["10.1.2.0/24"],
    expires_at: "2029-01-01T00:00:00Z",
  });
  assertEquals(reason(() => assertNoBroader(me, mine, ok)), undefined);
  assertEquals(reason(() => assertNoBroader(me, mine, { ...ok, scopes: ["*"] })), "scope_not_held");
  assertEquals(
    reason(() => assertNoBroader(me, mine, { ...ok, rate_limit_per_minute: 11 })),
    "rate_limit_above_caller",
  );
  assertEquals(
    reason(() => assertNoBroader(me, mine, { ...ok, rate_limit_per_day: 101 })),
    "rate_limit_above_caller",
  );
  assertEquals(
    reason(() => assertNoBroader(me, mine, { ...ok, allowed_ips: [] })),
    "ips_outside_caller",
  );
  assertEquals(
    reason(() => assertNoBroader(me, mine, { ...ok, allowed_ips: ["192.168.0.1"] })),
    "ips_outside_caller",
  );
  assertEquals(
    reason(() => assertNoBroader(me, mine, { ...ok, expires_at: null })),
    "expiry_after_caller",
  );
  assertEquals(
    reason(() => assertNoBroader(me, mine, { ...ok, expires_at: "2031-01-01T00:00:00Z" })),
    "expiry_after_caller",
  );
});

Deno.test("users (owners, admins) and the service role have no key bounds beyond scopes", () => {
  const owner: Principal = { kind: "user", tenantId: "t", scopes: ["*"], userId: "u" };
  assertEquals(reason(() => assertNoBroader(owner, null, bounds({ scopes: ["*"] }))), undefined);
});

Deno.test("address ranges nest by family and prefix length", () => {
  assertEquals(rangesWithin(["10.1.2.3"], ["10.0.0.0/8"]), true);
  assertEquals(rangesWithin(["10.0.0.0/7"], ["10.0.0.0/8"]), false);
  assertEquals(rangesWithin(["2001:db8::1"], ["2001:db8::/32"]), true);
  assertEquals(rangesWithin(["2001:db8::1"], ["10.0.0.0/8"]), false);
  assertThrows(() => rangesWithin(["nonsense"], ["10.0.0.0/8"]));
});
