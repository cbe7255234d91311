#!/usr/bin/env perl
# The job queue decides by the settable wall clock (issue 12, item 6; src/jobs/queue.c,
# DB_NOW), not PostgreSQL's now(): a job due in an hour, a lease left by a runner killed
# mid-job and a failure's backoff each end when the clock moves past them, with no sleeping;
# and `kairos jobs --list` counts due, later and running jobs by the same clock. Every
# clock here is 30 days ahead of the database's, so a decision that read now() fails a test:
# no job would come due, no lease or backoff would end. A message queued by a worker whose
# clock is set back is sent by a runner at that clock, its row stamped by it throughout.
#
# A runner keeps the clock it started with (KAIROS_TEST_CLOCK), so moving the clock is
# starting the next runner at a later one; one runner at a time, the stack's own stopped.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 1, env => { KAIROS_SCHEDULE_TEST_TASKS => 'true' });
my $dir = $k->dir;
my $psql = sub { my $v = `psql -h $dir/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
is($k->stack('jobs-stop', $dir), 0, "the stack's runner stops: this test runs its own");

my $T = int(time) + 30 * 86400;
my $HOLD_LEASE = 600;	# test.hold's lease (JOBS_TEST_HOLD_LEASE_SECONDS)
my $LOG = 'jobs-clock.log';

# A job queued by hand: its id.
sub queue {
	my ($kind, $payload, $run_at) = @_;
	$payload =~ s/"/\\"/g;	# inside the shell's double quotes
	my $out = $psql->("INSERT INTO jobs (kind, payload, run_at) VALUES ('$kind', '$payload', to_timestamp($run_at)) RETURNING id");
	my ($id) = $out =~ /([0-9a-f-]{36})/ or BAIL_OUT("cannot queue a $kind job: $out");
	return $id;
}
my $row = sub { [ split /\|/, $psql->("SELECT status, attempts, coalesce(leased_by, ''),"
	. " coalesce(floor(extract(epoch FROM lease_until))::bigint, 0), floor(extract(epoch FROM run_at))::bigint"
	. " FROM jobs WHERE id = '$_[0]'"), -1 ] };
# `kairos jobs --list` at clock $t: kind => [due, later, running, done, dead].
sub counts {
	my ($t) = @_;
	local $k->{env}{KAIROS_TEST_CLOCK} = $t;
	my ($rc, $out) = $k->kairos('jobs', '--list');
	my %c;
	$c{$1} = [ $2, $3, $4, $5, $6 ] while $out =~ /^(test\.\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/mg;
	return \%c;
}
sub runner_at {
	my ($t) = @_;
	local $k->{env}{KAIROS_TEST_CLOCK} = $t;
	return $k->spawn_kairos($LOG, 'jobs');
}
# The runner's log lines about one job.
sub lines_of {
	my ($id, $msg) = @_;
	return grep { /"msg":"\Q$msg\E"/ && /\Q$id\E/ } split /\n/, $k->slurp("log/$LOG");
}
# One runner at clock $t runs what is due to it, then stops. It takes a marker job due since
# 1970 first (the claim takes the earliest due first); once the marker is done and the
# runner's connection sits idle after asking when the next job is due, its pass is over and
# whatever it found due it has claimed.
sub run_pass {
	my ($t) = @_;
	my $marker = queue('test.sleep', '{"ms": 1}', 0);
	my $since = $psql->("SELECT clock_timestamp()");
	my $pid = runner_at($t);
	my $ok = $k->wait_until(30, sub { $row->($marker)->[0] eq 'done' })
		&& $k->wait_until(30, sub { $psql->("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle'"
			. " AND backend_start > '$since' AND query LIKE '%min(greatest(run_at, lease_until))%'") > 0 });
	kill 'TERM', $pid;
	waitpid $pid, 0;
	return $ok;
}

# ---- a job due in an hour: not claimed now, claimed once the clock is an hour on ----
my $later = queue('test.sleep', '{"ms": 1}', $T + 3600);
is_deeply([ @{ counts($T)->{'test.sleep'} }[0 .. 2] ], [0, 1, 0], "at T, kairos jobs --list counts it later, not due");
ok(run_pass($T), 'a runner at T ends its pass');
is_deeply([ @{ $row->($later) }[0, 1] ], ['queued', 0], '... without claiming the job due at T + 1 h');
ok(run_pass($T + 3599), 'a runner at T + 3599 s');
is($row->($later)->[1], 0, '... does not claim it either');
is_deeply([ @{ counts($T + 3601)->{'test.sleep'} }[0 .. 2] ], [1, 0, 0], 'at T + 3601 s --list counts it due');
ok(run_pass($T + 3601), 'a runner at T + 3601 s');
is_deeply([ @{ $row->($later) }[0, 1] ], ['done', 1], '... runs it: done at the first attempt');
is($psql->("SELECT run_at > now() FROM jobs WHERE id = '$later'"), 't',
	"though by the database's now() it is not due for 30 days: the claim read the clock");

# ---- a runner killed mid-job: its lease holds until the clock passes lease_until ----
my $T2 = $T + 2 * 3600;
my $held = queue('test.hold', '{"ms": 10000, "slow_attempts": 1}', $T2);
my $victim = runner_at($T2);
ok($k->wait_until(30, sub { lines_of($held, 'test job started') == 1 }), 'a runner at T2 starts a test.hold job (10 s)');
kill 'KILL', $victim;
waitpid $victim, 0;
my $r = $row->($held);
is_deeply([ @$r[0, 1] ], ['queued', 1], 'killed with SIGKILL mid-job: the job stays queued, 1 attempt');
like($r->[2], qr/:$victim$/, '... leased by the dead runner');
cmp_ok($r->[3], '>=', $T2 + $HOLD_LEASE, "its lease ends $HOLD_LEASE s after the claim on the runner's clock");
cmp_ok($r->[3], '<', $T2 + $HOLD_LEASE + 60, '... (not on the database\'s, 30 days earlier)');
is_deeply([ @{ counts($T2 + 300)->{'test.hold'} }[0 .. 2] ], [0, 0, 1], 'at T2 + 300 s --list counts it running, not due');
ok(run_pass($T2 + 300), 'a second runner at T2 + 300 s, before the lease ends');
$r = $row->($held);
is_deeply([ @$r[0, 1] ], ['queued', 1], '... does not take it');
like($r->[2], qr/:$victim$/, '... the dead runner still holds it');
my $after = $r->[3] + 1;
is_deeply([ @{ counts($after)->{'test.hold'} }[0 .. 2] ], [1, 0, 0], 'one second past lease_until --list counts it due');
ok(run_pass($after), 'a runner one second past lease_until');
is_deeply([ @{ $row->($held) }[0, 1] ], ['done', 2], '... takes it and finishes it: done at the second attempt');
my @starts = sort { ($a =~ /attempt (\d+)/)[0] <=> ($b =~ /attempt (\d+)/)[0] } lines_of($held, 'test job started');
is(scalar @starts, 2, 'started twice: by the killed runner and by the one past the lease');
my ($c2) = ($starts[1] // '') =~ /claimed ([\d.]+)/;
my ($l1) = ($starts[0] // '') =~ /lease until ([\d.]+)/;
cmp_ok($c2 // 0, '>=', $l1 // 'inf', 'the second claim came after the first lease ended, on one clock');

# ---- a failure's backoff ends by the clock ----
my $T3 = $T2 + 2 * 3600;
my $failing = queue('test.fail', '{"fail": 1, "retry_after": 3600}', $T3);
ok(run_pass($T3), 'a runner at T3 runs a test.fail job that fails once and asks for 3600 s');
$r = $row->($failing);
is_deeply([ @$r[0, 1] ], ['queued', 1], '... failed at the first attempt, queued again');
cmp_ok($r->[4], '>=', $T3 + 3600, 'due again 3600 s after the failure by the clock');
cmp_ok($r->[4], '<', $T3 + 3600 + 60, "... (not by the database's)");
like((lines_of($failing, 'job retry'))[0] // '', qr/again in 3600 s/, 'the runner logged the retry in 3600 s');
is_deeply([ @{ counts($T3 + 1800)->{'test.fail'} }[0 .. 2] ], [0, 1, 0], 'at T3 + 1800 s --list counts it later');
ok(run_pass($T3 + 1800), 'a runner at T3 + 1800 s, within the backoff');
is($row->($failing)->[1], 1, '... does not claim it');
my $due = $r->[4] + 1;
is_deeply([ @{ counts($due)->{'test.fail'} }[0 .. 2] ], [1, 0, 0], 'past its run_at --list counts it due');
ok(run_pass($due), 'a runner past its run_at');
is_deeply([ @{ $row->($failing) }[0, 1] ], ['done', 2], '... claims it: done at the second attempt');

# ---- a dead letter retried is due at once by the clock that retried it ----
my $dead = queue('test.permanent', '{}', $T3);
ok(run_pass($due), 'a runner at the last clock makes a test.permanent job dead');
is($row->($dead)->[0], 'dead', '... dead');
{
	local $k->{env}{KAIROS_TEST_CLOCK} = $due;
	my ($rc) = $k->kairos('jobs', '--retry', $dead);
	is($rc, 0, 'kairos jobs --retry at that clock');
}
my $run_at = $row->($dead)->[4];
ok($run_at >= $due && $run_at < $due + 60, "... queues it again due at that clock ($run_at)");
ok(run_pass($due + 60), 'a runner a minute later');
is_deeply([ @{ $row->($dead) }[0, 1] ], ['dead', 1], '... runs it again (dead again, 1 fresh attempt)');

# ---- a message queued at a clock set back is due at that clock, and its row keeps it ----
# (0023: a message's job is due at the message's created_at, which notify writes from the
# clock; by the database's now() it would not be due for 30 days.)
my $P = int(time) - 30 * 86400;
is($k->request('POST', "/_debug/clock?at=$P")->{status}, 200, "the workers' clock set 30 days back");
$r = $k->post_json('/_debug/notify', { event => 'clock-msg', channel => 'sms', to => '+61400000077', body => 'hello' });
is($r->{status}, 200, 'a message queued at that clock');
my $msg = $psql->("SELECT id FROM notifications WHERE event_key = 'clock-msg'");
my $epoch = sub { my ($table, $col) = @_; $psql->("SELECT floor(extract(epoch FROM $col))::bigint FROM $table WHERE id = '$msg'") };
my $in = sub { my ($v) = @_; $v =~ /^\d+$/ && $v >= $P && $v < $P + 120 };
ok($in->($epoch->('notifications', 'created_at')), 'its created_at is the clock\'s');
ok($in->($epoch->('jobs', 'run_at')), 'so is its job\'s run_at');
{
	my $pid = runner_at($P + 60);
	ok($k->wait_until(30, sub { $psql->("SELECT status FROM notifications WHERE id = '$msg'") eq 'sent' }),
		'a runner a minute on sends it');
	kill 'TERM', $pid;
	waitpid $pid, 0;
}
ok($in->($epoch->('notifications', $_)), "the message's $_ is on the same clock") for qw(sent_at updated_at);
ok($in->($epoch->('jobs', $_)), "its job's $_ too") for qw(finished_at updated_at);
is($k->request('POST', '/_debug/clock?real=1')->{status}, 200, 'the real clock back');

$k->finish;
done_testing;
