// Durability: a worker killed with SIGKILL mid-job. The job is redelivered after its visibility
// timeout and completes exactly once; the committed turns are replayed, not re-billed.
import { assert, assertEquals } from "./_assert.ts";
import { agentReply, startLlmServer } from "./_llm_server.ts";
import {
  db,
  killFunctionServer,
  llmTenant,
  ok,
  settled,
  startFunctionServer,
  test,
} from "./_helpers.ts";

test("SIGKILL mid-job: redelivered after the visibility timeout, completed once, earlier turns replayed", async () => {
  let inFlight: (() => void) | undefined;
  const midJob = new Promise<void>((r) => inFlight = r);
  let killed = false;
  const llm = startLlmServer((r) => {
    const toolDone = r.body.messages.some((m) => m.role === "tool");
    if (!toolDone) return { toolCalls: [{ name: "get_time", arguments: {} }] };
    if (!killed) {
      inFlight!();
      return { latencyMs: 8000, content: agentReply("never delivered") };
    }
    return { content: agentReply("finished after the crash") };
  });
  try {
    const t = await llmTenant("crash", llm.url);
    const session = await ok(t.key, "agents.run", { agent: "analyst", query: "survive a crash" });
    await midJob; // the worker is waiting for its second model call
    await killFunctionServer();
    killed = true;
    await startFunctionServer();

    const st = await settled(t.key, session.id, 60_000);
    assertEquals(st.status, "completed");
    assertEquals(st.result.summary, "finished after the crash");
    assertEquals(st.session.attempts, 2, "the crashed attempt counts");
    const [{ results }] = await db`select count(*)::int as results from public.event_log
      where event_type = 'session.completed' and payload ->> 'run_id' = ${session.id}`;
    assertEquals(results, 1, "completed exactly once");
    const runs =
      await db`select key, kind, status, run_attempt from public.run_steps where run_id = ${session.id} order by seq`;
    assertEquals(
      runs.map((r) => `${r.kind}@${r.run_attempt}`),
      ["memory@1", "llm@1", "tool@1", "llm@2"],
      "memory retrieval, turn 1 and the tool call were replayed from their records",
    );
    // The provider saw 3 requests: turn 1, turn 2 (cut off by the crash) and turn 2 again.
    assertEquals(llm.requests.length, 3);
    const usage =
      await db`select count(*)::int as n from public.usage_events where run_id = ${session.id} and kind = 'llm'`;
    assertEquals(
      usage[0].n,
      2,
      "usage for the two calls that returned; none invented, none doubled",
    );
    const [q] =
      await db`select count(*)::int as n from pgmq.q_agent_jobs where message ->> 'run_id' = ${session.id}`;
    assertEquals(q.n, 0, "the job was acknowledged");
    assert(
      llm.requests[2].body.messages.some((m) => m.role === "tool"),
      "the retry resumed after the tool call",
    );
  } finally {
    await llm.close();
  }
});
