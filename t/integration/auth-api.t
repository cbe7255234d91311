#!/usr/bin/env perl
# The sign-in JSON API (AUTH-2, AUTH-3, AUTH-5, AUTH-8, patient-api.md) through nginx: codes
# and their limits, no enumeration, tokens and their forgeries, refresh rotation and reuse,
# logout, staff passwords and lockout, the audit trail, and no secret in the logs.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Digest::SHA qw(hmac_sha256);
use JSON::PP;
use MIME::Base64 qw(encode_base64url decode_base64);
use Test::More;

my $k = KairosTest->start(workers => 2);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $post = sub { my ($path, $body, %h) = @_; $k->post_json($path, $body, headers => \%h) };
my $j = \&KairosTest::json;

# ---- send-otp: input checks ----
my $r = $post->('/api/patient-auth/send-otp', { phone => '0412 345', channel => 'fax' });
is($r->{status}, 400, 'a malformed number and channel: 400');
is_deeply($j->($r)->{details}, { phone => 'That is not a number in use: check the digits and the country code',
	channel => 'Channel must be one of: sms, whatsapp, email' }, 'each field named');
is_deeply($j->($post->('/api/patient-auth/send-otp', { phone => '+61400000001', channel => 'email' }))->{details},
	{ email => 'Enter an email address' }, 'the email channel needs an email');
is($j->($post->('/api/patient-auth/send-otp', { phone => 61400000001 }))->{details}{phone}, 'Mobile number must be text', 'a number is not a string');
is($post->('/api/patient-auth/send-otp', '[1]')->{status}, 400, 'a body that is not an object: 400');
is($post->('/api/patient-auth/send-otp', "{\"phone\":\"+614\xff\"}")->{status}, 400, 'bad UTF-8: 400');
is($post->('/api/patient-auth/send-otp', { phone => '+61' . ('4' x 40) })->{status}, 400, 'an overlong number: 400');

# ---- no enumeration: a known and an unknown number get the same answer ----
$psql->("INSERT INTO users (org_id, role, name, email, phone) SELECT id, 'patient', 'Ann Known', 'ann\@example.org', '+61400000002' FROM organisations WHERE is_default");
my $known = $post->('/api/patient-auth/send-otp', { phone => '+61400000002', channel => 'sms' });
my $unknown = $post->('/api/patient-auth/send-otp', { phone => '+61400000003', channel => 'sms' });
is($known->{status}, 200, 'send-otp: 200');
is_deeply($j->($known), { success => JSON::PP::true, expiresInSeconds => 600, resendAfterSeconds => 60 }, 'the documented answer');
is($unknown->{content}, $known->{content}, 'an unknown number gets exactly the same answer');
my $code = $k->latest_code('+61400000002');
like($code, qr/^\d{6}$/, 'the code reaches the outbox');
my $hash = $psql->("SELECT code_hash FROM otp_codes WHERE phone = '+61400000002'");
like($hash, qr/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'stored as an argon2id hash');
unlike($hash, qr/$code/, 'never as the code');

# an emailed code only ever goes to the account's own address
$post->('/api/patient-auth/send-otp', { phone => '+61400000004', channel => 'email', email => 'mallory@example.org' });
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000002', channel => 'email', email => 'mallory@example.org' });
is($r->{status}, 429, 'the resend limit covers every channel of a number');
$psql->("UPDATE otp_codes SET created_at = created_at - interval '2 minutes' WHERE phone = '+61400000002'");
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000002', channel => 'email', email => 'mallory@example.org' });
is($r->{content}, $known->{content}, "a stranger's email for a known number: the same answer");
sleep 1;
is($psql->("SELECT count(*) FROM notifications WHERE recipient = 'mallory\@example.org'"), 0, '... and nothing is sent to it (nor for a new number by email)');
$psql->("UPDATE otp_codes SET created_at = created_at - interval '2 minutes' WHERE phone = '+61400000002'");
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000002', channel => 'email', email => 'ANN@example.org' });
is($r->{status}, 200, 'the account email (any case): 200');
ok($k->wait_until(10, sub { $psql->("SELECT count(*) FROM notifications WHERE recipient = 'ANN\@example.org' AND channel = 'email'") == 1 }),
	'... and the code goes to it by email');

