-- app.queue_ensure creates a queue and its dead-letter queue, idempotently.
begin;
select plan(7);

select lives_ok($$select app.queue_ensure('t_app_ensure')$$, 'queue_ensure creates a queue');
select ok(exists (select 1 from pgmq.list_queues() where queue_name = 't_app_ensure'), 'the queue exists');
select ok(exists (select 1 from pgmq.list_queues() where queue_name = 't_app_ensure_dlq'), 'so does its dead-letter queue <name>_dlq');
select lives_ok($$select app.queue_ensure('t_app_ensure')$$, 'calling it again is fine');
select is(
  (select count(*)::int from pgmq.list_queues() where queue_name in ('t_app_ensure', 't_app_ensure_dlq')),
  2,
  'and creates nothing more'
);

select throws_ok($$select app.queue_ensure('Bad-Name')$$, '22023', null, 'a name that is not ^[a-z][a-z0-9_]*$ is refused');
select throws_ok($$select app.queue_ensure(repeat('a', 44))$$, '22023', null, 'a name over 43 characters is refused (no room for _dlq)');

select * from finish();
rollback;
