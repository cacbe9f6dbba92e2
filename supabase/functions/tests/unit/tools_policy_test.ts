// The policy engine as a pure function: modes, conditions, precedence, risk and approvers.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import {
  evaluate,
  localClock,
  type PolicyInput,
  type PolicyRow,
  riskOf,
  valueAt,
} from "../../_shared/tools/policy.ts";
import { TOOLS } from "../../_shared/tools/registry.ts";

const setpoint = TOOLS.get("scada.set_setpoint")!;
const workOrder = TOOLS.get("cmms.create_work_order")!;
const getTag = TOOLS.get("scada.get_tag")!;
const requisition = TOOLS.get("erp.create_purchase_requisition")!;

function policy(p: Partial<PolicyRow>): PolicyRow {
  return {
    id: crypto.randomUUID(),
    name: p.name ?? "p",
    tool: p.tool ?? "*",
    agent: null,
    effect: p.effect ?? "allow",
    conditions: p.conditions ?? {},
    approver_roles: p.approver_roles ?? null,
    approval_ttl_seconds: p.approval_ttl_seconds ?? null,
    priority: 0,
  };
}

function input(over: Partial<PolicyInput>): PolicyInput {
  return {
    tool: workOrder,
    args: { asset_id: "P-101", title: "x" },
    mode: "autonomous",
    enabled: true,
    policies: [],
    asset: null,
    timezone: "UTC",
    now: new Date("2026-11-25T10:30:00Z"), // a Wednesday
    approvals: {},
    approvers: ["owner", "admin"],
    ...over,
  };
}

Deno.test("reads run in every mode; writes are suggested (assist), wait (copilot), or follow policies (autonomous)", () => {
  for (const mode of ["assist", "copilot", "autonomous"] as const) {
    assertEquals(
      evaluate(input({ tool: getTag, args: { tag: "P-101.VIB" }, mode })).action,
      "execute",
    );
  }
  assertEquals(evaluate(input({ mode: "assist" })).action, "suggest");
  assertEquals(evaluate(input({ mode: "copilot" })).action, "approval");
  const auto = evaluate(input({}));
  assertEquals(auto.action, "approval");
  assertEquals(auto.reasons, ["no policy allows cmms.create_work_order on its own"]);
  // copilot ignores allow policies: every write waits
  const allowAll = [policy({ tool: "*", effect: "allow" })];
  assertEquals(evaluate(input({ mode: "copilot", policies: allowAll })).action, "approval");
  assertEquals(evaluate(input({ policies: allowAll })).action, "execute");
});

Deno.test("deny wins in every mode, require_approval beats allow, disabled tools are refused", () => {
  const deny = policy({ name: "never", effect: "deny" });
  const allow = policy({ name: "yes", effect: "allow" });
  const ask = policy({ name: "ask", effect: "require_approval" });
  for (const mode of ["assist", "copilot", "autonomous"] as const) {
    const d = evaluate(input({ mode, policies: [allow, deny] }));
    assertEquals([d.action, d.code, d.policy?.name], ["deny", "policy_denied", "never"]);
  }
  const read = evaluate(input({ tool: getTag, args: { tag: "P-101.VIB" }, policies: [deny] }));
  assertEquals(read.action, "deny", "deny applies to reads as well");
  const r = evaluate(input({ policies: [allow, ask] }));
  assertEquals([r.action, r.policy?.name], ["approval", "ask"]);
  const off = evaluate(input({ enabled: false, policies: [allow] }));
  assertEquals([off.action, off.code], ["deny", "tool_disabled"]);
});

Deno.test("conditions: ranges, allowlists, amounts and criticality; a missing value fails its condition", () => {
  const range = policy({
    tool: "scada.set_setpoint",
    conditions: { arg_ranges: { value: { min: 0, max: 100 } } },
  });
  const sp = (value: unknown) =>
    evaluate(input({
      tool: setpoint,
      args: { tag: "P-101.TEMP", value, reason: "r" },
      policies: [range],
    }));
  assertEquals(sp(50).action, "execute");
  assertEquals(sp(0).action, "execute");
  assertEquals(sp(100).action, "execute");
  const over = sp(1e6);
  assertEquals(over.action, "approval");
  assertMatch(over.reasons[0], /value 1000000 is above 100/);
  assertMatch(sp(-1).reasons[0], /value -1 is below 0/);
  assertMatch(sp("max").reasons[0], /value is not a number/);

  const list = policy({ conditions: { arg_allowlists: { asset_id: ["P-102", "K-301"] } } });
  assertEquals(
    evaluate(input({ policies: [list], args: { asset_id: "K-301" } })).action,
    "execute",
  );
  assertEquals(
    evaluate(input({ policies: [list], args: { asset_id: "P-101" } })).action,
    "approval",
  );

  const amount = policy({ conditions: { max_amount: 1000 } });
  const pr = (estimated_cost: number) =>
    evaluate(input({
      tool: requisition,
      args: { part_number: "X", quantity: 1, estimated_cost, justification: "j" },
      policies: [amount],
    }));
  assertEquals(pr(999).action, "execute");
  assertMatch(pr(1001).reasons[0], /amount 1001 is above 1000/);
  assertMatch(evaluate(input({ policies: [amount] })).reasons[0], /has no amount/);

  const crit = policy({ conditions: { max_asset_criticality: "B" } });
  const on = (criticality: "A" | "B" | "C" | null) =>
    evaluate(input({
      policies: [crit],
      asset: criticality ? { asset_id: "P-101", criticality } : null,
    })).action;
  assertEquals([on("C"), on("B"), on("A"), on(null)], [
    "execute",
    "execute",
    "approval",
    "approval",
  ]);
});

