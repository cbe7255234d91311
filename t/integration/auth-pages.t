#!/usr/bin/env perl
# The sign-in pages as a browser without JavaScript uses them (AUTH-1 … AUTH-6): forms with
# their errors, cookies and their flags, CSRF tokens and the Origin check, the transparent
# renewal of an expired access token, "where you're signed in", staff sign-in, invitations
# and roles. The same flows run in Chromium in t/e2e/auth.mjs.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use KairosBrowser;
use Test::More;

my $k = KairosTest->start(workers => 2);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };

# ---- sign-up: the form, its errors, and the code ----
my $b = KairosBrowser->new($k);
my $r = $b->get('/signup');
is($r->{status}, 200, 'GET /signup');
my $csrf = $b->csrf($r);
ok($csrf, 'the form carries a CSRF token');
like($b->cookie_line('kairos_v'), qr/HttpOnly; SameSite=Lax/, 'bound to a visitor cookie, HttpOnly and SameSite=Lax');
unlike($b->cookie_line('kairos_v'), qr/Secure/, 'not Secure over plain HTTP (nginx says when it is TLS)');

$r = $b->post('/signup', { _csrf => $csrf, name => 'Zoë Example', email => 'not-an-email', phone => '0400', dateOfBirth => '2999-01-01', channel => 'sms' });
is($r->{status}, 422, 'a bad sign-up: the form again (422)');
like($r->{content}, qr/There is a problem/, 'with the error summary');
like($r->{content}, qr{<a href="#email">Enter an email address like name\@example.com</a>}, 'linking to the email field');
like($r->{content}, qr/Date of birth must be in the past/, 'a future date of birth is refused');
like($r->{content}, qr/You need to agree to the terms/, 'consent is required');
like($r->{content}, qr/value="Zoë Example"/, 'what was typed is kept');
like($r->{content}, qr/aria-invalid="true"/, 'fields marked invalid');
like($r->{content}, qr/<title>Error: Create an account/, 'the title says there is an error');
$r = $b->post('/signup', { _csrf => $csrf, name => 'Zoë Example', email => 'zoe@example.org', phone => '+61400000010', dateOfBirth => '1990-02-30', channel => 'sms', consent => 'yes' });
like($r->{content}, qr/Date of birth must be a real date/, '30 February is not a date');

$r = $b->post('/signup', { _csrf => $csrf, name => 'Zoë Example', email => 'zoe@example.org', phone => '+61400000010', dateOfBirth => '1990-03-27', channel => 'sms', consent => 'yes', next => '/account/sessions' });
is($r->{status}, 303, 'a good sign-up: 303');
is($r->{headers}{location}, '/signin/code?next=/account/sessions', 'to the code form, keeping where to go next');
like($b->cookie_line('kairos_p'), qr/^kairos_p=\+61400000010; Path=\/signin; Max-Age=600; HttpOnly/, 'the number in a cookie for /signin only, 10 minutes');
my $code = $k->latest_code('+61400000010');
$r = $b->get('/signin/code?next=/account/sessions');
like($r->{content}, qr/We sent a 6-digit code for \+61400000010/, 'the code form says where it went');
like($r->{content}, qr/autocomplete="one-time-code"/, 'with one-time-code autocomplete');
$r = $b->post('/signin/code', { _csrf => $b->csrf($r), code => '12', next => '/account/sessions' });
is($r->{status}, 422, 'not 6 digits: the form again');
my $wrong = $code eq '000000' ? '111111' : '000000';
$r = $b->post('/signin/code', { _csrf => $b->csrf($r), code => $wrong, next => '/account/sessions' });
is($r->{status}, 401, 'a wrong code: 401');
like($r->{content}, qr/That code is not right. You have 4 more tries./, 'saying how many tries are left');
$r = $b->post('/signin/code', { _csrf => $b->csrf($r), code => $code, next => '/account/sessions' });
is($r->{status}, 303, 'the right code: 303');
is($r->{headers}{location}, '/account/sessions', 'to where the patient was going');
like($b->cookie_line('kairos_at'), qr/^kairos_at=ey[^;]+; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/, 'the access cookie: HttpOnly, SameSite=Lax, site-wide');
like($b->cookie_line('kairos_rt'), qr/^kairos_rt=[A-Za-z0-9_-]{43}; Path=\/auth; Max-Age=604800; HttpOnly; SameSite=Lax$/, 'the refresh cookie: only for /auth');
ok(!$b->{jar}{kairos_p}, 'the number cookie is gone');
is($psql->("SELECT name || ' ' || email || ' ' || date_of_birth || ' ' || (consented_at IS NOT NULL) FROM users WHERE phone = '+61400000010'"),
	'Zoë Example zoe@example.org 1990-03-27 true', 'the account holds the sign-up details and the consent');

