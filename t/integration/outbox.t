#!/usr/bin/env perl
# The notification outbox (NOTE-2, issue 4 in part): a message exists if and only if its
# event's transaction commits; one event yields one message; `kairos jobs` sends due rows
# (here through the development "outbox" provider); several runners never send one twice;
# each message is a notify.send job of the general queue, whose dead letters notify lists;
# `kairos outbox list` shows them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $k = KairosTest->start(workers => 2);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
sub outbox { my ($rc, $out) = $k->kairos('outbox', 'list', @_); return ($rc, $out) }
sub outbox_json { my ($rc, $out) = outbox(@_, '--json'); my $v = eval { decode_json($out) }; return $v // [] }

my $r = $k->post_json('/_debug/notify', { event => 'otp:1', channel => 'sms', to => '+61400000001', body => 'Your code is 123456' });
is($r->{status}, 200, 'a notification is queued with its event');
is_deeply(KairosTest::json($r), { created => JSON::PP::true, committed => JSON::PP::true }, 'created and committed');

ok($k->wait_until(10, sub { my $l = outbox_json('--to', '+61400000001'); @$l && $l->[0]{status} eq 'sent' }),
	'kairos jobs sends it without being asked (NOTIFY on commit)');
my $m = outbox_json('--to', '+61400000001')->[0];
is($m->{body}, 'Your code is 123456', 'kairos outbox list --json shows the text (tests read codes from it)');
is($m->{provider}, 'outbox', 'through the development provider');
is($m->{providerMessageId}, "outbox-$m->{id}", 'which records a provider message id');
is($m->{attempts}, 1, 'in one attempt');
is($m->{channel}, 'sms', 'on its channel');
is($psql->("SELECT c.channel || ' ' || c.recipient FROM communications c JOIN notifications n ON n.id = c.notification_id WHERE n.event_key = 'otp:1'"),
	'sms +61400000001', 'a communications row records the message for the history');
is($psql->("SELECT actor_kind || ' ' || action || ' ' || (details->>'channel') || ' ' || (details->>'provider') FROM audit_log a JOIN notifications n ON a.subject_id = n.id::text WHERE n.event_key = 'otp:1'"),
	'system notification.sent sms outbox', 'and an audit entry names the send');
is($psql->("SELECT count(*) FROM audit_log WHERE details::text LIKE '%123456%' OR action LIKE '%123456%'"), 0,
	'the audit log never holds the message body');

$r = $k->post_json('/_debug/notify', { event => 'otp:1', channel => 'sms', to => '+61400000001', body => 'Your code is 999999' });
is(KairosTest::json($r)->{created}, JSON::PP::false, 'the same event again queues nothing');
is($psql->("SELECT count(*) FROM notifications WHERE event_key = 'otp:1'"), 1, 'one event, one message');

$r = $k->post_json('/_debug/notify', { event => 'otp:2', channel => 'sms', to => '+61400000002', body => 'never', rollback => JSON::PP::true });
is(KairosTest::json($r)->{committed}, JSON::PP::false, 'an event whose transaction rolls back');
is($psql->("SELECT count(*) FROM notifications WHERE event_key = 'otp:2'"), 0, 'leaves no message behind');

$r = $k->post_json('/_debug/notify', { event => 'x', channel => 'pigeon', to => '+61400000003', body => 'x' });
is($r->{status}, 400, 'an unknown channel is refused');
$r = $k->post_json('/_debug/notify', { event => 'x' x 300, channel => 'sms', to => '+61400000003', body => 'x' });
is($r->{status}, 400, 'an over-long event key is refused by the table');
is($psql->("SELECT count(*) FROM notifications WHERE recipient = '+61400000003'"), 0, 'and nothing half-written');

# Three runners, 300 messages: each sent exactly once.
my @extra = map { $k->spawn_kairos('jobs-extra.log', 'jobs') } 1 .. 2;
$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text) SELECT o.id, 'bulk:' || g, 'email', 'p' || g || '\@example.org', 'Hello ' || g FROM organisations o, generate_series(1, 300) g WHERE o.is_default; NOTIFY kairos_jobs");
ok($k->wait_until(30, sub { $psql->("SELECT count(*) FROM notifications WHERE event_key LIKE 'bulk:%' AND status = 'sent'") == 300 }),
	'three runners send all 300 messages');