# ---- throttles ----
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000002', channel => 'sms' });
is($r->{status}, 429, 'a second code within a minute: 429');
my $t = $j->($r);
is($t->{error}, 'Too many requests', 'Too many requests');
ok($t->{retryAfterSeconds} > 0 && $t->{retryAfterSeconds} <= 60, "retryAfterSeconds ($t->{retryAfterSeconds})");
is($r->{headers}{'retry-after'}, $t->{retryAfterSeconds}, 'and the Retry-After header');
# per number per hour: five, however spaced
$psql->("DELETE FROM otp_codes WHERE phone = '+61400000005'");
$psql->("INSERT INTO otp_codes (org_id, phone, channel, code_hash, expires_at, created_at) SELECT id, '+61400000005', 'sms', 'x', now(), now() - (g * interval '5 minutes') FROM organisations, generate_series(1, 5) g WHERE is_default");
is($post->('/api/patient-auth/send-otp', { phone => '+61400000005' })->{status}, 429, 'a sixth code for a number within the hour: 429');
# per client address per hour
$psql->("INSERT INTO otp_codes (org_id, phone, channel, code_hash, expires_at, created_at, requested_ip) SELECT id, '+6140000' || (1000 + g), 'sms', 'x', now(), now() - interval '10 minutes', '127.0.0.1' FROM organisations, generate_series(1, 20) g WHERE is_default");
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000006' });
is($r->{status}, 429, 'the 21st code from one address within the hour: 429');
$psql->("DELETE FROM otp_codes WHERE code_hash = 'x'");
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.otp_throttled'"), 4, 'each throttled request is audited');

# ---- verify-otp ----
is_deeply($j->($post->('/api/patient-auth/verify-otp', { phone => '+61400000002', otp => '12ab' }))->{details},
	{ otp => 'Enter the 6 digits of the code we sent you' }, 'a code that is not 6 digits: 400');
$code = $k->latest_code('+61400000002');
my $wrong = $code eq '000000' ? '111111' : '000000';
my @left;
for (1 .. 5) {
	$r = $post->('/api/patient-auth/verify-otp', { phone => '+61400000002', otp => $wrong });
	push @left, $r->{status} == 401 ? $j->($r)->{attemptsRemaining} : "status $r->{status}";
}
is_deeply(\@left, [4, 3, 2, 1, 0], 'five wrong codes: 401 each, attempts counting down');
is($j->($r)->{error}, 'Invalid or expired code', 'Invalid or expired code');
$r = $post->('/api/patient-auth/verify-otp', { phone => '+61400000002', otp => $code });
is($r->{status}, 401, 'brute force stopped at 5: even the right code fails now');
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.otp_failed'") . ' ' .
	$psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.otp_locked'"), '5 1', 'failures and the lock are audited');

# an expired code
$post->('/api/patient-auth/send-otp', { phone => '+61400000007' });
$code = $k->latest_code('+61400000007');
$psql->("UPDATE otp_codes SET expires_at = now() - interval '1 second' WHERE phone = '+61400000007'");
is($post->('/api/patient-auth/verify-otp', { phone => '+61400000007', otp => $code })->{status}, 401, 'an expired code: 401');
is($post->('/api/patient-auth/verify-otp', { phone => '+61400000008', otp => '123456' })->{status}, 401, 'no code ever sent: 401');

