-- The memory index (seed 004 §2): chunks of anything worth searching — memories, blog posts,
-- lead notes, documents, conversations, tool results — with a generated tsvector and an
-- embedding. Writes enqueue embedding jobs on the `embeddings` queue in the same transaction
-- (drained by the memory-indexer function); search is one SQL function fusing HNSW kNN and
-- full-text ranks by reciprocal rank, tenant-scoped by RLS; a semantic cache keyed by tenant,
-- normalised query and filters is invalidated by the tenant's index version.
--
-- THE EMBEDDING DIMENSION is configured in one place: the type of memory_index.embedding below
-- (384: gte-small, text-embedding-3-* with dimensions=384). Everything else reads it from the
-- catalog (app.memory_embedding_dimensions()); changing it is one `alter table … type
-- extensions.vector(<n>)` (see docs/memory.md).

-- btree_gin: one GIN index over (tenant_id, content_tsv), so a tenant's full-text candidates are
-- found without reading other tenants' matches
create extension if not exists btree_gin with schema extensions;

-- ============================================================================
-- MEMORY INDEX
-- ============================================================================
create table public.memory_index (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  source_type text not null check (source_type in ('memory', 'post', 'lead_note', 'document', 'conversation', 'tool_result')),
  source_id uuid not null,
  chunk_index integer not null default 0 check (chunk_index >= 0),
  asset_id uuid,
  title text,
  content text not null,
  content_tsv tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english'::regconfig, content), 'B')) stored,
  content_hash text generated always as (md5(coalesce(title, '') || chr(10) || content)) stored,
  embedding extensions.vector(384),
  embedding_model text,
  embedded_hash text,
  embedded_at timestamptz,
  cold boolean not null default false,
  memory_type text,
  memory_status text check (memory_status in ('live', 'superseded')),
  agent_id uuid,
  health real,
  source_created_at timestamptz not null default now(),
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, source_type, source_id, chunk_index)
);
create index memory_index_tenant_tsv_idx on public.memory_index using gin (tenant_id, content_tsv);
create index memory_index_embedding_idx on public.memory_index
  using hnsw (embedding extensions.vector_cosine_ops) with (m = 16, ef_construction = 64);
create index memory_index_tenant_time_idx on public.memory_index (tenant_id, source_created_at desc);
create index memory_index_pending_idx on public.memory_index (tenant_id) where embedding is null and not cold;

comment on table public.memory_index is 'Searchable chunks (seed 004 §2) of memories, blog posts, lead notes, documents, conversations and tool results: full text (content_tsv) and an embedding written by memory-indexer. Read through public.memory_search (hybrid search); written by triggers on the sources and by app.memory_index_put.';
comment on column public.memory_index.source_type is 'memory (agent_memory), post (blog_posts), lead_note (leads.notes), document, conversation, tool_result (memory.index).';
comment on column public.memory_index.source_id is 'Id of the source row (agent_memory.id, blog_posts.id, leads.id) or the document''s id.';
comment on column public.memory_index.chunk_index is 'Position of the chunk in its source: long content is cut into chunks of about 1200 characters overlapping by 200 (app.memory_chunks).';
comment on column public.memory_index.asset_id is 'Equipment or other asset the content is about (search filter).';
comment on column public.memory_index.content_hash is 'md5 of title and content: an embedding is written for one hash, and only changed content is embedded again.';
comment on column public.memory_index.embedding is 'The chunk''s embedding (null while waiting for memory-indexer, and in the cold tier). THE dimension of the whole system: see the migration''s header.';
comment on column public.memory_index.embedding_model is 'Which embedder wrote the vector (openai:<model>, supabase:gte-small, offline:lexical-v1); search compares only vectors of the tenant''s current model.';
comment on column public.memory_index.embedded_hash is 'content_hash the embedding was computed for.';
comment on column public.memory_index.cold is 'Cold tier (archived memory): no embedding, still searchable by text.';
comment on column public.memory_index.memory_type is 'For memories: the memory type (search filter); null for other sources.';
comment on column public.memory_index.memory_status is 'For memories: live or superseded (superseded ones are left out of search unless asked for).';
comment on column public.memory_index.agent_id is 'For memories: the owning agent, null when shared.';
comment on column public.memory_index.health is 'For memories: the memory''s health score (min_health filter, health weighting); null for other sources.';
comment on column public.memory_index.source_created_at is 'When the source was created or published (time filters and time decay).';
comment on column public.memory_index.title is 'Title of the source, searched with weight A (e.g. the post title or memory key).';
comment on column public.memory_index.content is 'The chunk''s text, searched with weight B and embedded.';
comment on column public.memory_index.content_tsv is 'Generated English full-text vector of title (weight A) and content (weight B).';
comment on column public.memory_index.embedded_at is 'When memory-indexer wrote the embedding; null while waiting or cold.';
comment on column public.memory_index.metadata is 'Facts about the source kept for results, e.g. {key, importance, tier} for memories or {slug, status, tags} for posts.';

alter table public.memory_index enable row level security;
alter table public.memory_index force row level security;
create policy "Index chunks are viewable within their tenant" on public.memory_index
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.memory_index from anon;
revoke insert, update, delete on public.memory_index from authenticated;

