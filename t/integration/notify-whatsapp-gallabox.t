#!/usr/bin/env perl
# WhatsApp through Gallabox, against t/fakes/gallabox: the exact request (apiKey/apiSecret
# headers, channel, recipient, template name and named bodyValues), the message id recorded,
# retries on 5xx and 429, no retry on other 4xx, and kairos doctor's check.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $gb = KairosTest::start_gallabox_fake();
my $fake = $gb->{dir};
my $k = KairosTest->start(workers => 1, env => { %{ $gb->{env} }, KAIROS_NOTIFY_BACKOFF_SECONDS => 1,
	KAIROS_GALLABOX_BAA => 'true', KAIROS_WHATSAPP_TEMPLATES => 'otp=login_code' });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $row = sub { my @f = split /\|/, $psql->("SELECT n.status, coalesce(j.attempts, 0), coalesce(provider,''), coalesce(provider_message_id,''), coalesce(n.last_error,''), extract(epoch from j.run_at - now())::int FROM notifications n LEFT JOIN jobs j ON j.id = n.id WHERE event_key = '$_[0]'"); \@f };
my $requests = sub { open my $f, '<', "$fake/requests.jsonl" or return []; [map { decode_json($_) } <$f>] };
sub control { open my $o, '>', "$fake/control" or die; print {$o} map { "$_\n" } @_; close $o }
my %confirm = (channel => 'whatsapp', template => 'appointment-confirmed',
	model => { patient => { firstName => 'Ann' }, practitioner => { name => 'Dr Priya Natarajan' }, when => 'Tue 12 March, 9:30 am', reference => 'KX7-42Q' });

my $r = $k->post_json('/_debug/notify', { %confirm, event => 'confirm', to => '+61400000001' });
is($r->{status}, 200, 'a booking confirmation is queued for WhatsApp');
ok($k->wait_until(10, sub { $row->('confirm')->[0] eq 'sent' }), 'and sent through Gallabox');
my $req = $requests->()->[-1];
is($req->{path}, '/devapi/messages/whatsapp', 'to /devapi/messages/whatsapp');
ok($req->{auth_ok}, 'with the apiKey and apiSecret headers');
is_deeply($req->{message}, { channelId => $gb->{channel}, channelType => 'whatsapp',
	recipient => { name => '61400000001', phone => '61400000001' },
	whatsapp => { type => 'template', template => { templateName => 'appointment_confirmed',
		bodyValues => { first_name => 'Ann', practitioner => 'Dr Priya Natarajan', clinic => 'Kairos', when => 'Tue 12 March, 9:30 am', reference => 'KX7-42Q' } } } },
	'the documented body: channel, recipient (the number, no name), template name and named bodyValues (with a BAA: the full template)');
is($row->('confirm')->[2], 'gallabox', 'the row names the provider');
is($row->('confirm')->[3], $req->{response}{id}, "and records Gallabox's message id");
is($psql->("SELECT body_text FROM notifications WHERE event_key = 'confirm'"),
	'Hi Ann, your appointment with Dr Priya Natarajan at Kairos on Tue 12 March, 9:30 am is confirmed. Ref KX7-42Q.', 'body_text: the words the patient reads');

$k->post_json('/_debug/notify', { event => 'otp', channel => 'whatsapp', to => '+61400000002', template => 'otp', model => { code => '482913' } });
ok($k->wait_until(10, sub { $row->('otp')->[0] eq 'sent' }), 'a one-time code is sent');
is_deeply($requests->()->[-1]{message}{whatsapp}{template}, { templateName => 'login_code', bodyValues => { code => '482913' } },
	'under the name KAIROS_WHATSAPP_TEMPLATES gives it');

control('500', '429 20');
$k->post_json('/_debug/notify', { %confirm, event => 'flaky', to => '+61400000003' });
ok($k->wait_until(10, sub { $row->('flaky')->[4] =~ /429/ }), 'a 500, then a 429');
$r = $row->('flaky');
is($r->[0], 'queued', 'stay queued');
is($r->[4], 'gallabox 429: Rate limit exceeded', "with Gallabox's reason");
cmp_ok($r->[5], '>=', 15, "the next attempt waits for Retry-After: 20 (in $r->[5] s)");
$psql->("UPDATE jobs SET run_at = now() WHERE id = (SELECT id FROM notifications WHERE event_key = 'flaky')");
$psql->("NOTIFY kairos_jobs, 'notify'");
ok($k->wait_until(10, sub { $row->('flaky')->[0] eq 'sent' }), 'then sent');
is($row->('flaky')->[1], 3, 'in the third attempt');

control('400');
$k->post_json('/_debug/notify', { %confirm, event => 'refused', to => '+61400000004' });
ok($k->wait_until(10, sub { $row->('refused')->[0] eq 'dead' }), 'a 400 is a dead letter');
is($row->('refused')->[4], 'gallabox 400: Template appointment_confirmed is not approved', "with Gallabox's reason");

control('noid');
$k->post_json('/_debug/notify', { %confirm, event => 'noid', to => '+61400000005' });
ok($k->wait_until(10, sub { $row->('noid')->[0] eq 'sent' }), 'accepted without an id: sent all the same (again could send it twice)');
is($row->('noid')->[3], 'gallabox-' . $psql->("SELECT id FROM notifications WHERE event_key = 'noid'"), '… known by our id');
is($row->('noid')->[1], 1, '… after one attempt');

my ($drc, $dout) = $k->kairos('doctor');
is($drc, 0, 'kairos doctor passes');
like($dout, qr/^✓ gallabox \(whatsapp\): reachable, credentials accepted \(an empty message was refused as invalid, HTTP 400\)$/m,
	'by posting an empty message, which cannot send anything');
is_deeply($requests->()->[-1]{message}, {}, '(it was empty)');
{
	local $k->{env}{KAIROS_GALLABOX_API_SECRET} = 'wrong';
	($drc, $dout) = $k->kairos('doctor');
	is($drc, 1, 'a wrong secret fails the doctor');
	like($dout, qr/^✗ gallabox \(whatsapp\): credentials refused \(HTTP 401\)$/m, 'saying so');
}
unlike($k->slurp('log/jobs.log'), qr/\Q$gb->{secret}\E/, 'the API secret never reaches the log');

KairosTest::stop_fake($gb);
$k->finish;
done_testing;
