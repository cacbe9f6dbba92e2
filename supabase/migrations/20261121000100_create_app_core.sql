-- Core: extensions, the private `app` schema, default privileges, tenancy helpers.
-- Assumes a Supabase database (roles anon/authenticated/service_role, schemas auth and extensions).

-- ============================================================================
-- EXTENSIONS
-- ============================================================================
create extension if not exists vector with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
-- pg_net (hosted Supabase) lets app.function_invoke call Edge Functions from SQL and pg_cron;
-- where it is not available the local function server relays pg_notify instead.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net with schema extensions;
  end if;
end
$$;

-- ============================================================================
-- PRIVILEGES: nothing is executable by API roles unless granted explicitly
-- ============================================================================
alter default privileges in schema public revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;

-- `app` holds internals and security-definer functions; it is never exposed through the API.
create schema if not exists app;
comment on schema app is 'Ora internals: security-definer functions, queues layer, private tables. Not exposed through the API.';
revoke all on schema app from public;
grant usage on schema app to authenticated, service_role;
alter default privileges in schema app revoke execute on functions from public;
alter default privileges in schema app revoke execute on functions from anon, authenticated;
alter default privileges in schema app revoke all on tables from anon, authenticated;

-- ============================================================================
-- TENANCY HELPERS
-- ============================================================================

-- The tenant of the current request, from the claims the gateway sets (null when absent).
create or replace function app.tenant_id()
returns uuid
language sql
stable
set search_path = ''
as $$
  select nullif((select auth.jwt()) ->> 'tenant_id', '')::uuid
$$;
comment on function app.tenant_id() is 'Tenant of the current request, read from request.jwt.claims.tenant_id (set by the Ora gateway). Null when absent, which matches no row.';
grant execute on function app.tenant_id() to authenticated, service_role;

-- Keeps updated_at current on every update.
create or replace function app.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
comment on function app.touch_updated_at() is 'Trigger: sets updated_at to now() on update.';

-- ============================================================================
-- LOCK-DOWN (every migration ends with `select app.lock_down();`)
-- ============================================================================

-- States the API roles' privileges after a migration, so a later one cannot forget them:
-- no app function is executable by PUBLIC, anon or authenticated, except the pure helpers RLS
-- policies and security-invoker views call (app.tenant_id(), app.run_is_terminal(text));
-- service_role (the workers) may call every app function except the
-- internal helpers (comment starting 'Internal:'); no API role holds TRUNCATE, TRIGGER or
-- REFERENCES on a public table. Functions get EXECUTE for PUBLIC by default, and a per-schema
-- default privilege cannot take that away, hence a function rather than defaults.
create or replace function app.lock_down()
returns void
language plpgsql
set search_path = ''
as $$
declare
  v_fn record;
begin
  execute 'revoke execute on all routines in schema app from public, anon, authenticated';
  execute 'grant execute on function app.tenant_id() to authenticated';
  if pg_catalog.to_regprocedure('app.run_is_terminal(text)') is not null then
    execute 'grant execute on function app.run_is_terminal(text) to authenticated';
  end if;
  for v_fn in
    select p.oid::regprocedure as sig, coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '') as note
    from pg_catalog.pg_proc p
    where p.pronamespace = 'app'::regnamespace and p.prokind in ('f', 'p')
  loop
    if v_fn.note like 'Internal:%' or v_fn.sig::text = 'app.lock_down()' then
      execute pg_catalog.format('revoke execute on routine %s from service_role', v_fn.sig);
    else
      execute pg_catalog.format('grant execute on routine %s to service_role', v_fn.sig);
    end if;
  end loop;
  execute 'revoke truncate, trigger, references on all tables in schema public from anon, authenticated';
end;
$$;
comment on function app.lock_down() is 'Migrations: restates the API roles'' privileges on app functions and public tables (see the migration that defines it). Every migration ends by calling it; tests/tenancy/schema_rules.test.sql checks the result.';

alter default privileges for role postgres in schema public
  revoke truncate, trigger, references on tables from anon, authenticated;

select app.lock_down();
