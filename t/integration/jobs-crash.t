#!/usr/bin/env perl
# The job queue's promise under fire (issue 12, item 3): runners are killed with SIGKILL again
# and again while they work through non-notify jobs, beside one runner that is never killed.
# Every other job is a system job of test.sleep (the owner's path: it logs each start with
# its runner, claim time and lease, then sleeps); the rest are an organisation's, of
# test.tenant-sleep (the tenant path: its handler runs on the application role's connection
# in a transaction for its organisation, marks the run with a row of that organisation,
# logs its start with its role, then sleeps; the mark commits only with a run recorded
# done). No job is lost: every one is done, and recorded done exactly once. None runs more
# often than the lease allows: a job started again only after the lease of its previous
# start ran out (both times on the runners' clock), every start that did not finish was a
# killed runner's, and as a runner holds one job at a time, the extra starts are at most one
# per kill. Each tenant start ran as kairos_web, and each tenant job left one mark, of its
# organisation, however often it ran.
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

my $org = $psql->("SELECT id FROM organisations WHERE is_default");
my $kinds = "kind IN ('test.sleep', 'test.tenant-sleep')";
# the two kinds alternate in the order they fall due, so kills land on both
$psql->("INSERT INTO jobs (kind, org_id, payload, dedupe_key, run_at)"
	. " SELECT CASE WHEN g % 2 = 0 THEN 'test.sleep' ELSE 'test.tenant-sleep' END,"
	. " CASE WHEN g % 2 = 0 THEN NULL ELSE '$org'::uuid END, jsonb_build_object('ms', $sleep_ms),"
	. " 'crash:' || g, now() - interval '1 hour' + g * interval '1 ms' FROM generate_series(1, $jobs) g");
my $tenant_jobs = $psql->("SELECT count(*) FROM jobs WHERE kind = 'test.tenant-sleep' AND org_id = '$org' AND status = 'queued'");
is($psql->("SELECT count(*) FROM jobs WHERE $kinds AND status = 'queued'"), $jobs,
	"$jobs jobs queued: test.sleep system jobs and, of them $tenant_jobs, an organisation's test.tenant-sleep");
cmp_ok($tenant_jobs, '>=', int($jobs / 2), '... half of them the tenant path\'s');

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
my $left = $psql->("SELECT count(*) FROM jobs WHERE $kinds AND status = 'queued'");
my $tenant_left = $psql->("SELECT count(*) FROM jobs WHERE kind = 'test.tenant-sleep' AND status = 'queued'");
ok($k->wait_until(120, sub { $psql->("SELECT count(*) FROM jobs WHERE $kinds AND status = 'done'") == $jobs }),
	"after $kills SIGKILLs of runners, all $jobs jobs are done");
kill 'TERM', $steady;
waitpid $steady, 0;
cmp_ok($left, '>', 0, "the kills landed while work was left ($left jobs queued after the last)");
cmp_ok($tenant_left, '>', 0, "... tenant jobs among them ($tenant_left)");

# What the logs say: each start (job, attempt, runner pid, claim, lease) and each "job done".
my (%starts, %done, %roles);
for my $log ("$dir/log/jobs-steady.log", "$dir/log/jobs-crash.log") {
	open my $fh, '<', $log or die "$log: $!";
	while (<$fh>) {
		if (/"msg":"test job started".*"detail":"(\S+) attempt (\d+) by \S+?:(\d+) claimed ([\d.]+) lease until ([\d.]+)(?: as (\w+))?"/) {
			push @{ $starts{$1} }, { attempt => $2, pid => $3, claimed => $4, lease => $5 };
			$roles{$6 // 'none'}++;
		} elsif (/"msg":"job done".*"detail":"test\.(?:tenant-)?sleep (\S+) attempt (\d+) by \S+?:(\d+) /) {
			push @{ $done{$1} }, { attempt => $2, pid => $3 };
		}
	}
}
# The rows: how many claims each job had, and which runner recorded it done (leased_by stays).
my (%attempts, %finisher, %tenant);
for (split /\n/, $psql->("SELECT id, attempts, leased_by, status, kind FROM jobs WHERE $kinds")) {
	my ($id, $n, $by, $status, $kind) = split /\|/;
	$attempts{$id} = $n;
	$tenant{$id} = 1 if $kind eq 'test.tenant-sleep';
	($finisher{$id}) = $by =~ /:(\d+)$/ if $status eq 'done';
}
is(scalar keys %finisher, $jobs, 'every job is recorded done');
my $tenant_starts = grep { $tenant{$_} } map { ($_) x @{ $starts{$_} } } keys %starts;
is($roles{kairos_web} // 0, $tenant_starts, "every tenant job's start ran as kairos_web ($tenant_starts starts)");
is($roles{none} // 0, (map { @{ $starts{$_} } } grep { !$tenant{$_} } keys %starts) + 0, '... and only those: test.sleep\'s system jobs log no role');
# each tenant job's mark: one per job however often it ran, of its organisation, none elsewhere
is($psql->("SELECT count(*) FROM jobs m JOIN jobs j ON m.dedupe_key = 'mark:' || j.id"
	. " WHERE m.kind = 'test.hold' AND j.kind = 'test.tenant-sleep' AND m.org_id = j.org_id"), $tenant_jobs,
	"each tenant job's work committed once, in its organisation ($tenant_jobs marks)");
is($psql->("SELECT count(*) FROM jobs WHERE kind = 'test.hold'"), $tenant_jobs, '... and no other mark');
my $tenant_extra = 0;
$tenant_extra += @{ $starts{$_} // [] } - 1 for grep { $tenant{$_} } keys %attempts;
diag "tenant jobs started again after a kill: $tenant_extra";
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
