-- read_with_poll reads once more at its deadline: a message that becomes visible during the last
-- poll interval is returned, and the wait never runs past max_poll_seconds to finish an interval.
-- (A fix over pgmq 1.4.4, which returns at the deadline without that last read: the local
-- stand-in only.)
begin;
select plan(2);

create temp table env as
  select exists (select 1 from pg_extension where extname = 'pgmq') as has_pgmq_extension;

select pgmq.create('t_contract_poll_deadline');
-- visible one second from now; polling for 1 s every 3 s reads at once (nothing yet) and at the deadline
select pgmq.send('t_contract_poll_deadline', '{"n": 1}', 1) as a \gset

select case when (select has_pgmq_extension from env)
  then skip('the pgmq extension is installed: its read_with_poll has no read at the deadline', 2)
  else concat_ws(E'\n',
    is(
      (select array_agg(msg_id) from pgmq.read_with_poll('t_contract_poll_deadline', 30, 5, 1, 3000)),
      array[:a]::bigint[],
      'a message that becomes visible in the last poll interval is returned at the deadline'
    ),
    ok(
      clock_timestamp() - statement_timestamp() < interval '2.5 seconds',
      'the poll ended at max_poll_seconds, not after a whole 3 s interval'
    )
  )
end;

select * from finish();
rollback;
