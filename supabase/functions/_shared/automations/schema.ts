/**
 * The automation language (seed 000 Part II) as zod schemas: triggers, conditions, actions. The
 * API validates definitions with these before anything is stored; the engine trusts them.
 */
import { Cron } from "croner";
import { z } from "zod";
import { hasScope } from "../platform/auth.ts";
import { AgentSlug, MemoryType } from "../memory/search.ts";
import {
  type Condition as ConditionType,
  Conditions,
  ConditionSchema as Condition,
  FieldPath as Path,
} from "../platform/conditions.ts";

// ---------------------------------------------------------------------------------------------
// Triggers
// ---------------------------------------------------------------------------------------------

const Duration = z.string().regex(
  /^\d+(\.\d+)?\s*(s|m|h|d|w|seconds?|minutes?|hours?|days?|weeks?)$/,
  "a duration such as 30s, 10m, 24h or 7d",
);

/** A duration string as a Postgres interval literal (30s → '30 seconds'). */
export function toInterval(d: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(d.trim())!;
  const unit = m[2][0];
  const name = { s: "seconds", m: "minutes", h: "hours", d: "days", w: "weeks" }[unit]!;
  return `${m[1]} ${name}`;
}

const TimeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "an IANA time zone such as Europe/Berlin");

export const ScheduleTrigger = z.object({
  cron: z.string().max(100).refine((c) => {
    if (c.trim().split(/\s+/).length !== 5) return false;
    try {
      new Cron(c, { paused: true });
      return true;
    } catch {
      return false;
    }
  }, "a 5-field cron expression (minute hour day month weekday)").optional(),
  interval: z.object({
    value: z.number().int().min(1).max(100_000),
    unit: z.enum(["minutes", "hours", "days", "weeks"]),
  }).strict().optional(),
  runAt: z.iso.datetime({ offset: true }).optional(),
  timezone: TimeZone.default("UTC"),
  skipIfRunning: z.boolean().default(true),
}).strict().refine(
  (s) => [s.cron, s.interval, s.runAt].filter((x) => x !== undefined).length === 1,
  "give exactly one of cron, interval or runAt",
);

const Filter = Conditions;

export const EventTrigger = z.object({
  events: z.array(z.string().min(1).max(200)).min(1).max(50),
  filter: Filter.optional(),
  debounce: z.object({
    seconds: z.number().min(0.1).max(86_400),
    key: Path.optional().describe("Debounce per value of this path of the event"),
  }).strict().optional(),
  batch: z.object({
    maxSize: z.number().int().min(1).max(1000),
    maxWait: z.number().min(0.1).max(86_400).describe("seconds"),
    key: Path.optional(),
  }).strict().optional(),
  cancelOn: z.object({
    events: z.array(z.string().min(1).max(200)).min(1).max(20),
    match: Path.optional().describe("The path whose value must be equal in both events"),
  }).strict().optional(),
}).strict().refine((e) => !(e.debounce && e.batch), "use debounce or batch, not both");

export const ThresholdTrigger = z.object({
  metric: z.string().regex(/^[a-z][a-z0-9_.:-]{0,99}$/),
  operator: z.enum(["gt", "lt", "gte", "lte", "eq", "change_gt", "change_lt"]),
  value: z.number(),
  window: z.object({
    duration: Duration,
    aggregation: z.enum(["sum", "avg", "min", "max", "count", "last"]).default("sum"),
  }).strict(),
  compare: z.enum(["previous_period", "same_day_last_week"]).optional(),
  sustainedFor: Duration.optional(),
  autoResolve: z.boolean().default(false),
  dimensions: z.record(z.string(), z.unknown()).optional(),
}).strict().refine(
  (t) => !t.operator.startsWith("change_") || t.compare !== undefined,
  "change_gt and change_lt compare with a period: give compare",
);

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

const Template = z.unknown().describe("Any JSON; strings may hold {{ path }} variables");
const OnError = z.enum(["ignore", "retry", "notify", "pause", "abort"]);

const actionBase = {
  name: z.string().regex(/^[A-Za-z_][\w-]{0,62}$/).optional(),
  condition: Condition.optional(),
  onError: OnError.optional(),
  output: z.object({ as: z.string().regex(/^[A-Za-z_][\w]{0,62}$/) }).strict().optional(),
};

export type Action = z.infer<typeof LeafAction> | BranchAction;
export interface BranchAction {
  type: "condition";
  name?: string;
  condition?: ConditionType;
  onError?: z.infer<typeof OnError>;
  output?: { as: string };
  config: { if: ConditionType; then: Action[]; else?: Action[] };
}

