/**
 * The ORA action API: `GET` returns the schema of every action (autodiscovery),
 * `POST {action, data}` authenticates, checks scope, validates `data` and dispatches.
 */
import { z } from "zod";
import { type Action, closestActions, paramsSchema } from "../_shared/actions.ts";
import { claimsOf, hasScope } from "../_shared/auth.ts";
import { withService, withTenant } from "../_shared/db.ts";
import { gateway, type GatewayDeps } from "../_shared/gateway.ts";
import { ApiError, assertDeclaredSize, json, parseWith, readJson } from "../_shared/http.ts";
import { actions } from "./actions/index.ts";

export const API_VERSION = "1.0.0";

const Envelope = z.object({
  action: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()).optional().default({}),
}).strict();

/** The schema document `GET /functions/v1/<name>` returns. */
export function schemaDocument(registry: Record<string, Action> = actions, name = "ora") {
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
      Object.entries(registry).sort(([a], [b]) => a.localeCompare(b)).map(([name, a]) => [name, {
        description: a.description,
        scope: a.kind === "service"
          ? "service_role"
          : a.kind === "tenant" && a.scope
          ? `${a.scope.resource}:${a.scope.access}`
          : "any",
        params: paramsSchema(a.params),
        returns: a.returns,
      }]),
    ),
  };
}

/** Builds the ora fetch handler over a pool and config. */
export function createOraHandler(
  deps: Omit<GatewayDeps, "name">,
  registry: Record<string, Action> = actions,
) {
  return createActionHandler("ora", deps, registry);
}

/** Builds a fetch handler serving `registry` with the {action, data} envelope (GET = schema). */
export function createActionHandler(
  name: string,
  deps: Omit<GatewayDeps, "name">,
  registry: Record<string, Action>,
) {
  const schema = schemaDocument(registry, name);
  const names = Object.keys(registry);
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
    assertDeclaredSize(req, deps.config.ORA_MAX_BODY_BYTES);
    const principal = await scope.authenticate();
    const envelope = parseWith(
      Envelope,
      await readJson(req, deps.config.ORA_MAX_BODY_BYTES),
      "request",
    );
    scope.action = envelope.action;
    const action = registry[envelope.action];
    if (!action) {
      const suggestions = closestActions(envelope.action, names);
      throw new ApiError(
        "VALIDATION_ERROR",
        `Unknown action '${envelope.action}'; did you mean ${suggestions.join(", ")}?`,
        {
          suggestions,
        },
      );
    }

    if (action.kind === "service" && principal.kind !== "service") {
      throw new ApiError("FORBIDDEN", `Action '${envelope.action}' needs the service-role key`);
    }
    if (action.kind === "service" || (action.kind === "any" && !principal.tenantId)) {
      const data = parseWith(action.params, envelope.data);
      const result = await withService(
        deps.sql,
        (tx) =>
          action.handler({
            tx,
            sql: deps.sql,
            principal,
            tenantId: principal.tenantId,
            requestId,
            config: deps.config,
          }, data),
      );
      return json({ data: result, requestId }, 200, requestId);
    }

    if (
      action.kind === "tenant" && action.scope &&
      !hasScope(principal.scopes, action.scope.resource, action.scope.access)
    ) {
      throw new ApiError(
        "FORBIDDEN",
        `Missing scope ${action.scope.resource}:${action.scope.access} for action '${envelope.action}'`,
      );
    }
    const tenantId = principal.tenantId;
    if (!tenantId) {
      throw new ApiError(
        "VALIDATION_ERROR",
        "No tenant selected: send the x-ora-tenant header with the service-role key",
      );
    }
    const data = parseWith(action.params, envelope.data);
    const result = await withTenant(
      deps.sql,
      claimsOf(principal),
      (tx) =>
        action.handler(
          { tx, sql: deps.sql, principal, tenantId, requestId, config: deps.config },
          data,
        ),
    );
    return json({ data: result, requestId }, 200, requestId);
  });
}
