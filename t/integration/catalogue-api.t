#!/usr/bin/env perl
# The catalogue's JSON API (BOOK-1, BOOK-2, BOOK-3, BOOK-4's rating, BOOK-6, BOOK-13;
# patient-api.md "Catalogue and availability"), with a clinic built here by t/lib/BookingData.pm:
#   GET /api/services       every filter, prices from price_rules (most specific rule wins;
#                           fee, rebate, gap as {"amount","currency"}), another funding;
#   GET /api/psychologists  every filter, list order, sort soonest and rating, the rating of
#                           approved reviews only, nextAvailable in the slot's zone or the
#                           patient's;
#   GET /api/availability   one practitioner or any, session type and location filters, busy
#                           time, the daylight-saving days of Melbourne and New York shown in
#                           the patient's zone;
# 400 with details for ids that are no UUIDs or unknown (another clinic's are unknown), a
# reversed or too long range, an unknown zone, a date that does not exist, and hostile
# input (bad UTF-8, oversized, wrong types, repeated parameters, NUL). Funnel: one event per
# step, read back by visit; none for a refused request. Reviews (0019): one per completed
# appointment.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use BookingData;
use JSON::PP;
use Test::More;
use Encode ();

# Monday 30 November 2026, 12:00 in Melbourne (AEDT, +11:00)
my $k = KairosTest->start(workers => 1, env => { KAIROS_TEST_CLOCK => '2026-11-30T01:00:00Z' });
my $dir = $k->dir;
my $db = BookingData->new($k);
my $psql = sub { $db->psql(@_) };

my $org = $psql->("SELECT id FROM organisations WHERE is_default");
my $beacon = $db->organisation('beacon', 'Beacon');
my $carlton = $db->location($org, 'Carlton', 'Australia/Melbourne');
my $perth = $db->location($org, 'Perth', 'Australia/Perth');
my $their_loc = $db->location($beacon, 'Beacon House', 'Australia/Sydney');

my $service = sub { my ($o, $name, @f) = @_; $db->service($o, $name, @f, description => "$name sessions") };
my $consult = $service->($org, 'Consult', 50, '{in_person,telehealth}', '{Anxiety,Depression}', 1);
my $couples = $service->($org, 'Couples', 80, '{in_person}', '{Relationships}', 2);
my $retired = $service->($org, 'Retired', 50, '{in_person}', '{}', 0, active => 'false');
my $their_svc = $service->($beacon, 'Beacon consult', 50, '{in_person}', '{}', 0);

# this clinic's psychologists have a photo each, a short bio and one qualification
my $pr = sub { my ($o, %p) = @_; $db->practitioner($o, photo => "/static/$p{name}.jpg", bio => "About $p{name}", quals => '{MPsych}', %p) };
my $ada = $pr->($org, name => 'Dr Ada Ng', spec => '{Anxiety,Trauma}', lang => '{en,zh}', gender => 'female',
	tele => 'true', tz => 'Australia/Perth', after => 10, order => 3, offers => [$consult], at => [$carlton]);
my $bo = $pr->($org, name => 'Dr Bo Tran', spec => '{Depression}', lang => '{en}', gender => 'male',
	tele => 'false', tz => 'Australia/Melbourne', after => 0, order => 2, offers => [$consult, $couples], at => [$carlton]);
my $cy = $pr->($org, name => 'Cy Park', spec => '{trauma}', lang => '{en,vi}', gender => 'non_binary',
	tele => 'true', tz => 'Australia/Perth', after => 0, order => 1, offers => [$consult], at => [$perth]);
my $dee = $pr->($org, name => 'Dr Dee Gone', spec => '{Anxiety}', lang => '{en}', gender => 'female',
	tele => 'true', tz => 'Australia/Melbourne', after => 0, order => 0, offers => [$consult], at => [$carlton], active => 'false');
my $theirs = $pr->($beacon, name => 'Dr Beacon', spec => '{Anxiety}', lang => '{en}', gender => 'female',
	tele => 'true', tz => 'Australia/Sydney', after => 0, order => 0, offers => [$their_svc], at => [$their_loc]);

$db->rule($org, $ada, $carlton, 'in_person', 2, '09:00', '13:00');	# Tuesdays at Carlton, hourly (50 + 10)
$db->rule($org, $ada, undef, 'telehealth', 3, '18:00', '20:00');	# Wednesday evenings from Perth
$db->rule($org, $bo, $carlton, 'in_person', 4, '10:00', '12:00');	# Thursdays, every 50 minutes
$db->rule($org, $dee, $carlton, 'in_person', 2, '09:00', '17:00');	# inactive: never offered
# the daylight-saving days (Melbourne springs forward on Sunday 4 October, New York falls
# back on Sunday 1 November): Saturdays to Mondays at Carlton, only around then
$db->rule($org, $ada, $carlton, 'in_person', $_, '09:00', '11:00', '2026-10-01', '2026-11-02') for 6, 0, 1;

my $appt = sub {
	my ($p, $start, $status) = @_;
	$db->appointment($org, practitioner => $p, service => $consult, location => $carlton, start => $start, status => $status);
};
$appt->($ada, '2026-12-01 10:00+11', 'confirmed');
my @done = map { $appt->($_->[0], $_->[1], 'completed') } [$ada, '2026-11-10 09:00+11'], [$ada, '2026-11-11 09:00+11'],
	[$ada, '2026-11-12 09:00+11'], [$cy, '2026-11-10 09:00+11'], [$bo, '2026-11-10 09:00+11'], [$cy, '2026-11-13 09:00+11'];
