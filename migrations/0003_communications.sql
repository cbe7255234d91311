-- 0003: who a message was for and who caused it (NOTE-4), and the patient's history of
-- messages. The audit trail never holds a message body: bodies can carry health details.
ALTER TABLE notifications
	ADD COLUMN patient_id   uuid REFERENCES users (id),
	ADD COLUMN requested_by uuid REFERENCES users (id),	-- a person who triggered it, if any
	ADD COLUMN requested_ip inet;

-- One row per message sent, for the patient's communications log.
CREATE TABLE communications (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id          uuid NOT NULL REFERENCES organisations (id),
	notification_id uuid NOT NULL UNIQUE REFERENCES notifications (id),
	patient_id      uuid REFERENCES users (id),
	channel         text NOT NULL,
	recipient       text NOT NULL,
	subject         text,
	sent_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX communications_patient ON communications (patient_id, sent_at DESC) WHERE patient_id IS NOT NULL;
