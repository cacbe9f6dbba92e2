/**
 * The automation run: one firing of an automation executed as a durable run of kind
 * `automation`. Every action is a step (its output recorded under a key such as `a0`, `a2.then.1`),
 * so a crashed run resumes after its last completed action and never repeats it; `wait`,
 * `wait_for_event`, a debounce or batch window, `execute_agent` and `chain` with
 * waitForCompletion park the run on waitpoints and hold no worker while they wait.
 *
 * Error strategies (the action's `onError`, else the automation's `on_error`):
 * - ignore / notify: the failure is recorded as the action's result (inside its step, so a replay
 *   never runs it again) and the run continues (notify also sends a notification); the run ends
 *   `partial`.
 * - retry: the run is retried with backoff (retry_delay_seconds · 2^(attempt−1), jittered) up to
 *   max_retries times, resuming at the failed action; errors retrying cannot fix fail at once.
 *   (A run also survives two worker crashes whatever its strategy: crashes are not its fault.)
 * - pause: the automation is paused and the run fails. abort: the run fails.
 */
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { type Classifiable, type Classified, classify } from "../queue/classify.ts";
import {
  type Json,
  type RunContext,
  type RunHandler,
  RunStoppedError,
  Suspended,
} from "../runs/engine.ts";
import { type Condition, Conditions, evaluate, lookup } from "../platform/conditions.ts";
import { executeLeaf, type LeafContext, sendNotification } from "./actions.ts";
import { type Action, Actions } from "./schema.ts";
import { render } from "./template.ts";

/** What an automation run's input holds (snapshotted by app.automation_fire). */
export interface AutomationInput {
  automation: {
    id: string;
    name: string;
    slug: string;
    version: number;
    trigger_type: string;
    trigger_config: Record<string, unknown>;
    conditions: Condition | Condition[] | null;
    actions: Action[];
    on_error: OnError;
    max_retries: number;
    retry_delay_seconds: number;
    run_scopes: string[];
  };
  trigger: {
    type: string;
    data: Json;
    event?: Json;
    chain: string[];
    timestamp: string;
  };
  window?: { mode: "debounce" | "batch"; key: string } | null;
}

type OnError = "ignore" | "retry" | "notify" | "pause" | "abort";

/** The run failed because of its error strategy (abort, pause, or retries that cannot help). */
class RunAbort extends Error implements Classifiable {
  constructor(readonly c: Classified) {
    super(c.message);
    this.name = "RunAbort";
  }
  classify(): Classified {
    return this.c;
  }
}

interface ActionResult {
  type: string;
  name?: string;
  status: "completed" | "failed" | "skipped";
  output?: Json;
  error?: { code: string; message: string };
}

/** The recorded outcome of one guarded step. */
type Guarded = { ok: true; output: Json } | { ok: false; error: { code: string; message: string } };

/** A database failure worth retrying (deadlock, serialization, connection): see classify. */
function transientDb(e: unknown): boolean {
  const c = classify(e);
  return c.kind === "retry" && c.code.startsWith("DB_");
}

