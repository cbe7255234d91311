#!/usr/bin/env perl
# A row of web/routes.c leads to its handler, input specs, SQL and templates in one hop (issue 12,
# item 8). `kairos routes` prints each row (method, pattern, access, handler, specs, sql,
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
#     names one on each of its rows;
#   - its SQL: every function a row names is a function of src/ outside web/ that runs a
#     statement, and its handler calls it; every function outside web/ that runs a
#     statement and that the handler calls is named by a row of that handler. The rule:
#       * a function *runs a statement* when its body hands a prepared statement (a
#         DB_STMT) to one of db.h's runners (db_query, db_exec, db_query_rows,
#         db_query_row, db_query_value, db_queue), or calls a function outside web/ that
#         runs one, followed to any depth. BEGIN, COMMIT and ROLLBACK (db_exec_simple,
#         db_commit, db_rollback) are transaction control, not a statement of a table;
#       * a handler *calls* what its body calls and what the functions of src/web/ it calls
#         call, followed through web/ only: the first function outside web/ on each path is
#         the one named (audit_record, not the db_exec inside it);
#       * a call is a name followed by "(" or passed as a value (a function pointer), not
#         after struct, enum, union, "." or "->", outside comments and strings; a static
#         function is looked up in its own file first. The reach is static: a call on a
#         path this method never takes still counts, so a handler's rows together name
#         everything it can run, and each row what its method runs;
#   - no function of src/web/ hands a statement to a runner itself.
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
	handler => $f[3], specs => $f[4], sql => $f[5], templates => $f[6], flags => $f[7] } }
	split /\n/, `$bin routes`;
is($? >> 8, 0, 'kairos routes prints the table');
ok(@rows > 50, scalar(@rows) . ' rows');
is(scalar(grep { !defined $_->{flags} } @rows), 0, 'every row has its eight columns');

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

