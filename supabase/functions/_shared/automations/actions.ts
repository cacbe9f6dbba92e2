/**
 * The leaf actions of an automation (seed 000's 14 primitives plus wait_for_event; `condition` is
 * the engine's). Each runs as one or more recorded steps under its key; anything outbound goes
 * through the one outbound client, data writes run as `authenticated` in the tenant (RLS) with the
 * run's automation chain set, so the events they cause cannot fire the same automation again.
 */
import { z } from "zod";
import type { Config } from "../platform/config.ts";
import { WorkError } from "../queue/classify.ts";
import { createOutboundFetch, parseAllowList } from "../platform/outbound.ts";
import { log } from "../platform/log.ts";
import { ApiError } from "../platform/http.ts";
import { storeMemory } from "../memory/store.ts";
import type { Json, RunContext } from "../runs/engine.ts";
import { sendWebhook } from "../webhooks/dispatch.ts";
import type { AutomationInput } from "./engine.ts";
import { type Action, missingScopes } from "./schema.ts";

type Guarded = { ok: true; output: Json } | { ok: false; error: { code: string; message: string } };

/** What a leaf action works with. */
export interface LeafContext {
  ctx: RunContext;
  config: Config;
  automation: AutomationInput["automation"];
  chain: string[];
  render<T>(v: T): T;
  guarded(key: string, act: Action, kind: string, fn: () => Promise<Json>): Promise<Guarded>;
}

export interface NotificationSpec {
  title: string;
  message: string;
  type: string;
  channels?: string[];
  data?: unknown;
  priority?: number;
  /** Per-notification recipients and subject (email.to, email.subject, sms.to); never endpoints. */
  delivery_config?: Record<string, unknown>;
}

/** An action failed in a way the error strategy decides about. */
export class ActionError extends WorkError {}

type Leaf = Exclude<Action, { type: "condition" }>;

const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The chain as a Postgres array literal for set_config('ora.chain', …). */
function chainLiteral(chain: string[]): string {
  return `{${chain.join(",")}}`;
}

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.min(Math.max(0, s * 1000), 3_600_000);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - Date.now()), 3_600_000) : undefined;
}

