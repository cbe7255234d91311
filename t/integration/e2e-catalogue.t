#!/usr/bin/env perl
# The booking catalogue's admin pages (ADMIN-1) in a real browser: Debian's headless Chromium
# (playwright-core) runs t/e2e/catalogue.mjs against the real stack, with and without
# JavaScript — an admin adds a location (a bad time zone first) and opens every list and form.
# Every page is checked with axe-core and for overflow at 360 and 1280 px, and saved as a
# screenshot. The same pages over plain HTTP, with every hostile input: admin-catalogue.t.
# Needs node, /usr/bin/chromium and t/e2e/node_modules (./dev test installs them).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $src = KairosTest::src();
my $shots = KairosTest::browser_or_skip();

my $k = KairosTest->start(workers => 2);
my $staff = $k->staff(role => 'admin', email => 'e2e-catalogue@example.org', name => 'Ada Admin',
	password => "e2e-$$-" . time);	# a throwaway, made for this run
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
# a practitioner with a centre, hours and leave, so their pages have rows to show
my ($pid) = $psql->("INSERT INTO practitioners (org_id, name, title, timezone, telehealth) SELECT id, 'Dr Pat Lee', 'Clinical Psychologist', 'Australia/Melbourne', true FROM organisations WHERE is_default RETURNING id") =~ /^([0-9a-f-]{36})/m;
my ($loc) = $psql->("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone) SELECT id, 'Carlton', '2 Lygon St', 'Carlton', 'AU', 'Australia/Melbourne' FROM organisations WHERE is_default RETURNING id") =~ /^([0-9a-f-]{36})/m;
$psql->("INSERT INTO services (org_id, name, duration_minutes, session_types) SELECT id, 'Individual therapy', 50, '{in_person,telehealth}' FROM organisations WHERE is_default");
$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) SELECT org_id, id, '$loc' FROM practitioners WHERE id = '$pid'");
$psql->("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time) SELECT org_id, id, '$loc', 'in_person', 1, '09:00', '17:00' FROM practitioners WHERE id = '$pid'");

my %env = (BASE_URL => $k->url(''), SCREENSHOT_DIR => $shots, STAFF_EMAIL => $staff->{email},
	STAFF_PASSWORD => $staff->{password}, PRACTITIONER => $pid);
my $json = do {
	local @ENV{ keys %env } = values %env;
	# Bounded: a browser that hangs must fail this test, not stall the suite.
	`cd $src/t/e2e && timeout -k 10 300 node catalogue.mjs`;
};
my $res = eval { decode_json($json) };
ok($res && !$res->{error}, 'the browser run completed') or diag($res ? $res->{error} : $json // 'no output');
$res //= {};
for my $c (@{ $res->{checks} // [] }) {
	ok($c->{ok}, "$c->{mode}: $c->{what}") or diag explain $c->{got};
}
# 7 checks on the way to the pages and 7 pages opened, with JavaScript and without
is(scalar @{ $res->{checks} // [] }, 2 * 15, 'every step ran');

KairosTest::audits_ok($res->{audits} // [], 'catalogue-', [qw(locations location-error location-edit service-new
	practitioners practitioner-edit hours hours-new leave-new price-new)], $shots);

$k->finish;
done_testing();
