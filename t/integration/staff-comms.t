#!/usr/bin/env perl
# Staff messages (NOTE-7): POST /comms and POST /api/notifications with
# {"client_id","type","subject","body"} → 202 {"id","status":"queued"}; staff only (a staff
# access token from POST /api/staff-auth/login; a patient's token is refused); every bad field
# named; another clinic's or an unknown patient is 404; Idempotency-Key makes a retry safe.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use JSON::PP;
use Test::More;

my $k = KairosTest->start(workers => 1);
my $staff = $k->staff(role => 'receptionist');
my $token = $staff->{token};
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $ann = $psql->("INSERT INTO users (org_id, role, name, email, phone) SELECT id, 'patient', 'Ann Lee', 'ann\@example.org', '+61400000111' FROM organisations WHERE is_default RETURNING id");
($ann) = $ann =~ /^([0-9a-f-]{36})/m;
my $bob = $psql->("INSERT INTO users (org_id, role, name) SELECT id, 'patient', 'Bob No-Contact' FROM organisations WHERE is_default RETURNING id");
($bob) = $bob =~ /^([0-9a-f-]{36})/m;
my $other = $psql->("WITH o AS (INSERT INTO organisations (slug, name) VALUES ('other', 'Other clinic') RETURNING id) INSERT INTO users (org_id, role, phone) SELECT id, 'patient', '+61400000222' FROM o RETURNING id");
($other) = $other =~ /^([0-9a-f-]{36})/m;

