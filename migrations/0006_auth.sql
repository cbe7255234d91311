-- Identity and access (AUTH-1 … AUTH-7): patients' sign-up details, one-time codes,
-- sessions and their refresh tokens, staff passwords and invitations, organisation domains,
-- and row-level security on every tenant-owned table.
--
-- Kairos serves requests as a role that is a member of kairos_app: it owns no table and
-- cannot bypass row-level security, so a query that forgets its org filter still sees only
-- the organisation set for the transaction (SET LOCAL kairos.org_id). Migrations, seeds,
-- the job runner and operator commands use the owner (KAIROS_ADMIN_DATABASE_URL).

ALTER TABLE users
	ADD COLUMN date_of_birth  date CHECK (date_of_birth >= '1900-01-01'),
	ADD COLUMN consented_at   timestamptz,
	ADD COLUMN password_hash  text CHECK (length(password_hash) <= 200),
	ADD COLUMN failed_logins  integer NOT NULL DEFAULT 0,
	ADD COLUMN locked_until   timestamptz,
	ADD COLUMN last_login_at  timestamptz;

-- Which organisation a request is for comes from its Host; an unknown host gets the default.
CREATE TABLE organisation_domains (
	host    citext PRIMARY KEY CHECK (host ~ '^[a-z0-9.-]{1,253}(:[0-9]{1,5})?$'),
	org_id  uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE
);

-- A one-time sign-in code (AUTH-2). Only a slow hash of the code is kept.
CREATE TABLE otp_codes (
	id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id        uuid NOT NULL REFERENCES organisations (id),
	phone         text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	channel       text NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email')),
	code_hash     text NOT NULL CHECK (length(code_hash) <= 200),
	signup        jsonb,	-- AUTH-1 details to apply when a new number verifies
	requested_ip  inet,
	created_at    timestamptz NOT NULL DEFAULT now(),
	expires_at    timestamptz NOT NULL,
	attempts      integer NOT NULL DEFAULT 0,
	consumed_at   timestamptz
);
CREATE INDEX otp_codes_phone ON otp_codes (org_id, phone, created_at DESC);
CREATE INDEX otp_codes_ip ON otp_codes (org_id, requested_ip, created_at DESC);

-- A signed-in device (AUTH-4). Its refresh tokens form one family: reuse of a spent one
-- revokes the session.
CREATE TABLE sessions (
	id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id          uuid NOT NULL REFERENCES organisations (id),
	user_id         uuid NOT NULL REFERENCES users (id),
	user_agent      text CHECK (length(user_agent) <= 500),
	ip              inet,
	created_at      timestamptz NOT NULL DEFAULT now(),
	last_seen_at    timestamptz NOT NULL DEFAULT now(),
	expires_at      timestamptz NOT NULL,
	revoked_at      timestamptz,
	revoked_reason  text CHECK (revoked_reason IN ('logout', 'revoked', 'revoked_all',
	                                               'refresh_reuse', 'locked'))
);
CREATE INDEX sessions_user ON sessions (user_id, created_at DESC);

CREATE TABLE refresh_tokens (
	token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),	-- SHA-256 of the token
	org_id      uuid NOT NULL REFERENCES organisations (id),
	session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	created_at  timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL,
	used_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- An admin's invitation to a new staff member (AUTH-5); the link carries the token.
CREATE TABLE staff_invites (
	token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	org_id       uuid NOT NULL REFERENCES organisations (id),
	email        citext NOT NULL CHECK (length(email) <= 254),
	name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	role         text NOT NULL CHECK (role IN ('practitioner', 'receptionist', 'admin')),
	invited_by   uuid REFERENCES users (id),
	created_at   timestamptz NOT NULL DEFAULT now(),
	expires_at   timestamptz NOT NULL,
	accepted_at  timestamptz
);

-- The organisation of the current transaction, or NULL when none is set (then every
-- tenant policy is false and nothing is visible).
CREATE FUNCTION kairos_org() RETURNS uuid LANGUAGE sql STABLE AS $$
	SELECT nullif(current_setting('kairos.org_id', true), '')::uuid
$$;

-- Webhooks name a provider's message id, not an organisation: this one narrow lookup runs
-- with the owner's rights so the handler can then act inside that organisation.
CREATE FUNCTION kairos_notification_org(p_provider text, p_provider_id text) RETURNS uuid
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT org_id FROM notifications WHERE provider = p_provider AND provider_message_id = p_provider_id
$$;

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kairos_app') THEN
		CREATE ROLE kairos_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
	END IF;
END
$$;

REVOKE ALL ON FUNCTION kairos_notification_org(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kairos_notification_org(text, text), kairos_org() TO kairos_app;
GRANT USAGE ON SCHEMA public TO kairos_app;
GRANT SELECT ON organisations, organisation_domains, schema_migrations TO kairos_app;
GRANT SELECT, INSERT, DELETE ON webhook_requests TO kairos_app;	-- 0005's replay guard
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO kairos_app;

-- Every table with an org_id is tenant-owned: the app role may read and write it, and a
-- policy limits it to the transaction's organisation. Later migrations that add a tenant
-- table do the same (t/integration/tenancy.t fails on one that does not).
DO $$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT c.table_name FROM information_schema.columns c
	         JOIN information_schema.tables tb USING (table_schema, table_name)
	         WHERE c.table_schema = 'public' AND c.column_name = 'org_id'
	           AND tb.table_type = 'BASE TABLE' AND c.table_name <> 'organisation_domains'
	LOOP
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kairos_app', t);
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY tenant ON %I TO kairos_app '
		               'USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org())', t);
	END LOOP;
END
$$;

-- The audit log is append-only for the app as well (the trigger already refuses changes).
REVOKE UPDATE, DELETE ON audit_log FROM kairos_app;

-- Sign-in attempts are made by people not yet known.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check
	CHECK (actor_kind IN ('patient', 'staff', 'system', 'webhook', 'anonymous'));
