// One classification for every failure of queued work: retry, defer or final.
import { assert, assertEquals } from "../_assert.ts";
import { backoffMs, classify, retryDelayMs } from "../../_shared/queue/classify.ts";
import { BreakerOpenError, LlmConfigError, LlmError } from "../../_shared/llm/types.ts";
import { OutboundRefusedError } from "../../_shared/platform/outbound.ts";
import { ApiError } from "../../_shared/platform/http.ts";
import { PoolTimeoutError } from "../../_shared/platform/db.ts";
import { DefinitionChangedError } from "../../_shared/runs/engine.ts";

Deno.test("a provider's 429 and 5xx retry, honouring Retry-After; its 4xx are final", () => {
  const rate = classify(new LlmError("LLM answered 429", true, 429, 7000));
  assertEquals([rate.kind, rate.code, rate.retryAfterMs], ["retry", "LLM_429", 7000]);
  assertEquals(classify(new LlmError("LLM answered 503", true, 503)).kind, "retry");
  const bad = classify(new LlmError("LLM answered 401", false, 401));
  assertEquals([bad.kind, bad.code], ["final", "LLM_401"]);
});

Deno.test("configuration, policy and validation errors are final at once", () => {
  assertEquals(classify(new LlmConfigError("no key")).kind, "final");
  const refused = classify(new OutboundRefusedError("private_address", "points to loopback"));
  assertEquals([refused.kind, refused.code], ["final", "OUTBOUND_PRIVATE_ADDRESS"]);
  assertEquals(classify(new ApiError("VALIDATION_ERROR", "bad")).kind, "final");
  assertEquals(
    classify(new DefinitionChangedError("agent", "a/1", "a/2")).code,
    "DEFINITION_CHANGED",
  );
  const budget = Object.assign(new Error("Budget exceeded"), { code: "OR402" });
  assertEquals([classify(budget).kind, classify(budget).code], ["final", "BUDGET_EXCEEDED"]);
  const forbidden = Object.assign(new Error("secret bound elsewhere"), { code: "OR403" });
  assertEquals(classify(forbidden).kind, "final");
});

Deno.test("an open breaker defers (no attempt used) until it is released", () => {
  const c = classify(new BreakerOpenError(1500, "llm:api.example.com"));
  assertEquals(c.kind, "defer");
  assertEquals(c.retryAfterMs, 1500);
  assertEquals(c.releaseKey, "breaker:llm:api.example.com");
});

Deno.test("database contention and lost connections retry; unknown errors are final", () => {
  for (
    const code of ["40001", "40P01", "57014", "57P01", "08006", "CONNECTION_CLOSED", "ECONNREFUSED"]
  ) {
    assertEquals(classify(Object.assign(new Error(code), { code })).kind, "retry", code);
  }
  assertEquals(classify(new PoolTimeoutError(5000)).kind, "retry");
  const bug = classify(new TypeError("x is undefined"));
  assertEquals([bug.kind, bug.code], ["final", "INTERNAL_ERROR"]);
});

Deno.test("backoff doubles per attempt with jitter, capped at five minutes", () => {
  assertEquals(backoffMs(1, 1000, () => 1), 1000);
  assertEquals(backoffMs(3, 1000, () => 1), 4000);
  assertEquals(backoffMs(3, 1000, () => 0), 2000);
  assertEquals(backoffMs(30, 1000, () => 1), 300_000);
  const rate = classify(new LlmError("429", true, 429, 9000));
  assert(retryDelayMs(1, 1000, rate) >= 9000, "Retry-After wins over a shorter backoff");
});
