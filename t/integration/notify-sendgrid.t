#!/usr/bin/env perl
# Email through SendGrid's v3 Mail Send API, against the stand-in t/fakes/sendgrid: the exact
# request (Bearer key, JSON personalizations/from/subject/content), X-Message-Id recorded as
# the provider id, retries on 5xx, 429 (Retry-After) and timeouts, no retry on other 4xx (a
# dead letter with SendGrid's reason); the signed Event Webhook (ECDSA P-256 over timestamp +
# body, a throwaway key made by the test) moving messages to delivered or failed, and every
# request it must refuse changing nothing; kairos doctor.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep);

my $kport = KairosTest::free_port();
my $public = "http://127.0.0.1:$kport";
my $sg = KairosTest::start_sendgrid_fake(webhook => "$public/webhooks/sendgrid/events");
my $k = KairosTest->start(workers => 1, port => $kport, env => {
	%{ $sg->{env} }, KAIROS_PUBLIC_URL => $public, KAIROS_NOTIFY_BACKOFF_SECONDS => 1,
	KAIROS_PROVIDER_TIMEOUT_MS => 1500,
	KAIROS_SENDGRID_BAA => 'true' });	# staff words go out only under a BAA (notify-baa.t has the other case)
my $token = $k->staff(role => 'receptionist')->{token};
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $row_where = sub { my @f = split /\|/, $psql->("SELECT n.status, coalesce(j.attempts, 0), coalesce(provider,''), coalesce(provider_message_id,''), coalesce(n.last_error,''), extract(epoch from j.run_at - now())::int, n.updated_at FROM notifications n LEFT JOIN jobs j ON j.id = n.id WHERE $_[0]"); \@f };
my $row = sub { $row_where->("event_key = '$_[0]'") };
my $requests = sub { open my $f, '<', "$sg->{dir}/requests.jsonl" or return []; [map { decode_json($_) } <$f>] };
sub control { open my $o, '>', "$sg->{dir}/control" or die; print {$o} map { "$_\n" } @_; close $o }
sub send_mail { my ($event, %m) = @_; $k->post_json('/_debug/notify', { event => $event, channel => 'email', to => 'ann@example.org', subject => 'Hello', body => 'hello', %m }) }

# A staff message through POST /comms: the real way in.
my $ann = $psql->("INSERT INTO users (org_id, role, name, email) SELECT id, 'patient', 'Ann Lee', 'ann\@example.org' FROM organisations WHERE is_default RETURNING id");
($ann) = $ann =~ /^([0-9a-f-]{36})/m;
my $r = $k->post_json('/comms', { client_id => $ann, type => 'email', subject => 'Your results are ready — Zoë',
	body => "Hi Ann,\nplease call us. 3 < 4 & \"quotes\"" }, headers => { Authorization => "Bearer $token" });
is($r->{status}, 202, 'a staff email is queued through POST /comms');
my $id = KairosTest::json($r)->{id};
my $by_id = sub { $row_where->("n.id = '$id'") };
ok($k->wait_until(10, sub { $by_id->()->[0] ne 'queued' }), 'and sent through SendGrid');
my $req = $requests->()->[-1];
is($req->{path}, '/v3/mail/send', 'to /v3/mail/send');
ok($req->{auth_ok}, 'with Bearer API key');
like($req->{content_type}, qr{^application/json}, 'as JSON');
is_deeply($req->{body}, {
	personalizations => [{ to => [{ email => 'ann@example.org' }] }],
	from => { email => 'clinic@example.org', name => 'Kairos Clinic' },
	subject => 'Your results are ready — Zoë',
	content => [{ type => 'text/plain', value => "Hi Ann,\nplease call us. 3 < 4 & \"quotes\"" }],
}, 'exactly the documented body: recipient, sender, UTF-8 subject, text/plain only');
is($req->{status}, 202, 'SendGrid accepted it (202)');
is($by_id->()->[2], 'sendgrid', 'the row names the provider');
is($by_id->()->[3], $req->{message_id}, 'and records the X-Message-Id');
is($by_id->()->[1], 1, 'after one attempt');
ok($k->wait_until(10, sub { $by_id->()->[0] eq 'delivered' }),
	"SendGrid's signed events (processed, then delivered; sg_message_id = X-Message-Id + suffix) mark it delivered");
{
	open my $w, '<', "$sg->{dir}/webhooks.jsonl" or die;
	my @hooks = map { decode_json($_) } <$w>;
	is_deeply([map { "$_->{event} $_->{status}" } @hooks[0, 1]], ['processed 200', 'delivered 200'], 'both webhook posts were answered 200');
	is_deeply(decode_json($hooks[1]{response}), { ok => JSON::PP::true, updated => 1, unchanged => 0, unknown => 0, ignored => 0 },
		'the answer says what the batch did');
}

