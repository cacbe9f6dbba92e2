// The tool-executor and the generic HTTP adapter against a loopback endpoint: retries with the
// same Idempotency-Key and a credential bound to its origin, the circuit breaker, routes,
// per-integration rate limits and concurrency, and a redelivered job that executes once.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { call, db, eventually, newTenant, ok, test } from "./_helpers.ts";
import { approverKey, auditEvents, execute } from "./_tools.ts";

interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

/** A loopback endpoint answering from `script`, recording every request. */
function endpoint(script: (n: number, req: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const s = {
      method: req.method,
      path: url.pathname + url.search,
      headers: req.headers,
      body: await req.text(),
    };
    seen.push(s);
    return await script(seen.length, s);
  });
  const origin = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  return { origin, seen, close: () => server.shutdown() };
}

const TOKEN = "cmms-token-0123456789";

async function httpTenant(label: string, origin: string, extra: Record<string, unknown> = {}) {
  const t = await newTenant(label);
  await ok(t.key, "secrets.set", { name: "cmms_token", value: TOKEN, origin });
  await ok(t.key, "integrations.upsert", {
    key: "cmms",
    adapter: "http",
    base_url: `${origin}/api`,
    credential_secret: "cmms_token",
    max_retries: 2,
    timeout_ms: 5000,
    ...extra,
  });
  return t;
}

test("http adapter: 503s are retried with the same Idempotency-Key and the credential bound to its origin", async () => {
  const ep = endpoint((n) =>
    n <= 2
      ? new Response("busy", { status: 503 })
      : Response.json({ work_order_id: "WO-123456", status: "open", source: "real cmms" })
  );
  try {
    const t = await httpTenant("ex-retry", ep.origin);
    const r = await execute(t.key, {
      tool: "cmms.get_work_order",
      arguments: { work_order_id: "WO-123456" },
    });
    assertEquals(r.status, "executed", JSON.stringify(r));
    assertEquals(r.result.source, "real cmms");
    assertEquals(ep.seen.length, 3);
    for (const s of ep.seen) {
      assertEquals([s.method, s.path], ["POST", "/api/cmms.get_work_order"]);
      assertEquals(s.headers.get("authorization"), `Bearer ${TOKEN}`);
      assertEquals(JSON.parse(s.body), {
        tool: "cmms.get_work_order",
        arguments: { work_order_id: "WO-123456" },
      });
    }
    const keys = new Set(ep.seen.map((s) => s.headers.get("idempotency-key")));
    assertEquals(keys.size, 1, "every retry carries the same Idempotency-Key");
    assertEquals(await auditEvents({ tenantId: t.id }), ["credential_read", "executed"]);
    const [read] = await db`select purpose from app.secret_access_log
      where tenant_id = ${t.id} and action = 'read' order by at desc limit 1`;
    assertEquals(read.purpose, `tool:cmms → ${ep.origin}`);
    const [b] =
      await db`select state, fail_count from public.circuit_breakers where tenant_id = ${t.id}`;
    assertEquals([b.state, b.fail_count], ["closed", 0], "the success closed the count");
  } finally {
    await ep.close();
  }
});

test("http adapter: a failing endpoint opens the breaker, and calls then fail fast without reaching it", async () => {
  const ep = endpoint(() => new Response("down", { status: 503 }));
  try {
    const t = await httpTenant("ex-breaker", ep.origin, { max_retries: 1 });
    await ok(t.key, "settings.update", {
      breaker_failure_threshold: 2,
      breaker_cooldown_seconds: 60,
    });
    const first = await execute(t.key, {
      tool: "cmms.search_work_orders",
      arguments: { asset_id: "P-101" },
    });
    assertEquals([first.status, first.error.code], ["failed", "HTTP_503"]);
    assertEquals(ep.seen.length, 2, "one try and one retry");
    const second = await execute(t.key, {
      tool: "cmms.search_work_orders",
      arguments: { asset_id: "P-101" },
    });
    assertEquals([second.status, second.error.code], ["failed", "BREAKER_OPEN"]);
    assertEquals(ep.seen.length, 2, "the open breaker kept the call from the endpoint");
    const [b] = await db`select key, state from public.circuit_breakers where tenant_id = ${t.id}`;
    assertEquals([b.key, b.state], ["tool:cmms", "open"]);
  } finally {
    await ep.close();
  }
});

