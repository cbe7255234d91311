#!/usr/bin/env perl
# The demo clinic (`kairos seed --demo`, what ./dev up loads; issue 13, item 7): 3 centres in
# 2 time zones, 8 psychologists with profiles and photos that nginx serves, 6 services with
# private, Medicare (fee, rebate, gap) and concession prices, weekly hours, leave and a month
# of appointments, all dated from the settable clock. Seeding twice adds nothing. The slot
# loader and engine (t/lib/booking-slots, as the web role) find free times for every service
# and every psychologist in the next fortnight, none during leave or over an appointment.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $helper = ($ENV{KTEST_BUILDDIR} // KairosTest->src . '/build') . '/t/lib/booking-slots';
plan skip_all => "$helper not built" unless -x $helper;

# A fixed clock (10:00 in Sydney, daylight saving on), so the counts below are the same on
# every run; the seed dates everything from it, not from the real time (months away).
my $now_utc = '2027-02-09T23:00:00Z';	# Wednesday 10 February 2027, 10:00 AEDT, 07:00 AWST
my $k = KairosTest->start(workers => 1, seed => 'demo', env => { KAIROS_TEST_CLOCK => $now_utc });
my $dir = $k->dir;
my $psql = sub { my $v = `psql -q -h $dir/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $org = $psql->("SELECT id FROM organisations WHERE is_default");
my $now = $psql->("SELECT extract(epoch FROM timestamptz '$now_utc')::bigint");

my $counts = "SELECT concat_ws(' ', (SELECT count(*) FROM locations), (SELECT count(DISTINCT timezone) FROM locations),
	(SELECT count(*) FROM practitioners), (SELECT count(*) FROM services), (SELECT count(*) FROM price_rules),
	(SELECT count(*) FROM availability_rules), (SELECT count(*) FROM practitioner_leave),
	(SELECT count(*) FROM users WHERE role = 'patient'), (SELECT count(*) FROM appointments),
	(SELECT count(*) FROM site_pages))";
my $first = $psql->($counts);
my ($loc, $zones, $prac, $svc, $prices, $rules, $leave, $patients, $appts, $pages) = split ' ', $first;
is("$loc $zones $prac $svc", '3 2 8 6', '3 centres in 2 time zones, 8 psychologists, 6 services');
is("$rules $leave $patients", '35 3 12', '35 weekly hours, 3 leave entries, 12 demo patients');
is($prices, 16, '16 price rules');
is($pages, 1, "the clinic's own contact page");
cmp_ok($appts, '>=', 300, "a month and a half of appointments ($appts)");

my ($rc, $out) = $k->kairos('seed', '--demo');
is($rc, 0, 'kairos seed --demo runs again') or diag $out;
is($psql->($counts), $first, '... and changes no count');
($rc, $out) = $k->kairos('seed');
is($rc, 0, 'plain kairos seed after it runs too') or diag $out;
is($psql->($counts), $first, '... and adds nothing either');
($rc, $out) = $k->kairos('seed', '--bogus');
is($rc, 2, 'an unknown option is a usage error');

# ---- what it looks like ----
is($psql->("SELECT string_agg(DISTINCT timezone, ' ' ORDER BY timezone) FROM locations"), 'Australia/Perth Australia/Sydney',
	'Sydney (daylight saving) and Perth (none)');
is($psql->("SELECT count(*) FROM practitioners WHERE photo_url LIKE '/static/img/demo/%.svg' AND bio <> ''
	AND cardinality(qualifications) > 0 AND cardinality(specialties) > 0 AND cardinality(languages) > 0
	AND gender IS NOT NULL AND title IS NOT NULL"), 8, 'every psychologist has a photo, bio, qualifications, specialties, languages, gender, title');
is($psql->("SELECT count(DISTINCT gender) || ' ' || count(DISTINCT languages) || ' ' || count(*) FILTER (WHERE telehealth)
	FROM practitioners"), '3 7 7', 'varied: 3 genders, 7 language sets, 7 of 8 offer telehealth');
unlike($psql->("SELECT string_agg(name, ',') FROM practitioners"), qr/Example|Placeholder|Sample/,
	'no placeholder names in the demo');
for my $url (split /\n/, $psql->("SELECT photo_url FROM practitioners ORDER BY sort_order")) {
	my $r = $k->get($url);
	is($r->{status} . ' ' . ($r->{headers}{'content-type'} // ''), '200 image/svg+xml', "nginx serves $url");
	cmp_ok(length $r->{content}, '<', 4096, '... a small file');
}
is($psql->("SELECT string_agg(funding || ':' || fee_minor || '-' || rebate_minor || '=' || gap_minor, ' ' ORDER BY funding)
	FROM price_rules WHERE service_id = 'd0150000-0000-4000-8000-000000000105'"),
	'concession:15000-0=15000 medicare:22000-14550=7450 private:22000-0=22000', 'a service priced privately, with Medicare (gap) and concession');
is($psql->("SELECT count(*) FROM services s WHERE NOT EXISTS (SELECT 1 FROM price_rules p WHERE p.service_id = s.id)
	OR NOT EXISTS (SELECT 1 FROM practitioner_services ps WHERE ps.service_id = s.id)"), 0,
	'every service has a price and someone who offers it');

like($k->get('/contact')->{content}, qr{<h2>Parramatta</h2>\s*<p>Ground floor, 27 Macquarie Street, Parramatta NSW 2150<br>\(02\) 5550 1400},
	'/contact shows the centres');
$psql->("UPDATE site_pages SET body = 'Edited by the clinic'");
$k->kairos('seed', '--demo');
is($psql->("SELECT body FROM site_pages"), 'Edited by the clinic', "seeding again keeps an admin's text");

# ---- dated from the clock ----
is($psql->("SELECT count(*) FILTER (WHERE starts_at < '$now_utc') > 100 AND count(*) FILTER (WHERE starts_at >= '$now_utc') > 100
	AND min(starts_at) >= timestamptz '$now_utc' - interval '15 days' AND max(starts_at) < timestamptz '$now_utc' + interval '31 days'
	FROM appointments"), 't', 'appointments from two weeks before the clock to a month after it');
is($psql->("SELECT string_agg(DISTINCT status, ' ' ORDER BY status) FROM appointments WHERE starts_at < '$now_utc'"),
	'cancelled completed no_show', 'past ones completed, some no-shows and cancellations');
is($psql->("SELECT string_agg(DISTINCT status, ' ' ORDER BY status) FROM appointments WHERE starts_at >= '$now_utc'"),
	'cancelled confirmed', 'future ones confirmed (a few cancelled)');
is($psql->("SELECT count(*) FROM practitioner_leave WHERE starts_at > '$now_utc' AND starts_at < timestamptz '$now_utc' + interval '31 days'"),
	3, 'the leave is within the coming month');
is($psql->("SELECT (starts_at AT TIME ZONE 'Australia/Sydney')::date || ' ' || (ends_at AT TIME ZONE 'Australia/Sydney')::date
	FROM practitioner_leave WHERE practitioner_id = 'd0150000-0000-4000-8000-000000000202'"), '2027-02-17 2027-02-20',
	"Nick's leave: Wednesday to Friday of the clock's next week (ending Saturday 00:00)");
is($psql->("SELECT count(*) FROM appointments a JOIN practitioner_leave l USING (practitioner_id)
	WHERE a.status <> 'cancelled' AND a.starts_at < l.ends_at AND a.ends_at > l.starts_at"), 0, 'no appointment during leave');
is($psql->("SELECT count(*) FROM appointments a JOIN availability_rules r USING (practitioner_id)
	LEFT JOIN locations l ON l.id = r.location_id JOIN practitioners p ON p.id = a.practitioner_id
	WHERE r.id IS NULL"), 0, 'appointments are of psychologists with hours');

# ---- free times, as the booking pages will load them ----
my $conn = "host=$dir/run user=kairos_web dbname=kairos";
my ($from, $to) = split ' ', $psql->("SELECT (timestamptz '$now_utc' AT TIME ZONE 'Australia/Sydney')::date || ' ' ||
	((timestamptz '$now_utc' AT TIME ZONE 'Australia/Sydney')::date + 13)");
my %next;
for my $s (split /\n/, $psql->("SELECT id || ' ' || name FROM services ORDER BY sort_order")) {
	my ($id, $name) = split ' ', $s, 2;
	my $slots = `$helper '$conn' $org $id - $from $to $now Australia/Sydney 2>&1`;
	my @lines = grep { /^\d{4}-/ } split /\n/, $slots;
	cmp_ok(scalar @lines, '>=', 5, "$name: free times in the next 14 days (" . scalar(@lines) . ')') or diag $slots;
	while ($slots =~ /^next (\S+) (\S+)$/mg) { $next{$1} = $2 if $2 ne 'none' || !$next{$1} }
}
is(scalar(grep { $_ ne 'none' } values %next), 8, 'every psychologist has a next free time within 14 days');
# a booked start is not offered: Amelia's first future confirmed appointment
my $booked = $psql->("SELECT to_char(starts_at AT TIME ZONE 'Australia/Sydney', 'YYYY-MM-DD') || 'T' ||
	to_char(starts_at AT TIME ZONE 'Australia/Sydney', 'HH24:MI:SS') FROM appointments
	WHERE practitioner_id = 'd0150000-0000-4000-8000-000000000201' AND status = 'confirmed' AND starts_at > timestamptz '$now_utc' + interval '1 day'
	ORDER BY starts_at LIMIT 1");
my $amelia = `$helper '$conn' $org d0150000-0000-4000-8000-000000000102 d0150000-0000-4000-8000-000000000201 $from $to $now Australia/Sydney 2>&1`;
like($amelia, qr/^\d{4}-/m, 'Amelia has free standard sessions');
like($booked, qr/^\d{4}-\d\d-\d\dT\d\d:00:00$/, "her next booked start ($booked)");
unlike($amelia, qr/^\Q$booked\E/m, "... but not at her booked $booked");

$k->finish;
done_testing;
