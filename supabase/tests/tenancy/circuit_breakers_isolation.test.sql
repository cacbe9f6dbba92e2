-- Tenant isolation for public.circuit_breakers: a tenant reads its own breakers only; the API
-- roles cannot trip, reset or remove breakers (workers drive them through app.breaker_record).
begin;
set local search_path = public, extensions;
select plan(13);

-- FIXTURES (as postgres): one failure recorded against an LLM host in each tenant
select tests.create_tenant('t-orch-breakers-a');
select tests.create_tenant('t-orch-breakers-b');
select app.breaker_record(tests.get_tenant_id('t-orch-breakers-a'), 'llm:api.example.com', false, 'timeout in A');
select app.breaker_record(tests.get_tenant_id('t-orch-breakers-b'), 'llm:api.example.com', false, 'timeout in B');
create temporary table a_rows_before as select * from public.circuit_breakers where tenant_id = tests.get_tenant_id('t-orch-breakers-a');
create temporary table b_rows_before as select * from public.circuit_breakers where tenant_id = tests.get_tenant_id('t-orch-breakers-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-breakers-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.circuit_breakers$$,
  $$values (tests.get_tenant_id('t-orch-breakers-b'), 1)$$,
  'B reading every circuit breaker gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.circuit_breakers where tenant_id = tests.get_tenant_id('t-orch-breakers-a')$$,
  'B cannot read A''s circuit breakers even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.circuit_breakers (tenant_id, key, state) values (tests.get_tenant_id('t-orch-breakers-b'), 'llm:other.example.com', 'closed')$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot write circuit breakers, not even into its own tenant'
);
select throws_ok(
  $$insert into public.circuit_breakers (tenant_id, key, state, opened_at) values (tests.get_tenant_id('t-orch-breakers-a'), 'llm:other.example.com', 'open', now())$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot write circuit breakers into A''s tenant'
);
select throws_ok(
  $$update public.circuit_breakers set state = 'open', opened_at = now(), cooldown_seconds = 86400 where tenant_id = tests.get_tenant_id('t-orch-breakers-a')$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot trip A''s breakers (which would stop A''s agents calling their model)'
);
select throws_ok(
  $$update public.circuit_breakers set tenant_id = tests.get_tenant_id('t-orch-breakers-a') where tenant_id = tests.get_tenant_id('t-orch-breakers-b')$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot move its own circuit breakers into A''s tenant'
);
select throws_ok(
  $$delete from public.circuit_breakers where tenant_id = tests.get_tenant_id('t-orch-breakers-a')$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot delete A''s circuit breakers'
);
select throws_ok(
  $$delete from public.circuit_breakers where tenant_id = tests.get_tenant_id('t-orch-breakers-b')$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot delete its own breakers (which would reset them)'
);
select throws_ok(
  $$truncate public.circuit_breakers$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot truncate circuit_breakers'
);
select throws_ok(
  $$update public.circuit_breakers set state = 'closed', fail_count = 0 where tenant_id = tests.get_tenant_id('t-orch-breakers-b')$$,
  '42501',
  'permission denied for table circuit_breakers',
  'B cannot reset its own breakers either'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.circuit_breakers where tenant_id = tests.get_tenant_id('t-orch-breakers-a')$$,
  $$select * from a_rows_before$$,
  'A''s circuit breakers are unchanged after B''s attempts'
);
select set_eq(
  $$select * from public.circuit_breakers where tenant_id = tests.get_tenant_id('t-orch-breakers-b')$$,
  $$select * from b_rows_before$$,
  'B''s own circuit breakers are unchanged and still in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-breakers-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.circuit_breakers$$,
  $$values (tests.get_tenant_id('t-orch-breakers-a'), 1)$$,
  'A reading every circuit breaker gets its own and nothing else'
);

select * from finish();
rollback;
