-- Tenant isolation for public.request_log: a tenant reads its own request log only; requests that
-- never authenticated (tenant_id null) are for operators; the API roles write nothing here
-- (the gateway logs as its own connection).
begin;
set local search_path = public, extensions;
select plan(13);

-- FIXTURES (as postgres): a request of A, one of B, and one that never authenticated
select tests.create_tenant('tap-reqlog-a');
select tests.create_tenant('tap-reqlog-b');
insert into public.request_log (request_id, tenant_id, function_name, action, method, status, duration_ms) values
  ('tap-reqlog-req-a', tests.get_tenant_id('tap-reqlog-a'), 'ora', 'leads.list', 'POST', 200, 12.5),
  ('tap-reqlog-req-b', tests.get_tenant_id('tap-reqlog-b'), 'ora', 'leads.list', 'POST', 200, 8.25),
  ('tap-reqlog-req-anon', null, 'ora', null, 'POST', 401, 1.0);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-reqlog-b'));

-- READ
select results_eq(
  $$select request_id from public.request_log$$,
  $$values ('tap-reqlog-req-b')$$,
  'B reading the whole request log gets its own request and nothing else'
);
select is_empty(
  $$select 1 from public.request_log where tenant_id = tests.get_tenant_id('tap-reqlog-a')$$,
  'B cannot read A''s requests even when it filters on A''s tenant_id'
);
select is_empty(
  $$select 1 from public.request_log where tenant_id is null$$,
  'B cannot read requests that never authenticated (tenant_id null is for operators only)'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.request_log (request_id, tenant_id, function_name, method, status, duration_ms)
    values ('forged', tests.get_tenant_id('tap-reqlog-a'), 'ora', 'POST', 500, 1)$$,
  '42501',
  'permission denied for table request_log',
  'B cannot write requests into A''s log'
);
select throws_ok(
  $$insert into public.request_log (request_id, tenant_id, function_name, method, status, duration_ms)
    values ('forged', tests.get_tenant_id('tap-reqlog-b'), 'ora', 'POST', 200, 1)$$,
  '42501',
  'permission denied for table request_log',
  'B cannot write requests into its own log either'
);
select throws_ok(
  $$update public.request_log set status = 500 where tenant_id = tests.get_tenant_id('tap-reqlog-a')$$,
  '42501',
  'permission denied for table request_log',
  'B cannot alter A''s requests'
);
select throws_ok(
  $$update public.request_log set tenant_id = tests.get_tenant_id('tap-reqlog-a') where request_id = 'tap-reqlog-req-b'$$,
  '42501',
  'permission denied for table request_log',
  'B cannot move its own requests into A''s log'
);
select throws_ok(
  $$delete from public.request_log where tenant_id = tests.get_tenant_id('tap-reqlog-a')$$,
  '42501',
  'permission denied for table request_log',
  'B cannot delete A''s requests'
);
select throws_ok(
  $$delete from public.request_log where request_id = 'tap-reqlog-req-b'$$,
  '42501',
  'permission denied for table request_log',
  'B cannot delete its own requests either'
);
select throws_ok(
  $$truncate public.request_log$$,
  '42501',
  'permission denied for table request_log',
  'B cannot truncate the request log'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select results_eq(
  $$select request_id, status from public.request_log where tenant_id = tests.get_tenant_id('tap-reqlog-a')$$,
  $$values ('tap-reqlog-req-a'::text, 200)$$,
  'A''s request log is unchanged after B''s attempts'
);
select results_eq(
  $$select tenant_id from public.request_log where request_id = 'tap-reqlog-req-b'$$,
  $$values (tests.get_tenant_id('tap-reqlog-b'))$$,
  'B''s request stayed in tenant B'
);

-- A reads its own request only
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-reqlog-a'));
select results_eq(
  $$select request_id from public.request_log$$,
  $$values ('tap-reqlog-req-a')$$,
  'A reading the whole request log gets its own request and nothing else'
);

select * from finish();
rollback;
