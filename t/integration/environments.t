#!/usr/bin/env perl
# What each kind of deployment serves: demo data from `kairos seed` (the fixed sample clinic;
# safe to run again); /_styleguide only outside production; /_debug/* only with
# KAIROS_DEBUG_ROUTES (which production refuses, t/integration/config.t).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 1, seed => 1,
	env => { KAIROS_ENV => 'production', KAIROS_DEBUG_ROUTES => 'false' });
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
like($k->get('/')->{content}, qr{Welcome to Harbourside Psychology \(demo\)}, 'seeded demo data shows on the home page');
my ($rc, $out) = $k->kairos('seed');
is($rc, 0, 'kairos seed runs again without error');
like($out, qr/^ran 0001_demo_clinic\.sql$/m, 'naming the files it ran');
is($psql->("SELECT count(*) || ' ' || string_agg(name, ',') FROM organisations"), '1 Harbourside Psychology (demo)',
	'and changes nothing the second time');

is($k->get('/_styleguide')->{status}, 404, 'production: no /_styleguide');
is($k->get('/_debug/sleep?ms=1')->{status}, 404, 'production: no debug routes');
is($k->post_json('/_debug/echo', {})->{status}, 404, 'not even by POST');
is($k->get('/healthz')->{status}, 200, 'while the real routes answer');
is($k->get('/readyz')->{status}, 200, 'ready, serving as kairos_web (no owner, no bypass of row-level security)');
# served as the tables' owner, row-level security would not apply: production refuses
$k->{env}{KAIROS_DATABASE_URL} = "host=${\ $k->dir}/run dbname=kairos user=kairos";
$k->stack('serve-stop', $k->dir);
$k->stack('serve-start', $k->dir);
my $r = $k->get('/readyz');
is($r->{status}, 503, "production served as the tables' owner: /readyz 503");
like($r->{content}, qr/owns tables or bypasses row-level security/, 'saying why');
# a member of the owner's role acts with its rights, and PostgreSQL skips the policies for it
$psql->("CREATE ROLE owner_member LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE kairos");
# and a member of a role that bypasses row-level security has its bypass
$psql->("CREATE ROLE rls_bypass NOLOGIN BYPASSRLS");
$psql->("CREATE ROLE bypass_member LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE rls_bypass");
$psql->("GRANT kairos_web TO bypass_member");
for my $role (qw(owner_member bypass_member)) {
	$k->{env}{KAIROS_DATABASE_URL} = "host=${\ $k->dir}/run dbname=kairos user=$role";
	$k->stack('serve-stop', $k->dir);
	$k->stack('serve-start', $k->dir);
	my $r = $k->get('/readyz');
	ok($r->{status} == 503 && $r->{content} =~ /owns tables or bypasses row-level security/,
		"production served as $role, a member of the owner's or a bypassing role: /readyz 503, for that reason")
		or diag "$r->{status} $r->{content}";
}
$k->finish;

$k = KairosTest->start(workers => 1, env => { KAIROS_ENV => 'development', KAIROS_DEBUG_ROUTES => 'false' });
is($k->get('/_styleguide')->{status}, 200, 'development: /_styleguide is there');
is($k->get('/_debug/sleep?ms=1')->{status}, 404, 'but debug routes need KAIROS_DEBUG_ROUTES');
$k->{env}{KAIROS_DATABASE_URL} = "host=${\ $k->dir}/run dbname=kairos user=kairos";
$k->stack('serve-stop', $k->dir);
$k->stack('serve-start', $k->dir);
my $ready = KairosTest::json($k->get('/readyz'));
is($ready->{status}, 'ready', 'development as the owner: still ready');
like($ready->{warning}, qr/refused in production/, 'with a warning');
$k->finish;
done_testing;
