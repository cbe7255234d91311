-- Demo data for ./dev up: the demo clinic's centres, services, psychologists, their hours
-- and prices (migration 0015). Fixed ids and ON CONFLICT DO NOTHING: safe to run again.
-- Everyone here is fictional.
INSERT INTO locations (id, org_id, name, address_line1, locality, region, postcode, country, timezone)
SELECT v.id::uuid, o.id, v.name, v.addr, v.locality, v.region, v.postcode, 'AU', v.tz
FROM organisations o, (VALUES
	('d0150000-0000-4000-8000-000000000001', 'Harbourside Sydney', '1 Example Quay', 'Sydney', 'NSW', '2000', 'Australia/Sydney'),
	('d0150000-0000-4000-8000-000000000002', 'Harbourside Perth', '2 Sample Terrace', 'Perth', 'WA', '6000', 'Australia/Perth')
) AS v (id, name, addr, locality, region, postcode, tz)
WHERE o.slug = 'default'
ON CONFLICT DO NOTHING;

INSERT INTO services (id, org_id, name, description, duration_minutes, session_types, concerns, sort_order)
SELECT v.id::uuid, o.id, v.name, v.descr, v.minutes, v.types::text[], v.concerns::text[], v.sort
FROM organisations o, (VALUES
	('d0150000-0000-4000-8000-000000000101', 'Initial consultation',
	 'A first session to understand what brings you here and plan the way forward.', 60,
	 '{in_person,telehealth}', '{anxiety,depression,stress,relationships}', 1),
	('d0150000-0000-4000-8000-000000000102', 'Standard session',
	 'An ongoing therapy session with your psychologist.', 50,
	 '{in_person,telehealth}', '{anxiety,depression,stress,relationships,grief}', 2),
	('d0150000-0000-4000-8000-000000000103', 'ADHD assessment',
	 'A structured assessment, in person, over one long session.', 120,
	 '{in_person}', '{adhd}', 3)
) AS v (id, name, descr, minutes, types, concerns, sort)
WHERE o.slug = 'default'
ON CONFLICT DO NOTHING;

INSERT INTO practitioners (id, org_id, name, title, bio, qualifications, specialties, languages,
	gender, telehealth, timezone, buffer_after_minutes, min_notice_minutes, max_advance_days, sort_order)
SELECT v.id::uuid, o.id, v.name, v.title, v.bio, v.quals::text[], v.spec::text[], v.langs::text[],
	v.gender, v.tele, v.tz, 10, 120, 60, v.sort
FROM organisations o, (VALUES
	('d0150000-0000-4000-8000-000000000201', 'Dr Avery Example', 'Clinical Psychologist',
	 'Works with adults on anxiety and low mood, using CBT and ACT.',
	 '{"DPsych (Clinical)","MAPS"}', '{anxiety,depression}', '{en}', 'female', true, 'Australia/Sydney', 1),
	('d0150000-0000-4000-8000-000000000202', 'Sam Placeholder', 'Psychologist',
	 'Helps couples and families, and people through grief.',
	 '{"MPsych"}', '{relationships,grief}', '{en,el}', 'male', true, 'Australia/Sydney', 2),
	('d0150000-0000-4000-8000-000000000203', 'Dr Riley Sample', 'Clinical Psychologist',
	 'Assesses and supports adults with ADHD; sees clients in Perth and by video.',
	 '{"PhD (Clinical Psychology)"}', '{adhd,anxiety}', '{en,hi}', 'non_binary', true, 'Australia/Perth', 3)
) AS v (id, name, title, bio, quals, spec, langs, gender, tele, tz, sort)
WHERE o.slug = 'default'
ON CONFLICT DO NOTHING;

INSERT INTO practitioner_locations (org_id, practitioner_id, location_id)
SELECT o.id, v.p::uuid, v.l::uuid
FROM organisations o, (VALUES
	('d0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000001'),
	('d0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000001'),
	('d0150000-0000-4000-8000-000000000203', 'd0150000-0000-4000-8000-000000000002')
) AS v (p, l)
WHERE o.slug = 'default'
ON CONFLICT DO NOTHING;

INSERT INTO practitioner_services (org_id, practitioner_id, service_id)
SELECT o.id, v.p::uuid, v.s::uuid
FROM organisations o, (VALUES
	('d0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000101'),
	('d0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000102'),
	('d0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000101'),
	('d0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000102'),
	('d0150000-0000-4000-8000-000000000203', 'd0150000-0000-4000-8000-000000000102'),
	('d0150000-0000-4000-8000-000000000203', 'd0150000-0000-4000-8000-000000000103')
) AS v (p, s)
WHERE o.slug = 'default'
ON CONFLICT DO NOTHING;

