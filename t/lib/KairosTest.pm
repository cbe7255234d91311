package KairosTest;
# The integration-test harness: a throwaway PostgreSQL, nginx and kairos per test file,
# driven over real HTTP, torn down even when the test dies.
#
#   my $k = KairosTest->start(workers => 2);
#   my $r = $k->get('/healthz');          # HTTP::Tiny response hash
#   $k->finish;                           # teardown + log checks as TAP assertions
#
# Teardown fails the test if nginx logged [alert] or [emerg], any kairos process printed a
# sanitizer report, or any log of the stack holds one of its secrets (secret_leaks).
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

# For the browser tests: skips the whole file, saying what is missing, unless Chromium, node
# and the npm packages of t/e2e are there; else returns the folder for screenshots (made).
sub browser_or_skip {
	my ($node) = grep { -x "$_/node" } split /:/, $ENV{PATH};
	my @missing = grep { !-e $_->[0] } (["/usr/bin/chromium", 'chromium'],
		["$SRC/t/e2e/node_modules/playwright-core", 'npm packages in t/e2e'],
		[$node ? "$node/node" : '/nonexistent/node', 'node']);
	plan skip_all => 'not installed: ' . join(', ', map { $_->[1] } @missing) .
		' (./dev test installs them)' if @missing;
	my $shots = "$BUILD/e2e-screenshots";
	system('mkdir', '-p', $shots);
	return $shots;
}

