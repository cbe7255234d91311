#!/usr/bin/env perl
# The general job queue (issue 12, item 3; src/jobs/queue.c, 0014): a dedupe key makes a
# second enqueue a no-op; a failing job is retried after its backoff and then succeeds; one
# that keeps failing becomes a dead letter after its kind's attempts, with its reason; one
# that fails for good is dead at once; a runner whose lease ran out (and was taken over)
# records nothing; the web role sees its own organisation's jobs only; the admin page lists
# dead jobs beside dead messages, with a CSRF-protected retry that works without script, for
# admins only. The test kinds (test.sleep, test.fail, test.permanent) exist only with
# KAIROS_SCHEDULE_TEST_TASKS. Runners killed mid-job: jobs-crash.t.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use KairosBrowser;
use Test::More;
use Time::HiRes qw(sleep time);

my $k = KairosTest->start(workers => 1, env => { KAIROS_SCHEDULE_TEST_TASKS => 'true' });
my $dir = $k->dir;
my $psql = sub { my $v = `psql -h $dir/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
my $as_web = sub {
	my ($org, $sql) = @_;
	my $v = `psql -q -h $dir/run -U kairos_web -d kairos -tA -c "BEGIN; SELECT set_config('kairos.org_id', '$org', true); $sql; COMMIT;" 2>&1`;
	$v =~ s/^$org\n//m;	# set_config's own answer
	chomp $v;
	$v;
};
my $org = $psql->("SELECT id FROM organisations WHERE is_default");
sub jobs { my ($rc, $out) = $k->kairos('jobs', @_); return ($rc, $out) }
sub enqueue { my ($rc, $out) = jobs('--enqueue', @_); my ($id) = $out =~ /queued ([0-9a-f-]{36})/; return ($rc, $out, $id) }
my $row = sub { [ split /\|/, $psql->("SELECT status, attempts, coalesce(last_error, '') FROM jobs WHERE id = '$_[0]'"), -1 ] };
# The runners' log lines about one job: "job done", "job retry", "test job started"…
sub lines_of { $k->job_log_lines(@_) }

# ---- enqueue: the CLI calls jobs_enqueue; a dedupe key makes the second a no-op ----
my ($rc, $out, $id) = enqueue('test.fail', '{"fail": 2}', '--key', 'fail-twice');
is($rc, 0, 'kairos jobs --enqueue');
like($id, qr/^[0-9a-f-]{36}$/, 'answers the new job id');
($rc, $out) = jobs('--enqueue', 'test.fail', '{"fail": 2}', '--key', 'fail-twice');
is($rc, 0, 'the same kind and key again');
like($out, qr/already queued/, '... is a no-op');
is($psql->("SELECT count(*) FROM jobs WHERE dedupe_key = 'fail-twice'"), 1, '... one row');
my (undef, undef, $org_twin) = enqueue('test.sleep', '{"ms": 1}', '--key', 'fail-twice', '--org', $org);
ok($org_twin, "the same key for an organisation is another key space (a system job's is NULL's)");
($rc, $out) = jobs('--enqueue', 'test.nonesuch', '{}');
is($rc, 2, 'a kind this build does not have is refused');
($rc, $out) = jobs('--enqueue', 'test.sleep', 'not json');
is($rc, 1, 'so is a payload that is not JSON (the table refuses it)');

# ---- retry with backoff, then success ----
ok($k->wait_until(30, sub { $row->($id)->[0] eq 'done' }), 'test.fail {fail: 2} is done in the end');
is($row->($id)->[1], 3, 'after 3 attempts');
is($row->($id)->[2], '', 'its last error cleared');
my @retries = lines_of($id, 'job retry');
is(scalar @retries, 2, 'two retries were logged');
like($retries[0], qr/attempt 1 by \S+: again in 1 s: failed on purpose: attempt 1 of the first 2/,
	'the first after the base backoff of 1 s (50..150 %, at least 1 s)');
like($retries[1], qr/attempt 2 by \S+: again in [123] s: /, 'the second after 2 s ± 50 %');
is(scalar lines_of($id, 'job done'), 1, 'one "job done"');

# ---- dead letters: attempts spent, or a permanent failure ----
my (undef, undef, $spent) = enqueue('test.fail', '{"fail": 100}', '--org', $org, '--key', 'always');
my (undef, undef, $refused) = enqueue('test.permanent', '{}', '--org', $org, '--key', 'refused');
my (undef, undef, $system) = enqueue('test.permanent', '{}', '--key', 'system-refused');
ok($k->wait_until(30, sub { $row->($spent)->[0] eq 'dead' }), 'a job that keeps failing becomes a dead letter');
is($row->($spent)->[1], 4, "after its kind's 4 attempts");
like($row->($spent)->[2], qr/attempt 4 of the first 100/, 'with the last reason');
is(scalar lines_of($spent, 'job retry'), 3, 'retried 3 times before that');
ok($k->wait_until(10, sub { $row->($refused)->[0] eq 'dead' }), 'a permanent failure is a dead letter');
is($row->($refused)->[1], 1, 'at once: after 1 attempt');
like($row->($refused)->[2], qr/retrying cannot help/, 'with its reason');
ok($k->wait_until(10, sub { $row->($system)->[0] eq 'dead' }), 'and a system job likewise');
($rc, $out) = jobs('--dead');
like($out, qr/\Q$system\E .*test.permanent\s+org -\s+key system-refused\s+1 attempts\s+refused on purpose/, 'kairos jobs --dead lists system ones too');
($rc, $out) = jobs('--list');
like($out, qr/^test\.permanent\s+0\s+0\s+0\s+0\s+2$/m, 'kairos jobs --list counts jobs per kind and status');

# ---- tenancy: the web role sees and queues its organisation's jobs only ----
like($as_web->($org, "SELECT count(*) FROM jobs"), qr/^3$/m, "the web role sees its organisation's 3 jobs, no system job");
like($as_web->($org, "INSERT INTO jobs (kind) VALUES ('test.sleep')"), qr/row-level security/, 'and cannot queue a system job');
like($as_web->($org, "INSERT INTO jobs (org_id, kind) VALUES ('$org', 'test.sleep') RETURNING kind"), qr/^test\.sleep$/m,
	'but can queue one for its organisation');

# ---- a runner whose lease ran out records nothing ----
# test.sleep's lease is 2 s; this one sleeps 5 s on its first attempt (and 50 ms after). A
# second runner whose clock is past that lease (KAIROS_TEST_CLOCK: no waiting it out) takes
# it over and finishes it, and the first, finishing later, must not record its outcome. (A
# job that always outlived its lease would pass from runner to runner for ever: a kind's
# lease must be well above its longest run.)
my (undef, undef, $slow) = enqueue('test.sleep', '{"ms": 5000, "slow_attempts": 1}', '--key', 'overrun');
ok($k->wait_until(10, sub { lines_of($slow, 'test job started') == 1 }), "the stack's runner starts a job that outlives its lease");
my ($l1) = (lines_of($slow, 'test job started'))[0] =~ /lease until ([\d.]+)/;
my $second = do { local $k->{env}{KAIROS_TEST_CLOCK} = int($l1) + 1; $k->spawn_kairos('jobs-second.log', 'jobs') };
ok($k->wait_until(40, sub { $row->($slow)->[0] eq 'done' }), 'a second runner, its clock past the lease, finishes it');
my @starts = sort { ($a =~ /attempt (\d+)/)[0] <=> ($b =~ /attempt (\d+)/)[0] } lines_of($slow, 'test job started');
is(scalar @starts, 2, 'started twice: once by each runner, the second after the lease ran out');
my ($c2) = $starts[1] =~ /claimed ([\d.]+)/;
cmp_ok($c2, '>=', $l1, 'the second claim came after the first lease ended (by the second runner\'s clock)');
like($starts[1], qr/ by \S+:$second /, '... by the second runner');
is(scalar lines_of($slow, 'job done'), 1, 'its outcome was recorded once');
ok($k->wait_until(15, sub { scalar lines_of($slow, 'job outcome not recorded') == 1 }),
	'the runner that lost its lease recorded nothing');
like((lines_of($slow, 'job done'))[0], qr/attempt 2 /, 'the outcome recorded is the second attempt\'s');
kill 'TERM', $second;
waitpid $second, 0;

# ---- the admin page: dead jobs beside dead messages ----
my $other = $psql->("WITH o AS (INSERT INTO organisations (slug, name) VALUES ('elsewhere', 'Elsewhere') RETURNING id)"
	. " INSERT INTO jobs (org_id, kind, dedupe_key, status, last_error) SELECT id, 'test.permanent', 'theirs', 'dead', 'their reason' FROM o RETURNING id");
($other) = $other =~ /([0-9a-f-]{36})/;
my $admin = $k->staff(role => 'admin', email => 'boss@example.org', password => 'the boss password');
my $bearer = sub { $k->request($_[0], $_[1], headers => { Authorization => "Bearer " . ($_[2] // $admin->{token}) }) };
my $r = $bearer->('GET', '/admin/messages');
is($r->{status}, 200, 'admins open the dead-letter page');
like($r->{content}, qr/Test only: fails for good.*?test\.permanent · refused.*?1 attempts.*?retrying cannot help/s,
	'a dead job, with what it was, its key, attempts and reason');
like($r->{content}, qr/attempt 4 of the first 100/, 'dead jobs of every kind');
like($r->{content}, qr{<form method="post" action="/admin/jobs/$refused/retry">\s*<input type="hidden" name="_csrf"}, 'each with a retry form carrying a CSRF token');
unlike($r->{content}, qr/system-refused/, 'not system jobs (no organisation: the operator\'s)');
unlike($r->{content}, qr/their reason/, "nor another clinic's");
is($bearer->('GET', '/admin/jobs')->{status}, 200, '/admin/jobs is the same page');
is($bearer->('GET', '/admin/messages', $k->staff(role => 'receptionist')->{token})->{status}, 403, 'a receptionist: 403');
is($bearer->('POST', "/admin/jobs/$refused/retry", $k->staff(role => 'practitioner')->{token})->{status}, 403, '... nor may a practitioner retry');
is($bearer->('POST', "/admin/jobs/$other/retry")->{status}, 404, "another clinic's dead job cannot be retried from here");
is($bearer->('POST', "/admin/jobs/$system/retry")->{status}, 404, 'nor a system job');
is($bearer->('POST', "/admin/jobs/nonsense/retry")->{status}, 404, 'nor a job id that is none');
is($psql->("SELECT status FROM jobs WHERE id = '$other'"), 'dead', "... it stays dead");

# without script: a signed-in browser posts the form; without its token it is refused
my $b = KairosBrowser->new($k);
$r = $b->get('/staff/signin?next=/admin/messages');
$r = $b->post('/staff/signin', { _csrf => $b->csrf($r), email => 'boss@example.org', password => 'the boss password', next => '/admin/messages' });
is($r->{headers}{location}, '/admin/messages', 'an admin signs in with the form');
$r = $b->get('/admin/messages');
my $csrf = $b->csrf($r);
ok($csrf, 'the page carries the CSRF token');
is($b->post("/admin/jobs/$refused/retry", {})->{status}, 403, 'a retry without the token: 403');
is($b->post("/admin/jobs/$refused/retry", { _csrf => 'x' x 43 })->{status}, 403, 'with a wrong one: 403');
is($row->($refused)->[0], 'dead', '... and it stays dead');
$r = $b->post("/admin/jobs/$refused/retry", { _csrf => $csrf });
is($r->{status}, 303, 'the retry form: 303');
is($r->{headers}{location}, '/admin/messages?job=1', 'back to the page');
like($b->get('/admin/messages?job=1')->{content}, qr/The job is queued again/, 'which says so');
ok($k->wait_until(10, sub { scalar lines_of($refused, 'job dead') == 2 }), 'the job ran again (and, refused again, is dead again)');
is($row->($refused)->[1], 1, 'with a fresh count of attempts');
is($psql->("SELECT actor_id FROM audit_log WHERE action = 'job.retried' AND subject_id = '$refused'"), $admin->{id}, 'the retry is audited as the admin');
is($b->post("/admin/jobs/$id/retry", { _csrf => $csrf })->{status}, 404, 'a job that is done cannot be "retried"');
($rc, $out) = jobs('--retry', $system);
is($rc, 0, 'kairos jobs --retry puts a system job back');
ok($k->wait_until(10, sub { scalar lines_of($system, 'job dead') == 2 }), '... and it runs again');
($rc) = jobs('--retry', $id);
is($rc, 1, 'retrying one that is not dead fails');

$k->finish;
done_testing;
