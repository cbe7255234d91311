#!/usr/bin/env perl
# The pages the footer names (issue 13, item 9): /contact, /privacy and /accessibility answer
# with the default text until a clinic admin writes the clinic's own at /admin/pages; that
# text is shown as plain paragraphs, lists and subheadings, every character escaped (no HTML
# from the database reaches a page); each change leaves an audit entry; the form keeps what
# was typed and shows errors by the field; CSRF, admins only, and one clinic's text never
# shows on another's site (row-level security).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use KairosBrowser;
use Test::More;

my $k = KairosTest->start(workers => 1);
my $dir = $k->dir;
my $psql = sub { my $v = `psql -q -h $dir/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $org = $psql->("SELECT id FROM organisations WHERE is_default");
my $beacon = $psql->("INSERT INTO organisations (slug, name) VALUES ('beacon', 'Beacon Allied Health') RETURNING id");
($beacon) = $beacon =~ /([0-9a-f-]{36})/;
$psql->("INSERT INTO organisation_domains (host, org_id) VALUES ('beacon.test', '$beacon')");
# HTTP::Tiny will not send another Host: Beacon's site through curl
my $beacon_get = sub {
	open(my $fh, '-|', 'curl', '-s', '-H', 'Host: beacon.test', $k->url($_[0])) or die "curl: $!";
	local $/;
	my $body = <$fh> // '';
	close $fh;
	$body;
};

# ---- a visitor: the footer's links, the default text ----
my $v = KairosBrowser->new($k);
my $home = $v->get('/')->{content};
my @footer = $home =~ m{<nav aria-label="Footer">(.*?)</nav>}s;
is_deeply([($footer[0] // '') =~ /href="([^"]+)"/g], ['/book', '/contact', '/privacy', '/accessibility'], 'the footer links booking and the three pages');
my %title = (contact => 'Contact the clinic', privacy => 'Privacy', accessibility => 'Accessibility');
for my $slug (sort keys %title) {
	my $r = $v->get("/$slug");
	is($r->{status}, 200, "GET /$slug: 200");
	like($r->{content}, qr{<h1>\Q$title{$slug}\E</h1>}, '... headed ' . $title{$slug});
	like($r->{content}, qr{<title>\Q$title{$slug}\E — }, '... and titled so');
}
like($v->get('/privacy')->{content}, qr{<h2>How we use it</h2>\s*<ul class="list"><li>to book, remind you of and run your appointments</li>},
	'the default privacy text: a subheading and a list');
like($v->get('/accessibility')->{content}, qr/WCAG\) 2\.2 at level AA/, 'the default accessibility statement');
is($v->get('/admin/pages')->{status}, 303, 'a visitor is sent to sign in for /admin/pages');

# ---- a patient may not edit them ----
my $p = KairosBrowser->new($k)->signin_patient('+61400000031');
is($p->get('/admin/pages')->{status}, 403, 'a patient: 403 on /admin/pages');
my $reception = KairosBrowser->new($k)->signin_staff($k->staff(role => 'receptionist', name => 'Rae Reception'));
is($reception->get('/admin/pages')->{status}, 403, 'a receptionist: 403 on /admin/pages');
is($reception->get('/admin/pages/contact')->{status}, 403, '... and on the form');
is($reception->post('/admin/pages/contact', { _csrf => $reception->csrf('/admin'), body => 'mine' })->{status}, 403, '... and the save');

# ---- an admin edits the contact page ----
my $admin = $k->staff(role => 'admin', name => 'Ada Admin');
my $a = KairosBrowser->new($k)->signin_staff($admin);
like($a->get('/admin')->{content}, qr{href="/admin/pages"}, 'the admin home links to the footer pages');
my $r = $a->get('/admin/pages');
is($r->{status}, 200, 'GET /admin/pages');
is_deeply([$r->{content} =~ m{href="/admin/pages/([a-z]+)"}g], ['contact', 'privacy', 'accessibility'], 'it lists the three pages');
is(scalar(() = $r->{content} =~ /The general text/g), 3, 'each showing the general text');
$r = $a->get('/admin/pages/contact');
is($r->{status}, 200, 'GET /admin/pages/contact');
like($r->{content}, qr{<textarea[^>]*name="body"[^>]*>To book, change or cancel}, 'the form holds the text the page shows now');
my $csrf = $a->csrf($r);
ok($csrf, 'with a CSRF token');

my $count_audit = sub { $psql->("SELECT count(*) FROM audit_log WHERE action = 'site_page.updated'") };
$r = $a->post('/admin/pages/contact', { body => 'no token' });
is($r->{status}, 403, 'no CSRF token: 403');
$r = $a->post('/admin/pages/contact', { _csrf => $csrf, body => "  \n \n" });
is($r->{status}, 422, 'blank text: the form again (422)');
like($r->{content}, qr{<a href="#body">Enter the text of the page</a>}, '... the error in the summary, linking to the field');
like($r->{content}, qr{id="body-error"><span class="visually-hidden">Error: </span>Enter the text of the page}, '... and by the field');
like($r->{content}, qr{<title>Error: Edit: Contact the clinic}, '... the title says so');
$r = $a->post('/admin/pages/contact', { _csrf => $csrf, body => 'x' x 20001 });
is($r->{status}, 422, 'text over 20,000 characters: 422');
like($r->{content}, qr/20000 characters or fewer|20,000 characters or fewer/, '... saying the limit');
like($r->{content}, qr/>x{20001}</, '... keeping what was typed');
$r = $a->request('POST', '/admin/pages/contact', content_raw => "_csrf=$csrf&body=caf%C3%28", headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($r->{status}, 422, 'bad UTF-8: the form again (422), as every form body with a spec (issue 12)');
like($r->{content}, qr/must be valid UTF-8 text/, '... saying why');
$r = $a->request('POST', '/admin/pages/contact', content_raw => "_csrf=$csrf&body=a%00b", headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($r->{status}, 422, 'a NUL: 422');
like($r->{content}, qr/NUL character/, '... saying why');
$r = $a->request('POST', '/admin/pages/contact', content_raw => '{"_csrf":"' . $csrf . '","body":"json"}', headers => { 'Content-Type' => 'application/json' });
cmp_ok($r->{status}, '>=', 400, "a JSON body to the page's form: refused ($r->{status})");
cmp_ok($r->{status}, '<', 500, '... not a server error');
is($a->get('/admin/pages/nope')->{status}, 404, 'an unknown page: 404');
is($a->post('/admin/pages/nope', { _csrf => $csrf, body => 'x' })->{status}, 404, '... and posting to it: 404');
is($count_audit->(), 0, 'nothing refused was audited');
is($psql->("SELECT count(*) FROM site_pages"), 0, '... or saved');

my $text = "Call us on (02) 5550 1200, Monday to Friday.\nEmail hello\@harbourside.example.\n\n## Where we are\n\n- Sydney CBD: Level 4, 118 Pitt Street\n- Parramatta & Perth\n\n<script>alert('x')</script> <a href=\"javascript:alert(1)\">click</a> {{site.csrf}}";
$r = $a->post('/admin/pages/contact', { _csrf => $csrf, body => $text });
is($r->{status}, 303, 'good text: 303');
is($r->{headers}{location}, '/admin/pages?saved=contact', '... back to the list');
like($a->get($r->{headers}{location})->{content}, qr/Contact the clinic: saved/, '... which says it was saved');
like($a->get('/admin/pages')->{content}, qr/Your clinic's text/, "... and that the page has the clinic's text");
is($count_audit->(), 1, 'one audit entry');
is($psql->("SELECT concat_ws(' ', subject_type, subject_id, actor_id = '$admin->{id}', actor_kind, details->>'bytes') FROM audit_log WHERE action = 'site_page.updated'"),
	"site_page contact t staff " . length($text), '... naming the page, the admin and the size');
$r = $a->post('/admin/pages/contact', { _csrf => $csrf, body => $text });
is($r->{status}, 303, 'saving the same text again: 303');
is($count_audit->(), 1, '... and no second audit entry (nothing changed)');

my $page = $v->get('/contact')->{content};
like($page, qr{<p>Call us on \(02\) 5550 1200, Monday to Friday\.<br>Email hello\@harbourside\.example\.</p>}, 'the page: a paragraph, its line break kept');
like($page, qr{<h2>Where we are</h2>}, '... a subheading');
like($page, qr{<ul class="list"><li>Sydney CBD: Level 4, 118 Pitt Street</li><li>Parramatta &amp; Perth</li></ul>}, '... a list, & escaped');
like($page, qr{&lt;script&gt;alert\(&#39;x&#39;\)&lt;/script&gt; &lt;a href=&quot;javascript:alert\(1\)&quot;&gt;click&lt;/a&gt; \{\{site\.csrf\}\}}, '... HTML and mustache from the database shown as text');
unlike($page, qr{<script>alert|<a href="javascript}, '... never as markup');
like($v->get('/privacy')->{content}, qr/We collect only what we need/, 'the other pages keep the default');

# as a browser sends a textarea (CRLF), with markers that have nothing after them
$r = $a->post('/admin/pages/privacy', { _csrf => $csrf, body => "First line\r\nsecond line\r\n\r\n## \r\n- \r\n-\r\n\r\n\r\n- one\r\n- two\r\n" });
is($r->{status}, 303, 'CRLF text with bare markers: saved');
like($v->get('/privacy')->{content}, qr{<p>First line<br>second line</p>\s*<p>##<br>-<br>-</p>\s*<ul class="list"><li>one</li><li>two</li></ul>},
	'... lines split at CRLF, bare "## " and "- " shown as text');

# ---- another clinic ----
like($beacon_get->('/contact'), qr/To book, change or cancel an appointment/, "Beacon's /contact shows the default text");
unlike($beacon_get->('/contact'), qr/5550 1200/, "... not the other clinic's");
is($psql->("SELECT count(*) FROM site_pages WHERE org_id = '$org'") . ' ' . $psql->("SELECT count(*) FROM site_pages"), '2 2',
	"the two texts are the default clinic's rows");
my $as_web = sub { my $o = shift; my $x = `psql -q -h $dir/run -U kairos_web -d kairos -tA -c "BEGIN; SELECT set_config('kairos.org_id', '$o', true); SELECT count(*) FROM site_pages; COMMIT;" 2>&1`; (split /\n/, $x)[-1] };
is($as_web->($beacon), 0, "the web role in Beacon's transaction sees no row of it (row-level security)");
is($as_web->($org), 2, '... and in its own, its rows');

$k->finish;
done_testing;
