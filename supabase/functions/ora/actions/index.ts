/** Every action the ora function serves, by name. */
import type { Action } from "../../_shared/actions.ts";
import { agentActions } from "./agents.ts";
import { adminActions } from "./budgets.ts";
import { healthActions } from "./health.ts";
import { keyActions } from "./keys.ts";
import { leadActions } from "./leads.ts";
import { postActions } from "./posts.ts";
import { taskActions } from "./tasks.ts";
import { tenantActions } from "./tenants.ts";

export const actions: Record<string, Action> = {
  ...healthActions,
  ...tenantActions,
  ...keyActions,
  ...leadActions,
  ...postActions,
  ...agentActions,
  ...taskActions,
  ...adminActions,
};
