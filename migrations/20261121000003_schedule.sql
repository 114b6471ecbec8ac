-- The clinic's schedule: doctors and their week, rooms, patients, appointments.
-- Every table leads with clinic_id (in its key and its indexes) so it can be
-- distributed by clinic later; every synced row carries a per-clinic version.

CREATE TABLE doctors (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    -- The staff member who signs in as this doctor, if any.
    user_id         uuid,
    full_name       text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    specialties     text[] NOT NULL DEFAULT '{}',
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id),
    FOREIGN KEY (clinic_id, user_id) REFERENCES memberships (clinic_id, user_id)
        ON DELETE SET NULL (user_id)
);
CREATE UNIQUE INDEX doctors_user ON doctors (clinic_id, user_id) WHERE user_id IS NOT NULL;

-- Weekly wall-clock hours in the clinic's time zone; ISO weekday 1 = Monday.
CREATE TABLE doctor_hours (
    clinic_id       uuid NOT NULL,
    id              uuid NOT NULL,
    doctor_id       uuid NOT NULL,
    weekday         smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts          time NOT NULL,
    ends            time NOT NULL CHECK (ends > starts),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id),
    FOREIGN KEY (clinic_id, doctor_id) REFERENCES doctors (clinic_id, id) ON DELETE CASCADE,
    EXCLUDE USING gist (
        clinic_id WITH =, doctor_id WITH =, weekday WITH =,
        tsrange('2000-01-01'::date + starts, '2000-01-01'::date + ends) WITH &&
    )
);

CREATE TABLE doctor_time_off (
    clinic_id       uuid NOT NULL,
    id              uuid NOT NULL,
    doctor_id       uuid NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
    reason          text CHECK (length(reason) <= 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id),
    FOREIGN KEY (clinic_id, doctor_id) REFERENCES doctors (clinic_id, id) ON DELETE CASCADE
);
CREATE INDEX doctor_time_off_doctor ON doctor_time_off (clinic_id, doctor_id, starts_at);

CREATE TABLE rooms (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id)
);
CREATE UNIQUE INDEX rooms_name ON rooms (clinic_id, lower(name));

CREATE TABLE patients (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    full_name       text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    date_of_birth   date,
    sex             text CHECK (sex IN ('female', 'male', 'other')),
    national_id     text CHECK (length(national_id) <= 50),
    phone           text CHECK (length(phone) <= 32),
    email           text CHECK (email = lower(email)),
    address         text CHECK (length(address) <= 500),
    -- Consent to transactional email (confirmations, reminders); when it was given.
    email_consent   boolean NOT NULL DEFAULT false,
    email_consent_at timestamptz,
    -- Patients are archived, never deleted: their history stays.
    archived_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id),
    CHECK (NOT email_consent OR email IS NOT NULL)
);
CREATE INDEX patients_name ON patients USING gin (lower(full_name) gin_trgm_ops);
CREATE INDEX patients_clinic_name ON patients (clinic_id, lower(full_name), id);

-- Clinical notes live apart from the patient's identity so that roles which
-- may read a patient (reception) never receive them.
CREATE TABLE clinical_notes (
    clinic_id       uuid NOT NULL,
    id              uuid NOT NULL,
    patient_id      uuid NOT NULL,
    author_id       uuid NOT NULL REFERENCES users (id),
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id),
    FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id)
);
CREATE INDEX clinical_notes_patient ON clinical_notes (clinic_id, patient_id, created_at);

CREATE TABLE appointments (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    doctor_id       uuid NOT NULL,
    patient_id      uuid NOT NULL,
    room_id         uuid,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    during          tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)')) STORED,
    status          text NOT NULL DEFAULT 'booked'
                    CHECK (status IN ('booked', 'checked_in', 'completed', 'cancelled', 'no_show')),
    reason          text CHECK (length(reason) <= 500),
    cancel_reason   text CHECK (length(cancel_reason) <= 500),
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id),
    FOREIGN KEY (clinic_id, doctor_id) REFERENCES doctors (clinic_id, id),
    FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id),
    FOREIGN KEY (clinic_id, room_id) REFERENCES rooms (clinic_id, id),
    CHECK (ends_at > starts_at),
    CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL)),
    -- A doctor never has two live appointments at once; cancelled and no-show free the slot.
    CONSTRAINT appointments_doctor_free EXCLUDE USING gist (
        clinic_id WITH =, doctor_id WITH =, during WITH &&
    ) WHERE (status IN ('booked', 'checked_in', 'completed')),
    -- Nor a room.
    CONSTRAINT appointments_room_free EXCLUDE USING gist (
        clinic_id WITH =, room_id WITH =, during WITH &&
    ) WHERE (room_id IS NOT NULL AND status IN ('booked', 'checked_in', 'completed'))
);
CREATE INDEX appointments_time ON appointments (clinic_id, starts_at, id);
CREATE INDEX appointments_patient ON appointments (clinic_id, patient_id, starts_at);
CREATE INDEX appointments_doctor ON appointments (clinic_id, doctor_id, starts_at);
