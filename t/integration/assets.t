#!/usr/bin/env perl
# Static assets: fingerprinted at build time (src/view/fingerprint.sh), linked by every page
# through the manifest, served by nginx with immutable caching; and templates compiled at
# worker start, where a syntax error stops the worker with file:line:col.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $share = KairosTest::share_copy();
system('rm', '-rf', "$share/static/dist");
is(system('sh', KairosTest::src() . '/src/view/fingerprint.sh', "$share/static"), 0, 'fingerprint.sh runs');
my $manifest = do { local $/; open my $f, '<', "$share/static/dist/manifest.json" or die; <$f> };
my ($css) = $manifest =~ m{"css/app\.css": "(dist/css/app\.[0-9a-f]{10}\.css)"};
ok($css, "the manifest maps css/app.css to a hashed name ($css)");

my $k = KairosTest->start(workers => 1, share_dir => $share);
my $page = $k->get('/')->{content};
like($page, qr{<link rel="stylesheet" href="/static/\Q$css\E">}, 'pages link the fingerprinted stylesheet');
my $r = $k->get("/static/$css");
is($r->{status}, 200, 'nginx serves it');
is($r->{headers}{'cache-control'}, 'public, max-age=31536000, immutable', 'with immutable year-long caching');
my $source = do { local $/; open my $f, '<', "$share/static/css/app.css" or die; <$f> };
is($r->{content}, $source, 'and it is the stylesheet itself');
cmp_ok(length $source, '<=', 20 * 1024, 'the stylesheet is within its 20 KB budget (' . length($source) . ' bytes)');
like($k->get('/no-such-page')->{content}, qr{/static/\Q$css\E}, 'error pages link it too');

# Change the stylesheet: a new build gives a new name, and SIGHUP makes workers link it.
open my $o, '>>', "$share/static/css/app.css" or die;
print {$o} "/* changed */\n";
close $o;
system('sh', KairosTest::src() . '/src/view/fingerprint.sh', "$share/static");
my ($css2) = do { local $/; open my $f, '<', "$share/static/dist/manifest.json" or die; <$f> } =~ m{"css/app\.css": "([^"]+)"};
isnt($css2, $css, 'a changed file gets a new fingerprint');
my @old = $k->worker_pids;
kill 'HUP', $k->serve_pid;
$k->wait_until(10, sub { my @n = $k->worker_pids; @n == 1 && $n[0] != $old[0] });
like($k->get('/')->{content}, qr{/static/\Q$css2\E}, 'after SIGHUP pages link the new name');

# A template with a syntax error: new workers refuse to start, naming the place.
open $o, '>', "$share/templates/pages/broken.mustache" or die;
print {$o} "<p>\n{{#items}}\n{{/things}}\n";
close $o;
kill 'HUP', $k->serve_pid;
ok($k->wait_until(10, sub { $k->slurp('log/kairos.log') =~ /"msg":"reload abandoned"/ }), 'a reload with a broken template is abandoned');
like($k->slurp('log/kairos.log'), qr{"msg":"worker cannot start","detail":"[^"]*templates/pages/broken\.mustache:3:\d+: [^"]*things},
	'the worker says which file, line and column');
is($k->get('/healthz')->{status}, 200, 'and the old worker keeps serving');
$k->finish;
done_testing;
