/**
 * The gate: every tool call — from an agent session or from tools.execute — passes here.
 *
 * 1. The call must name a registered tool, with arguments its zod schema accepts, that the
 *    agent's allowlist names (agents.allowed_tools).
 * 2. Its context comes in one round trip (app.tool_gate_context): enablement, integration,
 *    policies, asset criticality, time zone, the requester and the approvers who exist.
 * 3. The policy engine decides (policy.ts): execute, suggest, approval or deny.
 * 4. Reads execute inline; writes never do here: they go to the tool-executor (allowed) or to
 *    the approval queue. The outcome is recorded in one round trip (app.tool_gate_record):
 *    audit, approval or queued call, atomically.
 *
 * What a tool returns is data: nothing in a result can make a later call skip this gate.
 */
import { log } from "../platform/log.ts";
import type { Json } from "../runs/engine.ts";
import {
  type AdapterDeps,
  adapterOf,
  type CallSpec,
  type IntegrationRow,
  runRead,
} from "./adapters.ts";
import { type Decision, evaluate, type PolicyRow, type Role } from "./policy.ts";
import { isAllowed, TOOLS } from "./registry.ts";
import type { Access, Mode, Requester, ToolDef } from "./types.ts";

/** The agent a session runs (from its snapshot). */
export interface GateAgent {
  slug: string;
  allowed_tools: string[];
  can_spawn?: boolean;
}

export interface GateCall {
  tenantId: string;
  /** Registry name (an unknown name is refused). */
  tool: string;
  /** The arguments as the caller sent them (parsed JSON). */
  args: unknown;
  /** Set when the arguments were not valid JSON. */
  argsError?: string;
  mode: Mode;
  /** Idempotency of the call: run:<run>:<step> or api:<…>. */
  requestKey: string;
  runId?: string;
  stepKey?: string;
  /** The calling agent: its allowlist applies. Absent for tools.execute. */
  agent?: GateAgent;
  /** Who the call is on behalf of, outside a run (a run's starter is read from the run). */
  requester?: Requester;
}

/** What the gate did with a call (a session records it as its gate step). */
export interface GateResult {
  outcome: "executed" | "failed" | "suggested" | "refused" | "approval" | "execute";
  tool: string;
  access?: Access;
  arguments?: Json;
  decision?: Decision;
  result?: Json;
  error?: { code: string; message: string; issues?: string[]; retry_after_ms?: number };
  approval?: { id: string; expires_at: string; args_hash: string; approver_roles: Role[] };
  tool_call_id?: string;
  requester?: Requester;
}

interface GateContext {
  enabled: boolean;
  integration: IntegrationRow | null;
  policies: PolicyRow[];
  asset: { asset_id: string; criticality: "A" | "B" | "C" } | null;
  timezone: string;
  approvals: { roles?: Role[]; ttl_seconds?: number };
  requester: Requester & { agent?: string | null };
  approvers: string[];
}

function asJson(v: unknown): Json {
  return JSON.parse(JSON.stringify(v ?? {})) as Json;
}

/** Loads the gate's context for a call (one round trip). */
async function context(
  deps: AdapterDeps,
  call: GateCall,
  t: ToolDef | undefined,
  assetId: string | undefined,
): Promise<GateContext> {
  const requester = {
    requested_by: call.requester?.requested_by ?? null,
    user_id: call.requester?.user_id ?? null,
    key_id: call.requester?.key_id ?? null,
    agent: call.agent?.slug ?? null,
  };
  const [row] = await deps.db.s<{ c: GateContext }[]>`
    select app.tool_gate_context(${call.tenantId}::uuid, ${call.tool}::text,
      ${t?.integration ?? ""}::text, ${call.runId ?? null}::uuid, ${requester}::jsonb,
      ${assetId ?? null}::text) as c`;
  return row.c;
}

