#!/usr/bin/env perl
# No dead ends (issue 13, item 9): against the demo clinic (`kairos seed --demo`), a crawler
# (t/lib/KairosCrawl.pm) visits every page reachable from / as a visitor, as a signed-in
# patient and as a signed-in admin, follows every link, asset and form target, and fails on
# any 4xx or 5xx. How forms are followed is written in KairosCrawl.pm: each is submitted once
# with its own defaults and CSRF token, the destructive ones (sign-out, revoking sessions,
# retrying sends, deleting or cancelling: $DESTRUCTIVE) once the rest is crawled, one of each
# shape, sign-out last; a 422 counts only when it is the form again with its error
# summary. It cannot pass by visiting nothing: each role must reach a minimum of pages. And
# it must fail: a stack whose home page carries a planted dead link, a dead form target and
# malformed mailto: and tel: links is crawled too, and each must be reported.
#
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use KairosBrowser;
use KairosCrawl;
use Test::More;

# Pages each role must reach: what this build has (a role reaching fewer lost its way).
# The demo clinic's wizard alone gives about 300 (three pages of each shape, crawl.t's
# sampling in KairosCrawl.pm).
my %MIN_PAGES = (visitor => 200, patient => 200, admin => 300);
# Form targets submitted only once every page is crawled: they end the crawler's session, or
# undo, delete or send something (later pages' delete and cancel buttons included).
my $DESTRUCTIVE = qr{^/signout$|/(?:revoke|revoke-all|retry|delete|remove|cancel|archive|deactivate|disconnect)$};

# KTEST_CRAWL_ALL=1: every page, not three of each shape (KairosCrawl.pm), with nginx's sign-in
# rate limit lifted for this stack (t/lib/stack's AUTH_RATE, AUTH_BURST), which a crawl of
# every page trips: it links /signin?next= from every page. Tens of minutes; not in CI.
local ($ENV{AUTH_RATE}, $ENV{AUTH_BURST}) = ('600000r/m', 100000) if KairosCrawl::CRAWL_ALL;
my $k = KairosTest->start(workers => 2, seed => 'demo');

sub check_role {
	my ($role, $b) = @_;
	my $r = KairosCrawl::crawl($b, start => '/', destructive => $DESTRUCTIVE);
	is_deeply($r->{problems}, [], "$role: no link, asset or form target answers 4xx or 5xx")
		or diag join "\n", grep { defined } @{ $r->{problems} }[0 .. 49];
	cmp_ok(scalar @{ $r->{pages} }, '>=', $MIN_PAGES{$role}, "$role: at least $MIN_PAGES{$role} pages visited (" . scalar(@{ $r->{pages} }) . ')');
	note "$role: $r->{forms} forms submitted ($r->{validation} answered with their field errors) and $r->{destroyed} destructive ones last, $r->{assets} assets, $r->{external} mailto/tel/external links, $r->{sampled_out} more pages of shapes already sampled";
	note "$role pages: @{ $r->{pages} }";
	note "$role: destructive forms gone by the end: @{ $r->{gone} }" if @{ $r->{gone} };
	return $r;
}

# ---- a visitor ----
my $visitor = check_role(visitor => KairosBrowser->new($k));
ok((grep { $_ eq '/contact' } @{ $visitor->{pages} }) && (grep { $_ eq '/signin' } @{ $visitor->{pages} }),
	'visitor: the footer pages and sign-in were among them');
for my $step (qw(/book /book/psychologist /book/psychologists/ /book/time /book/summary)) {
	ok((grep { index($_, $step) == 0 } @{ $visitor->{pages} }), "visitor: the wizard's $step pages were among them");
}
cmp_ok($visitor->{forms}, '>=', 3, 'visitor: the sign-in and sign-up forms were submitted');

# ---- a patient (a demo patient's number) ----
my $patient = check_role(patient => KairosBrowser->new($k)->signin_patient('+61491570000'));
ok((grep { $_ eq '/account/sessions' } @{ $patient->{pages} }), "patient: the patient's own pages were among them");
cmp_ok($patient->{destroyed}, '>=', 1, "patient: the destructive forms (revoking sessions, signing out) were submitted last ($patient->{destroyed})");

# ---- an admin ----
my $admin = check_role(admin => KairosBrowser->new($k)->signin_staff($k->staff(role => 'admin')));
ok((grep { $_ eq '/admin/pages/privacy' } @{ $admin->{pages} }), 'admin: the admin pages were among them');
cmp_ok($admin->{forms}, '>=', 4, "admin: the admin pages' forms were submitted");
cmp_ok($admin->{destroyed}, '>=', 5, "admin: one of each destructive form (deactivate, delete, retry, revoke, sign-out) was submitted last ($admin->{destroyed})");

# ---- and it fails when it should ----
my $share = KairosTest::share_copy();
{
	my $home = "$share/templates/pages/home.mustache";
	open my $in, '<', $home or die "$home: $!";
	my $t = do { local $/; <$in> };
	close $in;
	my $planted = '<p><a href="/no-such-page">A planted dead link</a> <a href="mailto:not an address">mail</a>'
		. ' <a href="tel:call-us">call</a> <a href="mailto:hello@clinic.example">fine</a> <a href="tel:+61255501200">fine</a></p>'
		. '<form method="post" action="/no-such-form"><input type="hidden" name="_csrf" value="{{site.csrf}}">'
		. '<input type="hidden" name="x" value="1"><button>Go</button></form>'
		. '<form method="post" action="/no-such-thing/delete"><input type="hidden" name="_csrf" value="{{site.csrf}}">'
		. '<button>Delete</button></form>';
	$t =~ s/\{\{\$main\}\}/{{\$main}}$planted/ or die 'no main block in home.mustache';
	open my $out, '>', $home or die;
	print {$out} $t;
	close $out;
}
my $k2 = KairosTest->start(workers => 1, share_dir => $share);
my $bad = KairosCrawl::crawl(KairosBrowser->new($k2), start => '/', destructive => $DESTRUCTIVE);
my $all = join "\n", @{ $bad->{problems} };
like($all, qr{^GET /no-such-page: 404 \(linked from /\)$}m, 'a planted dead link is reported, with the page that links it');
like($all, qr{^POST /no-such-form: 404 \(the form on /, with its defaults\)$}m, 'a planted dead form target is reported');
like($all, qr{^/: mailto link 'mailto:not an address' is not an address$}m, 'a malformed mailto: link is reported');
like($all, qr{^/: tel link 'tel:call-us' is not a phone number$}m, 'a malformed tel: link too');
unlike($all, qr{clinic\.example|61255501200}, 'but not well-formed ones');
like($all, qr{^POST /no-such-thing/delete: 404 \(the form on /, with its defaults\)$}m,
	'a planted dead destructive form target is reported (submitted last)');
is(scalar @{ $bad->{problems} }, 5, '... and nothing else');
cmp_ok(scalar @{ $bad->{pages} }, '>=', 7, '... while the rest (a clinic without the demo data) is crawled as before');
$k2->finish;

$k->finish;
done_testing;
