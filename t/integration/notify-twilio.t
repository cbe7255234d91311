#!/usr/bin/env perl
# SMS through Twilio's API, against the stand-in t/fakes/twilio: the exact request (path,
# Basic auth, form fields), the provider's message sid recorded, retries with backoff on
# 5xx and timeouts, Retry-After honoured on 429, no retry on other 4xx (a dead letter with
# Twilio's reason), and other channels still on their own provider.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use POSIX ();
use Test::More;
use Time::HiRes qw(sleep);

my $tw = KairosTest::start_twilio_fake();
my ($fake, $sid, $token) = @$tw{qw(dir sid token)};

my $kport = KairosTest::free_port();
my $public = "http://127.0.0.1:$kport";
my $k = KairosTest->start(workers => 1, port => $kport, env => {
	%{ $tw->{env} }, KAIROS_PUBLIC_URL => $public, KAIROS_NOTIFY_BACKOFF_SECONDS => 1,
	KAIROS_PROVIDER_TIMEOUT_MS => 1500 });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $row = sub { my ($event) = @_; my @f = split /\|/, $psql->("SELECT n.status, coalesce(j.attempts, 0), coalesce(provider,''), coalesce(provider_message_id,''), coalesce(n.last_error,''), extract(epoch from j.run_at - now())::int FROM notifications n LEFT JOIN jobs j ON j.id = n.id WHERE event_key = '$event'"); \@f };
my $requests = sub { open my $f, '<', "$fake/requests.jsonl" or return []; [map { decode_json($_) } <$f>] };
sub control { open my $o, '>', "$fake/control" or die; print {$o} map { "$_\n" } @_; close $o }
sub send_sms { my ($event, $to, $body) = @_; $k->post_json('/_debug/notify', { event => $event, channel => 'sms', to => $to, body => $body }) }

send_sms('ok', '+61400000001', "Your code is 482913 & don't share it");
ok($k->wait_until(10, sub { $row->('ok')->[0] eq 'sent' }), 'an SMS is sent through Twilio');
my $req = $requests->()->[-1];
is($req->{path}, "/2010-04-01/Accounts/$sid/Messages.json", 'to the Messages resource of the account');
ok($req->{auth_ok}, 'with Basic AccountSid:AuthToken');
like($req->{content_type}, qr{^application/x-www-form-urlencoded}, 'as a form');
is_deeply($req->{params}, { To => '+61400000001', From => '+61400000999', Body => "Your code is 482913 & don't share it",
	StatusCallback => "$public/webhooks/twilio/status" },
	'To, From, Body and our StatusCallback exactly (encoded and decoded intact)');
is($row->('ok')->[2], 'twilio', 'the row names the provider');
is($row->('ok')->[3], $req->{response}{sid}, "and records Twilio's message sid");

# The client's log line (src/net, docs/net.md): the notification's id, method, host and path,
# and neither the credentials nor the message.
{
	my $id = $psql->("SELECT id FROM notifications WHERE event_key = 'ok'");
	my ($line) = grep { /"msg":"net call"/ && /\Q$id\E/ } split /\n/, $k->slurp('log/jobs.log');
	ok($line, 'the send is logged with the notification id');
	like($line // '', qr{twilio POST http://127\.0\.0\.1:\d+/2010-04-01/Accounts/\Q$sid\E/Messages\.json: ok, status 201, 1 attempt},
		'with method, host, path, status and attempts');
	my $log = $k->slurp('log/kairos.log') . $k->slurp('log/jobs.log');
	unlike($log, qr/\Q$token\E/, 'the auth token is in no log line');
	unlike($log, qr/482913/, 'nor the message body');
}

ok($k->wait_until(10, sub { $row->('ok')->[0] eq 'delivered' }),
	"Twilio's signed status callbacks (sent, then delivered) mark it delivered");

