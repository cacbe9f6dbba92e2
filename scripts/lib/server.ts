/**
 * Starts a second function server (scripts/serve.ts) on its own port with environment overrides
 * (a pool size, prepared statements, a proxy header…), serving the same code against the same
 * database. Its invoke relay is off: the main server keeps relaying wake-ups. Used by tests and
 * benchmarks; loopback only.
 */
export async function startServer(env: Record<string, string>) {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const root = new URL("../../", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--env-file=.env.local", "scripts/serve.ts"],
    cwd: root,
    env: { ...env, ORA_FUNCTIONS_PORT: String(port), ORA_RELAY: "off" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}/functions/v1`;
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/ora`);
      await r.body?.cancel();
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`The second function server on port ${port} did not start within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
