-- Chunking: short text is one chunk; long text is cut at paragraph, sentence or word boundaries
-- into chunks of at most max_chars that overlap; empty text has none; nonsense sizes are refused.
begin;
set local search_path = public, extensions;
select plan(7);

select is((select count(*)::integer from app.memory_chunks('Short note.')), 1, 'Short text is one chunk');
select is((select count(*)::integer from app.memory_chunks('   ')), 0, 'Blank text has no chunks');

create temporary table long_text as
  select string_agg('Sentence number ' || g || ' talks about pumps and valves.', ' ') as t
  from generate_series(1, 120) g;
create temporary table cut as select * from app.memory_chunks((select t from long_text), 400, 80);

select cmp_ok((select count(*)::integer from cut), '>', 10, 'Long text is cut into many chunks');
select is((select max(length(chunk)) <= 400 from cut), true, 'No chunk is longer than max_chars');
select is(
  (select bool_and(c.chunk ~ '\.$') from cut c where c.chunk_index < (select max(chunk_index) from cut)),
  true, 'Chunks end at a sentence boundary'
);
select is(
  (select bool_and(position(split_part(b.chunk, ' ', 1) || ' ' || split_part(b.chunk, ' ', 2) in a.chunk) > 0)
   from cut a join cut b on b.chunk_index = a.chunk_index + 1),
  true, 'Each chunk starts with words the previous one ended with (overlap)'
);
select throws_ok($$select * from app.memory_chunks('x', 50, 10)$$, '22023', null, 'A max_chars under 100 is refused');

select * from finish();
rollback;
