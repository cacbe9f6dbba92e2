-- An event inserted into event_log resolves the pending waits for its type whose filter its payload
-- contains, in the inserting transaction (the event_log trigger), and queues their runs again; an
-- event of another type, a payload that does not contain the filter, or another tenant's event
-- leaves a wait pending. Table events (leads.INSERT from the leads trigger) resolve waits too.
begin;
set local search_path = public, extensions;
select plan(10);

-- Only the runs made here are visible to the claims (the rollback restores the rest)
update pgmq.q_agent_jobs set vt = now() + interval '1 hour';

-- FIXTURES (as postgres): in T, R1 waits for lead.scored from the web, R2 for a qualified lead to
-- be inserted; in O, R3 waits for lead.scored from the web too
select tests.create_tenant('t-runs-event-t') as t \gset
select tests.create_tenant('t-runs-event-o') as o \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id in (:'t', :'o');
select id as r1 from app.run_create(:'t', '{"kind":"agent","subject":"analyst","priority":3}') \gset
select id as r2 from app.run_create(:'t', '{"kind":"agent","subject":"writer","priority":2}') \gset
select id as r3 from app.run_create(:'o', '{"kind":"agent","subject":"analyst"}') \gset
select tests.authenticate_as_service();
create temporary table claimed as select run_id, msg_id from app.runs_claim('agent_jobs', 't-runs-event-worker', 30, 10);
select msg_id as m1 from claimed where run_id = :'r1' \gset
select msg_id as m2 from claimed where run_id = :'r2' \gset
select msg_id as m3 from claimed where run_id = :'r3' \gset
select app.run_park(:'t', :'r1', :m1, 'wait:scored', 'any',
  '[{"kind":"event","events":["lead.scored"],"filter":{"source":"web"}}]') ->> 'parked' as p1 \gset
select app.run_park(:'t', :'r2', :m2, 'wait:lead', 'any',
  '[{"kind":"event","events":["leads.INSERT"],"filter":{"new":{"status":"qualified"}}}]') ->> 'parked' as p2 \gset
select app.run_park(:'o', :'r3', :m3, 'wait:scored', 'any',
  '[{"kind":"event","events":["lead.scored"],"filter":{"source":"web"}}]') ->> 'parked' as p3 \gset
select tests.clear_authentication();
select is(array[:'p1', :'p2', :'p3'], array['true', 'true', 'true'], 'The three runs are parked');

create temporary view waits as
  select r.id, w.status as wait, r.status as run from public.runs r join public.run_waitpoints w on w.run_id = r.id;

-- ============================================================================
-- EVENTS THAT DO NOT MATCH
-- ============================================================================
insert into public.event_log (tenant_id, event_type, payload) values (:'t', 'lead.scored', '{"source": "phone", "score": 90}');
select is((select wait from waits where id = :'r1'), 'pending', 'A payload that does not contain the filter (source phone) leaves R1 waiting');
insert into public.event_log (tenant_id, event_type, payload) values (:'t', 'lead.created', '{"source": "web"}');
select is((select wait from waits where id = :'r1'), 'pending', 'An event of another type leaves it waiting');
insert into public.event_log (tenant_id, event_type, payload) values (:'o', 'lead.scored', '{"source": "web", "score": 10}');
select results_eq(
  format($$select id, wait, run from waits where id in (%L, %L) order by run$$, :'r1', :'r3'),
  format($$values (%L::uuid, 'resolved'::text, 'queued'::text), (%L, 'pending', 'waiting')$$, :'r3', :'r1'),
  'Another tenant''s matching event resolves that tenant''s wait (R3), never T''s (R1)'
);

-- ============================================================================
-- THE MATCHING EVENT, resolved in this very transaction
-- ============================================================================
insert into public.event_log (tenant_id, event_type, payload) values (:'t', 'lead.scored', '{"source": "web", "score": 95}')
  returning id as scored_event \gset
select results_eq(
  format($$select wait, run from waits where id = %L$$, :'r1'),
  $$values ('resolved'::text, 'queued'::text)$$,
  'An event whose payload contains the filter resolves R1 at once, in the inserting transaction'
);
select results_eq(
  format($$select (result ->> 'event_id')::uuid, result -> 'payload' from public.run_waitpoints where run_id = %L$$, :'r1'),
  format($$values (%L::uuid, '{"source": "web", "score": 95}'::jsonb)$$, :'scored_event'),
  'with the event as its result'
);
select results_eq(
  format($$select q.message ->> 'run_id', q.message ->> 'tenant_id', q.vt <= clock_timestamp() from public.runs r
    join pgmq.q_agent_jobs q on q.msg_id = r.queue_msg_id where r.id = %L$$, :'r1'),
  format($$values (%L::text, %L::text, true)$$, :'r1', :'t'),
  'R1 has a new, visible message in its queue'
);
select is(
  (select output #>> '{result,event_id}' from public.run_steps where run_id = :'r1' and key = 'wait:scored'),
  :'scored_event',
  'and its wait step is recorded with that event'
);

-- ============================================================================
-- A TABLE EVENT: the leads trigger writes leads.INSERT with the new row
-- ============================================================================
insert into public.leads (tenant_id, name, status) values (:'t', 'Not yet', 'new');
select is((select wait from waits where id = :'r2'), 'pending', 'Inserting a lead that is not qualified leaves R2 waiting');
insert into public.leads (tenant_id, name, status) values (:'t', 'Ready to buy', 'qualified');
select results_eq(
  format($$select w.status, r.status, w.result #>> '{payload,new,name}' from public.run_waitpoints w
    join public.runs r on r.id = w.run_id where w.run_id = %L$$, :'r2'),
  $$values ('resolved'::text, 'queued'::text, 'Ready to buy'::text)$$,
  'Inserting a qualified lead resolves R2''s wait through leads.INSERT and queues it'
);

select * from finish();
rollback;
