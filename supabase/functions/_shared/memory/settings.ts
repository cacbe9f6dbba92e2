/**
 * tenants.settings.memory: which embedder indexes the tenant's memory, how much of a prompt
 * memories may take, and how contradictions are judged. Endpoints and the secrets they use are
 * admin settings (`settings:write`), exactly like the LLM providers (`settings.llm`).
 */
import { z } from "zod";
import { LlmProviderConfig } from "../llm/resolve.ts";

const ProviderName = z.string().regex(
  /^[a-z][a-z0-9_-]{0,40}$/,
  "lowercase letters, digits, - or _",
);

export const TenantEmbeddingSettings = z.object({
  provider: ProviderName.optional().describe(
    "'default' (Supabase.ai gte-small on Supabase's edge runtime, else the operator's ORA_EMBEDDINGS_*), 'offline' (lexical, not semantic), 'supabase', or a provider named in memory.embeddings.providers or llm.providers",
  ),
  model: z.string().min(1).max(200).optional().describe(
    "Embedding model, e.g. text-embedding-3-small (default ORA_EMBEDDINGS_MODEL)",
  ),
  providers: z.record(ProviderName, LlmProviderConfig).optional().describe(
    "OpenAI-compatible embedding endpoints (llm.providers are usable too)",
  ),
  send_dimensions: z.boolean().optional().describe(
    "Ask the endpoint for the index's dimension (the `dimensions` parameter); default: only for text-embedding-3-* models",
  ),
  batch_size: z.number().int().min(1).max(256).optional().describe(
    "Texts per embedding request (default 64)",
  ),
  timeout_ms: z.number().int().min(1000).max(600_000).optional(),
}).strict();
export type TenantEmbeddingSettings = z.infer<typeof TenantEmbeddingSettings>;

export const TenantMemorySettings = z.object({
  embeddings: TenantEmbeddingSettings.optional(),
  prompt_budget_tokens: z.number().int().min(0).max(20_000).optional().describe(
    "Tokens of memory an agent's prompt may hold (default 800; 0 turns prompt memory off)",
  ),
  contradictions: z.enum(["auto", "llm", "rules", "off"]).optional().describe(
    "How a stored memory is checked against similar ones: auto (the tenant's LLM when one is configured, else rules), llm, rules, off",
  ),
  min_similarity: z.number().min(-1).max(1).optional().describe(
    "Vector matches below this cosine similarity are left out of prompt retrieval (default 0.2 for semantic embedders, 0.05 for the lexical one)",
  ),
}).strict();
export type TenantMemorySettings = z.infer<typeof TenantMemorySettings>;

/** The tenant's memory settings; invalid stored settings read as none (the API validates writes). */
export function memorySettings(settings: Record<string, unknown> | null | undefined) {
  const parsed = TenantMemorySettings.safeParse(settings?.memory ?? {});
  return parsed.success ? parsed.data : {};
}

/** Default tokens of memory in an agent's prompt. */
export const DEFAULT_PROMPT_BUDGET = 800;
