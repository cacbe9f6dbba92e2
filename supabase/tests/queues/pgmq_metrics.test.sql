-- pgmq contract: metrics and metrics_all report length, ages and messages ever sent.
begin;
select plan(11);

select pgmq.create('t_contract_metrics');
create temp table empty_metrics as select * from pgmq.metrics('t_contract_metrics');
select is((select queue_name from empty_metrics), 't_contract_metrics', 'metrics names the queue');
select is((select queue_length from empty_metrics), 0::bigint, 'a new queue has length 0');
select is((select total_messages from empty_metrics), 0::bigint, 'and has never had a message');
select ok(
  (select newest_msg_age_sec is null and oldest_msg_age_sec is null from empty_metrics),
  'an empty queue has no message ages'
);
select ok((select scrape_time is not null from empty_metrics), 'metrics records when it was taken');

select x from pgmq.send_batch('t_contract_metrics', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as x order by x limit 1 \gset first_
select ok(pgmq.delete('t_contract_metrics', :first_x::bigint), 'one of three messages is deleted');

create temp table metrics as select * from pgmq.metrics('t_contract_metrics');
select is((select queue_length from metrics), 2::bigint, 'queue_length counts the messages in the queue');
select is((select total_messages from metrics), 3::bigint, 'total_messages counts every message ever sent');
select ok(
  (select newest_msg_age_sec >= 0 and oldest_msg_age_sec >= newest_msg_age_sec from metrics),
  'message ages are whole seconds, oldest >= newest'
);

select pgmq.create('t_contract_metrics_b');
select ok(
  exists (select 1 from pgmq.metrics_all() where queue_name = 't_contract_metrics' and queue_length = 2),
  'metrics_all includes the first queue'
);
select ok(
  exists (select 1 from pgmq.metrics_all() where queue_name = 't_contract_metrics_b' and queue_length = 0),
  'and the second'
);

select * from finish();
rollback;
