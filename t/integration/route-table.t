#!/usr/bin/env perl
# A row of web/routes.c leads to its handler, input specs and templates in one hop (issue 12,
# item 8). `kairos routes` prints each row (method, pattern, access, handler, specs,
# templates, flags), and this checks what the rows claim against the source tree:
#   - every handler named is defined in src/web/;
#   - every template named is templates/NAME.mustache, and every template a handler renders
#     (a "pages/..." or "partials/..." literal in its body or a function it calls) is named
#     by a row of that handler, and each a row names is one it renders;
#   - every spec named is defined in src/ (an input_spec, or the field table that catalogue.c
#     makes a spec of per page);
#   - every input spec a handler reads (an input_spec's name in its body, or in the body of a
#     function of src/web/ it calls, followed through calls) is named by a row of that
#     handler, and every input_spec a row names is one its handler reads;
#   - a handler that reads input through a spec (web_input, web_form_from, web_form_model)
#     names one on each of its rows.
# The same checks run on rows made wrong on purpose, so the test is seen to fail.
# Templates are also checked while requests run: on a test stack a page its row does not
# name is a 500 (web_route_renders, view.c), so every page test checks its rows as well.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use Test::More;

my $src = KairosTest::src();
my $bin = KairosTest::bin();

my @rows = map { my @f = split /\t/; { method => $f[0], pattern => $f[1], access => $f[2],
	handler => $f[3], specs => $f[4], templates => $f[5], flags => $f[6] } }
	split /\n/, `$bin routes`;
is($? >> 8, 0, 'kairos routes prints the table');
ok(@rows > 50, scalar(@rows) . ' rows');
is(scalar(grep { !defined $_->{flags} } @rows), 0, 'every row has its seven columns');

sub slurp { my ($f) = @_; open my $h, '<', $f or die "$f: $!"; local $/; <$h> }

# Every input spec and field table defined in src/.
my (%spec, %fields);
for my $f (glob("$src/src/*/*.c"), glob("$src/src/*/*.h")) {
	my $text = slurp($f);
	$spec{$1} = 1 while $text =~ /\bstruct input_spec\s+(\w+)\s*=/g;
	$fields{$1} = 1 while $text =~ /\bstruct input_field\s+(\w+)\s*\[\]\s*=/g;
}
ok($spec{site_page_spec} && $spec{web_send_otp_spec} && $fields{cat_location_fields},
	scalar(keys %spec) . ' input specs and ' . scalar(keys %fields) . ' field tables found');

# The functions of src/web/: name => body (Kairos's style: the name at the start of a line,
# the body from "{" to "}" at the start of a line).
my %body;
for my $f (glob "$src/src/web/*.c") {
	my $text = slurp($f);
	$body{$1} = $2 while $text =~ /^([a-z_]\w*)\([^;{]*?\)\s*\n\{\n(.*?)^\}/msg;
}
ok(exists $body{web_book_psychologist} && exists $body{book_render}, scalar(keys %body) . ' functions of src/web read');

# What a handler reaches: the specs it reads and whether it reads input through one.
my %reach;
sub reach {
	my ($fn) = @_;
	return $reach{$fn} if $reach{$fn};
	my (%seen, %reads, %renders, $input);
	my @todo = ($fn);
	while (defined(my $f = shift @todo)) {
		next if $seen{$f}++ || !exists $body{$f};
		my $b = $body{$f};
		$spec{$_} and $reads{$_} = 1 for $b =~ /\b(\w+)\b/g;
		# pages/error is web_error's, which any HTML route may show (routes.c)
		$renders{$1} = 1 while $b =~ m{"((?:pages|partials)/(?!error")[a-z0-9-]+)"}g;
		while ($b =~ /\b([a-z_]\w*)\s*\(/g) {
			$input = 1 if $1 eq 'web_input' || $1 eq 'web_form_from' || $1 eq 'web_form_model';
			push @todo, $1 if exists $body{$1};
		}
	}
	return $reach{$fn} = { reads => \%reads, renders => \%renders, input => $input };
}

# Problems of a set of rows, one line each.
sub problems {
	my @rows = @_;
	my (@p, %named, %shown);
	for my $r (@rows) {
		my $where = "$r->{method} $r->{pattern}";
		push @p, "$where: handler $r->{handler} is not defined in src/web" if !exists $body{$r->{handler}};
		for my $t ($r->{templates} eq '-' ? () : split / /, $r->{templates}) {
			$shown{$r->{handler}}{$t} = 1;
			push @p, "$where: template $t is not templates/$t.mustache" if !-f "$src/templates/$t.mustache";
			push @p, "$where: names $t, which $r->{handler} does not render"
				if -f "$src/templates/$t.mustache" && !reach($r->{handler})->{renders}{$t};
		}
		my @specs = $r->{specs} eq '-' ? () : split / /, $r->{specs};
		for my $s (@specs) {
			$named{$r->{handler}}{$s} = 1;
			if (!$spec{$s} && !$fields{$s}) {
				push @p, "$where: spec $s is not defined in src/";
			} elsif ($spec{$s} && !reach($r->{handler})->{reads}{$s}) {
				push @p, "$where: names $s, which $r->{handler} does not read";
			}
		}
		push @p, "$where: $r->{handler} reads input through a spec, and the row names none"
			if !@specs && reach($r->{handler})->{input};
	}
	for my $h (sort keys %{{ map { $_->{handler} => 1 } @rows }}) {
		for my $s (sort keys %{ reach($h)->{reads} }) {
			push @p, "$h reads $s, which none of its rows names" if !$named{$h}{$s};
		}
		for my $t (sort keys %{ reach($h)->{renders} }) {
			push @p, "$h renders $t, which none of its rows names" if !$shown{$h}{$t};
		}
	}
	return @p;
}

my @p = problems(@rows);
is(scalar(@p), 0, 'every row names the templates its handler renders and the specs it reads, all existing') or diag join "\n", @p;

# The checks fail on rows that lie.
sub with { my ($pattern, %set) = @_; map { $_->{pattern} eq $pattern ? { %$_, %set } : $_ } @rows }
like(join("\n", problems(with('/contact', templates => 'pages/site-page pages/nowhere'))),
	qr{GET /contact: template pages/nowhere is not}, 'a template that does not exist is found');
like(join("\n", problems(with('/contact', templates => 'pages/site-page pages/home'))),
	qr{GET /contact: names pages/home, which web_site_page does not render}, 'a template the handler does not render is found');
like(join("\n", problems(map { $_->{handler} eq 'web_site_page' ? { %$_, templates => '-' } : $_ } @rows)),
	qr{web_site_page renders pages/site-page, which none of its rows names}, 'a template the handler renders and no row names is found');
like(join("\n", problems(with('/contact', specs => 'site_page_spec'))),
	qr{GET /contact: names site_page_spec, which web_site_page does not read}, 'a spec the handler does not read is found');
like(join("\n", problems(with('/admin/pages/:slug', specs => '-'))),
	qr{web_admin_site_page_form reads site_page_spec, which none of its rows names}, 'a spec the handler reads and no row names is found');
like(join("\n", problems(with('/admin/locations/new', specs => '-'))),
	qr{GET /admin/locations/new: web_catalogue_new reads input through a spec, and the row names none},
	'a form page whose row names no spec is found');
like(join("\n", problems(with('/api/services', specs => 'no_such_spec'))),
	qr{spec no_such_spec is not defined}, 'a spec that does not exist is found');
like(join("\n", problems(with('/book', handler => 'web_book_nowhere'))),
	qr{handler web_book_nowhere is not defined}, 'a handler that does not exist is found');

done_testing;
