/**
 * The runs API: list and read runs with their steps and waitpoints, cancel, replay (fork from a
 * step), and complete a completion token. Reads run under RLS; writes go through app.* with the
 * caller's tenant in the request transaction.
 */
import { hashKey } from "../platform/auth.ts";
import { listPage } from "../platform/crud.ts";
import { elevated, type Fragment, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";
import type { TableRow } from "../platform/types.ts";

export const RUN_STATUSES = [
  "queued",
  "running",
  "waiting",
  "completed",
  "failed",
  "cancelled",
] as const;

export interface RunFilter {
  kind?: string;
  status?: string;
  subject?: string;
  parent_run_id?: string;
  limit: number;
  cursor?: string;
}

/** A page of runs, newest first. */
export function listRuns(tx: Tx, f: RunFilter) {
  const conds: Fragment[] = [];
  if (f.kind) conds.push(tx`kind = ${f.kind}`);
  if (f.status) conds.push(tx`status = ${f.status}`);
  if (f.subject) conds.push(tx`subject = ${f.subject}`);
  if (f.parent_run_id) conds.push(tx`parent_run_id = ${f.parent_run_id}`);
  return listPage(tx, "runs", conds, f.limit, f.cursor);
}

/** A run with its steps (in order) and waitpoints. */
export async function getRun(tx: Tx, id: string, opts: { steps?: boolean } = {}) {
  const [run] =
    await tx`select *, app.run_is_terminal(status) as done from public.runs where id = ${id}`;
  if (!run) throw new ApiError("NOT_FOUND", `No run with id ${id}`);
  const steps = opts.steps === false ? undefined : await tx<Partial<TableRow<"run_steps">>[]>`
    select seq, key, kind, status, input, output, error, attempts, run_attempt, provider, model,
      prompt_tokens, completion_tokens, cost_usd, started_at, completed_at, duration_ms
    from public.run_steps where run_id = ${id} order by seq`;
  const waitpoints = await tx<Partial<TableRow<"run_waitpoints">>[]>`
    select id, step_key, mode, position, kind, status, resume_at, event_names, event_filter, run_ids,
      runs_mode, approval_id, result, created_at, resolved_at
    from public.run_waitpoints where run_id = ${id} order by created_at, position`;
  return { run, steps, waitpoints };
}

/** Cancels a run and its unfinished descendants. */
export async function cancelRun(tx: Tx, tenantId: string, id: string, reason: string) {
  const [found] = await tx`select id from public.runs where id = ${id}`;
  if (!found) throw new ApiError("NOT_FOUND", `No run with id ${id}`);
  const [row] = await elevated(
    tx,
    () => tx`select app.run_cancel(${tenantId}, ${id}, ${reason}) as cancelled`,
  );
  return { id, cancelled: row.cancelled as number };
}

/** Replays a run from step `fromSeq` into a new run (steps before it are reused, not re-run). */
export async function replayRun(
  tx: Tx,
  tenantId: string,
  id: string,
  fromSeq: number,
  input: Record<string, unknown> | undefined,
  createdBy: string,
) {
  const [found] = await tx`select id from public.runs where id = ${id}`;
  if (!found) throw new ApiError("NOT_FOUND", `No run with id ${id}`);
  const [fork] = await elevated(
    tx,
    () =>
      tx`select id from app.run_fork(${tenantId}, ${id}, ${fromSeq}, ${
        input ? tx.json(input as never) : null
      }, ${createdBy})`,
  );
  return (await getRun(tx, fork.id, { steps: true })).run;
}

/** Completes a completion token (single use) with `result`; the run waiting on it resumes. */
export async function completeToken(
  tx: Tx,
  tenantId: string,
  token: string,
  result: Record<string, unknown>,
) {
  const [row] = await elevated(
    tx,
    () =>
      tx`select * from app.waitpoint_token_complete(${tenantId}, ${hashKey(token)}, ${
        tx.json(result as never)
      })`,
  );
  return row;
}
