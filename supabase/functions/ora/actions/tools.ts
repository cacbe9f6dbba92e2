/** tools.list|get|configure|execute|audit, integrations.list|upsert|delete — the tool registry. */
import { z } from "zod";
import {
  type ActionContext,
  type AfterContext,
  tenantAction,
} from "../../_shared/platform/actions.ts";
import { hasScope } from "../../_shared/platform/auth.ts";
import { ApiError } from "../../_shared/platform/http.ts";
import {
  AuditFilter,
  configureTool,
  ExecuteTool,
  executeTool,
  getTool,
  IntegrationFields,
  listAudit,
  ListTools,
  listTools,
  upsertIntegration,
} from "../../_shared/tools/api.ts";
import { TOOLS } from "../../_shared/tools/registry.ts";

const read = { resource: "tools", access: "read" as const };
const write = { resource: "tools", access: "write" as const };
const admin = { resource: "integrations", access: "write" as const };
const Name = z.string().max(100);

export const toolActions = {
  "tools.list": tenantAction({
    description:
      "The tool registry: every tool's contract (JSON Schema arguments, read or write, risk class, integration) with this tenant's enablement and adapter.",
    scope: read,
    params: ListTools,
    returns: "{items: tool[], integrations: string[]}",
    handler: ({ tx }: ActionContext, f: z.infer<typeof ListTools>) => listTools(tx, f),
  }),
  "tools.get": tenantAction({
    description: "One tool's contract, enablement and adapter.",
    scope: read,
    params: z.object({ name: Name }).strict(),
    returns: "tool",
    handler: ({ tx }: ActionContext, { name }: { name: string }) => getTool(tx, name),
  }),
  "tools.configure": tenantAction({
    description:
      "Switch a tool on or off for this tenant (a disabled tool is offered to no agent and refused by the gate). Admins (integrations:write).",
    scope: admin,
    params: z.object({ name: Name, enabled: z.boolean() }).strict(),
    returns: "tool",
    handler: ({ tx, tenantId, principal }: ActionContext, c: { name: string; enabled: boolean }) =>
      configureTool(tx, tenantId, principal, c),
  }),
  "tools.execute": tenantAction({
    description:
      "Call a tool through the gate as the caller: reads run at once; writes become suggestions (assist), wait for approval (copilot), or follow the policies (autonomous). With approval_id, runs the approved call (same tool, exactly the approved arguments). Answers the gate's outcome: executed, queued, pending_approval, suggested, refused or failed.",
    scope: write,
    params: ExecuteTool,
    returns:
      "{tool, status, result?, error?, approval?: {id, expires_at, args_hash, approver_roles}, tool_call_id?, decision, before?, after?}",
    handler: ({ principal }: ActionContext, d: z.infer<typeof ExecuteTool>) => {
      const t = TOOLS.get(d.tool);
      if (!t) {
        throw new ApiError("NOT_FOUND", `No tool named ${d.tool}: tools.list shows them all`);
      }
      // a site tool acts on a resource: the caller needs that resource's scope as well
      if (t.scope && !hasScope(principal.scopes, t.scope.resource, t.scope.access)) {
        throw new ApiError(
          "FORBIDDEN",
          `Missing scope ${t.scope.resource}:${t.scope.access} for tool ${t.name}`,
        );
      }
      return Promise.resolve(null);
    },
    after: (ctx: AfterContext, d: z.infer<typeof ExecuteTool>) => executeTool(ctx, d),
  }),
  "tools.audit": tenantAction({
    description:
      "The tool audit log (append-only): suggested, refused, requested, approved, rejected, expired, withdrawn, allowed, queued, executed, failed and credential_read events with arguments, results, before/after, approval, session and requester.",
    scope: read,
    params: AuditFilter,
    returns: "{items: audit[], nextCursor}",
    handler: ({ tx }: ActionContext, f: z.infer<typeof AuditFilter>) => listAudit(tx, f),
  }),
  "integrations.list": tenantAction({
    description:
      "How this tenant reaches each integration (sandbox or http: base URL, credential secret name, limits). Integrations without a row use the sandbox.",
    scope: { resource: "integrations", access: "read" },
    params: z.object({}).strict(),
    returns: "{items: integration[]}",
    handler: async ({ tx }: ActionContext) => ({
      items: await tx`select * from public.tool_integrations order by key`,
    }),
  }),
  "integrations.upsert": tenantAction({
    description:
      "Point an integration at the sandbox or an HTTP endpoint (base_url; a credential secret bound to its origin; timeout, retries, rate limit per minute, concurrency cap, per-tool routes). Replacing the sandbox with a real system is this call.",
    scope: admin,
    params: IntegrationFields,
    returns: "integration",
    handler: (
      { tx, tenantId, principal }: ActionContext,
      i: z.infer<typeof IntegrationFields>,
    ) => upsertIntegration(tx, tenantId, principal, i),
  }),
  "integrations.delete": tenantAction({
    description: "Remove an integration's configuration (its tools go back to the sandbox).",
    scope: admin,
    params: z.object({ key: z.string().max(63) }).strict(),
    returns: "{key, deleted: true}",
    handler: async ({ tx }: ActionContext, { key }: { key: string }) => {
      const [row] = await tx`delete from public.tool_integrations where key = ${key} returning key`;
      if (!row) throw new ApiError("NOT_FOUND", `No integration ${key} configured`);
      return { key, deleted: true };
    },
  }),
};
