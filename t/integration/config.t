#!/usr/bin/env perl
# Configuration: validated at start with one clear message per bad key; .env.example
# documents every key kairos knows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
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

($rc, $out) = run_env({}, 'config', '--example');
is($rc, 0, 'kairos config --example works without any configuration');
my @keys = $out =~ /^#?(KAIROS_[A-Z_]+)=/mg;
cmp_ok(scalar @keys, '>=', 14, 'and lists every key (' . scalar(@keys) . ')');
open my $fh, '<', KairosTest::src() . '/.env.example' or die;
my $example = do { local $/; <$fh> };
for my $key (@keys) {
	like($example, qr/^#?\Q$key\E=/m, ".env.example documents $key");
}

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
