#!/usr/bin/env perl
# Configuration: validated at start with one clear message per bad key; .env.example
# documents every key kairos knows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use MIME::Base64 ();
use Test::More;

my $bin = KairosTest::bin();
sub run_env {
	my ($env, @args) = @_;
	my $cmd = join ' ', 'env', (map { "-u $_" } grep { /^KAIROS_/ } keys %ENV),
		(map { "'$_=$env->{$_}'" } sort keys %$env), $bin, @args, '2>&1';
	my $out = `$cmd`;
	return ($? >> 8, $out);
}

my ($rc, $out) = run_env({ KAIROS_WORKERS => 'many', KAIROS_ENV => 'prod', KAIROS_SHUTDOWN_TIMEOUT => 0,
	KAIROS_DEBUG_ROUTES => 'maybe', KAIROS_COLOUR => 'blue' }, 'serve');
is($rc, 1, 'kairos serve refuses to start with a bad configuration');
my @lines = grep { /configuration invalid/ } split /\n/, $out;
is(scalar @lines, 6, 'one message per problem (5 bad keys + the missing database URL)') or diag $out;
like($out, qr/KAIROS_WORKERS \(environment\): \\"many\\" is not a whole number/, 'bad number');
like($out, qr/KAIROS_ENV \(environment\): \\"prod\\" is not one of development\|test\|production/, 'bad choice, with the choices');
like($out, qr/KAIROS_SHUTDOWN_TIMEOUT \(environment\): 0 is outside 1\.\.3600/, 'out of range, with the range');
like($out, qr/KAIROS_DEBUG_ROUTES \(environment\): \\"maybe\\" is not true or false/, 'bad boolean');
like($out, qr/KAIROS_COLOUR \(environment\): unknown key/, 'unknown key (a typo is not ignored)');
like($out, qr/KAIROS_DATABASE_URL: required, not set/, 'missing required key');

($rc, $out) = run_env({ KAIROS_DATABASE_URL => 'host=/x dbname=y password=hunter2' }, 'config');
is($rc, 0, 'kairos config prints a valid configuration');
like($out, qr/^KAIROS_DATABASE_URL=\*{8}$/m, 'with secrets masked');
unlike($out, qr/hunter2/, 'the password never appears');
like($out, qr/^KAIROS_SOCKET_MODE=0660$/m, 'octal shown as octal');

