/** OpenAI-compatible provider through the official `openai` SDK (OpenAI, Groq, OpenRouter, Ollama, vLLM, Azure). */
import OpenAI from "openai";
import { type OutboundFetch, OutboundRefusedError } from "../platform/outbound.ts";
import {
  type ChatRequest,
  type ChatResult,
  LlmError,
  type LlmProvider,
  type ToolCall,
} from "./types.ts";

/** Parses Retry-After (seconds or an HTTP date) and retry-after-ms into milliseconds. */
export function retryAfterMs(
  headers: Headers | Record<string, string> | undefined,
): number | undefined {
  if (!headers) return undefined;
  const get = (n: string) =>
    headers instanceof Headers ? headers.get(n) : headers[n] ?? headers[n.toLowerCase()];
  const ms = Number(get("retry-after-ms"));
  if (
    Number.isFinite(ms) && ms >= 0 && get("retry-after-ms") !== null &&
    get("retry-after-ms") !== undefined
  ) return ms;
  const raw = get("retry-after");
  if (raw === null || raw === undefined) return undefined;
  const secs = Number(raw);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class OpenAIProvider implements LlmProvider {
  readonly name = "openai";
  readonly offline = false;
  readonly breakerKey: string;
  private client: OpenAI;

  constructor(opts: { apiKey: string; baseURL: string; fetch: OutboundFetch }) {
    // every request goes through the outbound client (address policy, key bound to its origin)
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL,
      maxRetries: 0,
      fetch: opts.fetch as unknown as typeof fetch,
    });
    this.breakerKey = `llm:${new URL(opts.baseURL).host}`;
  }

  async chat(req: ChatRequest): Promise<ChatResult> {
    let completion;
    try {
      completion = await this.client.chat.completions.create({
        model: req.model,
        // deno-lint-ignore no-explicit-any
        messages: req.messages as any,
        // deno-lint-ignore no-explicit-any
        tools: req.tools?.length ? req.tools as any : undefined,
        temperature: req.temperature,
        max_tokens: req.maxTokens,
        response_format: req.json && !req.tools?.length ? { type: "json_object" } : undefined,
      }, { timeout: req.timeoutMs, signal: req.signal });
    } catch (e) {
      throw toLlmError(e);
    }
    const choice = completion?.choices?.[0];
    if (!choice?.message) throw new LlmError("Malformed completion: no choices[0].message", true);
    const toolCalls = (choice.message.tool_calls ?? []).filter((t) =>
      t.type === "function"
    ) as ToolCall[];
    return {
      message: {
        role: "assistant",
        content: choice.message.content ?? null,
        ...(toolCalls.length
          ? {
            tool_calls: toolCalls.map((t) => ({
              id: t.id,
              type: "function",
              function: t.function,
            })),
          }
          : {}),
      },
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      completionTokens: completion.usage?.completion_tokens ?? 0,
      model: completion.model ?? req.model,
      provider: this.name,
      offline: false,
      finishReason: choice.finish_reason ?? "stop",
    };
  }
}

function toLlmError(e: unknown): Error {
  if (e instanceof LlmError) return e;
  // the outbound policy refused the endpoint: final, with the policy's own explanation
  const cause = (e as { cause?: unknown })?.cause;
  if (e instanceof OutboundRefusedError) return e;
  if (cause instanceof OutboundRefusedError) return cause;
  if (e instanceof OpenAI.APIUserAbortError) return new LlmError("LLM call aborted", false);
  if (e instanceof OpenAI.APIConnectionTimeoutError) {
    return new LlmError("LLM call timed out", true);
  }
  if (e instanceof OpenAI.APIConnectionError) {
    return new LlmError(`LLM connection failed: ${e.message}`, true);
  }
  if (e instanceof OpenAI.APIError) {
    const status = e.status ?? 0;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return new LlmError(
      `LLM answered ${status}: ${e.message}`.slice(0, 500),
      retryable,
      status,
      retryAfterMs(e.headers as Headers),
    );
  }
  // e.g. a body that is not JSON at all
  return new LlmError(`LLM call failed: ${(e as Error)?.message ?? String(e)}`.slice(0, 500), true);
}
