-- Tenant isolation for public.run_steps: a tenant reads the recorded steps (LLM turns, tool calls,
-- waits) of its own runs only; the API roles cannot forge, edit or remove steps, which are the
-- memo a replayed or forked run returns instead of calling a model or tool again
-- (app.run_step_record writes them); anon reads and writes nothing.
begin;
set local search_path = public, extensions;
select plan(14);

-- FIXTURES (as postgres): a run with one recorded step in each tenant
select tests.create_tenant('t-tenancy-steps-a') as a \gset
select tests.create_tenant('t-tenancy-steps-b') as b \gset
select id as a_run from app.run_create(:'a', '{"kind":"agent","subject":"writer","enqueue":false}') \gset
select id as b_run from app.run_create(:'b', '{"kind":"agent","subject":"writer","enqueue":false}') \gset
select app.run_step_record(:'a', :'a_run', '{"key":"turn:1","kind":"llm","output":{"text":"A"},"provider":"offline","model":"offline","prompt_tokens":10}') as a_seq \gset
select app.run_step_record(:'b', :'b_run', '{"key":"turn:1","kind":"llm","output":{"text":"B"},"provider":"offline","model":"offline","prompt_tokens":12}') as b_seq \gset
create temporary table a_rows_before as select * from public.run_steps where tenant_id = :'a';
create temporary table b_rows_before as select * from public.run_steps where tenant_id = :'b';

select tests.authenticate_as_tenant(:'b');

-- READ
select results_eq(
  $$select run_id, output ->> 'text' from public.run_steps$$,
  format($$values (%L::uuid, 'B'::text)$$, :'b_run'),
  'B reading every step gets its own run''s step and nothing else'
);
select is_empty(
  format($$select 1 from public.run_steps where tenant_id = %L or run_id = %L$$, :'a', :'a_run'),
  'B cannot read A''s steps, even filtering on A''s tenant_id or run'
);

-- WRITE
select throws_ok(
  format($$insert into public.run_steps (tenant_id, run_id, seq, key, status, output) values (%L, %L, 2, 'turn:2', 'completed', '"forged"')$$,
    :'b', :'b_run'),
  '42501', 'permission denied for table run_steps',
  'B cannot record a step, not even for its own run'
);
select throws_ok(
  format($$insert into public.run_steps (tenant_id, run_id, seq, key, status, output) values (%L, %L, 2, 'turn:2', 'completed', '"forged"')$$,
    :'a', :'a_run'),
  '42501', 'permission denied for table run_steps',
  'B cannot plant a step in A''s run'
);
select throws_ok(
  format($$update public.run_steps set output = '{"text":"forged by B"}' where tenant_id = %L$$, :'a'),
  '42501', 'permission denied for table run_steps',
  'B cannot rewrite A''s recorded steps'
);
select throws_ok(
  format($$update public.run_steps set output = '{"text":"replayed differently"}' where run_id = %L$$, :'b_run'),
  '42501', 'permission denied for table run_steps',
  'B cannot rewrite its own memo either'
);
select throws_ok(
  format($$delete from public.run_steps where tenant_id = %L$$, :'a'),
  '42501', 'permission denied for table run_steps',
  'B cannot delete A''s steps'
);
select throws_ok(
  $$truncate public.run_steps$$,
  '42501', 'permission denied for table run_steps',
  'B cannot truncate run_steps'
);

-- AFTERWARDS (as postgres)
select tests.clear_authentication();
select set_eq(format($$select * from public.run_steps where tenant_id = %L$$, :'a'), $$select * from a_rows_before$$,
  'A''s step is unchanged after B''s attempts');
select set_eq(format($$select * from public.run_steps where tenant_id = %L$$, :'b'), $$select * from b_rows_before$$,
  'B''s own step is unchanged');

select tests.authenticate_as_tenant(:'a');
select results_eq(
  $$select run_id, output ->> 'text' from public.run_steps$$,
  format($$values (%L::uuid, 'A'::text)$$, :'a_run'),
  'A reading every step gets its own and nothing else'
);

-- ANON
select tests.authenticate_as_anon();
select is(coalesce(tests.visible_rows('public.run_steps'), 0), 0::bigint, 'anon reads no steps');
select throws_ok(
  format($$insert into public.run_steps (tenant_id, run_id, seq, key, status) values (%L, %L, 9, 'x', 'completed')$$, :'a', :'a_run'),
  '42501', null,
  'anon cannot record steps'
);
select throws_ok(
  format($$delete from public.run_steps where run_id = %L$$, :'a_run'),
  '42501', null,
  'anon cannot delete steps'
);
select tests.clear_authentication();

select * from finish();
rollback;
