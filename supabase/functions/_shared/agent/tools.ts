/**
 * Built-in tools agents may call (those named in agents.allowed_tools). Every tool runs inside
 * withTenant for the job's tenant, so RLS keeps it to that tenant's rows whatever it asks for.
 * The approval-gated tool registry (004 §3) builds on this interface.
 */
import { z } from "zod";
import type { Claims, Db } from "../platform/db.ts";
import { leadConditions, postConditions } from "../content/content.ts";
import { whereAll } from "../platform/crud.ts";
import type { ToolSpec } from "../llm/types.ts";

export interface ToolContext {
  db: Db;
  tenantId: string;
  sessionId: string;
}

interface Tool<S extends z.ZodType> {
  description: string;
  params: S;
  run: (ctx: ToolContext, args: z.infer<S>) => Promise<unknown>;
}

function tool<S extends z.ZodType>(t: Tool<S>): Tool<z.ZodType> {
  return t as unknown as Tool<z.ZodType>;
}

function claims(ctx: ToolContext): Claims {
  return {
    role: "authenticated",
    tenant_id: ctx.tenantId,
    scopes: ["leads:read", "posts:read"],
    session_id: ctx.sessionId,
  };
}

export const TOOLS: Record<string, Tool<z.ZodType>> = {
  get_time: tool({
    description: "The current date and time (UTC, ISO 8601).",
    params: z.object({}),
    run: () => Promise.resolve({ now: new Date().toISOString() }),
  }),
  leads_search: tool({
    description:
      "Search this tenant's leads by status, minimum AI score or text (name, email, company).",
    params: z.object({
      status: z.enum(["new", "contacted", "qualified", "converted", "lost"]).optional(),
      min_score: z.number().int().min(0).max(100).optional(),
      search: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(50).default(10),
    }),
    run: (ctx, a) =>
      ctx.db.tenant(
        claims(ctx),
        (tx) =>
          tx`select id, name, email, company, source, status, ai_score, created_at from public.leads
          where ${whereAll(tx, leadConditions(tx, a))} order by created_at desc limit ${a.limit}`,
      ),
  }),
  posts_search: tool({
    description: "Search this tenant's blog posts by status or text (title, excerpt).",
    params: z.object({
      status: z.enum(["draft", "scheduled", "published", "archived"]).optional(),
      search: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(50).default(10),
    }),
    run: (ctx, a) =>
      ctx.db.tenant(
        claims(ctx),
        (tx) =>
          tx`select id, title, slug, status, excerpt, tags, published_at from public.blog_posts
          where ${whereAll(tx, postConditions(tx, a))} order by created_at desc limit ${a.limit}`,
      ),
  }),
};

/** Tool specs (OpenAI function format) for the tools an agent is allowed and that exist. */
export function toolSpecsFor(allowed: readonly string[]): ToolSpec[] {
  return allowed.filter((n) => TOOLS[n]).map((name) => ({
    type: "function",
    function: {
      name,
      description: TOOLS[name].description,
      parameters: z.toJSONSchema(TOOLS[name].params, { io: "input" }) as Record<string, unknown>,
    },
  }));
}

/** Runs a tool call; unknown, disallowed or invalid calls return an error object the model can read. */
export async function runTool(
  ctx: ToolContext,
  allowed: readonly string[],
  name: string,
  rawArgs: string,
): Promise<{ ok: boolean; result: unknown }> {
  const t = TOOLS[name];
  if (!t || !allowed.includes(name)) {
    return { ok: false, result: { error: `Tool '${name}' is not available to this agent` } };
  }
  let args: unknown;
  try {
    args = rawArgs ? JSON.parse(rawArgs) : {};
  } catch {
    return { ok: false, result: { error: "Tool arguments are not valid JSON" } };
  }
  const parsed = t.params.safeParse(args);
  if (!parsed.success) {
    return {
      ok: false,
      result: {
        error: "Invalid tool arguments",
        issues: parsed.error.issues.map((i) => i.message),
      },
    };
  }
  return { ok: true, result: await t.run(ctx, parsed.data) };
}