/** Executes one leaf action (key: its step key); returns its recorded outcome. */
export async function executeLeaf(l: LeafContext, act: Leaf, key: string): Promise<Guarded> {
  const { ctx } = l;
  const missing = missingScopes([act], l.automation.run_scopes);
  if (missing.length > 0) {
    return l.guarded(key, act, "action", () => {
      throw new ActionError(
        "SCOPE_MISSING",
        `This automation may not ${act.type}: it runs with the scopes of whoever saved it, which lack ${
          missing.join(", ")
        }`,
      );
    });
  }
  switch (act.type) {
    case "log":
      return l.guarded(key, act, "action", () => {
        const message = l.render(act.config.message);
        const data = l.render(act.config.data ?? null) as Json;
        log(act.config.level, `automation ${l.automation.slug}: ${message}`, { run: ctx.runId });
        return Promise.resolve({ level: act.config.level, message, data });
      });

    case "set_variable":
      return l.guarded(
        key,
        act,
        "action",
        () => Promise.resolve(l.render(act.config.value) as Json),
      );

    case "transform":
      return l.guarded(key, act, "action", () => {
        const v = l.render(act.config.value) as Json;
        if (!act.config.pick) return Promise.resolve(v);
        if (!v || typeof v !== "object" || Array.isArray(v)) {
          throw new ActionError(
            "TRANSFORM_NOT_OBJECT",
            "transform.pick needs the value to be an object",
          );
        }
        return Promise.resolve(
          Object.fromEntries(
            act.config.pick.filter((k) => Object.hasOwn(v, k)).map((k) => [k, v[k]]),
          ),
        );
      });

    case "wait": {
      const at = await ctx.step(`${key}:at`, () => {
        if (act.config.seconds !== undefined) {
          return Promise.resolve(new Date(Date.now() + act.config.seconds * 1000).toISOString());
        }
        const until = String(l.render(act.config.until));
        const t = Date.parse(until);
        if (!Number.isFinite(t)) {
          throw new ActionError("BAD_TIME", `wait.until is not a time: ${until}`);
        }
        return Promise.resolve(new Date(t).toISOString());
      }, { kind: "system" });
      const r = await ctx.sleepUntil(key, at);
      return { ok: true, output: { waited_until: at, status: r.status } };
    }

    case "wait_for_event": {
      const spec = await ctx.step(`${key}:at`, () =>
        Promise.resolve({
          timeout_at: new Date(Date.now() + act.config.timeout * 1000).toISOString(),
          filter: (l.render(act.config.match ?? {}) ?? {}) as Json,
        }), { kind: "system" });
      const r = await ctx.wait(key, [{
        kind: "event",
        events: act.config.events,
        filter: spec.filter as Record<string, unknown>,
        timeout_at: spec.timeout_at,
        lookback_seconds: act.config.lookback || undefined,
      }]);
      return {
        ok: true,
        output: { received: !r.timed_out, event: r.timed_out ? null : r.result ?? null },
      };
    }

    case "execute_agent": {
      const spawned = await l.guarded(key, act, "spawn", async () => {
        const input = (l.render(act.config.input ?? {}) ?? {}) as Record<string, Json>;
        const query = act.config.query ? l.render(act.config.query) : undefined;
        const [row] = await ctx.db.s<{ id: string; status: string }[]>`
          select id, status from app.session_spawn(${ctx.tenantId}::uuid, ${{
          agent: act.config.agent,
          input: {
            ...(typeof input === "object" && !Array.isArray(input) ? input : { value: input }),
            ...(query ? { query } : {}),
          },
          mode: act.config.mode,
          priority: act.config.priority,
          parent_session_id: ctx.runId,
          idempotency_key: `${ctx.runId}:${key}`,
          created_by: `automation:${l.automation.id}`,
        }}::jsonb)`;
        return { session_id: row.id, status: row.status };
      });
      if (!spawned.ok || !act.config.wait) return spawned;
      const sessionId = (spawned.output as { session_id: string }).session_id;
      await ctx.waitForRuns(`${key}:wait`, [sessionId], { timeoutMs: act.config.timeout });
      return l.guarded(
        `${key}:result`,
        act,
        "action",
        () => childResult(ctx, sessionId, "agent session"),
      );
    }

    case "chain": {
      const fired = await l.guarded(key, act, "spawn", async () => {
        const data = l.render(act.config.input ?? {}) as Json;
        const [row] = await ctx.db.s<
          { r: { status: string; reason?: string; run_id?: string } | null }[]
        >`
          select app.automation_fire(${ctx.tenantId}::uuid, a.id,
            ${{
          type: "chain",
          data,
          chain: l.chain,
          parent: { automation_id: l.automation.id, run_id: ctx.runId },
        }}::jsonb,
            ${{ parent_run_id: ctx.runId, idempotency_key: `${ctx.runId}:${key}` }}::jsonb) as r
          from public.automations a
          where a.tenant_id = ${ctx.tenantId}::uuid and a.slug = ${act.config.automation}::text`;
        if (!row) {
          throw new ActionError(
            "AUTOMATION_NOT_FOUND",
            `No automation with slug ${act.config.automation} in this tenant`,
          );
        }
        const r = row.r!;
        if (r.status === "skipped" && r.reason === "loop") {
          throw new ActionError(
            "LOOP_STOPPED",
            `Chaining ${act.config.automation} would re-trigger an automation already in this chain (${l.chain.length} deep): stopped (event automation.loop_stopped)`,
          );
        }
        return { status: r.status, reason: r.reason ?? null, run_id: r.run_id ?? null };
      });
      const out = fired.ok ? fired.output as { status: string; run_id: string | null } : null;
      if (!out || !act.config.waitForCompletion || !out.run_id) return fired;
      await ctx.waitForRuns(`${key}:wait`, [out.run_id], {
        timeoutMs: act.config.timeout ? act.config.timeout * 1000 : undefined,
      });
      return l.guarded(
        `${key}:result`,
        act,
        "action",
        () => childResult(ctx, out.run_id!, "chained automation"),
      );
    }

    case "call_api":
      return l.guarded(key, act, "action", () => callApi(l, act, key));

    case "update_data":
      return l.guarded(key, act, "action", async () => {
        const id = String(l.render(act.config.id));
        const set = l.render(act.config.set) as Record<string, unknown>;
        for (const col of Object.keys(set)) {
          if (
            ["id", "tenant_id", "created_at", "updated_at"].includes(col) ||
            !/^[a-z_][a-z0-9_]{0,62}$/.test(col)
          ) {
            throw new ActionError("BAD_COLUMN", `update_data cannot set ${col}`);
          }
        }
        const row = await ctx.db.tenant(
          {
            role: "authenticated",
            tenant_id: ctx.tenantId,
            sub: `automation:${l.automation.id}`,
            scopes: l.automation.run_scopes,
          },
          async (tx) => {
            await tx`select set_config('ora.chain', ${chainLiteral(l.chain)}, true)`;
            const rows = await tx`
              update ${tx("public." + act.config.table)} set ${tx(set as Record<string, never>)}
              where id::text = ${id} returning *`.catch(
              (e: { code?: string; message?: string }) => {
                if (
                  e.code === "42703" || e.code === "22P02" || e.code === "23514" ||
                  e.code === "23502"
                ) {
                  throw new ActionError(
                    "BAD_DATA",
                    `update_data on ${act.config.table}: ${e.message}`,
                  );
                }
                throw e;
              },
            );
            return rows[0];
          },
        );
        if (!row) {
          throw new ActionError("NOT_FOUND", `No row ${id} in ${act.config.table} of this tenant`);
        }
        return row as Json;
      });

    case "send_notification":
      return l.guarded(key, act, "action", () =>
        sendNotification(ctx, l.automation, {
          title: l.render(act.config.title),
          message: l.render(act.config.message),
          type: act.config.type,
          channels: act.config.channels,
          data: l.render(act.config.data ?? {}),
          priority: act.config.priority,
        }));

    case "store_memory":
    case "send_webhook":
    case "email":
    case "slack":
      return l.guarded(key, act, "action", () => integration(l, act, key));
  }
}

