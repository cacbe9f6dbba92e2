/**
 * Picks the LLM a session uses. Providers (endpoints and the secrets they use) are tenant
 * settings only admins change (`settings:write`); an agent may only choose among them by name,
 * with a model, temperature and limits. A provider's API key is a tenant secret bound to the
 * provider's origin (app.secret_get refuses any other), and every call goes through the outbound
 * client, so a key is never sent anywhere but where it was configured for.
 *
 * Order: the agent's `provider` → the tenant's default `provider` → the operator's environment
 * (ORA_LLM_*). Without an API key anywhere, the offline deterministic provider runs.
 */
import { z } from "zod";
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import type { AppRow } from "../platform/types.ts";
import { createOutboundFetch, parseAllowList } from "../platform/outbound.ts";
import { OfflineProvider } from "./offline.ts";
import { OpenAIProvider } from "./openai.ts";
import { LlmConfigError, type LlmProvider } from "./types.ts";

const ProviderName = z.string().regex(
  /^[a-z][a-z0-9_-]{0,40}$/,
  "lowercase letters, digits, - or _",
);
const SecretName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/);
const Prices = z.record(
  z.string(),
  z.object({ input_usd_per_mtok: z.number().min(0), output_usd_per_mtok: z.number().min(0) }),
);

/** How a call is made, wherever the settings come from. */
const CallSettings = {
  model: z.string().min(1).max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(200_000).optional(),
  timeout_ms: z.number().int().min(1000).max(600_000).optional(),
};

/** An OpenAI-compatible endpoint a tenant's admins configured. */
/**
 * A tenant-configured provider checked for `model`, and its API key: read from the tenant's
 * secrets for the provider's origin only (the database decrypts a secret for the origin it is
 * bound to and logs the read with `purpose`). `fail` makes the configuration error to throw.
 */
export async function providerKey(
  db: Db,
  tenantId: string,
  p: { base_url: string; api_key_secret?: string; models?: string[] },
  use: { name: string; model: string; purpose: "llm" | "embeddings"; what: string },
  fail: (message: string) => Error,
): Promise<{ origin: string; apiKey?: string }> {
  if (p.models?.length && !p.models.includes(use.model)) {
    throw fail(
      `Model '${use.model}' is not allowed with provider '${use.name}': choose one of ${
        p.models.join(", ")
      }`,
    );
  }
  const origin = new URL(p.base_url).origin;
  if (!p.api_key_secret) return { origin };
  const [row] = await db.q<AppRow<"secret_get">[]>`
    select * from app.secret_get(${tenantId}, ${p.api_key_secret}, ${use.purpose}, ${origin})`;
  if (row && row.bound_origin !== origin) {
    throw fail(
      `Secret '${p.api_key_secret}' is bound to ${row.bound_origin}, not ${origin}: a secret is only ever sent to the origin it was configured for (set it again for ${origin} if that is intended)`,
    );
  }
  const apiKey = row?.value ?? undefined;
  if (!apiKey) {
    throw fail(
      `Tenant secret '${p.api_key_secret}' for ${use.what} '${use.name}' is not set: store it with secrets.set (origin ${origin})`,
    );
  }
  return { origin, apiKey };
}

export const LlmProviderConfig = z.object({
  base_url: z.url().describe("OpenAI-compatible base URL, e.g. https://api.openai.com/v1"),
  api_key_secret: SecretName.optional().describe(
    "Tenant secret holding the API key; it must be bound to this base URL's origin",
  ),
  models: z.array(z.string().min(1).max(200)).max(100).optional().describe(
    "Models agents may choose with this provider; omitted = any",
  ),
}).strict();

/** tenants.settings.llm: the providers and the defaults (admins only). */
export const TenantLlmSettings = z.object({
  providers: z.record(ProviderName, LlmProviderConfig).optional(),
  provider: ProviderName.optional().describe(
    "Default provider: a name from providers, 'default' (the operator's) or 'offline'",
  ),
  ...CallSettings,
  prices: Prices.optional(),
}).strict();
export type TenantLlmSettings = z.infer<typeof TenantLlmSettings>;

