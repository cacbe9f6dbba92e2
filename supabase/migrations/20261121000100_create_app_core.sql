-- Core: extensions, the private `app` schema, default privileges, tenancy helpers.
-- Assumes a Supabase database (roles anon/authenticated/service_role, schemas auth and extensions).

-- ============================================================================
-- EXTENSIONS
-- ============================================================================
create extension if not exists vector with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
-- pg_net (hosted Supabase) lets app.invoke_function call Edge Functions from SQL and pg_cron;
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
