-- 0007: messages that carry a secret (a sign-in code, an invitation link). Their text must
-- sit in the outbox until a provider takes it, but not afterwards: once a real provider has
-- accepted one, its body and variables are replaced by a note, so a sign-in code is kept
-- only as its argon2id hash (AUTH-2). The development outbox provider keeps them: there the
-- row is the delivery, and `kairos outbox list` is how a developer reads the code.
ALTER TABLE notifications ADD COLUMN sensitive boolean NOT NULL DEFAULT false;
