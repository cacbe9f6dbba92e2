// The gate through tools.execute: the three modes, the policy engine (ranges, allowlists, time
// windows in the tenant's time zone, asset criticality, amounts, deny and require_approval),
// enablement, the registry's contracts, and an audit row for every path.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { call, config, db, newTenant, ok, test } from "./_helpers.ts";
import { approve, approverKey, auditEvents, execute } from "./_tools.ts";

const READ = { tool: "scada.get_tag", arguments: { tag: "P-101.VIB" } };
const WRITE = {
  tool: "cmms.create_work_order",
  arguments: { asset_id: "P-101", title: "Check seal" },
};

async function tenant(label: string) {
  const t = await newTenant(label);
  const approver = await approverKey(t.key);
  return { ...t, approver };
}

test("assist, copilot, autonomous: reads run in every mode; writes are suggested, wait for approval, or follow policies", async () => {
  const t = await tenant("gt-modes");
  for (const mode of ["assist", "copilot", "autonomous"]) {
    const r = await execute(t.key, { ...READ, mode });
    assertEquals(r.status, "executed", `${mode}: ${JSON.stringify(r)}`);
    assertEquals(r.result.tag, "P-101.VIB");
    assertEquals(r.result.unit, "mm/s");
  }
  const assist = await execute(t.key, { ...WRITE, mode: "assist" });
  assertEquals(assist.status, "suggested");
  const copilot = await execute(t.key, { ...WRITE, mode: "copilot" });
  assertEquals(copilot.status, "pending_approval");
  assertMatch(copilot.decision.reasons[0], /copilot mode/);
  const auto = await execute(t.key, { ...WRITE, mode: "autonomous" });
  assertEquals(auto.status, "pending_approval");
  assertEquals(auto.decision.reasons, ["no policy allows cmms.create_work_order on its own"]);
  assertEquals(auto.decision.risk, {
    score: 50,
    class: "medium",
    asset: "P-101",
    criticality: "unknown",
  });
  const [{ n }] =
    await db`select count(*)::int as n from public.tool_calls where tenant_id = ${t.id}`;
  assertEquals(n, 0, "no write ran");
});

test("autonomous policies: ranges and allowlists, asset criticality, amounts; require_approval and deny win", async () => {
  const t = await tenant("gt-policies");
  await ok(t.key, "policies.upsert", {
    name: "temperature setpoints in range",
    tool: "scada.set_setpoint",
    effect: "allow",
    conditions: {
      arg_ranges: { value: { min: 40, max: 80 } },
      arg_allowlists: { tag: ["P-101.TEMP", "P-102.TEMP"] },
    },
  });
  const sp = (tag: string, value: number) =>
    execute(t.key, {
      tool: "scada.set_setpoint",
      mode: "autonomous",
      arguments: { tag, value, reason: "tuning" },
    });
  const inRange = await sp("P-101.TEMP", 70);
  assertEquals(inRange.status, "executed", JSON.stringify(inRange));
  assertEquals(inRange.after, { setpoint: 70 });
  assert(typeof (inRange.before as { setpoint: number }).setpoint === "number");
  const tooHigh = await sp("P-101.TEMP", 95);
  assertEquals(tooHigh.status, "pending_approval");
  assertMatch(tooHigh.decision.reasons[0], /value 95 is above 80/);
  const otherTag = await sp("C-201.PRESS", 50);
  assertEquals(otherTag.status, "pending_approval");
  assertMatch(otherTag.decision.reasons[0], /tag "C-201.PRESS" is not in its allowlist/);

  // criticality: allowed up to B; A and unknown assets wait
  await ok(t.key, "assets.upsert", {
    items: [{ asset_id: "P-101", criticality: "A" }, { asset_id: "K-301", criticality: "C" }],
  });
  await ok(t.key, "policies.upsert", {
    name: "work orders on minor assets",
    tool: "cmms.*",
    effect: "allow",
    conditions: { max_asset_criticality: "B" },
  });
  const wo = (asset_id: string) =>
    execute(t.key, {
      tool: "cmms.create_work_order",
      mode: "autonomous",
      arguments: { asset_id, title: "Inspect" },
    });
  assertEquals((await wo("K-301")).status, "executed");
  const critical = await wo("P-101");
  assertEquals(critical.status, "pending_approval");
  assertEquals(critical.decision.risk.score, 60, "medium (45) + criticality A (15)");
  assertMatch(critical.decision.reasons[0], /criticality A \(allowed up to B\)/);
  assertEquals((await wo("Z-999")).status, "pending_approval", "unknown criticality waits");

  // amounts
  await ok(t.key, "policies.upsert", {
    name: "small requisitions",
    tool: "erp.create_purchase_requisition",
    effect: "allow",
    conditions: { max_amount: 1000 },
  });
  const pr = (estimated_cost: number) =>
    execute(t.key, {
      tool: "erp.create_purchase_requisition",
      mode: "autonomous",
      arguments: { part_number: "BRG-6205", quantity: 2, estimated_cost, justification: "spares" },
    });
  assertEquals((await pr(500)).status, "executed");
  const big = await pr(5000);
  assertEquals(big.status, "pending_approval");
  assertMatch(big.decision.reasons[0], /amount 5000 is above 1000/);

  // require_approval beats allow; deny beats everything, in every mode, reads included
  await ok(t.key, "policies.upsert", {
    name: "no work orders on K-301 without a person",
    tool: "cmms.create_work_order",
    effect: "require_approval",
    conditions: { arg_allowlists: { asset_id: ["K-301"] } },
  });
  assertEquals((await wo("K-301")).status, "pending_approval");
  await ok(t.key, "policies.upsert", { name: "no messaging", tool: "notify.*", effect: "deny" });
  const sms = await execute(t.key, {
    tool: "notify.send_sms",
    mode: "copilot",
    arguments: { to: ["+4712345678"], message: "hi" },
  });
  assertEquals([sms.status, sms.error.code], ["refused", "policy_denied"]);
  await ok(t.key, "policies.upsert", {
    name: "no reads of C-201",
    tool: "scada.get_tag",
    effect: "deny",
    conditions: { arg_allowlists: { tag: ["C-201.PRESS"] } },
  });
  const denied = await execute(t.key, {
    tool: "scada.get_tag",
    mode: "assist",
    arguments: { tag: "C-201.PRESS" },
  });
  assertEquals(denied.status, "refused");
  assertEquals((await execute(t.key, { ...READ, mode: "assist" })).status, "executed");
});