/** The outcome of a child run (agent session or chained automation) the action waited for. */
async function childResult(ctx: RunContext, runId: string, what: string): Promise<Json> {
  const [r] = await ctx.db.s<
    { status: string; output: Json; error: { message?: string } | null; usage: Json }[]
  >`
    select r.status, r.output, r.error,
      (select jsonb_build_object('prompt_tokens', coalesce(sum(s.prompt_tokens), 0),
        'completion_tokens', coalesce(sum(s.completion_tokens), 0), 'cost_usd', coalesce(sum(s.cost_usd), 0))
       from public.run_steps s where s.run_id = r.id) as usage
    from public.runs r where r.id = ${runId}::uuid and r.tenant_id = ${ctx.tenantId}::uuid`;
  if (!r) throw new ActionError("NOT_FOUND", `The ${what} ${runId} is gone`);
  if (r.status !== "completed") {
    const timedOut = !["failed", "cancelled"].includes(r.status);
    throw new ActionError(
      timedOut ? "TIMEOUT" : "CHILD_FAILED",
      timedOut
        ? `The ${what} ${runId} did not finish in time (${r.status})`
        : `The ${what} ${runId} ${r.status}: ${r.error?.message ?? "no reason given"}`,
    );
  }
  return {
    run_id: runId,
    ...(r.output && typeof r.output === "object" && !Array.isArray(r.output)
      ? r.output
      : { output: r.output }),
    usage: r.usage,
  } as Json;
}

/** call_api: one request through the outbound client, with an Idempotency-Key per action. */
async function callApi(
  l: LeafContext,
  act: Extract<Leaf, { type: "call_api" }>,
  key: string,
): Promise<Json> {
  const { ctx } = l;
  const url = String(l.render(act.config.url));
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActionError("BAD_URL", `call_api.url is not a URL: ${url.slice(0, 200)}`);
  }
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Ora-Automations/1",
    "idempotency-key": `${ctx.runId}:${key}`,
    ...(l.render(act.config.headers ?? {}) as Record<string, string>),
  };
  let credential;
  if (act.config.credential_secret) {
    const origin = parsed.origin;
    const [row] = await ctx.db.s<{ value: string | null; bound_origin: string | null }[]>`
      select value, bound_origin from app.secret_get(${ctx.tenantId}::uuid, ${act.config.credential_secret}::text,
        'automation', ${origin}::text)`;
    if (!row || row.bound_origin === null) {
      throw new ActionError(
        "SECRET_NOT_SET",
        `Secret ${act.config.credential_secret} is not set (secrets.set with origin ${origin})`,
      );
    }
    if (row.bound_origin !== origin || !row.value) {
      throw new ActionError(
        "SECRET_ORIGIN_MISMATCH",
        `Secret ${act.config.credential_secret} is bound to ${row.bound_origin}, not ${origin}: a secret is only sent to its origin`,
      );
    }
    credential = { origin, headers: { authorization: `Bearer ${row.value}` } };
  }
  const fetch = createOutboundFetch({
    allow: parseAllowList(l.config.ORA_OUTBOUND_ALLOW),
    credential,
    timeoutMs: act.config.timeout,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  });
  const body = act.config.body === undefined || act.config.method === "GET"
    ? undefined
    : JSON.stringify(l.render(act.config.body));
  let res: Response;
  try {
    res = await fetch(parsed, { method: act.config.method, headers, body, signal: ctx.signal });
  } catch (e) {
    if ((e as Error)?.name === "OutboundRefusedError") throw e;
    throw new ActionError(
      "HTTP_UNREACHABLE",
      `call_api ${parsed.origin}: ${(e as Error)?.message ?? e}`,
      true,
    );
  }
  const text = await res.text();
  let data: Json = text;
  if ((res.headers.get("content-type") ?? "").includes("json")) {
    try {
      data = JSON.parse(text);
    } catch { /* keep the text */ }
  }
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500;
    throw new ActionError(
      `HTTP_${res.status}`,
      `call_api ${act.config.method} ${parsed.origin}${parsed.pathname} answered ${res.status}: ${
        text.slice(0, 300)
      }`,
      retryable,
      retryAfterMs(res.headers.get("retry-after")),
    );
  }
  return { status: res.status, body: data };
}

