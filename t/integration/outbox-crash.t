#!/usr/bin/env perl
# NOTE-2's promise under fire: messages are drained to the Twilio stand-in while the job
# runner is killed with SIGKILL again and again. Every message must be delivered; a
# duplicate may only come from a message in flight at a kill (handed to Twilio, its outcome
# not yet recorded), and a runner has at most KAIROS_NOTIFY_CONCURRENCY of those at a time,
# so there are at most kills × concurrency duplicates, and no message is sent more often
# than once plus once per kill; the test counts and reports them. CRASH_MESSAGES,
# CRASH_KILLS and CRASH_CONCURRENCY size it (the suite's short run: 300, 15 and 16;
# `bench/run crash`: 1,000, 50 and 16).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep time);

my $messages = $ENV{CRASH_MESSAGES} // 300;
my $kills = $ENV{CRASH_KILLS} // 15;
my $concurrency = $ENV{CRASH_CONCURRENCY} // 16;
my $tw = KairosTest::start_twilio_fake();
my $k = KairosTest->start(workers => 1, env => { %{ $tw->{env} },
	KAIROS_NOTIFY_LEASE_SECONDS => 2, KAIROS_PROVIDER_TIMEOUT_MS => 1000, KAIROS_NOTIFY_BACKOFF_SECONDS => 1,
	KAIROS_NOTIFY_CONCURRENCY => $concurrency });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
$k->stack('jobs-stop', $k->dir);	# this test runs (and kills) its own runners

$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text) SELECT o.id, 'crash:' || g, 'sms', '+614' || lpad(g::text, 8, '0'), 'message ' || g FROM organisations o, generate_series(1, $messages) g WHERE o.is_default");
is($psql->("SELECT count(*) FROM notifications WHERE status = 'queued'"), $messages, "$messages messages queued");

my $t0 = time;
for my $i (1 .. $kills) {
	my $pid = $k->spawn_kairos('jobs-crash.log', 'jobs');
	sleep 0.15 + rand 0.35;
	kill 'KILL', $pid;
	waitpid $pid, 0;
}
my $survivor = $k->spawn_kairos('jobs-crash.log', 'jobs');
ok($k->wait_until(120, sub { $psql->("SELECT count(*) FROM notifications WHERE status = 'sent'") == $messages }),
	"after $kills SIGKILLs of the runner, all $messages messages are sent");
kill 'TERM', $survivor;
waitpid $survivor, 0;

open my $log, '<', "$tw->{dir}/requests.jsonl" or die;
my (%seen, $accepted);
while (my $line = <$log>) {
	my $r = decode_json($line);
	next unless $r->{status} == 201;
	$accepted++;
	$seen{ $r->{params}{Body} }++;
}
my $delivered = grep { /^message \d+$/ } keys %seen;
my $duplicates = $accepted - $delivered;
my ($most) = sort { $b <=> $a } values %seen;
is($delivered, $messages, 'Twilio accepted every message at least once');
cmp_ok($duplicates, '<=', $kills * $concurrency,
	"duplicates: $duplicates, at most one per message in flight at a kill ($kills kills × $concurrency in flight)");
cmp_ok($most, '<=', 1 + $kills, "no message sent more than once plus once per kill (most: $most)");
diag sprintf('%d messages, %d kills, %d duplicates (%d sends in flight), drained in %.1f s', $messages, $kills,
	$duplicates, $concurrency, time - $t0);
my $sids = $psql->("SELECT count(DISTINCT provider_message_id) FROM notifications WHERE status = 'sent'");
is($sids, $messages, 'each message records one provider sid')
	or diag $psql->("SELECT coalesce(provider_message_id, '(none)') || ': ' || count(*) FROM notifications WHERE status = 'sent' GROUP BY 1 HAVING count(*) > 1 OR bool_or(provider_message_id IS NULL)");
KairosTest::stop_fake($tw);
$k->finish;
done_testing;
