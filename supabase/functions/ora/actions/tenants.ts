/** tenants.create — service role only: a tenant and its first (owner) API key, in one transaction. */
import { z } from "zod";
import { serviceAction, type ServiceActionContext } from "../../_shared/platform/actions.ts";
import { insertKey } from "../../_shared/keys/keys.ts";

const Params = z.object({
  name: z.string().trim().min(1).max(200),
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "2-63 lowercase letters, digits or hyphens"),
  settings: z.record(z.string(), z.unknown()).default({}),
  key_name: z.string().min(1).max(200).default("owner"),
  packs: z.array(z.enum(["content", "industrial"])).max(10).default([]).describe(
    "Agent packs to install",
  ),
}).strict();

export const tenantActions = {
  "tenants.create": serviceAction({
    description:
      "Create a tenant and its first API key (scopes *). Service-role key only. The key is shown once.",
    params: Params,
    returns: "{tenant, key: key & {key: string}, packs}",
    handler: async ({ tx }: ServiceActionContext, p: z.infer<typeof Params>) => {
      const [tenant] = await tx`
        insert into public.tenants (name, slug, settings) values (${p.name}, ${p.slug}, ${
        tx.json(p.settings as never)
      })
        returning *`;
      const key = await insertKey(tx, tenant.id, {
        name: p.key_name,
        scopes: ["*"],
        rate_limit_per_minute: 600,
        rate_limit_per_day: 100_000,
        allowed_ips: [],
      }, { created_by: "service_role" });
      for (const pack of p.packs) await tx`select app.install_agent_pack(${tenant.id}, ${pack})`;
      return { tenant, key, packs: p.packs };
    },
  }),
};
