/**
 * The tools API behind the ora actions tools.*, integrations.*, assets.*, policies.* and
 * approvals.*: reads run in the request transaction under RLS; approval decisions go through
 * app.approval_decide (which checks who decides); calls go through the gate after the commit,
 * holding no connection while an adapter or the executor works.
 */
import { z } from "zod";
import type { AfterContext } from "../platform/actions.ts";
import { type Principal, principalName } from "../platform/auth.ts";
import { definedOnly } from "../platform/crud.ts";
import { elevated, sleep, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import { gate, type GateResult, submitApproved } from "./gate.ts";
import { PolicyConditions, ROLES } from "./policy.ts";
import { describeTool, TOOLS } from "./registry.ts";
import { type CallRow, MODES, type Requester } from "./types.ts";

export function requesterOf(p: Principal): Requester {
  return {
    requested_by: principalName(p),
    user_id: p.userId ?? null,
    key_id: p.keyId ?? null,
  };
}

const ToolNameSchema = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/, "a tool name");

function mustTool(name: string) {
  const t = TOOLS.get(name);
  if (!t) throw new ApiError("NOT_FOUND", `No tool named ${name}: tools.list shows them all`);
  return t;
}

const INTEGRATIONS = [...new Set([...TOOLS.values()].map((t) => t.integration))].filter((i) =>
  i !== "site"
);

// ---------------------------------------------------------------------------------------------
// tools.*
// ---------------------------------------------------------------------------------------------

export const ListTools = z.object({
  integration: z.string().max(63).optional(),
  access: z.enum(["read", "write"]).optional(),
  include_disabled: z.boolean().default(true),
}).strict();

async function toolState(tx: Tx) {
  const settings = await tx<{ tool: string; enabled: boolean }[]>`
    select tool, enabled from public.tool_settings`;
  const integrations = await tx<{ key: string; adapter: string; enabled: boolean }[]>`
    select key, adapter, enabled from public.tool_integrations`;
  const enabled = new Map(settings.map((s) => [s.tool, s.enabled]));
  const byKey = new Map(integrations.map((i) => [i.key, i]));
  return (name: string) => {
    const t = TOOLS.get(name)!;
    const integ = byKey.get(t.integration);
    return {
      ...describeTool(t),
      enabled: enabled.get(name) ?? true,
      adapter: t.integration === "site" ? "site" : integ?.adapter ?? "sandbox",
      integration_enabled: t.integration === "site" ? true : integ?.enabled ?? true,
    };
  };
}

/** The registry with this tenant's enablement and adapters. */
export async function listTools(tx: Tx, f: z.infer<typeof ListTools>) {
  const state = await toolState(tx);
  const items = [...TOOLS.keys()].sort().map(state).filter((t) =>
    (!f.integration || t.integration === f.integration) && (!f.access || t.access === f.access) &&
    (f.include_disabled || t.enabled)
  );
  return { items, integrations: ["site", ...INTEGRATIONS] };
}

export async function getTool(tx: Tx, name: string) {
  mustTool(name);
  return (await toolState(tx))(name);
}

/** Switches a tool on or off for the tenant. */
export async function configureTool(
  tx: Tx,
  tenantId: string,
  p: Principal,
  c: { name: string; enabled: boolean },
) {
  mustTool(c.name);
  await tx`
    insert into public.tool_settings (tenant_id, tool, enabled, updated_by)
    values (${tenantId}, ${c.name}, ${c.enabled}, ${principalName(p)})
    on conflict (tenant_id, tool) do update set enabled = excluded.enabled, updated_by = excluded.updated_by`;
  return getTool(tx, c.name);
}

export const AuditFilter = z.object({
  run_id: z.uuid().optional(),
  approval_id: z.uuid().optional(),
  tool_call_id: z.uuid().optional(),
  tool: z.string().max(100).optional(),
  event: z.string().max(40).optional(),
  order: z.enum(["asc", "desc"]).default("desc"),
  limit: z.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d{1,19}$/).optional().describe("nextCursor of the previous page"),
}).strict();

