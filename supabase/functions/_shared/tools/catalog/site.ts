/**
 * The site's own tools: Ora's tables (leads, blog posts, tasks, notifications, memory) through the same
 * domain code the ora actions use, and spawn_agents (a coordinator delegating on its own, within
 * the tenant's spawn depth and children limits). The site adapter runs them in a transaction
 * with the tenant's claims, so RLS keeps every call to its own tenant whatever it asks for.
 */
import { z } from "zod";
import {
  LEAD_STATUSES,
  leadConditions,
  LeadFields,
  POST_STATUSES,
  postConditions,
  PostFields,
  preparePost,
} from "../../content/content.ts";
import { insertRow, updateRow, whereAll } from "../../platform/crud.ts";
import { elevated } from "../../platform/db.ts";
import { ApiError } from "../../platform/http.ts";
import type { Json } from "../../runs/engine.ts";
import { MemoryType, searchMemory, SOURCE_TYPES } from "../../memory/search.ts";
import { writeMemory } from "../../memory/store.ts";
import { CreateTask, createTask } from "../../tasks/tasks.ts";
import { defineTool, ToolCallError, type ToolDef } from "../types.ts";

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Json;

const read: ToolDef[] = [
  defineTool({
    name: "get_time",
    description: "The current date and time (UTC, ISO 8601).",
    params: z.object({}).strict(),
    access: "read",
    risk: "none",
    integration: "site",
    site: (_a, env) => Promise.resolve({ result: { now: env.now.toISOString() } }),
  }),
  defineTool({
    name: "leads_search",
    scope: { resource: "leads", access: "read" },
    description:
      "Search this tenant's leads by status, minimum AI score or text (name, email, company).",
    params: z.object({
      status: z.enum(LEAD_STATUSES).optional(),
      min_score: z.number().int().min(0).max(100).optional(),
      search: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(50).default(10),
    }),
    access: "read",
    risk: "none",
    integration: "site",
    site: async (a, { tx }) => ({
      result: json(
        await tx`select id, name, email, company, source, status, ai_score, notes, created_at
          from public.leads where ${whereAll(tx, leadConditions(tx, a))}
          order by created_at desc limit ${a.limit}`,
      ),
    }),
  }),
  defineTool({
    name: "posts_search",
    scope: { resource: "posts", access: "read" },
    description: "Search this tenant's blog posts by status or text (title, excerpt).",
    params: z.object({
      status: z.enum(POST_STATUSES).optional(),
      search: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(50).default(10),
    }),
    access: "read",
    risk: "none",
    integration: "site",
    site: async (a, { tx }) => ({
      result: json(
        await tx`select id, title, slug, status, excerpt, tags, published_at from public.blog_posts
          where ${whereAll(tx, postConditions(tx, a))} order by created_at desc limit ${a.limit}`,
      ),
    }),
  }),
  defineTool({
    name: "memory_search",
    scope: { resource: "memory", access: "read" },
    description:
      "Search this tenant's memory (what agents stored, posts, lead notes, documents) by meaning and keywords; best matches first.",
    params: z.object({
      query: z.string().trim().min(1).max(2000),
      limit: z.number().int().min(1).max(20).default(5),
      memory_types: z.array(MemoryType).min(1).optional().describe("Only memories of these types"),
      source_types: z.array(z.enum(SOURCE_TYPES)).min(1).optional().describe(
        "Only these sources (memory, post, lead_note, …)",
      ),
    }).strict(),
    access: "read",
    risk: "none",
    integration: "site",
    // embedding the query waits on the embedding provider: no transaction is open meanwhile
    direct: async (a, { db, config, tenantId, signal }) => {
      const r = await searchMemory(db, tenantId, {
        query: a.query,
        limit: a.limit,
        filters: { memory_types: a.memory_types, source_types: a.source_types },
      }, { config, signal });
      return {
        result: json({
          semantic: r.embedder.semantic,
          items: r.items.map((h) => ({
            source_type: h.source_type,
            source_id: h.source_id,
            memory_type: h.memory_type,
            title: h.title,
            content: h.content.length > 1500 ? `${h.content.slice(0, 1500)}…` : h.content,
            score: Math.round(h.score * 1000) / 1000,
          })),
        }),
      };
    },
  }),
];

