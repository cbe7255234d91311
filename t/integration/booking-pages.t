#!/usr/bin/env perl
# The booking wizard's pages, steps 1-3 (issue 13 item 5; BOOK-1, BOOK-3, BOOK-6), over plain
# HTTP, the way a browser without JavaScript uses them: every step is reached by following
# the links and GET forms of the one before.
#   /book                     services with duration, session types and the server's price;
#                             filters by session type, concern, centre and funding
#   /book/psychologist        name search, specialty, language, gender, centre, telehealth,
#                             "available within N days"; sorted by soonest or rating; rating
#                             average and count, next available time
#   /book/psychologists/:id   bio, qualifications, next free times
#   /book/time                the day picker and the slot grid in the patient's zone (a form
#                             field, the clinic's zone when the URL names none), one
#                             psychologist or anyone; the grid's keys are what slots.js
#                             matches against GET /api/availability
#   /book/summary             the choice, the price, and sign-in with a `next` back to it
# Each step's URL keeps the choices so far (Back links and forms carry them); bad values show
# the page with the message by the field (or a problem page that leads back to /book), never
# a 500; another clinic's ids are unknown; each step records one funnel event.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use BookingData;
use Test::More;

# Monday 30 November 2026, 12:00 in Melbourne and Sydney (AEDT, +11:00)
my $k = KairosTest->start(workers => 1, env => { KAIROS_TEST_CLOCK => BookingData::CLOCK });

my $d = BookingData::setup($k);
my $psql = $d->{psql};
my ($org, $beacon, $carlton, $perth, $their_loc, $consult, $couples, $their_svc, $ada, $bo, $cy, $dee, $theirs, $appt) =
	@$d{qw(org beacon carlton perth their_loc consult couples their_svc ada bo cy dee theirs appt)};

