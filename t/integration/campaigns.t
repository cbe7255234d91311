#!/usr/bin/env perl
# Bulk sends (NOTE-1): POST /api/campaigns {"name","type","subject"?,"body","clientIds"} →
# 202 {"id","queued","skipped"}; clinic admins only; one campaigns row and one outbox message
# per patient (event key campaign:<id>:<patient>) in one transaction; an id listed twice is
# sent once; patients without the contact, unknown ids and other clinics' patients are
# skipped and counted together (never told apart); hostile bodies get 400/413 with
# {"error","details"}; Idempotency-Key makes a retry safe; a failure leaves nothing behind.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $k = KairosTest->start(workers => 1);
my $admin = $k->staff(role => 'admin');
my $reception = $k->staff(role => 'receptionist');
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $patient = sub {
	my ($name, $phone, $email) = @_;
	my $v = $psql->(sprintf("INSERT INTO users (org_id, role, name, phone, email) SELECT id, 'patient', '%s', %s, %s FROM organisations WHERE is_default RETURNING id",
		$name, $phone ? "'$phone'" : 'NULL', $email ? "'$email'" : 'NULL'));
	my ($id) = $v =~ /^([0-9a-f-]{36})/m;
	return $id;
};
my $ann = $patient->('Ann Lee', '+61400000111', 'ann@example.org');
my $bob = $patient->('Bob No-Contact');
my $cat = $patient->('Cat Mobile', '+61400000333');
my $other = $psql->("WITH o AS (INSERT INTO organisations (slug, name) VALUES ('other', 'Other clinic') RETURNING id) INSERT INTO users (org_id, role, phone, email) SELECT id, 'patient', '+61400000222', 'other\@example.org' FROM o RETURNING id");
($other) = $other =~ /^([0-9a-f-]{36})/m;
my $unknown = '00000000-0000-4000-8000-000000000000';

