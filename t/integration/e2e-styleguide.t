#!/usr/bin/env perl
# The design system in a real browser: Debian's headless Chromium (playwright-core) loads
# /_styleguide from the real stack at 360 and 1280 px, with and without JavaScript, runs
# axe-core (WCAG 2.x A/AA), checks overflow, the skip link and the CSP, and saves
# screenshots. Needs node, /usr/bin/chromium and t/e2e/node_modules (./dev test installs them).
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
# Bounded: a browser that hangs must fail this test, not stall the suite.
my $json = `cd $src/t/e2e && BASE_URL=${\ $k->url('')} SCREENSHOT_DIR=$shots timeout -k 10 240 node styleguide.mjs`;
my $res = eval { decode_json($json) };
ok($res && !$res->{error}, 'the browser run completed') or diag($json // 'no output');
$res //= {};
my $c = $res->{checks} // {};

is(scalar @{ $res->{violations} // [undef] }, 0, 'axe-core: 0 violations at 360 and 1280 px, with and without JavaScript')
	or diag explain $res->{violations};
is(scalar @{ $c->{runs} // [] }, 4, 'four runs: 360/1280 × JS on/off');
ok($c->{status}, 'the page answers 200 in every run');
ok($c->{cspHeader}, 'with the Content-Security-Policy header');
ok($c->{stylesheetApplied}, 'the stylesheet loads under that policy');
ok($c->{noInlineStyleOrScript}, 'no inline style or script (the CSP would block them)');
ok($c->{noConsoleErrors}, 'no console or page errors') or diag explain [map { $_->{consoleErrors}, $_->{pageErrors} } @{ $c->{runs} }];
ok($c->{noFailedRequests}, 'no failed subresource requests');
ok($c->{skipLinkFirst}, 'the skip link is the first focusable element and targets main');
ok($c->{skipLinkMovesFocusToMain}, 'following it moves focus to main');
ok($c->{errorSummaryFocusedWithJs}, 'with JavaScript, the error summary takes focus on load');
ok($c->{noOverflowAt360}, 'no horizontal page overflow at 360 px') or diag explain $res->{overflow};
for my $shot (@{ $c->{screenshots} // [] }) {
	my $size = -s $shot // 0;
	ok($size > 10_000, "screenshot $shot saved ($size bytes)");
}
is(scalar @{ $c->{screenshots} // [] }, 4, 'four screenshots');
$k->finish;
done_testing;
