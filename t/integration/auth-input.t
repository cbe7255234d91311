#!/usr/bin/env perl
# Sign-in input is refused, not truncated (issue 11, item 5), and phone numbers are read as
# people type them into one E.164 form (issue 12): a NUL inside a JSON string or a form value
# is a field error, never the part before it; +610400000001, +61400000001 and 0400 000 001
# are one number, with one throttle bucket and one account; a number not valid for its
# country is refused. Pages and the JSON API alike; AU, NZ, IN, GB and US numbers, each in
# its own clinic's national format (KAIROS_DEFAULT_REGION) and with its country code. Codes
# go only to numbers that can receive texts (issue 12 item 2): landlines, 13/1300/1800 and
# toll-free numbers are refused by the phone field, on the page and through the API; and a
# consent box sent as "no" is no consent (item 3).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use KairosBrowser;
use Test::More;

my $k = KairosTest->start(workers => 2);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $post = sub { my ($path, $body, %h) = @_; $k->post_json($path, $body, headers => \%h) };
my $j = \&KairosTest::json;
# the spec's message names the field by its label (input/input.h)
my $nul_json = sub { "$_[0] must not contain a NUL character" };
my $nul_form = 'This contains a NUL character, which is not allowed';
my $not_mobile = 'Enter a mobile number: this number cannot receive text messages';

# The error message by a field of a page (templates/partials/field: id="FIELD-error").
sub field_error {
	my ($html, $field) = @_;
	my ($m) = $html =~ m{id="\Q$field\E-error"[^>]*>(?:\s*<span[^>]*>[^<]*</span>)?\s*([^<]+?)\s*<};
	return $m // '';
}

# ---- JSON: a NUL inside a string is a field error, never the part before it ----
my $r = $post->('/api/patient-auth/send-otp', { phone => '+61400000301', channel => 'sms' });
is($r->{status}, 200, 'a code for +61400000301');
my $code = $k->latest_code('+61400000301');
like($code, qr/^\d{6}$/, '... reaches the outbox');
$r = $post->('/api/patient-auth/verify-otp', { phone => '+61400000301', otp => "$code\0" });
is($r->{status}, 400, 'the live code and a NUL ("\\u0000") does not sign in: 400');
is_deeply($j->($r)->{details}, { otp => $nul_json->('Code') }, '... with details.otp');
ok(!exists $j->($r)->{accessToken}, '... and no token');
is($psql->("SELECT count(*) FROM users WHERE phone = '+61400000301'"), 0, '... and no account');
is($psql->("SELECT attempts FROM otp_codes WHERE phone = '+61400000301'"), 0, '... nor a wrong try counted against the code');
is($post->('/api/patient-auth/verify-otp', { phone => '+61400000301', otp => $code })->{status}, 200,
	'the same code without the NUL still signs in');

$r = $post->('/api/patient-auth/send-otp', { phone => "+61400000302\0", channel => 'sms' });
is($r->{status}, 400, 'a NUL after a phone number: 400');
is_deeply($j->($r)->{details}, { phone => $nul_json->('Mobile number') }, '... details.phone');
$r = $post->('/api/patient-auth/send-otp', { phone => "+61400000303", channel => "sms\0whatsapp" });
is_deeply($j->($r)->{details}, { channel => $nul_json->('Channel') }, 'a NUL in the channel: details.channel');
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000304', channel => 'email', email => "ann\@example.org\0x" });
is_deeply($j->($r)->{details}, { email => $nul_json->('Email address') }, 'a NUL in the email: details.email');
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000305', channel => 'sms',
	signup => { name => "Ann\0<b>x</b>", email => "ann5\@example.org\0", dateOfBirth => '1990-01-01', consent => JSON::PP::true } });
is($r->{status}, 400, 'a NUL in the sign-up name and email: 400');
is_deeply($j->($r)->{details}, { 'signup.name' => $nul_json->('Full name'), 'signup.email' => $nul_json->('Email address') }, '... each named');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000305'"), 0, '... and nothing stored');

$r = $post->('/api/patient-auth/verify-otp', '{"phone":"+61400000301","otp\u0000":"123456"}');
is($r->{status}, 400, 'a NUL in a member name: 400');
is_deeply($j->($r)->{details}, { body => 'NUL character in a JSON member name' }, '... said so');

