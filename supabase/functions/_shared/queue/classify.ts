/**
 * One place that decides what a failure means for queued work: retry (transient: the same work
 * may succeed later), defer (a dependency asked us to wait; no attempt is used) or final (retrying
 * cannot help: fail at once with a clear reason). Unknown errors are final: a bug does not fix
 * itself on retry, and retrying it would only hide it.
 */
import { OutboundRefusedError } from "../platform/outbound.ts";
import { ApiError } from "../platform/http.ts";
import { NestedConnectionError, PoolTimeoutError } from "../platform/db.ts";

export interface Classified {
  kind: "retry" | "defer" | "final";
  /** Machine-readable code stored with the error (LLM_429, BUDGET_EXCEEDED, …). */
  code: string;
  message: string;
  /** The dependency's own wait (Retry-After), when it gave one. */
  retryAfterMs?: number;
  /** For defer: what releases the work early (e.g. breaker:llm:api.openai.com). */
  releaseKey?: string;
}

/** An error that knows how it should be classified (LLM errors, breaker deferrals, …). */
export interface Classifiable {
  classify(): Classified;
}

/**
 * A failure that says itself whether retrying may help: final unless `retryable` (then retried
 * with backoff, honouring `retryAfterMs` when the dependency gave one). The base of the domain
 * errors: tool calls, automation actions, LLM and embedding calls.
 */
export class WorkError extends Error implements Classifiable {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
  classify(): Classified {
    return this.retryable
      ? { kind: "retry", code: this.code, message: this.message, retryAfterMs: this.retryAfterMs }
      : { kind: "final", code: this.code, message: this.message };
  }
}

function isClassifiable(e: unknown): e is Classifiable {
  return typeof (e as Classifiable)?.classify === "function";
}

/** Postgres SQLSTATEs and postgres.js codes worth retrying: connections, timeouts, contention. */
const TRANSIENT_PG = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available
  "57014", // query_canceled (statement_timeout)
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
]);

function message(e: unknown): string {
  return String((e as Error)?.message ?? e).slice(0, 2000);
}

/** Classifies a failure of queued work. */
export function classify(e: unknown): Classified {
  if (isClassifiable(e)) return e.classify();
  if (e instanceof OutboundRefusedError) {
    return { kind: "final", code: `OUTBOUND_${e.reason.toUpperCase()}`, message: e.message };
  }
  if (e instanceof PoolTimeoutError) return { kind: "retry", code: "DB_BUSY", message: e.message };
  if (e instanceof NestedConnectionError) return { kind: "final", code: "BUG", message: e.message };
  if (e instanceof ApiError) return { kind: "final", code: e.code, message: e.message };
  const code = (e as { code?: string })?.code;
  if (code === "OR402") return { kind: "final", code: "BUDGET_EXCEEDED", message: message(e) };
  if (code && /^OR4\d\d$/.test(code)) return { kind: "final", code, message: message(e) };
  if (code && (TRANSIENT_PG.has(code) || code.startsWith("08"))) {
    return { kind: "retry", code: `DB_${code}`, message: message(e) };
  }
  return { kind: "final", code: "INTERNAL_ERROR", message: message(e) };
}

/** Exponential backoff with jitter: base·2^(attempt−1), capped at 5 minutes, times 0.5–1.0. */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  const raw = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.round(raw * (0.5 + random() * 0.5));
}

/** When to retry: the backoff, or later when the dependency asked for it (Retry-After). */
export function retryDelayMs(attempt: number, baseMs: number, c: Classified): number {
  return Math.max(backoffMs(attempt, baseMs), c.retryAfterMs ?? 0);
}
