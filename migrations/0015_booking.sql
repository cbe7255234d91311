-- 0015: booking, part 1 (issue 13; BOOK-1, BOOK-2, BOOK-3, BOOK-5, BOOK-8; ADMIN-1 edits
-- these rows): locations, services, practitioners, their weekly availability and leave,
-- price rules, and appointments, where an exclusion constraint makes a double booking
-- impossible. docs/booking.md explains the rules; src/booking/ owns these tables.
-- (0010 … 0014 belong to other changes.)
--
-- Every table is a tenant table (org_id, row-level security as 0006 sets up). References
-- between them are composite, (org_id, id), so a row can only name rows of its own
-- organisation: foreign-key checks bypass row-level security, and an appointment naming
-- another clinic's practitioner would otherwise block that practitioner's time.

-- So booking rows can name a user of their own organisation only (see above).
CREATE UNIQUE INDEX users_org_id ON users (org_id, id);

-- A centre patients visit. Telehealth is a kind of session, not a place. Its zone is the
-- one its wall-clock hours are in (the app checks the name with core/tz before saving).
CREATE TABLE locations (
	id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id        uuid NOT NULL REFERENCES organisations (id),
	name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	address_line1 text NOT NULL CHECK (length(address_line1) BETWEEN 1 AND 200),
	address_line2 text CHECK (length(address_line2) <= 200),
	locality      text NOT NULL CHECK (length(locality) BETWEEN 1 AND 100),	-- suburb, city
	region        text CHECK (length(region) <= 100),				-- state
	postcode      text CHECK (length(postcode) <= 20),
	country       char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),		-- ISO 3166-1
	timezone      text NOT NULL CHECK (timezone ~ '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$'
	                                   AND length(timezone) <= 64),
	phone         text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	active        boolean NOT NULL DEFAULT true,
	created_at    timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id)
);

-- What a patient books (BOOK-1). slot_interval_minutes: the step between offered starts;
-- NULL steps by the session plus the practitioner's buffers, so back-to-back slots fit.
CREATE TABLE services (
	id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id                uuid NOT NULL REFERENCES organisations (id),
	name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description           text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
	duration_minutes      integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
	slot_interval_minutes integer CHECK (slot_interval_minutes BETWEEN 5 AND 480),
	session_types         text[] NOT NULL CHECK (cardinality(session_types) >= 1
	                          AND session_types <@ ARRAY['in_person', 'telehealth']),
	concerns              text[] NOT NULL DEFAULT '{}' CHECK (cardinality(concerns) <= 50),
	sort_order            integer NOT NULL DEFAULT 0,
	active                boolean NOT NULL DEFAULT true,
	created_at            timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id)
);

-- A psychologist's profile (BOOK-3) and the booking rules that are theirs (BOOK-5):
-- buffers before and after each session, minimum notice, maximum advance. timezone is where
-- their telehealth hours are set when a telehealth rule names no location.
CREATE TABLE practitioners (
	id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id                uuid NOT NULL REFERENCES organisations (id),
	user_id               uuid,	-- their staff account, if any
	name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	title                 text CHECK (length(title) <= 200),	-- "Clinical Psychologist"
	photo_url             text CHECK (length(photo_url) <= 1000),
	bio                   text NOT NULL DEFAULT '' CHECK (length(bio) <= 10000),
	qualifications        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(qualifications) <= 30),
	specialties           text[] NOT NULL DEFAULT '{}' CHECK (cardinality(specialties) <= 50),
	languages             text[] NOT NULL DEFAULT '{}' CHECK (cardinality(languages) <= 30),	-- BCP 47 tags
	gender                text CHECK (gender IN ('female', 'male', 'non_binary', 'other')),
	telehealth            boolean NOT NULL DEFAULT false,
	timezone              text NOT NULL CHECK (timezone ~ '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$'
	                          AND length(timezone) <= 64),
	buffer_before_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 240),
	buffer_after_minutes  integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 240),
	min_notice_minutes    integer NOT NULL DEFAULT 120 CHECK (min_notice_minutes BETWEEN 0 AND 43200),
	max_advance_days      integer NOT NULL DEFAULT 90 CHECK (max_advance_days BETWEEN 1 AND 730),
	sort_order            integer NOT NULL DEFAULT 0,
	active                boolean NOT NULL DEFAULT true,
	created_at            timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
CREATE INDEX practitioners_specialties ON practitioners USING gin (specialties);
CREATE INDEX practitioners_languages ON practitioners USING gin (languages);

