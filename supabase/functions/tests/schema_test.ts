// GET /functions/v1/ora: the machine-readable schema of every action, and docs/api.md kept true.
import { assert, assertEquals } from "./_assert.ts";
import { actions } from "../ora/actions/index.ts";
import { updateDoc } from "../../../scripts/gen-api-docs.ts";
import { call, ORA_URL, SERVICE_KEY, test } from "./_helpers.ts";

test("GET returns the schema without credentials, listing every action with JSON Schema params", async () => {
  const res = await fetch(ORA_URL);
  assertEquals(res.status, 200);
  assert(res.headers.get("x-request-id"));
  const doc = await res.json();
  assertEquals(doc.name, "ora");
  assert(/^\d+\.\d+\.\d+$/.test(doc.version));
  assertEquals(doc.authentication.type, "bearer");
  assertEquals(Object.keys(doc.actions).sort(), [...actions.keys()].sort());
  for (const [name, a] of Object.entries<Record<string, unknown>>(doc.actions)) {
    assert(
      typeof a.description === "string" && a.description.length > 10,
      `${name} has a description`,
    );
    assert(typeof a.returns === "string" && a.returns.length > 0, `${name} says what it returns`);
    const params = a.params as { type: string; properties?: Record<string, unknown> };
    assertEquals(params.type, "object", `${name} params are an object schema`);
    assert(typeof a.scope === "string");
  }
  for (
    const name of [
      "keys.list",
      "keys.create",
      "keys.revoke",
      "keys.rotate",
      "tenants.create",
      "health.check",
    ]
  ) {
    assert(doc.actions[name], `${name} is published`);
  }
  for (const verb of ["list", "get", "create", "update", "delete"]) {
    assert(
      doc.actions[`leads.${verb}`] && doc.actions[`posts.${verb}`],
      `leads.${verb} and posts.${verb}`,
    );
  }
  assertEquals(doc.actions["leads.create"].params.required, ["name"]);
  assertEquals(doc.actions["tenants.create"].scope, "service_role");
});

test("every published params schema accepts the example a client would build from it", async () => {
  // A client reading the schema builds requests from required fields only; they must validate.
  const doc = await (await fetch(ORA_URL)).json();
  const examples: Record<string, Record<string, unknown>> = {
    "leads.create": { name: "Schema Client" },
    "posts.create": { title: "Schema client post" },
    "keys.create": { name: "schema client" },
  };
  for (const [name, data] of Object.entries(examples)) {
    for (const req of doc.actions[name].params.required ?? []) {
      assert(req in data, `${name} example has ${req}`);
    }
  }
  const t = await call(SERVICE_KEY, "tenants.create", {
    name: "Schema",
    slug: `schema-${crypto.randomUUID().slice(0, 8)}`,
  });
  const key = (t.body.data as { key: { key: string } }).key.key;
  for (const [name, data] of Object.entries(examples)) {
    assertEquals((await call(key, name, data)).status, 200, name);
  }
});

test("docs/api.md carries the current action references (ora and orchestration-manager)", async () => {
  const doc = await Deno.readTextFile(new URL("../../../docs/api.md", import.meta.url));
  assertEquals(updateDoc(doc), doc, "run: npm run docs:api");
});

test("orchestration-manager publishes its schema too", async () => {
  const res = await fetch(ORA_URL.replace("/ora", "/orchestration-manager"));
  const doc = await res.json();
  assertEquals(doc.name, "orchestration-manager");
  assertEquals(Object.keys(doc.actions).sort(), [
    "sessions.cancel",
    "sessions.list",
    "sessions.spawn",
    "sessions.status",
    "sessions.wait",
  ]);
});