my $upcoming = $appt->($bo, '2026-11-17 09:00+11', 'confirmed');
# a review the database refuses: psql's message
my $refused = sub { eval { $db->review($org, @_); 1 } ? 'accepted' : $@ };
$db->review($org, $done[0], $ada, 5, 'approved');
$db->review($org, $done[1], $ada, 4, 'approved');
$db->review($org, $done[2], $ada, 1, 'pending');	# not counted until approved
$db->review($org, $done[3], $cy, 5, 'approved');
$db->review($org, $done[4], $bo, 1, 'rejected');	# never counted

# reviews (0019): one per completed appointment, of its own practitioner
like($refused->($upcoming, $bo, 5, 'pending'), qr/only a completed appointment/, 'a confirmed appointment cannot be reviewed');
like($refused->($done[0], $ada, 3, 'pending'), qr/duplicate key/, 'nor one reviewed already');
like($refused->($done[5], $ada, 3, 'pending'), qr/foreign key/, "nor reviewed as another practitioner's");
is($psql->("SELECT string_agg(relname || '=' || relrowsecurity, ' ' ORDER BY relname) FROM pg_class
	WHERE relname IN ('reviews', 'funnel_events')"), 'funnel_events=true reviews=true', 'both new tables have row-level security');

$db->price($org, $consult, undef, undef, 'private', 22000, 0);
$db->price($org, $consult, $carlton, 'in_person', 'private', 24000, 0);
$db->price($org, $consult, undef, 'telehealth', 'private', 20000, 0);
$db->price($org, $consult, undef, undef, 'medicare', 22000, 9850);
$db->price($org, $consult, undef, undef, 'insurer', 22000, 6000, 'Bupa');
$db->price($org, $consult, undef, undef, 'insurer', 21000, 5000, 'Émile Health');
$db->price($org, $couples, undef, undef, 'private', 30000, 0);
$psql->("UPDATE price_rules SET active = false WHERE fee_minor = 30000");
$db->price($org, $couples, undef, undef, 'private', 32000, 0);	# the active one

# ---- helpers ----
sub enc { my $s = shift; $s =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; $s }
my $visit = '0123456789abcdef0123456789abcdef';
my $get = sub {
	my ($path, @pairs) = @_;
	my $q = '';
	while (my ($n, $v) = splice @pairs, 0, 2) { $q .= ($q eq '' ? '?' : '&') . "$n=" . enc($v) }
	my $r = $k->get("$path$q", headers => { 'X-Visit-Id' => $visit });
	$r->{json} = KairosTest::json($r);
	$r;
};
my $names = { $ada => 'ada', $bo => 'bo', $cy => 'cy', $dee => 'dee', $carlton => 'carlton', $perth => 'perth' };
my $who = sub { join ' ', map { $names->{$_->{id}} // $_->{name} } @{ $_[0]{json}{psychologists} // [] } };
my $svcs = sub { join ' ', map { $_->{name} } @{ $_[0]{json}{services} // [] } };
my $slots = sub {
	join "\n", map { join ' ', $_->{start}, $_->{end}, $names->{$_->{practitionerId}} // '?',
		$_->{locationId} ? $names->{$_->{locationId}} // '?' : '-', $_->{sessionType} } @{ $_[0]{json}{slots} // [] };
};
my $bad = sub {
	my ($r, $details, $what) = @_;
	is($r->{status}, 400, "$what: 400");
	is($r->{json}{error}, 'Invalid request', '... Invalid request');
	is_deeply($r->{json}{details}, $details, '... with details') or diag explain $r->{json};
};
my $money = sub { { amount => $_[0], currency => 'AUD' } };

# ---- GET /api/services ----
my $r = $get->('/api/services');
is($r->{status}, 200, 'services: 200');
is($svcs->($r), 'Consult Couples', 'active services of this clinic in list order (not inactive, not another clinic\'s)');
is_deeply($r->{json}{services}[0], { id => $consult, name => 'Consult', description => 'Consult sessions', durationMinutes => 50,
	sessionTypes => ['in_person', 'telehealth'], concerns => ['Anxiety', 'Depression'],
	price => { funding => 'private', fee => $money->(22000), rebate => $money->(0), gap => $money->(22000) } },
	'a service as patient-api.md has it, priced by the general private rule');
is($r->{json}{services}[1]{price}{fee}{amount}, 32000, 'the active rule only');
is($svcs->($get->('/api/services', sessionType => 'telehealth')), 'Consult', 'sessionType filter');
is($get->('/api/services', sessionType => 'telehealth')->{json}{services}[0]{price}{fee}{amount}, 20000,
	'... priced by the telehealth rule');
is($svcs->($get->('/api/services', locationId => $perth)), 'Consult', 'locationId filter: what someone at Perth offers');
is($svcs->($get->('/api/services', locationId => $carlton)), 'Consult Couples', '... at Carlton');
is($get->('/api/services', locationId => $carlton)->{json}{services}[0]{price}{fee}{amount}, 22000,
	'a location without a session type: the general rule (the Carlton in-person rule needs both)');
is($get->('/api/services', locationId => $carlton, sessionType => 'in_person')->{json}{services}[0]{price}{fee}{amount}, 24000,
	'Carlton, in person: the most specific rule');
is($get->('/api/services', locationId => $perth, sessionType => 'in_person')->{json}{services}[0]{price}{fee}{amount}, 22000,
	'Perth, in person: back to the general rule');
is($svcs->($get->('/api/services', concern => 'relationships')), 'Couples', 'concern filter, any case');
is($svcs->($get->('/api/services', concern => 'gambling')), '', 'a concern nobody treats: none');
$r = $get->('/api/services', funding => 'medicare');
is_deeply($r->{json}{services}[0]{price}, { funding => 'medicare', fee => $money->(22000), rebate => $money->(9850), gap => $money->(12150) },
	'Medicare: fee, rebate and gap');
is($r->{json}{services}[1]{price}, undef, '... and null for a service with no Medicare rule');
is_deeply($get->('/api/services', funding => 'insurer', insurer => 'Bupa')->{json}{services}[0]{price},
	{ funding => 'insurer', insurer => 'Bupa', fee => $money->(22000), rebate => $money->(6000), gap => $money->(16000) },
	'an insurer');
for my $typed ('bupa', '  BUPA ') {
	is_deeply($get->('/api/services', funding => 'insurer', insurer => $typed)->{json}{services}[0]{price},
		{ funding => 'insurer', insurer => 'Bupa', fee => $money->(22000), rebate => $money->(6000), gap => $money->(16000) },
		"the insurer as a patient types it ('$typed'): the clinic's Bupa rule, named as the clinic spells it");
}
# accented capitals fold as the database folds them (0027's index calls these one insurer)
for my $typed ('émile health', 'ÉMILE HEALTH', 'Émile Health') {
	my $price = $get->('/api/services', funding => 'insurer', insurer => $typed)->{json}{services}[0]{price};
	ok($price && $price->{fee}{amount} == 21000 && $price->{insurer} eq Encode::decode('UTF-8', 'Émile Health'),
		"an insurer with an accented capital, typed '$typed': its rule");
}
is($get->('/api/services', funding => 'insurer', insurer => 'Emile Health')->{json}{services}[0]{price}, undef,
	'... but not without its accent');
is($get->('/api/services', funding => 'insurer', insurer => 'Bupa Extras')->{json}{services}[0]{price}, undef,
	'another name is another insurer: no price');
$bad->($get->('/api/services', funding => 'insurer'), { insurer => 'Choose your insurer' }, 'insurer funding without an insurer');
$bad->($get->('/api/services', locationId => $their_loc), { locationId => "Location is not one of this clinic's" },
	"another clinic's location");
$bad->($get->('/api/services', locationId => '6e0f3a6e-0000-4000-8000-000000000000'), { locationId => "Location is not one of this clinic's" },
	'an unknown location');
$bad->($get->('/api/services', locationId => 'carlton', sessionType => 'fax'),
	{ locationId => 'Location must be an id (a UUID)', sessionType => 'Session type must be one of: in_person, telehealth' },
	'not a UUID, not a session type');

# ---- GET /api/psychologists ----
$r = $get->('/api/psychologists');
is($r->{status}, 200, 'psychologists: 200');
is($who->($r), 'cy bo ada', "active practitioners in the clinic's order");
my ($a) = grep { $_->{id} eq $ada } @{ $r->{json}{psychologists} };
is_deeply($a, { id => $ada, name => 'Dr Ada Ng', title => 'Psychologist', photoUrl => '/static/Dr Ada Ng.jpg', bio => 'About Dr Ada Ng',
	qualifications => ['MPsych'], specialties => ['Anxiety', 'Trauma'], languages => ['en', 'zh'], gender => 'female',
	locations => [{ id => $carlton, name => 'Carlton', timezone => 'Australia/Melbourne' }], telehealth => JSON::PP::true,
	rating => { average => 4.5, count => 2 }, nextAvailable => undef },
	'a psychologist as patient-api.md has it; rating over approved reviews only; no service, no nextAvailable');
is_deeply([map { $_->{rating} } @{ $r->{json}{psychologists} }], [{ average => 5, count => 1 }, { average => 0, count => 0 },
	{ average => 4.5, count => 2 }], 'ratings: a rejected review does not count');
# the list's arrays are read without json-c when they hold no escape; text with escapes,
# and text that needs none but is not ASCII, comes back exactly too (chr(): the SQL goes
# through a shell)
$psql->(qq{UPDATE practitioners SET qualifications = ARRAY['MPsych', 'say ' || chr(34) || 'hi' || chr(34),
	'back' || chr(92) || 'slash', 'tab' || chr(9) || 'here'], specialties = ARRAY['Anxi' || chr(233) || 't' || chr(233), '']
	WHERE id = '$ada'});
$psql->(qq{UPDATE locations SET name = 'Carlton ' || chr(34) || 'North' || chr(34) WHERE id = '$carlton'});
($a) = grep { $_->{id} eq $ada } @{ KairosTest::json($k->get('/api/psychologists'))->{psychologists} };
is_deeply([$a->{qualifications}, $a->{specialties}, $a->{locations}[0]{name}],
	[['MPsych', 'say "hi"', 'back\\slash', "tab\there"], ["Anxi\x{e9}t\x{e9}", ''], 'Carlton "North"'],
	'arrays and centres with quotes, backslashes, tabs, accents and an empty string: as stored');
$psql->(qq{UPDATE practitioners SET qualifications = ARRAY['MPsych'], specialties = ARRAY['Anxiety', 'Trauma'] WHERE id = '$ada'});
$psql->(qq{UPDATE locations SET name = 'Carlton' WHERE id = '$carlton'});

$r = $get->('/api/psychologists', serviceId => $consult);
is_deeply({ map { $names->{$_->{id}} => $_->{nextAvailable} } @{ $r->{json}{psychologists} } },
	{ ada => '2026-12-01T09:00:00+11:00', bo => '2026-12-03T10:00:00+11:00', cy => undef },
	'nextAvailable of the service, in the slot\'s own zone; null for nobody free');
is($who->($get->('/api/psychologists', serviceId => $consult, sort => 'soonest')), 'ada bo cy', 'sort=soonest (none last)');
is($who->($get->('/api/psychologists', sort => 'rating')), 'cy ada bo', 'sort=rating: average, then count');
is($get->('/api/psychologists', serviceId => $consult, tz => 'America/New_York')->{json}{psychologists}[2]{nextAvailable},
	'2026-11-30T17:00:00-05:00', "nextAvailable in the patient's zone");
is($get->('/api/psychologists', serviceId => $consult, sessionType => 'telehealth')->{json}{psychologists}[2]{nextAvailable},
	'2026-12-02T18:00:00+08:00', 'sessionType=telehealth: her Wednesday evening from Perth, in her zone');
is($who->($get->('/api/psychologists', serviceId => $couples)), 'bo', 'serviceId: who offers it');
is($who->($get->('/api/psychologists', q => 'ada')), 'ada', 'q: a name part');
is($who->($get->('/api/psychologists', q => 'DR B')), 'bo', '... in any case');
is($who->($get->('/api/psychologists', q => '%')), '', '... literally (% is no wildcard)');
is($who->($get->('/api/psychologists', specialty => 'TRAUMA')), 'cy ada', 'specialty, any case');
is($who->($get->('/api/psychologists', language => 'vi')), 'cy', 'language');
is($who->($get->('/api/psychologists', gender => 'male')), 'bo', 'gender');
is($who->($get->('/api/psychologists', locationId => $perth)), 'cy', 'locationId');
is($who->($get->('/api/psychologists', telehealth => 'true')), 'cy ada', 'telehealth=true');
is($who->($get->('/api/psychologists', telehealth => 'false')), 'cy bo ada', 'telehealth=false: no filter');
$r = $get->('/api/psychologists', telehealth => 'maybe');
is($r->{status}, 400, 'telehealth=maybe: 400, not a filter by telehealth (it read as true)');
ok($r->{json}{details}{telehealth}, '... named') or diag explain $r->{json};
is($who->($get->('/api/psychologists', serviceId => $consult, availableWithinDays => 1)), 'ada', 'availableWithinDays=1');
is($who->($get->('/api/psychologists', serviceId => $consult, availableWithinDays => 7)), 'bo ada', 'availableWithinDays=7');
is($who->($get->('/api/psychologists', specialty => 'anxiety', gender => 'female', language => 'zh', locationId => $carlton)),
	'ada', 'filters together');
$bad->($get->('/api/psychologists', sort => 'soonest', availableWithinDays => 3),
	{ availableWithinDays => 'Choose a service to filter by availability', sort => 'Choose a service to sort by availability' },
	'availability without a service');
$bad->($get->('/api/psychologists', serviceId => $their_svc, locationId => $their_loc),
	{ serviceId => 'Service is not one this clinic offers', locationId => "Location is not one of this clinic's" },
	"another clinic's service and location");
$bad->($get->('/api/psychologists', serviceId => $retired), { serviceId => 'Service is not one this clinic offers' }, 'an inactive service');
$bad->($get->('/api/psychologists', availableWithinDays => 'soon', gender => 'x', sort => 'name', tz => 'Mars/Olympus'),
	{ availableWithinDays => 'Available within (days) must be a whole number', gender => 'Gender must be one of: female, male, non_binary, other',
	  sort => 'Sort by must be one of: soonest, rating', tz => 'Time zone must be a time zone like Australia/Sydney' },
	'wrong types and values');
$r = $get->('/api/psychologists', serviceId => $consult, availableWithinDays => 61);
is($r->{status}, 400, 'availableWithinDays past its maximum: 400');

# ---- GET /api/availability ----
my @week = (serviceId => $consult, from => '2026-11-30', to => '2026-12-06', tz => 'Australia/Melbourne');
$r = $get->('/api/availability', @week);
is($r->{status}, 200, 'availability: 200');
is($r->{json}{timezone}, 'Australia/Melbourne', 'with the zone the times are in');
is($slots->($r), join("\n",
	'2026-12-01T09:00:00+11:00 2026-12-01T09:50:00+11:00 ada carlton in_person',
	'2026-12-01T11:00:00+11:00 2026-12-01T11:50:00+11:00 ada carlton in_person',	# 10:00 is booked
	'2026-12-01T12:00:00+11:00 2026-12-01T12:50:00+11:00 ada carlton in_person',
	'2026-12-02T21:00:00+11:00 2026-12-02T21:50:00+11:00 ada - telehealth',	# 18:00 in Perth
	'2026-12-02T22:00:00+11:00 2026-12-02T22:50:00+11:00 ada - telehealth',
	'2026-12-03T10:00:00+11:00 2026-12-03T10:50:00+11:00 bo carlton in_person',
	'2026-12-03T10:50:00+11:00 2026-12-03T11:40:00+11:00 bo carlton in_person'),
	'any practitioner: every free slot of the week, booked time and an inactive practitioner left out');
is_deeply($r->{json}{slots}[3], { start => '2026-12-02T21:00:00+11:00', end => '2026-12-02T21:50:00+11:00',
	practitionerId => $ada, locationId => undef, sessionType => 'telehealth' }, 'a slot as patient-api.md has it');
is(scalar(() = $slots->($get->('/api/availability', @week, practitionerId => $bo)) =~ /bo/g), 2, 'practitionerId: one practitioner');
is(scalar(() = $slots->($get->('/api/availability', @week, sessionType => 'telehealth')) =~ /telehealth/g), 2, 'sessionType');
unlike($slots->($get->('/api/availability', @week, sessionType => 'in_person')), qr/telehealth/, '... in person');
like($slots->($get->('/api/availability', @week[0 .. 5], tz => 'Australia/Perth')), qr/^2026-12-01T06:00:00\+08:00 .*\n(?:.*\n){2}2026-12-02T18:00:00\+08:00/,
	"the same slots in the patient's zone");
is_deeply($get->('/api/availability', @week, locationId => $perth)->{json}{slots}, [], 'locationId: nobody at Perth has hours');
is($slots->($get->('/api/availability', @week, locationId => $carlton)) =~ tr/\n//, 4, '... five slots at Carlton');
is($get->('/api/availability', serviceId => $consult, from => '2026-12-01', to => '2026-12-31', tz => 'UTC')->{status}, 200,
	'31 days, both included: 200');

# hours at a centre the psychologist no longer works at: the list and the slots agree
$psql->("DELETE FROM practitioner_locations WHERE practitioner_id = '$ada' AND location_id = '$carlton'");
is($who->($get->('/api/psychologists', serviceId => $consult, locationId => $carlton)), 'bo',
	"Ada's Carlton link removed (her Carlton hours left): the list at Carlton has Bo only");
is($slots->($get->('/api/availability', @week, practitionerId => $ada, locationId => $carlton)), '',
	'... and her Carlton hours offer no slot');
is($slots->($get->('/api/availability', @week, locationId => $carlton)), join("\n",
	'2026-12-03T10:00:00+11:00 2026-12-03T10:50:00+11:00 bo carlton in_person',
	'2026-12-03T10:50:00+11:00 2026-12-03T11:40:00+11:00 bo carlton in_person'), '... nor for anyone at Carlton: only Bo\'s');
is($slots->($get->('/api/availability', @week, practitionerId => $ada)), join("\n",
	'2026-12-02T21:00:00+11:00 2026-12-02T21:50:00+11:00 ada - telehealth',
	'2026-12-02T22:00:00+11:00 2026-12-02T22:50:00+11:00 ada - telehealth'), '... her telehealth hours (no centre) still do');
my ($ada_row) = grep { $_->{id} eq $ada } @{ $get->('/api/psychologists', serviceId => $consult, tz => 'Australia/Melbourne')->{json}{psychologists} };
is($ada_row->{nextAvailable}, '2026-12-02T21:00:00+11:00', "... and her nextAvailable is the telehealth one");
$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) VALUES ('$org', '$ada', '$carlton')");
is(scalar(() = $slots->($get->('/api/availability', @week, practitionerId => $ada, locationId => $carlton)) =~ /carlton/g), 3,
	'linked again: her three Carlton slots are back');

# the daylight-saving days, with the clock before them
is($k->post_json('/_debug/clock?at=2026-10-01T00:00:00Z', {})->{status}, 200, 'clock moved to 1 October');
$r = $get->('/api/availability', serviceId => $consult, practitionerId => $ada, from => '2026-10-03', to => '2026-10-05', tz => 'Australia/Melbourne');
is($slots->($r), join("\n",
	'2026-10-03T09:00:00+10:00 2026-10-03T09:50:00+10:00 ada carlton in_person',
	'2026-10-03T10:00:00+10:00 2026-10-03T10:50:00+10:00 ada carlton in_person',
	'2026-10-04T09:00:00+11:00 2026-10-04T09:50:00+11:00 ada carlton in_person',
	'2026-10-04T10:00:00+11:00 2026-10-04T10:50:00+11:00 ada carlton in_person',
	'2026-10-05T09:00:00+11:00 2026-10-05T09:50:00+11:00 ada carlton in_person',
	'2026-10-05T10:00:00+11:00 2026-10-05T10:50:00+11:00 ada carlton in_person'),
	'Melbourne springs forward on 4 October: the clinic\'s 09:00 and 10:00 every day, the offset changing');
$r = $get->('/api/availability', serviceId => $consult, practitionerId => $ada, from => '2026-10-31', to => '2026-11-02', tz => 'America/New_York');
is($slots->($r), join("\n",
	'2026-10-30T18:00:00-04:00 2026-10-30T18:50:00-04:00 ada carlton in_person',
	'2026-10-30T19:00:00-04:00 2026-10-30T19:50:00-04:00 ada carlton in_person',
	'2026-10-31T18:00:00-04:00 2026-10-31T18:50:00-04:00 ada carlton in_person',
	'2026-10-31T19:00:00-04:00 2026-10-31T19:50:00-04:00 ada carlton in_person',
	'2026-11-01T17:00:00-05:00 2026-11-01T17:50:00-05:00 ada carlton in_person',
	'2026-11-01T18:00:00-05:00 2026-11-01T18:50:00-05:00 ada carlton in_person'),
	'New York falls back on 1 November: a patient there sees 09:00 in Melbourne an hour earlier after it');
is($k->post_json('/_debug/clock?at=2026-11-30T01:00:00Z', {})->{status}, 200, 'clock back to 30 November');

$bad->($get->('/api/availability', serviceId => $consult, from => '2026-12-07', to => '2026-12-01', tz => 'UTC'),
	{ to => 'To must be on or after From' }, 'a reversed range');
$bad->($get->('/api/availability', serviceId => $consult, from => '2026-12-01', to => '2027-01-01', tz => 'UTC'),
	{ to => 'To must be at most 31 days from From, both included' }, 'a range longer than 31 days');
$bad->($get->('/api/availability', serviceId => $consult, from => '2026-02-30', to => '2026-03-01', tz => 'Mars/Olympus'),
	{ from => 'From must be a real date, like 2026-03-27', tz => 'Time zone must be a time zone like Australia/Sydney' },
	'a date that does not exist, an unknown zone');
$bad->($get->('/api/availability'), { serviceId => 'Enter service', from => 'Enter from', to => 'Enter to', tz => 'Enter time zone' },
	'nothing given');
$bad->($get->('/api/availability', @week, practitionerId => $theirs, locationId => $their_loc),
	{ practitionerId => "Psychologist is not one of this clinic's", locationId => "Location is not one of this clinic's" },
	"another clinic's practitioner and location");
$bad->($get->('/api/availability', @week[2 .. 7], serviceId => $their_svc), { serviceId => 'Service is not one this clinic offers' },
	"another clinic's service");
$bad->($get->('/api/availability', @week[2 .. 7], serviceId => $couples, practitionerId => $cy),
	{ practitionerId => 'Psychologist does not offer this service' }, 'a practitioner who does not offer the service');
$bad->($get->('/api/availability', @week, practitionerId => $dee), { practitionerId => "Psychologist is not one of this clinic's" },
	'an inactive practitioner');
$bad->($get->('/api/availability', @week[2 .. 7], serviceId => "$consult'--"), { serviceId => 'Service must be an id (a UUID)' },
	'an id that is no UUID');

# ---- tenancy by host: the other clinic sees its own catalogue, and our ids are unknown there ----
$psql->("INSERT INTO organisation_domains (host, org_id) VALUES ('beacon.test', '$beacon')");
my $as_beacon = sub {
	open(my $fh, '-|', 'curl', '-s', '-H', 'Host: beacon.test', $k->url($_[0])) or die "curl: $!";
	local $/;
	my $body = <$fh>;
	close $fh;
	{ json => eval { JSON::PP::decode_json($body) } };
};
is($svcs->($as_beacon->('/api/services')), 'Beacon consult', "another clinic's host: its own services");
is($who->($as_beacon->('/api/psychologists')), 'Dr Beacon', '... and practitioners');
is_deeply($as_beacon->("/api/availability?serviceId=$consult&practitionerId=$ada&from=2026-12-01&to=2026-12-07&tz=UTC")->{json}{details},
	{ serviceId => 'Service is not one this clinic offers', practitionerId => "Psychologist is not one of this clinic's" },
	'... where our ids are unknown');

# ---- hostile input ----
$r = $k->get("/api/psychologists?q=%C3%28", headers => { 'X-Visit-Id' => $visit });
is($r->{status}, 400, 'bad UTF-8: 400');
ok(KairosTest::json($r)->{details}{q}, '... named');
$r = $k->get("/api/psychologists?q=a%00b");
is($r->{status}, 400, 'a NUL: 400');
$bad->($get->('/api/psychologists', q => 'x' x 101), { q => 'Name must be 100 characters or fewer' }, 'an oversized name');
$r = $k->get("/api/availability?serviceId=$consult&serviceId=$bo&from=2026-12-01&to=2026-12-02&tz=UTC");
is($r->{status}, 400, 'a repeated parameter: 400');
like(KairosTest::json($r)->{details}{serviceId}, qr/twice/, '... named');
$r = $k->get('/api/services?' . ('concern=' . ('a' x 100) . '&') x 300);
ok($r->{status} == 400 || $r->{status} == 414, "a huge query string is refused ($r->{status})");
$r = $k->get("/api/services?sessionType[]=in_person");
is($r->{status}, 200, 'an unknown parameter is ignored, as forms do');

# ---- the funnel ----
my $events = sub {
	$psql->("SELECT string_agg(concat_ws(' ', step, coalesce(service_id::text, '-'), coalesce(practitioner_id::text, '-'),
		coalesce(location_id::text, '-'), coalesce(session_type, '-'), coalesce(slot_hour::text, '-')), E'\\n' ORDER BY id)
		FROM funnel_events WHERE visit_id = '$_[0]'");
};
my $fresh = '1' x 32;
$k->get('/api/services?sessionType=in_person', headers => { 'X-Visit-Id' => $fresh });
$k->get("/api/psychologists?serviceId=$consult&locationId=$carlton", headers => { 'X-Visit-Id' => $fresh });
$k->get("/api/availability?serviceId=$consult&practitionerId=$ada&from=2026-12-01&to=2026-12-14&tz=UTC", headers => { 'X-Visit-Id' => $fresh });
$k->get("/api/availability?serviceId=$consult&from=2026-12-14&to=2026-12-01&tz=UTC", headers => { 'X-Visit-Id' => $fresh });
# the slot grid's poll (static/js/slots.js) refreshes a step already recorded
$r = $k->get("/api/availability?serviceId=$consult&practitionerId=$ada&from=2026-12-01&to=2026-12-14&tz=UTC",
	headers => { 'X-Visit-Id' => $fresh, 'X-Kairos-Refresh' => '1' });
is($r->{status}, 200, 'a refresh of the slot grid is answered');
is($events->($fresh), join("\n", 'service - - - in_person -', "psychologist $consult - $carlton - -",
	"time $consult $ada - - -"), 'one event per step of the visit, with what was chosen; none for a refused request or a refresh');
is($psql->("SELECT count(DISTINCT org_id) || ' ' || min(org_id::text) || ' ' || to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')
	FROM funnel_events WHERE visit_id = '$fresh'"), "1 $org 2026-11-30 01", "this clinic's, at the app's clock");
$r = $k->get('/api/services');
like($r->{headers}{'x-visit-id'}, qr/^[0-9a-f]{32}$/, 'no X-Visit-Id: a new one comes back');
is($events->($r->{headers}{'x-visit-id'}), 'service - - - - -', '... and its event');
$r = $k->get('/api/services', headers => { 'X-Visit-Id' => 'not-a-visit' });
like($r->{headers}{'x-visit-id'}, qr/^[0-9a-f]{32}$/, 'a malformed X-Visit-Id is replaced');
is($r->{headers}{'x-visit-id'} eq $fresh ? 1 : 0, 0, '... by a new one');
is($k->get('/api/services', headers => { 'X-Visit-Id' => $fresh })->{headers}{'x-visit-id'}, undef, 'a valid one is not sent back');

# ---- the profile (catalogue_psychologist, through t/lib/catalogue-profile) ----
SKIP: {
	my $helper = ($ENV{KTEST_BUILDDIR} // KairosTest->src . '/build') . '/t/lib/catalogue-profile';
	skip "$helper not built", 7 unless -x $helper;
	my $now = $psql->("SELECT extract(epoch FROM timestamptz '2026-11-30 12:00+11')::bigint");
	my $profile = sub {
		my ($o, $p, $s, $tz) = @_;
		my $out = `$helper 'host=$dir/run user=kairos_web dbname=kairos' $o $p ${\ ($s // '-')} $now ${\ ($tz // 'Australia/Melbourne')} 2>&1`;
		chomp $out;
		$out =~ /^\{/ ? JSON::PP::decode_json($out) : $out;
	};
	my $pa = $profile->($org, $ada);
	is($pa->{psychologist}{bio}, 'About Dr Ada Ng', 'profile: the bio');
	is_deeply($pa->{psychologist}{qualifications}, ['MPsych'], '... qualifications');
	is_deeply([map { $_->{start} } @{ $pa->{next}{slots} }], ['2026-12-01T09:00:00+11:00', '2026-12-01T11:00:00+11:00',
		'2026-12-01T12:00:00+11:00', '2026-12-02T21:00:00+11:00', '2026-12-02T22:00:00+11:00', '2026-12-08T09:00:00+11:00'],
		'... and her next six free times (her first service)');
	is(scalar @{ $profile->($org, $bo, $couples)->{next}{slots} }, 2, "... of the service asked for (Bo's Couples, 80 minutes: 10:00 only, weekly)")
		or diag explain $profile->($org, $bo, $couples);
	is($profile->($org, $cy, $couples), 'invalid serviceId: Psychologist does not offer this service', '... one they offer');
	is($profile->($org, $dee), 'not found', 'an inactive practitioner: not found');
	is($profile->($beacon, $ada), 'not found', "another clinic's: not found");
}

# ---- computed answers are cached per worker (one worker here), never stale ----
# Each change below comes straight after an answer that was filed: the next request must
# show it at once, with no sleeping (migration 0021's versions, and the clock's window).
# Ada, from 1 December: Tuesday 09:00-13:00 at Carlton (10:00 booked), Wednesday telehealth
# 21:00 and 22:00 Melbourne time. With 50 minutes' notice her 11:00 (00:00Z) goes at 23:10Z; answers last at most
# CATALOGUE_CACHE_TTL_S (5 minutes) and never past a quarter hour (23:15Z), so the times
# below are ones only the notice and the hold bounds catch.
$psql->("UPDATE practitioners SET min_notice_minutes = 50 WHERE id = '$ada'");
$db->appointment($org, practitioner => $ada, service => $consult, location => $carlton, start => '2026-12-01 12:00+11',
	status => 'held', hold_expires => '2026-11-30 23:13:00Z');
my @two = (serviceId => $consult, practitionerId => $ada, from => '2026-12-01', to => '2026-12-02', tz => 'Australia/Melbourne');
my $starts = sub { join ' ', map { substr $_->{start}, 5, 11 } @{ $get->('/api/availability', @two)->{json}{slots} // [] } };
my $next_ada = sub {
	my ($p) = grep { $_->{id} eq $ada } @{ $get->('/api/psychologists', serviceId => $consult, tz => 'Australia/Melbourne')->{json}{psychologists} };
	$p->{nextAvailable} // 'none';
};
is($k->post_json('/_debug/clock?at=2026-11-30T23:07:00Z', {})->{status}, 200, 'cache: clock at 23:07Z');
is($starts->(), '12-01T11:00 12-02T21:00 12-02T22:00', 'cache: 10:00 booked, 12:00 held, 09:00 inside her notice');
is($starts->(), '12-01T11:00 12-02T21:00 12-02T22:00', '... the same answer again');
is($next_ada->(), '2026-12-01T11:00:00+11:00', '... and her nextAvailable');
is($next_ada->(), '2026-12-01T11:00:00+11:00', '... again');
is($k->post_json('/_debug/clock?at=2026-11-30T23:11:00Z', {})->{status}, 200, 'clock to 23:11Z (same quarter hour)');
is($starts->(), '12-02T21:00 12-02T22:00', 'a shown slot entering its minimum notice leaves at once');
is($next_ada->(), '2026-12-02T21:00:00+11:00', '... and nextAvailable moves on at once');
is($k->post_json('/_debug/clock?at=2026-11-30T23:13:00Z', {})->{status}, 200, 'clock to 23:13Z, when the hold expires');
is($starts->(), '12-01T12:00 12-02T21:00 12-02T22:00', 'an expired hold frees its slot at once');
is($next_ada->(), '2026-12-01T12:00:00+11:00', '... in nextAvailable too');
$appt->($ada, '2026-12-02 21:00+11', 'confirmed');
is($starts->(), '12-01T12:00 12-02T22:00', 'a booking inserted by SQL takes its slot at once');
$db->leave($org, $ada, '2026-12-01 00:00+11', '2026-12-01 23:59+11');
is($starts->(), '12-02T22:00', 'a new leave row takes her day at once');
is($next_ada->(), '2026-12-02T22:00:00+11:00', '... and her nextAvailable');
$psql->("DELETE FROM practitioner_leave WHERE practitioner_id = '$ada'");
is($starts->(), '12-01T12:00 12-02T22:00', 'deleted leave: the day back at once');
$psql->("UPDATE availability_rules SET valid_until = '2026-12-01' WHERE practitioner_id = '$ada' AND session_type = 'telehealth'");
is($starts->(), '12-01T12:00', 'a weekly rule edited: its slots leave at once');
$psql->("UPDATE practitioners SET min_notice_minutes = 0 WHERE id = '$ada'");
is($starts->(), '12-01T11:00 12-01T12:00', 'a practitioner edited (no notice): 11:00 back at once');
is($next_ada->(), '2026-12-01T11:00:00+11:00', '... in nextAvailable too');

# ---- at scale: any of 40 psychologists, 15-minute sessions, a whole month ----
# 08:00-20:00 every day at Carlton and by telehealth: 40 × 31 × 96 = 119,040 slots of their own,
# more than BOOKING_SLOTS_MAX, which the engine used to collect before folding them (500)
is($k->post_json('/_debug/clock?at=2026-11-30T01:00:00Z', {})->{status}, 200, 'scale: clock back to 30 November, noon');
my $brief = $service->($org, 'Brief', 15, '{in_person,telehealth}', '{}', 3);
$psql->("WITH p AS (INSERT INTO practitioners (org_id, name, timezone, telehealth, sort_order)
		SELECT '$org', 'Many ' || lpad(i::text, 2, '0'), 'Australia/Melbourne', true, 10 + i FROM generate_series(1, 40) i RETURNING id),
	s AS (INSERT INTO practitioner_services (org_id, practitioner_id, service_id) SELECT '$org', id, '$brief' FROM p),
	l AS (INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) SELECT '$org', id, '$carlton' FROM p)
	INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
	SELECT '$org', p.id, CASE WHEN t = 'in_person' THEN '$carlton'::uuid END, t, wd, '08:00', '20:00'
	FROM p, generate_series(0, 6) wd, unnest(ARRAY['in_person', 'telehealth']) t");
my $many1 = $psql->("SELECT id FROM practitioners WHERE name = 'Many 01'");
$r = $get->('/api/availability', serviceId => $brief, from => '2026-12-01', to => '2026-12-31', tz => 'Australia/Melbourne');
is($r->{status}, 200, 'any of 40 psychologists, 15-minute slots 08:00-20:00 in person and telehealth, 31 days: 200');
is(scalar @{ $r->{json}{slots} // [] }, 31 * 48 * 2, '... each time once per place: 31 days × 48 × 2 = 2,976 slots');
is_deeply([ map { [ @$_{qw(start practitionerId sessionType)} ] } @{ $r->{json}{slots} // [] }[0, 1] ],
	[ ['2026-12-01T08:00:00+11:00', $many1, 'telehealth'], ['2026-12-01T08:00:00+11:00', $many1, 'in_person'] ],
	"... the first two (by video, at Carlton) by the first psychologist in the clinic's order");
my @month = @{ $r->{json}{slots} // [] };
is(@month ? $month[-1]{start} : 'none', '2026-12-31T19:45:00+11:00', '... the last at 19:45 on the 31st');
$r = $k->get("/book/time?serviceId=$brief&from=2026-12-01&to=2026-12-31");
is($r->{status}, 200, '/book/time for anyone, a 31-day range: 200');
is(scalar(() = $r->{content} =~ /class="day__weekday"/g), 29, '... showing its first 29 days (with a day either side, one query of 31)');

# an answer that would still hold more than BOOKING_SLOTS_MAX: 5-minute sessions round the
# clock at 12 centres (12 × 288 × 31 = 107,136 slots) is the asker's range, not a 500
my $tiny = $service->($org, 'Tiny', 5, '{in_person}', '{}', 4);
$psql->("WITH c AS (INSERT INTO locations (org_id, name, address_line1, locality, country, timezone)
		SELECT '$org', 'Centre ' || i, '1 Main St', 'Carlton', 'AU', 'Australia/Melbourne' FROM generate_series(1, 12) i RETURNING id),
	s AS (INSERT INTO practitioner_services (org_id, practitioner_id, service_id) VALUES ('$org', '$many1', '$tiny')),
	l AS (INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) SELECT '$org', '$many1', id FROM c)
	INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
	SELECT '$org', '$many1', c.id, 'in_person', wd, '00:00', '24:00' FROM c, generate_series(0, 6) wd");
my $shorter = 'There are too many times to list at once: choose a shorter range';
$bad->($get->('/api/availability', serviceId => $tiny, from => '2026-12-01', to => '2026-12-31', tz => 'UTC'),
	{ from => $shorter, to => $shorter }, 'more than BOOKING_SLOTS_MAX slots in one answer');
is($get->('/api/availability', serviceId => $tiny, from => '2026-12-01', to => '2026-12-07', tz => 'UTC')->{status}, 200,
	'... a week of them: 200');
$r = $k->get("/book/time?serviceId=$tiny&from=2026-12-01&to=2026-12-31");
is($r->{status}, 400, '... on /book/time too: 400, not 500');
like($r->{content}, qr/\Q$shorter\E/, '... saying so');
$k->finish;
done_testing;
