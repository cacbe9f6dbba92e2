-- app.delivery_schedule: a valid custom schedule as given, anything else the default.
begin;
set local search_path = public, extensions;
select plan(5);

select is(app.delivery_schedule('[1, 2, 3]'), array[1, 2, 3], 'A valid schedule is kept in order');
select is(app.delivery_schedule(null), array[30, 120, 600, 3600, 10800, 21600, 43200], 'The default: 30 s up to 12 h, 8 attempts');
select is(app.delivery_schedule('[1, "a"]'), app.delivery_schedule(null), 'A non-number falls back to the default');
select is(app.delivery_schedule('[0.5]'), app.delivery_schedule(null), 'Fractions and values under 1 s fall back');
select is(app.delivery_schedule('{"a": 1}'), app.delivery_schedule(null), 'A non-array falls back');

select * from finish();
rollback;
