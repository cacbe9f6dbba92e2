-- Tenant isolation for public.agent_memory: acting through the API (role authenticated, claims
-- with tenant_id), tenant B stores, reads, updates and forgets its own memories, never tenant A's.
begin;
set local search_path = public, extensions;
select plan(13);

-- FIXTURES (as postgres): one memory in each tenant
select tests.create_tenant('tap-mem-a');
select tests.create_tenant('tap-mem-b');
insert into public.agent_memory (tenant_id, memory_type, key, content) values
  (tests.get_tenant_id('tap-mem-a'), 'fact', 'a-secret', '"A''s secret fact"'),
  (tests.get_tenant_id('tap-mem-b'), 'fact', 'b-fact', '"B''s fact"');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-mem-b'));

-- READ
select results_eq(
  $$select key from public.agent_memory$$,
  $$values ('b-fact')$$,
  'B reading every memory gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.agent_memory where tenant_id = tests.get_tenant_id('tap-mem-a')$$,
  'B cannot read A''s memories even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.agent_memory (tenant_id, memory_type, key, content)
    values (tests.get_tenant_id('tap-mem-b'), 'preference', 'b-pref', '"email"')$$,
  'B can store a memory in its own tenant'
);
select throws_ok(
  $$insert into public.agent_memory (tenant_id, memory_type, key, content)
    values (tests.get_tenant_id('tap-mem-a'), 'fact', 'planted', '"planted by B"')$$,
  '42501',
  'new row violates row-level security policy for table "agent_memory"',
  'B cannot store a memory in A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.agent_memory set importance = 0 where tenant_id = tests.get_tenant_id('tap-mem-a')$$),
  0,
  'B updating A''s memories changes no rows'
);
select is(
  tests.rows_affected($$update public.agent_memory set importance = 0.9$$),
  2,
  'B updating without a filter changes only its own two memories'
);
select throws_ok(
  $$update public.agent_memory set tenant_id = tests.get_tenant_id('tap-mem-a') where key = 'b-fact'$$,
  '42501',
  'new row violates row-level security policy for table "agent_memory"',
  'B cannot move its memory into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.agent_memory where tenant_id = tests.get_tenant_id('tap-mem-a')$$),
  0,
  'B forgetting A''s memories removes no rows'
);
select is(
  tests.rows_affected($$delete from public.agent_memory where key = 'b-pref'$$),
  1,
  'B can forget its own memory'
);
select throws_ok(
  $$truncate public.agent_memory$$,
  '42501',
  'permission denied for table agent_memory',
  'B cannot truncate agent_memory (which would ignore row level security)'
);

-- AFTERWARDS (as postgres): A's memory is as it was
select tests.clear_authentication();
select results_eq(
  $$select key, importance from public.agent_memory where tenant_id = tests.get_tenant_id('tap-mem-a')$$,
  $$values ('a-secret'::text, 0.5::real)$$,
  'A''s memory is still there, unchanged, after B''s attempts'
);

-- anon gets nothing
select tests.authenticate_as_anon();
select is(tests.visible_rows('public.agent_memory'), null, 'anon may not read agent_memory at all');
select tests.clear_authentication();
select results_eq(
  $$select key from public.agent_memory where tenant_id = tests.get_tenant_id('tap-mem-b')$$,
  $$values ('b-fact')$$,
  'B''s own memory stayed in tenant B'
);

select * from finish();
rollback;