sub campaign {
	my ($body, %h) = @_;
	$k->post_json('/api/campaigns', $body, headers => { Authorization => 'Bearer ' . ($h{token} // $admin->{token}), %{ $h{headers} // {} } });
}
my $count = sub { $psql->("SELECT count(*) FROM $_[0]") };

# Who may.
my %sms = (name => 'Flu clinic', type => 'sms', body => 'Flu shots are in: book online.');
is($k->post_json('/api/campaigns', { %sms, clientIds => [$ann] })->{status}, 401, 'no token: 401');
is(campaign({ %sms, clientIds => [$ann] }, token => $reception->{token})->{status}, 403, 'a receptionist (staff, not admin): 403');
{
	my $p = $k->patient('+61400000999');
	is(campaign({ %sms, clientIds => [$ann] }, token => $p->{accessToken})->{status}, 403, "a patient's token: 403");
}
is($count->('campaigns'), 0, 'and none of them made a campaign');

# The happy path: duplicates once, the rest skipped and counted together.
my $r = campaign({ %sms, clientIds => [$ann, $bob, $cat, uc $ann, $ann, $unknown, $other] });
is($r->{status}, 202, 'an admin queues a campaign: 202');
my $j = KairosTest::json($r);
like($j->{id}, qr/^[0-9a-f-]{36}$/, 'with its id');
is($j->{queued}, 2, 'queued: Ann (listed three times, in two cases) and Cat, once each');
is($j->{skipped}, 3, "skipped: Bob (no mobile), an unknown id and another clinic's patient, not told apart");
is($psql->("SELECT name || '|' || channel || '|' || queued || '|' || skipped || '|' || requested_by FROM campaigns WHERE id = '$j->{id}'"),
	"Flu clinic|sms|2|3|$admin->{id}", 'one campaigns row with its counts and sender');
is($psql->("SELECT string_agg(recipient, ',' ORDER BY recipient) FROM notifications WHERE event_key LIKE 'campaign:$j->{id}:%'"),
	'+61400000111,+61400000333', 'one message per patient with a mobile');
is($psql->("SELECT count(*) FROM notifications WHERE event_key = 'campaign:$j->{id}:$ann' AND patient_id = '$ann' AND requested_by = '$admin->{id}'"),
	1, 'under the event key campaign:<id>:<patient>, linked to the patient and the sender');
is($psql->("SELECT count(*) FROM notifications WHERE recipient = '+61400000222'"), 0, "nothing for the other clinic's patient");
ok($k->wait_until(15, sub { $psql->("SELECT count(*) FROM notifications WHERE event_key LIKE 'campaign:$j->{id}:%' AND status = 'sent'") == 2 }),
	'the runner sends them');
is($psql->("SELECT action || ' ' || actor_id FROM audit_log WHERE subject_id = '$j->{id}'"), "campaign.created $admin->{id}", 'the campaign is audited');

# Email and WhatsApp take the same content rules and rendering as /api/notifications.
$r = campaign({ name => 'Newsletter', type => 'email', subject => 'News', body => 'Hello all.', clientIds => [$ann, $cat] });
is($r->{status}, 202, 'an email campaign');
$j = KairosTest::json($r);
is("$j->{queued} $j->{skipped}", '1 1', 'Cat has no email address: skipped');
is($psql->("SELECT recipient || ' ' || subject FROM notifications WHERE event_key LIKE 'campaign:$j->{id}:%'"), 'ann@example.org News', 'to the address, with the subject');
$r = campaign({ name => 'WA', type => 'whatsapp', body => 'Clinic closed Friday.', clientIds => [$ann] });
is($r->{status}, 202, 'a WhatsApp campaign');
$j = KairosTest::json($r);
is($psql->("SELECT template_name || ' | ' || body_text FROM notifications WHERE event_key LIKE 'campaign:$j->{id}:%'"),
	'staff-message | Message from Kairos: Clinic closed Friday.',
	'through the staff-message template (the full variant: the development outbox sends nowhere, so the BAA gate lets it through)');
is($psql->("SELECT body FROM campaigns WHERE id = '$j->{id}'"), 'Clinic closed Friday.', 'the campaign keeps what staff wrote');

# Hostile bodies.
my $before = $count->('campaigns') . '/' . $count->('notifications');
$r = campaign({ name => 5, type => 'fax', body => [], clientIds => 'everyone' });
is($r->{status}, 400, 'wrong types: 400');
is_deeply(KairosTest::json($r), { error => 'Invalid request', details => { name => 'Campaign name must be text', type => 'Channel must be one of: sms, email, whatsapp',
	body => 'Message must be text', clientIds => 'Patients must be a list' } }, 'every bad field named');
is_deeply(KairosTest::json(campaign({ %sms, clientIds => [$ann, 7] }))->{details}, { 'clientIds.1' => 'Patients must be text' }, 'a number among the ids');
is_deeply(KairosTest::json(campaign({ %sms, clientIds => [$ann, "$ann'--"] }))->{details}, { 'clientIds.1' => 'Patients must be an id (a UUID)' }, 'an id that is no UUID');
is_deeply(KairosTest::json(campaign({ %sms, clientIds => [] }))->{details}, { clientIds => 'Patients must hold at least 1 item' }, 'an empty list');
is_deeply(KairosTest::json(campaign({ %sms, name => '', clientIds => [$ann] }))->{details}, { name => 'Enter campaign name' }, 'an empty name');
is_deeply(KairosTest::json(campaign({ %sms, name => 'x' x 201, clientIds => [$ann] }))->{details}, { name => 'Campaign name must be 200 characters or fewer' }, 'a name over 200 characters');
is_deeply(KairosTest::json(campaign({ %sms, body => 'x' x 1601, clientIds => [$ann] }))->{details}, { body => 'Message must be 1600 characters or fewer for a text message' }, 'an SMS over 1600 characters');
is_deeply(KairosTest::json(campaign({ %sms, type => 'email', clientIds => [$ann] }))->{details}, { subject => 'Enter a subject for an email' }, 'email without a subject');
is(campaign('[1,2]')->{status}, 400, 'a body that is not an object: 400');
$r = campaign(qq({"name":"Flu\xffclinic","type":"sms","body":"x","clientIds":["$ann"]}));
is($r->{status}, 400, 'a bad byte in the name: 400');
is_deeply(KairosTest::json($r), { error => 'Invalid request', details => { name => 'Campaign name must be valid UTF-8 text' } },
	'... named by the field, the rest of the body read');
$r = campaign(qq({"name":"Flu","type":"sms","body":"x","clientIds":["$ann"],"type":"email"}));
is($r->{status}, 400, 'type sent twice (the last one would need a subject): 400, not last-one-wins');
is_deeply(KairosTest::json($r)->{details}, { type => 'Channel was sent twice' }, '... named by the field, in the form\'s words');
$r = campaign({ %sms, clientIds => [map { sprintf '00000000-0000-4000-8000-%012d', $_ } 1 .. 10_001] });
is($r->{status}, 413, '10,001 ids: 413');
is_deeply(KairosTest::json($r), { error => 'Too many recipients', details => { clientIds => 'Patients may hold at most 10000 items' } }, 'saying why');
is(campaign({ %sms, clientIds => [$ann] }, headers => { 'Idempotency-Key' => 'bad key!' })->{status}, 400, 'a malformed Idempotency-Key: 400');
is($count->('campaigns') . '/' . $count->('notifications'), $before, 'none of the refused requests wrote anything');

# 10,000 ids is allowed, and unknown ones are only counted.
$r = campaign({ %sms, name => 'Big', clientIds => [$ann, map { sprintf '00000000-0000-4000-8000-%012d', $_ } 1 .. 9_999] });
is($r->{status}, 202, '10,000 ids: accepted');
is(KairosTest::json($r)->{queued} . ' ' . KairosTest::json($r)->{skipped}, '1 9999', 'one patient, 9,999 unknown ids skipped');

# Idempotency-Key: a retry answers with the first campaign.
my @ids = map { KairosTest::json(campaign({ %sms, name => 'Retry', clientIds => [$ann, $cat] }, headers => { 'Idempotency-Key' => 'camp-1' }))->{id} } 1 .. 3;
is(scalar(keys %{ { map { $_ => 1 } @ids } }), 1, 'three requests with one Idempotency-Key: one campaign');
is($psql->("SELECT count(*) FROM campaigns WHERE name = 'Retry'"), 1, 'one row');
is($psql->("SELECT count(*) FROM notifications WHERE event_key LIKE 'campaign:$ids[0]:%'"), 2, 'and its messages once');

# All or nothing: the last message fails to queue, and the campaign goes with it.
$psql->("CREATE FUNCTION t_explode() RETURNS trigger LANGUAGE plpgsql AS \\\$\\\$ BEGIN IF NEW.body_text = 'explode' AND NEW.patient_id = '$cat' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END \\\$\\\$; CREATE TRIGGER t_explode BEFORE INSERT ON notifications FOR EACH ROW EXECUTE FUNCTION t_explode()");
$before = $count->('campaigns') . '/' . $count->('notifications');
$r = campaign({ %sms, name => 'Doomed', body => 'explode', clientIds => [$ann, $cat] });
is($r->{status}, 503, 'a database failure while queueing: 503');
is($count->('campaigns') . '/' . $count->('notifications'), $before, 'no campaign and no message: rolled back together');
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'campaign.created' AND details->>'queued' = '2' AND subject_id NOT IN (SELECT id::text FROM campaigns)"), 0, 'nor its audit entry');
$psql->("DROP TRIGGER t_explode ON notifications; DROP FUNCTION t_explode()");
$k->finish;
done_testing;
