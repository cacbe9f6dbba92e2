/**
 * Memory (issue 11): agent memory, the memory index with hybrid search, automatic embeddings
 * (memory-indexer) and the Part V lifecycle. What other capabilities call:
 *
 * - `storeMemory(db, tenantId, input)` — automations (`store_memory`) and the agents' `memory.store` tool;
 * - `searchMemory(db, tenantId, query)` — the agents' `memory.search` tool;
 * - `retrieveForPrompt(db, config, {tenantId, agent, query, budgetTokens})` — the agent loop's
 *   "Memory" section.
 *
 * All three run as the tenant (RLS) and must be called without holding a connection.
 */
export {
  type SearchFilters,
  searchMemory,
  SearchMemoryInput,
  type SearchResult,
} from "./search.ts";
export { storeMemory, StoreMemoryInput, type StoreResult } from "./store.ts";
export { type Retrieved, retrieveForPrompt } from "./retrieval.ts";
export { DEFAULT_PROMPT_BUDGET, memorySettings, TenantMemorySettings } from "./settings.ts";
