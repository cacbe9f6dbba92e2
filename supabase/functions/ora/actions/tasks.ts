/** tasks.create|list|get|update|cancel|retry — the task DAG (seed 000 agent_tasks). */
import { z } from "zod";
import {
  type ActionContext,
  Cursor,
  Limit,
  tenantAction,
  Uuid,
} from "../../_shared/platform/actions.ts";
import { definedOnly, listPage } from "../../_shared/platform/crud.ts";
import { elevated, type Fragment } from "../../_shared/platform/db.ts";
import { ApiError } from "../../_shared/platform/http.ts";
import {
  addDependencies,
  advanceTasks,
  CreateTask,
  createTask,
  getTask,
  TaskFields,
} from "../../_shared/tasks/tasks.ts";

const read = { resource: "tasks", access: "read" as const };
const write = { resource: "tasks", access: "write" as const };
/** Task states that are final. */
const FINISHED = new Set(["success", "error", "cancelled", "expired"]);
const Status = z.enum([
  "pending",
  "queued",
  "running",
  "waiting",
  "success",
  "error",
  "cancelled",
  "expired",
]);

/** Queues whatever became runnable, in the same transaction (enqueueing needs service_role). */
function advance(ctx: ActionContext) {
  return advanceTasks(ctx.tx, ctx.tenantId);
}

export const taskActions = {
  "tasks.create": tenantAction({
    description:
      "Create a task, optionally depending on others (a DAG; cycles are refused). It runs when all dependencies succeeded, scheduled_for has come and an agent is assigned.",
    scope: write,
    params: CreateTask,
    returns: "task & {depends_on[], dependents[]}",
    handler: (ctx: ActionContext, t: z.infer<typeof CreateTask>) =>
      createTask(ctx.tx, ctx.tenantId, t),
  }),
  "tasks.list": tenantAction({
    description: "List tasks, newest first, by status, agent or parent task.",
    scope: read,
    params: z.object({
      status: Status.optional(),
      assigned_agent: z.string().max(63).optional(),
      parent_task_id: Uuid.optional(),
      limit: Limit,
      cursor: Cursor,
    }).strict(),
    returns: "{items: task[], nextCursor}",
    handler: ({ tx }: ActionContext, f: Record<string, unknown>) => {
      const conds: Fragment[] = [];
      if (f.status) conds.push(tx`status = ${String(f.status)}`);
      if (f.assigned_agent) conds.push(tx`assigned_agent = ${String(f.assigned_agent)}`);
      if (f.parent_task_id) conds.push(tx`parent_task_id = ${String(f.parent_task_id)}`);
      return listPage(tx, "agent_tasks", conds, Number(f.limit), f.cursor as string | undefined);
    },
  }),
  "tasks.get": tenantAction({
    description: "One task with its dependencies and dependents.",
    scope: read,
    params: z.object({ id: Uuid }).strict(),
    returns: "task & {depends_on[], dependents[]}",
    handler: ({ tx }: ActionContext, { id }: { id: string }) => getTask(tx, id),
  }),
  "tasks.update": tenantAction({
    description:
      "Change a pending task, add dependencies (cycles refused), or complete an agent-less task by hand (status success or error, with output).",
    scope: write,
    params: TaskFields.partial().extend({
      id: Uuid,
      add_depends_on: z.array(Uuid).max(100).optional(),
      status: z.enum(["success", "error", "waiting"]).optional(),
      output: z.record(z.string(), z.unknown()).optional(),
      error_message: z.string().max(5000).optional(),
    }).strict(),
    returns: "task & {depends_on[], dependents[]}",
    handler: async (ctx: ActionContext, u: Record<string, unknown>) => {
      const { id, add_depends_on, status, output, error_message, ...fields } = u as {
        id: string;
        add_depends_on?: string[];
        status?: string;
        output?: Record<string, unknown>;
        error_message?: string;
      } & Record<string, unknown>;
      const current = await getTask(ctx.tx, id);
      const editable = definedOnly(fields);
      if (Object.keys(editable).length) {
        if (current.status !== "pending" && current.status !== "waiting") {
          throw new ApiError(
            "CONFLICT",
            `Task is ${current.status}: only pending or waiting tasks can be changed`,
          );
        }
        await ctx.tx`update public.agent_tasks set ${ctx.tx(editable)} where id = ${id}`;
      }
      if (add_depends_on?.length) await addDependencies(ctx.tx, ctx.tenantId, id, add_depends_on);
      if (status === "waiting") {
        await ctx
          .tx`update public.agent_tasks set status = 'waiting' where id = ${id} and status = 'pending'`;
      }
      if (status === "success" || status === "error") {
        if (
          current.session_id &&
          !FINISHED.has(current.status)
        ) {
          throw new ApiError("CONFLICT", "An agent is running this task; cancel it first");
        }
        await elevated(
          ctx.tx,
          () =>
            ctx.tx`select app.task_finish(${ctx.tenantId}, ${id}, ${status}, ${
              output ? ctx.tx.json(output as never) : null
            }, ${error_message ?? null})`,
        );
      }
      await advance(ctx);
      return getTask(ctx.tx, id);
    },
  }),
  "tasks.cancel": tenantAction({
    description:
      "Cancel a task (and its running session); pending dependents are stopped with a reason.",
    scope: write,
    params: z.object({
      id: Uuid,
      reason: z.string().min(1).max(500).default("cancelled by request"),
    }).strict(),
    returns: "task",
    handler: async (ctx: ActionContext, { id, reason }: { id: string; reason: string }) => {
      const task = await getTask(ctx.tx, id);
      if (FINISHED.has(task.status)) {
        throw new ApiError("CONFLICT", `Task is already ${task.status}`);
      }
      await elevated(ctx.tx, async () => {
        await ctx
          .tx`select app.task_finish(${ctx.tenantId}, ${id}, 'cancelled', null, ${reason})`;
        if (task.session_id) {
          await ctx.tx`select app.cancel_session(${ctx.tenantId}, ${task.session_id}, ${reason})`;
        }
      });
      return getTask(ctx.tx, id);
    },
  }),
  "tasks.retry": tenantAction({
    description:
      "Retry a failed, cancelled or expired task; dependents it stopped go back to pending.",
    scope: write,
    params: z.object({ id: Uuid }).strict(),
    returns: "task",
    handler: async (ctx: ActionContext, { id }: { id: string }) => {
      await getTask(ctx.tx, id);
      await elevated(ctx.tx, () => ctx.tx`select app.task_retry(${ctx.tenantId}, ${id})`);
      return getTask(ctx.tx, id);
    },
  }),
};
