-- Demo data for the local stack. The demo tenant's API key is issued by `npm start`
-- (only its hash is stored) and written to .env.local as ORA_API_KEY.
insert into public.tenants (id, name, slug)
values ('00000000-0000-4000-a000-000000000001', 'Demo', 'demo')
on conflict (id) do nothing;

-- The demo tenant gets both agent packs: the content team (seed 000) and the industrial team (seed 004).
select app.agent_pack_install('00000000-0000-4000-a000-000000000001', 'content');
select app.agent_pack_install('00000000-0000-4000-a000-000000000001', 'industrial');
