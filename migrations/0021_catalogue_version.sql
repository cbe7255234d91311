-- 0021: a version per organisation of everything the catalogue's computed answers read
-- (issue 13, item 11). src/catalogue keeps each worker's answers (the psychologist list's
-- nextAvailable, availability's slots) only while this number is the one it read first in
-- the request's transaction, so a booking, a hold, a leave row or any edit an answer
-- depends on makes every worker compute it again at once.
--
-- Statement-level triggers (one bump a statement, however many rows: a seed of 100,000
-- appointments is one), with transition tables to learn which organisations changed
-- without kairos.org_id (seeds, tests and the bench write as the owner). The bump runs in
-- the writer's transaction: readers see the new version exactly when they can see the rows.
-- Writers of one clinic queue on its version row until they commit; a booking already
-- does more than that, and the row is only ever taken last in a statement.

CREATE TABLE catalogue_versions (
	org_id  uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
	version bigint NOT NULL
);
GRANT SELECT ON catalogue_versions TO kairos_app;
ALTER TABLE catalogue_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON catalogue_versions TO kairos_app USING (org_id = kairos_org());

-- the app role may not write versions; the triggers' function runs as the owner
CREATE FUNCTION catalogue_version_bump() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO catalogue_versions AS v (org_id, version)
	SELECT DISTINCT org_id, 1 FROM changed ORDER BY org_id
	ON CONFLICT (org_id) DO UPDATE SET version = v.version + 1;
	RETURN NULL;
END
$$;

-- TRUNCATE has no transition table: every clinic's answers go
CREATE FUNCTION catalogue_version_bump_all() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE catalogue_versions SET version = version + 1;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION catalogue_version_bump(), catalogue_version_bump_all() FROM PUBLIC;

-- every table an answer reads (src/catalogue/catalogue.c and src/booking/load.c)
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['appointments', 'availability_rules', 'practitioner_leave',
	                         'practitioners', 'practitioner_locations', 'practitioner_services',
	                         'services', 'price_rules', 'locations', 'reviews']
	LOOP
		EXECUTE format('CREATE TRIGGER catalogue_version_ins AFTER INSERT ON %I '
		               'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
		               'EXECUTE FUNCTION catalogue_version_bump()', t);
		EXECUTE format('CREATE TRIGGER catalogue_version_upd AFTER UPDATE ON %I '
		               'REFERENCING NEW TABLE AS changed FOR EACH STATEMENT '
		               'EXECUTE FUNCTION catalogue_version_bump()', t);
		EXECUTE format('CREATE TRIGGER catalogue_version_del AFTER DELETE ON %I '
		               'REFERENCING OLD TABLE AS changed FOR EACH STATEMENT '
		               'EXECUTE FUNCTION catalogue_version_bump()', t);
		EXECUTE format('CREATE TRIGGER catalogue_version_trunc AFTER TRUNCATE ON %I '
		               'FOR EACH STATEMENT EXECUTE FUNCTION catalogue_version_bump_all()', t);
	END LOOP;
END
$$;

-- A cached answer also ends when a live hold it saw expires: its computation reads the
-- clinic's earliest future expiry, from the few held rows only.
CREATE INDEX appointments_hold_expiry ON appointments (hold_expires_at) WHERE status = 'held';
