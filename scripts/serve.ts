/**
 * Local function server (stands in for `supabase functions serve`, which needs Docker):
 * serves every supabase/functions/<name>/index.ts at http://127.0.0.1:54321/functions/v1/<name>,
 * and relays app.function_invoke() requests (app.invoke_requests, announced on channel
 * `ora_invoke`, used where pg_net is absent) as the same HTTP call hosted Supabase would make
 * with pg_net.
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
// port 0 (used by tests' second servers) lets the kernel pick a free port; the line says which
line("functions served", {
  url: `http://127.0.0.1:${server.addr.port}${PREFIX}`,
  functions: [...functions.keys()],
});

// ---- invoke relay ----------------------------------------------------------------------
// app.function_invoke (where pg_net is absent) writes each wake-up to app.invoke_requests, a table
// no API role can read or write, and notifies only the row id on channel ora_invoke. Anyone may
// pg_notify, so a notification is just a hint: the relay claims the row by id (delete … returning,
// as the database owner) and calls only what it claimed; anything else is ignored and logged.
// Wake-ups are coalesced per (function, body): at most two calls are in flight — typically a
// long drain and a short one that hands new work to it (the worker function pokes its running
// drain and answers at once) — and any further requests meanwhile collapse into one follow-up.
const inFlight = new Map<string, { calls: number; again: boolean }>();

async function relay(fnName: string, body: unknown): Promise<void> {
  const key = `${fnName}\u0000${JSON.stringify(body)}`;
  const state = inFlight.get(key) ?? { calls: 0, again: false };
  inFlight.set(key, state);
  if (state.calls >= 2) {
    state.again = true;
    return;
  }
  state.calls++;
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
    state.calls--;
    if (state.calls === 0) inFlight.delete(key);
  }
}

const relayDb = postgres(dbUrl, {
  max: 2,
  prepare: false,
  onnotice: () => {},
  connection: { application_name: "ora-invoke-relay" },
});

type InvokeRequest = { id: string; function_name: string; body: unknown };

function ignored(reason: string, payload: string): void {
  line("ignored invoke notification", { reason, payload: payload.slice(0, 100) });
}

async function claimAndRelay(payload: string): Promise<void> {
  if (!/^[1-9][0-9]{0,18}$/.test(payload)) {
    ignored("not a request id (only app.function_invoke can ask for a call)", payload);
    return;
  }
  try {
    // one round trip (simple protocol): payload is digits only, checked above
    const [request] = await relayDb.unsafe<InvokeRequest[]>(
      `delete from app.invoke_requests where id = ${payload}::bigint returning id, function_name, body`,
    );
    if (!request) {
      ignored("no pending request with this id", payload);
      return;
    }
    void relay(request.function_name, request.body);
  } catch (e) {
    line("invoke claim failed", { id: payload, error: String((e as Error).message) });
  }
}

// ORA_RELAY=off serves the functions only (a second server for tests and benchmarks: one relay per
// database is enough, and a second would race the first for every wake-up).
if (Deno.env.get("ORA_RELAY") !== "off") {
  await relayDb.listen("ora_invoke", (payload) => void claimAndRelay(payload));
  line("invoke relay listening", { channel: "ora_invoke" });
  // Requests written while no relay was listening (a stop or a crash), oldest first.
  const pending = await relayDb<InvokeRequest[]>`
    with claimed as (delete from app.invoke_requests returning id, function_name, body)
    select * from claimed order by id`;
  for (const request of pending) void relay(request.function_name, request.body);
  if (pending.length > 0) {
    line("relaying requests left from before start-up", { count: pending.length });
  }
  // Drain whatever a crash or a lost wake-up left behind (app.tick would within a second or two).
  if (functions.has("agent-worker")) void relay("agent-worker", { reason: "boot" });
}

async function shutdown(): Promise<void> {
  line("shutting down");
  await server.shutdown();
  await runShutdownHooks(); // flush batched request logs and key usage
  await relayDb.end({ timeout: 2 });
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
