#!/usr/bin/env perl
# The footer's pages in Chromium (t/e2e/site-pages.mjs): /contact, /privacy and
# /accessibility at 360 and 1280 px, with and without JavaScript, and an admin editing
# /contact (an error, then a save) both ways: axe-core finds no violation, nothing overflows
# at 360 px, the skip link leads to main, the console stays clean. Screenshots in
# build/asan/e2e-screenshots/site-*.png. Needs node, /usr/bin/chromium and t/e2e/node_modules.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $src = KairosTest::src();
my $shots = KairosTest::browser_or_skip();

my $k = KairosTest->start(workers => 2, seed => 'demo');
my $staff = $k->staff(role => 'admin');
local $ENV{STAFF_EMAIL} = $staff->{email};
local $ENV{STAFF_PASSWORD} = $staff->{password};
# Bounded: a browser that hangs must fail this test, not stall the suite.
my $json = `cd $src/t/e2e && BASE_URL=${\ $k->url('')} SCREENSHOT_DIR=$shots timeout -k 10 300 node site-pages.mjs`;
my $res = eval { decode_json($json) };
ok($res && !$res->{error}, 'the browser run completed') or diag($json // 'no output');
$res //= {};
my @runs = @{ $res->{runs} // [] };
my @pages = grep { defined $_->{status} } @runs;

is(scalar @pages, 12, '3 pages × 360/1280 px × JavaScript on/off');
is(scalar(grep { $_->{status} != 200 || $_->{h1} != 1 } @pages), 0, 'each answers 200 with one h1');
my @violations = ((map { @{ $_->{violations} } } @pages), (map { @{ $_->{violations} } } @{ $res->{audits} // [] }));
is(scalar @violations, 0, 'axe-core: 0 violations on the pages and the admin form (with its error)') or diag explain \@violations;
is(scalar(grep { $_->{viewport} eq '360' && $_->{overflow}{scrollWidth} > $_->{overflow}{innerWidth} }
	@pages, @{ $res->{audits} // [] }), 0, 'no horizontal overflow at 360 px');
# (these pages have nothing focusable inside main, so the Tab after it leaves main: only
# where the skip link puts focus is checked)
is(scalar(grep { !($_->{skipLink}{firstIsSkipLink} && $_->{skipLink}{targetsMain} && ($_->{skipLink}{afterEnter}{id} // '') eq 'main') } @pages),
	0, 'the skip link comes first and puts focus on main');
is(scalar(grep { @{ $_->{consoleErrors} // [] } || @{ $_->{pageErrors} // [] } || @{ $_->{failedRequests} // [] } } @runs), 0,
	'no console errors, page errors or failed requests') or diag explain [map { [$_->{name}, $_->{consoleErrors}, $_->{pageErrors}, $_->{failedRequests}] } @runs];
my @checks = @{ $res->{checks} // [] };
is(scalar @checks, 12, 'the admin flow ran with and without JavaScript (6 checks each)');
for my $c (@checks) {
	ok($c->{ok}, "$c->{mode}: $c->{what}") or diag explain $c->{got};
}
for my $shot (map { $_->{screenshot} // () } @pages, @{ $res->{audits} // [] }) {
	ok((-s $shot // 0) > 5_000, "screenshot $shot");
}

$k->finish;
done_testing;
