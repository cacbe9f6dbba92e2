// The pgmq contract under concurrency (pgTAP runs in one session, so this part lives here):
// concurrent readers never get the same message, and every message is read; a purge does not
// block senders.
import { assert, assertEquals } from "./_assert.ts";
import { config, test } from "./_helpers.ts";
import postgres from "postgres";

test("8 concurrent readers drain 400 messages without ever sharing one", async () => {
  const sql = postgres(config.SUPABASE_DB_URL, { max: 8, prepare: false, onnotice: () => {} });
  const q = `t_concurrent_${crypto.randomUUID().slice(0, 8)}`;
  try {
    await sql`select pgmq.create(${q})`;
    await sql`select pgmq.send_batch(${q}, array(select jsonb_build_object('i', g) from generate_series(1, 400) g))`;
    const seen: number[] = [];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (;;) {
        const batch = await sql<{ msg_id: string }[]>`select msg_id from pgmq.read(${q}, 60, 5)`;
        if (batch.length === 0) return;
        seen.push(...batch.map((m) => Number(m.msg_id)));
      }
    }));
    assertEquals(seen.length, 400, "every message was read");
    assertEquals(new Set(seen).size, 400, "no message went to two readers");
  } finally {
    await sql`select pgmq.drop_queue(${q})`;
    await sql.end();
  }
});

test("a purge does not block a concurrent send, and the message sent meanwhile survives it", async () => {
  const sql = postgres(config.SUPABASE_DB_URL, { max: 2, prepare: false, onnotice: () => {} });
  const q = `t_purge_${crypto.randomUUID().slice(0, 8)}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await sql`select pgmq.create(${q})`;
    await sql`select pgmq.send_batch(${q}, array['{"n": 1}', '{"n": 2}']::jsonb[])`;
    let purged!: () => void;
    let sent!: () => void;
    const purgedNow = new Promise<void>((resolve) => (purged = resolve));
    const sentNow = new Promise<void>((resolve) => (sent = resolve));
    // The purging transaction stays open until the send is done, or 2 s at most: a TRUNCATE
    // (ACCESS EXCLUSIVE) would hold the send back for all of those 2 s.
    const purge = sql.begin(async (tx) => {
      const [{ n }] = await tx`select pgmq.purge_queue(${q}) as n`;
      purged();
      await Promise.race([sentNow, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      return Number(n);
    });
    await Promise.race([purgedNow, purge]);

    const started = performance.now();
    await sql`select pgmq.send(${q}, '{"n": 3}')`;
    const waited = performance.now() - started;
    sent();

    assertEquals(await purge, 2, "the purge deleted the two messages it saw");
    assert(waited < 1000, `the send waited ${Math.round(waited)} ms for the purging transaction`);
    const rest = await sql<
      { n: number }[]
    >`select (message ->> 'n')::int as n from pgmq.read(${q}, 30, 10)`;
    assertEquals(rest.map((m) => m.n), [3], "the message sent during the purge is still queued");
  } finally {
    clearTimeout(timer);
    await sql`select pgmq.drop_queue(${q})`;
    await sql.end();
  }
});
