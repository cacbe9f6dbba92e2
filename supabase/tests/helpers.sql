-- pgTAP helpers shared by every file under supabase/tests (applied once before pg_prove runs;
-- not a migration, never applied to a production database). Idempotent: safe to apply again.
--
-- Test files act as real callers, the way the Ora gateway does (supabase/functions/_shared/db.ts):
-- role and claims are set with set_config(…, true), i.e. `set local`, so they end with the test's
-- transaction. Fixtures are created as postgres, then a file switches identity:
--
--   select tests.authenticate_as_tenant(tests.get_tenant_id('tap-leads-b'));
--   select is(tests.rows_affected($$delete from public.leads where tenant_id = …$$), 0, '…');
--   select tests.clear_authentication();

-- pgTAP lives in schema extensions, as on Supabase (in public it would leak ~1000 functions into
-- the API schema and into the generated types). Supabase databases resolve names in
-- "$user", public, extensions; the test database is given the same search_path so every test
-- file can call plan(), is(), throws_ok() unqualified (new sessions only: pg_prove opens one per
-- file). Test files also `set local search_path = public, extensions` to stand on their own.
create extension if not exists pgtap with schema extensions;
do $$
begin
  execute pg_catalog.format('alter database %I set search_path = "$user", public, extensions',
    pg_catalog.current_database());
end
$$;

create schema if not exists tests;
comment on schema tests is 'pgTAP helpers (supabase/tests/helpers.sql). Test databases only.';

-- ============================================================================
-- FIXTURES (security definer so they work whatever role a test is acting as)
-- ============================================================================

-- Creates a tenant whose name and slug are `slug`; returns its id.
create or replace function tests.create_tenant(slug text)
returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into public.tenants (name, slug)
  values (create_tenant.slug, create_tenant.slug)
  returning id
$$;

-- Creates a Supabase Auth user with `email`; returns its id.
create or replace function tests.create_user(email text)
returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into auth.users (email, raw_app_meta_data, raw_user_meta_data)
  values (create_user.email, '{"provider": "email"}'::jsonb, '{}'::jsonb)
  returning id
$$;

-- Makes `user_id` a member of `tenant` with `role` (owner, admin or member).
create or replace function tests.add_member(tenant uuid, user_id uuid, role text default 'member')
returns void
language sql
security definer
set search_path = ''
as $$
  insert into public.tenant_members (tenant_id, user_id, role)
  values (add_member.tenant, add_member.user_id, add_member.role)
$$;

-- The id of the tenant with `slug`, read past RLS (tests acting as tenant B name tenant A's rows).
create or replace function tests.get_tenant_id(slug text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select t.id from public.tenants t where t.slug = get_tenant_id.slug
$$;

-- The id of the Auth user with `email`, read past privileges on auth.users.
create or replace function tests.get_user_id(email text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.id from auth.users u where u.email = get_user_id.email
$$;

-- ============================================================================
-- IDENTITY: set role + request.jwt.claims for the rest of the transaction, as the gateway does.
-- Invoker functions (SET ROLE is not allowed in security definer functions); switching works
-- from any current role because SET ROLE is checked against the session user (postgres).
-- ============================================================================

-- Acts as role authenticated with claims {"role":"authenticated","tenant_id":<tenant>}.
create or replace function tests.authenticate_as_tenant(tenant uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'authenticated', true);
  perform pg_catalog.set_config('request.jwt.claims',
    pg_catalog.jsonb_build_object('role', 'authenticated', 'tenant_id', authenticate_as_tenant.tenant)::text,
    true);
end;
$$;

-- Acts as role anon with claims {"role":"anon"} (a caller without credentials).
create or replace function tests.authenticate_as_anon()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'anon', true);
  perform pg_catalog.set_config('request.jwt.claims', '{"role":"anon"}', true);
end;
$$;

-- Acts as role service_role with claims {"role":"service_role"} (workers, admin actions).
create or replace function tests.authenticate_as_service()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'service_role', true);
  perform pg_catalog.set_config('request.jwt.claims', '{"role":"service_role"}', true);
end;
$$;

-- Back to postgres with no claims.
create or replace function tests.clear_authentication()
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform pg_catalog.set_config('role', 'postgres', true);
  perform pg_catalog.set_config('request.jwt.claims', '', true);
end;
$$;

-- ============================================================================
-- ASSERTION HELPERS (invoker: they run with the privileges of the role being tested)
-- ============================================================================

-- Runs one INSERT/UPDATE/DELETE and returns how many rows it touched (0 when RLS hid them all).
create or replace function tests.rows_affected(statement text)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_count integer;
begin
  execute rows_affected.statement;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;

-- How many rows of table `rel` (a name such as 'public.leads') the current role can see, or null
-- when it may not read the table at all (permission denied, SQLSTATE 42501).
create or replace function tests.visible_rows(rel text)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  v_count bigint;
begin
  -- resolve the name here, inside the handler: naming a table in a schema the role cannot use
  -- is itself "permission denied for schema"
  execute pg_catalog.format('select count(*) from %s', visible_rows.rel::regclass) into v_count;
  return v_count;
exception
  when insufficient_privilege then
    return null;
end;
$$;

-- The error `statement` raises, as '<SQLSTATE>: <DETAIL>' ('<SQLSTATE>' when it has no detail), or
-- null when it raises none. Ora's functions put a machine-readable reason in DETAIL (OR409 with
-- spawn_depth_limit, OR404 with run_not_found, …), which throws_ok cannot see:
--   select is(tests.error_of($$select app.session_spawn(…)$$), 'OR409: spawn_depth_limit', '…');
create or replace function tests.error_of(statement text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_state text;
  v_detail text;
begin
  execute error_of.statement;
  return null;
exception
  when others then
    get stacked diagnostics v_state = returned_sqlstate, v_detail = pg_exception_detail;
    return v_state || coalesce(': ' || nullif(v_detail, ''), '');
end;
$$;

-- ============================================================================
-- PRIVILEGES: every API role can call the helpers (tests switch roles mid-file)
-- ============================================================================
grant usage on schema tests to anon, authenticated, service_role;
grant execute on all functions in schema tests to anon, authenticated, service_role;