# the first right code creates the account; the next sign-in finds it
my $ann = $k->patient('+61400000009');
ok($ann->{accessToken} && $ann->{refreshToken}, 'verify-otp: tokens');
is($ann->{tokenType}, 'Bearer', 'tokenType Bearer');
is($ann->{expiresIn}, 900, 'expiresIn 900');
ok($ann->{isNewUser}, 'isNewUser for a new number');
is_deeply([sort keys %{ $ann->{patient} }], [qw(dateOfBirth email id name phone)], 'the patient object');
is($ann->{patient}{phone}, '+61400000009', 'with the number');
$psql->("UPDATE otp_codes SET created_at = created_at - interval '2 minutes' WHERE phone = '+61400000009'");
my $again = $k->patient('+61400000009');
ok(!$again->{isNewUser}, 'the second sign-in: not new');
is($again->{patient}{id}, $ann->{patient}{id}, 'the same account');
is($psql->("SELECT consumed_at IS NOT NULL FROM otp_codes WHERE phone = '+61400000009' ORDER BY created_at LIMIT 1"), 't', 'a used code is spent');

# sign-up through the API (AUTH-1): details checked, applied when the new number verifies
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000030', signup => { name => '', email => 'x', dateOfBirth => '2999-01-01', consent => JSON::PP::false } });
is_deeply($j->($r)->{details}, { 'signup.name' => 'Enter your full name', 'signup.email' => 'Enter an email address like name@example.com',
	'signup.dateOfBirth' => 'Date of birth must be in the past',
	'signup.consent' => 'You need to agree to the terms and the privacy policy to create an account' }, 'bad sign-up details: 400, each named');
is($j->($post->('/api/patient-auth/send-otp', { phone => '+61400000030', signup => 'me' }))->{details}{signup}, 'Sign-up details must be an object', 'signup must be an object');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000030'"), 0, 'no code for a refused sign-up');
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000030', signup => { name => 'Noor Api', email => 'noor@example.org', dateOfBirth => '1985-07-01', consent => JSON::PP::true } });
is($r->{content}, $known->{content}, 'a good sign-up: the same answer as any send-otp');
$code = $k->latest_code('+61400000030');
$r = $post->('/api/patient-auth/verify-otp', { phone => '+61400000030', otp => $code });
is_deeply([@{ $j->($r)->{patient} }{qw(name email dateOfBirth)}], ['Noor Api', 'noor@example.org', '1985-07-01'], 'the account has the sign-up details');
ok($j->($r)->{isNewUser}, 'and is new');

