-- Row-level security on every clinic-owned table, forced so that even the
-- tables' owner obeys it, plus the application role's grants.

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'clinic_sync_counters', 'sync_tombstones', 'memberships', 'invitations',
        'doctors', 'doctor_hours', 'doctor_time_off', 'rooms', 'patients',
        'clinical_notes', 'appointments', 'external_workers', 'report_orders',
        'payments', 'email_outbox', 'audit_log', 'sync_mutations'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY clinic_isolation ON %I USING (clinic_id = app_clinic_id()) '
            'WITH CHECK (clinic_id = app_clinic_id())', t);
    END LOOP;

    -- Synced tables stamp a fresh per-clinic version on every write and leave
    -- a tombstone when a row is deleted.
    FOREACH t IN ARRAY ARRAY[
        'doctors', 'doctor_hours', 'doctor_time_off', 'rooms', 'patients',
        'clinical_notes', 'appointments', 'external_workers', 'report_orders'
    ] LOOP
        EXECUTE format(
            'CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %I '
            'FOR EACH ROW EXECUTE FUNCTION stamp_sync_version()', t || '_version', t);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER DELETE ON %I '
            'FOR EACH ROW EXECUTE FUNCTION record_tombstone()', t || '_tombstone', t);
    END LOOP;
END
$$;

ALTER TABLE clinics ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinics FORCE ROW LEVEL SECURITY;
CREATE POLICY clinic_isolation ON clinics
    USING (id = app_clinic_id()) WITH CHECK (id = app_clinic_id());

-- A signed-in user may list their own memberships, and the clinics they are
-- in, before choosing one; app.user_id is set only for that.
CREATE POLICY own_memberships ON memberships FOR SELECT
    USING (user_id = app_user_id());
CREATE POLICY member_clinics ON clinics FOR SELECT
    USING (id IN (SELECT m.clinic_id FROM memberships m WHERE m.user_id = app_user_id()));

GRANT USAGE ON SCHEMA public TO clinic_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clinic_app;
REVOKE ALL ON _sqlx_migrations FROM clinic_app;
-- History is append-only for the application.
REVOKE UPDATE, DELETE ON audit_log FROM clinic_app;
REVOKE UPDATE, DELETE ON sync_mutations FROM clinic_app;
REVOKE UPDATE, DELETE ON sync_tombstones FROM clinic_app;
