-- 0017: the booking funnel (issue 13 item 8; ADMIN-4 charts it later). One row per wizard
-- step a visit takes, page or API: the step, what had been chosen, and a random per-visit
-- id (docs/booking.md, "Funnel"). No personal data: no patient, IP address or user agent,
-- and a chosen slot only as its local hour and weekday.
--
-- Written once, in the step's own transaction, never updated: the app may insert and read.
-- The ids name this clinic's rows but are not foreign keys: an event must not stop a
-- service or practitioner from being deleted, and each check would cost every step.
CREATE TABLE funnel_events (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id          uuid NOT NULL REFERENCES organisations (id),
	visit_id        text NOT NULL CHECK (visit_id ~ '^[0-9a-f]{32}$'),
	step            text NOT NULL CHECK (step IN ('service', 'psychologist', 'profile', 'time',
	                                              'slot', 'details', 'payment', 'confirmed')),
	service_id      uuid,
	practitioner_id uuid,
	location_id     uuid,
	session_type    text CHECK (session_type IN ('in_person', 'telehealth')),
	slot_hour       smallint CHECK (slot_hour BETWEEN 0 AND 23),
	slot_weekday    smallint CHECK (slot_weekday BETWEEN 0 AND 6),	-- 0 Sunday
	created_at      timestamptz NOT NULL	-- the app's clock (settable in tests)
);
-- the charts read one clinic's events over a period
CREATE INDEX funnel_events_created ON funnel_events (org_id, created_at);

GRANT SELECT, INSERT ON funnel_events TO kairos_app;
GRANT USAGE ON SEQUENCE funnel_events_id_seq TO kairos_app;
ALTER TABLE funnel_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON funnel_events TO kairos_app
	USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org());
