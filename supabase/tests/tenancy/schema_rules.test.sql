-- Guard for future migrations: rules every table and function in schemas public and app must
-- follow, checked against the catalog. Each assertion lists the offending objects, so a failure
-- says what to fix. Objects owned by extensions (pgtap, pg_cron, …) are not ours and are skipped.
begin;
set local search_path = public, extensions;
select plan(20);

-- Our own tables and functions in public and app (not those installed by an extension); the
-- views go away with the rollback.
create temporary view our_tables as
  select c.oid, c.relnamespace::regnamespace::text as schema_name, c.relname::text as table_name,
    c.relnamespace::regnamespace::text || '.' || c.relname as qualified_name,
    c.relrowsecurity, c.relforcerowsecurity
  from pg_catalog.pg_class c
  where c.relnamespace in ('public'::regnamespace, 'app'::regnamespace)
    and c.relkind in ('r', 'p')
    and not exists (select 1 from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e');

create temporary view our_functions as
  select p.oid, p.pronamespace::regnamespace::text as schema_name,
    p.pronamespace::regnamespace::text || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as signature,
    p.prosecdef, p.proconfig, p.prokind
  from pg_catalog.pg_proc p
  where p.pronamespace in ('public'::regnamespace, 'app'::regnamespace)
    and not exists (select 1 from pg_catalog.pg_depend d
      where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e');

-- ============================================================================
-- TABLES
-- ============================================================================
select isnt_empty(
  $$select 1 from our_tables where schema_name = 'public'$$,
  'The rules below have public tables to check'
);

select is(
  array(select qualified_name from our_tables
        where schema_name = 'public' and not (relrowsecurity and relforcerowsecurity) order by 1),
  '{}'::text[],
  'Every table in public has row level security enabled and forced'
);

select is(
  array(select qualified_name from our_tables
        where schema_name = 'app' and not (relrowsecurity and relforcerowsecurity) order by 1),
  '{}'::text[],
  'Every table in app has row level security enabled and forced'
);

-- tenant_id uuid not null on every tenant-owned table. Exception: request_log.tenant_id is
-- nullable on purpose, for requests that never authenticated (visible to operators only).
select is(
  array(select t.qualified_name from our_tables t
        where t.schema_name = 'public' and t.table_name <> 'tenants'
          and not exists (select 1 from pg_catalog.pg_attribute a
            where a.attrelid = t.oid and a.attname = 'tenant_id' and not a.attisdropped
              and a.atttypid = 'uuid'::regtype
              and (a.attnotnull or t.table_name = 'request_log'))
        order by 1),
  '{}'::text[],
  'Every public table but tenants has a tenant_id uuid not null column (request_log: nullable)'
);

select is(
  array(select t.qualified_name from our_tables t
        where t.schema_name = 'public' and t.table_name <> 'tenants'
          and not exists (select 1 from pg_catalog.pg_index i
            join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
            where i.indrelid = t.oid and a.attname = 'tenant_id')
        order by 1),
  '{}'::text[],
  'Every public table but tenants has an index whose first column is tenant_id'
);

select col_is_pk('public', 'tenants', 'id', 'public.tenants is keyed by its primary key id');

-- RLS policies on public tables apply to authenticated only and scope rows by app.tenant_id()
select is(
  array(select pol.schemaname || '.' || pol.tablename || ': ' || pol.policyname
        from pg_catalog.pg_policies pol
        where pol.schemaname = 'public'
          and (pol.roles <> '{authenticated}'::name[]
            or (pol.qual is not null and pol.qual not like '%app.tenant_id()%')
            or (pol.with_check is not null and pol.with_check not like '%app.tenant_id()%'))
        order by 1),
  '{}'::text[],
  'Every policy in public is for authenticated and compares against app.tenant_id()'
);

-- TRUNCATE and TRIGGER are not subject to row level security: API roles must not hold them
select is(
  array(select r.role_name || ' has ' || priv.name || ' on ' || t.qualified_name
        from our_tables t
        cross join (values ('anon'), ('authenticated')) as r(role_name)
        cross join (values ('TRUNCATE'), ('TRIGGER')) as priv(name)
        where t.schema_name = 'public' and pg_catalog.has_table_privilege(r.role_name, t.oid, priv.name)
        order by 1),
  '{}'::text[],
  'anon and authenticated hold no TRUNCATE or TRIGGER privilege on public tables'
);

-- ============================================================================
-- FUNCTIONS
-- ============================================================================
select isnt_empty(
  $$select 1 from our_functions where schema_name = 'app' and prosecdef$$,
  'The rules below have security-definer functions to check'
);

select is(
  array(select signature from our_functions
        where prosecdef and not coalesce('search_path=""' = any(proconfig), false)
        order by 1),
  '{}'::text[],
  'Every security-definer function in public and app sets search_path to empty'
);

-- One exception: PostgreSQL forbids COMMIT in a procedure that has a SET clause, so the procedure
-- app.tick_loop (which commits after every tick) pins search_path per transaction instead.
select is(
  array(select signature from our_functions
        where not coalesce('search_path=""' = any(proconfig), false)
          and oid <> 'app.tick_loop(integer, integer)'::regprocedure
        order by 1),
  '{}'::text[],
  'Every function and procedure in public and app sets search_path to empty, but app.tick_loop'
);
select ok(
  (select prokind = 'p' and not prosecdef and proconfig is null
     and pg_catalog.pg_get_functiondef(oid) like '%set_config(''search_path'', '''', true)%'
   from our_functions where oid = 'app.tick_loop(integer, integer)'::regprocedure),
  'app.tick_loop is that exception: a procedure (it commits), not security definer, pinning search_path to empty itself'
);

select is(
  array(select signature from our_functions where schema_name = 'public' and prosecdef order by 1),
  '{}'::text[],
  'No security-definer function lives in the exposed schema public'
);

-- EXECUTE as the privilege itself (whether or not the role may also use schema app). The two
-- exceptions are what RLS policies and security-invoker views call as authenticated.
select is(
  array(select f.signature from our_functions f
        where f.schema_name = 'app' and pg_catalog.has_function_privilege('anon', f.oid, 'EXECUTE')
        order by 1),
  '{}'::text[],
  'anon can execute no routine in app'
);
select is(
  array(select f.oid::regprocedure::text from our_functions f
        where f.schema_name = 'app' and pg_catalog.has_function_privilege('authenticated', f.oid, 'EXECUTE')
        order by 1),
  array['app.run_is_terminal(text)', 'app.tenant_id()'],
  'authenticated can execute exactly app.tenant_id() and app.run_is_terminal(text) in app'
);
select is(
  array(select f.signature from our_functions f
        where f.schema_name = 'app' and pg_catalog.has_function_privilege('public', f.oid, 'EXECUTE')
        order by 1),
  '{}'::text[],
  'PUBLIC can execute no routine in app (functions get EXECUTE for PUBLIC by default: app.lock_down takes it back)'
);

-- service_role (the workers) reaches every app routine except the internal helpers, whose comment
-- starts with 'Internal:' (and app.lock_down, for migrations). Every migration ends with
-- `select app.lock_down();`, which states these privileges; that the files end so cannot be
-- checked from SQL, so the result is checked instead.
select isnt_empty(
  $$select 1 from our_functions where schema_name = 'app' and pg_catalog.obj_description(oid, 'pg_proc') like 'Internal:%'$$,
  'The rule below has internal app routines to check'
);
select is(
  array(select f.signature from our_functions f
        where f.schema_name = 'app' and pg_catalog.obj_description(f.oid, 'pg_proc') like 'Internal:%'
          and pg_catalog.has_function_privilege('service_role', f.oid, 'EXECUTE')
        order by 1),
  '{}'::text[],
  'service_role can execute no app routine whose comment starts with ''Internal:'''
);
select is(
  array(select f.signature from our_functions f
        where f.schema_name = 'app' and coalesce(pg_catalog.obj_description(f.oid, 'pg_proc'), '') = ''
        order by 1),
  '{}'::text[],
  'Every app routine has a comment (which says, among other things, whether it is internal)'
);

select ok(
  not pg_catalog.has_schema_privilege('anon', 'app', 'USAGE'),
  'anon cannot use schema app'
);

select * from finish();
rollback;
