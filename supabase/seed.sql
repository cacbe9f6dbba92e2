-- Demo data for the local stack. The demo tenant's API key is issued by `npm start`
-- (only its hash is stored) and written to .env.local as ORA_API_KEY.
insert into public.tenants (id, name, slug)
values ('00000000-0000-4000-a000-000000000001', 'Demo', 'demo')
on conflict (id) do nothing;

-- The demo tenant gets both agent packs: the content team (seed 000) and the industrial team (seed 004).
select app.agent_pack_install('00000000-0000-4000-a000-000000000001', 'content');
select app.agent_pack_install('00000000-0000-4000-a000-000000000001', 'industrial');

-- What the demo tenant's agents remember about pump P-101 (agent memory, shared by every agent):
-- retrieved into their prompts by `npm start`'s demo, which prints what each agent recalled.
insert into public.agent_memory (tenant_id, memory_type, key, content, summary, importance, source)
values
  ('00000000-0000-4000-a000-000000000001', 'fact', 'p101-bearing-history',
   '"Pump P-101''s drive-end bearing was replaced on 2026-09-14 after a lubrication failure; since then it has been greased with a lighter grade than the OEM specifies."',
   null, 0.9, 'server'),
  ('00000000-0000-4000-a000-000000000001', 'fact', 'p101-alarm-limits',
   '{"asset": "P-101", "vibration_alarm": "7.1 mm/s RMS (ISO 10816 zone C)", "bearing_temperature_trip": "95 °C"}',
   'P-101 alarm limits: vibration 7.1 mm/s RMS, bearing temperature trip at 95 °C', 0.7, 'server'),
  ('00000000-0000-4000-a000-000000000001', 'reflection', 'p101-shutdown-lesson',
   '"Last time P-101 was stopped without isolating the suction valve first, restart took six hours: isolate, drain, then lock out."',
   null, 0.6, 'server')
on conflict do nothing;
