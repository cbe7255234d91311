package KairosBrowser;
# A browser without JavaScript for the integration tests: a cookie jar, no automatic
# redirects, urlencoded form posts.
#
#   my $b = KairosBrowser->new($k);          # $k: a KairosTest stack
#   my $r = $b->get('/staff/signin');         # HTTP::Tiny response hash
#   $r = $b->post('/staff/signin', { _csrf => $b->csrf($r), email => $e, password => $p });
#
# A form value that is an array reference is sent as the name repeated (checkboxes); an
# undefined one is not sent (an unticked box). content_raw => TEXT posts TEXT as the form
# body as it is (bad UTF-8, a NUL). (auth-pages.t, auth-input.t and jobs.t carry older
# copies of this as their own package Browser.)
use strict;
use warnings;
use HTTP::Tiny;

sub new { my ($c, $k) = @_; bless { k => $k, jar => {}, http => HTTP::Tiny->new(max_redirect => 0, timeout => 30) }, $c }
sub cookie_header { my $s = shift; join '; ', map { "$_=$s->{jar}{$_}{value}" } grep { $s->{jar}{$_}{value} ne '' } sort keys %{ $s->{jar} } }
sub enc { my ($v) = @_; $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge; $v }

sub request {
	my ($s, $method, $path, %o) = @_;
	my %h = (%{ $o{headers} // {} });
	my $c = $s->cookie_header;
	$h{Cookie} = $c if $c ne '';
	my $content = $o{content_raw};
	if (my $f = $o{form}) {
		$content = join '&', map { my $n = $_; map { "$n=" . enc($_) } ref $f->{$n} ? @{ $f->{$n} } : ($f->{$n}) }
			grep { defined $f->{$_} } sort keys %$f;
	}
	$h{'Content-Type'} //= 'application/x-www-form-urlencoded' if defined $content;
	my $r = $s->{http}->request($method, $s->{k}->url($path), { headers => \%h, defined $content ? (content => $content) : () });
	my $sc = $r->{headers}{'set-cookie'} // [];
	for my $line (ref $sc ? @$sc : ($sc)) {
		my ($name, $value) = $line =~ /^([^=]+)=([^;]*)/;
		$s->{jar}{$name} = { value => $value, line => $line };
		delete $s->{jar}{$name} if $line =~ /Max-Age=0\b/;
	}
	return $r;
}
sub get { my ($s, $p, %o) = @_; $s->request('GET', $p, %o) }
sub post { my ($s, $p, $form, %o) = @_; $s->request('POST', $p, form => $form, %o) }
# The CSRF token of a page's forms.
sub csrf { my ($s, $r) = @_; my ($t) = $r->{content} =~ /name="_csrf" value="([^"]+)"/; $t }
sub cookie_line { $_[0]{jar}{$_[1]} ? $_[0]{jar}{$_[1]}{line} : '' }

1;
