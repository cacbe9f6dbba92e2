/**
 * The demo `npm start` runs once the stack is up: the demo tenant's industrial agents
 * investigate a pump through orchestration-manager, each with what the tenant's memory holds
 * about it (seed.sql) in its prompt; what each recalled and the coordinator's brief are printed.
 * With no LLM configured the offline provider answers (and says so).
 *
 *   deno run --allow-all --env-file=.env.local scripts/demo.ts
 */
const url = `${Deno.env.get("SUPABASE_URL")}/functions/v1/orchestration-manager`;
const key = Deno.env.get("ORA_API_KEY");
if (!key) {
  console.error("Server misconfigured: ORA_API_KEY missing from .env.local");
  Deno.exit(1);
}

const started = performance.now();
const res = await fetch(url, {
  method: "POST",
  headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  body: JSON.stringify({
    action: "sessions.spawn",
    data: {
      agent: "rex",
      query:
        "Pump P-101: vibration up 40% in a week and bearing temperature rising. What is happening and what do we do?",
      children: [{ agent: "pdm" }, { agent: "rca" }, { agent: "safety" }],
      wait_ms: 20_000,
    },
  }),
});
const body = await res.json();
if (res.status !== 200) {
  console.error(
    `    demo spawn failed (${res.status}): ${body.error?.message ?? JSON.stringify(body)}`,
  );
  Deno.exit(1);
}
const st = body.data.status;
const ms = Math.round(performance.now() - started);
console.error(
  `    demo: sessions.spawn pdm + rca + safety → ${st.status} (${st.coordination}) in ${ms} ms`,
);
for (const c of st.children) {
  console.error(`      ${c.agent_slug.padEnd(8)} ${c.status.padEnd(10)} ${c.provider ?? ""}`);
  // what the agent recalled from the tenant's memory (retrieved into its prompt, listed in its metrics)
  const used = (c.metrics?.memory?.used ?? []) as { key: string; type: string; tier: string }[];
  if (used.length) {
    console.error(
      `        recalled ${used.map((u) => `${u.key} (${u.type}, ${u.tier})`).join(", ")}`,
    );
  }
  const recalled = ((c.output?.findings ?? []) as string[]).filter((f) =>
    f.startsWith("Recalled from memory")
  );
  for (const f of recalled.slice(0, 3)) console.error(`          ${f}`);
}
const brief = String(st.result?.brief ?? "").split("\n").map((l: string) => `      ${l}`).join(
  "\n",
);
console.error(`    brief (${st.result?.brief_source}):\n${brief}`);
console.error(
  `    session ${body.data.session.id}: see it with sessions.status, or in Studio (agent_sessions).`,
);

// ---- autonomous behaviour: a hot lead fires the built-in Hot Lead Alert automation ----------
const ora = `${Deno.env.get("SUPABASE_URL")}/functions/v1/ora`;
async function act(action: string, data: unknown) {
  const r = await fetch(ora, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ action, data }),
  });
  const b = await r.json();
  if (r.status !== 200) throw new Error(`${action} failed (${r.status}): ${b.error?.message}`);
  return b.data;
}
const t0 = performance.now();
const lead = await act("leads.create", {
  name: "Grace Hopper",
  email: "grace@example.com",
  company: "Navy Labs",
  ai_score: 92,
  source: "demo",
});
const [hot] = (await act("automations.list", { tag: "built-in", trigger_type: "event" })).items
  .filter((a: { slug: string }) => a.slug === "hot-lead-alert");
let run: Record<string, unknown> | undefined;
for (let i = 0; i < 100 && hot; i++) {
  const h = await act("automations.history", { id: hot.id, limit: 5 });
  run = h.items.find((r: { trigger_data: { new?: { id?: string } } }) =>
    r.trigger_data?.new?.id === lead.id
  );
  if (run && ["success", "partial", "failed", "skipped"].includes(String(run.status))) break;
  await new Promise((r) => setTimeout(r, 200));
}
if (!run) {
  console.error("    demo: the Hot Lead Alert automation did not fire (is it active?)");
  Deno.exitCode = 1;
} else {
  console.error(
    `    demo: hot lead (score 92) → Hot Lead Alert run ${run.id} ${run.status} in ${
      Math.round(performance.now() - t0)
    } ms`,
  );
  for (
    const [name, r] of Object.entries(run.action_results as Record<string, Record<string, unknown>>)
  ) {
    const detail = r.status === "failed"
      ? (r.error as { message: string }).message
      : JSON.stringify(r.output).slice(0, 100);
    console.error(`      ${name.padEnd(9)} ${String(r.status).padEnd(9)} ${detail}`);
  }
  console.error("    see it with automations.history, runs.get, or in Studio (automation_runs).");
}

// ---------------------------------------------------------------------------------------------
// Tools behind an approval gate: a copilot session pauses on a write and finishes once a person
// (here: an approver key, through the API) approves it.
// ---------------------------------------------------------------------------------------------

await toolsDemo().catch((e) => {
  console.error(`    tools demo failed: ${(e as Error).message}`);
  Deno.exitCode = 1;
});

