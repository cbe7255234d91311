#!/usr/bin/env perl
# Email over SMTP against a real SMTP server (Debian's python3-aiosmtpd, t/fakes/smtp-server):
# the message as a mail client reads it (From, To, Date, Message-ID = the provider id, an
# RFC 2047 subject, multipart/alternative text + html in UTF-8), the envelope, a 550 refused
# (dead letter), a 451 and a server that is down retried, STARTTLS required by default (a
# server without it gets nothing, not plain text), production refusing plain SMTP to another
# host, and kairos doctor.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $smtp = KairosTest::start_smtp_server();
my $messages = sub { KairosTest::smtp_messages($smtp) };

# First the default: STARTTLS required. This server does not offer it.
{
	my %env = %{ $smtp->{env} };
	delete $env{KAIROS_SMTP_ALLOW_PLAINTEXT};
	my $k = KairosTest->start(workers => 1, env => { %env, KAIROS_NOTIFY_BACKOFF_SECONDS => 60 });
	my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
	$k->post_json('/_debug/notify', { event => 'tls', channel => 'email', to => 'ann@example.org', subject => 'Secret', body => 'health details' });
	ok($k->wait_until(10, sub { $psql->("SELECT coalesce(last_error, '') FROM notifications WHERE event_key = 'tls'") ne '' }),
		'STARTTLS required (the default), against a server without it: the send fails');
	is($psql->("SELECT status || ' ' || last_error FROM notifications WHERE event_key = 'tls'"),
		'queued smtp: the server does not offer STARTTLS, which is required (KAIROS_SMTP_ALLOW_PLAINTEXT is for local test servers only)',
		'saying why, and kept for a retry (the server may be fixed)');
	is(scalar @{ $messages->() }, 0, 'nothing reached the server in plain text');
	my ($drc, $dout) = $k->kairos('doctor');
	is($drc, 1, 'kairos doctor fails');
	like($dout, qr/^✗ smtp \(email\): smtp:\/\/127\.0\.0\.1:\d+: the server does not offer STARTTLS, which is required/m, 'saying why');
	$k->finish;
}

my $k = KairosTest->start(workers => 1, env => { %{ $smtp->{env} }, KAIROS_NOTIFY_BACKOFF_SECONDS => 1,
	KAIROS_PROVIDER_TIMEOUT_MS => 1500,
	KAIROS_SMTP_BAA => 'true' });	# staff words go out only under a BAA (notify-baa.t has the other case)
my $token = $k->staff(role => 'receptionist')->{token};
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $row = sub { my @f = split /\|/, $psql->("SELECT n.status, coalesce(j.attempts, 0), coalesce(provider,''), coalesce(provider_message_id,''), coalesce(n.last_error,''), n.id FROM notifications n LEFT JOIN jobs j ON j.id = n.id WHERE event_key = '$_[0]'"); \@f };
sub control { open my $o, '>', "$smtp->{dir}/control" or die; print {$o} map { "$_\n" } @_; close $o }
sub send_mail { my ($event, %m) = @_; $k->post_json('/_debug/notify', { event => $event, channel => 'email', to => 'ann@example.org', subject => 'Hello', body => 'hello', %m }) }

my $html = '<p>Your appointment is on <b>Tuesday</b> — see you then. ✓</p>';
send_mail('both', subject => 'Rendez-vous confirmé — Zoë ✓', body => "Your appointment is on Tuesday — see you then. ✓\nLine two", html => $html);
ok($k->wait_until(10, sub { $row->('both')->[0] eq 'sent' }), 'an email is sent over SMTP (plain text allowed for this local server)');
my $m = $messages->()->[-1];
my $j = $m->{json};
is($j->{mail_from}, 'clinic@example.org', 'envelope sender');
is_deeply($j->{rcpt_tos}, ['ann@example.org'], 'envelope recipient, exactly one');
is($j->{headers}{From}, 'Kairos Clinic <clinic@example.org>', 'From with the display name');
is($j->{headers}{To}, 'ann@example.org', 'To');
is($j->{headers}{Subject}, 'Rendez-vous confirmé — Zoë ✓', 'the non-ASCII subject decodes intact');
like($m->{raw}, qr/^Subject: =\?UTF-8\?B\?[A-Za-z0-9+\/=]+\?=\r$/m, 'sent as an RFC 2047 encoded word');
like($j->{headers}{Date}, qr/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/, 'a Date header');
is($j->{headers}{'Message-ID'}, '<' . $row->('both')->[3] . '>', 'its Message-ID is the provider id recorded');
like($row->('both')->[3], qr/^[0-9a-f-]{36}\@example\.org$/, "(the message's id at the sender's domain)");
is($row->('both')->[2], 'smtp', 'the row names the provider');
is($j->{headers}{'MIME-Version'}, '1.0', 'MIME-Version');
is($j->{content_type}, 'multipart/alternative', 'multipart/alternative');
is_deeply([map { "$_->{type} $_->{charset} $_->{encoding}" } @{ $j->{parts} }], ['text/plain utf-8 base64', 'text/html utf-8 base64'],
	'text then html, UTF-8, base64');
is($j->{parts}[0]{text}, "Your appointment is on Tuesday — see you then. ✓\nLine two", 'the text part decodes intact');
is($j->{parts}[1]{text}, $html, 'so does the html part');
unlike($m->{raw}, qr/[^\r]\n/, 'every line ends in CRLF');

