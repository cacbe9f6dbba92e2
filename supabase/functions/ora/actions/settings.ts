/** settings.get|update — the tenant's settings (LLM providers, policy, …); admins only. */
import { z } from "zod";
import { type ActionContext, tenantAction } from "../../_shared/platform/actions.ts";
import { getSettings, TenantSettings, updateSettings } from "../../_shared/tenants/tenants.ts";

export const settingsActions = {
  "settings.get": tenantAction({
    description:
      "The tenant's settings (LLM providers, policy, breaker tuning) and its effective plan limits.",
    scope: { resource: "settings", access: "read" },
    params: z.object({}).strict(),
    returns: "settings & {limits}",
    handler: ({ tx, tenantId }: ActionContext) => getSettings(tx, tenantId),
  }),
  "settings.update": tenantAction({
    description:
      "Merge changes into the tenant's settings (validated; keys not given stay as they are). LLM providers — endpoints and the secrets they use — are set here, so only admins (settings:write) choose where keys are sent. Plan limits are the operator's (tenants.update).",
    scope: { resource: "settings", access: "write" },
    params: TenantSettings,
    returns: "settings",
    handler: ({ tx, tenantId }: ActionContext, patch: TenantSettings) =>
      updateSettings(tx, tenantId, patch),
  }),
};
