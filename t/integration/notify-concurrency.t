#!/usr/bin/env perl
# Concurrent sending and rate limits (issue 4): the runner sends a claimed batch on
# KAIROS_NOTIFY_CONCURRENCY threads, so a provider that hangs on some requests does not hold
# up the others; no send starts past half the lease, and the messages not started by then
# are handed back at once without counting an attempt; KAIROS_PROVIDER_RATE_LIMITS spaces a
# provider's sends (5/s: 20 messages take about 4 s). Timing is only ever asserted as a
# loose lower bound: machines vary.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep time);

my $tw = KairosTest::start_twilio_fake();
my $k = KairosTest->start(workers => 1, env => { %{ $tw->{env} }, KAIROS_NOTIFY_BACKOFF_SECONDS => 1 });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
sub control { open my $o, '>', "$tw->{dir}/control" or die; print {$o} map { "$_\n" } @_; close $o }
sub queue {
	my ($prefix, $n) = @_;
	$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text) SELECT o.id, '$prefix:' || g, 'sms', '+614' || lpad(g::text, 8, '0'), '$prefix ' || g FROM organisations o, generate_series(1, $n) g WHERE o.is_default; NOTIFY kairos_jobs");
}
my $status = sub { my ($prefix) = @_; $psql->("SELECT count(*) FILTER (WHERE n.status = 'sent') || ' ' || count(*) FILTER (WHERE n.status = 'queued' AND n.last_error IS NULL AND j.lease_until IS NOT NULL) FROM notifications n JOIN jobs j ON j.id = n.id WHERE event_key LIKE '$prefix:%'") };
# Runs one runner with these settings until done() is true (or 60 s); then stops it.
sub with_runner {
	my ($env, $done) = @_;
	local @{ $k->{env} }{ keys %$env } = values %$env;
	my $pid = $k->spawn_kairos('jobs-concurrency.log', 'jobs');
	my $ok = $k->wait_until(60, $done);
	kill 'TERM', $pid;
	waitpid $pid, 0;
	return $ok;
}
$k->stack('jobs-stop', $k->dir);	# this test runs its own runners

# 1. Two requests hang (longer than the provider timeout); the other 18 go through meanwhile.
control('hang 8', 'hang 8');
queue('hang', 20);
my $seen;
ok(with_runner({ KAIROS_NOTIFY_CONCURRENCY => 4, KAIROS_PROVIDER_TIMEOUT_MS => 6000, KAIROS_NOTIFY_LEASE_SECONDS => 30 },
	sub { my $s = $status->('hang'); $seen //= $s if $s =~ /^(18|19|20) /; $s =~ /^20 / }),
	'the runner sends all 20 (the two hung ones after their timeout and a retry)');
is($seen, '18 2', 'the 18 others were sent while the two hung requests were still in flight (leased, no outcome yet)');

# 2. The lease rule: a 4 s lease, so nothing starts 2 s after the claim; two threads each
# stuck 1.5 s twice reach that point with messages unstarted, which go back at once.
control(('hang 2') x 4);
queue('lease', 6);
ok(with_runner({ KAIROS_NOTIFY_CONCURRENCY => 2, KAIROS_PROVIDER_TIMEOUT_MS => 1500, KAIROS_NOTIFY_LEASE_SECONDS => 4 },
	sub { $psql->("SELECT count(*) FROM notifications WHERE event_key LIKE 'lease:%' AND status = 'sent'") == 6 }),
	'every message is sent in the end');
like($k->slurp('log/jobs-concurrency.log'), qr/"msg":"claim expiring","detail":"\d of 6 claimed messages handed back unsent"/,
	'messages not started by half the lease were handed back');
my $requests = sub { open my $f, '<', "$tw->{dir}/requests.jsonl" or die; [grep { $_->{params}{Body} =~ /^lease / } map { decode_json($_) } <$f>] };
ok($k->wait_until(10, sub { @{ $requests->() } == $psql->("SELECT sum(j.attempts) FROM notifications n JOIN jobs j ON j.id = n.id WHERE event_key LIKE 'lease:%'") }),
	'attempts counted = requests Twilio saw: a handed-back claim counts no attempt');
is(scalar(grep { $_->{status} == 201 } @{ $requests->() }), 6, 'and Twilio accepted each message exactly once');

# 3. A rate limit of 5 a second: 20 messages start 0.2 s apart, about 3.8 s end to end.
queue('rate', 20);
my $t0 = time;
ok(with_runner({ KAIROS_PROVIDER_RATE_LIMITS => 'twilio=5,sendgrid=600' },
	sub { $psql->("SELECT count(*) FROM notifications WHERE event_key LIKE 'rate:%' AND status = 'sent'") == 20 }),
	'20 messages sent under twilio=5');
my $span = $psql->("SELECT extract(epoch FROM max(sent_at) - min(sent_at)) FROM notifications WHERE event_key LIKE 'rate:%'");
cmp_ok($span, '>=', 3.0, sprintf('the first and last were sent %.2f s apart (19 gaps of 0.2 s: about 3.8 s)', $span));
diag sprintf('rate-limited drain: %.1f s in all', time - $t0);
like($k->slurp('log/jobs-concurrency.log'), qr/"msg":"rate limit","detail":"twilio: 5 messages\/s \(this runner\)"/, 'the runner logs its limit');

# A malformed limit is refused at start, naming the key.
{
	local $k->{env}{KAIROS_PROVIDER_RATE_LIMITS} = 'twilio=fast';
	my ($rc, $out) = $k->kairos('config');
	isnt($rc, 0, 'KAIROS_PROVIDER_RATE_LIMITS=twilio=fast is refused');
	like($out, qr/KAIROS_PROVIDER_RATE_LIMITS: the rate of twilio must be a whole number/, 'with the reason');
}
KairosTest::stop_fake($tw);
$k->finish;
done_testing;
