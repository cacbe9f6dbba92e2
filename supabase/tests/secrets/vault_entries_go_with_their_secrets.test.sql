-- On Supabase a tenant secret's value lives in Vault (vault.secrets, written through
-- vault.create_secret / vault.update_secret). Vault rows have no foreign key to cascade along, so
-- deleting a secret — or its whole tenant — must remove the Vault entry too. The local stack has
-- no Vault: this test gives the transaction a schema with Vault's interface (rolled back at the
-- end) and checks app.secret_set / secret_delete / tenant deletion against it.
begin;
set local search_path = public, extensions;
select plan(5);

create schema vault;
create table vault.secrets (id uuid primary key default gen_random_uuid(), name text unique, secret text);
create function vault.create_secret(new_secret text, new_name text) returns uuid
language sql as $$ insert into vault.secrets (name, secret) values (new_name, new_secret) returning id $$;
create function vault.update_secret(secret_id uuid, new_secret text) returns void
language sql as $$ update vault.secrets set secret = new_secret where id = secret_id $$;

select tests.create_tenant('tap-vault-a') as a \gset
select tests.create_tenant('tap-vault-b') as b \gset
select app.secret_set(:'a', 'llm', 'sk-a-1', 'https://api.openai.com');
select app.secret_set(:'a', 'llm', 'sk-a-2', 'https://api.openai.com');
select app.secret_set(:'a', 'crm', 'tok-a', 'https://crm.example.com');
select app.secret_set(:'b', 'llm', 'sk-b', 'https://api.openai.com');

select is((select count(*)::int from vault.secrets), 3,
  'One Vault entry per secret: setting a secret again updates its entry');
select is((select value_enc from app.tenant_secrets where tenant_id = :'a' and name = 'llm'), null,
  'With Vault present the value is not kept in the table');

select ok(app.secret_delete(:'a', 'crm'), 'secret_delete removes the secret');
select is((select count(*)::int from vault.secrets where name = 'ora:' || :'a' || ':crm'), 0,
  'and its Vault entry');

delete from public.tenants where id = :'a';
select results_eq($$select name from vault.secrets$$, format($$values ('ora:%s:llm')$$, :'b'),
  'Deleting a tenant removes the Vault entries of its secrets and leaves other tenants'' alone');

select * from finish();
rollback;
