// The tool registry's contracts, LLM names and allowlists; the sandbox's seeded data; the HTTP
// adapter's request building.
import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { buildRequest, type IntegrationRow } from "../../_shared/tools/adapters.ts";
import { isAllowed, llmName, toolName, TOOLS, toolSpecsFor } from "../../_shared/tools/registry.ts";
import { fnv1a } from "../../_shared/platform/seeded.ts";
import { rng, seededId, series, signalOf, valueAt } from "../../_shared/tools/sandbox.ts";

Deno.test("the registry holds the 22 tools of seed 004 §3.2 and the site's own, each a complete contract", () => {
  const names = [...TOOLS.keys()];
  const byIntegration = (i: string) => names.filter((n) => n.startsWith(`${i}.`)).length;
  assertEquals(
    ["cmms", "scada", "historian", "erp", "notify", "hse", "compliance"].map(byIntegration),
    [5, 4, 3, 3, 5, 1, 1],
  );
  for (const t of TOOLS.values()) {
    assert(t.description.length > 10, t.name);
    assert(["read", "write"].includes(t.access), t.name);
    assert(
      t.integration === "site" ? !!t.site !== !!t.direct : !!t.sandbox,
      `${t.name} has its adapter code`,
    );
    if (t.direct) assertEquals(t.access, "read", `${t.name}: only reads run outside a transaction`);
    if (t.access === "read") assertEquals(t.risk, "none", `${t.name}: reads carry no risk`);
    else assert(t.risk !== "none", `${t.name}: writes carry a risk class`);
  }
  assertEquals(TOOLS.get("scada.set_setpoint")!.risk, "critical");
  assert(!names.some((n) => /sql|shell|exec|fetch|url|http/.test(n)), "no open-ended tools");
});

Deno.test("LLM function names have no dots and map back; allowlists take exact names and <integration>.*", () => {
  for (const n of TOOLS.keys()) {
    assert(/^[a-zA-Z0-9_-]{1,64}$/.test(llmName(n)), llmName(n));
    assertEquals(toolName(llmName(n)), n);
  }
  assertEquals(toolName("nope__tool"), "nope__tool");
  assert(isAllowed(["cmms.*"], "cmms.create_work_order"));
  assert(isAllowed(["get_time"], "get_time"));
  assert(!isAllowed(["cmms.*"], "scada.set_setpoint"));
  assert(!isAllowed(["*"], "scada.set_setpoint"), "no catch-all allowlist");
  const specs = toolSpecsFor(["cmms.*", "get_time", "no_such_tool"], ["cmms.assign_technician"]);
  assertEquals(specs.map((s) => s.function.name).sort(), [
    "cmms__create_work_order",
    "cmms__get_work_order",
    "cmms__search_work_orders",
    "cmms__update_work_order_status",
    "get_time",
  ]);
  for (const s of specs) {
    assertEquals(s.function.parameters.type, "object");
    assert(!("$schema" in s.function.parameters));
  }
  assert(specs.find((s) => s.function.name === "cmms__create_work_order")!.function.description
    .includes("approval"));
});

Deno.test("the sandbox is seeded: the same tenant, tag and time give the same data", () => {
  assertEquals(fnv1a("abc"), fnv1a("abc"));
  const a = rng("seed");
  const b = rng("seed");
  assertEquals([a(), a(), a()], [b(), b(), b()]);
  assertEquals(seededId("WO", "k"), seededId("WO", "k"));
  assert(/^WO-\d{6}$/.test(seededId("WO", "k")));
  const now = new Date("2026-11-25T10:00:00Z");
  const s1 = series("t1", "P-101.VIB", new Date("2026-11-18T10:00:00Z"), now, "1h", 500, now);
  const s2 = series("t1", "P-101.VIB", new Date("2026-11-18T10:00:00Z"), now, "1h", 500, now);
  assertEquals(s1, s2);
  assertEquals(s1.points.length, 169);
  // P-101's vibration rises about 40 % over the week (the demo's story)
  const first = s1.points.slice(0, 24).reduce((x, p) => x + p.v, 0) / 24;
  const last = s1.points.slice(-24).reduce((x, p) => x + p.v, 0) / 24;
  assert(last / first > 1.25 && last / first < 1.5, `${first} → ${last}`);
  assertEquals(signalOf("t1", "P-101.VIB").unit, "mm/s");
  assert(valueAt("t1", "C-201.PRESS", now, now) !== valueAt("t2", "C-201.PRESS", now, now));
  const capped = series("t1", "P-101.VIB", new Date("2026-11-01T00:00:00Z"), now, "1m", 48, now);
  assert(capped.points.length <= 48, "the interval widens to at most max_points");
});

Deno.test("http requests: the default POST <base>/<tool>, or a route with path and query arguments", () => {
  const integ = {
    base_url: "https://cmms.example.com/api/",
    routes: {
      "cmms.get_work_order": { method: "GET", path: "/work_orders/{work_order_id}" },
      "cmms.create_work_order": { method: "POST", path: "/assets/{asset_id}/work_orders" },
    },
  } as unknown as IntegrationRow;
  const get = buildRequest(integ, "cmms.get_work_order", { work_order_id: "WO 1/2", x: 1 });
  assertEquals([get.method, get.url.href, get.body], [
    "GET",
    "https://cmms.example.com/api/work_orders/WO%201%2F2?x=1",
    undefined,
  ]);
  const post = buildRequest(integ, "cmms.create_work_order", { asset_id: "P-1", title: "t" });
  assertEquals([post.url.pathname, JSON.parse(post.body!)], [
    "/api/assets/P-1/work_orders",
    { title: "t" },
  ]);
  const plain = buildRequest(integ, "cmms.search_work_orders", { status: "open" });
  assertEquals([plain.method, plain.url.pathname, JSON.parse(plain.body!)], [
    "POST",
    "/api/cmms.search_work_orders",
    { tool: "cmms.search_work_orders", arguments: { status: "open" } },
  ]);
  assertThrows(() => buildRequest({ ...integ, base_url: "not a url" }, "x", {}));
});