is($psql->("SELECT sum(j.attempts) FROM notifications n JOIN jobs j ON j.id = n.id WHERE event_key LIKE 'bulk:%'"), 300, 'each in exactly one attempt: none claimed twice');
my $runners = $psql->("SELECT count(DISTINCT j.leased_by) FROM notifications n JOIN jobs j ON j.id = n.id WHERE event_key LIKE 'bulk:%'");
diag "runners that took part: $runners";
kill 'TERM', @extra;
waitpid $_, 0 for @extra;

# Sends are jobs of the general queue (0016): each message has its notify.send job, with the
# message's id, which holds its attempts, lease and dead letter.
is($psql->("SELECT count(*) FROM notifications n JOIN jobs j ON j.id = n.id AND j.kind = 'notify.send' AND j.status = 'done' WHERE event_key LIKE 'bulk:%'"),
	300, 'each message is a notify.send job, done once it was sent');
my ($jrc, $jout) = $k->kairos('jobs', '--list');
like($jout, qr/^notify\.send\s+0\s+0\s+0\s+\d+\s+0\s*$/m, 'kairos jobs --list counts them with the other kinds');
# A runner that died on a message's last attempt (8 of 8, its lease over): the queue makes it
# a dead letter at the next claim instead of sending it a ninth time.
$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text) SELECT id, 'lost-runner', 'sms', '+61400000009', 'x' FROM organisations WHERE is_default;"
	. " UPDATE jobs SET attempts = 8, leased_by = 'gone:1', lease_until = now() - interval '1 second' WHERE id = (SELECT id FROM notifications WHERE event_key = 'lost-runner'); NOTIFY kairos_jobs");
ok($k->wait_until(15, sub { $psql->("SELECT status FROM notifications WHERE event_key = 'lost-runner'") eq 'dead' }),
	'a message whose runner died on its last attempt is a dead letter');
like($psql->("SELECT last_error FROM notifications WHERE event_key = 'lost-runner'"), qr/^attempt 8 of 8 did not finish within its \d+ s lease/,
	'saying why');
is($psql->("SELECT count(*) FROM communications c JOIN notifications n ON n.id = c.notification_id WHERE n.event_key = 'lost-runner'"), 0,
	'and it was not sent a ninth time');
my $lost = $psql->("SELECT id FROM notifications WHERE event_key = 'lost-runner'");
($jrc, $jout) = $k->kairos('jobs', '--dead');
like($jout, qr/^\Q$lost\E  .*notify\.send .* sms to \+61400000009  event lost-runner  9 attempts  attempt 8 of 8 .*\(retry: kairos outbox retry \Q$lost\E\)$/m,
	'a dead message is among the dead jobs, with its channel, recipient and reason (jobs-dead.t)');
($jrc) = $k->kairos('jobs', '--retry', $lost);
is($jrc, 1, 'nor retried as one: that would leave the message dead');
($jrc) = $k->kairos('outbox', 'retry', $lost);
is($jrc, 0, 'kairos outbox retry puts it back');
ok($k->wait_until(15, sub { $psql->("SELECT status FROM notifications WHERE event_key = 'lost-runner'") eq 'sent' }), 'and it is sent');
is($psql->("SELECT attempts FROM jobs WHERE id = '$lost'"), 1, 'in one fresh attempt');

my ($rc, $out) = outbox('--status', 'sent', '--limit', '5');
is($rc, 0, 'outbox list with filters');
is(scalar(() = $out =~ /^\d{4}-\d\d-\d\dT/mg), 5, '--limit 5 lists five messages');
($rc) = outbox('--status', 'lost');
is($rc, 2, 'an unknown status is a usage error');
($rc) = outbox('--limit', '0');
is($rc, 2, 'so is a limit of 0');
($rc, $out) = outbox('--to', '+61499999999');
like($out, qr/no messages/, 'a recipient with nothing says so');
is(scalar(() = $k->slurp('log/jobs-extra.log') =~ /"msg":"stopped"/g), 2, 'the extra runners stopped cleanly on SIGTERM');
$k->finish;
done_testing;
