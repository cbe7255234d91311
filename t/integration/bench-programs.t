#!/usr/bin/env perl
# The C programs of bench/ build with the warnings the project builds with, and the
# mustache yardsticks (bench/mustache-by-hand.c, with and without the slot hints) make the
# very page the engine makes, so a change to either shows here and not only when someone
# runs bench/run.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use File::Temp qw(tempdir);
use Test::More;

my $src = KairosTest::src();
my $d = tempdir('kairos-bench-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my @cflags = qw(-std=c11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE);
my @core = map { "$src/src/core/$_" } qw(buf.c arena.c mem.c utf8.c);

sub pkg { my $f = `pkg-config --cflags --libs @_`; chomp $f; split ' ', $f }
sub build {
	my ($out, @args) = @_;
	my $log = "$d/$out.log";
	my $rc = system("cc @cflags -I $src/src @args -o $d/$out >$log 2>&1");
	my $msg = do { local $/; open my $f, '<', $log; <$f> // '' };
	ok($rc == 0, "bench: $out builds without warnings") or diag $msg;
}
sub page {	# one render, printed before the figures line
	my $out = `cd $src && MUSTACHE_BENCH_PRINT=1 @_`;
	my $rc = $? >> 8;
	my ($html, $figures) = $out =~ /\A(.*\n)(renders_per_sec=\d+ bytes=\d+)\n\z/s;
	return ($rc, $html, $figures);
}

build('mustache-bench', @core, "$src/src/view/mustache.c", "$src/bench/mustache-bench.c", pkg('json-c'));
build('mustache-by-hand', @core, "$src/bench/mustache-by-hand.c", pkg('json-c'));
build('mustache-by-hand-hinted', '-DBY_HAND_SLOT_HINTS', @core, "$src/bench/mustache-by-hand.c",
	pkg('json-c'));
build('fcgi-bare', "$src/bench/fcgi-bare.c", "$src/src/http/fcgi_send.c", pkg('fcgi', 'libpq'));
build('tz-bench', "-I $src/bench", "$src/bench/tz-bench.c", "$src/src/core/tz.c",
	"$src/src/core/mem.c", '-pthread');
build('argon2-bench', "$src/bench/argon2-bench.c", "$src/src/auth/password.c",
	"$src/src/core/rand.c", pkg('libpq', 'json-c'), '-largon2');

my ($rc, $engine, $figures) = page("$d/mustache-bench", '0.01', 'bench/mustache');
is($rc, 0, 'mustache-bench runs');
like($figures // '', qr/^renders_per_sec=[1-9]\d* bytes=(\d+)$/, 'and reports its rate and size');
my ($rc2, $by_hand, $figures2) = page("$d/mustache-by-hand", '0.01');
is($rc2, 0, 'mustache-by-hand runs');
ok(defined $engine && length $engine > 10000, 'the engine renders the run-sheet page (over 10 KB)');
ok(defined $by_hand && defined $engine && $by_hand eq $engine,
	'the page written by hand is byte for byte the engine\'s page');
my ($rc3, $hinted) = page("$d/mustache-by-hand-hinted", '0.01');
is($rc3, 0, 'mustache-by-hand-hinted runs');
ok(defined $hinted && defined $engine && $hinted eq $engine,
	'so is the page written by hand with the slot hints');
my ($bytes) = ($figures // '') =~ /bytes=(\d+)/;
is($bytes, length($engine // ''), 'the size it reports is the size of the page');

# fcgi-bare refuses what it cannot do, before it binds anything
my $sock = "$d/bare.sock";
{ open my $f, '>', "$d/params.sql" or die; print $f 'SELECT 1' . "\tx" x 17 . "\n"; }
for my $case (['', 'no arguments'], ["$sock 0", 'no workers'],
	["$sock 1 'host=/nonexistent' 10", 'an answer shorter than a log line'],
	["$sock 1 'host=/nonexistent' 99999999", 'an answer over the limit'],
	["$sock 1 'host=/nonexistent' 4000 $d/no-such-file", 'a header file it cannot read'],
	["$sock 1 'host=/nonexistent' 4000 /dev/null $d/no-such-file", 'a statements file it cannot read'],
	["$sock 1 'host=/nonexistent' 4000 /dev/null /dev/null", 'a statements file with none'],
	["$sock 1 'host=/nonexistent' 4000 /dev/null $d/params.sql", 'a statement with 17 parameters']) {
	my ($args, $what) = @$case;
	my $err = `$d/fcgi-bare $args 2>&1`;
	is($? >> 8, 2, "fcgi-bare: $what is a usage error (exit 2)");
}
ok(!-e $sock, 'and no socket was made');

# bench/stmt.pl gives the catalogue's floors the statements as Kairos prepares them: string
# literals joined and the file's string macros pasted in (funnel.c builds its INSERT of two)
my $insert = `cd $src && perl bench/stmt.pl src/funnel/funnel.c funnel_insert_async`;
is($? >> 8, 0, 'stmt.pl finds the funnel INSERT');
like($insert, qr/^INSERT INTO funnel_events \(org_id, .*, created_at\) SELECT \$1::uuid, .*to_timestamp\(\$10::bigint\) FROM \(SELECT set_config\('synchronous_commit', 'off', true\) AS sc\) s WHERE s\.sc = 'off'\n\z/,
	'with its macros expanded, whole');
unlike($insert, qr/FUNNEL_/, 'and no macro name left');
my $known = `cd $src && perl bench/stmt.pl src/catalogue/catalogue.c catalogue_known`;
like($known, qr/^SELECT \(SELECT count\(\*\) FROM services WHERE id = \$1::uuid AND active\),.*force_generic_plan', true\)\n\z/,
	'stmt.pl: a statement of plain literals as it was');

done_testing();
