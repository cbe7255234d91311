#!/usr/bin/env perl
# `kairos jobs --dead [--limit N] [--after ID]` (src/jobs/jobs.c): the operator's list of
# dead jobs of every kind — system and clinics' jobs, and dead messages (notify.send) with
# what /admin/messages shows of them (channel, recipient, event, last error) and how to
# retry them — newest first, a page at a time; bad options are usage errors.
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
my $org = $psql->("SELECT id FROM organisations WHERE is_default");

my ($rc, $out) = jobs('--dead');
is($rc, 0, 'kairos jobs --dead with nothing dead');
like($out, qr/^\(no dead jobs\)$/m, '... says so');

# A system job and a clinic's job that failed for good, and a dead message (its job and its
# row dead together, as notify records them; committed at once so no runner sends it).
my $system = enqueue('test.permanent', '{}', '--key', 'system-refused');
my $clinic = enqueue('test.permanent', '{}', '--key', 'clinic-refused', '--org', $org);
ok($k->wait_until(20, sub { $psql->("SELECT count(*) FROM jobs WHERE status = 'dead'") == 2 }), 'two jobs die');
$psql->("BEGIN; INSERT INTO notifications (org_id, event_key, channel, recipient, body_text)"
	. " VALUES ('$org', 'appt:42:confirm', 'sms', '+61400000077', 'secret body text');"
	. " UPDATE jobs SET status = 'dead', attempts = 8, last_error = 'twilio 400', finished_at = now(), updated_at = now()"
	. "  WHERE id = (SELECT id FROM notifications WHERE event_key = 'appt:42:confirm');"
	. " UPDATE notifications SET status = 'dead', last_error = 'twilio 400: The To number is not a valid phone number'"
	. "  WHERE event_key = 'appt:42:confirm'; COMMIT");
my $msg = $psql->("SELECT id FROM notifications WHERE event_key = 'appt:42:confirm'");
like($msg, qr/^[0-9a-f-]{36}$/, 'a dead message');

($rc, $out) = jobs('--dead');
is($rc, 0, 'kairos jobs --dead');
my @lines = grep { /^[0-9a-f-]{36}  / } split /\n/, $out;
is(scalar @lines, 3, 'lists the three dead jobs') or diag $out;
like($out, qr/^\Q$system\E  \d{4}-\d\d-\d\d \d\d:\d\d UTC  test\.permanent  org -  key system-refused  1 attempts  refused on purpose/m,
	'a system job, with its kind, key, attempts and reason');
like($out, qr/^\Q$clinic\E  .*test\.permanent  org \Q$org\E  key clinic-refused  1 attempts/m, "a clinic's job, with its organisation");
like($out, qr/^\Q$msg\E  .*  notify\.send  org \Q$org\E  sms to \+61400000077  event appt:42:confirm  8 attempts  twilio 400: The To number is not a valid phone number  \(retry: kairos outbox retry \Q$msg\E\)$/m,
	"a dead message, as /admin/messages shows it: channel, recipient, event, attempts, the message's last error, and how to retry it");
unlike($out, qr/secret body text/, 'never its text');
like($lines[0], qr/^\Q$msg\E/, 'newest first');

# ---- paging ----
($rc, $out) = jobs('--dead', '--limit', '2');
my @page1 = map { /^([0-9a-f-]{36})  / ? $1 : () } split /\n/, $out;
is(scalar @page1, 2, '--limit 2: two rows');
like($out, qr/^more: kairos jobs --dead --limit 2 --after \Q$page1[1]\E$/m, 'and how to see the next page');
($rc, $out) = jobs('--dead', '--after', $page1[1], '--limit', '2');
my @page2 = map { /^([0-9a-f-]{36})  / ? $1 : () } split /\n/, $out;
is(scalar @page2, 1, 'the next page: the one left');
unlike($out, qr/^more:/m, 'and no more');
is(join(' ', sort @page1, @page2), join(' ', sort $system, $clinic, $msg), 'the pages together: each dead job once');

# ---- bad options: usage errors, before any database work ----
for my $bad (['--limit', '0'], ['--limit', '1001'], ['--limit', 'x'], ['--limit', ''], ['--limit'],
	['--after', 'not-a-uuid'], ['--after', "$msg'; DROP TABLE jobs; --"], ['--after'], ['--bogus', '1'],
	['--limit', '2', '--limit', '3x'], ['--after', $msg, '--after', $msg]) {
	($rc, $out) = jobs('--dead', @$bad);
	is($rc, 2, "--dead @$bad: a usage error");
	like($out, qr/usage: kairos jobs .*--dead \[--limit 1\.\.1000\] \[--after JOB_ID\]/s, '... with the usage');
}
($rc, $out) = jobs('--dead', '--after', '00000000-0000-4000-8000-000000000000');
is($rc, 0, 'an id that is no dead job');
like($out, qr/^\(no dead jobs\)$/m, '... lists nothing');
is($psql->("SELECT count(*) FROM jobs WHERE status = 'dead'"), 3, 'the jobs are all still there');

# ---- retrying stays with the module that owns the row ----
($rc) = jobs('--retry', $msg);
is($rc, 1, 'kairos jobs --retry refuses a message (it would leave the message dead)');
($rc) = $k->kairos('outbox', 'retry', $msg);
is($rc, 0, 'kairos outbox retry, as the list says, puts it back');
($rc, $out) = jobs('--dead');
unlike($out, qr/\Q$msg\E/, 'and it is no longer dead');

$k->finish;
done_testing;