# Through POST /comms, the real way in: text only.
my $ann = $psql->("INSERT INTO users (org_id, role, name, email) SELECT id, 'patient', 'Ann Lee', 'ann\@example.org' FROM organisations WHERE is_default RETURNING id");
($ann) = $ann =~ /^([0-9a-f-]{36})/m;
my $r = $k->post_json('/comms', { client_id => $ann, type => 'email', subject => 'Please call us', body => 'Hi Ann, please call the clinic.' },
	headers => { Authorization => "Bearer $token" });
is($r->{status}, 202, 'a staff email through POST /comms');
my $cid = KairosTest::json($r)->{id};
ok($k->wait_until(10, sub { $psql->("SELECT status FROM notifications WHERE id = '$cid'") eq 'sent' }), 'is sent');
$j = $messages->()->[-1]{json};
is($j->{content_type}, 'text/plain', 'as a single text/plain part');
is($j->{parts}[0]{text}, 'Hi Ann, please call the clinic.', 'with its words');
is($j->{headers}{Subject}, 'Please call us', 'and an ASCII subject as it is');

my $count = scalar @{ $messages->() };
control('550');
send_mail('refused', to => 'nobody@example.org');
ok($k->wait_until(10, sub { $row->('refused')->[0] eq 'dead' }), 'a 550 (no such user) is not retried: a dead letter');
is($row->('refused')->[1], 1, 'after one attempt');
is($row->('refused')->[4], 'smtp 550: 550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown', "keeping the server's reply");

control('451');
send_mail('later');
ok($k->wait_until(10, sub { $row->('later')->[4] ne '' }), 'a 451 (try later) is recorded');
like($row->('later')->[4], qr/^smtp 451: 451 4\.3\.0 Temporary lookup failure/, "with the server's reply");
ok($k->wait_until(15, sub { $row->('later')->[0] eq 'sent' }), 'and retried: sent');
is($row->('later')->[1], 2, 'in the second attempt');
is(scalar @{ $messages->() }, $count + 1, 'the server holds exactly one copy of it (none of the refused one)');

control('hang 4');
send_mail('slow');
ok($k->wait_until(15, sub { $row->('slow')->[4] ne '' }), 'a server that does not answer in time');
like($row->('slow')->[4], qr/^smtp: .*(?:[Tt]imeout|timed out)/, 'is a timeout error');
ok($k->wait_until(20, sub { $row->('slow')->[0] eq 'sent' }), 'and the message is retried and sent');

# The server goes away, then comes back.
KairosTest::stop_fake($smtp);
send_mail('down');
ok($k->wait_until(10, sub { $row->('down')->[4] ne '' }), 'a server that is down');
like($row->('down')->[4], qr/^smtp: .*(?:connect|Connection refused)/i, 'is a connection error');
is($row->('down')->[0], 'queued', 'and the message waits');
my ($drc, $dout) = $k->kairos('doctor');
is($drc, 1, 'kairos doctor fails meanwhile');
like($dout, qr/^✗ smtp \(email\): smtp:\/\/127\.0\.0\.1:$smtp->{port}: .*connect/mi, 'naming the server');
$smtp = KairosTest::start_smtp_server(port => $smtp->{port}, dir => $smtp->{dir});
ok($k->wait_until(30, sub { $row->('down')->[0] eq 'sent' }), 'once it is back, the message is sent');

# kairos doctor: connect, EHLO, hang up.
$count = scalar @{ $messages->() };
($drc, $dout) = $k->kairos('doctor');
is($drc, 0, 'kairos doctor passes');
like($dout, qr/^✓ smtp \(email\): smtp:\/\/127\.0\.0\.1:\d+ reachable, plain text \(KAIROS_SMTP_ALLOW_PLAINTEXT\), no login$/m, 'saying how it connected');
is(scalar @{ $messages->() }, $count, 'and sent no mail');

# Configuration: plain SMTP to another host is refused in production.
{
	local $k->{env}{KAIROS_ENV} = 'production';
	local $k->{env}{KAIROS_DEBUG_ROUTES} = 'false';
	local $k->{env}{KAIROS_SMTP_URL} = 'smtp://mail.example.org:25';
	($drc, $dout) = $k->kairos('doctor');
	isnt($drc, 0, 'production with plain SMTP to another host does not start');
	like($dout, qr/KAIROS_SMTP_ALLOW_PLAINTEXT: not allowed in production for a server other than localhost/, 'saying why');
	local $k->{env}{KAIROS_SMTP_URL} = "smtp://127.0.0.1:$smtp->{port}";
	($drc, $dout) = $k->kairos('doctor');
	unlike($dout, qr/KAIROS_SMTP_ALLOW_PLAINTEXT: not allowed/, 'but a relay on the loopback interface is allowed');
	local $k->{env}{KAIROS_SMTP_URL} = 'http://mail.example.org';
	($drc, $dout) = $k->kairos('doctor');
	like($dout, qr/KAIROS_SMTP_URL: "http:\/\/mail\.example\.org" must start with smtp:\/\/ or smtps:\/\//, 'and a URL that is not SMTP is refused');
}

KairosTest::stop_fake($smtp);
$k->finish;
done_testing;
