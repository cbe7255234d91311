-- 0024: an appointment's blocked range is derived by the database from its practitioner's
-- buffers (issue 13, item 2: "buffers are part of the range it guards"). Until now
-- blocked_from/blocked_until were whatever the inserting statement wrote, and 0015 only
-- checked that they cover the session: a writer that forgot the buffers (or took them from
-- a stale read) stored a range the exclusion constraint then guarded too narrowly. Now a
-- BEFORE trigger sets them, on every insert and on every update that moves the session or
-- changes its practitioner:
--
--   blocked_from  = starts_at - practitioners.buffer_before_minutes
--   blocked_until = ends_at   + practitioners.buffer_after_minutes
--
-- with the buffers read when the row is written. Writers may leave both columns out; a
-- value a writer gives is replaced (the database is the one place the rule lives).
--
-- Buffers changed later do not touch existing appointments: each keeps the range it was
-- booked with, which is what the clinic agreed to when it was booked (widening it could
-- make two accepted bookings collide after the fact, and narrowing it would free time the
-- practitioner was promised). An update that leaves starts_at, ends_at and practitioner_id
-- alone (a status change, a cancellation, a revival) keeps the stored range even if a
-- writer sets it; a move takes the practitioner's buffers as they are then, like a new
-- booking. Existing rows are left as they are for the same reason. docs/booking.md,
-- "No double booking".
CREATE FUNCTION kairos_appointments_blocked() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	before_m integer;
	after_m  integer;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.starts_at = OLD.starts_at AND NEW.ends_at = OLD.ends_at
	   AND NEW.practitioner_id = OLD.practitioner_id THEN
		NEW.blocked_from := OLD.blocked_from;
		NEW.blocked_until := OLD.blocked_until;
		RETURN NEW;
	END IF;
	-- (org_id, id), as the composite foreign key names it; read under the writer's row-level
	-- security, so another clinic's practitioner is not found here either
	SELECT p.buffer_before_minutes, p.buffer_after_minutes INTO before_m, after_m
	FROM practitioners p WHERE p.org_id = NEW.org_id AND p.id = NEW.practitioner_id;
	-- not found: the session alone, so the foreign key (or the tenant policy) is what
	-- refuses the row, with its own message, rather than a NULL in blocked_from
	NEW.blocked_from := NEW.starts_at - make_interval(mins => coalesce(before_m, 0));
	NEW.blocked_until := NEW.ends_at + make_interval(mins => coalesce(after_m, 0));
	RETURN NEW;
END
$$;

CREATE TRIGGER appointments_blocked BEFORE INSERT OR UPDATE ON appointments
	FOR EACH ROW EXECUTE FUNCTION kairos_appointments_blocked();