# The assertions on a browser run's page audits (t/e2e auditHere): every page of names
# (each under prefix) audited at 360 and 1280 px with and without JavaScript, 0 axe-core
# violations, no horizontal overflow, a screenshot of each in $shots.
sub audits_ok {
	my ($audits, $prefix, $names, $shots) = @_;
	$shots //= 'the scratch directory';
	my %pages = map { $_->{name} => 1 } @$audits;
	is_deeply([sort keys %pages], [sort map { "$prefix$_" } @$names], 'every page was audited');
	is(scalar @$audits, 4 * keys %pages, 'each at 360 and 1280 px, with and without JavaScript');
	my @violations = map { my $a = $_; map { { page => "$a->{name}-$a->{viewport}-" . ($a->{js} ? 'js' : 'nojs'), %$_ } } @{ $a->{violations} } } @$audits;
	is(scalar @violations, 0, 'axe-core: 0 violations on every page') or diag explain \@violations;
	my @overflow = grep { $_->{overflow}{scrollWidth} > $_->{overflow}{innerWidth} } @$audits;
	is(scalar @overflow, 0, 'no horizontal overflow at either width')
		or diag explain [map { { page => "$_->{name}-$_->{viewport}", %{ $_->{overflow} } } } @overflow];
	my @small = grep { (-s $_->{screenshot} // 0) < 10_000 } @$audits;
	is(scalar @small, 0, scalar(@$audits) . " screenshots saved in $shots") or diag explain [map { $_->{screenshot} } @small];
}

# For the browser tests: runs `node SCRIPT` in t/e2e with %env added (bounded: a browser that
# hangs fails the test, it does not stall the suite) and asserts on the ONE JSON object such
# a script prints (t/e2e/lib.mjs, finish): the run completed; each of its checks passed and
# there were `checks` of them (fewer: a flow stopped early); the audited pages are `pages`,
# each at 360 and 1280 px with and without JavaScript, with 0 axe-core violations, no
# horizontal overflow and a screenshot saved; no console errors, page errors or failed
# requests. Returns the decoded object.
sub browser_run {
	my ($script, %o) = @_;
	my $json;
	{
		local @ENV{ keys %{ $o{env} } } = values %{ $o{env} };
		$json = `cd $SRC/t/e2e && timeout -k 10 300 node $script`;
	}
	my $res = eval { decode_json($json) };
	ok($res && !$res->{error}, 'the browser run completed') or diag($res ? $res->{error} : $json // 'no output');
	$res //= {};
	for my $c (@{ $res->{checks} // [] }) {
		ok($c->{ok}, "$c->{mode}: $c->{what}") or diag explain $c->{got};
	}
	is(scalar @{ $res->{checks} // [] }, $o{checks}, 'every step of the flows ran');
	audits_ok($res->{audits} // [], '', $o{pages});
	my @noise = map { my $r = $_; map { "$r->{mode}: $_" } @{ $r->{consoleErrors} }, @{ $r->{pageErrors} }, @{ $r->{failedRequests} } }
		@{ $res->{runs} // [] };
	is(scalar @noise, 0, 'no console errors, page errors or failed subresource requests') or diag explain \@noise;
	return $res;
}

sub free_port {
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1,
		ReuseAddr => 1) or die "no free port: $!";
	my $port = $s->sockport;
	close $s;
	return $port;
}

# start(workers => N, seed => 1 (`kairos seed`) or seed => 'demo' (`kairos seed --demo`), env => {KEY => value}, share_dir => DIR (default: the source
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
	$self->stack('up', $dir, !$o{seed} ? () : $o{seed} eq 'demo' ? '--demo' : '--seed') == 0
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
# With {stdin => TEXT} as the first argument, TEXT is its standard input.
sub kairos {
	my ($self, @args) = @_;
	my $stdin = ref $args[0] eq 'HASH' ? (shift @args)->{stdin} : undef;
	my %env = $self->stack_env;
	local @ENV{ keys %env } = values %env;
	my $pid = open(my $fh, '-|') // die "fork: $!";
	if ($pid == 0) {
		open STDERR, '>&', \*STDOUT;
		if (defined $stdin) {
			pipe(my $r, my $w) or POSIX::_exit(127);
			if (fork == 0) { close $r; print {$w} $stdin; close $w; POSIX::_exit(0); }
			close $w;
			open STDIN, '<&', $r or POSIX::_exit(127);
		}
		exec "$SRC/t/lib/stack", 'kairos', $self->{dir}, @args or POSIX::_exit(127);
	}
	local $/;
	my $out = <$fh> // '';
	close $fh;
	return ($? >> 8, $out);
}

# A staff account made the way an operator makes one (kairos user add), signed in through
# POST /api/staff-auth/login. Returns {id, email, password, token (the access JWT), refresh}.
my $staff_seq = 0;
sub staff {
	my ($self, %o) = @_;
	my $email = $o{email} // sprintf('staff%d-%d@example.org', $$, ++$staff_seq);
	my $password = $o{password} // 'correct horse battery staple';	# obviously a test one
	$self->secret("the password of $email", $password);
	my ($rc, $out) = $self->kairos({ stdin => "$password\n" }, 'user', 'add', '--role', $o{role} // 'admin',
		'--email', $email, '--name', $o{name} // 'Sam Staff', '--password-stdin');
	die "kairos user add failed: $out" if $rc != 0;
	my ($id) = $out =~ /\(([0-9a-f-]{36})\)/;
	my $r = $self->post_json('/api/staff-auth/login', { email => $email, password => $password });
	die "staff login failed: $r->{status} $r->{content}" if $r->{status} != 200;
	my $j = json($r);
	return { id => $id, email => $email, password => $password, token => $j->{accessToken},
		refresh => $j->{refreshToken} };
}

# The newest sign-in code sent to phone (or an email address), read the way an operator would
# (kairos outbox list); waits for the job runner to handle it. undef if none comes.
sub latest_code {
	my ($self, $to, $after) = @_;
	my $code;
	$self->wait_until(10, sub {
		my (undef, $out) = $self->kairos('outbox', 'list', '--to', $to, '--limit', '1');
		($code) = $out =~ /^\s+(\d{6}) is your/m;
		defined $code && (!defined $after || $code ne $after);
	});
	push @{ $self->{codes} }, $code if defined $code;
	return $code;
}

# A patient signed in through the JSON API (send-otp, then verify-otp with the code from the
# outbox). Returns the verify-otp answer ({accessToken, refreshToken, patient, ...}).
sub patient {
	my ($self, $phone) = @_;
	my $r = $self->post_json('/api/patient-auth/send-otp', { phone => $phone, channel => 'sms' });
	die "send-otp: $r->{status} $r->{content}" if $r->{status} != 200;
	my $code = $self->latest_code($phone) // die "no code reached the outbox for $phone";
	$r = $self->post_json('/api/patient-auth/verify-otp', { phone => $phone, otp => $code });
	die "verify-otp: $r->{status} $r->{content}" if $r->{status} != 200;
	return json($r);
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

# Starts the SendGrid stand-in (t/fakes/sendgrid) with an obviously fake API key and a
# throwaway P-256 key pair made here with openssl (never committed). webhook => URL makes it
# post signed delivery events there. Returns {pid, dir, port, key, pem, public_key, env}
# where env points the email provider at it; sendgrid_sign() signs like it; stop_fake()
# ends it.
sub start_sendgrid_fake {
	my (%o) = @_;
	my $dir = File::Temp::tempdir('kairos-sendgrid-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	my $f = { dir => $dir, key => 'SG.test_key_not_a_secret.' . ('x' x 43), pem => "$dir/webhook-key.pem" };
	system("openssl ecparam -name prime256v1 -genkey -noout -out '$f->{pem}' 2>/dev/null") == 0
		or die 'openssl could not make a P-256 key';
	chomp($f->{public_key} = `openssl ec -in '$f->{pem}' -pubout -outform DER 2>/dev/null | base64 -w0`);
	$f->{pid} = fork // die "fork: $!";
	if (!$f->{pid}) {
		exec "$SRC/t/fakes/sendgrid", '--dir', $dir, '--api-key', $f->{key}, '--private-key', $f->{pem},
			$o{webhook} ? ('--webhook', $o{webhook}) : () or POSIX::_exit(127);
	}
	for (1 .. 200) { last if -s "$dir/port"; sleep 0.05 }
	open my $pf, '<', "$dir/port" or die 'the SendGrid stand-in did not start';
	chomp($f->{port} = <$pf>);
	$f->{env} = { KAIROS_EMAIL_PROVIDER => 'sendgrid', KAIROS_SENDGRID_BASE_URL => "http://127.0.0.1:$f->{port}",
		KAIROS_SENDGRID_API_KEY => $f->{key}, KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY => $f->{public_key},
		KAIROS_EMAIL_FROM => 'clinic@example.org', KAIROS_EMAIL_FROM_NAME => 'Kairos Clinic' };
	return $f;
}

# base64 DER ECDSA-SHA256 over timestamp . body with the stand-in's key (SendGrid's way).
sub sendgrid_sign {
	my ($f, $ts, $body) = @_;
	my ($fh, $file) = File::Temp::tempfile(DIR => $f->{dir}, UNLINK => 1);
	binmode $fh;
	print {$fh} $ts . $body;
	close $fh;
	my $sig = `openssl dgst -sha256 -sign '$f->{pem}' -binary '$file' | base64 -w0`;
	unlink $file;
	return $sig;
}

# Starts a real SMTP server (t/fakes/smtp-server: Debian's python3-aiosmtpd) on a free
# loopback port (or port => N, dir => DIR: a restart of one). Returns {pid, dir, port, env} where env points the email provider at it
# (plain text allowed: it offers no STARTTLS); messages() reads what it accepted;
# stop_fake() ends it.
sub start_smtp_server {
	my (%o) = @_;
	my $dir = $o{dir} // File::Temp::tempdir('kairos-smtp-XXXXXX', TMPDIR => 1, CLEANUP => 1);
	my $f = { dir => $dir, port => $o{port} // free_port() };
	unlink "$dir/ready";
	$f->{pid} = fork // die "fork: $!";
	if (!$f->{pid}) {
		exec '/usr/bin/python3', "$SRC/t/fakes/smtp-server", '--dir', $dir, '--port', $f->{port}
			or POSIX::_exit(127);
	}
	for (1 .. 200) { last if -s "$dir/ready"; sleep 0.05 }
	-s "$dir/ready" or die 'the SMTP server did not start (is python3-aiosmtpd installed? ./dev deps)';
	$f->{env} = { KAIROS_EMAIL_PROVIDER => 'smtp', KAIROS_SMTP_URL => "smtp://127.0.0.1:$f->{port}",
		KAIROS_SMTP_ALLOW_PLAINTEXT => 'true', KAIROS_EMAIL_FROM => 'clinic@example.org',
		KAIROS_EMAIL_FROM_NAME => 'Kairos Clinic' };
	return $f;
}

# What the SMTP server accepted, oldest first: each {json => the decoded record, raw => bytes}.
sub smtp_messages {
	my ($f) = @_;
	my @out;
	for my $file (sort glob "$f->{dir}/messages/*.json") {
		open my $fh, '<', $file or next;
		my $text = do { local $/; <$fh> };
		(my $eml = $file) =~ s/\.json$/.eml/;
		open my $eh, '<:raw', $eml or next;
		push @out, { json => JSON::PP->new->utf8->decode($text), raw => do { local $/; <$eh> } };
	}
	return \@out;
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

# The lines of the job runners' logs (log/jobs*.log: the stack's and those spawned) whose
# message is msg and that name id: "job done", "job retry", "test job started"...
sub job_log_lines {
	my ($self, $id, $msg) = @_;
	my @hits;
	for my $log (glob "$self->{dir}/log/jobs*.log") {
		open my $fh, '<', $log or next;
		while (<$fh>) { push @hits, $_ if /"msg":"\Q$msg\E"/ && /\Q$id\E/ }
	}
	return @hits;
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

# Registers a secret (a label for reports, the value) that no log of this stack may hold.
sub secret {
	my ($self, $label, $value) = @_;
	push @{ $self->{secrets} }, [$label, $value] if defined $value && length $value;
}

# The settings whose values are secret, as the modules' tables mark them (`kairos config
# --secrets`): tokens, keys, passwords, connection strings; a public key or an id is not one.
my %SECRET_SETTING;
sub secret_settings {
	return %SECRET_SETTING if %SECRET_SETTING;
	my @names = split /\n/, `${\ bin()} config --secrets`;
	die "kairos config --secrets failed\n" if $? != 0 || !@names;
	%SECRET_SETTING = map { $_ => 1 } @names;
	return %SECRET_SETTING;
}
# Shorter strings would match by chance; every secret the harness sets is longer.
my $SECRET_MIN_LENGTH = 8;

# Every secret this stack was given: its JWT keys, the secret KAIROS_* settings (provider
# tokens, API keys, webhook secrets, Meta's verify token), staff passwords (staff()), and
# whatever a test registered with secret(). [label, value] pairs.
sub secrets {
	my ($self) = @_;
	my @s = @{ $self->{secrets} // [] };
	for my $line (split /\n/, $self->slurp('jwt.keys')) {
		my ($kid, $key) = split /:/, $line, 2;
		push @s, ["KAIROS_JWT_KEYS key $kid", $key] if defined $key;
	}
	my %secret = secret_settings();
	for my $name (sort keys %{ $self->{env} }) {
		next if !$secret{$name};
		push @s, [$name, $self->{env}{$name}];
	}
	return grep { length $_->[1] >= $SECRET_MIN_LENGTH } @s;
}

# A value as it may be spelled in a log: as is, percent-encoded (a query or form value,
# '+' or %20 for a space), and JSON-escaped.
sub secret_spellings {
	my ($v) = @_;
	my $pct = $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ger;
	my %forms = map { $_ => 1 } ($v, $pct, $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02x', ord $1)/ger,
		$pct =~ s/%20/+/gr, $v =~ s/([\/"\\])/\\$1/gr);
	return keys %forms;
}

# Secrets found in the stack's logs: every file under log/ (kairos serve and jobs, processes
# a test spawned, PostgreSQL) and nginx/ (access and error logs). Sign-in codes the harness
# read (latest_code) count too, but a six-digit number alone is in every log line (the
# microseconds, pids, byte counts), so a code counts where it would leak: as a quoted JSON
# string, a query or form value, or the message text.
sub secret_leaks {
	my ($self) = @_;
	my @secrets = $self->secrets;
	my @leaks;
	for my $log (map { s{^\Q$self->{dir}\E/}{}r } glob("$self->{dir}/log/*.log"), glob("$self->{dir}/nginx/*.log")) {
		my $text = $self->slurp($log);
		for my $s (@secrets) {
			my ($form) = grep { index($text, $_) >= 0 } secret_spellings($s->[1]);
			push @leaks, "$log holds a secret: $s->[0]" if defined $form;
		}
		for my $code (@{ $self->{codes} // [] }) {
			push @leaks, "$log holds the sign-in code $code"
				if $text =~ /"\Q$code\E"|=\Q$code\E(?![0-9])|\Q$code\E is your/;
		}
	}
	return @leaks;
}

# Problems found in the logs: nginx alerts, sanitizer reports and secrets.
sub log_problems {
	my ($self) = @_;
	my @problems = $self->secret_leaks;
	my $nginx = $self->slurp('nginx/error.log');
	push @problems, "nginx: $1" while $nginx =~ /^(.*\[(?:alert|emerg)\].*)$/mg;
	# every kairos log: the stack's and those of processes a test spawned (spawn_kairos)
	for my $log (map { s{^\Q$self->{dir}\E/}{}r } glob "$self->{dir}/log/*.log") {
		my $text = $self->slurp($log);
		push @problems, "$log: $1"
			while $text =~ /^(.*(?:AddressSanitizer|LeakSanitizer|ThreadSanitizer|UndefinedBehaviorSanitizer|runtime error:).*)$/mg;
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
	ok(!@problems, 'teardown: no nginx alerts, no sanitizer reports and no secrets in the logs')
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
