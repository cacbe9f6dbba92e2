/**
 * The {action, data} API shared by `ora` and `orchestration-manager`: `GET` returns the schema
 * of every action (autodiscovery), `POST {action, data}` authenticates, checks scope, validates
 * `data` and runs the action in one transaction. A request holds at most one connection: the
 * API key is checked and counted in the same round trip as BEGIN, and anything that waits
 * (`wait_ms`) runs after the commit with no connection held.
 */
import { z } from "zod";
import {
  type Action,
  type AfterContext,
  closestActions,
  paramsSchema,
  type Registry,
} from "./actions.ts";
import {
  applyConsume,
  claimsOf,
  consumeNow,
  consumeStatement,
  hasScope,
  type Principal,
} from "./auth.ts";
import type { Db, Tx } from "./db.ts";
import { gateway, type GatewayDeps } from "./gateway.ts";
import { ApiError, assertDeclaredSize, json, parseWith, readJson } from "./http.ts";

export const API_VERSION = "1.0.0";

const Envelope = z.object({
  action: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()).optional().default({}),
}).strict();

/** The scope an action needs, as the schema document shows it. */
function scopeOf(a: Action): string {
  if (a.kind === "service") return "service_role";
  if (a.kind === "tenant" && a.scope) return `${a.scope.resource}:${a.scope.access}`;
  return "any";
}

/** The schema document `GET /functions/v1/<name>` returns; `extras` adds sections (e.g. tools). */
export function schemaDocument(
  registry: Registry,
  name: string,
  extras: Record<string, unknown> = {},
) {
  return {
    name,
    version: API_VERSION,
    description: `Ora action API (${name}): POST {action, data} with Authorization: Bearer <key>.`,
    authentication: {
      type: "bearer",
      header: "Authorization",
      schemes: [
        {
          name: "api_key",
          format: "ora_<prefix>_<secret>",
          description: "Ora API key; scopes and limits apply.",
        },
        {
          name: "user_jwt",
          description: "Supabase Auth access token; send x-ora-tenant when in several tenants.",
        },
        {
          name: "service_role",
          description:
            "Service-role key; required for service actions; x-ora-tenant selects a tenant.",
        },
      ],
    },
    request: { method: "POST", body: { action: "string", data: "object (the action's params)" } },
    response: {
      success: { data: "the action's result", requestId: "string" },
      error: {
        error: { code: "string", message: "string", details: "optional" },
        requestId: "string",
      },
    },
    actions: Object.fromEntries(
      [...registry].sort(([a], [b]) => a.localeCompare(b)).map(([name, a]) => [name, {
        description: a.description,
        scope: scopeOf(a),
        params: paramsSchema(a.params),
        returns: a.returns,
      }]),
    ),
    ...extras,
  };
}

/** Checks that the principal may run `action` and returns the tenant it runs in (null: service). */
function authorize(name: string, action: Action, principal: Principal): string | null {
  if (action.kind === "service") {
    if (principal.kind !== "service") {
      throw new ApiError("FORBIDDEN", `Action '${name}' needs the service-role key`);
    }
    return null;
  }
  if (action.kind === "any" && !principal.tenantId) return null;
  if (
    action.kind === "tenant" && action.scope &&
    !hasScope(principal.scopes, action.scope.resource, action.scope.access)
  ) {
    throw new ApiError(
      "FORBIDDEN",
      `Missing scope ${action.scope.resource}:${action.scope.access} for action '${name}'`,
    );
  }
  if (!principal.tenantId) {
    throw new ApiError(
      "VALIDATION_ERROR",
      "No tenant selected: send the x-ora-tenant header with the service-role key",
    );
  }
  return principal.tenantId;
}

/** Builds a fetch handler serving `registry` with the {action, data} envelope (GET = schema). */
export function createActionHandler(
  name: string,
  deps: Omit<GatewayDeps, "name">,
  registry: Registry,
  extras: Record<string, unknown> = {},
) {
  const schema = schemaDocument(registry, name, extras);
  const names = [...registry.keys()];
  const { db, config } = deps;
  return gateway({ ...deps, name }, async (scope) => {
    const { req, requestId } = scope;
    if (req.method === "GET") {
      return json(schema, 200, requestId, { "cache-control": "public, max-age=60" });
    }
    if (req.method !== "POST") {
      throw new ApiError(
        "METHOD_NOT_ALLOWED",
        `Method ${req.method} is not allowed: use GET for the schema or POST {action, data}`,
      );
    }
    // Size is checked before anything else is read; credentials before the body is parsed.
    assertDeclaredSize(req, config.ORA_MAX_BODY_BYTES);
    const principal = await scope.authenticate();

    let action: Action;
    let data: unknown;
    let tenantId: string | null;
    try {
      const envelope = parseWith(
        Envelope,
        await readJson(req, config.ORA_MAX_BODY_BYTES),
        "request",
      );
      scope.action = envelope.action;
      const found = registry.get(envelope.action);
      if (!found) {
        const suggestions = closestActions(envelope.action, names);
        throw new ApiError(
          "VALIDATION_ERROR",
          `Unknown action '${envelope.action}'; did you mean ${suggestions.join(", ")}?`,
          { suggestions },
        );
      }
      action = found;
      tenantId = authorize(envelope.action, action, principal);
      data = parseWith(action.params, envelope.data);
    } catch (e) {
      // Every authenticated request counts against the key's limits; a key over its limit
      // hears that first.
      await consumeNow(principal, db);
      throw e;
    }

    const base = { principal, requestId, config };
    let result: unknown;
    if (tenantId === null) {
      result = await db.service((tx) =>
        (action.handler as (c: unknown, d: unknown) => Promise<unknown>)(
          { ...base, tx, tenantId: principal.tenantId },
          data,
        )
      );
    } else {
      const tid = tenantId;
      result = await db.transaction(
        {
          role: "authenticated",
          claims: claimsOf(principal),
          before: principal.consumePending ? consumeStatement(principal) : undefined,
        },
        (tx) =>
          (action.handler as (c: unknown, d: unknown) => Promise<unknown>)(
            { ...base, tx, tenantId: tid },
            data,
          ),
        principal.consumePending ? (rows) => applyConsume(principal, rows) : undefined,
      );
      if (action.kind === "tenant" && action.after) {
        result = await action.after(
          afterContext(db, principal, tid, requestId, config),
          data,
          result,
        );
      }
    }
    return json({ data: result, requestId }, 200, requestId);
  });
}

function afterContext(
  db: Db,
  principal: Principal,
  tenantId: string,
  requestId: string,
  config: AfterContext["config"],
): AfterContext {
  return {
    db,
    principal,
    tenantId,
    requestId,
    config,
    read: <T>(fn: (tx: Tx) => Promise<T>) => db.tenant(claimsOf(principal), fn),
  };
}
