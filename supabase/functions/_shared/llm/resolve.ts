/**
 * Picks the provider for an agent run: agent.model_settings over tenants.settings.llm over the
 * environment (ORA_LLM_*). With no API key anywhere, the offline deterministic provider runs.
 */
import { z } from "zod";
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import { assertOutboundAllowed } from "../platform/net.ts";
import { OfflineProvider } from "./offline.ts";
import { OpenAIProvider } from "./openai.ts";
import type { LlmProvider } from "./types.ts";

export const LlmSettings = z.object({
  provider: z.enum(["auto", "openai", "offline"]).optional(),
  base_url: z.url().optional(),
  model: z.string().min(1).max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(200_000).optional(),
  timeout_ms: z.number().int().min(1000).max(600_000).optional(),
  api_key_secret: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).optional().describe(
    "Name of a tenant secret holding the API key",
  ),
  prices: z.record(
    z.string(),
    z.object({ input_usd_per_mtok: z.number().min(0), output_usd_per_mtok: z.number().min(0) }),
  )
    .optional(),
}).strict();
export type LlmSettings = z.infer<typeof LlmSettings>;

export interface ResolvedLlm {
  provider: LlmProvider;
  model: string;
  temperature?: number;
  maxTokens?: number;
  timeoutMs: number;
  prices: LlmSettings["prices"];
}

/** Resolves the provider for a tenant and agent; reads the key from tenant secrets when named. */
export async function resolveLlm(
  db: Db,
  config: Config,
  tenant: { id: string; settings: Record<string, unknown> },
  agentSettings: Record<string, unknown>,
): Promise<ResolvedLlm> {
  const tenantLlm = LlmSettings.safeParse(tenant.settings.llm ?? {});
  const agentLlm = LlmSettings.safeParse(agentSettings ?? {});
  const s: LlmSettings = {
    ...(tenantLlm.success ? tenantLlm.data : {}),
    ...(agentLlm.success ? agentLlm.data : {}),
  };
  const base = {
    model: s.model ?? config.ORA_LLM_MODEL,
    temperature: s.temperature,
    maxTokens: s.max_tokens,
    timeoutMs: s.timeout_ms ?? config.ORA_LLM_TIMEOUT_MS,
    prices: s.prices,
  };
  if (s.provider === "offline") {
    return { ...base, model: "offline", provider: new OfflineProvider() };
  }

  let apiKey: string | undefined;
  if (s.api_key_secret) {
    const [row] = await db.q<{ value: string | null }[]>`
      select app.secret_get(${tenant.id}, ${s.api_key_secret}, 'llm') as value`;
    apiKey = row?.value ?? undefined;
  }
  const tenantEndpoint = s.base_url !== undefined;
  if (!apiKey && !tenantEndpoint) apiKey = config.ORA_LLM_API_KEY;
  if (!apiKey) {
    if (s.provider === "openai") {
      throw new Error(`No API key for the LLM: set tenant secret '${s.api_key_secret ?? "…"}'`);
    }
    return { ...base, model: "offline", provider: new OfflineProvider() };
  }
  const baseURL = s.base_url ?? config.ORA_LLM_BASE_URL;
  if (tenantEndpoint) {
    // A tenant-supplied endpoint must not reach private networks unless the tenant allowlists it.
    const allow = Array.isArray(tenant.settings.outbound_allowlist)
      ? tenant.settings.outbound_allowlist as string[]
      : [];
    await assertOutboundAllowed(baseURL, allow);
  }
  return { ...base, provider: new OpenAIProvider({ apiKey, baseURL }) };
}
