/**
 * Tenants: creation (service role), plan limits (service role only: a tenant never raises its own
 * limits) and settings (the tenant's admins).
 */
import { z } from "zod";
import { insertKey } from "../keys/keys.ts";
import { TenantLlmSettings } from "../llm/resolve.ts";
import { NotificationSettings } from "../notifications/channels.ts";
import { TenantMemorySettings } from "../memory/settings.ts";
import { elevated, type Tx } from "../platform/db.ts";
import { ApiError } from "../platform/http.ts";

/** Settings a tenant's admins may change (validated; unknown keys refused). */
export const TenantSettings = z.object({
  llm: TenantLlmSettings.optional().describe(
    "LLM providers (endpoints and the secrets they use) and defaults; agents choose among them",
  ),
  memory: TenantMemorySettings.optional().describe(
    "Memory: the embedding provider, the prompt's memory budget, contradiction checks",
  ),
  policy: z.string().max(20_000).optional().describe(
    "Tenant policy text added to every agent prompt",
  ),
  wake_workers: z.boolean().optional().describe(
    "false: queued work waits for the scheduler instead of waking workers at once",
  ),
  breaker_failure_threshold: z.number().int().min(1).max(100).optional()
    .describe("Consecutive failures that open a dependency's circuit breaker (default 5)"),
  breaker_cooldown_seconds: z.number().int().min(1).max(3600).optional()
    .describe("How long an open breaker waits before letting a probe through (default 30)"),
  notifications: NotificationSettings.optional().describe(
    "Notification channel endpoints (email, sms, slack, teams, webhook) and the secrets they use, retry schedule, timeout",
  ),
  timezone: z.string().max(64).refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "an IANA time zone such as Europe/Oslo").optional()
    .describe("The tenant's time zone (IANA), e.g. for tool policies' time windows (default UTC)"),
  approvals: z.object({
    roles: z.array(z.enum(["owner", "admin", "member"])).min(1).max(3).optional()
      .describe("Member roles that decide tool approvals (default owner and admin)"),
    ttl_seconds: z.number().int().min(60).max(604_800).optional()
      .describe("How long a tool approval stays open (default 3600)"),
  }).strict().optional().describe("Tool approvals: who decides, and how long they stay open"),
}).strict();
export type TenantSettings = z.infer<typeof TenantSettings>;

/** Plan limits, set by the operator (service role). Missing ones take app.tenant_limit's defaults. */
export const TenantLimits = z.object({
  max_spawn_depth: z.number().int().min(0).max(10).optional(),
  max_children_per_session: z.number().int().min(1).max(500).optional(),
  max_concurrent_sessions: z.number().int().min(1).max(1000).optional(),
  max_concurrent_automation_runs: z.number().int().min(1).max(1000).optional(),
  max_tool_calls_per_session: z.number().int().min(1).max(10_000).optional(),
  max_session_spend_cents: z.number().int().min(1).max(10_000_000).optional()
    .describe("LLM spend of one agent session, in US cents (default 500)"),
}).strict();
export type TenantLimits = z.infer<typeof TenantLimits>;

export const NewTenant = z.object({
  name: z.string().trim().min(1).max(200),
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "2-63 lowercase letters, digits or hyphens"),
  settings: TenantSettings.default({}),
  limits: TenantLimits.default({}),
  key_name: z.string().min(1).max(200).default("owner"),
  packs: z.array(z.enum(["content", "industrial"])).max(10).default([]).describe(
    "Agent packs to install",
  ),
}).strict();

/** A tenant, its first (owner, scopes *) API key and its packs, in one transaction (service role). */
export async function createTenant(tx: Tx, p: z.infer<typeof NewTenant>) {
  const [tenant] = await tx`
    insert into public.tenants (name, slug, settings, limits)
    values (${p.name}, ${p.slug}, ${tx.json(p.settings as never)}, ${tx.json(p.limits as never)})
    returning *`;
  const key = await insertKey(tx, tenant.id, {
    name: p.key_name,
    scopes: ["*"],
    rate_limit_per_minute: 600,
    rate_limit_per_day: 100_000,
    allowed_ips: [],
  }, { created_by: "service_role" });
  for (const pack of p.packs) await tx`select app.agent_pack_install(${tenant.id}, ${pack})`;
  return { tenant, key, packs: p.packs };
}

/** Sets plan limits (null removes one, back to its default); service role only. */
export async function setLimits(tx: Tx, tenantId: string, limits: Record<string, number | null>) {
  const [row] = await tx`
    update public.tenants set limits = jsonb_strip_nulls(limits || ${tx.json(limits as never)})
    where id = ${tenantId} returning id, limits`;
  if (!row) throw new ApiError("NOT_FOUND", `No tenant with id ${tenantId}`);
  const [eff] = await tx`select app.tenant_limits(${tenantId}) as effective`;
  return { id: row.id, limits: row.limits, effective: eff.effective };
}

/** The tenant's settings and effective plan limits. */
export async function getSettings(tx: Tx, tenantId: string) {
  const [t] = await tx`select settings from public.tenants where id = ${tenantId}`;
  const [l] = await elevated(tx, () => tx`select app.tenant_limits(${tenantId}) as limits`);
  return { ...t.settings, limits: l.limits };
}

/** Merges a validated patch into the tenant's settings (keys not given stay as they are). */
export async function updateSettings(tx: Tx, tenantId: string, patch: TenantSettings) {
  const [row] = await elevated(
    tx,
    () =>
      tx`update public.tenants set settings = jsonb_strip_nulls(settings || ${
        tx.json(patch as never)
      })
      where id = ${tenantId} returning settings`,
  );
  return row.settings;
}
