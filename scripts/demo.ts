/**
 * The demo `npm start` runs once the stack is up: the demo tenant's industrial agents
 * investigate a pump through orchestration-manager, and the coordinator's brief is printed.
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
  Deno.exit(1);
}
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