# Callbacks that must change nothing.
use Digest::SHA qw(hmac_sha1_base64);
my $url = "$public/webhooks/twilio/status";
sub sign { my ($u, $p) = @_; my $b = hmac_sha1_base64($u . join('', map { $_ . $p->{$_} } sort keys %$p), $token); $b . '=' }
sub callback {
	my ($form, %o) = @_;
	my $sig = $o{signature} // sign($o{signed_url} // $url, $form);
	my $body = join '&', map { my $v = $form->{$_}; $v =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; "$_=$v" } sort keys %$form;
	return $k->request('POST', '/webhooks/twilio/status', content => $body,
		headers => { 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Twilio-Signature' => $sig });
}
my $msid = $row->('ok')->[3];
my $r;
my $before = $psql->("SELECT status || updated_at FROM notifications WHERE event_key = 'ok'");
$r = callback({ MessageSid => $msid, MessageStatus => 'failed', ErrorCode => '30003' }, signature => 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
is($r->{status}, 403, 'a forged signature: 403');
is(KairosTest::json($r)->{error}, 'Invalid signature', 'as a JSON error');
$r = callback({ MessageSid => $msid, MessageStatus => 'failed' }, signed_url => "http://evil.example/webhooks/twilio/status");
is($r->{status}, 403, 'a signature over another URL (a forged Host): 403');
$r = callback({ MessageSid => $msid, MessageStatus => 'delivered' });
is($r->{status}, 409, 'a replayed delivered report: 409');
$r = callback({ MessageSid => $msid, MessageStatus => 'sent' });
is($r->{status}, 409, 'an out-of-order sent after delivered: 409');
is($psql->("SELECT status || updated_at FROM notifications WHERE event_key = 'ok'"), $before, 'none of them changed the message');
$r = callback({ MessageSid => 'SM' . ('f' x 32), MessageStatus => 'delivered' });
is($r->{status}, 404, 'a report for a message we never sent: 404');
$r = callback({ MessageSid => $msid });
is($r->{status}, 400, 'a report without MessageStatus: 400');
is_deeply(KairosTest::json($r)->{details}, { MessageStatus => 'MessageSid and MessageStatus are required' }, 'naming the field');
$r = callback({ MessageSid => $msid, MessageStatus => 'exploded' });
is($r->{status}, 400, 'an unknown MessageStatus: 400');
like($k->slurp('log/kairos.log'), qr/"msg":"webhook refused","detail":"twilio status from 127\.0\.0\.1: bad signature"/, 'refusals are logged');

control('500', '500');
send_sms('flaky', '+61400000002', 'hello');
ok($k->wait_until(20, sub { $row->('flaky')->[0] eq 'sent' }), 'two 500s, then sent');
is($row->('flaky')->[1], 3, 'in the third attempt');

control('429 30');
send_sms('slow-down', '+61400000003', 'hello');
ok($k->wait_until(10, sub { $row->('slow-down')->[4] ne '' }), 'a 429 is recorded');
$r = $row->('slow-down');
is($r->[0], 'queued', 'and the message stays queued');
like($r->[4], qr/^twilio 429: Too Many Requests \(code 20429\)$/, "with Twilio's reason");
cmp_ok($r->[5], '>=', 25, "its next attempt waits for Retry-After: 30 (in $r->[5] s), beyond the 1 s backoff");

control('400');
send_sms('refused', '+61400000004', 'hello');
ok($k->wait_until(10, sub { $row->('refused')->[0] eq 'dead' }), 'a 400 is not retried: a dead letter');
is($row->('refused')->[1], 1, 'after one attempt');
is($row->('refused')->[4], 'twilio 400: Attempt to send to unsubscribed recipient (code 21610)', "keeping Twilio's reason");

# Dead letters: visible with their reason, and a retry puts one back in the queue.
my ($lrc, $lout) = $k->kairos('outbox', 'list', '--status', 'dead');
like($lout, qr/last error: twilio 400: Attempt to send to unsubscribed recipient \(code 21610\)/, 'outbox list --status dead shows the reason');
my $dead_id = $psql->("SELECT id FROM notifications WHERE event_key = 'refused'");
($lrc, $lout) = $k->kairos('outbox', 'retry', $dead_id);
is($lrc, 0, 'outbox retry ID requeues a dead letter');
ok($k->wait_until(10, sub { $row->('refused')->[0] eq 'sent' }), 'which is then sent (the provider accepts it now)');
is($row->('refused')->[1], 1, 'with a fresh count of attempts');
($lrc) = $k->kairos('outbox', 'retry', $dead_id);
is($lrc, 1, 'retrying a message that is not dead fails');
($lrc) = $k->kairos('outbox', 'retry', 'nonsense');
is($lrc, 1, 'so does an id that is no message');

send_sms('bad-number', '+123', 'hello');
ok($k->wait_until(10, sub { $row->('bad-number')->[0] eq 'dead' }), 'a number Twilio refuses is a dead letter');
like($row->('bad-number')->[4], qr/code 21211/, 'with code 21211');

# The admin page of dead letters (NOTE-2): the reason, a retry, one clinic only, admins only.
{
	my $admin = $k->staff(role => 'admin');
	my $page = sub { $k->request($_[0] // 'GET', $_[1] // '/admin/messages', headers => { Authorization => "Bearer " . ($_[2] // $admin->{token}) }) };
	my $r = $page->();
	is($r->{status}, 200, 'admins see the messages that could not be sent');
	like($r->{content}, qr/sms to \+123.*?twilio 400: .*?code 21211/s, 'with the recipient and the reason');
	unlike($r->{content}, qr/>hello</, 'but not the text');
	my $bad_id = $psql->("SELECT id FROM notifications WHERE event_key = 'bad-number'");
	like($r->{content}, qr{action="/admin/messages/$bad_id/retry"}, 'and a retry button');
	my $other = $psql->("WITH o AS (INSERT INTO organisations (slug, name) VALUES ('elsewhere', 'Elsewhere') RETURNING id)"
		. " INSERT INTO notifications (org_id, event_key, channel, recipient, body_text, status) SELECT id, 'theirs', 'sms', '+61499999999', 'x', 'dead' FROM o RETURNING id");
	($other) = $other =~ /([0-9a-f-]{36})/;
	unlike($r->{content}, qr/61499999999/, "another clinic's dead letters are not shown");
	is($page->('POST', "/admin/messages/$other/retry")->{status}, 404, "... nor can they be retried from here");
	is($psql->("SELECT status FROM notifications WHERE id = '$other'"), 'dead', '... it stays dead');
	is($page->('GET', '/admin/messages', $k->staff(role => 'receptionist')->{token})->{status}, 403, 'a receptionist: 403');
	my $tries = sub { scalar grep { ($_->{params}{To} // '') eq '+123' } @{ $requests->() } };
	my $before = $tries->();
	is($page->('POST', "/admin/messages/$bad_id/retry")->{status}, 303, 'retry: 303');
	ok($k->wait_until(10, sub { $tries->() > $before }), 'the message is sent to Twilio again');
	is($psql->("SELECT actor_id FROM audit_log WHERE action = 'notification.retried' AND subject_id = '$bad_id'"), $admin->{id}, 'the retry is audited as the admin');
	my $sent_id = $psql->("SELECT id FROM notifications WHERE event_key = 'ok'");
	is($page->('POST', "/admin/messages/$sent_id/retry")->{status}, 404, 'a message that was sent cannot be "retried"');
}

$k->post_json('/_debug/notify', { event => 'mail', channel => 'email', to => 'ann@example.org', subject => 'Hi', body => 'hello' });
ok($k->wait_until(10, sub { $row->('mail')->[0] eq 'sent' }), 'email still goes through its own provider');
is($row->('mail')->[2], 'outbox', '(the outbox, until an email provider is configured)');

control('hang 4');
send_sms('timeout', '+61400000005', 'hello');
ok($k->wait_until(15, sub { $row->('timeout')->[4] ne '' }), 'a provider that does not answer in time');
like($row->('timeout')->[4], qr/^twilio: Timeout/, 'is a timeout error');
ok($k->wait_until(20, sub { $row->('timeout')->[0] eq 'sent' }), 'and the message is retried and sent');
unlike(join("\n", @{ [$k->slurp('log/jobs.log')] }), qr/\Q$token\E/, 'the auth token never reaches the log');

# kairos doctor: a harmless real request per configured provider.
my ($drc, $dout) = $k->kairos('doctor');
is($drc, 0, 'kairos doctor passes with good credentials');
like($dout, qr/^✓ database: connected$/m, 'it checks the database');
like($dout, qr/^✓ twilio \(sms\): account AC0000… reachable, credentials accepted$/m, 'and Twilio, by reading the account');
unlike($dout, qr/\Q$token\E/, 'without printing the token');
{
	local $k->{env}{KAIROS_TWILIO_AUTH_TOKEN} = 'wrong-token';
	($drc, $dout) = $k->kairos('doctor');
	is($drc, 1, 'a refused token fails the doctor');
	like($dout, qr/^✗ twilio \(sms\): credentials refused \(HTTP 401\)$/m, 'saying so');
}
{
	local $k->{env}{KAIROS_TWILIO_ACCOUNT_SID} = 'AC123';
	($drc, $dout) = $k->kairos('doctor');
	like($dout, qr/^✗ twilio \(sms\): KAIROS_TWILIO_ACCOUNT_SID is not AC followed by 32 hex digits$/m, 'a malformed SID is caught before any request');
}
{
	local $k->{env}{KAIROS_TWILIO_BASE_URL} = 'http://127.0.0.1:' . KairosTest::free_port();
	($drc, $dout) = $k->kairos('doctor');
	is($drc, 1, 'an unreachable API fails the doctor');
	like($dout, qr/^✗ twilio \(sms\): http:\/\/127\.0\.0\.1:\d+ unreachable: /m, 'naming the address');
}

KairosTest::stop_fake($tw);
$k->finish;
done_testing;
