// Regression tests for the hardening review: concurrency that cannot wedge the server,
// escalations inside a tenant, hostile input, existence oracles, fairness, token rules.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { agentReply, startLlmServer } from "./_llm_server.ts";
import {
  call,
  config,
  db,
  eventually,
  llmTenant,
  MANAGER_URL,
  newTenant,
  newUser,
  noIdleTransaction,
  ok,
  ORA_URL,
  scriptedLlm,
  SERVICE_KEY,
  startServer,
  test,
  userJwt,
} from "./_helpers.ts";
import { Db } from "../_shared/platform/db.ts";

async function postTo(url: string, token: string, action: string, data: unknown, headers = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      ...headers,
    },
    body: JSON.stringify({ action, data }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

test("a pool of 4 serves 50 agents.run with wait_ms and 50 sessions.spawn at once, and health.check answers meanwhile", async () => {
  const server = await startServer({ ORA_DB_POOL_SIZE: "4", ORA_DB_ACQUIRE_TIMEOUT_MS: "20000" });
  try {
    const t = await newTenant("pool", { packs: ["industrial"] });
    await ok(SERVICE_KEY, "tenants.update", {
      id: t.id,
      limits: { max_concurrent_sessions: 50 },
    });
    const started = Date.now();
    const runs = Array.from(
      { length: 50 },
      (_, i) =>
        postTo(`${server.url}/ora`, t.key, "agents.run", {
          agent: "pdm",
          query: `pool ${i}`,
          wait_ms: 10_000,
        }),
    );
    const spawns = Array.from(
      { length: 50 },
      (_, i) =>
        postTo(`${server.url}/orchestration-manager`, t.key, "sessions.spawn", {
          agent: "rex",
          query: `fan ${i}`,
          children: [{ agent: "pdm" }],
        }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const health = await postTo(`${server.url}/ora`, t.key, "health.check", {});
    const healthMs = Date.now() - started;
    const all = await Promise.all([...runs, ...spawns]);
    const statuses = all.map((r) => r.status);
    console.log(
      `    100 requests on a pool of 4: ${
        statuses.filter((s) => s === 200).length
      } × 200, health answered after ${healthMs} ms, all after ${Date.now() - started} ms`,
    );
    assertEquals(health.status, 200, JSON.stringify(health.body));
    assert(statuses.every((s) => s === 200), `every request answered 200: ${statuses}`);
    // nothing is left idle in a transaction (a leaked one would stay until the 20 s timeout)
    assert(await noIdleTransaction("ora"), "no connection is left idle in a transaction");
  } finally {
    await server.stop();
  }
});

test("a pool that stays busy answers 503 UNAVAILABLE with Retry-After instead of hanging", async () => {
  const server = await startServer({ ORA_DB_POOL_SIZE: "1", ORA_DB_ACQUIRE_TIMEOUT_MS: "50" });
  try {
    const t = await newTenant("busy");
    // warm the second server's key cache, so the burst below contends for the connection only
    assertEquals((await postTo(`${server.url}/ora`, t.key, "leads.list", {})).status, 200);
    // keep the one connection busy for certain (not by racing 40 fast requests against 50 ms):
    // a lock on leads holds the first request's transaction until the others have answered
    const locker = await db.reserve();
    let answered = 0;
    let pending: Promise<Awaited<ReturnType<typeof postTo>>[]>;
    try {
      await locker`begin`;
      await locker`lock table public.leads in access exclusive mode`;
      pending = Promise.all(
        Array.from(
          { length: 40 },
          () =>
            postTo(`${server.url}/ora`, t.key, "leads.list", {}).then((r) => {
              answered++;
              return r;
            }),
        ),
      );
      await eventually(() => Promise.resolve(answered >= 39), 10_000, 20);
    } finally {
      await locker`commit`;
      locker.release();
    }
    const results = await pending;
    const busy = results.filter((r) => r.status === 503);
    assertEquals(busy.length, 39, "every request but the one holding the connection answered 503");
    assertEquals(busy[0].body.error.code, "UNAVAILABLE");
    assertEquals(busy[0].headers.get("retry-after"), "1");
    assert(results.every((r) => r.status === 200 || r.status === 503));
  } finally {
    await server.stop();
  }
});

test("keys: rotate or revoke only keys no broader than yourself; no limits, IPs or expiry dropped", async () => {
  const t = await newTenant("mint");
  const admin = await ok(t.key, "keys.create", {
    name: "key admin",
    scopes: ["keys:write", "leads:read"],
    rate_limit_per_minute: 30,
    rate_limit_per_day: 300,
    allowed_ips: ["127.0.0.0/8", "::1/128"],
    expires_at: new Date(Date.now() + 86_400_000).toISOString(),
  });
  // the * owner key cannot be rotated (a working * key would come back) or revoked by it
  const rotate = await call(admin.key, "keys.rotate", { id: t.keyId });
  assertEquals(rotate.status, 403);
  assertEquals((rotate.body.error!.details as { reason: string }).reason, "scope_not_held");
  assertEquals((await call(admin.key, "keys.revoke", { id: t.keyId })).status, 403);
  const [owner] = await db`select expires_at, is_active from public.api_keys where id = ${t.keyId}`;
  assertEquals([owner.expires_at, owner.is_active], [null, true], "the owner key is untouched");
  // it cannot shed its own bounds when minting
  for (
    const [extra, reason] of [
      [{ rate_limit_per_minute: 31 }, "rate_limit_above_caller"],
      [{ allowed_ips: [] }, "ips_outside_caller"],
      [{ expires_at: undefined }, "expiry_after_caller"],
    ] as const
  ) {
    const r = await call(admin.key, "keys.create", {
      name: "child",
      scopes: ["leads:read"],
      rate_limit_per_minute: 10,
      rate_limit_per_day: 100,
      allowed_ips: ["127.0.0.1"],
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      ...extra,
    });
    assertEquals(r.status, 403, JSON.stringify(extra));
    assertEquals((r.body.error!.details as { reason: string }).reason, reason);
  }
  const child = await ok(admin.key, "keys.create", {
    name: "child",
    scopes: ["leads:read"],
    rate_limit_per_minute: 10,
    rate_limit_per_day: 100,
    allowed_ips: ["127.0.0.1"],
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  });
  // rotating keeps the expiry
  const rotated = await ok(admin.key, "keys.rotate", { id: child.id });
  assertEquals(rotated.key.expires_at, child.expires_at);
  // an expiry in the past is refused
  const past = await call(t.key, "keys.create", {
    name: "stale",
    expires_at: new Date(Date.now() - 60_000).toISOString(),
  });
  assertEquals(past.status, 400);
});

test("agents cannot name an endpoint or a secret; endpoints, allowlists and limits are not theirs to set", async () => {
  const t = await newTenant("exfil", { packs: ["content"] });
  const upsert = await call(t.key, "agents.upsert", {
    slug: "writer",
    name: "Writer",
    model_settings: { base_url: "https://attacker.example/v1", api_key_secret: "llm" },
  });
  assertEquals(upsert.status, 400);
  for (
    const patch of [
      { outbound_allowlist: ["127.0.0.1"] },
      { max_concurrent_sessions: 1000 },
      { max_spawn_depth: 10 },
    ]
  ) {
    assertEquals((await call(t.key, "settings.update", patch)).status, 400, JSON.stringify(patch));
  }
  // a member (agents:* but not settings or secrets) cannot configure providers at all
  const member = await userJwt(await newUser(t.id, "member"));
  const r = await call(member, "settings.update", {
    llm: scriptedLlm("https://attacker.example/v1"),
  });
  assertEquals(r.status, 403);
  assertEquals((await call(member, "secrets.list")).status, 403);
  // limits are the operator's: the service role sets them
  const limits = await ok(SERVICE_KEY, "tenants.update", {
    id: t.id,
    limits: { max_concurrent_sessions: 3 },
  });
  assertEquals(limits.effective.max_concurrent_sessions, 3);
});

test("a secret is only ever sent to the origin it is bound to", async () => {
  const good = startLlmServer(() => ({ content: agentReply("from the bound origin") }));
  const other = startLlmServer(() => ({ content: agentReply("should never be asked") }));
  try {
    const t = await llmTenant("bound", good.url);
    const listed = await ok(t.key, "secrets.list");
    assertEquals(listed.items.map((s: { name: string; origin: string }) => [s.name, s.origin]), [[
      "llm",
      new URL(good.url).origin,
    ]]);
    assert(!JSON.stringify(listed).includes("sk-scripted-test"), "values are never returned");
    // an admin points the provider elsewhere: the key stays where it was configured
    await ok(t.key, "settings.update", { llm: scriptedLlm(other.url) });
    const st = await ok(t.key, "agents.run", { agent: "writer", query: "x", wait_ms: 15_000 });
    assertEquals(st.status, "failed");
    assertEquals(st.session.error.code, "LLM_NOT_CONFIGURED");
    assertMatch(st.session.error.message, /bound to/);
    assertEquals(other.requests.length, 0, "the other origin got nothing, key or otherwise");
    const [log] = await db`select action, purpose from app.secret_access_log
      where tenant_id = ${t.id} and action = 'refused'`;
    assert(log, "the refused read is logged");
  } finally {
    await good.close();
    await other.close();
  }
});

test("hostile input answers 400, never 500: deep nesting, NUL characters, prototype names", async () => {
  const t = await newTenant("hostile");
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  const res = await fetch(ORA_URL, {
    method: "POST",
    headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
    body: `{"action":"leads.create","data":{"name":"x","metadata":{"a":${deep}}}}`,
  });
  assertEquals(res.status, 400);
  assertMatch((await res.json()).error.message, /nested deeper/);
  const nul = await call(t.key, "leads.create", { name: "a\u0000b" });
  assertEquals(nul.status, 400, JSON.stringify(nul.body));
  const nulJson = await call(t.key, "leads.create", { name: "x", metadata: { "k\u0000": 1 } });
  assertEquals(nulJson.status, 400, JSON.stringify(nulJson.body));
  for (const action of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
    const r = await call(t.key, action);
    assertEquals(r.status, 400, action);
    assertMatch(r.body.error!.message, /Unknown action/);
  }
});

test("another tenant's task or post and one that does not exist look exactly alike", async () => {
  const a = await newTenant("oracle-a");
  const b = await newTenant("oracle-b");
  const theirs = await ok(b.key, "tasks.create", { title: "B's task" });
  const post = await ok(b.key, "posts.create", { title: "B's post" });
  for (const field of ["parent_task_id", "related_post_id"]) {
    const foreign = await call(a.key, "tasks.create", {
      title: "probe",
      [field]: field === "parent_task_id" ? theirs.id : post.id,
    });
    const missing = await call(a.key, "tasks.create", {
      title: "probe",
      [field]: crypto.randomUUID(),
    });
    assertEquals(foreign.status, missing.status, field);
    assertEquals(foreign.body.error, missing.body.error, field);
  }
});

test("user JWTs must expire and come from the configured issuer", async () => {
  const t = await newTenant("jwt");
  const user = await newUser(t.id, "owner");
  assertEquals((await call(await userJwt(user), "health.check")).status, 200);
  const forever = await call(await userJwt(user, { expiresIn: null }), "health.check");
  assertEquals(forever.status, 401);
  assertMatch(forever.body.error!.message, /no expiry/);
  const foreign = await call(
    await userJwt(user, { issuer: "https://evil.example/auth/v1" }),
    "health.check",
  );
  assertEquals(foreign.status, 401);
});

test("a proxy header is trusted only as far as the configured hops: the client cannot spoof its address", async () => {
  const server = await startServer({
    ORA_CLIENT_IP_HEADER: "x-forwarded-for",
    ORA_CLIENT_IP_TRUSTED_HOPS: "1",
  });
  try {
    const t = await newTenant("xff");
    const k = await ok(t.key, "keys.create", { name: "office", allowed_ips: ["203.0.113.9"] });
    const url = `${server.url}/ora`;
    // the client prepends the allowed address; the proxy appends the real one
    const spoofed = await postTo(url, k.key, "leads.list", {}, {
      "x-forwarded-for": "203.0.113.9, 198.51.100.7",
    });
    assertEquals(spoofed.status, 403);
    const real = await postTo(url, k.key, "leads.list", {}, {
      "x-forwarded-for": "198.51.100.7, 203.0.113.9",
    });
    assertEquals(real.status, 200);
    // garbage is no address at all, and the request is still logged
    const junk = await postTo(url, t.key, "leads.list", {}, { "x-forwarded-for": "aa, 1.2.3.4.5" });
    assertEquals(junk.status, 200);
    await eventually(async () =>
      (await db`select client_ip from public.request_log where request_id = ${junk.body.requestId}`)
        .length === 1
    );
  } finally {
    await server.stop();
  }
});

test("claims are fair across tenants: one tenant's high-priority burst does not starve another's", async () => {
  const a = await newTenant("burst", { packs: ["industrial"] });
  const b = await newTenant("quiet", { packs: ["industrial"] });
  for (const t of [a, b]) {
    await ok(t.key, "settings.update", { wake_workers: false });
    await ok(SERVICE_KEY, "tenants.update", { id: t.id, limits: { max_concurrent_sessions: 100 } });
  }
  const burst = await Promise.all(
    Array.from(
      { length: 40 },
      (_, i) => ok(a.key, "agents.run", { agent: "pdm", query: `burst ${i}`, priority: 90 }),
    ),
  );
  const quiet = await ok(b.key, "agents.run", { agent: "pdm", query: "me too", priority: 0 });
  const ids = [...burst.map((s) => s.id), quiet.id];
  // a worker with one slot: the order of starts is the order of claims
  await fetch(`${config.SUPABASE_URL}/functions/v1/agent-worker`, {
    method: "POST",
    headers: { authorization: `Bearer ${SERVICE_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ concurrency: 1, budget_ms: 30_000, reason: "fairness-test" }),
  }).then((r) => r.body?.cancel());
  await eventually(
    async () => {
      const [{ n }] = await db`select count(*)::int as n from public.runs
      where id = any(${ids}) and status = 'completed'`;
      return n === ids.length;
    },
    60_000,
    200,
  );
  // of the burst still waiting when the quiet tenant's run arrived, how many started before it?
  const [{ ahead, waiting }] = await db`
    select count(*) filter (where a.started_at < q.started_at)::int as ahead, count(*)::int as waiting
    from public.runs q, public.runs a
    where q.id = ${quiet.id} and a.id = any(${burst.map((s) => s.id)})
      and coalesce(a.started_at, 'infinity') > q.created_at`;
  console.log(
    `    ${ahead} of ${waiting} waiting burst sessions started before the quiet tenant's`,
  );
  assert(waiting >= 20, `enough of the burst was still waiting (${waiting})`);
  assert(ahead <= 4, `${ahead} burst sessions went first`);
});

test("sessions.wait holds no connection while it waits", async () => {
  const t = await newTenant("waitconn", { packs: ["industrial"] });
  await ok(t.key, "settings.update", { wake_workers: false });
  const s = await ok(t.key, "agents.run", { agent: "pdm", query: "slow" });
  const waiting = fetch(MANAGER_URL, {
    method: "POST",
    headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
    body: JSON.stringify({ action: "sessions.wait", data: { id: s.id, wait_ms: 1500 } }),
  }).then((r) => r.json());
  let busy = 0;
  let inTransaction = 0;
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const [{ active, idle_tx }] = await db`select
        count(*) filter (where state = 'active')::int as active,
        count(*) filter (where state like 'idle in transaction%'
          and clock_timestamp() - state_change > interval '150 milliseconds')::int as idle_tx
      from pg_stat_activity where application_name = 'orchestration-manager'`;
    if (active > 0) busy++;
    if (idle_tx > 0) inTransaction++;
  }
  // each poll is a short transaction of its own; between polls (sleeps of up to 250 ms) no
  // transaction stays open — a sample may catch a poll between its statements, never idle for
  // long — and a connection is busy only for the poll itself (a loaded machine makes polls
  // slower, not longer-held)
  assertEquals(inTransaction, 0, "no transaction stays open while the request waits");
  assert(busy <= 8, `a connection was busy in ${busy} of 20 samples`);
  const answer = await waiting;
  assertEquals(answer.data.session.id, s.id);
});

test("Db.once: one statement as the tenant under RLS in one message; a failing one rolls back and the connection serves the next", async () => {
  const a = await newTenant("once-a");
  const b = await newTenant("once-b");
  await ok(a.key, "leads.create", { name: "Lead of A" });
  await ok(b.key, "leads.create", { name: "Lead of B" });
  const pool = new Db({ ...config, ORA_DB_POOL_SIZE: 1 }, "once-test");
  try {
    const asA = { role: "authenticated" as const, claims: { tenant_id: a.id, scopes: ["*"] } };
    const rows = await pool.once<{ name: string }>(asA, "select name from public.leads");
    assertEquals(rows.map((r) => r.name), ["Lead of A"], "RLS: only the tenant's rows");
    let failed = "";
    try {
      await pool.once(asA, "select 1 / 0");
    } catch (e) {
      failed = String((e as Error).message);
    }
    assertMatch(failed, /division by zero/);
    // the one connection is usable again: no aborted transaction left behind
    const [n] = await pool.once<{ n: number }>(asA, "select count(*)::int as n from public.leads");
    assertEquals(n.n, 1);
  } finally {
    await pool.end();
  }
});

test("key usage flushes and a tenant's deletion cannot deadlock: the flush locks the tenant before its keys", async () => {
  const t = await newTenant("usage-vs-delete");
  // two more keys; the cascade walks a tenant's keys newest first (api_keys_tenant_idx), so it
  // locks `second` and then waits for `first`
  const first = await ok(t.key, "keys.create", { name: "first", scopes: ["leads:read"] });
  const second = await ok(t.key, "keys.create", { name: "second", scopes: ["leads:read"] });
  const use = (id: string) =>
    JSON.stringify([{ id, n: 1, at: new Date().toISOString(), ip: null }]);
  const flush = await db.reserve();
  const remover = await db.reserve();
  try {
    await flush`begin`;
    // one batch holds `first` while the tenant is being deleted…
    await flush`select app.api_key_usage_record(${use(first.id)}::text::jsonb)`;
    const deleting = remover`delete from public.tenants where id = ${t.id}`.then(
      () => "deleted",
      (e) => `the delete failed: ${e.message}`,
    );
    await eventually(
      async () => {
        const [w] = await db`select count(*)::int as n from pg_stat_activity
        where wait_event_type = 'Lock' and query like 'delete from public.tenants%'`;
        return w.n > 0;
      },
      5_000,
      20,
    );
    // …and then touches `second`: when the flush locked keys without their tenant, the cascade
    // held `second` and waited for `first` — a deadlock (CI hit it between a test's cleanup and
    // the gateway's usage flush)
    await flush`select app.api_key_usage_record(${use(second.id)}::text::jsonb)`;
    await flush`commit`;
    assertEquals(await deleting, "deleted");
    const [{ n }] =
      await db`select count(*)::int as n from public.api_keys where tenant_id = ${t.id}`;
    assertEquals(n, 0);
  } finally {
    flush.release();
    remover.release();
  }
});
