/** leads.list|get|create|update|delete */
import { z } from "zod";
import { leadConditions } from "../../_shared/content/content.ts";
import { crudActions } from "../../_shared/platform/crud.ts";

export const LeadFields = z.object({
  name: z.string().trim().min(1).max(300),
  email: z.email().max(320).optional(),
  company: z.string().max(300).optional(),
  phone: z.string().max(50).optional(),
  source: z.string().min(1).max(100).optional(),
  status: z.enum(["new", "contacted", "qualified", "converted", "lost"]).optional(),
  ai_score: z.number().int().min(0).max(100).optional(),
  notes: z.string().max(20_000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).strict();

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
