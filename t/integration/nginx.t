#!/usr/bin/env perl
# nginx/: the production variant is valid nginx (TLS, HTTP/2), the local one is what the
# tests run; static files get long-lived caching only when fingerprinted; sign-in and
# webhooks are rate limited with 429.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use File::Temp qw(tempdir);
use Test::More;

my $src = KairosTest::src();
my $tmp = tempdir('kairos-nginx-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# Production: generate with a throwaway self-signed certificate and ask nginx to check it.
system("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=clinic.example -days 1 -keyout $tmp/key.pem -out $tmp/cert.pem >/dev/null 2>&1") == 0
	or BAIL_OUT('openssl cannot make a test certificate');
my $gen = "KAIROS_SOCKET=/run/kairos/kairos.sock STATIC_ROOT=/usr/share/kairos/static SERVER_NAME=clinic.example TLS_CERT=$tmp/cert.pem TLS_KEY=$tmp/key.pem $src/nginx/gen-conf";
is(system("$gen production $tmp/prod"), 0, 'gen-conf production writes a configuration');
my $site = do { local $/; open my $f, '<', "$tmp/prod/kairos.conf" or die; <$f> };
like($site, qr/listen 443 ssl http2;/, 'production listens with TLS and HTTP/2');
like($site, qr/return 301 https:\/\/\$host\$request_uri;/, 'and redirects plain HTTP');
unlike($site, qr/127\.0\.0\.1/, 'with no loopback listener');
unlike($site, qr/\@[A-Z_]+\@/, 'and no placeholder left');
like($site, qr/limit_req zone=kairos_auth/, 'sign-in is rate limited');
like($site, qr/limit_req zone=kairos_webhooks/, 'webhooks are rate limited');
like($site, qr{location /webhooks/ \{\s*access_log /var/log/nginx/access\.log kairos_no_query;},
	'and logged to the access log without their query string (a verify token rides in it)');
like($site, qr{log_format kairos_no_query [^;]*"\$request_method \$uri \$server_protocol"},
	'whose line has the path ($uri) where the request line would be');
my $fcgi = do { local $/; open my $f, '<', "$tmp/prod/kairos-fastcgi.conf" or die; <$f> };
like($fcgi, qr/fastcgi_param HTTP_X_REQUEST_ID \$kairos_request_id;/, 'the request id is passed to kairos');
like($fcgi, qr/fastcgi_param REMOTE_ADDR\s+\$remote_addr;/, 'and the client address');
like($fcgi, qr/fastcgi_pass kairos;/, 'to the kairos upstream');
like($site, qr/upstream kairos \{\s*server unix:\/run\/kairos\/kairos\.sock;/, 'which is the unix socket');

open my $main, '>', "$tmp/prod/nginx.conf" or die;
print {$main} "pid $tmp/prod/nginx.pid; error_log $tmp/prod/error.log; events {} http { include /etc/nginx/mime.types; include $tmp/prod/kairos.conf; }\n";
close $main;
my $check = `nginx -t -p $tmp/prod -c $tmp/prod/nginx.conf -e $tmp/prod/error.log 2>&1`;
is($? >> 8, 0, 'nginx -t accepts the production configuration') or diag $check;

is(system("KAIROS_SOCKET=/x.sock STATIC_ROOT=/s $src/nginx/gen-conf production $tmp/p2 2>/dev/null"), 256,
	'production without a certificate is refused');

# The local variant, live, with static files of our own in a copy of the share directory.
my $share = KairosTest::share_copy();
my $k = KairosTest->start(workers => 1, share_dir => $share);
my $r = $k->get('/static/css/does-not-exist.css');
is($r->{status}, 404, 'missing static files are a plain 404 from nginx');
mkdir "$share/static/test-tmp";
my $fp = "$share/static/test-tmp/app.3f2a1c9e.css";
my $plain = "$share/static/test-tmp/plain.css";
for my $f ($fp, $plain) { open my $o, '>', $f or die; print {$o} "body{color:#111}\n"; close $o; }
$r = $k->get('/static/test-tmp/app.3f2a1c9e.css');
is($r->{status}, 200, 'a fingerprinted static file is served by nginx');
is($r->{headers}{'cache-control'}, 'public, max-age=31536000, immutable', 'with immutable caching for a year');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'and nosniff');
like($r->{headers}{'content-type'}, qr{^text/css}, 'as CSS');
$r = $k->get('/static/test-tmp/plain.css');
is($r->{headers}{'cache-control'}, 'public, max-age=300', 'an unfingerprinted file is revalidated after five minutes');
$k->finish;

# Rate limits, with a deliberately low sign-in rate.
local $ENV{AUTH_RATE} = '1r/m';
local $ENV{AUTH_BURST} = '2';
$k = KairosTest->start(workers => 1);
my @codes = map { $k->post_json('/api/patient-auth/send-otp', {})->{status} } 1 .. 6;
is_deeply([@codes[3 .. 5]], [429, 429, 429], "sign-in beyond rate and burst gets 429 (@codes)");
ok(!grep({ $_ == 429 } @codes[0 .. 2]), 'while the first requests within the burst pass through');
is($k->post_json('/signin', {})->{status}, 429, 'the sign-in page shares the limit');
isnt($k->get('/api/patient-auth/me')->{status}, 429, 'signed-in calls like /me are not held to it');
like($k->slurp('nginx/error.log'), qr/limiting requests/, 'nginx logs the limiting');
$k->finish;
done_testing;
