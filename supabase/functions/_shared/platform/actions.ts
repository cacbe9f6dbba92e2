/**
 * The action registry behind `POST /functions/v1/ora {action, data}`: each action declares its
 * scope, a zod schema for `data` (also published as JSON Schema by `GET`) and a handler.
 */
import { z } from "zod";
import type { Principal } from "./auth.ts";
import type { Config } from "./config.ts";
import type { Db, Tx } from "./db.ts";

export interface ActionContext {
  /** The request transaction: role authenticated with the caller's claims (RLS applies). */
  tx: Tx;
  principal: Principal;
  /** Tenant of the request; always set for tenant actions. */
  tenantId: string;
  requestId: string;
  config: Config;
}

export interface ServiceActionContext extends Omit<ActionContext, "tenantId"> {
  tenantId: string | null;
}

/**
 * What an action may do after its transaction committed, holding no connection: wait for work
 * it started (`wait_ms`), reading in short transactions of its own.
 */
export interface AfterContext {
  db: Db;
  principal: Principal;
  tenantId: string;
  requestId: string;
  config: Config;
  /** Runs `fn` in a short transaction under RLS as the caller. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}

interface BaseAction<S extends z.ZodType> {
  description: string;
  params: S;
  /** What `data` in the success envelope holds. */
  returns: string;
}

export interface TenantAction<S extends z.ZodType = z.ZodType> extends BaseAction<S> {
  kind: "tenant";
  scope: { resource: string; access: "read" | "write" } | null;
  handler: (ctx: ActionContext, data: z.infer<S>) => Promise<unknown>;
  /** Runs after the commit with no connection held; its value replaces the handler's. */
  after?: (ctx: AfterContext, data: z.infer<S>, result: unknown) => Promise<unknown>;
}

/** Runs for any authenticated caller: in the caller's tenant when it has one, else as service_role. */
export interface AnyAction<S extends z.ZodType = z.ZodType> extends BaseAction<S> {
  kind: "any";
  handler: (ctx: ServiceActionContext, data: z.infer<S>) => Promise<unknown>;
}

export interface ServiceAction<S extends z.ZodType = z.ZodType> extends BaseAction<S> {
  kind: "service";
  handler: (ctx: ServiceActionContext, data: z.infer<S>) => Promise<unknown>;
}

export type Action = TenantAction | ServiceAction | AnyAction;

/** Declares an action that runs in the caller's tenant under RLS. */
export function tenantAction<S extends z.ZodType>(a: Omit<TenantAction<S>, "kind">): TenantAction {
  return { kind: "tenant", ...a } as unknown as TenantAction;
}

/** Declares an action only the service role may call (runs as service_role). */
export function serviceAction<S extends z.ZodType>(
  a: Omit<ServiceAction<S>, "kind">,
): ServiceAction {
  return { kind: "service", ...a } as unknown as ServiceAction;
}

/** Declares an action any authenticated caller may use (health checks, discovery). */
export function anyAction<S extends z.ZodType>(a: Omit<AnyAction<S>, "kind">): AnyAction {
  return { kind: "any", ...a } as unknown as AnyAction;
}

/** Actions by name. A Map, so names such as `constructor` or `toString` are simply unknown. */
export type Registry = ReadonlyMap<string, Action>;

/** Builds a registry from groups of actions; a name given twice is a programming error. */
export function registry(...groups: Record<string, Action>[]): Registry {
  const map = new Map<string, Action>();
  for (const group of groups) {
    for (const [name, action] of Object.entries(group)) {
      if (map.has(name)) throw new Error(`Action ${name} is registered twice`);
      map.set(name, action);
    }
  }
  return map;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** The registered action names closest to `name` (same resource first, then edit distance). */
export function closestActions(name: string, names: string[], count = 3): string[] {
  const resource = name.split(".")[0];
  return names
    .map((n) => ({
      n,
      d: distance(name.toLowerCase(), n) - (n.split(".")[0] === resource ? 3 : 0),
    }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, count)
    .map((x) => x.n);
}

/** JSON Schema for an action's params (draft 2020-12, as zod emits it). */
export function paramsSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Record<
    string,
    unknown
  >;
  // a union of object shapes (automations.create by trigger type) is still an object
  const branches = (json.oneOf ?? json.anyOf) as { type?: string }[] | undefined;
  if (!json.type && branches?.every((b) => b.type === "object")) return { type: "object", ...json };
  return json;
}

/** Common shapes. */
export const Uuid = z.uuid();
export const Limit = z.number().int().min(1).max(100).default(20);
/** Opaque keyset cursor: base64url of "<created_at>|<id>". */
export const Cursor = z.string().max(200).optional();

export function encodeCursor(createdAt: Date | string, id: string): string {
  const iso = createdAt instanceof Date
    ? createdAt.toISOString()
    : new Date(createdAt).toISOString();
  return btoa(`${iso}|${id}`).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } | null {
  try {
    const [createdAt, id] = atob(cursor.replaceAll("-", "+").replaceAll("_", "/")).split("|");
    if (!Uuid.safeParse(id).success || Number.isNaN(Date.parse(createdAt))) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}
