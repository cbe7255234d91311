#!/usr/bin/env perl
# Booking schema (migration 0015, issue 13): the exclusion constraint refuses a double booking
# — also one that overlaps only through a buffer — and accepts the time again once the first
# booking is cancelled; a held, completed or no-show appointment keeps its time; one patient
# cannot hold two overlapping sessions; rows name only their own clinic's rows; row-level
# security keeps each clinic's booking rows from the other.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 1, seed => 1);
my $dir = $k->dir;
# as the owner: every row, no RLS
my $psql = sub { my $v = `psql -q -h $dir/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $as_web = sub {
	my ($org, $sql) = @_;
	my $v = `psql -q -h $dir/run -U kairos_web -d kairos -tA -c "BEGIN; SELECT set_config('kairos.org_id', '$org', true); $sql; COMMIT;" 2>&1`;
	$v =~ s/^$org\n//m;	# set_config's own answer
	chomp $v;
	$v;
};
my $id = sub { my ($v) = $_[0] =~ /([0-9a-f]{8}-[0-9a-f-]{27})/; $v // die "no id in: $_[0]" };

my $a = $psql->("SELECT id FROM organisations WHERE is_default");

# ---- the demo data (migrations/seed/0015_demo_booking.sql) loads, and loads again unchanged ----
my $demo = "SELECT (SELECT count(*) FROM locations) || ' ' || (SELECT count(*) FROM services) || ' ' ||
	(SELECT count(*) FROM practitioners) || ' ' || (SELECT count(*) FROM availability_rules) || ' ' || (SELECT count(*) FROM price_rules)";
is($psql->($demo), '2 3 3 16 8', 'demo data: 2 centres, 3 services, 3 psychologists, 16 rules, 8 prices');
my ($seed_rc) = $k->kairos('seed');
is($seed_rc, 0, 'seeding again succeeds');
is($psql->($demo), '2 3 3 16 8', '... and adds nothing');
is($psql->("SELECT fee_minor || ' ' || rebate_minor || ' ' || gap_minor || ' ' || currency FROM price_rules
	WHERE funding = 'medicare' AND service_id = 'd0150000-0000-4000-8000-000000000102'"), '22000 14550 7450 AUD',
	"the demo's Medicare price: fee, rebate and gap in cents");
$psql->("DELETE FROM price_rules; DELETE FROM availability_rules; DELETE FROM practitioner_services;
	DELETE FROM practitioner_locations; DELETE FROM practitioners; DELETE FROM services; DELETE FROM locations");
my $b = $id->($psql->("INSERT INTO organisations (slug, name) VALUES ('beacon', 'Beacon') RETURNING id"));

# one location, service and practitioner (10 minutes' buffer after each session) per clinic
my %org;
for my $o ([a => $a], [b => $b]) {
	my ($k_, $org) = @$o;
	my $loc = $id->($psql->("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone)
		VALUES ('$org', 'Centre $k_', '1 Main St', 'Melbourne', 'AU', 'Australia/Melbourne') RETURNING id"));
	my $svc = $id->($psql->("INSERT INTO services (org_id, name, duration_minutes, session_types)
		VALUES ('$org', 'Consult $k_', 50, '{in_person,telehealth}') RETURNING id"));
	my $pr = $id->($psql->("INSERT INTO practitioners (org_id, name, timezone, buffer_after_minutes)
		VALUES ('$org', 'Dr $k_', 'Australia/Melbourne', 10) RETURNING id"));
	$psql->("INSERT INTO practitioner_services (org_id, practitioner_id, service_id) VALUES ('$org', '$pr', '$svc')");
	$org{$k_} = { org => $org, loc => $loc, svc => $svc, pr => $pr };
}
my %A = %{ $org{a} };

# An appointment of clinic A's practitioner, its blocked range widened by the 10-minute
# buffer after it; returns psql's answer (an id, or the error).
my $book = sub {
	my ($start, $end, $until, %o) = @_;
	my $status = $o{status} // 'confirmed';
	my $hold = $status eq 'held' ? "now() + interval '5 minutes'" : 'NULL';
	my $cancelled = $status eq 'cancelled' ? 'now()' : 'NULL';
	my $patient = $o{patient} ? "'$o{patient}'" : 'NULL';
	my $pr = $o{pr} // $A{pr};
	$psql->("INSERT INTO appointments (org_id, practitioner_id, service_id, location_id, session_type,
		patient_id, status, starts_at, ends_at, blocked_from, blocked_until, hold_expires_at, cancelled_at)
		VALUES ('$A{org}', '$pr', '$A{svc}', '$A{loc}', 'in_person', $patient, '$status',
		'$start', '$end', '$start', '$until', $hold, $cancelled) RETURNING id");
};
my $ok = qr/^[0-9a-f]{8}-[0-9a-f-]{27}$/;
my $refused = qr/appointments_no_double_booking/;

# ---- the exclusion constraint ----
my $first = $book->('2026-12-01 09:00+11', '2026-12-01 09:50+11', '2026-12-01 10:00+11');
like($first, $ok, 'a booking 09:00-09:50 (buffer to 10:00)');
like($book->('2026-12-01 09:30+11', '2026-12-01 10:20+11', '2026-12-01 10:30+11'), $refused,
	'an overlapping booking is refused by the database');
like($book->('2026-12-01 09:55+11', '2026-12-01 10:45+11', '2026-12-01 10:55+11'), $refused,
	'one that overlaps only the buffer after the first is refused too');
like($book->('2026-12-01 08:00+11', '2026-12-01 08:50+11', '2026-12-01 09:00+11'), $ok,
	'one whose buffer ends as the first starts is accepted (ranges are half-open)');
like($book->('2026-12-01 10:00+11', '2026-12-01 10:50+11', '2026-12-01 11:00+11'), $ok,
	'and one that starts as the buffer ends');
like($book->('2026-11-30 22:00Z', '2026-11-30 22:50Z', '2026-11-30 23:00Z'), $refused,
	'the same instant written in UTC (09:00+11) is the same time');
like($book->('2026-12-01 09:00+11', '2026-12-01 09:50+11', '2026-12-01 10:00+11', pr => $org{b}{pr}),
	qr/foreign key|violates/, "an appointment cannot name another clinic's practitioner");

$psql->("UPDATE appointments SET status = 'cancelled', cancelled_at = now() WHERE id = '$first'");
my $again = $book->('2026-12-01 09:00+11', '2026-12-01 09:50+11', '2026-12-01 10:00+11');
like($again, $ok, 'after the first is cancelled its time can be booked again');
like($psql->("UPDATE appointments SET status = 'confirmed', cancelled_at = NULL WHERE id = '$first'"), $refused,
	'and the cancelled one cannot come back over it');

for my $st (qw(held pending_payment completed no_show)) {
	like($book->('2026-12-01 09:10+11', '2026-12-01 10:00+11', '2026-12-01 10:10+11', status => $st), $refused,
		"a booking over a confirmed one is refused whatever its own status ($st)");
}
my $held = $book->('2026-12-02 09:00+11', '2026-12-02 09:50+11', '2026-12-02 10:00+11', status => 'held');
like($held, $ok, 'a hold takes its time');
like($book->('2026-12-02 09:00+11', '2026-12-02 09:50+11', '2026-12-02 10:00+11'), $refused, '... so a booking over it is refused');
$psql->("UPDATE appointments SET status = 'completed' WHERE id = '$held'");
like($book->('2026-12-02 09:00+11', '2026-12-02 09:50+11', '2026-12-02 10:00+11'), $refused, 'a completed appointment keeps its time');
like($book->('2026-12-02 09:00+11', '2026-12-02 09:50+11', '2026-12-02 10:00+11', status => 'cancelled'), $ok,
	'a cancelled row may sit over it (it holds nothing)');

# DST: Melbourne falls back at 03:00 AEDT on 2026-04-05 to 02:00 AEST. 02:30 AEDT and 02:30
# AEST are an hour apart, so both may be booked; the constraint compares instants.
like($book->('2026-04-05 02:00+11', '2026-04-05 02:50+11', '2026-04-05 03:00+11'), $ok, 'fall-back day: 02:00 AEDT');
like($book->('2026-04-05 02:00+10', '2026-04-05 02:50+10', '2026-04-05 03:00+10'), $ok, '... and 02:00 AEST, an hour later');
like($book->('2026-04-05 02:30+10', '2026-04-05 02:40+10', '2026-04-05 02:50+10'), $refused, '... and not 02:30 AEST over it');

# ---- a patient cannot hold two overlapping sessions (BOOK-10) ----
my $pat = $id->($psql->("INSERT INTO users (org_id, role, name) VALUES ('$A{org}', 'patient', 'Pat') RETURNING id"));
my $p2 = $id->($psql->("INSERT INTO practitioners (org_id, name, timezone) VALUES ('$A{org}', 'Dr A2', 'Australia/Melbourne') RETURNING id"));
like($book->('2026-12-03 09:00+11', '2026-12-03 09:50+11', '2026-12-03 10:00+11', patient => $pat), $ok, 'a patient books 09:00');
like($book->('2026-12-03 09:30+11', '2026-12-03 10:20+11', '2026-12-03 10:20+11', patient => $pat, pr => $p2),
	qr/appointments_no_patient_overlap/, '... and cannot book 09:30 with another practitioner');

my $other_patient = $id->($psql->("INSERT INTO users (org_id, role, name) VALUES ('$b', 'patient', 'Bea') RETURNING id"));
like($book->('2026-12-04 09:00+11', '2026-12-04 09:50+11', '2026-12-04 10:00+11', patient => $other_patient),
	qr/foreign key/, "an appointment cannot name another clinic's patient");

# ---- checks ----
like($psql->("INSERT INTO price_rules (org_id, service_id, funding, fee_minor, rebate_minor, currency)
	VALUES ('$A{org}', '$A{svc}', 'medicare', 22000, 14500, 'AUD') RETURNING gap_minor"), qr/^7500$/,
	'a Medicare price rule: fee 22000, rebate 14500, gap 7500 (minor units)');
like($psql->("INSERT INTO price_rules (org_id, service_id, funding, fee_minor, rebate_minor, currency)
	VALUES ('$A{org}', '$A{svc}', 'medicare', 100, 200, 'AUD')"), qr/check/, 'a rebate above the fee is refused');
like($psql->("INSERT INTO price_rules (org_id, service_id, funding, fee_minor, currency)
	VALUES ('$A{org}', '$A{svc}', 'private', 100, 'aud')"), qr/check/, 'a currency must be an ISO 4217 code');
like($psql->("INSERT INTO availability_rules (org_id, practitioner_id, session_type, weekday, start_time, end_time)
	VALUES ('$A{org}', '$A{pr}', 'in_person', 1, '09:00', '17:00')"), qr/check/, 'an in-person rule needs a location');
like($psql->("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
	VALUES ('$A{org}', '$A{pr}', '$A{loc}', 'in_person', 1, '17:00', '09:00')"), qr/check/, 'a rule must end after it starts');
like($psql->("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
	VALUES ('$A{org}', '$A{pr}', '$A{loc}', 'in_person', 1, '09:00', '24:00') RETURNING weekday"), qr/^1$/,
	'a rule may run to midnight (24:00)');
like($psql->("INSERT INTO services (org_id, name, duration_minutes, session_types) VALUES ('$A{org}', 'x', 50, '{video}')"),
	qr/check/, 'session types are in_person and telehealth only');

# ---- row-level security ----
# a row of B's in every table, so each count below is a share of both clinics' rows
my %B = %{ $org{b} };
$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) VALUES ('$A{org}', '$A{pr}', '$A{loc}'), ('$b', '$B{pr}', '$B{loc}')");
$psql->("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
	VALUES ('$b', '$B{pr}', '$B{loc}', 'in_person', 2, '09:00', '17:00')");
$psql->("INSERT INTO practitioner_leave (org_id, practitioner_id, starts_at, ends_at)
	VALUES ('$a', '$A{pr}', '2026-12-24', '2027-01-05'), ('$b', '$B{pr}', '2026-12-24', '2027-01-05')");
$psql->("INSERT INTO price_rules (org_id, service_id, funding, fee_minor, currency) VALUES ('$b', '$B{svc}', 'private', 20000, 'AUD')");
like($psql->("INSERT INTO appointments (org_id, practitioner_id, service_id, session_type, status, starts_at, ends_at, blocked_from, blocked_until)
	VALUES ('$b', '$B{pr}', '$B{svc}', 'telehealth', 'confirmed', '2026-12-01 09:00+11', '2026-12-01 09:50+11', '2026-12-01 09:00+11', '2026-12-01 10:00+11') RETURNING id"),
	$ok, "B's practitioner is booked at the time A's is: the constraint is per practitioner");
my @tables = qw(locations services practitioners practitioner_locations practitioner_services availability_rules practitioner_leave price_rules appointments);
for my $t (@tables) {
	my $all = $psql->("SELECT count(*) FROM $t");
	my $mine = $psql->("SELECT count(*) FROM $t WHERE org_id = '$a'");
	is($as_web->($a, "SELECT count(*) FROM $t"), $mine, "$t: clinic A sees its own $mine of $all rows");
	ok($mine > 0 && $mine < $all, "  ($t has rows of both clinics)");
}
is($as_web->($b, "SELECT count(*) FROM appointments"), '1', "clinic B sees its one appointment, none of A's");
is($as_web->($b, "SELECT count(*) FROM practitioners"), '1', '... and only its own practitioner');
like($as_web->($b, "INSERT INTO services (org_id, name, duration_minutes, session_types) VALUES ('$a', 'Sneaky', 50, '{telehealth}')"),
	qr/row-level security/, "B cannot write a service into A");
is($as_web->($b, "UPDATE appointments SET status = 'cancelled', cancelled_at = now() WHERE practitioner_id = '$A{pr}' RETURNING 1"), '',
	"an update from B touches none of A's appointments");

$k->finish;
done_testing;
