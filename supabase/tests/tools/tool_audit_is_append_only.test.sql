-- public.tool_audit is append-only: not even the database owner changes or deletes a row; rows
-- go only with their tenant.
begin;
set local search_path = public, extensions;
select plan(4);

select tests.create_tenant('tap-audit-append');
select app.tool_audit_write(tests.get_tenant_id('tap-audit-append'),
  '{"event": "executed", "tool": "scada.set_setpoint", "arguments": {"value": 9}}') as row_id \gset

select throws_ok(
  format($$update public.tool_audit set event = 'refused' where id = %L$$, :'row_id'),
  'OR409', 'tool_audit is append-only: its rows are never changed or deleted',
  'An audit row cannot be rewritten, even by the owner'
);
select throws_ok(
  format($$delete from public.tool_audit where id = %L$$, :'row_id'),
  'OR409', 'tool_audit is append-only: its rows are never changed or deleted',
  'An audit row cannot be deleted on its own'
);
select is((select args_hash from public.tool_audit where id = :'row_id'), app.tool_args_hash('{"value": 9}'),
  'The arguments'' hash is recorded with them');
select lives_ok(
  $$delete from public.tenants where slug = 'tap-audit-append'$$,
  'Deleting the tenant takes its audit with it'
);

select * from finish();
rollback;