/** Actions delivered by other parts of Ora (notifications, webhooks, memory). */
async function integration(l: LeafContext, act: Leaf, key: string): Promise<Json> {
  const { ctx } = l;
  switch (act.type) {
    case "send_webhook": {
      const r = await sendWebhook(ctx.db, ctx.tenantId, {
        url: String(l.render(act.config.url)),
        payload: l.render(act.config.payload ?? {}),
        secret_name: act.config.secret_name,
        headers: l.render(act.config.headers),
        idempotency_key: `${ctx.runId}:${key}`,
        event_type: `automation.${l.automation.slug}`,
        retry_schedule_seconds: act.config.retry_schedule_seconds,
      });
      return { delivery_id: r.delivery_id };
    }
    case "email":
      return await sendNotification(ctx, l.automation, {
        title: l.render(act.config.subject),
        message: l.render(act.config.body),
        type: "info",
        channels: ["email"],
        delivery_config: {
          email: { to: [String(l.render(act.config.to))], subject: l.render(act.config.subject) },
        },
      });
    case "slack":
      return await sendNotification(ctx, l.automation, {
        title: `Automation ${l.automation.name}`,
        message: l.render(act.config.text),
        type: "info",
        channels: ["slack"],
      });
    case "store_memory":
      return await rememberFor(l, act);
    default:
      throw new ActionError("NOT_AVAILABLE", `${act.type} is not available`);
  }
}

/**
 * store_memory: a memory of the tenant (shared, or one agent's), written as the tenant under RLS.
 * A retry of the step stores the same key and content again, which memory records as a noop.
 */
async function rememberFor(l: LeafContext, act: Extract<Leaf, { type: "store_memory" }>) {
  const { ctx } = l;
  const value = l.render(act.config.value) as unknown;
  const content = typeof value === "string" ||
      (value !== null && typeof value === "object" && !Array.isArray(value))
    ? value
    : { value };
  try {
    const r = await storeMemory(ctx.db, ctx.tenantId, {
      type: act.config.type ?? "context",
      key: String(l.render(act.config.key)),
      content: content as string | Record<string, unknown>,
      importance: act.config.importance,
      agent: act.config.agent,
      source: "automation",
      metadata: { automation: l.automation.slug, run_id: ctx.runId },
    }, { config: l.config });
    return { memory_id: r.memory.id, key: r.memory.key, decision: r.decision };
  } catch (e) {
    // what was asked cannot be stored (bad key or content, unknown agent, quota): retrying won't help
    if (e instanceof z.ZodError) {
      throw new ActionError("INVALID_MEMORY", `store_memory: ${z.prettifyError(e)}`);
    }
    if (e instanceof ApiError) throw new ActionError(e.code, `store_memory: ${e.message}`);
    throw e;
  }
}

/** Creates a notification (routed to its channels by app.notification_create). */
export async function sendNotification(
  ctx: RunContext,
  automation: AutomationInput["automation"],
  n: NotificationSpec,
): Promise<Json> {
  const [row] = await ctx.db.s<{ id: string }[]>`
    select app.notification_create(${ctx.tenantId}::uuid, ${{
    ...n,
    source_type: "automation",
    source_id: automation.id,
    data: {
      ...(n.data && typeof n.data === "object" ? n.data : {}),
      automation_id: automation.id,
      run_id: ctx.runId,
    },
  }}::jsonb) as id`;
  return { notification_id: row.id };
}
