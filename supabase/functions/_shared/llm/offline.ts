/**
 * The offline deterministic provider: runs when no LLM key is configured, so the stack works
 * out of the box. Same input → same output; every reply says it is offline.
 */
import type { ChatMessage, ChatRequest, ChatResult, LlmProvider } from "./types.ts";

export const OFFLINE_LABEL = "[offline provider: no LLM configured]";

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function lastUser(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === "user") return messages[i].content ?? "";
  }
  return "";
}

export class OfflineProvider implements LlmProvider {
  readonly name = "offline";
  readonly offline = true;
  readonly breakerKey = "llm:offline";

  chat(req: ChatRequest): Promise<ChatResult> {
    const system = req.messages.find((m) => m.role === "system")?.content ?? "";
    const persona =
      /You are (?:the )?(.+?)(?: specialist\b| for |[.,\n])/.exec(system)?.[1]?.trim() ??
        "the agent";
    const task = lastUser(req.messages);
    let query = task;
    try {
      const parsed = JSON.parse(task);
      query = parsed?.task?.query ?? parsed?.task?.title ?? parsed?.query ??
        JSON.stringify(parsed?.task ?? parsed);
    } catch { /* plain text task */ }
    query = String(query).replace(/\s+/g, " ").trim().slice(0, 240);
    const brief = /brief/i.test(system) || /"children"/.test(task);
    // the prompt's memory section (see memory/retrieval.ts), cited so a reader sees what was recalled
    const memory = /^Memory \(.*\):\n([\s\S]*?)(?:\n\n|$)/m.exec(system)?.[1] ?? "";
    const lines = memory.split("\n").filter((l) => l.startsWith("- ("));
    const recalled = lines.map((l) => `Recalled from memory: ${l.slice(2)}`);
    const cited = lines.map((l) => /^- \(([^)]*)\) (.*)$/.exec(l)).filter((m) => m !== null).map(
      (m) => ({ source: "memory", ref: m[1], quote: m[2] }),
    );
    const reply = brief
      ? {
        brief: `${OFFLINE_LABEL} Merged the specialists' results for: ${query}`,
        actions: ["Configure an LLM (tenants.settings.llm or ORA_LLM_*) for real analysis"],
      }
      : {
        summary: `${OFFLINE_LABEL} ${persona} reviewed: ${query}`,
        findings: [`${persona} would analyse: ${query}`, ...recalled],
        recommendations: ["Configure an LLM (tenants.settings.llm or ORA_LLM_*) for real analysis"],
        citations: cited,
        confidence: "low",
      };
    const content = JSON.stringify(reply);
    return Promise.resolve({
      message: { role: "assistant", content },
      promptTokens: req.messages.reduce((n, m) => n + estimateTokens(m.content ?? ""), 0),
      completionTokens: estimateTokens(content),
      model: "offline",
      provider: this.name,
      offline: true,
      finishReason: "stop",
    });
  }
}