test("a credential is bound to its origin: an integration elsewhere cannot use it", async () => {
  const t = await newTenant("ex-origin");
  await ok(t.key, "secrets.set", {
    name: "cmms_token",
    value: TOKEN,
    origin: "https://cmms.example.com",
  });
  const r = await call(t.key, "integrations.upsert", {
    key: "cmms",
    adapter: "http",
    base_url: "https://evil.example.net/api",
    credential_secret: "cmms_token",
  });
  assertEquals(r.status, 400);
  assertMatch(r.body.error!.message, /bound to https:\/\/cmms\.example\.com/);
  // even if the row were written behind the API's back, the database refuses to decrypt it
  await db`insert into public.tool_integrations (tenant_id, key, adapter, base_url, credential_secret)
    values (${t.id}, 'cmms', 'http', 'http://127.0.0.1:9/api', 'cmms_token')`;
  const got = await execute(t.key, {
    tool: "cmms.get_work_order",
    arguments: { work_order_id: "WO-1234" },
  });
  assertEquals([got.status, got.error.code], ["failed", "CREDENTIAL_ORIGIN"]);
  const [refusal] = await db`select action from app.secret_access_log
    where tenant_id = ${t.id} order by at desc limit 1`;
  assertEquals(refusal.action, "refused");
});

test("writes go through the executor: the route, the body, before and after from the endpoint", async () => {
  const ep = endpoint(() =>
    Response.json({
      result: { work_order_id: "WO-900001", status: "open" },
      before: null,
      after: { work_order_id: "WO-900001", status: "open" },
    }, { status: 201 })
  );
  try {
    const t = await httpTenant("ex-write", ep.origin, {
      routes: {
        "cmms.create_work_order": { method: "POST", path: "/assets/{asset_id}/work_orders" },
      },
    });
    await approverKey(t.key);
    await ok(t.key, "policies.upsert", {
      name: "all work orders",
      tool: "cmms.create_work_order",
      effect: "allow",
    });
    const r = await execute(t.key, {
      tool: "cmms.create_work_order",
      mode: "autonomous",
      idempotency_key: "wo-1",
      arguments: { asset_id: "P-101", title: "Seal leak" },
    });
    assertEquals(r.status, "executed", JSON.stringify(r));
    assertEquals(r.result.work_order_id, "WO-900001");
    assertEquals(r.after, { work_order_id: "WO-900001", status: "open" });
    assertEquals(ep.seen.length, 1);
    assertEquals(ep.seen[0].path, "/api/assets/P-101/work_orders");
    assertEquals(JSON.parse(ep.seen[0].body), {
      title: "Seal leak",
      priority: "medium",
      work_type: "corrective",
    });
    assertMatch(ep.seen[0].headers.get("idempotency-key")!, /^api:key:.+:wo-1$/);
    assertEquals(await auditEvents({ tenantId: t.id }), ["allowed", "credential_read", "executed"]);
  } finally {
    await ep.close();
  }
});

