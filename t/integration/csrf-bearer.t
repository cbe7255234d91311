#!/usr/bin/env perl
# Only a bearer token that verified exempts a request from CSRF (issue 11, item 6). An
# Authorization header that does not verify (not Bearer, junk, a forged signature) is no
# credential: the request is judged on its cookies, and a cookie-authenticated or anonymous
# form post without the form's token gets the usual 403, with nothing written.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $k = KairosTest->start(workers => 1);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $form = sub { my %f = @_; join '&', map { my $v = $f{$_}; $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge; "$_=$v" } sort keys %f };
my $post = sub {
	my ($path, $fields, %h) = @_;
	return $k->request('POST', $path, content => $form->(%$fields),
		headers => { 'Content-Type' => 'application/x-www-form-urlencoded', %h });
};

# A patient whose browser holds the access cookie.
my $phone = '+61400000031';
my $at = $k->patient($phone)->{accessToken};
my $cookie = "kairos_at=$at";
my $name = $psql->("SELECT coalesce(name, '') FROM users WHERE phone = '$phone'");
my $page = $k->get('/account/details', headers => { Cookie => $cookie });
is($page->{status}, 200, 'the cookie opens the account form');
my ($tok) = $page->{content} =~ /name="_csrf" value="([^"]+)"/;
ok($tok, 'which carries the session\'s CSRF token');

(my $forged = $at) =~ s/(.)$/$1 eq 'A' ? 'B' : 'A'/e;
my %junk = ('a Basic header' => 'Basic Zm9vOmJhcg==', 'a bare "Bearer"' => 'Bearer',
	'a junk bearer' => 'Bearer not-a-token', 'a forged signature' => "Bearer $forged",
	'an empty header' => '');
for my $what (sort keys %junk) {
	my $r = $post->('/account/details', { name => 'Mallory', email => 'm@example.org' },
		Cookie => $cookie, Authorization => $junk{$what});
	is($r->{status}, 403, "a cookie-authenticated form post with $what and no CSRF token: 403");
	like($r->{content}, qr/This form has expired/, 'the usual CSRF refusal');
}
is($psql->("SELECT coalesce(name, '') FROM users WHERE phone = '$phone'"), $name, 'nothing written by the refused posts');

my $r = $post->('/account/details', { _csrf => $tok, name => 'Zoë Cookie', email => 'zoe@example.org' },
	Cookie => $cookie, Authorization => 'Bearer not-a-token');
is($r->{status}, 303, 'with the form\'s token, the same post is the cookie\'s and goes through');
is($psql->("SELECT name FROM users WHERE phone = '$phone'"), 'Zoë Cookie', 'saved');

# An anonymous form: the junk header no longer skips the visitor-bound token.
my $victim = '+61400000032';
$r = $post->('/signin', { phone => $victim, channel => 'sms' }, Authorization => 'Basic Zm9vOmJhcg==');
is($r->{status}, 403, 'POST /signin with a junk Authorization and no CSRF token: 403');
is($psql->("SELECT count(*) FROM notifications WHERE recipient = '$victim'"), '0', 'and no code is queued');

# A bearer token that verified still needs no form token: browsers do not send one unasked.
$r = $post->('/account/details', { name => 'Zoë Bearer', email => 'zoe@example.org' },
	Authorization => "Bearer $at");
is($r->{status}, 303, 'a form post with a verified bearer token and no CSRF token goes through');
is($psql->("SELECT name FROM users WHERE phone = '$phone'"), 'Zoë Bearer', 'saved');
$r = $k->post_json('/api/patient-auth/logout', {}, headers => { Authorization => 'Bearer not-a-token' });
isnt($r->{status}, 403, 'a JSON call with a junk bearer and no cookie has no ambient credential: no CSRF refusal');
$k->finish;
done_testing;
