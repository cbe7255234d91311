#!/usr/bin/env perl
# Sign-in hardening (issue 11, items 2-4), through nginx against a real stack:
#   - staff sign-in: an unknown email locks like a real account, and locked, unlocked, known
#     and unknown cost the same time; the page and the API agree (AUTH-5)
#   - verify-otp: a number with no live code answers like one with a code, in status, body
#     and time, on the API and the page (AUTH-2, AUTH-8)
#   - refresh: the previous token presented again within AUTH_REFRESH_GRACE_SECONDS gets the
#     same new pair (also two at the same instant); after the window it revokes (AUTH-3)
#
# Work: every answer that must not tell two cases apart is checked to cost the same work,
# exactly: the test stack sends X-Kairos-Work on every answer (argon2id computations and the
# statements run, in order; only with KAIROS_DEBUG_ROUTES, which production refuses), and
# same_work wants one value for every sample of every case. That holds under any load, so it
# is an ordinary test; it failed before a worker's dummy hash became a constant (its first
# unknown email cost two argon2id runs, the rest one).
#
# Timing: the suite's rule is that tests never fail on timing, but this issue asks for it.
# So samples of the cases compared are interleaved (A, B, A, B, ...), at least 15 each, the
# medians must be within 20 %, and a missed round is measured again, up to 3 rounds in all,
# before the test fails; every round's medians are printed. On a loaded machine (CI runs
# other test files beside this one) a round can still swing 2x, so the comparison fails the
# test only with KAIROS_TIMING_TESTS=1 (run it so on a quiet machine); without it, it is a
# TODO test: measured and reported, never counted as a pass or a failure.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use HTTP::Tiny;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time);
use Test::More;

# Many sign-in requests from one address: the test stack's nginx limit must not answer them.
local $ENV{AUTH_RATE} = '60000r/m';
local $ENV{AUTH_BURST} = 10000;
my $k = KairosTest->start(workers => 2);
# no shell between the SQL and psql: an argon2id hash is full of $ signs
my $psql = sub {
	open(my $fh, '-|', 'psql', '-h', $k->dir . '/run', '-U', 'kairos', '-d', 'kairos', '-tAc', $_[0]) or die "psql: $!";
	local $/; my $v = <$fh> // ''; close $fh; $v =~ s/\n\z//; $v
};
my $post = sub { my ($path, $body, %h) = @_; $k->post_json($path, $body, headers => \%h) };
my $j = \&KairosTest::json;

use constant { SAMPLES => 21, ROUNDS => 3, TOLERANCE => 0.20, WORK_SAMPLES => 3 };

