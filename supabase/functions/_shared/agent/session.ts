/**
 * Agent sessions as durable runs. Kind `agent`: the LLM tool-calling loop, every model turn and
 * tool call a recorded step (a crash costs at most the call in flight; a replay calls nothing
 * again). Kind `orchestration`: the coordinator parks until its children finish (or its
 * deadline), then writes one brief — a step like any other, so a crash never bills it twice.
 */
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import { type Json, type RunContext, type RunHandler } from "../runs/engine.ts";
import { type ResolvedLlm, resolveLlm } from "../llm/resolve.ts";
import {
  BreakerOpenError,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  LlmError,
} from "../llm/types.ts";
import type { Classifiable, Classified } from "../queue/classify.ts";
import { sessionToolCall } from "../tools/agent.ts";
import type { Mode } from "../tools/types.ts";
import { AgentOutput, buildPrompt, parseJsonReply } from "./prompt.ts";
import { promptMemory, withMemory } from "../memory/retrieval.ts";
import { toolSpecsFor } from "./tools.ts";

/** The agent definition snapshotted into the run at spawn (app.agent_snapshot). */
export interface AgentSnapshot {
  id: string;
  slug: string;
  name: string;
  persona: string;
  persona_version: number;
  model_settings: Record<string, unknown>;
  allowed_tools: string[];
  can_spawn?: boolean;
  memory_types?: string[];
  skills: { key: string; version: number; name: string; instructions: string }[];
  policy: string | null;
}

export interface SessionInput {
  agent: AgentSnapshot;
  mode: string;
  query?: string;
  [k: string]: unknown;
}

/** A session stopped by one of its caps (a runaway loop): final, with a clear message. */
export class SessionLimitError extends Error implements Classifiable {
  constructor(readonly code: "TOOL_CALL_LIMIT" | "SPEND_LIMIT", message: string) {
    super(message);
    this.name = "SessionLimitError";
  }
  classify(): Classified {
    return { kind: "final", code: this.code, message: this.message };
  }
}

/** Default spend cap of one session in US cents (tenants.limits.max_session_spend_cents). */
export const DEFAULT_SESSION_SPEND_CENTS = 500;

/** The caps of a session and the tools its tenant switched off (one round trip per claim). */
async function sessionLimits(db: Db, tenantId: string) {
  const [row] = await db.s<{ calls: number; cents: number | null; disabled: string[] }[]>`
    select app.tenant_limit(${tenantId}::uuid, 'max_tool_calls_per_session') as calls,
      app.tenant_limit(${tenantId}::uuid, 'max_session_spend_cents') as cents,
      coalesce((select array_agg(s.tool) from public.tool_settings s
        where s.tenant_id = ${tenantId}::uuid and not s.enabled), '{}') as disabled`;
  return {
    maxCalls: row.calls,
    maxCents: row.cents ?? DEFAULT_SESSION_SPEND_CENTS,
    disabled: row.disabled,
  };
}

/**
 * Awaits every promise, then returns their values or throws the first failure in argument
 * order: unlike Promise.all, nothing is still running when the caller sees an error.
 */
async function allSettled<T extends unknown[]>(
  ...ps: { [K in keyof T]: Promise<T[K]> }
): Promise<T> {
  const rs = await Promise.allSettled(ps);
  for (const r of rs) if (r.status === "rejected") throw r.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}

/** A model turn as recorded (the step's output). */
interface Turn {
  message: ChatMessage;
  provider: string;
  model: string;
  offline: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  priced: boolean;
}

const prices = new Map<string, { input: number; output: number }>();
let pricesAt = 0;

async function modelPrice(db: Db, names: string[]) {
  if (Date.now() - pricesAt > 300_000) {
    const rows = await db.q<{ model: string; input: string; output: string }[]>`
      select model, input_usd_per_mtok as input, output_usd_per_mtok as output from app.model_prices`;
    prices.clear();
    for (const r of rows) prices.set(r.model, { input: Number(r.input), output: Number(r.output) });
    pricesAt = Date.now();
  }
  for (const n of names) if (prices.has(n)) return prices.get(n);
  return undefined;
}

