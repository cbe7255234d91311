-- 0016: notify's sends run on the general job queue (issue 12, item 3). A message's row in
-- notifications stays its record (status, provider, the provider's message id and last
-- error, delivery reports); the job of kind notify.send with the message's own id owns its
-- claim, lease, attempts, backoff and dead letter (src/notify/outbox.c, docs/jobs.md). The
-- outbox's own copy of those columns goes.
--
-- A queued message gets its job from the table, in the statement that inserts it: no
-- message can be queued without one, however it is written (notify_enqueue, a campaign's
-- many rows in one statement, a test's INSERT). One trigger per statement, so a campaign of
-- thousands is one INSERT into jobs; ON CONFLICT DO NOTHING leaves the rows it skipped out
-- of the transition table, so a repeated event gets no second job.
CREATE FUNCTION kairos_notifications_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO jobs (id, org_id, kind, payload)
	SELECT n.id, n.org_id, 'notify.send', jsonb_build_object('notification', n.id)
	FROM new_rows n WHERE n.status = 'queued';
	RETURN NULL;
END
$$;
CREATE TRIGGER notifications_jobs AFTER INSERT ON notifications
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
	EXECUTE FUNCTION kairos_notifications_jobs();

-- Messages waiting or dead when this runs get their job, with their attempts, due time and
-- reason; a sent one had its last attempt recorded already and needs none.
INSERT INTO jobs (id, org_id, kind, payload, status, attempts, run_at, last_error, created_at,
	updated_at, finished_at)
SELECT id, org_id, 'notify.send', jsonb_build_object('notification', id), status, attempts,
	next_attempt_at, last_error, created_at, updated_at,
	CASE WHEN status = 'dead' THEN updated_at END
FROM notifications WHERE status IN ('queued', 'dead');

DROP INDEX notifications_due;
ALTER TABLE notifications
	DROP COLUMN attempts,
	DROP COLUMN max_attempts,
	DROP COLUMN next_attempt_at,
	DROP COLUMN lease_until,
	DROP COLUMN leased_by;
