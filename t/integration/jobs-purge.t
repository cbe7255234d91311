#!/usr/bin/env perl
# Retention of the job queue (jobs-purge, src/jobs/queue.c jobs_purge_done, 0022): a runner
# whose clock is set 31 days ahead (KAIROS_TEST_CLOCK; KAIROS_JOBS_KEEP_DAYS is 30 by
# default) deletes the done jobs that finished over 30 days before its clock, and only
# those: done jobs finished within the 30 days, dead jobs, queued jobs and a running one
# stay, whatever their timestamps say. It deletes in statements of 5,000 rows and at most 20
# of them a run (the rest goes the next run). A sent message's record (notifications) stays
# when its job goes, and its event key still refuses the same event; a dedupe key still
# refuses a repeat while its job is kept, and only then (docs/jobs.md).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use POSIX qw(strftime);
use Test::More;

my $BATCH = 5000;	# JOBS_PURGE_BATCH
my $MAX_BATCHES = 20;	# JOBS_PURGE_MAX_BATCHES

my $k = KairosTest->start(workers => 1, env => { KAIROS_SCHEDULE_TEST_TASKS => 'true' });
my $dir = $k->dir;
my $psql = sub { my $v = `psql -h $dir/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
sub jobs { my ($rc, $out) = $k->kairos('jobs', @_); return ($rc, $out) }
sub enqueue { my ($rc, $out) = jobs('--enqueue', @_); my ($id) = $out =~ /queued ([0-9a-f-]{36})/; return $id }
my $status = sub { $psql->("SELECT coalesce((SELECT status FROM jobs WHERE id = '$_[0]'), 'gone')") };
# The "task finished" lines of jobs-purge in a log, in order.
sub purges {
	my ($log) = @_;
	return grep { /"msg":"task finished"/ && /jobs-purge due/ } split /\n/, $k->slurp("log/$log");
}

# ---- jobs, run to their end by the stack's runner (its clock: the real one) ----
ok($k->wait_until(20, sub { purges('jobs.log') >= 1 }), 'jobs-purge runs when a runner starts (hourly)');
like((purges('jobs.log'))[0], qr/removed 0 done jobs finished over 30 days ago in 1 batch\b/,
	'nothing to remove yet, and the default retention is 30 days');
my %j = (
	old       => enqueue('test.sleep', '{"ms": 1}'),
	old_key   => enqueue('test.sleep', '{"ms": 1}', '--key', 'old-key'),
	young     => enqueue('test.sleep', '{"ms": 1}'),
	young_key => enqueue('test.sleep', '{"ms": 1}', '--key', 'young-key'),
	dead      => enqueue('test.permanent', '{}', '--key', 'dead-key'),
);
my $r = $k->post_json('/_debug/notify', { event => 'purge-msg', channel => 'sms', to => '+61400000055', body => 'hello' });
is($r->{status}, 200, 'a message is queued');
my $msg = $psql->("SELECT id FROM notifications WHERE event_key = 'purge-msg'");
ok($k->wait_until(30, sub { !grep { $status->($_) !~ /^(done|dead)$/ } values(%j), $msg }),
	'the runner finishes them: done, and the refused one dead');
is($psql->("SELECT status FROM notifications WHERE id = '$msg'"), 'sent', 'the message was sent (outbox provider)');
is($status->($j{dead}), 'dead', 'test.permanent is a dead letter');

# Finished "29 days before the forward clock": 2 days after now.
$psql->("UPDATE jobs SET finished_at = now() + interval '2 days' WHERE id IN ('$j{young}', '$j{young_key}')");
# A queued job due later and one running on another runner (its lease still live on the
# clock 31 days ahead): never purged, even with a finished_at as old as the rest (the purge
# goes by status, not by time alone).
my $queued = $psql->("INSERT INTO jobs (kind, run_at, finished_at) VALUES ('test.sleep', now() + interval '100 days',"
	. " now() - interval '1 day') RETURNING id");
my $running = $psql->("INSERT INTO jobs (kind, attempts, leased_by, lease_until, finished_at) VALUES ('test.sleep', 1,"
	. " 'elsewhere:1', now() + interval '40 days', now() - interval '1 day') RETURNING id");
($queued) = $queued =~ /([0-9a-f-]{36})/;
($running) = $running =~ /([0-9a-f-]{36})/;
ok($queued && $running, 'a queued and a running job') or diag "$queued / $running";
# Two batches and one row: three statements.
$psql->("INSERT INTO jobs (kind, status, finished_at) SELECT 'test.bulk', 'done', now() - interval '1 day'"
	. " FROM generate_series(1, 2 * $BATCH + 1)");
my $old_done = $psql->("SELECT count(*) FROM jobs WHERE status = 'done' AND finished_at < now() + interval '1 day'");
is($old_done, 2 * $BATCH + 1 + 3, 'old done jobs: the bulk ones, two of ours and the message\'s');

# ---- the clock 31 days ahead: a runner of its own ----
is($k->stack('jobs-stop', $dir), 0, "the stack's runner stops");
# 31 days and half an hour: `--run-now` below sets the due time by the real clock, and an
# hourly task's next run keeps that phase; a whole number of hours ahead would make the
# next run due within a second of the last one's end.
my $ahead = strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time + 31 * 86400 + 1800));
my $runner = do { local $k->{env}{KAIROS_TEST_CLOCK} = $ahead; $k->spawn_kairos('jobs-ahead.log', 'jobs') };
ok($k->wait_until(60, sub { purges('jobs-ahead.log') >= 1 }), "a runner at $ahead runs jobs-purge");
my ($line) = purges('jobs-ahead.log');
like($line, qr/removed $old_done done jobs finished over 30 days ago in 3 batches(?!;)/,
	"it removed the $old_done old done jobs in 3 statements of at most $BATCH");
is($status->($j{old}), 'gone', 'an old done job is gone');
is($status->($msg), 'gone', "so is the sent message's job");
is($psql->("SELECT count(*) FROM jobs WHERE kind = 'test.bulk'"), 0, 'and every bulk one');
is($status->($j{young}), 'done', 'a done job that finished 29 days before the clock stays');
is($status->($j{dead}), 'dead', 'a dead job stays (it waits for an admin)');
is($status->($queued), 'queued', 'a queued job stays');
is($status->($running), 'queued', 'a running job stays');
is($psql->("SELECT leased_by FROM jobs WHERE id = '$running'"), 'elsewhere:1', '... its lease untouched');

# ---- what reads a done job after it is gone ----
is($psql->("SELECT status FROM notifications WHERE id = '$msg'"), 'sent', "the message's record stays");
my ($rc, $out) = $k->kairos('outbox', 'list', '--to', '+61400000055');
like($out, qr/\Q$msg\E\s+sms\s+\+61400000055\s+sent\s+attempts=0 purge-msg/,
	'kairos outbox list still lists it (its attempts went with its job: 0)');
$r = $k->post_json('/_debug/notify', { event => 'purge-msg', channel => 'sms', to => '+61400000055', body => 'hello' });
ok(!KairosTest::json($r)->{created}, 'the same event again queues no second message (the event key is the message\'s)');
is($psql->("SELECT count(*) FROM notifications WHERE event_key = 'purge-msg'"), 1, '... one row');
($rc, $out) = jobs('--enqueue', 'test.sleep', '{"ms": 1}', '--key', 'young-key');
like($out, qr/already queued/, 'a dedupe key whose done job is kept still refuses a repeat');
($rc, $out) = jobs('--enqueue', 'test.permanent', '{}', '--key', 'dead-key');
like($out, qr/already queued/, "so does a dead job's");
($rc, $out) = jobs('--enqueue', 'test.sleep', '{"ms": 1}', '--key', 'old-key');
like($out, qr/queued [0-9a-f-]{36}/, 'the key of a purged job is free again: the promise lasts KAIROS_JOBS_KEEP_DAYS after the job is done');
my ($again) = $out =~ /queued ([0-9a-f-]{36})/;

# ---- a run deletes at most 20 batches; the next run goes on ----
my $cap = $BATCH * $MAX_BATCHES;
ok($k->wait_until(20, sub { $psql->("SELECT count(*) FROM jobs WHERE status = 'queued' AND kind = 'test.sleep'"
	. " AND id <> '$running' AND run_at < now() + interval '1 day'") == 0 }), 'the new old-key job ran');
$psql->("INSERT INTO jobs (kind, status, finished_at) SELECT 'test.bulk', 'done', now() - interval '1 day'"
	. " FROM generate_series(1, $cap + 8)");
# the bulk rows; not the old-key job, which the runner finished by its own clock, 31 days on
my $due = $psql->("SELECT count(*) FROM jobs WHERE status = 'done' AND finished_at < now() + interval '1 day'");
is($due, $cap + 8, "$cap + 8 old done jobs");
is($psql->("SELECT finished_at > now() + interval '30 days' FROM jobs WHERE id = '$again'"), 't',
	'the old-key job finished on the runner\'s clock, 31 days ahead (the queue stamps by the clock)');
($rc) = jobs('--run-now', 'jobs-purge');
is($rc, 0, 'kairos jobs --run-now jobs-purge');
ok($k->wait_until(120, sub { purges('jobs-ahead.log') >= 2 }), 'it runs again');
like((purges('jobs-ahead.log'))[1], qr/removed $cap done jobs .* in $MAX_BATCHES batches; more remain/,
	"a run stops after $MAX_BATCHES batches ($cap rows) and says more remain");
is($psql->("SELECT count(*) FROM jobs WHERE status = 'done' AND finished_at < now() + interval '1 day'"), 8,
	'8 left for the next run (the oldest went first)');
jobs('--run-now', 'jobs-purge');
ok($k->wait_until(60, sub { purges('jobs-ahead.log') >= 3 }), 'which takes them');
like((purges('jobs-ahead.log'))[2], qr/removed 8 done jobs .* in 1 batch(?!;)/, '8 in one batch');
is($psql->("SELECT count(*) FROM jobs WHERE kind = 'test.bulk'"), 0, 'none left');
is($status->($j{young}) . $status->($j{dead}) . $status->($queued) . $status->($again), 'donedeadqueueddone',
	'the kept ones are still kept, the old-key job too (young by the clock)');

kill 'TERM', $runner;
waitpid $runner, 0;
$k->finish;
done_testing;
