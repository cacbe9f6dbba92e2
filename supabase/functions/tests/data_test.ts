// leads.* and posts.* end to end, event_log, and tenant isolation through the API.
import { assert, assertEquals } from "./_assert.ts";
import { call, db, eventually, newTenant, ok, test } from "./_helpers.ts";

test("leads: create, get, update, list with filters and pagination, delete", async () => {
  const t = await newTenant("leads");
  const ada = await ok(t.key, "leads.create", {
    name: "Ada",
    email: "ada@example.com",
    ai_score: 91,
    source: "organic",
  });
  assertEquals(ada.tenant_id, t.id);
  assertEquals(ada.status, "new");
  assertEquals((await ok(t.key, "leads.get", { id: ada.id })).email, "ada@example.com");
  const upd = await ok(t.key, "leads.update", { id: ada.id, status: "qualified" });
  assertEquals(upd.status, "qualified");
  assert(Date.parse(upd.updated_at) >= Date.parse(ada.updated_at));
  for (let i = 0; i < 5; i++) {
    await ok(t.key, "leads.create", { name: `Lead ${i}`, ai_score: i * 10, company: `Acme ${i}` });
  }

  assertEquals(
    (await ok(t.key, "leads.list", { min_score: 80 })).items.map((l: { name: string }) => l.name),
    ["Ada"],
  );
  assertEquals((await ok(t.key, "leads.list", { search: "acme 3" })).items.length, 1);
  assertEquals((await ok(t.key, "leads.list", { status: "qualified" })).items.length, 1);

  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(t.key, "leads.list", { limit: 2, cursor });
    assert(page.items.length <= 2);
    seen.push(...page.items.map((l: { id: string }) => l.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  assertEquals(seen.length, 6);
  assertEquals(new Set(seen).size, 6, "pages never repeat a row");

  assertEquals((await ok(t.key, "leads.delete", { id: ada.id })).deleted, true);
  const gone = await call(t.key, "leads.get", { id: ada.id });
  assertEquals(gone.status, 404);
  assertEquals(gone.body.error!.code, "NOT_FOUND");
});

test("a lead created through the API appears in event_log with its tenant", async () => {
  const t = await newTenant("ev");
  const lead = await ok(t.key, "leads.create", { name: "Evented", ai_score: 85 });
  await ok(t.key, "leads.update", { id: lead.id, ai_score: 90 });
  await ok(t.key, "leads.delete", { id: lead.id });
  const rows = await db`
    select event_type, event_source, payload from public.event_log
    where tenant_id = ${t.id} and (payload -> 'new' ->> 'id' = ${lead.id} or payload -> 'old' ->> 'id' = ${lead.id})
    order by created_at`;
  assertEquals(rows.map((r) => r.event_type), ["leads.INSERT", "leads.UPDATE", "leads.DELETE"]);
  assertEquals(rows[0].event_source, "database");
  assertEquals(rows[0].payload.new.name, "Evented");
  assertEquals(rows[1].payload.old.ai_score, 85);
  assertEquals(rows[1].payload.new.ai_score, 90);
  assertEquals(rows[2].payload.new, null);
});

test("posts: slug from title, unique per tenant, publish, filters", async () => {
  const t = await newTenant("posts");
  const p = await ok(t.key, "posts.create", { title: "Héllo, World! 2026", tags: ["news"] });
  assertEquals(p.slug, "hello-world-2026");
  assertEquals(p.status, "draft");
  const dup = await call(t.key, "posts.create", {
    title: "Hello World 2026",
    slug: "hello-world-2026",
  });
  assertEquals(dup.status, 409);
  assertEquals(dup.body.error!.code, "CONFLICT");
  const other = await newTenant("posts2");
  assertEquals(
    (await call(other.key, "posts.create", { title: "Hello World 2026" })).status,
    200,
    "slugs are per tenant",
  );
  const pub = await ok(t.key, "posts.publish", { id: p.id });
  assertEquals(pub.status, "published");
  assert(pub.published_at);
  assertEquals(
    (await ok(t.key, "posts.list", { status: "published", tag: "news" })).items.length,
    1,
  );
  assertEquals((await ok(t.key, "posts.list", { slug: "hello-world-2026" })).items[0].id, p.id);
  const events = await eventually(async () => {
    const r =
      await db`select event_type from public.event_log where tenant_id = ${t.id} order by created_at`;
    return r.length >= 2 ? r : null;
  });
  assertEquals(events.map((e) => e.event_type), ["blog_posts.INSERT", "blog_posts.UPDATE"]);
});

test("another tenant's key sees, changes and deletes none of the first tenant's data", async () => {
  const a = await newTenant("iso-a");
  const b = await newTenant("iso-b");
  const lead = await ok(a.key, "leads.create", { name: "Secret lead", email: "secret@a.example" });
  const post = await ok(a.key, "posts.create", { title: "Secret post" });
  const keyA = (await ok(a.key, "keys.list")).items[0];

  assertEquals((await ok(b.key, "leads.list")).items.length, 0);
  assertEquals((await ok(b.key, "posts.list")).items.length, 0);
  assertEquals((await ok(b.key, "keys.list")).items.length, 1, "only its own key");
  for (
    const [action, data] of [
      ["leads.get", { id: lead.id }],
      ["leads.update", { id: lead.id, name: "pwned" }],
      ["leads.delete", { id: lead.id }],
      ["posts.get", { id: post.id }],
      ["posts.update", { id: post.id, title: "pwned" }],
      ["posts.publish", { id: post.id }],
      ["posts.delete", { id: post.id }],
      ["keys.revoke", { id: keyA.id }],
      ["keys.rotate", { id: keyA.id }],
    ] as const
  ) {
    const r = await call(b.key, action, data);
    assertEquals(r.status, 404, `${action} must be 404 across tenants`);
    assert(!JSON.stringify(r.body).includes("Secret"), "nothing leaked");
  }
  assertEquals((await ok(a.key, "leads.get", { id: lead.id })).name, "Secret lead");
  assertEquals((await ok(a.key, "posts.get", { id: post.id })).status, "draft");
  assertEquals((await call(a.key, "leads.list")).status, 200, "A's key still works");
  const evB = await db`select count(*)::int as n from public.event_log where tenant_id = ${b.id}`;
  assertEquals(evB[0].n, 0, "B's failed attempts wrote no events");
});

test("the request log records request id, key, action, status and duration", async () => {
  const t = await newTenant("log");
  const r = await call(t.key, "leads.list", {}, { "x-request-id": `log-${crypto.randomUUID()}` });
  const rid = r.headers.get("x-request-id")!;
  const row = await eventually(async () =>
    (await db`select * from public.request_log where request_id = ${rid}`)[0]
  );
  assertEquals(row.tenant_id, t.id);
  assertEquals(row.api_key_id, t.keyId);
  assertEquals(row.action, "leads.list");
  assertEquals(row.status, 200);
  assertEquals(row.function_name, "ora");
  assert(Number(row.duration_ms) > 0);
});
