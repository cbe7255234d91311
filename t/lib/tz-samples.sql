-- tz-samples.sql: (zone, instant) pairs from PostgreSQL, for t/integration/tz-postgres.t to
-- compare with core/tz (t/lib/tz-compare). One row per pair, both directions:
--   kind  zone  t  (t AT TIME ZONE zone)  w  (w::timestamp AT TIME ZONE zone)
-- t is an instant (epoch seconds), w a wall time written as if it were UTC epoch seconds.
-- kind 'r': sampled with a fixed seed over 1990-01-01 .. 2040-12-31, :per_zone per zone, every
-- zone PostgreSQL lists except posix/ (the same files again) and localtime/posixrules (the
-- host's own links, not IANA names; Debian ships no right/ tree).
-- kind 'd': the named zones densely, every 15 minutes around each transition 1990-2040: it
-- lies between two noons (UTC) whose offsets differ, and the instants run from 12 h before
-- the first noon to 12 h after the second; the wall times are the same grid read with the
-- offset before the transition, so they cross the gap or the overlap.
-- PostgreSQL reads a zone name that is also a time zone abbreviation (CET, EST, UTC...) as the
-- abbreviation's fixed offset: those zones are asked for by their posix/ name, the same file.
SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.20261203);	-- prints one empty line (psql -tA), which tz-compare skips
COPY (
WITH zones AS (
	SELECT name, CASE WHEN lower(name) IN (SELECT lower(abbrev) FROM pg_timezone_abbrevs)
		THEN 'posix/' || name ELSE name END AS pg
	FROM pg_timezone_names
	WHERE name NOT LIKE 'posix/%' AND name NOT LIKE 'right/%'
	  AND name NOT IN ('localtime', 'posixrules')
), sampled AS (
	SELECT name, pg,
		631152000 + floor(random() * 1609459200)::bigint AS t,	-- [1990-01-01, 2041-01-01)
		631152000 + floor(random() * 1609459200)::bigint AS w
	FROM zones CROSS JOIN generate_series(1, :per_zone)
), named AS (
	SELECT unnest(ARRAY['Australia/Lord_Howe', 'Australia/Adelaide', 'Asia/Kathmandu',
		'Pacific/Chatham', 'America/New_York', 'Australia/Melbourne', 'Europe/London']) AS name
), noons AS (
	SELECT name, d, extract(epoch FROM to_timestamp(d) AT TIME ZONE name)::bigint - d AS off
	FROM named CROSS JOIN generate_series(631195200::bigint, 2240654400, 86400) d
), changes AS (
	SELECT name, d, prev_off FROM (
		SELECT name, d, off, lag(off) OVER (PARTITION BY name ORDER BY d) AS prev_off FROM noons
	) x WHERE off <> prev_off
), dense AS (
	SELECT name, t, t + prev_off AS w
	FROM changes CROSS JOIN generate_series(d - 86400 - 43200, d + 43200, 900) t
)
SELECT 'r', name, t, (to_timestamp(t) AT TIME ZONE pg)::text, w,
	extract(epoch FROM to_timestamp(w) AT TIME ZONE 'UTC' AT TIME ZONE pg)::bigint
FROM sampled
UNION ALL
SELECT 'd', name, t, (to_timestamp(t) AT TIME ZONE name)::text, w,
	extract(epoch FROM to_timestamp(w) AT TIME ZONE 'UTC' AT TIME ZONE name)::bigint
FROM dense
) TO STDOUT;