/** Providers report dated model names (gpt-4o-mini-2024-07-18): try those, undated, then the requested name. */
async function costOf(db: Db, llm: ResolvedLlm, res: ChatResult) {
  const names = [res.model, res.model.replace(/-\d{4}-\d{2}-\d{2}$/, ""), llm.model];
  for (const name of names) {
    const t = llm.prices?.[name];
    if (t) {
      return {
        cost:
          (res.promptTokens * t.input_usd_per_mtok + res.completionTokens * t.output_usd_per_mtok) /
          1e6,
        priced: true,
      };
    }
  }
  const p = await modelPrice(db, names);
  return p
    ? { cost: (res.promptTokens * p.input + res.completionTokens * p.output) / 1e6, priced: true }
    : { cost: 0, priced: false };
}

/** One model call through the tenant's breaker, with short in-call retries honouring Retry-After. */
async function callLlm(
  ctx: RunContext,
  llm: ResolvedLlm,
  req: Omit<ChatRequest, "timeoutMs" | "signal">,
): Promise<ChatResult> {
  const key = llm.provider.breakerKey;
  const guarded = !llm.provider.offline;
  for (let attempt = 1;; attempt++) {
    if (guarded) {
      const [gate] = await ctx.db.s<{ allowed: boolean; retry_in_ms: number }[]>`
        select * from app.breaker_allow(${ctx.tenantId}::uuid, ${key}::text)`;
      if (!gate.allowed) throw new BreakerOpenError(gate.retry_in_ms, key);
    }
    try {
      const res = await llm.provider.chat({ ...req, timeoutMs: llm.timeoutMs, signal: ctx.signal });
      if (guarded) {
        await ctx.db.s`select app.breaker_record(${ctx.tenantId}::uuid, ${key}::text, true)`;
      }
      return res;
    } catch (e) {
      ctx.checkStopped();
      if (!(e instanceof LlmError)) throw e; // refused by policy, misconfigured: final
      if (e.retryable && guarded) {
        await ctx.db.s`select app.breaker_record(${ctx.tenantId}::uuid, ${key}::text, false,
          ${e.message}::text,
          ${e.retryAfterMs === undefined ? null : Math.ceil(e.retryAfterMs / 1000)}::integer)`;
      }
      // Retry in place only when the wait is short; otherwise the run backs off in the queue.
      const wait = e.retryAfterMs ?? 250 * 2 ** attempt;
      if (!e.retryable || attempt >= 3 || wait > 2000) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** A recorded model turn: the step `key` calls the model once; a replay returns the record. */
function llmStep(
  ctx: RunContext,
  llm: ResolvedLlm,
  key: string,
  messages: ChatMessage[],
  appended: ChatMessage[],
  tools: ReturnType<typeof toolSpecsFor>,
): Promise<Turn> {
  return ctx.step<Turn>(key, async () => {
    const res = await callLlm(ctx, llm, {
      model: llm.model,
      messages,
      tools,
      temperature: llm.temperature,
      maxTokens: llm.maxTokens,
      json: true,
    });
    const { cost, priced } = await costOf(ctx.db, llm, res);
    return {
      message: res.message,
      provider: res.provider,
      model: res.model,
      offline: res.offline,
      prompt_tokens: res.promptTokens,
      completion_tokens: res.completionTokens,
      cost_usd: cost,
      priced,
    };
  }, {
    kind: "llm",
    input: { appended },
    meta: (t) => ({
      provider: t.provider,
      model: t.model,
      prompt_tokens: t.prompt_tokens,
      completion_tokens: t.completion_tokens,
      cost_usd: t.cost_usd,
      usage_kind: "llm",
      usage_metadata: { priced: t.priced, offline: t.offline },
    }),
  });
}

interface Totals {
  calls: number;
  prompt: number;
  completion: number;
  cost: number;
  provider?: string;
  model?: string;
  offline: boolean;
}

function add(totals: Totals, t: Turn): void {
  totals.calls++;
  totals.prompt += t.prompt_tokens;
  totals.completion += t.completion_tokens;
  totals.cost += t.cost_usd;
  totals.provider = t.provider;
  totals.model = t.model;
  totals.offline = t.offline;
}

/** Kind `agent`: one agent answers one request through the LLM tool-calling loop. */
export function agentSession(config: Config): RunHandler<SessionInput, Json> {
  return {
    kind: "agent",
    version: "agent-loop/3",
    async run(ctx, input) {
      const started = performance.now();
      const agent = input.agent;
      const { agent: _a, mode, ...task } = input;
      const replayed = ctx.recordedSteps.length;
      // independent reads at once (each takes its own connection briefly, none waits holding one):
      // the provider, the tenant's limits, and MEMORY, retrieved once (a recorded step: a replay
      // reuses what the first run saw)
      const [llm, limits, memory] = await allSettled(
        resolveLlm(ctx.db, config, {
          id: ctx.tenantId,
          settings: ctx.job.tenantSettings,
        }, agent.model_settings ?? {}),
        sessionLimits(ctx.db, ctx.tenantId),
        ctx.step("memory", () => promptMemory(ctx, config, agent, task), { kind: "memory" }),
      );
      const messages: ChatMessage[] = withMemory(
        buildPrompt({
          tenantPolicy: agent.policy ?? undefined,
          persona: agent.persona ?? "",
          agentName: agent.name ?? agent.slug,
          skills: agent.skills ?? [],
          mode,
          input: task,
        }),
        memory.text,
      );
      const allowed = agent.allowed_tools ?? [];
      const tools = toolSpecsFor(allowed, limits.disabled);
      const sessionTools = {
        config,
        mode: (["assist", "copilot", "autonomous"].includes(mode) ? mode : "autonomous") as Mode,
        agent: { slug: agent.slug, allowed_tools: allowed, can_spawn: agent.can_spawn === true },
      };
      let toolCalls = 0;
      const totals: Totals = { calls: 0, prompt: 0, completion: 0, cost: 0, offline: false };
      let appended: ChatMessage[] = [...messages];
      let history: ChatMessage[] = [];
      let repaired = false;

      for (let turn = 1; turn <= config.ORA_AGENT_MAX_TURNS + 1; turn++) {
        const t = await llmStep(
          ctx,
          llm,
          `turn:${turn}`,
          [...history, ...appended],
          appended,
          tools,
        );
        add(totals, t);
        // CAPS: a runaway loop stops with a clear error, whatever the model asks next
        if (totals.cost * 100 > limits.maxCents) {
          throw new SessionLimitError(
            "SPEND_LIMIT",
            `Session spend limit reached: $${totals.cost.toFixed(4)} of $${
              (limits.maxCents / 100).toFixed(2)
            } (tenant limit max_session_spend_cents); the session stopped`,
          );
        }
        history = [...history, ...appended, t.message];
        appended = [];
        const reply = t.message;
        // TOOLS: answer every tool call of the reply, each a recorded step
        if (reply.tool_calls?.length) {
          for (const call of reply.tool_calls) {
            if (++toolCalls > limits.maxCalls) {
              throw new SessionLimitError(
                "TOOL_CALL_LIMIT",
                `Tool call limit reached: ${limits.maxCalls} per session (tenant limit max_tool_calls_per_session); the session stopped`,
              );
            }
            const content = await sessionToolCall(ctx, sessionTools, turn, call);
            appended.push({ role: "tool", tool_call_id: call.id, content });
          }
          continue;
        }
        // FINAL: a reply without tool calls must be the JSON contract (one repair turn)
        try {
          const output = AgentOutput.parse(parseJsonReply(reply.content));
          return {
            output,
            summary: output.summary,
            citations: output.citations,
            provider: totals.provider ?? llm.provider.name,
            model: totals.model ?? llm.model,
            offline: totals.offline,
            metrics: {
              llm_calls: totals.calls,
              prompt_tokens: totals.prompt,
              completion_tokens: totals.completion,
              cost_usd: totals.cost,
              duration_ms: Math.round(performance.now() - started),
              replayed_steps: replayed || undefined,
              memory: { used: memory.used, tokens: memory.tokens },
            },
          } as unknown as Json;
        } catch (e) {
          if (repaired) {
            throw new LlmError(
              `Model output is not the JSON contract: ${(e as Error).message}`,
              true,
            );
          }
          repaired = true;
          appended = [{
            role: "user",
            content: `Your reply was not valid: ${
              (e as Error).message
            }. Reply again with the JSON object only.`,
          }];
        }
      }
      throw new LlmError(`No final answer after ${config.ORA_AGENT_MAX_TURNS} turns`, false);
    },
  };
}

interface ChildResult {
  session_id: string;
  agent: string;
  status: string;
  summary: string | null;
  output: Json;
  citations: Json[] | null;
  error: string | null;
}

/** Kind `orchestration`: waits for its children, then writes one brief from their results. */
export function orchestration(config: Config): RunHandler<SessionInput, Json> {
  return {
    kind: "orchestration",
    version: "orchestration/2",
    async run(ctx, input) {
      const started = performance.now();
      const childIds = await ctx.step("children", async () => {
        const rows = await ctx.db.q<{ id: string }[]>`
          select id from public.runs where parent_run_id = ${ctx.runId} and tenant_id = ${ctx.tenantId}
          order by created_at, id`;
        return rows.map((r) => r.id);
      });
      const waited = await ctx.waitForRuns("wait:children", childIds, { mode: "all" });
      if (waited.timed_out) {
        await ctx.step("cancel:unfinished", async () => {
          const [r] = await ctx.db.q<{ n: number }[]>`
            select coalesce(sum(app.run_cancel(${ctx.tenantId}, c.id, 'deadline passed')), 0)::int as n
            from public.runs c where c.parent_run_id = ${ctx.runId} and c.tenant_id = ${ctx.tenantId}
              and not app.run_is_terminal(c.status)`;
          return r.n;
        });
      }
      const gathered = await ctx.step("results", async () => {
        const [c] = await ctx.db.q<{ coordination: string }[]>`
          select app.session_coordination(${ctx.runId}) as coordination`;
        const results = await ctx.db.q<ChildResult[]>`
          select c.id as session_id, c.subject as agent, c.status, c.output ->> 'summary' as summary,
            c.output -> 'output' as output, c.output -> 'citations' as citations, c.error ->> 'message' as error
          from public.runs c where c.parent_run_id = ${ctx.runId} and c.tenant_id = ${ctx.tenantId}
          order by c.created_at, c.id`;
        return { coordination: c.coordination, results: [...results] };
      });
      const { coordination, results } = gathered;
      const done = results.filter((r) => r.status === "completed");
      const citations = done.flatMap((r) =>
        (r.citations ?? []).map((x) => ({ agent: r.agent, ...(x as Record<string, Json>) }))
      );
      const fallback = deterministicBrief(results, coordination);

      const llm = await resolveLlm(ctx.db, config, {
        id: ctx.tenantId,
        settings: ctx.job.tenantSettings,
      }, input.agent.model_settings ?? {});
      let brief = fallback;
      let actions: string[] = [];
      let source = "deterministic";
      let model: string | undefined;
      // Offline, the deterministic brief says more than a canned model reply would.
      if (done.length > 0 && !llm.provider.offline) {
        try {
          const system: ChatMessage = {
            role: "system",
            content:
              `${input.agent.persona ?? ""}\n\nWrite one executive brief from the specialists' ` +
              `results below: what they found, where they agree or disagree, and the actions to take. ` +
              `Cite agents by name. Reply with JSON only: {"brief": string, "actions": string[]}`,
          };
          const { agent: _a, mode: _m, ...request } = input;
          const user: ChatMessage = {
            role: "user",
            content: JSON.stringify({ request, coordination, children: results }),
          };
          const t = await llmStep(ctx, llm, "brief", [system, user], [system, user], []);
          const parsed = parseJsonReply(t.message.content) as {
            brief?: unknown;
            actions?: unknown;
          };
          if (typeof parsed.brief !== "string" || !parsed.brief.trim()) {
            throw new Error("no brief in reply");
          }
          brief = parsed.brief;
          actions = Array.isArray(parsed.actions) ? parsed.actions.map(String) : [];
          source = t.provider;
          model = t.model;
        } catch (e) {
          if (e instanceof BreakerOpenError) throw e;
          ctx.checkStopped();
          // the deterministic brief stands in; the result says which was used
          log("warn", "coordinator brief fell back to the deterministic one", {
            run: ctx.runId,
            error: String((e as Error)?.message ?? e),
          });
        }
      }
      return {
        coordination,
        completion_pct: results.length ? Math.round((100 * done.length) / results.length) : 0,
        brief,
        actions,
        brief_source: source,
        results,
        citations,
        summary: brief.slice(0, 2000),
        provider: source,
        model: model ?? null,
        metrics: {
          children: results.length,
          completed: done.length,
          duration_ms: Math.round(performance.now() - started),
        },
      } as unknown as Json;
    },
  };
}

function deterministicBrief(children: ChildResult[], coordination: string): string {
  const done = children.filter((c) => c.status === "completed").length;
  const lines = children.map((c) =>
    `- ${c.agent}: ${
      c.status === "completed"
        ? (c.summary ?? "completed")
        : `${c.status}${c.error ? ` (${c.error})` : ""}`
    }`
  );
  return [`${done} of ${children.length} agents completed (${coordination}).`, ...lines].join("\n");
}