/** The audit trail, filtered, in seq order. */
export async function listAudit(tx: Tx, f: z.infer<typeof AuditFilter>) {
  const asc = f.order === "asc";
  const rows = await tx`
    select * from public.tool_audit
    where (${f.run_id ?? null}::uuid is null or run_id = ${f.run_id ?? null}::uuid)
      and (${f.approval_id ?? null}::uuid is null or approval_id = ${f.approval_id ?? null}::uuid)
      and (${f.tool_call_id ?? null}::uuid is null or tool_call_id = ${
    f.tool_call_id ?? null
  }::uuid)
      and (${f.tool ?? null}::text is null or tool = ${f.tool ?? null}::text)
      and (${f.event ?? null}::text is null or event = ${f.event ?? null}::text)
      and (${f.cursor ?? null}::bigint is null or ${
    asc ? tx`seq > ${f.cursor ?? null}::bigint` : tx`seq < ${f.cursor ?? null}::bigint`
  })
    order by ${asc ? tx`seq asc` : tx`seq desc`} limit ${f.limit + 1}`;
  const items = rows.slice(0, f.limit);
  return {
    items,
    nextCursor: rows.length > f.limit ? String(items[items.length - 1].seq) : null,
  };
}

export const ExecuteTool = z.object({
  tool: ToolNameSchema,
  arguments: z.record(z.string(), z.unknown()).default({}),
  mode: z.enum(MODES).default("copilot").describe(
    "assist: writes become suggestions; copilot: writes wait for approval; autonomous: policies decide",
  ),
  approval_id: z.uuid().optional().describe(
    "Run a call a person approved: the same tool and exactly the approved arguments",
  ),
  idempotency_key: z.string().min(1).max(200).optional().describe(
    "A repeated call with the same key is the same call",
  ),
  wait_ms: z.number().int().min(0).max(25_000).default(5_000).describe(
    "Wait up to this long for a queued call to finish",
  ),
}).strict();

function shape(g: GateResult) {
  const status = {
    executed: "executed",
    failed: "failed",
    suggested: "suggested",
    refused: "refused",
    approval: "pending_approval",
    execute: "queued",
  }[g.outcome];
  return {
    tool: g.tool,
    status,
    ...(g.result !== undefined ? { result: g.result } : {}),
    ...(g.error ? { error: g.error } : {}),
    ...(g.approval ? { approval: g.approval } : {}),
    ...(g.tool_call_id ? { tool_call_id: g.tool_call_id } : {}),
    arguments: g.arguments,
    decision: g.decision ?? null,
  };
}

/** tools.execute after its commit: the gate (or an approved call's submission), then a wait. */
export async function executeTool(ctx: AfterContext, d: z.infer<typeof ExecuteTool>) {
  const deps = { db: ctx.db, config: ctx.config };
  const requester = requesterOf(ctx.principal);
  const requestKey = `api:${principalName(ctx.principal)}:${
    d.idempotency_key ?? crypto.randomUUID()
  }`;
  let out: Record<string, unknown>;
  let callId: string | undefined;
  if (d.approval_id) {
    const sub = await submitApproved(deps, {
      tenantId: ctx.tenantId,
      approvalId: d.approval_id,
      tool: d.tool,
      args: d.arguments,
      requestKey,
      mode: d.mode,
      requester,
      actor: principalName(ctx.principal),
    });
    if (!sub.ok) {
      return {
        tool: d.tool,
        status: "refused",
        error: { code: sub.reason, message: sub.message },
        approval_id: d.approval_id,
      };
    }
    callId = sub.tool_call_id;
    out = { tool: d.tool, status: "queued", tool_call_id: callId, approval_id: d.approval_id };
  } else {
    const g = await gate(deps, {
      tenantId: ctx.tenantId,
      tool: d.tool,
      args: d.arguments,
      mode: d.mode,
      requestKey,
      requester,
    });
    out = shape(g);
    callId = g.tool_call_id;
  }
  if (!callId) return out;
  const until = Date.now() + d.wait_ms;
  for (;;) {
    const [row] = await ctx.read((tx) =>
      tx<CallRow[]>`select status, result, error, before, after from public.tool_calls
        where id = ${callId}`
    );
    if (row && (row.status === "succeeded" || row.status === "failed")) {
      return {
        ...out,
        status: row.status === "succeeded" ? "executed" : "failed",
        ...(row.status === "succeeded" ? { result: row.result } : { error: row.error }),
        before: row.before,
        after: row.after,
      };
    }
    if (Date.now() >= until) return out;
    await sleep(Math.min(50, Math.max(0, until - Date.now())));
  }
}

// ---------------------------------------------------------------------------------------------
// integrations.*
// ---------------------------------------------------------------------------------------------

const Route = z.object({
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
  path: z.string().regex(/^\/[A-Za-z0-9_.~\-/{}%]*$/, "a path starting with /").max(500),
}).strict();

