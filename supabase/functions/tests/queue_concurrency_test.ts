// The pgmq contract under concurrency (pgTAP runs in one session, so this part lives here):
// concurrent readers never get the same message, and every message is read.
import { assertEquals } from "./_assert.ts";
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
