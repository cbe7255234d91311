-- 0023: a message's job is due when the message was queued, by the clock that queued it.
-- The job queue now decides by the app's wall clock (core/clock, passed to every statement
-- as DB_NOW; src/jobs/queue.c), and notify_enqueue writes a message's created_at from that
-- clock too. The trigger of 0016 gave the message's job the columns' defaults, the
-- database's now(): a runner whose clock a test had set back (KAIROS_TEST_CLOCK) found the
-- message not yet due, and the job's row held a second clock beside its message's. The job
-- now takes its due time and its own timestamps from the message's created_at: the app's
-- clock for the app's messages, now() still for a row inserted by hand without one.
CREATE OR REPLACE FUNCTION kairos_notifications_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO jobs (id, org_id, kind, payload, run_at, created_at, updated_at)
	SELECT n.id, n.org_id, 'notify.send', jsonb_build_object('notification', n.id),
		n.created_at, n.created_at, n.created_at
	FROM new_rows n WHERE n.status = 'queued';
	RETURN NULL;
END
$$;
