-- Tenant isolation for public.run_waitpoints: a tenant reads what its own parked runs wait for;
-- the API roles cannot create, resolve, cancel or remove waitpoints (a forged resolution would
-- resume a run; app.run_park, the event trigger and app.waitpoint_token_complete do that);
-- anon reads and writes nothing.
begin;
set local search_path = public, extensions;
select plan(14);

-- FIXTURES (as postgres): in each tenant a run with a completion token (an unawaited waitpoint)
select tests.create_tenant('t-tenancy-waits-a') as a \gset
select tests.create_tenant('t-tenancy-waits-b') as b \gset
select id as a_run from app.run_create(:'a', '{"kind":"agent","subject":"writer","enqueue":false}') \gset
select id as b_run from app.run_create(:'b', '{"kind":"agent","subject":"writer","enqueue":false}') \gset
select app.waitpoint_token_create(:'a', :'a_run', repeat('a', 64), null) as a_wp \gset
select app.waitpoint_token_create(:'b', :'b_run', repeat('b', 64), null) as b_wp \gset
create temporary table a_rows_before as select * from public.run_waitpoints where tenant_id = :'a';
create temporary table b_rows_before as select * from public.run_waitpoints where tenant_id = :'b';

select tests.authenticate_as_tenant(:'b');

-- READ
select results_eq(
  $$select id from public.run_waitpoints$$,
  format($$values (%L::uuid)$$, :'b_wp'),
  'B reading every waitpoint gets its own and nothing else'
);
select is_empty(
  format($$select 1 from public.run_waitpoints where tenant_id = %L or run_id = %L or token_hash = %L$$, :'a', :'a_run', repeat('a', 64)),
  'B cannot read A''s waitpoint, even filtering on A''s tenant, run or token hash'
);

-- WRITE
select throws_ok(
  format($$insert into public.run_waitpoints (tenant_id, run_id, kind, resume_at) values (%L, %L, 'time', now())$$, :'b', :'b_run'),
  '42501', 'permission denied for table run_waitpoints',
  'B cannot create waitpoints, not even for its own run'
);
select throws_ok(
  format($$insert into public.run_waitpoints (tenant_id, run_id, kind, resume_at) values (%L, %L, 'time', now())$$, :'a', :'a_run'),
  '42501', 'permission denied for table run_waitpoints',
  'B cannot create waitpoints for A''s run'
);
select throws_ok(
  format($$update public.run_waitpoints set status = 'resolved', result = '{"approved": true}' where id = %L$$, :'a_wp'),
  '42501', 'permission denied for table run_waitpoints',
  'B cannot resolve A''s waitpoint'
);
select throws_ok(
  format($$update public.run_waitpoints set status = 'resolved' where id = %L$$, :'b_wp'),
  '42501', 'permission denied for table run_waitpoints',
  'B cannot resolve its own waitpoint past the API'
);
select throws_ok(
  format($$delete from public.run_waitpoints where tenant_id = %L$$, :'a'),
  '42501', 'permission denied for table run_waitpoints',
  'B cannot delete A''s waitpoints'
);
select throws_ok(
  $$truncate public.run_waitpoints$$,
  '42501', 'permission denied for table run_waitpoints',
  'B cannot truncate run_waitpoints'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(format($$select * from public.run_waitpoints where tenant_id = %L$$, :'a'), $$select * from a_rows_before$$,
  'A''s waitpoint is still pending, unchanged, after B''s attempts');
select set_eq(format($$select * from public.run_waitpoints where tenant_id = %L$$, :'b'), $$select * from b_rows_before$$,
  'B''s own waitpoint is unchanged');

select tests.authenticate_as_tenant(:'a');
select results_eq(
  $$select id from public.run_waitpoints$$,
  format($$values (%L::uuid)$$, :'a_wp'),
  'A reading every waitpoint gets its own and nothing else'
);

-- ANON
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.run_waitpoints'), 0), 0::bigint, 'anon reads no waitpoints');
select throws_ok(
  format($$update public.run_waitpoints set status = 'resolved' where id = %L$$, :'a_wp'),
  '42501', null,
  'anon cannot resolve waitpoints'
);
select throws_ok(
  format($$insert into public.run_waitpoints (tenant_id, run_id, kind, resume_at) values (%L, %L, 'time', now())$$, :'a', :'a_run'),
  '42501', null,
  'anon cannot create waitpoints'
);
select tests.clear_authentication();

select * from finish();
rollback;
