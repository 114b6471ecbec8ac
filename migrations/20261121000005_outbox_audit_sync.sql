-- Mail waiting to go out, who did what, and the sync log of applied mutations.

-- Written in the same transaction as the event that causes the mail; a worker
-- sends it (FOR UPDATE SKIP LOCKED, retries with backoff, then dead letter).
CREATE TABLE email_outbox (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    kind            text NOT NULL,
    to_email        text NOT NULL,
    locale          text NOT NULL CHECK (locale IN ('en', 'es')),
    -- Template inputs; rendered at send time so a template fix reaches queued mail.
    payload         jsonb NOT NULL DEFAULT '{}',
    -- Sent to the provider so a retried send is delivered once.
    idempotency_key text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    provider_message_id text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    PRIMARY KEY (clinic_id, id)
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'pending';

-- Who read or changed what, when, from which device. Insert-only for the app.
CREATE TABLE audit_log (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    id              uuid NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_id        uuid REFERENCES users (id),
    device_id       uuid,
    action          text NOT NULL,
    entity          text NOT NULL,
    entity_id       uuid,
    detail          jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (clinic_id, id)
);
CREATE INDEX audit_log_entity ON audit_log (clinic_id, entity, entity_id, at);

-- One row per pushed mutation: (clinic, device, seq) makes a retried push
-- return the stored result and apply nothing twice.
CREATE TABLE sync_mutations (
    clinic_id       uuid NOT NULL REFERENCES clinics (id) ON DELETE CASCADE,
    device_id       uuid NOT NULL,
    seq             bigint NOT NULL CHECK (seq > 0),
    mutation_id     uuid NOT NULL,
    name            text NOT NULL,
    user_id         uuid NOT NULL REFERENCES users (id),
    result          jsonb NOT NULL,
    applied_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (clinic_id, device_id, seq)
);
