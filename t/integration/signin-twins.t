#!/usr/bin/env perl
# A page and its JSON twin read through ONE input spec (issue 12 item 1, input/input.h):
# /signin and /signup share send-otp's, /signin/code verify-otp's. An error on a page's field
# and in the JSON's `details` comes from the same row: /signup's flat "name" is send-otp's
# "signup.name", /signin/code's "code" is verify-otp's "otp" (worded with the page's label),
# and verify-otp's phone, which the code page takes from where its code went, is still
# required of JSON. The rules across fields are the spec's, so both sides keep them (a new
# account's code goes to the phone, never by email), and a date of birth is "in the past"
# by the clinic's day, not UTC's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use KairosBrowser;
use Test::More;

my $k = KairosTest->start(workers => 2);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $j = \&KairosTest::json;
my $send = sub { $k->post_json('/api/patient-auth/send-otp', $_[0]) };

# The error message by a field of a page (templates/partials/field: id="FIELD-error").
sub field_error {
	my ($html, $field) = @_;
	my ($m) = $html =~ m{id="\Q$field\E-error"[^>]*>(?:\s*<span[^>]*>[^<]*</span>)?\s*([^<]+?)\s*<};
	return $m // '';
}
# The error summary's links, in order.
sub summary { my ($html) = @_; [ $html =~ m{<li><a href="#([^"]+)">}g ] }

my $b = KairosBrowser->new($k);
my $csrf = $b->csrf('/signup');
my %good = (name => 'Ana Twin', email => 'ana.twin@example.org', dateOfBirth => '1990-01-01');

# ---- /signup ⇄ send-otp's signup: one row each, flat on the page, nested in JSON ----
for my $case (
	[ name => '', 'a blank name' ], [ name => 'x' x 201, 'a name too long' ],
	[ email => 'ana.twin', 'an email without a domain' ], [ dateOfBirth => '2999-01-01', 'a birth date to come' ],
	[ dateOfBirth => '1990-02-30', 'a day that does not exist' ],
) {
	my ($field, $value, $what) = @$case;
	my %in = (%good, $field => $value);
	my $r = $send->({ phone => '+61400000601', channel => 'sms', signup => { %in, consent => JSON::PP::true } });
	is($r->{status}, 400, "send-otp, $what: 400");
	my $details = $j->($r)->{details};
	my $json = $details->{"signup.$field"};
	ok(defined $json && !exists $details->{$field}, "... at signup.$field, not at the flat name ($json)");
	$r = $b->post('/signup', { _csrf => $csrf, %in, phone => '+61400000601', channel => 'sms', consent => 'yes' });
	is($r->{status}, 422, "/signup, $what: 422");
	is(field_error($r->{content}, $field), $json, "... by the flat field $field, the same message from the same row");
	unlike($r->{content}, qr/id="signup\./, '... and no dotted field on the page');
}
my $r = $send->({ phone => '+61400000601', signup => { %good, consent => JSON::PP::false } });
my $consent = $j->($r)->{details}{'signup.consent'};
is($consent, 'You need to agree to the terms and the privacy policy to create an account', 'send-otp: consent false is signup.consent');
$r = $b->post('/signup', { _csrf => $csrf, %good, phone => '+61400000601', channel => 'sms' });
is(field_error($r->{content}, 'consent'), $consent, '/signup: the box unticked, the same message by the consent field');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000601'"), 0, 'no code sent for any of them');

# the page's summary keeps the page's order, not the spec's (phone and channel come first in JSON)
$r = $b->post('/signup', { _csrf => $csrf, phone => '1300 123 456' });
is_deeply(summary($r->{content}), [qw(name email phone dateOfBirth consent-yes)], '/signup: the summary in the order the page shows its fields');
is_deeply([sort keys %{ $j->($send->({ phone => '1300 123 456', signup => {} }))->{details} }],
	[qw(phone signup.consent signup.dateOfBirth signup.email signup.name)], 'send-otp: the same five fields at their JSON paths');

# the sign-up page offers the phone's channels only; the spec's check says so to both sides
$r = $b->get('/signup');
like($r->{content}, qr/id="channel-whatsapp"/, '/signup offers WhatsApp');
unlike($r->{content}, qr/id="channel-email"/, '... but not email');
like($b->get('/signin')->{content}, qr/id="channel-email"/, '/signin offers email, from the same row');
$r = $send->({ phone => '+61400000602', channel => 'email', email => 'ana.twin@example.org', signup => { %good, consent => JSON::PP::true } });
is($r->{status}, 400, 'send-otp: sign-up details with an emailed code: 400');
is_deeply($j->($r)->{details}, { channel => 'Channel must be one of: sms, whatsapp' }, '... at channel: a new account\'s code goes to its phone');
$r = $b->post('/signup', { _csrf => $csrf, %good, phone => '+61400000602', channel => 'email', consent => 'yes' });
is(field_error($r->{content}, 'channel'), 'Channel must be one of: sms, whatsapp', '/signup with channel=email sent anyway: the same, by the channel');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000602'"), 0, '... and no code');

# /signin carries phone, channel and email of the same spec, and none of the sign-up rows
$r = $b->post('/signin', { _csrf => $b->csrf('/signin'), phone => '+61400000603', channel => 'email', name => '', dateOfBirth => 'x' });
is_deeply(summary($r->{content}), ['email'], '/signin: the emailed code needs the address, and sign-up fields sent are not read');
is(field_error($r->{content}, 'email'), $j->($send->({ phone => '+61400000603', channel => 'email' }))->{details}{email},
	'... the same message send-otp gives');

# ---- /signin/code ⇄ verify-otp: "code" is "otp"; the phone is the page's own ----
$r = $b->post('/signin', { _csrf => $b->csrf('/signin'), phone => '+61400000604', channel => 'sms' });
is($r->{status}, 303, 'a code for +61400000604');
$r = $b->get('/signin/code');
unlike($r->{content}, qr/name="(?:phone|otp)"/, '/signin/code shows neither a phone nor an "otp" field');
$csrf = $b->csrf($r);
for my $case ([ 'abc', 'letters' ], [ '', 'nothing' ]) {
	my ($code, $what) = @$case;
	my $json = $j->($k->post_json('/api/patient-auth/verify-otp', { phone => '+61400000604', otp => $code }))->{details}{otp};
	$r = $b->post('/signin/code', { _csrf => $csrf, code => $code });
	is($r->{status}, 422, "/signin/code, $what: 422");
	is(field_error($r->{content}, 'code'), $json, "... by the code field, verify-otp's otp message ($json)");
}
$r = $b->post('/signin/code', { _csrf => $csrf, code => '1234567' });
is(field_error($r->{content}, 'code'), 'Your 6-digit code must be 6 characters or fewer', '/signin/code: the row\'s limit in the page\'s label');
is($j->($k->post_json('/api/patient-auth/verify-otp', { phone => '+61400000604', otp => '1234567' }))->{details}{otp},
	'Code must be 6 characters or fewer', 'verify-otp: the same limit in the API\'s label');
my $code = $k->latest_code('+61400000604');
my $wrong = $code eq '000000' ? '111111' : '000000';
$r = $b->post('/signin/code', { _csrf => $csrf, code => $wrong, otp => $code, phone => '+61400000699' });
is($r->{status}, 401, '/signin/code: a phone and an otp in the form are not read: the wrong code for the number it went to');
like($r->{content}, qr/That code is not right. You have 4 more tries./, '... counted against the code\'s number');
is($psql->("SELECT string_agg(phone, ',') FROM otp_guesses"), '+61400000604', '... +61400000604, not the number the form named');
is_deeply($j->($k->post_json('/api/patient-auth/verify-otp', { otp => '123456' }))->{details}, { phone => 'Enter a mobile number' },
	'verify-otp: the phone the page fills in is still required of JSON');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000699'"), 0, 'no code for the number the form named');

# ---- a date of birth is before the clinic's today (Australia/Sydney), not UTC's ----
# 13:30 UTC on 27 March 2026 is 00:30 on the 28th in Sydney (AEDT, +11)
my $clock = $k->request('POST', '/_debug/clock?at=2026-03-27T13:30:00Z');
is($clock->{status}, 200, 'the clock at 2026-03-27T13:30:00Z');
$r = $send->({ phone => '+61400000605', signup => { %good, dateOfBirth => '2026-03-27', consent => JSON::PP::true } });
is($r->{status}, 200, 'send-otp: born on the clinic\'s yesterday (UTC\'s today): taken');
$r = $send->({ phone => '+61400000606', signup => { %good, dateOfBirth => '2026-03-28', consent => JSON::PP::true } });
is_deeply($j->($r)->{details}, { 'signup.dateOfBirth' => 'Date of birth must be in the past' }, 'send-otp: born on the clinic\'s today: not in the past');
$b = KairosBrowser->new($k);
$csrf = $b->csrf('/signup');
$r = $b->post('/signup', { _csrf => $csrf, %good, dateOfBirth => '2026-03-27', phone => '+61400000607', channel => 'sms', consent => 'yes' });
is($r->{status}, 303, '/signup: the same date taken on the page');
$r = $b->post('/signup', { _csrf => $b->csrf('/signup'), %good, dateOfBirth => '2026-03-28', phone => '+61400000608', channel => 'sms', consent => 'yes' });
is(field_error($r->{content}, 'dateOfBirth'), 'Date of birth must be in the past', '/signup: the clinic\'s today refused there too');

$k->finish;
done_testing;
