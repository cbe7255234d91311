-- 0009: bulk sends (NOTE-1). A campaign is one staff request to message many patients at
-- once (POST /api/campaigns); each recipient's message is an ordinary outbox row
-- (notifications) with the event key campaign:<id>:<patient>, queued in the same
-- transaction as this row, so a campaign exists with all its messages or not at all.
-- (0008 belongs to another change.)
CREATE TABLE campaigns (
	id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id          uuid NOT NULL REFERENCES organisations (id),
	name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	channel         text NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email')),
	subject         text CHECK (length(subject) <= 200),
	body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
	requested_by    uuid REFERENCES users (id),
	-- a retried request with the same Idempotency-Key finds this campaign instead of
	-- queueing a second one
	idempotency_key text CHECK (length(idempotency_key) BETWEEN 1 AND 100),
	queued          integer NOT NULL CHECK (queued >= 0),	-- messages queued
	skipped         integer NOT NULL CHECK (skipped >= 0),	-- distinct ids with no message
	created_at      timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, idempotency_key)
);
CREATE INDEX campaigns_created ON campaigns (org_id, created_at DESC);

-- A tenant table, as 0006 sets them up: the app role reads and writes it, within the
-- transaction's organisation only.
GRANT SELECT, INSERT, UPDATE, DELETE ON campaigns TO kairos_app;
ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaigns TO kairos_app
	USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org());
