/** Every action the ora function serves, by name. */
import { registry } from "../../_shared/platform/actions.ts";
import { agentActions } from "./agents.ts";
import { budgetActions } from "./budgets.ts";
import { healthActions } from "./health.ts";
import { keyActions } from "./keys.ts";
import { leadActions } from "./leads.ts";
import { memoryActions } from "./memory.ts";
import { postActions } from "./posts.ts";
import { runActions } from "./runs.ts";
import { secretActions } from "./secrets.ts";
import { settingsActions } from "./settings.ts";
import { taskActions } from "./tasks.ts";
import { tenantActions } from "./tenants.ts";

export const actions = registry(
  healthActions,
  tenantActions,
  keyActions,
  leadActions,
  postActions,
  agentActions,
  taskActions,
  budgetActions,
  secretActions,
  settingsActions,
  runActions,
  memoryActions,
);
