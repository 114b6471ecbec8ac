-- What a pull needs: every synced row reachable by (clinic, version), and
-- the clinic's own row carrying a version a pull from 0 includes.

-- A clinic's row was created at version 0, which `version > cursor` never
-- returns from cursor 0, so a desk would not learn its clinic's settings
-- until someone edited them. New clinics now start at version 1 (and their
-- counter with them); existing ones at 0 take the next version now.
CREATE FUNCTION first_clinic_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER clinics_first_version BEFORE INSERT ON clinics
    FOR EACH ROW EXECUTE FUNCTION first_clinic_version();

CREATE OR REPLACE FUNCTION create_sync_counter() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clinic_sync_counters (clinic_id, version) VALUES (NEW.id, NEW.version);
    RETURN NULL;
END
$$;

-- The owner running this may be subject to the forced row security (it is
-- not necessarily a superuser); lift it for the backfill only.
ALTER TABLE clinics NO FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic_sync_counters NO FORCE ROW LEVEL SECURITY;
UPDATE clinics SET updated_at = updated_at WHERE version = 0;
ALTER TABLE clinics FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic_sync_counters FORCE ROW LEVEL SECURITY;

-- Pulls read each table in version order from the desk's cursor.
CREATE INDEX doctors_version ON doctors (clinic_id, version);
CREATE INDEX doctor_hours_version ON doctor_hours (clinic_id, version);
CREATE INDEX doctor_time_off_version ON doctor_time_off (clinic_id, version);
CREATE INDEX rooms_version ON rooms (clinic_id, version);
CREATE INDEX patients_version ON patients (clinic_id, version);
CREATE INDEX clinical_notes_version ON clinical_notes (clinic_id, version);
CREATE INDEX appointments_version ON appointments (clinic_id, version);
