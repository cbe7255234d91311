#!/usr/bin/env perl
# Tenancy (AUTH-7): the organisation comes from the Host; Kairos serves as a role that owns
# no table and cannot bypass row-level security; every tenant table has a policy, so a query
# with no org filter still sees one organisation's rows only.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 1);
my $dir = $k->dir;
my $psql = sub { my $v = `psql -h $dir/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$_[0]" 2>&1`; chomp $v; $v };
# the web role's view: kairos_web, with the organisation set for the transaction or not
my $as_web = sub {
	my ($org, $sql) = @_;
	my $set = defined $org ? "SELECT set_config('kairos.org_id', '$org', true);" : '';
	my $v = `psql -q -h $dir/run -U kairos_web -d kairos -tA -c "BEGIN; $set $sql; COMMIT;" 2>&1`;
	$v =~ s/^$org\n//m if defined $org;	# set_config's own answer
	chomp $v;
	$v;
};

my $a = $psql->("SELECT id FROM organisations WHERE is_default");
my $b = $psql->("INSERT INTO organisations (slug, name) VALUES ('beacon', 'Beacon Allied Health') RETURNING id");
($b) = $b =~ /([0-9a-f-]{36})/;
$psql->("INSERT INTO organisation_domains (host, org_id) VALUES ('beacon.test', '$b')");
$psql->("INSERT INTO users (org_id, role, name, phone) VALUES ('$a', 'patient', 'Ann A', '+61400000001'), ('$a', 'patient', 'Al A', '+61400000002'), ('$b', 'patient', 'Bea B', '+61400000001')");

# ---- the role Kairos serves as ----
is($psql->("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = 'kairos_web'"), 'f', 'kairos_web is no superuser and cannot bypass RLS');
is($psql->("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner IN ('kairos_web', 'kairos_app')"), 0, 'and owns no table');
is($psql->("SELECT string_agg(c.table_name, ',' ORDER BY c.table_name) FROM information_schema.columns c JOIN pg_class r ON r.relname = c.table_name
	WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND c.table_name <> 'organisation_domains'
	AND (NOT r.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.table_name))"), '',
	'every table with an org_id has row-level security and a policy');

# ---- a query without an org filter ----
is($as_web->($a, "SELECT string_agg(name, ',' ORDER BY name) FROM users"), 'Al A,Ann A', "organisation A sees only A's users");
is($as_web->($b, "SELECT string_agg(name, ',' ORDER BY name) FROM users"), 'Bea B', "organisation B sees only B's");
is($as_web->(undef, "SELECT count(*) FROM users"), '0', 'no organisation set: nothing at all');
like($as_web->($a, "INSERT INTO users (org_id, role, name) VALUES ('$b', 'patient', 'Sneaky')"), qr/row-level security/,
	"A cannot write a row into B");
like($as_web->($a, "UPDATE audit_log SET action = 'x'"), qr/permission denied/, 'the audit log cannot be rewritten');
like($as_web->($a, "DELETE FROM organisations"), qr/permission denied/, 'nor the organisations');
is($as_web->($a, "UPDATE users SET name = 'Changed' WHERE name = 'Bea B' RETURNING 1"), '', "an update aimed at B's row touches nothing");
is($psql->("SELECT name FROM users WHERE org_id = '$b'"), 'Bea B', 'B is unchanged');