/** Decides a call and carries out the decision (or, with dryRun, only decides). */
export async function gate(
  deps: AdapterDeps,
  call: GateCall,
  opts: { dryRun?: boolean } = {},
): Promise<GateResult> {
  const t = TOOLS.get(call.tool);
  const parsed = t && !call.argsError ? t.params.safeParse(call.args ?? {}) : undefined;
  const args = parsed?.success ? asJson(parsed.data) as Record<string, unknown> : undefined;
  const assetId = t && args ? t.asset?.(args as never) : undefined;
  const ctx = await context(deps, call, t, assetId);
  const requester: Requester = {
    requested_by: ctx.requester.requested_by,
    user_id: ctx.requester.user_id,
    key_id: ctx.requester.key_id,
  };
  const base = {
    tool: call.tool,
    access: t?.access,
    arguments: asJson(args ?? call.args),
    requester,
  };

  // CONTRACT: a registered tool, valid arguments, on the agent's allowlist
  let refusal: GateResult["error"] | undefined;
  if (!t) {
    refusal = { code: "unknown_tool", message: `There is no tool named ${call.tool}` };
  } else if (call.argsError) {
    refusal = {
      code: "invalid_json",
      message: `Tool arguments are not valid JSON: ${call.argsError}`,
    };
  } else if (!parsed?.success) {
    refusal = {
      code: "invalid_arguments",
      message: `Invalid arguments for ${t.name}`,
      issues: parsed?.error.issues.map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`),
    };
  } else if (call.agent && !isAllowed(call.agent.allowed_tools, t.name)) {
    refusal = {
      code: "not_allowed",
      message: `${t.name} is not among this agent's allowed tools`,
    };
  } else if (t.name === "spawn_agents" && call.agent && !call.agent.can_spawn) {
    refusal = {
      code: "cannot_spawn",
      message: "This agent may not spawn other agents (can_spawn)",
    };
  } else if (t.integration !== "site" && ctx.integration && !ctx.integration.enabled) {
    refusal = {
      code: "integration_disabled",
      message: `Integration ${t.integration} is disabled for this tenant`,
    };
  }
  if (refusal) {
    const res: GateResult = { ...base, outcome: "refused", error: refusal };
    if (!opts.dryRun) await record(deps, call, res, ctx);
    return res;
  }

  const tool = t!;
  const decision = evaluate({
    tool,
    args: args!,
    mode: call.mode,
    enabled: ctx.enabled,
    policies: ctx.policies,
    asset: ctx.asset,
    timezone: ctx.timezone,
    now: new Date(),
    approvals: ctx.approvals ?? {},
    approvers: ctx.approvers ?? [],
  });
  const decided = { ...base, decision };
  if (opts.dryRun) {
    const outcome = ({
      deny: "refused",
      suggest: "suggested",
      approval: "approval",
      execute: tool.access === "read" ? "executed" : "execute",
    } as const)[decision.action];
    return { ...decided, outcome };
  }

  let res: GateResult;
  switch (decision.action) {
    case "deny":
      res = {
        ...decided,
        outcome: "refused",
        error: { code: decision.code ?? "denied", message: decision.reasons.join("; ") },
      };
      break;
    case "suggest":
      res = { ...decided, outcome: "suggested" };
      break;
    case "approval":
      res = { ...decided, outcome: "approval" };
      break;
    default:
      if (tool.access === "read") {
        const spec: CallSpec = {
          tenantId: call.tenantId,
          tool,
          args: args!,
          callKey: call.requestKey,
          runId: call.runId,
          requester,
          integration: ctx.integration,
          adapter: adapterOf(tool, ctx.integration),
        };
        const out = await runRead(deps, spec);
        res = {
          ...decided,
          outcome: out.status === "succeeded" ? "executed" : "failed",
          ...(out.status === "succeeded" ? { result: out.result ?? null } : { error: out.error }),
        };
        return await record(deps, call, res, ctx, out.credential_reads);
      }
      res = { ...decided, outcome: "execute" };
  }
  return await record(deps, call, res, ctx);
}

