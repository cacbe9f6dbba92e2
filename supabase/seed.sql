-- Demo data for the local stack. The demo tenant's API key is issued by `npm start`
-- (only its hash is stored) and written to .env.local as ORA_API_KEY.
insert into public.tenants (id, name, slug)
values ('00000000-0000-4000-a000-000000000001', 'Demo', 'demo')
on conflict (id) do nothing;

-- The demo tenant gets both agent packs: the content team (seed 000) and the industrial team (seed 004).
select app.agent_pack_install('00000000-0000-4000-a000-000000000001', 'content');
select app.agent_pack_install('00000000-0000-4000-a000-000000000001', 'industrial');

-- The four built-in automations of seed 000 for the demo tenant. The two that react to something
-- happening (a hot lead, a traffic drop) are active; the two schedules would call a model every
-- day or week, so they wait paused until someone resumes them (automations.resume).
insert into public.automations (tenant_id, name, slug, description, category, trigger_type, trigger_config,
  event_names, actions, on_error, status, status_reason, run_scopes, created_by, tags)
values
  ('00000000-0000-4000-a000-000000000001', 'Hot Lead Alert', 'hot-lead-alert',
   'Instant alert when a high-score lead comes in; the analyst looks at it and the result is remembered.',
   'leads', 'event', '{"events": ["leads.INSERT"], "filter": [{"field": "ai_score", "operator": "gte", "value": 80}]}',
   array['leads.INSERT'],
   $j$[
     {"type": "send_notification", "name": "alert", "config": {"title": "🔥 Hot Lead Alert!",
       "message": "{{ trigger.data.new.name }} ({{ trigger.data.new.email ?? \"no email\" }}) - Score: {{ trigger.data.new.ai_score }}",
       "type": "alert", "channels": ["admin", "slack"], "priority": 10}},
     {"type": "execute_agent", "name": "analyze", "config": {"agent": "analyst",
       "input": {"task": "analyze_lead", "leadId": "{{ trigger.data.new.id }}"},
       "query": "Analyze the new hot lead {{ trigger.data.new.name }} ({{ trigger.data.new.company ?? \"unknown company\" }}, score {{ trigger.data.new.ai_score }}): how should we follow up?"},
      "output": {"as": "analysis"}},
     {"type": "store_memory", "name": "remember", "config": {"key": "hot_lead_{{ trigger.data.new.id }}",
       "value": {"lead": "{{ trigger.data.new }}", "analysis": "{{ analysis.summary }}", "processedAt": "{{ system.now }}"},
       "type": "entity", "importance": 0.9}}
   ]$j$, 'notify', 'active', null, array['*'], 'seed', array['built-in']),
  ('00000000-0000-4000-a000-000000000001', 'Traffic Drop Alert', 'traffic-drop-alert',
   'Alert if daily traffic drops significantly against the same day last week (metric page_views).',
   'analytics', 'threshold', '{"metric": "page_views", "operator": "change_lt", "value": -30, "window": {"duration": "24h", "aggregation": "sum"}, "compare": "same_day_last_week", "sustainedFor": "6h", "autoResolve": false}',
   '{}',
   $j$[
     {"type": "send_notification", "config": {"title": "⚠️ Traffic Drop Detected",
       "message": "Daily page views are {{ trigger.data.changePercent }}% lower than last week",
       "type": "warning", "channels": ["admin", "ora", "email"]}},
     {"type": "execute_agent", "config": {"agent": "analyst", "input": {"task": "diagnose_traffic_drop",
       "changePercent": "{{ trigger.data.changePercent }}"}, "query": "Page views dropped {{ trigger.data.changePercent }}% against the same day last week. Diagnose likely causes."}}
   ]$j$, 'notify', 'active', null, array['*'], 'seed', array['built-in']),
  ('00000000-0000-4000-a000-000000000001', 'Daily Analytics Report', 'daily-analytics-report',
   'Daily analytics summary to the admin at 09:00 India time.',
   'analytics', 'schedule', '{"cron": "0 9 * * *", "timezone": "Asia/Kolkata", "skipIfRunning": true}',
   '{}',
   $j$[
     {"type": "execute_agent", "config": {"agent": "analyst", "input": {"task": "daily_analytics_report", "days": 1},
       "query": "Summarise yesterday's traffic and leads for the admin."}, "output": {"as": "analytics"}},
     {"type": "send_notification", "config": {"title": "📊 Daily Analytics Report", "message": "{{ analytics.summary }}",
       "type": "info", "channels": ["admin", "email"]}}
   ]$j$, 'notify', 'paused', 'Built-in: calls a model every day; resume it to enable', array['*'], 'seed', array['built-in']),
  ('00000000-0000-4000-a000-000000000001', 'Weekly Content Planning', 'weekly-content-planning',
   'Content ideas every Monday at 10:00 India time, from last week''s performance.',
   'content', 'schedule', '{"cron": "0 10 * * 1", "timezone": "Asia/Kolkata", "skipIfRunning": true}',
   '{}',
   $j$[
     {"type": "execute_agent", "config": {"agent": "analyst", "input": {"task": "weekly_stats", "days": 7},
       "query": "Which pages and sources performed best last week?"}, "output": {"as": "weeklyStats"}},
     {"type": "execute_agent", "config": {"agent": "writer", "input": {"task": "generate_content_ideas",
       "context": "{{ weeklyStats.summary }}", "count": 5}, "query": "Propose 5 content ideas from last week's performance."},
      "output": {"as": "contentIdeas"}},
     {"type": "send_notification", "config": {"title": "📝 Weekly Content Ideas", "message": "{{ contentIdeas.summary }}",
       "data": {"ideas": "{{ contentIdeas.output.findings }}"}, "type": "info", "channels": ["admin"]}}
   ]$j$, 'notify', 'paused', 'Built-in: calls a model every week; resume it to enable', array['*'], 'seed', array['built-in'])
on conflict (tenant_id, slug) do nothing;
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