# Each WhatsApp provider names what it cannot work without, and odd values are caught.
my %db = (KAIROS_DATABASE_URL => 'host=/x dbname=y');
for ([meta => qw(KAIROS_META_WHATSAPP_PHONE_NUMBER_ID KAIROS_META_WHATSAPP_ACCESS_TOKEN KAIROS_META_WHATSAPP_APP_SECRET KAIROS_META_WHATSAPP_VERIFY_TOKEN)],
	[gallabox => qw(KAIROS_GALLABOX_API_KEY KAIROS_GALLABOX_API_SECRET KAIROS_GALLABOX_CHANNEL_ID)],
	[twilio => qw(KAIROS_TWILIO_ACCOUNT_SID KAIROS_TWILIO_AUTH_TOKEN KAIROS_TWILIO_WHATSAPP_FROM)]) {
	my ($provider, @need) = @$_;
	($rc, $out) = run_env({ %db, KAIROS_WHATSAPP_PROVIDER => $provider }, 'config');
	is($rc, 1, "KAIROS_WHATSAPP_PROVIDER=$provider without its settings is refused");
	like($out, qr/\Q$_\E: required with KAIROS_WHATSAPP_PROVIDER=$provider/, "naming $_") for @need;
}
for my $region ('XX', 'au', 'AUS', '') {
	($rc, $out) = run_env({ %db, KAIROS_DEFAULT_REGION => $region }, 'config');
	is($rc, 1, "KAIROS_DEFAULT_REGION=\"$region\" is refused");
	like($out, qr/KAIROS_DEFAULT_REGION: "\Q$region\E" is not a country code like AU, NZ, IN, GB or US/, '... saying so');
}
($rc, $out) = run_env({ %db, KAIROS_DEFAULT_REGION => 'NZ' }, 'config');
like($out, qr/^KAIROS_DEFAULT_REGION=NZ$/m, 'KAIROS_DEFAULT_REGION=NZ is a clinic country');
# How long done jobs are kept: a dedupe key is honoured that long, so never under a week.
for my $days ('6', '0', '-1', '3651', 'month') {
	($rc, $out) = run_env({ %db, KAIROS_JOBS_KEEP_DAYS => $days }, 'config');
	is($rc, 1, "KAIROS_JOBS_KEEP_DAYS=$days is refused");
	like($out, qr/KAIROS_JOBS_KEEP_DAYS \(environment\): .*(outside 7\.\.3650|not a whole number)/, '... saying why');
}
($rc, $out) = run_env({ %db }, 'config');
like($out, qr/^KAIROS_JOBS_KEEP_DAYS=30$/m, 'done jobs are kept 30 days by default');
($rc, $out) = run_env({ %db, KAIROS_JOBS_KEEP_DAYS => 7 }, 'config');
like($out, qr/^KAIROS_JOBS_KEEP_DAYS=7$/m, 'and 7 is allowed');
($rc, $out) = run_env({ %db, KAIROS_WHATSAPP_PROVIDER => 'telegram' }, 'config');
like($out, qr/KAIROS_WHATSAPP_PROVIDER \(environment\): "telegram" is not one of outbox\|twilio\|meta\|gallabox/, 'an unknown WhatsApp provider');
($rc, $out) = run_env({ %db, KAIROS_TWILIO_WHATSAPP_FROM => '+61400000888', KAIROS_META_WHATSAPP_PHONE_NUMBER_ID => 'abc',
	KAIROS_WHATSAPP_TEMPLATES => 'otp=HX1,bad name=x', KAIROS_META_WHATSAPP_API_VERSION => 'latest' }, 'config');
like($out, qr/KAIROS_TWILIO_WHATSAPP_FROM: "\+61400000888" is not whatsapp:\+E164/, 'a WhatsApp sender without whatsapp:');
like($out, qr/KAIROS_META_WHATSAPP_PHONE_NUMBER_ID: "abc" is not all digits/, 'a phone number id that is not one');
like($out, qr/KAIROS_WHATSAPP_TEMPLATES: expected NAME=ID pairs/, 'a malformed template map');
like($out, qr/KAIROS_META_WHATSAPP_API_VERSION: "latest" is not a version/, 'an API version that is not one');
($rc, $out) = run_env({ %db, KAIROS_WHATSAPP_PROVIDER => 'meta', KAIROS_META_WHATSAPP_PHONE_NUMBER_ID => '1065',
	KAIROS_META_WHATSAPP_ACCESS_TOKEN => 'tok-secret-1', KAIROS_META_WHATSAPP_APP_SECRET => 'app-secret-2',
	KAIROS_META_WHATSAPP_VERIFY_TOKEN => 'verify-secret-3', KAIROS_GALLABOX_API_SECRET => 'gb-secret-4' }, 'config');
is($rc, 0, 'a complete Meta configuration is accepted');
unlike($out, qr/secret-\d/, 'and its token, app secret, verify token (and Gallabox\'s secret) are masked');