my $staff = $k->staff(role => 'admin');
$r = $post->('/api/staff-auth/login', { email => $staff->{email}, password => "$staff->{password}\0anything" });
is($r->{status}, 400, 'a staff password and a NUL does not sign in: 400');
is_deeply($j->($r)->{details}, { password => $nul_json->('Password') }, '... details.password');
$r = $post->('/api/staff-auth/login', { email => "$staff->{email}\0", password => $staff->{password} });
is_deeply($j->($r)->{details}, { email => $nul_json->('Email address') }, 'a NUL in the staff email: details.email');

# ---- phones: one number, one form ----
$r = $post->('/api/patient-auth/send-otp', { phone => '+61400000310', channel => 'sms' });
is($r->{status}, 200, 'a code for +61400000310');
for my $same ('+610400000310', '0400 000 310', '(04) 0000-0310', '+61 (0)400 000 310') {
	$r = $post->('/api/patient-auth/send-otp', { phone => $same, channel => 'sms' });
	is($r->{status}, 429, "'$same' is the same number: its resend limit applies (429)");
}
is($psql->("SELECT string_agg(DISTINCT phone, ',') FROM otp_codes WHERE phone LIKE '%400000310'"), '+61400000310',
	'every code row has the E.164 form');
$code = $k->latest_code('+61400000310');
$r = $post->('/api/patient-auth/verify-otp', { phone => '+610400000310', otp => $code });
is($r->{status}, 200, 'the code verifies for +610400000310');
is($j->($r)->{patient}{phone}, '+61400000310', '... the account of +61400000310');
is($psql->("SELECT count(*) FROM users WHERE phone LIKE '%400000310'"), 1, 'one account');

for my $intl (['+64 21 123 4567', '+64211234567', 'New Zealand'], ['+44 (0)7400 123456', '+447400123456', 'British'],
	['+1 (201) 555-0123', '+12015550123', 'US']) {
	$r = $post->('/api/patient-auth/send-otp', { phone => $intl->[0], channel => 'sms' });
	is($r->{status}, 200, "an Australian clinic takes a $intl->[2] number with its country code");
	ok($k->latest_code($intl->[1]), "... as $intl->[1]");
}
$r = $post->('/api/patient-auth/send-otp', { phone => '0400 000 311', channel => 'sms' });
is($r->{status}, 200, 'a national number (the default region, AU): 200');
ok($k->latest_code('+61400000311'), '... the code goes to its E.164 form');

for my $bad (['+6140000000', 'That is not a number in use: check the digits and the country code', 'an Australian mobile a digit short'],
	['+614000000011', 'That is not a number in use: check the digits and the country code', 'a digit long'],
	['0400 000 31', 'That is not a number in use: check the digits and the country code', 'a national number a digit short'],
	['+999 400 000 312', 'That is not a number in use: check the digits and the country code', 'no such country code'],
	['0400 000 312 ext 5', 'Enter the number with digits only (spaces, dashes and brackets are fine)', 'an extension'],
	['0400000312x', 'Enter the number with digits only (spaces, dashes and brackets are fine)', 'a trailing letter'],
	["\x{ff10}400000312", 'Enter the number with digits only (spaces, dashes and brackets are fine)', 'a full-width digit'],
	['+61' . ('4' x 60), 'That is too long for a phone number', 'very long']) {
	$r = $post->('/api/patient-auth/send-otp', { phone => $bad->[0], channel => 'sms' });
	is($r->{status}, 400, "$bad->[2]: 400");
	is($j->($r)->{details}{phone}, $bad->[1], '... said so');
}
# not mobiles: in use, but a code sent to them could never arrive
for my $fixed (['(02) 9876 5432', 'sms', 'a Sydney landline'], ['+61 3 9000 0000', 'sms', 'a Melbourne landline with its country code'],
	['1300 123 456', 'sms', 'a 1300 number'], ['13 12 34', 'whatsapp', 'a 13 number, by WhatsApp'],
	['1800 123 456', 'sms', 'a 1800 number'], ['(02) 9876 5432', 'email', 'a landline, with the code by email']) {
	$r = $post->('/api/patient-auth/send-otp', { phone => $fixed->[0], channel => $fixed->[1],
		$fixed->[1] eq 'email' ? (email => 'fixed@example.org') : () });
	is($r->{status}, 400, "$fixed->[2] ($fixed->[0]): 400");
	is_deeply($j->($r)->{details}, { phone => $not_mobile }, '... details.phone says a mobile is needed');
}
$r = $post->('/api/patient-auth/send-otp', { phone => '1300 123 456', channel => 'sms',
	signup => { name => 'Ann Fixed', email => 'ann.fixed@example.org', dateOfBirth => '1990-01-01', consent => JSON::PP::true } });
