/**
 * Row and function-result types from the generated database types (npm run gen:types, schemas
 * public and app), so queries are typed from the schema itself. postgres.js returns bigint
 * (int8) columns as strings; the generated types say number for them, so callers that read one
 * say so (see runs/worker.ts).
 */
import type { Database } from "../database.types.ts";

type PublicTables = Database["public"]["Tables"];
type AppFunctions = Database["app"]["Functions"];

/** A row of public.<T>. */
export type TableRow<T extends keyof PublicTables> = PublicTables[T]["Row"];
/** A row of a view in public. */
export type ViewRow<V extends keyof Database["public"]["Views"]> =
  Database["public"]["Views"][V]["Row"];
/** What app.<F>() returns. */
export type AppResult<F extends keyof AppFunctions> = AppFunctions[F]["Returns"];
/** One row of a set-returning app.<F>(). */
export type AppRow<F extends keyof AppFunctions> = AppResult<F> extends readonly (infer R)[] ? R
  : never;
