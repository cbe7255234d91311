#!/usr/bin/env perl
# WhatsApp through Twilio, against t/fakes/twilio: the same client and account as SMS, with
# whatsapp:+E164 addresses and the template as ContentSid + ContentVariables; Twilio's
# status callbacks (at /webhooks/twilio/status) mark WhatsApp messages delivered too; a
# template without a ContentSid is a dead letter that kairos doctor warns about.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $tw = KairosTest::start_twilio_fake();
my $fake = $tw->{dir};
my $kport = KairosTest::free_port();
my $public = "http://127.0.0.1:$kport";
my $otp_sid = 'HX' . ('0123456789abcdef' x 2);
my $k = KairosTest->start(workers => 1, port => $kport, env => {
	%{ $tw->{env} }, KAIROS_PUBLIC_URL => $public, KAIROS_WHATSAPP_PROVIDER => 'twilio',
	KAIROS_TWILIO_WHATSAPP_FROM => 'whatsapp:+61400000888', KAIROS_NOTIFY_BACKOFF_SECONDS => 1,
	KAIROS_WHATSAPP_TEMPLATES => "otp.phi-free=$otp_sid" });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $row = sub { my @f = split /\|/, $psql->("SELECT n.status, coalesce(j.attempts, 0), coalesce(provider,''), coalesce(provider_message_id,''), coalesce(n.last_error,'') FROM notifications n LEFT JOIN jobs j ON j.id = n.id WHERE event_key = '$_[0]'"); \@f };
my $requests = sub { open my $f, '<', "$fake/requests.jsonl" or return []; [map { decode_json($_) } <$f>] };
sub control { open my $o, '>', "$fake/control" or die; print {$o} map { "$_\n" } @_; close $o }

my $r = $k->post_json('/_debug/notify', { event => 'otp', channel => 'whatsapp', to => '+61400000001', template => 'otp', model => { code => '482913' } });
is($r->{status}, 200, 'a WhatsApp one-time code is queued');
ok($k->wait_until(10, sub { $row->('otp')->[0] eq 'sent' }), 'and sent through Twilio');
my $req = $requests->()->[-1];
is($req->{path}, "/2010-04-01/Accounts/$tw->{sid}/Messages.json", 'to the same Messages resource as SMS');
ok($req->{auth_ok}, 'with the same Basic AccountSid:AuthToken');
is_deeply($req->{params}, { To => 'whatsapp:+61400000001', From => 'whatsapp:+61400000888', ContentSid => $otp_sid,
	ContentVariables => '{"1":"482913"}', StatusCallback => "$public/webhooks/twilio/status" },
	'whatsapp: addresses, ContentSid and ContentVariables instead of Body, and our StatusCallback');
is($row->('otp')->[2], 'twilio', 'the row names the provider');
is($row->('otp')->[3], $req->{response}{sid}, "and records Twilio's message sid");
ok($k->wait_until(10, sub { $row->('otp')->[0] eq 'delivered' }),
	"Twilio's signed status callbacks mark the WhatsApp message delivered (at /webhooks/twilio/status)");

# SMS on the same account keeps its own sender and its Body.
$k->post_json('/_debug/notify', { event => 'sms', channel => 'sms', to => '+61400000002', body => 'hello' });
ok($k->wait_until(10, sub { $row->('sms')->[0] =~ /^(sent|delivered)$/ }), 'SMS still goes out');
is_deeply([@{ $requests->()->[-1]{params} }{qw(To From Body)}], ['+61400000002', '+61400000999', 'hello'], 'from the SMS sender, with Body');

$k->post_json('/_debug/notify', { event => 'confirm', channel => 'whatsapp', to => '+61400000003', template => 'appointment-confirmed',
	model => { patient => { firstName => 'Ann' }, practitioner => { name => 'Dr P' }, when => 'Tue', reference => 'K1' } });
ok($k->wait_until(10, sub { $row->('confirm')->[0] eq 'dead' }), 'a template without a ContentSid is a dead letter');
is($row->('confirm')->[4], 'twilio: no ContentSid for whatsapp template "appointment-confirmed.phi-free" in KAIROS_WHATSAPP_TEMPLATES', 'saying which and where to add it');
is(scalar(grep { ($_->{params}{To} // '') eq 'whatsapp:+61400000003' } @{ $requests->() }), 0, 'and nothing reached Twilio');

control('500');
$k->post_json('/_debug/notify', { event => 'flaky', channel => 'whatsapp', to => '+61400000004', template => 'otp', model => { code => '1' } });
ok($k->wait_until(20, sub { $row->('flaky')->[0] =~ /^(sent|delivered)$/ }), 'a 500 is retried like SMS');
is($row->('flaky')->[1], 2, 'sent in the second attempt');

my ($drc, $dout) = $k->kairos('doctor');
like($dout, qr/^✓ twilio \(sms\): account AC0000… reachable/m, 'kairos doctor checks the account for SMS');
like($dout, qr/^✓ twilio \(whatsapp\): account AC0000… reachable/m, 'and for WhatsApp');
like($dout, qr/^✗ twilio \(whatsapp templates\): no ContentSid in KAIROS_WHATSAPP_TEMPLATES for appointment-confirmed\.phi-free, staff-message\.phi-free$/m,
	'and names the templates (of the variant the BAA flag selects) Twilio has no ContentSid for');
is($drc, 1, 'which fails it');
{
	local $k->{env}{KAIROS_WHATSAPP_TEMPLATES} = join ',', "otp.phi-free=$otp_sid", map { "$_.phi-free=HX" . ('a' x 32) } qw(appointment-confirmed staff-message);
	($drc, $dout) = $k->kairos('doctor');
	is($drc, 0, 'with every ContentSid the doctor passes');
	like($dout, qr/^✓ twilio \(whatsapp templates\): a ContentSid for each template$/m, 'saying so');
}

KairosTest::stop_fake($tw);
$k->finish;
done_testing;
