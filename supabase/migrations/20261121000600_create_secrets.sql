-- Tenant secrets (004 §8): credentials in Vault on Supabase, pgcrypto-encrypted locally, each
-- bound to the one origin it may be sent to; every access is logged.

create extension if not exists pgcrypto with schema extensions;

-- ============================================================================
-- TENANT SECRETS (004 §8): Vault on Supabase, pgcrypto-encrypted locally; access logged
-- ============================================================================
create table app.tenant_secrets (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  vault_secret_id uuid,
  value_enc bytea,
  origin text not null check (origin ~ '^https?://[^/?#@]+$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, name),
  check ((vault_secret_id is null) <> (value_enc is null))
);
comment on column app.tenant_secrets.origin is 'The one origin (scheme://host[:port]) the secret may be sent to; app.secret_get refuses any other (secrets are bound to the host they were configured for).';
comment on table app.tenant_secrets is 'Tenant credentials (LLM keys, integration tokens), each bound to one origin. On Supabase the value lives in Vault (vault_secret_id); elsewhere it is encrypted with pgcrypto under the local stack''s key (app.local_encryption_key()). Never returned through the API.';

create table app.secret_access_log (
  id bigint generated always as identity primary key,
  tenant_id uuid not null,
  name text not null,
  action text not null check (action in ('set', 'read', 'refused', 'delete')),
  purpose text,
  at timestamptz not null default now()
);
create index secret_access_log_tenant_idx on app.secret_access_log (tenant_id, at desc);
comment on table app.secret_access_log is 'Every set, read, refused read and delete of a tenant secret, with the purpose (and target origin) given by the caller.';
comment on column app.secret_access_log.name is 'The secret''s name (app.tenant_secrets.name) that was accessed.';
comment on column app.secret_access_log.action is 'set, read, refused (a read for an origin the secret is not bound to) or delete.';
comment on column app.secret_access_log.purpose is 'Why the caller accessed the secret, as it stated; a refused read appends → <origin requested>.';
comment on column app.secret_access_log.at is 'When the access happened.';

alter table app.tenant_secrets enable row level security;
alter table app.tenant_secrets force row level security;
alter table app.secret_access_log enable row level security;
alter table app.secret_access_log force row level security;

-- The key tenant secrets are encrypted with where Vault is absent; null when there is none.
create or replace function app.local_encryption_key()
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_key text;
begin
  if pg_catalog.to_regclass('app.local_secret_key') is null then
    return null;
  end if;
  -- dynamic: the table exists only where the local bootstrap made it (plpgsql_check checks constant SQL)
  execute pg_catalog.format('select k.key from %I.local_secret_key k', 'app') into v_key;
  return v_key;
end;
$$;
comment on function app.local_encryption_key() is 'Internal: the key in app.local_secret_key (one row, made by the local stack''s bootstrap, unreadable by API roles) that app.secret_set/secret_get encrypt with where Vault is absent; null where the table does not exist (Supabase). Called only from those security-definer functions.';
revoke all on function app.local_encryption_key() from public, anon, authenticated, service_role;

-- Stores (or replaces) a tenant secret: in Vault when present, else encrypted with pgcrypto.
create or replace function app.secret_set(tenant_id uuid, name text, value text, origin text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_vault_id uuid;
  v_key text;
begin
  if length(coalesce(secret_set.value, '')) = 0 then
    raise exception 'Secret value is empty' using errcode = 'OR400', detail = 'secret_empty';
  end if;
  if coalesce(secret_set.origin, '') !~ '^https?://[^/?#@]+$' then
    raise exception 'Invalid origin %: give the scheme://host[:port] the secret may be sent to', coalesce(secret_set.origin, 'NULL')
      using errcode = 'OR400', detail = 'secret_origin_invalid';
  end if;
  if to_regclass('vault.secrets') is not null then
    select s.vault_secret_id into v_vault_id from app.tenant_secrets s
    where s.tenant_id = secret_set.tenant_id and s.name = secret_set.name;
    if v_vault_id is null then
      -- dynamic: vault exists only on Supabase (plpgsql_check checks constant EXECUTE strings)
      execute format('select %I.create_secret($1, $2)', 'vault') into v_vault_id
        using secret_set.value, 'ora:' || secret_set.tenant_id || ':' || secret_set.name;
    else
      execute format('select %I.update_secret($1, $2)', 'vault') using v_vault_id, secret_set.value;
    end if;
    insert into app.tenant_secrets as t (tenant_id, name, vault_secret_id, origin)
    values (secret_set.tenant_id, secret_set.name, v_vault_id, lower(secret_set.origin))
    on conflict on constraint tenant_secrets_pkey do update
      set vault_secret_id = excluded.vault_secret_id, origin = excluded.origin, updated_at = now();
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: no Vault and no local encryption key (app.local_secret_key, made by scripts/bootstrap/00_supabase_compat.sql) to encrypt secrets with'
        using errcode = '55000';
    end if;
    insert into app.tenant_secrets as t (tenant_id, name, value_enc, origin)
    values (secret_set.tenant_id, secret_set.name, extensions.pgp_sym_encrypt(secret_set.value, v_key), lower(secret_set.origin))
    on conflict on constraint tenant_secrets_pkey do update
      set value_enc = excluded.value_enc, origin = excluded.origin, updated_at = now();
  end if;
  insert into app.secret_access_log (tenant_id, name, action) values (secret_set.tenant_id, secret_set.name, 'set');
end;
$$;
comment on function app.secret_set(uuid, text, text, text) is 'Stores a tenant secret bound to origin (Vault on Supabase, pgcrypto locally) and logs the write.';

-- Reads a tenant secret for a request to origin, for a stated purpose (logged). A secret bound to
-- another origin is not decrypted: the refusal is logged and bound_origin says where it belongs.
create or replace function app.secret_get(tenant_id uuid, name text, purpose text, origin text)
returns table (value text, bound_origin text)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row app.tenant_secrets%rowtype;
  v_key text;
begin
  select * into v_row from app.tenant_secrets s where s.tenant_id = secret_get.tenant_id and s.name = secret_get.name;
  if not found then
    return;
  end if;
  bound_origin := v_row.origin;
  -- GUARD: a secret goes only to the origin it was configured for
  if v_row.origin is distinct from lower(secret_get.origin) then
    insert into app.secret_access_log (tenant_id, name, action, purpose)
    values (secret_get.tenant_id, secret_get.name, 'refused', secret_get.purpose || ' → ' || coalesce(secret_get.origin, 'no origin'));
    return next;
    return;
  end if;
  if v_row.vault_secret_id is not null then
    execute format('select decrypted_secret from %I.decrypted_secrets where id = $1', 'vault') into value using v_row.vault_secret_id;
  else
    v_key := app.local_encryption_key();
    if coalesce(v_key, '') = '' then
      raise exception 'Server misconfigured: secret %/% is encrypted locally but there is no local encryption key (app.local_secret_key)', secret_get.tenant_id, secret_get.name
        using errcode = '55000';
    end if;
    value := extensions.pgp_sym_decrypt(v_row.value_enc, v_key);
  end if;
  insert into app.secret_access_log (tenant_id, name, action, purpose)
  values (secret_get.tenant_id, secret_get.name, 'read', secret_get.purpose || ' → ' || secret_get.origin);
  return next;
end;
$$;
comment on function app.secret_get(uuid, text, text, text) is 'Workers only: decrypts a tenant secret for a request to origin and logs the read with its purpose. A secret bound to another origin is not decrypted: value is null, bound_origin names its origin and the refusal is logged. No row when there is no such secret.';

-- Deletes a tenant secret (and its Vault entry); returns whether it existed.
create or replace function app.secret_delete(tenant_id uuid, name text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row app.tenant_secrets%rowtype;
begin
  delete from app.tenant_secrets s where s.tenant_id = secret_delete.tenant_id and s.name = secret_delete.name
  returning * into v_row;
  if not found then
    return false;
  end if;
  -- its Vault entry goes with the row (trigger tenant_secrets_forget)
  insert into app.secret_access_log (tenant_id, name, action) values (secret_delete.tenant_id, secret_delete.name, 'delete');
  return true;
end;
$$;
comment on function app.secret_delete(uuid, text) is 'Deletes a tenant secret and logs it.';

-- However a secret row goes (secret_delete, or its tenant deleted: the rows cascade), its Vault
-- entry goes with it; Vault secrets have no foreign key to cascade along.
create or replace function app.tenant_secret_forget()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.vault_secret_id is not null then
    execute format('delete from %I.secrets where id = $1', 'vault') using old.vault_secret_id;
  end if;
  return old;
end;
$$;
comment on function app.tenant_secret_forget() is 'Internal: trigger on app.tenant_secrets deleting the Vault entry of a removed secret (also when its tenant is deleted).';
create trigger tenant_secrets_forget after delete on app.tenant_secrets
  for each row execute function app.tenant_secret_forget();

-- Names of a tenant's secrets with when they were set; never their values.
create or replace function app.secret_list(tenant_id uuid)
returns table (name text, origin text, created_at timestamptz, updated_at timestamptz)
language sql
stable
security definer
set search_path = ''
as $$
  select s.name, s.origin, s.created_at, s.updated_at from app.tenant_secrets s
  where s.tenant_id = secret_list.tenant_id
  order by s.name
$$;
comment on function app.secret_list(uuid) is 'The names of a tenant''s secrets, the origin each is bound to and when they were set (never their values).';

select app.lock_down();
