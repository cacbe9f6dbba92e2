-- Every insert, update and delete of a lead writes leads.INSERT / leads.UPDATE / leads.DELETE to
-- event_log for the lead's tenant, with the old and new rows. Writes are made through the API role
-- (authenticated): the trigger is security definer, so it can write event_log under RLS.
begin;
set local search_path = public, extensions;
select plan(15);

select tests.create_tenant('tap-evleads-a');
select tests.create_tenant('tap-evleads-b');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-evleads-a'));

-- INSERT
select lives_ok(
  $$insert into public.leads (id, tenant_id, name, email)
    values ('e1e1e1e1-0000-4000-8000-0000000000a1', tests.get_tenant_id('tap-evleads-a'), 'Ada', 'ada@a.example')$$,
  'A creates a lead through the API role'
);
select results_eq(
  $$select tenant_id, event_source, payload ->> 'table', payload ->> 'operation'
    from public.event_log
    where event_type = 'leads.INSERT' and payload -> 'new' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  $$values (tests.get_tenant_id('tap-evleads-a'), 'database'::text, 'leads'::text, 'INSERT'::text)$$,
  'Creating a lead writes one leads.INSERT event from the database for A'
);
select results_eq(
  $$select payload -> 'old', payload -> 'new' ->> 'name', payload -> 'new' ->> 'email', payload ? 'timestamp'
    from public.event_log
    where event_type = 'leads.INSERT' and payload -> 'new' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  $$values ('null'::jsonb, 'Ada'::text, 'ada@a.example'::text, true)$$,
  'The leads.INSERT payload carries the new row, no old row, and a timestamp'
);

-- UPDATE
select lives_ok(
  $$update public.leads set status = 'contacted', ai_score = 85 where id = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  'A updates the lead through the API role'
);
select results_eq(
  $$select tenant_id, event_source, payload ->> 'table', payload ->> 'operation'
    from public.event_log
    where event_type = 'leads.UPDATE' and payload -> 'new' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  $$values (tests.get_tenant_id('tap-evleads-a'), 'database'::text, 'leads'::text, 'UPDATE'::text)$$,
  'Updating a lead writes one leads.UPDATE event from the database for A'
);
select results_eq(
  $$select payload -> 'old' ->> 'status', payload -> 'new' ->> 'status',
      payload -> 'old' -> 'ai_score', (payload -> 'new' ->> 'ai_score')::integer
    from public.event_log
    where event_type = 'leads.UPDATE' and payload -> 'new' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  $$values ('new'::text, 'contacted'::text, 'null'::jsonb, 85)$$,
  'The leads.UPDATE payload carries the row before and after the change'
);

-- DELETE
select lives_ok(
  $$delete from public.leads where id = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  'A deletes the lead through the API role'
);
select results_eq(
  $$select tenant_id, event_source, payload ->> 'table', payload ->> 'operation'
    from public.event_log
    where event_type = 'leads.DELETE' and payload -> 'old' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  $$values (tests.get_tenant_id('tap-evleads-a'), 'database'::text, 'leads'::text, 'DELETE'::text)$$,
  'Deleting a lead writes one leads.DELETE event from the database for A'
);
select results_eq(
  $$select payload -> 'old' ->> 'name', payload -> 'old' ->> 'status', payload -> 'new'
    from public.event_log
    where event_type = 'leads.DELETE' and payload -> 'old' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  $$values ('Ada'::text, 'contacted'::text, 'null'::jsonb)$$,
  'The leads.DELETE payload carries the deleted row and no new row'
);

-- VISIBILITY
select results_eq(
  $$select event_type from public.event_log
    where coalesce(payload -> 'new' ->> 'id', payload -> 'old' ->> 'id') = 'e1e1e1e1-0000-4000-8000-0000000000a1'
    order by event_type$$,
  $$values ('leads.DELETE'), ('leads.INSERT'), ('leads.UPDATE')$$,
  'A sees exactly the three events of its lead'
);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-evleads-b'));
select is_empty(
  $$select 1 from public.event_log
    where coalesce(payload -> 'new' ->> 'id', payload -> 'old' ->> 'id') = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  'B sees none of the events of A''s lead'
);

-- B's own lead events go to B, not to A
select lives_ok(
  $$insert into public.leads (id, tenant_id, name)
    values ('e1e1e1e1-0000-4000-8000-0000000000b1', tests.get_tenant_id('tap-evleads-b'), 'Bob')$$,
  'B creates a lead through the API role'
);
select results_eq(
  $$select tenant_id from public.event_log
    where event_type = 'leads.INSERT' and payload -> 'new' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000b1'$$,
  $$values (tests.get_tenant_id('tap-evleads-b'))$$,
  'B sees the leads.INSERT event of its own lead, in tenant B'
);

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-evleads-a'));
select is_empty(
  $$select 1 from public.event_log where payload -> 'new' ->> 'id' = 'e1e1e1e1-0000-4000-8000-0000000000b1'$$,
  'A does not see the event of B''s lead'
);

-- AFTERWARDS (as postgres): nothing else was written for A's lead, all unprocessed
select tests.clear_authentication();
select results_eq(
  $$select count(*)::integer, bool_or(processed)
    from public.event_log
    where coalesce(payload -> 'new' ->> 'id', payload -> 'old' ->> 'id') = 'e1e1e1e1-0000-4000-8000-0000000000a1'$$,
  $$values (3, false)$$,
  'A''s lead produced three events in all, none processed yet'
);

select * from finish();
rollback;
