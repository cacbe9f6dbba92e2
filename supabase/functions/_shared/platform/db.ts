/**
 * Database access. Functions reach Postgres through SUPABASE_DB_URL, which on hosted projects
 * goes through Supavisor's transaction pooler: no session state survives between transactions,
 * so prepared statements are off and role, claims and timeouts are set with
 * `set_config(…, true)` (the equivalent of `set local`) inside every transaction.
 *
 * Safety nets, so a bug degrades instead of wedging the server:
 * - every connection is taken through a bounded wait (`ORA_DB_ACQUIRE_TIMEOUT_MS`); when the pool
 *   stays busy the caller gets `PoolTimeoutError` (503 UNAVAILABLE with Retry-After);
 * - code that already holds a connection cannot take a second one (`NestedConnectionError`): one
 *   request holds at most one connection, so requests can never deadlock on the pool;
 * - every transaction sets `statement_timeout` and `idle_in_transaction_session_timeout`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import postgres from "postgres";
import type { Config } from "./config.ts";

/** A connection usable with tagged templates (a transaction or a single-use connection). */
export type Tx = postgres.Sql;
/** A composable SQL fragment (a query not yet awaited). */
export type Fragment = postgres.PendingQuery<postgres.Row[]>;
export type Row = postgres.Row;

/** Claims set for a request; RLS policies read tenant_id through app.tenant_id(). */
export interface Claims {
  role: "authenticated" | "service_role";
  tenant_id: string | null;
  sub?: string;
  key_id?: string;
  scopes?: string[];
  [claim: string]: unknown;
}

/** The pool stayed busy for longer than the acquire timeout. */
export class PoolTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`No database connection became free within ${waitedMs} ms`);
    this.name = "PoolTimeoutError";
  }
}

/** Code that holds a connection asked for another one (which could deadlock the pool). */
export class NestedConnectionError extends Error {
  constructor() {
    super(
      "Nested connection: this code already holds a database connection; use the transaction it was given",
    );
    this.name = "NestedConnectionError";
  }
}

export type DbConfig = Pick<
  Config,
  | "SUPABASE_DB_URL"
  | "ORA_DB_POOL_SIZE"
  | "ORA_DB_ACQUIRE_TIMEOUT_MS"
  | "ORA_DB_STATEMENT_TIMEOUT_MS"
  | "ORA_DB_IDLE_TX_TIMEOUT_MS"
>;

/** Statements sent (pipelined) before a transaction's body, in the same round trip as BEGIN. */
export interface Prelude {
  /** Run before `begin` as their own statements (autocommit: their locks end with them). */
  before?: (c: Tx) => Fragment[];
  /** Role for the transaction. */
  role: "authenticated" | "service_role";
  claims: Partial<Claims>;
}

/** A FIFO counting semaphore with a bounded wait. */
class Permits {
  private free: number;
  private waiters: { grant: () => void; timer: ReturnType<typeof setTimeout> }[] = [];
  constructor(readonly size: number) {
    this.free = size;
  }
  get inUse(): number {
    return this.size - this.free;
  }
  get waiting(): number {
    return this.waiters.length;
  }
  acquire(timeoutMs: number): Promise<void> {
    if (this.free > 0 && this.waiters.length === 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new PoolTimeoutError(Date.now() - started));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }
  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.free++;
  }
}

const holding = new AsyncLocalStorage<boolean>();

/** The connection pool of one function instance, with the safety nets above. */
export class Db {
  readonly sql: postgres.Sql;
  private permits: Permits;
  constructor(readonly config: DbConfig, applicationName = "ora-functions") {
    this.sql = postgres(config.SUPABASE_DB_URL, {
      prepare: false,
      max: config.ORA_DB_POOL_SIZE,
      idle_timeout: 30,
      connect_timeout: 10,
      onnotice: () => {},
      connection: {
        application_name: applicationName,
        // startup parameters (a transaction pooler may drop them; every transaction sets them too)
        statement_timeout: String(config.ORA_DB_STATEMENT_TIMEOUT_MS),
        idle_in_transaction_session_timeout: String(config.ORA_DB_IDLE_TX_TIMEOUT_MS),
      } as Record<string, string>,
    });
    this.permits = new Permits(config.ORA_DB_POOL_SIZE);
  }

