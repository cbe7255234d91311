#!/usr/bin/env perl
# Hostile input gets its field's error, not a whole-request refusal (issue 12, item 1): a form
# value that is not UTF-8 is the form again with the message by that field and in the
# summary, the other fields kept (the bad value itself shown empty: web/form.c says why); in
# JSON the same byte inside a string is `details` at the member's dotted path, a member sent
# twice in one object is refused there ("was sent twice", as a form field sent twice), and
# unknown members are echoed cut short and only the first few, so an answer stays small
# whatever was sent (input/input.h).
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
my $enc = \&KairosBrowser::enc;
my $not_utf8 = sub { "$_[0] must be valid UTF-8 text" };
my $twice = sub { "$_[0] was sent twice" };

# The error message by a field of a page (templates/partials/field: id="FIELD-error").
sub field_error {
	my ($html, $field) = @_;
	my ($m) = $html =~ m{id="\Q$field\E-error"[^>]*>(?:\s*<span[^>]*>[^<]*</span>)?\s*([^<]+?)\s*<};
	return $m // '';
}
# The value a page's input holds.
sub field_value {
	my ($html, $field) = @_;
	my ($v) = $html =~ m{<input[^>]* id="\Q$field\E"[^>]* value="([^"]*)"};
	return $v;
}
# The error summary's link to a field.
sub summary_has {
	my ($html, $field, $message) = @_;
	return $html =~ m{<a href="#\Q$field\E">\Q$message\E</a>};
}

# ---- pages: sign-up ----
my $b = KairosBrowser->new($k);
my $r = $b->get('/signup');
my $csrf = $b->csrf($r);
ok($csrf, 'the sign-up form and its token');
$r = $b->request('POST', '/signup', content_raw => join '&', '_csrf=' . $enc->($csrf), 'name=Ana%FF',
	'email=ana%40example.org', 'phone=%2B61400000401', 'dateOfBirth=1990-01-01', 'channel=sms', 'consent=yes');
is($r->{status}, 422, 'a bad byte in the sign-up name: the form again (422, as any field error), not a bare 400');
is(field_error($r->{content}, 'name'), $not_utf8->('Full name'), '... the message by the name field');
ok(summary_has($r->{content}, 'name', $not_utf8->('Full name')), '... and in the error summary');
is(field_value($r->{content}, 'email'), 'ana@example.org', '... the email typed kept');
is(field_value($r->{content}, 'phone'), '+61400000401', '... the phone typed kept');
is(field_value($r->{content}, 'name'), '', '... the bad value itself shown empty, never echoed');
like($r->{content}, qr/name="_csrf" value="[^"]+"/, '... with a fresh token to send it again');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000401'"), 0, '... and no code sent');
$r = $b->request('POST', '/signup', content_raw => join '&', '_csrf=' . $enc->($csrf), 'name=Ana',
	'email=ana%C3%28%40example.org', 'phone=%2B61400000401', 'dateOfBirth=1990-01-01', 'channel=sms', 'consent=yes');
is(field_error($r->{content}, 'email'), $not_utf8->('Email address'), 'a bad byte in the email: by the email field');
is(field_value($r->{content}, 'name'), 'Ana', '... the name kept');
$r = $b->request('POST', '/signup', content_raw => join '&', '_csrf=' . $enc->($csrf), 'na%FFme=Ana',
	'email=ana%40example.org', 'phone=%2B61400000401', 'channel=sms', 'consent=yes');
is($r->{status}, 400, 'a bad byte in a field name: the request refused (no field to put it by)');
$r = $b->request('POST', '/signup', content_raw => '_csrf=' . $enc->($csrf) . '%FF&name=Ana&phone=%2B61400000401&channel=sms');
is($r->{status}, 403, 'a bad byte in the CSRF token: refused as a wrong token');

# ---- pages: staff sign-in ----
my $staff = $k->staff(role => 'admin');
my $s = KairosBrowser->new($k);
$r = $s->get('/staff/signin');
my $email_enc = $enc->($staff->{email});
$r = $s->request('POST', '/staff/signin', content_raw => '_csrf=' . $enc->($s->csrf($r)) . "&email=$email_enc%FF&password=" . $enc->($staff->{password}));
is($r->{status}, 422, 'staff sign-in, a bad byte in the email: the form again');
is(field_error($r->{content}, 'email'), $not_utf8->('Email address'), '... the message by the email field');
ok(summary_has($r->{content}, 'email', $not_utf8->('Email address')), '... and in the summary');
ok(!$s->{jar}{kairos_at}, '... and not signed in');
$r = $s->request('POST', '/staff/signin', content_raw => '_csrf=' . $enc->($s->csrf('/staff/signin')) . "&email=$email_enc&password=" . $enc->($staff->{password}) . '%FF');
is($r->{status}, 422, 'a bad byte in the password: the form again');
is(field_error($r->{content}, 'password'), $not_utf8->('Password'), '... by the password field');
is(field_value($r->{content}, 'email'), $staff->{email}, '... the email kept');
is(field_value($r->{content}, 'password'), '', '... the password never echoed');
ok(!$s->{jar}{kairos_at}, '... and not signed in');

