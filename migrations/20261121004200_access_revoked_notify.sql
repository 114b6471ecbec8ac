-- Losing access ends the event streams opened with it at once, on every
-- server instance. A session that is revoked (signed out, revoked from
-- another device, signed out by a password change) or deleted is announced
-- on `session_revoked` as '<session_id>'; a membership that is removed or
-- given another role on `membership_changed` as '<clinic_id>:<user_id>'.
--
-- Triggers rather than a NOTIFY in each handler: every path that revokes,
-- today's and tomorrow's, announces it, in its own transaction, so the
-- notice is delivered exactly when the revocation commits.

CREATE FUNCTION notify_session_revoked() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('session_revoked', OLD.id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_revoked_notify AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION notify_session_revoked();

CREATE TRIGGER sessions_deleted_notify AFTER DELETE ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL)
    EXECUTE FUNCTION notify_session_revoked();

CREATE FUNCTION notify_membership_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('membership_changed', OLD.clinic_id::text || ':' || OLD.user_id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER memberships_changed_notify AFTER UPDATE OF role ON memberships
    FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role)
    EXECUTE FUNCTION notify_membership_changed();

CREATE TRIGGER memberships_deleted_notify AFTER DELETE ON memberships
    FOR EACH ROW
    EXECUTE FUNCTION notify_membership_changed();
