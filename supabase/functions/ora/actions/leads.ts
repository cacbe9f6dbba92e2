/** leads.list|get|create|update|delete */
import { z } from "zod";
import { leadConditions, LeadFields } from "../../_shared/content/content.ts";
import { crudActions } from "../../_shared/platform/crud.ts";

export { LeadFields };

const LeadFilters = z.object({
  status: z.enum(["new", "contacted", "qualified", "converted", "lost"]).optional(),
  source: z.string().max(100).optional(),
  min_score: z.number().int().min(0).max(100).optional(),
  email: z.string().max(320).optional(),
  search: z.string().min(1).max(200).optional().describe(
    "Matches name, email or company (case-insensitive)",
  ),
  created_after: z.iso.datetime({ offset: true }).optional(),
  created_before: z.iso.datetime({ offset: true }).optional(),
}).strict();

export const leadActions = crudActions({
  resource: "leads",
  table: "leads",
  noun: "lead",
  create: LeadFields,
  filters: LeadFilters,
  where: leadConditions,
});
