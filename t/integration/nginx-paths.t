#!/usr/bin/env perl
# Path spellings never dodge nginx's sign-in limit (issue 11, item 1). nginx matches its
# rate-limited location on $uri (decoded, slashes merged, dot segments resolved, trailing
# slash kept); Kairos routes only a canonical path (http_path_normalise's fixed point) and
# answers any other spelling with 308 to the canonical one. So every spelling of every
# sign-in route is either held by nginx's 429 or never reaches the handler.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use IO::Socket::INET;
use Test::More;

my $src = KairosTest::src();
my $bin = KairosTest::bin();

# One list of sign-in routes: the route table's SIGNIN_ROUTE rows.
my @rows = map { [split /\t/] } split /\n/, `$bin routes`;
is($? >> 8, 0, 'kairos routes lists the route table');
my %seen;
my @signin = grep { !$seen{$_}++ } map { $_->[1] } grep { ($_->[-1] // '') =~ /\bsignin\b/ } @rows;
ok(scalar(grep { $_ eq '/api/patient-auth/verify-otp' } @signin), "the sign-in rows include verify-otp (@signin)");
is(scalar(@signin), 7, 'seven sign-in paths: /signin, /signin/code, /signup, /staff/signin, send-otp, verify-otp, staff login');

# nginx's limited location is generated from it: the template carries exactly that regex.
chomp(my $regex = `$bin routes --nginx-auth-location`);
my $tmpl = do { local $/; open my $f, '<', "$src/nginx/kairos.conf.in" or die; <$f> };
my ($loc) = $tmpl =~ /^\s*location ~ "([^"]*)" \{\s*\n\s*limit_req zone=kairos_auth\b/m;
is($loc, $regex, 'nginx/kairos.conf.in limits exactly the paths of the sign-in routes');
for my $p (@signin) {
	like($p, qr/$regex/, "the location matches $p");
	unlike("$p/", qr/$regex/, "but not $p/ (nginx keeps a trailing slash in \$uri)");
}

our %FORM = (csrf => '', cookie => 'none=1');	# a form's CSRF token and its visitor cookie

# A request sent byte for byte as written (HTTP::Tiny would re-encode some paths).
sub raw {
	my ($port, $method, $target, $path) = @_;
	# forms carry a good CSRF token, so on a route a handler really answers
	my ($type, $body) = $path =~ m{^/api/} ? ('application/json', '{}') :
		('application/x-www-form-urlencoded', "_csrf=$FORM{csrf}&phone=%2B61400000001");
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Timeout => 30)
		or die "connect: $!";
	print {$s} "$method $target HTTP/1.1\r\nHost: 127.0.0.1:$port\r\nConnection: close\r\n" .
		"Cookie: $FORM{cookie}\r\nContent-Type: $type\r\nContent-Length: " . length($body) . "\r\n\r\n$body";
	my $resp = do { local $/; <$s> } // '';
	close $s;
	my ($status) = $resp =~ m{^HTTP/1\.\d (\d{3})};
	my ($location) = $resp =~ m{^Location: ([^\r\n]*)}mi;
	my ($content) = $resp =~ m{\r\n\r\n(.*)\z}s;
	return { status => $status // 0, location => $location, content => $content // '' };
}

