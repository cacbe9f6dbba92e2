/** budgets.get|set, secrets.set|list|delete, settings.get|update — tenant administration. */
import { z } from "zod";
import { type ActionContext, tenantAction } from "../../_shared/platform/actions.ts";
import { elevated } from "../../_shared/platform/db.ts";
import { ApiError } from "../../_shared/platform/http.ts";
import { LlmSettings } from "../../_shared/llm/resolve.ts";

const SecretName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "lowercase letters, digits and _");

/** Tenant settings the API may change (validated; unknown keys refused). */
export const TenantSettings = z.object({
  llm: LlmSettings.optional(),
  policy: z.string().max(20_000).optional().describe(
    "Tenant policy text added to every agent prompt",
  ),
  outbound_allowlist: z.array(z.string().min(1).max(253)).max(100).optional()
    .describe("Hosts allowed despite resolving to private or loopback addresses"),
  max_spawn_depth: z.number().int().min(0).max(10).optional(),
  max_children_per_session: z.number().int().min(1).max(500).optional(),
  max_concurrent_sessions: z.number().int().min(1).max(1000).optional(),
  wake_workers: z.boolean().optional().describe(
    "false: queued jobs wait for scheduled or explicit worker runs",
  ),
  breaker_failure_threshold: z.number().int().min(1).max(100).optional()
    .describe("Consecutive failures that open a dependency's circuit breaker (default 5)"),
  breaker_cooldown_seconds: z.number().int().min(1).max(3600).optional()
    .describe("How long an open breaker waits before letting a probe through (default 30)"),
}).strict();

export const adminActions = {
  "budgets.get": tenantAction({
    description: "This month's spend (UTC calendar month) against the budget, and alerts fired.",
    scope: { resource: "budgets", access: "read" },
    params: z.object({}).strict(),
    returns: "{period, spent_usd, budget_usd, hard_limit, percent, alerts[]}",
    handler: async ({ tx, tenantId }: ActionContext) => {
      const [s] = await elevated(tx, () => tx`select * from app.budget_status(${tenantId})`);
      const alerts =
        await tx`select threshold, spent_usd, budget_usd, fired_at from public.budget_alerts
        where period = ${s.period} order by threshold`;
      const spent = Number(s.spent_usd);
      const budget = s.budget_usd === null ? null : Number(s.budget_usd);
      return {
        period: s.period,
        spent_usd: spent,
        budget_usd: budget,
        hard_limit: s.hard_limit,
        percent: budget ? Math.round((10000 * spent) / budget) / 100 : null,
        alerts,
      };
    },
  }),
  "budgets.set": tenantAction({
    description:
      "Set the monthly budget (USD), whether it is a hard limit, and the alert thresholds in percent.",
    scope: { resource: "budgets", access: "write" },
    params: z.object({
      monthly_budget_usd: z.number().min(0).max(10_000_000),
      hard_limit: z.boolean().default(false),
      alert_thresholds: z.array(z.number().int().min(1).max(1000)).min(1).max(10).default([
        80,
        100,
      ]),
    }).strict(),
    returns: "budget",
    handler: async (
      { tx, tenantId }: ActionContext,
      b: { monthly_budget_usd: number; hard_limit: boolean; alert_thresholds: number[] },
    ) => {
      const [row] = await tx`
        insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit, alert_thresholds)
        values (${tenantId}, ${b.monthly_budget_usd}, ${b.hard_limit}, ${b.alert_thresholds})
        on conflict (tenant_id) do update set monthly_budget_usd = excluded.monthly_budget_usd,
          hard_limit = excluded.hard_limit, alert_thresholds = excluded.alert_thresholds, updated_at = now()
        returning *`;
      return row;
    },
  }),
  "secrets.set": tenantAction({
    description:
      "Store a credential (e.g. an LLM API key) for this tenant: Vault on Supabase, encrypted locally. Never returned.",
    scope: { resource: "secrets", access: "write" },
    params: z.object({ name: SecretName, value: z.string().min(1).max(10_000) }).strict(),
    returns: "{name, stored: true}",
    handler: async (
      { tx, tenantId }: ActionContext,
      { name, value }: { name: string; value: string },
    ) => {
      await elevated(tx, () => tx`select app.secret_set(${tenantId}, ${name}, ${value})`);
      return { name, stored: true };
    },
  }),
  "secrets.list": tenantAction({
    description: "Names of the tenant's secrets with when they were set (never their values).",
    scope: { resource: "secrets", access: "read" },
    params: z.object({}).strict(),
    returns: "{items: {name, created_at, updated_at}[]}",
    handler: async ({ tx, tenantId }: ActionContext) => ({
      items: await elevated(
        tx,
        () => tx`select name, created_at, updated_at from app.secret_list(${tenantId})`,
      ),
    }),
  }),
  "secrets.delete": tenantAction({
    description: "Delete a tenant secret.",
    scope: { resource: "secrets", access: "write" },
    params: z.object({ name: SecretName }).strict(),
    returns: "{name, deleted: true}",
    handler: async ({ tx, tenantId }: ActionContext, { name }: { name: string }) => {
      const [row] = await elevated(
        tx,
        () => tx`select app.secret_delete(${tenantId}, ${name}) as deleted`,
      );
      if (!row.deleted) throw new ApiError("NOT_FOUND", `No secret named ${name}`);
      return { name, deleted: true };
    },
  }),
  "settings.get": tenantAction({
    description: "The tenant's settings (LLM, policy, limits, outbound allowlist).",
    scope: { resource: "settings", access: "read" },
    params: z.object({}).strict(),
    returns: "settings",
    handler: async ({ tx, tenantId }: ActionContext) =>
      (await tx`select settings from public.tenants where id = ${tenantId}`)[0].settings,
  }),
  "settings.update": tenantAction({
    description:
      "Merge changes into the tenant's settings (validated; keys not given stay as they are).",
    scope: { resource: "settings", access: "write" },
    params: TenantSettings,
    returns: "settings",
    handler: async ({ tx, tenantId }: ActionContext, patch: z.infer<typeof TenantSettings>) => {
      const [row] = await elevated(
        tx,
        () =>
          tx`update public.tenants set settings = jsonb_strip_nulls(settings || ${
            tx.json(patch as never)
          })
          where id = ${tenantId} returning settings`,
      );
      return row.settings;
    },
  }),
};
