/**
 * Local function server (stands in for `supabase functions serve`, which needs Docker):
 * serves every supabase/functions/<name>/index.ts at http://127.0.0.1:54321/functions/v1/<name>,
 * and relays app.invoke_function() notifications (channel `ora_invoke`, used where pg_net is
 * absent) as the same HTTP call hosted Supabase would make with pg_net.
 *
 *   deno run --env-file=.env.local --allow-all scripts/serve.ts
 */
import postgres from "postgres";
import { runShutdownHooks } from "../supabase/functions/_shared/platform/batch.ts";

type FetchFn = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

const root = new URL("../supabase/functions/", import.meta.url);
const port = Number(Deno.env.get("ORA_FUNCTIONS_PORT") ?? "54321");
const serviceKey = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
const dbUrl = Deno.env.get("SUPABASE_DB_URL");
if (!serviceKey || !dbUrl) {
  console.error(
    "Server misconfigured: SUPABASE_SERVICE_ROLE_KEY and SUPABASE_DB_URL must be set (see .env.local)",
  );
  Deno.exit(1);
}

function line(msg: string, fields: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), component: "serve", msg, ...fields }));
}

// ---- load every function -------------------------------------------------------------
const functions = new Map<string, FetchFn>();
for (const entry of [...Deno.readDirSync(root)].sort((a, b) => a.name.localeCompare(b.name))) {
  if (!entry.isDirectory || entry.name.startsWith("_") || entry.name === "tests") continue;
  const index = new URL(`${entry.name}/index.ts`, root);
  try {
    Deno.statSync(index);
  } catch {
    continue;
  }
  const mod = await import(index.href);
  if (typeof mod.default?.fetch !== "function") {
    console.error(`Function ${entry.name} has no default export { fetch }`);
    Deno.exit(1);
  }
  functions.set(entry.name, mod.default.fetch.bind(mod.default));
}

const PREFIX = "/functions/v1/";
const server = Deno.serve(
  { hostname: "127.0.0.1", port, onListen: () => {} },
  async (req, info) => {
    const url = new URL(req.url);
    if (!url.pathname.startsWith(PREFIX)) {
      return Response.json({
        error: { code: "NOT_FOUND", message: `Functions are served under ${PREFIX}<name>` },
      }, {
        status: 404,
      });
    }
    const name = url.pathname.slice(PREFIX.length).split("/")[0];
    const fn = functions.get(name);
    if (!fn) {
      return Response.json(
        { error: { code: "NOT_FOUND", message: `No function named '${name}'` } },
        { status: 404 },
      );
    }
    return await fn(req, info);
  },
);
line("functions served", {
  url: `http://127.0.0.1:${port}${PREFIX}`,
  functions: [...functions.keys()],
});

// ---- invoke relay ----------------------------------------------------------------------
// Wake-ups are coalesced per (function, body): while one call is in flight, any number of
// further notifications collapse into a single follow-up call.
const inFlight = new Map<string, { again: boolean }>();

async function relay(fnName: string, body: unknown): Promise<void> {
  const key = `${fnName}\u0000${JSON.stringify(body)}`;
  const running = inFlight.get(key);
  if (running) {
    running.again = true;
    return;
  }
  const state = { again: false };
  inFlight.set(key, state);
  try {
    do {
      state.again = false;
      const started = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${port}${PREFIX}${fnName}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${serviceKey}` },
          body: JSON.stringify(body ?? {}),
        });
        await res.body?.cancel();
        line("invoked", {
          function: fnName,
          status: res.status,
          ms: Math.round(performance.now() - started),
        });
      } catch (e) {
        line("invoke failed", { function: fnName, error: String((e as Error).message) });
      }
    } while (state.again);
  } finally {
    inFlight.delete(key);
  }
}

const listener = postgres(dbUrl, {
  max: 1,
  onnotice: () => {},
  connection: { application_name: "ora-invoke-relay" },
});
await listener.listen("ora_invoke", (payload) => {
  try {
    const msg = JSON.parse(payload) as { function?: string; body?: unknown };
    if (typeof msg.function !== "string") throw new Error("no function name");
    void relay(msg.function, msg.body);
  } catch (e) {
    line("ignored malformed invoke notification", { error: String((e as Error).message) });
  }
});
line("invoke relay listening", { channel: "ora_invoke" });
// Drain whatever a crash or a lost wake-up left behind, as hosted pg_cron would within a minute.
if (functions.has("agent-worker")) void relay("agent-worker", { reason: "boot" });

async function shutdown(): Promise<void> {
  line("shutting down");
  await server.shutdown();
  await runShutdownHooks(); // flush batched request logs and key usage
  await listener.end({ timeout: 2 });
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
