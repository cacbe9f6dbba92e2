/**
 * The request pipeline every public function shares: request id, CORS, body limit,
 * authentication, error envelope, request logging.
 */
import { type AuthContext, authenticate, type Principal } from "./auth.ts";
import type { Config } from "./config.ts";
import type { Sql } from "./db.ts";
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
  sql: Sql;
  config: Config;
}

/** The client address: from the configured proxy header (first entry), else the socket. */
export function clientIpOf(
  req: Request,
  info: ServeInfo | undefined,
  config: Config,
): string | null {
  const raw = config.ORA_CLIENT_IP_HEADER
    ? req.headers.get(config.ORA_CLIENT_IP_HEADER)?.split(",")[0]?.trim()
    : info?.remoteAddr && "hostname" in info.remoteAddr
    ? info.remoteAddr.hostname
    : undefined;
  if (!raw) return null;
  // Accept only something shaped like an IPv4/IPv6 address; Postgres parses it as inet.
  return /^[0-9a-fA-F:.]{2,45}$/.test(raw) ? raw : null;
}

/** Wraps a handler with the shared pipeline and returns a Deno-style fetch function. */
export function gateway(
  deps: GatewayDeps,
  handle: (scope: RequestScope) => Promise<Response>,
): (req: Request, info?: ServeInfo) => Promise<Response> {
  return async (req, info) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    if (req.method === "OPTIONS") return preflight(requestId);
    const clientIp = clientIpOf(req, info, deps.config);
    const scope: RequestScope = {
      req,
      requestId,
      clientIp,
      authenticate: async () => {
        const ctx: AuthContext = { sql: deps.sql, config: deps.config, clientIp };
        scope.principal = await authenticate(req, ctx);
        return scope.principal;
      },
    };
    let res: Response;
    let errorCode: string | undefined;
    try {
      res = await handle(scope);
    } catch (e) {
      const err = e instanceof ApiError ? e : fromPostgresError(e);
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
    const rl = scope.principal?.rateLimit;
    if (rl) {
      res.headers.set("x-ratelimit-limit", String(rl.limit));
      res.headers.set("x-ratelimit-remaining", String(rl.remaining));
    }
    logRequest(deps, scope, req.method, res.status, errorCode, performance.now() - started);
    return res;
  };
}

/** Writes the request log row without delaying the response; a failure is logged, not raised. */
function logRequest(
  deps: GatewayDeps,
  scope: RequestScope,
  method: string,
  status: number,
  errorCode: string | undefined,
  durationMs: number,
): void {
  const p = scope.principal;
  deps.sql`
    insert into public.request_log
      (request_id, tenant_id, api_key_id, user_id, function_name, action, method, status, error_code, duration_ms, client_ip)
    values (${scope.requestId}, ${p?.tenantId ?? null}, ${p?.keyId ?? null}, ${
    p?.userId ?? null
  }, ${deps.name},
      ${scope.action ?? null}, ${method}, ${status}, ${errorCode ?? null}, ${
    durationMs.toFixed(2)
  }, ${scope.clientIp}::inet)`
    .catch((e) =>
      log("warn", "request log write failed", {
        requestId: scope.requestId,
        error: String(e?.message ?? e),
      })
    );
}
