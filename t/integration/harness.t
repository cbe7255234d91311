#!/usr/bin/env perl
# The harness itself: its teardown must notice a sanitizer report from a worker, or a
# green suite would prove nothing about memory safety.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $asan = `ldd ${\ KairosTest::bin()} 2>/dev/null` =~ /libasan/;
plan skip_all => 'kairos is not built with sanitizers (./dev test builds it so)' unless $asan;

my $k = KairosTest->start(workers => 1);
is($k->request('POST', '/_debug/leak')->{status}, 200, 'a worker leaks 64 bytes on purpose');
$k->teardown;
my @problems = $k->log_problems;
ok(scalar(grep { /LeakSanitizer/ } @problems), 'teardown finds the LeakSanitizer report in the worker log')
	or diag $k->slurp('log/kairos.log');
ok(scalar(grep { /web_debug_leak/ } split /\n/, $k->slurp('log/kairos.log')), 'with the leaking function named');
system('rm', '-rf', $k->dir);
done_testing;
