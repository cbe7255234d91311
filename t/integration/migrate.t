#!/usr/bin/env perl
# kairos migrate: ordered, one transaction each, recorded with a checksum; --status; an
# edited applied migration is an error; a failing one leaves no trace; /readyz follows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use File::Temp qw(tempdir);
use Test::More;

my $k = KairosTest->start(workers => 1);

# Workers read the migration files when they start, like templates: after a deploy changes
# them, SIGHUP brings fresh workers.
sub reload_workers {
	my @old = $k->worker_pids;
	kill 'HUP', $k->serve_pid;
	$k->wait_until(10, sub { my @n = $k->worker_pids; @n == 1 && $n[0] != $old[0] });
}

my ($rc, $out) = $k->kairos('migrate', '--status');
is($rc, 0, 'migrate --status exits 0 when everything is applied');
like($out, qr/^applied\s+0001_base\.sql$/m, 'and lists 0001_base.sql as applied');
($rc, $out) = $k->kairos('migrate');
is($rc, 0, 'migrate again is fine');
like($out, qr/database is up to date/, 'and does nothing');

# A copy of the share directory to add and edit migrations in.
my $share = KairosTest::share_copy();
$k->{share_dir} = $share;
sub put { my ($name, $sql) = @_; open my $o, '>', "$share/migrations/$name" or die; print {$o} $sql; close $o; }

put('9002_widgets.sql', "CREATE TABLE widgets (id int PRIMARY KEY);\n");
put('9003_broken.sql', "CREATE TABLE gadgets (id int PRIMARY KEY);\nSELECT no_such_function();\n");
($rc, $out) = $k->kairos('migrate', '--status');
is($rc, 1, '--status exits 1 with pending migrations');
like($out, qr/^pending\s+9002_widgets\.sql$/m, 'and shows them pending');

# Restart the workers on the new share dir: readiness notices the pending migrations.
$k->stack('serve-stop', $k->dir);
$k->stack('serve-start', $k->dir);
my $r = $k->get('/readyz');
is($r->{status}, 503, '/readyz is 503 while a migration is pending');
like(KairosTest::json($r)->{reason}, qr/migration 9002_widgets\.sql is not applied/, 'naming it');

($rc, $out) = $k->kairos('migrate');
is($rc, 1, 'migrate fails on the broken migration');
like($out, qr/applied 9002_widgets\.sql/, 'after applying the good one before it');
like($out, qr/9003_broken\.sql: .*no_such_function/, 'naming the file and the database error');
($rc, $out) = $k->kairos('migrate', '--status');
like($out, qr/^applied\s+9002_widgets\.sql$/m, '9002 is recorded');
like($out, qr/^pending\s+9003_broken\.sql$/m, '9003 is not');
my ($prc, $tables) = (0, `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE tablename IN ('widgets','gadgets')"`);
chomp $tables;
is($tables, 'widgets', "the failed migration's table was rolled back with it");

put('9003_broken.sql', "CREATE TABLE gadgets (id int PRIMARY KEY);\n");
($rc, $out) = $k->kairos('migrate');
is($rc, 0, 'a fixed migration applies');
reload_workers();
is($k->get('/readyz')->{status}, 200, '/readyz is 200 again (after SIGHUP loads the fixed file)');

# Editing an applied migration is an error, and nothing else is applied then.
put('9002_widgets.sql', "CREATE TABLE widgets (id int PRIMARY KEY, name text);\n");
put('9004_more.sql', "CREATE TABLE more (id int);\n");
($rc, $out) = $k->kairos('migrate');
is($rc, 1, 'an edited applied migration stops migrate');
like($out, qr/9002_widgets\.sql was changed after it was applied/, 'saying which and why');
($rc, $out) = $k->kairos('migrate', '--status');
like($out, qr/^CHANGED\s+9002_widgets\.sql$/m, '--status marks it CHANGED');
like($out, qr/^pending\s+9004_more\.sql$/m, 'and 9004 was not applied');
reload_workers();
$r = $k->get('/readyz');
is($r->{status}, 503, '/readyz is 503 with a changed migration');
like(KairosTest::json($r)->{reason}, qr/9002_widgets\.sql differs from the applied one/, 'saying so');

put('9002_widgets.sql', "CREATE TABLE widgets (id int PRIMARY KEY);\n");
unlink "$share/migrations/9004_more.sql";
put('9004_Bad-Name.sql', "SELECT 1;\n");
($rc, $out) = $k->kairos('migrate');
is($rc, 1, 'a file that is not a migration name is refused');
like($out, qr/9004_Bad-Name\.sql: not a migration name/, 'by name');
unlink "$share/migrations/9004_Bad-Name.sql";

# Two migrators at once: the advisory lock serialises them; both succeed, each applies once.
put('9005_slow.sql', "SELECT pg_sleep(1);\nCREATE TABLE slow (id int);\n");
my @kids = map { my $pid = fork // die; if (!$pid) { my ($c) = $k->kairos('migrate'); POSIX::_exit($c) } $pid } 1 .. 2;
my @codes = map { waitpid($_, 0); $? >> 8 } @kids;
is_deeply(\@codes, [0, 0], 'two concurrent migrate runs both succeed');
my $count = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "SELECT count(*) FROM schema_migrations WHERE version = '9005'"`;
chomp $count;
is($count, 1, 'and the migration is recorded once');

# The base migration: extensions, default organisation, append-only audit log.
my $q = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };
is($q->("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname IN ('pgcrypto','btree_gist','citext')"),
	'btree_gist,citext,pgcrypto', 'the base migration creates pgcrypto, btree_gist and citext');
is($q->("SELECT count(*) FROM organisations WHERE is_default"), 1, 'and one default organisation');
like($q->("INSERT INTO organisations (slug, name, is_default) VALUES ('second', 'Two', true)"),
	qr/duplicate key/, 'a second default organisation is refused');
$q->("INSERT INTO audit_log (org_id, actor_kind, action) SELECT id, 'system', 'test' FROM organisations WHERE is_default");
like($q->("UPDATE audit_log SET action = 'x'"), qr/append-only/, 'audit_log rows cannot be updated');
like($q->("DELETE FROM audit_log"), qr/append-only/, 'or deleted');
$k->finish;
done_testing;