test("per-integration limits: over the rate limit or the concurrency cap a read waits its turn", async () => {
  const ep = endpoint(async () => {
    await new Promise((r) => setTimeout(r, 400));
    return Response.json({ items: [] });
  });
  try {
    const t = await httpTenant("ex-limits", ep.origin, { max_concurrency: 1 });
    const q = { tool: "cmms.search_work_orders", arguments: {} };
    const [a, b] = await Promise.all([execute(t.key, q), execute(t.key, q)]);
    const statuses = [a, b].map((x) => x.status === "executed" ? "executed" : x.error.code).sort();
    assertEquals(statuses, ["CONCURRENCY_LIMITED", "executed"]);

    await ok(t.key, "integrations.upsert", {
      key: "cmms",
      adapter: "http",
      base_url: `${ep.origin}/api`,
      credential_secret: "cmms_token",
      rate_limit_per_minute: 2,
    });
    // keep the three calls inside one calendar minute
    const s = new Date().getUTCSeconds();
    if (s > 50) await new Promise((r) => setTimeout(r, (61 - s) * 1000));
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await execute(t.key, q));
    assertEquals(results.map((x) => x.status), ["executed", "executed", "failed"]);
    assertEquals(results[2].error.code, "RATE_LIMITED");
    assert(results[2].error.retry_after_ms > 0);
  } finally {
    await ep.close();
  }
});

test("a redelivered tool job executes once; a write cut off mid-request is not sent again", async () => {
  const t = await newTenant("ex-once");
  await approverKey(t.key);
  await ok(t.key, "policies.upsert", {
    name: "work orders",
    tool: "cmms.create_work_order",
    effect: "allow",
  });
  const r = await execute(t.key, {
    tool: "cmms.create_work_order",
    mode: "autonomous",
    arguments: { asset_id: "P-102", title: "Once" },
  });
  assertEquals(r.status, "executed");
  // the same message delivered again (at-least-once queues do that)
  await db`select pgmq.send('tool_calls', ${
    db.json({ tool_call_id: r.tool_call_id, tenant_id: t.id })
  })`;
  await db`select app.queue_wake('tool_calls')`;
  await eventually(async () => {
    const [q] = await db`select count(*)::int as n from pgmq.q_tool_calls
      where message ->> 'tool_call_id' = ${r.tool_call_id}`;
    return q.n === 0;
  });
  const [counts] = await db`select
    (select count(*) from public.tool_sandbox_records where tenant_id = ${t.id})::int as records,
    (select count(*) from public.tool_audit where tenant_id = ${t.id} and event = 'executed')::int as executed,
    (select attempts from public.tool_calls where id = ${r.tool_call_id}) as attempts`;
  assertEquals([counts.records, counts.executed, counts.attempts], [1, 1, 1]);
  const [archived] = await db`select count(*)::int as n from pgmq.a_tool_calls
    where message ->> 'tool_call_id' = ${r.tool_call_id}`;
  assertEquals(archived.n, 2, "both deliveries were acknowledged");

  // an http write whose worker died during the request, on an endpoint without idempotent retries
  const ep = endpoint(() => Response.json({ ok: true }));
  try {
    await ok(t.key, "secrets.set", { name: "cmms_token", value: TOKEN, origin: ep.origin });
    await ok(t.key, "integrations.upsert", {
      key: "cmms",
      adapter: "http",
      base_url: ep.origin,
      credential_secret: "cmms_token",
      idempotent_retries: false,
    });
    // created and marked as started in one transaction: as if a worker had taken it and died
    // before the endpoint answered
    const c = await db.begin(async (sql) => {
      const [row] = await sql`select (app.tool_call_create(${t.id}, ${
        sql.json({
          idempotency_key: "cut-off",
          tool: "cmms.create_work_order",
          integration: "cmms",
          arguments: {
            asset_id: "P-102",
            title: "Cut off",
            priority: "medium",
            work_type: "corrective",
          },
        })
      })).*`;
      await sql`update public.tool_calls set status = 'running', attempts = 1 where id = ${row.id}`;
      return row;
    });
    const [done] = await eventually(async () => {
      const rows = await db`select status, error from public.tool_calls
        where id = ${c.id} and status = 'failed'`;
      return rows.length ? rows : null;
    });
    assertEquals(done.error.code, "OUTCOME_UNKNOWN");
    assertEquals(ep.seen.length, 0, "never sent a second time");
  } finally {
    await ep.close();
  }
});
