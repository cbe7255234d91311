-- 0008: scheduled tasks of `kairos jobs` (issue 4): work that runs every N seconds or daily
-- at a time in a named zone (housekeeping now; appointment reminders, NOTE-6, later). The
-- tasks themselves are declared in code (src/jobs/schedule.c); a row holds one task's state.
-- Any number of runners share the table: a runner claims a due task by setting a lease in
-- one UPDATE, so each due run happens once; a runner that dies mid-run leaves the task due,
-- and another takes it when the lease ends. Global, not per clinic: only the tables' owner
-- (the job runner and operator commands) touches it, so kairos_app gets no grant.
CREATE TABLE scheduled_tasks (
	name              text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
	schedule          text NOT NULL CHECK (length(schedule) <= 200),	-- as the code declares it
	next_run_at       timestamptz NOT NULL,
	last_started_at   timestamptz,
	last_finished_at  timestamptz,
	last_error        text CHECK (length(last_error) <= 1000),
	runs              bigint NOT NULL DEFAULT 0 CHECK (runs >= 0),
	lease_until       timestamptz,
	leased_by         text CHECK (length(leased_by) <= 300)
);
