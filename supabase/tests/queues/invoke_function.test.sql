-- app.function_invoke validates the function name; without pg_net it takes any body (only a
-- request id goes through pg_notify, whose payload is limited to 8000 bytes).
-- (Locally it writes app.invoke_requests and queues a pg_notify on channel ora_invoke, delivered at
-- commit: not observable in this rolled-back transaction; the function server's relay is tested
-- from Deno, the request rows in invoke_function_one_request_per_transaction.test.sql.)
begin;
select plan(12);

select exists (
  select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'net' and p.proname = 'http_post'
) as has_pg_net \gset

select lives_ok($$select app.function_invoke('agent-worker')$$, 'a valid name is accepted');
select lives_ok($$select app.function_invoke('trigger_engine', '{"reason": "test"}')$$, 'with a body');
select lives_ok($$select app.function_invoke('memory-indexer', null)$$, 'a null body is sent as {}');

select throws_ok($$select app.function_invoke('Agent-Worker')$$, '22023', null, 'uppercase is refused');
select throws_ok($$select app.function_invoke('1worker')$$, '22023', null, 'a leading digit is refused');
select throws_ok($$select app.function_invoke('../secrets')$$, '22023', null, 'path characters are refused');
select throws_ok($$select app.function_invoke('ora?x=1')$$, '22023', null, 'query characters are refused');
select throws_ok($$select app.function_invoke('')$$, '22023', null, 'an empty name is refused');
select throws_ok($$select app.function_invoke(null)$$, '22023', null, 'a null name is refused');
select throws_ok($$select app.function_invoke(repeat('a', 64))$$, '22023', null, 'a name over 63 characters is refused');

\if :has_pg_net
select skip('pg_net is installed: bodies go over HTTP, not through the local relay', 2);
\else
select lives_ok(
  $$select app.function_invoke('agent-worker', jsonb_build_object('blob', repeat('x', 20000)))$$,
  'a body larger than a notification can carry is accepted'
);
select ok(
  (select octet_length(body::text) > 8000 from app.invoke_requests where body ? 'blob'),
  'it is kept whole in app.invoke_requests for the relay'
);
\endif

select * from finish();
rollback;
