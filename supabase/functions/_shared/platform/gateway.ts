/**
 * The request pipeline every public function shares: request id, CORS, client address,
 * authentication, error envelope, request logging (batched).
 */
import { type AuthContext, authenticate, type Principal } from "./auth.ts";
import { Batcher } from "./batch.ts";
import { clientIp } from "./client_ip.ts";
import type { Config } from "./config.ts";
import { type Db, NestedConnectionError, PoolTimeoutError } from "./db.ts";
import { ApiError, errorResponse, fromPostgresError, preflight, requestIdOf } from "./http.ts";
import { log } from "./log.ts";

export interface ServeInfo {
  remoteAddr?: Deno.Addr;
}

export interface RequestScope {
  req: Request;
  requestId: string;
  clientIp: string | null;
  /** Set by handlers so the request log names the action. */
  action?: string;
  principal?: Principal;
  authenticate(): Promise<Principal>;
}

export interface GatewayDeps {
  name: string;
  db: Db;
  config: Config;
}

interface LogRow {
  request_id: string;
  tenant_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  function_name: string;
  action: string | null;
  method: string;
  status: number;
  error_code: string | null;
  duration_ms: string;
  client_ip: string | null;
}

interface KeyUse {
  n: number;
  at: string;
  ip: string | null;
}

/** Request-log rows and API-key usage of one pool, written in batches. */
class Bookkeeping {
  readonly requests: Batcher<LogRow>;
  readonly keys: Batcher<[string, KeyUse]>;
  constructor(db: Db) {
    this.requests = new Batcher<LogRow>(async (rows) => {
      await db.q`select app.request_log_write(${db.json(rows)})`;
    }, { name: "request log", maxRows: 200, maxDelayMs: 50 });
    this.keys = new Batcher<[string, KeyUse]>(async (uses) => {
      // several uses of one key in a batch fold into one row
      const folded = new Map<string, KeyUse>();
      for (const [id, u] of uses) {
        const f = folded.get(id);
        folded.set(id, f ? { n: f.n + u.n, at: u.at > f.at ? u.at : f.at, ip: u.ip } : u);
      }
      const rows = [...folded].map(([id, u]) => ({ id, n: u.n, at: u.at, ip: u.ip }));
      await db.q`select app.api_key_usage_record(${db.json(rows)})`;
    }, { name: "key usage", maxRows: 500, maxDelayMs: 100 });
  }
}

const books = new WeakMap<Db, Bookkeeping>();
function bookkeeping(db: Db): Bookkeeping {
  let b = books.get(db);
  if (!b) books.set(db, b = new Bookkeeping(db));
  return b;
}

/** Maps any thrown value to the envelope error a caller sees (undefined = a 500). */
export function toApiError(e: unknown): ApiError | undefined {
  if (e instanceof ApiError) return e;
  if (e instanceof PoolTimeoutError) {
    return new ApiError(
      "UNAVAILABLE",
      "The server is busy: no database connection became free in time; retry shortly",
      { retryAfter: 1 },
      { "retry-after": "1" },
    );
  }
  if (e instanceof NestedConnectionError) return undefined;
  return fromPostgresError(e);
}

/** Wraps a handler with the shared pipeline and returns a Deno-style fetch function. */
export function gateway(
  deps: GatewayDeps,
  handle: (scope: RequestScope) => Promise<Response>,
): (req: Request, info?: ServeInfo) => Promise<Response> {
  const book = bookkeeping(deps.db);
  return async (req, info) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    if (req.method === "OPTIONS") return preflight(requestId);
    const socket = info?.remoteAddr && "hostname" in info.remoteAddr
      ? info.remoteAddr.hostname
      : null;
    const ip = clientIp(req, socket, {
      header: deps.config.ORA_CLIENT_IP_HEADER,
      trustedHops: deps.config.ORA_CLIENT_IP_TRUSTED_HOPS,
    });
    const scope: RequestScope = {
      req,
      requestId,
      clientIp: ip,
      authenticate: async () => {
        const ctx: AuthContext = { db: deps.db, config: deps.config, clientIp: ip };
        scope.principal = await authenticate(req, ctx);
        return scope.principal;
      },
    };
    let res: Response;
    let errorCode: string | undefined;
    try {
      res = await handle(scope);
    } catch (e) {
      const err = toApiError(e);
      if (err) {
        res = errorResponse(err, requestId);
        errorCode = err.code;
      } else {
        log("error", "request failed", {
          requestId,
          function: deps.name,
          action: scope.action,
          error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        });
        res = errorResponse(
          new ApiError("INTERNAL_ERROR", "Internal error; quote the request id when reporting it"),
          requestId,
        );
        errorCode = "INTERNAL_ERROR";
      }
    }
    const p = scope.principal;
    if (p?.rateLimit) {
      res.headers.set("x-ratelimit-limit", String(p.rateLimit.limit));
      res.headers.set("x-ratelimit-remaining", String(p.rateLimit.remaining));
    }
    // a key whose request was counted: usage statistics, folded into batches
    if (p?.counted) {
      book.keys.add([p.keyId!, { n: 1, at: new Date().toISOString(), ip }]);
    }
    book.requests.add({
      request_id: requestId,
      tenant_id: p?.tenantId ?? null,
      api_key_id: p?.keyId ?? null,
      user_id: p?.userId ?? null,
      function_name: deps.name,
      action: scope.action ?? null,
      method: req.method,
      status: res.status,
      error_code: errorCode ?? null,
      duration_ms: (performance.now() - started).toFixed(2),
      client_ip: ip,
    });
    return res;
  };
}