test("time windows are read in the tenant's time zone", async () => {
  const t = await tenant("gt-window");
  const zone = "Pacific/Kiritimati"; // UTC+14: far from UTC on the clock
  await ok(t.key, "settings.update", { timezone: zone });
  const hhmm = (d: Date, tz: string) =>
    new Intl.DateTimeFormat("en-GB", {
      timeZone: tz,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(d);
  const now = Date.now();
  const window = (tz: string) => ({
    start: hhmm(new Date(now - 3_600_000), tz),
    end: hhmm(new Date(now + 3_600_000), tz),
  });
  await ok(t.key, "policies.upsert", {
    name: "reservations in office hours",
    tool: "erp.reserve_parts",
    effect: "allow",
    conditions: { time_window: window("UTC") },
  });
  const reserve = () =>
    execute(t.key, {
      tool: "erp.reserve_parts",
      mode: "autonomous",
      arguments: { part_number: "SEAL-1", quantity: 1 },
    });
  const outside = await reserve();
  assertEquals(outside.status, "pending_approval", "a window around UTC now is not now in +14");
  assertMatch(outside.decision.reasons[0], /Pacific\/Kiritimati/);
  await ok(t.key, "policies.upsert", {
    name: "reservations in office hours",
    tool: "erp.reserve_parts",
    effect: "allow",
    conditions: { time_window: window(zone) },
  });
  const inside = await reserve();
  assert(
    ["executed", "failed"].includes(inside.status),
    `inside the window it runs (it may find no stock): ${JSON.stringify(inside)}`,
  );
});

test("enablement, contracts and refusals: disabled, unknown, invalid, not the agent's", async () => {
  const t = await tenant("gt-enable");
  const off = await ok(t.key, "tools.configure", { name: "scada.get_tag", enabled: false });
  assertEquals(off.enabled, false);
  const r = await execute(t.key, READ);
  assertEquals([r.status, r.error.code], ["refused", "tool_disabled"]);
  await ok(t.key, "tools.configure", { name: "scada.get_tag", enabled: true });
  assertEquals((await execute(t.key, READ)).status, "executed");

  // a key that may call tools but not write leads cannot write leads through a tool either
  const toolsOnly = await ok(t.key, "keys.create", { name: "tools only", scopes: ["tools:*"] });
  const reach = await call(toolsOnly.key, "tools.execute", {
    tool: "leads.create",
    mode: "autonomous",
    arguments: { name: "Sneaky" },
  });
  assertEquals(reach.status, 403);
  assertMatch(reach.body.error!.message, /Missing scope leads:write for tool leads.create/);
  assertEquals((await execute(toolsOnly.key, READ)).status, "executed");

  const unknown = await call(t.key, "tools.execute", { tool: "shell.exec", arguments: {} });
  assertEquals(unknown.status, 404);
  const bad = await execute(t.key, {
    tool: "scada.set_setpoint",
    arguments: { tag: "not a tag", value: "high" },
  });
  assertEquals([bad.status, bad.error.code], ["refused", "invalid_arguments"]);
  assert(bad.error.issues.length >= 2, JSON.stringify(bad.error));

  const ev = await ok(t.key, "policies.evaluate", {
    tool: "scada.set_setpoint",
    agent: "nobody_here",
    arguments: {},
  }).catch((e) => String(e));
  assertMatch(String(ev), /404/);
  await ok(t.key, "agents.upsert", {
    slug: "reader",
    name: "Reader",
    allowed_tools: ["scada.get_tag"],
  });
  const asAgent = await ok(t.key, "policies.evaluate", {
    tool: "cmms.create_work_order",
    agent: "reader",
    arguments: WRITE.arguments,
  });
  assertEquals([asAgent.status, asAgent.error.code], ["refused", "not_allowed"]);
  const before = await auditEvents({ tenantId: t.id });
  const dry = await ok(t.key, "policies.evaluate", { ...WRITE, mode: "autonomous" });
  assertEquals(dry.status, "pending_approval");
  assertEquals(await auditEvents({ tenantId: t.id }), before, "a dry run records nothing");
});

test("tools.list and the ora schema document publish every tool's contract; none is open-ended", async () => {
  const t = await newTenant("gt-list");
  const list = await ok(t.key, "tools.list", {});
  const names: string[] = list.items.map((x: { name: string }) => x.name);
  const industrial = names.filter((n) =>
    /^(cmms|scada|historian|erp|notify|hse|compliance)\./.test(n)
  );
  assertEquals(industrial.length, 22);
  for (
    const n of [
      "leads_search",
      "posts_search",
      "get_time",
      "leads.create",
      "leads.update",
      "posts.create",
      "tasks.create",
      "notifications.create",
      "spawn_agents",
    ]
  ) assert(names.includes(n), n);
  assert(!names.some((n) => /sql|shell|exec|fetch|http|url/.test(n)), "no open-ended tools");
  for (const item of list.items) {
    assertEquals(item.parameters.type, "object", item.name);
    assert(["read", "write"].includes(item.access));
    assert(["none", "low", "medium", "high", "critical"].includes(item.risk));
  }
  const sp = list.items.find((x: { name: string }) => x.name === "scada.set_setpoint");
  assertEquals([sp.access, sp.risk, sp.adapter, sp.llm_name], [
    "write",
    "critical",
    "sandbox",
    "scada__set_setpoint",
  ]);
  const doc = await (await fetch(`${config.SUPABASE_URL}/functions/v1/ora`)).json();
  assertEquals(Object.keys(doc.tools).sort(), [...names].sort());
  assertEquals(doc.tools["scada.set_setpoint"].parameters.required, ["tag", "value", "reason"]);
  assert(doc.actions["approvals.approve"] && doc.actions["policies.upsert"]);
});

test("the audit log is complete on every path", async () => {
  const t = await tenant("gt-audit");
  await ok(t.key, "policies.upsert", {
    name: "status changes",
    tool: "cmms.update_work_order_status",
    effect: "allow",
  });
  const read = await execute(t.key, READ);
  const failedRead = await execute(t.key, {
    tool: "cmms.get_work_order",
    arguments: { work_order_id: "WO-0000" },
  });
  assertEquals([failedRead.status, failedRead.error.code], ["failed", "NOT_FOUND"]);
  const suggested = await execute(t.key, { ...WRITE, mode: "assist" });
  const refused = await execute(t.key, { tool: "scada.set_setpoint", arguments: {} });
  const approved = await execute(t.key, WRITE);
  await approve(t.approver, approved.approval.id);
  await execute(t.key, { ...WRITE, approval_id: approved.approval.id });
  const rejected = await execute(t.key, WRITE);
  await call(t.approver, "approvals.reject", { id: rejected.approval.id, reason: "no" });
  const allowedFail = await execute(t.key, {
    tool: "cmms.update_work_order_status",
    mode: "autonomous",
    arguments: { work_order_id: "WO-0001", status: "completed" },
  });
  assertEquals([allowedFail.status, allowedFail.error.code], ["failed", "NOT_FOUND"]);
  for (const r of [read, suggested, refused]) assert(r.status);

  const rows = await ok(t.key, "tools.audit", { order: "asc", limit: 100 });
  const story = rows.items.map((a: { event: string; tool: string }) => `${a.event} ${a.tool}`);
  assertEquals(story, [
    "executed scada.get_tag",
    "failed cmms.get_work_order",
    "suggested cmms.create_work_order",
    "refused scada.set_setpoint",
    "requested cmms.create_work_order",
    "approved cmms.create_work_order",
    "queued cmms.create_work_order",
    "executed cmms.create_work_order",
    "requested cmms.create_work_order",
    "rejected cmms.create_work_order",
    "allowed cmms.update_work_order_status",
    "failed cmms.update_work_order_status",
  ]);
  for (const a of rows.items) {
    assertEquals(a.requested_by, `key:${t.keyId}`, `${a.event} names the requester`);
    assert(a.arguments !== null, `${a.event} keeps the arguments`);
    assertMatch(a.args_hash, /^[0-9a-f]{64}$/);
  }
  const executedWrite = rows.items[7];
  assert(executedWrite.approval_id && executedWrite.tool_call_id);
  assertEquals(executedWrite.after.work_order_id, executedWrite.result.work_order_id);
  assertEquals(rows.items[5].actor, `key:${rows.items[5].actor.slice(4)}`);
  assert(rows.items[5].actor !== `key:${t.keyId}`, "approved by another key");
  assertEquals(rows.items[9].decision.reason, "no");
  // append-only, even for the database owner
  const tamper = await db`update public.tool_audit set event = 'executed' where tenant_id = ${t.id}`
    .catch((e) => e);
  assertMatch(String(tamper.message), /append-only/);
});
