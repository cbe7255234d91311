-- 0027: one active price per insurer whatever the case of its name (issue 13, part 1).
-- Pricing matches an insurer by its name without case (the catalogue's
-- lower(r.insurer) = lower($2); docs/booking.md, "Prices"), but 0015's price_rules_one
-- compared names exactly: a clinic could keep "Bupa" and "bupa" active for one service,
-- location, session type and funding, and which of the two priced a request was arbitrary.
--
-- price_rules_one now covers the rules without an insurer, and price_rules_insurer_one the
-- insurers' (their funding is 'insurer', 0015's check) on the lower-cased name. Two indexes
-- rather than one so that the admin page can say which field clashes: the insurer's name,
-- or the service with its location, session type and funding (booking/admin.c, ba_refusals).
--
-- Rows that would clash: of the active rules of one service, location, session type and
-- insurer whose names differ only in case, the most recently created (then the greatest id)
-- stays active, as the clinic's latest word on that price; the others are deactivated, not
-- deleted (the admin list shows them as inactive, with their fees, for the clinic to check).
-- Each is audited as the admin page audits a deactivation (booking.price_rule_deactivated),
-- by the system, with the reason, so the clinic's audit log says why a price went inactive.
WITH clashing AS (
	UPDATE price_rules SET active = false
	WHERE id IN (
		SELECT id FROM (
			SELECT id, row_number() OVER (PARTITION BY service_id,
				coalesce(location_id, '00000000-0000-0000-0000-000000000000'),
				coalesce(session_type, ''), lower(insurer)
				ORDER BY created_at DESC, id DESC) AS n
			FROM price_rules WHERE active AND insurer IS NOT NULL) ranked
		WHERE n > 1)
	RETURNING org_id, id, insurer)
INSERT INTO audit_log (org_id, actor_kind, action, subject_type, subject_id, details)
SELECT org_id, 'system', 'booking.price_rule_deactivated', 'price_rule', id::text,
	jsonb_build_object('reason', 'migration 0027: a newer active price names the same insurer in another case',
		'insurer', insurer)
FROM clashing;

DROP INDEX price_rules_one;
CREATE UNIQUE INDEX price_rules_one ON price_rules (service_id,
	coalesce(location_id, '00000000-0000-0000-0000-000000000000'), coalesce(session_type, ''),
	funding) WHERE active AND insurer IS NULL;
CREATE UNIQUE INDEX price_rules_insurer_one ON price_rules (service_id,
	coalesce(location_id, '00000000-0000-0000-0000-000000000000'), coalesce(session_type, ''),
	lower(insurer)) WHERE active AND insurer IS NOT NULL;