# ---- signed in ----
$r = $b->get('/account');
is($r->{status}, 200, '/account');
like($r->{content}, qr/Zoë Example/, 'shows the name');
like($r->{content}, qr{action="/signout"}, 'and a sign-out button');
$r = $b->get('/account/sessions');
like($r->{content}, qr/This device/, "the sessions page marks this device");
like($r->{content}, qr{href="/account" aria-current="page"}, '"Your account" is the current section of its sub-pages');
unlike($r->{content}, qr{href="/" aria-current}, '... and Home is not');

# A worker builds each viewer's navigation once and shares it between pages: a visitor's and
# a patient's pages, taken in turns so each worker serves both more than once, keep their own.
my $nav = sub { join ' ', $_[0]->get('/')->{content} =~ m{class="site-nav__link" href="([^"]+)"}g };
my $visitor = KairosBrowser->new($k);
my @seen = map { [$nav->($visitor), $nav->($b)] } 1 .. 4;
is_deeply([grep { $_->[0] ne '/ /book /signin' } @seen], [], "a visitor's nav is Home, Book, Sign in, every time");
is_deeply([grep { $_->[1] ne '/ /book /account' } @seen], [], "a patient's nav is Home, Book, Your account, every time");

# CSRF on a cookie-authenticated form
$r = $b->post('/account/details', { name => 'Mallory', email => 'm@example.org' });
is($r->{status}, 403, 'no CSRF token: 403');
$r = $b->post('/account/details', { _csrf => $csrf, name => 'Mallory', email => 'm@example.org' });
is($r->{status}, 403, "the anonymous page's token does not work for the session: 403");
my $form = $b->get('/account/details');
my $tok = $b->csrf($form);
$r = $b->post('/account/details', { _csrf => $tok, name => 'Mallory', email => 'm@example.org' }, headers => { Origin => 'https://evil.example' });
is($r->{status}, 403, 'the right token from another origin: 403');
is($psql->("SELECT name FROM users WHERE phone = '+61400000010'"), 'Zoë Example', 'nothing changed by the refused posts');
$r = $b->post('/account/details', { _csrf => $tok, name => 'Zoë Changed', email => 'zoe@example.org' }, headers => { Origin => $k->url('') });
is($r->{status}, 303, 'the right token from our origin: 303');
is($psql->("SELECT name FROM users WHERE phone = '+61400000010'"), 'Zoë Changed', 'saved');

# an expired access token is renewed on the next page
my $old_rt = $b->{jar}{kairos_rt}{value};
my ($kid, $key64) = split /:/, $k->slurp('jwt.keys');
chomp $key64;
{
	use Digest::SHA qw(hmac_sha256);
	use MIME::Base64 qw(encode_base64url decode_base64 decode_base64url);
	use JSON::PP;
	my ($h, $p) = split /\./, $b->{jar}{kairos_at}{value};
	my $c = decode_json(decode_base64url($p));
	$c->{iat} = time - 1000; $c->{exp} = time - 5;
	my $hp = "$h." . encode_base64url(encode_json($c));
	$b->{jar}{kairos_at}{value} = "$hp." . encode_base64url(hmac_sha256($hp, decode_base64($key64)));
}
$r = $b->get('/account?tab=1');
is($r->{status}, 303, 'an expired access token on a page: 303');
is($r->{headers}{location}, '/auth/refresh?next=/account%3Ftab%3D1', 'to the refresh path (which alone gets the refresh cookie)');
$r = $b->get($r->{headers}{location});
is($r->{status}, 303, 'renewed');
is($r->{headers}{location}, '/account?tab=1', 'and sent back');
isnt($b->{jar}{kairos_rt}{value}, $old_rt, 'with a rotated refresh token');
is($b->get('/account?tab=1')->{status}, 200, 'the page opens');
# a form posted with an expired token is repeated after renewal (307 keeps the body)
{
	my ($h, $p) = split /\./, $b->{jar}{kairos_at}{value};
	my $c = decode_json(decode_base64url($p));
	$c->{iat} = time - 1000; $c->{exp} = time - 5;
	my $hp = "$h." . encode_base64url(encode_json($c));
	$b->{jar}{kairos_at}{value} = "$hp." . encode_base64url(hmac_sha256($hp, decode_base64($key64)));
}
$r = $b->post('/account/details', { _csrf => $tok, name => 'Zoë Renewed', email => 'zoe@example.org' });
is($r->{status}, 307, 'a form post with an expired token: 307 to the refresh path');
$r = $b->post($r->{headers}{location}, { _csrf => $tok, name => 'Zoë Renewed', email => 'zoe@example.org' });
is($r->{status}, 307, 'renewed, 307 back');
$r = $b->post($r->{headers}{location}, { _csrf => $tok, name => 'Zoë Renewed', email => 'zoe@example.org' });
is($r->{status}, 303, 'the form goes through with the same CSRF token (bound to the session)');
is($psql->("SELECT name FROM users WHERE phone = '+61400000010'"), 'Zoë Renewed', 'saved');