# Whether two pages are the same; if not, says where they first differ (not the whole page).
sub same_page {
	my ($got, $want, $name) = @_;
	return pass($name) if $got eq $want;
	my @g = split /\n/, $got; my @w = split /\n/, $want;
	my $i = 0; $i++ while $i < @g && $i < @w && $g[$i] eq $w[$i];
	fail($name);
	diag("first differing line:\n  got:  " . ($g[$i] // '(end)') . "\n  want: " . ($w[$i] // '(end)'));
}

sub median { my @s = sort { $a <=> $b } @_; my $n = @s; $n % 2 ? $s[$n / 2] : ($s[$n / 2 - 1] + $s[$n / 2]) / 2 }

# The timing check's result: enforced with KAIROS_TIMING_TESTS=1, else a TODO test.
sub timing_ok {
	my ($ok, $what) = @_;
	local $TODO = $ENV{KAIROS_TIMING_TESTS} ? undef
		: 'timing is enforced only with KAIROS_TIMING_TESTS=1 (tests never fail on timing)';
	ok($ok, "$what: medians within 20 %");
}

# Times the cases (name => sub returning the response) interleaved, SAMPLES each; passes
# when every case's median is within TOLERANCE of the first's, in one of ROUNDS rounds.
sub same_time {
	my ($what, @cases) = @_;
	for my $round (1 .. ROUNDS) {
		my %t;
		for (1 .. SAMPLES) {
			for (my $i = 0; $i < @cases; $i += 2) {
				my $t0 = time;
				$cases[$i + 1]->();
				push @{ $t{ $cases[$i] } }, (time - $t0) * 1000;
			}
		}
		my @names = map { $cases[2 * $_] } 0 .. $#cases / 2;
		my %m = map { $_ => median(@{ $t{$_} }) } @names;
		my $base = $m{ $names[0] };
		my $ok = !grep { abs($m{$_} - $base) > TOLERANCE * $base } @names;
		diag(sprintf "%s, round %d: %s%s", $what, $round,
			join(', ', map { sprintf '%s %.1f ms', $_, $m{$_} } @names), $ok ? '' : ' (apart)');
		return timing_ok(1, $what) if $ok;
	}
	timing_ok(0, $what);
}

# What a request did, from X-Kairos-Work, after its status. The tenant's lookup (org_for_host,
# org_get) is left out: a worker caches it for 30 seconds, so it comes and goes with the
# clock, never with the number or email asked about.
sub work {
	my ($r) = @_;
	my $w = $r->{headers}{'x-kairos-work'} // '(no X-Kairos-Work header)';
	$w =~ s/\borg_(?:for_host|get) //g;
	return "$r->{status} $w";
}

# Runs the cases (name => sub returning the response) interleaved, WORK_SAMPLES each; passes
# when every answer has the same status and reports the same work, with exactly one argon2id
# computation.
sub same_work {
	my ($what, @cases) = @_;
	my %seen;	# work => { case => count }
	for (1 .. WORK_SAMPLES) {
		for (my $i = 0; $i < @cases; $i += 2) {
			$seen{ work($cases[$i + 1]->()) }{ $cases[$i] }++;
		}
	}
	my @works = sort keys %seen;
	ok(@works == 1 && $works[0] =~ /^\d{3} argon2id=1; statements=\S/, "$what: the same work every time (one argon2id, the same statements)")
		or diag(join "\n", map { my $w = $_; "  $w\n    by " . join(', ', map { "$_ x$seen{$w}{$_}" } sort keys %{ $seen{$w} }) } @works);
	diag("$what: $works[0]") if @works == 1;
}

# ==== item 2: staff sign-in ====
my $sam = $k->staff(role => 'admin', email => 'sam@example.org', password => 'a long staff password');
my $login = sub { $post->('/api/staff-auth/login', { email => $_[0], password => $_[1] // 'wrong password' }) };

# work: a wrong password for an account and for an unknown email (each below the lockout),
# then both locked. These come first, before any unknown email was tried on this stack.
{
	my $kim = $k->staff(role => 'receptionist', email => 'kim@example.org', password => 'another long password');
	my $n = 0;
	same_work('staff login, wrong password: an account vs an unknown email',
		'account' => sub { $login->('kim@example.org') },
		'unknown' => sub { $login->(sprintf 'stranger%d@example.org', ++$n) });
	$login->('kim@example.org') for 1 .. 2;	# the fifth wrong password locks it
	$login->('stranger1@example.org') for 1 .. 4;
	same_work('staff login, locked: an account (right password or wrong) vs an unknown email',
		'account, wrong' => sub { $login->('kim@example.org') },
		'account, right' => sub { $login->('kim@example.org', 'another long password') },
		'unknown' => sub { $login->('stranger1@example.org') });
}

my (@known, @unknown);
push(@known, $login->('sam@example.org')), push(@unknown, $login->('nobody@example.org')) for 1 .. 5;
is_deeply([map { $_->{status} } @unknown], [map { $_->{status} } @known],
	'five wrong passwords: an unknown email gets the statuses a real account gets');
is_deeply([map { $_->{status} } @known], [401, 401, 401, 401, 429], '... 401 four times, then 429');
my ($lk, $lu) = ($known[-1], $unknown[-1]);
my $norm = sub { my $b = $j->($_[0]) // {}; $b->{retryAfterSeconds} = 'N' if ($b->{retryAfterSeconds} // 0) > 0; JSON::PP->new->canonical->encode($b) };
is($norm->($lu), $norm->($lk), 'the locked answer has the same body for both');
is($j->($lk)->{error}, 'Too many requests', 'Too many requests');
is($lu->{headers}{'retry-after'}, $lk->{headers}{'retry-after'}, 'and the same Retry-After');
# afterwards: both stay locked, with any password
is($login->('nobody@example.org', 'any other password')->{status}, 429, 'the locked unknown email stays locked');
is($login->('sam@example.org', 'a long staff password')->{status}, 429, 'the right password on a locked account: still 429');

# the page says the same as the API, for both
{
	my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 30);
	my $form = $http->get($k->url('/staff/signin'));
	my ($visitor) = ($form->{headers}{'set-cookie'} // '') =~ /kairos_v=([^;]+)/;
	my ($csrf) = $form->{content} =~ /name="_csrf" value="([^"]+)"/;
	my $page = sub {
		my ($email) = @_;
		my $r = $http->post_form($k->url('/staff/signin'), { _csrf => $csrf, email => $email, password => 'wrong password', next => '/admin' },
			{ headers => { Cookie => "kairos_v=$visitor" } });
		(my $body = $r->{content}) =~ s/\Q$email\E/EMAIL/g;
		return { %$r, content => $body };
	};
	my ($pk, $pu) = ($page->('sam@example.org'), $page->('nobody@example.org'));
	is($pk->{status}, 429, 'the staff sign-in page: 429 for the locked account');
	is($pu->{status}, 429, '... and for the locked unknown email');
	same_page($pu->{content}, $pk->{content}, '... with the same page');
	like($pk->{content}, qr/Too many failed sign-ins\. Try again in 15 minutes\./, 'saying when to try again');
	# the two locks began a few requests apart, so their seconds left may straddle a second
	ok($pk->{headers}{'retry-after'} && abs($pk->{headers}{'retry-after'} - ($pu->{headers}{'retry-after'} // 0)) <= 1,
		'the page sends Retry-After too, as the API does');
}

# time: locked (known or unknown) costs what an unlocked wrong password costs
{
	my $n = 0;
	same_time('staff login: locked account, locked unknown email, unlocked unknown email',
		'locked account' => sub { $login->('sam@example.org') },
		'locked unknown' => sub { $login->('nobody@example.org') },
		'unlocked unknown' => sub { $login->(sprintf 'fresh%d@example.org', ++$n) });
}

# the lock ends for both alike, and a right password then works
$psql->("UPDATE login_failures SET locked_until = now() - interval '1 second'");
is($login->('sam@example.org', 'a long staff password')->{status}, 200, 'after the lockout the right password works');
is($login->('nobody@example.org')->{status}, 401, 'and the unknown email counts from the start again');
is($psql->("SELECT count(*) FROM login_failures WHERE email = 'SAM\@example.org'"), 0, 'a right password clears the count (the email in any case)');

# ==== item 3: verify-otp with and without a pending code ====
my $ann = $k->patient('+61400000100');	# a real code, and its real argon2id hash to copy
my $hash = $psql->("SELECT code_hash FROM otp_codes WHERE phone = '+61400000100'");
like($hash, qr/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/, 'a real code is stored as an argon2id hash');
# live codes for 200 numbers, inserted as a send would (the per-address send limit is 20/h),
# and expired ones for 10 more
$psql->("INSERT INTO otp_codes (org_id, phone, channel, code_hash, expires_at) SELECT id, '+614910' || lpad(g::text, 5, '0'), 'sms', '$hash', now() + interval '10 minutes' FROM organisations, generate_series(1, 200) g WHERE is_default");
$psql->("INSERT INTO otp_codes (org_id, phone, channel, code_hash, created_at, expires_at) SELECT id, '+614930' || lpad(g::text, 5, '0'), 'sms', '$hash', now() - interval '11 minutes', now() - interval '1 minute' FROM organisations, generate_series(1, 10) g WHERE is_default");
is($psql->("SELECT count(*) FROM otp_codes WHERE code_hash = '$hash'"), 211, '... copied whole to every test number (the timing below compares real hashes with the dummy)');
my $verify = sub { $post->('/api/patient-auth/verify-otp', { phone => $_[0], otp => $_[1] // '999999' }) };
my (@with, @without);
for (1 .. 6) {
	push @with, $verify->('+61491000001');
	push @without, $verify->('+61492000001');
}
is_deeply([map { $_->{status} } @without], [map { $_->{status} } @with], 'six wrong codes: the same statuses with and without a pending code');
is_deeply([map { $_->{content} } @without], [map { $_->{content} } @with], '... and the same bodies');
is_deeply([map { ($j->($_) // {})->{attemptsRemaining} } @without], [4, 3, 2, 1, 0, 0], '... counting down 4, 3, 2, 1, 0 for a number with no code');
# work: a live code, none, an expired one, and a code killed by five wrong tries
{
	my ($l, $o, $x) = (190, 190, 0);
	same_work('verify-otp: a live code, no code, an expired code, a dead code',
		'live' => sub { $verify->(sprintf '+614910%05d', ++$l) },
		'none' => sub { $verify->(sprintf '+614920%05d', ++$o) },
		'expired' => sub { $verify->(sprintf '+614930%05d', ++$x) },
		'dead' => sub { $verify->('+61491000001') });
}
# a new code starts a new count, and its right value works
$post->('/api/patient-auth/send-otp', { phone => '+61492000001' });
my $code = $k->latest_code('+61492000001');
is(($j->($verify->('+61492000001')) // {})->{attemptsRemaining}, 4, 'a new code resets the count');
is($verify->('+61492000001', $code)->{status}, 200, 'and the right code signs in');

# send-otp: a number with an account and one without get the same work (a code is made and
# queued for both). Fresh numbers each time: a number may have one code a minute. By email,
# the code goes only to the account's own address, so a wrong address or a number without
# an account queues nothing: one statement fewer (docs/auth.md says why that stays).
{
	$psql->("INSERT INTO users (org_id, role, name, phone, email) SELECT id, 'patient', 'Work ' || g, '+614931' || lpad(g::text, 5, '0'), 'work' || g || '\@example.org' FROM organisations, generate_series(1, 5) g WHERE is_default");
	my ($acc, $none) = (0, 0);
	my $send = sub { $post->('/api/patient-auth/send-otp', { phone => $_[0], channel => 'sms' }) };
	same_work('send-otp by SMS: a number with an account vs one without',
		'account' => sub { $send->(sprintf '+614931%05d', ++$acc) },
		'no account' => sub { $send->(sprintf '+614932%05d', ++$none) });
	my $by_email = sub { work($post->('/api/patient-auth/send-otp', { phone => $_[0], channel => 'email', email => $_[1] })) };
	my ($own, $other) = ($by_email->('+61493100004', 'work4@example.org'), $by_email->('+61493200004', 'work4@example.org'));
	like($own, qr/^200 argon2id=1; statements=.* notify_enqueue /, "send-otp by email to the account's own address: a code made and queued");
	(my $unqueued = $own) =~ s/ notify_enqueue / /;
	is($other, $unqueued, '... to another address: the same work but the queuing (notify_enqueue)');
}

# the page: the same status and page with and without a pending code
{
	my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 30);
	# one visitor (so one CSRF token) for both numbers
	my $form = $http->get($k->url('/signin/code'), { headers => { Cookie => "kairos_p=+61400000199" } });
	my ($visitor) = ($form->{headers}{'set-cookie'} // '') =~ /kairos_v=([^;]+)/;
	my ($csrf) = $form->{content} =~ /name="_csrf" value="([^"]+)"/;
	my $page = sub {
		my ($phone) = @_;
		my $r = $http->post_form($k->url('/signin/code'), { _csrf => $csrf // '', code => '999999' },
			{ headers => { Cookie => "kairos_p=$phone; kairos_v=" . ($visitor // '') } });
		(my $body = $r->{content}) =~ s/\Q$phone\E/PHONE/g;
		return { %$r, content => $body };
	};
	my ($pw, $po) = ($page->('+61491000002'), $page->('+61492000003'));
	is($pw->{status}, 401, 'the code page: 401 for a wrong code');
	is($po->{status}, $pw->{status}, '... and the same status for a number with no code');
	same_page($po->{content}, $pw->{content}, '... with the same page');
	like($po->{content}, qr/You have 4 more tries/, '... counting tries for both');
}

# time: interleaved, each sample on a fresh number (so a live code is never dead yet)
{
	my ($i, $n) = (10, 10);
	same_time('verify-otp: a live code vs no code',
		'live code' => sub { $verify->(sprintf '+614910%05d', ++$i) },
		'no code' => sub { $verify->(sprintf '+614920%05d', ++$n) });
}

# ==== item 4: refresh with a grace window ====
my $refresh = sub { $post->('/api/patient-auth/refresh-token', { refreshToken => $_[0] }) };
my $me = sub { $k->get('/api/patient-auth/me', headers => { Authorization => "Bearer $_[0]" }) };
my $sid = sub { decode_json(MIME::Base64::decode_base64url((split /\./, $_[0])[1]))->{sid} };
use MIME::Base64 ();

# a moment apart
my $bo = $k->patient('+61400000101');
my $r1 = $refresh->($bo->{refreshToken});
my $r2 = $refresh->($bo->{refreshToken});
is($r1->{status}, 200, 'refresh: 200');
is($r2->{status}, 200, 'the same token again a moment later (another tab): 200');
my ($p1, $p2) = ($j->($r1), $j->($r2));
is($p2->{refreshToken}, $p1->{refreshToken}, '... with the same new refresh token');
is($p2->{accessToken}, $p1->{accessToken}, '... and the same access token');
is($j->($refresh->($bo->{refreshToken}))->{refreshToken} // '', $p1->{refreshToken}, 'a third presentation within the window: the same pair');
is($me->($p1->{accessToken})->{status}, 200, 'the session lives on');
is($refresh->($p1->{refreshToken})->{status}, 200, 'and the new refresh token rotates as usual');
is($psql->("SELECT revoked_at IS NULL FROM sessions WHERE id = '" . $sid->($p1->{accessToken}) . "'"), 't', 'not revoked');

# two at the same instant
{
	my $cy = $k->patient('+61400000102');
	my @kids;
	for (1 .. 2) {
		pipe(my $rd, my $wr) or die;
		my $pid = fork // die;
		if ($pid == 0) {
			close $rd;
			my $res = HTTP::Tiny->new(timeout => 30)->post($k->url('/api/patient-auth/refresh-token'),
				{ headers => { 'Content-Type' => 'application/json' }, content => encode_json({ refreshToken => $cy->{refreshToken} }) });
			print {$wr} "$res->{status} $res->{content}";
			close $wr;
			POSIX::_exit(0);
		}
		close $wr;
		push @kids, [$pid, $rd];
	}
	my @got = map { my $fh = $_->[1]; local $/; my $s = <$fh>; waitpid $_->[0], 0; $s // '' } @kids;
	my @st = map { /^(\d+)/ ? $1 : 0 } @got;
	is_deeply(\@st, [200, 200], 'two refreshes with one token at the same instant: both 200');
	my @rt = map { (/^\d+ (.*)/s && eval { decode_json($1)->{refreshToken} }) // '' } @got;
	ok($rt[0] ne '' && $rt[0] eq $rt[1], '... with the same new pair');
	is($refresh->($rt[0])->{status}, 200, '... which goes on working');
}

# the page route, by cookie
{
	my $dee = $k->patient('+61400000103');
	my $http = HTTP::Tiny->new(max_redirect => 0, timeout => 30);
	my @r = map { $http->get($k->url('/auth/refresh?next=/account'), { headers => { Cookie => "kairos_rt=$dee->{refreshToken}" } }) } 1 .. 2;
	my @rt = map { my $sc = $_->{headers}{'set-cookie'} // []; my ($v) = join("\n", ref $sc ? @$sc : $sc) =~ /kairos_rt=([^;]+)/; $v // '' } @r;
	is_deeply([map { "$_->{status} " . ($_->{headers}{location} // '') } @r], ['303 /account', '303 /account'], '/auth/refresh twice with one cookie: both renewed and sent back');
	ok($rt[0] ne '' && $rt[0] eq $rt[1], '... with the same new refresh cookie');
}

# after the window the old token is reuse: the family is revoked
{
	my $eve = $k->patient('+61400000104');
	my $n1 = $j->($refresh->($eve->{refreshToken}));
	$psql->("UPDATE refresh_tokens SET used_at = used_at - interval '11 seconds' WHERE used_at IS NOT NULL AND session_id = '" . $sid->($n1->{accessToken}) . "'");
	is($refresh->($eve->{refreshToken})->{status}, 401, 'the old token after the window: 401');
	is($refresh->($n1->{refreshToken})->{status}, 401, '... and its successor is revoked with it');
	is($psql->("SELECT revoked_reason FROM sessions WHERE id = '" . $sid->($n1->{accessToken}) . "'"), 'refresh_reuse', '... as reuse');
}
# within the window, but its successor already spent: reuse too
{
	my $fay = $k->patient('+61400000105');
	my $n1 = $j->($refresh->($fay->{refreshToken}));
	my $n2 = $j->($refresh->($n1->{refreshToken}));
	is($refresh->($fay->{refreshToken})->{status}, 401, 'the old token once its successor is spent: 401');
	is($refresh->($n2->{refreshToken})->{status}, 401, '... and the session is revoked');
}

$k->finish;
done_testing;