/** Records the outcome (app.tool_gate_record): audit, approval or queued call, atomically. */
async function record(
  deps: AdapterDeps,
  call: GateCall,
  res: GateResult,
  ctx: GateContext,
  reads: { secret: string; origin: string }[] = [],
): Promise<GateResult> {
  const t = TOOLS.get(call.tool);
  const rec = {
    outcome: res.outcome,
    tool: call.tool,
    mode: call.mode,
    run_id: call.runId ?? null,
    step_key: call.stepKey ?? null,
    agent: call.agent?.slug ?? ctx.requester.agent ?? null,
    arguments: res.arguments,
    decision: res.decision ?? null,
    requested_by: ctx.requester.requested_by,
    requested_by_user_id: ctx.requester.user_id,
    requested_by_key_id: ctx.requester.key_id,
    result: res.outcome === "executed" ? res.result : null,
    error: res.error ?? null,
    request_key: call.requestKey,
    approval: res.decision
      ? {
        approver_roles: res.decision.approver_roles,
        ttl_seconds: res.decision.ttl_seconds,
        risk_score: res.decision.risk.score,
        risk_class: res.decision.risk.class,
      }
      : null,
    call: t
      ? {
        access: t.access,
        integration: t.integration,
        adapter: adapterOf(t, ctx.integration),
      }
      : null,
    credential_reads: reads,
  };
  const [row] = await deps.db.s<{ r: Record<string, string> }[]>`
    select app.tool_gate_record(${call.tenantId}::uuid, ${rec}::jsonb) as r`;
  if (res.outcome === "approval") {
    return {
      ...res,
      approval: {
        id: row.r.approval_id,
        expires_at: row.r.expires_at,
        args_hash: row.r.args_hash,
        approver_roles: res.decision?.approver_roles ?? [],
      },
    };
  }
  if (res.outcome === "execute") return { ...res, tool_call_id: row.r.tool_call_id };
  return res;
}

/** What submitting an approved call gave. */
export interface SubmitResult {
  ok: boolean;
  tool_call_id?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** Submits a call an approval allows (app.tool_call_submit checks the binding). */
export async function submitApproved(
  deps: AdapterDeps,
  s: {
    tenantId: string;
    approvalId: string;
    tool: string;
    args: unknown;
    requestKey: string;
    mode?: Mode;
    runId?: string;
    stepKey?: string;
    agent?: string;
    requester?: Requester;
    actor?: string;
  },
): Promise<SubmitResult> {
  const t = TOOLS.get(s.tool);
  const parsed = t?.params.safeParse(s.args ?? {});
  // the binding is to the arguments as the gate normalised them (defaults applied)
  const args = parsed?.success ? asJson(parsed.data) : asJson(s.args);
  const spec = {
    approval_id: s.approvalId,
    tool: s.tool,
    arguments: args,
    idempotency_key: s.requestKey,
    run_id: s.runId ?? null,
    step_key: s.stepKey ?? null,
    mode: s.mode ?? null,
    agent: s.agent ?? null,
    requested_by: s.requester?.requested_by ?? null,
    access: t?.access ?? "write",
    integration: t?.integration ?? "unknown",
    actor: s.actor ?? "gate",
  };
  if (t) {
    const [i] = await deps.db.s<{ adapter: string | null }[]>`
      select adapter from public.tool_integrations
      where tenant_id = ${s.tenantId}::uuid and key = ${t.integration}::text`;
    (spec as Record<string, unknown>).adapter = adapterOf(t, (i ?? null) as IntegrationRow | null);
  }
  const [row] = await deps.db.s<{ r: SubmitResult }[]>`
    select app.tool_call_submit(${s.tenantId}::uuid, ${spec}::jsonb) as r`;
  if (!row.r.ok) log("info", "approved call refused", { tool: s.tool, reason: row.r.reason });
  return row.r;
}
