-- Tenant isolation for public.runs: through the API (role authenticated, claims with tenant_id) a
-- tenant reads its own runs only; the API roles cannot create, edit, cancel or remove runs at all
-- (the app.* run functions do, as service_role); anon reads and writes nothing.
begin;
set local search_path = public, extensions;
select plan(16);

-- FIXTURES (as postgres): one run in each tenant (workers are not woken: its message stays in
-- agent_jobs, which the rollback empties)
select tests.create_tenant('t-tenancy-runs-a') as a \gset
select tests.create_tenant('t-tenancy-runs-b') as b \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'a', :'b');
select id as a_run from app.run_create(:'a', '{"kind":"agent","subject":"writer","input":{"query":"A"}}') \gset
select id as b_run from app.run_create(:'b', '{"kind":"agent","subject":"writer","input":{"query":"B"}}') \gset
create temporary table a_rows_before as select * from public.runs where tenant_id = :'a';
create temporary table b_rows_before as select * from public.runs where tenant_id = :'b';

select tests.authenticate_as_tenant(:'b');

-- READ
select results_eq(
  $$select id from public.runs$$,
  format($$values (%L::uuid)$$, :'b_run'),
  'B reading every run gets its own and nothing else'
);
select is_empty(
  format($$select 1 from public.runs where tenant_id = %L or id = %L$$, :'a', :'a_run'),
  'B cannot read A''s run, even filtering on A''s tenant_id or the run''s id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  format($$insert into public.runs (tenant_id, kind, status) values (%L, 'agent', 'running')$$, :'b'),
  '42501', 'permission denied for table runs',
  'B cannot create runs, not even in its own tenant'
);
select throws_ok(
  format($$insert into public.runs (tenant_id, kind) values (%L, 'agent')$$, :'a'),
  '42501', 'permission denied for table runs',
  'B cannot create runs in A''s tenant'
);
select throws_ok(
  format($$update public.runs set status = 'cancelled' where tenant_id = %L$$, :'a'),
  '42501', 'permission denied for table runs',
  'B cannot cancel or edit A''s runs'
);
select throws_ok(
  format($$update public.runs set status = 'completed', output = '{"forged": true}' where id = %L$$, :'b_run'),
  '42501', 'permission denied for table runs',
  'B cannot mark its own run completed past the workers'
);
select throws_ok(
  format($$update public.runs set tenant_id = %L where id = %L$$, :'a', :'b_run'),
  '42501', 'permission denied for table runs',
  'B cannot move its own run into A''s tenant'
);
select throws_ok(
  format($$delete from public.runs where tenant_id = %L$$, :'a'),
  '42501', 'permission denied for table runs',
  'B cannot delete A''s runs'
);
select throws_ok(
  format($$delete from public.runs where id = %L$$, :'b_run'),
  '42501', 'permission denied for table runs',
  'B cannot delete its own runs (cancelling goes through the API)'
);
select throws_ok(
  $$truncate public.runs$$,
  '42501', 'permission denied for table runs',
  'B cannot truncate runs'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(format($$select * from public.runs where tenant_id = %L$$, :'a'), $$select * from a_rows_before$$,
  'A''s run is unchanged after B''s attempts');
select set_eq(format($$select * from public.runs where tenant_id = %L$$, :'b'), $$select * from b_rows_before$$,
  'B''s own run is unchanged and still in tenant B');

-- A reads its own only
select tests.authenticate_as_tenant(:'a');
select results_eq(
  $$select id from public.runs$$,
  format($$values (%L::uuid)$$, :'a_run'),
  'A reading every run gets its own and nothing else'
);

-- ANON
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.runs'), 0), 0::bigint, 'anon reads no runs');
select throws_ok(
  format($$insert into public.runs (tenant_id, kind) values (%L, 'agent')$$, :'a'),
  '42501', null,
  'anon cannot create runs'
);
select throws_ok(
  format($$update public.runs set status = 'cancelled' where id = %L$$, :'a_run'),
  '42501', null,
  'anon cannot change runs'
);
select tests.clear_authentication();

select * from finish();
rollback;