/** The automation run handler (kind automation). */
export function automationRun(config: Config): RunHandler<AutomationInput, Json> {
  return {
    kind: "automation",
    version: "automation/1",
    async run(ctx: RunContext, input: AutomationInput): Promise<Json> {
      // definitions saved outside the API (Studio, SQL seeds) get the same validation and defaults
      const parsed = Actions.safeParse(input.automation.actions);
      const conds = Conditions.nullable().optional().safeParse(input.automation.conditions);
      if (!parsed.success || !conds.success) {
        const issue = (parsed.error ?? conds.error)!.issues[0];
        throw new RunAbort({
          kind: "final",
          code: "INVALID_AUTOMATION",
          message: `The automation's ${parsed.success ? "conditions" : "actions"} are invalid at ${
            issue.path.join(".") || "the top"
          }: ${issue.message} (fix it with automations.update)`,
        });
      }
      const a = { ...input.automation, actions: parsed.data, conditions: conds.data ?? null };
      let trigger: Record<string, unknown> = { ...input.trigger };

      // WINDOW: a debounce or batch run waits until its window closes, then takes its events
      if (input.window) {
        for (let i = 0;; i++) {
          const w = await ctx.step(`window:${i}`, async () => {
            const [row] = await ctx.db.s<{ w: Record<string, Json> }[]>`
              select app.automation_window_take(${ctx.tenantId}::uuid, ${ctx.runId}::uuid) as w`;
            return row.w;
          }, { kind: "system" });
          if (w.due) {
            const events = (w.events ?? []) as Record<string, Json>[];
            const last = events[events.length - 1];
            trigger = {
              ...trigger,
              ...(last ? { data: last.data, event: last.event ?? null } : {}),
              events: events.map((e) => ({ data: e.data, event: e.event ?? null })),
              count: events.length,
            };
            break;
          }
          await ctx.sleepUntil(`window:${i}:wait`, String(w.fire_at));
        }
      }

      // system.* is fixed at the firing (a replay sees the same values: no step needed)
      const firedAt = new Date(String(input.trigger.timestamp ?? new Date().toISOString()));
      const settings = ctx.job.tenantSettings as { site?: Record<string, Json> };
      const system = {
        system: {
          now: firedAt.toISOString(),
          date: firedAt.toISOString().slice(0, 10),
          timestamp: firedAt.getTime(),
          run_id: ctx.runId,
          tenant_id: ctx.tenantId,
        },
        site: { tenant_id: ctx.tenantId, ...(settings.site ?? {}) },
      };

      const vars: Record<string, Json> = {};
      const outputs: Record<string, Json> = {};
      const scope: Record<string, unknown> = {
        trigger,
        automation: { id: a.id, name: a.name, slug: a.slug, version: a.version },
        actions: outputs,
        vars,
        system: system.system,
        site: system.site,
      };
      const resolve = (path: string) => {
        const direct = lookup(scope, path);
        if (direct.found) return direct;
        return lookup(outputs, path); // `{{ analysis }}`: an output named by output.as
      };
      const ctxValue = () => ({ ...outputs, ...scope });

      // CONDITIONS: a run whose conditions do not hold is skipped
      if (a.conditions && !evaluate(a.conditions, resolve)) {
        return {
          status: "skipped",
          reason: "conditions_not_met",
          actions_total: 0,
          actions_completed: 0,
          actions_failed: 0,
          results: {},
        };
      }

      const results: Record<string, ActionResult> = {};
      const counts = { total: 0, completed: 0, failed: 0, skipped: 0 };

      const strategyOf = (act: Action): OnError => (act.onError ?? a.on_error) as OnError;

      /** Runs `fn` as step `key`; failures the strategy tolerates become the recorded result. */
      const guarded = (key: string, act: Action, kind: string, fn: () => Promise<Json>) =>
        ctx.step<Guarded>(key, async () => {
          try {
            return { ok: true, output: await fn() };
          } catch (e) {
            if (e instanceof Suspended || e instanceof RunStoppedError || ctx.signal.aborted) {
              throw e;
            }
            const c = classify(e);
            const strategy = strategyOf(act);
            if (strategy === "ignore" || strategy === "notify") {
              return { ok: false, error: { code: c.code, message: c.message } };
            }
            throw e;
          }
        }, { kind, input: { type: act.type, name: act.name ?? null } });

      const leaf: LeafContext = {
        ctx,
        config,
        automation: a,
        chain: input.trigger.chain,
        render: <T>(v: T) => render(v, ctxValue()),
        guarded,
      };
      const notify = (n: Parameters<typeof sendNotification>[2]) => sendNotification(ctx, a, n);

      const runList = async (list: Action[], prefix: string): Promise<void> => {
        for (let i = 0; i < list.length; i++) {
          const act = list[i];
          const key = `${prefix}${i}`;
          const label = act.name ?? key;
          counts.total++;
          if (act.condition && !evaluate(act.condition, resolve)) {
            counts.skipped++;
            results[label] = { type: act.type, name: act.name, status: "skipped" };
            continue;
          }
          let outcome: Guarded;
          try {
            if (act.type === "condition") {
              const branch = evaluate(act.config.if, resolve)
                ? "then"
                : act.config.else
                ? "else"
                : "none";
              outcome = await guarded(key, act, "action", () => Promise.resolve({ branch }));
              results[label] = {
                type: act.type,
                name: act.name,
                status: "completed",
                output: outcome.ok ? outcome.output : null,
              };
              counts.completed++;
              if (branch !== "none") {
                await runList(
                  branch === "then" ? act.config.then : act.config.else!,
                  `${key}.${branch}.`,
                );
              }
              continue;
            }
            outcome = await executeLeaf(leaf, act, key);
          } catch (e) {
            if (e instanceof Suspended || e instanceof RunStoppedError || ctx.signal.aborted) {
              throw e;
            }
            // contention or a lost connection in the database (parking, recording a step) is not
            // the action's fault: the run is retried and resumes here, whatever the strategy
            if (transientDb(e)) throw e;
            await onFailure(act, key, e);
            throw e; // not reached: onFailure throws
          }
          if (outcome.ok) {
            counts.completed++;
            results[label] = {
              type: act.type,
              name: act.name,
              status: "completed",
              output: outcome.output,
            };
            if (act.name) outputs[act.name] = outcome.output;
            if (act.output?.as) outputs[act.output.as] = outcome.output;
            if (act.type === "set_variable") vars[act.config.name] = outcome.output;
          } else {
            counts.failed++;
            results[label] = {
              type: act.type,
              name: act.name,
              status: "failed",
              error: outcome.error,
            };
            if (act.output?.as) outputs[act.output.as] = null;
            if (strategyOf(act) === "notify") {
              await ctx.step(`${key}:notify`, async () => {
                try {
                  return await notify({
                    title: `Automation "${a.name}": action ${label} failed`,
                    message: `${outcome.ok ? "" : outcome.error.code}: ${
                      outcome.ok ? "" : outcome.error.message
                    }`.slice(0, 2000),
                    type: "error",
                    data: { automation_id: a.id, run_id: ctx.runId, action: label },
                  });
                } catch (e) {
                  log("warn", "could not send the failure notification", {
                    run: ctx.runId,
                    error: String(e),
                  });
                  return null;
                }
              }, { kind: "system" });
            }
          }
        }
      };

      /** retry / pause / abort: the run does not continue past a failed action. */
      const onFailure = async (act: Action, key: string, e: unknown): Promise<never> => {
        const c = classify(e);
        const strategy = strategyOf(act);
        if (strategy === "retry" && c.kind !== "final" && ctx.job.attempt <= a.max_retries) {
          const base = a.retry_delay_seconds * 1000 * 2 ** Math.max(0, ctx.job.attempt - 1);
          const delay = Math.max(
            c.retryAfterMs ?? 0,
            Math.round(base * (0.5 + Math.random() * 0.5)),
          );
          throw new RunAbort({
            kind: "retry",
            code: c.code,
            message: `Action ${act.name ?? key} failed: ${c.message}`,
            retryAfterMs: delay,
          });
        }
        // retry that cannot help (a missing variable, a refused URL, a 4xx) fails now, like abort
        if (strategy === "pause") {
          await ctx.step(`${key}:pause`, async () => {
            await ctx.db.s`
              update public.automations set status = 'paused',
                status_reason = ${`Paused by its on_error strategy: action ${
              act.name ?? key
            } failed (${c.code})`}::text
              where id = ${a.id}::uuid and tenant_id = ${ctx.tenantId}::uuid and status = 'active'`;
            return { paused: true };
          }, { kind: "system" });
        }
        throw new RunAbort({
          kind: "final",
          code: c.code,
          message: `Action ${act.name ?? key} failed: ${c.message}`,
        });
      };

      await runList(a.actions, "a");

      return {
        status: counts.failed > 0 ? "partial" : "success",
        actions_total: counts.total,
        actions_completed: counts.completed,
        actions_failed: counts.failed,
        actions_skipped: counts.skipped,
        results: results as unknown as Json,
        vars,
      };
    },
  };
}
