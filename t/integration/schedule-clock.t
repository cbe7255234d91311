#!/usr/bin/env perl
# The settable wall clock (core/clock) on a running stack, and jobs/schedule on it: a stack
# started with KAIROS_TEST_CLOCK three seconds before 03:30 in Sydney on 3 October 2026 runs
# session-purge at once (no waiting for a real 03:30), and schedules the next run across the
# spring-forward night 23 hours later, at 03:30 AEDT; POST /_debug/clock moves the clock in
# every worker; production refuses KAIROS_TEST_CLOCK. Daily times across DST in depth:
# t/unit/test-schedule.c.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 2, env => { KAIROS_TEST_CLOCK => '2026-10-02T17:29:57Z' });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $utc = sub { "to_char($_[0] AT TIME ZONE 'UTC', 'YYYY-MM-DD\\\"T\\\"HH24:MI:SS\\\"Z\\\"')" };
my $task = sub {
	my ($name, $col) = @_;
	$psql->("SELECT ${\ $utc->($col)} FROM scheduled_tasks WHERE name = '$name'");
};

ok($k->wait_until(20, sub { ($psql->("SELECT runs FROM scheduled_tasks WHERE name = 'session-purge'") || 0) >= 1 }),
	'session-purge runs at 03:30 AEST by the test clock, seconds after the start');
like($task->('session-purge', 'last_started_at'), qr/^2026-10-02T17:30:\d\dZ$/,
	'its run started at the test clock\'s time, not the database\'s');
is($task->('session-purge', 'next_run_at'), '2026-10-03T16:30:00Z',
	'the next run is 03:30 AEDT on 4 October: 23 hours on, across the spring-forward night');
is($task->('invite-purge', 'next_run_at'), '2026-10-02T17:45:00Z', 'invite-purge waits for 03:45 AEST');
my ($rc, $out) = $k->kairos('jobs', '--list');
like($out, qr/^session-purge\s+daily at 03:30 Australia\/Sydney\s+2026-10-03T16:30:00Z/m,
	'kairos jobs --list shows it');

# /_debug/clock in one worker moves every worker's clock: while one worker sleeps in a
# request, the other answers; both must read the clock that was set. Which worker takes a
# request is the kernel's choice, so the slow requests come in two patterns: one slow
# request (the other worker answers), and a short then a long one with the answer once the
# short one is over (the first worker answers).
my $r = $k->request('POST', '/_debug/clock?at=2030-06-01T00:00:00Z');
is($r->{status}, 200, 'POST /_debug/clock sets the clock');
my %seen;
for my $try (1 .. 6) {
	my @bg = ($k->background('GET', $try % 2 ? '/_debug/sleep?ms=1500' : '/_debug/sleep?ms=600'));
	$k->wait_until(5, sub { $k->sleeping_workers >= 1 });
	if ($try % 2 == 0) {
		push @bg, $k->background('GET', '/_debug/sleep?ms=3000');
		$k->wait_until(5, sub { $k->sleeping_workers == 2 });
		$k->wait_until(5, sub { $k->sleeping_workers == 1 });
	}
	my $res = $k->request('POST', '/_debug/clock?advance=0');
	my $c = KairosTest::json($res);
	$k->collect($_) for @bg;
	diag "try $try: $res->{status} $res->{content}" unless $c && $c->{pid};
	$seen{ $c->{pid} } = $c->{now} if $c && $c->{pid};
	last if keys %seen >= 2;
}
is(scalar(keys %seen), 2, 'both workers answered');
ok(keys %seen == 2 && !grep({ $_ < 1906502400 || $_ > 1906502400 + 60 } values %seen),
	'and both read 2030-06-01 from the clock the other set') or diag explain \%seen;
like($k->get('/')->{content}, qr/© 2030 /, 'a page\'s year comes from the clock');
is($k->request('POST', '/_debug/clock?real=1')->{status}, 200, 'and back to the real clock');
unlike($k->get('/')->{content}, qr/© 2030 /, 'the page has the real year again');
is($k->request('POST', '/_debug/clock?at=tomorrow')->{status}, 400, 'a time that is no time: 400');

my $prod = `env -u KAIROS_ADMIN_DATABASE_URL KAIROS_ENV=production KAIROS_DATABASE_URL='host=/x dbname=y' KAIROS_TEST_CLOCK=2026-10-02T17:29:57Z ${\ KairosTest::bin()} jobs 2>&1`;
isnt($? >> 8, 0, 'production refuses to run with a test clock');
like($prod, qr/KAIROS_TEST_CLOCK: not allowed when KAIROS_ENV=production/, 'and says why');
my $bad = `env -u KAIROS_ADMIN_DATABASE_URL KAIROS_ENV=test KAIROS_DATABASE_URL='host=/x dbname=y' KAIROS_TEST_CLOCK=2026-10-02 ${\ KairosTest::bin()} jobs 2>&1`;
like($bad, qr/KAIROS_TEST_CLOCK: \\?"2026-10-02\\?" is not a UTC time/, 'a malformed test clock is refused');

$k->finish;
done_testing;
