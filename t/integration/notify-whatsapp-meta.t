#!/usr/bin/env perl
# WhatsApp through Meta's Cloud API, against the stand-in t/fakes/meta_whatsapp: the exact
# template request (path, Bearer token, body and URL-button parameters), Meta's message id
# recorded, retries on 5xx, 429 (Retry-After), Meta's throttling codes and timeouts, no retry
# on other 4xx; the /webhooks/whatsapp handshake and signed status webhooks (forged 403,
# replayed and out-of-order 409, unknown 404, malformed 400: each changes nothing); staff WhatsApp through
# POST /api/notifications; kairos doctor.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Digest::SHA qw(hmac_sha256_hex);
use Test::More;

my $kport = KairosTest::free_port();
my $meta = KairosTest::start_meta_fake(webhook_url => "http://127.0.0.1:$kport/webhooks/whatsapp");
my $fake = $meta->{dir};
my $k = KairosTest->start(workers => 1, port => $kport, env => {
	%{ $meta->{env} }, KAIROS_PUBLIC_URL => "http://127.0.0.1:$kport", KAIROS_NOTIFY_BACKOFF_SECONDS => 1,
	KAIROS_PROVIDER_TIMEOUT_MS => 1500,
	KAIROS_WHATSAPP_TEMPLATES => 'otp.phi-free=kairos_login_code' });
my $staff = $k->staff(role => 'receptionist')->{token};
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $row = sub { my @f = split /\|/, $psql->("SELECT n.status, coalesce(j.attempts, 0), coalesce(provider,''), coalesce(provider_message_id,''), coalesce(n.last_error,''), extract(epoch from j.run_at - now())::int, coalesce(template_name, ''), body_text FROM notifications n LEFT JOIN jobs j ON j.id = n.id WHERE event_key = '$_[0]'"); \@f };
my $requests = sub { open my $f, '<', "$fake/requests.jsonl" or return []; [map { decode_json($_) } <$f>] };
sub control { open my $o, '>', "$fake/control" or die; print {$o} map { "$_\n" } @_; close $o }
sub otp { my ($event, $to, $code) = @_; $k->post_json('/_debug/notify', { event => $event, channel => 'whatsapp', to => $to, template => 'otp', model => { code => $code } }) }

my $r = otp('otp', '+61400000001', '482913');
is($r->{status}, 200, 'a WhatsApp one-time code is queued from its template');
ok($k->wait_until(10, sub { $row->('otp')->[0] eq 'sent' }), 'and sent through Meta');
my $req = $requests->()->[-1];
is($req->{path}, "/v21.0/$meta->{pnid}/messages", 'to /v{N}/{PHONE_NUMBER_ID}/messages');
ok($req->{auth_ok}, 'with the Bearer token');
like($req->{content_type}, qr{^application/json}, 'as JSON');
is_deeply($req->{message}, { messaging_product => 'whatsapp', to => '+61400000001', type => 'template',
	template => { name => 'kairos_login_code', language => { code => 'en_US' }, components => [
		{ type => 'body', parameters => [{ type => 'text', text => '482913' }] },
		{ type => 'button', sub_type => 'url', index => '0', parameters => [{ type => 'text', text => '482913' }] } ] } },
	'the OTP template exactly as documented: the code as body and URL-button parameter, the name from KAIROS_WHATSAPP_TEMPLATES');
$r = $row->('otp');
is($r->[2], 'meta', 'the row names the provider');
is($r->[3], $req->{response}{messages}[0]{id}, "and records Meta's message id (messages[0].id)");
is($r->[6], 'otp.phi-free', 'and the template variant (no BAA: the PHI-free one)');
is($r->[7], '482913 is your verification code. For your security, do not share this code.', 'body_text holds the words the patient reads');
ok($k->wait_until(10, sub { $row->('otp')->[0] eq 'delivered' }), "Meta's signed status webhooks (sent, then delivered) mark it delivered");

# --- the webhook: handshake
my $hs = sub { my %q = @_; $k->get('/webhooks/whatsapp?' . join '&', map { "$_=$q{$_}" } sort keys %q) };
$r = $hs->('hub.mode' => 'subscribe', 'hub.verify_token' => $meta->{verify_token}, 'hub.challenge' => '1158201444');
is($r->{status}, 200, 'handshake with the verify token: 200');
is($r->{content}, '1158201444', 'echoing hub.challenge');
like($r->{headers}{'content-type'}, qr{^text/plain}, 'as text/plain');
$r = $hs->('hub.mode' => 'subscribe', 'hub.verify_token' => 'test-verify-tokeN', 'hub.challenge' => '1158201444');
is($r->{status}, 403, 'a wrong verify token: 403');
unlike($r->{content}, qr/1158201444/, 'without the challenge');
is($hs->('hub.mode' => 'unsubscribe', 'hub.verify_token' => $meta->{verify_token}, 'hub.challenge' => '1')->{status}, 403, 'a mode other than subscribe: 403');
is($hs->('hub.mode' => 'subscribe', 'hub.verify_token' => $meta->{verify_token}, 'hub.challenge' => '<script>')->{status}, 400, 'a challenge that is not a token: 400, not echoed');

