-- app.session_coordination, the one rule for how an orchestration went: running while a child is
-- unfinished, complete when every child completed, partial when some failed or were cancelled,
-- timeout when its deadline ended it (even with children unfinished).
begin;
set local search_path = public, extensions;
select plan(5);

-- FIXTURES (as postgres): an orchestration with two children
select tests.create_tenant('t-runs-coordination') as t \gset
update public.tenants set settings = settings || '{"wake_workers": false}' where id = :'t';
select app.agent_pack_install(:'t', 'content') as installed \gset
create temporary table orch as
  select o.id, o.ordinality as n from app.session_spawn_orchestration(:'t', '{"children":[{"agent":"writer"},{"agent":"seo"}]}')
    with ordinality as o;
select id as parent from orch where n = 1 \gset
select id as c1 from orch where n = 2 \gset
select id as c2 from orch where n = 3 \gset

select is(app.session_coordination(:'parent'), 'running', 'With both children queued it is running');
select app.run_complete(:'t', :'c1', null, '{"summary":"draft"}') as c1_done \gset
select is(app.session_coordination(:'parent'), 'running', 'With one child completed and one queued it is still running');

savepoint all_completed;
select app.run_complete(:'t', :'c2', null, '{"summary":"keywords"}') as c2_done \gset
select is(app.session_coordination(:'parent'), 'complete', 'With every child completed it is complete');
rollback to savepoint all_completed;

savepoint one_cancelled;
select app.run_cancel(:'t', :'c2', 'not needed') as c2_cancelled \gset
select is(app.session_coordination(:'parent'), 'partial', 'With a child cancelled (or failed) it is partial');
rollback to savepoint one_cancelled;

update public.runs set timed_out = true where id = :'parent';
select is(app.session_coordination(:'parent'), 'timeout', 'Once its deadline ended it, it is timeout, though a child is unfinished');

select * from finish();
rollback;
