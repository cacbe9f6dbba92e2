/** health.check — liveness of the gateway and its database. */
import { z } from "zod";
import { type ActionContext, tenantAction } from "../../_shared/actions.ts";

export const healthActions = {
  "health.check": tenantAction({
    description: "Check the API and its database; returns the caller's tenant and scopes.",
    scope: null,
    params: z.object({}).strict(),
    returns: "{status: 'ok', database: 'ok', time, tenantId, scopes, via}",
    handler: async ({ tx, tenantId, principal }: ActionContext) => {
      const [row] = await tx`select now() as time`;
      return { status: "ok", database: "ok", time: row.time, tenantId, scopes: principal.scopes, via: principal.kind };
    },
  }),
};