# ---- sessions: revoke one, revoke all ----
my $b2 = KairosBrowser->new($k);	# the same person on a second device
$psql->("UPDATE otp_codes SET created_at = created_at - interval '2 minutes' WHERE phone = '+61400000010'");
$r = $b2->get('/signin');
$r = $b2->post('/signin', { _csrf => $b2->csrf($r), phone => '+61400000010', channel => 'sms' });
is($r->{status}, 303, 'a second device asks for a code');
$code = $k->latest_code('+61400000010', $code);
$r = $b2->get('/signin/code');
$r = $b2->post('/signin/code', { _csrf => $b2->csrf($r), code => $code });
is($r->{status}, 303, 'and signs in');
is($r->{headers}{location}, '/account', 'to /account by default');
$r = $b->get('/account/sessions');
my @ids = $r->{content} =~ m{action="/account/sessions/([0-9a-f-]{36})/revoke"}g;
is(scalar @ids, 2, 'two devices listed');
my $sid_b2 = $psql->("SELECT id FROM sessions s WHERE user_id = (SELECT id FROM users WHERE phone = '+61400000010') ORDER BY created_at DESC LIMIT 1");
$r = $b->post("/account/sessions/$sid_b2/revoke", { _csrf => $b->csrf($r) });
is($r->{status}, 303, 'revoke the other device: 303');
is($b2->get('/account')->{status}, 303, 'the other device is signed out at once');
is($psql->("SELECT revoked_reason FROM sessions WHERE id = '$sid_b2'"), 'revoked', 'recorded as revoked');
my $b3 = KairosBrowser->new($k);
$r = $b3->get('/signin');
is($b3->post("/account/sessions/$sid_b2/revoke", { _csrf => $b3->csrf($r) })->{status}, 303, "someone else's revoke without a session: sent to sign in");
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'auth.session_revoked'"), 1, 'audited once');
$r = $b->post('/account/sessions/revoke-all', { _csrf => $b->csrf($b->get('/account/sessions')) });
is($r->{status}, 303, 'sign out everywhere else: 303');
is($b->get('/account')->{status}, 200, 'this device stays signed in');
$r = $b->post('/signout', { _csrf => $b->csrf($b->get('/account')) });
is($r->{status}, 303, 'sign out: 303');
like($b->cookie_line('kairos_at') . $b->cookie_line('kairos_rt'), qr/^$/, 'both session cookies removed');
is($psql->("SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE phone = '+61400000010') AND revoked_at IS NULL"), 0, 'no live session left');

# ---- CSRF and Origin on the anonymous forms ----
my $c = KairosBrowser->new($k);
$r = $c->get('/signin');
is($c->post('/signin', { phone => '+61400000012', channel => 'sms' })->{status}, 403, 'sign-in without its token: 403');
is($c->post('/signin', { _csrf => 'x' x 43, phone => '+61400000012', channel => 'sms' })->{status}, 403, 'with a wrong token: 403');
is($c->post('/signin', { _csrf => $c->csrf($r), phone => '+61400000012', channel => 'sms' }, headers => { Origin => 'null' })->{status}, 403,
	'Origin: null: 403');
is($psql->("SELECT count(*) FROM otp_codes WHERE phone = '+61400000012'"), 0, 'no code was made by refused posts');
is($c->post('/signin', { _csrf => $c->csrf($r), phone => '+61400000012', channel => 'sms', next => '//evil.example/x' })->{headers}{location},
	'/signin/code?next=/account', 'an off-site next is replaced by /account');

