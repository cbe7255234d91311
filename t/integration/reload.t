#!/usr/bin/env perl
# SIGHUP: workers are replaced one at a time with fresh configuration, with no failed
# request, even under load and with a request in flight; a bad configuration is refused
# and the running workers keep serving.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use File::Temp qw(tempfile);
use Test::More;
use Time::HiRes qw(sleep);

my ($fh, $conf) = tempfile('kairos-reload-XXXXXX', TMPDIR => 1, UNLINK => 1);
sub write_conf { open my $o, '>', $conf or die; print {$o} @_; close $o; }
write_conf("KAIROS_MAX_BODY_BYTES=2048\n");

my $k = KairosTest->start(workers => 2, env => { KAIROS_CONFIG => $conf });
my $master = $k->serve_pid;
my $body = '"' . ('x' x 3000) . '"';

is($k->post_json('/_debug/echo', $body)->{status}, 413, 'the config file applies: 3000 bytes > 2048');

# Fresh configuration reaches new workers.
write_conf("KAIROS_MAX_BODY_BYTES=8192\n");
my @old = $k->worker_pids;
kill 'HUP', $master;
ok($k->wait_until(10, sub { my %o = map { $_ => 1 } @old; my @n = $k->worker_pids; @n == 2 && !grep { $o{$_} } @n }),
	'SIGHUP replaces every worker');
is($k->post_json('/_debug/echo', $body)->{status}, 200, 'and the new workers use the new limit');
is($k->serve_pid, $master, 'the master stays');

# Under load, three reloads in a row: no request fails, and one in flight completes.
my $slow = $k->background(GET => '/_debug/sleep?ms=1500');
ok($k->wait_until(5, sub { $k->sleeping_workers == 1 }), 'a slow request is in flight');
@old = $k->worker_pids;
my $load = $k->load(clients => 4, seconds => 4, path => '/healthz', during => sub {
	for (1 .. 3) { sleep 0.8; kill 'HUP', $master; }
});
is($k->collect($slow), 200, 'the in-flight request finishes on its old worker');
is(KairosTest::failures($load), 0, 'zero failed requests across three reloads under load')
	or diag explain $load;
ok(KairosTest::total($load) > 100, 'out of ' . KairosTest::total($load) . ' requests');
ok($k->wait_until(10, sub { my %o = map { $_ => 1 } @old; my @n = $k->worker_pids; @n == 2 && !grep { $o{$_} } @n }),
	'all workers are of the new generation afterwards');

# A configuration with mistakes is refused; nothing is replaced.
write_conf("KAIROS_MAX_BODY_BYTES=lots\nKAIROS_WORKERS=9999\n");
@old = $k->worker_pids;
kill 'HUP', $master;
ok($k->wait_until(5, sub { $k->slurp('log/kairos.log') =~ /"msg":"reload refused"/ }), 'a bad configuration is refused');
my $log = $k->slurp('log/kairos.log');
like($log, qr/KAIROS_MAX_BODY_BYTES \(\S+ line 1\): \\"lots\\" is not a whole number/, 'naming the first bad key and line');
like($log, qr/KAIROS_WORKERS \(\S+ line 2\): 9999 is outside 0\.\.256/, 'and the second');
sleep 0.5;
is_deeply([$k->worker_pids], \@old, 'the running workers stay');
is($k->post_json('/_debug/echo', $body)->{status}, 200, 'with the last good configuration');

# The pool size comes from the file too (the environment would win over it, so restart
# the master without KAIROS_WORKERS in its environment), and a reload can change it.
write_conf("KAIROS_MAX_BODY_BYTES=8192\nKAIROS_WORKERS=3\n");
$k->stack('serve-stop', $k->dir);
$k->{workers} = '';
$k->stack('serve-start', $k->dir);
$master = $k->serve_pid;
ok($k->wait_until(5, sub { $k->worker_pids == 3 }), 'KAIROS_WORKERS from the file: 3 workers');
write_conf("KAIROS_MAX_BODY_BYTES=8192\nKAIROS_WORKERS=1\n");
kill 'HUP', $master;
ok($k->wait_until(10, sub { $k->worker_pids == 1 }), 'a reload can shrink the pool to 1');
is($k->get('/healthz')->{status}, 200, 'which still serves');
$k->finish;
done_testing;
