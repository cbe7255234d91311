package KairosBrowser;
# A browser for the integration tests: a cookie jar, no automatic redirects, form posts,
# and sign-in the way a person does it (the code from the outbox, the staff password).
#
#   my $b = KairosBrowser->new($k);        # $k: a KairosTest stack
#   my $r = $b->get('/signup');            # HTTP::Tiny response hash
#   $b->post('/signup', { _csrf => $b->csrf($r), name => ... });
use strict;
use warnings;
use HTTP::Tiny;

sub new { my ($c, $k) = @_; bless { k => $k, jar => {}, http => HTTP::Tiny->new(max_redirect => 0, timeout => 30) }, $c }
sub cookie_header { my $s = shift; join '; ', map { "$_=$s->{jar}{$_}{value}" } grep { $s->{jar}{$_}{value} ne '' } sort keys %{ $s->{jar} } }

# request(METHOD, PATH, form => {…} | content_raw => BYTES, headers => {…})
sub request {
	my ($s, $method, $path, %o) = @_;
	my %h = (%{ $o{headers} // {} });
	my $c = $s->cookie_header;
	$h{Cookie} = $c if $c ne '';
	my $content = $o{content_raw};
	if ($o{form}) {
		$content = join '&', map { my $v = $o{form}{$_}; $v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge; "$_=$v" } sort keys %{ $o{form} };
		$h{'Content-Type'} = 'application/x-www-form-urlencoded';
	}
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
# The form token of a page: a response, or a path to GET first.
sub csrf { my ($s, $r) = @_; $r = $s->get($r) unless ref $r; my ($t) = $r->{content} =~ /name="_csrf" value="([^"]+)"/; $t }
sub cookie_line { $_[0]{jar}{$_[1]} ? $_[0]{jar}{$_[1]}{line} : '' }

# Signs in through /staff/signin as $staff ({email, password} of KairosTest::staff). Dies
# unless it is let in.
sub signin_staff {
	my ($s, $staff) = @_;
	my $r = $s->get('/staff/signin');
	$r = $s->post('/staff/signin', { _csrf => $s->csrf($r), email => $staff->{email}, password => $staff->{password} });
	die "staff sign-in: $r->{status}" unless $r->{status} == 303;
	return $s;
}

# A patient of phone signed in (KairosTest::patient: the API's code from the outbox; a new
# number gets an account), with the session cookies a sign-in through the pages sets.
sub signin_patient {
	my ($s, $phone) = @_;
	my $t = $s->{k}->patient($phone);
	$s->{jar}{kairos_at} = { value => $t->{accessToken}, line => '' };
	$s->{jar}{kairos_rt} = { value => $t->{refreshToken}, line => '' };
	return $s;
}

1;