# --- the webhook: statuses
my $wamid = $row->('otp')->[3];
sub status_body { my (@st) = @_; encode_json({ object => 'whatsapp_business_account', entry => [{ id => '1', changes => [{ field => 'messages',
	value => { messaging_product => 'whatsapp', metadata => { phone_number_id => $meta->{pnid} }, statuses => \@st } }] }] }) }
sub hook {
	my ($body, %o) = @_;
	my $sig = $o{signature} // 'sha256=' . hmac_sha256_hex($body, $o{secret} // $meta->{app_secret});
	return $k->request('POST', '/webhooks/whatsapp', content => $body,
		headers => { 'Content-Type' => 'application/json', 'X-Hub-Signature-256' => $sig });
}
my $state = sub { $psql->("SELECT status || ' ' || updated_at || ' ' || coalesce(last_error, '') FROM notifications ORDER BY id") };
my $before = $state->();
my $failed = status_body({ id => $wamid, status => 'failed', errors => [{ code => 131026, title => 'Message undeliverable' }] });
$r = hook($failed, signature => 'sha256=' . ('0' x 64));
is($r->{status}, 403, 'a forged signature: 403');
is(KairosTest::json($r)->{error}, 'Invalid signature', 'as a JSON error');
is(hook($failed, secret => 'another-app-secret')->{status}, 403, 'signed with another secret: 403');
is(hook($failed, signature => hmac_sha256_hex($failed, $meta->{app_secret}))->{status}, 403, 'the hex without sha256=: 403');
is($k->request('POST', '/webhooks/whatsapp', content => $failed, headers => { 'Content-Type' => 'application/json' })->{status}, 403, 'no signature: 403');
$r = hook(status_body({ id => $wamid, status => 'delivered' }));
is($r->{status}, 409, 'a replayed delivered status: 409, nothing changed');
is_deeply(KairosTest::json($r), { error => 'Already recorded', details => { updated => 0, unchanged => 1, unknown => 0, ignored => 0 } }, 'with the counts');
is(hook(status_body({ id => $wamid, status => 'read' }))->{status}, 409, '"read" after delivered: counted as delivered, so 409');
is(hook(status_body({ id => $wamid, status => 'sent' }))->{status}, 409, 'an out-of-order sent: 409');
$r = hook(status_body({ id => 'wamid.UNKNOWN', status => 'delivered' }));
is($r->{status}, 404, 'a status for a message we never sent: 404');
is_deeply(KairosTest::json($r)->{details}, { updated => 0, unchanged => 0, unknown => 1, ignored => 0 }, 'counted as unknown');
is(hook(status_body({ id => $wamid, status => 'deleted' }))->{status}, 200, 'a status word we do not know (not a delivery state): 200, ignored');
$r = hook('{"entry": [');
is($r->{status}, 400, 'malformed JSON (signed): 400');
is_deeply(KairosTest::json($r), { error => 'Invalid request', details => { body => 'Malformed JSON' } }, 'as {"error","details"}');
$r = hook(qq({"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"$wamid","status":"failed","x":"\xff\xfe"}]}}]}]}));
is($r->{status}, 400, 'bad UTF-8 (signed): 400');
is_deeply(KairosTest::json($r)->{details}, { body => 'JSON is not valid UTF-8' }, 'saying so');
$r = hook(encode_json({ object => 'whatsapp_business_account', entry => { changes => [] } }));
is($r->{status}, 400, 'entry that is not an array: 400');
$r = hook(status_body({ id => $wamid, status => 'failed' }, { status => 'delivered' }));
is($r->{status}, 400, 'one status without an id: 400 for the whole delivery');
is_deeply(KairosTest::json($r)->{details}, { body => 'each status needs id and status strings' }, 'naming the problem');
# a provider's value is refused, never cut at a NUL (issue 11, item 5)
$r = hook(status_body({ id => "$wamid\0x", status => 'failed', errors => [{ code => 131026 }] }));
is($r->{status}, 400, 'a status id with a NUL inside (\\u0000), signed: 400, not read as the id before it');
$r = hook(status_body({ id => $wamid, status => "failed\0" }));
is_deeply(KairosTest::json($r)->{details}, { body => 'each status needs id and status strings' }, 'a status word with a NUL: 400 too');
is($state->(), $before, 'none of them changed any message');
like($k->slurp('log/kairos.log'), qr/"msg":"webhook refused","detail":"whatsapp status from 127\.0\.0\.1: bad signature"/, 'refusals are logged');
like($k->slurp('log/kairos.log'), qr/"msg":"webhook ignored","detail":"whatsapp status delivered for wamid\.UNKNOWN: unknown message"/, 'unknown messages are logged');

# A failed status with Meta's error code, for a message that was only sent.
otp('otp-2', '+61400000002', '111222');
ok($k->wait_until(10, sub { $row->('otp-2')->[0] eq 'delivered' }), 'a second message, delivered');
$psql->("UPDATE notifications SET status = 'sent' WHERE event_key = 'otp-2'");
$r = hook(status_body({ id => $row->('otp-2')->[3], status => 'failed', errors => [{ code => 131026, title => 'Message undeliverable' }] },
	{ id => 'wamid.UNKNOWN2', status => 'read' }));
is_deeply(KairosTest::json($r), { ok => JSON::PP::true, updated => 1, unchanged => 0, unknown => 1, ignored => 0 },
	'a delivery with two statuses: the known one applied, the unknown counted (200: something changed)');
is($row->('otp-2')->[0], 'failed', 'failed');
is($row->('otp-2')->[4], 'meta error 131026', "keeping Meta's error code");

# --- failures when sending
control('500', '500');
otp('flaky', '+61400000003', '123456');
ok($k->wait_until(20, sub { $row->('flaky')->[0] =~ /^(sent|delivered)$/ }), 'two 500s, then sent');
is($row->('flaky')->[1], 3, 'in the third attempt');

control('429 30');
otp('slow-down', '+61400000004', '123456');
ok($k->wait_until(10, sub { $row->('slow-down')->[4] ne '' }), 'a 429 is recorded');
$r = $row->('slow-down');
is($r->[0], 'queued', 'the message stays queued');
is($r->[4], 'meta 429: (#130429) Rate limit hit (code 130429)', "with Meta's reason");
cmp_ok($r->[5], '>=', 25, "its next attempt waits for Retry-After: 30 (in $r->[5] s)");

control('throttle');
otp('pair-rate', '+61400000005', '123456');
ok($k->wait_until(10, sub { $row->('pair-rate')->[4] ne '' }), "Meta's pair rate limit (HTTP 400, code 131056)");
is($row->('pair-rate')->[0], 'queued', 'is retried, not a dead letter, despite the 400');
ok($k->wait_until(20, sub { $row->('pair-rate')->[0] =~ /^(sent|delivered)$/ }), 'and sent later');

control('400');
otp('refused', '+61400000006', '123456');
ok($k->wait_until(10, sub { $row->('refused')->[0] eq 'dead' }), 'another 400 is not retried: a dead letter');
is($row->('refused')->[1], 1, 'after one attempt');
is($row->('refused')->[4], 'meta 400: (#132001) Template name does not exist in the translation (code 132001)', "keeping Meta's reason");

control('noid');
otp('noid', '+61400000010', '123456');
ok($k->wait_until(10, sub { $row->('noid')->[0] eq 'sent' }), 'accepted without an id: sent all the same (again could send it twice)');
is($row->('noid')->[3], 'meta-' . $psql->("SELECT id FROM notifications WHERE event_key = 'noid'"), '… known by our id');
is($row->('noid')->[1], 1, '… after one attempt');

control('hang 4');
otp('timeout', '+61400000007', '123456');
ok($k->wait_until(15, sub { $row->('timeout')->[4] ne '' }), 'a Meta that does not answer in time');
like($row->('timeout')->[4], qr/^meta: Timeout/, 'is a timeout error');
ok($k->wait_until(20, sub { $row->('timeout')->[0] =~ /^(sent|delivered)$/ }), 'and the message is retried and sent');

# An unmapped template goes by its derived name; variables Meta would refuse never get queued.
$k->post_json('/_debug/notify', { event => 'confirm', channel => 'whatsapp', to => '+61400000008', template => 'appointment-confirmed',
	model => { patient => { firstName => 'Ann' }, practitioner => { name => 'Dr Priya Natarajan' }, when => 'Tue 12 March, 9:30 am', reference => 'KX7-42Q' } });
ok($k->wait_until(10, sub { $row->('confirm')->[0] =~ /^(sent|delivered)$/ }), 'a booking confirmation is sent');
my ($conf) = grep { ($_->{message}{to} // '') eq '+61400000008' } @{ $requests->() };
is_deeply($conf->{message}{template}, { name => 'appointment_confirmed_phi_free', language => { code => 'en_US' },
	components => [{ type => 'body', parameters => [{ type => 'text', text => 'Kairos' }] }] },
	'without a BAA: the PHI-free template (derived name), whose only variable is the clinic');
$r = $k->post_json('/_debug/notify', { event => 'bad-var', channel => 'whatsapp', to => '+61400000009', template => 'otp', model => { code => "12\n34" } });
is($r->{status}, 400, 'a variable with a newline (Meta refuses those) is refused when queued');
like(KairosTest::json($r)->{details}{template}, qr/code must be 1-1000 characters without newlines/, 'naming it');
$r = $k->post_json('/_debug/notify', { event => 'free-text', channel => 'whatsapp', to => '+61400000009', body => 'hello' });
is($r->{status}, 400, 'free text on WhatsApp is refused: a template is required');
is($psql->("SELECT count(*) FROM notifications WHERE event_key IN ('bad-var', 'free-text')"), 0, 'neither was queued');

# --- staff WhatsApp through the staff API
my $ann = $psql->("INSERT INTO users (org_id, role, name, phone) SELECT id, 'patient', 'Ann Lee', '+61400000111' FROM organisations WHERE is_default RETURNING id");
($ann) = $ann =~ /^([0-9a-f-]{36})/m;
sub staff { my ($path, $body) = @_; $k->post_json($path, $body, headers => { Authorization => "Bearer $staff" }) }
$r = staff('/api/notifications', { client_id => $ann, type => 'whatsapp', body => 'Your test results are ready, Dr Priya will call.' });
is($r->{status}, 202, 'POST /api/notifications takes type whatsapp: 202');
my $sid = KairosTest::json($r)->{id};
ok($k->wait_until(10, sub { $psql->("SELECT status FROM notifications WHERE id = '$sid'") =~ /^(sent|delivered)$/ }), 'and it is sent');
is($psql->("SELECT recipient || ' ' || template_name || ' ' || body_text FROM notifications WHERE id = '$sid'"),
	'+61400000111 staff-message.phi-free You have a new message from Kairos. Sign in to read it.',
	"to the patient's mobile, as the PHI-free template without a BAA");
my ($staff_req) = grep { ($_->{message}{to} // '') eq '+61400000111' } @{ $requests->() };
unlike(encode_json($staff_req), qr/results|Priya/, "the staff member's words never reach Meta without a BAA");
$r = staff('/comms', { client_id => $ann, type => 'whatsapp', body => 'x' });
is($r->{status}, 400, 'POST /comms stays sms|email (NOTE-7)');
is(KairosTest::json($r)->{details}{type}, 'Channel must be one of: sms, email', 'saying so');
$r = staff('/api/notifications', { client_id => $ann, type => 'whatsapp', body => "two\nlines" });
like(KairosTest::json($r)->{details}{body}, qr/one line of at most 1000 characters/, 'a WhatsApp body Meta would refuse is refused at once');

unlike($k->slurp('log/jobs.log') . $k->slurp('log/kairos.log'), qr/\Q$meta->{token}\E|\Q$meta->{app_secret}\E/, 'neither the token nor the app secret reaches the logs');

# --- kairos doctor
my ($drc, $dout) = $k->kairos('doctor');
is($drc, 0, 'kairos doctor passes with good credentials');
like($dout, qr/^✓ meta \(whatsapp\): phone number \+61 400 000 999 reachable, token accepted$/m, 'reading the phone number node');
unlike($dout, qr/\Q$meta->{token}\E/, 'without printing the token');
my $get = (grep { $_->{method} eq 'GET' } @{ $requests->() })[-1];
is($get->{path}, "/v21.0/$meta->{pnid}", 'a harmless GET of /v{N}/{PHONE_NUMBER_ID}');
{
	local $k->{env}{KAIROS_META_WHATSAPP_ACCESS_TOKEN} = 'wrong-token';
	($drc, $dout) = $k->kairos('doctor');
	is($drc, 1, 'a refused token fails the doctor');
	like($dout, qr/^✗ meta \(whatsapp\): access token refused \(HTTP 401, code 190\)$/m, 'saying so');
}
{
	local $k->{env}{KAIROS_META_WHATSAPP_BASE_URL} = 'http://127.0.0.1:' . KairosTest::free_port();
	($drc, $dout) = $k->kairos('doctor');
	like($dout, qr/^✗ meta \(whatsapp\): http:\/\/127\.0\.0\.1:\d+ unreachable: /m, 'an unreachable API fails it, naming the address');
}

KairosTest::stop_fake($meta);
$k->finish;
done_testing;
