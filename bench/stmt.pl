#!/usr/bin/env perl
# bench/stmt.pl FILE NAME — the SQL of prepared statement NAME (a DB_STMT in the C source
# FILE) as the program sends it, for EXPLAIN and the catalogue's floors: the string literals
# joined, the numeric macros of booking.h that load.c pastes in replaced by their values, and
# the file's own string macros (#define NAME "..." ...) by their text.
use strict;
use warnings;
use FindBin;

my ($file, $name) = @ARGV;
die "usage: bench/stmt.pl FILE NAME\n" unless defined $name;
open my $src, '<', $file or die "$file: $!\n";
my $c = do { local $/; <$src> };
my ($body) = $c =~ /DB_STMT\("\Q$name\E", \d+,\n(.*?)\);\n/s or die "no statement $name in $file\n";
open my $h, '<', "$FindBin::Bin/../src/booking/booking.h" or die;
my %macro = do { local $/; <$h> } =~ /#define (BOOKING_\w+)\s+(\d+)\b/g;
$body =~ s/STR_OF\((\w+)\)/exists $macro{$1} ? "\"$macro{$1}\"" : die "unknown macro $1\n"/ge;
# the file's own string macros (funnel.c's columns and values), pasted in where named
(my $joined = $c) =~ s/\\\n/ /g;
my %text = $joined =~ /^#define (\w+)\s+((?:"(?:[^"\\]|\\.)*"\s*)+)$/mg;
my $expanded = 1;
while ($expanded) {
	$expanded = 0;
	$body = join '', map { /^"/ ? $_ : do { (my $t = $_) =~ s/\b(\w+)\b/exists $text{$1} ? ($expanded = 1, $text{$1})[1] : $1/ge; $t } }
		split /("(?:[^"\\]|\\.)*")/, $body;
}
my $sql = join '', $body =~ /"((?:[^"\\]|\\.)*)"/g;
$sql =~ s/\\"/"/g;
print "$sql\n";
