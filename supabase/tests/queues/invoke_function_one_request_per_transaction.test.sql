-- Without pg_net, app.function_invoke writes one app.invoke_requests row per (transaction,
-- function, body): a burst of identical wake-ups shares one row, so its notifications carry the
-- same id and Postgres delivers them once; different wake-ups get rows of their own.
begin;
select plan(6);

select exists (
  select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'net' and p.proname = 'http_post'
) as has_pg_net \gset

\if :has_pg_net
select skip('pg_net is installed: app.function_invoke calls net.http_post, no request rows', 6);
\else
select tests.authenticate_as_service();
select lives_ok(
  $$select app.function_invoke('agent-worker', '{"reason": "tap-burst"}') from generate_series(1, 50)$$,
  'service_role wakes agent-worker 50 times in one transaction'
);
select lives_ok(
  $$select app.function_invoke('agent-worker', '{"reason": "tap-other"}'),
           app.function_invoke('memory-indexer', '{"reason": "tap-burst"}')$$,
  'then with another body, and another function with the same body'
);
select tests.clear_authentication();

select is(
  (select count(*)::int from app.invoke_requests where function_name = 'agent-worker' and body = '{"reason": "tap-burst"}'),
  1,
  'the 50 identical wake-ups are one request'
);
select is(
  (select txid from app.invoke_requests where function_name = 'agent-worker' and body = '{"reason": "tap-burst"}'),
  pg_current_xact_id(),
  'keyed by this transaction'
);
select is(
  (select count(*)::int from app.invoke_requests where body in ('{"reason": "tap-burst"}', '{"reason": "tap-other"}')),
  3,
  'each different wake-up is a request of its own'
);
select is(
  (select array_agg(function_name || ' ' || (body ->> 'reason') order by id) from app.invoke_requests
   where body in ('{"reason": "tap-burst"}', '{"reason": "tap-other"}')),
  array['agent-worker tap-burst', 'agent-worker tap-other', 'memory-indexer tap-burst'],
  'naming the function to call and the body to send'
);
\endif

select * from finish();
rollback;
