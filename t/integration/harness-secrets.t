#!/usr/bin/env perl
# The harness's secret scan (issue 11, item 7): at teardown every log of a stack is searched
# for every secret the stack was given, so a leak fails the test that caused it. Here the
# scan must find secrets put in the access log on purpose, and must not find Meta's verify
# token, which nginx now logs without the query string that carries it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $verify = 'harness-verify-token-4e1f9a';
my $k = KairosTest->start(workers => 1, env => { KAIROS_META_WHATSAPP_VERIFY_TOKEN => $verify });
my @labels = map { $_->[0] } $k->secrets;
ok(scalar(grep { /^KAIROS_JWT_KEYS key k1$/ } @labels), 'the stack\'s JWT key is a secret the scan knows');
ok(scalar(grep { $_ eq 'KAIROS_META_WHATSAPP_VERIFY_TOKEN' } @labels), 'and so is a secret setting');
my $staff = $k->staff;
ok(scalar(grep { /^the password of / } map { $_->[0] } $k->secrets), 'and the password of a staff account the harness made');
my $phone = '+61400000041';
$k->patient($phone);
my ($code) = @{ $k->{codes} };
like($code // '', qr/^\d{6}$/, 'and the sign-in code it read from the outbox');

# Meta's subscription check: its query holds the verify token.
my $r = $k->get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=$verify&hub.challenge=42");
ok($r->{status}, "GET /webhooks/whatsapp with hub.verify_token answers ($r->{status})");
ok($k->wait_until(5, sub { $k->slurp('nginx/access.log') =~ m{"GET /webhooks/whatsapp HTTP/1\.1" } }),
	'nginx logs the webhook request by its path alone');

$k->teardown;
is_deeply([$k->secret_leaks], [], 'after ordinary use, no log holds a secret');

# Now leaks on purpose, each spelled the way it would leak: a query value (percent-encoded),
# raw text, a JSON string.
my ($key) = $k->slurp('jwt.keys') =~ /^k1:(\S+)/;
my $pct = sub { $_[0] =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ger };
open my $log, '>>', $k->dir . '/nginx/access.log' or die;
print {$log} qq{127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET /healthz?k=${\ $pct->($key)} HTTP/1.1" 200 15 "-" "x"\n};
print {$log} qq{127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET /webhooks/whatsapp?hub.verify_token=$verify HTTP/1.1" 200 2 "-" "x"\n};
close $log;
open $log, '>>', $k->dir . '/log/kairos.log' or die;
print {$log} qq{{"msg":"login","detail":"password=${\ $pct->($staff->{password})}"}\n};
print {$log} qq{{"msg":"otp","otp":"$code"}\n};
close $log;
my @leaks = $k->log_problems;
ok(scalar(grep { $_ eq 'nginx/access.log holds a secret: KAIROS_JWT_KEYS key k1' } @leaks), 'the scan finds the JWT key, percent-encoded, in the access log')
	or diag join "\n", @leaks;
ok(scalar(grep { $_ eq 'nginx/access.log holds a secret: KAIROS_META_WHATSAPP_VERIFY_TOKEN' } @leaks), 'the verify token in a logged query');
ok(scalar(grep { $_ eq "log/kairos.log holds a secret: the password of $staff->{email}" } @leaks), 'a staff password in the kairos log');
ok(scalar(grep { $_ eq "log/kairos.log holds the sign-in code $code" } @leaks), 'and a sign-in code as a JSON string');
unlike(join("\n", @leaks), qr/\Q$key\E|\Q$verify\E/, 'naming each secret without printing it');
system('rm', '-rf', $k->dir);
done_testing;
