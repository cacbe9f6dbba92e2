-- app.webhooks_want answers whether any active subscription of the tenant listens to an event
-- type (exactly, by prefix.* or *), so the event pipeline can skip the rest.
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-want-a');
select tests.create_tenant('tap-want-b');
insert into public.webhooks (tenant_id, name, url, events, is_active) values
  (tests.get_tenant_id('tap-want-a'), 'exact', 'https://a.example/1', array['session.completed'], true),
  (tests.get_tenant_id('tap-want-a'), 'prefix', 'https://a.example/2', array['leads.*'], true),
  (tests.get_tenant_id('tap-want-a'), 'off', 'https://a.example/3', array['tasks.completed'], false),
  (tests.get_tenant_id('tap-want-b'), 'all', 'https://b.example/', array['*'], true);

select ok(app.webhooks_want(tests.get_tenant_id('tap-want-a'), 'session.completed'), 'An exact subscription wants its type');
select ok(not app.webhooks_want(tests.get_tenant_id('tap-want-a'), 'session.failed'), 'but not its siblings');
select ok(app.webhooks_want(tests.get_tenant_id('tap-want-a'), 'leads.INSERT'), 'leads.* wants leads.INSERT');
select ok(not app.webhooks_want(tests.get_tenant_id('tap-want-a'), 'leads'), 'leads.* does not want leads itself');
select ok(not app.webhooks_want(tests.get_tenant_id('tap-want-a'), 'leadsX.INSERT'), 'prefixes match whole segments');
select ok(not app.webhooks_want(tests.get_tenant_id('tap-want-a'), 'tasks.completed'), 'An inactive subscription wants nothing');
select ok(app.webhooks_want(tests.get_tenant_id('tap-want-b'), 'anything.at.all'), '* wants everything');
select is(app.webhooks_want(tests.get_tenant_id('tap-want-b'), null), false, 'A null type is wanted by no one, not even *');
select is(
  app.webhook_event_patterns('a.b.c'),
  array['a.b.c', '*', 'a.*', 'a.b.*'],
  'The patterns of a.b.c are itself, * and each dotted prefix'
);

select * from finish();
rollback;
