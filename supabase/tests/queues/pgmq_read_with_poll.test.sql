-- pgmq contract: read_with_poll returns at once when messages are visible, else waits up to max_poll_seconds.
begin;
select plan(4);

select pgmq.create('t_contract_poll');
select pgmq.send('t_contract_poll', '{"n": 1}') as a \gset

select clock_timestamp() as t0 \gset
create temp table polled as select * from pgmq.read_with_poll('t_contract_poll', 30, 5, 1, 50);
select is((select array_agg(msg_id) from polled), array[:a]::bigint[], 'read_with_poll returns the visible message');
select ok(clock_timestamp() - :'t0'::timestamptz < interval '0.5 seconds', 'at once');

select clock_timestamp() as t1 \gset
select is(
  (select count(*)::int from pgmq.read_with_poll('t_contract_poll', 30, 5, 1, 100)),
  0,
  'with nothing visible it returns nothing'
);
select ok(clock_timestamp() - :'t1'::timestamptz >= interval '0.9 seconds', 'after polling for max_poll_seconds');

select * from finish();
rollback;
