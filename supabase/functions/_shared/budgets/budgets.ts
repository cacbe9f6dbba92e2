/** Monthly budgets (UTC calendar month) with alerts and an optional hard limit. */
import { z } from "zod";
import { elevated, type Tx } from "../platform/db.ts";
import type { AppRow } from "../platform/types.ts";

export const BudgetSettings = z.object({
  monthly_budget_usd: z.number().min(0).max(10_000_000),
  hard_limit: z.boolean().default(false),
  alert_thresholds: z.array(z.number().int().min(1).max(1000)).min(1).max(10).default([80, 100]),
}).strict();

/** This month's spend against the budget, and the alerts that fired. */
export async function budgetStatus(tx: Tx, tenantId: string) {
  const [s] = await elevated(
    tx,
    () => tx<AppRow<"budget_status">[]>`select * from app.budget_status(${tenantId})`,
  );
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
}

export async function setBudget(tx: Tx, tenantId: string, b: z.infer<typeof BudgetSettings>) {
  const [row] = await tx`
    insert into public.tenant_budgets (tenant_id, monthly_budget_usd, hard_limit, alert_thresholds)
    values (${tenantId}, ${b.monthly_budget_usd}, ${b.hard_limit}, ${b.alert_thresholds})
    on conflict (tenant_id) do update set monthly_budget_usd = excluded.monthly_budget_usd,
      hard_limit = excluded.hard_limit, alert_thresholds = excluded.alert_thresholds, updated_at = now()
    returning *`;
  return row;
}
