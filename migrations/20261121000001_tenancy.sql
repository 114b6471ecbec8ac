-- Tenancy plumbing: the application role, the per-transaction clinic context,
-- and the per-clinic sync version counter.
--
-- The server runs every request as `clinic_app`: no superuser, no BYPASSRLS,
-- so row-level security always applies. It sets `app.clinic_id` (and, for a
-- user's own cross-clinic rows, `app.user_id`) with set_config(..., true),
-- which lasts only for the current transaction. Unset means no rows.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$
BEGIN
    CREATE ROLE clinic_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION
    -- Roles are cluster-wide: another database (or a concurrent migration) made it.
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

CREATE FUNCTION app_clinic_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.clinic_id', true), '')::uuid $$;

CREATE FUNCTION app_user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

CREATE TABLE clinics (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    time_zone   text NOT NULL,
    locale      text NOT NULL CHECK (locale IN ('en', 'es')),
    currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint NOT NULL DEFAULT 0
);

-- One row per clinic; every synced write takes the next value while holding
-- this row's lock until commit, so versions are handed out in commit order
-- and a pull of `version > cursor` never skips a late commit.
CREATE TABLE clinic_sync_counters (
    clinic_id   uuid PRIMARY KEY REFERENCES clinics (id) ON DELETE CASCADE,
    version     bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION next_sync_version(clinic uuid) RETURNS bigint
    LANGUAGE sql VOLATILE
    AS $$
        UPDATE clinic_sync_counters SET version = version + 1
        WHERE clinic_id = clinic
        RETURNING version
    $$;

CREATE FUNCTION create_sync_counter() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO clinic_sync_counters (clinic_id) VALUES (NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER clinics_counter AFTER INSERT ON clinics
    FOR EACH ROW EXECUTE FUNCTION create_sync_counter();

CREATE FUNCTION stamp_clinic_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := next_sync_version(NEW.id);
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER clinics_version BEFORE UPDATE ON clinics
    FOR EACH ROW EXECUTE FUNCTION stamp_clinic_version();

-- For clinic-owned synced tables (all have clinic_id, id, version, updated_at).
CREATE FUNCTION stamp_sync_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := next_sync_version(NEW.clinic_id);
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- Deletes leave a tombstone so desks learn of them on their next pull.
CREATE TABLE sync_tombstones (
    clinic_id   uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    version     bigint NOT NULL,
    table_name  text NOT NULL,
    row_id      uuid NOT NULL,
    deleted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, version)
);

CREATE FUNCTION record_tombstone() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sync_tombstones (clinic_id, version, table_name, row_id)
    VALUES (OLD.clinic_id, next_sync_version(OLD.clinic_id), TG_TABLE_NAME, OLD.id);
    RETURN OLD;
END
$$;
