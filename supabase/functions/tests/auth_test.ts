// Authentication, scopes, limits and key lifecycle through the ora gateway.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  call,
  db,
  eventually,
  newTenant,
  newUser,
  ok,
  SERVICE_KEY,
  test,
  userJwt,
} from "./_helpers.ts";

function assertError(
  r: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
  code: string,
) {
  assertEquals(r.status, status, JSON.stringify(r.body));
  const err = r.body.error as { code: string; message: string };
  assertEquals(err.code, code);
  assert(err.message.length > 0);
  assertEquals(r.body.requestId, r.headers.get("x-request-id"));
}

test("a request without credentials gets the 401 envelope with a request id", async () => {
  const r = await call(null, "leads.list");
  assertError(r, 401, "UNAUTHORIZED");
  assertMatch(r.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
});

test("garbled, unknown and non-bearer credentials are refused with 401", async () => {
  assertError(await call("ora_short", "leads.list"), 401, "UNAUTHORIZED");
  assertError(await call("ora_abcdefgh_" + "x".repeat(40), "leads.list"), 401, "UNAUTHORIZED");
  assertError(await call("not-a-jwt-at-all", "leads.list"), 401, "UNAUTHORIZED");
  const t = await newTenant("garble");
  assertError(
    await call(t.key.slice(0, -1) + (t.key.endsWith("a") ? "b" : "a"), "leads.list"),
    401,
    "UNAUTHORIZED",
  );
  const res = await fetch(new URL("/functions/v1/ora", Deno.env.get("SUPABASE_URL")), {
    method: "POST",
    headers: { authorization: `Basic ${btoa("a:b")}` },
    body: "{}",
  });
  assertEquals(res.status, 401);
  await res.body?.cancel();
});

test("an expired key is refused", async () => {
  const t = await newTenant("exp");
  const k = await ok(t.key, "keys.create", {
    name: "soon",
    expires_at: new Date(Date.now() + 60_000).toISOString(),
  });
  assertEquals((await call(k.key, "leads.list")).status, 200);
  await db`update public.api_keys set expires_at = now() - interval '1 second' where id = ${k.id}`;
  const r = await call(k.key, "leads.list");
  assertError(r, 401, "UNAUTHORIZED");
  assertMatch((r.body.error as { message: string }).message, /expired/);
});

test("a revoked key stops working at once", async () => {
  const t = await newTenant("rev");
  const k = await ok(t.key, "keys.create", { name: "victim" });
  assertEquals((await call(k.key, "leads.list")).status, 200);
  const revoked = await ok(t.key, "keys.revoke", { id: k.id, reason: "leaked" });
  assertEquals(revoked.is_active, false);
  assertEquals(revoked.revoked_reason, "leaked");
  const r = await call(k.key, "leads.list");
  assertError(r, 401, "UNAUTHORIZED");
  assertMatch((r.body.error as { message: string }).message, /revoked/);
});

test("a rotated key keeps working for its grace period and the new key works at once", async () => {
  const t = await newTenant("rot");
  const k = await ok(t.key, "keys.create", { name: "rotating", scopes: ["leads:read"] });
  const rotated = await ok(t.key, "keys.rotate", { id: k.id, grace_seconds: 120 });
  assert(rotated.key.key.startsWith("ora_"));
  assertEquals(rotated.key.scopes, ["leads:read"]);
  assertEquals(rotated.key.rotated_from, k.id);
  const graceEnd = Date.parse(rotated.previous.expires_at);
  assert(
    graceEnd > Date.now() + 100_000 && graceEnd < Date.now() + 130_000,
    "grace period is 120 s",
  );
  assertEquals((await call(k.key, "leads.list")).status, 200, "old key works during grace");
  assertEquals((await call(rotated.key.key, "leads.list")).status, 200, "new key works");
  // The grace period ends: the old key is refused, the new one still works.
  await db`update public.api_keys set expires_at = now() - interval '1 second' where id = ${k.id}`;
  assertError(await call(k.key, "leads.list"), 401, "UNAUTHORIZED");
  assertEquals((await call(rotated.key.key, "leads.list")).status, 200);
  // grace 0 revokes at once
  const again = await ok(t.key, "keys.rotate", { id: rotated.key.id, grace_seconds: 0 });
  assertError(await call(rotated.key.key, "leads.list"), 401, "UNAUTHORIZED");
  assertEquals((await call(again.key.key, "leads.list")).status, 200);
});

test("scopes limit actions and a key cannot grant scopes it lacks", async () => {
  const t = await newTenant("scope");
  const reader = await ok(t.key, "keys.create", {
    name: "reader",
    scopes: ["leads:read", "keys:write"],
  });
  assertEquals((await call(reader.key, "leads.list")).status, 200);
  const denied = await call(reader.key, "leads.create", { name: "x" });
  assertError(denied, 403, "FORBIDDEN");
  assertMatch((denied.body.error as { message: string }).message, /leads:write/);
  assertError(await call(reader.key, "posts.list"), 403, "FORBIDDEN");
  assertError(
    await call(reader.key, "keys.create", { name: "escalate", scopes: ["*"] }),
    403,
    "FORBIDDEN",
  );
  assertError(
    await call(reader.key, "keys.create", { name: "escalate", scopes: ["leads:write"] }),
    403,
    "FORBIDDEN",
  );
  assertEquals(
    (await call(reader.key, "keys.create", { name: "narrower", scopes: ["leads:read"] })).status,
    200,
  );
  const writer = await ok(t.key, "keys.create", { name: "writer", scopes: ["posts:write"] });
  assertEquals((await call(writer.key, "posts.list")).status, 200, "write implies read");
});

test("the per-minute limit answers 429 with Retry-After, counted atomically across concurrent requests", async () => {
  const t = await newTenant("rate");
  const k = await ok(t.key, "keys.create", { name: "tight", rate_limit_per_minute: 5 });
  const results = await Promise.all(Array.from({ length: 12 }, () => call(k.key, "leads.list")));
  const okCount = results.filter((r) => r.status === 200).length;
  const limited = results.filter((r) => r.status === 429);
  // Requests may straddle a minute boundary, which opens a fresh window.
  assert(okCount === 5 || okCount === 10, `exactly the limit passes per window (got ${okCount})`);
  assertEquals(okCount + limited.length, 12);
  const r = limited[0];
  assertError(r, 429, "RATE_LIMITED");
  const retry = Number(r.headers.get("retry-after"));
  assert(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
  // usage statistics are written in batches (every ~100 ms), rate limits exactly
  await eventually(async () => {
    const [row] = await db`select total_requests from public.api_keys where id = ${k.id}`;
    return Number(row.total_requests) === okCount;
  }, 5000);
});

test("the per-day limit answers 429 with a Retry-After up to the next UTC day", async () => {
  const t = await newTenant("day");
  const k = await ok(t.key, "keys.create", { name: "daily", rate_limit_per_day: 2 });
  await ok(k.key, "leads.list");
  await ok(k.key, "leads.list");
  const r = await call(k.key, "leads.list");
  assertError(r, 429, "RATE_LIMITED");
  const retry = Number(r.headers.get("retry-after"));
  assert(retry >= 1 && retry <= 86400);
});

test("an IP allowlist admits listed addresses only", async () => {
  const t = await newTenant("ip");
  const elsewhere = await ok(t.key, "keys.create", { name: "office", allowed_ips: ["10.0.0.0/8"] });
  assertError(await call(elsewhere.key, "leads.list"), 403, "FORBIDDEN");
  const local = await ok(t.key, "keys.create", {
    name: "local",
    allowed_ips: ["10.0.0.0/8", "127.0.0.1"],
  });
  assertEquals((await call(local.key, "leads.list")).status, 200);
  assertError(
    await call(t.key, "keys.create", { name: "bad", allowed_ips: ["not-an-ip"] }),
    400,
    "VALIDATION_ERROR",
  );
});

test("keys.list never shows a key or its hash", async () => {
  const t = await newTenant("list");
  await ok(t.key, "keys.create", { name: "second" });
  const { items } = await ok(t.key, "keys.list");
  assertEquals(items.length, 2);
  for (const k of items) {
    assertEquals(k.key, undefined);
    assertEquals(k.key_hash, undefined);
    assertMatch(k.key_prefix, /^[a-z0-9]{8}$/);
  }
  const [stored] = await db`select key_hash from public.api_keys where tenant_id = ${t.id} limit 1`;
  assertMatch(stored.key_hash, /^[0-9a-f]{64}$/);
  assert(!JSON.stringify(items).includes(stored.key_hash));
});

test("a Supabase Auth user JWT works for members, with role-based scopes", async () => {
  const t = await newTenant("jwt");
  const member = await newUser(t.id, "member");
  const token = await userJwt(member);
  const h = await ok(token, "health.check");
  assertEquals(h.tenantId, t.id);
  assertEquals(h.via, "user");
  assertEquals((await call(token, "leads.create", { name: "From JWT" })).status, 200);
  assertError(await call(token, "keys.create", { name: "nope" }), 403, "FORBIDDEN");
  const owner = await userJwt(await newUser(t.id, "owner"));
  assertEquals((await call(owner, "keys.create", { name: "by owner" })).status, 200);
});

test("user JWTs: expired, wrong signature, no membership and several tenants", async () => {
  const t = await newTenant("jwt2");
  const u = await newUser(t.id);
  assertError(await call(await userJwt(u, { expiresIn: -60 }), "leads.list"), 401, "UNAUTHORIZED");
  const forged = (await userJwt(u)).slice(0, -4) + "AAAA";
  assertError(await call(forged, "leads.list"), 401, "UNAUTHORIZED");
  assertError(await call(await userJwt(await newUser()), "leads.list"), 403, "FORBIDDEN");
  const t2 = await newTenant("jwt3");
  await db`insert into public.tenant_members (tenant_id, user_id) values (${t2.id}, ${u})`;
  const token = await userJwt(u);
  assertError(await call(token, "leads.list"), 400, "VALIDATION_ERROR");
  const picked = await call(token, "health.check", {}, { "x-ora-tenant": t2.id });
  assertEquals(picked.status, 200);
  assertEquals((picked.body.data as { tenantId: string }).tenantId, t2.id);
  const stranger = await newTenant("jwt4");
  assertError(
    await call(token, "leads.list", {}, { "x-ora-tenant": stranger.id }),
    403,
    "FORBIDDEN",
  );
});

test("the service-role key creates tenants; API keys and users cannot", async () => {
  const t = await newTenant("svc");
  assertError(
    await call(t.key, "tenants.create", {
      name: "x",
      slug: `x-${crypto.randomUUID().slice(0, 6)}`,
    }),
    403,
    "FORBIDDEN",
  );
  const dup = await call(SERVICE_KEY, "tenants.create", { name: "dup", slug: t.slug });
  assertError(dup, 409, "CONFLICT");
  const h = await ok(SERVICE_KEY, "health.check");
  assertEquals(h.via, "service");
  const scoped = await call(SERVICE_KEY, "leads.list", {}, { "x-ora-tenant": t.id });
  assertEquals(scoped.status, 200);
  assertError(await call(SERVICE_KEY, "leads.list"), 400, "VALIDATION_ERROR");
});
