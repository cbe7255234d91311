-- 0002: the durable notification outbox (NOTE-2). A row is written in the same transaction
-- as the event that causes it, so a message exists if and only if its event committed;
-- (org_id, event_key) is unique, so one event never yields two messages. `kairos jobs`
-- claims due rows with FOR UPDATE SKIP LOCKED under a lease, so several runners can work
-- side by side and a runner that dies mid-send frees its rows when the lease runs out.
CREATE TABLE notifications (
	id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	org_id              uuid NOT NULL REFERENCES organisations (id),
	event_key           text NOT NULL CHECK (length(event_key) BETWEEN 1 AND 200),
	channel             text NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email')),
	recipient           text NOT NULL CHECK (length(recipient) BETWEEN 1 AND 320),
	subject             text CHECK (length(subject) <= 200),
	body_text           text NOT NULL CHECK (length(body_text) <= 20000),
	body_html           text CHECK (length(body_html) <= 200000),
	status              text NOT NULL DEFAULT 'queued'
	                    CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'dead')),
	provider            text,
	provider_message_id text,
	attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts        integer NOT NULL DEFAULT 8 CHECK (max_attempts BETWEEN 1 AND 100),
	next_attempt_at     timestamptz NOT NULL DEFAULT now(),
	lease_until         timestamptz,
	leased_by           text,
	last_error          text CHECK (length(last_error) <= 1000),
	created_at          timestamptz NOT NULL DEFAULT now(),
	sent_at             timestamptz,
	updated_at          timestamptz NOT NULL DEFAULT now(),
	UNIQUE (org_id, event_key)
);
-- What the runner asks for, many times a second: due, queued rows.
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'queued';
CREATE INDEX notifications_recipient ON notifications (recipient, created_at DESC);