# ---- staff: sign-in, roles, invitations ----
my $admin = $k->staff(role => 'admin', email => 'boss@example.org', password => 'the boss password');
my $s = KairosBrowser->new($k);
is($s->get('/admin')->{headers}{location}, '/staff/signin?next=/admin', 'staff pages send strangers to the staff sign-in');
$r = $s->get('/staff/signin?next=/admin/staff');
$r = $s->post('/staff/signin', { _csrf => $s->csrf($r), email => 'boss@example.org', password => 'wrong password', next => '/admin/staff' });
is($r->{status}, 401, 'a wrong password: the form again, 401');
like($r->{content}, qr/Enter a correct email address and password/, 'saying so');
unlike($r->{content}, qr/wrong password/, 'without echoing the password');
$r = $s->post('/staff/signin', { _csrf => $s->csrf($r), email => 'boss@example.org', password => 'the boss password', next => '/admin/staff' });
is($r->{headers}{location}, '/admin/staff', 'signed in, to where they were going');
$r = $s->get('/admin/staff');
is($r->{status}, 200, 'the staff page');
is($nav->($s), '/ /admin', "an admin's nav is Home and Admin, not a visitor's or a patient's");
$r = $s->post('/admin/staff', { _csrf => $s->csrf($r), name => '', email => 'x', role => 'owner' });
is($r->{status}, 422, 'a bad invitation: 422');
like($r->{content}, qr/Role must be one of: practitioner, receptionist, admin/, 'an unknown role is refused');
# the form comes from its input spec (web_form_from): each error by its field and in the
# summary, what was typed kept
like($r->{content}, qr{id="name-error"[^>]*>(?:\s*<span[^>]*>[^<]*</span>)?\s*Enter their full name}, '... the name\'s error by the name field');
like($r->{content}, qr{<a href="#email">Enter an email address like name\@example.com</a>}, '... the email\'s in the summary');
like($r->{content}, qr{name="email"[^>]*value="x"|value="x"[^>]*name="email"}, '... and the email typed is kept');
$r = $s->post('/admin/staff', { _csrf => $s->csrf($r), name => 'Priya Practitioner', email => 'priya@example.org', role => 'practitioner' });
is($r->{headers}{location}, '/admin/staff?invited=1', 'an invitation: 303');
my $mail;
ok($k->wait_until(10, sub { ($mail) = ($k->kairos('outbox', 'list', '--to', 'priya@example.org'))[1] =~ m{(/staff/invite/[A-Za-z0-9_-]{43})}; $mail }),
	'the invitation link is emailed');
my ($invite_token) = $mail =~ m{([^/]+)$};
# no log may hold it: nginx's access log, Kairos's request lines, a later request's Referer
$k->secret('the invitation token', $invite_token);
unlike($psql->("SELECT event_key FROM notifications WHERE recipient = 'priya\@example.org'"), qr/\Q$invite_token\E/,
	'the token is not the event key');