# Spellings of P: those nginx normalises to P (so it limits them) and those it does not.
sub variants {
	my ($p) = @_;
	(my $mid2 = $p) =~ s{/([^/]*)$}{//$1};		# a doubled slash before the last segment
	(my $midenc = $p) =~ s{/([^/]*)$}{%2F$1};	# an encoded slash there
	(my $lastlc = $p) =~ s{(.)$}{sprintf '%%%02x', ord $1}e;	# the last letter as %xx
	(my $lastuc = $p) =~ s{(.)$}{sprintf '%%%02X', ord $1}e;	# and as %XX
	my @v = ("$p/", "$p//", "$p/.", "$p/./", "/$p", $mid2, "/.$p", "/x/..$p", "/%2e$p",
		"/%2E$p", "/%2F" . substr($p, 1), "$p%2F", "$p%2f", "$p%2F%2F", $midenc, "$p/%2e",
		"$p/%2E/", $lastlc, $lastuc, uc($p), "$p;x", "$p;x/", "$p%00", "$p%20", "$p.", "$p%2e",
		"$p%2E", "$p/x/..", "$p/x/%2e%2e", "$p?x=1", "$p/?x=1", "$p%3F", "$p%23", "$p%09",
		"$p%c0%af", "$p\\", "$p%5C", "$p/%2F", "$p%2F?x=1");
	push @v, $p =~ s/-/%2D/r, $p =~ s/-/%2d/r if $p =~ /-/;
	# a raw fragment, and the absolute form of the request target
	push @v, "$p#x", "$p/#x", "http://127.0.0.1$p", "http://127.0.0.1$p/", "http://127.0.0.1/$p";
	return @v;
}

# Kairos's and nginx's own refusals of a path, before any route.
my $refusal = qr/Invalid path|Malformed percent-encoding in path|Control character in path|Path is not valid UTF-8|We couldn(?:'|&#39;|&#x27;)t find that page|<center>nginx<\/center>/;

local $ENV{AUTH_RATE} = '1r/m';
local $ENV{AUTH_BURST} = '1';
my $k = KairosTest->start(workers => 1);
my $port = $k->port;

# A form's CSRF token, read before the limit is spent.
my $page = $k->get('/signin');
($FORM{csrf}) = $page->{content} =~ /name="_csrf" value="([^"]+)"/;
($FORM{cookie}) = ($page->{headers}{'set-cookie'} // '') =~ /^([^;]+)/;
ok($FORM{csrf} && $FORM{cookie}, 'a form token and its cookie, so the sign-in forms pass CSRF');

# Spend the burst, so the limited location answers 429 from now on.
my @spent = map { raw($port, 'POST', '/api/patient-auth/send-otp', '/api/')->{status} } 1 .. 4;
is($spent[-1], 429, "the sign-in limit is reached (@spent)");

# Why the answer to POST $target (a spelling of sign-in path $p) shows a handler was
# reached without nginx's limit, or undef when it was not: nginx held it (429), Kairos
# refused or did not route the path, or redirected it (308) to a canonical spelling that
# is itself held or not routed.
sub dodged {
	my ($target, $p, $hops) = @_;
	my $r = raw($port, 'POST', $target, $p);
	return undef if $r->{status} == 429;
	if ($r->{status} == 308) {
		my $to = $r->{location} // '';
		return "308 to a non-canonical '$to'" if $to !~ m{^/} || $to =~ m{//|/\.{1,2}(?:/|\?|$)|.+/(?:\?|$)};
		return "308 again from $to" if $hops;
		my $why = dodged($to, $p, 1);
		return defined $why ? "308 to $to, where $why" : undef;
	}
	return undef if ($r->{status} == 400 || $r->{status} == 404) && $r->{content} =~ $refusal;
	# A handler answered. If nginx limits the spelling, that was the one request a minute
	# lets through and the immediate retry is held; if the retry is answered too, the
	# spelling dodged the limit.
	my $again = raw($port, 'POST', $target, $p);
	return $again->{status} == 429 ? undef : "reached the handler ($r->{status}, then $again->{status})";
}

for my $p (@signin) {
	is(raw($port, 'POST', $p, $p)->{status}, 429, "POST $p: 429 from nginx");
	my @bad;
	for my $v (variants($p)) {
		my $why = dodged($v, $p, 0);
		push @bad, "$v: $why" if defined $why;
	}
	ok(!@bad, "every spelling of $p is limited by nginx or never reaches the handler")
		or diag join "\n", @bad;
}

# A non-canonical GET of a page is redirected too, query kept.
my $r = $k->get('/signin/?next=%2Faccount');
is($r->{status}, 308, 'GET /signin/ is redirected');
is($r->{headers}{location}, '/signin?next=%2Faccount', 'to /signin, with its query');
$r = $k->get('/healthz/');
is($r->{status}, 308, 'any non-canonical path is, not only sign-in ones');
is($r->{headers}{location}, '/healthz', 'to its canonical spelling');
$r = $k->get('//evil.example/x');
is($r->{headers}{location}, '/evil.example/x', 'and "//host" never becomes another host');
$r = $k->get('/x%20y/');
is($r->{headers}{location}, '/x%20y', 'bytes outside the unreserved set are encoded again');
$k->finish;
done_testing;
