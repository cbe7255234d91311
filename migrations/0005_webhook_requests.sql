-- 0005: the replay guard of signed provider webhooks (SendGrid's Event Webhook, NOTE-3).
-- A signature proves who sent a request, not that it is sent once: a captured request stays
-- valid. Requests older than the freshness window are refused by their timestamp; within
-- it, the SHA-256 of the signed bytes (timestamp + body) is recorded here in the same
-- transaction as the request's effects, so a second copy is refused and a request whose
-- processing failed (rolled back) can be retried by the provider. Rows older than twice
-- the window are deleted as new requests arrive.
CREATE TABLE webhook_requests (
	provider    text NOT NULL CHECK (length(provider) BETWEEN 1 AND 40),
	digest      text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
	received_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (provider, digest)
);
CREATE INDEX webhook_requests_age ON webhook_requests (provider, received_at);