# ---- the access token ----
my $me = sub { $k->get('/api/patient-auth/me', headers => { defined $_[0] ? (Authorization => $_[0]) : () }) };
$r = $me->("Bearer $ann->{accessToken}");
is($r->{status}, 200, 'me with the bearer token: 200');
is($j->($r)->{patient}{id}, $ann->{patient}{id}, 'and it is me');
my ($h64, $p64, $s64) = split /\./, $ann->{accessToken};
my $header = decode_json(MIME::Base64::decode_base64url($h64));
my $claims = decode_json(MIME::Base64::decode_base64url($p64));
is_deeply($header, { alg => 'HS256', kid => 'k1', typ => 'JWT' }, 'header: HS256 with a kid');
is_deeply([sort keys %$claims], [qw(exp iat jti org role sid sub)], 'claims: sub, org, role, sid, iat, exp, jti');
is($claims->{exp} - $claims->{iat}, 900, '15 minutes');
is($claims->{role}, 'patient', 'role patient');
my ($kid, $key64) = split /:/, $k->slurp('jwt.keys');
chomp $key64;
my $key = decode_base64($key64);
my $sign = sub {
	my ($hdr, $cl, $k2) = @_;
	my $hp = encode_base64url(encode_json($hdr)) . '.' . encode_base64url(encode_json($cl));
	return "$hp." . encode_base64url(hmac_sha256($hp, $k2 // $key));
};
is($me->('Bearer ' . $sign->($header, $claims))->{status}, 200, 'a token we sign the same way is accepted (the forgeries below differ in one thing)');
my %forged = (
	'alg none' => join('.', encode_base64url(encode_json({ alg => 'none', kid => 'k1', typ => 'JWT' })), $p64, ''),
	'alg HS512' => $sign->({ %$header, alg => 'HS512' }, $claims),
	'a wrong key' => $sign->($header, $claims, 'x' x 32),
	'a wrong kid' => $sign->({ %$header, kid => 'k2' }, $claims),
	'no kid' => $sign->({ alg => 'HS256', typ => 'JWT' }, $claims),
	'expired' => $sign->($header, { %$claims, iat => time - 1000, exp => time - 10 }),
	'issued in the future' => $sign->($header, { %$claims, iat => time + 3600, exp => time + 4000 }),
	'another organisation' => $sign->($header, { %$claims, org => '00000000-0000-0000-0000-000000000000' }),
	'a changed role' => join('.', $h64, encode_base64url(encode_json({ %$claims, role => 'admin' })), $s64),
	'no sid' => $sign->($header, { map { $_ => $claims->{$_} } grep { $_ ne 'sid' } keys %$claims }),
	'garbage' => 'not.a.token',
);
for my $what (sort keys %forged) {
	is($me->("Bearer $forged{$what}")->{status}, 401, "a token with $what: 401");
}
is($me->("Basic $ann->{accessToken}")->{status}, 401, 'not a Bearer: 401');
$r = $me->(undef);
is($r->{status}, 401, 'no token: 401');
is($r->{headers}{'www-authenticate'}, 'Bearer', 'with WWW-Authenticate: Bearer');
is($j->($r)->{error}, 'Not signed in', 'Not signed in');

# ---- refresh: rotation, and reuse revokes the family ----
my $refresh = sub { $post->($_[1] // '/api/patient-auth/refresh-token', { refreshToken => $_[0] }) };
is($refresh->('')->{status}, 400, 'no refresh token: 400');
is($refresh->('nope')->{status}, 401, 'an unknown refresh token: 401');
is($refresh->($ann->{refreshToken}, '/api/staff-auth/refresh-token')->{status}, 401, "a patient's refresh token at the staff endpoint: 401");
$r = $refresh->($ann->{refreshToken});
is($r->{status}, 200, 'refresh: 200');
my $next = $j->($r);
is_deeply([sort keys %$next], [qw(accessToken expiresIn refreshToken)], 'accessToken, refreshToken, expiresIn');
isnt($next->{refreshToken}, $ann->{refreshToken}, 'a new refresh token every time');
is($psql->("SELECT encode(token_hash, 'hex') FROM refresh_tokens WHERE used_at IS NULL AND session_id = '" . decode_json(MIME::Base64::decode_base64url((split /\./, $next->{accessToken})[1]))->{sid} . "'"),
	Digest::SHA::sha256_hex($next->{refreshToken}), 'stored as its SHA-256 only');
is($me->("Bearer $next->{accessToken}")->{status}, 200, 'the new access token works');
# (within AUTH_REFRESH_GRACE_SECONDS it would get the same pair again: auth-hardening.t)
$psql->("UPDATE refresh_tokens SET used_at = used_at - interval '11 seconds' WHERE used_at IS NOT NULL AND session_id = '$claims->{sid}'");
$r = $refresh->($ann->{refreshToken});
is($r->{status}, 401, 'the spent token presented again after the grace window: 401');
is($refresh->($next->{refreshToken})->{status}, 401, '... and its successor is revoked with it');
is($me->("Bearer $next->{accessToken}")->{status}, 401, '... and so is the access token of that session');
is($psql->("SELECT revoked_reason FROM sessions WHERE id = '$claims->{sid}'"), 'refresh_reuse', 'the session is marked');
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.refresh_reuse'"), 1, 'and the reuse audited');
is($me->("Bearer $again->{accessToken}")->{status}, 200, "another session of the same person is untouched");

# ---- logout ----
$r = $post->('/api/patient-auth/logout', { refreshToken => $again->{refreshToken} });
is_deeply([$r->{status}, $j->($r)], [200, { success => JSON::PP::true }], 'logout: 200 {"success":true}');
is($refresh->($again->{refreshToken})->{status}, 401, 'the refresh token is dead after logout');
is($me->("Bearer $again->{accessToken}")->{status}, 401, 'so is the access token');
is($post->('/api/patient-auth/logout', { refreshToken => 'unknown' })->{content}, $r->{content}, 'an unknown token: the same answer');

# ---- staff ----
my $staff = $k->staff(role => 'admin', email => 'sam@example.org', password => 'a long staff password');
ok($staff->{token}, 'staff login: tokens');
$r = $post->('/api/staff-auth/login', { email => 'sam@example.org', password => 'a long staff password' });
is_deeply($j->($r)->{staff}, { id => $staff->{id}, name => 'Sam Staff', email => 'sam@example.org', role => 'admin' }, 'staff: {id,name,email,role}');
my $bad = $post->('/api/staff-auth/login', { email => 'sam@example.org', password => 'wrong' });
my $nobody = $post->('/api/staff-auth/login', { email => 'nobody@example.org', password => 'wrong' });
is($bad->{status}, 401, 'a wrong password: 401');
is($j->($bad)->{error}, 'Invalid email or password', 'Invalid email or password');
is($nobody->{content}, $bad->{content}, 'an unknown email: the same answer');
is($post->('/api/staff-auth/login', { email => 'sam@example.org' })->{status}, 400, 'no password: 400');
is($post->('/api/staff-auth/login', { email => 'sam@example.org', password => 'x' x 2000 })->{status}, 400, 'an overlong password: 400, before any hashing');
$post->('/api/staff-auth/login', { email => 'sam@example.org', password => 'wrong' }) for 1 .. 3;
$r = $post->('/api/staff-auth/login', { email => 'sam@example.org', password => 'wrong' });
is($r->{status}, 429, 'the fifth wrong password locks the account: 429');
is($r->{headers}{'retry-after'}, 900, 'for 15 minutes');
is($post->('/api/staff-auth/login', { email => 'sam@example.org', password => 'a long staff password' })->{status}, 429,
	'even the right password is refused while locked');
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.signin_failed'") . ' ' .
	$psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.locked'"), '5 2', 'failures and lockouts audited');
$psql->("UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE email = 'sam\@example.org'");
is($post->('/api/staff-auth/login', { email => 'sam@example.org', password => 'a long staff password' })->{status}, 200, 'after the lockout: 200');
is($refresh->($staff->{refresh}, '/api/patient-auth/refresh-token')->{status}, 401, "a staff refresh token at the patient endpoint: 401");
$r = $refresh->($staff->{refresh}, '/api/staff-auth/refresh-token');
is($r->{status}, 200, 'staff refresh: 200');
is($post->('/api/staff-auth/logout', { refreshToken => $j->($r)->{refreshToken} })->{status}, 200, 'staff logout: 200');
is($me->("Bearer $staff->{token}")->{status}, 401, "the access token of a logged-out staff session: 401");
is($me->('Bearer ' . $k->staff(role => 'practitioner')->{token})->{status}, 403, 'a live staff token on a patient route: 403');
my ($urc, $uout) = $k->kairos({ stdin => "short\n" }, 'user', 'add', '--role', 'admin', '--email', 'x@example.org', '--password-stdin');
is($urc, 2, 'kairos user add refuses a short password');
($urc, $uout) = $k->kairos({ stdin => "a long staff password\n" }, 'user', 'add', '--role', 'admin', '--email', 'sam@example.org', '--password-stdin');
is($urc, 1, '... and an email that already has an account');

# ---- audit and logs ----
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.signin' AND actor_kind = 'patient' AND ip = '127.0.0.1'"), 3, 'patient sign-ins audited with the address');
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.signout'"), 2, 'sign-outs audited');
is($psql->("SELECT count(*) FROM audit_log WHERE details::text ~ '[0-9]{6}' AND action LIKE 'auth.otp%'"), 0, 'no code in the audit log');
my $logs = $k->slurp('log/kairos.log') . $k->slurp('log/jobs.log') . $k->slurp('nginx/error.log');
my @secrets = ($code, $ann->{refreshToken}, $ann->{accessToken}, 'a long staff password', $key64);
is(scalar(grep { index($logs, $_) >= 0 } @secrets), 0, 'no code, token, password or key in any log');

$k->finish;
done_testing;
