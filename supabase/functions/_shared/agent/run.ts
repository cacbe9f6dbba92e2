/**
 * One agent job: the LLM tool-calling loop for `run` jobs and the coordinator brief for
 * `aggregate` jobs. Every LLM turn and tool call is committed as an agent_runs row as soon as
 * it happens; a redelivered job replays those rows instead of calling the model again, so a
 * crash costs at most the call that was in flight.
 */
import type { Config } from "../platform/config.ts";
import type { Db } from "../platform/db.ts";
import { type ResolvedLlm, resolveLlm } from "../llm/resolve.ts";
import { type ChatMessage, type ChatRequest, type ChatResult, LlmError } from "../llm/types.ts";
import { AgentOutput, buildPrompt, parseJsonReply } from "./prompt.ts";
import { runTool, toolSpecsFor } from "./tools.ts";

/** The circuit breaker for this tenant and provider is open: retry after retryInMs, not an attempt. */
export class BreakerOpenError extends Error {
  constructor(readonly retryInMs: number, key: string) {
    super(`Circuit breaker ${key} is open`);
    this.name = "BreakerOpenError";
  }
}

/** The session stopped being ours (cancelled) while running. */
export class SessionGoneError extends Error {}

export interface JobContext {
  db: Db;
  config: Config;
  tenantId: string;
  sessionId: string;
  signal: AbortSignal;
  prices: Map<string, { input: number; output: number }>;
}

interface SessionRow {
  id: string;
  tenant_id: string;
  kind: string;
  agent_slug: string;
  mode: string;
  input: unknown;
  attempts: number;
  timed_out: boolean;
  agent_name: string | null;
  persona: string | null;
  persona_version: number | null;
  model_settings: Record<string, unknown> | null;
  allowed_tools: string[] | null;
  skill_keys: string[] | null;
  tenant_settings: Record<string, unknown>;
}

interface RunRow {
  seq: number;
  kind: "llm" | "tool";
  input: { appended?: ChatMessage[]; tool_call_id?: string } & Record<string, unknown>;
  output: Record<string, unknown> | null;
  status: "ok" | "error";
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: string;
  provider: string | null;
  model: string | null;
}

async function loadSession(ctx: JobContext): Promise<SessionRow> {
  const [row] = await ctx.db.q<SessionRow[]>`
    select s.id, s.tenant_id, s.kind, s.agent_slug, s.mode, s.input, s.attempts, s.timed_out,
      a.name as agent_name, a.persona, a.persona_version, a.model_settings, a.allowed_tools, a.skills as skill_keys,
      t.settings as tenant_settings
    from public.agent_sessions s
    left join public.agents a on a.id = s.agent_id
    join public.tenants t on t.id = s.tenant_id
    where s.id = ${ctx.sessionId} and s.tenant_id = ${ctx.tenantId}`;
  if (!row) {
    throw new SessionGoneError(`Session ${ctx.sessionId} not found in tenant ${ctx.tenantId}`);
  }
  return row;
}

/** Providers report dated model names (gpt-4o-mini-2024-07-18): try those, undated, then the requested name. */
function costOf(
  ctx: JobContext,
  llm: ResolvedLlm,
  model: string,
  promptTokens: number,
  completionTokens: number,
) {
  const names = [model, model.replace(/-\d{4}-\d{2}-\d{2}$/, ""), llm.model];
  for (const name of names) {
    const t = llm.prices?.[name];
    const price = t
      ? { input: t.input_usd_per_mtok, output: t.output_usd_per_mtok }
      : ctx.prices.get(name);
    if (price) {
      return {
        cost: (promptTokens * price.input + completionTokens * price.output) / 1_000_000,
        priced: true,
      };
    }
  }
  return { cost: 0, priced: false };
}

/** Records one agent_runs row (and its usage) in its own transaction. */
async function recordRun(ctx: JobContext, run: Record<string, unknown>): Promise<void> {
  await ctx.db.q`select app.record_agent_run(${ctx.tenantId}, ${ctx.sessionId}, ${
    ctx.db.json(run as never)
  })`;
}

interface Turn {
  seq: number;
  messages: ChatMessage[];
  /** Messages appended since the last recorded LLM run (recorded with the next one). */
  pending: ChatMessage[];
  tokens: { prompt: number; completion: number; cost: number; calls: number };
  providerName?: string;
  model?: string;
  offline: boolean;
}

