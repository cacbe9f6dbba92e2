/** Helpers shared by the tool and approval tests. */
import { call, db, eventually, newUser, ok, userJwt } from "./_helpers.ts";

/** A member of the tenant with `role`, and an access token for them. */
export async function member(tenantId: string, role = "admin") {
  const id = await newUser(tenantId, role);
  return { id, token: await userJwt(id) };
}

/** An API key of the tenant that may decide approvals (scope approvals:*). */
export async function approverKey(ownerKey: string): Promise<string> {
  const k = await ok(ownerKey, "keys.create", { name: "approver", scopes: ["approvals:*"] });
  return k.key as string;
}

/** Waits for the session's pending approval and returns it. */
export async function pendingApproval(runId: string, timeoutMs = 15_000) {
  const [a] = await eventually(async () => {
    const rows =
      await db`select * from public.approvals where run_id = ${runId} and status = 'pending'`;
    return rows.length ? rows : null;
  }, timeoutMs);
  return a;
}

/** The audit events of a session (or an approval), in order. */
export async function auditEvents(f: { runId?: string; approvalId?: string; tenantId?: string }) {
  const rows = await db`
    select event from public.tool_audit
    where (${f.runId ?? null}::uuid is null or run_id = ${f.runId ?? null}::uuid)
      and (${f.approvalId ?? null}::uuid is null or approval_id = ${f.approvalId ?? null}::uuid)
      and (${f.tenantId ?? null}::uuid is null or tenant_id = ${f.tenantId ?? null}::uuid)
    order by seq`;
  return rows.map((r) => r.event as string);
}

/** Runs tools.execute and returns its data (fails on a non-200). */
// deno-lint-ignore no-explicit-any
export function execute(key: string, data: Record<string, unknown>): Promise<any> {
  return ok(key, "tools.execute", data);
}

/** approvals.approve as `token`; returns the whole response. */
export function approve(token: string, id: string, extra: Record<string, unknown> = {}) {
  return call(token, "approvals.approve", { id, ...extra });
}

/** The tool message the model received for its first tool call in `request`. */
export function toolMessage(
  req: { body: { messages: { role: string; content: string | null }[] } },
  // deno-lint-ignore no-explicit-any
): any {
  const m = req.body.messages.find((x) => x.role === "tool");
  return m ? JSON.parse(m.content!) : null;
}
