-- The desk's local copy of what its user may see in one clinic, the outbox of
-- mutations not yet confirmed by the server, and the conflict inbox. One file
-- per (server, clinic, user).
--
-- Times are RFC 3339 UTC text with microseconds and a `Z`, always the same
-- width, so text order is time order. Ids are UUIDs as lower-case text.
--
-- The synced tables mirror core's `SyncRow` shapes and carry the server's
-- `version` (0 for a row that only exists on this desk so far). They have no
-- foreign keys between them: pages arrive in version order, so a row may
-- arrive before the rows it refers to, and a member may be sent a row whose
-- references they cannot see. The server keeps referential integrity; local
-- queries use outer joins.

CREATE TABLE clinic (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    locale      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE doctors (
    id          TEXT PRIMARY KEY,
    full_name   TEXT NOT NULL,
    specialties TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    user_id     TEXT,
    active      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE doctor_hours (
    id          TEXT PRIMARY KEY,
    doctor_id   TEXT NOT NULL,
    weekday     INTEGER NOT NULL,             -- 1 = Monday .. 7 = Sunday
    starts      TEXT NOT NULL,                -- HH:MM, clinic wall clock
    ends        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX doctor_hours_doctor ON doctor_hours (doctor_id, weekday, starts);

CREATE TABLE doctor_time_off (
    id          TEXT PRIMARY KEY,
    doctor_id   TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    reason      TEXT,
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX doctor_time_off_doctor ON doctor_time_off (doctor_id, starts_at);

CREATE TABLE rooms (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    active      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE patients (
    id               TEXT PRIMARY KEY,
    full_name        TEXT NOT NULL,
    date_of_birth    TEXT,                    -- YYYY-MM-DD
    sex              TEXT,
    national_id      TEXT,
    phone            TEXT,
    email            TEXT,
    address          TEXT,
    email_consent    INTEGER NOT NULL,
    email_consent_at TEXT,
    archived_at      TEXT,
    -- The phone's digits from each group on ("+34 600 100 200" →
    -- "34600100200 600100200 100200 200"), written by the desk, so a number
    -- typed with or without its prefix or spaces is found by prefix.
    phone_search     TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX patients_name ON patients (full_name COLLATE NOCASE);

-- Patient search: words of the name, the email, the national id, and the
-- phone both as written and as digit runs, so "600100" finds "+34 600 100 200".
-- Accents are folded ("Lucia" finds "Lucía"). A plain FTS5 table kept by
-- triggers; its rowid is the patient's rowid.
CREATE VIRTUAL TABLE patients_fts USING fts5 (
    full_name, email, national_id, phone, phone_digits,
    tokenize = "unicode61 remove_diacritics 2"
);
CREATE TRIGGER patients_fts_insert AFTER INSERT ON patients BEGIN
    INSERT INTO patients_fts (rowid, full_name, email, national_id, phone, phone_digits)
    VALUES (new.rowid, new.full_name, new.email, new.national_id, new.phone, new.phone_search);
END;
CREATE TRIGGER patients_fts_delete AFTER DELETE ON patients BEGIN
    DELETE FROM patients_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER patients_fts_update AFTER UPDATE ON patients BEGIN
    DELETE FROM patients_fts WHERE rowid = old.rowid;
    INSERT INTO patients_fts (rowid, full_name, email, national_id, phone, phone_digits)
    VALUES (new.rowid, new.full_name, new.email, new.national_id, new.phone, new.phone_search);
END;

CREATE TABLE clinical_notes (
    id          TEXT PRIMARY KEY,
    patient_id  TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX clinical_notes_patient ON clinical_notes (patient_id, created_at);

CREATE TABLE appointments (
    id              TEXT PRIMARY KEY,
    doctor_id       TEXT NOT NULL,
    patient_id      TEXT NOT NULL,
    room_id         TEXT,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT,
    cancel_reason   TEXT,
    created_by      TEXT,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX appointments_time ON appointments (starts_at);
CREATE INDEX appointments_doctor ON appointments (doctor_id, starts_at);
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at);
CREATE INDEX appointments_room ON appointments (room_id, starts_at) WHERE room_id IS NOT NULL;

-- Report orders and the external workers they go to (the orders issue). The
-- protocol has no rows for them yet; the server's row is kept whole as JSON
-- beside the columns the desk will list and filter by.
CREATE TABLE external_workers (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE report_orders (
    id          TEXT PRIMARY KEY,
    worker_id   TEXT,
    patient_id  TEXT,
    status      TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    data        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX report_orders_status ON report_orders (status, updated_at);

-- Mutations made on this desk that the server has not answered (`pending`),
-- or has applied while the pull that brings their rows back has not finished
-- yet (`applied`: kept so their effect does not blink out of the agenda
-- meanwhile, never pushed again). Ordered by `seq`.
CREATE TABLE outbox (
    seq           INTEGER PRIMARY KEY,           -- per (clinic, device), strictly increasing, never reused
    id            TEXT NOT NULL UNIQUE,          -- UUIDv7 of the mutation
    name          TEXT NOT NULL,
    mutation      TEXT NOT NULL,                 -- JSON of core's `Mutation`
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied')),
    -- Set on `applied` mutations when a pull starts; that pull's end confirms them.
    awaiting_pull INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL                  -- desk clock: for display only, never ordering
);
CREATE INDEX outbox_state ON outbox (state, seq);

-- Which rows each outbox mutation changed locally: "pending sync" badges, and
-- what a rebase must put back.
CREATE TABLE outbox_touches (
    seq     INTEGER NOT NULL REFERENCES outbox (seq) ON DELETE CASCADE,
    tbl     TEXT NOT NULL,
    row_id  TEXT NOT NULL,
    PRIMARY KEY (seq, tbl, row_id)
);
CREATE INDEX outbox_touches_row ON outbox_touches (tbl, row_id);

-- The last server copy of every row an outbox mutation touched, taken the
-- first time one touched it; `data` NULL means the server has no such row
-- (the desk created it). A rebase puts these back before re-applying the outbox.
CREATE TABLE shadow (
    tbl     TEXT NOT NULL,
    row_id  TEXT NOT NULL,
    data    TEXT,                                -- JSON of core's `SyncRow`, or NULL
    version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tbl, row_id)
);

-- Mutations the server rejected, waiting for a person to resolve them.
CREATE TABLE conflicts (
    id          TEXT PRIMARY KEY,                -- the mutation's id
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    mutation    TEXT NOT NULL,                   -- JSON of core's `Mutation`
    code        TEXT NOT NULL,                   -- the server's error code, e.g. slot_taken
    message     TEXT NOT NULL,
    queued_at   TEXT NOT NULL,                   -- desk clock, display only
    rejected_at TEXT NOT NULL                    -- desk clock, display only
);

-- The sync engine's state: one row.
CREATE TABLE sync_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    cursor        INTEGER NOT NULL DEFAULT 0,    -- the last pull page's cursor
    next_seq      INTEGER NOT NULL DEFAULT 1,
    device_id     TEXT,                          -- whose seq space `next_seq` counts in
    last_sync_at  TEXT,                          -- desk clock of the last complete push + pull
    priority_done INTEGER NOT NULL DEFAULT 0     -- the first sync's priority page is in
);
INSERT INTO sync_state (id) VALUES (1);
