import { type Classifiable, type Classified, WorkError } from "../queue/classify.ts";

/** The provider interface every LLM backend implements (OpenAI-compatible or offline). */

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface ToolSpec {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  temperature?: number;
  maxTokens?: number;
  /** Ask for a JSON object reply (response_format json_object). */
  json?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ChatResult {
  message: ChatMessage;
  promptTokens: number;
  completionTokens: number;
  model: string;
  provider: string;
  /** True for the offline deterministic provider; results say so. */
  offline: boolean;
  finishReason: string;
}

export interface LlmProvider {
  readonly name: string;
  readonly offline: boolean;
  /** Breaker key for this dependency, e.g. llm:api.openai.com. */
  readonly breakerKey: string;
  chat(req: ChatRequest): Promise<ChatResult>;
}

/** A failed LLM call: whether a retry may succeed, and when (Retry-After) if the server said. */
export class LlmError extends WorkError {
  constructor(
    message: string,
    retryable: boolean,
    readonly status?: number,
    retryAfterMs?: number,
  ) {
    super(`LLM_${status ?? "ERROR"}`, message, retryable, retryAfterMs);
  }
}

/** The LLM is not configured in a way that can work: retrying cannot help. */
export class LlmConfigError extends WorkError {
  constructor(message: string) {
    super("LLM_NOT_CONFIGURED", message);
  }
}

/** The circuit breaker for this tenant and dependency is open: wait (no attempt used). */
export class BreakerOpenError extends Error implements Classifiable {
  constructor(readonly retryInMs: number, readonly key: string) {
    super(`Circuit breaker ${key} is open`);
    this.name = "BreakerOpenError";
  }
  classify(): Classified {
    return {
      kind: "defer",
      code: "BREAKER_OPEN",
      message: this.message,
      retryAfterMs: this.retryInMs,
      releaseKey: `breaker:${this.key}`,
    };
  }
}