/** Rebuilds the conversation from committed runs (the checkpoint). */
function replay(initial: ChatMessage[], runs: RunRow[]): Turn {
  const t: Turn = {
    seq: 0,
    messages: [],
    pending: [...initial],
    tokens: { prompt: 0, completion: 0, cost: 0, calls: 0 },
    offline: false,
  };
  for (const r of runs) {
    t.seq = Math.max(t.seq, r.seq);
    // an LLM turn counts when it succeeded; a tool call when it was answered (refusals included)
    if (!r.output || (r.kind === "llm" && r.status !== "ok")) continue;
    t.tokens.prompt += r.prompt_tokens;
    t.tokens.completion += r.completion_tokens;
    t.tokens.cost += Number(r.cost_usd);
    if (r.kind === "llm") {
      t.messages.push(...(r.input.appended ?? []));
      t.pending = [];
      t.messages.push(r.output as unknown as ChatMessage);
      t.tokens.calls++;
      t.providerName = r.provider ?? undefined;
      t.model = r.model ?? undefined;
      t.offline = r.provider === "offline";
    } else {
      t.messages.push({
        role: "tool",
        tool_call_id: String(r.input.tool_call_id),
        content: JSON.stringify(r.output.result),
      });
    }
  }
  return t;
}

/** One LLM call through the breaker, with short in-call retries that honour Retry-After. */
async function callLlm(
  ctx: JobContext,
  llm: ResolvedLlm,
  req: Omit<ChatRequest, "timeoutMs" | "signal">,
): Promise<ChatResult> {
  const key = llm.provider.breakerKey;
  for (let attempt = 1;; attempt++) {
    const [gate] = await ctx.db.q<{ allowed: boolean; retry_in_ms: number }[]>`
      select * from app.breaker_allow(${ctx.tenantId}, ${key})`;
    if (!gate.allowed) throw new BreakerOpenError(gate.retry_in_ms, key);
    try {
      const res = await llm.provider.chat({ ...req, timeoutMs: llm.timeoutMs, signal: ctx.signal });
      await ctx.db.q`select app.breaker_record(${ctx.tenantId}, ${key}, true)`;
      return res;
    } catch (e) {
      const err = e instanceof LlmError
        ? e
        : new LlmError(String((e as Error)?.message ?? e), true);
      if (ctx.signal.aborted) throw new SessionGoneError("Session cancelled during the LLM call");
      if (err.retryable) {
        await ctx.db.q`select app.breaker_record(${ctx.tenantId}, ${key}, false, ${err.message})`;
      }
      // Retry in place only when the wait is short; otherwise the job backs off in the queue.
      const wait = err.retryAfterMs ?? 250 * 2 ** attempt;
      if (!err.retryable || attempt >= 3 || wait > 2000) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Makes one recorded LLM turn: returns the assistant message. */
async function llmTurn(
  ctx: JobContext,
  llm: ResolvedLlm,
  turn: Turn,
  tools: ReturnType<typeof toolSpecsFor>,
): Promise<ChatMessage> {
  const appended = turn.pending;
  const messages = [...turn.messages, ...appended];
  const started = performance.now();
  let res: ChatResult;
  try {
    res = await callLlm(ctx, llm, {
      model: llm.model,
      messages,
      tools,
      temperature: llm.temperature,
      maxTokens: llm.maxTokens,
      json: true,
    });
  } catch (e) {
    if (!(e instanceof BreakerOpenError) && !(e instanceof SessionGoneError)) {
      turn.seq++;
      await recordRun(ctx, {
        seq: turn.seq,
        kind: "llm",
        provider: llm.provider.name,
        model: llm.model,
        input: { appended },
        status: "error",
        error: (e as Error).message,
        duration_ms: Math.round(performance.now() - started),
      });
    }
    throw e;
  }
  const { cost, priced } = costOf(ctx, llm, res.model, res.promptTokens, res.completionTokens);
  turn.seq++;
  await recordRun(ctx, {
    seq: turn.seq,
    kind: "llm",
    provider: res.provider,
    model: res.model,
    input: { appended },
    output: res.message,
    prompt_tokens: res.promptTokens,
    completion_tokens: res.completionTokens,
    cost_usd: cost,
    duration_ms: Math.round(performance.now() - started),
    usage_metadata: { priced, offline: res.offline },
  });
  turn.messages.push(...appended, res.message);
  turn.pending = [];
  turn.tokens.prompt += res.promptTokens;
  turn.tokens.completion += res.completionTokens;
  turn.tokens.cost += cost;
  turn.tokens.calls++;
  turn.providerName = res.provider;
  turn.model = res.model;
  turn.offline = res.offline;
  return res.message;
}

/** Runs the agent loop for a `run` job and returns the session result. */
export async function runAgentJob(ctx: JobContext): Promise<Record<string, unknown>> {
  const started = performance.now();
  const s = await loadSession(ctx);
  const llm = await resolveLlm(ctx.db, ctx.config, {
    id: s.tenant_id,
    settings: s.tenant_settings ?? {},
  }, s.model_settings ?? {});
  const skills = s.skill_keys?.length
    ? await ctx.db.q<{ key: string; version: number; name: string; instructions: string }[]>`
      select distinct on (key) key, version, name, instructions from public.skills
      where tenant_id = ${s.tenant_id} and key = any(${s.skill_keys}) and enabled order by key, version desc`
    : [];
  const initial = buildPrompt({
    tenantPolicy: typeof s.tenant_settings?.policy === "string"
      ? s.tenant_settings.policy
      : undefined,
    persona: s.persona ?? "",
    agentName: s.agent_name ?? s.agent_slug,
    skills,
    mode: s.mode,
    input: s.input,
  });
  const allowed = s.allowed_tools ?? [];
  const tools = toolSpecsFor(allowed);
  const runs = await ctx.db.q<RunRow[]>`
    select seq, kind, input, output, status, prompt_tokens, completion_tokens, cost_usd, provider, model
    from public.agent_runs where session_id = ${s.id} and tenant_id = ${s.tenant_id} order by seq`;
  const turn = replay(initial, runs);
  const resumedFrom = turn.seq;
  let repaired = false;

  for (let i = 0; i < ctx.config.ORA_AGENT_MAX_TURNS + 2; i++) {
    const last = turn.messages[turn.messages.length - 1];
    // TOOLS: answer every tool call of the last assistant message that has no result yet
    if (last?.role === "assistant" && last.tool_calls?.length) {
      const answered = new Set(
        turn.messages.filter((m) => m.role === "tool").map((m) => m.tool_call_id),
      );
      for (const call of last.tool_calls.filter((c) => !answered.has(c.id))) {
        const t0 = performance.now();
        const out = await runTool(
          { db: ctx.db, tenantId: s.tenant_id, sessionId: s.id },
          allowed,
          call.function.name,
          call.function.arguments,
        );
        turn.seq++;
        await recordRun(ctx, {
          seq: turn.seq,
          kind: "tool",
          input: {
            tool_call_id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          },
          output: { result: out.result },
          status: out.ok ? "ok" : "error",
          error: out.ok ? undefined : JSON.stringify(out.result),
          duration_ms: Math.round(performance.now() - t0),
        });
        turn.messages.push({
          role: "tool",
          tool_call_id: call.id,
          content: JSON.stringify(out.result),
        });
      }
      await llmTurn(ctx, llm, turn, tools);
      continue;
    }
    // FINAL: an assistant reply without tool calls must be the JSON contract
    if (last?.role === "assistant") {
      try {
        const output = AgentOutput.parse(parseJsonReply(last.content));
        return {
          output,
          summary: output.summary,
          citations: output.citations,
          provider: turn.providerName ?? llm.provider.name,
          model: turn.model ?? llm.model,
          offline: turn.offline,
          metrics: {
            llm_calls: turn.tokens.calls,
            prompt_tokens: turn.tokens.prompt,
            completion_tokens: turn.tokens.completion,
            cost_usd: turn.tokens.cost,
            duration_ms: Math.round(performance.now() - started),
            resumed_from_seq: resumedFrom || undefined,
          },
        };
      } catch (e) {
        if (repaired) {
          throw new LlmError(
            `Model output is not the JSON contract: ${(e as Error).message}`,
            true,
          );
        }
        repaired = true;
        turn.pending = [{
          role: "user",
          content: `Your reply was not valid: ${
            (e as Error).message
          }. Reply again with the JSON object only.`,
        }];
      }
    }
    await llmTurn(ctx, llm, turn, tools);
  }
  throw new LlmError(`No final answer after ${ctx.config.ORA_AGENT_MAX_TURNS} turns`, false);
}

interface ChildRow {
  id: string;
  agent_slug: string;
  status: string;
  error: { message?: string } | null;
  output: Record<string, unknown> | null;
  summary: string | null;
  citations: unknown[] | null;
}

/** Builds the coordinator brief for an orchestration whose children have all finished. */
export async function aggregateJob(ctx: JobContext): Promise<Record<string, unknown>> {
  const started = performance.now();
  const s = await loadSession(ctx);
  const children = await ctx.db.q<ChildRow[]>`
    select c.id, c.agent_slug, c.status, c.error, r.output, r.summary, r.citations
    from public.agent_sessions c left join public.agent_results r on r.session_id = c.id
    where c.parent_session_id = ${s.id} and c.tenant_id = ${s.tenant_id} order by c.created_at`;
  const done = children.filter((c) => c.status === "completed");
  const coordination = s.timed_out
    ? "timeout"
    : done.length === children.length
    ? "complete"
    : "partial";
  const completion = children.length ? Math.round((100 * done.length) / children.length) : 0;
  const results = children.map((c) => ({
    session_id: c.id,
    agent: c.agent_slug,
    status: c.status,
    summary: c.summary,
    output: c.output,
    error: c.error?.message,
  }));
  const citations = done.flatMap((c) =>
    (c.citations ?? []).map((x) => ({ agent: c.agent_slug, ...(x as object) }))
  );
  const fallback = deterministicBrief(children, coordination);

  let brief = fallback;
  let actions: string[] = [];
  let provider = "deterministic";
  let model: string | undefined;
  const llm = await resolveLlm(ctx.db, ctx.config, {
    id: s.tenant_id,
    settings: s.tenant_settings ?? {},
  }, s.model_settings ?? {});
  // Offline, the deterministic brief says more than a canned model reply would.
  if (done.length > 0 && !llm.provider.offline) {
    try {
      const turn: Turn = {
        seq: (await ctx.db
          .q`select coalesce(max(seq), 0)::int as seq from public.agent_runs where session_id = ${s.id}`)[
            0
          ].seq,
        messages: [],
        pending: [
          {
            role: "system",
            content:
              `${
                s.persona ?? ""
              }\n\nWrite one executive brief from the specialists' results below: what they found, ` +
              `where they agree or disagree, and the actions to take. Cite agents by name. Reply with JSON only: ` +
              `{"brief": string, "actions": string[]}`,
          },
          {
            role: "user",
            content: JSON.stringify({ request: s.input, coordination, children: results }),
          },
        ],
        tokens: { prompt: 0, completion: 0, cost: 0, calls: 0 },
        offline: false,
      };
      const reply = await llmTurn(ctx, llm, turn, []);
      const parsed = parseJsonReply(reply.content) as { brief?: unknown; actions?: unknown };
      if (typeof parsed.brief !== "string" || !parsed.brief.trim()) {
        throw new Error("no brief in reply");
      }
      brief = parsed.brief;
      actions = Array.isArray(parsed.actions) ? parsed.actions.map(String) : [];
      provider = turn.providerName ?? llm.provider.name;
      model = turn.model;
    } catch (e) {
      if (e instanceof BreakerOpenError || e instanceof SessionGoneError) throw e;
      // the deterministic brief stands in; the result says which was used
      provider = "deterministic";
    }
  }
  return {
    coordination,
    completion_pct: completion,
    brief,
    actions,
    brief_source: provider,
    results,
    citations,
    summary: brief.slice(0, 2000),
    provider,
    model,
    metrics: {
      children: children.length,
      completed: done.length,
      duration_ms: Math.round(performance.now() - started),
    },
  };
}

function deterministicBrief(children: ChildRow[], coordination: string): string {
  const done = children.filter((c) => c.status === "completed").length;
  const lines = children.map((c) =>
    `- ${c.agent_slug}: ${
      c.status === "completed"
        ? (c.summary ?? "completed")
        : `${c.status}${c.error?.message ? ` (${c.error.message})` : ""}`
    }`
  );
  return [`${done} of ${children.length} agents completed (${coordination}).`, ...lines].join("\n");
}
