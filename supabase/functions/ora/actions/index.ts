/** Every action the ora function serves, by name. */
import { registry } from "../../_shared/platform/actions.ts";
import { agentActions } from "./agents.ts";
import { automationActions } from "./automations.ts";
import { approvalActions } from "./approvals.ts";
import { budgetActions } from "./budgets.ts";
import { healthActions } from "./health.ts";
import { keyActions } from "./keys.ts";
import { leadActions } from "./leads.ts";
import { notificationActions } from "./notifications.ts";
import { policyActions } from "./policies.ts";
import { memoryActions } from "./memory.ts";
import { postActions } from "./posts.ts";
import { runActions } from "./runs.ts";
import { secretActions } from "./secrets.ts";
import { settingsActions } from "./settings.ts";
import { taskActions } from "./tasks.ts";
import { tenantActions } from "./tenants.ts";
import { webhookActions } from "./webhooks.ts";
import { toolActions } from "./tools.ts";

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
  automationActions,
  notificationActions,
  webhookActions,
  toolActions,
  approvalActions,
  policyActions,
  memoryActions,
);