export const IntegrationFields = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).describe(
    "The integration tools name (cmms, scada, historian, erp, notify, hse, compliance)",
  ),
  adapter: z.enum(["sandbox", "http"]).default("sandbox"),
  base_url: z.url().max(2000).optional().describe("http: where calls go"),
  credential_secret: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).nullable().optional().describe(
    "http: a tenant secret (secrets.set) bound to base_url's origin",
  ),
  auth_header: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/).default("authorization"),
  auth_scheme: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,30}$/).nullable().default("Bearer"),
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  max_retries: z.number().int().min(0).max(5).default(2),
  rate_limit_per_minute: z.number().int().min(1).max(100_000).nullable().default(null),
  max_concurrency: z.number().int().min(1).max(1000).nullable().default(null),
  idempotent_retries: z.boolean().default(true).describe(
    "The endpoint honours Idempotency-Key (a call cut off mid-request may be sent again)",
  ),
  routes: z.record(ToolNameSchema, Route).default({}),
  enabled: z.boolean().default(true),
}).strict();

/** Creates or replaces an integration; an http credential must be bound to base_url's origin. */
export async function upsertIntegration(
  tx: Tx,
  tenantId: string,
  p: Principal,
  i: z.infer<typeof IntegrationFields>,
) {
  if (i.adapter === "http" && !i.base_url) {
    throw new ApiError("VALIDATION_ERROR", "An http integration needs base_url");
  }
  if (i.base_url && !/^https?:\/\//.test(i.base_url)) {
    throw new ApiError("VALIDATION_ERROR", "base_url must be http:// or https://");
  }
  if (i.credential_secret) {
    if (!i.base_url) throw new ApiError("VALIDATION_ERROR", "A credential needs base_url");
    const origin = new URL(i.base_url).origin;
    const [s] = await elevated(
      tx,
      () =>
        tx`select origin from app.secret_list(${tenantId}) where name = ${i.credential_secret!}`,
    );
    if (!s) {
      throw new ApiError(
        "VALIDATION_ERROR",
        `No secret named ${i.credential_secret}: store it first with secrets.set (origin ${origin})`,
      );
    }
    if (s.origin !== origin) {
      throw new ApiError(
        "VALIDATION_ERROR",
        `Secret ${i.credential_secret} is bound to ${s.origin}, not ${origin}: a secret is only sent to the origin it was configured for`,
      );
    }
  }
  for (const tool of Object.keys(i.routes)) {
    if (TOOLS.get(tool)?.integration !== i.key) {
      throw new ApiError("VALIDATION_ERROR", `routes.${tool}: not a tool of integration ${i.key}`);
    }
  }
  // deno-lint-ignore no-explicit-any
  const row: Record<string, any> = {
    ...i,
    tenant_id: tenantId,
    base_url: i.base_url ?? null,
    credential_secret: i.credential_secret ?? null,
    routes: tx.json(i.routes as never),
    created_by: principalName(p),
  };
  const cols = Object.keys(row).filter((k) => !["tenant_id", "key", "created_by"].includes(k));
  const [saved] = await tx`
    insert into public.tool_integrations ${tx(row)}
    on conflict (tenant_id, key) do update set ${tx(row, cols)}
    returning *`;
  return saved;
}

// ---------------------------------------------------------------------------------------------
// policies.* and assets.*
// ---------------------------------------------------------------------------------------------

export const PolicyFields = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  tool: z.string().regex(/^(\*|[a-z][a-z0-9_]*(\.(\*|[a-z][a-z0-9_]*))?)$/).describe(
    "A tool name, <integration>.* or *",
  ),
  agent: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).nullable().optional().describe(
    "Only calls from this agent's sessions",
  ),
  effect: z.enum(["allow", "require_approval", "deny"]),
  conditions: PolicyConditions.default({}),
  approver_roles: z.array(z.enum(ROLES)).min(1).max(3).nullable().optional(),
  approval_ttl_seconds: z.number().int().min(60).max(604_800).nullable().optional(),
  priority: z.number().int().min(-1000).max(1000).default(0),
  enabled: z.boolean().default(true),
}).strict();

/** Creates or replaces (by name) a policy; its tool pattern must name registered tools. */
export async function upsertPolicy(
  tx: Tx,
  tenantId: string,
  p: Principal,
  f: z.infer<typeof PolicyFields>,
) {
  if (f.tool !== "*") {
    const [integration, verb] = f.tool.split(".");
    const known = verb === "*"
      ? [...TOOLS.values()].some((t) => t.name.startsWith(`${integration}.`))
      : TOOLS.has(f.tool);
    if (!known) {
      throw new ApiError("VALIDATION_ERROR", `Policy tool ${f.tool} matches no registered tool`);
    }
  }
  // deno-lint-ignore no-explicit-any
  const row: Record<string, any> = definedOnly({
    ...f,
    conditions: tx.json(f.conditions as never),
    tenant_id: tenantId,
    created_by: principalName(p),
  });
  const cols = Object.keys(row).filter((k) => !["tenant_id", "name", "created_by"].includes(k));
  const [saved] = await tx`
    insert into public.tool_policies ${tx(row)}
    on conflict (tenant_id, name) do update set ${tx(row, cols)}
    returning *`;
  return saved;
}

