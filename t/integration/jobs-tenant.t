#!/usr/bin/env perl
# Tenant jobs run under row-level security (src/jobs/queue.c, jobs_run_one; docs/jobs.md,
# "Tenancy"): a job of an organisation runs its handler on the application role's connection
# (kairos_web here, as requests do) in a transaction for that organisation, so it sees only
# its organisation's rows and cannot write another's; its work commits only when it is done,
# and a failure rolls it back. Only a platform kind runs a job without an organisation, as the
# tables' owner; an organisation's kind without one is refused at enqueue, and one queued by
# SQL is a dead letter without running. A runner whose application role bypasses row-level
# security runs no organisation's job. And modules register their kinds: `kairos jobs
# --kinds` lists every kind of the build, notify's among them.
#
# The kinds: test.tenant (an organisation's) and test.system (platform work) share a handler
# that logs what it sees of the jobs table ("test job saw": rows, organisations, system jobs,
# role), then may queue a test.sleep job under payload.key for payload.org (its own by
# default) and fail after it (payload.then "fail") or claim success despite a refused write
# ("ignore").
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 1, env => { KAIROS_SCHEDULE_TEST_TASKS => 'true' });
my $dir = $k->dir;
my $psql = sub { my $v = `psql -h $dir/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
sub jobs { my ($rc, $out) = $k->kairos('jobs', @_); return ($rc, $out) }
sub enqueue { my ($rc, $out) = jobs('--enqueue', @_); my ($id) = $out =~ /queued ([0-9a-f-]{36})/; return $id }
my $row = sub { [ split /\|/, $psql->("SELECT status, attempts, coalesce(last_error, '') FROM jobs WHERE id = '$_[0]'"), -1 ] };
my $keyed = sub { $psql->("SELECT count(*) FROM jobs WHERE dedupe_key = '$_[0]'") };
sub lines_of { $k->job_log_lines(@_) }
my $saw = sub { my ($l) = lines_of($_[0], 'test job saw'); $l && $l =~ /saw (\d+) jobs of (\d+) organisations and (\d+) system jobs as (\w+)/ ? [$1, $2, $3, $4] : undef };

# ---- the build's kinds, registered by their modules ----
my ($rc, $out) = jobs('--kinds');
is($rc, 0, 'kairos jobs --kinds');
like($out, qr/^notify\.send\s+notify\s+org\s+8\s+60 s\s+5\.\.3600 s\s+Send a message/m, "notify's kind, registered by notify, an organisation's");
like($out, qr/^test\.tenant\s+jobs\s+org\s/m, 'test.tenant: an organisation\'s');
like($out, qr/^test\.system\s+jobs\s+platform\s/m, 'test.system: platform work');
is(scalar(() = $out =~ /^(?:notify|test)\.\S+\s+(?:notify|jobs)\s/mg), 8, 'all 8 kinds of the build with the test flag');
{	# notify.send's lease and backoff are settings: --kinds shows what a runner uses
	local $k->{env}{KAIROS_NOTIFY_LEASE_SECONDS} = 90;
	local $k->{env}{KAIROS_NOTIFY_BACKOFF_SECONDS} = 7;
	($rc, $out) = jobs('--kinds');
	like($out, qr/^notify\.send\s+notify\s+org\s+8\s+90 s\s+7\.\.3600 s\s/m, "notify.send's lease and backoff from KAIROS_NOTIFY_LEASE_SECONDS and _BACKOFF_SECONDS");
}
{
	local $k->{env}{KAIROS_SCHEDULE_TEST_TASKS} = 'false';
	($rc, $out) = jobs('--kinds');
	like($out, qr/^notify\.send\s/m, 'without it: notify.send');
	unlike($out, qr/^test\./m, '... and no test kind');
}

# ---- two organisations, each with dead jobs (dead: no runner touches them), and a system one ----
my $a = $psql->("SELECT id FROM organisations WHERE is_default");
my ($b) = $psql->("INSERT INTO organisations (slug, name) VALUES ('other-clinic', 'Other') RETURNING id") =~ /([0-9a-f-]{36})/;
$psql->("INSERT INTO jobs (org_id, kind, dedupe_key, status, last_error) SELECT o, 'test.permanent', 'setup-' || g, 'dead', 'setup'"
	. " FROM (VALUES ('$a'::uuid, 2), ('$b'::uuid, 3), (NULL, 4)) v(o, n), generate_series(1, v.n) g");
my $count = sub { $psql->("SELECT count(*) FROM jobs WHERE " . ($_[0] ? "org_id = '$_[0]'" : 'true')) };
is($count->($a), 2, "organisation A has 2 jobs");
is($count->($b), 3, "organisation B has 3");

# ---- enqueue: an organisation's kind needs its organisation ----
($rc, $out) = jobs('--enqueue', 'test.tenant', '{}', '--key', 'no-org');
isnt($rc, 0, 'test.tenant without --org is refused');
like($out, qr/a job of kind test\.tenant is an organisation's: it needs its org_id/, '... saying why');
is($keyed->('no-org'), 0, '... and nothing is queued');
($rc, $out) = jobs('--enqueue', 'test.tenant', '{}', '--org', '00000000-0000-4000-8000-000000000001', '--key', 'forged-org');
is($rc, 1, 'an organisation that does not exist is refused');
like($out, qr/foreign key/, '... by the table');
($rc, $out) = jobs('--enqueue', 'test.tenant', '{}', '--org', 'not-a-uuid');
is($rc, 1, 'so is an org id that is no uuid');
is($keyed->('forged-org'), 0, '... nothing queued');
($rc, $out) = jobs('--kinds', 'extra');
is($rc, 2, 'kairos jobs --kinds takes no argument');
like($out, qr/usage: kairos jobs \[--list \| --kinds/, '... and says how it is used');

# ---- what a handler sees: its organisation's rows only, as the application role ----
my $ja = enqueue('test.tenant', '{}', '--org', $a, '--key', 'look-a');
my $jb = enqueue('test.tenant', '{}', '--org', $b, '--key', 'look-b');
ok($k->wait_until(30, sub { $row->($ja)->[0] eq 'done' && $row->($jb)->[0] eq 'done' }), "A's and B's jobs are done");
is_deeply($saw->($ja), [$count->($a), 1, 0, 'kairos_web'], "A's job saw A's " . $count->($a) . ' jobs (itself too), one organisation, no system job, as kairos_web');
is_deeply($saw->($jb), [$count->($b), 1, 0, 'kairos_web'], "B's job saw B's " . $count->($b) . ' jobs likewise');
my $js = enqueue('test.system', '{}', '--key', 'look-system');
ok($k->wait_until(30, sub { $row->($js)->[0] eq 'done' }), 'a platform kind\'s system job is done') or diag explain [$js, $row->($js), jobs('--dead')];
my $all = $saw->($js);
is_deeply([ @$all[1, 3] ], [2, 'kairos'], '... it ran as the tables\' owner and saw both organisations');
cmp_ok($all->[2], '>=', 5, '... and the system jobs (4 set up and itself)');
my $jsa = enqueue('test.system', '{}', '--org', $a, '--key', 'look-system-a');
ok($k->wait_until(30, sub { $row->($jsa)->[0] eq 'done' }), 'a platform kind\'s job for an organisation is done');
is_deeply([ @{ $saw->($jsa) }[1 .. 3] ], [1, 0, 'kairos_web'], '... under row-level security all the same');

# ---- writes: its own organisation's commit; another's is refused; a failure rolls back ----
my $w = enqueue('test.tenant', '{"key": "a-wrote"}', '--org', $a);
ok($k->wait_until(30, sub { $row->($w)->[0] eq 'done' }), 'a job that queues a job of its own organisation is done');
is($psql->("SELECT count(*) FROM jobs WHERE dedupe_key = 'a-wrote' AND org_id = '$a' AND kind = 'test.sleep'"), 1, '... and what it wrote committed');

my $cross = enqueue('test.tenant', qq({"key": "a-writes-b", "org": "$b"}), '--org', $a);
ok($k->wait_until(30, sub { $row->($cross)->[0] eq 'dead' }), "a job of A that writes a row of B is a dead letter");
is($row->($cross)->[1], 1, '... after 1 attempt');
like($row->($cross)->[2], qr/could not queue a job for \Q$b\E: .*row-level security/, '... refused by row-level security, the reason kept');
is($keyed->('a-writes-b'), 0, '... and no row of B was written');

my $fail = enqueue('test.tenant', '{"key": "rolled-back", "then": "fail"}', '--org', $a);
ok($k->wait_until(30, sub { $row->($fail)->[0] eq 'dead' }), 'a job that fails after writing is a dead letter');
like($row->($fail)->[2], qr/failed on purpose after writing/, '... with its reason');
is($keyed->('rolled-back'), 0, '... and what it wrote was rolled back');

my $ignore = enqueue('test.tenant', qq({"key": "ignored", "org": "$b", "then": "ignore"}), '--org', $a);
ok($k->wait_until(40, sub { $row->($ignore)->[0] eq 'dead' }), 'a job that says done after a refused write is not done');
is($row->($ignore)->[1], 4, '... retried until its 4 attempts were spent');
like($row->($ignore)->[2], qr/its work did not commit \(rolled back\)/, '... the commit refused each time');
like((lines_of($ignore, 'job retry'))[0] // '', qr/attempt 1 .*did not commit/, '... logged as a retry');
is($keyed->('ignored'), 0, '... nothing written');

# ---- an organisation's kind queued by SQL without one: dead, never run as the owner ----
my ($sql) = $psql->("INSERT INTO jobs (kind, dedupe_key) VALUES ('test.tenant', 'by-sql') RETURNING id") =~ /([0-9a-f-]{36})/;
ok($k->wait_until(30, sub { $row->($sql)->[0] eq 'dead' }), 'a test.tenant job without org_id, queued by SQL, is a dead letter');
like($row->($sql)->[2], qr/not run: test\.tenant is an organisation's kind and this job has no org_id/, '... with the reason');
is($saw->($sql), undef, '... its handler never ran');

# ---- notify.send, run in batches by notify, reads and records each message the same way ----
# A's and B's messages, one statement: one batch of two organisations, each sent and
# recorded in its own organisation's transaction (its communications row and audit entry
# are its organisation's, which row-level security would refuse otherwise).
my $msg = sub { [ split /\|/, $psql->("SELECT n.status, coalesce(n.provider, ''), coalesce(j.last_error, ''), coalesce(j.status, '')"
	. " FROM notifications n LEFT JOIN jobs j ON j.id = n.id WHERE n.event_key = '$_[0]'"), -1 ] };
$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text)"
	. " VALUES ('$a', 'tenant-a', 'sms', '+61400000001', 'to A'), ('$b', 'tenant-b', 'sms', '+61400000002', 'to B'); NOTIFY kairos_jobs");
ok($k->wait_until(30, sub { $msg->('tenant-a')->[0] eq 'sent' && $msg->('tenant-b')->[0] eq 'sent' }), "A's and B's messages are sent")
	or diag explain [$msg->('tenant-a'), $msg->('tenant-b')];
is($psql->("SELECT count(*) FROM communications c JOIN notifications n ON n.id = c.notification_id AND c.org_id = n.org_id"
	. " WHERE n.event_key IN ('tenant-a', 'tenant-b')"), 2, '... each with a communications row of its own organisation');
is($psql->("SELECT count(*) FROM audit_log l JOIN notifications n ON l.subject_id = n.id::text AND l.org_id = n.org_id"
	. " WHERE l.action = 'notification.sent' AND n.event_key IN ('tenant-a', 'tenant-b')"), 2, '... and an audit entry of its own');
# A message of A whose job says B (forged by SQL): B's transaction cannot see A's message, so
# it is a dead letter and is not sent. As the owner (before) the runner read and sent it.
$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text) VALUES ('$a', 'forged', 'sms', '+61400000003', 'to A');"
	. " UPDATE jobs SET org_id = '$b' WHERE id = (SELECT id FROM notifications WHERE event_key = 'forged'); NOTIFY kairos_jobs");
ok($k->wait_until(30, sub { $msg->('forged')->[3] eq 'dead' }), "a message of A whose job is B's is a dead letter") or diag explain $msg->('forged');
is_deeply([ @{ $msg->('forged') }[0, 1] ], ['queued', ''], '... never sent: its row untouched (B may not write it)');
like($msg->('forged')->[2], qr/the message is gone/, "... with the reason: B's transaction does not see it");

# A message whose row was recorded sent by a runner that died before recording its job (the
# two commits: the message's first) is sent again when its job runs again: recorded once
# more, keeping its one communications row, and its job done.
$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text) VALUES ('$a', 'resent', 'sms', '+61400000005', 'again');"
	. " INSERT INTO communications (org_id, notification_id, channel, recipient) SELECT org_id, id, channel, recipient FROM notifications WHERE event_key = 'resent';"
	. " NOTIFY kairos_jobs");
ok($k->wait_until(30, sub { $msg->('resent')->[3] eq 'done' }), 'a message recorded sent before its job is sent and done when its job runs again')
	or diag explain $msg->('resent');
is($msg->('resent')->[0], 'sent', '... its row sent');
is($psql->("SELECT count(*) FROM communications c JOIN notifications n ON n.id = c.notification_id WHERE n.event_key = 'resent'"), 1, '... with its one communications row');

# ---- a runner whose application role bypasses row-level security runs no organisation's job ----
is($k->stack('jobs-stop', $dir), 0, "the stack's runner stops");
my $owner_runner = do {
	local $k->{env}{KAIROS_DATABASE_URL} = "host=$dir/run dbname=kairos user=kairos";
	$k->spawn_kairos('jobs-owner.log', 'jobs');
};
my $sys2 = enqueue('test.system', '{}', '--key', 'system-as-owner');
ok($k->wait_until(30, sub { $row->($sys2)->[0] eq 'done' }), "a runner whose KAIROS_DATABASE_URL is the owner's runs platform work");
my $held = enqueue('test.tenant', '{}', '--org', $a, '--key', 'as-owner');
ok($k->wait_until(30, sub { $row->($held)->[2] =~ /bypasses row-level security/ }), "... but not A's job");
$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text) VALUES ('$a', 'as-owner', 'sms', '+61400000004', 'held'); NOTIFY kairos_jobs");
ok($k->wait_until(30, sub { $msg->('as-owner')->[2] =~ /bypasses row-level security/ }), "... nor A's message") or diag explain $msg->('as-owner');
is($msg->('as-owner')->[0], 'queued', '... which is not sent');
kill 'TERM', $owner_runner;	# at once: the job's retries (1-2 s apart) must not all be spent
waitpid $owner_runner, 0;
is($row->($held)->[0], 'queued', '... it waits, retried with the reason');
is($saw->($held), undef, '... its handler never ran');
like($k->slurp('log/jobs-owner.log'), qr/"msg":"organisations' jobs not run".*bypasses row-level security/, '... and the runner logs why');
is($k->stack('jobs-start', $dir), 0, "the stack's runner starts again");
ok($k->wait_until(30, sub { $row->($held)->[0] eq 'done' }), '... and runs it under row-level security');
ok($k->wait_until(30, sub { $msg->('as-owner')->[0] eq 'sent' }), '... and sends the message');
is(($saw->($held) // [])->[3], 'kairos_web', '... as kairos_web');

$k->finish;
done_testing;
