-- Tenant isolation for public.leads: acting through the API (role authenticated, claims with
-- tenant_id), tenant B reads, writes and removes its own leads and never tenant A's.
begin;
set local search_path = public, extensions;
select plan(14);

-- FIXTURES (as postgres): one lead in each tenant
select tests.create_tenant('tap-leads-a');
select tests.create_tenant('tap-leads-b');
insert into public.leads (tenant_id, name, email, status) values
  (tests.get_tenant_id('tap-leads-a'), 'Ada of A', 'ada@a.example', 'new'),
  (tests.get_tenant_id('tap-leads-b'), 'Bob of B', 'bob@b.example', 'new');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-leads-b'));

-- READ
select results_eq(
  $$select name from public.leads$$,
  $$values ('Bob of B')$$,
  'B reading every lead gets its own lead and nothing else'
);
select is_empty(
  $$select 1 from public.leads where tenant_id = tests.get_tenant_id('tap-leads-a')$$,
  'B cannot read A''s leads even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.leads (tenant_id, name) values (tests.get_tenant_id('tap-leads-b'), 'Bea of B')$$,
  'B can create a lead in its own tenant'
);
select throws_ok(
  $$insert into public.leads (tenant_id, name) values (tests.get_tenant_id('tap-leads-a'), 'Planted by B')$$,
  '42501',
  'new row violates row-level security policy for table "leads"',
  'B cannot create a lead in A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.leads set status = 'lost' where tenant_id = tests.get_tenant_id('tap-leads-a')$$),
  0,
  'B updating A''s leads changes no rows'
);
select is(
  tests.rows_affected($$update public.leads set notes = 'seen by B'$$),
  2,
  'B updating without a filter changes only its own two leads'
);
select throws_ok(
  $$update public.leads set tenant_id = tests.get_tenant_id('tap-leads-a') where name = 'Bob of B'$$,
  '42501',
  'new row violates row-level security policy for table "leads"',
  'B cannot move its own lead into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.leads where tenant_id = tests.get_tenant_id('tap-leads-a')$$),
  0,
  'B deleting A''s leads removes no rows'
);
select is(
  tests.rows_affected($$delete from public.leads where name = 'Bea of B'$$),
  1,
  'B can delete its own lead'
);

-- AFTERWARDS (as postgres): A's lead is exactly as it was, B's lead stayed in B
select tests.clear_authentication();
select results_eq(
  $$select name, status, notes from public.leads where tenant_id = tests.get_tenant_id('tap-leads-a')$$,
  $$values ('Ada of A'::text, 'new'::text, null::text)$$,
  'A''s lead is still there, unchanged, after B''s attempts'
);
select results_eq(
  $$select name, notes from public.leads where tenant_id = tests.get_tenant_id('tap-leads-b')$$,
  $$values ('Bob of B'::text, 'seen by B'::text)$$,
  'B''s own lead was updated and stayed in tenant B'
);

-- A sees its lead, and B's are out of its reach too
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-leads-a'));
select results_eq(
  $$select name from public.leads$$,
  $$values ('Ada of A')$$,
  'A reading every lead gets its own lead and nothing else'
);

-- TRUNCATE ignores row level security: the API roles must not hold it (last: a truncate that
-- succeeds would empty the table for the rest of this file)
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-leads-b'));
select throws_ok(
  $$truncate public.leads$$,
  '42501',
  'permission denied for table leads',
  'B cannot truncate leads (which would remove every tenant''s leads past RLS)'
);
select tests.clear_authentication();
select isnt_empty(
  $$select 1 from public.leads where tenant_id = tests.get_tenant_id('tap-leads-a')$$,
  'A''s lead survives B''s truncate attempt'
);

select * from finish();
rollback;
