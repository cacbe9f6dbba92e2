-- Tenant isolation for public.director_reviews: a tenant reads its own director reviews only; the
-- API roles cannot forge, edit or remove them (app.director_review writes them).
begin;
set local search_path = public, extensions;
select plan(12);

-- FIXTURES (as postgres): one review in each tenant
select tests.create_tenant('t-orch-reviews-a');
select tests.create_tenant('t-orch-reviews-b');
insert into public.director_reviews (tenant_id, sessions_checked, findings, decisions) values
  (tests.get_tenant_id('t-orch-reviews-a'), 2, '[{"agent": "writer", "status": "running"}]', '[{"decision": "escalated"}]'),
  (tests.get_tenant_id('t-orch-reviews-b'), 1, '[]', '[]');
create temporary table a_rows_before as select * from public.director_reviews where tenant_id = tests.get_tenant_id('t-orch-reviews-a');
create temporary table b_rows_before as select * from public.director_reviews where tenant_id = tests.get_tenant_id('t-orch-reviews-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-reviews-b'));

-- READ
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.director_reviews$$,
  $$values (tests.get_tenant_id('t-orch-reviews-b'), 1)$$,
  'B reading every director review gets its own and nothing else'
);
select is_empty(
  $$select 1 from public.director_reviews where tenant_id = tests.get_tenant_id('t-orch-reviews-a')$$,
  'B cannot read A''s director reviews even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.director_reviews (tenant_id, sessions_checked) values (tests.get_tenant_id('t-orch-reviews-b'), 0)$$,
  '42501',
  'permission denied for table director_reviews',
  'B cannot write director reviews, not even into its own tenant'
);
select throws_ok(
  $$insert into public.director_reviews (tenant_id, sessions_checked, findings) values (tests.get_tenant_id('t-orch-reviews-a'), 0, '[]')$$,
  '42501',
  'permission denied for table director_reviews',
  'B cannot write director reviews into A''s tenant'
);
select throws_ok(
  $$update public.director_reviews set findings = '[]', decisions = '[]' where tenant_id = tests.get_tenant_id('t-orch-reviews-a')$$,
  '42501',
  'permission denied for table director_reviews',
  'B cannot clear A''s review findings'
);
select throws_ok(
  $$update public.director_reviews set tenant_id = tests.get_tenant_id('t-orch-reviews-a') where tenant_id = tests.get_tenant_id('t-orch-reviews-b')$$,
  '42501',
  'permission denied for table director_reviews',
  'B cannot move its own director reviews into A''s tenant'
);
select throws_ok(
  $$delete from public.director_reviews where tenant_id = tests.get_tenant_id('t-orch-reviews-a')$$,
  '42501',
  'permission denied for table director_reviews',
  'B cannot delete A''s director reviews'
);
select throws_ok(
  $$delete from public.director_reviews where tenant_id = tests.get_tenant_id('t-orch-reviews-b')$$,
  '42501',
  'permission denied for table director_reviews',
  'B cannot delete its own reviews'
);
select throws_ok(
  $$truncate public.director_reviews$$,
  '42501',
  'permission denied for table director_reviews',
  'B cannot truncate director_reviews'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(
  $$select * from public.director_reviews where tenant_id = tests.get_tenant_id('t-orch-reviews-a')$$,
  $$select * from a_rows_before$$,
  'A''s director reviews are unchanged after B''s attempts'
);
select set_eq(
  $$select * from public.director_reviews where tenant_id = tests.get_tenant_id('t-orch-reviews-b')$$,
  $$select * from b_rows_before$$,
  'B''s own director reviews are unchanged and still in tenant B'
);

-- A reads its own only
select tests.authenticate_as_tenant(tests.get_tenant_id('t-orch-reviews-a'));
select results_eq(
  $$select distinct tenant_id, count(*) over ()::int from public.director_reviews$$,
  $$values (tests.get_tenant_id('t-orch-reviews-a'), 1)$$,
  'A reading every director review gets its own and nothing else'
);

select * from finish();
rollback;
