-- Hybrid search on a small labelled set with hand-made vectors: reciprocal rank fusion puts what
-- both halves agree on first, weights move the balance, filters narrow, an exact phrase beats the
-- same words apart, time decay and health weighting scale scores, MMR spreads near-duplicates,
-- superseded memories stay out unless asked for, and exact and HNSW strategies agree.
begin;
set local search_path = public, extensions;
select plan(16);

create function tests.mem_vec(variadic axes integer[])
returns extensions.vector
language sql
stable
as $$
  select ('[' || string_agg(case when g = any(axes) then '1' else '0' end, ',' order by g) || ']')::extensions.vector
  from generate_series(1, (select a.atttypmod from pg_catalog.pg_attribute a
    where a.attrelid = 'public.memory_index'::regclass and a.attname = 'embedding')) g
$$;

select tests.create_tenant('tap-search');
-- five documents: text and vectors chosen so each case has one right answer
select app.memory_index_put(tests.get_tenant_id('tap-search'), 'document', ('00000000-0000-4000-a000-00000000000' || n)::uuid,
  title, body, attrs)
from (values
  (1, 'both', 'Seal leak on the feed pump', '{}'::jsonb),
  (2, 'vector', 'Gasket seepage at the charge pump', '{"asset_id": "00000000-0000-4000-b000-000000000001"}'::jsonb),
  (3, 'text', 'Seal leak checklist for valves', '{}'::jsonb),
  (4, 'old', 'Seal leak report from long ago', '{"source_created_at": "2020-01-01T00:00:00Z"}'::jsonb),
  (5, 'twin', 'The feed pump had a seal leak (copy)', '{}'::jsonb)
) as d(n, title, body, attrs);
update public.memory_index m set embedding_model = 'test', embedding = case m.title
    when 'both' then tests.mem_vec(1, 2) when 'vector' then tests.mem_vec(1, 2, 3)
    when 'text' then tests.mem_vec(40) when 'old' then tests.mem_vec(1, 50) when 'twin' then tests.mem_vec(1, 60) end
where m.tenant_id = tests.get_tenant_id('tap-search');
-- a memory, superseded
insert into public.agent_memory (tenant_id, memory_type, key, content, superseded_at)
values (tests.get_tenant_id('tap-search'), 'fact', 'old-leak', '"Seal leak fixed by tightening"', now());

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-search'));

select is(
  (select title from public.memory_search('seal leak feed pump', tests.mem_vec(1, 2), 5, '{}', '{}') limit 1),
  'both', 'What both the vector and the text rank high comes first'
);
select is(
  (select vector_rank is not null and text_rank is not null from public.memory_search('seal leak feed pump', tests.mem_vec(1, 2), 5, '{}', '{}') limit 1),
  true, 'The first result carries both ranks'
);
select is(
  (select title from public.memory_search('gasket seepage', tests.mem_vec(1, 2, 3), 5, '{}', '{"text_weight": 0}') limit 1),
  'vector', 'With the text weight at 0 the nearest vector wins'
);
select is(
  (select string_agg(title, ',' order by score desc) from public.memory_search('checklist', null, 5, '{}', '{}')),
  'text', 'Without a vector, full text alone answers'
);
select results_eq(
  $$select title from public.memory_search('pump', tests.mem_vec(1, 2), 5, '{"asset_id": "00000000-0000-4000-b000-000000000001"}', '{}')$$,
  $$values ('vector')$$, 'The asset filter keeps only that asset''s chunks'
);
select is(
  (select title from public.memory_search('seal leak on the feed', null, 5, '{}', '{}') limit 1),
  'both', 'The exact phrase ranks first among documents with the same words'
);
select is(
  (select count(*)::integer from public.memory_search('seal leak', tests.mem_vec(1), 10,
     '{"time_from": "2024-01-01T00:00:00Z"}', '{}') where title = 'old'),
  0, 'The time filter leaves out older sources'
);
select cmp_ok(
  (select score from public.memory_search('seal leak report', tests.mem_vec(1, 50), 5, '{}', '{"decay_half_life_days": 30}') where title = 'old'),
  '<', 0.000001::float8, 'Time decay makes a six-year-old report nearly worthless'
);
select is(
  (select title from public.memory_search('seal leak report', tests.mem_vec(1, 50), 5, '{}', '{}') limit 1),
  'old', '…while without decay it is the best match'
);
select is(
  (select array_agg(title order by score desc) from (select title, score from public.memory_search('seal leak feed pump', tests.mem_vec(1, 2), 2, '{}', '{"mmr_lambda": 0.3}')) s),
  array['both', 'text'], 'With MMR the second place goes to a relevant result unlike the first (not its near-duplicates twin and vector)'
);
select is(
  (select array_agg(title order by score desc) from (select title, score from public.memory_search('seal leak feed pump', tests.mem_vec(1, 2), 2, '{}', '{}')) s),
  array['both', 'twin'], 'Without MMR the twins are the top two'
);
select is(
  (select count(*)::integer from public.memory_search('tightening', null, 5, '{}', '{}')),
  0, 'A superseded memory is left out'
);
select is(
  (select count(*)::integer from public.memory_search('tightening', null, 5, '{"include_superseded": true}', '{}')),
  1, '…unless include_superseded'
);
select is(
  (select count(*)::integer from public.memory_search('seal', tests.mem_vec(1, 2), 5, '{"memory_types": ["fact"], "include_superseded": true}', '{}')),
  1, 'A memory-type filter keeps memories only'
);
select is(
  (select array_agg(title order by vector_rank) from public.memory_search('zzz', tests.mem_vec(1, 2, 3), 5, '{}', '{"strategy": "exact", "text_weight": 0}')),
  (select array_agg(title order by vector_rank) from public.memory_search('zzz', tests.mem_vec(1, 2, 3), 5, '{}', '{"strategy": "hnsw", "text_weight": 0}')),
  'Exact and HNSW strategies agree on a small index'
);
select throws_ok(
  $$select * from public.memory_search('x', null, 5, '{}', '{"strategy": "fast"}')$$,
  'OR400', null, 'An unknown strategy is refused'
);

select * from finish();
rollback;
