package KairosTest;
# The integration-test harness: a throwaway PostgreSQL, nginx and kairos per test file,
# driven over real HTTP, torn down even when the test dies.
#
#   my $k = KairosTest->start(workers => 2);
#   my $r = $k->get('/healthz');          # HTTP::Tiny response hash
#   $k->finish;                           # teardown + log checks as TAP assertions
#
# Teardown fails the test if nginx logged [alert] or [emerg], or any kairos process
# printed a sanitizer report.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Test::More;
use Time::HiRes qw(time sleep);

my $SRC = $ENV{KTEST_SRCDIR} // abs_path(dirname(__FILE__) . '/../..');
my $BUILD = $ENV{KTEST_BUILDDIR} // "$SRC/build";
my @LIVE;	# stacks to tear down if the test dies

sub src { $SRC }
sub bin { "$BUILD/src/kairos" }

sub free_port {
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1,
		ReuseAddr => 1) or die "no free port: $!";
	my $port = $s->sockport;
	close $s;
	return $port;
}

# start(workers => N, seed => 1, env => {KEY => value}, share_dir => DIR (default: the source
# tree), port => N (default: a free one))
sub start {
	my ($class, %o) = @_;
	my $dir = tempdir('kairos-t-XXXXXX', TMPDIR => 1, CLEANUP => 0);
	my $self = bless {
		dir => $dir, port => $o{port} // free_port(), workers => $o{workers} // 2, env => {
			KAIROS_ENV => 'test', KAIROS_DEBUG_ROUTES => 'true',
			KAIROS_SHUTDOWN_TIMEOUT => 10, %{ $o{env} // {} },
		}, finished => 0, owner => $$, share_dir => $o{share_dir},
	}, $class;
	push @LIVE, $self;
	$self->stack('up', $dir, $o{seed} ? '--seed' : ()) == 0
		or BAIL_OUT("stack up failed in $dir: " . $self->slurp('log/kairos.log'));
	$self->{http} = HTTP::Tiny->new(timeout => 30, max_redirect => 0);
	return $self;
}

sub dir { $_[0]{dir} }

