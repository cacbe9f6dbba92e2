-- Automatic embeddings: a write to indexed content queues its chunks on the embeddings queue in
-- the same transaction (nothing when it rolls back), unchanged text queues nothing, changed text
-- loses its stale vector and is queued again, the cold tier keeps no vector, and every change
-- bumps the tenant's index version.
begin;
set local search_path = public, extensions;
select plan(13);

select tests.create_tenant('tap-enq');
create temporary view enq_jobs as
  select q.msg_id, q.message from pgmq.q_embeddings q
  where q.message ->> 'tenant_id' = tests.get_tenant_id('tap-enq')::text;
create temporary table enq_version (v bigint);

-- STORE: a memory becomes a chunk and a job, in the same transaction
savepoint before_store;
insert into public.agent_memory (tenant_id, memory_type, key, content)
values (tests.get_tenant_id('tap-enq'), 'fact', 'k', '"Pump P-9 runs at night"');
rollback to savepoint before_store;
select is((select count(*)::integer from enq_jobs), 0, 'A rolled-back store leaves no job behind');

insert into public.agent_memory (tenant_id, memory_type, key, content)
values (tests.get_tenant_id('tap-enq'), 'fact', 'k', '"Pump P-9 runs at night"');
select is((select count(*)::integer from enq_jobs), 1, 'Storing a memory queues one embedding job');
select is(
  (select (message -> 'chunk_ids' ->> 0)::uuid from enq_jobs),
  (select id from public.memory_index where tenant_id = tests.get_tenant_id('tap-enq')),
  'The job names the memory''s chunk'
);
select is(
  (select count(*)::integer from app.invoke_requests where function_name = 'memory-indexer' and txid = pg_current_xact_id()), 1,
  'memory-indexer is woken in the same transaction (where pg_net is absent: one relay request)'
);

-- the worker writes the vector for the current text
update public.memory_index m set embedding = ('[' || array_to_string(array_fill(0.05::real, array[app.memory_embedding_dimensions()]), ',') || ']')::extensions.vector,
  embedding_model = 'test', embedded_hash = m.content_hash
where m.tenant_id = tests.get_tenant_id('tap-enq');
delete from pgmq.q_embeddings where message ->> 'tenant_id' = tests.get_tenant_id('tap-enq')::text;
insert into enq_version select version from public.memory_index_state where tenant_id = tests.get_tenant_id('tap-enq');

-- UNCHANGED text: no job, the vector stays
update public.agent_memory set importance = 0.9 where key = 'k' and tenant_id = tests.get_tenant_id('tap-enq');
select app.memory_index_put(tests.get_tenant_id('tap-enq'), 'document', '00000000-0000-4000-a000-00000000d0c1', 'Doc', 'Same text');
delete from pgmq.q_embeddings where message ->> 'tenant_id' = tests.get_tenant_id('tap-enq')::text;
select app.memory_index_put(tests.get_tenant_id('tap-enq'), 'document', '00000000-0000-4000-a000-00000000d0c1', 'Doc', 'Same text');
select is((select count(*)::integer from enq_jobs), 0, 'Indexing unchanged text queues nothing');
select isnt((select embedding from public.memory_index where source_type = 'memory'
  and tenant_id = tests.get_tenant_id('tap-enq')), null, 'A change of importance keeps the vector');

-- CHANGED text: the stale vector goes, a job comes
update public.agent_memory set content = '"Pump P-9 runs in the day"' where key = 'k' and tenant_id = tests.get_tenant_id('tap-enq');
select is((select embedding from public.memory_index where source_type = 'memory'
  and tenant_id = tests.get_tenant_id('tap-enq')), null, 'Changed text drops the stale vector');
select is((select count(*)::integer from enq_jobs), 1, 'Changed text is queued again');
select cmp_ok(
  (select version from public.memory_index_state where tenant_id = tests.get_tenant_id('tap-enq')), '>',
  (select v from enq_version), 'Every change bumps the index version (stale cache entries)'
);

-- COLD: archiving drops the vector and queues nothing; back to warm queues it again
delete from pgmq.q_embeddings where message ->> 'tenant_id' = tests.get_tenant_id('tap-enq')::text;
update public.agent_memory set is_archived = true, tier = 'cold' where key = 'k' and tenant_id = tests.get_tenant_id('tap-enq');
select results_eq(
  $$select cold, embedding is null from public.memory_index where source_type = 'memory' and tenant_id = tests.get_tenant_id('tap-enq')$$,
  $$values (true, true)$$, 'An archived memory''s chunk is cold, without a vector'
);
select is((select count(*)::integer from enq_jobs), 0, 'Going cold queues nothing');
update public.agent_memory set is_archived = false, tier = 'warm' where key = 'k' and tenant_id = tests.get_tenant_id('tap-enq');
select is((select count(*)::integer from enq_jobs), 1, 'Leaving the cold tier queues the chunk again');

-- DELETE: the chunks go with the memory
delete from public.agent_memory where key = 'k' and tenant_id = tests.get_tenant_id('tap-enq');
select is((select count(*)::integer from public.memory_index where source_type = 'memory'
  and tenant_id = tests.get_tenant_id('tap-enq')), 0, 'Forgetting a memory removes its chunks');

select * from finish();
rollback;
