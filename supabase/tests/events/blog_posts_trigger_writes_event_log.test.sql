-- Every insert, update and delete of a blog post writes blog_posts.INSERT / blog_posts.UPDATE /
-- blog_posts.DELETE to event_log for the post's tenant, with the old and new rows. Writes are made
-- through the API role (authenticated): the trigger is security definer, so it can write
-- event_log under RLS.
begin;
set local search_path = public, extensions;
select plan(15);

select tests.create_tenant('tap-evposts-a');
select tests.create_tenant('tap-evposts-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-evposts-a'));

-- INSERT
select lives_ok(
  $$insert into public.blog_posts (id, tenant_id, title, slug)
    values ('e2e2e2e2-0000-4000-8000-0000000000a1', tests.get_tenant_id('tap-evposts-a'), 'Launch day', 'launch-day')$$,
  'A creates a post through the API role'
);
select results_eq(
  $$select tenant_id, event_source, payload ->> 'table', payload ->> 'operation'
    from public.event_log
    where event_type = 'blog_posts.INSERT' and payload -> 'new' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  $$values (tests.get_tenant_id('tap-evposts-a'), 'database'::text, 'blog_posts'::text, 'INSERT'::text)$$,
  'Creating a post writes one blog_posts.INSERT event from the database for A'
);
select results_eq(
  $$select payload -> 'old', payload -> 'new' ->> 'title', payload -> 'new' ->> 'status', payload ? 'timestamp'
    from public.event_log
    where event_type = 'blog_posts.INSERT' and payload -> 'new' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  $$values ('null'::jsonb, 'Launch day'::text, 'draft'::text, true)$$,
  'The blog_posts.INSERT payload carries the new row, no old row, and a timestamp'
);

-- UPDATE
select lives_ok(
  $$update public.blog_posts set status = 'published', published_at = now()
    where id = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  'A publishes the post through the API role'
);
select results_eq(
  $$select tenant_id, event_source, payload ->> 'table', payload ->> 'operation'
    from public.event_log
    where event_type = 'blog_posts.UPDATE' and payload -> 'new' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  $$values (tests.get_tenant_id('tap-evposts-a'), 'database'::text, 'blog_posts'::text, 'UPDATE'::text)$$,
  'Updating a post writes one blog_posts.UPDATE event from the database for A'
);
select results_eq(
  $$select payload -> 'old' ->> 'status', payload -> 'new' ->> 'status',
      payload -> 'old' -> 'published_at', (payload -> 'new' ->> 'published_at')::timestamptz
    from public.event_log
    where event_type = 'blog_posts.UPDATE' and payload -> 'new' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  $$values ('draft'::text, 'published'::text, 'null'::jsonb, now())$$,
  'The blog_posts.UPDATE payload carries the row before and after the change'
);

-- DELETE
select lives_ok(
  $$delete from public.blog_posts where id = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  'A deletes the post through the API role'
);
select results_eq(
  $$select tenant_id, event_source, payload ->> 'table', payload ->> 'operation'
    from public.event_log
    where event_type = 'blog_posts.DELETE' and payload -> 'old' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  $$values (tests.get_tenant_id('tap-evposts-a'), 'database'::text, 'blog_posts'::text, 'DELETE'::text)$$,
  'Deleting a post writes one blog_posts.DELETE event from the database for A'
);
select results_eq(
  $$select payload -> 'old' ->> 'slug', payload -> 'old' ->> 'status', payload -> 'new'
    from public.event_log
    where event_type = 'blog_posts.DELETE' and payload -> 'old' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  $$values ('launch-day'::text, 'published'::text, 'null'::jsonb)$$,
  'The blog_posts.DELETE payload carries the deleted row and no new row'
);

-- VISIBILITY
select results_eq(
  $$select event_type from public.event_log
    where coalesce(payload -> 'new' ->> 'id', payload -> 'old' ->> 'id') = 'e2e2e2e2-0000-4000-8000-0000000000a1'
    order by event_type$$,
  $$values ('blog_posts.DELETE'), ('blog_posts.INSERT'), ('blog_posts.UPDATE')$$,
  'A sees exactly the three events of its post'
);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-evposts-b'));
select is_empty(
  $$select 1 from public.event_log
    where coalesce(payload -> 'new' ->> 'id', payload -> 'old' ->> 'id') = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  'B sees none of the events of A''s post'
);

-- B's own post events go to B, not to A
select lives_ok(
  $$insert into public.blog_posts (id, tenant_id, title, slug)
    values ('e2e2e2e2-0000-4000-8000-0000000000b1', tests.get_tenant_id('tap-evposts-b'), 'Launch day', 'launch-day')$$,
  'B creates a post with the same slug through the API role'
);
select results_eq(
  $$select tenant_id from public.event_log
    where event_type = 'blog_posts.INSERT' and payload -> 'new' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000b1'$$,
  $$values (tests.get_tenant_id('tap-evposts-b'))$$,
  'B sees the blog_posts.INSERT event of its own post, in tenant B'
);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-evposts-a'));
select is_empty(
  $$select 1 from public.event_log where payload -> 'new' ->> 'id' = 'e2e2e2e2-0000-4000-8000-0000000000b1'$$,
  'A does not see the event of B''s post'
);

-- AFTERWARDS (as postgres): nothing else was written for A's post, all unprocessed
select tests.clear_authentication();
select results_eq(
  $$select count(*)::integer, bool_or(processed)
    from public.event_log
    where coalesce(payload -> 'new' ->> 'id', payload -> 'old' ->> 'id') = 'e2e2e2e2-0000-4000-8000-0000000000a1'$$,
  $$values (3, false)$$,
  'A''s post produced three events in all, none processed yet'
);

select * from finish();
rollback;
