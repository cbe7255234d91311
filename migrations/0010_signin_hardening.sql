-- 0010: sign-in hardening (issue 11, items 2-4). Each answer of a sign-in step must be the
-- same, in status, body and time, whatever it could otherwise tell a prober: whether an
-- email has a staff account, whether a number has a code pending. And a refresh token
-- presented again within a few seconds (two tabs renewing at once) gets the pair the first
-- presentation got instead of revoking the session.

-- Wrong passwords per (organisation, email), for real accounts and unknown emails alike, so
-- both count, lock and answer the same way (AUTH-5). This replaces users.failed_logins and
-- users.locked_until, which only a real account had: a lock that only real accounts get
-- tells them apart. A right password deletes the row; purge.c deletes rows that have been
-- quiet for a day.
CREATE TABLE login_failures (
	org_id        uuid NOT NULL REFERENCES organisations (id),
	email         citext NOT NULL CHECK (length(email) <= 254),
	failures      integer NOT NULL DEFAULT 0 CHECK (failures >= 0),	-- since the last lock
	locked_until  timestamptz,
	updated_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (org_id, email)
);
CREATE INDEX login_failures_updated ON login_failures (updated_at);

-- A lock or a count in progress carries over.
INSERT INTO login_failures (org_id, email, failures, locked_until)
	SELECT org_id, email, failed_logins, locked_until FROM users
	WHERE email IS NOT NULL AND role <> 'patient' AND (failed_logins > 0 OR locked_until > now())
	ON CONFLICT DO NOTHING;
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- Wrong codes per (organisation, number) in a window (AUTH-2), counted whether or not the
-- number has a code pending, so a number without one counts 4, 3, 2, 1, 0 like one with
-- a code. Sending a code deletes the row (a new count for the new code); a window lasts
-- as long as a code does. This replaces otp_codes.attempts as the count that kills a code.
CREATE TABLE otp_guesses (
	org_id        uuid NOT NULL REFERENCES organisations (id),
	phone         text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	attempts      integer NOT NULL CHECK (attempts > 0),
	window_until  timestamptz NOT NULL,
	PRIMARY KEY (org_id, phone)
);
CREATE INDEX otp_guesses_window ON otp_guesses (window_until);
COMMENT ON COLUMN otp_codes.attempts IS 'unused since 0010: otp_guesses counts wrong codes';

-- A spent refresh token remembers its successor for AUTH_REFRESH_GRACE_SECONDS (AUTH-3):
-- the successor's hash, the successor token sealed with a pad only the holder of this
-- token can derive (SHA-512 of a label and this token's text: the database never sees
-- either), and the access token's issue time, so presenting this token again within the
-- window gets the same pair.
ALTER TABLE refresh_tokens
	ADD COLUMN successor_hash    bytea CHECK (length(successor_hash) = 32),
	ADD COLUMN successor_sealed  bytea CHECK (length(successor_sealed) <= 64),
	ADD COLUMN successor_iat     bigint;

-- Tenant tables, as 0006 sets them up: the app role reads and writes them, within the
-- transaction's organisation only.
GRANT SELECT, INSERT, UPDATE, DELETE ON login_failures, otp_guesses TO kairos_app;
ALTER TABLE login_failures ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON login_failures TO kairos_app
	USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org());
ALTER TABLE otp_guesses ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON otp_guesses TO kairos_app
	USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org());
