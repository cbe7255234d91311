-- 0014: the general durable job queue (issue 12, item 3). Modules register job kinds in code
-- (src/jobs/kinds.c) and queue work here, in the same transaction as the change that asks
-- for it; `kairos jobs` claims due rows with FOR UPDATE SKIP LOCKED under a lease of the
-- kind's length, runs them, and records the outcome: done, queued again after a backoff, or
-- dead with its reason (a dead letter, which admins see and retry).
--
-- Tenancy: org_id is the organisation a job is for, NULL for a system job. The table is a
-- tenant table as 0006 sets them up: a request (kairos_app, with kairos.org_id set) sees,
-- queues and retries only its organisation's jobs, and cannot see or queue a system job
-- (NULL never equals kairos_org()). The runner and operator commands connect as the tables'
-- owner, whom the policy does not narrow: they see every job.
CREATE TABLE jobs (
	id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id       uuid REFERENCES organisations (id),
	kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9.-]{0,62}$'),
	payload      jsonb NOT NULL DEFAULT '{}' CHECK (octet_length(payload::text) <= 65536),
	-- the same organisation, kind and key twice is one job: queueing it again is a no-op
	dedupe_key   text CHECK (length(dedupe_key) BETWEEN 1 AND 200),
	status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'dead')),
	attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),	-- claims so far
	run_at       timestamptz NOT NULL DEFAULT now(),	-- not before
	lease_until  timestamptz,	-- while set and ahead, leased_by is running it
	leased_by    text CHECK (length(leased_by) <= 300),	-- host:pid of the runner
	last_error   text CHECK (length(last_error) <= 1000),	-- a dead letter's reason
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	finished_at  timestamptz	-- done or dead
);
-- NULL org_id (a system job) dedupes like any organisation: one key space per kind.
CREATE UNIQUE INDEX jobs_dedupe ON jobs
	(coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid), kind, dedupe_key)
	WHERE dedupe_key IS NOT NULL;
-- What the runner asks for on every wake: due, queued rows.
CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'queued';
-- The admin page: an organisation's dead letters, newest first.
CREATE INDEX jobs_dead ON jobs (org_id, updated_at DESC) WHERE status = 'dead';

GRANT SELECT, INSERT, UPDATE ON jobs TO kairos_app;
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON jobs TO kairos_app
	USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org());
