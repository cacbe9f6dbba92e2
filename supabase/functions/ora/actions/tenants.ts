/** tenants.create|update — service role only: tenants, their first key, and plan limits. */
import { z } from "zod";
import { serviceAction, type ServiceActionContext, Uuid } from "../../_shared/platform/actions.ts";
import { createTenant, NewTenant, setLimits, TenantLimits } from "../../_shared/tenants/tenants.ts";

const Update = z.object({
  id: Uuid,
  limits: z.object(
    Object.fromEntries(
      Object.entries(TenantLimits.shape).map(([k, v]) => [k, v.unwrap().nullable().optional()]),
    ),
  ).strict().describe("Plan limits to set (null = back to the default)"),
}).strict();

export const tenantActions = {
  "tenants.create": serviceAction({
    description:
      "Create a tenant and its first API key (scopes *), optionally with plan limits and agent packs. Service-role key only. The key is shown once.",
    params: NewTenant,
    returns: "{tenant, key: key & {key: string}, packs}",
    handler: ({ tx }: ServiceActionContext, p: z.infer<typeof NewTenant>) => createTenant(tx, p),
  }),
  "tenants.update": serviceAction({
    description:
      "Set a tenant's plan limits (max_spawn_depth, max_children_per_session, max_concurrent_sessions, …). Service-role key only: a tenant never raises its own limits.",
    params: Update,
    returns: "{id, limits, effective}",
    handler: ({ tx }: ServiceActionContext, u: z.infer<typeof Update>) =>
      setLimits(tx, u.id, u.limits as Record<string, number | null>),
  }),
};
