-- External workers, the report orders placed with them, and their payments.

CREATE TABLE external_workers (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    -- The worker's own account, once they have accepted an invitation.
    user_id         uuid REFERENCES users (id),
    full_name       text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    email           text NOT NULL CHECK (email = lower(email)),
    specialties     text[] NOT NULL DEFAULT '{}',
    -- Price of one report in the currency's minor units (cents).
    rate_per_report_minor bigint NOT NULL CHECK (rate_per_report_minor >= 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    accepting_orders boolean NOT NULL DEFAULT true,
    turnaround_hours integer CHECK (turnaround_hours > 0),
    availability_note text CHECK (length(availability_note) <= 500),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id)
);
CREATE UNIQUE INDEX external_workers_email ON external_workers (clinic_id, email);
CREATE INDEX external_workers_user ON external_workers (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE report_orders (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    worker_id       uuid NOT NULL,
    patient_id      uuid,
    specialty       text NOT NULL CHECK (length(specialty) BETWEEN 1 AND 100),
    -- What the worker needs to know; the worker sees this, not the patient record.
    instructions    text NOT NULL CHECK (length(instructions) BETWEEN 1 AND 5000),
    price_minor     bigint NOT NULL CHECK (price_minor >= 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status          text NOT NULL DEFAULT 'created'
                    CHECK (status IN ('created', 'approved', 'in_progress', 'completed', 'cancelled')),
    created_by      uuid NOT NULL REFERENCES users (id),
    approved_by     uuid REFERENCES users (id),
    approved_at     timestamptz,
    started_at      timestamptz,
    completed_at    timestamptz,
    cancelled_at    timestamptz,
    cancel_reason   text CHECK (length(cancel_reason) <= 500),
    report          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (clinic_id, id),
    FOREIGN KEY (clinic_id, worker_id) REFERENCES external_workers (clinic_id, id),
    FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, id)
);
CREATE INDEX report_orders_worker ON report_orders (clinic_id, worker_id, status);

CREATE TABLE payments (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    order_id        uuid NOT NULL,
    amount_minor    bigint NOT NULL CHECK (amount_minor >= 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'succeeded', 'failed', 'refund_pending', 'refunded')),
    stripe_checkout_session_id text UNIQUE,
    stripe_payment_intent_id   text UNIQUE,
    stripe_refund_id           text UNIQUE,
    refunded_minor  bigint NOT NULL DEFAULT 0 CHECK (refunded_minor BETWEEN 0 AND amount_minor),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, id),
    FOREIGN KEY (clinic_id, order_id) REFERENCES report_orders (clinic_id, id)
);
CREATE INDEX payments_order ON payments (clinic_id, order_id);

-- Stripe webhook events already handled, by Stripe's event id: a replay is a no-op.
-- Not clinic-owned: an event names its clinic only inside its payload.
CREATE TABLE stripe_events (
    event_id        text PRIMARY KEY,
    event_type      text NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    processed_at    timestamptz
);
