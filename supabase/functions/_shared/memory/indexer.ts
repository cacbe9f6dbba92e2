/**
 * memory-indexer's job: one message of the `embeddings` queue is a batch of chunk ids of one
 * tenant (queued by the triggers on memory_index in the transaction that wrote the chunks).
 * Chunks that still need a vector — none yet, or one for older text — are embedded by the
 * tenant's embedder (holding no connection), then the vectors, the usage event and the
 * message's archive commit together. A vector is written only for the text it was computed
 * from (content_hash), so a chunk changed meanwhile waits for its own job. Failures are
 * classified by the shared consumer: retried with backoff, then dead-lettered.
 */
import type { Config } from "../platform/config.ts";
import { plainWorker } from "../queue/plain.ts";
import { embedAll, resolveEmbedder, tenantSettings, vectorLiteral } from "./embeddings.ts";

export interface EmbeddingJob {
  chunk_ids: string[];
}

interface Pending {
  id: string;
  text: string;
  hash: string;
}

/** The consumer spec of the embeddings queue. */
export function memoryIndexerSpec(config: Config) {
  return plainWorker<EmbeddingJob>("embeddings", async (job, ctx) => {
    const ids = Array.isArray(job.payload.chunk_ids)
      ? job.payload.chunk_ids.filter((id) => /^[0-9a-f-]{36}$/i.test(String(id)))
      : [];
    const pending = ids.length
      ? await ctx.db.s<Pending[]>`
          select m.id, concat_ws(E'\n', m.title, m.content) as text, m.content_hash as hash
          from public.memory_index m
          where m.tenant_id = ${job.tenantId}::uuid and m.id = any(${ids}::uuid[]) and not m.cold
            and (m.embedding is null or m.embedded_hash is distinct from m.content_hash)
          order by m.id`
      : [];
    if (!pending.length) {
      // deleted, gone cold, or embedded by an earlier job: nothing to do
      await ctx.db.service((tx) => job.ackIn(tx));
      return "unchanged";
    }
    const settings = await tenantSettings(ctx.db, job.tenantId);
    const embedder = await resolveEmbedder(ctx.db, config, { id: job.tenantId, settings });
    const out = await embedAll(embedder, pending.map((p) => p.text), ctx.signal);
    const rows = pending.map((p, i) => ({
      id: p.id,
      hash: p.hash,
      embedding: vectorLiteral(out.vectors[i]),
    }));
    await ctx.db.service(async (tx) => {
      await tx`
        update public.memory_index m
        set embedding = v.embedding::extensions.vector, embedding_model = ${embedder.model},
          embedded_hash = v.hash, embedded_at = now()
        from jsonb_to_recordset(${tx.json(rows as never)}) as v(id uuid, hash text, embedding text)
        where m.id = v.id and m.tenant_id = ${job.tenantId} and m.content_hash = v.hash and not m.cold`;
      if (embedder.provider === "openai") {
        await tx`select app.memory_embedding_usage(${job.tenantId}, ${embedder.provider},
          ${embedder.model.replace(/^openai:/, "")}, ${out.tokens}, ${rows.length})`;
      }
      await job.ackIn(tx);
    }, { tenant_id: job.tenantId });
    return "completed";
  }, { retryBaseMs: config.ORA_RETRY_BASE_MS, maxAttempts: 5 });
}