send_mail('html', subject => 'Both parts', body => 'plain words', html => '<p>rich <b>words</b></p>');
ok($k->wait_until(10, sub { $row->('html')->[0] ne 'queued' }), 'a message with html is sent');
is_deeply($requests->()->[-1]{body}{content}, [{ type => 'text/plain', value => 'plain words' },
	{ type => 'text/html', value => '<p>rich <b>words</b></p>' }], 'with text/plain first, then text/html');

# The Event Webhook: every request that must change nothing.
my $url = '/webhooks/sendgrid/events';
my $msgid = $by_id->()->[3];
my $before = $by_id->()->[6];
sub batch { '[' . join(",\r\n", map { JSON::PP->new->canonical->encode($_) } @_) . "]\r\n" }
sub hook {
	my ($body, %o) = @_;
	my $ts = $o{ts} // time;
	my $sig = $o{signature} // KairosTest::sendgrid_sign($sg, $o{signed_ts} // $ts, $o{signed_body} // $body);
	return $k->request('POST', $url, content => $body, headers => { 'Content-Type' => 'application/json',
		'X-Twilio-Email-Event-Webhook-Signature' => $sig, 'X-Twilio-Email-Event-Webhook-Timestamp' => $ts });
}
my $bounce = batch({ email => 'ann@example.org', event => 'bounce', reason => '550 no such user', sg_message_id => "$msgid.filterdrecv-x-1-0", timestamp => time });
$r = hook($bounce, signature => KairosTest::sendgrid_sign($sg, time, batch({ event => 'delivered' })));
is($r->{status}, 403, 'a signature over another body: 403');
is(KairosTest::json($r)->{error}, 'Invalid signature', 'as a JSON error');
$r = hook($bounce, signature => 'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=');
is($r->{status}, 403, 'a forged signature: 403');
$r = $k->request('POST', $url, content => $bounce, headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 403, 'no signature at all: 403');
my $old = time - 3600;
$r = hook($bounce, ts => $old);
is($r->{status}, 403, 'a correctly signed request an hour old (a captured one, replayed later): 403');
is(KairosTest::json($r)->{error}, 'Stale timestamp', 'refused for its timestamp');
$r = hook($bounce, ts => time + 3600);
is($r->{status}, 403, 'one from the future: 403');
$r = hook($bounce, ts => time, signed_ts => time - 1);
is($r->{status}, 403, 'a signature over another timestamp: 403');
is($by_id->()->[6], $before, 'none of them changed the message');
is($by_id->()->[0], 'delivered', 'still delivered');

my $delivered = batch({ email => 'ann@example.org', event => 'delivered', sg_message_id => "$msgid.filterdrecv-x-2-0", timestamp => time });
my $ts = time;
my $sig = KairosTest::sendgrid_sign($sg, $ts, $delivered);
$r = hook($delivered, ts => $ts, signature => $sig);
is($r->{status}, 409, 'a second, genuine delivered report for it, alone in its batch: 409');
is(KairosTest::json($r)->{details}{unchanged}, 1, 'counted as unchanged (already delivered)');
$r = hook($delivered, ts => $ts, signature => $sig);
is($r->{status}, 409, 'the same signed request again (a replay within the window): 409');
is(KairosTest::json($r)->{error}, 'Already received', 'as a JSON error');
is($by_id->()->[6], $before, 'neither changed the message');

$r = hook(batch({ event => 'delivered', sg_message_id => 'NoSuchMessage0000000000.filterdrecv-1', email => 'x@example.org' }));
is($r->{status}, 404, 'an event for a message we never sent, alone in its batch: 404');
is_deeply(KairosTest::json($r), { error => 'Unknown message', details => { updated => 0, unchanged => 0, unknown => 1, ignored => 0 } },
	'with the counts');
like($k->slurp('log/kairos.log'), qr/"msg":"webhook event skipped","detail":"sendgrid delivered for unknown message NoSuchMessage0000000000"/, 'and logged');

