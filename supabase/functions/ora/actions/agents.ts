/** agents.list|get|run|status|upsert — the agent registry and single-agent runs. */
import { z } from "zod";
import {
  type ActionContext,
  type AfterContext,
  tenantAction,
  Uuid,
} from "../../_shared/platform/actions.ts";
import { definedOnly } from "../../_shared/platform/crud.ts";
import { ApiError } from "../../_shared/platform/http.ts";
import { AgentLlmSettings } from "../../_shared/llm/resolve.ts";
import { RunSpec, sessionStatus, spawnOne, waitFor } from "../../_shared/sessions/sessions.ts";

const read = { resource: "agents", access: "read" as const };
const write = { resource: "agents", access: "write" as const };
const Slug = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/);

const AgentFields = z.object({
  slug: Slug,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  persona: z.string().max(50_000).optional().describe(
    "System prompt; each change is kept as a new version",
  ),
  model_settings: AgentLlmSettings.optional().describe(
    "Which of the tenant's LLM providers and models the agent uses (never an endpoint or a secret)",
  ),
  allowed_tools: z.array(z.string().max(100)).max(100).optional(),
  skills: z.array(z.string().max(63)).max(50).optional(),
  memory_types: z.array(z.string().max(50)).max(20).optional(),
  can_spawn: z.boolean().optional(),
  is_active: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict();

export const agentActions = {
  "agents.list": tenantAction({
    description:
      "List the tenant's agents (registry: persona version, model settings, tools, skills).",
    scope: read,
    params: z.object({
      include_inactive: z.boolean().default(false),
      pack: z.string().max(50).optional(),
    }).strict(),
    returns: "{items: agent[]}",
    handler: async ({ tx }: ActionContext, f: { include_inactive: boolean; pack?: string }) => ({
      items: await tx`
        select * from public.agents
        where ${f.include_inactive ? tx`true` : tx`is_active`} and ${
        f.pack ? tx`pack = ${f.pack}` : tx`true`
      }
        order by slug`,
    }),
  }),
  "agents.get": tenantAction({
    description:
      "One agent by slug or id, with its persona versions and the skill manifests its prompt uses.",
    scope: read,
    params: z.object({ slug: Slug.optional(), id: Uuid.optional() }).strict().refine(
      (d) => d.slug || d.id,
      {
        message: "Give slug or id",
      },
    ),
    returns: "agent & {persona_versions[], skill_manifests[]}",
    handler: async ({ tx }: ActionContext, f: { slug?: string; id?: string }) => {
      const [agent] = await tx`select * from public.agents where ${
        f.id ? tx`id = ${f.id}` : tx`slug = ${f.slug!}`
      }`;
      if (!agent) throw new ApiError("NOT_FOUND", `No agent ${f.slug ?? f.id}`);
      const persona_versions = await tx`
        select version, persona, created_at from public.agent_personas where agent_id = ${agent.id} order by version desc`;
      const skill_manifests = await tx`
        select distinct on (key) key, version, name, description, instructions, tools from public.skills
        where key = any(${agent.skills}) and enabled order by key, version desc`;
      return { ...agent, persona_versions, skill_manifests };
    },
  }),
  "agents.upsert": tenantAction({
    description: "Create an agent or update it by slug. A changed persona becomes a new version.",
    scope: write,
    params: AgentFields,
    returns: "agent",
    handler: async ({ tx, tenantId }: ActionContext, a: z.infer<typeof AgentFields>) => {
      // deno-lint-ignore no-explicit-any
      const row: Record<string, any> = definedOnly({ ...a, tenant_id: tenantId });
      const cols = Object.keys(row).filter((k) => k !== "slug" && k !== "tenant_id");
      const [agent] = await tx`
        insert into public.agents ${tx(row)}
        on conflict (tenant_id, slug) do update set ${
        cols.length ? tx(row, cols) : tx`slug = excluded.slug`
      }
        returning *`;
      return agent;
    },
  }),
  "agents.run": tenantAction({
    description:
      "Run one agent on a task: queues a session and returns it (or waits up to wait_ms for the result). Refused with BUDGET_EXCEEDED at a hard budget limit.",
    scope: write,
    params: RunSpec,
    returns: "session, or status with result when wait_ms > 0",
    handler: ({ tx, tenantId, principal }: ActionContext, spec: z.infer<typeof RunSpec>) =>
      spawnOne(tx, tenantId, principal, spec),
    after: (ctx: AfterContext, spec: z.infer<typeof RunSpec>, session) =>
      spec.wait_ms
        ? waitFor(
          () => ctx.read((tx) => sessionStatus(tx, (session as { id: string }).id)),
          spec.wait_ms,
        )
        : Promise.resolve(session),
  }),
  "agents.status": tenantAction({
    description:
      "Status of an agent session: state, attempts, error, result (output, summary, citations, provider).",
    scope: read,
    params: z.object({ session_id: Uuid }).strict(),
    returns: "{session, status, done, result, ...}",
    handler: ({ tx }: ActionContext, { session_id }: { session_id: string }) =>
      sessionStatus(tx, session_id),
  }),
};