const write: ToolDef[] = [
  defineTool({
    name: "leads.create",
    scope: { resource: "leads", access: "write" },
    description: "Create a lead (name, email, company, source, status, score, notes).",
    params: LeadFields,
    access: "write",
    risk: "low",
    integration: "site",
    site: async (a, { tx, tenantId }) => {
      const row = json(await insertRow(tx, "leads", tenantId, a));
      return { result: row, before: null, after: row };
    },
  }),
  defineTool({
    name: "leads.update",
    scope: { resource: "leads", access: "write" },
    description: "Change fields of a lead (status, score, notes, …) by id.",
    params: LeadFields.partial().extend({ id: z.uuid() }).strict().refine(
      (d) => Object.keys(d).length > 1,
      { message: "Give at least one field to change" },
    ),
    access: "write",
    risk: "low",
    integration: "site",
    site: async (a, { tx }) => {
      const { id, ...fields } = a as { id: string } & Record<string, unknown>;
      const changed = await updateRow(tx, "leads", id, fields);
      if (!changed) throw new ToolCallError("NOT_FOUND", `No lead with id ${id}`);
      const keys = Object.keys(fields);
      const pick = (row: Record<string, unknown>) =>
        json(Object.fromEntries(keys.map((k) => [k, row[k]])));
      return {
        result: json(changed.after),
        before: pick(changed.before),
        after: pick(changed.after),
      };
    },
  }),
  defineTool({
    name: "posts.create",
    scope: { resource: "posts", access: "write" },
    description: "Draft a blog post (or schedule it); publishing stays with people.",
    params: PostFields.extend({
      status: z.enum(["draft", "scheduled"]).default("draft"),
    }).strict(),
    access: "write",
    risk: "low",
    integration: "site",
    site: async (a, { tx, tenantId }) => {
      const row = json(await insertRow(tx, "blog_posts", tenantId, preparePost(a)));
      return { result: row, before: null, after: row };
    },
  }),
  defineTool({
    name: "tasks.create",
    scope: { resource: "tasks", access: "write" },
    description:
      "Create a task (optionally for an agent, depending on other tasks); it runs when its dependencies succeed.",
    params: CreateTask.omit({ source: true }),
    access: "write",
    risk: "low",
    integration: "site",
    site: async (a, { tx, tenantId }) => {
      const task = json(await createTask(tx, tenantId, { ...a, source: "agent" }));
      return { result: task, before: null, after: task };
    },
  }),
  defineTool({
    name: "notifications.create",
    scope: { resource: "notifications", access: "write" },
    description: "Post a notification to the tenant's inbox (admin, ORA).",
    params: z.object({
      type: z.enum(["info", "success", "warning", "error", "alert"]).default("info"),
      title: z.string().trim().min(1).max(200),
      message: z.string().trim().min(1).max(5000),
      data: z.record(z.string(), z.unknown()).optional(),
      priority: z.number().int().min(0).max(10).default(0),
    }).strict(),
    access: "write",
    risk: "low",
    integration: "site",
    site: async (a, { tx, tenantId, runId }) => {
      // the inbox is written by the platform only (authenticated cannot insert)
      const [row] = await elevated(
        tx,
        () =>
          tx`insert into public.notifications (tenant_id, type, title, message, data, priority,
            source_type, source_id)
          values (${tenantId}, ${a.type}, ${a.title}, ${a.message}, ${
            tx.json((a.data ?? {}) as never)
          }, ${a.priority}, 'agent', ${runId ?? null})
          returning id, type, title, message, priority, created_at`,
      );
      return { result: json(row), before: null, after: json(row) };
    },
  }),
  defineTool({
    name: "memory.store",
    scope: { resource: "memory", access: "write" },
    description:
      "Remember something for later sessions (shared by the tenant's agents): a fact, preference, context, skill, instruction, reflection, task or entity under a key. Storing the same key again makes a new version.",
    params: z.object({
      type: MemoryType,
      key: z.string().trim().min(1).max(200),
      content: z.string().trim().min(1).max(5000),
      summary: z.string().trim().max(500).optional(),
      importance: z.number().min(0).max(1).default(0.5).describe("0.8 and above: critical"),
    }).strict(),
    access: "write",
    risk: "low",
    integration: "site",
    site: async (a, { tx, tenantId, runId }) => {
      const w = await writeMemory(tx, tenantId, {
        ...a,
        source: "agent",
        metadata: runId ? { session_id: runId } : {},
      }).catch((e) => {
        // a full quota is the tool's answer, not a fault
        if (e instanceof ApiError) throw new ToolCallError(e.code, e.message);
        throw e;
      });
      const m = w.memory;
      const row = { id: m.id, type: m.type, key: m.key, importance: m.importance };
      return { result: json({ ...row, decision: w.decision }), before: null, after: json(row) };
    },
  }),
  defineTool({
    name: "spawn_agents",
    scope: { resource: "sessions", access: "write" },
    description:
      "Delegate to specialist agents: start 1–10 child sessions (agent slug and task each). With wait (default) their results come back as this tool's result.",
    params: z.object({
      children: z.array(
        z.object({
          agent: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
          query: z.string().trim().min(1).max(20_000),
          input: z.record(z.string(), z.unknown()).optional(),
        }).strict(),
      ).min(1).max(10),
      wait: z.boolean().default(true).describe("Wait for the children and return their results"),
    }).strict(),
    access: "write",
    risk: "medium",
    integration: "site",
    site: async (a, { tx, tenantId, runId, requester }) => {
      if (!runId) {
        throw new ToolCallError(
          "NOT_IN_SESSION",
          "spawn_agents starts children of an agent session; use sessions.spawn from outside one",
        );
      }
      const children = [];
      for (const c of a.children) {
        const spec = {
          agent: c.agent,
          input: { ...(c.input ?? {}), query: c.query },
          parent_session_id: runId,
          created_by: requester.requested_by ?? `run:${runId}`,
          user_id: requester.user_id ?? undefined,
          api_key_id: requester.key_id ?? undefined,
        };
        const [row] = await elevated(
          tx,
          () =>
            tx`select id, subject as agent, status, depth from app.session_spawn(${tenantId}, ${
              tx.json(spec as never)
            })`,
        );
        children.push(row);
      }
      const result = json({ children, wait: a.wait });
      return { result, before: null, after: result };
    },
    awaitsRuns: (a, result) =>
      a.wait ? ((result as { children?: { id: string }[] })?.children ?? []).map((c) => c.id) : [],
  }),
];

/** Ora's own tools. */
export const SITE_TOOLS: ToolDef[] = [...read, ...write];