# ---- pages: account details ----
my $p = KairosBrowser->new($k)->signin_patient('+61400000402');
$psql->("UPDATE users SET name = 'Pat Before', email = 'pat\@example.org' WHERE phone = '+61400000402'");
$r = $p->get('/account/details');
$r = $p->request('POST', '/account/details', content_raw => '_csrf=' . $enc->($p->csrf($r)) . '&name=Pat%E2%82&email=pat.new%40example.org');
is($r->{status}, 422, 'account details, a cut-off UTF-8 sequence in the name: the form again');
is(field_error($r->{content}, 'name'), $not_utf8->('Full name'), '... by the name field');
ok(summary_has($r->{content}, 'name', $not_utf8->('Full name')), '... and in the summary');
is(field_value($r->{content}, 'email'), 'pat.new@example.org', '... the new email typed kept');
is($psql->("SELECT name || ' ' || email FROM users WHERE phone = '+61400000402'"), 'Pat Before pat@example.org', '... nothing saved');

# ---- JSON: a bad byte inside a string is that member's error ----
my $signup = '"signup":{"name":"Ana%s","email":"ana3@example.org","dateOfBirth":"1990-01-01","consent":true}';
$r = $post->('/api/patient-auth/send-otp', '{"phone":"+61400000403","channel":"sms",' . sprintf($signup, "\xff") . '}');
is($r->{status}, 400, 'JSON: a bad byte in signup.name: 400');
is_deeply($j->($r)->{details}, { 'signup.name' => $not_utf8->('Full name') }, '... details at signup.name, not "body"');
$r = $post->('/api/patient-auth/send-otp', "{\"phone\":\"+6140000\xc3\x28403\",\"channel\":\"sms\",\"extra\":1}");
is_deeply($j->($r)->{details}, { phone => $not_utf8->('Mobile number'), extra => 'is not a field of this request' },
	'a bad byte in phone: details.phone, and the rest of the body still read');
$r = $post->('/api/patient-auth/send-otp', "{\"phone\":\"+61400000403\",\"ch\xffannel\":\"sms\"}");
is_deeply($j->($r)->{details}, { body => 'JSON is not valid UTF-8' }, 'a bad byte in a member name: the body as a whole');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000403'"), 0, 'no code sent for any of them');

# ---- JSON: a member twice ----
$r = $post->('/api/patient-auth/send-otp', '{"phone":"nonsense","channel":"sms","phone":"+61400000404"}');
is($r->{status}, 400, 'JSON: phone twice (last one good): 400, not last-one-wins');
is_deeply($j->($r)->{details}, { phone => $twice->('Mobile number') }, '... details.phone, in the form\'s words');
$r = $post->('/api/patient-auth/send-otp', '{"phone":"+61400000404","channel":"sms",' . sprintf($signup, '","name":"Bob') . '}');
is($r->{status}, 400, 'signup.name twice: 400');
is_deeply($j->($r)->{details}, { 'signup.name' => $twice->('Full name') }, '... details at signup.name');
$r = $post->('/api/patient-auth/send-otp', '{"phone":"+61400000404","channel":"sms","\u0070hone":"+61400000405"}');
is_deeply($j->($r)->{details}, { phone => $twice->('Mobile number') }, 'the same name spelt with an escape is the same name');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone IN ('+61400000404', '+61400000405')"), 0, 'no code sent for any of them');
$r = $post->('/api/staff-auth/login', '{"email":"nobody@example.org","password":"x","email":"' . $staff->{email} . '","password":"' . $staff->{password} . '"}');
is($r->{status}, 400, 'staff login with email and password twice: 400, not signed in as the last pair');
is_deeply($j->($r)->{details}, { email => $twice->('Email address'), password => $twice->('Password') }, '... each named');
ok(!exists $j->($r)->{accessToken}, '... no token');
$r = $post->('/api/patient-auth/send-otp', '{"phone":"+61400000406","channel":"sms","tags":[{"a":1},{"a":2}],"x":{"a":1,"b":{"a":2}}}');
is_deeply($j->($r)->{details}, { tags => 'is not a field of this request', x => 'is not a field of this request' },
	'one name in different objects is not twice');

# ---- JSON: unknown members, bounded ----
my $huge = 'k' x 60000;
$r = $post->('/api/patient-auth/send-otp', qq({"phone":"+61400000407","channel":"sms","$huge":1}));
is($r->{status}, 400, 'a 60 KB unknown member name: 400');
cmp_ok(length $r->{content}, '<', 1000, '... in an answer under 1,000 bytes (was over 60 KB): ' . length $r->{content});
is_deeply($j->($r)->{details}, { ('k' x 64) . "\x{2026}" => 'is not a field of this request' }, '... the name cut to 64 bytes and marked');
my $many = join ',', map { qq("unknown$_":1) } 1 .. 5000;
$r = $post->('/api/patient-auth/send-otp', qq({"phone":"+61400000407","channel":"sms",$many}));
is($r->{status}, 400, '5,000 unknown members: 400');
cmp_ok(length $r->{content}, '<', 2000, '... in an answer under 2,000 bytes (was 204 KB): ' . length $r->{content});
my $d = $j->($r)->{details};
is(scalar keys %$d, 11, '... 10 named and one summary');
is($d->{body}, 'has 4990 more members that are not fields of this request', '... the summary counts the rest');
$r = $post->('/api/patient-auth/send-otp', '{"phone":"+61400000407","channel":"sms","signup":{' .
	join(',', map { qq("u$_":1) } 1 .. 300) . '}}');
cmp_ok(length $r->{content}, '<', 2000, 'nested unknown members are bounded too: ' . length $r->{content});
is($j->($r)->{details}{signup}, 'has 290 more members that are not fields of this request', '... the summary at the object\'s path');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000407'"), 0, 'no code sent');

done_testing();
