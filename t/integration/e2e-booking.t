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
use Test::More;

my $shots = KairosTest::browser_or_skip();

my $k = KairosTest->start(workers => 2, env => { KAIROS_TEST_CLOCK => BookingData::CLOCK });
my $d = BookingData::setup($k);

# 68 checks when every step of both flows ran: 30 in each, and each mode its own way to the
# zone and to the taken time (3 checks with JavaScript, 5 without).
KairosTest::browser_run('booking.mjs', checks => 68, env => { BASE_URL => $k->url(''), SCREENSHOT_DIR => $shots,
	PSQL_HOST => $k->dir . '/run', ORG_ID => $d->{org}, ADA_ID => $d->{ada}, CONSULT_ID => $d->{consult},
	CARLTON_ID => $d->{carlton} },
	pages => [map { "booking-$_" } qw(service service-filtered psychologist psychologist-filtered profile time summary)]);

$k->finish;
done_testing;
