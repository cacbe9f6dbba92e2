-- app.invoke_function validates the function name and, without pg_net, refuses bodies pg_notify cannot carry.
-- (Locally it queues a pg_notify on channel ora_invoke, delivered at commit: not observable in this
-- rolled-back transaction; the function server's relay is tested from Deno.)
begin;
select plan(12);

create temp table env as
  select exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'net' and p.proname = 'http_post'
  ) as has_pg_net;

select lives_ok($$select app.invoke_function('agent-worker')$$, 'a valid name is accepted');
select lives_ok($$select app.invoke_function('trigger_engine', '{"reason": "test"}')$$, 'with a body');
select lives_ok($$select app.invoke_function('memory-indexer', null)$$, 'a null body is sent as {}');

select throws_ok($$select app.invoke_function('Agent-Worker')$$, '22023', null, 'uppercase is refused');
select throws_ok($$select app.invoke_function('1worker')$$, '22023', null, 'a leading digit is refused');
select throws_ok($$select app.invoke_function('../secrets')$$, '22023', null, 'path characters are refused');
select throws_ok($$select app.invoke_function('ora?x=1')$$, '22023', null, 'query characters are refused');
select throws_ok($$select app.invoke_function('')$$, '22023', null, 'an empty name is refused');
select throws_ok($$select app.invoke_function(null)$$, '22023', null, 'a null name is refused');
select throws_ok($$select app.invoke_function(repeat('a', 64))$$, '22023', null, 'a name over 63 characters is refused');

select case when (select has_pg_net from env)
  then skip('pg_net is installed: bodies go over HTTP, not pg_notify', 2)
  else concat_ws(E'\n',
    lives_ok(
      $$select app.invoke_function('agent-worker', jsonb_build_object('blob', repeat('x', 7800)))$$,
      'a body that fits in a notification is accepted'
    ),
    throws_ok(
      $$select app.invoke_function('agent-worker', jsonb_build_object('blob', repeat('x', 8000)))$$,
      '54000', null, 'a payload over 7900 bytes is refused'
    )
  )
end;

select * from finish();
rollback;