Deno.test("time windows are read in the tenant's time zone, across midnight and by weekday", () => {
  const at = (iso: string, tz: string, w: { start: string; end: string; days?: number[] }) =>
    evaluate(input({
      now: new Date(iso),
      timezone: tz,
      policies: [policy({ conditions: { time_window: w } })],
    })).action;
  const office = { start: "08:00", end: "17:00", days: [1, 2, 3, 4, 5] };
  assertEquals(at("2026-11-25T10:30:00Z", "UTC", office), "execute");
  assertEquals(at("2026-11-25T10:30:00Z", "Asia/Tokyo", office), "approval", "19:30 in Tokyo");
  assertEquals(at("2026-11-28T10:30:00Z", "UTC", office), "approval", "a Saturday");
  const night = { start: "22:00", end: "06:00", days: [5] }; // Friday night
  assertEquals(at("2026-11-27T23:00:00Z", "UTC", night), "execute");
  assertEquals(
    at("2026-11-28T03:00:00Z", "UTC", night),
    "execute",
    "Saturday 03:00 is Friday's night",
  );
  assertEquals(at("2026-11-28T23:00:00Z", "UTC", night), "approval", "Saturday night is not");
  assertEquals(localClock(new Date("2026-11-25T10:30:00Z"), "Pacific/Kiritimati"), {
    day: 4,
    minutes: 30,
  });
  assertEquals(localClock(new Date("2026-11-25T10:30:00Z"), "Not/AZone").minutes, 630);
});

Deno.test("risk: the tool's class plus the asset's criticality for writes", () => {
  assertEquals(riskOf({ tool: getTag, args: { tag: "P-101.VIB" }, asset: null }).score, 0);
  assertEquals(riskOf({ tool: workOrder, args: { asset_id: "P" }, asset: null }).score, 50);
  assertEquals(
    riskOf({
      tool: setpoint,
      args: { tag: "P-101.TEMP" },
      asset: { asset_id: "P-101", criticality: "A" },
    })
      .score,
    100,
  );
  const maxRisk = policy({ conditions: { max_risk: 55 } });
  assertEquals(
    evaluate(input({ policies: [maxRisk], asset: { asset_id: "P-101", criticality: "C" } })).action,
    "execute",
  );
  assertEquals(
    evaluate(input({ policies: [maxRisk], asset: { asset_id: "P-101", criticality: "A" } })).action,
    "approval",
  );
  assertEquals(valueAt({ items: [{ qty: 3 }] }, "items.0.qty"), 3);
  assertEquals(valueAt({ a: 1 }, "a.b"), undefined);
});

Deno.test("approvers: no approver who could decide means deny; policies and settings pick the roles", () => {
  const none = evaluate(input({ mode: "copilot", approvers: [] }));
  assertEquals([none.action, none.code], ["deny", "no_approver"]);
  assert(none.reasons.at(-1)!.includes("needs owner or admin"));
  const onlyMembers = evaluate(input({ mode: "copilot", approvers: ["member"] }));
  assertEquals(onlyMembers.action, "deny");
  const memberRoles = evaluate(input({
    mode: "copilot",
    approvers: ["member"],
    approvals: { roles: ["member"], ttl_seconds: 600 },
  }));
  assertEquals([memberRoles.action, memberRoles.ttl_seconds], ["approval", 600]);
  const owners = evaluate(input({
    mode: "copilot",
    policies: [
      policy({ effect: "require_approval", approver_roles: ["owner"], approval_ttl_seconds: 120 }),
    ],
  }));
  assertEquals([owners.approver_roles, owners.ttl_seconds], [["owner"], 120]);
  const noOwner = evaluate(input({
    mode: "copilot",
    approvers: ["admin"],
    policies: [policy({ effect: "require_approval", approver_roles: ["owner"] })],
  }));
  assertEquals(noOwner.action, "deny");
  // reads and suggestions never need an approver
  assertEquals(evaluate(input({ mode: "assist", approvers: [] })).action, "suggest");
});
