#!/usr/bin/env perl
# Request bodies through nginx: size limits (413), malformed and hostile JSON (400 with a
# JSON error), forms, and that a refused body leaves the worker healthy.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;
use POSIX ();

my $k = KairosTest->start(workers => 2, env => { KAIROS_MAX_BODY_BYTES => 4096 });

my $r = $k->post_json('/_debug/echo', { name => 'Ann', n => [1, 2, 3] });
is($r->{status}, 200, 'a JSON body is accepted');
is_deeply(KairosTest::json($r)->{json}, { name => 'Ann', n => [1, 2, 3] }, 'and parsed');

$r = $k->post_json('/_debug/echo', '{"a": 1,');
is($r->{status}, 400, 'truncated JSON: 400');
is_deeply(KairosTest::json($r), { error => 'Invalid request', details => { body => 'Malformed JSON' } },
	'with {"error","details"}');
$r = $k->post_json('/_debug/echo', "{\"a\": \"\xff\xfe\"}");
is($r->{status}, 400, 'JSON with invalid UTF-8: 400');
$r = $k->post_json('/_debug/echo', ('[' x 40) . (']' x 40));
is($r->{status}, 400, 'JSON nested 40 deep: 400');
is(KairosTest::json($r)->{details}{body}, 'JSON nested too deeply', 'saying why');
$r = $k->post_json('/_debug/echo', '{"a":1} trailing');
is($r->{status}, 400, 'JSON followed by junk: 400');
$r = $k->post_json('/_debug/echo', "{'single': 1}");
is($r->{status}, 400, 'single-quoted JSON: 400');

$r = $k->post_json('/_debug/echo', '"' . ('x' x 5000) . '"');
is($r->{status}, 413, 'a body over KAIROS_MAX_BODY_BYTES: 413');
is(KairosTest::json($r)->{error}, 'Request body too large', 'as a JSON error');
$r = $k->request('POST', '/_debug/echo', content => 'x' x (3 * 1024 * 1024),
	headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 413, "a body over nginx's client_max_body_size: 413 too");

$r = $k->request('POST', '/_debug/echo-form', content => 'name=Ann+Lee&note=%E2%9C%93',
	headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($r->{status}, 200, 'a form body is accepted');
is_deeply(KairosTest::json($r)->{form}, { name => 'Ann Lee', note => "\x{2713}" },
	'and decoded (percent, plus, UTF-8)');
$r = $k->request('POST', '/_debug/echo-form', content => 'name=%ff',
	headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($r->{status}, 400, 'a form value that is not UTF-8: 400');
like($r->{content}, qr/<h1>Bad Request<\/h1>/, 'on an HTML route, as an HTML page');

# A refused body is not left half-read: the same workers go on answering correctly.
for (1 .. 10) {
	$k->post_json('/_debug/echo', 'x' x 5000);
}
$r = $k->post_json('/_debug/echo', { after => 'refusals' });
is_deeply(KairosTest::json($r)->{json}, { after => 'refusals' },
	'after ten 413s the workers still parse bodies correctly');

$r = $k->request('POST', '/_debug/nope', content => '{bad', headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 404, 'an unknown path is a 404 whatever its body');

# Workers close the connection without libfcgi's lingering wait (src/http/fcgi.c); a large
# response must still arrive whole, also when clients run in parallel.
{
	my $big = KairosTest->start(workers => 2);
	my $payload = join('', map { chr(97 + $_ % 26) } 1 .. 600_000);
	my @kids;
	pipe(my $rd, my $wr) or die;
	for my $c (1 .. 4) {
		my $pid = fork // die;
		if ($pid == 0) {
			close $rd;
			my $bad = 0;
			for (1 .. 8) {
				my $res = $big->post_json('/_debug/echo', { s => $payload });
				my $j = $res->{status} == 200 ? eval { KairosTest::json($res) } : undef;
				$bad++ unless $j && $j->{json}{s} eq $payload;
			}
			print {$wr} "$bad\n";
			POSIX::_exit(0);
		}
		push @kids, $pid;
	}
	close $wr;
	my $bad = 0;
	$bad += $_ for <$rd>;
	waitpid $_, 0 for @kids;
	is($bad, 0, '32 echoes of a 600 KB body by 4 parallel clients all come back whole');
	$big->finish;
}

$k->finish;
done_testing;
