-- Memory keys are unique per agent and type among live rows (a superseded or archived version may
-- share the key); a memory may belong only to an agent of its own tenant.
begin;
set local search_path = public, extensions;
select plan(5);

select tests.create_tenant('tap-keys-a');
select tests.create_tenant('tap-keys-b');
insert into public.agents (tenant_id, slug, name) values (tests.get_tenant_id('tap-keys-a'), 'helper', 'Helper');
insert into public.agent_memory (tenant_id, memory_type, key, content)
values (tests.get_tenant_id('tap-keys-a'), 'fact', 'k', '"v1"');

select throws_ok(
  $$insert into public.agent_memory (tenant_id, memory_type, key, content) values (tests.get_tenant_id('tap-keys-a'), 'fact', 'k', '"v2"')$$,
  '23505', null, 'A second live memory with the same key (shared, same type) is refused'
);
select lives_ok(
  $$insert into public.agent_memory (tenant_id, agent_id, memory_type, key, content)
    select tests.get_tenant_id('tap-keys-a'), a.id, 'fact', 'k', '"the helper''s own"' from public.agents a where a.slug = 'helper' and a.tenant_id = tests.get_tenant_id('tap-keys-a')$$,
  'The same key is free for an agent''s own memory'
);
update public.agent_memory set superseded_at = now() where key = 'k' and agent_id is null and tenant_id = tests.get_tenant_id('tap-keys-a');
select lives_ok(
  $$insert into public.agent_memory (tenant_id, memory_type, key, content) values (tests.get_tenant_id('tap-keys-a'), 'fact', 'k', '"v2"')$$,
  'Once superseded, the key is free for the new version'
);
select throws_ok(
  $$insert into public.agent_memory (tenant_id, agent_id, memory_type, key, content)
    select tests.get_tenant_id('tap-keys-b'), a.id, 'fact', 'x', '"planted"' from public.agents a where a.slug = 'helper' and a.tenant_id = tests.get_tenant_id('tap-keys-a')$$,
  'OR400', null, 'A memory cannot belong to another tenant''s agent'
);
select throws_ok(
  $$insert into public.agent_memory (tenant_id, memory_type, key, content) values (tests.get_tenant_id('tap-keys-a'), 'opinion', 'x', '"v"')$$,
  '23514', null, 'Only the eight memory types exist'
);

select * from finish();
rollback;
