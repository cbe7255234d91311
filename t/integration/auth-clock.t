#!/usr/bin/env perl
# Sign-in's time decisions read the settable wall clock (issue 12, item 6), not PostgreSQL's
# now(): moving the clock with POST /_debug/clock expires a sign-in code, ends the resend
# wait, expires an access token and a refresh token, closes the refresh grace window and
# ends a staff lockout, all without sleeping. Each time the database's own clock would
# still have said the opposite (checked with now() in psql), so a decision that read now()
# fails the test.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Digest::SHA qw(sha256_hex);
use Test::More;

my $k = KairosTest->start(workers => 2);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $post = sub { $k->post_json(@_) };
my $j = \&KairosTest::json;
my $clock = sub {
	my $r = $k->request('POST', "/_debug/clock?$_[0]");
	die "/_debug/clock?$_[0]: $r->{status} $r->{content}" if $r->{status} != 200;
	return $j->($r)->{now};
};
my $advance = sub { $clock->("advance=$_[0]") };
my $start = $clock->('at=' . time);
ok($start, "the clock is set (every worker: /_debug/clock moves them all) at $start");

# ---- a sign-in code lives AUTH_OTP_TTL_SECONDS (600) by the clock ----
is($post->('/api/patient-auth/send-otp', { phone => '+61400000101', channel => 'sms' })->{status}, 200, 'a code for one number');
my $old = $k->latest_code('+61400000101');
is($post->('/api/patient-auth/send-otp', { phone => '+61400000102', channel => 'sms' })->{status}, 200, 'and one for another');
my $young = $k->latest_code('+61400000102');
$advance->(590);
my $r = $post->('/api/patient-auth/verify-otp', { phone => '+61400000102', otp => $young });
is($r->{status}, 200, 'a code 590 s old by the clock still signs in');
$advance->(20);
$r = $post->('/api/patient-auth/verify-otp', { phone => '+61400000101', otp => $old });
is($r->{status}, 401, 'the right code 610 s old by the clock: 401');
is($j->($r)->{error}, 'Invalid or expired code', 'Invalid or expired code');
is($psql->("SELECT bool_and(expires_at > now()) FROM otp_codes WHERE phone = '+61400000101'"), 't',
	'though by the database\'s now() it has not expired: the decision read the clock');

# ---- the resend wait (AUTH_OTP_RESEND_SECONDS, 60) ----
is($post->('/api/patient-auth/send-otp', { phone => '+61400000103' })->{status}, 200, 'a code');
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000103' });
is($r->{status}, 429, 'another at once: 429');
$advance->(61);
is($post->('/api/patient-auth/send-otp', { phone => '+61400000103' })->{status}, 200,
	'61 s later by the clock (a real second later): 200');
$k->latest_code('+61400000103');

# ---- access and refresh tokens ----
my $ann = $k->patient('+61400000104');
my $me = sub { $k->get('/api/patient-auth/me', headers => { Authorization => "Bearer $_[0]" })->{status} };
my $refresh = sub { $post->('/api/patient-auth/refresh-token', { refreshToken => $_[0] }) };
is($me->($ann->{accessToken}), 200, 'a fresh access token works');
$advance->(901);
is($me->($ann->{accessToken}), 401, 'past its 15 minutes by the clock: 401');
$advance->(7 * 86400 - 1000);
$r = $refresh->($ann->{refreshToken});
is($r->{status}, 200, 'the refresh token, a minute and a half short of 7 days by the clock: 200');
my $next = $j->($r);
is($me->($next->{accessToken}), 200, 'and the new access token works');
$advance->(7 * 86400 + 60);
is($refresh->($next->{refreshToken})->{status}, 401, 'its successor, 7 days and a minute later: 401');
is($psql->("SELECT expires_at > now() FROM refresh_tokens WHERE token_hash = '\\x" . sha256_hex($next->{refreshToken}) . "'"), 't',
	'though by the database\'s now() it has not expired');

# ---- the refresh grace window (AUTH_REFRESH_GRACE_SECONDS, 10) ----
my $bob = $k->patient('+61400000105');
my $first = $j->($refresh->($bob->{refreshToken}));
$r = $refresh->($bob->{refreshToken});
is($r->{status}, 200, 'a spent refresh token presented again at once: 200');
is($j->($r)->{refreshToken}, $first->{refreshToken}, 'with the same pair (two tabs)');
$advance->(11);
is($refresh->($bob->{refreshToken})->{status}, 401, '11 s later by the clock: 401, a reuse');
is($refresh->($first->{refreshToken})->{status}, 401, 'which revokes the session');

# ---- a staff lockout (AUTH_STAFF_LOCK_SECONDS, 900) ----
my $sam = $k->staff(email => 'sam.clock@example.org', password => 'a long staff password');
my $login = sub { $post->('/api/staff-auth/login', { email => 'sam.clock@example.org', password => $_[0] })->{status} };
my @got = map { $login->('a wrong password') } 1 .. 5;
is_deeply(\@got, [401, 401, 401, 401, 429], 'five wrong passwords lock the email');
is($login->('a long staff password'), 429, 'the right password waits too');
$advance->(899);
is($login->('a long staff password'), 429, 'still locked 899 s later by the clock');
$advance->(2);
is($login->('a long staff password'), 200, 'and signs in at 901 s');
is($psql->("SELECT count(*) FROM login_failures WHERE email = 'sam.clock\@example.org'"), 0, 'the count is cleared');

$clock->('real=1');
$k->finish;
done_testing;
