/** health.check — liveness of the gateway and its database. */
import { z } from "zod";
import { anyAction, type ServiceActionContext } from "../../_shared/platform/actions.ts";

export const healthActions = {
  "health.check": anyAction({
    description:
      "Check the API and its database; returns who is calling (tenant, scopes, credential kind).",
    params: z.object({}).strict(),
    returns: "{status: 'ok', database: 'ok', time, tenantId, scopes, via}",
    handler: async ({ tx, tenantId, principal }: ServiceActionContext) => {
      const [row] = await tx`select now() as time`;
      return {
        status: "ok",
        database: "ok",
        time: row.time,
        tenantId,
        scopes: principal.scopes,
        via: principal.kind,
      };
    },
  }),
};
