#!/usr/bin/env perl
# Routing and the HTTP layer through real nginx → kairos: 404/405, HEAD, security headers,
# request ids, hostile paths, health and readiness, a page that reads the database.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 2);

my $r = $k->get('/healthz');
is($r->{status}, 200, '/healthz answers 200');
is_deeply(KairosTest::json($r), { status => 'ok' }, '/healthz says ok');
$r = $k->get('/readyz');
is($r->{status}, 200, '/readyz is 200 with the database up and migrated');
is(KairosTest::json($r)->{status}, 'ready', '/readyz says ready');

$r = $k->get('/');
is($r->{status}, 200, 'the home page renders');
like($r->{content}, qr{<h1 class="hero__title">Welcome to Kairos</h1>}, 'with the organisation name read from the database');
like($r->{content}, qr{<title>Welcome — Kairos</title>}, 'through the layout, which names the clinic');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'as UTF-8 HTML');

# Security headers on every response, errors included.
for my $path ('/', '/healthz', '/no-such-page') {
	$r = $k->get($path);
	my $h = $r->{headers};
	like($h->{'content-security-policy'} // '', qr/frame-ancestors 'none'/, "CSP on $path");
	is($h->{'x-content-type-options'}, 'nosniff', "nosniff on $path");
	is($h->{'referrer-policy'}, 'strict-origin-when-cross-origin', "Referrer-Policy on $path");
	ok(!exists $h->{'strict-transport-security'}, "no HSTS over plain HTTP on $path");
}

$r = $k->get('/no-such-page');
is($r->{status}, 404, 'unknown page: 404');
like($r->{content}, qr{<h1>Not Found</h1>}, 'as an HTML page for a browser');
like($r->{content}, qr{<link rel="stylesheet" href="/static/[^"]*app[^"]*\.css">}, 'rendered through the layout, with the stylesheet');
like($r->{content}, qr{href="#main"}, 'and its skip link');
$r = $k->get('/%c0%af');	# nginx passes it; kairos refuses it before routing
like($r->{content}, qr{<h1>Bad Request</h1>.*Path is not valid UTF-8}s, 'a request refused before routing gets the same layout');
$r = $k->get('/api/no-such-thing');
is($r->{status}, 404, 'unknown API path: 404');
is_deeply(KairosTest::json($r), { error => "We couldn't find that page." }, 'as a JSON error');
$r = $k->get('/no-such-page', headers => { Accept => 'application/json' });
ok(KairosTest::json($r), 'a client that accepts only JSON gets JSON errors');

$r = $k->request('POST', '/healthz');
is($r->{status}, 405, 'wrong method: 405');
is($r->{headers}{allow}, 'GET, HEAD', 'with Allow listing the methods of the path');
$r = $k->request('DELETE', '/readyz', headers => { Accept => 'application/json' });
is($r->{status}, 405, 'DELETE on a GET route: 405');
is(KairosTest::json($r)->{error}, 'That method is not allowed here.', 'JSON 405 body');

$r = $k->request('HEAD', '/');
is($r->{status}, 200, 'HEAD is served by the GET route');
is($r->{content} // '', '', 'without a body');
ok($r->{headers}{'content-length'} > 0, 'but with the length of the GET body');

# Request ids: echoed when safe, generated otherwise, and in the log line.
$r = $k->get('/healthz', headers => { 'X-Request-Id' => 'trace-abc.123' });
is($r->{headers}{'x-request-id'}, 'trace-abc.123', 'a safe X-Request-Id is echoed');
$r = $k->get('/healthz', headers => { 'X-Request-Id' => 'bad id <script>' });
like($r->{headers}{'x-request-id'}, qr/^[0-9a-f]{32}$/, 'an unsafe one is replaced');
my $generated = $r->{headers}{'x-request-id'};
$r = $k->get('/healthz');
like($r->{headers}{'x-request-id'}, qr/^[0-9a-f]{32}$/, 'one is generated when none is sent');
isnt($r->{headers}{'x-request-id'}, $generated, 'and generated ids differ');
ok($k->wait_until(2, sub { $k->slurp('log/kairos.log') =~ /"id":"trace-abc\.123","method":"GET","path":"\/healthz","status":200,"us":\d+,"pid":\d+\}/ }),
	'the request log line carries id, method, path, status, microseconds and pid');

# Hostile paths, straight to kairos through nginx's $request_uri.
for my $case (['/%00', 400, 'NUL byte'], ['/a%0d%0aX-Injected:%201', 400, 'CRLF'],
	['/%c0%af', 400, 'overlong UTF-8'], ['/%zz', 400, 'bad escape']) {
	my ($path, $want, $what) = @$case;
	$r = $k->get($path);
	is($r->{status}, $want, "path with $what: $want");
	ok(!exists $r->{headers}{'x-injected'}, "no header injected by $what");
}
# nginx normalises /a/../b itself; kairos refuses an encoded one it passes through.
$r = $k->get('/api/%c0%af');
is($r->{status}, 400, 'a bad path under /api/ is refused too');
is(KairosTest::json($r)->{error}, 'Path is not valid UTF-8', 'with a JSON error, as the API promises');
$r = $k->get('/x/%2e%2e/%2e%2e/etc/passwd');
is($r->{status}, 400, 'encoded .. segments are refused');
$r = $k->get('/api/' . ('a' x 3000));
ok($r->{status} == 414 || $r->{status} == 404, 'a very long path is refused or not found')
	or diag $r->{status};
like($k->get('/healthz?' . join('&', map { "k$_=v" } 1 .. 300))->{status}, qr/^400$/,
	'more than 256 query parameters: 400');

$r = $k->get('/_debug/sleep?ms=-5');
is($r->{status}, 400, 'debug route validates its input');
is_deeply(KairosTest::json($r)->{details}, { ms => 'must be 0..30000' }, 'naming the field');

$k->finish;
done_testing;
