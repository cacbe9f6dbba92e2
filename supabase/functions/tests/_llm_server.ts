/**
 * A scripted OpenAI-protocol server on loopback: POST /v1/chat/completions answers from a
 * script (latency, status codes with Retry-After, tool calls, malformed bodies, hangs), and
 * every request is recorded. The real `openai` SDK talks to it exactly as to a hosted model.
 * POST /v1/embeddings answers with deterministic vectors in which paraphrases are close
 * (`_embeddings.ts`), or from an embedding script (failures, latency).
 */
import {
  answerEmbeddings,
  type EmbeddingsBody,
  type EmbedRecorded,
  type EmbedScript,
} from "./_embeddings.ts";

export interface ChatBody {
  model: string;
  messages: {
    role: string;
    content: string | null;
    tool_call_id?: string;
    tool_calls?: unknown[];
  }[];
  tools?: { function: { name: string } }[];
}

export interface Step {
  latencyMs?: number;
  status?: number;
  headers?: Record<string, string>;
  /** Assistant text; default: a valid agent JSON reply. */
  content?: string;
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
  /** Send this raw body instead of a completion. */
  raw?: string;
  promptTokens?: number;
  completionTokens?: number;
}

export interface Recorded {
  n: number;
  at: number;
  body: ChatBody;
  system: string;
  /** Set when the response was sent (undefined while in flight or when the client vanished). */
  answeredAt?: number;
}

export type Script = (req: Recorded) => Step | Promise<Step>;

/** A valid agent reply (the JSON contract of _shared/agent/prompt.ts). */
export function agentReply(summary: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    summary,
    findings: [`finding: ${summary}`],
    recommendations: [],
    citations: [],
    confidence: "high",
    ...extra,
  });
}

export function startLlmServer(script: Script, opts: { embed?: EmbedScript } = {}) {
  const requests: Recorded[] = [];
  const embeddings: EmbedRecorded[] = [];
  let current = script;
  let embedScript: EmbedScript = opts.embed ?? (() => ({}));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    // POST /v1/embeddings: deterministic concept vectors (tests/_embeddings.ts) unless scripted
    if (req.method === "POST" && url.pathname.endsWith("/embeddings")) {
      const body = await req.json() as EmbeddingsBody;
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const rec = { n: embeddings.length + 1, at: Date.now(), body, inputs };
      embeddings.push(rec);
      return await answerEmbeddings(body, rec, embedScript);
    }
    if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
      return Response.json({ error: { message: "not found" } }, { status: 404 });
    }
    const body = await req.json() as ChatBody;
    const rec: Recorded = {
      n: requests.length + 1,
      at: Date.now(),
      body,
      system: body.messages.find((m) => m.role === "system")?.content ?? "",
    };
    requests.push(rec);
    const step = await current(rec);
    if (step.latencyMs) await new Promise((r) => setTimeout(r, step.latencyMs));
    rec.answeredAt = Date.now();
    if (step.raw !== undefined) {
      return new Response(step.raw, {
        status: step.status ?? 200,
        headers: { "content-type": "application/json", ...step.headers },
      });
    }
    if (step.status && step.status >= 400) {
      return Response.json({ error: { message: `scripted ${step.status}`, type: "scripted" } }, {
        status: step.status,
        headers: step.headers,
      });
    }
    const toolCalls = step.toolCalls?.map((t, i) => ({
      id: `call_${rec.n}_${i}`,
      type: "function",
      function: { name: t.name, arguments: JSON.stringify(t.arguments) },
    }));
    return Response.json({
      id: `chatcmpl-${rec.n}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: toolCalls ? null : step.content ?? agentReply(`reply ${rec.n}`),
          tool_calls: toolCalls,
        },
        finish_reason: toolCalls ? "tool_calls" : "stop",
      }],
      usage: {
        prompt_tokens: step.promptTokens ?? 100,
        completion_tokens: step.completionTokens ?? 20,
        total_tokens: (step.promptTokens ?? 100) + (step.completionTokens ?? 20),
      },
    }, { headers: step.headers });
  });
  const port = (server.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    /** POST /v1/embeddings requests, in order. */
    embeddings,
    setScript(s: Script) {
      current = s;
    },
    setEmbedScript(s: EmbedScript) {
      embedScript = s;
    },
    async close() {
      await server.shutdown();
    },
  };
}
