/**
 * One mechanism for the list/get/create/update/delete actions of simple tenant tables.
 * Queries run in the request transaction (RLS applies); tenant_id is always taken from the
 * request, never from input.
 */
import { z } from "zod";
import {
  type Action,
  type ActionContext,
  Cursor,
  decodeCursor,
  encodeCursor,
  Limit,
  tenantAction,
  Uuid,
} from "./actions.ts";
import type { Fragment, Tx } from "./db.ts";
import { ApiError } from "./http.ts";

export interface CrudSpec<C extends z.ZodObject, F extends z.ZodObject> {
  /** Action prefix and scope resource, e.g. "leads". */
  resource: string;
  /** Table in schema public. */
  table: string;
  /** Singular noun for messages and descriptions. */
  noun: string;
  /** Fields accepted by create (update accepts the same, all optional). */
  create: C;
  /** Extra list filters and how they become SQL conditions. */
  filters: F;
  where: (tx: Tx, filters: z.infer<F>) => Fragment[];
  /** Fills derived fields before insert (e.g. a slug from a title). */
  prepare?: (row: z.infer<C>) => Record<string, unknown>;
}

/** The entries of `o` whose value is not undefined (postgres.js refuses undefined). */
export function definedOnly(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** An ILIKE pattern matching `text` anywhere, with its wildcards escaped. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (m) => "\\" + m)}%`;
}

/** The conditions joined with `and` (`true` when there are none). */
export function whereAll(tx: Tx, conds: Fragment[]): Fragment {
  return conds.reduce((acc, c) => tx`${acc} and ${c}`, tx`true`);
}

/**
 * One page of `public.<table>` rows matching `conds`, newest first, with keyset pagination on
 * (created_at, id) so pages never repeat or skip rows while rows are added.
 */
export async function listPage(
  tx: Tx,
  table: string,
  conds: Fragment[],
  limit: number,
  cursor?: string,
) {
  const all = [...conds];
  if (cursor) {
    const c = decodeCursor(cursor);
    if (!c) {
      throw new ApiError(
        "VALIDATION_ERROR",
        "Invalid data.cursor: pass nextCursor from a previous page",
      );
    }
    all.push(tx`(created_at, id) < (${c.createdAt}::timestamptz, ${c.id}::uuid)`);
  }
  const where = whereAll(tx, all);
  const rows = await tx`
    select * from ${tx("public." + table)} where ${where}
    order by created_at desc, id desc limit ${limit + 1}`;
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

/** Inserts `row` into public.<table> for the tenant (RLS applies); returns the new row. The one
 * insert path of the crud actions and the agents' site tools. */
export async function insertRow(
  tx: Tx,
  table: string,
  tenantId: string,
  row: Record<string, unknown>,
) {
  const values = definedOnly({ ...row, tenant_id: tenantId });
  const [created] = await tx`insert into ${tx("public." + table)} ${tx(values)} returning *`;
  return created;
}

/** Updates fields of the row `id` of public.<table> (RLS applies); the row before and after, or
 * null when there is no such row. */
export async function updateRow(
  tx: Tx,
  table: string,
  id: string,
  fields: Record<string, unknown>,
) {
  const [before] = await tx`select * from ${tx("public." + table)} where id = ${id} for update`;
  if (!before) return null;
  const [after] = await tx`update ${tx("public." + table)} set ${
    tx(definedOnly(fields))
  } where id = ${id} returning *`;
  return { before, after };
}

/** Builds `<resource>.list|get|create|update|delete` for a tenant table. */
export function crudActions<C extends z.ZodObject, F extends z.ZodObject>(
  spec: CrudSpec<C, F>,
): Record<string, Action> {
  const { resource, table, noun } = spec;
  const read = { resource, access: "read" as const };
  const write = { resource, access: "write" as const };
  const notFound = (id: string) => new ApiError("NOT_FOUND", `No ${noun} with id ${id}`);
  const ListParams = spec.filters.extend({ limit: Limit, cursor: Cursor });
  const UpdateParams = spec.create.partial().extend({ id: Uuid });

  const byId = async (tx: Tx, id: string) => {
    const [row] = await tx`select * from ${tx("public." + table)} where id = ${id}`;
    if (!row) throw notFound(id);
    return row;
  };

  return {
    [`${resource}.list`]: tenantAction({
      description: `List ${noun}s, newest first, with filters and cursor pagination.`,
      scope: read,
      params: ListParams,
      returns: `{items: ${noun}[], nextCursor: string | null}`,
      handler: ({ tx }: ActionContext, data: Record<string, unknown>) => {
        const { limit, cursor, ...filters } = data as { limit: number; cursor?: string };
        return listPage(tx, table, spec.where(tx, filters as z.infer<F>), limit, cursor);
      },
    }),
    [`${resource}.get`]: tenantAction({
      description: `Get one ${noun} by id.`,
      scope: read,
      params: z.object({ id: Uuid }),
      returns: noun,
      handler: ({ tx }: ActionContext, { id }: { id: string }) => byId(tx, id),
    }),
    [`${resource}.create`]: tenantAction({
      description: `Create a ${noun}. Writes ${table}.INSERT to event_log.`,
      scope: write,
      params: spec.create,
      returns: noun,
      handler: ({ tx, tenantId }: ActionContext, data: z.infer<C>) =>
        insertRow(tx, table, tenantId, spec.prepare ? spec.prepare(data) : data),
    }),
    [`${resource}.update`]: tenantAction({
      description: `Update fields of a ${noun}. Writes ${table}.UPDATE to event_log.`,
      scope: write,
      params: UpdateParams.refine((d) => Object.keys(d).length > 1, {
        message: "Give at least one field to change",
      }),
      returns: noun,
      handler: async ({ tx }: ActionContext, data: z.infer<typeof UpdateParams>) => {
        const { id, ...fields } = data as { id: string } & Record<string, unknown>;
        const changed = await updateRow(tx, table, id, fields);
        if (!changed) throw notFound(id);
        return changed.after;
      },
    }),
    [`${resource}.delete`]: tenantAction({
      description: `Delete a ${noun}. Writes ${table}.DELETE to event_log.`,
      scope: write,
      params: z.object({ id: Uuid }),
      returns: "{id, deleted: true}",
      handler: async ({ tx }: ActionContext, { id }: { id: string }) => {
        const [deleted] = await tx`delete from ${
          tx("public." + table)
        } where id = ${id} returning id`;
        if (!deleted) throw notFound(id);
        return { id, deleted: true };
      },
    }),
  };
}