-- Where a practitioner works, and which services they offer.
CREATE TABLE practitioner_locations (
	org_id          uuid NOT NULL REFERENCES organisations (id),
	practitioner_id uuid NOT NULL,
	location_id     uuid NOT NULL,
	PRIMARY KEY (practitioner_id, location_id),
	FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX practitioner_locations_location ON practitioner_locations (location_id);

CREATE TABLE practitioner_services (
	org_id          uuid NOT NULL REFERENCES organisations (id),
	practitioner_id uuid NOT NULL,
	service_id      uuid NOT NULL,
	PRIMARY KEY (practitioner_id, service_id),
	FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, service_id) REFERENCES services (org_id, id) ON DELETE CASCADE
);
CREATE INDEX practitioner_services_service ON practitioner_services (service_id);

-- Weekly hours (BOOK-5): on `weekday` (0 Sunday … 6 Saturday), from start_time to end_time
-- wall-clock in the location's zone (or, for telehealth with no location, the
-- practitioner's), for one session type. valid_from/valid_until (local dates, inclusive)
-- bound a rule; a rule valid for one date is an extra session on that date.
CREATE TABLE availability_rules (
	id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id          uuid NOT NULL REFERENCES organisations (id),
	practitioner_id uuid NOT NULL,
	location_id     uuid,
	session_type    text NOT NULL CHECK (session_type IN ('in_person', 'telehealth')),
	weekday         smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
	start_time      time NOT NULL,
	end_time        time NOT NULL,
	valid_from      date,
	valid_until     date,
	created_at      timestamptz NOT NULL DEFAULT now(),
	-- seconds would be lost on the way to the engine (minute wall times)
	CHECK (extract(second FROM start_time) = 0 AND extract(second FROM end_time) = 0),
	-- 24:00 is a valid time value: a window may run to midnight
	CHECK (start_time < end_time),
	CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_from <= valid_until),
	CHECK (session_type = 'telehealth' OR location_id IS NOT NULL),
	FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX availability_rules_practitioner ON availability_rules (practitioner_id);

-- Leave and other exceptions that take a practitioner away (BOOK-5): an instant range, so
-- "from 2 pm Friday to Monday morning" is one row; the admin page turns wall times into
-- instants in the location's zone when it is entered. Extra hours are dated rules above.
CREATE TABLE practitioner_leave (
	id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id          uuid NOT NULL REFERENCES organisations (id),
	practitioner_id uuid NOT NULL,
	starts_at       timestamptz NOT NULL,
	ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
	reason          text CHECK (length(reason) <= 200),	-- staff only, never shown to patients
	created_at      timestamptz NOT NULL DEFAULT now(),
	FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id) ON DELETE CASCADE
);
-- the loader's "leave of these practitioners ending after the range starts": a practitioner
-- has a few dozen rows, so the rest is a cheap filter (btree, not GiST: see appointments_busy)
CREATE INDEX practitioner_leave_ends ON practitioner_leave (practitioner_id, ends_at);

-- What a session costs (BOOK-2), by service and, when set, location, session type and
-- funding. The most specific rule wins (a location or session type beats none). Money is
-- integer minor units plus an ISO 4217 code. With a rebate (Medicare, an insurer) the
-- patient sees the fee, the rebate and the gap; a package rule prices package_sessions
-- sessions at fee_minor in total.
CREATE TABLE price_rules (
	id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id           uuid NOT NULL REFERENCES organisations (id),
	service_id       uuid NOT NULL,
	location_id      uuid,
	session_type     text CHECK (session_type IN ('in_person', 'telehealth')),
	funding          text NOT NULL CHECK (funding IN ('private', 'medicare', 'insurer', 'concession', 'package')),
	insurer          text CHECK (length(insurer) BETWEEN 1 AND 100),
	fee_minor        bigint NOT NULL CHECK (fee_minor BETWEEN 0 AND 100000000),
	rebate_minor     bigint NOT NULL DEFAULT 0 CHECK (rebate_minor >= 0 AND rebate_minor <= fee_minor),
	gap_minor        bigint GENERATED ALWAYS AS (fee_minor - rebate_minor) STORED,
	currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	package_sessions integer CHECK (package_sessions BETWEEN 2 AND 100),
	active           boolean NOT NULL DEFAULT true,
	created_at       timestamptz NOT NULL DEFAULT now(),
	CHECK ((funding = 'insurer') = (insurer IS NOT NULL)),
	CHECK ((funding = 'package') = (package_sessions IS NOT NULL)),
	CHECK (funding IN ('medicare', 'insurer') OR rebate_minor = 0),
	FOREIGN KEY (org_id, service_id) REFERENCES services (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id) ON DELETE CASCADE
);
-- one active rule per combination, so "the most specific" is never a tie
CREATE UNIQUE INDEX price_rules_one ON price_rules (service_id,
	coalesce(location_id, '00000000-0000-0000-0000-000000000000'), coalesce(session_type, ''),
	funding, coalesce(insurer, '')) WHERE active;

