-- Tenant isolation for public.semantic_cache: B reads, fills and drops its own cached searches,
-- never A's (a cache keyed by query must not leak another tenant's results).
begin;
set local search_path = public, extensions;
select plan(8);

select tests.create_tenant('tap-cache-a');
select tests.create_tenant('tap-cache-b');
insert into public.semantic_cache (tenant_id, cache_key, query, results, index_version, valid_until) values
  (tests.get_tenant_id('tap-cache-a'), 'same-key', 'merger', '{"items": ["A secret"]}', 1, now() + interval '1 hour'),
  (tests.get_tenant_id('tap-cache-b'), 'same-key', 'merger', '{"items": []}', 1, now() + interval '1 hour');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-cache-b'));
select results_eq(
  $$select results::text from public.semantic_cache where cache_key = 'same-key'$$,
  $$values ('{"items": []}')$$,
  'B looking up a key A also cached gets its own entry only'
);
select throws_ok(
  $$insert into public.semantic_cache (tenant_id, cache_key, query, results, index_version, valid_until)
    values (tests.get_tenant_id('tap-cache-a'), 'poison', 'q', '{}', 1, now() + interval '1 hour')$$,
  '42501', 'new row violates row-level security policy for table "semantic_cache"',
  'B cannot plant an entry in A''s cache'
);
select lives_ok(
  $$insert into public.semantic_cache (tenant_id, cache_key, query, results, index_version, valid_until)
    values (tests.get_tenant_id('tap-cache-b'), 'other', 'q', '{}', 1, now() + interval '1 hour')$$,
  'B can cache its own search'
);
select is(
  tests.rows_affected($$update public.semantic_cache set results = '{"items": ["poisoned"]}' where tenant_id = tests.get_tenant_id('tap-cache-a')$$),
  0, 'B cannot rewrite A''s cached results'
);
select is(
  tests.rows_affected($$delete from public.semantic_cache where tenant_id = tests.get_tenant_id('tap-cache-a')$$),
  0, 'B cannot drop A''s cached results'
);
select is(tests.rows_affected($$delete from public.semantic_cache$$), 2, 'B drops only its own two entries');

select tests.authenticate_as_anon();
select is(tests.visible_rows('public.semantic_cache'), null, 'anon may not read the cache');

select tests.clear_authentication();
select results_eq(
  $$select results::text from public.semantic_cache where tenant_id = tests.get_tenant_id('tap-cache-a')$$,
  $$values ('{"items": ["A secret"]}')$$,
  'A''s entry is untouched'
);

select * from finish();
rollback;
