#!/usr/bin/env perl
# PostgreSQL goes away and comes back: the request that finds a broken connection gets a
# 503, later ones reconnect, and /readyz is 200 again without restarting Kairos.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 2);
my $master = $k->serve_pid;
my @workers = $k->worker_pids;

# Give every worker a live connection first.
$k->get('/readyz') for 1 .. 10;
is($k->get('/readyz')->{status}, 200, 'ready before the restart');

my $log_mark = length $k->slurp('log/kairos.log');
is($k->stack('pg-restart', $k->dir, 'fast'), 0, 'PostgreSQL restarted (fast shutdown)');
my @statuses = map { $k->get('/readyz')->{status} } 1 .. 12;
my $broken = grep { $_ == 503 } @statuses;
cmp_ok($broken, '<=', scalar @workers, "at most one 503 per worker found a broken connection (@statuses)");
ok(!grep({ $_ != 200 && $_ != 503 } @statuses), 'nothing but 200 and 503');
# Per worker, from the request log: a 503 only as its first answer after the restart (the
# request that found the connection broken), 200 ever after. Which worker takes which
# request is up to the kernel, so the order across workers is not the property.
my %answers;
my $after = substr $k->slurp('log/kairos.log'), $log_mark;
while ($after =~ /"path":"\/readyz","status":(\d+),"us":\d+,"pid":(\d+)/g) {
	$answers{$2} .= $1 == 200 ? 'o' : 'x';
}
is(scalar(grep { !/^x?o*$/ } values %answers), 0, 'each worker: at most its first request fails, every later one succeeds')
	or diag explain \%answers;
like(join('', values %answers), qr/o/, 'and requests succeed again after the restart');
is($k->get('/')->{status}, 200, 'pages that query the database work again');
is($k->serve_pid, $master, 'without restarting kairos');
is_deeply([$k->worker_pids], \@workers, 'or any of its workers');

# Database down: readiness says why, pages say "try again", liveness is unaffected.
$k->stack('pg-stop', $k->dir, 'immediate');
my $r = $k->get('/readyz');
is($r->{status}, 503, '/readyz is 503 while PostgreSQL is down');
is(KairosTest::json($r)->{reason}, 'database unreachable', 'with the reason in JSON');
$r = $k->get('/');
is($r->{status}, 503, 'a page needing the database: 503');
like($r->{content}, qr/temporarily unavailable/, 'with a human message');
is($r->{headers}{'retry-after'}, '1', 'and Retry-After');
is($k->get('/healthz')->{status}, 200, '/healthz is still 200: the process is alive');

$k->stack('pg-start', $k->dir);
ok($k->wait_until(5, sub { $k->get('/readyz')->{status} == 200 }), 'ready again once PostgreSQL is back');
is($k->serve_pid, $master, 'still the same master');
like($k->slurp('log/kairos.log'), qr/"msg":"not ready","detail":"database unreachable/,
	'unreadiness is logged with its reason');
$k->finish;
done_testing;
