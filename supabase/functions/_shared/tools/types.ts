/**
 * What a tool is: a contract (name, description, zod arguments, read or write, risk class,
 * integration) plus the code its adapters run. The registry (registry.ts) collects them; the
 * gate (gate.ts) decides whether a call runs; adapters (adapters.ts) run it.
 */
import { z } from "zod";
import type { Config } from "../platform/config.ts";
import type { Db, Tx } from "../platform/db.ts";
import { type Classifiable, type Classified, WorkError } from "../queue/classify.ts";
import type { Json } from "../runs/engine.ts";

export const MODES = ["assist", "copilot", "autonomous"] as const;
/** assist: writes become suggestions; copilot: every write waits for approval; autonomous: policies decide. */
export type Mode = typeof MODES[number];

/** Risk classes, lowest first: the base of a call's risk score. */
export const RISK_CLASSES = ["none", "low", "medium", "high", "critical"] as const;
export type RiskClass = typeof RISK_CLASSES[number];

export type Access = "read" | "write";

/** What a call did: its result and, for writes, the state before and after where known. */
export interface Effect {
  result: Json;
  before?: Json;
  after?: Json;
}

/** A recorded tool call as its requester reads it back. */
export interface CallRow {
  status: string;
  result: Json;
  error: Json;
  before: Json;
  after: Json;
}

/** Who a call is on behalf of. */
export interface Requester {
  requested_by?: string | null;
  user_id?: string | null;
  key_id?: string | null;
}

/** What the sandbox adapter gives a tool: a service-role transaction (filter by tenantId). */
export interface SandboxEnv {
  tenantId: string;
  tx: Tx;
  /** The call's idempotency key: identifiers a write creates derive from it. */
  callKey: string;
  toolCallId?: string;
  integration: string;
  now: Date;
}

/** What the site adapter gives a tool: a transaction with the tenant's claims (RLS applies). */
export interface SiteEnv {
  tenantId: string;
  tx: Tx;
  callKey: string;
  toolCallId?: string;
  /** The session that called the tool (spawn_agents makes children of it). */
  runId?: string;
  requester: Requester;
  now: Date;
}

/**
 * What a site read served outside a transaction gets: the pool (it opens its own short
 * transactions as the tenant) for reads that wait on something besides this database, such as
 * embedding a search query, so no connection is held while they wait.
 */
export interface DirectEnv {
  tenantId: string;
  db: Db;
  config: Config;
  runId?: string;
  signal?: AbortSignal;
}

/** A registry tool. `S` is its argument schema. */
export interface ToolDef<S extends z.ZodType = z.ZodType> {
  /** `integration.verb_noun` (cmms.create_work_order) or a site tool's name (leads_search). */
  name: string;
  description: string;
  params: S;
  access: Access;
  risk: RiskClass;
  /** cmms, scada, historian, erp, notify, hse, compliance (served by the tenant's integration
   * row: sandbox or http), or site (Ora's own tables, always the site adapter). */
  integration: string;
  /** For site tools: the scope an API caller of tools.execute needs besides tools:write (the
   * agents' allowlists play that part in sessions), so a tools key cannot reach around the
   * resource's own scope. */
  scope?: { resource: string; access: "read" | "write" };
  /** The asset a call acts on (for criticality), read from its arguments. */
  asset?: (args: z.infer<S>) => string | undefined;
  /** The money amount a call commits (for max_amount), read from its arguments. */
  amount?: (args: z.infer<S>) => number | undefined;
  /** The sandbox adapter's behaviour: plausible, seeded data; writes kept as sandbox records. */
  sandbox?: (args: z.infer<S>, env: SandboxEnv) => Promise<Effect>;
  /** The site adapter's behaviour: the same domain code the ora actions use. */
  site?: (args: z.infer<S>, env: SiteEnv) => Promise<Effect>;
  /** Instead of `site`, for reads only: served outside any transaction (see DirectEnv). */
  direct?: (args: z.infer<S>, env: DirectEnv) => Promise<Effect>;
  /** Runs the session waits for after the call (spawn_agents with wait). */
  awaitsRuns?: (args: z.infer<S>, result: Json) => string[];
}

/** Declares a tool (keeps the argument type for its adapters). */
export function defineTool<S extends z.ZodType>(t: ToolDef<S>): ToolDef {
  return t as unknown as ToolDef;
}

/**
 * A failure the tool reports itself (not found, insufficient stock, a refused credential, an
 * HTTP 4xx): final unless `retryable`, and its message is what the model reads.
 */
export class ToolCallError extends WorkError {}

/**
 * An integration cannot take the call now (its rate limit, its concurrency cap or its open
 * circuit breaker): the executor defers the job without using an attempt, released early when
 * the integration frees up.
 */
export class IntegrationBusyError extends Error implements Classifiable {
  constructor(
    readonly integration: string,
    readonly reason: "rate_limit" | "concurrency" | "breaker_open",
    readonly retryInMs: number,
  ) {
    super(
      reason === "breaker_open"
        ? `Integration ${integration} is failing (circuit breaker open): try again in ${
          Math.ceil(retryInMs / 1000)
        } s`
        : `Integration ${integration} is at its ${
          reason === "rate_limit" ? "rate limit" : "concurrency limit"
        }: try again in ${Math.ceil(retryInMs / 1000)} s`,
    );
    this.name = "IntegrationBusyError";
  }
  get code(): string {
    return this.reason === "breaker_open"
      ? "BREAKER_OPEN"
      : this.reason === "rate_limit"
      ? "RATE_LIMITED"
      : "CONCURRENCY_LIMITED";
  }
  classify(): Classified {
    return {
      kind: "defer",
      code: this.code,
      message: this.message,
      retryAfterMs: this.retryInMs,
      releaseKey: this.reason === "breaker_open"
        ? `breaker:tool:${this.integration}`
        : `integration:${this.integration}`,
    };
  }
}