async function toolsDemo(): Promise<void> {
  const ora = `${Deno.env.get("SUPABASE_URL")}/functions/v1/ora`;
  // deno-lint-ignore no-explicit-any
  const act = async (k: string, action: string, data: unknown): Promise<any> => {
    const r = await fetch(ora, {
      method: "POST",
      headers: { authorization: `Bearer ${k}`, "content-type": "application/json" },
      body: JSON.stringify({ action, data }),
    });
    const b = await r.json();
    if (r.status !== 200) throw new Error(`${action}: ${r.status} ${b.error?.message ?? ""}`);
    return b.data;
  };
  // A stand-in model on loopback (OpenAI protocol), so the demo calls tools the same way every
  // time, with or without an LLM key: read the vibration, then ask for a work order.
  const model = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    const tools = body.messages.filter((m: { role: string }) => m.role === "tool");
    const call = (name: string, args: unknown) => ({
      role: "assistant",
      content: null,
      tool_calls: [{
        id: `call_${tools.length}`,
        type: "function",
        function: { name, arguments: JSON.stringify(args) },
      }],
    });
    const last = tools.length ? JSON.parse(tools[tools.length - 1].content) : null;
    const message = tools.length === 0
      ? call("scada__get_tag", { tag: "P-101.VIB" })
      : tools.length === 1
      ? call("cmms__create_work_order", {
        asset_id: "P-101",
        title: "Replace P-101 drive-end bearing",
        description:
          `Vibration ${last?.result?.value} ${last?.result?.unit} and rising (alarm at ${last?.result?.alarm_limit})`,
        priority: "high",
        work_type: "corrective",
      })
      : {
        role: "assistant",
        content: JSON.stringify({
          summary: last?.status === "executed"
            ? `Work order ${last.result.work_order_id} raised for P-101 (bearing replacement).`
            : `The work order was not raised: ${
              last?.reason ?? last?.error?.message ?? last?.status
            }.`,
          findings: ["P-101 vibration is rising towards its alarm limit"],
          recommendations: ["Replace the drive-end bearing at the next opportunity"],
          citations: [{ source: "scada", ref: "P-101.VIB" }],
          confidence: "medium",
        }),
      };
    return Response.json({
      id: "demo",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: "ora-demo",
      choices: [{
        index: 0,
        message,
        finish_reason: "tool_calls" in message ? "tool_calls" : "stop",
      }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  });
  const modelUrl = `http://127.0.0.1:${(model.addr as Deno.NetAddr).port}/v1`;
  const settings = await act(key!, "settings.get", {});
  const llm = settings.llm ?? {};
  let approverId: string | undefined;
  try {
    await act(key!, "settings.update", {
      llm: { ...llm, providers: { ...(llm.providers ?? {}), ora_demo: { base_url: modelUrl } } },
    });
    await act(key!, "agents.upsert", {
      slug: "demo_planner",
      name: "Work Order Planner (demo)",
      persona:
        "You are the Work Order Planner. Check the condition data, then raise the work order it calls for.",
      allowed_tools: ["scada.get_tag", "cmms.create_work_order"],
      model_settings: { provider: "ora_demo", model: "ora-demo" },
      is_active: true,
    });
    // the demo key starts the session, so it may not approve it: an approver key does
    const approver = await act(key!, "keys.create", {
      name: "demo approver",
      scopes: ["approvals:*"],
    });
    approverId = approver.id;
    const t0 = performance.now();
    const session = await act(key!, "agents.run", {
      agent: "demo_planner",
      query: "P-101 vibration is rising: act on it.",
      mode: "copilot",
    });
    let approval;
    for (let i = 0; i < 100 && !approval; i++) {
      await new Promise((r) => setTimeout(r, 100));
      approval = (await act(key!, "approvals.list", { status: "pending", run_id: session.id }))
        .items[0];
    }
    if (!approval) throw new Error("the session did not ask for approval");
    const waiting = await act(key!, "agents.status", { session_id: session.id });
    console.error(
      `    tools demo: copilot session ${session.id} read scada.get_tag, then paused (${waiting.status}) on approval ${approval.id}:`,
    );
    console.error(
      `      ${approval.tool} ${
        JSON.stringify(approval.arguments)
      } — risk ${approval.risk_score}, ${approval.decision.reasons.join("; ")}`,
    );
    const decided = await act(approver.key, "approvals.approve", {
      id: approval.id,
      reason: "Bearing replacement approved (demo)",
    });
    console.error(`    approvals.approve by ${decided.decided_by} → ${decided.status}`);
    let st;
    for (let i = 0; i < 100; i++) {
      st = await act(key!, "agents.status", { session_id: session.id });
      if (st.done) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const trail = await act(key!, "tools.audit", { run_id: session.id, order: "asc" });
    console.error(
      `    session ${st.status} in ${Math.round(performance.now() - t0)} ms: ${
        st.result?.summary ?? st.session?.error?.message
      }`,
    );
    console.error(
      `    audit: ${
        trail.items.map((a: { event: string; tool: string }) => `${a.event} ${a.tool}`).join(" → ")
      }`,
    );
  } finally {
    await act(key!, "settings.update", { llm }).catch(() => {});
    await act(key!, "agents.upsert", {
      slug: "demo_planner",
      name: "Work Order Planner (demo)",
      is_active: false,
    })
      .catch(() => {});
    if (approverId) await act(key!, "keys.revoke", { id: approverId }).catch(() => {});
    await model.shutdown();
  }
}