is_deeply($j->($r)->{details}, { phone => $not_mobile }, 'a sign-up to a 1300 number: details.phone');
$r = $post->('/api/patient-auth/verify-otp', { phone => '(02) 9876 5432', otp => '123456' });
is($r->{status}, 401, 'verify-otp with a landline: a wrong code like any other (401), not a field error');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone IN ('+61298765432', '+61390000000', '+611300123456', '+61131234', '+611800123456')"), 0,
	'no code for any of them');
is($psql->("SELECT count(*) FROM notifications WHERE recipient IN ('+61298765432', '+61390000000', '+611300123456', '+61131234', '+611800123456', 'fixed\@example.org')"), 0,
	'... and nothing queued');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone NOT IN ('+61400000301', '+61400000310', '+61400000311', '+64211234567', '+447400123456', '+12015550123')"), 0,
	'no refused number got a code');

# ---- pages: the form again, the message by the field ----
my $b = KairosBrowser->new($k);
my $csrf = $b->csrf('/signin');
like($b->get('/signin')->{content}, qr/For example 0412 345 678, or with the country code: \+61 412 345 678/,
	'the phone hint shows the national format of the clinic country');
$r = $b->post('/signin', { _csrf => $csrf, phone => "0400 000 320\0", channel => 'sms', email => '' });
is($r->{status}, 422, '/signin: a NUL in the phone: the form again (422)');
is(field_error($r->{content}, 'phone'), $nul_form, '... the message by the phone field');
$r = $b->post('/signin', { _csrf => $csrf, phone => '0400 000 320', channel => "sms\0", email => '' });
is($r->{status}, 422, '/signin: a NUL in the channel: 422');
is(field_error($r->{content}, 'channel'), $nul_form, '... by the channel field');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000320'"), 0, '... and no code sent');
$r = $b->post('/signin', { _csrf => $csrf, phone => '(04) 0000 0320', channel => 'sms', email => '' });
is($r->{status}, 303, '/signin: a national number with brackets: on to the code');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000320'"), 1, '... the code went to +61400000320');
$code = $k->latest_code('+61400000320');
$csrf = $b->csrf('/signin/code');
$r = $b->post('/signin/code', { _csrf => $csrf, code => "$code\0" });
is($r->{status}, 422, '/signin/code: the live code and a NUL: the form again (422), not signed in');
is(field_error($r->{content}, 'code'), $nul_form, '... the message by the code field');
ok(!$b->{jar}{kairos_at}, '... and no session cookie');
$r = $b->post('/signin/code', { _csrf => $csrf, code => $code });
is($r->{status}, 303, 'the code itself then signs in');
is($psql->("SELECT count(*) FROM users WHERE phone = '+61400000320'"), 1, '... as +61400000320');

$b = KairosBrowser->new($k);
$csrf = $b->csrf('/signup');
$r = $b->post('/signup', { _csrf => $csrf, name => "Ann\0Other", email => "ann.nul\@example.org", phone => '+610400000321',
	dateOfBirth => '1990-01-01', channel => 'sms', consent => 'yes' });
is($r->{status}, 422, '/signup: a NUL in the name: 422');
is(field_error($r->{content}, 'name'), $nul_form, '... by the name field');
$r = $b->post('/signup', { _csrf => $csrf, name => 'Ann Other', email => "ann.nul\@example.org\0", phone => '+610400000321',
	dateOfBirth => '1990-01-01', channel => 'sms', consent => 'yes' });
is(field_error($r->{content}, 'email'), $nul_form, '/signup: a NUL in the email, by the email field');
$r = $b->post('/signup', { _csrf => $csrf, name => 'Ann Other', email => 'ann.nul@example.org', phone => '0400 0',
	dateOfBirth => '1990-01-01', channel => 'sms', consent => 'yes' });
is(field_error($r->{content}, 'phone'), 'That is not a number in use: check the digits and the country code',
	'/signup: a number not valid in its country, by the phone field');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone LIKE '%400000321'"), 0, '... and no code sent for any');
$r = $b->post('/signup', { _csrf => $csrf, name => 'Ann Other', email => 'ann.nul@example.org', phone => '+610400000321',
	dateOfBirth => '1990-01-01', channel => 'sms', consent => 'yes' });
