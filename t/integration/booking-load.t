#!/usr/bin/env perl
# The slot loader (src/booking/load.c) against a real database, as the web role under
# row-level security, through t/lib/booking-slots: which practitioners, rules, appointments
# (cancelled and expired holds free their time, live holds do not), buffers and leave it
# reads; a telehealth rule in the practitioner's own zone; next available; another clinic
# sees nothing. Then, with 100,000 appointments of 50 practitioners, the plan of the
# loader's range statement: a range scan of the exclusion constraint's index per practitioner.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $helper = ($ENV{KTEST_BUILDDIR} // KairosTest->src . '/build') . '/t/lib/booking-slots';
plan skip_all => "$helper not built" unless -x $helper;

my $k = KairosTest->start(workers => 1);
my $dir = $k->dir;
my $psql = sub { my $v = `psql -q -h $dir/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $id = sub { my ($v) = $_[0] =~ /([0-9a-f]{8}-[0-9a-f-]{27})/; $v // die "no id in: $_[0]" };

my $org = $psql->("SELECT id FROM organisations WHERE is_default");
my $other = $id->($psql->("INSERT INTO organisations (slug, name) VALUES ('beacon', 'Beacon') RETURNING id"));
my $loc = $id->($psql->("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone)
	VALUES ('$org', 'Carlton', '1 Lygon St', 'Carlton', 'AU', 'Australia/Melbourne') RETURNING id"));
my $svc = $id->($psql->("INSERT INTO services (org_id, name, duration_minutes, session_types)
	VALUES ('$org', 'Consult', 50, '{in_person,telehealth}') RETURNING id"));
my $pr = sub {
	my ($name, %o) = @_;
	my $p = $id->($psql->("INSERT INTO practitioners (org_id, name, timezone, buffer_after_minutes, telehealth)
		VALUES ('$org', '$name', '$o{tz}', $o{after}, $o{telehealth}) RETURNING id"));
	$psql->("INSERT INTO practitioner_services (org_id, practitioner_id, service_id) VALUES ('$org', '$p', '$svc')") if $o{offers};
	$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) VALUES ('$org', '$p', '$loc')");
	$p;
};
my $ada = $pr->('Dr Ada', tz => 'Australia/Perth', after => 10, telehealth => 'true', offers => 1);
my $bo = $pr->('Dr Bo', tz => 'Australia/Melbourne', after => 0, telehealth => 'false', offers => 1);
my $cy = $pr->('Dr Cy', tz => 'Australia/Melbourne', after => 0, telehealth => 'false', offers => 0);
my $rule = sub {
	my ($p, $l, $type, $wd, $from, $to) = @_;
	$l = $l ? "'$l'" : 'NULL';
	$psql->("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
		VALUES ('$org', '$p', $l, '$type', $wd, '$from', '$to')");
};
$rule->($ada, $loc, 'in_person', 2, '09:00', '13:00');	# Tuesdays at Carlton
$rule->($ada, undef, 'telehealth', 3, '18:00', '20:00');	# Wednesday evenings from Perth
$rule->($bo, $loc, 'in_person', 2, '09:00', '11:00');
$rule->($bo, undef, 'telehealth', 2, '14:00', '16:00');	# Bo offers no telehealth: ignored
$rule->($cy, $loc, 'in_person', 2, '09:00', '17:00');	# Cy does not offer the service

# now: Monday 2026-11-30 12:00 AEDT
my $now = $psql->("SELECT extract(epoch FROM timestamptz '2026-11-30 12:00+11')::bigint");
my $appt = sub {
	my ($p, $start, $status, $extra) = @_;
	$psql->("INSERT INTO appointments (org_id, practitioner_id, service_id, location_id, session_type, status,
		starts_at, ends_at, blocked_from, blocked_until, hold_expires_at, cancelled_at)
		VALUES ('$org', '$p', '$svc', '$loc', 'in_person', '$status', timestamptz '$start',
		timestamptz '$start' + interval '50 minutes', timestamptz '$start', timestamptz '$start' + interval '60 minutes',
		$extra) RETURNING id");
};
$appt->($ada, '2026-12-01 09:00+11', 'held', "to_timestamp($now) + interval '5 minutes', NULL");	# live hold
$appt->($ada, '2026-12-01 10:00+11', 'confirmed', 'NULL, NULL');
$appt->($ada, '2026-12-01 11:00+11', 'held', "to_timestamp($now) - interval '1 minute', NULL");	# expired
$appt->($ada, '2026-12-01 12:00+11', 'cancelled', "NULL, now()");
$psql->("INSERT INTO practitioner_leave (org_id, practitioner_id, starts_at, ends_at)
	VALUES ('$org', '$ada', '2026-12-08 00:00+11', '2026-12-09 00:00+11')");

my $conn = "host=$dir/run user=kairos_web dbname=kairos";
my $run = sub {
	my ($o, $p, @rest) = @_;
	my $out = `$helper '$conn' $o $svc $p 2026-12-01 2026-12-09 $now Australia/Sydney @rest 2>&1`;
	$out =~ s/\Q$ada\E/ada/g;
	$out =~ s/\Q$bo\E/bo/g;
	$out =~ s/\Q$cy\E/cy/g;
	$out =~ s/\Q$loc\E/carlton/g;
	$out;
};

is($run->($org, '-'), <<'EOT', 'slots of every practitioner of the service, 1-9 December, in Sydney time');
2026-12-01T09:00:00+11:00 2026-12-01T09:50:00+11:00 bo carlton in_person
2026-12-01T09:50:00+11:00 2026-12-01T10:40:00+11:00 bo carlton in_person
2026-12-01T11:00:00+11:00 2026-12-01T11:50:00+11:00 ada carlton in_person
2026-12-01T12:00:00+11:00 2026-12-01T12:50:00+11:00 ada carlton in_person
2026-12-02T21:00:00+11:00 2026-12-02T21:50:00+11:00 ada - telehealth
2026-12-02T22:00:00+11:00 2026-12-02T22:50:00+11:00 ada - telehealth
2026-12-08T09:00:00+11:00 2026-12-08T09:50:00+11:00 bo carlton in_person
2026-12-08T09:50:00+11:00 2026-12-08T10:40:00+11:00 bo carlton in_person
2026-12-09T21:00:00+11:00 2026-12-09T21:50:00+11:00 ada - telehealth
2026-12-09T22:00:00+11:00 2026-12-09T22:50:00+11:00 ada - telehealth
next ada 2026-12-01T11:00:00+11:00
next bo 2026-12-01T09:00:00+11:00
EOT
# what that shows, line by line: Ada's 09:00 is under a live hold and 10:00 is booked, but
# an expired hold (11:00) and a cancelled booking (12:00) free their time; her steps are 60
# minutes (50 + her 10-minute buffer), Bo's 50; her Wednesday telehealth hours are 18:00-20:00
# in Perth (21:00 in Sydney); she is on leave on the 8th; Bo's telehealth hours are ignored
# (he offers none), and Cy does not offer the service.

is($run->($org, $ada), <<'EOT', 'one practitioner');
2026-12-01T11:00:00+11:00 2026-12-01T11:50:00+11:00 ada carlton in_person
2026-12-01T12:00:00+11:00 2026-12-01T12:50:00+11:00 ada carlton in_person
2026-12-02T21:00:00+11:00 2026-12-02T21:50:00+11:00 ada - telehealth
2026-12-02T22:00:00+11:00 2026-12-02T22:50:00+11:00 ada - telehealth
2026-12-09T21:00:00+11:00 2026-12-09T21:50:00+11:00 ada - telehealth
2026-12-09T22:00:00+11:00 2026-12-09T22:50:00+11:00 ada - telehealth
next ada 2026-12-01T11:00:00+11:00
EOT

# hours at a centre they do not work at (the link removed, the rule left) offer nothing
$psql->("DELETE FROM practitioner_locations WHERE practitioner_id = '$bo'");
is(join('', grep { /\bbo\b/ } split /^/, $run->($org, '-')), "next bo none\n",
	"Bo's Carlton link removed: his Carlton hours give no slot, nor a next one");
$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) VALUES ('$org', '$bo', '$loc')");
is(scalar(() = $run->($org, '-') =~ /bo carlton/g), 4, '... linked again: his four slots are back');

like($run->($org, $ada), qr/^2026-12-01T11:00/, 'the expired hold frees its time');
$psql->("UPDATE appointments SET hold_expires_at = to_timestamp($now) + interval '1 minute' WHERE starts_at = '2026-12-01 11:00+11'");
like($run->($org, $ada), qr/^2026-12-01T12:00/, '... and a hold that has not expired at now does not');

# next available past booking_load_next's first pass (now and the two days after): on
# Wednesday 2 December at noon, Bo's next is the Tuesday after
{
	my $wed = $psql->("SELECT extract(epoch FROM timestamptz '2026-12-02 12:00+11')::bigint");
	my $out = `$helper '$conn' $org $svc - 2026-12-02 2026-12-09 $wed Australia/Sydney 2>&1`;
	$out =~ s/\Q$ada\E/ada/g;
	$out =~ s/\Q$bo\E/bo/g;
	my @next = $out =~ /^(next .*)$/mg;
	is(join("\n", @next), "next ada 2026-12-02T21:00:00+11:00\nnext bo 2026-12-08T09:00:00+11:00",
		"next available on Wednesday noon: Ada's telehealth that evening, Bo's Tuesday a week on (a second pass)");
}

is($run->($other, '-'), '', "another clinic sees none of it (row-level security)");
like(`$helper '$conn' $org $svc - 2026-12-01 2027-03-31 $now UTC 2>&1`, qr/range/, 'a load longer than the maximum is refused');

# ---- the plan with 100,000 appointments of 50 practitioners ----
$psql->("INSERT INTO practitioners (org_id, name, timezone) SELECT '$org', 'Bulk ' || i, 'Australia/Melbourne' FROM generate_series(1, 50) i");
$psql->("INSERT INTO appointments (org_id, practitioner_id, service_id, location_id, session_type, status, starts_at, ends_at, blocked_from, blocked_until)
	SELECT '$org', p.id, '$svc', '$loc', 'in_person', 'confirmed', t, t + interval '50 minutes', t, t + interval '60 minutes'
	FROM practitioners p, generate_series(timestamptz '2026-06-01 00:00Z', timestamptz '2026-06-01 00:00Z' + interval '1999 hours', interval '1 hour') t
	WHERE p.name LIKE 'Bulk %'");
is($psql->("SELECT count(*) FROM appointments"), 100004, '100,000 more appointments');
$psql->("ANALYZE");
my $ids = $psql->("SELECT '{' || string_agg(id::text, ',') || '}' FROM (SELECT id FROM practitioners WHERE name LIKE 'Bulk %' ORDER BY name LIMIT 8) x");
# as the loader runs it: the web role under row-level security, a prepared statement, both
# its first (custom) plans and the generic plan PostgreSQL may switch to
my $file = "$dir/explain.sql";
open my $o, '>', $file or die;
print {$o} "BEGIN;\nSELECT set_config('kairos.org_id', '$org', true) \\g /dev/null\n",
	"PREPARE q AS " . booking_stmt('booking_load_ranges') . ";\n";
for my $mode (qw(force_custom_plan force_generic_plan)) {
	print {$o} "SET plan_cache_mode = $mode;\n",
		"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE q ('$ids', 1781000000, 1781000000 + 14 * 86400, 1781000000);\n";
}
print {$o} "ROLLBACK;\n";
close $o;
my $plans = `psql -q -h $dir/run -U kairos_web -d kairos -tA -f $file 2>&1`;
my @plan = split /(?=^Sort)/m, $plans;
is(scalar @plan, 2, 'two plans') or diag($plans);
for my $i (0, 1) {
	my $plan = $plan[$i] // '';
	my $kind = $i ? 'generic' : 'custom';
	note("$kind plan:\n$plan");
	like($plan, qr/(Index (Only )?Scan using|Bitmap Index Scan on) appointments_busy/, "$kind plan: busy ranges from the appointments_busy index");
	like($plan, qr/Index Cond: \(\(practitioner_id = u\.id\) AND \(blocked_from >= .*\) AND \(blocked_from < /,
		'... a range scan per practitioner: practitioner and both bounds of blocked_from');
	like($plan, qr/loops=8\)/, '... once for each of the 8 practitioners');
	unlike($plan, qr/Seq Scan on appointments/, '... never a sequential scan of appointments');
}

$k->finish;
done_testing;

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
