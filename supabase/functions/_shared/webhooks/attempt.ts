/**
 * One delivery attempt over HTTP, through the outbound client, and what its answer means:
 *
 * | answer | verdict |
 * | --- | --- |
 * | 2xx | delivered |
 * | 410 Gone | gone: final, and a webhook subscription is disabled |
 * | 408, 429, 5xx, a timeout, a connection error, a name that did not resolve | retry (Retry-After honoured) |
 * | 3xx (redirects are not followed), other 4xx, a URL the outbound policy refuses | failed: final |
 *
 * Retries wait the delivery's schedule (seconds after attempt 1, 2, …) with ±20% jitter, or
 * longer when the receiver's Retry-After asks for it (capped at a day).
 *
 * @module
 */
import {
  type AllowInput,
  type BoundCredential,
  createOutboundFetch,
  OutboundRefusedError,
  type Resolver,
} from "../platform/outbound.ts";

export type Verdict = "delivered" | "retry" | "failed" | "gone";

/** A request ready to send (headers complete but for the signatures made at send time). */
export interface PreparedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Credential bound to the request's origin (API keys; secret URLs). */
  credential?: BoundCredential;
  /** For multi-request deliveries (SMS): who this request is for. */
  key?: string;
}

export interface AttemptResult {
  verdict: Verdict;
  statusCode: number | null;
  error: string | null;
  /** The first 1000 characters of the response body. */
  response: string | null;
  retryAfterSeconds: number | null;
  durationMs: number;
}

/** The longest Retry-After honoured, in seconds. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;
const RESPONSE_KEPT = 1000;

/** What an HTTP status means for a delivery. */
export function verdictForStatus(status: number): Verdict {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 410) return "gone";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  if (status >= 300 && status < 500) return "failed";
  return "retry";
}

/** Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v), MAX_RETRY_AFTER_SECONDS);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_RETRY_AFTER_SECONDS);
}

/**
 * Seconds to wait after failed attempt `attempt` (1-based): the schedule's entry for it (the last
 * one once the schedule runs out) with ±20% jitter, at least 1, or the receiver's Retry-After
 * when that is longer.
 */
export function retryDelaySeconds(
  schedule: readonly number[],
  attempt: number,
  retryAfterSeconds: number | null = null,
  random: () => number = Math.random,
): number {
  const base = schedule[Math.min(Math.max(attempt, 1), schedule.length) - 1] ?? 30;
  const jittered = Math.max(1, Math.round(base * (0.8 + 0.4 * random())));
  return Math.max(jittered, Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS));
}

/** What a thrown error means for a delivery, with a message for the log. */
export function verdictForError(
  e: unknown,
  timeoutMs: number,
): { verdict: Verdict; error: string } {
  if (e instanceof OutboundRefusedError) {
    // a name that did not resolve may resolve later; every other refusal is the URL's fault
    return {
      verdict: e.reason === "resolution_failed" ? "retry" : "failed",
      error: `OUTBOUND_${e.reason.toUpperCase()}: ${e.message}`,
    };
  }
  const err = e as { name?: string; message?: string; code?: string };
  if (err?.name === "TimeoutError") {
    return { verdict: "retry", error: `TIMEOUT: no complete answer within ${timeoutMs} ms` };
  }
  const text = String(err?.message ?? e).slice(0, 500);
  return { verdict: "retry", error: `NETWORK${err?.code ? `_${err.code}` : ""}: ${text}` };
}

export interface AttemptOptions {
  allow?: AllowInput;
  timeoutMs: number;
  /** Name resolution (tests inject one). */
  resolver?: Resolver;
  /** Headers computed at send time (signatures over a fresh timestamp). */
  sign?: (req: PreparedRequest) => Promise<Record<string, string>>;
}

/** Sends one POST through the outbound client (no redirects followed) and judges the answer. */
export async function attempt(req: PreparedRequest, opts: AttemptOptions): Promise<AttemptResult> {
  const started = Date.now();
  let fetch: ReturnType<typeof createOutboundFetch>;
  try {
    fetch = createOutboundFetch({
      allow: opts.allow,
      resolver: opts.resolver,
      credential: req.credential,
      timeoutMs: opts.timeoutMs,
      maxRedirects: 0,
      maxResponseBytes: 256 * 1024,
    });
  } catch (e) {
    // a credential that cannot be bound (too short a secret, a bad origin): retrying cannot help
    return {
      verdict: "failed",
      statusCode: null,
      error: `CONFIG: ${(e as Error).message}`,
      response: null,
      retryAfterSeconds: null,
      durationMs: 0,
    };
  }
  let statusCode: number | null = null;
  let retryAfter: string | null = null;
  try {
    const signed = opts.sign ? await opts.sign(req) : {};
    const res = await fetch(req.url, {
      method: "POST",
      headers: { ...req.headers, ...signed },
      body: req.body,
      redirect: "manual",
    });
    statusCode = res.status;
    retryAfter = res.headers.get("retry-after");
    let text: string | null = null;
    try {
      text = (await res.text()).slice(0, RESPONSE_KEPT);
    } catch {
      // the status is the answer; a body we could not read changes nothing
    }
    const verdict = verdictForStatus(res.status);
    return {
      verdict,
      statusCode,
      error: verdict === "delivered" ? null : httpError(res.status, res.statusText, text),
      response: text,
      retryAfterSeconds: verdict === "retry" ? parseRetryAfter(retryAfter) : null,
      durationMs: Date.now() - started,
    };
  } catch (e) {
    const v = verdictForError(e, opts.timeoutMs);
    return {
      verdict: v.verdict,
      statusCode,
      error: v.error,
      response: null,
      retryAfterSeconds: null,
      durationMs: Date.now() - started,
    };
  }
}

function httpError(status: number, statusText: string, body: string | null): string {
  const what = status >= 300 && status < 400
    ? "redirects are not followed: point the endpoint at the final URL"
    : status === 410
    ? "the receiver says the endpoint is gone"
    : (body ?? "").slice(0, 200);
  return `HTTP_${status}${statusText ? ` ${statusText}` : ""}${what ? `: ${what}` : ""}`;
}

/**
 * Combines the results of several requests of one delivery (SMS to several numbers): delivered
 * when all were, retry when any may still succeed, else failed.
 */
export function combine(results: AttemptResult[]): AttemptResult {
  if (results.length === 1) return results[0];
  const pick = (v: Verdict) => results.find((r) => r.verdict === v);
  const worst = pick("retry") ?? pick("gone") ?? pick("failed") ?? results[0];
  return {
    ...worst,
    verdict: results.every((r) => r.verdict === "delivered")
      ? "delivered"
      : pick("retry")
      ? "retry"
      : "failed",
    retryAfterSeconds: Math.max(0, ...results.map((r) => r.retryAfterSeconds ?? 0)) || null,
    durationMs: results.reduce((s, r) => s + r.durationMs, 0),
  };
}
