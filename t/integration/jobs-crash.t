#!/usr/bin/env perl
# The job queue's promise under fire (issue 12, item 3): runners are killed with SIGKILL again
# and again while they work through a non-notify kind (test.sleep: it logs each start with its
# runner, claim time and lease, then sleeps), beside one runner that is never killed. No job
# is lost: every one is done, and recorded done exactly once. None runs more often than the
# lease allows: a job started again only after the lease of its previous start ran out (both
# times on the runners' clock), every start that did not finish was a killed runner's, and
# as a runner holds one job at a time, the extra starts are at most one per kill.
# CRASH_JOBS, CRASH_KILLS and CRASH_SLEEP_MS size it (defaults 200, 15, 100).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;
use Time::HiRes qw(sleep time);

my $jobs = $ENV{CRASH_JOBS} // 200;
my $kills = $ENV{CRASH_KILLS} // 15;
my $sleep_ms = $ENV{CRASH_SLEEP_MS} // 100;
my $k = KairosTest->start(workers => 1, env => { KAIROS_SCHEDULE_TEST_TASKS => 'true' });
my $dir = $k->dir;
my $psql = sub { my $v = `psql -h $dir/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
$k->stack('jobs-stop', $dir);	# this test runs (and kills) its own runners

$psql->("INSERT INTO jobs (kind, payload, dedupe_key) SELECT 'test.sleep', jsonb_build_object('ms', $sleep_ms), 'crash:' || g FROM generate_series(1, $jobs) g");
is($psql->("SELECT count(*) FROM jobs WHERE kind = 'test.sleep' AND status = 'queued'"), $jobs, "$jobs test.sleep jobs queued");

my $t0 = time;
my $steady = $k->spawn_kairos('jobs-steady.log', 'jobs');
my %killed;
for my $i (1 .. $kills) {
	my $pid = $k->spawn_kairos('jobs-crash.log', 'jobs');
	sleep 0.3 + rand 0.4;
	kill 'KILL', $pid;
	waitpid $pid, 0;
	$killed{$pid} = 1;
}
my $left = $psql->("SELECT count(*) FROM jobs WHERE kind = 'test.sleep' AND status = 'queued'");
ok($k->wait_until(120, sub { $psql->("SELECT count(*) FROM jobs WHERE kind = 'test.sleep' AND status = 'done'") == $jobs }),
	"after $kills SIGKILLs of runners, all $jobs jobs are done");
kill 'TERM', $steady;
waitpid $steady, 0;
cmp_ok($left, '>', 0, "the kills landed while work was left ($left jobs queued after the last)");

# What the logs say: each start (job, attempt, runner pid, claim, lease) and each "job done".
my (%starts, %done);
for my $log ("$dir/log/jobs-steady.log", "$dir/log/jobs-crash.log") {
	open my $fh, '<', $log or die "$log: $!";
	while (<$fh>) {
		if (/"msg":"test job started".*"detail":"(\S+) attempt (\d+) by \S+?:(\d+) claimed ([\d.]+) lease until ([\d.]+)"/) {
			push @{ $starts{$1} }, { attempt => $2, pid => $3, claimed => $4, lease => $5 };
		} elsif (/"msg":"job done".*"detail":"test\.sleep (\S+) attempt (\d+) by \S+?:(\d+) /) {
			push @{ $done{$1} }, { attempt => $2, pid => $3 };
		}
	}
}
# The rows: how many claims each job had, and which runner recorded it done (leased_by stays).
my (%attempts, %finisher);
for (split /\n/, $psql->("SELECT id, attempts, leased_by, status FROM jobs WHERE kind = 'test.sleep'")) {
	my ($id, $n, $by, $status) = split /\|/;
	$attempts{$id} = $n;
	($finisher{$id}) = $by =~ /:(\d+)$/ if $status eq 'done';
}
is(scalar keys %finisher, $jobs, 'every job is recorded done');
# A runner killed between recording and logging leaves no "job done" line: at most one a kill.
is((grep { @{ $done{$_} } > 1 } keys %done), 0, 'no job was recorded done twice (one "job done" line at most)');
cmp_ok($jobs - keys %done, '<=', $kills, 'the "job done" lines missing are at most one per kill');
is((grep { $done{$_} && $done{$_}[0]{pid} != $finisher{$_} } keys %done), 0, 'each was logged by the runner the row names');
my ($extra, $most, $early, $abandoned_by_survivor, $unlogged) = (0, 0, 0, 0, 0);
for my $id (keys %attempts) {
	my @s = sort { $a->{attempt} <=> $b->{attempt} } @{ $starts{$id} // [] };
	$extra += @s - 1;
	$most = @s if @s > $most;
	$unlogged += $attempts{$id} - @s;	# claimed, then killed before its first log line
	for my $i (1 .. $#s) {
		$early++ if $s[$i]{claimed} < $s[$i - 1]{lease};
	}
	# every start but the one that finished was a killed runner's
	# (the finishing one is the last claim, by the runner the row names)
	$abandoned_by_survivor += grep { !($_->{attempt} == $attempts{$id} && $_->{pid} == ($finisher{$id} // -1))
		&& !$killed{ $_->{pid} } } @s;
}
is($early, 0, 'no job started again before the lease of its previous start ran out');
is($abandoned_by_survivor, 0, 'every start that did not finish was a killed runner\'s');
cmp_ok($extra, '<=', $kills, "extra starts: $extra, at most one per kill ($kills)");
cmp_ok($unlogged, '<=', $kills, "claims without a start (killed in between): $unlogged");
cmp_ok($unlogged, '>=', 0, 'and no start without its claim');
cmp_ok($most, '<=', 1 + $kills, "no job started more than once plus once per kill (most: $most)");
diag sprintf('%d jobs, %d kills, %d extra starts (re-runs after a kill), %d claims lost to a kill before the start, drained in %.1f s',
	$jobs, $kills, $extra, $unlogged, time - $t0);
$k->finish;
done_testing;
