#!/usr/bin/env perl
# Lists page by keyset (issue 12, item 2): the admin staff list, dead messages and dead jobs
# (/admin/messages, /admin/jobs) and a person's sessions show a page of rows and link the
# next with ?after=<the last id shown> (templates/partials/pagination); no row is shown on
# two pages or lost between them; a bad `after` is its field's error (400); a forged or
# another clinic's id is no way into their rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

use constant PAGE => 50;	# WEB_LIST_PAGE

my $k = KairosTest->start(workers => 1);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $org = "(SELECT id FROM organisations WHERE is_default)";
my $admin = $k->staff(role => 'admin', name => 'Aaron Admin');
my $get = sub { my ($path, $token) = @_; $k->get($path, headers => { Authorization => 'Bearer ' . ($token // $admin->{token}) }) };

# The ids a page lists (by the forms beside each row), and its next-page link's key.
sub ids_on { my ($html, $re) = @_; [ $html =~ /$re/g ] }
sub next_key { my ($html, $param) = @_; my ($id) = $html =~ /href="[^"]*[?&](?:amp;)?\Q$param\E(?:=|&#x3D;)([0-9a-f-]{36})"[^>]*rel="next"/; $id }

# Follows the next links from $path; returns the ids of every page and how many pages.
sub walk {
	my ($path, $param, $row_re, $token) = @_;
	my (@all, $pages);
	my $url = $path;
	while (defined $url) {
		my $r = $get->($url, $token);
		is($r->{status}, 200, "GET $url") or last;
		my $ids = ids_on($r->{content}, $row_re);
		push @all, @$ids;
		$pages++;
		my $after = next_key($r->{content}, $param);
		$url = defined $after ? "$path?$param=$after" : undef;
		last if $pages > 5;
	}
	return (\@all, $pages);
}

sub distinct { my %s; $s{$_}++ for @_; scalar keys %s }

# ---- staff: 60 more than the admin, by name ----
$psql->("INSERT INTO users (org_id, role, name, email) SELECT $org, 'receptionist', 'Paged ' || lpad(g::text, 3, '0'),"
	. " 'paged' || g || '\@example.org' FROM generate_series(1, 60) g");
my $r = $get->('/admin/staff');
is(scalar @{ ids_on($r->{content}, qr{action="/admin/staff/([0-9a-f-]{36})/role"}) }, PAGE, 'the staff page shows 50');
like($r->{content}, qr/class="pagination"/, '... and the pagination partial');
ok(next_key($r->{content}, 'after'), '... whose next link carries after=<the last id shown>');
my ($all, $pages) = walk('/admin/staff', 'after', qr{action="/admin/staff/([0-9a-f-]{36})/role"});
is($pages, 2, 'two pages for 61 staff');
is(scalar @$all, 61, 'every staff member once');
is(distinct(@$all), 61, '... none on two pages');
my $last = $get->("/admin/staff?after=$all->[PAGE - 1]");
unlike($last->{content}, qr/rel="next"/, 'the last page has no next link');
like($last->{content}, qr/Paged 060/, '... and ends with the last by name');

for my $bad ('nonsense', '1', "$all->[0]x", '%00') {
	$r = $get->("/admin/staff?after=$bad");
	is($r->{status}, 400, "after=$bad: 400");
	like($r->{content}, qr/must be the id of the last row shown/, '... saying what after must be');
}
$r = $get->('/admin/staff?after=00000000-0000-4000-8000-000000000000');
is($r->{status}, 200, 'after= an id of nobody: 200');
is(scalar @{ ids_on($r->{content}, qr{action="/admin/staff/([0-9a-f-]{36})/role"}) }, 0, '... and no rows');
my $theirs = $psql->("WITH o AS (INSERT INTO organisations (slug, name) VALUES ('elsewhere', 'Elsewhere') RETURNING id)"
	. " INSERT INTO users (org_id, role, name) SELECT id, 'admin', 'A' FROM o RETURNING id");
($theirs) = $theirs =~ /([0-9a-f-]{36})/;
$r = $get->("/admin/staff?after=$theirs");
is(scalar @{ ids_on($r->{content}, qr{action="/admin/staff/([0-9a-f-]{36})/role"}) }, 0,
	"after= another clinic's staff member: no rows (theirs is not even a place to start)");

# ---- dead messages and dead jobs: 51 of each, newest first ----
# a dead message is its notify.send job, dead (migration 0016), and its row marked so
$psql->("INSERT INTO notifications (org_id, event_key, channel, recipient, body_text, status, created_at, updated_at)"
	. " SELECT $org, 'paged:' || g, 'sms', '+6140000' || lpad(g::text, 4, '0'), 'x', 'dead',"
	. " now() - g * interval '1 minute', now() - g * interval '1 minute' FROM generate_series(1, 51) g");
$psql->("INSERT INTO jobs (id, org_id, kind, payload, status, attempts, last_error, created_at, updated_at)"
	. " SELECT id, org_id, 'notify.send', jsonb_build_object('notification', id), 'dead', 8, 'refused',"
	. " created_at, updated_at FROM notifications WHERE event_key LIKE 'paged:%'");
$psql->("INSERT INTO jobs (org_id, kind, dedupe_key, status, last_error, created_at, updated_at)"
	. " SELECT $org, 'test.permanent', 'paged-' || g, 'dead', 'refused', now() - g * interval '1 minute',"
	. " now() - g * interval '1 minute' FROM generate_series(1, 51) g");
$r = $get->('/admin/messages');
is(scalar @{ ids_on($r->{content}, qr{action="/admin/messages/([0-9a-f-]{36})/retry"}) }, PAGE, '50 dead messages on the first page');
is(scalar @{ ids_on($r->{content}, qr{action="/admin/jobs/([0-9a-f-]{36})/retry"}) }, PAGE, '50 dead jobs on it too');
like($r->{content}, qr/\+61400000001.*\+61400000002/s, 'the newest first');
($all, $pages) = walk('/admin/messages', 'after', qr{action="/admin/messages/([0-9a-f-]{36})/retry"});
is(scalar @$all, 51, 'every dead message once, over the after= links');
is(distinct(@$all), 51, '... none twice');
($all, $pages) = walk('/admin/jobs', 'jobsAfter', qr{action="/admin/jobs/([0-9a-f-]{36})/retry"});
is(scalar @$all, 51, 'every dead job once, over the jobsAfter= links');
is(distinct(@$all), 51, '... none twice');
# the two lists of /admin/messages page apart: each one's links keep the other's place
{
	my $jobs_after = next_key($r->{content}, 'jobsAfter');
	my $both = $get->("/admin/messages?jobsAfter=$jobs_after");
	my $msg_next = next_key($both->{content}, 'after');
	like($both->{content}, qr/href="[^"]*jobsAfter(?:=|&#x3D;)\Q$jobs_after\E[^"]*after(?:=|&#x3D;)\Q$msg_next\E"[^>]*rel="next"/,
		"the messages' next link keeps the jobs list's page");
	my $later = $get->("/admin/messages?jobsAfter=$jobs_after&after=$msg_next");
	like($later->{content}, qr{href="/admin/messages\?jobsAfter(?:=|&#x3D;)\Q$jobs_after\E">First page</a>},
		"past the messages' first page: a link to it, the jobs list's page kept");
	unlike($r->{content}, qr/First page/, 'the first page of both lists has no first-page link');
}
$r = $get->('/admin/jobs?jobsAfter=zzz');
is($r->{status}, 400, 'jobsAfter=zzz: 400');

# ---- dead letters page by a key a retry does not move (issue 12) ----
# Between page 1 and page 2 two dead letters of each list are retried and die again, which
# stamps them with the time they died (jobs_record: updated_at, finished_at): the last one
# page 1 showed (the next link's key) and the one page 2 is to show. Page 2 must still be
# that one row: none of page 1 again, none lost. (Paged by when they died, page 2 was page
# 1 over again, without the row that had moved.)
for my $list (['/admin/messages', 'after', qr{action="/admin/messages/([0-9a-f-]{36})/retry"}],
	['/admin/jobs', 'jobsAfter', qr{action="/admin/jobs/([0-9a-f-]{36})/retry"}]) {
	my ($path, $param, $re) = @$list;
	$r = $get->($path);
	my $page1 = ids_on($r->{content}, $re);
	my $key = next_key($r->{content}, $param);
	my %seen = map { $_ => 1 } @$page1;
	my ($rest) = grep { !$seen{$_} } @{ (walk($path, $param, $re))[0] };
	$psql->("UPDATE jobs SET updated_at = now() + interval '1 second', finished_at = now() + interval '1 second'"
		. " WHERE id IN ('$key', '$rest')");
	$r = $get->("$path?$param=$key");
	my $page2 = ids_on($r->{content}, $re);
	is_deeply($page2, [$rest], "$path page 2, after two dead letters died again: the one row left");
	is(distinct(@$page1, @$page2), 51, '... none on both pages, none on neither');
}

# ---- sessions: a patient signed in on 56 devices ----
my $p = $k->patient('+61400000501');
my $uid = $p->{patient}{id};
$psql->("INSERT INTO sessions (org_id, user_id, user_agent, expires_at, last_seen_at)"
	. " SELECT $org, '$uid', 'Device ' || g, now() + interval '1 day', now() - g * interval '1 minute'"
	. " FROM generate_series(1, 55) g");
($all, $pages) = walk('/account/sessions', 'after', qr{action="/account/sessions/([0-9a-f-]{36})/revoke"}, $p->{accessToken});
is($pages, 2, 'two pages of sessions');
is(scalar @$all, 56, 'all 56 sessions');
is(distinct(@$all), 56, '... each once');
$r = $get->('/account/sessions?after=not-an-id', $p->{accessToken});
is($r->{status}, 400, 'sessions: a bad after is 400');
my $other = $k->patient('+61400000502');
$r = $get->("/account/sessions?after=$all->[0]", $other->{accessToken});
is(scalar @{ ids_on($r->{content}, qr{action="/account/sessions/([0-9a-f-]{36})/revoke"}) }, 0,
	"after= someone else's session: none of theirs, nor of one's own");

# ---- sessions page by a key a request does not move (issue 12) ----
# Every request touches its session's last_seen_at (at most once a minute), so a list paged
# by it loses a row that is touched between two pages. A second sign-in of the same patient,
# begun and last seen two days ago, stands last on both orders; it is used between page 1
# and page 2: it must still be on page 2, and no row may be on both pages.
my $sessions_re = qr{action="/account/sessions/([0-9a-f-]{36})/revoke"};
my $clock = sub {
	my $c = $k->request('POST', "/_debug/clock?$_[0]");
	die "/_debug/clock?$_[0]: $c->{status} $c->{content}" if $c->{status} != 200;
};
$clock->('at=' . (time + 61));	# past the one-a-minute limit on sign-in codes
my $again = $k->patient('+61400000501');
my %before = map { $_ => 1 } @$all;
my ($second) = grep { !$before{$_} } split /\n/,
	$psql->("SELECT id FROM sessions WHERE user_id = '$uid' AND revoked_at IS NULL");
ok($second, 'a second sign-in is a second session');
$psql->("UPDATE sessions SET created_at = now() - interval '2 days', last_seen_at = now() - interval '2 days'"
	. " WHERE id = '$second'");
$r = $get->('/account/sessions', $p->{accessToken});
my $page1 = ids_on($r->{content}, $sessions_re);
my $after = next_key($r->{content}, 'after');
is(scalar @$page1, PAGE, 'page 1 of 57 sessions: 50');
ok(!grep({ $_ eq $second } @$page1), '... without the old second sign-in');
$clock->('advance=120');	# its last_seen_at is older than a minute by any clock: the request touches it
is($get->('/account/sessions', $again->{accessToken})->{status}, 200, 'a request with the second sign-in');
is($psql->("SELECT last_seen_at > now() - interval '1 day' FROM sessions WHERE id = '$second'"), 't',
	'... touched its last_seen_at');
$r = $get->("/account/sessions?after=$after", $p->{accessToken});
my $page2 = ids_on($r->{content}, $sessions_re);
is(scalar @$page2, 7, 'page 2: the other 7');
ok(grep({ $_ eq $second } @$page2), '... the touched session among them');
is(distinct(@$page1, @$page2), 57, 'no session on both pages, none on neither');

$k->finish;
done_testing;