is($r->{status}, 303, '/signup with +610400000321: on to the code');
is($psql->("SELECT string_agg(phone, ',') FROM otp_codes WHERE phone LIKE '%400000321'"), '+61400000321', '... sent to +61400000321');

# pages: a landline or a 1300 number is the phone field's error, what was typed kept
$b = KairosBrowser->new($k);
$csrf = $b->csrf('/signin');
$r = $b->post('/signin', { _csrf => $csrf, phone => '(02) 9876 5432', channel => 'sms', email => '' });
is($r->{status}, 422, '/signin with a Sydney landline: the form again (422), not the code page');
is(field_error($r->{content}, 'phone'), $not_mobile, '... the message by the phone field');
like($r->{content}, qr{<a href="#phone">\Q$not_mobile\E</a>}, '... and in the error summary');
like($r->{content}, qr{name="phone"[^>]*value="\(02\) 9876 5432"|value="\(02\) 9876 5432"[^>]*name="phone"}, '... the number typed kept');
ok(!$b->{jar}{kairos_p}, '... and no code cookie');
$r = $b->post('/signin', { _csrf => $csrf, phone => '1300 123 456', channel => 'whatsapp', email => '' });
is(field_error($r->{content}, 'phone'), $not_mobile, '/signin with a 1300 number, by WhatsApp: by the phone field');
$b = KairosBrowser->new($k);
$csrf = $b->csrf('/signup');
$r = $b->post('/signup', { _csrf => $csrf, name => 'Ann Fixed', email => 'ann.fixed@example.org', phone => '1300 123 456',
	dateOfBirth => '1990-01-01', channel => 'sms', consent => 'yes' });
is($r->{status}, 422, '/signup with a 1300 number: 422');
is(field_error($r->{content}, 'phone'), $not_mobile, '... by the phone field');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone IN ('+61298765432', '+611300123456')"), 0, '... and no code for either');

# a consent box is a yes only when it says yes (issue 12 item 3): "no" was read as consent
for my $no ('no', 'off', 'false', '0', '') {
	$r = $b->post('/signup', { _csrf => $csrf, name => 'Ann Consent', email => 'ann.consent@example.org', phone => '0400 000 322',
		dateOfBirth => '1990-01-01', channel => 'sms', consent => $no });
	is($r->{status}, 422, "/signup with consent=\"$no\": 422, no consent");
	is(field_error($r->{content}, 'consent'), 'You need to agree to the terms and the privacy policy to create an account', '... by the consent box');
	unlike($r->{content}, qr{name="consent"[^>]*checked}, '... which is not ticked again');
}
$r = $b->post('/signup', { _csrf => $csrf, name => 'Ann Consent', email => 'ann.consent@example.org', phone => '0400 000 322',
	dateOfBirth => '1990-01-01', channel => 'sms', consent => 'maybe' });
is($r->{status}, 422, '/signup with consent=maybe: 422');
is(field_error($r->{content}, 'consent'), 'I agree to the terms of use and the privacy policy must be true or false', '... by the consent box');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000322'"), 0, '... and no code for any of them');
$r = $b->post('/signup', { _csrf => $csrf, name => 'Ann Consent', email => 'ann.consent@example.org', phone => '0400 000 322',
	dateOfBirth => '1990-01-01', channel => 'sms', consent => 'on' });
is($r->{status}, 303, '/signup with consent=on (a browser\'s own value for a box): on to the code');

$b = KairosBrowser->new($k);
$csrf = $b->csrf('/staff/signin');
$r = $b->post('/staff/signin', { _csrf => $csrf, email => $staff->{email}, password => "$staff->{password}\0x" });
is($r->{status}, 422, '/staff/signin: the password and a NUL does not sign in (422)');
is(field_error($r->{content}, 'password'), $nul_form, '... the message by the password field');
$r = $b->post('/staff/signin', { _csrf => "$csrf\0", email => $staff->{email}, password => $staff->{password} });
is($r->{status}, 403, '/staff/signin: a NUL after the CSRF token is no token (403)');
$r = $b->post('/staff/signin', { _csrf => $csrf, email => $staff->{email}, password => $staff->{password} });
is($r->{status}, 303, 'the password itself signs in');

$k->finish;

