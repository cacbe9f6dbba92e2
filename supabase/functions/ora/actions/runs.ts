/** runs.list|get|cancel|replay and waitpoints.complete — durable runs and their waits. */
import { z } from "zod";
import {
  type ActionContext,
  Cursor,
  Limit,
  tenantAction,
  Uuid,
} from "../../_shared/platform/actions.ts";
import { principalName } from "../../_shared/platform/auth.ts";
import {
  cancelRun,
  completeToken,
  getRun,
  listRuns,
  replayRun,
  RUN_STATUSES,
} from "../../_shared/runs/runs.ts";

const read = { resource: "runs", access: "read" as const };
const write = { resource: "runs", access: "write" as const };

const List = z.object({
  kind: z.string().max(63).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  subject: z.string().max(200).optional(),
  parent_run_id: Uuid.optional(),
  limit: Limit,
  cursor: Cursor,
}).strict();
const Get = z.object({ id: Uuid, steps: z.boolean().default(true) }).strict();
const Cancel = z.object({
  id: Uuid,
  reason: z.string().min(1).max(500).default("cancelled by request"),
}).strict();
const Replay = z.object({
  id: Uuid,
  from_step: z.number().int().min(1).describe(
    "Seq of the first step to run again; earlier steps are reused from their records",
  ),
  input: z.record(z.string(), z.unknown()).optional().describe("Replaces the run's input"),
}).strict();
const Complete = z.object({
  token: z.string().regex(/^wpt_[0-9a-f]{64}$/, "a completion token (wpt_…)"),
  result: z.record(z.string(), z.unknown()).default({}),
}).strict();

export const runActions = {
  "runs.list": tenantAction({
    description:
      "List durable runs (sessions, automations, …), newest first, by kind, status, subject or parent.",
    scope: read,
    params: List,
    returns: "{items: run[], nextCursor}",
    handler: ({ tx }: ActionContext, f: z.infer<typeof List>) => listRuns(tx, f),
  }),
  "runs.get": tenantAction({
    description:
      "One run with its recorded steps (in order: key, kind, output, tokens, cost, timing) and its waitpoints.",
    scope: read,
    params: Get,
    returns: "{run, steps[], waitpoints[]}",
    handler: ({ tx }: ActionContext, d: z.infer<typeof Get>) => getRun(tx, d.id, d),
  }),
  "runs.cancel": tenantAction({
    description: "Cancel a run and its unfinished descendants; their waits are cancelled.",
    scope: write,
    params: Cancel,
    returns: "{id, cancelled: number}",
    handler: ({ tx, tenantId }: ActionContext, d: z.infer<typeof Cancel>) =>
      cancelRun(tx, tenantId, d.id, d.reason),
  }),
  "runs.replay": tenantAction({
    description:
      "Replay a run from a step into a new run (a fork): steps before from_step return their records without calling a model or tool again; from_step on runs again, optionally with new input.",
    scope: write,
    params: Replay,
    returns: "run (the fork)",
    handler: ({ tx, tenantId, principal }: ActionContext, d: z.infer<typeof Replay>) =>
      replayRun(
        tx,
        tenantId,
        d.id,
        d.from_step,
        d.input,
        principalName(principal),
      ),
  }),
  "waitpoints.complete": tenantAction({
    description:
      "Complete a completion token a run is waiting on (single use); the run resumes with result.",
    scope: { resource: "waitpoints", access: "write" },
    params: Complete,
    returns: "{waitpoint_id, run_id, status}",
    handler: ({ tx, tenantId }: ActionContext, d: z.infer<typeof Complete>) =>
      completeToken(tx, tenantId, d.token, d.result),
  }),
};
