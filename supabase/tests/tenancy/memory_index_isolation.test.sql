-- Tenant isolation for public.memory_index and public.memory_search: B reads only its own
-- chunks, writes none directly, and its searches — vector (exact and HNSW), full text and hybrid —
-- never return A's chunks, even when A's vector is the nearest to the query.
begin;
set local search_path = public, extensions;
select plan(15);

-- a unit vector along the given axes, in the index's one configured dimension
create function tests.mem_vec(variadic axes integer[])
returns extensions.vector
language sql
stable
as $$
  select ('[' || string_agg(case when g = any(axes) then '1' else '0' end, ',' order by g) || ']')::extensions.vector
  from generate_series(1, (select a.atttypmod from pg_catalog.pg_attribute a
    where a.attrelid = 'public.memory_index'::regclass and a.attname = 'embedding')) g
$$;

-- FIXTURES (as postgres): A's chunk sits exactly on the query vector; B's is far from it
select tests.create_tenant('tap-idx-a');
select tests.create_tenant('tap-idx-b');
select app.memory_index_put(tests.get_tenant_id('tap-idx-a'), 'document', gen_random_uuid(), 'A plan',
  'The secret merger plan for the harbour pumps');
select app.memory_index_put(tests.get_tenant_id('tap-idx-b'), 'document', gen_random_uuid(), 'B menu',
  'The canteen menu for the harbour week');
update public.memory_index set embedding = tests.mem_vec(1), embedding_model = 'test'
where tenant_id = tests.get_tenant_id('tap-idx-a');
update public.memory_index set embedding = tests.mem_vec(2, 3), embedding_model = 'test'
where tenant_id = tests.get_tenant_id('tap-idx-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-idx-b'));

select results_eq(
  $$select title from public.memory_index$$,
  $$values ('B menu')$$,
  'B reading the index sees its own chunk only'
);
select results_eq(
  $$select title from public.memory_search('merger plan', tests.mem_vec(1), 10, '{}', '{"strategy": "exact"}')$$,
  $$values ('B menu')$$,
  'Exact vector search: A''s chunk is the nearest to the query, B still gets only its own'
);
select results_eq(
  $$select title from public.memory_search('merger plan', tests.mem_vec(1), 10, '{}', '{"strategy": "hnsw"}')$$,
  $$values ('B menu')$$,
  'HNSW search: the index walk never returns A''s chunk to B'
);
select is_empty(
  $$select 1 from public.memory_search('secret merger plan', null, 10, '{}', '{}')$$,
  'Full-text search for A''s words finds nothing for B'
);
select results_eq(
  $$select title from public.memory_search('harbour', tests.mem_vec(1), 10, '{}', '{}')$$,
  $$values ('B menu')$$,
  'Hybrid search on a word both tenants use returns B''s chunk only'
);

select is(
  (select count(*)::integer from app.memory_fts),
  1,
  'The full-text window (app.memory_fts, read with its owner''s rights) shows B its own chunk only'
);
select is_empty(
  $$select 1 from app.memory_fts where tenant_id = tests.get_tenant_id('tap-idx-a')$$,
  '…even when B asks for A''s tenant'
);

-- WRITES: only through app functions (triggers, memory.index), never directly
select throws_ok(
  $$insert into public.memory_index (tenant_id, source_type, source_id, content)
    values (tests.get_tenant_id('tap-idx-b'), 'document', gen_random_uuid(), 'direct')$$,
  '42501', 'permission denied for table memory_index',
  'B cannot insert chunks directly'
);
select throws_ok(
  $$update public.memory_index set content = 'changed'$$,
  '42501', 'permission denied for table memory_index',
  'B cannot update chunks directly'
);
select throws_ok(
  $$delete from public.memory_index$$,
  '42501', 'permission denied for table memory_index',
  'B cannot delete chunks directly'
);

-- no tenant in the claims: no search at all
select set_config('request.jwt.claims', '{"role":"authenticated"}', true);
select throws_ok(
  $$select * from public.memory_search('harbour', null)$$,
  'OR400', null,
  'A search without a tenant in the claims is refused'
);

-- anon may not search or read
select tests.authenticate_as_anon();
select is(tests.visible_rows('public.memory_index'), null, 'anon may not read memory_index');
select is(tests.visible_rows('app.memory_fts'), null, 'anon may not read the full-text window');
select throws_ok(
  $$select * from public.memory_search('harbour', null)$$,
  '42501', null,
  'anon may not call memory_search'
);

select tests.clear_authentication();
select is(
  (select count(*)::integer from public.memory_index where tenant_id = tests.get_tenant_id('tap-idx-a')),
  1,
  'A''s chunk is untouched'
);

select * from finish();
rollback;
