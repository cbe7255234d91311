#!/usr/bin/env perl
# kairos mustache [--partials DIR] TEMPLATE [DATA.json]: for template authors and email
# previews. Partials from DIR, data from a file or stdin, exit 1 with file:line:col on a bad
# template or bad JSON, 2 on usage errors, and never a crash on any input.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use File::Temp qw(tempdir);
use Test::More;

my $bin = KairosTest::bin();
my $d = tempdir('kairos-cli-XXXXXX', TMPDIR => 1, CLEANUP => 1);
sub put { my ($n, $t) = @_; my $p = "$d/$n"; system('mkdir', '-p', $p =~ s{/[^/]+$}{}r); open my $o, '>', $p or die; print {$o} $t; close $o; $p }
sub run {
	my ($stdin, @args) = @_;
	my $in = put('stdin.txt', $stdin // '');
	my $out = `$bin mustache @args < $in 2>$d/stderr`;
	my $err = do { local $/; open my $f, '<', "$d/stderr"; <$f> // '' };
	return ($? >> 8, $out, $err, $?);
}

put('partials/greet.mustache', "Hello, {{name}}!\n");
put('page.mustache', "{{>partials/greet}}{{>missing}}<b>{{tag}}</b>\n");
put('data.json', '{"name":"Ann","tag":"<i>"}');
my ($rc, $out, $err) = run(undef, '--partials', "$d", "$d/page.mustache", "$d/data.json");
is($rc, 0, 'renders a template with partials and a data file');
is($out, "Hello, Ann!\n<b>&lt;i&gt;</b>\n", 'partials resolved by path, a missing one is empty, values escaped');

($rc, $out) = run('{"name":"Bo","tag":"x"}', '--partials', "$d", "$d/page.mustache");
is($out, "Hello, Bo!\n<b>x</b>\n", 'data from stdin when no file is given');

put('bad.mustache', "line one\n  {{#open}}\n");
($rc, $out, $err) = run('{}', "$d/bad.mustache");
is($rc, 1, 'a bad template exits 1');
like($err, qr{bad\.mustache:2:\d+: .*open}, 'with file:line:col and what is wrong');

($rc, $out, $err) = run('{"a": [1,}', "$d/page.mustache");
is($rc, 1, 'bad JSON exits 1');
like($err, qr/JSON|json/, 'saying the data is at fault');

($rc) = run('{}', '--partials');
is($rc, 2, 'a usage error exits 2');
($rc) = run('{}', "$d/nonexistent.mustache");
is($rc, 1, 'a missing template exits 1');

put('escape.mustache', "{{>../../etc/passwd}}{{>/etc/passwd}}ok\n");
($rc, $out) = run('{}', '--partials', "$d/partials", "$d/escape.mustache");
is($out, "ok\n", 'partial names cannot climb out of the partials directory');

# Hostile input: random bytes as template and as data never crash it (exit 0 or 1 only).
srand(42);
my $crashes = 0;
for my $i (1 .. 150) {
	my $tpl = join '', map { chr(int rand 256) } 1 .. int(rand 200);
	$tpl .= ('{{', '}}', '{{#', '{{/', '{{^', '{{>', '{{<', '{{$', '{{=', '=}}', '{{{', '}}}', '{{&')[rand 13] x int(rand 4) for 1 .. 5;
	my $p = put("fuzz$i.mustache", $tpl);
	my (undef, undef, undef, $raw) = run(join('', map { chr(int rand 256) } 1 .. int(rand 60)), "$p");
	my (undef, undef, undef, $raw2) = run('{"a":[{"b":1}],"c":"<"}', "$p");
	for my $st ($raw, $raw2) {
		$crashes++ if ($st & 127) || ($st >> 8) > 1;
	}
	unlink $p;
}
is($crashes, 0, '150 random templates, each over random and real data: no crash, no odd exit');
done_testing;
