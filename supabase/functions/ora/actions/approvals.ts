/** approvals.list|get|approve|reject — the approval queue of gated tool calls. */
import { z } from "zod";
import { type ActionContext, tenantAction, Uuid } from "../../_shared/platform/actions.ts";
import { listPage } from "../../_shared/platform/crud.ts";
import type { Fragment } from "../../_shared/platform/db.ts";
import { ApprovalFilter, decideApproval, getApproval } from "../../_shared/tools/api.ts";

const read = { resource: "approvals", access: "read" as const };
const write = { resource: "approvals", access: "write" as const };

const Approve = z.object({
  id: Uuid,
  reason: z.string().max(2000).optional(),
  args_hash: z.string().regex(/^[0-9a-f]{64}$/).optional().describe(
    "The args_hash you reviewed: refused if the approval's arguments differ",
  ),
}).strict();
const Reject = z.object({
  id: Uuid,
  reason: z.string().trim().min(1).max(2000).describe("What the agent reads to adapt"),
}).strict();

export const approvalActions = {
  "approvals.list": tenantAction({
    description:
      "The approval queue, newest first: tool calls waiting for (or given) a decision, by status, session or tool.",
    scope: read,
    params: ApprovalFilter,
    returns: "{items: approval[], nextCursor}",
    handler: ({ tx }: ActionContext, f: z.infer<typeof ApprovalFilter>) => {
      const conds: Fragment[] = [];
      if (f.status) conds.push(tx`status = ${f.status}`);
      if (f.run_id) conds.push(tx`run_id = ${f.run_id}`);
      if (f.tool) conds.push(tx`tool = ${f.tool}`);
      return listPage(tx, "approvals", conds, f.limit, f.cursor);
    },
  }),
  "approvals.get": tenantAction({
    description:
      "One approval: the exact arguments and their hash, risk and the gate's reasons, who asked, the decision, its audit trail, the session and the call it allowed.",
    scope: read,
    params: z.object({ id: Uuid }).strict(),
    returns: "approval & {audit[], session, tool_call}",
    handler: ({ tx }: ActionContext, { id }: { id: string }) => getApproval(tx, id),
  }),
  "approvals.approve": tenantAction({
    description:
      "Approve a pending call (once). Only a member whose role the approval names, or an approver key (scope approvals:write), and never the key or person whose session asked for it. The session resumes and the call runs.",
    scope: write,
    params: Approve,
    returns: "approval & {audit[], session, tool_call}",
    handler: ({ tx, tenantId, principal }: ActionContext, d: z.infer<typeof Approve>) =>
      decideApproval(tx, tenantId, principal, { ...d, decision: "approved" }),
  }),
  "approvals.reject": tenantAction({
    description:
      "Reject a pending call (once) with a reason; the session resumes and the model reads the reason. Same approvers as approvals.approve.",
    scope: write,
    params: Reject,
    returns: "approval & {audit[], session, tool_call}",
    handler: ({ tx, tenantId, principal }: ActionContext, d: z.infer<typeof Reject>) =>
      decideApproval(tx, tenantId, principal, { ...d, decision: "rejected" }),
  }),
};
