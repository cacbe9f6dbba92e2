-- Demo data for the local stack. The demo tenant's API key is issued by `npm start`
-- (only its hash is stored) and written to .env.local as ORA_API_KEY.
insert into public.tenants (id, name, slug)
values ('00000000-0000-4000-a000-000000000001', 'Demo', 'demo')
on conflict (id) do nothing;