  /** Connections in use and callers waiting for one (for health checks and tests). */
  get stats(): { size: number; inUse: number; waiting: number } {
    return { size: this.permits.size, inUse: this.permits.inUse, waiting: this.permits.waiting };
  }

  /** Whether the current async context holds a connection of any Db. */
  static holdsConnection(): boolean {
    return holding.getStore() === true;
  }

  private async withPermit<T>(fn: () => Promise<T>): Promise<T> {
    if (holding.getStore()) throw new NestedConnectionError();
    await this.permits.acquire(this.config.ORA_DB_ACQUIRE_TIMEOUT_MS);
    try {
      return await holding.run(true, fn);
    } finally {
      this.permits.release();
    }
  }

  /** One statement on its own (autocommit), e.g. a worker calling an `app` function. */
  q<T extends readonly Row[] = Row[]>(strings: TemplateStringsArray, ...values: unknown[]) {
    // deno-lint-ignore no-explicit-any
    return this.withPermit(() => this.sql<T>(strings, ...(values as any[])) as Promise<T>);
  }

  /** Values as a JSON parameter. */
  json(value: unknown) {
    return this.sql.json(value as postgres.JSONValue);
  }

  /**
   * Runs `fn` in one transaction on one connection. The prelude (optional autocommit statements,
   * BEGIN, role, claims and timeouts) goes out in a single round trip; `onPrelude` sees the
   * results of the `before` statements and may throw to abandon the transaction.
   */
  transaction<T>(
    prelude: Prelude,
    fn: (tx: Tx) => Promise<T>,
    onPrelude?: (before: Row[][]) => void,
  ): Promise<T> {
    return this.withPermit(async () => {
      const c = await this.sql.reserve();
      let open = false;
      try {
        const before = prelude.before?.(c) ?? [];
        const claims = JSON.stringify({ ...prelude.claims, role: prelude.role });
        const begin = c`begin`;
        const settings = c`select set_config('role', ${prelude.role}, true),
          set_config('request.jwt.claims', ${claims}, true),
          set_config('statement_timeout', ${String(this.config.ORA_DB_STATEMENT_TIMEOUT_MS)}, true),
          set_config('idle_in_transaction_session_timeout', ${
          String(this.config.ORA_DB_IDLE_TX_TIMEOUT_MS)
        }, true)`;
        const results = await Promise.allSettled([...before, begin, settings]);
        open = results[before.length].status === "fulfilled";
        const failed = results.find((r) => r.status === "rejected") as
          | PromiseRejectedResult
          | undefined;
        if (failed) throw failed.reason;
        onPrelude?.(
          results.slice(0, before.length).map((r) => (r as PromiseFulfilledResult<Row[]>).value),
        );
        const result = await fn(c);
        await c`commit`;
        open = false;
        return result;
      } catch (e) {
        if (open) await c`rollback`.catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    });
  }

  /** Runs `fn` in one transaction as `authenticated` with `claims`, so RLS isolates the tenant. */
  tenant<T>(claims: Claims, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction({ role: "authenticated", claims }, fn);
  }

  /** Runs `fn` in one transaction as `service_role` (bypasses RLS). Workers and admin actions only. */
  service<T>(fn: (tx: Tx) => Promise<T>, claims: Partial<Claims> = {}): Promise<T> {
    return this.transaction({ role: "service_role", claims }, fn);
  }

  /** Closes the pool. */
  async end(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

/**
 * Inside a request transaction, runs `fn` as service_role and then returns to authenticated,
 * so a tenant write and the queue work it triggers commit (or roll back) together. Callers
 * pass the request's tenant to the app.* functions they call.
 */
export async function elevated<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  await tx`select set_config('role', 'service_role', true)`;
  // on an error the transaction is aborted and rolled back: nothing to switch back
  const result = await fn();
  await tx`select set_config('role', 'authenticated', true)`;
  return result;
}

/** Sleeps without holding anything (for polls between short transactions). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
