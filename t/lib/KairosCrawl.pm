package KairosCrawl;
# The no-dead-ends crawler (issue 13, item 9; t/integration/crawl.t): from a start page, as
# whoever the browser is signed in as, it visits every page of the site it can reach and
# checks every link, asset and form target on each.
#
#   my $report = KairosCrawl::crawl($browser, start => '/', destructive => qr{...});
#   # {pages => [paths], problems => ["GET /x: 404 (linked from /y)", ...], forms => N,
#   #  validation => N, destroyed => N, assets => N, external => N, sampled_out => N}
#
# - A link (<a href>) to this site is fetched with GET (up to SHAPE_SAMPLES pages of one
#   shape: the rest are counted in sampled_out); a page (text/html, 200) is read for
#   more. A redirect is followed when it stays on the site. Any 4xx or 5xx is a problem.
# - Assets (<link href>, <script src>, <img src>) must answer 200.
# - mailto: and tel: links are checked for form only (an address, an E.164-like number);
#   javascript: links are problems; links to other sites are checked for form only (a
#   host name), not fetched: the test runs offline.
# - Forms: each distinct (method, action, field names) is submitted once, with its own
#   defaults (hidden fields such as the CSRF token, values, checked options, selected
#   options, textarea text). The destructive ones (`destructive` matches their action:
#   crawl.t's sign-out, revoking sessions, retrying sends, deleting, cancelling) wait until
#   every page has been crawled, so that what they undo is crawled first; then one of each
#   shape of action is submitted, sign-out and revocations last (they end the session), and
#   its answer and where it redirects are checked the same way. A GET form becomes
#   a page to visit with its defaults as the query. A 2xx or a redirect on the site passes; so does a
#   422 that is the form again with its error summary (the target exists and validated the
#   empty defaults: the field errors themselves are each form's own tests' business),
#   counted in `validation`. Anything else 4xx or 5xx is a problem.
use strict;
use warnings;

# KTEST_CRAWL_ALL=1 (crawl.t's long run, not the suite's): every page, no sampling, a higher
# bound; crawl.t then lifts the sign-in rate limit, which a crawl of every /signin?next= trips.
use constant CRAWL_ALL => !!$ENV{KTEST_CRAWL_ALL};
# a bound on a runaway crawl (query strings that never repeat)
use constant MAX_PAGES => CRAWL_ALL ? 200_000 : 2000;
# Pages of one shape (a path and the set of its query's parameter names) visited, with
# different values: the wizard links every day and every slot, and their pages differ only
# by values; three of each find what a shape gets wrong without fetching a month of slots.
use constant SHAPE_SAMPLES => CRAWL_ALL ? 1e9 : 3;

# A page's shape: its path and its query's parameter names, sorted, without their values.
sub shape {
	my ($path) = @_;
	my ($p, $q) = split /\?/, $path, 2;
	my %names = map { (split /=/, $_, 2)[0] => 1 } split /&/, $q // '';
	return join '?', $p, join '&', sort keys %names;
}

sub unescape {
	my ($s) = @_;
	$s =~ s/&quot;/"/g; $s =~ s/&#39;/'/g; $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g; $s =~ s/&amp;/&/g;
	return $s;
}

sub attr { my ($tag, $name) = @_; $tag =~ /\s\Q$name\E="([^"]*)"/ ? unescape($1) : undef }

