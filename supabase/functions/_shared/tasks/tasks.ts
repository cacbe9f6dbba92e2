/**
 * The task DAG (seed 000 agent_tasks): fields, creation with dependencies, reading a task with
 * its edges. Shared by the tasks.* actions and the agents' tasks.create tool; queries run in the
 * caller's transaction under RLS, enqueueing through app.task_advance as service_role.
 */
import { z } from "zod";
import { Uuid } from "../platform/actions.ts";
import { definedOnly } from "../platform/crud.ts";
import { elevated, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";

export const TaskFields = z.object({
  title: z.string().trim().min(1).max(500),
  task_type: z.string().min(1).max(100).optional(),
  assigned_agent: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).optional()
    .describe("Agent slug that runs the task; without one the task waits for a person or client"),
  description: z.string().max(20_000).optional(),
  instructions: z.record(z.string(), z.unknown()).optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  priority: z.number().int().min(-100).max(100).optional(),
  scheduled_for: z.iso.datetime({ offset: true }).optional(),
  deadline_at: z.iso.datetime({ offset: true }).optional(),
  max_attempts: z.number().int().min(1).max(20).optional(),
  parent_task_id: Uuid.optional(),
  related_post_id: Uuid.optional(),
  source: z.enum(["server", "desktop", "api", "webhook", "automation", "agent"]).optional(),
});

export const CreateTask = TaskFields.extend({
  depends_on: z.array(Uuid).max(100).default([]).describe("Tasks that must succeed first"),
}).strict();

// deno-lint-ignore no-explicit-any
export type TaskRow = Record<string, any>;

/** A task with its dependencies and dependents. */
export async function getTask(tx: Tx, id: string): Promise<TaskRow> {
  const [task] = await tx<TaskRow[]>`select * from public.agent_tasks where id = ${id}`;
  if (!task) throw new ApiError("NOT_FOUND", `No task with id ${id}`);
  const depends_on = await tx`
    select t.id, t.title, t.status from public.task_dependencies d join public.agent_tasks t on t.id = d.depends_on_id
    where d.task_id = ${id}`;
  const dependents = await tx`
    select t.id, t.title, t.status from public.task_dependencies d join public.agent_tasks t on t.id = d.task_id
    where d.depends_on_id = ${id}`;
  return { ...task, depends_on, dependents };
}

/** Adds dependency edges (cycles and other tenants' tasks are refused by triggers). */
export async function addDependencies(tx: Tx, tenantId: string, taskId: string, deps: string[]) {
  if (!deps.length) return;
  const found = await tx`select id from public.agent_tasks where id = any(${deps}::uuid[])`;
  if (found.length !== new Set(deps).size) {
    throw new ApiError("NOT_FOUND", "A task in depends_on does not exist");
  }
  await tx`insert into public.task_dependencies ${
    tx(deps.map((d) => ({ tenant_id: tenantId, task_id: taskId, depends_on_id: d })))
  }
    on conflict do nothing`;
}

/** Queues whatever became runnable, in the same transaction (enqueueing needs service_role). */
export async function advanceTasks(tx: Tx, tenantId: string) {
  await elevated(tx, () => tx`select app.task_advance(${tenantId})`);
}

/** Creates a task with its dependencies and queues it when it can run; returns it with its edges. */
export async function createTask(tx: Tx, tenantId: string, t: z.infer<typeof CreateTask>) {
  const { depends_on, ...fields } = t;
  const row = definedOnly({ ...fields, tenant_id: tenantId });
  const [task] = await tx`insert into public.agent_tasks ${tx(row)} returning id`;
  await addDependencies(tx, tenantId, task.id, depends_on);
  await advanceTasks(tx, tenantId);
  return getTask(tx, task.id);
}