# A writable copy of the share directory (migrations, templates, static, nginx), for tests
# that add files; removed at exit.
sub share_copy {
	my $share = File::Temp::tempdir('kairos-share-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	system('cp', '-R', map("$SRC/$_", qw(migrations templates static nginx)), $share) == 0
		or die "cannot copy the share directory";
	system('chmod', '-R', 'u+w', $share);
	return $share;
}
sub port { $_[0]{port} }
sub url { "http://127.0.0.1:$_[0]{port}$_[1]" }

# The environment t/lib/stack needs for this stack.
sub stack_env {
	my ($self) = @_;
	return (
		KAIROS_BIN => bin(),
		KAIROS_SHARE_DIR => $self->{share_dir} // $SRC,
		KAIROS_PORT => $self->{port},
		KAIROS_WORKERS => $self->{workers},
		STACK_PG_FSYNC => 'off',
		STACK_EXTRA_ENV => join("\n", map { "$_=$self->{env}{$_}" } sort keys %{ $self->{env} }),
		ASAN_OPTIONS => $ENV{ASAN_OPTIONS} // 'detect_leaks=1',
	);
}

# Runs t/lib/stack with this stack's settings; returns the exit status.
sub stack {
	my ($self, @args) = @_;
	my %env = $self->stack_env;
	local @ENV{ keys %env } = values %env;
	system("$SRC/t/lib/stack", @args);
	return $? >> 8;
}

# Runs a kairos subcommand against this stack; returns (exit status, stdout and stderr).
sub kairos {
	my ($self, @args) = @_;
	my %env = $self->stack_env;
	local @ENV{ keys %env } = values %env;
	my $pid = open(my $fh, '-|') // die "fork: $!";
	if ($pid == 0) {
		open STDERR, '>&', \*STDOUT;
		exec "$SRC/t/lib/stack", 'kairos', $self->{dir}, @args or POSIX::_exit(127);
	}
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return ($? >> 8, $out);
}

# Starts the Twilio stand-in (t/fakes/twilio) with obviously fake credentials. Returns
# {pid, dir, port, sid, token, env} where env is the KAIROS_* settings that point the SMS
# provider at it; stop_fake() ends it.
sub start_twilio_fake {
	my $dir = File::Temp::tempdir('kairos-twilio-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	my $f = { dir => $dir, sid => 'AC' . ('0' x 32), token => 'test-token-not-a-secret' };
	$f->{pid} = fork // die "fork: $!";
	if (!$f->{pid}) {
		exec "$SRC/t/fakes/twilio", '--dir', $dir, '--account-sid', $f->{sid},
			'--auth-token', $f->{token} or POSIX::_exit(127);
	}
	for (1 .. 200) { last if -s "$dir/port"; sleep 0.05 }
	open my $pf, '<', "$dir/port" or die 'the Twilio stand-in did not start';
	chomp($f->{port} = <$pf>);
	$f->{env} = { KAIROS_SMS_PROVIDER => 'twilio', KAIROS_TWILIO_BASE_URL => "http://127.0.0.1:$f->{port}",
		KAIROS_TWILIO_ACCOUNT_SID => $f->{sid}, KAIROS_TWILIO_AUTH_TOKEN => $f->{token},
		KAIROS_TWILIO_FROM => '+61400000999' };
	return $f;
}

sub stop_fake { my ($f) = @_; kill 'TERM', $f->{pid}; waitpid $f->{pid}, 0; }

# Starts t/fakes/NAME with ARGS (--dir is added) and waits for its port; returns {pid, dir, port}.
sub start_fake {
	my ($name, @args) = @_;
	my $dir = File::Temp::tempdir("kairos-$name-XXXXXX", TMPDIR => 1, CLEANUP => 1);
	my $f = { dir => $dir };
	$f->{pid} = fork // die "fork: $!";
	if (!$f->{pid}) {
		exec "$SRC/t/fakes/$name", '--dir', $dir, @args or POSIX::_exit(127);
	}
	for (1 .. 200) { last if -s "$dir/port"; sleep 0.05 }
	open my $pf, '<', "$dir/port" or die "the $name stand-in did not start";
	chomp($f->{port} = <$pf>);
	return $f;
}

# The Meta WhatsApp Cloud API stand-in, posting its signed status webhooks to webhook_url
# (our /webhooks/whatsapp); env points KAIROS_WHATSAPP_PROVIDER=meta at it. Fake credentials.
sub start_meta_fake {
	my (%o) = @_;
	my %c = (pnid => '106540352242922', token => 'test-meta-token-not-a-secret',
		app_secret => 'test-meta-app-secret', verify_token => 'test-verify-token');
	my $f = start_fake('meta_whatsapp', '--phone-number-id', $c{pnid}, '--token', $c{token},
		'--app-secret', $c{app_secret}, $o{webhook_url} ? ('--webhook-url', $o{webhook_url}) : ());
	%$f = (%$f, %c);
	$f->{env} = { KAIROS_WHATSAPP_PROVIDER => 'meta', KAIROS_META_WHATSAPP_BASE_URL => "http://127.0.0.1:$f->{port}",
		KAIROS_META_WHATSAPP_PHONE_NUMBER_ID => $c{pnid}, KAIROS_META_WHATSAPP_ACCESS_TOKEN => $c{token},
		KAIROS_META_WHATSAPP_APP_SECRET => $c{app_secret}, KAIROS_META_WHATSAPP_VERIFY_TOKEN => $c{verify_token} };
	return $f;
}

# The Gallabox stand-in; env points KAIROS_WHATSAPP_PROVIDER=gallabox at it. Fake credentials.
sub start_gallabox_fake {
	my %c = (key => 'test-gallabox-key', secret => 'test-gallabox-secret-not-a-secret', channel => '64f0c0ffee0000000000beef');
	my $f = start_fake('gallabox', '--api-key', $c{key}, '--api-secret', $c{secret}, '--channel-id', $c{channel});
	%$f = (%$f, %c);
	$f->{env} = { KAIROS_WHATSAPP_PROVIDER => 'gallabox', KAIROS_GALLABOX_BASE_URL => "http://127.0.0.1:$f->{port}/devapi",
		KAIROS_GALLABOX_API_KEY => $c{key}, KAIROS_GALLABOX_API_SECRET => $c{secret}, KAIROS_GALLABOX_CHANNEL_ID => $c{channel} };
	return $f;
}

# Starts `kairos ARGS` in the background with exactly this stack's KAIROS_* settings (as
# t/lib/stack gives them), output appended to log/LOGNAME; returns its pid (kairos itself).
sub spawn_kairos {
	my ($self, $logname, @args) = @_;
	my %env = $self->stack_env;
	my @settings = do {
		local @ENV{ keys %env } = values %env;
		split /\n/, `$SRC/t/lib/stack env $self->{dir}`;
	};
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		delete $ENV{$_} for grep { /^KAIROS_/ } keys %ENV;
		for (@settings) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v; }
		open STDOUT, '>>', "$self->{dir}/log/$logname" or POSIX::_exit(127);
		open STDERR, '>&', \*STDOUT;
		exec bin(), @args or POSIX::_exit(127);
	}
	return $pid;
}

sub slurp {
	my ($self, $rel) = @_;
	open my $fh, '<', "$self->{dir}/$rel" or return '';
	local $/;
	return scalar <$fh>;
}

sub pid_of { my ($self, $what) = @_; my $p = $self->slurp("run/$what.pid"); chomp $p; $p }
sub serve_pid { $_[0]->pid_of('serve') }

sub worker_pids {
	my ($self) = @_;
	my $master = $self->serve_pid;
	my @pids;
	for my $stat (glob '/proc/[0-9]*/stat') {
		open my $fh, '<', $stat or next;
		my $line = <$fh> // next;
		my ($pid, $ppid) = $line =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
		push @pids, $pid if $ppid == $master;
	}
	my @sorted = sort { $a <=> $b } @pids;
	return @sorted;	# a count in scalar context, unlike a bare sort
}

# Waits until cond returns true, up to secs; returns whether it did.
sub wait_until {
	my ($self, $secs, $cond) = @_;
	my $deadline = time + $secs;
	while (time < $deadline) {
		return 1 if $cond->();
		sleep 0.05;
	}
	return $cond->();
}