my $p = KairosBrowser->new($k);
$r = $p->get($mail);
like($r->{content}, qr/Hello Priya Practitioner. You.re invited as practitioner/, 'the invitation page');
is($r->{headers}{'referrer-policy'}, 'no-referrer', '... sends no Referer on, so the token stays out of later requests');
$r = $p->post($mail, { _csrf => $p->csrf($r), password => 'short', confirm => 'short' });
like($r->{content}, qr/Use at least 12 characters/, 'a short password is refused');
$r = $p->post($mail, { _csrf => $p->csrf($r), password => 'priya long password', confirm => 'priya long passwort' });
like($r->{content}, qr/The two passwords are not the same/, 'a mismatch is refused');
$r = $p->post($mail, { _csrf => $p->csrf($r), password => 'priya long password', confirm => 'priya long password' });
is($r->{headers}{location}, '/admin', 'accepted: signed in');
is($p->get('/admin')->{status}, 200, 'the practitioner sees the admin home');
is($p->get('/admin/staff')->{status}, 403, 'but not the admin-only staff page: 403');
like($p->get('/admin/staff')->{content}, qr/Your account can&#39;t open this page/, 'the 403 page says why');
is(KairosBrowser->new($k)->get($mail)->{status}, 404, 'the link works once');
is($psql->("SELECT role FROM users WHERE email = 'priya\@example.org'"), 'practitioner', 'the account has the invited role');
is($psql->("SELECT count(*) FROM audit_log WHERE action IN ('auth.staff_invited', 'auth.invite_accepted')"), 2, 'invitation and acceptance audited');
is($s->get('/account')->{status}, 403, "a patient page for staff: 403");

# a JSON call carried by the session cookie needs the CSRF token too (a bearer call does not)
{
	my $zoe = $psql->("SELECT id FROM users WHERE phone = '+61400000010'");
	my $body = qq({"client_id":"$zoe","type":"sms","body":"Hello"});
	my %json = ('Content-Type' => 'application/json');
	my $r = $s->request('POST', '/comms', headers => \%json, content_raw => $body);
	is($r->{status}, 403, 'a cookie-carried JSON POST without X-CSRF-Token: 403');
	my $tok = $s->csrf($s->get('/admin/staff'));
	$r = $s->request('POST', '/comms', headers => { %json, 'X-CSRF-Token' => $tok }, content_raw => $body);
	is($r->{status}, 202, 'with the page\'s token in X-CSRF-Token: 202');
}

# roles change, audited; the clinic keeps an administrator
my $priya = $psql->("SELECT id FROM users WHERE email = 'priya\@example.org'");
$r = $s->get('/admin/staff');
like($r->{content}, qr{action="/admin/staff/$priya/role"}, 'each staff member has a role form');
$r = $s->post("/admin/staff/$priya/role", { _csrf => $s->csrf($r), role => 'receptionist' });
is($r->{headers}{location}, '/admin/staff?role=1', 'change a role: 303');
is($psql->("SELECT role FROM users WHERE id = '$priya'"), 'receptionist', 'changed');
is($psql->("SELECT details->>'from' || ' ' || (details->>'to') || ' ' || actor_id FROM audit_log WHERE action = 'auth.role_changed' ORDER BY id LIMIT 1"),
	"practitioner receptionist $admin->{id}", 'audited: from, to, and by whom');
is($p->get('/admin')->{status}, 200, "the receptionist still opens the staff home");
$r = $s->post("/admin/staff/$priya/role", { _csrf => $s->csrf($s->get('/admin/staff')), role => 'admin' });
is($p->get('/admin/staff')->{status}, 200, 'made an administrator, her open session gets the admin page at once');
$r = $s->post("/admin/staff/$priya/role", { _csrf => $s->csrf($s->get('/admin/staff')), role => 'receptionist' });
is($p->get('/admin/staff')->{status}, 403, '... and loses it at once when demoted (the token still says admin)');
is($s->post("/admin/staff/$priya/role", { _csrf => $s->csrf($s->get('/admin/staff')), role => 'owner' })->{status}, 400, 'an unknown role: 400');
is($s->post("/admin/staff/$admin->{id}/role", { _csrf => $s->csrf($s->get('/admin/staff')), role => 'practitioner' })->{status}, 409,
	'the last administrator cannot step down: 409');
is($s->post("/admin/staff/00000000-0000-0000-0000-000000000000/role", { _csrf => $s->csrf($s->get('/admin/staff')), role => 'admin' })->{status}, 404,
	'an unknown staff member: 404');
{
	my $eve = $psql->("WITH o AS (INSERT INTO organisations (slug, name) VALUES ('elsewhere', 'Elsewhere clinic') RETURNING id) INSERT INTO users (org_id, role, name, email) SELECT id, 'practitioner', 'Eve Elsewhere', 'eve\@elsewhere.example' FROM o RETURNING id");
	($eve) = $eve =~ /^([0-9a-f-]{36})/m;
	is($s->post("/admin/staff/$eve/role", { _csrf => $s->csrf($s->get('/admin/staff')), role => 'admin' })->{status}, 404,
		"another clinic's staff member: 404, as if unknown");
	is($psql->("SELECT role FROM users WHERE id = '$eve'") . ' ' . $psql->("SELECT count(*) FROM audit_log WHERE subject_id = '$eve'"),
		'practitioner 0', '... their role unchanged and nothing audited');
}
is($p->post("/admin/staff/$priya/role", { _csrf => $p->csrf($p->get('/admin')), role => 'admin' })->{status}, 403, 'a receptionist cannot change roles: 403');
is($psql->("SELECT role FROM users WHERE id = '$priya'"), 'receptionist', 'not even their own');
is(KairosBrowser->new($k)->get('/account')->{headers}{location}, '/signin?next=/account', 'patient pages send strangers to /signin');

$k->finish;
done_testing;
