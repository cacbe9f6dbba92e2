-- Tenant isolation for public.tenant_members: a tenant sees its own members only, and the API
-- roles cannot add, promote or remove members in any tenant (membership is managed by the
-- service role), nor resolve another tenant's memberships through app.member_resolve.
begin;
set local search_path = public, extensions;
select plan(13);

-- FIXTURES (as postgres): A has one owner; B has an owner and a member
select tests.create_tenant('tap-members-a');
select tests.create_tenant('tap-members-b');
select tests.create_user('ann@members-a.example');
select tests.create_user('ben@members-b.example');
select tests.create_user('bia@members-b.example');
select tests.add_member(tests.get_tenant_id('tap-members-a'), tests.get_user_id('ann@members-a.example'), 'owner');
select tests.add_member(tests.get_tenant_id('tap-members-b'), tests.get_user_id('ben@members-b.example'), 'owner');
select tests.add_member(tests.get_tenant_id('tap-members-b'), tests.get_user_id('bia@members-b.example'), 'member');

select tests.authenticate_as_tenant(tests.get_tenant_id('tap-members-b'));

-- READ
select results_eq(
  $$select user_id, role from public.tenant_members order by role$$,
  $$values (tests.get_user_id('bia@members-b.example'), 'member'),
           (tests.get_user_id('ben@members-b.example'), 'owner')$$,
  'B reading every membership gets its own two members and nothing else'
);
select is_empty(
  $$select 1 from public.tenant_members where tenant_id = tests.get_tenant_id('tap-members-a')$$,
  'B cannot read A''s members even when it filters on A''s tenant_id'
);

-- WRITE: no insert, update or delete privilege for authenticated
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values (tests.get_tenant_id('tap-members-a'), tests.get_user_id('ben@members-b.example'), 'owner')$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot make one of its users an owner of A'
);
select throws_ok(
  $$insert into public.tenant_members (tenant_id, user_id, role)
    values (tests.get_tenant_id('tap-members-b'), tests.get_user_id('ann@members-a.example'), 'member')$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot add members to its own tenant either'
);
select throws_ok(
  $$update public.tenant_members set role = 'member' where tenant_id = tests.get_tenant_id('tap-members-a')$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot change roles in A'
);
select throws_ok(
  $$update public.tenant_members set role = 'owner' where user_id = tests.get_user_id('bia@members-b.example')$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot promote its own member to owner'
);
select throws_ok(
  $$update public.tenant_members set tenant_id = tests.get_tenant_id('tap-members-a') where tenant_id = tests.get_tenant_id('tap-members-b')$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot move its own members into A'
);
select throws_ok(
  $$delete from public.tenant_members where tenant_id = tests.get_tenant_id('tap-members-a')$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot remove A''s members'
);
select throws_ok(
  $$delete from public.tenant_members where tenant_id = tests.get_tenant_id('tap-members-b')$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot remove its own members either'
);
select throws_ok(
  $$truncate public.tenant_members$$,
  '42501',
  'permission denied for table tenant_members',
  'B cannot truncate tenant_members'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select results_eq(
  $$select user_id, role from public.tenant_members where tenant_id = tests.get_tenant_id('tap-members-a')$$,
  $$values (tests.get_user_id('ann@members-a.example'), 'owner')$$,
  'A''s membership is unchanged after B''s attempts'
);
select is(
  (select count(*)::integer from public.tenant_members where tenant_id = tests.get_tenant_id('tap-members-b')),
  2,
  'B still has exactly its two members'
);

-- app.member_resolve reads memberships past RLS: it is for the gateway's own connection only
select tests.authenticate_as_tenant(tests.get_tenant_id('tap-members-b'));
select throws_ok(
  $$select * from app.member_resolve(tests.get_user_id('ann@members-a.example'), null)$$,
  '42501',
  null,
  'B cannot call app.member_resolve to discover A''s memberships'
);

select * from finish();
rollback;
