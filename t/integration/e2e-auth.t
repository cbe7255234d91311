#!/usr/bin/env perl
# Signing in, in a real browser: Debian's headless Chromium (playwright-core) runs
# t/e2e/auth.mjs against the real stack, with and without JavaScript — a new patient signs up
# and signs in with the code from the outbox, a wrong code, a name change, "Where you're
# signed in", sign-out; a staff member signs in at /staff/signin. Every page is checked with
# axe-core and for overflow at 360 and 1280 px, and saved as a screenshot. The same flows
# over plain HTTP are t/integration/auth-pages.t. Needs node, /usr/bin/chromium and
# t/e2e/node_modules (./dev test installs them).
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
my $staff = $k->staff(role => 'admin', email => 'e2e-admin@example.org', name => 'Ada Admin',
	password => "e2e-$$-" . time);	# a throwaway, made for this run

my $json;
{
	# auth.mjs reads codes with `t/lib/stack kairos DIR outbox list`, which needs the stack's
	# environment
	my %env = ($k->stack_env, BASE_URL => $k->url(''), SCREENSHOT_DIR => $shots,
		STACK => "$src/t/lib/stack", STACK_DIR => $k->dir,
		STAFF_EMAIL => $staff->{email}, STAFF_PASSWORD => $staff->{password},
		PHONE_JS => '+61400000201', PHONE_NOJS => '+61400000202');
	local @ENV{ keys %env } = values %env;
	# Bounded: a browser that hangs must fail this test, not stall the suite.
	$json = `cd $src/t/e2e && timeout -k 10 300 node auth.mjs`;
}
my $res = eval { decode_json($json) };
ok($res && !$res->{error}, 'the browser run completed') or diag($res ? $res->{error} : $json // 'no output');
$res //= {};

for my $c (@{ $res->{checks} // [] }) {
	ok($c->{ok}, "$c->{mode}: $c->{what}") or diag explain $c->{got};
}
# 103 checks when every step of the four flows ran: 54 with JavaScript (five of them only
# there: focus on the summary after each of four error pages, and the summary link) and 49
# without. Fewer means a flow stopped early.
is(scalar @{ $res->{checks} // [] }, 103, 'every step of the four flows ran');

KairosTest::audits_ok($res->{audits} // [], 'auth-', [qw(signup signup-errors signin-code signin-code-error
	account account-details sessions signin staff-signin staff-signin-error admin admin-staff admin-messages)], $shots);

my @noise = map { my $r = $_; map { "$r->{mode}: $_" } @{ $r->{consoleErrors} }, @{ $r->{pageErrors} }, @{ $r->{failedRequests} } }
	@{ $res->{runs} // [] };
is(scalar @noise, 0, 'no console errors, page errors or failed subresource requests') or diag explain \@noise;

$k->finish;
done_testing;