-- ============================================================================
-- INDEX STATE (version for cache invalidation, sizes for the search strategy)
-- ============================================================================
create table public.memory_index_state (
  tenant_id uuid primary key references public.tenants (id) on delete cascade,
  version bigint not null default 0,
  chunks integer not null default 0,
  embedded integer not null default 0,
  changed_at timestamptz not null default now()
);
comment on table public.memory_index_state is 'Per tenant: the index version (bumped by every change of memory_index: semantic_cache entries of an older version are stale), the number of chunks and of embedded chunks (memory_search searches exactly below a size, with HNSW above). Kept by statement triggers; recounted by maintenance.';
comment on column public.memory_index_state.version is 'Incremented by every statement that changes the tenant''s chunks.';
comment on column public.memory_index_state.embedded is 'Chunks with an embedding.';
comment on column public.memory_index_state.chunks is 'Chunks of the tenant in memory_index (recounted by maintenance).';
comment on column public.memory_index_state.changed_at is 'When the tenant''s chunks last changed.';
alter table public.memory_index_state enable row level security;
alter table public.memory_index_state force row level security;
create policy "Index state is viewable within its tenant" on public.memory_index_state
  for select to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.memory_index_state from anon;
revoke insert, update, delete on public.memory_index_state from authenticated;

-- ============================================================================
-- THE EMBEDDINGS QUEUE
-- ============================================================================
select app.queue_register('embeddings', 'memory-indexer',
  'Chunks of memory_index to embed: {"tenant_id", "chunk_ids": [uuid, …]} (at most 64 per message)', 2);

-- The dimension of memory_index.embedding, read from the catalog (the one place it is configured).
create or replace function app.memory_embedding_dimensions()
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select a.atttypmod from pg_catalog.pg_attribute a
  where a.attrelid = 'public.memory_index'::regclass and a.attname = 'embedding' and not a.attisdropped
$$;
comment on function app.memory_embedding_dimensions() is 'Workers: the dimension of memory_index.embedding (its type modifier), so embedders produce vectors of the one configured size.';

