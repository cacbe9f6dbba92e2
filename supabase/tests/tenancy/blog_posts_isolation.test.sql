-- Tenant isolation for public.blog_posts: acting through the API (role authenticated, claims
-- with tenant_id), tenant B reads, writes and removes its own posts and never tenant A's.
begin;
set local search_path = public, extensions;
select plan(15);

-- FIXTURES (as postgres): one post in each tenant
select tests.create_tenant('tap-posts-a');
select tests.create_tenant('tap-posts-b');
insert into public.blog_posts (tenant_id, title, slug, status) values
  (tests.get_tenant_id('tap-posts-a'), 'Hello from A', 'hello', 'published'),
  (tests.get_tenant_id('tap-posts-b'), 'Hello from B', 'hello-b', 'draft');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-posts-b'));

-- READ
select results_eq(
  $$select title from public.blog_posts$$,
  $$values ('Hello from B')$$,
  'B reading every post gets its own post and nothing else'
);
select is_empty(
  $$select 1 from public.blog_posts where tenant_id = tests.get_tenant_id('tap-posts-a')$$,
  'B cannot read A''s posts even when it filters on A''s tenant_id'
);

-- INSERT
select lives_ok(
  $$insert into public.blog_posts (tenant_id, title, slug) values (tests.get_tenant_id('tap-posts-b'), 'Also hello', 'hello')$$,
  'B can create a post whose slug A already uses (slugs are unique per tenant)'
);
select throws_ok(
  $$insert into public.blog_posts (tenant_id, title, slug) values (tests.get_tenant_id('tap-posts-a'), 'Planted by B', 'planted')$$,
  '42501',
  'new row violates row-level security policy for table "blog_posts"',
  'B cannot create a post in A''s tenant'
);

-- UPDATE
select is(
  tests.rows_affected($$update public.blog_posts set status = 'archived' where tenant_id = tests.get_tenant_id('tap-posts-a')$$),
  0,
  'B updating A''s posts changes no rows'
);
select is(
  tests.rows_affected($$update public.blog_posts set author = 'B'$$),
  2,
  'B updating without a filter changes only its own two posts'
);
select throws_ok(
  $$update public.blog_posts set tenant_id = tests.get_tenant_id('tap-posts-a') where slug = 'hello-b'$$,
  '42501',
  'new row violates row-level security policy for table "blog_posts"',
  'B cannot move its own post into A''s tenant'
);

-- DELETE
select is(
  tests.rows_affected($$delete from public.blog_posts where tenant_id = tests.get_tenant_id('tap-posts-a')$$),
  0,
  'B deleting A''s posts removes no rows'
);
select is(
  tests.rows_affected($$delete from public.blog_posts where slug = 'hello'$$),
  1,
  'B deleting slug "hello" removes only its own post of that slug'
);

-- AFTERWARDS (as postgres): A's post is exactly as it was, B's post stayed in B
select tests.clear_authentication();
select results_eq(
  $$select title, slug, status, author from public.blog_posts where tenant_id = tests.get_tenant_id('tap-posts-a')$$,
  $$values ('Hello from A'::text, 'hello'::text, 'published'::text, null::text)$$,
  'A''s post is still there, unchanged, after B''s attempts'
);
select results_eq(
  $$select slug, author from public.blog_posts where tenant_id = tests.get_tenant_id('tap-posts-b')$$,
  $$values ('hello-b'::text, 'B'::text)$$,
  'B''s own post was updated and stayed in tenant B'
);

-- A sees its post, and B's are out of its reach too
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-posts-a'));
select results_eq(
  $$select title from public.blog_posts$$,
  $$values ('Hello from A')$$,
  'A reading every post gets its own post and nothing else'
);
select is_empty(
  $$select 1 from public.blog_posts where slug = 'hello-b'$$,
  'A cannot read B''s post by its slug'
);

-- TRUNCATE ignores row level security: the API roles must not hold it (last: a truncate that
-- succeeds would empty the table for the rest of this file)
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-posts-b'));
select throws_ok(
  $$truncate public.blog_posts$$,
  '42501',
  'permission denied for table blog_posts',
  'B cannot truncate blog_posts (which would remove every tenant''s posts past RLS)'
);
select tests.clear_authentication();
select isnt_empty(
  $$select 1 from public.blog_posts where tenant_id = tests.get_tenant_id('tap-posts-a')$$,
  'A''s post survives B''s truncate attempt'
);

select * from finish();
rollback;
