/** budgets.get|set — the monthly budget, its alerts and hard limit. */
import { z } from "zod";
import { type ActionContext, tenantAction } from "../../_shared/platform/actions.ts";
import { BudgetSettings, budgetStatus, setBudget } from "../../_shared/budgets/budgets.ts";

export const budgetActions = {
  "budgets.get": tenantAction({
    description: "This month's spend (UTC calendar month) against the budget, and alerts fired.",
    scope: { resource: "budgets", access: "read" },
    params: z.object({}).strict(),
    returns: "{period, spent_usd, budget_usd, hard_limit, percent, alerts[]}",
    handler: ({ tx, tenantId }: ActionContext) => budgetStatus(tx, tenantId),
  }),
  "budgets.set": tenantAction({
    description:
      "Set the monthly budget (USD), whether it is a hard limit, and the alert thresholds in percent.",
    scope: { resource: "budgets", access: "write" },
    params: BudgetSettings,
    returns: "budget",
    handler: ({ tx, tenantId }: ActionContext, b: z.infer<typeof BudgetSettings>) =>
      setBudget(tx, tenantId, b),
  }),
};
