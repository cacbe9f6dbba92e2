/**
 * Tools behind the gate.
 *  1. Gate overhead per call: the same sandbox read (scada.get_tag) through the gate — context
 *     (one round trip), policy evaluation, the inline adapter call and the audit record (one round
 *     trip) — beside the direct adapter call; and the policy evaluation alone. In process, the
 *     way the agent worker calls it, sequential.
 *  2. Approve → session resumed: copilot sessions (scripted model on loopback, instant) park on an
 *     approval; the clock runs from approvals.approve until the worker runs the session again, and
 *     until it completed (the executor ran the call, the session resumed a second time, the model
 *     answered) — beside spawn → running for a fresh session in the same run (the same queue path).
 */
import postgres from "postgres";
import { loadConfig } from "../../supabase/functions/_shared/platform/config.ts";
import { Db } from "../../supabase/functions/_shared/platform/db.ts";
import { runRead } from "../../supabase/functions/_shared/tools/adapters.ts";
import { gate } from "../../supabase/functions/_shared/tools/gate.ts";
import { evaluate } from "../../supabase/functions/_shared/tools/policy.ts";
import { TOOLS } from "../../supabase/functions/_shared/tools/registry.ts";
import { agentReply, startLlmServer } from "../../supabase/functions/tests/_llm_server.ts";
import { benchTenant, fmt, pct, postAction, table } from "./_stats.ts";

