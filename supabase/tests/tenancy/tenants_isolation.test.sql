-- Tenant isolation for public.tenants: a tenant sees its own row only, and the API roles cannot
-- create, change or remove tenants at all (that is ora tenants.create, as the service role).
begin;
set local search_path = public, extensions;
select plan(14);

-- FIXTURES (as postgres)
select tests.create_tenant('tap-tenants-a');
select tests.create_tenant('tap-tenants-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tenants-b'));

-- READ
select results_eq(
  $$select slug from public.tenants$$,
  $$values ('tap-tenants-b')$$,
  'B reading every tenant gets its own tenant and nothing else'
);
select is_empty(
  $$select 1 from public.tenants where id = tests.get_tenant_id('tap-tenants-a')$$,
  'B cannot read A''s tenant row even by its id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.tenants (name, slug) values ('Made by B', 'tap-tenants-c')$$,
  '42501',
  'permission denied for table tenants',
  'B cannot create a tenant'
);
select throws_ok(
  $$update public.tenants set name = 'Renamed by B' where id = tests.get_tenant_id('tap-tenants-a')$$,
  '42501',
  'permission denied for table tenants',
  'B cannot update A''s tenant'
);
select throws_ok(
  $$update public.tenants set settings = '{"plan": "free-forever"}' where id = tests.get_tenant_id('tap-tenants-b')$$,
  '42501',
  'permission denied for table tenants',
  'B cannot update its own tenant either'
);
select throws_ok(
  $$update public.tenants set id = tests.get_tenant_id('tap-tenants-a') where id = tests.get_tenant_id('tap-tenants-b')$$,
  '42501',
  'permission denied for table tenants',
  'B cannot rewrite its own tenant id to A''s'
);
select throws_ok(
  $$delete from public.tenants where id = tests.get_tenant_id('tap-tenants-a')$$,
  '42501',
  'permission denied for table tenants',
  'B cannot delete A''s tenant'
);
select throws_ok(
  $$delete from public.tenants where id = tests.get_tenant_id('tap-tenants-b')$$,
  '42501',
  'permission denied for table tenants',
  'B cannot delete its own tenant either'
);
select throws_ok(
  $$truncate public.tenants cascade$$,
  '42501',
  'permission denied for table tenants',
  'B cannot truncate tenants'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select results_eq(
  $$select name, slug, settings from public.tenants where id = tests.get_tenant_id('tap-tenants-a')$$,
  $$values ('tap-tenants-a'::text, 'tap-tenants-a'::text, '{}'::jsonb)$$,
  'A''s tenant is unchanged after B''s attempts'
);
select results_eq(
  $$select name, settings from public.tenants where id = tests.get_tenant_id('tap-tenants-b')$$,
  $$values ('tap-tenants-b'::text, '{}'::jsonb)$$,
  'B''s tenant is unchanged after its own attempts'
);

-- A sees its own tenant only
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tenants-a'));
select results_eq(
  $$select slug from public.tenants$$,
  $$values ('tap-tenants-a')$$,
  'A reading every tenant gets its own tenant and nothing else'
);

-- Without a tenant claim, nothing matches
select tests.authenticate_as_tenant(null);
select is_empty(
  $$select 1 from public.tenants$$,
  'An authenticated caller without a tenant_id claim sees no tenant'
);

-- A trigger on tenants would run on every tenant's writes: the API roles must not be able to
-- attach one (last: a trigger that gets created stays until the rollback)
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-tenants-b'));
select throws_ok(
  $$create trigger tap_planted_by_b after insert or update on public.tenants
    for each row execute function app.table_event_emit()$$,
  '42501',
  null,
  'B cannot attach a trigger to tenants'
);

select * from finish();
rollback;
