#!/usr/bin/env perl
# src/db's round trips against a real database, through t/lib/db-pipeline (a TAP producer,
# its lines checked one by one here): BEGIN and the tenant's set_config go with the first
# statement and a queued statement with the COMMIT (two round trips for a read-only step
# with its funnel event); a refused set_config and a failed queued statement roll the whole
# transaction back and let no later statement run outside it; a lost connection, on the
# first statement or the commit, is DB_UNAVAILABLE and keeps nothing; db_query_rows and
# db_query_row read a real result into structs, and a bad cell fails the read; two
# connections of one process (the job runner's) each prepare a statement once.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $helper = ($ENV{KTEST_BUILDDIR} // KairosTest->src . '/build') . '/t/lib/db-pipeline';
plan skip_all => "$helper not built" unless -x $helper;

my $k = KairosTest->start(workers => 1);
my $dir = $k->dir;
my $org = `psql -q -h $dir/run -U kairos -d kairos -tAc "SELECT id FROM organisations WHERE is_default"`;
chomp $org;
like($org, qr/^[0-9a-f-]{36}$/, 'the clinic');

my @out = `$helper 'host=$dir/run user=kairos_web dbname=kairos' $org 'host=$dir/run user=kairos dbname=kairos' 2>&1`;
my $checks = 0;
for (@out) {
	chomp;
	if (/^(not )?ok \d+ - (.*)$/) {
		ok(!$1, $2);
		$checks++;
	} elsif (!/^1\.\.\d+$/) {
		diag($_);
	}
}
is($? >> 8, 0, 'the helper passed every check');
cmp_ok($checks, '>=', 50, "... all of them ran ($checks)");
$k->finish;
done_testing;
