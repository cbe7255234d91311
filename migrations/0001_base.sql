-- 0001: the base every later feature stands on: tenants, users, the audit log.
-- Extensions needed later: pgcrypto (gen_random_uuid, digests), btree_gist (exclusion
-- constraints that make double booking impossible), citext (case-insensitive email).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS citext;

-- A tenant: one clinic or group of clinics (AUTH-7).
CREATE TABLE organisations (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug        citext NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
	name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	timezone    text NOT NULL DEFAULT 'Australia/Sydney',
	is_default  boolean NOT NULL DEFAULT false,
	created_at  timestamptz NOT NULL DEFAULT now()
);
-- At most one default organisation: the one served when no domain matches.
CREATE UNIQUE INDEX organisations_one_default ON organisations (is_default) WHERE is_default;

INSERT INTO organisations (slug, name, is_default) VALUES ('default', 'Kairos', true);

-- People who sign in: patients and staff. Credentials live in their own tables later.
CREATE TABLE users (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id      uuid NOT NULL REFERENCES organisations (id),
	role        text NOT NULL CHECK (role IN ('patient', 'practitioner', 'receptionist', 'admin')),
	name        text CHECK (length(name) <= 200),
	email       citext CHECK (length(email) <= 254),
	phone       text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	disabled_at timestamptz
);
CREATE UNIQUE INDEX users_org_email ON users (org_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_org_phone ON users (org_id, phone) WHERE phone IS NOT NULL;

-- Who did what, to which patient, when and from where. Append-only: never holds message
-- bodies or secrets (NOTE-4, ADMIN-3).
CREATE TABLE audit_log (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id       uuid NOT NULL REFERENCES organisations (id),
	occurred_at  timestamptz NOT NULL DEFAULT now(),
	actor_id     uuid REFERENCES users (id),
	actor_kind   text NOT NULL CHECK (actor_kind IN ('patient', 'staff', 'system', 'webhook')),
	action       text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
	subject_type text,
	subject_id   text,
	patient_id   uuid REFERENCES users (id),
	ip           inet,
	request_id   text,
	details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_org_time ON audit_log (org_id, occurred_at DESC);
CREATE INDEX audit_log_patient ON audit_log (patient_id, occurred_at DESC) WHERE patient_id IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
