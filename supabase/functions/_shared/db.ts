/**
 * Database access. Functions reach Postgres through SUPABASE_DB_URL, which on hosted projects
 * goes through Supavisor's transaction pooler: no session state survives between transactions,
 * so prepared statements are off and role + claims are set with `set_config(…, true)` (the
 * equivalent of `set local`) inside every transaction.
 */
import postgres from "postgres";
import type { Config } from "./config.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;
/** A composable SQL fragment (a query not yet awaited). */
export type Fragment = postgres.PendingQuery<postgres.Row[]>;

/** Claims set for a request; RLS policies read tenant_id through app.tenant_id(). */
export interface Claims {
  role: "authenticated" | "service_role";
  tenant_id: string | null;
  sub?: string;
  key_id?: string;
  scopes?: string[];
  [claim: string]: unknown;
}

/** Opens the connection pool for this function instance. */
export function createDb(config: Pick<Config, "SUPABASE_DB_URL" | "ORA_DB_POOL_SIZE">): Sql {
  return postgres(config.SUPABASE_DB_URL, {
    prepare: false,
    max: config.ORA_DB_POOL_SIZE,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "ora-functions" },
  });
}

/**
 * Runs `fn` in one transaction as role `authenticated` with the request's claims, so RLS
 * isolates the tenant even if `fn` forgets a filter.
 */
export function withTenant<T>(sql: Sql, claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${
      JSON.stringify({ ...claims, role: "authenticated" })
    }, true)`;
    return await fn(tx);
  }) as Promise<T>;
}

/** Runs `fn` in one transaction as `service_role` (bypasses RLS). Workers and admin actions only. */
export function withService<T>(
  sql: Sql,
  fn: (tx: Tx) => Promise<T>,
  claims: Partial<Claims> = {},
): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', ${
      JSON.stringify({ ...claims, role: "service_role" })
    }, true)`;
    return await fn(tx);
  }) as Promise<T>;
}

/**
 * Inside a request transaction, runs `fn` as service_role and then returns to authenticated,
 * so a tenant write and the queue work it triggers commit (or roll back) together. Callers
 * pass the request's tenant to the app.* functions they call.
 */
export async function elevated<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  await tx`select set_config('role', 'service_role', true)`;
  try {
    return await fn();
  } finally {
    await tx`select set_config('role', 'authenticated', true)`;
  }
}
