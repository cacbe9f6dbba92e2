-- A caller without credentials (role anon) reads nothing, writes nothing and reaches none of the
-- security-definer functions in app, whatever rows exist.
begin;
set local search_path = public, extensions;
select plan(22);

-- FIXTURES (as postgres): at least one row in every table
select tests.create_tenant('tap-anon-a');
select tests.create_user('amy@anon-a.example');
select tests.add_member(tests.get_tenant_id('tap-anon-a'), tests.get_user_id('amy@anon-a.example'), 'owner');
insert into public.api_keys (id, tenant_id, name, key_prefix, key_hash) values
  ('a2a2a2a2-0000-4000-8000-00000000000a', tests.get_tenant_id('tap-anon-a'), 'A production', 'tapanona',
    encode(sha256('ora_tapanona_secret'::bytea), 'hex'));
-- one request through the gateway's connection, so a rate counter exists
select count(*) from app.api_key_consume('a2a2a2a2-0000-4000-8000-00000000000a', '203.0.113.1');
insert into public.request_log (request_id, tenant_id, function_name, method, status, duration_ms)
  values ('tap-anon-req', tests.get_tenant_id('tap-anon-a'), 'ora', 'POST', 200, 3);
insert into public.leads (tenant_id, name) values (tests.get_tenant_id('tap-anon-a'), 'Lead of A');
insert into public.blog_posts (tenant_id, title, slug) values (tests.get_tenant_id('tap-anon-a'), 'Post of A', 'post-of-a');

select is(
  array(
    select t from unnest(array['public.tenants', 'public.tenant_members', 'public.api_keys', 'public.request_log',
      'public.leads', 'public.blog_posts', 'public.event_log', 'app.rate_counters']) as t
    where coalesce(tests.visible_rows(t), 0) = 0
  ),
  '{}'::text[],
  'Every table holds rows for anon to miss'
);

select tests.authenticate_as_anon();

-- READ: permission denied (visible_rows is null) or no rows
select is(coalesce(tests.visible_rows('public.tenants'), 0), 0::bigint, 'anon reads no tenants');
select is(coalesce(tests.visible_rows('public.tenant_members'), 0), 0::bigint, 'anon reads no tenant members');
select is(coalesce(tests.visible_rows('public.api_keys'), 0), 0::bigint, 'anon reads no API keys');
select is(coalesce(tests.visible_rows('public.request_log'), 0), 0::bigint, 'anon reads no request log');
select is(coalesce(tests.visible_rows('public.leads'), 0), 0::bigint, 'anon reads no leads');
select is(coalesce(tests.visible_rows('public.blog_posts'), 0), 0::bigint, 'anon reads no blog posts');
select is(coalesce(tests.visible_rows('public.event_log'), 0), 0::bigint, 'anon reads no events');
select is(coalesce(tests.visible_rows('app.rate_counters'), 0), 0::bigint, 'anon reads no rate counters');

-- WRITE
select throws_ok(
  $$insert into public.tenants (name, slug) values ('By anon', 'tap-anon-b')$$,
  '42501', null, 'anon cannot create tenants'
);
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id) values (tests.get_tenant_id('tap-anon-a'), tests.get_user_id('amy@anon-a.example'))$$,
  '42501', null, 'anon cannot add members'
);
select throws_ok(
  $$insert into public.api_keys (tenant_id, name, key_prefix, key_hash)
    values (tests.get_tenant_id('tap-anon-a'), 'By anon', 'tapanonb', encode(sha256('x'::bytea), 'hex'))$$,
  '42501', null, 'anon cannot create API keys'
);
select throws_ok(
  $$insert into public.request_log (request_id, function_name, method, status, duration_ms) values ('x', 'ora', 'GET', 200, 1)$$,
  '42501', null, 'anon cannot write the request log'
);
select throws_ok(
  $$insert into public.leads (tenant_id, name) values (tests.get_tenant_id('tap-anon-a'), 'By anon')$$,
  '42501', null, 'anon cannot create leads'
);
select throws_ok(
  $$insert into public.blog_posts (tenant_id, title, slug) values (tests.get_tenant_id('tap-anon-a'), 'By anon', 'by-anon')$$,
  '42501', null, 'anon cannot create blog posts'
);
select throws_ok(
  $$insert into public.event_log (tenant_id, event_type) values (tests.get_tenant_id('tap-anon-a'), 'forged')$$,
  '42501', null, 'anon cannot write events'
);

-- FUNCTIONS in app
select throws_ok(
  $$select * from app.api_key_consume('a2a2a2a2-0000-4000-8000-00000000000a', '203.0.113.1')$$,
  '42501', null, 'anon cannot execute app.api_key_consume'
);
select throws_ok(
  $$select * from app.api_key_lookup('tapanona')$$,
  '42501', null, 'anon cannot execute app.api_key_lookup'
);
select throws_ok(
  $$select * from app.member_resolve(tests.get_user_id('amy@anon-a.example'), null)$$,
  '42501', null, 'anon cannot execute app.member_resolve'
);
select throws_ok(
  $$select app.cleanup()$$,
  '42501', null, 'anon cannot execute app.cleanup'
);
select throws_ok(
  $$select app.table_event_emit()$$,
  '42501', null, 'anon cannot execute app.table_event_emit'
);

-- AFTERWARDS (as postgres): anon's one consume attempt counted nothing
select tests.clear_authentication();
select is(
  (select hits from app.rate_counters c join public.api_keys k on k.id = c.api_key_id
   where k.key_prefix = 'tapanona' and c.window_kind = 'minute'),
  1,
  'The key counts only the request made by the gateway, none by anon'
);

select * from finish();
rollback;
