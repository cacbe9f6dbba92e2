-- app.run_cancel cancels a run and every unfinished descendant (children, grandchildren) with the
-- reason, deletes their queued messages (not archived as done), emits session.cancelled
-- (the lifecycle event of its kind) for each; finished descendants keep their results, and cancelling a child
-- leaves its parent and siblings alone.
begin;
set local search_path = public, extensions;
select plan(10);

-- FIXTURES (as postgres): an orchestration with three children; a grandchild under the first;
-- the third child already completed
select tests.create_tenant('t-runs-cancel-tree') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select app.agent_pack_install(:'t', 'content') as installed \gset
create temporary table tree as
  select * from app.session_spawn_orchestration(:'t', '{"agent":"ora",
    "children":[{"agent":"writer"},{"agent":"seo"},{"agent":"analyst"}]}') with ordinality;
alter table tree rename column ordinality to n;
select id as root from tree where n = 1 \gset
insert into tree select g.*, 5 from app.session_spawn(:'t', jsonb_build_object('agent', 'imager',
  'parent_session_id', (select id from tree where n = 2))) g;
select app.run_complete(:'t', (select id from tree where n = 4), null, '{"summary":"done early"}') as early \gset
create temporary table tree_msgs as select queue_msg_id as msg_id from tree where n in (1, 2, 3, 5);
select id as second_child from tree where n = 3 \gset

select results_eq(
  $$select n, kind, depth, (select count(*)::int from pgmq.q_agent_jobs q where q.msg_id = tree.queue_msg_id) from tree order by n$$,
  $$values (1::bigint, 'orchestration'::text, 0, 1), (2, 'agent', 1, 1), (3, 'agent', 1, 1), (4, 'agent', 1, 1), (5, 'agent', 2, 1)$$,
  'A coordinator, three children and a grandchild, each with a queued message'
);

-- ============================================================================
-- CANCELLING A CHILD: its subtree only
-- ============================================================================
select tests.authenticate_as_service();
select is(app.run_cancel(:'t', :'second_child', 'not needed'), 1, 'Cancelling a childless child cancels just it');
select tests.clear_authentication();
select results_eq(
  $$select t.n, r.status from tree t join public.runs r on r.id = t.id where t.n in (1, 2, 5) order by t.n$$,
  $$values (1::bigint, 'queued'::text), (2, 'queued'), (5, 'queued')$$,
  'Its parent, sibling and the sibling''s child are untouched'
);

-- ============================================================================
-- CANCELLING THE ROOT
-- ============================================================================
select tests.authenticate_as_service();
select is(app.run_cancel(:'t', :'root', 'changed my mind'), 3,
  'Cancelling the root cancels it, its unfinished child and the grandchild (3)');
select tests.clear_authentication();
select results_eq(
  $$select t.n, r.status, r.error ->> 'code', r.error ->> 'message', r.completed_at is not null, r.queue_msg_id
    from tree t join public.runs r on r.id = t.id order by t.n$$,
  $$values (1::bigint, 'cancelled'::text, 'CANCELLED'::text, 'changed my mind'::text, true, null::bigint),
    (2, 'cancelled', 'CANCELLED', 'changed my mind', true, null), (3, 'cancelled', 'CANCELLED', 'not needed', true, null),
    (4, 'completed', null, null, true, null), (5, 'cancelled', 'CANCELLED', 'changed my mind', true, null)$$,
  'Every unfinished run of the tree is cancelled with the reason; the finished child keeps its result'
);
select is(
  (select output ->> 'summary' from public.runs where id = (select id from tree where n = 4)),
  'done early',
  'and its output'
);
select is_empty(
  $$select 1 from pgmq.q_agent_jobs q join tree_msgs m using (msg_id)
    union all select 1 from pgmq.a_agent_jobs q join tree_msgs m using (msg_id)$$,
  'The cancelled runs'' messages were deleted from the queue, not archived as done'
);
select results_eq(
  format($$select event_type, count(*)::int from public.event_log where tenant_id = %L
    and event_type in ('run.cancelled', 'session.cancelled') group by 1 order by 1$$, :'t'),
  $$values ('session.cancelled'::text, 4)$$,
  'One session.cancelled event per cancelled run (and no generic run.cancelled beside it)'
);
select is(
  (select payload ->> 'reason' from public.event_log where tenant_id = :'t' and event_type = 'session.cancelled'
     and payload ->> 'run_id' = :'root'),
  'changed my mind',
  'with the reason'
);
select tests.authenticate_as_service();
select is(app.run_cancel(:'t', :'root', 'again'), 0, 'Cancelling it again cancels nothing more');
select tests.clear_authentication();

select * from finish();
rollback;
