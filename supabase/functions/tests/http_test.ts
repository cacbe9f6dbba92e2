// The HTTP contract: envelope, request ids, CORS, body limits, malformed input.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { call, config, newTenant, ORA_URL, test } from "./_helpers.ts";

async function post(body: BodyInit, headers: Record<string, string> = {}) {
  const t = await newTenant("http");
  const res = await fetch(ORA_URL, {
    method: "POST",
    headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

test("a body over the limit is refused with 413 before it is parsed", async () => {
  const big = JSON.stringify({
    action: "leads.create",
    data: { name: "x", notes: "a".repeat(config.ORA_MAX_BODY_BYTES) },
  });
  const r = await post(big);
  assertEquals(r.status, 413);
  assertEquals(r.body.error.code, "PAYLOAD_TOO_LARGE");
  assertEquals(r.body.error.details.maxBytes, config.ORA_MAX_BODY_BYTES);
});

test("a streamed body without content-length is cut off at the limit with 413", async () => {
  const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent > config.ORA_MAX_BODY_BYTES * 2) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const r = await post(stream);
  assertEquals(r.status, 413);
  assertEquals(r.body.error.code, "PAYLOAD_TOO_LARGE");
});

test("malformed JSON is a 400 that says so", async () => {
  const r = await post('{"action": "leads.list", "data": {');
  assertEquals(r.status, 400);
  assertEquals(r.body.error.code, "VALIDATION_ERROR");
  assertMatch(r.body.error.message, /not valid JSON/);
  const empty = await post("");
  assertEquals(empty.status, 400);
});

test("an envelope without an action, or with extra fields, is a 400 with zod issues", async () => {
  const r = await post(JSON.stringify({ data: {} }));
  assertEquals(r.status, 400);
  assertEquals(r.body.error.code, "VALIDATION_ERROR");
  assert(Array.isArray(r.body.error.details) && r.body.error.details[0].path === "action");
  const extra = await post(JSON.stringify({ action: "leads.list", data: {}, sneaky: 1 }));
  assertEquals(extra.status, 400);
  const notObject = await post(JSON.stringify({ action: "leads.list", data: [1, 2] }));
  assertEquals(notObject.status, 400);
});

test("invalid action data is a 400 naming the field, with every issue in details", async () => {
  const t = await newTenant("http");
  const r = await call(t.key, "leads.create", { name: "", email: "nope", ai_score: 101 });
  assertEquals(r.status, 400);
  assertEquals(r.body.error!.code, "VALIDATION_ERROR");
  const paths = (r.body.error!.details as { path: string }[]).map((d) => d.path).sort();
  assertEquals(paths, ["ai_score", "email", "name"]);
  const unknownField = await call(t.key, "leads.create", { name: "A", favourite_colour: "blue" });
  assertEquals(unknownField.status, 400);
});

test("an unknown action names the closest actions", async () => {
  const t = await newTenant("http");
  const r = await call(t.key, "leads.lst");
  assertEquals(r.status, 400);
  const suggestions = (r.body.error!.details as { suggestions: string[] }).suggestions;
  assertEquals(suggestions[0], "leads.list");
  assertMatch(r.body.error!.message, /did you mean leads\.list/);
});

test("x-request-id is echoed when well-formed and generated otherwise", async () => {
  const t = await newTenant("http");
  const mine = await call(t.key, "health.check", {}, { "x-request-id": "client-req-12345" });
  assertEquals(mine.headers.get("x-request-id"), "client-req-12345");
  assertEquals(mine.body.requestId, "client-req-12345");
  const bad = await call(t.key, "health.check", {}, { "x-request-id": "bad id with spaces" });
  assertMatch(bad.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
});

test("OPTIONS answers CORS; other methods get 405 in the envelope", async () => {
  const pre = await fetch(ORA_URL, { method: "OPTIONS" });
  await pre.body?.cancel();
  assertEquals(pre.status, 204);
  assertEquals(pre.headers.get("access-control-allow-origin"), "*");
  assertMatch(pre.headers.get("access-control-allow-headers")!, /authorization/);
  const put = await fetch(ORA_URL, { method: "PUT", body: "{}" });
  const body = await put.json();
  assertEquals(put.status, 405);
  assertEquals(body.error.code, "METHOD_NOT_ALLOWED");
});

test("server faults never leak internals", async () => {
  const t = await newTenant("http");
  // A cursor that decodes to garbage is a clean 400, not a database error.
  const r = await call(t.key, "leads.list", { cursor: "%%%not-base64" });
  assertEquals(r.status, 400);
  assert(!JSON.stringify(r.body).match(/postgres|stack|at \w+ \(/i));
});
