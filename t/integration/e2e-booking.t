#!/usr/bin/env perl
# Booking steps 1-3 in a real browser: Debian's headless Chromium (playwright-core) runs
# t/e2e/booking.mjs against the real stack with t/lib/BookingData.pm's clinic, with
# JavaScript (a 360 px phone in Perth) and without (1280 px): filter and pick a service,
# search and filter psychologists, a profile, Back and Forward, a time in the patient's zone
# (detected, or typed), a time taken by someone else leaving the grid, the summary and its
# sign-in link. Every step is checked with axe-core and for overflow at 360 and 1280 px, and
# saved as a screenshot. The same flows over plain HTTP are t/integration/booking-pages.t.
# Needs node, /usr/bin/chromium and t/e2e/node_modules (./dev test installs them).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use BookingData;
use JSON::PP;
use Test::More;

my $src = KairosTest::src();
my $shots = KairosTest::browser_or_skip();

my $k = KairosTest->start(workers => 2, env => { KAIROS_TEST_CLOCK => BookingData::CLOCK });
my $d = BookingData::setup($k);

my $json;
{
	my %env = (BASE_URL => $k->url(''), SCREENSHOT_DIR => $shots, PSQL_HOST => $k->dir . '/run',
		ORG_ID => $d->{org}, ADA_ID => $d->{ada}, CONSULT_ID => $d->{consult}, CARLTON_ID => $d->{carlton});
	local @ENV{ keys %env } = values %env;
	# Bounded: a browser that hangs must fail this test, not stall the suite.
	$json = `cd $src/t/e2e && timeout -k 10 300 node booking.mjs`;
}
my $res = eval { decode_json($json) };
ok($res && !$res->{error}, 'the browser run completed') or diag($res ? $res->{error} : $json // 'no output');
$res //= {};

for my $c (@{ $res->{checks} // [] }) {
	ok($c->{ok}, "$c->{mode}: $c->{what}") or diag explain $c->{got};
}
# 66 checks when every step of both flows ran: 29 in each, and each mode its own way to the
# zone and to the taken time (3 checks with JavaScript, 5 without). Fewer means a flow
# stopped early.
is(scalar @{ $res->{checks} // [] }, 66, 'every step of both flows ran');

my @audits = @{ $res->{audits} // [] };
my %pages = map { $_->{name} => 1 } @audits;
is_deeply([sort keys %pages], [sort map { "booking-$_" } qw(service service-filtered psychologist
	psychologist-filtered profile time summary)], 'every step was audited');
is(scalar @audits, 4 * keys %pages, 'each at 360 and 1280 px, with and without JavaScript');
my @violations = map { my $a = $_; map { { page => "$a->{name}-$a->{viewport}-" . ($a->{js} ? 'js' : 'nojs'), %$_ } } @{ $a->{violations} } } @audits;
is(scalar @violations, 0, 'axe-core: 0 violations on every step') or diag explain \@violations;
my @overflow = grep { $_->{overflow}{scrollWidth} > $_->{overflow}{innerWidth} } @audits;
is(scalar @overflow, 0, 'no horizontal overflow at either width')
	or diag explain [map { { page => "$_->{name}-$_->{viewport}", %{ $_->{overflow} } } } @overflow];
my @small = grep { (-s $_->{screenshot} // 0) < 10_000 } @audits;
is(scalar @small, 0, scalar(@audits) . " screenshots saved in $shots") or diag explain [map { $_->{screenshot} } @small];

my @noise = map { my $r = $_; map { "$r->{mode}: $_" } @{ $r->{consoleErrors} }, @{ $r->{pageErrors} }, @{ $r->{failedRequests} } }
	@{ $res->{runs} // [] };
is(scalar @noise, 0, 'no console errors, page errors or failed subresource requests') or diag explain \@noise;

$k->finish;
done_testing;