# ---- helpers: pages as a browser without JavaScript sees them ----
sub enc { my $s = shift; $s =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; $s }
sub dec { my $s = shift; $s =~ s/\+/ /g; $s =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge; $s }
sub unhtml { my $s = shift; $s =~ s/&amp;/&/g; $s =~ s/&#39;/'/g; $s =~ s/&quot;/"/g; $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g; $s }
my $visit = 'abcdef0123456789abcdef0123456789';
my $get = sub {
	my ($path, %o) = @_;
	my $r = $k->get($path, headers => { Cookie => "kairos_visit=$visit", %{ $o{headers} // {} } });
	$r->{main} = $r->{content} =~ m{<main[^>]*>(.*)</main>}s ? $1 : '';
	$r;
};
my $text = sub { my $t = shift; $t =~ s/<[^>]+>/ /g; $t = unhtml($t); $t =~ s/\s+/ /g; $t =~ s/^ | $//g; $t };
# the href of the link whose text (tags dropped) matches $re, or of the first link inside the
# element that matches $re
my $link = sub {
	my ($r, $re) = @_;
	my $html = $r->{content};	# the back link is above <main>
	while ($html =~ m{<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>}sg) {
		my ($href, $inner) = ($1, $2);
		return unhtml($href) if $text->($inner) =~ $re;
	}
	return undef;
};
my $query = sub {	# {name => value} of a URL's query (one value per name)
	my ($u) = @_;
	my ($q) = $u =~ /\?(.*)$/;
	return { map { my ($n, $v) = split /=/, $_, 2; (dec($n) => dec($v // '')) } split /&/, $q // '' };
};
my $cards = sub { [ map { $text->($_) } $_[0]{main} =~ m{<h3 class="card__title">(.*?)</h3>}sg ] };
my $errors = sub { [ map { $text->($_) } $_[0]{main} =~ m{<ul class="error-summary__list">(.*?)</ul>}s ? ($1 =~ m{<li>(.*?)</li>}sg) : () ] };
my $field_error = sub {
	my ($r, $name) = @_;
	$r->{main} =~ m{<p class="field__error" id="\Q$name\E-error">(.*?)</p>}s ? $text->($1) =~ s/^Error: //r : undef;
};
my $selected = sub {
	my ($r, $name) = @_;
	return undef unless $r->{main} =~ m{<select[^>]*name="\Q$name\E"[^>]*>(.*?)</select>}s;
	my $opts = $1;
	$opts =~ m{<option value="([^"]*)" selected>} ? unhtml($1) : '';
};
my $options = sub {
	my ($r, $name) = @_;
	return [] unless $r->{main} =~ m{<select[^>]*name="\Q$name\E"[^>]*>(.*?)</select>}s;
	[ map { $text->($_) } $1 =~ m{<option[^>]*>(.*?)</option>}sg ];
};
my $hidden = sub { +{ map { unhtml($_->[0]) => unhtml($_->[1]) } map { [ /name="([^"]*)" value="([^"]*)"/ ] } $_[0]{main} =~ m{(<input type="hidden"[^>]*>)}g } };
my $slots = sub { [ map { $text->($_) =~ s/ with .*//r } $_[0]{main} =~ m{<a class="slot"[^>]*>(.*?)</a>}sg ] };
my $events = sub {
	$psql->("SELECT string_agg(concat_ws(' ', step, coalesce(service_id::text, '-'), coalesce(practitioner_id::text, '-'),
		coalesce(location_id::text, '-'), coalesce(session_type, '-'), coalesce(slot_hour::text, '-'),
		coalesce(slot_weekday::text, '-')), E'\\n' ORDER BY id) FROM funnel_events WHERE visit_id = '$visit'");
};
my %names = ($consult => 'consult', $couples => 'couples', $ada => 'ada', $bo => 'bo', $cy => 'cy', $carlton => 'carlton', $perth => 'perth');
my $named = sub { my $s = shift // ''; $s =~ s/$_/$names{$_}/g for keys %names; $s };

# ---- step 1: /book ----
my $r = $get->('/book');
is($r->{status}, 200, '/book: 200');
like($r->{main}, qr{<p class="steps__count">Step 1 of 6</p>}, 'the steps partial shows step 1 of 6');
is_deeply($cards->($r), ['Consult', 'Couples'], "this clinic's services in list order, not another clinic's");
# Consult costs $240 in person at Carlton, $220 in person in Perth (the general rule) and $200
# by video anywhere: with nothing chosen, the lowest of what the summary may show, and why
like($text->($r->{main}), qr/Consult 50 minutes · In person or telehealth About Consult Price, depending on the centre and type of session Fee From \$200\.00 Choose/,
	'a service: duration, session types, description, and a price that varies: from the lowest the summary may show');
like($text->($r->{main}), qr/Couples 80 minutes · In person only About Couples Price Fee \$320\.00 Choose/,
	'... a price that does not vary (one rule, one centre): that price, as it was');
is_deeply($options->($r, 'locationId'), ['Any centre', 'Carlton', 'Perth'], "the centre filter: this clinic's centres");
is_deeply($options->($r, 'concern'), ['Anything', 'Anxiety', 'Depression', 'Relationships'], 'the concern filter: every concern');
is($psql->("SELECT count(*) FROM funnel_events WHERE visit_id = '$visit'"), 1, 'one funnel event');

$r = $get->('/book?sessionType=telehealth');
is_deeply($cards->($r), ['Consult'], 'sessionType=telehealth: what is offered by video');
like($text->($r->{main}), qr/Price Fee \$200\.00 Choose/, '... priced by the telehealth rule, the same everywhere');
like($text->($get->('/book?sessionType=in_person')->{main}), qr/Consult .* Price, depending on the centre Fee From \$220\.00 Choose/,
	'in person at any centre: from Perth\'s $220 (Carlton\'s is $240)');
like($text->($get->("/book?locationId=$carlton")->{main}), qr/Consult .* Price, depending on the type of session Fee From \$200\.00 Choose/,
	'at Carlton, either type: from the telehealth $200 (in person $240)');
is($selected->($r, 'sessionType'), 'telehealth', '... and the form shows the choice');
is_deeply($cards->($get->('/book?concern=relationships')), ['Couples'], 'concern filter');
$r = $get->("/book?sessionType=in_person&locationId=$carlton");
is_deeply($cards->($r), ['Consult', 'Couples'], 'centre filter');
like($text->($r->{main}), qr/Consult .* Fee \$240\.00/, '... the rule for that centre and session type wins');
is_deeply($cards->($get->("/book?locationId=$perth")), ['Consult'], "... what someone at Perth offers");
$r = $get->('/book?funding=medicare');
like($text->($r->{main}), qr/Price with a Medicare rebate Fee \$220\.00 Medicare rebate −\$98\.50 You pay after the rebate \$121\.50/,
	'funding=medicare: the fee, the rebate and the gap');
like($text->($get->('/book?funding=concession')->{main}), qr/Consult .* Price on enquiry .* Couples .* Price on enquiry/,
	'no rule for the funding: price on enquiry, never a price made up');
# an insurer's price matches the name as a patient types it, the case aside
$d->{db}->price($org, $consult, undef, undef, 'insurer', 22000, 6000, 'Bupa');
for my $typed ('bupa', ' BUPA ') {
	like($text->($get->('/book?funding=insurer&insurer=' . enc($typed))->{main}),
		qr/Consult .* Price with Bupa Fee \$220\.00 Insurer rebate −\$60\.00 You pay after the rebate \$160\.00 Choose/,
		"insurer '$typed': the clinic's Bupa price, named as the clinic spells it");
}
like($text->($get->('/book?funding=insurer&insurer=Medibank')->{main}), qr/Consult .* Price on enquiry/,
	'an insurer the clinic has no price for: price on enquiry');
my $choose = $link->($r, qr/^Choose Consult$/);
is($named->($choose), '/book/psychologist?serviceId=consult&funding=medicare', "a service's link keeps the step's choices");

# bad values: the page, with the message by the field, the list without that filter
$r = $get->('/book?sessionType=bogus');
is($r->{status}, 400, 'a bad session type: 400');
is($field_error->($r, 'sessionType'), 'Session type must be one of: in_person, telehealth', '... the message by the field');
is_deeply($errors->($r), ['Session type must be one of: in_person, telehealth'], '... and in the summary');
like($r->{main}, qr{<li><a href="#sessionType">}, "... whose link goes to the select");
is_deeply($cards->($r), ['Consult', 'Couples'], '... and every service listed');
$r = $get->("/book?locationId=$their_loc");
is($r->{status}, 400, "another clinic's centre: 400");
is($field_error->($r, 'locationId'), "Location is not one of this clinic's", '... unknown here');
is_deeply($cards->($r), ['Consult', 'Couples'], '... every service listed');
is($field_error->($get->('/book?locationId=' . enc("x' OR 1=1")), 'locationId'), 'Location must be an id (a UUID)', 'an id that is no UUID');
is($field_error->($get->('/book?concern=' . ('a' x 101)), 'concern'), 'Concern must be 100 characters or fewer', 'an oversized concern');
like($field_error->($get->('/book?sessionType=in_person&sessionType=telehealth'), 'sessionType'), qr/twice/, 'a repeated parameter');
is($get->('/book?concern=a%00b')->{status}, 400, 'a NUL: 400');
is($get->('/book?concern=%C3%28')->{status}, 400, 'bad UTF-8: 400');
is($psql->("SELECT count(*) FROM funnel_events WHERE visit_id = '$visit'"), 12, 'twelve pages, twelve events; a refused step records none');

# ---- step 2: /book/psychologist, reached by the service's link ----
$r = $get->($choose);
is($r->{status}, 200, 'step 2 by the link: 200');
like($r->{main}, qr{Step 2 of 6}, 'step 2 of 6');
like($text->($r->{main}), qr/For Consult \(50 minutes, in person or telehealth\)/, 'the service chosen');
is_deeply($cards->($r), ['Cy Park', 'Dr Bo Tran', 'Dr Ada Ng'],
	"who offers it, in the clinic's order (not the inactive one, not another clinic's)");
like($text->($r->{main}), qr/Dr Ada Ng Psychologist ★ 4\.5 out of 5 \(2 reviews\) Next available Tue 1 Dec, 9:00 am Works with Anxiety, Trauma Languages English, Chinese Where Carlton and telehealth/,
	"a card: rating average and count, next available in the clinic's zone, specialties, languages, where");
like($r->{main}, qr{<img class="card__photo" src="/static/img/logo.svg" alt="" width="64" height="64">\s*<div class="card__heading">\s*<h3 class="card__title"><a href="[^"]*">Dr Ada Ng</a>},
	"a card: the psychologist's photo");
like($r->{main}, qr{<span class="card__initials" aria-hidden="true">BT</span>}, '... or initials without one');
like($text->($r->{main}), qr/Dr Bo Tran Psychologist No reviews yet Next available Thu 3 Dec, 10:00 am/, '... no reviews yet');
like($text->($r->{main}), qr/Cy Park .* Next available Tue 1 Dec, 12:00 pm/, "... Perth's 9:00 in Sydney time");
is($hidden->($r)->{funding}, 'medicare', "the search form carries step 1's choices");
is($hidden->($r)->{serviceId}, $consult, '... and the service');
is($named->($link->($r, qr/^Back to services$/)), '/book?funding=medicare', 'Back keeps step 1 as it was');
my $step2 = $choose;
my $list = sub { my ($q) = @_; $cards->($get->("/book/psychologist?serviceId=$consult&$q")) };
# the cards are kept with the list's answer (each worker's): a change to the catalogue shows
# at once, on every worker
is_deeply([map { $list->('sort=rating') } 1 .. 4], [map { ['Cy Park', 'Dr Ada Ng', 'Dr Bo Tran'] } 1 .. 4],
	'the same list four times (kept by each worker)');
# a page built (kept) and then its repeats from what was kept: the same bytes, all of them, and
# the length nginx was told (a repeat sends the body from the response, not a copy of it)
my @same = map { $get->("/book/psychologist?serviceId=$consult&q=dr&sort=rating") } 1 .. 3;
is_deeply([map { $_->{status} } @same], [200, 200, 200], 'a page and its repeats are answered');
ok(length $same[0]{content} > 1000 && $same[0]{content} =~ m{</html>\s*$} &&
	$same[1]{content} eq $same[0]{content} && $same[2]{content} eq $same[0]{content},
	'... byte for byte the page first built, to its end') or diag join ' ', map { length $_->{content} } @same;
is_deeply([map { $_->{headers}{'content-length'} } @same], [map { length $_->{content} } @same],
	'... each of its length');
$psql->("UPDATE practitioners SET name = 'Dr Bo Tran-Le' WHERE name = 'Dr Bo Tran'");
is_deeply([map { $list->('sort=rating') } 1 .. 4], [map { ['Cy Park', 'Dr Ada Ng', 'Dr Bo Tran-Le'] } 1 .. 4],
	'... a psychologist renamed: the new name at once, from every worker');
$psql->("UPDATE practitioners SET name = 'Dr Bo Tran' WHERE name = 'Dr Bo Tran-Le'");
is_deeply($list->('sort=rating'), ['Cy Park', 'Dr Ada Ng', 'Dr Bo Tran'], '... and back');
is_deeply($list->('q=ada'), ['Dr Ada Ng'], 'search by name');
is_deeply($list->('q=ADA%20n'), ['Dr Ada Ng'], '... any case, any part');
is_deeply($list->('specialty=trauma'), ['Cy Park', 'Dr Ada Ng'], 'specialty');
is_deeply($list->('language=vi'), ['Cy Park'], 'language');
is_deeply($list->('gender=male'), ['Dr Bo Tran'], 'gender');
is_deeply($list->("locationId=$perth"), ['Cy Park'], 'centre');
is_deeply($list->('telehealth=yes'), ['Cy Park', 'Dr Ada Ng'], 'telehealth');
$r = $get->("/book/psychologist?serviceId=$consult&sessionType=telehealth");
is_deeply($cards->($r), ['Cy Park', 'Dr Ada Ng'], 'a telehealth session (step 1) lists those who offer it');
like($r->{main}, qr{id="telehealth-yes"[^>]*checked}, '... and the telehealth box is ticked');
like($text->($r->{main}), qr/Dr Ada Ng .* Next available Wed 2 Dec, 9:00 pm/, "... next available by video: Perth's 18:00 in Sydney");
is_deeply($list->('availableWithinDays=1'), ['Cy Park', 'Dr Ada Ng'], 'available within 1 day (Bo is free on Thursday)');
is_deeply($list->('sort=rating'), ['Cy Park', 'Dr Ada Ng', 'Dr Bo Tran'], 'sort by rating: 5.0, 4.5, none');
is_deeply($list->('sort=soonest'), ['Dr Ada Ng', 'Cy Park', 'Dr Bo Tran'], 'sort by soonest: 9:00 Tue, 12:00 Tue, Thu');
$r = $get->("/book/psychologist?serviceId=$consult&gender=male&sort=rating&q=bo");
is($selected->($r, 'gender'), 'male', 'the filters the list was made with are shown');
is($selected->($r, 'sort'), 'rating', '... the sort too');
like($r->{main}, qr{<input class="input" id="q" name="q" type="search" value="bo"}, '... and the name searched');
like($r->{main}, qr{<details class="filters__more" open>}, '... with the filters open');
is($named->($link->($r, qr/^Choose Dr Bo Tran$/)), "/book/time?serviceId=consult&q=bo&gender=male&sort=rating&practitionerId=bo",
	"a psychologist's link keeps the search");
is($named->($link->($r, qr/^See times with anyone available$/)), "/book/time?serviceId=consult&q=bo&gender=male&sort=rating",
	'so does "anyone available"');
is($named->($link->($r, qr/^Clear search and filters$/)), '/book/psychologist?serviceId=consult', 'clearing keeps the service only');
is_deeply($list->('q=nobody'), [], 'nobody found:');
like($get->("/book/psychologist?serviceId=$consult&q=nobody")->{main}, qr/No psychologist matches your search/, '... says so');

$r = $get->("/book/psychologist?serviceId=$consult&gender=zz&availableWithinDays=abc&locationId=$their_loc");
is($r->{status}, 400, 'bad filters: 400');
is($field_error->($r, 'gender'), 'Gender must be one of: female, male, non_binary, other', '... each by its field');
is($field_error->($r, 'availableWithinDays'), 'Available within (days) must be a whole number', '...');
is($field_error->($r, 'locationId'), "Location is not one of this clinic's", "... another clinic's centre unknown");
is_deeply($cards->($r), ['Cy Park', 'Dr Bo Tran', 'Dr Ada Ng'], '... and the list without them');
like($field_error->($get->("/book/psychologist?serviceId=$consult&availableWithinDays=0"), 'availableWithinDays'), qr/from 1 to 60/,
	'available within 0 days');
is($get->("/book/psychologist?serviceId=$consult&q=" . ('x' x 101))->{status}, 400, 'an oversized search');
$r = $get->('/book/psychologist');
is($r->{status}, 303, 'no service chosen: back to step 1');
is($r->{headers}{location}, '/book', '... at /book');
$r = $get->('/book/psychologist?serviceId=nope');
is($r->{status}, 400, 'a service id that is no UUID: 400');
like($text->($r->{main}), qr/Check your booking link .* Service must be an id \(a UUID\) .* Start your booking again/,
	'... a page that says so and leads back to /book');
ok(defined $link->($r, qr/^Start your booking again$/), '... with a link to /book');
$r = $get->("/book/psychologist?serviceId=$their_svc");
is($r->{status}, 400, "another clinic's service: 400");
like($text->($r->{main}), qr/Service is not one this clinic offers/, '... unknown here');

# ---- the profile ----
$r = $get->("/book/psychologists/$ada?serviceId=$consult&funding=medicare&q=ada");
is($r->{status}, 200, 'a profile: 200');
like($text->($r->{main}), qr/Dr Ada Ng Psychologist ★ 4\.5 out of 5 \(2 reviews\) About All about Dr Ada Ng\. Qualifications MPsych, MAPS Works with Anxiety, Trauma Languages English, Chinese Where Carlton and telehealth/,
	'name, rating, bio, qualifications, specialties, languages, where');
like($text->($r->{main}), qr/Next free times For Consult .* in Australia\/Sydney time\. Tue 1 Dec, 9:00 am In person Tue 1 Dec, 11:00 am In person Tue 1 Dec, 12:00 pm In person Wed 2 Dec, 9:00 pm Telehealth \(video\)/,
	'the next free times (10:00 is taken)');
is($named->($link->($r, qr/^Back to psychologists$/)), '/book/psychologist?serviceId=consult&funding=medicare&q=ada', 'Back keeps the search');
is($named->($link->($r, qr/^See all times with/)), '/book/time?serviceId=consult&funding=medicare&q=ada&practitionerId=ada', '... and so does the way on');
like($text->($get->("/book/psychologists/$ada?serviceId=$consult&sessionType=telehealth")->{main}),
	qr/Next free times .* time\. Wed 2 Dec, 9:00 pm Wed 2 Dec, 10:00 pm See all times/,
	'a session type chosen in step 1: only times of that kind, untagged');
is($get->("/book/psychologists/$theirs?serviceId=$consult")->{status}, 404, "another clinic's psychologist: 404");
is($get->("/book/psychologists/$dee?serviceId=$consult")->{status}, 404, 'an inactive one: 404');
is($get->("/book/psychologists/nope?serviceId=$consult")->{status}, 404, 'an id that is no UUID: 404');
is($get->("/book/psychologists/$ada")->{status}, 303, 'no service: back to step 1');
$r = $get->("/book/psychologists/$ada?serviceId=$consult&tz=Mars/Olympus");
is($r->{status}, 400, 'a profile with a zone that is no zone: 400');
is($field_error->($r, 'tz'), 'Time zone must be a time zone like Australia/Sydney', '... said by the zone field');
is_deeply($errors->($r), ['Time zone must be a time zone like Australia/Sydney'], '... and in the summary');
like($r->{main}, qr{<input class="input input--medium" id="tz" name="tz" type="text" value="Mars/Olympus"}, '... the zone typed kept in it');
like($r->{main}, qr{<form class="tz-form" method="get" action="/book/psychologists/$ada"}, '... a form back to this profile');
is_deeply($hidden->($r), { serviceId => $consult }, '... carrying the other choices, not the bad zone');
like($text->($r->{main}), qr/in Australia\/Sydney time\. Your time zone .* Show times Tue 1 Dec, 9:00 am In person/, "... the times in the clinic's zone meanwhile");
like($link->($r, qr/^Tue 1 Dec, 9:00 am/), qr/tz=Australia%2FSydney/, "... and their links name the clinic's zone");
$r = $get->("/book/psychologists/$ada?serviceId=$consult&tz=Australia/Perth");
is($r->{status}, 200, 'a good zone: 200');
like($text->($r->{main}), qr/in Australia\/Perth time\. Tue 1 Dec, 6:00 am In person/, '... the times in it');
unlike($r->{main}, qr/tz-form|error-summary/, '... and no zone form or error');

# ---- step 3: /book/time ----
$r = $get->($link->($get->($step2), qr/^Choose Dr Ada Ng$/));
is($r->{status}, 200, 'step 3 by the link: 200');
like($r->{main}, qr{Step 3 of 6}, 'step 3 of 6');
like($text->($r->{main}), qr/Consult \(50 minutes, in person or telehealth\) with Dr Ada Ng/, 'the service and the psychologist');
like($r->{main}, qr{<form class="tz-form"[^>]* data-tz-detect>}, 'no zone in the URL: the browser may say its own');
like($r->{main}, qr{<input class="input input--medium" id="tz" name="tz" type="text" value="Australia/Sydney"}, "... the clinic's zone until then");
my $days = sub { [ map { $text->($_) } $_[0]{main} =~ m{<a class="day[^>]*>(.*?)</a>}sg ] };
my @days = @{ $days->($r) };
is(scalar @days, 14, 'a day picker of 14 days');
is($days[0], 'Mon 30 Nov No times', '... from today');
is($days[1], 'Tue 1 Dec 3 times', '... each with its count');
is($days[2], 'Wed 2 Dec 2 times', '...');
like($r->{main}, qr{<h2 class="times__title" id="times-title">Tuesday 1 December</h2>}, 'the first day with times is shown');
is_deeply($slots->($r), ['9:00 am In person', '11:00 am In person', '12:00 pm In person'], "its times; 10:00 is taken");
my $hid = $hidden->($r);
is_deeply([sort keys %$hid], [qw(from funding practitionerId serviceId to)], "the zone form keeps the choices");
my $day2 = $link->($r, qr/^Wed 2 Dec 2 times$/);
like($day2, qr/&date=2026-12-02/, "a day's link names it");
$r = $get->($day2);
is_deeply($slots->($r), ['9:00 pm Telehealth', '10:00 pm Telehealth'], "Wednesday: Perth's evening by video, in Sydney time");
like($r->{main}, qr{<a class="day day--current" href="[^"]*date=2026-12-02[^"]*" aria-current="date"}, '... the day picker marks it');
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&tz=Pacific/Auckland&date=2026-12-03");
is_deeply($slots->($r), ['12:00 am Telehealth'], "in Auckland, Perth's 19:00 Wednesday is Thursday 00:00");
unlike($r->{main}, qr/data-tz-detect/, '... a zone the URL names is kept');
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&tz=Australia/Perth&date=2026-12-02&sessionType=telehealth");
is_deeply($slots->($r), ['6:00 pm', '7:00 pm'], "in Perth, at Perth's wall clock; a chosen session type needs no tag");
my @keys = $r->{main} =~ m{<li data-slot="([^"]*)">}g;
my ($poll) = $r->{main} =~ m{data-poll="([^"]*)"};
$poll = unhtml($poll);
is($named->($poll), '/api/availability?serviceId=consult&sessionType=telehealth&practitionerId=ada&tz=Australia%2FPerth&from=2026-12-01&to=2026-12-03',
	"the grid's poll: the API for the day and its neighbours");
my $api = KairosTest::json($k->get($poll));
my %free = map { join('|', $_->{start}, $_->{practitionerId}, $_->{locationId} // '', $_->{sessionType}) => 1 } @{ $api->{slots} };
is(scalar(grep { $free{$_} } @keys), 2, "each slot's key is one of the API's slots, as slots.js builds them");

# hours at a centre she no longer works at are not offered, as step 2 no longer lists her
# there (catalogue-api.t asks the API the same)
$psql->("DELETE FROM practitioner_locations WHERE practitioner_id = '$ada' AND location_id = '$carlton'");
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&date=2026-12-01");
is($r->{status}, 200, "Ada's Carlton link removed, her hours there left: 200");
is_deeply($slots->($r), [], '... no times at Carlton on Tuesday');
is((grep { /^Tue 1 Dec/ } @{ $days->($r) })[0], 'Tue 1 Dec No times', '... and the day picker agrees');
$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) VALUES ('$org', '$ada', '$carlton')");
is_deeply($slots->($get->("/book/time?serviceId=$consult&practitionerId=$ada&date=2026-12-01")),
	['9:00 am In person', '11:00 am In person', '12:00 pm In person'], '... linked again: her three times are back');

# anyone
$r = $get->($link->($get->($step2), qr/^See times with anyone available$/));
is($r->{status}, 200, 'anyone available: 200');
like($text->($r->{main}), qr/with anyone available/, '... says so');
is_deeply($slots->($r), ['9:00 am In person', '11:00 am In person', '12:00 pm In person', '12:00 pm In person', '1:00 pm In person'],
	"Tuesday: Ada's at Carlton and Cy's at Perth");
like($r->{main}, qr{<span class="visually-hidden"> with Cy Park at Perth</span>}, '... each says with whom and where');
like($r->{main}, qr{data-slot-grid data-poll="[^"]*" data-any}, '... and slots.js keys them without the practitioner');
my @any = $r->{main} =~ m{<li data-slot="([^"]*)">}g;
like($any[0], qr{^2026-12-01T09:00:00\+11:00\|\|\Q$carlton\E\|in_person$}, '... as start||location|type');

# the range
$r = $get->("/book/time?serviceId=$consult&practitionerId=$bo&from=2026-12-07&to=2026-12-13");
is(scalar @{ $days->($r) }, 7, 'a range named in the URL');
like($r->{main}, qr{<h2 class="times__title" id="times-title">Thursday 10 December</h2>}, "... its first day with times");
is($named->($link->($r, qr/^Earlier days$/)), '/book/time?serviceId=consult&practitionerId=bo&tz=Australia%2FSydney&from=2026-11-30&to=2026-12-13',
	'earlier days, not before today');
is($named->($link->($r, qr/^Later days$/)), '/book/time?serviceId=consult&practitionerId=bo&tz=Australia%2FSydney&from=2026-12-14&to=2026-12-27', 'later days');
$r = $get->("/book/time?serviceId=$consult&practitionerId=$bo&from=2026-12-01&to=2026-12-31");
is($r->{status}, 200, 'a 31-day range in the URL (the most the API answers): 200');
is(scalar @{ $days->($r) }, 29, '... its first 29 days shown: with a day either side, one query of 31');
like($link->($r, qr/^Later days$/), qr/&from=2026-12-30&/, '... later days go on from the 30th');
$r = $get->("/book/time?serviceId=$consult&practitionerId=$bo&date=2026-12-07");
like($text->($r->{main}), qr/No free times on this day Go to the next day with free times/, 'a day without times leads to the next with some');
like($link->($r, qr/^Go to the next day with free times$/), qr/date=2026-12-10/, '... Thursday');

# bad values in step 3
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&tz=Mars/Base");
is($r->{status}, 400, 'an unknown zone: 400');
is($field_error->($r, 'tz'), 'Time zone must be a time zone like Australia/Sydney', '... by the zone field');
is_deeply($slots->($r), ['9:00 am In person', '11:00 am In person', '12:00 pm In person'], "... times in the clinic's zone meanwhile");
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&from=2026-12-14&to=2026-12-01");
is($r->{status}, 400, 'a reversed range: 400');
is_deeply($errors->($r), ['To must be on or after From'], '... said');
like($r->{main}, qr{id="start-again"}, '... where the summary link points');
is(scalar(() = $r->{main} =~ /class="day__weekday"/g), 14, '... the usual days shown');
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&from=2026-12-01&to=2027-03-01");
is_deeply($errors->($r), ['To must be at most 31 days from From, both included'], 'too long a range: 400') or diag $r->{status};
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&from=2026-02-30");
is_deeply($errors->($r), ['From must be a real date, like 2026-03-27'], 'a date that does not exist');
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&date=2027-06-01");
is_deeply($errors->($r), ['Choose a day from the list'], 'a day outside the range');
$r = $get->("/book/time?serviceId=$consult&practitionerId=$theirs");
is($r->{status}, 400, "another clinic's psychologist: 400");
like($text->($r->{main}), qr/Psychologist is not one of this clinic's/, '... unknown here');
$r = $get->("/book/time?serviceId=$couples&practitionerId=$ada");
like($text->($r->{main}), qr/Psychologist does not offer this service/, 'a psychologist who does not offer the service');
is($get->('/book/time')->{status}, 303, 'no service: back to step 1');

# ---- the summary, by a slot's link ----
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&funding=medicare");
my $slot = $link->($r, qr/^9:00 am In person/);
is($named->($slot), '/book/summary?serviceId=consult&sessionType=in_person&locationId=carlton&funding=medicare&practitionerId=ada&tz=Australia%2FSydney&from=2026-11-30&to=2026-12-13&start=2026-12-01T09%3A00%3A00%2B11%3A00',
	"a slot's link: the choices and the slot (initiate's fields)");
$r = $get->($slot);
is($r->{status}, 200, 'the summary: 200');
like($text->($r->{main}), qr/Check your choice Service Consult \(50 minutes, in person or telehealth\) Change service Psychologist Dr Ada Ng Change psychologist Date and time Tuesday 1 December 2026, 9:00 am \(Australia\/Sydney time\) Change date and time Where Carlton/,
	'service, psychologist, time in the patient\'s zone, where');
like($text->($r->{main}), qr/Price with a Medicare rebate Fee \$220\.00 Medicare rebate −\$98\.50 You pay after the rebate \$121\.50/,
	"the server's price for the funding chosen");
my $next = $link->($r, qr/^Continue: sign in$/);
like($next, qr{^/signin\?next=}, 'the way on: sign in ...');
is(dec($next =~ s/^.*next=//r), $slot, '... with a next back to this summary');
$r = $get->($next);
is($r->{status}, 200, '... a page that exists');
like($r->{content}, qr{<input type="hidden" name="next" value="\Q@{[ $slot =~ s/&/&amp;/gr ]}\E">}, '... which keeps the next');
is($named->($link->($get->($slot), qr/^Change date and time$/)),
	'/book/time?serviceId=consult&sessionType=in_person&locationId=carlton&funding=medicare&practitionerId=ada&tz=Australia%2FSydney&from=2026-11-30&to=2026-12-13&date=2026-12-01',
	'changing the time goes back to that day');
{	# a summary whose range does not hold its slot's day (reached from a profile's next free
	# times, opened from a later range of step 3: found by KTEST_CRAWL_ALL=1 crawl.t)
	my $later = $slot =~ s/from=2026-11-30&to=2026-12-13/from=2026-12-18&to=2026-12-31/r;
	my $change = $link->($get->($later), qr/^Change date and time$/);
	is($named->($change),
		'/book/time?serviceId=consult&sessionType=in_person&locationId=carlton&funding=medicare&practitionerId=ada&tz=Australia%2FSydney&date=2026-12-01',
		'... and when the range does not hold that day, the link names the day alone');
	is($get->($change)->{status}, 200, '... which step 3 shows (it answered 400)');
}
$r = $get->("/book/summary?" . ($slot =~ s/^.*\?//r =~ s/Australia%2FSydney/Australia%2FPerth/r));
like($text->($r->{main}), qr/Tuesday 1 December 2026, 6:00 am \(Australia\/Perth time\) Tue 1 Dec, 9:00 am at the centre \(Australia\/Melbourne\)/,
	"in another zone, the centre's time too");
my $patient = $k->patient('+61400000777');
$r = $get->($slot, headers => { Authorization => "Bearer $patient->{accessToken}" });
like($text->($r->{main}), qr/You're signed in\./, 'a signed-in patient is told what comes next') or diag $r->{status};
ok(!defined $link->($r, qr/^Continue: sign in$/), '... and is not sent to sign in again');

# anyone: the slot names its psychologist, and Back returns to anyone
$r = $get->("/book/time?serviceId=$consult");
$slot = $link->($r, qr/^12:00 pm In person with Cy Park/);
like($slot, qr/practitionerId=\Q$cy\E.*&any=1$/, "an anyone slot names its psychologist and that anyone was asked");
$r = $get->($slot);
like($text->($r->{main}), qr/Psychologist Cy Park .* Tuesday 1 December 2026, 12:00 pm .* Where Perth/, "... Cy's summary");
unlike($link->($r, qr/^Change date and time$/), qr/practitionerId/, '... going back shows anyone again');

# taken meanwhile: gone from the grid, from the API, and the summary says so
$r = $get->("/book/time?serviceId=$consult&practitionerId=$ada&funding=medicare");
$slot = $link->($r, qr/^11:00 am In person/);
$d->{db}->appointment($org, practitioner => $ada, service => $consult, location => $carlton, start => '2026-12-01 11:00+11',
	status => 'held', hold_expires => '2026-11-30 01:10Z');	# a live hold on the app's clock
$r = $get->($slot);
is($r->{status}, 409, 'a time taken since: 409');
like($text->($r->{main}), qr/Sorry, that time is no longer free\. Choose another time ?\./, '... says so');
like($link->($r, qr/^Choose another time$/), qr{^/book/time\?.*date=2026-12-01}, '... and leads back to that day');
is_deeply($slots->($get->("/book/time?serviceId=$consult&practitionerId=$ada")), ['9:00 am In person', '12:00 pm In person'],
	'... gone from the grid');
($poll) = $get->("/book/time?serviceId=$consult&practitionerId=$ada")->{main} =~ m{data-poll="([^"]*)"};
ok(!grep({ $_->{start} eq '2026-12-01T11:00:00+11:00' } @{ KairosTest::json($k->get(unhtml($poll)))->{slots} }),
	'... and from the API slots.js polls');

# bad values in the summary
$r = $get->("/book/summary?serviceId=$consult&practitionerId=$ada&sessionType=in_person&tz=UTC&start=tomorrow");
is($r->{status}, 400, 'a start that is no time: 400');
like($text->($r->{main}), qr/Choose a time from the list/, '... said');
for my $bad ('2026-12-01T%209:00:00%2B11:00', '2026-12-01T09:00:00Z', '2026-12-01T09:00:00%2B11:00x', '2026-02-30T09:00:00%2B11:00') {
	is($get->("/book/summary?serviceId=$consult&practitionerId=$ada&sessionType=in_person&tz=UTC&start=$bad")->{status}, 400,
		"a start not as the API writes it ($bad): 400");
}
$r = $get->("/book/summary?serviceId=$consult&practitionerId=$ada&sessionType=in_person&locationId=$carlton&tz=UTC&start=2026-12-01T03:30:00%2B00:00");
is($r->{status}, 409, 'a time that is no slot: 409, no longer free');
$r = $get->("/book/summary?serviceId=$consult&practitionerId=$theirs&sessionType=in_person&tz=UTC&start=2026-12-01T03:30:00%2B00:00");
is($r->{status}, 400, "another clinic's psychologist: 400");
$r = $get->("/book/summary?serviceId=$consult");
is($r->{status}, 400, 'nothing chosen: 400');
is_deeply($errors->($r), ['Enter psychologist', 'Choose a time', 'Choose session type', 'Enter time zone'], '... each missing choice named');

# ---- the funnel: one event per step, for the visit ----
$visit = '0' x 31 . '1';
$get->('/book?sessionType=in_person');
$get->("/book/psychologist?serviceId=$consult&sessionType=in_person&locationId=$carlton");
$get->("/book/psychologists/$ada?serviceId=$consult&sessionType=in_person");
$get->("/book/time?serviceId=$consult&practitionerId=$ada&sessionType=in_person");
$get->("/book/summary?serviceId=$consult&practitionerId=$ada&sessionType=in_person&locationId=$carlton&tz=UTC&start=2026-11-30T22:00:00%2B00:00");
$get->('/book?sessionType=nope');	# refused: no event
is($named->($events->()), join("\n", 'service - - - in_person - -', 'psychologist consult - carlton in_person - -',
	'profile consult ada - in_person - -', 'time consult ada - in_person - -', 'slot consult ada carlton in_person 9 2'),
	"the visit's events: the step, what was chosen, the slot's hour and weekday at the centre");
is($psql->("SELECT count(*) FROM funnel_events WHERE visit_id = '$visit' AND org_id = '$org'"), 5, "... all this clinic's");
# HEAD is answered as GET is, but is no visitor's step: link previewers and uptime checks
for my $path ('/book', "/book/psychologist?serviceId=$consult", "/api/services", "/api/psychologists?serviceId=$consult") {
	my $r = $k->request('HEAD', $path, headers => { Cookie => "kairos_visit=$visit", 'X-Visit-Id' => $visit });
	is($r->{status}, 200, "HEAD $path is answered");
}
is($psql->("SELECT count(*) FROM funnel_events WHERE visit_id = '$visit'"), 5, '... and records no funnel event');
# a telehealth slot from no centre is made from the practitioner's own hours in their zone:
# its hour is the one the clinic set (Ada's Wednesday 18:00 in Perth), not the clinic's
# wall clock (21:00 in Melbourne in summer). The clinic's zone is Melbourne for this, read
# through a host no worker has looked up yet (workers keep a host's clinic for a while).
$visit = '0' x 31 . '2';
$psql->("UPDATE organisations SET timezone = 'Australia/Melbourne' WHERE id = '$org'");
$psql->("INSERT INTO organisation_domains (host, org_id) VALUES ('melbourne.test', '$org')");
{
	open(my $fh, '-|', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: melbourne.test',
		'-H', "Cookie: kairos_visit=$visit",
		$k->url("/book/summary?serviceId=$consult&practitionerId=$ada&sessionType=telehealth&tz=UTC&start=2026-12-02T10:00:00%2B00:00"))
		or die "curl: $!";
	local $/;
	is(<$fh>, 200, "a telehealth slot from Ada's own hours, in a Melbourne clinic: 200");
	close $fh;
}
is($named->($events->()), 'slot consult ada - telehealth 18 3',
	"... its event's hour and weekday are Perth's 18:00 Wednesday, where her hours are, not Melbourne's 21:00");
$psql->("DELETE FROM organisation_domains WHERE host = 'melbourne.test'");
$psql->("UPDATE organisations SET timezone = 'Australia/Sydney' WHERE id = '$org'");
my $fresh = $k->get('/book');
my $cookies = $fresh->{headers}{'set-cookie'} // '';
like(ref $cookies ? join("\n", @$cookies) : $cookies, qr/kairos_visit=[0-9a-f]{32}/, 'a first visit gets its visit cookie');
# the wizard's forms are GETs: no CSRF token is made for them, and no visitor cookie set for
# one; a page that posts (sign-in) gets both
my $set_cookies = sub { my $c = $_[0]{headers}{'set-cookie'} // ''; ref $c ? join("\n", @$c) : $c };
my @wizard = ($fresh, $get->("/book/psychologist?serviceId=$consult"), $get->("/book/psychologist?serviceId=$consult"));
is_deeply([map { $set_cookies->($_) =~ /kairos_v=/ ? 1 : 0 } @wizard], [0, 0, 0],
	'no visitor cookie from the wizard (step 1, step 2 built and step 2 kept)');
is_deeply([map { $_->{content} =~ /name="_csrf"/ ? 1 : 0 } @wizard], [0, 0, 0], '... and no CSRF field in them');
my $signin = $k->get('/signin');
like($set_cookies->($signin), qr/kairos_v=[0-9a-f]{32}/, 'a page that posts a form sets the visitor cookie its token is bound to');
like($signin->{content}, qr/name="_csrf" value="[^"]{20,}"/, '... and carries the token');

# ---- tenancy by host: another clinic's wizard shows its own catalogue ----
$psql->("INSERT INTO organisation_domains (host, org_id) VALUES ('beacon.test', '$beacon')");
my $as_beacon = sub {
	open(my $fh, '-|', 'curl', '-s', '-w', '\n%{http_code}', '-H', 'Host: beacon.test', $k->url($_[0])) or die "curl: $!";
	local $/;
	my $body = <$fh>;
	close $fh;
	my ($content, $status) = $body =~ /^(.*)\n(\d+)$/s;
	{ status => $status, content => $content, main => $content =~ m{<main[^>]*>(.*)</main>}s ? $1 : '' };
};
is_deeply($cards->($as_beacon->('/book')), ['Beacon consult'], "another clinic's host: its own services");
is_deeply($cards->($as_beacon->("/book/psychologist?serviceId=$their_svc")), ['Dr Beacon'], '... and psychologists');
is($as_beacon->("/book/psychologist?serviceId=$consult")->{status}, 400, '... where our service is unknown');
is($as_beacon->("/book/psychologists/$ada?serviceId=$their_svc")->{status}, 404, '... and our psychologist');

ok(!grep({ /"status":5\d\d/ } split /\n/, $k->slurp('log/kairos.log')), 'no request was answered with a 5xx');
# ---- a commit that fails after the page was laid out: the 503 page alone ----
# (step 2 sends its list from where it is kept, around the layout: the error page that
# replaces it must not carry it along). A deferred check fails the visit's funnel event at
# COMMIT, after the handler's answer was rendered.
$psql->(q{CREATE FUNCTION fail_visit() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION ''refused at commit''; END'});
$psql->(q{CREATE CONSTRAINT TRIGGER funnel_fail_visit AFTER INSERT ON funnel_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.visit_id = 'deadbeefdeadbeefdeadbeefdeadbeef') EXECUTE FUNCTION fail_visit()});
my $doomed = sub { $k->get($_[0], headers => { Cookie => 'kairos_visit=deadbeefdeadbeefdeadbeefdeadbeef' }) };
for my $try (1 .. 2) {	# built, then kept
	my $r = $doomed->("/book/psychologist?serviceId=$consult&q=dr");
	ok($r->{status} == 503 && $r->{content} !~ /Dr Ada Ng/ && $r->{content} =~ m{</html>\s*$} &&
		$r->{headers}{'content-length'} == length $r->{content},
		"step 2 whose commit fails ($try): the 503 page alone, of its own length") or diag "$r->{status} " . length $r->{content};
}
is($get->("/book/psychologist?serviceId=$consult&q=dr")->{status}, 200, '... while another visit is answered');
$psql->('DROP TRIGGER funnel_fail_visit ON funnel_events');

$k->finish;
done_testing;