$r = hook(batch({ event => 'open', sg_message_id => "$msgid.x", email => 'ann@example.org' }, { event => 'click', sg_message_id => "$msgid.x", url => 'https://example.org' }));
is(KairosTest::json($r)->{ignored}, 2, 'engagement events (open, click) are ignored');

$r = hook('[{"event":"delivered",');
is($r->{status}, 400, 'malformed JSON, correctly signed: 400');
ok(exists KairosTest::json($r)->{details}, 'with details');
$r = hook(qq([{"event":"delivered","sg_message_id":"$msgid.x","email":"\xff\xfe"}]));
is($r->{status}, 400, 'invalid UTF-8, correctly signed: 400');
$r = hook('{"event":"delivered"}');
is($r->{status}, 400, 'an object instead of an array: 400');
is_deeply(KairosTest::json($r)->{details}, { body => 'must be a JSON array of events' }, 'saying so');
# (the html message, put back to sent as if its delivery report were still to come)
$psql->("UPDATE notifications SET status = 'sent' WHERE event_key = 'html'");
my $html_id = $row->('html')->[3];
my $html_bounce = { event => 'bounce', sg_message_id => "$html_id.x", reason => 'mailbox full' };
$r = hook(batch($html_bounce, { event => 5, sg_message_id => "$msgid.x" }));
is($r->{status}, 400, 'a batch with one bad event is refused whole: 400');
is_deeply(KairosTest::json($r)->{details}, { '[1]' => 'event must be a string' }, 'naming the event');
is($row->('html')->[0], 'sent', 'the good event before it was not applied');
# a provider's value is refused like anyone's, never cut at a NUL (issue 11, item 5)
$r = hook(batch({ event => 'bounce', sg_message_id => "$html_id\0.x", reason => 'mailbox full' }));
is($r->{status}, 400, 'an sg_message_id with a NUL inside (\\u0000), correctly signed: 400');
is_deeply(KairosTest::json($r)->{details}, { '[0]' => 'sg_message_id must not contain a NUL character' }, 'saying so');
$r = hook(batch({ event => "bounce\0", sg_message_id => "$html_id.x" }));
is_deeply(KairosTest::json($r)->{details}, { '[0]' => 'event must not contain a NUL character' }, 'an event word with a NUL: 400, saying so');
$r = hook(batch({ event => 'bounce', sg_message_id => "$html_id.x", reason => "mailbox full\0<hidden>" }));
is_deeply(KairosTest::json($r)->{details}, { '[0]' => 'reason must not contain a NUL character' }, 'a reason with a NUL: 400, saying so');
is($row->('html')->[0], 'sent', 'none of them was applied');
$r = hook(batch($html_bounce, { event => 'delivered', sg_message_id => "$msgid.y" }, { event => 'processed', sg_message_id => 'Unknown000.z' }));
is_deeply([@{ KairosTest::json($r) // {} }{qw(updated unchanged unknown ignored)}], [1, 1, 1, 0], 'a mixed batch: each event on its own terms');
is($row->('html')->[0], 'failed', 'the bounce applied');
is($row->('html')->[4], 'sendgrid error mailbox full', 'with its reason');
like($k->slurp('log/kairos.log'), qr/"msg":"webhook refused","detail":"sendgrid events from 127\.0\.0\.1: bad signature"/, 'refusals are logged');

# A bounce moves a sent message to failed, with the reason.
control('bounce');
send_mail('bounced', to => 'nobody@example.org');
ok($k->wait_until(10, sub { $row->('bounced')->[0] eq 'failed' }), 'a bounce event marks the message failed');
like($row->('bounced')->[4], qr/^sendgrid error 550 5\.1\.1 The email account that you tried to reach does not exist$/, "with SendGrid's reason");

# Failures of the API itself.
control('500', '500');
send_mail('flaky');
ok($k->wait_until(20, sub { $row->('flaky')->[0] =~ /sent|delivered/ }), 'two 500s, then sent');
is($row->('flaky')->[1], 3, 'in the third attempt');

control('429 30');
send_mail('slow-down');
ok($k->wait_until(10, sub { $row->('slow-down')->[4] ne '' }), 'a 429 is recorded');
my $s = $row->('slow-down');
is($s->[0], 'queued', 'and the message stays queued');
is($s->[4], 'sendgrid 429: too many requests', "with SendGrid's reason");
cmp_ok($s->[5], '>=', 25, "its next attempt waits for Retry-After: 30 (in $s->[5] s)");

control('400');
send_mail('refused');
ok($k->wait_until(10, sub { $row->('refused')->[0] eq 'dead' }), 'a 400 is not retried: a dead letter');
is($row->('refused')->[1], 1, 'after one attempt');
is($row->('refused')->[4], 'sendgrid 400: The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved. (field from)',
	"keeping SendGrid's errors[].message and field");

send_mail('bad-address', to => 'not-an-address');
ok($k->wait_until(10, sub { $row->('bad-address')->[0] eq 'dead' }), 'an address SendGrid refuses is a dead letter');
is($row->('bad-address')->[4], 'sendgrid 400: Does not contain a valid address. (field personalizations.0.to.0.email)', 'naming the field');

control('hang 4');
send_mail('timeout');
ok($k->wait_until(15, sub { $row->('timeout')->[4] ne '' }), 'an API that does not answer in time');
like($row->('timeout')->[4], qr/^sendgrid: Timeout/, 'is a timeout error');
ok($k->wait_until(20, sub { $row->('timeout')->[0] =~ /sent|delivered/ }), 'and the message is retried and sent');

$k->post_json('/_debug/notify', { event => 'sms', channel => 'sms', to => '+61400000001', body => 'hello' });
ok($k->wait_until(10, sub { $row->('sms')->[0] eq 'sent' }), 'SMS still goes through its own provider');
is($row->('sms')->[2], 'outbox', '(the outbox here)');
unlike($k->slurp('log/jobs.log') . $k->slurp('log/kairos.log'), qr/\Q$sg->{key}\E/, 'the API key never reaches the logs');

# kairos doctor: the key's shape, then a read of its scopes.
my ($drc, $dout) = $k->kairos('doctor');
is($drc, 0, 'kairos doctor passes with a good key');
like($dout, qr/^✓ sendgrid \(email\): API key accepted, mail\.send allowed; event webhook key loaded$/m, 'reading /v3/scopes');
unlike($dout, qr/\Q$sg->{key}\E/, 'without printing the key');
is($requests->()->[-1]{path}, '/v3/scopes', '(the request it made)');
control('noscope');
($drc, $dout) = $k->kairos('doctor');
is($drc, 1, 'a key without mail.send fails the doctor');
like($dout, qr/^✗ sendgrid \(email\): API key accepted but lacks the mail\.send scope$/m, 'saying so');
{
	local $k->{env}{KAIROS_SENDGRID_API_KEY} = 'SG.wrong_key_but_the_right_shape_000000';
	($drc, $dout) = $k->kairos('doctor');
	is($drc, 1, 'a refused key fails the doctor');
	like($dout, qr/^✗ sendgrid \(email\): API key refused \(HTTP 401\)$/m, 'saying so');
}
{
	local $k->{env}{KAIROS_SENDGRID_API_KEY} = 'sk_live_123';
	($drc, $dout) = $k->kairos('doctor');
	like($dout, qr/^✗ sendgrid \(email\): KAIROS_SENDGRID_API_KEY does not look like a SendGrid API key \(SG\.…\)$/m, 'a malformed key is caught before any request');
}
{
	local $k->{env}{KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY} = 'c2VjcmV0';
	($drc, $dout) = $k->kairos('doctor');
	like($dout, qr/^✗ sendgrid \(email\): KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY is not a DER SubjectPublicKeyInfo$/m, 'so is a webhook key that is no key');
}
{
	local $k->{env}{KAIROS_SENDGRID_BASE_URL} = 'http://127.0.0.1:' . KairosTest::free_port();
	($drc, $dout) = $k->kairos('doctor');
	is($drc, 1, 'an unreachable API fails the doctor');
	like($dout, qr/^✗ sendgrid \(email\): http:\/\/127\.0\.0\.1:\d+ unreachable: /m, 'naming the address');
}
{
	local $k->{env}{KAIROS_SENDGRID_API_KEY} = '';
	($drc, $dout) = $k->kairos('doctor');
	like($dout, qr/KAIROS_SENDGRID_API_KEY: required with KAIROS_EMAIL_PROVIDER=sendgrid/, 'a missing key is a configuration error');
}

KairosTest::stop_fake($sg);
$k->finish;
done_testing;