# ---- the Host picks the organisation ----
# HTTP::Tiny will not send another Host, so these requests go through curl
my $host = sub {
	my ($h, $path, %o) = @_;
	my %hd = (Host => $h, %{ $o{headers} // {} });
	my @cmd = ('curl', '-s', '-i', '-X', $o{method} // 'GET', (map { ('-H', "$_: $hd{$_}") } sort keys %hd),
		defined $o{content} ? ('--data-binary', $o{content}) : (), $k->url($path));
	open(my $fh, '-|', @cmd) or die "curl: $!";
	local $/;
	my $raw = <$fh> // '';
	close $fh;
	my ($head, $body) = split /\r\n\r\n/, $raw, 2;
	my ($status) = $head =~ /^HTTP\/\S+ (\d+)/;
	return { status => $status // 599, content => $body // '' };
};
like($host->('beacon.test', '/')->{content}, qr/Welcome to Beacon Allied Health/, 'beacon.test is Beacon');
like($host->('BEACON.test', '/')->{content}, qr/Beacon Allied Health/, 'hosts compare without case');
like($host->('unknown.test', '/')->{content}, qr/Harbourside|Kairos/, 'an unknown host is the default organisation');
unlike($host->('unknown.test', '/')->{content}, qr/Beacon/, '... not Beacon');

# one number, two clinics, two accounts
my $send = sub { my ($h, $phone) = @_; $host->($h, '/api/patient-auth/send-otp', method => 'POST', content => qq({"phone":"$phone"}), headers => { 'Content-Type' => 'application/json' }) };
is($send->('beacon.test', '+61400000001')->{status}, 200, 'a code at Beacon');
my $code = $k->latest_code('+61400000001');
my $r = $host->('127.0.0.1', '/api/patient-auth/verify-otp', method => 'POST', content => qq({"phone":"+61400000001","otp":"$code"}),
	headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 401, "Beacon's code does not sign in at the other clinic");
$r = $host->('beacon.test', '/api/patient-auth/verify-otp', method => 'POST', content => qq({"phone":"+61400000001","otp":"$code"}),
	headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 200, 'it does at Beacon');
my $bea = KairosTest::json($r);
is($bea->{patient}{name}, 'Bea B', "as Beacon's patient");
$r = $host->('127.0.0.1', '/api/patient-auth/me', headers => { Authorization => "Bearer $bea->{accessToken}" });
is($r->{status}, 401, "Beacon's token is refused by the other clinic");
$r = $host->('127.0.0.1', '/api/patient-auth/refresh-token', method => 'POST', content => qq({"refreshToken":"$bea->{refreshToken}"}),
	headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 401, '... and so is its refresh token');
is($host->('beacon.test', '/api/patient-auth/me', headers => { Authorization => "Bearer $bea->{accessToken}" })->{status}, 200,
	'... which still works at Beacon');

# staff of one clinic are nobody at the other
my $admin = $k->staff(role => 'admin');	# the default organisation's
$r = $host->('beacon.test', '/api/staff-auth/login', method => 'POST', content => qq({"email":"$admin->{email}","password":"$admin->{password}"}),
	headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 401, 'a staff member of one clinic cannot sign in at another');
my $ann_a = $psql->("SELECT id FROM users WHERE name = 'Ann A'");
$r = $host->('beacon.test', '/comms', method => 'POST', content => qq({"client_id":"$ann_a","type":"sms","body":"x"}),
	headers => { 'Content-Type' => 'application/json', Authorization => "Bearer $admin->{token}" });
is($r->{status}, 401, "a clinic's staff token is refused at another clinic's host");

# ---- each clinic's phone region (0025): numbers typed in its own national format ----
{
	my $c = $psql->("INSERT INTO organisations (slug, name, timezone, region) VALUES ('chennai', 'Chennai Mind Clinic', 'Asia/Kolkata', 'IN') RETURNING id");
	($c) = $c =~ /([0-9a-f-]{36})/;
	$psql->("INSERT INTO organisation_domains (host, org_id) VALUES ('chennai.test', '$c')");
	is($send->('chennai.test', '98765 43210')->{status}, 200, 'a clinic whose region is IN takes an Indian number as typed');
	is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+919876543210' AND org_id = '$c'"), 1, '... as +919876543210, at that clinic');
	is($send->('beacon.test', '98765 43210')->{status}, 400, "a clinic without a region reads it in the deployment's (AU): refused");
	is($send->('chennai.test', '0412 345 678')->{status}, 400, 'the Indian clinic does not take an Australian national number');
	is($send->('chennai.test', '+61 412 345 678')->{status}, 200, '... though with its country code it does');
	like($host->('chennai.test', '/signin')->{content}, qr/For example 081234 56789, or with the country code: \+91 81234 56789/,
		"its sign-in page's hint is an Indian number");
	like($host->('beacon.test', '/signin')->{content}, qr/For example 0412 345 678, or with the country code: \+61 412 345 678/,
		"the other clinic's is still an Australian one");
	like($psql->("UPDATE organisations SET region = 'india' WHERE id = '$c'"), qr/violates check constraint/,
		'a region is an ISO 3166-1 alpha-2 code');
}
$k->finish;
done_testing;
