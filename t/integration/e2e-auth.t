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
use Test::More;

my $src = KairosTest::src();
my $shots = KairosTest::browser_or_skip();

my $k = KairosTest->start(workers => 2);
my $staff = $k->staff(role => 'admin', email => 'e2e-admin@example.org', name => 'Ada Admin',
	password => "e2e-$$-" . time);	# a throwaway, made for this run

# auth.mjs reads codes with `t/lib/stack kairos DIR outbox list`, which needs the stack's
# environment.
# 103 checks when every step of the four flows ran: 54 with JavaScript (five of them only
# there: focus on the summary after each of four error pages, and the summary link) and 49
# without.
KairosTest::browser_run('auth.mjs', checks => 103, env => { $k->stack_env, BASE_URL => $k->url(''),
	SCREENSHOT_DIR => $shots, STACK => "$src/t/lib/stack", STACK_DIR => $k->dir,
	STAFF_EMAIL => $staff->{email}, STAFF_PASSWORD => $staff->{password},
	PHONE_JS => '+61400000201', PHONE_NOJS => '+61400000202' },
	pages => [map { "auth-$_" } qw(signup signup-errors signin-code signin-code-error account account-details
	sessions signin staff-signin staff-signin-error admin admin-staff admin-messages)]);

$k->finish;
done_testing;
