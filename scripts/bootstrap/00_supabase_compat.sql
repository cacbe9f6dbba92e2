-- Supabase-compatible bootstrap for a plain Postgres (never applied to a Supabase database).
-- Creates what every Supabase project already has, so the migrations stay identical:
-- the API roles, the `auth` schema with auth.uid()/auth.jwt()/auth.role() reading
-- `request.jwt.claims` exactly as Supabase does, a minimal auth.users, and the `extensions` schema.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;

grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
  id uuid primary key default gen_random_uuid(),
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255) unique,
  raw_app_meta_data jsonb default '{}'::jsonb,
  raw_user_meta_data jsonb default '{}'::jsonb,
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;

comment on schema auth is 'Ora local stack: Supabase-compatible auth schema (bootstrap)';

-- Local stand-in for Vault: tenant secrets are encrypted with pgcrypto under a per-database key
-- (app.secret_set / app.secret_get; Supabase keeps them in Vault instead). The key sits in a
-- one-row table no API role can read: RLS forced with no policies, no grants; only the owner's
-- security-definer functions reach it. (Never a database setting: current_setting() is open
-- to every role, anon included.) Schema app is the migrations' private schema; making it here
-- first is harmless (migration 0100 uses create schema if not exists).
create schema if not exists app;

create table if not exists app.local_secret_key (
  id boolean primary key default true check (id),
  key text not null check (length(key) >= 32),
  created_at timestamptz not null default now()
);
comment on table app.local_secret_key is 'Local stack only (bootstrap): the key app.secret_set/secret_get encrypt tenant secrets with where Vault is absent. One row; readable only by the owner.';
alter table app.local_secret_key enable row level security;
alter table app.local_secret_key force row level security;
revoke all on table app.local_secret_key from public, anon, authenticated, service_role;

-- Generated once per database: 2 x 122 random bits from gen_random_uuid (pgcrypto may not be
-- installed yet). A key an earlier bootstrap kept in the database setting app.local_secret_key
-- moves here, so secrets encrypted under it still decrypt; the setting is then removed.
insert into app.local_secret_key (key)
select coalesce(
  nullif(current_setting('app.local_secret_key', true), ''),
  encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex')
)
on conflict (id) do nothing;

do $$
begin
  execute format('alter database %I reset app.local_secret_key', current_database());
end
$$;
