-- Privileges for the API roles, stated once after every object exists.
-- Functions get EXECUTE for PUBLIC by default, and a per-schema default-privilege revoke cannot
-- remove that, so every function in `app` is locked here: authenticated may only call
-- app.tenant_id() (used by RLS policies); workers (service_role) may call everything in app.
-- tests/tenancy/schema_rules.test.sql fails when a later migration forgets this.
revoke execute on all functions in schema app from public, anon, authenticated;
grant execute on function app.tenant_id() to authenticated;
grant execute on all functions in schema app to service_role;
-- internal helpers stay private even to workers: the queue layer's, and the local encryption key's
revoke execute on function app.queue_dlq_name(text), app.queue_move_to_dlq(text, pgmq.message_record, text) from service_role;
revoke execute on function app.local_encryption_key() from service_role;

-- TRUNCATE, TRIGGER and REFERENCES are not row-level: no API role holds them on tenant tables.
revoke truncate, trigger, references on all tables in schema public from anon, authenticated;
alter default privileges for role postgres in schema public
  revoke truncate, trigger, references on tables from anon, authenticated;
