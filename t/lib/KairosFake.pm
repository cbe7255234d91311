# KairosFake — what the provider stand-ins in t/fakes/ share: a loopback listener whose port
# goes to DIR/port, one-line failure instructions read from DIR/control (one per coming
# request: "500", "429 SECONDS", "400", "hang SECONDS", or a fake's own words), every
# request appended to DIR/requests.jsonl, and an exit after N requests or 10 idle minutes.
# (t/fakes/twilio predates it and keeps its own copy of the loop.)
package KairosFake;
use strict;
use warnings;
use IO::Socket::INET;
use JSON::PP;

our $JSON = JSON::PP->new->canonical;

sub listen_on {
	my ($dir) = @_;
	my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 64, ReuseAddr => 1)
		or die "fake: cannot listen: $!";
	open my $pf, '>', "$dir/port.tmp" or die; print {$pf} $server->sockport, "\n"; close $pf;
	rename "$dir/port.tmp", "$dir/port";
	return $server;
}

sub next_control {
	my ($dir) = @_;
	open my $fh, '<', "$dir/control" or return '';
	my @lines = <$fh>;
	close $fh;
	my $first = shift @lines // '';
	open $fh, '>', "$dir/control.tmp" or die; print {$fh} @lines; close $fh;
	rename "$dir/control.tmp", "$dir/control";
	chomp $first;
	return $first;
}

# Serves requests one at a time: $handler->({method, path, query, headers (lowercase names),
# body, control}) returns (status, body, [extra header lines], {more to log}).
sub serve {
	my (%o) = @_;
	my ($server, $dir, $max, $handler) = @o{qw(server dir max handler)};
	$SIG{CHLD} = 'IGNORE';
	$SIG{ALRM} = sub { exit 0 };
	for (my $n = 0; $n < $max; $n++) {
		alarm 600;
		my $c = $server->accept or next;
		alarm 0;
		$c->autoflush(1);
		my $line = <$c> // next;
		my ($method, $target) = $line =~ /^(\S+) (\S+) HTTP/;
		my ($path, $query) = split /\?/, $target // '', 2;
		my (%h, $body);
		while (my $hl = <$c>) {
			last if $hl =~ /^\r?\n$/;
			$h{ lc $1 } = $2 if $hl =~ /^([^:]+):\s*(.*?)\r?\n$/;
		}
		read $c, $body, $h{'content-length'} // 0;
		my $ctl = next_control($dir);
		if ($ctl =~ /^hang (\d+)/) { sleep $1 }
		my ($status, $out, $extra, $log) = $handler->({ method => $method // '', path => $path // '',
			query => $query // '', headers => \%h, body => $body // '', control => $ctl });
		open my $lf, '>>', "$dir/requests.jsonl" or die;
		print {$lf} $JSON->encode({ method => $method, path => $path, query => $query, status => $status,
			control => $ctl, content_type => $h{'content-type'},
			response => (eval { $JSON->decode($out) } // {}), %{ $log // {} } }), "\n";
		close $lf;
		print {$c} "HTTP/1.1 $status X\r\nContent-Type: application/json\r\nContent-Length: " . length($out)
			. "\r\n" . join('', map { "$_\r\n" } @{ $extra // [] }) . "Connection: close\r\n\r\n$out";
		close $c;
	}
}

1;
