// Approval binding through the public API: an approval binds to its exact arguments, expires,
// is decided once by an approver of the same tenant with the right role — never the key or
// person that asked — and allows one call.
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import { call, db, newTenant, ok, SERVICE_KEY, test } from "./_helpers.ts";
import { approve, approverKey, auditEvents, execute, member } from "./_tools.ts";

const WO = { asset_id: "P-101", title: "Replace bearing" };

/** A tenant with an approver key, and a pending approval for a work order. */
async function pending(label: string) {
  const t = await newTenant(label);
  const approver = await approverKey(t.key);
  const r = await execute(t.key, { tool: "cmms.create_work_order", arguments: WO });
  assertEquals(r.status, "pending_approval", JSON.stringify(r));
  return { t, approver, approval: r.approval as { id: string; args_hash: string } };
}

test("an approval binds to its exact arguments: changed arguments or tool are refused, the approved call runs once", async () => {
  const { t, approver, approval } = await pending("ap-bind");
  assertEquals((await approve(approver, approval.id)).status, 200);

  const changed = await execute(t.key, {
    tool: "cmms.create_work_order",
    approval_id: approval.id,
    arguments: { ...WO, title: "Replace bearing AND the pump" },
  });
  assertEquals([changed.status, changed.error.code], ["refused", "arguments_changed"]);
  const otherTool = await execute(t.key, {
    tool: "cmms.update_work_order_status",
    approval_id: approval.id,
    arguments: { work_order_id: "WO-123456", status: "completed" },
  });
  assertEquals([otherTool.status, otherTool.error.code], ["refused", "tool_changed"]);

  const ran = await execute(t.key, {
    tool: "cmms.create_work_order",
    approval_id: approval.id,
    arguments: WO,
  });
  assertEquals(ran.status, "executed", JSON.stringify(ran));
  assertMatch(ran.result.work_order_id, /^WO-\d{6}$/);

  const reused = await execute(t.key, {
    tool: "cmms.create_work_order",
    approval_id: approval.id,
    arguments: WO,
  });
  assertEquals([reused.status, reused.error.code], ["refused", "approval_used"]);
  const [{ n }] = await db`select count(*)::int as n from public.tool_sandbox_records
    where tenant_id = ${t.id} and kind = 'work_order'`;
  assertEquals(n, 1, "one approval, one work order");
  assertEquals(await auditEvents({ approvalId: approval.id }), [
    "requested",
    "approved",
    "refused",
    "refused",
    "queued",
    "executed",
    "refused",
  ]);
});

test("approving with the hash you reviewed: a different args_hash is refused", async () => {
  const { approver, approval } = await pending("ap-hash");
  const wrong = await approve(approver, approval.id, { args_hash: "0".repeat(64) });
  assertEquals(wrong.status, 409);
  assertEquals((wrong.body.error!.details as { reason: string }).reason, "arguments_changed");
  const right = await approve(approver, approval.id, { args_hash: approval.args_hash });
  assertEquals(right.status, 200);
});

test("an expired approval can be neither decided nor used", async () => {
  const { t, approver, approval } = await pending("ap-expired");
  await db`update public.approvals set expires_at = now() - interval '1 second' where id = ${approval.id}`;
  const late = await approve(approver, approval.id);
  assertEquals(late.status, 409);
  assertEquals((late.body.error!.details as { reason: string }).reason, "approval_expired");
  const used = await execute(t.key, {
    tool: "cmms.create_work_order",
    approval_id: approval.id,
    arguments: WO,
  });
  assertEquals([used.status, used.error.code], ["refused", "approval_expired"]);
  await db`select app.approvals_expire_due()`;
  const got = await ok(t.key, "approvals.get", { id: approval.id });
  assertEquals(got.status, "expired");
  // the tick's expiry job may record the expiry before or after the refused call (it runs every
  // 0.5–1 s once expires_at has passed); each is audited exactly once, after the request
  const events = got.audit.map((a: { event: string }) => a.event);
  assertEquals(events[0], "requested");
  assertEquals(events.slice(1).sort(), ["expired", "refused"]);
});

test("an approval is decided once", async () => {
  const { approver, approval } = await pending("ap-once");
  assertEquals((await approve(approver, approval.id)).status, 200);
  const again = await approve(approver, approval.id);
  assertEquals(again.status, 409);
  assertEquals(
    (again.body.error!.details as { reason: string }).reason,
    "approval_already_decided",
  );
  const reject = await call(approver, "approvals.reject", { id: approval.id, reason: "too late" });
  assertEquals(reject.status, 409);
  const pendingUse = await pending("ap-once-b");
  const early = await execute(pendingUse.t.key, {
    tool: "cmms.create_work_order",
    approval_id: pendingUse.approval.id,
    arguments: WO,
  });
  assertEquals([early.status, early.error.code], ["refused", "approval_pending"]);
});

