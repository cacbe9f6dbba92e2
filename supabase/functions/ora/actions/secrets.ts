/** secrets.set|list|delete — credentials bound to the origin they may be sent to; never returned. */
import { z } from "zod";
import { type ActionContext, tenantAction } from "../../_shared/platform/actions.ts";
import {
  deleteSecret,
  listSecrets,
  SecretName,
  SecretOrigin,
  setSecret,
} from "../../_shared/secrets/secrets.ts";

const SetSecret = z.object({
  name: SecretName,
  value: z.string().min(1).max(10_000),
  origin: SecretOrigin.describe(
    "scheme://host[:port] the secret may be sent to (e.g. https://api.openai.com); it is refused for any other",
  ),
}).strict();

export const secretActions = {
  "secrets.set": tenantAction({
    description:
      "Store a credential (e.g. an LLM API key) bound to the one origin it may be sent to: Vault on Supabase, encrypted locally. Never returned.",
    scope: { resource: "secrets", access: "write" },
    params: SetSecret,
    returns: "{name, origin, stored: true}",
    handler: ({ tx, tenantId }: ActionContext, s: z.infer<typeof SetSecret>) =>
      setSecret(tx, tenantId, s),
  }),
  "secrets.list": tenantAction({
    description:
      "The tenant's secrets: names, the origin each is bound to, and when they were set (never their values).",
    scope: { resource: "secrets", access: "read" },
    params: z.object({}).strict(),
    returns: "{items: {name, origin, created_at, updated_at}[]}",
    handler: ({ tx, tenantId }: ActionContext) => listSecrets(tx, tenantId),
  }),
  "secrets.delete": tenantAction({
    description: "Delete a tenant secret.",
    scope: { resource: "secrets", access: "write" },
    params: z.object({ name: SecretName }).strict(),
    returns: "{name, deleted: true}",
    handler: ({ tx, tenantId }: ActionContext, { name }: { name: string }) =>
      deleteSecret(tx, tenantId, name),
  }),
};