($rc, $out) = run_env({}, 'config', '--example');
is($rc, 0, 'kairos config --example works without any configuration');
my @keys = $out =~ /^#?(KAIROS_[A-Z_]+)=/mg;
cmp_ok(scalar @keys, '>=', 14, 'and lists every key (' . scalar(@keys) . ')');
open my $fh, '<', KairosTest::src() . '/.env.example' or die;
my $example = do { local $/; <$fh> };
for my $key (@keys) {
	like($example, qr/^#?\Q$key\E=/m, ".env.example documents $key");
}
# Regenerate it with: kairos config --example > .env.example
ok($example eq $out, '.env.example is exactly what kairos config --example writes from the modules\' tables');
like($out, qr{^# ---- .* \(src/notify/settings\.c\) ----$}m, 'with a section per module, naming its table');

($rc, $out) = run_env({}, 'config', '--secrets');
is($rc, 0, 'kairos config --secrets works without any configuration');
my @secret = split /\n/, $out;
ok(scalar(grep { $_ eq 'KAIROS_TWILIO_AUTH_TOKEN' } @secret) && scalar(grep { $_ eq 'KAIROS_DATABASE_URL' } @secret),
	'and names the secret keys (' . scalar(@secret) . ')');
ok(!grep({ $_ eq 'KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY' || $_ eq 'KAIROS_TWILIO_ACCOUNT_SID' } @secret), 'but not a public key or an id');
my $jwt = MIME::Base64::encode_base64('s' x 32, '');	# the one with a shape of its own
($rc, $out) = run_env({ %db, (map { $_ => "value-of-$_" } @secret), KAIROS_JWT_KEYS => "k1:$jwt" }, 'config');
is(scalar(grep { $out =~ /^\Q$_\E=\*{8}$/m } @secret), scalar @secret, 'kairos config masks every one of them')
	or diag $out;
unlike($out, qr/value-of-|\Q$jwt\E/, 'and prints none of their values');

# Each module checks its own keys, whichever command loads them (auth: the access-token keys).
my $short = 'c2hvcnQtc2VjcmV0LWtleQ';	# 16 bytes: too short for a key
($rc, $out) = run_env({ %db, KAIROS_JWT_KEYS => "k1:$short" }, 'config');
is($rc, 1, 'KAIROS_JWT_KEYS that does not parse is refused by kairos config, not only by serve');
like($out, qr/KAIROS_JWT_KEYS: key k1: not base64 of 32 to 64 bytes/, '... saying why');
unlike($out, qr/\Q$short\E/, '... without the key');

# kairos doctor asks every module (src/settings.c), each reporting even after one failed.
($rc, $out) = run_env({ KAIROS_DATABASE_URL => 'host=/nonexistent dbname=x', KAIROS_DB_CONNECT_TIMEOUT => 1 }, 'doctor');
is($rc, 1, 'kairos doctor fails when a module\'s check fails');
like($out, qr/^✗ database: /m, 'db: cannot connect');
like($out, qr/^✗ access-token keys: KAIROS_JWT_KEYS not set/m, 'auth: no access-token keys');
like($out, qr/^✓ sms: outbox/m, 'notify: each channel\'s provider, though the checks before failed');
like($out, qr/^✓ job kinds: \d+, at most 64$/m, 'jobs: the build\'s kinds fit (JOBS_MAX_KINDS)');
my $good = 'k2:' . MIME::Base64::encode_base64('k' x 32, '') . ',k1:' . MIME::Base64::encode_base64('j' x 48, '');
($rc, $out) = run_env({ KAIROS_DATABASE_URL => 'host=/nonexistent dbname=x', KAIROS_DB_CONNECT_TIMEOUT => 1,
	KAIROS_JWT_KEYS => $good }, 'doctor');
like($out, qr/^✓ access-token keys: 2, k2 signs$/m, 'auth: the keys parse, and which one signs');
unlike($out, qr/a2tr|ampq/, 'never the keys themselves');

($rc, $out) = run_env({}, 'nonsense');
is($rc, 2, 'an unknown command exits 2');
like($out, qr/unknown command nonsense/, 'and says so');
($rc, $out) = run_env({}, '--config');
is($rc, 2, '--config without a file is a usage error');
($rc, $out) = run_env({}, 'migrate', '--bogus');
is($rc, 2, 'an unknown migrate option is a usage error');
($rc, $out) = run_env({ KAIROS_DATABASE_URL => 'host=/nonexistent dbname=x', KAIROS_DB_CONNECT_TIMEOUT => 1 }, 'migrate');
is($rc, 1, 'migrate without a reachable database exits 1');
like($out, qr/cannot connect to the database/, 'saying why');
done_testing;
