/**
 * Configuration read from the environment and validated with zod. A missing or malformed
 * variable fails loudly at start-up (`Server misconfigured: …`), never with a silent default.
 */
import { z } from "zod";

const ConfigSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL"),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20),
  SUPABASE_ANON_KEY: z.string().min(20).optional(),
  /** HS256 secret for Supabase Auth JWTs (legacy JWT secret). Without it, JWTs are verified with JWKS. */
  ORA_JWT_SECRET: z.string().min(32).optional(),
  /** JWKS endpoint for asymmetric Supabase Auth keys; defaults to the project's. */
  ORA_JWKS_URL: z.url().optional(),
  /** When set, user JWTs must carry this `iss` (hosted: https://<ref>.supabase.co/auth/v1). */
  ORA_JWT_ISSUER: z.string().min(1).optional(),
  /** Largest accepted request body in bytes; bigger bodies get 413 before parsing. */
  ORA_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  /** Connections per function instance. */
  ORA_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** How long a request waits for a free connection before 503 UNAVAILABLE with Retry-After. */
  ORA_DB_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5000),
  /** Use prepared statements: only for direct or session-mode connections, never through Supavisor's transaction pooler (the hosted default). */
  ORA_DB_PREPARE: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  /** statement_timeout of every transaction the functions open. */
  ORA_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** idle_in_transaction_session_timeout of every transaction the functions open. */
  ORA_DB_IDLE_TX_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  /** Header carrying the client address behind a proxy (x-forwarded-for on hosted); unset = socket address. */
  ORA_CLIENT_IP_HEADER: z.string().toLowerCase().optional(),
  /** Proxies in front of the functions that append to ORA_CLIENT_IP_HEADER: the client is that many entries from the right. */
  ORA_CLIENT_IP_TRUSTED_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  /** Operator exceptions to the outbound private-address rule: comma-separated hosts, addresses or CIDRs (never tenant-editable). */
  ORA_OUTBOUND_ALLOW: z.string().max(4000).optional(),
  ORA_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Default OpenAI-compatible endpoint and key; without a key anywhere the offline provider runs. */
  ORA_LLM_BASE_URL: z.url().default("https://api.openai.com/v1"),
  ORA_LLM_API_KEY: z.string().min(1).optional(),
  ORA_LLM_MODEL: z.string().min(1).default("gpt-4o-mini"),
  ORA_LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  /** Default OpenAI-compatible embeddings endpoint and key (memory); without a key (and outside Supabase's edge runtime, where gte-small runs) the offline lexical embedder runs. */
  ORA_EMBEDDINGS_BASE_URL: z.url().default("https://api.openai.com/v1"),
  ORA_EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  ORA_EMBEDDINGS_MODEL: z.string().min(1).default("text-embedding-3-small"),
  /** Every worker function: visibility timeout (extended by heartbeats), slots per invocation, time budget. */
  ORA_AGENT_VT_SECONDS: z.coerce.number().int().min(2).max(600).default(10),
  ORA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  ORA_WORKER_BUDGET_MS: z.coerce.number().int().min(1000).max(3_600_000).default(50_000),
  /** An idle worker stays this long at most for delayed work to become visible; later work is woken by app.tick. */
  ORA_WORKER_IDLE_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** First retry delay; doubles per attempt (with jitter), capped at 5 minutes. */
  ORA_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  ORA_AGENT_MAX_TURNS: z.coerce.number().int().min(1).max(50).default(8),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Reads and validates the configuration from an env getter (Deno.env.get by default). */
export function loadConfig(
  get: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Config {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = get(key);
    raw[key] = value === "" ? undefined : value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      `${i.path.join(".")} ${raw[String(i.path[0])] === undefined ? "is missing" : i.message}`
    );
    throw new Error(`Server misconfigured: ${problems.join("; ")}`);
  }
  return parsed.data;
}