sub comms { my ($body, %h) = @_; $k->post_json($h{path} // '/comms', $body, headers => { Authorization => "Bearer " . ($h{token} // $token), %{ $h{headers} // {} } }) }

my $r = $k->post_json('/comms', { client_id => $ann, type => 'sms', body => 'hi' });
is($r->{status}, 401, 'no token: 401');
is(KairosTest::json($r)->{error}, 'Not signed in', 'as a JSON error');
is(comms({ client_id => $ann, type => 'sms', body => 'hi' }, token => 'x' x length $token)->{status}, 401, 'a wrong token: 401');
{
	my $p = $k->patient('+61400000999');
	is(comms({ client_id => $ann, type => 'sms', body => 'hi' }, token => $p->{accessToken})->{status}, 403,
		"a patient's token: 403");
}

$r = comms({ client_id => $ann, type => 'sms', body => 'Your appointment is confirmed.' });
is($r->{status}, 202, 'a staff SMS is accepted: 202');
my $j = KairosTest::json($r);
is($j->{status}, 'queued', 'queued');
like($j->{id}, qr/^[0-9a-f-]{36}$/, 'with the message id');
ok($k->wait_until(10, sub { $psql->("SELECT status FROM notifications WHERE id = '$j->{id}'") eq 'sent' }), 'and sent');
is($psql->("SELECT recipient || ' ' || patient_id FROM notifications WHERE id = '$j->{id}'"), "+61400000111 $ann", "to the patient's mobile, linked to the patient");
is($psql->("SELECT actor_kind || ' ' || actor_id || ' ' || host(ip) || ' ' || patient_id FROM audit_log WHERE subject_id = '$j->{id}'"),
	"staff $staff->{id} 127.0.0.1 $ann", 'audited as the staff member who sent it, with the address it came from');

$r = comms({ client_id => $ann, type => 'email', subject => 'Your receipt', body => 'Thank you.' }, path => '/api/notifications');
is($r->{status}, 202, 'POST /api/notifications does the same, here an email');
my $eid = KairosTest::json($r)->{id};
is($psql->("SELECT channel || ' ' || recipient || ' ' || subject FROM notifications WHERE id = '$eid'"), 'email ann@example.org Your receipt', "to the patient's email, with the subject");

$r = comms({ client_id => 'not-a-uuid', type => 'fax', body => '' });
is($r->{status}, 400, 'bad fields: 400');
is_deeply(KairosTest::json($r)->{details}, { client_id => 'Patient must be an id (a UUID)', type => 'Channel must be one of: sms, email',
	body => 'Enter message' }, 'every bad field named at once');
$r = comms({ client_id => $ann, type => 'email', body => 'x' });
is_deeply(KairosTest::json($r)->{details}, { subject => 'Enter a subject for an email' }, 'email needs a subject');
$r = comms({ client_id => $ann, type => 'sms', body => 'x' x 1601 });
is(KairosTest::json($r)->{details}{body}, 'Message must be 1600 characters or fewer for a text message', 'an SMS over 1600 characters is refused');
$r = comms({ client_id => [1], type => 'sms', body => 7 });
is_deeply(KairosTest::json($r)->{details}, { client_id => 'Patient must be text', body => 'Message must be text' }, 'wrong types are named');
$r = comms({ client_id => $ann, type => 'sms', body => "Hi\x{0}there" });
is_deeply(KairosTest::json($r)->{details}, { body => 'Message must not contain a NUL character' }, 'a NUL in the message is refused, not cut');
$r = comms({ client_id => $ann, type => 'sms', body => 'x', extra => 1 });
is_deeply(KairosTest::json($r)->{details}, { extra => 'is not a field of this request' }, 'an unknown member is refused');
is(comms('[1,2]')->{status}, 400, 'a body that is not an object: 400');
$r = comms(qq({"client_id":"$ann","type":"sms","body":"Hi \xe9t\xe9"}));
is($r->{status}, 400, 'a message in Latin-1, not UTF-8: 400');
is_deeply(KairosTest::json($r), { error => 'Invalid request', details => { body => 'Message must be valid UTF-8 text' } },
	'... named by the field, not a whole-body refusal');
$r = comms(qq({"client_id":"$ann","type":"sms","body":"x","client_id":"$other"}));
is($r->{status}, 400, "client_id sent twice (the last another clinic's patient): 400, not last-one-wins");
is_deeply(KairosTest::json($r)->{details}, { client_id => 'Patient was sent twice' }, '... named by the field');
is(comms({ client_id => $ann, type => 'sms', body => 'x' }, headers => { 'Idempotency-Key' => 'bad key!' })->{status}, 400, 'a malformed Idempotency-Key: 400');

is(comms({ client_id => '00000000-0000-0000-0000-000000000000', type => 'sms', body => 'x' })->{status}, 404, 'an unknown patient: 404');
is(comms({ client_id => $other, type => 'sms', body => 'x' })->{status}, 404, "another clinic's patient: 404, as if unknown");
$r = comms({ client_id => $bob, type => 'sms', body => 'x' });
is($r->{status}, 409, 'a patient without a mobile: 409');
is(KairosTest::json($r)->{error}, 'The patient has no mobile number', 'saying so');

my @ids = map { KairosTest::json(comms({ client_id => $ann, type => 'sms', body => 'Reminder' }, headers => { 'Idempotency-Key' => 'retry-123' }))->{id} } 1 .. 3;
is(scalar(keys %{ { map { $_ => 1 } @ids } }), 1, 'three requests with one Idempotency-Key: one message');
is($psql->("SELECT count(*) FROM notifications WHERE event_key = 'comms:retry-123'"), 1, 'one row');
is($psql->("SELECT count(*) FROM notifications WHERE recipient = '+61400000222' OR patient_id = '$bob'"), 0, 'nothing was queued for the refused requests');

# A connection lost while the message is being queued is 503, as every database failure is
# (a client retries it), not the 500 of a template that failed: the notifications INSERT of
# one marked body ends its own backend, as a PostgreSQL restart in mid-request would.
{
	my $sql = "$k->{dir}/lose.sql";
	open my $f, '>', $sql or die "$sql: $!";
	print $f <<'SQL';
CREATE FUNCTION t_lose_connection() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
	IF NEW.body_text LIKE '%LOSE-THE-CONNECTION%' THEN
		PERFORM pg_terminate_backend(pg_backend_pid());
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER t_lose_connection BEFORE INSERT ON notifications
	FOR EACH ROW EXECUTE FUNCTION t_lose_connection();
SQL
	close $f;
	is(system("psql -q -h $k->{dir}/run -U kairos -d kairos -v ON_ERROR_STOP=1 -f $sql >/dev/null"), 0,
		'a trigger that ends the connection of one marked message');
	for my $path ('/comms', '/api/notifications') {
		$r = comms({ client_id => $ann, type => 'sms', body => 'LOSE-THE-CONNECTION' }, path => $path);
		is($r->{status}, 503, "$path: the connection lost while queueing: 503");
		is(KairosTest::json($r)->{error}, 'The service is temporarily unavailable. Please try again in a moment.', '... as a JSON error')
			or diag $r->{content};
	}
	is(comms({ client_id => $ann, type => 'sms', body => 'After the loss.' })->{status}, 202,
		'the next message is queued on a new connection');
	is($psql->("SELECT count(*) FROM notifications WHERE body_text LIKE '%LOSE-THE-CONNECTION%'"), 0,
		'nothing of the lost requests was written');
}
$k->finish;

my $k2 = KairosTest->start(workers => 1);
is($k2->post_json('/comms', { client_id => $ann, type => 'sms', body => 'x' }, headers => { Authorization => 'Bearer ' })->{status}, 401,
	'an empty bearer token: 401');
$k2->finish;
done_testing;