/** agents.model_settings: a choice among the tenant's providers, never an endpoint or a secret. */
export const AgentLlmSettings = z.object({
  provider: ProviderName.optional().describe(
    "A provider configured in the tenant's settings, 'default' or 'offline'",
  ),
  ...CallSettings,
}).strict();
export type AgentLlmSettings = z.infer<typeof AgentLlmSettings>;

export interface ResolvedLlm {
  provider: LlmProvider;
  model: string;
  temperature?: number;
  maxTokens?: number;
  timeoutMs: number;
  prices: TenantLlmSettings["prices"];
}

/** Resolves the provider for a tenant and an agent's snapshot settings. */
export async function resolveLlm(
  db: Db,
  config: Config,
  tenant: { id: string; settings: Record<string, unknown> },
  agentSettings: Record<string, unknown>,
): Promise<ResolvedLlm> {
  const t = TenantLlmSettings.safeParse(tenant.settings.llm ?? {});
  const a = AgentLlmSettings.safeParse(agentSettings ?? {});
  if (!t.success) throw new LlmConfigError(`Tenant LLM settings are invalid: ${t.error.message}`);
  if (!a.success) throw new LlmConfigError(`Agent model settings are invalid: ${a.error.message}`);
  const tenantLlm = t.data;
  const agentLlm = a.data;
  const name = agentLlm.provider ?? tenantLlm.provider ?? "default";
  const base = {
    model: agentLlm.model ?? tenantLlm.model ?? config.ORA_LLM_MODEL,
    temperature: agentLlm.temperature ?? tenantLlm.temperature,
    maxTokens: agentLlm.max_tokens ?? tenantLlm.max_tokens,
    timeoutMs: agentLlm.timeout_ms ?? tenantLlm.timeout_ms ?? config.ORA_LLM_TIMEOUT_MS,
    prices: tenantLlm.prices,
  };
  const allow = parseAllowList(config.ORA_OUTBOUND_ALLOW ?? []);
  if (name === "offline") return { ...base, model: "offline", provider: new OfflineProvider() };

  if (name === "default") {
    // the operator's endpoint and key (environment): trusted configuration, not tenant input
    if (!config.ORA_LLM_API_KEY) {
      return { ...base, model: "offline", provider: new OfflineProvider() };
    }
    const origin = new URL(config.ORA_LLM_BASE_URL).origin;
    return {
      ...base,
      provider: new OpenAIProvider({
        apiKey: config.ORA_LLM_API_KEY,
        baseURL: config.ORA_LLM_BASE_URL,
        fetch: createOutboundFetch({
          allow: parseAllowList([...allow.entries, new URL(origin).hostname]),
          credential: { origin, secrets: [config.ORA_LLM_API_KEY] },
          timeoutMs: base.timeoutMs + 5000,
        }),
      }),
    };
  }

  const p = tenantLlm.providers?.[name];
  if (!p) {
    throw new LlmConfigError(
      `LLM provider '${name}' is not configured for this tenant: add it to settings.llm.providers (an admin setting) or choose another`,
    );
  }
  const { origin, apiKey } = await providerKey(db, tenant.id, p, {
    name,
    model: base.model,
    purpose: "llm",
    what: "LLM provider",
  }, (m) => new LlmConfigError(m));
  return {
    ...base,
    provider: new OpenAIProvider({
      apiKey: apiKey ?? "no-key",
      baseURL: p.base_url,
      fetch: createOutboundFetch({
        allow,
        credential: apiKey && apiKey.length >= 8 ? { origin, secrets: [apiKey] } : undefined,
        timeoutMs: base.timeoutMs + 5000,
      }),
    }),
  };
}