# ---- another clinic country: national numbers are read as its own ----
my $in = KairosTest->start(workers => 1, env => { KAIROS_DEFAULT_REGION => 'IN' });
$r = $in->post_json('/api/patient-auth/send-otp', { phone => '98765 43210', channel => 'sms' });
is($r->{status}, 200, 'KAIROS_DEFAULT_REGION=IN: 98765 43210 is accepted');
ok($in->latest_code('+919876543210'), '... as +919876543210');
$r = $in->post_json('/api/patient-auth/send-otp', { phone => '0412 345 678', channel => 'sms' });
is($r->{status}, 400, '... and an Australian national number is not an Indian one');
$r = $in->post_json('/api/patient-auth/send-otp', { phone => '+61 412 345 678', channel => 'sms' });
is($r->{status}, 200, '... though with its country code it is');
like(KairosBrowser->new($in)->get('/signin')->{content}, qr/For example 081234 56789, or with the country code: \+91 81234 56789/,
	'... and the hint shows an Indian number');
$b = KairosBrowser->new($in);
$r = $b->post('/signin', { _csrf => $b->csrf('/signin'), phone => '98765 43211', channel => 'sms', email => '' });
is($r->{status}, 303, 'IN: the sign-in page takes 98765 43211');
ok($in->latest_code('+919876543211'), '... as +919876543211');
$r = $in->post_json('/api/patient-auth/send-otp', { phone => '011 2345 6789', channel => 'sms' });
is($r->{status}, 400, 'IN: a Delhi landline through the API: 400');
is(KairosTest::json($r)->{details}{phone}, $not_mobile, '... by the phone field');
$b = KairosBrowser->new($in);
$r = $b->post('/signin', { _csrf => $b->csrf('/signin'), phone => '011 2345 6789', channel => 'sms', email => '' });
is($r->{status}, 422, '... and on the page: the form again');
is(field_error($r->{content}, 'phone'), $not_mobile, '... by the phone field');
$in->finish;

# ---- New Zealand, Britain and the US: each clinic's national format, through the API and
# the page, stored as E.164; another country's national number is not theirs; a number that
# cannot take texts is refused (the US cannot tell its landlines from its mobiles, so there a
# toll-free number stands for them) ----
for my $c (['NZ', '021 123 4567', '+64211234567', '022 123 4567', '+64221234567', '(09) 379-4567', '+6493794567'],
	['GB', '07400 123456', '+447400123456', '07400 123457', '+447400123457', '020 7946 0018', '+442079460018'],
	['US', '(201) 555-0123', '+12015550123', '(201) 555-0124', '+12015550124', '(800) 555-0123', '+18005550123']) {
	my ($region, $api, $api_e164, $page, $page_e164, $fixed, $fixed_e164) = @$c;
	my $t = KairosTest->start(workers => 1, env => { KAIROS_DEFAULT_REGION => $region });
	$r = $t->post_json('/api/patient-auth/send-otp', { phone => $api, channel => 'sms' });
	is($r->{status}, 200, "$region: send-otp takes $api");
	ok($t->latest_code($api_e164), "... and the code goes to $api_e164");
	$r = $t->post_json('/api/patient-auth/send-otp', { phone => '0412 345 678', channel => 'sms' });
	is($r->{status}, 400, "$region: an Australian national number is refused");
	is(KairosTest::json($r)->{details}{phone}, 'That is not a number in use: check the digits and the country code', '... by the phone field');
	my $b = KairosBrowser->new($t);
	$r = $b->post('/signin', { _csrf => $b->csrf('/signin'), phone => $page, channel => 'sms', email => '' });
	is($r->{status}, 303, "$region: the sign-in page takes $page");
	ok($t->latest_code($page_e164), "... as $page_e164");
	$r = $t->post_json('/api/patient-auth/send-otp', { phone => $fixed, channel => 'sms' });
	is($r->{status}, 400, "$region: send-otp refuses $fixed");
	is(KairosTest::json($r)->{details}{phone}, $not_mobile, '... by the phone field');
	$b = KairosBrowser->new($t);
	$r = $b->post('/signin', { _csrf => $b->csrf('/signin'), phone => $fixed, channel => 'sms', email => '' });
	is($r->{status}, 422, "$region: and the sign-in page: the form again");
	is(field_error($r->{content}, 'phone'), $not_mobile, '... by the phone field');
	is(`psql -h ${\ $t->dir}/run -U kairos -d kairos -tAc "SELECT count(*) FROM otp_codes WHERE phone = '$fixed_e164'" 2>&1`, "0\n",
		"... and no code for $fixed_e164");
	$t->finish;
}
done_testing;
