-- One poke per writing transaction instead of one per version: a push
-- applies many mutations per transaction (each in a savepoint), and a
-- notification per version cost about 15% of a push.
--
-- The trigger now fires at commit (deferred) and announces the counter's
-- value then, the last version the transaction took. Every firing of one
-- transaction sends the same payload, and PostgreSQL delivers identical
-- notifications of a transaction once. The payload keeps its form,
-- '<clinic_id>:<version>'.

DROP TRIGGER clinic_sync_counters_notify ON clinic_sync_counters;

CREATE OR REPLACE FUNCTION notify_clinic_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('clinic_sync', NEW.clinic_id::text || ':' || coalesce(
        (SELECT version FROM clinic_sync_counters WHERE clinic_id = NEW.clinic_id),
        -- A session that cannot read the counter row (no clinic context):
        -- the version this update took.
        NEW.version));
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER clinic_sync_counters_notify AFTER UPDATE ON clinic_sync_counters
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.version > OLD.version)
    EXECUTE FUNCTION notify_clinic_sync();
