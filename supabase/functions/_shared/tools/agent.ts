/**
 * Tool calls inside an agent session (a durable run). Each call is a short sequence of recorded
 * steps, so a crash or a redelivery never decides, asks or executes twice:
 *
 *   gate:<turn>:<call>      the gate's decision (reads execute inline here)
 *   approval:<turn>:<call>  the run parks on the approval — no worker, no connection held —
 *                           and resumes with the decision (expiry resumes it as rejected)
 *   submit:<turn>:<call>    an approved call is submitted; the binding is checked in SQL
 *   done:<turn>:<call>      the run parks until the tool-executor finishes the call
 *                           (event tool_call.finished)
 *   result:<turn>:<call>    the call's outcome, read once
 *   children:<turn>:<call>  spawn_agents with wait: the run parks until the children finish
 *
 * What comes back to the model is JSON data: the outcome, never instructions. Whatever a result
 * says, the next call passes the gate again like any other.
 */
import type { ToolCall } from "../llm/types.ts";
import type { Config } from "../platform/config.ts";
import type { Json, RunContext } from "../runs/engine.ts";
import { gate, type GateAgent, type GateResult, submitApproved } from "./gate.ts";
import { toolName, TOOLS } from "./registry.ts";
import type { CallRow, Mode } from "./types.ts";

/** How long a session waits for the executor to finish a call before it reads it as timed out. */
const CALL_WAIT_MS = 20 * 60_000;
/** How long a session waits for the children spawn_agents started. */
const CHILDREN_WAIT_MS = 30 * 60_000;
/** Longest result text handed back to the model. */
const MAX_CONTENT = 16_000;

export interface SessionTools {
  config: Config;
  mode: Mode;
  agent: GateAgent;
}

/** The message content the model reads for a tool call: JSON data. */
export function toolContent(tool: string, body: Record<string, unknown>): string {
  let text = JSON.stringify({ tool, ...body });
  if (text.length > MAX_CONTENT) {
    text = JSON.stringify({
      tool,
      ...body,
      result: undefined,
      result_truncated: JSON.stringify(body.result ?? null).slice(0, MAX_CONTENT - 500),
    });
  }
  return text;
}

function fromGate(g: GateResult): string {
  switch (g.outcome) {
    case "executed":
      return toolContent(g.tool, { status: "executed", result: g.result });
    case "failed":
      return toolContent(g.tool, { status: "failed", error: g.error });
    case "suggested":
      return toolContent(g.tool, {
        status: "suggested",
        note:
          "Assist mode: recorded as a suggestion for a person to review. It was not executed; do not assume it happened.",
        arguments: g.arguments,
      });
    default:
      return toolContent(g.tool, {
        status: "refused",
        error: g.error,
        reasons: g.decision?.reasons,
      });
  }
}

/**
 * Answers one tool call of a model turn through the gate. Returns the tool message content.
 * `n` is the call's position in the session (for the caller's per-session cap).
 */