sub request {
	my ($self, $method, $path, %o) = @_;
	return $self->{http}->request($method, $self->url($path), {
		headers => $o{headers} // {}, defined $o{content} ? (content => $o{content}) : () });
}
sub get { my ($self, $path, %o) = @_; $self->request('GET', $path, %o) }

sub post_json {
	my ($self, $path, $body, %o) = @_;
	my $content = ref $body ? encode_json($body) : $body;
	return $self->request('POST', $path, content => $content,
		headers => { 'Content-Type' => 'application/json', %{ $o{headers} // {} } });
}

sub json {
	my ($r) = @_;
	my $v = eval { decode_json($r->{content}) };
	return $v;
}

# Starts a request in a child process; collect() returns its HTTP status.
sub background {
	my ($self, $method, $path) = @_;
	pipe(my $r, my $w) or die;
	my $pid = fork // die;
	if ($pid == 0) {
		close $r;
		my $res = HTTP::Tiny->new(timeout => 60)->request($method, $self->url($path));
		print {$w} "$res->{status}\n";
		close $w;
		POSIX::_exit(0);
	}
	close $w;
	return { pid => $pid, fh => $r };
}

sub collect {
	my ($self, $bg) = @_;
	my $fh = $bg->{fh};
	my $status = <$fh>;
	waitpid $bg->{pid}, 0;
	chomp $status if defined $status;
	return $status // 'none';
}

# Workers sleeping in a /_debug/sleep request right now (from the kernel's wait channel).
sub sleeping_workers {
	my ($self) = @_;
	return grep {
		open my $fh, '<', "/proc/$_/wchan" or 0;
		my $w = $fh ? (<$fh> // '') : '';
		$w =~ /nanosleep/;
	} $self->worker_pids;
}

# Load from `clients` forked processes, each sending GET `path` in a loop for `seconds`
# (bounded), while `during` runs in the parent. Returns {status => count}; connection
# failures count as status 599 (HTTP::Tiny's convention).
sub load {
	my ($self, %o) = @_;
	my $clients = $o{clients} // 4;
	my $seconds = $o{seconds} // 3;
	my $path = $o{path} // '/healthz';
	my $max = $o{max_requests} // 100_000;
	my @kids;
	pipe(my $r, my $w) or die;
	for (1 .. $clients) {
		my $pid = fork // die;
		if ($pid == 0) {
			close $r;
			my $http = HTTP::Tiny->new(timeout => 30, keep_alive => 1);
			my %count;
			my $deadline = time + $seconds;
			my $n = 0;
			while (time < $deadline && $n++ < $max) {
				my $res = $http->get($self->url($path));
				$count{ $res->{status} }++;
			}
			print {$w} join(',', map { "$_=$count{$_}" } keys %count), "\n";
			close $w;
			POSIX::_exit(0);
		}
		push @kids, $pid;
	}
	close $w;
	$o{during}->() if $o{during};
	my %total;
	while (my $line = <$r>) {
		chomp $line;
		for (split /,/, $line) { my ($s, $c) = split /=/; $total{$s} += $c; }
	}
	waitpid $_, 0 for @kids;
	return \%total;
}

sub failures {
	my ($counts) = @_;
	my $bad = 0;
	$bad += $counts->{$_} for grep { $_ != 200 } keys %$counts;
	return $bad;
}

sub total { my ($c) = @_; my $n = 0; $n += $_ for values %$c; $n }

# Problems found in the logs: nginx alerts and sanitizer reports.
sub log_problems {
	my ($self) = @_;
	my @problems;
	my $nginx = $self->slurp('nginx/error.log');
	push @problems, "nginx: $1" while $nginx =~ /^(.*\[(?:alert|emerg)\].*)$/mg;
	for my $log (qw(log/kairos.log log/jobs.log log/migrate.log)) {
		my $text = $self->slurp($log);
		push @problems, "$log: $1"
			while $text =~ /^(.*(?:AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:).*)$/mg;
	}
	return @problems;
}

sub teardown {
	my ($self) = @_;
	return if $self->{finished}++ || $self->{owner} != $$;
	$self->stack('down', $self->{dir});
}

# Stops the stack and checks its logs, as TAP assertions.
sub finish {
	my ($self) = @_;
	$self->teardown;
	my @problems = $self->log_problems;
	ok(!@problems, 'teardown: no nginx alerts and no sanitizer reports')
		or diag join "\n", @problems;
	system('rm', '-rf', $self->{dir}) if !@problems && !$ENV{KTEST_KEEP};
	diag "kept $self->{dir}" if @problems || $ENV{KTEST_KEEP};
}

END {
	my $status = $?;
	for my $s (@LIVE) {
		next if $s->{finished} || $s->{owner} != $$;
		$s->teardown;
		my @problems = $s->log_problems;
		if (@problems) {
			print STDERR "# teardown found: $_\n" for @problems;
			$status ||= 1;
		}
		print STDERR "# stack kept for inspection: $s->{dir}\n";
	}
	$? = $status;
}

1;