-- Queues chunks of one tenant for embedding (messages of at most 64 chunks) and wakes memory-indexer.
create or replace function app.memory_embed_send(tenant_id uuid, chunk_ids uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_n integer := coalesce(array_length(memory_embed_send.chunk_ids, 1), 0);
  v_i integer := 1;
  v_messages integer := 0;
begin
  if v_n = 0 then
    return 0;
  end if;
  while v_i <= v_n loop
    perform pgmq.send('embeddings', jsonb_build_object('tenant_id', memory_embed_send.tenant_id,
      'chunk_ids', to_jsonb(memory_embed_send.chunk_ids[v_i:v_i + 63])));
    v_messages := v_messages + 1;
    v_i := v_i + 64;
  end loop;
  if coalesce((select (t.settings ->> 'wake_workers')::boolean from public.tenants t where t.id = memory_embed_send.tenant_id), true) then
    perform app.queue_wake('embeddings');
  end if;
  return v_messages;
end;
$$;
comment on function app.memory_embed_send(uuid, uuid[]) is 'Internal: queues embedding jobs for chunks of a tenant (64 per message) on the embeddings queue and wakes memory-indexer (coalesced; not when tenants.settings.wake_workers is false).';

-- Records the usage event of one embedding batch, priced from app.model_prices by model name.
create or replace function app.memory_embedding_usage(tenant_id uuid, provider text, model text, tokens integer,
  chunks integer)
returns uuid
language sql
security definer
set search_path = ''
as $$
  select app.usage_record(memory_embedding_usage.tenant_id, jsonb_build_object('kind', 'embedding',
    'provider', memory_embedding_usage.provider, 'model', memory_embedding_usage.model,
    'prompt_tokens', memory_embedding_usage.tokens, 'units', memory_embedding_usage.tokens,
    'cost_usd', coalesce((select p.input_usd_per_mtok from app.model_prices p where p.model = memory_embedding_usage.model), 0)
      * memory_embedding_usage.tokens / 1000000.0,
    'metadata', jsonb_build_object('chunks', memory_embedding_usage.chunks, 'purpose', 'memory_index',
      'priced', exists (select 1 from app.model_prices p where p.model = memory_embedding_usage.model))))
$$;
comment on function app.memory_embedding_usage(uuid, text, text, integer, integer) is 'Workers (memory-indexer): records the usage event of one embedding batch (tokens, cost from app.model_prices).';

-- ============================================================================
-- TRIGGERS ON THE INDEX: drop stale vectors, enqueue, version and counts
-- ============================================================================
create or replace function app.memory_index_before_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- a vector belongs to the text it was computed from; the cold tier keeps none
  if new.content is distinct from old.content or new.title is distinct from old.title or (new.cold and not old.cold) then
    new.embedding := null;
    new.embedding_model := null;
    new.embedded_hash := null;
    new.embedded_at := null;
  end if;
  new.updated_at := now();
  return new;
end;
$$;
comment on function app.memory_index_before_update() is 'Trigger: clears the embedding of a chunk whose text changed or that went cold, and keeps updated_at.';
create trigger memory_index_before_update before update on public.memory_index
  for each row execute function app.memory_index_before_update();

create or replace function app.memory_index_inserted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform app.memory_embed_send(g.tenant_id, g.ids)
  from (select n.tenant_id, array_agg(n.id order by n.chunk_index, n.id) as ids from new_rows n
        where n.embedding is null and not n.cold group by n.tenant_id) g;
  insert into public.memory_index_state as s (tenant_id, version, chunks, embedded, changed_at)
  select n.tenant_id, 1, count(*), count(*) filter (where n.embedding is not null), now()
  from new_rows n group by n.tenant_id order by n.tenant_id
  on conflict on constraint memory_index_state_pkey do update
    set version = s.version + 1, chunks = s.chunks + excluded.chunks, embedded = s.embedded + excluded.embedded,
      changed_at = excluded.changed_at;
  return null;
end;
$$;
comment on function app.memory_index_inserted() is 'Trigger (statement): queues the new chunks for embedding in the same transaction and bumps the tenant''s index version and counts.';
create trigger memory_index_inserted after insert on public.memory_index
  referencing new table as new_rows for each statement execute function app.memory_index_inserted();

create or replace function app.memory_index_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- changed text, or back from the cold tier: embed again (unchanged text never is)
  perform app.memory_embed_send(g.tenant_id, g.ids)
  from (select n.tenant_id, array_agg(n.id order by n.chunk_index, n.id) as ids
        from new_rows n join old_rows o on o.id = n.id
        where n.embedding is null and not n.cold and (o.content_hash is distinct from n.content_hash or o.cold)
        group by n.tenant_id) g;
  update public.memory_index_state s
  set version = s.version + 1, embedded = s.embedded + d.delta, changed_at = now()
  from (select n.tenant_id, sum((n.embedding is not null)::integer - (o.embedding is not null)::integer) as delta
        from new_rows n join old_rows o on o.id = n.id group by n.tenant_id) d
  where s.tenant_id = d.tenant_id;
  return null;
end;
$$;
comment on function app.memory_index_updated() is 'Trigger (statement): queues chunks whose text changed (or that left the cold tier) for embedding, bumps the index version and keeps the embedded count.';
create trigger memory_index_updated after update on public.memory_index
  referencing old table as old_rows new table as new_rows for each statement execute function app.memory_index_updated();

create or replace function app.memory_index_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- only existing state rows are updated: a tenant being deleted cascades its state away
  update public.memory_index_state s
  set version = s.version + 1, chunks = greatest(0, s.chunks - d.n), embedded = greatest(0, s.embedded - d.e), changed_at = now()
  from (select o.tenant_id, count(*)::integer as n, (count(*) filter (where o.embedding is not null))::integer as e
        from old_rows o group by o.tenant_id) d
  where s.tenant_id = d.tenant_id;
  return null;
end;
$$;
comment on function app.memory_index_deleted() is 'Trigger (statement): bumps the index version and counts of tenants whose chunks were deleted.';
create trigger memory_index_deleted after delete on public.memory_index
  referencing old table as old_rows for each statement execute function app.memory_index_deleted();

-- ============================================================================
-- CHUNKING AND WRITING
-- ============================================================================

-- Cuts text into chunks of at most max_chars, each ending at a paragraph, line, sentence or word
-- boundary in its second half when there is one, the next starting `overlap` characters earlier.
create or replace function app.memory_chunks(content text, max_chars integer default 1200, overlap integer default 200)
returns table (chunk_index integer, chunk text)
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_text text := btrim(coalesce(memory_chunks.content, ''), E' \t\r\n');
  v_len integer;
  v_start integer := 1;
  v_window text;
  v_cut integer;
  v_pos integer;
  v_sep text;
  v_next integer;
  v_i integer := 0;
begin
  if memory_chunks.max_chars < 100 or memory_chunks.overlap < 0 or memory_chunks.overlap >= memory_chunks.max_chars / 2 then
    raise exception 'Invalid chunking (max_chars %, overlap %): max_chars must be at least 100 and overlap under half of it',
      memory_chunks.max_chars, memory_chunks.overlap using errcode = '22023';
  end if;
  v_len := length(v_text);
  if v_len = 0 then
    return;
  end if;
  loop
    if v_start + memory_chunks.max_chars - 1 >= v_len then
      chunk_index := v_i;
      chunk := btrim(substr(v_text, v_start), E' \t\r\n');
      return next;
      exit;
    end if;
    v_window := substr(v_text, v_start, memory_chunks.max_chars);
    v_cut := memory_chunks.max_chars;
    foreach v_sep in array array[E'\n\n', E'\n', '. ', '? ', '! ', '; ', ' '] loop
      v_pos := strpos(reverse(v_window), reverse(v_sep));
      if v_pos > 0 and memory_chunks.max_chars - v_pos + 1 >= memory_chunks.max_chars / 2 then
        v_cut := memory_chunks.max_chars - v_pos + 1;
        exit;
      end if;
    end loop;
    chunk_index := v_i;
    chunk := btrim(substr(v_text, v_start, v_cut), E' \t\r\n');
    return next;
    v_i := v_i + 1;
    -- the next chunk starts `overlap` characters back, at the start of a word
    v_next := v_start + v_cut - memory_chunks.overlap;
    v_pos := strpos(substr(v_text, v_next, memory_chunks.overlap), ' ');
    if v_pos > 0 then
      v_next := v_next + v_pos;
    end if;
    v_start := greatest(v_next, v_start + 1);
  end loop;
end;
$$;
comment on function app.memory_chunks(text, integer, integer) is 'Cuts text into overlapping chunks (default at most 1200 characters, 200 of overlap) at paragraph, line, sentence or word boundaries.';

-- Writes the chunks of one source: new and changed chunks are upserted (changed text loses its
-- vector and is queued again; unchanged text keeps it), surplus chunks are deleted. Empty
-- content removes the source from the index. Returns the number of chunks.
create or replace function app.memory_index_put(tenant_id uuid, source_type text, source_id uuid, title text,
  content text, attrs jsonb default '{}'::jsonb)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_chunks text[];
  v_n integer;
begin
  select coalesce(array_agg(c.chunk order by c.chunk_index), '{}') into v_chunks
  from app.memory_chunks(memory_index_put.content) c;
  v_n := coalesce(array_length(v_chunks, 1), 0);
  if v_n > 0 then
    insert into public.memory_index as m (tenant_id, source_type, source_id, chunk_index, asset_id, title, content,
      metadata, memory_type, memory_status, agent_id, health, cold, source_created_at)
    select memory_index_put.tenant_id, memory_index_put.source_type, memory_index_put.source_id, (u.ord - 1)::integer,
      (memory_index_put.attrs ->> 'asset_id')::uuid, memory_index_put.title, u.chunk,
      coalesce(memory_index_put.attrs -> 'metadata', '{}'::jsonb), memory_index_put.attrs ->> 'memory_type',
      memory_index_put.attrs ->> 'memory_status', (memory_index_put.attrs ->> 'agent_id')::uuid,
      (memory_index_put.attrs ->> 'health')::real, coalesce((memory_index_put.attrs ->> 'cold')::boolean, false),
      coalesce((memory_index_put.attrs ->> 'source_created_at')::timestamptz, now())
    from unnest(v_chunks) with ordinality as u(chunk, ord)
    on conflict on constraint memory_index_tenant_id_source_type_source_id_chunk_index_key do update
      set asset_id = excluded.asset_id, title = excluded.title, content = excluded.content, metadata = excluded.metadata,
        memory_type = excluded.memory_type, memory_status = excluded.memory_status, agent_id = excluded.agent_id,
        health = excluded.health, cold = excluded.cold, source_created_at = excluded.source_created_at
      where (m.asset_id, m.title, m.content, m.metadata, m.memory_type, m.memory_status, m.agent_id, m.health, m.cold,
             m.source_created_at)
        is distinct from (excluded.asset_id, excluded.title, excluded.content, excluded.metadata, excluded.memory_type,
             excluded.memory_status, excluded.agent_id, excluded.health, excluded.cold, excluded.source_created_at);
  end if;
  delete from public.memory_index m
  where m.tenant_id = memory_index_put.tenant_id and m.source_type = memory_index_put.source_type
    and m.source_id = memory_index_put.source_id and m.chunk_index >= v_n;
  return v_n;
end;
$$;
comment on function app.memory_index_put(uuid, text, uuid, text, text, jsonb) is 'Indexes one source (documents, conversations, tool results; the triggers of memories, posts and lead notes use it too): chunks its content and upserts the chunks, so only new or changed text is embedded; surplus chunks are deleted, and empty content removes the source. attrs: asset_id, metadata, source_created_at (and, for memories, memory_type, memory_status, agent_id, health, cold). Returns the number of chunks.';

-- Queues every chunk of a tenant whose vector is missing or was made by another model than
-- `model` (after switching embedding providers, or after jobs were dead-lettered).
create or replace function app.memory_reindex(tenant_id uuid, model text)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
begin
  with stale as (
    update public.memory_index m
    set embedding = null, embedding_model = null, embedded_hash = null, embedded_at = null
    where m.tenant_id = memory_reindex.tenant_id and not m.cold
      and (m.embedding is null or m.embedding_model is distinct from memory_reindex.model)
    returning m.id, m.chunk_index)
  select coalesce(array_agg(s.id order by s.id), '{}') into v_ids from stale s;
  perform app.memory_embed_send(memory_reindex.tenant_id, v_ids);
  return coalesce(array_length(v_ids, 1), 0);
end;
$$;
comment on function app.memory_reindex(uuid, text) is 'Queues every chunk of the tenant without a vector of `model` for embedding (switching embedding providers, or retrying dead-lettered jobs). Returns how many.';

-- ============================================================================
-- SOURCES: memories, blog posts, lead notes
-- ============================================================================
create or replace function app.agent_memory_index_sync()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_text text;
  v_body text;
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      delete from public.memory_index m
      where m.tenant_id = old.tenant_id and m.source_type = 'memory' and m.source_id = old.id;
    end if;
    return null;
  end if;
  if tg_op = 'UPDATE' and new.content is not distinct from old.content and new.summary is not distinct from old.summary
      and new.key is not distinct from old.key and new.memory_type is not distinct from old.memory_type then
    -- what a memory says is unchanged: only its attributes follow
    update public.memory_index m
    set memory_status = case when new.superseded_at is null then 'live' else 'superseded' end,
      agent_id = new.agent_id, health = new.health_score, cold = new.is_archived,
      metadata = m.metadata || jsonb_build_object('importance', new.importance, 'tier', new.tier)
    where m.tenant_id = new.tenant_id and m.source_type = 'memory' and m.source_id = new.id
      and (m.memory_status, m.agent_id, m.health, m.cold, m.metadata ->> 'importance', m.metadata ->> 'tier')
        is distinct from (case when new.superseded_at is null then 'live' else 'superseded' end, new.agent_id,
          new.health_score, new.is_archived, new.importance::text, new.tier);
    return null;
  end if;
  v_body := app.memory_content_text(new.content);
  v_text := case when nullif(btrim(new.summary), '') is null or btrim(new.summary) = btrim(v_body) then v_body
                 else btrim(new.summary) || E'\n' || v_body end;
  perform app.memory_index_put(new.tenant_id, 'memory', new.id, new.memory_type || ': ' || new.key, v_text,
    jsonb_build_object('memory_type', new.memory_type,
      'memory_status', case when new.superseded_at is null then 'live' else 'superseded' end,
      'agent_id', new.agent_id, 'health', new.health_score, 'cold', new.is_archived,
      'source_created_at', new.created_at,
      'metadata', jsonb_build_object('key', new.key, 'importance', new.importance, 'tier', new.tier)));
  return null;
end;
$$;
comment on function app.agent_memory_index_sync() is 'Trigger: keeps a memory''s chunks in memory_index (text on changes of content, summary, key or type; status, agent, health and tier otherwise), in the same transaction.';
create trigger agent_memory_indexed after insert on public.agent_memory
  for each row execute function app.agent_memory_index_sync();
create trigger agent_memory_reindexed after update on public.agent_memory
  for each row when (old.content is distinct from new.content or old.summary is distinct from new.summary
    or old.key is distinct from new.key or old.memory_type is distinct from new.memory_type
    or old.superseded_at is distinct from new.superseded_at or old.agent_id is distinct from new.agent_id
    or old.health_score is distinct from new.health_score or old.is_archived is distinct from new.is_archived
    or old.importance is distinct from new.importance or old.tier is distinct from new.tier)
  execute function app.agent_memory_index_sync();
create trigger agent_memory_unindexed after delete on public.agent_memory
  for each row execute function app.agent_memory_index_sync();

create or replace function app.blog_post_index_sync()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      delete from public.memory_index m
      where m.tenant_id = old.tenant_id and m.source_type = 'post' and m.source_id = old.id;
    end if;
    return null;
  end if;
  perform app.memory_index_put(new.tenant_id, 'post', new.id, new.title,
    concat_ws(E'\n\n', nullif(btrim(new.excerpt), ''), nullif(btrim(new.content), ''), new.title),
    jsonb_build_object('source_created_at', coalesce(new.published_at, new.created_at),
      'metadata', jsonb_build_object('slug', new.slug, 'status', new.status, 'tags', to_jsonb(new.tags))));
  return null;
end;
$$;
comment on function app.blog_post_index_sync() is 'Trigger: keeps a blog post''s chunks (excerpt and body) in memory_index, in the same transaction.';
create trigger blog_posts_indexed after insert or delete on public.blog_posts
  for each row execute function app.blog_post_index_sync();
create trigger blog_posts_reindexed after update on public.blog_posts
  for each row when (old.title is distinct from new.title or old.excerpt is distinct from new.excerpt
    or old.content is distinct from new.content or old.status is distinct from new.status
    or old.tags is distinct from new.tags or old.published_at is distinct from new.published_at
    or old.slug is distinct from new.slug)
  execute function app.blog_post_index_sync();

create or replace function app.lead_note_index_sync()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if exists (select 1 from public.tenants t where t.id = old.tenant_id) then
      delete from public.memory_index m
      where m.tenant_id = old.tenant_id and m.source_type = 'lead_note' and m.source_id = old.id;
    end if;
    return null;
  end if;
  -- empty notes remove the lead from the index
  perform app.memory_index_put(new.tenant_id, 'lead_note', new.id,
    new.name || coalesce(' (' || nullif(btrim(new.company), '') || ')', ''), coalesce(new.notes, ''),
    jsonb_build_object('source_created_at', new.created_at,
      'metadata', jsonb_build_object('lead_status', new.status, 'source', new.source)));
  return null;
end;
$$;
comment on function app.lead_note_index_sync() is 'Trigger: keeps a lead''s notes in memory_index (title: name and company), in the same transaction; leads without notes are not indexed.';
create trigger leads_notes_indexed after insert on public.leads
  for each row when (coalesce(btrim(new.notes), '') <> '') execute function app.lead_note_index_sync();
create trigger leads_notes_reindexed after update on public.leads
  for each row when (old.notes is distinct from new.notes or
    (coalesce(btrim(new.notes), '') <> '' and (old.name is distinct from new.name or old.company is distinct from new.company
      or old.status is distinct from new.status)))
  execute function app.lead_note_index_sync();
create trigger leads_notes_unindexed after delete on public.leads
  for each row when (coalesce(btrim(old.notes), '') <> '') execute function app.lead_note_index_sync();

-- ============================================================================
-- SEMANTIC CACHE (seed 004 §2)
-- ============================================================================
create table public.semantic_cache (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  cache_key text not null,
  query text not null,
  filters jsonb not null default '{}'::jsonb,
  results jsonb not null,
  index_version bigint not null,
  embedding_model text,
  hits integer not null default 0,
  valid_until timestamptz not null,
  created_at timestamptz not null default now(),
  last_hit_at timestamptz,
  unique (tenant_id, cache_key)
);
create index semantic_cache_valid_idx on public.semantic_cache (tenant_id, valid_until);
comment on table public.semantic_cache is 'Search results by tenant, normalised query and filters (cache_key), valid until valid_until and while the tenant''s index version (memory_index_state.version) is still index_version: any change of the index invalidates them.';
comment on column public.semantic_cache.cache_key is 'sha-256 of the normalised query, filters, options and embedding model.';
comment on column public.semantic_cache.index_version is 'memory_index_state.version the results were computed at.';
comment on column public.semantic_cache.query is 'The normalised query (NFKC, lower case, single spaces, trailing punctuation removed).';
comment on column public.semantic_cache.filters is 'The search filters the results were computed with.';
comment on column public.semantic_cache.results is 'The search response served from the cache ({items, strategy, embedder}).';
comment on column public.semantic_cache.embedding_model is 'The embedder the query was embedded with; null when no embedding was used.';
comment on column public.semantic_cache.hits is 'Times the entry answered a search since it was last written.';
comment on column public.semantic_cache.valid_until is 'When the entry stops answering (memory_policies.cache_ttl_seconds after it was written).';
comment on column public.semantic_cache.last_hit_at is 'When the entry last answered a search.';

alter table public.semantic_cache enable row level security;
alter table public.semantic_cache force row level security;
create policy "Cached searches are viewable within their tenant" on public.semantic_cache
  for select to authenticated using (tenant_id = (select app.tenant_id()));
create policy "Searches can be cached within their tenant" on public.semantic_cache
  for insert to authenticated with check (tenant_id = (select app.tenant_id()));
create policy "Cached searches can be refreshed within their tenant" on public.semantic_cache
  for update to authenticated using (tenant_id = (select app.tenant_id())) with check (tenant_id = (select app.tenant_id()));
create policy "Cached searches can be dropped within their tenant" on public.semantic_cache
  for delete to authenticated using (tenant_id = (select app.tenant_id()));
revoke all on public.semantic_cache from anon;

-- ============================================================================
-- FULL-TEXT WINDOW (the one view that is not security_invoker)
-- ============================================================================
-- Under RLS the planner may not use a non-leakproof operator as an index condition (the index
-- would evaluate it on other tenants' rows first), and ts_match_vq (@@) is not leakproof: through
-- public.memory_index, full-text search can only scan the tenant's rows one by one (about 15 ms
-- per 10k chunks, 150 ms per 100k). This view reads memory_index with its owner's rights, limited
-- to the tenant of the caller's claims — the predicate of the table's policy — so the GIN index
-- serves the @@ condition. It is in app (not exposed to the API), only memory_search reads it, it
-- returns no text but the tsvector, and memory_search reads every result back through
-- public.memory_index under RLS. (security_barrier stays off: a barrier would put the leaky @@
-- after the tenant predicate again. Leaky predicates of other callers are not a concern: no API
-- role can run SQL of its own against app.)
create view app.memory_fts as
  select m.id, m.tenant_id, m.source_type, m.source_id, m.asset_id, m.content_tsv, m.memory_type, m.memory_status,
    m.agent_id, m.health, m.cold, m.source_created_at, m.metadata
  from public.memory_index m
  where m.tenant_id = (select app.tenant_id());
comment on view app.memory_fts is 'Internal: full-text candidates of the caller''s tenant (the tenant of the request''s claims) with the GIN index usable; read only by public.memory_search. Not security_invoker on purpose: see the migration.';
revoke all on app.memory_fts from public, anon, authenticated, service_role;
grant select on app.memory_fts to authenticated, service_role;

-- ============================================================================
-- HYBRID SEARCH
-- ============================================================================

-- Hybrid search over the caller's tenant (RLS applies: security invoker, and the tenant of the
-- request's claims is required; full-text candidates come through app.memory_fts, see above).
-- Vector kNN (HNSW with pgvector 0.8's relaxed iterative scan, so
-- filters never starve it; exact below options.exact_below embedded chunks) and full-text ranks
-- (any query term; an exact phrase ranks first) are fused by reciprocal rank with weights, then
-- optionally time-decayed, health-weighted and diversified (MMR).
--
-- filters: source_types text[], memory_types text[], asset_id, time_from, time_to (source time),
--   min_health (memories; other sources pass), agent_id (memories of that agent plus shared ones),
--   metadata (jsonb containment), exclude_source_ids uuid[], include_superseded (false),
--   include_cold (true).
-- options: vector_weight (1), text_weight (1), rrf_k (60), candidates (4 × match_count),
--   strategy (auto | hnsw | exact), exact_below (2000), embedding_model (compare only vectors of
--   this model), min_similarity, decay_half_life_days, health_weight (0), mmr_lambda (off),
--   one_per_source (true).
create or replace function public.memory_search(query_text text, query_embedding extensions.vector default null,
  match_count integer default 10, filters jsonb default '{}'::jsonb, options jsonb default '{}'::jsonb)
returns table (id uuid, source_type text, source_id uuid, chunk_index integer, asset_id uuid, title text,
  content text, metadata jsonb, memory_type text, agent_id uuid, health real, cold boolean,
  source_created_at timestamptz, score double precision, relevance double precision, similarity double precision,
  vector_rank integer, text_rank integer, strategy text)
language plpgsql
security invoker
set search_path = ''
set hnsw.ef_search = '100'
set hnsw.iterative_scan = 'relaxed_order'
as $$
#variable_conflict use_column
declare
  v_tenant uuid := app.tenant_id();
  v_count integer := least(greatest(coalesce(memory_search.match_count, 10), 1), 100);
  v_k double precision := coalesce((memory_search.options ->> 'rrf_k')::double precision, 60);
  v_vw double precision := coalesce((memory_search.options ->> 'vector_weight')::double precision, 1);
  v_tw double precision := coalesce((memory_search.options ->> 'text_weight')::double precision, 1);
  v_cand integer;
  v_strategy text := coalesce(memory_search.options ->> 'strategy', 'auto');
  v_exact_below integer := coalesce((memory_search.options ->> 'exact_below')::integer, 2000);
  v_model text := memory_search.options ->> 'embedding_model';
  v_min_sim double precision := (memory_search.options ->> 'min_similarity')::double precision;
  v_half_life double precision := (memory_search.options ->> 'decay_half_life_days')::double precision;
  v_hw double precision := coalesce((memory_search.options ->> 'health_weight')::double precision, 0);
  v_mmr double precision := (memory_search.options ->> 'mmr_lambda')::double precision;
  v_per_source boolean := coalesce((memory_search.options ->> 'one_per_source')::boolean, true);
  f_types text[];
  f_mtypes text[];
  f_exclude uuid[];
  f_asset uuid := (memory_search.filters ->> 'asset_id')::uuid;
  f_from timestamptz := (memory_search.filters ->> 'time_from')::timestamptz;
  f_to timestamptz := (memory_search.filters ->> 'time_to')::timestamptz;
  f_min_health real := (memory_search.filters ->> 'min_health')::real;
  f_agent uuid := (memory_search.filters ->> 'agent_id')::uuid;
  f_meta jsonb := case when jsonb_typeof(memory_search.filters -> 'metadata') = 'object' then memory_search.filters -> 'metadata' end;
  f_superseded boolean := coalesce((memory_search.filters ->> 'include_superseded')::boolean, false);
  f_cold boolean := coalesce((memory_search.filters ->> 'include_cold')::boolean, true);
  v_used text := 'none';
  v_sort text;
  v_tsq tsquery;
  v_phrase tsquery;
  v_vec_ids uuid[] := '{}';
  v_vec_dist double precision[] := '{}';
  v_txt_ids uuid[] := '{}';
  v_ids uuid[];
  v_scores double precision[];
  v_embs extensions.vector[];
  v_max double precision;
  v_sel integer[] := '{}';
  v_best integer;
  v_best_val double precision;
  v_val double precision;
  v_sim double precision;
  v_j integer;
begin
  -- GUARD: a tenant, sane options
  if v_tenant is null then
    raise exception 'memory_search needs a tenant: call it with the claims of a request (tenant_id)'
      using errcode = 'OR400', detail = 'memory_search_no_tenant';
  end if;
  if v_strategy not in ('auto', 'hnsw', 'exact') then
    raise exception 'Invalid strategy %: use auto, hnsw or exact', v_strategy using errcode = 'OR400', detail = 'memory_search_strategy';
  end if;
  if v_vw < 0 or v_tw < 0 or v_k < 1 or v_hw < 0 or v_hw > 1 or (v_mmr is not null and (v_mmr < 0 or v_mmr > 1))
      or (v_half_life is not null and v_half_life <= 0) then
    raise exception 'Invalid search options %: weights >= 0, rrf_k >= 1, health_weight and mmr_lambda in [0, 1], decay_half_life_days > 0',
      memory_search.options using errcode = 'OR400', detail = 'memory_search_options';
  end if;
  if jsonb_typeof(memory_search.filters -> 'source_types') = 'array' then
    f_types := array(select jsonb_array_elements_text(memory_search.filters -> 'source_types'));
  end if;
  if jsonb_typeof(memory_search.filters -> 'memory_types') = 'array' then
    f_mtypes := array(select jsonb_array_elements_text(memory_search.filters -> 'memory_types'));
  end if;
  if jsonb_typeof(memory_search.filters -> 'exclude_source_ids') = 'array' then
    f_exclude := array(select jsonb_array_elements_text(memory_search.filters -> 'exclude_source_ids'))::uuid[];
  end if;
  v_cand := least(greatest(coalesce((memory_search.options ->> 'candidates')::integer, v_count * 4), v_count), 400);

  -- VECTOR: kNN among the tenant's chunks embedded by the same model
  if memory_search.query_embedding is not null and v_vw > 0 then
    v_used := v_strategy;
    if v_strategy = 'auto' then
      select case when coalesce(max(s.embedded), 0) <= v_exact_below then 'exact' else 'hnsw' end into v_used
      from public.memory_index_state s where s.tenant_id = v_tenant;
    end if;
    if v_used = 'exact' then
      select coalesce(array_agg(x.id order by x.dist, x.id), '{}'), coalesce(array_agg(x.dist order by x.dist, x.id), '{}')
        into v_vec_ids, v_vec_dist
      from (select m.id, extensions.cosine_distance(m.embedding, memory_search.query_embedding) as dist
            from public.memory_index m
            where m.tenant_id = v_tenant and m.embedding is not null
              and (v_model is null or m.embedding_model = v_model)
              and (f_types is null or m.source_type = any(f_types))
              and (f_mtypes is null or m.memory_type = any(f_mtypes))
              and (f_asset is null or m.asset_id = f_asset)
              and (f_from is null or m.source_created_at >= f_from)
              and (f_to is null or m.source_created_at < f_to)
              and (f_min_health is null or coalesce(m.health, 1) >= f_min_health)
              and (f_agent is null or m.agent_id is null or m.agent_id = f_agent)
              and (f_meta is null or m.metadata @> f_meta)
              and (f_exclude is null or m.source_id <> all(f_exclude))
              and (f_superseded or m.memory_status is distinct from 'superseded')
              and (f_cold or not m.cold)
            order by 2, m.id
            limit v_cand) x
      where v_min_sim is null or 1 - x.dist >= v_min_sim;
    else
      -- the ORDER BY operator is what lets the planner walk the HNSW index; the relaxed iterative
      -- scan keeps walking while filters (RLS, tenant, metadata) reject rows, re-sorted here. The
      -- planner prices a distance like a cheap operator and would rather sort a seq scan of a few
      -- thousand rows (35 ms at 10k) than walk the index (1-3 ms): with sorts priced out for this
      -- one statement, the index scan (the one plan that needs no sort) is taken.
      v_sort := current_setting('enable_sort');
      perform set_config('enable_sort', 'off', true);
      select coalesce(array_agg(x.id order by x.dist, x.id), '{}'), coalesce(array_agg(x.dist order by x.dist, x.id), '{}')
        into v_vec_ids, v_vec_dist
      from (select m.id, m.embedding operator(extensions.<=>) memory_search.query_embedding as dist
            from public.memory_index m
            where m.tenant_id = v_tenant and m.embedding is not null
              and (v_model is null or m.embedding_model = v_model)
              and (f_types is null or m.source_type = any(f_types))
              and (f_mtypes is null or m.memory_type = any(f_mtypes))
              and (f_asset is null or m.asset_id = f_asset)
              and (f_from is null or m.source_created_at >= f_from)
              and (f_to is null or m.source_created_at < f_to)
              and (f_min_health is null or coalesce(m.health, 1) >= f_min_health)
              and (f_agent is null or m.agent_id is null or m.agent_id = f_agent)
              and (f_meta is null or m.metadata @> f_meta)
              and (f_exclude is null or m.source_id <> all(f_exclude))
              and (f_superseded or m.memory_status is distinct from 'superseded')
              and (f_cold or not m.cold)
            order by m.embedding operator(extensions.<=>) memory_search.query_embedding
            limit v_cand) x
      where v_min_sim is null or 1 - x.dist >= v_min_sim;
      perform set_config('enable_sort', v_sort, true);
    end if;
  end if;

  -- FULL TEXT: any of the query's terms, ranked by frequency (ts_rank: a third of ts_rank_cd's cost
  -- with OR queries) with the title weighted; the exact phrase first
  if v_tw > 0 and coalesce(btrim(memory_search.query_text), '') <> '' then
    v_tsq := nullif(replace(plainto_tsquery('english', memory_search.query_text)::text, ' & ', ' | '), '')::tsquery;
    if v_tsq is not null and numnode(v_tsq) > 0 then
      v_phrase := phraseto_tsquery('english', memory_search.query_text);
      if numnode(v_phrase) < 3 then
        v_phrase := null;
      end if;
      select coalesce(array_agg(x.id order by x.r desc, x.id), '{}') into v_txt_ids
      from (select m.id, ts_rank(m.content_tsv, v_tsq, 32)
                 + case when v_phrase is not null and m.content_tsv @@ v_phrase then 1 else 0 end as r
            from app.memory_fts m
            where m.tenant_id = v_tenant and m.content_tsv @@ v_tsq
              and (f_types is null or m.source_type = any(f_types))
              and (f_mtypes is null or m.memory_type = any(f_mtypes))
              and (f_asset is null or m.asset_id = f_asset)
              and (f_from is null or m.source_created_at >= f_from)
              and (f_to is null or m.source_created_at < f_to)
              and (f_min_health is null or coalesce(m.health, 1) >= f_min_health)
              and (f_agent is null or m.agent_id is null or m.agent_id = f_agent)
              and (f_meta is null or m.metadata @> f_meta)
              and (f_exclude is null or m.source_id <> all(f_exclude))
              and (f_superseded or m.memory_status is distinct from 'superseded')
              and (f_cold or not m.cold)
            order by 2 desc, m.id
            limit v_cand) x;
    end if;
  end if;

  -- FUSION: reciprocal rank, then time decay and health; one chunk per source (read back
  -- through public.memory_index, under RLS, by primary key)
  select coalesce(array_agg(d.id order by d.score desc, d.id), '{}'), coalesce(array_agg(d.score order by d.score desc, d.id), '{}')
    into v_ids, v_scores
  from (
    select distinct on (case when v_per_source then m.source_type || ':' || m.source_id::text else m.id::text end)
      m.id,
      (coalesce(v_vw / (v_k + array_position(v_vec_ids, m.id)), 0) + coalesce(v_tw / (v_k + array_position(v_txt_ids, m.id)), 0))
        * case when v_half_life is null then 1
               else power(0.5, greatest(0, extract(epoch from (now() - m.source_created_at)) / 86400.0) / v_half_life) end
        * ((1 - v_hw) + v_hw * coalesce(m.health, 1)) as score
    from public.memory_index m
    where m.id = any(v_vec_ids || v_txt_ids) and m.tenant_id = v_tenant
    order by (case when v_per_source then m.source_type || ':' || m.source_id::text else m.id::text end), 2 desc, m.id
  ) d;

  -- DIVERSITY (MMR): greedily pick what is relevant and unlike what was picked
  if v_mmr is not null and coalesce(array_length(v_ids, 1), 0) > 1 then
    v_max := v_scores[1];
    select array_agg(m.embedding order by u.ord) into v_embs
    from unnest(v_ids) with ordinality as u(id, ord) join public.memory_index m on m.id = u.id;
    while coalesce(array_length(v_sel, 1), 0) < least(v_count, array_length(v_ids, 1)) loop
      v_best := null;
      v_best_val := null;
      for v_i in 1 .. array_length(v_ids, 1) loop
        continue when v_i = any(v_sel);
        v_sim := 0;
        foreach v_j in array v_sel loop
          if v_embs[v_i] is not null and v_embs[v_j] is not null then
            v_sim := greatest(v_sim, 1 - (v_embs[v_i] operator(extensions.<=>) v_embs[v_j]));
          end if;
        end loop;
        v_val := v_mmr * (v_scores[v_i] / nullif(v_max, 0)) - (1 - v_mmr) * v_sim;
        if v_best is null or v_val > v_best_val then
          v_best := v_i;
          v_best_val := v_val;
        end if;
      end loop;
      v_sel := v_sel || v_best;
    end loop;
    v_ids := array(select v_ids[s.i] from unnest(v_sel) with ordinality as s(i, ord) order by s.ord);
    v_scores := array(select v_scores[s.i] from unnest(v_sel) with ordinality as s(i, ord) order by s.ord);
  end if;

  return query
  select m.id, m.source_type, m.source_id, m.chunk_index, m.asset_id, m.title, m.content, m.metadata, m.memory_type,
    m.agent_id, m.health, m.cold, m.source_created_at, r.score,
    least(1, r.score / ((case when cardinality(v_vec_ids) > 0 then v_vw else 0 end
                       + case when cardinality(v_txt_ids) > 0 then v_tw else 0 end) / (v_k + 1))),
    1 - v_vec_dist[array_position(v_vec_ids, m.id)],
    array_position(v_vec_ids, m.id), array_position(v_txt_ids, m.id), v_used
  from unnest(v_ids, v_scores) with ordinality as r(id, score, ord)
  join public.memory_index m on m.id = r.id
  order by r.ord
  limit v_count;
end;
$$;
comment on function public.memory_search(text, extensions.vector, integer, jsonb, jsonb) is 'Hybrid search over the caller''s tenant (RLS; the claims'' tenant is required): HNSW (or exact, for small tenants) vector kNN and full-text ranks fused by reciprocal rank with weights, filters, optional time decay, health weighting and MMR diversity. See the migration for filters and options; the `strategy` column says how vectors were searched (exact, hnsw, none).';
revoke execute on function public.memory_search(text, extensions.vector, integer, jsonb, jsonb) from public, anon;
grant execute on function public.memory_search(text, extensions.vector, integer, jsonb, jsonb) to authenticated, service_role;

select app.lock_down();
