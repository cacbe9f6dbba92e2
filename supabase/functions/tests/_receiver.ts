/**
 * A scripted HTTP receiver on loopback for delivery tests: records every request (method, path,
 * headers, body, arrival time) and answers from a script (status, headers, body, delay). The
 * local stack's operator setting ORA_OUTBOUND_ALLOW lets the outbound client reach 127.0.0.1.
 */

export interface Received {
  n: number;
  at: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this long (to exceed an attempt's timeout, or keep it in flight). */
  delayMs?: number;
}

export type ReplyScript = (r: Received) => Reply | Promise<Reply>;

export interface Receiver {
  /** http://127.0.0.1:<port> */
  origin: string;
  received: Received[];
  /** Requests whose path starts with `prefix`. */
  on(prefix: string): Received[];
  close(): Promise<void>;
}

/** Starts a receiver; every request gets `script(request)` (default 200 `{"ok":true}`). */
export function startReceiver(script: ReplyScript = () => ({})): Receiver {
  const received: Received[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      const r: Received = {
        n: received.length + 1,
        at: Date.now(),
        method: req.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(req.headers),
        body: await req.text(),
      };
      received.push(r);
      const reply = await script(r);
      if (reply.delayMs) await new Promise((res) => setTimeout(res, reply.delayMs));
      const status = reply.status ?? 200;
      const empty = [101, 204, 205, 304].includes(status);
      return new Response(empty ? null : reply.body ?? '{"ok":true}', {
        status,
        headers: { "content-type": "application/json", ...reply.headers },
      });
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    received,
    on: (prefix) => received.filter((r) => r.path.startsWith(prefix)),
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
