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