-- A booking (BOOK-7, BOOK-8, and the later issues' states):
--   held             a patient chose the slot; it is theirs until hold_expires_at
--   pending_payment  details given, payment under way
--   confirmed        booked
--   cancelled        frees the time (an expired hold becomes this, cancel_reason 'hold_expired')
--   completed, no_show  after the fact; they keep the time they took
-- blocked_from/blocked_until is the session widened by the practitioner's buffers when it
-- was booked: the range the exclusion constraint guards, so a session can no more overlap
-- another's buffer than the session itself. (Stored, not computed: timestamptz - interval
-- is not immutable, so no generated column or index expression can widen it.)
CREATE TABLE appointments (
	id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id           uuid NOT NULL REFERENCES organisations (id),
	practitioner_id  uuid NOT NULL,
	service_id       uuid NOT NULL,
	location_id      uuid,
	session_type     text NOT NULL CHECK (session_type IN ('in_person', 'telehealth')),
	patient_id       uuid,
	status           text NOT NULL CHECK (status IN ('held', 'pending_payment', 'confirmed',
	                                                 'cancelled', 'completed', 'no_show')),
	starts_at        timestamptz NOT NULL,
	ends_at          timestamptz NOT NULL,
	blocked_from     timestamptz NOT NULL,
	blocked_until    timestamptz NOT NULL,
	hold_expires_at  timestamptz,
	reference        text CHECK (reference ~ '^[A-Z0-9-]{4,20}$'),	-- BOOK-11, human-friendly
	funding          text CHECK (funding IN ('private', 'medicare', 'insurer', 'concession', 'package')),
	fee_minor        bigint CHECK (fee_minor >= 0),
	rebate_minor     bigint CHECK (rebate_minor >= 0 AND rebate_minor <= fee_minor),
	currency         char(3) CHECK (currency ~ '^[A-Z]{3}$'),
	cancelled_at     timestamptz,
	cancel_reason    text CHECK (length(cancel_reason) <= 500),
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CHECK (ends_at > starts_at),
	CHECK (blocked_from <= starts_at AND blocked_until >= ends_at),
	-- a session of at most 8 hours with at most 4 hours' buffer each side: so "overlapping
	-- [a, b)" is "blocked_from in [a - 1 day, b) and blocked_until > a", a btree range scan
	-- (BOOKING_BLOCKED_MAX_S in booking.h)
	CHECK (blocked_until - blocked_from <= interval '24 hours'),
	CHECK (status <> 'held' OR hold_expires_at IS NOT NULL),
	CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
	CHECK (session_type = 'telehealth' OR location_id IS NOT NULL),
	CHECK ((fee_minor IS NULL) = (currency IS NULL)),
	UNIQUE (org_id, reference),
	FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id),
	FOREIGN KEY (org_id, service_id) REFERENCES services (org_id, id),
	FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id),
	FOREIGN KEY (org_id, patient_id) REFERENCES users (org_id, id),
	-- BOOK-8: no two appointments that hold time (every status but cancelled) overlap for
	-- one practitioner, buffers included.
	CONSTRAINT appointments_no_double_booking EXCLUDE USING gist (
		practitioner_id WITH =, tstzrange(blocked_from, blocked_until) WITH &&)
		WHERE (status <> 'cancelled'),
	-- BOOK-10: nor two of one patient's (their own sessions, buffers aside)
	CONSTRAINT appointments_no_patient_overlap EXCLUDE USING gist (
		patient_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
		WHERE (status <> 'cancelled' AND patient_id IS NOT NULL)
);
-- The slot loader's "appointments of these practitioners overlapping this range". Not the
-- exclusion constraint's GiST index: the web role reads through row-level security, and
-- PostgreSQL only uses a condition as an index condition ahead of the policy when its
-- operator is leakproof; uuid = and timestamptz < are, the range operator && is not, so
-- the GiST scan would have only practitioner_id and the planner prefers a sequential scan.
-- The INCLUDE columns let it answer from the index alone.
CREATE INDEX appointments_busy ON appointments (practitioner_id, blocked_from)
	INCLUDE (blocked_until, status, hold_expires_at, org_id) WHERE status <> 'cancelled';
CREATE INDEX appointments_patient ON appointments (patient_id, starts_at DESC) WHERE patient_id IS NOT NULL;
-- the hold-expiry job's scan
CREATE INDEX appointments_held ON appointments (hold_expires_at) WHERE status = 'held';

-- Tenant tables, as 0006 sets them up: the app role reads and writes them, within the
-- transaction's organisation only.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['locations', 'services', 'practitioners', 'practitioner_locations',
	                         'practitioner_services', 'availability_rules', 'practitioner_leave',
	                         'price_rules', 'appointments']
	LOOP
		EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kairos_app', t);
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY tenant ON %I TO kairos_app '
		               'USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org())', t);
	END LOOP;
END
$$;