export const EvaluateCall = z.object({
  tool: ToolNameSchema,
  arguments: z.record(z.string(), z.unknown()).default({}),
  mode: z.enum(MODES).default("autonomous"),
  agent: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).optional().describe(
    "Evaluate as this agent's session would (its allowlist applies)",
  ),
}).strict();

/** What the gate would decide for a call, without recording or running anything. */
export async function evaluateCall(ctx: AfterContext, d: z.infer<typeof EvaluateCall>) {
  let agent;
  if (d.agent) {
    const [a] = await ctx.read((tx) =>
      tx<{ slug: string; allowed_tools: string[]; can_spawn: boolean }[]>`
        select slug, allowed_tools, can_spawn from public.agents where slug = ${d.agent!}`
    );
    if (!a) throw new ApiError("NOT_FOUND", `No agent ${d.agent}`);
    agent = { slug: a.slug, allowed_tools: a.allowed_tools, can_spawn: a.can_spawn };
  }
  const g = await gate({ db: ctx.db, config: ctx.config }, {
    tenantId: ctx.tenantId,
    tool: d.tool,
    args: d.arguments,
    mode: d.mode,
    requestKey: `dry-run:${crypto.randomUUID()}`,
    requester: requesterOf(ctx.principal),
    agent,
  }, { dryRun: true });
  return shape(g);
}

export const AssetFields = z.object({
  asset_id: z.string().min(1).max(200),
  name: z.string().max(300).optional(),
  criticality: z.enum(["A", "B", "C"]),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict();

export async function upsertAssets(tx: Tx, tenantId: string, items: z.infer<typeof AssetFields>[]) {
  const rows = items.map((a) => ({
    tenant_id: tenantId,
    asset_id: a.asset_id,
    name: a.name ?? null,
    criticality: a.criticality,
    metadata: tx.json((a.metadata ?? {}) as never),
  }));
  return await tx`
    insert into public.tool_assets ${tx(rows)}
    on conflict (tenant_id, asset_id) do update set name = excluded.name,
      criticality = excluded.criticality, metadata = excluded.metadata
    returning *`;
}

// ---------------------------------------------------------------------------------------------
// approvals.*
// ---------------------------------------------------------------------------------------------

export const ApprovalFilter = z.object({
  status: z.enum(["pending", "approved", "rejected", "expired", "withdrawn"]).optional(),
  run_id: z.uuid().optional(),
  tool: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
}).strict();

/** One approval with its audit trail and the session it belongs to. */
export async function getApproval(tx: Tx, id: string) {
  const [approval] = await tx`select * from public.approvals where id = ${id}`;
  if (!approval) throw new ApiError("NOT_FOUND", `No approval with id ${id}`);
  const audit = await tx`
    select seq, event, actor, decision, error, result, before, after, tool_call_id, created_at
    from public.tool_audit where approval_id = ${id} order by seq`;
  const [session] = approval.run_id
    ? await tx`select id, kind, subject as agent, status, input ->> 'mode' as mode, created_by
        from public.runs where id = ${approval.run_id}`
    : [];
  const [call] = approval.tool_call_id
    ? await tx`select id, status, result, error, before, after, completed_at
        from public.tool_calls where id = ${approval.tool_call_id}`
    : [];
  return { ...approval, audit, session: session ?? null, tool_call: call ?? null };
}

/** Decides an approval as the calling principal (app.approval_decide checks who may). */
export async function decideApproval(
  tx: Tx,
  tenantId: string,
  p: Principal,
  d: { id: string; decision: "approved" | "rejected"; reason?: string; args_hash?: string },
) {
  const decider = p.kind === "user"
    ? { kind: "user", user_id: p.userId }
    : p.kind === "api_key"
    ? { kind: "api_key", key_id: p.keyId }
    : { kind: "service" };
  await elevated(
    tx,
    () =>
      tx`select id from app.approval_decide(${tenantId}, ${d.id}, ${d.decision}, ${
        d.reason ?? null
      }, ${tx.json(decider as never)}, ${d.args_hash ?? null})`,
  );
  return getApproval(tx, d.id);
}
