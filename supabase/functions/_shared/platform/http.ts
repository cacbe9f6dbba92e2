/**
 * HTTP helpers shared by every function: the error envelope and status map, request ids,
 * CORS, the body-size limit and JSON parsing.
 */
import { z } from "zod";

export type ErrorCode =
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "VALIDATION_ERROR"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "BUDGET_EXCEEDED"
  | "METHOD_NOT_ALLOWED"
  | "UNAVAILABLE"
  | "INTERNAL_ERROR";

export const STATUS: Record<ErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_ERROR: 400,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  BUDGET_EXCEEDED: 402,
  METHOD_NOT_ALLOWED: 405,
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

/** An error meant for the caller: its code, message and details go into the envelope as they are. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers":
    "authorization, x-client-info, apikey, content-type, x-request-id, x-ora-tenant",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers":
    "x-request-id, retry-after, x-ratelimit-limit, x-ratelimit-remaining",
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The caller's x-request-id when it is well-formed, a new UUID otherwise. */
export function requestIdOf(req: Request): string {
  const given = req.headers.get("x-request-id");
  return given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/** A JSON response with CORS headers and x-request-id. */
export function json(
  body: unknown,
  status: number,
  requestId: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...CORS_HEADERS,
      "content-type": "application/json; charset=utf-8",
      "x-request-id": requestId,
      ...headers,
    },
  });
}

/** The standard error envelope `{error: {code, message, details?}, requestId}`. */
export function errorResponse(err: ApiError, requestId: string): Response {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.details !== undefined) error.details = err.details;
  return json({ error, requestId }, err.status, requestId, err.headers);
}

/** Answers a CORS preflight. */
export function preflight(requestId: string): Response {
  return new Response(null, {
    status: 204,
    headers: { ...CORS_HEADERS, "x-request-id": requestId },
  });
}

/** Reads the raw body, refusing more than `maxBytes` with 413 (by content-length and while streaming). */
export async function readBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  assertDeclaredSize(req, maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** Parses JSON text (400 when malformed or nested deeper than MAX_JSON_DEPTH). */
export function parseJsonText(text: string): unknown {
  assertNesting(text, MAX_JSON_DEPTH);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(
      "VALIDATION_ERROR",
      `Request body is not valid JSON: ${(e as Error).message}`,
    );
  }
}

/**
 * Reads the body as JSON, refusing more than `maxBytes` with 413 before parsing (by
 * content-length when given, and while streaming otherwise). Malformed JSON is a 400.
 */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const text = new TextDecoder().decode(await readBody(req, maxBytes));
  if (text.trim() === "") {
    throw new ApiError("VALIDATION_ERROR", 'Request body is empty: send JSON {"action", "data"}');
  }
  return parseJsonText(text);
}

/** Deepest JSON nesting accepted in a request body (deeper bodies get 400 before parsing). */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses (400) JSON text nested deeper than `maxDepth` arrays/objects, scanning once without
 * recursion, so a 10,000-deep body cannot overflow the stack of the parser or anything after it.
 */
export function assertNesting(text: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) {
        throw new ApiError(
          "VALIDATION_ERROR",
          `Request body is nested deeper than ${maxDepth} levels: flatten the data`,
          { maxDepth },
        );
      }
    } else if (c === 125 || c === 93) depth--;
  }
}

/** Refuses with 413 a request whose content-length is over `maxBytes`, without reading it. */
export function assertDeclaredSize(req: Request, maxBytes: number): void {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    "PAYLOAD_TOO_LARGE",
    `Request body is larger than the limit of ${maxBytes} bytes`,
    {
      maxBytes,
    },
  );
}

/** Turns zod issues into a 400 with the issues (path, message, code) in details. */
export function validationError(error: z.ZodError, what = "data"): ApiError {
  const issues = error.issues.map((i) => ({
    path: i.path.join("."),
    message: i.message,
    code: i.code,
  }));
  const first = issues[0];
  const where = first?.path ? `${what}.${first.path}` : what;
  return new ApiError(
    "VALIDATION_ERROR",
    `Invalid ${where}: ${first?.message ?? "invalid input"}`,
    issues,
  );
}

/** Parses `input` with `schema`, throwing a 400 ApiError with the zod issues on failure. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = "data",
): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error, what);
  return result.data;
}

/**
 * Maps Postgres errors a caller can cause to envelope errors; anything else is left for the
 * 500 path (logged with the request id, never shown). Ora's own SQLSTATEs (OR400, OR402, OR404,
 * OR409) carry messages written for callers and a machine-readable reason in DETAIL, which
 * reaches `error.details.reason`.
 */
export function fromPostgresError(e: unknown): ApiError | undefined {
  const pg = e as { code?: string; detail?: string; constraint_name?: string; message?: string };
  const own: Record<string, ErrorCode> = {
    OR400: "VALIDATION_ERROR",
    OR402: "BUDGET_EXCEEDED",
    OR403: "FORBIDDEN",
    OR404: "NOT_FOUND",
    OR409: "CONFLICT",
  };
  if (pg?.code && own[pg.code]) {
    return new ApiError(
      own[pg.code],
      pg.message ?? pg.code,
      pg.detail ? { reason: pg.detail } : undefined,
    );
  }
  switch (pg?.code) {
    case "23505":
      return new ApiError("CONFLICT", "A record with the same unique value already exists", {
        constraint: pg.constraint_name,
      });
    case "23514":
    case "23502":
    case "22P02":
    case "22007":
    case "22008":
    case "22003":
    case "22001":
    case "22021": // a NUL or another character the encoding cannot hold
    case "22P05": // \u0000 in JSON text that becomes jsonb
      return new ApiError(
        "VALIDATION_ERROR",
        `Invalid value: ${pg.message ?? "rejected by the database"}`,
        { constraint: pg.constraint_name },
      );
    case "23503":
      return new ApiError("VALIDATION_ERROR", "A referenced record does not exist", {
        constraint: pg.constraint_name,
      });
    case "42501":
      return new ApiError("FORBIDDEN", "Not allowed for this tenant");
    case "57014": // statement_timeout
      return new ApiError(
        "UNAVAILABLE",
        "The database took too long to answer; try again",
        undefined,
        { "retry-after": "1" },
      );
    default:
      return undefined;
  }
}