const Channels = z.array(z.enum(["admin", "ora", "email", "webhook", "slack", "teams", "sms"]))
  .min(1).max(7);

const LeafAction = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("execute_agent"),
    ...actionBase,
    config: z.object({
      agent: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
      input: Template.optional(),
      query: z.string().max(20_000).optional(),
      mode: z.enum(["assist", "copilot", "autonomous"]).optional(),
      wait: z.boolean().default(true),
      timeout: z.number().int().min(1000).max(86_400_000).optional().describe("ms"),
      priority: z.number().int().min(-100).max(100).optional(),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("call_api"),
    ...actionBase,
    config: z.object({
      url: z.string().min(1).max(2000),
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
      headers: z.record(z.string(), z.string()).optional(),
      body: Template.optional(),
      credential_secret: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).optional().describe(
        "Tenant secret bound to the URL's origin, sent as Authorization: Bearer",
      ),
      timeout: z.number().int().min(100).max(120_000).default(15_000),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("send_notification"),
    ...actionBase,
    config: z.object({
      title: z.string().min(1).max(500),
      message: z.string().min(1).max(10_000),
      type: z.enum(["info", "success", "warning", "error", "alert"]).default("info"),
      channels: Channels.optional(),
      data: Template.optional(),
      priority: z.number().int().min(0).max(100).default(0),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("send_webhook"),
    ...actionBase,
    config: z.object({
      url: z.string().min(1).max(2000),
      payload: Template.optional(),
      secret_name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).optional().describe(
        "Tenant secret with a whsec_ key, bound to the URL's origin: the delivery is signed",
      ),
      headers: z.record(z.string(), z.string()).optional(),
      retry_schedule_seconds: z.array(z.number().int().min(1).max(86_400)).min(1).max(20)
        .optional().describe(
          "Seconds before each retry (default: the webhook schedule, about 22 h)",
        ),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("update_data"),
    ...actionBase,
    config: z.object({
      table: z.enum(["leads", "blog_posts", "agent_tasks"]),
      id: z.string().min(1).max(200),
      set: z.record(z.string(), Template).refine((s) => Object.keys(s).length > 0, "set something"),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("store_memory"),
    ...actionBase,
    config: z.object({
      key: z.string().min(1).max(500),
      value: Template,
      type: MemoryType.optional().describe("The memory type (default context)"),
      importance: z.number().min(0).max(1).optional(),
      agent: AgentSlug.optional().describe("The agent it belongs to; omitted = shared"),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("wait"),
    ...actionBase,
    config: z.object({
      seconds: z.number().min(0).max(365 * 86_400).optional(),
      until: z.string().max(100).optional().describe("ISO time or a {{ variable }}"),
    }).strict().refine(
      (w) => (w.seconds === undefined) !== (w.until === undefined),
      "give seconds or until",
    ),
  }).strict(),
  z.object({
    type: z.literal("wait_for_event"),
    ...actionBase,
    config: z.object({
      events: z.array(z.string().min(1).max(200)).min(1).max(20),
      match: z.record(z.string(), Template).optional().describe(
        "The event payload must contain this JSON (values may be variables)",
      ),
      timeout: z.number().min(1).max(365 * 86_400).describe("seconds"),
      lookback: z.number().min(0).max(86_400).default(0).describe(
        "seconds: an event that arrived this long before the wait began counts too",
      ),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("chain"),
    ...actionBase,
    config: z.object({
      automation: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).describe("slug"),
      input: Template.optional(),
      waitForCompletion: z.boolean().default(false),
      timeout: z.number().int().min(1).max(86_400).optional().describe("seconds"),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("log"),
    ...actionBase,
    config: z.object({
      message: z.string().max(10_000),
      level: z.enum(["debug", "info", "warn", "error"]).default("info"),
      data: Template.optional(),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("set_variable"),
    ...actionBase,
    config: z.object({ name: z.string().regex(/^[A-Za-z_]\w{0,62}$/), value: Template }).strict(),
  }).strict(),
  z.object({
    type: z.literal("transform"),
    ...actionBase,
    config: z.object({
      value: Template,
      pick: z.array(z.string().max(100)).max(100).optional().describe("Keep only these keys"),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("email"),
    ...actionBase,
    config: z.object({
      to: z.string().min(3).max(500),
      subject: z.string().min(1).max(500),
      body: z.string().min(1).max(100_000),
    }).strict(),
  }).strict(),
  z.object({
    type: z.literal("slack"),
    ...actionBase,
    config: z.object({
      text: z.string().min(1).max(40_000).describe(
        "Sent through the tenant's Slack channel (settings.notifications)",
      ),
    }).strict(),
  }).strict(),
]);

export const Action: z.ZodType<Action> = z.lazy(() =>
  z.union([
    LeafAction,
    z.object({
      type: z.literal("condition"),
      ...actionBase,
      config: z.object({
        if: Condition,
        then: z.array(Action).min(1).max(50),
        else: z.array(Action).max(50).optional(),
      }).strict(),
    }).strict(),
  ]) as z.ZodType<Action>
);

export const Actions = z.array(Action).min(1).max(100);

// ---------------------------------------------------------------------------------------------
// Automations
// ---------------------------------------------------------------------------------------------

export const Category = z.enum([
  "content",
  "analytics",
  "leads",
  "maintenance",
  "notifications",
  "integration",
  "general",
]);

const common = {
  name: z.string().trim().min(1).max(200),
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase words joined by hyphens"),
  description: z.string().max(5000).optional(),
  category: Category.default("general"),
  conditions: Conditions.optional(),
  actions: Actions,
  on_error: OnError.default("notify"),
  max_retries: z.number().int().min(0).max(10).default(3),
  retry_delay_seconds: z.number().int().min(1).max(86_400).default(60),
  max_runs_per_hour: z.number().int().min(1).max(100_000).optional(),
  max_runs_per_day: z.number().int().min(1).max(1_000_000).optional(),
  cooldown_seconds: z.number().int().min(0).max(30 * 86_400).default(0),
  status: z.enum(["active", "paused", "disabled", "draft"]).default("active"),
  tags: z.array(z.string().min(1).max(50)).max(20).default([]),
  metadata: z.record(z.string(), z.unknown()).default({}),
};

export const NewAutomation = z.discriminatedUnion("trigger_type", [
  z.object({ trigger_type: z.literal("schedule"), trigger_config: ScheduleTrigger, ...common })
    .strict(),
  z.object({ trigger_type: z.literal("event"), trigger_config: EventTrigger, ...common }).strict(),
  z.object({ trigger_type: z.literal("threshold"), trigger_config: ThresholdTrigger, ...common })
    .strict(),
  z.object({
    trigger_type: z.literal("manual"),
    trigger_config: z.object({}).strict().default({}),
    ...common,
  }).strict(),
  z.object({
    trigger_type: z.literal("webhook"),
    trigger_config: z.object({}).strict().default({}),
    ...common,
  }).strict(),
]);
export type NewAutomation = z.infer<typeof NewAutomation>;

/** Validates a trigger configuration for its type (updates may change either). */
export function parseTrigger(type: string, config: unknown) {
  const schema = {
    schedule: ScheduleTrigger,
    event: EventTrigger,
    threshold: ThresholdTrigger,
    manual: z.object({}).strict(),
    webhook: z.object({}).strict(),
  }[type];
  if (!schema) throw new Error(`Unknown trigger type ${type}`);
  return schema.safeParse(config ?? {});
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

/** The scope each action needs in the automation's run_scopes (and of whoever saves it). */
export function actionScopes(a: Action): { resource: string; access: "read" | "write" }[] {
  const w = (resource: string) => ({ resource, access: "write" as const });
  switch (a.type) {
    case "execute_agent":
      return [w("agents")];
    case "update_data":
      return [w({ leads: "leads", blog_posts: "posts", agent_tasks: "tasks" }[a.config.table])];
    case "store_memory":
      return [w("memory")];
    case "chain":
      return [w("automations")];
    case "send_notification":
    case "email":
    case "slack":
      return [w("notifications")];
    case "send_webhook":
      return [w("webhooks")];
    case "call_api":
      return a.config.credential_secret ? [w("secrets")] : [];
    default:
      return [];
  }
}

/** Every action of a list, branches included. */
export function allActions(list: Action[]): Action[] {
  return list.flatMap((a) =>
    a.type === "condition"
      ? [a, ...allActions(a.config.then), ...allActions(a.config.else ?? [])]
      : [a]
  );
}

/** The scopes `actions` need that `scopes` do not grant (as resource:access). */
export function missingScopes(actions: Action[], scopes: readonly string[]): string[] {
  const need = allActions(actions).flatMap(actionScopes);
  return [
    ...new Set(
      need.filter((n) => !hasScope(scopes, n.resource, n.access)).map((n) =>
        `${n.resource}:${n.access}`
      ),
    ),
  ];
}
