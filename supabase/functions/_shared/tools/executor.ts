/**
 * The tool-executor's queue consumer: drains `tool_calls` (messages {tool_call_id, tenant_id})
 * on the shared consumer. For each call:
 *
 * 1. app.tool_call_start checks its state before any adapter runs — a call already finished
 *    (a redelivered message) is only acknowledged, so it never executes twice; one past its
 *    deadline is failed; an http write whose worker died mid-request on an endpoint without
 *    idempotent retries is failed as OUTCOME_UNKNOWN rather than sent again.
 * 2. The adapter runs it (adapters.ts); app.tool_call_finish records the outcome (audit, event
 *    tool_call.finished, which resumes the waiting session) and the message is archived — for
 *    the site and sandbox adapters in the same transaction as the effect.
 * 3. An integration that is busy (rate limit, concurrency, open breaker) defers the job without
 *    using an attempt; an endpoint that keeps failing retries it with backoff; the last failure
 *    fails the call, so the session always resumes.
 */
import type { Config } from "../platform/config.ts";
import type { Db, Tx } from "../platform/db.ts";
import { literal } from "../platform/db.ts";
import type { JobContext, WorkerSpec } from "../queue/consumer.ts";
import { type PlainJob, plainWorker } from "../queue/plain.ts";
import { type AdapterKind, type IntegrationRow, type Outcome, runCall } from "./adapters.ts";
import { TOOLS } from "./registry.ts";

interface CallRow {
  id: string;
  tenant_id: string;
  idempotency_key: string;
  run_id: string | null;
  tool: string;
  adapter: AdapterKind;
  arguments: Record<string, unknown>;
  requested_by: string | null;
  attempts: number;
}

interface StartRow {
  state: "run" | "done" | "expired" | "unknown" | "missing";
  call?: CallRow;
  integration?: IntegrationRow | null;
}

async function finish(tx: Tx, tenantId: string, id: string, outcome: Record<string, unknown>) {
  await tx.unsafe(
    `select app.tool_call_finish(${literal(tenantId)}::uuid, ${literal(id)}::uuid, ${
      literal(JSON.stringify(outcome))
    }::jsonb)`,
  );
}

/** Ends a call that cannot run (unknown tool, arguments no longer valid) and acks its message. */
async function failAndAck(
  db: Db,
  job: PlainJob<{ tool_call_id: string }>,
  error: { code: string; message: string },
) {
  await db.service(async (tx) => {
    await finish(tx, job.tenantId, job.payload.tool_call_id, { status: "failed", error });
    await job.ackIn(tx);
  });
}

/** The consumer spec of the tool_calls queue. */
export function toolCallsWorker(config: Config): WorkerSpec<PlainJob<{ tool_call_id: string }>> {
  const base = plainWorker<{ tool_call_id: string }>(
    "tool_calls",
    async (job, ctx: JobContext) => {
      const { db } = ctx;
      const [row] = await db.s<{ s: StartRow }[]>`
        select app.tool_call_start(${job.tenantId}::uuid, ${job.payload.tool_call_id}::uuid,
          ${job.msgId}::bigint) as s`;
      const st = row.s;
      if (st.state !== "run") {
        // finished already (a redelivery), expired, unknown or gone: nothing runs
        await db.service((tx) => job.ackIn(tx));
        return st.state === "done" ? "already" : st.state;
      }
      const call = st.call!;
      const tool = TOOLS.get(call.tool);
      if (!tool) {
        await failAndAck(db, job, {
          code: "UNKNOWN_TOOL",
          message: `Tool ${call.tool} is no longer registered`,
        });
        return "failed";
      }
      const parsed = tool.params.safeParse(call.arguments);
      if (!parsed.success) {
        await failAndAck(db, job, {
          code: "INVALID_ARGUMENTS",
          message: `The arguments no longer fit ${tool.name}: ${parsed.error.message}`,
        });
        return "failed";
      }
      const [runRow] = call.run_id
        ? await db.s<{ user_id: string | null; api_key_id: string | null }[]>`
          select user_id, api_key_id from public.runs where id = ${call.run_id}::uuid`
        : [];
      const out: Outcome | null = await runCall({ db, config, signal: ctx.signal }, {
        tenantId: call.tenant_id,
        tool,
        args: parsed.data as Record<string, unknown>,
        callKey: call.idempotency_key,
        toolCallId: call.id,
        runId: call.run_id ?? undefined,
        requester: {
          requested_by: call.requested_by,
          user_id: runRow?.user_id ?? null,
          key_id: runRow?.api_key_id ?? null,
        },
        integration: st.integration ?? null,
        adapter: call.adapter,
      }, {
        lock: async (tx) => {
          const [row] = await tx<{ status: string }[]>`
            select status from public.tool_calls where id = ${call.id} for update`;
          return row?.status === "running";
        },
        commit: async (tx, outcome) => {
          await finish(tx, call.tenant_id, call.id, outcome as unknown as Record<string, unknown>);
          await job.ackIn(tx);
        },
        skip: (tx) => job.ackIn(tx),
      });
      if (!out) return "already";
      return out.status === "succeeded" ? "completed" : "failed";
    },
    { retryBaseMs: config.ORA_RETRY_BASE_MS, maxAttempts: 5 },
  );
  return {
    ...base,
    async settle(job, f, ctx) {
      const outcome = await base.settle(job, f, ctx);
      const error = { code: f.code, message: f.message };
      if (outcome === "failed") {
        // the last attempt: the call fails for good, so its session resumes
        await ctx.db.service((tx) =>
          finish(tx, job.tenantId, job.payload.tool_call_id, { status: "failed", error })
        );
      } else {
        // it will run again (retry or deferral): not "running" any more, or a redelivery
        // would take it for a call cut off mid-request
        await ctx.db.s`select app.tool_call_requeue(${job.tenantId}::uuid,
          ${job.payload.tool_call_id}::uuid, ${error}::jsonb)`;
      }
      return outcome;
    },
  };
}
