-- Maintenance (Part V) under the tenant's policy: expired, long-superseded and expired cold
-- memories are deleted; health is recomputed (decay); superseded, idle unhealthy and over-quota
-- memories go cold (their chunks keep text, lose vectors); recent healthy ones are hot, idle
-- ones warm; stale cache entries are purged; a report row per tenant and a run row are written.
begin;
set local search_path = public, extensions;
select plan(17);

select tests.create_tenant('tap-maint');
update public.memory_policies set type_quotas = '{"preference": 1}' where tenant_id = tests.get_tenant_id('tap-maint');

insert into public.agent_memory (tenant_id, memory_type, key, content, importance, created_at, last_accessed_at,
  expires_at, superseded_at, is_archived, tier, archived_at)
select tests.get_tenant_id('tap-maint'), t, k, to_jsonb('text of ' || k), imp, now() - created, now() - accessed,
  now() + expires, now() - superseded, archived, case when archived then 'cold' else tier end, now() - archived_ago
from (values
  ('fact', 'fresh-important', 0.9::real, interval '0', null::interval, null::interval, null::interval, false, 'warm', null::interval),
  ('fact', 'was-hot', 0.5, interval '10 days', interval '3 days', null, null, false, 'hot', null),
  ('fact', 'idle-unhealthy', 0.1, interval '40 days', null, null, null, false, 'warm', null),
  ('fact', 'expired', 0.9, interval '1 day', null, interval '-1 hour', null, false, 'warm', null),
  ('fact', 'superseded-long-ago', 0.5, interval '20 days', null, null, interval '10 days', false, 'warm', null),
  ('fact', 'superseded-recently', 0.5, interval '1 day', null, null, interval '1 hour', false, 'warm', null),
  ('fact', 'cold-ancient', 0.5, interval '500 days', null, null, null, true, 'cold', interval '400 days'),
  ('preference', 'pref-important', 0.9, interval '0', null, null, null, false, 'warm', null),
  ('preference', 'pref-minor', 0.2, interval '0', null, null, null, false, 'warm', null)
) as v (t, k, imp, created, accessed, expires, superseded, archived, tier, archived_ago);
-- the idle memory's chunk has a vector until it goes cold
update public.memory_index m set embedding = ('[' || array_to_string(array_fill(0.05::real, array[app.memory_embedding_dimensions()]), ',') || ']')::extensions.vector,
  embedding_model = 'test'
where m.tenant_id = tests.get_tenant_id('tap-maint');
insert into public.semantic_cache (tenant_id, cache_key, query, results, index_version, valid_until)
values (tests.get_tenant_id('tap-maint'), 'stale', 'q', '{}', 0, now() + interval '1 hour');

create temporary table maint_result as select app.memory_maintenance(tests.get_tenant_id('tap-maint')) as r;
create temporary view mem as
  select m.key, m.tier, m.is_archived from public.agent_memory m where m.tenant_id = tests.get_tenant_id('tap-maint');

-- DELETED
select is_empty($$select 1 from mem where key = 'expired'$$, 'An expired memory is deleted');
select is_empty($$select 1 from mem where key = 'superseded-long-ago'$$, 'A memory superseded past the retention is deleted');
select is_empty($$select 1 from mem where key = 'cold-ancient'$$, 'A cold memory past its retention is deleted');
-- COLD
select results_eq($$select tier from mem where key = 'superseded-recently'$$, $$values ('cold')$$,
  'A recently superseded memory goes cold at once');
select results_eq($$select tier from mem where key = 'idle-unhealthy'$$, $$values ('cold')$$,
  'An idle unhealthy memory goes cold');
select results_eq(
  $$select cold, embedding is null from public.memory_index where tenant_id = tests.get_tenant_id('tap-maint')
    and metadata ->> 'key' = 'idle-unhealthy'$$,
  $$values (true, true)$$, '…its chunk keeps its text and drops its vector');
select results_eq($$select tier from mem where key = 'pref-minor'$$, $$values ('cold')$$,
  'Over the preference quota (1), the less important preference goes cold');
select results_eq($$select tier from mem where key = 'pref-important'$$, $$values ('hot')$$,
  '…the important one stays (and is hot: new and healthy)');
-- HOT / WARM
select results_eq($$select tier from mem where key = 'fresh-important'$$, $$values ('hot')$$,
  'A new healthy memory is hot');
select results_eq($$select tier from mem where key = 'was-hot'$$, $$values ('warm')$$,
  'A hot memory idle for days is demoted to warm');
-- HEALTH (decay)
select cmp_ok(
  (select health_score from public.agent_memory where key = 'was-hot' and tenant_id = tests.get_tenant_id('tap-maint')),
  '<', 0.4::real, 'Health decays with age'
);
select is(
  (select health from public.memory_index where metadata ->> 'key' = 'was-hot' and tenant_id = tests.get_tenant_id('tap-maint')),
  (select health_score from public.agent_memory where key = 'was-hot' and tenant_id = tests.get_tenant_id('tap-maint')),
  'The index carries the recomputed health (min_health filter)'
);
-- CACHE, REPORTS
select is_empty($$select 1 from public.semantic_cache where tenant_id = tests.get_tenant_id('tap-maint')$$,
  'Stale cache entries are purged');
select results_eq(
  $$select expired_deleted, superseded_deleted, cold_deleted, superseded_archived, idle_archived, quota_archived,
      (tiers ->> 'hot')::integer, (tiers ->> 'cold')::integer
    from public.memory_maintenance_reports where tenant_id = tests.get_tenant_id('tap-maint')$$,
  $$values (1, 1, 1, 1, 1, 1, 2, 3)$$,
  'The report counts what was deleted, archived and where the memories are now'
);
select is((select (r ->> 'tenants')::integer from maint_result), 1, 'The run maintained one tenant');
select isnt_empty(
  $$select 1 from app.memory_maintenance_runs where id = (select (r ->> 'run_id')::uuid from maint_result)$$,
  'The run has a row of its own');
select isnt_empty(
  $$select 1 from cron.job where jobname = 'ora-memory-maintenance'$$,
  'Maintenance is a pg_cron job');

select * from finish();
rollback;
