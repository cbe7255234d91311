#!/usr/bin/env perl
# The BAA gate (NOTE-5): the same event, sent through Twilio (SMS) and Meta (WhatsApp) without
# and then with a business associate agreement; the words that reach the provider are
# PHI-free without one, and so are a WhatsApp template's variables and a staff member's own
# words (POST /comms). Then the same for email through SendGrid and through SMTP, each gated
# by its own flag (the other providers' flags set the other way, so a gate reading the wrong
# flag shows).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $tw = KairosTest::start_twilio_fake();
my $meta = KairosTest::start_meta_fake();
my %event = (channel => 'sms', to => '+61400000321', template => 'appointment-confirmed',
	model => { patient => { firstName => 'Ann' }, practitioner => { name => 'Dr Priya Natarajan' },
		when => 'Tue 12 March, 9:30 am', reference => 'KX7-42Q' });
my $received = sub {
	open my $f, '<', "$tw->{dir}/requests.jsonl" or return '';
	my @bodies = map { decode_json($_)->{params}{Body} // '' } <$f>;
	return $bodies[-1];
};

for my $baa (qw(false true)) {
	my $k = KairosTest->start(workers => 1, env => { %{ $tw->{env} }, KAIROS_TWILIO_BAA => $baa,
		%{ $meta->{env} }, KAIROS_META_WHATSAPP_BAA => $baa });
	my $before = -s "$tw->{dir}/requests.jsonl" // 0;
	my $r = $k->post_json('/_debug/notify', { %event, event => "confirmed:$baa" });
	is($r->{status}, 200, "BAA $baa: the confirmation is queued from its template");
	ok($k->wait_until(10, sub { (-s "$tw->{dir}/requests.jsonl" // 0) > $before }), "BAA $baa: it reaches Twilio");
	my $body = $received->();
	if ($baa eq 'false') {
		is($body, 'Your booking is confirmed. Sign in to see the details.', 'without a BAA: the PHI-free words');
		unlike($body, qr/Priya|Ann|KX7|March/, 'no practitioner, patient, time or reference');
	} else {
		is($body, 'Hi Ann, your appointment with Dr Priya Natarajan at Kairos on Tue 12 March, 9:30 am is confirmed. Ref KX7-42Q.',
			'with a BAA: the full confirmation');
	}
	my $wa_before = -s "$meta->{dir}/requests.jsonl" // 0;
	$r = $k->post_json('/_debug/notify', { %event, channel => 'whatsapp', event => "wa:$baa" });
	is($r->{status}, 200, "BAA $baa: a WhatsApp confirmation is queued from its template");
	ok($k->wait_until(10, sub { (-s "$meta->{dir}/requests.jsonl" // 0) > $wa_before }), "BAA $baa: it reaches Meta");
	open my $mf, '<', "$meta->{dir}/requests.jsonl" or die;
	my $tpl = decode_json((<$mf>)[-1])->{message}{template};
	my @values = map { $_->{text} } @{ $tpl->{components}[0]{parameters} };
	my $wa_text = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "SELECT body_text FROM notifications WHERE event_key = 'wa:$baa'"`;
	chomp $wa_text;
	if ($baa eq 'false') {
		is($tpl->{name}, 'appointment_confirmed_phi_free', 'without a BAA: the PHI-free template');
		is_deeply(\@values, ['Kairos'], 'whose only variable is the clinic');
		is($wa_text, 'Your booking with Kairos is confirmed. Sign in to see the details.', 'and its words in the history');
	} else {
		is($tpl->{name}, 'appointment_confirmed', 'with a BAA: the full template');
		is_deeply(\@values, ['Ann', 'Dr Priya Natarajan', 'Kairos', 'Tue 12 March, 9:30 am', 'KX7-42Q'], 'with every variable');
		is($wa_text, 'Hi Ann, your appointment with Dr Priya Natarajan at Kairos on Tue 12 March, 9:30 am is confirmed. Ref KX7-42Q.',
			'and the full words in the history');
	}
	my $email = $k->post_json('/_debug/notify', { %event, channel => 'email', to => 'ann@example.org', event => "mail:$baa" });
	is($email->{status}, 200, 'an email confirmation is queued from its templates');
	my ($rc, $out) = $k->kairos('outbox', 'list', '--to', 'ann@example.org', '--json');
	my $m = (decode_json($out) // [])->[0] // {};
	is($m->{subject}, 'Your appointment with Dr Priya Natarajan is confirmed', "email through the development outbox (nothing leaves) keeps the full subject");
	# a staff member's own words (POST /comms) pass the same gate
	my $staff = $k->staff(role => 'receptionist');
	my $ann = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "INSERT INTO users (org_id, role, name, phone) SELECT id, 'patient', 'Ann', '+61400000777' FROM organisations WHERE is_default RETURNING id"`;
	($ann) = $ann =~ /([0-9a-f-]{36})/;
	$before = -s "$tw->{dir}/requests.jsonl" // 0;
	$r = $k->post_json('/comms', { client_id => $ann, type => 'sms', body => 'Your results from Dr Priya are in' },
		headers => { Authorization => "Bearer $staff->{token}" });
	is($r->{status}, 202, "BAA $baa: a staff SMS is queued");
	ok($k->wait_until(10, sub { (-s "$tw->{dir}/requests.jsonl" // 0) > $before }), "BAA $baa: it reaches Twilio");
	if ($baa eq 'false') {
		is($received->(), 'You have a new message from your clinic. For your privacy it is not sent by text: please call the clinic to hear it.',
			"without a BAA the staff member's words stay home");
	} else {
		is($received->(), 'Your results from Dr Priya are in', "with a BAA the staff member's words go out");
	}
	$r = $k->post_json('/_debug/notify', { %event, template => 'no-such-message', event => "x:$baa" });
	is($r->{status}, 400, 'an unknown message template is refused');
	like(KairosTest::json($r)->{details}{template}, qr/no such template/, 'naming it');
	$k->finish;
}
KairosTest::stop_fake($tw);

my $sg = KairosTest::start_sendgrid_fake();
my $smtp = KairosTest::start_smtp_server();
my %email = (%event, channel => 'email', to => 'ann@example.org');
my %received = (
	sendgrid => sub {
		open my $f, '<', "$sg->{dir}/requests.jsonl" or return;
		my $b = (map { decode_json($_)->{body} } <$f>)[-1] // {};
		return ($b->{subject}, $b->{content}[0]{value});
	},
	smtp => sub {
		my $j = (KairosTest::smtp_messages($smtp)->[-1] // {})->{json} // {};
		return ($j->{headers}{Subject}, $j->{parts}[0]{text});
	},
);
for my $provider (qw(sendgrid smtp)) {
	for my $baa (qw(false true)) {
		my $flag = $provider eq 'sendgrid' ? 'KAIROS_SENDGRID_BAA' : 'KAIROS_SMTP_BAA';
		my $other = $baa eq 'true' ? 'false' : 'true';
		my $k = KairosTest->start(workers => 1, env => { %{ ($provider eq 'sendgrid' ? $sg : $smtp)->{env} },
			KAIROS_TWILIO_BAA => $other, KAIROS_SENDGRID_BAA => $other, KAIROS_SMTP_BAA => $other, $flag => $baa });
		my $r = $k->post_json('/_debug/notify', { %email, event => "mail:$provider:$baa" });
		is($r->{status}, 200, "$provider, BAA $baa: the email confirmation is queued from its templates");
		my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
		ok($k->wait_until(10, sub { $psql->("SELECT status FROM notifications WHERE event_key = 'mail:$provider:$baa'") eq 'sent' }),
			"$provider, BAA $baa: it is sent");
		my ($subject, $text) = $received{$provider}->();
		$text =~ s/\n\z// if defined $text;	# an email body keeps its template's final newline
		if ($baa eq 'false') {
			is($subject, 'Your booking is confirmed', "$provider without a BAA: the PHI-free subject");
			is($text, "Hello,\n\nYour booking is confirmed. Sign in to see the details.", 'and text');
			unlike("$subject $text", qr/Priya|Ann|KX7|March/, 'no practitioner, patient, time or reference');
		} else {
			is($subject, 'Your appointment with Dr Priya Natarajan is confirmed', "$provider with a BAA: the full subject");
			like($text, qr/^Hi Ann,\n\nYour appointment with Dr Priya Natarajan at .* on Tue 12 March, 9:30 am is confirmed\.\nYour booking reference is KX7-42Q\.$/,
				'and the full text');
		}
		$k->finish;
	}
}
KairosTest::stop_fake($sg);
KairosTest::stop_fake($smtp);
KairosTest::stop_fake($meta);
done_testing;
