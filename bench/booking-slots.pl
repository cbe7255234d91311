#!/usr/bin/env perl
# bench/booking-slots.pl [BUILD_DIR] — how long availability takes at the issue's scale:
# 50 practitioners (weekdays 09:00-17:00 at one centre, two telehealth evenings), ~100,000
# appointments over sixteen months, 14 days asked for. Measures, through t/lib/booking-slots
# (the loader's four statements over a unix socket, then the engine, no HTTP):
#   - one practitioner's availability (GET /api/availability?practitionerId=…)
#   - any of 8 practitioners (a service 8 of them offer)
#   - any of all 50
#   - the psychologist list's nextAvailable for each of the 50 (one load of 16 days)
# BUILD_DIR defaults to build/ (the -O2 production build; an ASan build is several times
# slower). Starts its own stack with KairosTest, like the integration tests, from the kairos
# binary of $KTEST_BUILDDIR (default: BUILD_DIR).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use KairosTest;

my $build = $ARGV[0] // "$FindBin::Bin/../build";
$ENV{KTEST_BUILDDIR} //= $build;
my $helper = "$build/t/lib/booking-slots";
-x $helper or die "$helper not built (make t/lib/booking-slots in $build)\n";
my $runs = $ENV{BENCH_RUNS} // 300;

my $k = KairosTest->start(workers => 1);
my $dir = $k->dir;
my $psql = sub { my $v = `psql -q -h $dir/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $id = sub { my ($v) = $_[0] =~ /([0-9a-f]{8}-[0-9a-f-]{27})/; $v // die "no id in: $_[0]" };

my $org = $psql->("SELECT id FROM organisations WHERE is_default");
my $loc = $id->($psql->("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone)
	VALUES ('$org', 'Carlton', '1 Lygon St', 'Carlton', 'AU', 'Australia/Melbourne') RETURNING id"));
my $svc = $id->($psql->("INSERT INTO services (org_id, name, duration_minutes, session_types)
	VALUES ('$org', 'Consult', 50, '{in_person,telehealth}') RETURNING id"));
my $svc8 = $id->($psql->("INSERT INTO services (org_id, name, duration_minutes, session_types)
	VALUES ('$org', 'Assessment', 50, '{in_person,telehealth}') RETURNING id"));
$psql->("INSERT INTO practitioners (org_id, name, timezone, buffer_after_minutes, telehealth, sort_order)
	SELECT '$org', 'Dr ' || i, 'Australia/Melbourne', 10, true, i FROM generate_series(1, 50) i");
$psql->("INSERT INTO practitioner_services (org_id, practitioner_id, service_id) SELECT '$org', id, '$svc' FROM practitioners");
$psql->("INSERT INTO practitioner_services (org_id, practitioner_id, service_id)
	SELECT '$org', id, '$svc8' FROM practitioners WHERE sort_order <= 8");
# hours at a centre count only where the practitioner works (booking/load.c)
$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) SELECT '$org', id, '$loc' FROM practitioners");
$psql->("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
	SELECT '$org', p.id, '$loc', 'in_person', wd, '09:00', '17:00' FROM practitioners p, generate_series(1, 5) wd");
$psql->("INSERT INTO availability_rules (org_id, practitioner_id, session_type, weekday, start_time, end_time)
	SELECT '$org', p.id, 'telehealth', wd, '18:00', '20:00' FROM practitioners p, unnest(ARRAY[2, 4]) wd");
# about 72% of each weekday hour booked, March 2026 to June 2027: ~100,000 rows
$psql->("INSERT INTO appointments (org_id, practitioner_id, service_id, location_id, session_type, status,
		starts_at, ends_at, blocked_from, blocked_until)
	SELECT '$org', p.id, '$svc', '$loc', 'in_person', 'confirmed', s, s + interval '50 minutes', s, s + interval '60 minutes'
	FROM practitioners p, generate_series(date '2026-03-01', date '2027-06-30', interval '1 day') d,
		generate_series(9, 16) h,
		LATERAL (SELECT (d::date + make_time(h, 0, 0)) AT TIME ZONE 'Australia/Melbourne' AS s) x
	WHERE extract(isodow FROM d) <= 5 AND abs(hashtext(p.id::text || d::text || h)) % 100 < 72");
# autovacuum would have run by now in a live clinic: its visibility map lets the busy
# ranges come from the covering index alone
$psql->("VACUUM ANALYZE");
my $n = $psql->("SELECT count(*) FROM appointments");
my $one = $psql->("SELECT id FROM practitioners WHERE sort_order = 1");
my $now = $psql->("SELECT extract(epoch FROM timestamptz '2026-12-01 08:00+11')::bigint");
print "$n appointments, 50 practitioners; 14 days (2026-12-01..14), now 2026-12-01 08:00 AEDT; $runs runs each\n";

my $conn = "host=$dir/run user=kairos_web dbname=kairos";
for my $case (!$runs ? () : (["one practitioner", $svc, $one, ''], ["any of 8", $svc8, '-', 'any'], ["any of 50", $svc, '-', 'any'])) {
	my ($what, $s, $p, $any) = @$case;
	print "-- $what\n";
	print `$helper '$conn' $org $s $p 2026-12-01 2026-12-14 $now Australia/Sydney $any bench $runs`;
}
# the plans of the loader's two range statements, as prepared statements run them
if ($ENV{BENCH_EXPLAIN}) {
	my $ids = $psql->("SELECT '{' || string_agg(id::text, ',' ORDER BY sort_order) || '}' FROM practitioners WHERE sort_order <= 8");
	for my $name (qw(booking_load_rules booking_load_ranges)) {
		my $sql = booking_stmt($name);
		my $args = $name eq 'booking_load_rules' ? "'$ids', '$svc', '2026-12-01', '2026-12-14'"
			: "'$ids', '$now', '" . ($now + 14 * 86400) . "', '$now'";
		my $file = "$dir/explain.sql";
		open my $o, '>', $file or die;
		print {$o} "BEGIN;\nSELECT set_config('kairos.org_id', '$org', true) \\g /dev/null\nPREPARE q AS $sql;\n",
			"EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) EXECUTE q ($args);\n",
			"SET plan_cache_mode = force_generic_plan;\n",
			"EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) EXECUTE q ($args);\nROLLBACK;\n";
		close $o;
		print "-- $name, 8 practitioners: the custom plan, then the generic one\n",
			`psql -q -h $dir/run -U kairos_web -d kairos -tA -f $file 2>&1`;
	}
}
$k->finish;

# The text of a prepared statement of src/booking/load.c, as the program sends it.
sub booking_stmt {
	my ($name) = @_;
	open my $src, '<', KairosTest->src . '/src/booking/load.c' or die;
	my $c = do { local $/; <$src> };
	my ($body) = $c =~ /DB_STMT\("$name", \d+,\n(.*?)\);\n/s or die "no $name";
	open my $h, '<', KairosTest->src . '/src/booking/booking.h' or die;
	my ($max) = do { local $/; <$h> } =~ /#define BOOKING_BLOCKED_MAX_S\s+(\d+)/;
	$body =~ s/STR_OF\(BOOKING_BLOCKED_MAX_S\)/"$max"/g;
	my $sql = join '', $body =~ /"((?:[^"\\]|\\.)*)"/g;
	$sql =~ s/\\"/"/g;
	$sql;
}