export async function sessionToolCall(
  ctx: RunContext,
  s: SessionTools,
  turn: number,
  call: ToolCall,
): Promise<string> {
  const tool = toolName(call.function.name);
  const key = `${turn}:${call.id}`;
  let args: unknown = {};
  let argsError: string | undefined;
  try {
    args = call.function.arguments ? JSON.parse(call.function.arguments) : {};
  } catch (e) {
    argsError = (e as Error).message;
  }
  const deps = { db: ctx.db, config: s.config, signal: ctx.signal };
  const requestKey = `run:${ctx.runId}:${key}`;

  // GATE (reads execute inline, inside this step)
  const g = await ctx.step<GateResult & { at?: string }>(`gate:${key}`, async () => ({
    ...await gate(deps, {
      tenantId: ctx.tenantId,
      tool,
      args,
      argsError,
      mode: s.mode,
      requestKey,
      runId: ctx.runId,
      stepKey: `gate:${key}`,
      agent: s.agent,
    }),
    at: new Date().toISOString(),
  }), {
    kind: "tool",
    input: { tool, arguments: call.function.arguments },
    meta: (r) =>
      r.outcome === "executed" || r.outcome === "failed"
        ? { usage_kind: "tool", units: 1, provider: "ora", model: tool }
        : {},
  });

  let toolCallId: string | undefined;
  // when the call was queued (a recorded time): the wait below looks back that far for its event
  let queuedAt = g.at;
  if (g.outcome === "approval") {
    // PARK until a person decides (or the approval expires)
    const w = await ctx.waitForApproval(`approval:${key}`, g.approval!.id);
    const d = (w.result ?? {}) as { decision?: string; reason?: string; decided_by?: string };
    if (d.decision !== "approved") {
      return toolContent(tool, {
        status: "rejected",
        expired: d.decision === "expired",
        reason: d.reason ??
          (d.decision === "expired" ? "The approval expired without a decision" : "Rejected"),
        decided_by: d.decided_by ?? null,
        note: "A person did not approve this call. Adapt your plan; do not repeat the same call.",
      });
    }
    const sub = await ctx.step(`submit:${key}`, async () => ({
      ...await submitApproved(deps, {
        tenantId: ctx.tenantId,
        approvalId: g.approval!.id,
        tool,
        args: g.arguments,
        requestKey,
        mode: s.mode,
        runId: ctx.runId,
        stepKey: `gate:${key}`,
        agent: s.agent.slug,
        requester: g.requester,
      }),
      at: new Date().toISOString(),
    }), { kind: "tool" });
    if (!sub.ok) {
      return toolContent(tool, {
        status: "refused",
        error: { code: sub.reason, message: sub.message },
      });
    }
    toolCallId = sub.tool_call_id;
    queuedAt = sub.at;
  } else if (g.outcome === "execute") {
    toolCallId = g.tool_call_id;
  } else {
    return fromGate(g);
  }

  // PARK until the tool-executor has run it
  // an executor faster than this park is not missed: look back to when the call was queued
  // (plus a minute for clocks), not over every event of the day
  await ctx.waitForEvent(`done:${key}`, {
    event: "tool_call.finished",
    filter: { tool_call_id: toolCallId },
    lookbackMs: Math.max(0, Date.now() - Date.parse(queuedAt ?? new Date(0).toISOString())) +
      60_000,
    timeoutMs: CALL_WAIT_MS,
  });
  const r = await ctx.step<CallRow | null>(`result:${key}`, async () => {
    const [row] = await ctx.db.s<CallRow[]>`
      select status, result, error, before, after from public.tool_calls
      where id = ${toolCallId}::uuid and tenant_id = ${ctx.tenantId}::uuid`;
    return row ?? null;
  }, {
    kind: "tool",
    meta: (row) =>
      row?.status === "succeeded" || row?.status === "failed"
        ? { usage_kind: "tool", units: 1, provider: "ora", model: tool }
        : {},
  });
  if (!r || (r.status !== "succeeded" && r.status !== "failed")) {
    return toolContent(tool, {
      status: "failed",
      error: { code: "TIMED_OUT", message: "The call did not finish in time" },
    });
  }
  if (r.status === "failed") {
    return toolContent(tool, { status: "failed", error: r.error });
  }

  // spawn_agents with wait: the children's results are the result
  const t = TOOLS.get(tool);
  const runs = t?.awaitsRuns?.(g.arguments as never, r.result) ?? [];
  if (runs.length) {
    await ctx.waitForRuns(`children:${key}`, runs, { mode: "all", timeoutMs: CHILDREN_WAIT_MS });
    const children = await ctx.step(`children:${key}:results`, async () => [
      ...(await ctx.db.s<Record<string, Json>[]>`
        select id as session_id, subject as agent, status, output ->> 'summary' as summary,
          output -> 'output' as output, error ->> 'message' as error
        from public.runs where id = any(${runs}::uuid[]) and tenant_id = ${ctx.tenantId}::uuid
        order by created_at, id`),
    ]);
    return toolContent(tool, { status: "executed", result: { children } });
  }
  return toolContent(tool, { status: "executed", result: r.result, after: r.after });
}