-- Hours: Avery weekdays 09:00-17:00 in Sydney and Thursday-evening telehealth; Sam Tuesday to
-- Saturday mornings in Sydney; Riley Monday, Wednesday, Friday in Perth and telehealth
-- afternoons from Perth. Fixed ids keep a second run from adding them again.
INSERT INTO availability_rules (id, org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
SELECT ('d0150000-0000-4000-8000-0000000003' || lpad(v.n::text, 2, '0'))::uuid, o.id, v.p::uuid, v.l::uuid,
	v.type, v.wd, v.s::time, v.e::time
FROM organisations o, (VALUES
	(1, 'd0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000001', 'in_person', 1, '09:00', '17:00'),
	(2, 'd0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000001', 'in_person', 2, '09:00', '17:00'),
	(3, 'd0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000001', 'in_person', 3, '09:00', '17:00'),
	(4, 'd0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000001', 'in_person', 4, '09:00', '17:00'),
	(5, 'd0150000-0000-4000-8000-000000000201', 'd0150000-0000-4000-8000-000000000001', 'in_person', 5, '09:00', '17:00'),
	(6, 'd0150000-0000-4000-8000-000000000201', NULL, 'telehealth', 4, '18:00', '20:00'),
	(7, 'd0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000001', 'in_person', 2, '08:00', '12:00'),
	(8, 'd0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000001', 'in_person', 3, '08:00', '12:00'),
	(9, 'd0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000001', 'in_person', 4, '08:00', '12:00'),
	(10, 'd0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000001', 'in_person', 5, '08:00', '12:00'),
	(11, 'd0150000-0000-4000-8000-000000000202', 'd0150000-0000-4000-8000-000000000001', 'in_person', 6, '08:00', '12:00'),
	(12, 'd0150000-0000-4000-8000-000000000203', 'd0150000-0000-4000-8000-000000000002', 'in_person', 1, '09:00', '13:00'),
	(13, 'd0150000-0000-4000-8000-000000000203', 'd0150000-0000-4000-8000-000000000002', 'in_person', 3, '09:00', '13:00'),
	(14, 'd0150000-0000-4000-8000-000000000203', 'd0150000-0000-4000-8000-000000000002', 'in_person', 5, '09:00', '13:00'),
	(15, 'd0150000-0000-4000-8000-000000000203', NULL, 'telehealth', 1, '14:00', '17:00'),
	(16, 'd0150000-0000-4000-8000-000000000203', NULL, 'telehealth', 3, '14:00', '17:00')
) AS v (n, p, l, type, wd, s, e)
WHERE o.slug = 'default'
ON CONFLICT DO NOTHING;

-- Prices in cents (AUD): private fees, Medicare's rebate with the gap, a concession fee.
INSERT INTO price_rules (id, org_id, service_id, session_type, funding, fee_minor, rebate_minor, currency, package_sessions)
SELECT v.id::uuid, o.id, v.s::uuid, v.type, v.funding, v.fee, v.rebate, 'AUD', v.pkg
FROM organisations o, (VALUES
	('d0150000-0000-4000-8000-000000000401', 'd0150000-0000-4000-8000-000000000101', NULL, 'private', 26000, 0, NULL::integer),
	('d0150000-0000-4000-8000-000000000402', 'd0150000-0000-4000-8000-000000000101', NULL, 'medicare', 26000, 14550, NULL),
	('d0150000-0000-4000-8000-000000000403', 'd0150000-0000-4000-8000-000000000102', NULL, 'private', 22000, 0, NULL),
	('d0150000-0000-4000-8000-000000000404', 'd0150000-0000-4000-8000-000000000102', NULL, 'medicare', 22000, 14550, NULL),
	('d0150000-0000-4000-8000-000000000405', 'd0150000-0000-4000-8000-000000000102', 'telehealth', 'private', 20000, 0, NULL),
	('d0150000-0000-4000-8000-000000000406', 'd0150000-0000-4000-8000-000000000102', NULL, 'concession', 15000, 0, NULL),
	('d0150000-0000-4000-8000-000000000407', 'd0150000-0000-4000-8000-000000000102', NULL, 'package', 100000, 0, 5),
	('d0150000-0000-4000-8000-000000000408', 'd0150000-0000-4000-8000-000000000103', NULL, 'private', 95000, 0, NULL)
) AS v (id, s, type, funding, fee, rebate, pkg)
WHERE o.slug = 'default'
ON CONFLICT DO NOTHING;