test("only the tenant's approvers decide: not another tenant, not a role without the right, never the requester", async () => {
  const { t, approval } = await pending("ap-who");
  const other = await newTenant("ap-who-other");

  // another tenant: the approval does not exist for it
  const foreign = await approve(other.key, approval.id);
  assertEquals(foreign.status, 404);
  const foreignUse = await execute(other.key, {
    tool: "cmms.create_work_order",
    approval_id: approval.id,
    arguments: WO,
  });
  assertEquals([foreignUse.status, foreignUse.error.code], ["refused", "approval_not_found"]);

  // a member without the scope, a key that may only read approvals, the service role
  const plain = await member(t.id, "member");
  assertEquals((await approve(plain.token, approval.id)).status, 403);
  const reader = await ok(t.key, "keys.create", { name: "reader", scopes: ["approvals:read"] });
  assertEquals((await approve(reader.key, approval.id)).status, 403);
  const service = await call(SERVICE_KEY, "approvals.approve", { id: approval.id }, {
    "x-ora-tenant": t.id,
  });
  assertEquals(service.status, 403);
  assertEquals((service.body.error!.details as { reason: string }).reason, "not_an_approver");

  // the key whose call it is
  const self = await approve(t.key, approval.id);
  assertEquals(self.status, 403);
  assertEquals((self.body.error!.details as { reason: string }).reason, "self_approval");

  // a policy that wants an owner: an admin is not enough, an owner is
  await ok(t.key, "policies.upsert", {
    name: "setpoints need an owner",
    tool: "scada.set_setpoint",
    effect: "require_approval",
    approver_roles: ["owner"],
  });
  const owner = await member(t.id, "owner");
  const admin = await member(t.id, "admin");
  const sp = await execute(t.key, {
    tool: "scada.set_setpoint",
    arguments: { tag: "P-101.PRESS", value: 9, reason: "raise discharge pressure" },
  });
  assertEquals(sp.approval.approver_roles, ["owner"]);
  const byAdmin = await approve(admin.token, sp.approval.id);
  assertEquals(byAdmin.status, 403);
  assertEquals((byAdmin.body.error!.details as { reason: string }).reason, "insufficient_role");
  const byOwner = await approve(owner.token, sp.approval.id);
  assertEquals(byOwner.status, 200, JSON.stringify(byOwner.body));

  // a person never approves their own call
  const mine = await execute(owner.token, { tool: "cmms.create_work_order", arguments: WO });
  assertEquals(mine.status, "pending_approval");
  const selfUser = await approve(owner.token, mine.approval.id);
  assertEquals(selfUser.status, 403);
  assertEquals((selfUser.body.error!.details as { reason: string }).reason, "self_approval");
  assertEquals((await approve(admin.token, mine.approval.id)).status, 200);
  const got = await ok(t.key, "approvals.get", { id: approval.id });
  assertEquals(got.status, "pending", "none of the refused attempts decided it");
});

test("no approver configured: a call that would wait for approval is refused", async () => {
  const t = await newTenant("ap-none");
  const r = await execute(t.key, { tool: "cmms.create_work_order", arguments: WO });
  assertEquals(r.status, "refused");
  assertEquals(r.error.code, "no_approver");
  assert(r.decision.reasons.some((x: string) => x.includes("no approver could decide it")));
  assertEquals(await auditEvents({ tenantId: t.id }), ["refused"]);
  const [{ n }] =
    await db`select count(*)::int as n from public.approvals where tenant_id = ${t.id}`;
  assertEquals(n, 0);
});

test("approvals.list and approvals.get show the queue with arguments, reasons and trail", async () => {
  const { t, approver, approval } = await pending("ap-list");
  const list = await ok(t.key, "approvals.list", { status: "pending" });
  assertEquals(list.items.map((a: { id: string }) => a.id), [approval.id]);
  const rejected = await call(approver, "approvals.reject", { id: approval.id, reason: "" });
  assertEquals(rejected.status, 400, "a rejection needs a reason");
  await call(approver, "approvals.reject", { id: approval.id, reason: "Not this week" });
  const got = await ok(t.key, "approvals.get", { id: approval.id });
  assertEquals(got.status, "rejected");
  assertEquals(got.reason, "Not this week");
  assertEquals(got.arguments, { ...WO, priority: "medium", work_type: "corrective" });
  assertEquals(got.audit.map((a: { event: string }) => a.event), ["requested", "rejected"]);
  assertEquals((await ok(t.key, "approvals.list", { status: "pending" })).items.length, 0);
});