const config = loadConfig();
const base = `${config.SUPABASE_URL}/functions/v1`;
const sql = postgres(config.SUPABASE_DB_URL, { max: 4, prepare: false, onnotice: () => {} });
const service = config.SUPABASE_SERVICE_ROLE_KEY;
const db = new Db({ ...config, ORA_DB_POOL_SIZE: 4 }, "bench-tools");

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const tenants: string[] = [];
try {
  // ------------------------------------------------------------------------------------------
  // 1. Gate overhead
  // ------------------------------------------------------------------------------------------
  const t = await benchTenant(base, service, "bench-gate");
  tenants.push(t.id);
  const tool = TOOLS.get("scada.get_tag")!;
  const deps = { db, config };
  const N = 400;
  const direct: number[] = [];
  const gated: number[] = [];
  for (let i = 0; i < 20; i++) { // warm both paths
    await runRead(deps, {
      tenantId: t.id,
      tool,
      args: { tag: "P-101.VIB" },
      callKey: `warm:${i}`,
      requester: {},
      integration: null,
      adapter: "sandbox",
    });
    await gate(deps, {
      tenantId: t.id,
      tool: tool.name,
      args: { tag: "P-101.VIB" },
      mode: "copilot",
      requestKey: `warm:${i}`,
    });
  }
  for (let i = 0; i < N; i++) {
    let t0 = performance.now();
    await runRead(deps, {
      tenantId: t.id,
      tool,
      args: { tag: "P-101.VIB" },
      callKey: `direct:${i}`,
      requester: {},
      integration: null,
      adapter: "sandbox",
    });
    direct.push(performance.now() - t0);
    t0 = performance.now();
    const g = await gate(deps, {
      tenantId: t.id,
      tool: tool.name,
      args: { tag: "P-101.VIB" },
      mode: "copilot",
      requestKey: `gated:${i}`,
      requester: { requested_by: "bench" },
    });
    gated.push(performance.now() - t0);
    if (g.outcome !== "executed") throw new Error(`gate answered ${g.outcome}`);
  }
  const evalN = 20_000;
  const input = {
    tool: TOOLS.get("scada.set_setpoint")!,
    args: { tag: "P-101.TEMP", value: 70, reason: "r" },
    mode: "autonomous" as const,
    enabled: true,
    policies: [{
      id: "p",
      name: "range",
      tool: "scada.set_setpoint",
      agent: null,
      effect: "allow" as const,
      conditions: {
        arg_ranges: { value: { min: 0, max: 80 } },
        time_window: { start: "00:00", end: "23:59" },
        max_asset_criticality: "B" as const,
      },
      approver_roles: null,
      approval_ttl_seconds: null,
      priority: 0,
    }],
    asset: { asset_id: "P-101", criticality: "C" as const },
    timezone: "Europe/Oslo",
    now: new Date(),
    approvals: {},
    approvers: ["admin"],
  };
  const t0 = performance.now();
  for (let i = 0; i < evalN; i++) evaluate(input);
  const evalUs = ((performance.now() - t0) * 1000) / evalN;
  const [{ audit }] =
    await sql`select count(*)::int as audit from public.tool_audit where tenant_id = ${t.id}`;

  console.log(`  gate overhead per call: scada.get_tag (sandbox), ${N} sequential calls each`);
  table(["path", "p50 ms", "p95 ms", "mean ms", "× direct (p50)"], [
    [
      "direct adapter call",
      fmt(pct(direct, 50), 2),
      fmt(pct(direct, 95), 2),
      fmt(mean(direct), 2),
      "1.00",
    ],
    [
      "through the gate",
      fmt(pct(gated, 50), 2),
      fmt(pct(gated, 95), 2),
      fmt(mean(gated), 2),
      fmt(pct(gated, 50) / pct(direct, 50), 2),
    ],
  ]);
  console.log(
    `  gate overhead: ${fmt(pct(gated, 50) - pct(direct, 50), 2)} ms per call at p50 ` +
      `(context + audit: 2 round trips); policy evaluation alone ${fmt(evalUs, 1)} µs; ` +
      `${audit} audit rows written`,
  );

  // ------------------------------------------------------------------------------------------
  // 2. Approve → session resumed
  // ------------------------------------------------------------------------------------------
  const llm = startLlmServer((r) =>
    r.body.messages.some((m) => m.role === "tool") ? { content: agentReply("done") } : {
      toolCalls: [{
        name: "cmms__create_work_order",
        arguments: { asset_id: "P-101", title: "Bench work order" },
      }],
    }
  );
  try {
    const s = await benchTenant(base, service, "bench-approve", {
      packs: ["industrial"],
      limits: { max_concurrent_sessions: 64 },
    });
    tenants.push(s.id);
    const origin = new URL(llm.url).origin;
    await postAction(`${base}/ora`, s.key, "secrets.set", {
      name: "llm",
      value: "sk-bench-scripted",
      origin,
    });
    await postAction(`${base}/ora`, s.key, "settings.update", {
      llm: {
        providers: { scripted: { base_url: llm.url, api_key_secret: "llm" } },
        provider: "scripted",
        model: "scripted",
      },
    });
    const approver = (await postAction(`${base}/ora`, s.key, "keys.create", {
      name: "approver",
      scopes: ["approvals:*"],
      rate_limit_per_minute: 100_000,
    })).key as string;

    const R = 30;
    const spawnToRunning: number[] = [];
    const resumed: number[] = [];
    const completed: number[] = [];
    const approveCall: number[] = [];
    const poll = async (q: () => Promise<boolean>, limitMs = 20_000) => {
      const until = performance.now() + limitMs;
      while (!(await q())) {
        if (performance.now() > until) throw new Error("bench: condition not met in time");
        await new Promise((r) => setTimeout(r, 2));
      }
      return performance.now();
    };
    for (let i = 0; i < R; i++) {
      const t1 = performance.now();
      const run = await postAction(`${base}/ora`, s.key, "agents.run", {
        agent: "work_order",
        query: `bench ${i}`,
        mode: "copilot",
      });
      const started = await poll(async () =>
        (await sql`select 1 from public.runs where id = ${run.id} and started_at is not null`)
          .length > 0
      );
      spawnToRunning.push(started - t1);
      let approval = "";
      await poll(async () => {
        const rows =
          await sql`select a.id from public.approvals a join public.runs r on r.id = a.run_id
          where a.run_id = ${run.id} and a.status = 'pending' and r.status = 'waiting'`;
        approval = rows[0]?.id ?? "";
        return !!approval;
      });
      const t2 = performance.now();
      await postAction(`${base}/ora`, approver, "approvals.approve", { id: approval });
      approveCall.push(performance.now() - t2);
      const back = await poll(async () =>
        (await sql`select 1 from public.runs where id = ${run.id}
          and (status in ('running', 'completed') or wake is not null and status <> 'queued')`)
          .length > 0
      );
      resumed.push(back - t2);
      const done = await poll(async () =>
        (await sql`select 1 from public.runs where id = ${run.id} and status = 'completed'`)
          .length > 0
      );
      completed.push(done - t2);
    }
    console.log(`\n  approve → session resumed: ${R} copilot sessions, instant scripted model`);
    table(["measure", "p50 ms", "p95 ms", "× spawn → running (p50)"], [
      [
        "spawn → running (anchor: queue → worker)",
        fmt(pct(spawnToRunning, 50)),
        fmt(pct(spawnToRunning, 95)),
        "1.00",
      ],
      [
        "approvals.approve request",
        fmt(pct(approveCall, 50)),
        fmt(pct(approveCall, 95)),
        fmt(pct(approveCall, 50) / pct(spawnToRunning, 50), 2),
      ],
      [
        "approve → session running again",
        fmt(pct(resumed, 50)),
        fmt(pct(resumed, 95)),
        fmt(pct(resumed, 50) / pct(spawnToRunning, 50), 2),
      ],
      [
        "approve → session completed (call executed)",
        fmt(pct(completed, 50)),
        fmt(pct(completed, 95)),
        fmt(pct(completed, 50) / pct(spawnToRunning, 50), 2),
      ],
    ]);
  } finally {
    await llm.close();
  }
} finally {
  if (tenants.length) {
    await sql`select app.run_cancel(r.tenant_id, r.id, 'bench ended') from public.runs r
      where r.tenant_id = any(${tenants}) and r.parent_run_id is null and not app.run_is_terminal(r.status)`;
    await sql`delete from public.tenants where id = any(${tenants})`;
  }
  await db.end();
  await sql.end();
}