# A link target as a path on this site ("/x?y", fragment dropped), or undef for "same page".
# Returns (kind, value): ('path', p) | ('mailto', a) | ('tel', n) | ('js', u) | ('external', u) | ('bad', u)
sub classify {
	my ($href, $from) = @_;
	return ('same') if $href eq '' || $href =~ /^#/;
	return ('mailto', $1) if $href =~ /^mailto:(.*)$/i;
	return ('tel', $1) if $href =~ /^tel:(.*)$/i;
	return ('js', $href) if $href =~ /^\s*javascript:/i;
	return ('external', $href) if $href =~ m{^(?:https?:)?//}i;
	return ('bad', $href) if $href =~ /^[a-z][a-z0-9+.-]*:/i;
	$href =~ s/#.*//;
	if ($href !~ m{^/}) {	# relative to the page's folder
		(my $base = $from) =~ s/[?#].*//;
		$base =~ s{[^/]*$}{};
		$href = $base . $href;
	}
	return ('path', $href);
}

# The fields a browser would send for form (its HTML), with their defaults: [name, value]...
sub form_fields {
	my ($html) = @_;
	my @f;
	while ($html =~ /<(input|textarea|select)\b([^>]*)>/gi) {
		my ($kind, $tag) = (lc $1, $2);
		my $name = attr($tag, 'name') // next;
		if ($kind eq 'input') {
			my $type = lc(attr($tag, 'type') // 'text');
			next if $type =~ /^(submit|button|reset|file|image)$/;
			next if $type =~ /^(radio|checkbox)$/ && $tag !~ /\schecked\b/;
			push @f, [$name, attr($tag, 'value') // ($type eq 'checkbox' ? 'on' : '')];
		} elsif ($kind eq 'textarea') {
			my ($text) = substr($html, pos($html)) =~ m{^(.*?)</textarea>}si;
			push @f, [$name, unescape($text // '')];
		} else {
			my ($opts) = substr($html, pos($html)) =~ m{^(.*?)</select>}si;
			my @o = ($opts // '') =~ /<option\b([^>]*)>/gi;
			my ($sel) = grep { /\sselected\b/ } @o;
			$sel //= $o[0];
			push @f, [$name, attr($sel // '', 'value') // ''] if defined $sel;
		}
	}
	return @f;
}

# An action without its ids: "/account/sessions/:id/revoke".
sub action_shape { my ($a) = @_; $a =~ s/[0-9a-f]{8}-[0-9a-f-]{27}/:id/g; $a }

# The forms of a page (its HTML, at path): [method, action, query of its defaults, signature]
# each, or [..., ..., ..., ..., action] for one whose action is not on the site.
sub forms {
	my ($html, $path) = @_;
	my @out;
	while ($html =~ /<form\b([^>]*)>(.*?)<\/form>/gsi) {
		my ($tag, $body) = ($1, $2);
		my $method = uc(attr($tag, 'method') // 'GET');
		my ($kind, $action) = classify(attr($tag, 'action') // '', $path);
		$action = $path if $kind eq 'same';
		if ($kind ne 'path' && $kind ne 'same') { push @out, [$method, undef, undef, undef, attr($tag, 'action')]; next }
		my @fields = form_fields($body);
		push @out, [$method, $action, join('&', map { urlencode($_->[0]) . '=' . urlencode($_->[1]) } @fields),
			join(' ', $method, $action, sort map { $_->[0] } @fields), undef];
	}
	return @out;
}

sub urlencode { my ($v) = @_; $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge; $v }

sub crawl {
	my ($browser, %o) = @_;
	my $destructive = $o{destructive} // qr/(?!)/;
	my %r = (pages => [], problems => [], forms => 0, validation => 0, destroyed => 0, gone => [],
		assets => 0, external => 0, sampled_out => 0);
	my (%seen, %asset_seen, %form_seen, %shape_seen, %later);
	my @queue = ([$o{start} // '/', '(start)']);
	my $problem = sub { push @{ $r{problems} }, $_[0] };
	my $local_location = sub {
		my ($loc) = @_;
		return undef unless defined $loc;
		$loc =~ s{^https?://(?:127\.0\.0\.1|localhost)(?::\d+)?}{}i;
		return $loc =~ m{^/(?!/)} ? $loc : undef;
	};

	# a form's answer: a 2xx, a redirect on the site (followed: queued, or fetched at once
	# when the crawl is over), or a 422 that is the form again with its error summary
	my $submit = sub {
		my ($method, $action, $query, $on, $at_end) = @_;
		my $res = $browser->request($method, $action, content_raw => $query,
			headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
		my $st = $res->{status};
		if ($st == 422 && $res->{content} =~ /class="error-summary"/) { $r{validation}++ }
		elsif ($st >= 400) { $problem->("$method $action: $st (the form on $on, with its defaults)") }
		elsif ($st >= 300) {
			my $to = $local_location->($res->{headers}{location});
			if (!defined $to) { $problem->("$method $action: $st to " . ($res->{headers}{location} // 'nowhere')) }
			elsif (!$at_end) { push @queue, [$to, "the answer to $method $action"] }
			else {
				my $next = $browser->get($to);
				$problem->("GET $to: $next->{status} (the answer to $method $action)") if $next->{status} >= 400;
			}
		}
	};
	while (my $item = shift @queue) {
		my ($path, $from) = @$item;
		next if $seen{$path}++;
		if ($shape_seen{shape($path)}++ >= SHAPE_SAMPLES) { $r{sampled_out}++; next }
		if (keys %seen > MAX_PAGES) { $problem->("more than ${\ MAX_PAGES} pages: stopped at $path"); last }
		my $res = $browser->get($path);
		my $st = $res->{status};
		if ($st >= 400) { $problem->("GET $path: $st (linked from $from)"); next }
		if ($st >= 300) {
			my $to = $local_location->($res->{headers}{location});
			if (defined $to) { push @queue, [$to, "the redirect of $path"] }
			else { $problem->("GET $path: $st to " . ($res->{headers}{location} // 'nowhere') . " (linked from $from)") }
			next;
		}
		next unless ($res->{headers}{'content-type'} // '') =~ m{^text/html};
		push @{ $r{pages} }, $path;
		my $html = $res->{content};

		# links
		while ($html =~ /<a\b([^>]*)>/gi) {
			my $href = attr($1, 'href') // next;
			my ($kind, $v) = classify($href, $path);
			if ($kind eq 'path') { push @queue, [$v, $path] }
			elsif ($kind eq 'mailto') {
				$problem->("$path: mailto link '$href' is not an address")
					unless $v =~ /^[^\s@,?]+@[^\s@,?]+\.[A-Za-z]{2,}(\?.*)?$/;
				$r{external}++;
			} elsif ($kind eq 'tel') {
				$problem->("$path: tel link '$href' is not a phone number") unless $v =~ /^\+?[0-9][0-9 ()-]{5,}$/;
				$r{external}++;
			} elsif ($kind eq 'external') {
				$problem->("$path: link '$href' is not a well-formed web address")
					unless $v =~ m{^(?:https?:)?//[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:[/?#]\S*)?$}i;
				$r{external}++;
			}
			elsif ($kind ne 'same') { $problem->("$path: link '$href' leads nowhere a browser can go ($kind)") }
		}
		# assets
		while ($html =~ /<(link|script|img)\b([^>]*)>/gi) {
			my $src = attr($2, lc $1 eq 'link' ? 'href' : 'src') // next;
			my ($kind, $v) = classify($src, $path);
			next unless $kind eq 'path';
			next if $asset_seen{$v}++;
			$r{assets}++;
			my $a = $browser->get($v);
			$problem->("asset $v: $a->{status} (on $path)") unless $a->{status} == 200;
		}
		# forms
		for my $f (forms($html, $path)) {
			my ($method, $action, $query, $sig, $bad) = @$f;
			if (defined $bad) { $problem->("$path: form action '$bad' is not on the site"); next }
			next if $form_seen{$sig}++;
			if ($action =~ $destructive) {	# one of each shape of action (ids aside)
				$later{"$method " . action_shape($action)} //= [$method, $action, $path];
				next;
			}
			$r{forms}++;
			if ($method eq 'GET') {
				(my $base = $action) =~ s/\?.*//;
				push @queue, [$query eq '' ? $base : "$base?$query", "the form on $path"];
				next;
			}
			$submit->($method, $action, $query, $path);
		}
	}
	# the destructive forms once every other page is crawled, what ends the session last: each
	# from its page fetched again (what it undoes may be gone by now, and its token is fresh)
	# others' sessions, then one's own (which may be the one left), then signing out
	my $ends = sub { $_[0] =~ m{/revoke-all$} ? 1 : $_[0] =~ m{/revoke$} ? 2 : $_[0] =~ m{/signout$} ? 3 : 0 };
	for my $k (sort { $ends->($a) <=> $ends->($b) || $a cmp $b } keys %later) {
		my ($method, $action, $on) = @{ $later{$k} };
		my $page = $browser->get($on);
		# gone may be a redirect or a 404 now, never a failure
		$problem->("GET $on: $page->{status} (fetched again for $k)") if $page->{status} >= 500;
		my ($f) = grep { !defined $_->[4] && $_->[0] eq $method && action_shape($_->[1]) eq action_shape($action) }
			forms($page->{status} == 200 ? $page->{content} : '', $on);
		if (!$f) { push @{ $r{gone} }, "$k (on $on: $page->{status})"; next }	# nothing of that kind left
		$r{destroyed}++;
		$submit->($method, $f->[1], $f->[2], $on, 1);
	}
	return \%r;
}

1;
