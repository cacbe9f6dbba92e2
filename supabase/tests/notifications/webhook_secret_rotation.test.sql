-- Signing secrets: generated as whsec_ + 32 random bytes, stored encrypted, returned by rotate
-- only; during a rotation's overlap the previous one still signs (current first), then it stops.
begin;
set local search_path = public, extensions;
select plan(9);

select tests.create_tenant('tap-rotate');
insert into public.webhooks (id, tenant_id, name, url, events) values
  ('c1c1c1c1-0000-4000-8000-000000000001', tests.get_tenant_id('tap-rotate'), 'h', 'https://r.example/', array['*']);

create temporary table s1 as select * from app.webhook_secret_rotate(tests.get_tenant_id('tap-rotate'), 'c1c1c1c1-0000-4000-8000-000000000001', 0);
select matches((select secret from s1), '^whsec_[A-Za-z0-9+/]{43}=$', 'A secret is whsec_ and 32 bytes of base64');
select ok(
  (select bool_and(value_enc is not null and position(convert_to((select secret from s1), 'UTF8') in value_enc) = 0)
   from app.webhook_secrets where webhook_id = 'c1c1c1c1-0000-4000-8000-000000000001'),
  'It is stored encrypted (its text is nowhere in the row)'
);
select results_eq(
  $$select * from app.webhook_signing_secrets(tests.get_tenant_id('tap-rotate'), 'c1c1c1c1-0000-4000-8000-000000000001')$$,
  $$select secret from s1$$,
  'One secret signs before any rotation'
);

create temporary table s2 as select * from app.webhook_secret_rotate(tests.get_tenant_id('tap-rotate'), 'c1c1c1c1-0000-4000-8000-000000000001', 3600);
select ok((select previous_expires_at between now() + interval '59 minutes' and now() + interval '61 minutes' from s2),
  'The previous secret expires after the overlap');
select results_eq(
  $$select * from app.webhook_signing_secrets(tests.get_tenant_id('tap-rotate'), 'c1c1c1c1-0000-4000-8000-000000000001')$$,
  $$select secret from s2 union all select secret from s1$$,
  'During the overlap both sign, the new one first'
);

-- rotating again in the overlap drops the oldest: at most two secrets
create temporary table s3 as select * from app.webhook_secret_rotate(tests.get_tenant_id('tap-rotate'), 'c1c1c1c1-0000-4000-8000-000000000001', 60);
select results_eq(
  $$select * from app.webhook_signing_secrets(tests.get_tenant_id('tap-rotate'), 'c1c1c1c1-0000-4000-8000-000000000001')$$,
  $$select secret from s3 union all select secret from s2$$,
  'A second rotation keeps only the newest previous secret'
);

-- once the overlap is over, only the current one signs
update app.webhook_secrets set expires_at = now() - interval '1 second'
where webhook_id = 'c1c1c1c1-0000-4000-8000-000000000001' and expires_at is not null;
select results_eq(
  $$select * from app.webhook_signing_secrets(tests.get_tenant_id('tap-rotate'), 'c1c1c1c1-0000-4000-8000-000000000001')$$,
  $$select secret from s3$$,
  'After the overlap only the current secret signs'
);

select throws_ok(
  format($$select * from app.webhook_secret_rotate(%L, 'c1c1c1c1-0000-4000-8000-000000000001', 604801)$$, tests.get_tenant_id('tap-rotate')),
  'OR400', null, 'An overlap over 7 days is refused');
select throws_ok(
  $$select * from app.webhook_secret_rotate(tests.create_tenant('tap-rotate-other'), 'c1c1c1c1-0000-4000-8000-000000000001', 0)$$,
  'OR404', null, 'Another tenant cannot rotate the secret');

select * from finish();
rollback;
