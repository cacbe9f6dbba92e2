/**
 * Starts a second function server (scripts/serve.ts) with environment overrides (a pool size,
 * prepared statements, a proxy header…), serving the same code against the same database. Its
 * invoke relay is off: the main server keeps relaying wake-ups. Used by tests and benchmarks;
 * loopback only.
 *
 * The server listens on port 0 — the kernel picks a free port and the server's "functions served"
 * log line names it. (A port picked here at random could collide with a connection's ephemeral
 * port, and the child would exit with "address in use".) If the child exits before it listens,
 * the error carries the end of its stderr.
 */
export async function startServer(env: Record<string, string>) {
  const root = new URL("../../", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--env-file=.env.local", "scripts/serve.ts"],
    cwd: root,
    env: { ...env, ORA_FUNCTIONS_PORT: "0", ORA_RELAY: "off" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // keep the end of stderr for an error message; drain both pipes for the child's whole life so
  // it never blocks on a full pipe
  let stderrTail = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(chunk) {
        stderrTail = (stderrTail + chunk).slice(-4000);
      },
    }),
  ).catch(() => {});
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const served = (async (): Promise<string | null> => {
    let buf = "";
    for (;;) {
      const { value, done } = await lines.read();
      if (done) return null;
      buf += value;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const entry = JSON.parse(line);
          if (entry.msg === "functions served") {
            // the rest of stdout is drained and dropped
            (async () => {
              while (!(await lines.read().catch(() => ({ done: true }))).done) { /* drop */ }
            })();
            return String(entry.url).replace(/\/$/, "");
          }
        } catch { /* not a log line */ }
      }
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<{ timeout: true }>((r) =>
    timer = setTimeout(() => r({ timeout: true }), 30_000)
  );
  const exited = child.status.then((s) => ({ exited: s.code }));
  const first = await Promise.race([served.then((url) => ({ url })), exited, timedOut]);
  clearTimeout(timer);
  if (!("url" in first) || first.url === null) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await stderrDone;
    const why = "exited" in first
      ? `exited with code ${first.exited}`
      : "did not start within 30 s";
    throw new Error(`The second function server ${why}:\n${stderrTail}`);
  }
  const url = first.url;
  return {
    url,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await stderrDone;
    },
  };
}
