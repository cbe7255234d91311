#!/usr/bin/env perl
# A worker killed with SIGKILL under load: only its in-flight request fails, the master
# starts a replacement, and the pool serves on. Workers that die at start-up are restarted
# with growing delays instead of in a tight loop.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;
use Time::HiRes qw(sleep time);

my $k = KairosTest->start(workers => 2);
my @before = $k->worker_pids;
is(scalar @before, 2, 'two workers running');

# Pin one worker inside a slow request, then kill exactly that worker under load.
my $slow = $k->background(GET => '/_debug/sleep?ms=3000');
ok($k->wait_until(5, sub { $k->sleeping_workers == 1 }), 'one worker is busy with the slow request');
my ($victim) = $k->sleeping_workers;
my $load = $k->load(clients => 3, seconds => 3, path => '/healthz', during => sub {
	sleep 0.5;
	kill 'KILL', $victim;
});
is($k->collect($slow), 502, "the killed worker's in-flight request fails (502 from nginx)");
is(KairosTest::failures($load), 0, 'no other request failed')
	or diag explain $load;
ok(KairosTest::total($load) > 50, 'the load really ran (' . KairosTest::total($load) . ' requests)');

ok($k->wait_until(5, sub { my @p = $k->worker_pids; @p == 2 && !grep { $_ == $victim } @p }),
	'the master replaced the dead worker');
my $ok = 0;
$ok += $k->get('/readyz')->{status} == 200 for 1 .. 20;
is($ok, 20, 'the pool serves every request afterwards');
like($k->slurp('log/kairos.log'), qr/"msg":"worker died","detail":"pid $victim killed by signal 9/,
	'the death is logged with pid and signal');

# A kill with no knowledge of what the worker is doing: at most its one request fails.
$load = $k->load(clients => 4, seconds => 3, path => '/healthz', during => sub {
	sleep 1;
	my @p = $k->worker_pids;
	kill 'KILL', $p[0];
});
cmp_ok(KairosTest::failures($load), '<=', 1, 'a random SIGKILL under load costs at most one request')
	or diag explain $load;

# A request that kills its own worker.
my $r = $k->request('POST', '/_debug/crash');
is($r->{status}, 502, 'a worker crashing mid-request gives that request a 502');
ok($k->wait_until(5, sub { $k->worker_pids == 2 }), 'and the pool is whole again');
is($k->get('/healthz')->{status}, 200, 'and answering');
$k->finish;

# Crash loop: workers that cannot start (no migrations directory) are restarted with
# exponential backoff, and the master itself stays up.
my $bad = KairosTest->start(workers => 1);
$bad->stack('serve-stop', $bad->dir);
$bad->{share_dir} = '/nonexistent-share';
$bad->stack('serve-start', $bad->dir);
my $crashes = sub { my @d = $bad->slurp('log/kairos.log') =~ /"msg":"worker crash loop","detail":"restarting in (\d+) ms"/g; @d };
ok($bad->wait_until(15, sub { $crashes->() >= 4 }), 'a worker failing at start-up is restarted');
my $log = $bad->slurp('log/kairos.log');
my @delays = $crashes->();
ok(@delays >= 3 && $delays[2] > $delays[1] && $delays[1] > $delays[0], "with growing delays (@delays[0..2] ms)")
	or diag "@delays";
ok(kill(0, $bad->serve_pid), 'the master survives its crashing workers');
like($log, qr/migrations directory \/nonexistent-share\/migrations/, 'and the reason is logged');
$bad->finish;
done_testing;