# The functions of src/ (Kairos's style: the name at the start of a line, the body from "{"
# to "}" at the start of a line): per function its file, module, body, and its code (the
# body without comments and strings). %body: src/web/'s by name; %static, %global: for
# looking a name up from a file (its own statics first).
my (%body, %static, %global, @functions);
for my $f (glob "$src/src/*/*.c") {
	my ($module) = $f =~ m{/src/(\w+)/[^/]+$};
	my $text = slurp($f);
	while ($text =~ /^([a-z_]\w*)\([^;{]*?\)\s*\n\{\n(.*?)^\}/msg) {
		my $fn = { name => $1, body => $2, file => $f, module => $module };
		my ($before) = substr($text, 0, $-[0]) =~ /([^\n]*)\n\z/;
		($fn->{code} = $fn->{body}) =~ s{/\*.*?\*/}{ }gs;
		$fn->{code} =~ s{//[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'}{ }g;
		push @functions, $fn;
		$body{$fn->{name}} = $fn->{body} if $module eq 'web';
		if (($before // '') =~ /^static\b/) { $static{$f}{$fn->{name}} = $fn }
		else { $global{$fn->{name}} = $fn }
	}
}
ok(exists $body{web_book_psychologist} && exists $body{book_render}, scalar(keys %body) . ' functions of src/web read');
ok($global{audit_record} && $global{catalogue_services}, scalar(@functions) . ' functions of src/ read');

# What a function calls (the rule in the header): the functions it names, and RUN for a
# statement handed to a runner.
my %runner = map { $_ => 1 } qw(db_query db_exec db_query_rows db_query_row db_query_value db_queue);
sub calls {
	my ($fn) = @_;
	$fn->{calls} //= [ grep { defined } map { $runner{$_} ? 'RUN' : $static{$fn->{file}}{$_} // $global{$_} }
		$fn->{code} =~ /(?<!struct )(?<!enum )(?<!union )(?<![.>])\b([a-z_]\w*)\b(?!\s*(?:->|\.|\[))/g ];
	return @{ $fn->{calls} };
}
# Which functions outside web/ run a statement, to any depth: repeated until nothing changes.
for (my $more = 1; $more; ) {
	$more = 0;
	for my $fn (grep { $_->{module} ne 'web' && !$runner{$_->{name}} && !$_->{runs} } @functions) {
		next if !grep { $_ eq 'RUN' || ($_->{runs} && $_->{module} ne 'web') } calls($fn);
		$fn->{runs} = $more = 1;
	}
}
my @runs = grep { $_->{runs} } @functions;
ok(scalar(grep { $_->{name} eq 'audit_record' } @runs) && scalar(grep { $_->{name} eq 'org_page_text' } @runs),
	scalar(@runs) . ' functions outside web/ run statements (audit_record, org_page_text among them)');
sub web_runs { map { my $fn = $_; grep({ $_ eq 'RUN' } calls($fn)) ? "$fn->{name} ($fn->{file})" : () }
	grep { $_->{module} eq 'web' } @_ }
my @web_runs = web_runs(@functions);
is(scalar(@web_runs), 0, 'no function of src/web/ runs a statement itself') or diag "@web_runs";
is(scalar(web_runs({ name => 'web_fake', file => 'src/web/fake.c', module => 'web',
	code => ' return db_query_row(&app->db, &stmt, params, &map, &row); ' })), 1,
	'a function of src/web/ that runs one is found');

# What a handler reaches: the specs it reads, whether it reads input through one, the
# templates it renders and the functions outside web/ it calls that run statements.
my %reach;
sub reach {
	my ($fn) = @_;
	return $reach{$fn} if $reach{$fn};
	my (%seen, %reads, %renders, %sql, $input);
	my @todo = grep { defined } $global{$fn};
	while (defined(my $f = shift @todo)) {
		next if $seen{"$f->{file} $f->{name}"}++;
		my $b = $f->{body};
		$spec{$_} and $reads{$_} = 1 for $b =~ /\b(\w+)\b/g;
		# pages/error is web_error's, which any HTML route may show (routes.c)
		$renders{$1} = 1 while $b =~ m{"((?:pages|partials)/(?!error")[a-z0-9-]+)"}g;
		for my $c (grep { ref } calls($f)) {
			$input = 1 if $c->{name} =~ /^web_(?:input|form_from|form_model)$/;
			if ($c->{module} eq 'web') { push @todo, $c }
			elsif ($c->{runs}) { $sql{$c->{name}} = 1 }
		}
	}
	return $reach{$fn} = { reads => \%reads, renders => \%renders, sql => \%sql, input => $input };
}

# Problems of a set of rows, one line each.
sub problems {
	my @rows = @_;
	my (@p, %named, %shown, %ran);
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
		for my $s ($r->{sql} eq '-' ? () : split / /, $r->{sql}) {
			my $fn = $global{$s};
			$ran{$r->{handler}}{$s} = 1;
			if (!$fn || $fn->{module} eq 'web') {
				push @p, "$where: $s is not a function of a module outside src/web";
			} elsif (!$fn->{runs}) {
				push @p, "$where: $s runs no statement";
			} elsif (!reach($r->{handler})->{sql}{$s}) {
				push @p, "$where: names $s, which $r->{handler} does not call";
			}
		}
	}
	for my $h (sort keys %{{ map { $_->{handler} => 1 } @rows }}) {
		for my $s (sort keys %{ reach($h)->{reads} }) {
			push @p, "$h reads $s, which none of its rows names" if !$named{$h}{$s};
		}
		for my $t (sort keys %{ reach($h)->{renders} }) {
			push @p, "$h renders $t, which none of its rows names" if !$shown{$h}{$t};
		}
		for my $s (sort keys %{ reach($h)->{sql} }) {
			push @p, "$h calls $s, which runs statements and none of its rows names" if !$ran{$h}{$s};
		}
	}
	return @p;
}

my @p = problems(@rows);
is(scalar(@p), 0, 'every row names the templates its handler renders, the specs it reads and the SQL it runs, all existing') or diag join "\n", @p;

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

like(join("\n", problems(with('/contact', sql => 'org_page_text org_page_nowhere'))),
	qr{GET /contact: org_page_nowhere is not a function of a module outside src/web}, 'a function that does not exist is found');
like(join("\n", problems(with('/contact', sql => 'org_page_text web_page_model'))),
	qr{GET /contact: web_page_model is not a function of a module outside src/web}, 'a function of web/ is found');
like(join("\n", problems(with('/contact', sql => 'org_page_text org_page_find'))),
	qr{GET /contact: org_page_find runs no statement}, 'a domain function that runs no statement is found');
like(join("\n", problems(with('/contact', sql => 'org_page_text org_page_save'))),
	qr{GET /contact: names org_page_save, which web_site_page does not call}, 'a function the handler does not call is found');
like(join("\n", problems(map { $_->{handler} eq 'web_site_page' ? { %$_, sql => '-' } : $_ } @rows)),
	qr{web_site_page calls org_page_text, which runs statements and none of its rows names},
	'a function the handler calls and no row names is found');
# ... also when the call is one level down in web/ (web_audit → audit_record) and when the
# statement is a level further down outside it (org_get hands its statement to org_one,
# which runs it)
like(join("\n", problems(with('/admin/pages/:slug', sql => 'org_page_text org_page_save'))),
	qr{web_admin_site_page_save calls audit_record, which runs statements and none of its rows names},
	'a function called through a web/ helper and named by no row is found');
ok(!grep({ $_ eq 'RUN' } calls($global{org_get})), 'org_get runs no statement in its own body');
like(join("\n", problems(with('/', sql => '-'))),
	qr{web_home calls org_get, which runs statements and none of its rows names},
	'a function whose statements are a level further down and no row names is found');

done_testing;
