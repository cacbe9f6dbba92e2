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
  | "ORA_DB_PREPARE"
>;

/** What a transaction starts with, sent as one simple-protocol message (one round trip). */
export interface Prelude {
  /**
   * One statement run before `begin`, committed on its own (its row locks end with it), e.g. the
   * API-key check. Literal SQL: build it with `literal()` for every value.
   */
  before?: string;
  /** Role for the transaction. */
  role: "authenticated" | "service_role";
  claims: Partial<Claims>;
}

/**
 * A SQL string literal for `value` (standard_conforming_strings, Postgres' default since 9.1:
 * only the quote is special). Used for the transaction prelude, which goes out as one simple-
 * protocol message so that it costs one round trip: postgres.js sends every parameterized query
 * twice over (describe, then execute) when prepared statements are off, as Supavisor's
 * transaction mode requires.
 */
export function literal(value: string): string {
  if (value.includes("\0")) throw new Error("A SQL literal cannot hold a NUL character");
  return `'${value.replaceAll("'", "''")}'`;
}

/** A value as SQL text: null, a number, a boolean, a quoted string, or quoted JSON for objects. */
export function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`Cannot inline ${v} as SQL`);
    return String(v);
  }
  if (typeof v === "bigint") return String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return literal(v);
  if (v instanceof Date) return literal(v.toISOString());
  if (Array.isArray(v) && v.every((x) => typeof x !== "object" || x === null)) {
    return v.length ? `array[${v.map(sqlValue).join(", ")}]` : "'{}'";
  }
  return literal(JSON.stringify(v));
}

/** A tagged template rendered with every value inlined by `sqlValue`. */
export function inline(strings: TemplateStringsArray, values: unknown[]): string {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += sqlValue(values[i]) + strings[i + 1];
  return text;
}

/**
 * `simple(tx)` is a tagged template like `tx`, sent over the simple protocol with every value
 * inlined (`inline`): one round trip where a parameterized statement costs two with prepared
 * statements off. For hot paths inside a transaction; cast every value in the template.
 */
export function simple(tx: Tx) {
  return <T extends readonly Row[] = Row[]>(strings: TemplateStringsArray, ...values: unknown[]) =>
    tx.unsafe(inline(strings, values)) as unknown as Promise<T>;
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
      // prepared statements cannot cross a transaction pooler (Supavisor); direct and session
      // connections may turn them on (ORA_DB_PREPARE=true) to save a round trip per query
      prepare: config.ORA_DB_PREPARE,
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

  /**
   * One statement on its own, sent over the simple protocol with every value inlined as a SQL
   * literal (`inline`): one round trip where a parameterized query costs two with prepared
   * statements off. For the workers' hot paths (claims, steps, completions); cast every value in
   * the template (`${id}::uuid`, `${json}::jsonb`).
   */
  s<T extends readonly Row[] = Row[]>(strings: TemplateStringsArray, ...values: unknown[]) {
    const text = inline(strings, values);
    return this.withPermit(() => this.sql.unsafe(text) as unknown as Promise<T>);
  }

  /** Values as a JSON parameter. */
  json(value: unknown) {
    return this.sql.json(value as postgres.JSONValue);
  }

  /**
   * Runs `fn` in one transaction on one connection. The prelude (an optional statement of its own,
   * BEGIN, role, claims and timeouts) is one round trip; `onPrelude` sees the rows of the `before`
   * statement and may throw to abandon the transaction.
   */
  transaction<T>(
    prelude: Prelude,
    fn: (tx: Tx) => Promise<T>,
    onPrelude?: (before: Row[]) => void,
  ): Promise<T> {
    return this.withPermit(async () => {
      const c = await this.sql.reserve();
      let open = false;
      try {
        const text = [
          ...(prelude.before ? [prelude.before, "commit"] : []),
          this.begin(prelude),
        ].join("; ");
        let results: Row[][];
        try {
          results = await c.unsafe(text) as unknown as Row[][];
        } finally {
          // whatever failed, a transaction may have been opened: roll it back before release
          open = true;
        }
        onPrelude?.(prelude.before ? results[0] : []);
        const result = await fn(c);
        await c`commit`;
        open = false;
        return result;
      } catch (e) {
        if (open) await c.unsafe("rollback").catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    });
  }

  /** BEGIN and the transaction's role, claims and timeouts, as SQL text. */
  private begin(prelude: Prelude): string {
    const claims = JSON.stringify({ ...prelude.claims, role: prelude.role });
    return "begin; " +
      `select set_config('role', ${literal(prelude.role)}, true), ` +
      `set_config('request.jwt.claims', ${literal(claims)}, true), ` +
      `set_config('statement_timeout', '${this.config.ORA_DB_STATEMENT_TIMEOUT_MS}', true), ` +
      `set_config('idle_in_transaction_session_timeout', '${this.config.ORA_DB_IDLE_TX_TIMEOUT_MS}', true)`;
  }

  /**
   * One statement in a transaction of its own as `role` with `claims` (RLS applies), in one round
   * trip: BEGIN, role and claims, the statement and COMMIT go out as one simple-protocol message.
   * `text` is one statement of literal SQL (build every value with `literal` or `sqlValue`).
   * For reads on hot paths; returns the statement's rows.
   */
  once<T extends Row = Row>(prelude: Omit<Prelude, "before">, text: string): Promise<T[]> {
    return this.withPermit(async () => {
      const c = await this.sql.reserve();
      try {
        const results = await c.unsafe(
          `${this.begin(prelude)}; ${text}; commit`,
        ) as unknown as Row[][];
        // results: BEGIN, the set_config row, the statement (postgres.js may leave COMMIT's out)
        return results[2] as unknown as T[];
      } catch (e) {
        // the failed statement left the transaction open and aborted
        await c.unsafe("rollback").catch(() => {});
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
