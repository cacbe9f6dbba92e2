/** sessions.spawn|status|wait|cancel|list — spawn children, coordinate them, cancel the tree. */
import { z } from "zod";
import {
  type ActionContext,
  type AfterContext,
  Cursor,
  Limit,
  registry,
  tenantAction,
  Uuid,
} from "../_shared/platform/actions.ts";
import { listPage } from "../_shared/platform/crud.ts";
import type { Fragment } from "../_shared/platform/db.ts";
import {
  cancelSession,
  OrchestrationSpec,
  sessionStatus,
  spawnMany,
  waitFor,
} from "../_shared/sessions/sessions.ts";

const read = { resource: "sessions", access: "read" as const };
const write = { resource: "sessions", access: "write" as const };

export const sessionActions = registry({
  "sessions.spawn": tenantAction({
    description:
      "Spawn 1..N child agent sessions under a coordinating parent in one call and return at once (or wait up to wait_ms). When all children finish, the coordinator writes one brief.",
    scope: write,
    params: OrchestrationSpec,
    returns: "{session, children[], status?} — status when wait_ms > 0",
    handler: (
      { tx, tenantId, principal }: ActionContext,
      spec: z.infer<typeof OrchestrationSpec>,
    ) => spawnMany(tx, tenantId, principal, spec),
    after: async (ctx: AfterContext, spec: z.infer<typeof OrchestrationSpec>, result) => {
      const spawned = result as Awaited<ReturnType<typeof spawnMany>>;
      if (!spec.wait_ms) return spawned;
      const status = await waitFor(
        () => ctx.read((tx) => sessionStatus(tx, spawned.session.id)),
        spec.wait_ms,
      );
      return { ...spawned, status };
    },
  }),
  "sessions.status": tenantAction({
    description:
      "A session with its children: status, coordination (complete | partial | timeout once done), completion %, each child's result, and the brief.",
    scope: read,
    params: z.object({ id: Uuid }).strict(),
    returns: "{session, status, done, coordination, completion_pct, children[], result}",
    handler: ({ tx }: ActionContext, { id }: { id: string }) => sessionStatus(tx, id),
  }),
  "sessions.wait": tenantAction({
    description:
      "Wait up to wait_ms (max 25 s) for a session to finish; returns its status and whether the wait timed out.",
    scope: read,
    params: z.object({ id: Uuid, wait_ms: z.number().int().min(0).max(25_000).default(10_000) })
      .strict(),
    returns: "status & {waited_ms, timed_out}",
    handler: ({ tx }: ActionContext, { id }: { id: string; wait_ms: number }) =>
      sessionStatus(tx, id),
    after: (ctx: AfterContext, { id, wait_ms }: { id: string; wait_ms: number }, first) =>
      (first as { done: boolean }).done
        ? waitFor(() => Promise.resolve(first as Awaited<ReturnType<typeof sessionStatus>>), 0)
        : waitFor(() => ctx.read((tx) => sessionStatus(tx, id)), wait_ms),
  }),
  "sessions.cancel": tenantAction({
    description: "Cancel a session and every unfinished descendant; their queued jobs are removed.",
    scope: write,
    params: z.object({
      id: Uuid,
      reason: z.string().min(1).max(500).default("cancelled by request"),
    }).strict(),
    returns: "{id, cancelled: number}",
    handler: ({ tx, tenantId }: ActionContext, { id, reason }: { id: string; reason: string }) =>
      cancelSession(tx, tenantId, id, reason),
  }),
  "sessions.list": tenantAction({
    description: "List sessions, newest first, by status, agent or parent.",
    scope: read,
    params: z.object({
      status: z.enum(["created", "queued", "running", "completed", "failed", "cancelled"])
        .optional(),
      agent: z.string().max(63).optional(),
      parent_session_id: Uuid.optional(),
      roots_only: z.boolean().default(false),
      limit: Limit,
      cursor: Cursor,
    }).strict(),
    returns: "{items: session[], nextCursor}",
    handler: ({ tx }: ActionContext, f: Record<string, unknown>) => {
      const conds: Fragment[] = [];
      if (f.status) conds.push(tx`status = ${String(f.status)}`);
      if (f.agent) conds.push(tx`agent_slug = ${String(f.agent)}`);
      if (f.parent_session_id) conds.push(tx`parent_session_id = ${String(f.parent_session_id)}`);
      if (f.roots_only) conds.push(tx`parent_session_id is null`);
      return listPage(tx, "agent_sessions", conds, Number(f.limit), f.cursor as string | undefined);
    },
  }),
});
