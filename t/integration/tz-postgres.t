#!/usr/bin/env perl
# core/tz against PostgreSQL's AT TIME ZONE (issue 12, item 6): PostgreSQL (which reads the
# same system tzdata) writes 1,000,000+ (zone, instant) pairs sampled with a fixed seed over
# 1990-2040 across every zone it lists, plus the named zones densely around each of their
# transitions (t/lib/tz-samples.sql); t/lib/tz-compare checks both directions row by row —
# UTC -> wall time, and wall time -> UTC by PostgreSQL's own gap/overlap rule — and Kairos's
# rule against its definition. Only PostgreSQL is started, not the whole stack.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use File::Temp qw(tempdir);
use Test::More;
use Time::HiRes qw(time);

my $src = KairosTest::src();
my $compare = ($ENV{KTEST_BUILDDIR} // "$src/build") . '/t/lib/tz-compare';
-x $compare or BAIL_OUT("$compare is not built (make check builds it)");

# PAIRS_MIN pairs in all, spread evenly over the zones; a fixed seed in the SQL
use constant PAIRS_MIN => 1_000_000;
use constant ZONES_MIN => 590;	# tzdata 2025b has 598 names outside posix/; fewer means a broken list

my $dir = tempdir('kairos-tz-XXXXXX', TMPDIR => 1, CLEANUP => 1);
local $ENV{STACK_PG_FSYNC} = 'off';
system("$src/t/lib/stack", 'pg-start', $dir) == 0 or BAIL_OUT('PostgreSQL did not start');
my @psql = ('psql', '-h', "$dir/run", '-U', 'kairos', '-d', 'kairos', '-X', '-tAq');

my $zones = `@psql -c "SELECT count(*) FROM pg_timezone_names WHERE name NOT LIKE 'posix/%' AND name NOT IN ('localtime', 'posixrules')"`;
chomp $zones;
cmp_ok($zones, '>=', ZONES_MIN, "PostgreSQL lists $zones zones outside posix/");
my $per_zone = int((PAIRS_MIN + $zones - 1) / $zones);

my $t0 = time;
my $out = `@psql -v per_zone=$per_zone -f $src/t/lib/tz-samples.sql | $compare`;
my $rc = $? >> 8;
my $secs = time - $t0;
diag $out;
is($rc, 0, 'core/tz agrees with PostgreSQL on every pair, both directions');
my ($rows, $sampled, $dense, $seen, $gaps, $overlaps) =
	$out =~ /^rows (\d+) \(sampled (\d+), dense (\d+)\) zones (\d+) gaps (\d+) overlaps (\d+)/m;
cmp_ok($sampled // 0, '>=', PAIRS_MIN, 'at least 1,000,000 sampled pairs');
is($seen, $zones, 'covering every zone');
# 7 named zones, ~100 transitions each over 51 years, 289 instants around each
cmp_ok($dense // 0, '>=', 50_000, 'the named zones densely around their transitions');
cmp_ok($gaps // 0, '>=', 500, 'wall times in spring-forward gaps among them');
cmp_ok($overlaps // 0, '>=', 500, 'and in fall-back overlaps');
diag sprintf('generated and compared in %.1f s', $secs);

system("$src/t/lib/stack", 'pg-stop', $dir);
done_testing;
