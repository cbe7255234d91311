#!/usr/bin/env perl
# Sign-in codes through real providers (AUTH-2, NOTE-5): the code reaches the Twilio SMS and
# Meta WhatsApp stand-ins in the PHI-free words (no BAA: not even the clinic's name), and once
# a provider has accepted it the queued text is removed, so the code survives only as its
# argon2id hash; the patient signs in with the code the provider received.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $tw = KairosTest::start_twilio_fake();
my $meta = KairosTest::start_meta_fake();
my $k = KairosTest->start(workers => 1, seed => 1, env => { %{ $tw->{env} }, %{ $meta->{env} },
	KAIROS_WHATSAPP_TEMPLATES => 'otp.phi-free=kairos_login_code' });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $requests = sub { open my $f, '<', "$_[0]/requests.jsonl" or return []; [map { decode_json($_) } <$f>] };

# SMS through Twilio
is($k->post_json('/api/patient-auth/send-otp', { phone => '+61400000021', channel => 'sms' })->{status}, 200, 'a code by SMS');
my $sms;
ok($k->wait_until(10, sub { ($sms) = grep { ($_->{params}{To} // '') eq '+61400000021' } @{ $requests->($tw->{dir}) }; $sms }), 'reaches Twilio');
my ($code) = ($sms->{params}{Body} // '') =~ /^(\d{6}) is your sign-in code\. It expires in 10 minutes\. Never share it\.$/;
ok($code, "in the PHI-free words: \"$sms->{params}{Body}\"");
unlike($sms->{params}{Body}, qr/Harbourside|Psychology/, "without the clinic's name");
ok($k->wait_until(10, sub { $psql->("SELECT status FROM notifications WHERE recipient = '+61400000021'") eq 'sent' }), 'sent');
is($psql->("SELECT body_text FROM notifications WHERE recipient = '+61400000021'"), '(removed after sending: it held a one-time secret)',
	'the queued text is gone once Twilio has it');
is($psql->("SELECT count(*) FROM notifications WHERE body_text ~ '$code'"), 0, 'the code is nowhere in the outbox');
my $r = $k->post_json('/api/patient-auth/verify-otp', { phone => '+61400000021', otp => $code });
is($r->{status}, 200, 'the code Twilio delivered signs the patient in');

# WhatsApp through Meta: the code is a template variable
is($k->post_json('/api/patient-auth/send-otp', { phone => '+61400000022', channel => 'whatsapp' })->{status}, 200, 'a code by WhatsApp');
my $wa;
ok($k->wait_until(10, sub { ($wa) = grep { ($_->{message}{to} // '') =~ /61400000022/ } @{ $requests->($meta->{dir}) }; $wa }), 'reaches Meta');
is($wa->{message}{template}{name}, 'kairos_login_code', 'as the PHI-free OTP template');
my ($wcode) = encode_json($wa->{message}{template}{components}) =~ /"text":"(\d{6})"/;
ok($wcode, 'with the code as its parameter');
ok($k->wait_until(10, sub { $psql->("SELECT status FROM notifications WHERE recipient = '+61400000022'") eq 'sent' }), 'sent');
is($psql->("SELECT body_text || ' ' || template_vars::text FROM notifications WHERE recipient = '+61400000022'"),
	'(removed after sending: it held a one-time secret) []', 'text and variables removed once Meta has it');
is($k->post_json('/api/patient-auth/verify-otp', { phone => '+61400000022', otp => $wcode })->{status}, 200, 'and it signs the patient in');

# an ordinary message keeps its text (the patient's history shows it)
$k->post_json('/_debug/notify', { event => 'plain', channel => 'sms', to => '+61400000023', body => 'See you Tuesday' });
ok($k->wait_until(10, sub { $psql->("SELECT status FROM notifications WHERE event_key = 'plain'") eq 'sent' }), 'a plain message is sent');
is($psql->("SELECT body_text FROM notifications WHERE event_key = 'plain'"), 'See you Tuesday', 'and keeps its text');

$k->finish;
KairosTest::stop_fake($tw);
KairosTest::stop_fake($meta);
done_testing;
