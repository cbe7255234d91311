#!/usr/bin/env perl
# SIGTERM: the master stops accepting, lets in-flight requests finish (bounded by
# KAIROS_SHUTDOWN_TIMEOUT), and exits, leaving no process and no socket behind.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;
use Time::HiRes qw(sleep time);

my $k = KairosTest->start(workers => 2, env => { KAIROS_SHUTDOWN_TIMEOUT => 3 });
my $master = $k->serve_pid;
my @workers = $k->worker_pids;

my @slow = map { $k->background(GET => '/_debug/sleep?ms=1500') } 1 .. 2;
ok($k->wait_until(5, sub { $k->sleeping_workers == 2 }), 'both workers are busy with slow requests');
my $t0 = time;
kill 'TERM', $master;
is($k->collect($_), 200, 'an in-flight request finishes after SIGTERM') for @slow;
ok($k->wait_until(10, sub { !kill 0, $master }), 'the master exits once they are done');
diag sprintf('drained and exited in %.1f s', time - $t0);
unlike($k->slurp('log/kairos.log'), qr/"msg":"shutdown timeout"/, 'without killing anything');
ok(!grep({ kill 0, $_ } @workers), 'no worker is left');
ok(!-e $k->dir . '/run/kairos.sock', 'the socket file is removed');
like($k->slurp('log/kairos.log'), qr/"msg":"shutting down","detail":"2 workers draining"/, 'the drain is logged');

# A request longer than the timeout does not hold the shutdown forever.
$k->stack('serve-start', $k->dir);
$master = $k->serve_pid;
my $stuck = $k->background(GET => '/_debug/sleep?ms=20000');
ok($k->wait_until(5, sub { $k->sleeping_workers == 1 }), 'a 20 s request is in flight');
$t0 = time;
kill 'TERM', $master;
ok($k->wait_until(15, sub { !kill 0, $master }), 'the master still exits');
diag sprintf('exited %.1f s after SIGTERM with KAIROS_SHUTDOWN_TIMEOUT=3', time - $t0);
is($k->collect($stuck), 502, 'the request cut off by the timeout fails visibly (502)');
like($k->slurp('log/kairos.log'), qr/"msg":"shutdown timeout","detail":"killing 1 workers"/, 'the kill is logged');
$k->finish;
done_testing;
