-- 0019: reviews of completed appointments (BOOK-4). This issue shows them (a practitioner's
-- average and count over approved reviews); writing and moderating them come with the
-- patient dashboard. (0016 and 0018 belong to other changes.)
--
-- One review per appointment, and only of a completed one (a trigger: a check cannot read
-- another table). The practitioner is copied from the appointment, through a composite
-- reference that makes it match, so the rating query reads one table. Moderation: a new
-- review is pending; only approved ones count and are shown.

-- so a review can name an appointment of its own organisation and that appointment's
-- practitioner (the composite references of 0015 explain why)
CREATE UNIQUE INDEX appointments_org_practitioner ON appointments (org_id, id, practitioner_id);

CREATE TABLE reviews (
	id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id          uuid NOT NULL REFERENCES organisations (id),
	appointment_id  uuid NOT NULL UNIQUE,	-- one per appointment
	practitioner_id uuid NOT NULL,
	patient_id      uuid,
	rating          smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
	body            text NOT NULL DEFAULT '' CHECK (length(body) <= 5000),
	status          text NOT NULL DEFAULT 'pending'
	                CHECK (status IN ('pending', 'approved', 'rejected')),
	moderated_by    uuid,
	moderated_at    timestamptz,
	created_at      timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'pending') = (moderated_at IS NULL)),
	UNIQUE (org_id, id),
	FOREIGN KEY (org_id, appointment_id, practitioner_id)
		REFERENCES appointments (org_id, id, practitioner_id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, practitioner_id) REFERENCES practitioners (org_id, id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, patient_id) REFERENCES users (org_id, id),
	FOREIGN KEY (org_id, moderated_by) REFERENCES users (org_id, id)
);
-- the psychologist list's average and count: an index-only read per practitioner
CREATE INDEX reviews_approved ON reviews (practitioner_id) INCLUDE (rating, org_id)
	WHERE status = 'approved';

-- Only a completed appointment may be reviewed. The appointment is read as the inserting
-- role sees it (row-level security applies), which the composite reference already bounds
-- to the review's organisation.
CREATE FUNCTION reviews_completed_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM appointments
	               WHERE id = NEW.appointment_id AND status = 'completed') THEN
		RAISE EXCEPTION 'only a completed appointment can be reviewed'
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER reviews_completed_only BEFORE INSERT OR UPDATE OF appointment_id ON reviews
	FOR EACH ROW EXECUTE FUNCTION reviews_completed_only();

GRANT SELECT, INSERT, UPDATE, DELETE ON reviews TO kairos_app;
ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON reviews TO kairos_app
	USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org());
