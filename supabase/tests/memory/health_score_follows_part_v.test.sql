-- The health score (Part V): recency, access, retrieval relevance, freshness, contradictions and
-- importance with the seed's weights; a new memory starts with its score computed.
begin;
set local search_path = public, extensions;
select plan(7);

select is(app.memory_health(0.5, now(), 0, 0, 0, null, false, 0, now()), 0.5::real,
  'A new memory of importance 0.5: recency 0.2 + freshness 0.1 + no contradiction 0.1 + importance 0.1');
select is(app.memory_health(0.5, now(), 99, 0, 0, null, false, 0, now()), 0.65::real,
  '99 accesses add the full access weight (0.15)');
select is(app.memory_health(0.5, now(), 0, 10, 1, null, false, 0, now()), 0.75::real,
  '10 fully relevant retrievals add the full retrieval weight (0.25)');
select is(app.memory_health(0.5, now(), 0, 0, 0, now() - interval '1 second', false, 0, now()), 0.4::real,
  'An expired memory loses its freshness (0.1)');
select is(app.memory_health(0.5, now(), 0, 0, 0, null, true, 0, now()), 0.41::real,
  'A superseded memory keeps a tenth of the contradiction weight');
select cmp_ok(app.memory_health(0.5, now() - interval '4 weeks', 0, 0, 0, null, false, 0, now()), '<', 0.31::real,
  'Four weeks of age take almost all of the recency weight');

select tests.create_tenant('tap-health');
insert into public.agent_memory (tenant_id, memory_type, key, content, importance)
values (tests.get_tenant_id('tap-health'), 'fact', 'k', '"v"', 1);
select is((select health_score from public.agent_memory where tenant_id = tests.get_tenant_id('tap-health')), 0.6::real,
  'A stored memory starts with its health computed');

select * from finish();
rollback;
