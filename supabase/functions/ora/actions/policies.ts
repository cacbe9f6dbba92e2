/** policies.list|get|upsert|delete|evaluate and assets.list|upsert|delete — the gate's rules (admins). */
import { z } from "zod";
import {
  type ActionContext,
  type AfterContext,
  tenantAction,
  Uuid,
} from "../../_shared/platform/actions.ts";
import { ApiError } from "../../_shared/platform/http.ts";
import {
  AssetFields,
  EvaluateCall,
  evaluateCall,
  PolicyFields,
  upsertAssets,
  upsertPolicy,
} from "../../_shared/tools/api.ts";

const read = { resource: "policies", access: "read" as const };
const write = { resource: "policies", access: "write" as const };

export const policyActions = {
  "policies.list": tenantAction({
    description: "The tenant's tool policies, highest priority first.",
    scope: read,
    params: z.object({ tool: z.string().max(100).optional() }).strict(),
    returns: "{items: policy[]}",
    handler: async ({ tx }: ActionContext, f: { tool?: string }) => ({
      items: await tx`select * from public.tool_policies
        where ${f.tool ? tx`tool = ${f.tool}` : tx`true`} order by priority desc, name`,
    }),
  }),
  "policies.get": tenantAction({
    description: "One policy by id or name.",
    scope: read,
    params: z.object({ id: Uuid.optional(), name: z.string().max(200).optional() }).strict()
      .refine((d) => d.id || d.name, { message: "Give id or name" }),
    returns: "policy",
    handler: async ({ tx }: ActionContext, f: { id?: string; name?: string }) => {
      const [row] = await tx`select * from public.tool_policies where ${
        f.id ? tx`id = ${f.id}` : tx`name = ${f.name!}`
      }`;
      if (!row) throw new ApiError("NOT_FOUND", `No policy ${f.id ?? f.name}`);
      return row;
    },
  }),
  "policies.upsert": tenantAction({
    description:
      "Create or replace (by name) a policy: tool pattern, agent, effect (allow, require_approval, deny), conditions (max_risk, arg_ranges, arg_allowlists, time_window in the tenant time zone, max_asset_criticality, max_amount), approver roles and approval lifetime.",
    scope: write,
    params: PolicyFields,
    returns: "policy",
    handler: ({ tx, tenantId, principal }: ActionContext, f: z.infer<typeof PolicyFields>) =>
      upsertPolicy(tx, tenantId, principal, f),
  }),
  "policies.delete": tenantAction({
    description: "Delete a policy.",
    scope: write,
    params: z.object({ id: Uuid }).strict(),
    returns: "{id, deleted: true}",
    handler: async ({ tx }: ActionContext, { id }: { id: string }) => {
      const [row] = await tx`delete from public.tool_policies where id = ${id} returning id`;
      if (!row) throw new ApiError("NOT_FOUND", `No policy with id ${id}`);
      return { id, deleted: true };
    },
  }),
  "policies.evaluate": tenantAction({
    description:
      "What the gate would decide for a call (tool, arguments, mode, optionally as an agent), with the risk score and reasons — nothing is recorded or run.",
    scope: read,
    params: EvaluateCall,
    returns: "{tool, status, decision, error?}",
    handler: () => Promise.resolve(null),
    after: (ctx: AfterContext, d: z.infer<typeof EvaluateCall>) => evaluateCall(ctx, d),
  }),
  "assets.list": tenantAction({
    description: "Asset criticality (A, B, C) the policies read.",
    scope: read,
    params: z.object({}).strict(),
    returns: "{items: asset[]}",
    handler: async ({ tx }: ActionContext) => ({
      items: await tx`select * from public.tool_assets order by asset_id`,
    }),
  }),
  "assets.upsert": tenantAction({
    description: "Set the criticality of assets (1–500 at once).",
    scope: write,
    params: z.object({ items: z.array(AssetFields).min(1).max(500) }).strict(),
    returns: "{items: asset[]}",
    handler: async (
      { tx, tenantId }: ActionContext,
      { items }: { items: z.infer<typeof AssetFields>[] },
    ) => ({ items: await upsertAssets(tx, tenantId, items) }),
  }),
  "assets.delete": tenantAction({
    description: "Forget an asset's criticality.",
    scope: write,
    params: z.object({ asset_id: z.string().min(1).max(200) }).strict(),
    returns: "{asset_id, deleted: true}",
    handler: async ({ tx }: ActionContext, { asset_id }: { asset_id: string }) => {
      const [row] =
        await tx`delete from public.tool_assets where asset_id = ${asset_id} returning asset_id`;
      if (!row) throw new ApiError("NOT_FOUND", `No asset ${asset_id}`);
      return { asset_id, deleted: true };
    },
  }),
};
