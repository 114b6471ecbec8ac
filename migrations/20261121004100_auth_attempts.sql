-- Attempts counted against a limit over a sliding window: password checks
-- per account and per client address, sign-ups per address, sign-up notices
-- per account (see sync-server/src/auth/throttle.rs).
--
-- An attempt takes its row *before* it is evaluated, holding a transaction
-- advisory lock per bucket while it counts the live rows and adds its own,
-- so concurrent attempts cannot all pass one check. Replaces
-- login_failures, which recorded a failure only after the password had been
-- checked: twenty attempts sent at once were all evaluated.
--
-- A bucket is the SHA-256 of what it counts ('password/account/<email>',
-- 'password/address/<ip>', ...), so the table holds no email or address.
-- A row carries its own expiry (its window is the limit's, which differs
-- by action), so old rows are swept by one rule.

CREATE TABLE auth_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket      bytea NOT NULL CHECK (length(bucket) = 32),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX auth_attempts_bucket ON auth_attempts (bucket, expires_at);
CREATE INDEX auth_attempts_expiry ON auth_attempts (expires_at);

-- UPDATE only for the row locks (FOR UPDATE SKIP LOCKED) of the sweep.
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_attempts TO clinic_app;

-- The failures still inside the old fixed 15-minute window keep counting.
INSERT INTO auth_attempts (bucket, expires_at)
SELECT sha256(convert_to('password/account/' || email, 'UTF8')), at + interval '15 minutes'
FROM login_failures WHERE at > now() - interval '15 minutes';
INSERT INTO auth_attempts (bucket, expires_at)
SELECT sha256(convert_to('password/address/' || CASE family(address)
           WHEN 4 THEN host(address)
           ELSE text(network(set_masklen(address, 64)))
       END, 'UTF8')),
       at + interval '15 minutes'
FROM login_failures WHERE address IS NOT NULL AND at > now() - interval '15 minutes';

DROP TABLE login_failures;
