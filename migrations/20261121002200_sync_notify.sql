-- Live pokes: every move of a clinic's version counter is announced on the
-- `clinic_sync` channel as '<clinic_id>:<version>'. Notifications are
-- delivered when the writing transaction commits (never for one that rolls
-- back), to every server instance listening, which pokes that clinic's desks.

CREATE FUNCTION notify_clinic_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('clinic_sync', NEW.clinic_id::text || ':' || NEW.version);
    RETURN NULL;
END
$$;

CREATE TRIGGER clinic_sync_counters_notify AFTER UPDATE ON clinic_sync_counters
    FOR EACH ROW WHEN (NEW.version > OLD.version)
    EXECUTE FUNCTION notify_clinic_sync();
