# BookingData: one small clinic's catalogue for the booking wizard's tests
# (t/integration/booking-pages.t over HTTP, t/integration/e2e-booking.t in Chromium), made in
# SQL as the owner role, for a stack whose clock is KairosTest's KAIROS_TEST_CLOCK of
# Monday 30 November 2026, 12:00 in Sydney (2026-11-30T01:00:00Z).
#
# Two centres in two zones (Carlton, Melbourne; Perth), two services with price rules
# (Consult: in person or telehealth; Couples: in person), four psychologists (one inactive)
# with weekly hours, a taken 10:00 on Tuesday 1 December, approved reviews; and another
# clinic, Beacon, with a service, a centre and a psychologist of its own.
package BookingData;
use strict;
use warnings;

use constant CLOCK => '2026-11-30T01:00:00Z';

# setup($k): the data, in $k's database. Returns {org, beacon, carlton, perth, their_loc,
# consult, couples, their_svc, ada, bo, cy, dee, theirs, psql (a sub running SQL as the
# owner), id (a sub taking the first UUID of its argument), appt (a sub adding an appointment
# of Consult at Carlton: practitioner, start, status)}.
sub setup {
	my ($k) = @_;
	my $dir = $k->dir;
	my $psql = sub { my $v = `psql -q -h $dir/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$_[0]" 2>&1`; chomp $v; $v };
	my $id = sub { my ($v) = $_[0] =~ /([0-9a-f]{8}-[0-9a-f-]{27})/; $v // die "no id in: $_[0]" };
	my $org = $psql->("SELECT id FROM organisations WHERE is_default");
	$psql->("UPDATE organisations SET timezone = 'Australia/Sydney' WHERE id = '$org'");
	my $beacon = $id->($psql->("INSERT INTO organisations (slug, name) VALUES ('beacon', 'Beacon') RETURNING id"));
	my $location = sub {
		my ($o, $name, $tz) = @_;
		$id->($psql->("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone)
			VALUES ('$o', '$name', '1 Main St', '$name', 'AU', '$tz') RETURNING id"));
	};
	my $carlton = $location->($org, 'Carlton', 'Australia/Melbourne');
	my $perth = $location->($org, 'Perth', 'Australia/Perth');
	my $their_loc = $location->($beacon, 'Beacon House', 'Australia/Sydney');
	my $service = sub {
		my ($o, $name, $min, $types, $concerns, $order) = @_;
		$id->($psql->("INSERT INTO services (org_id, name, description, duration_minutes, session_types, concerns, sort_order)
			VALUES ('$o', '$name', 'About $name', $min, '$types', '$concerns', $order) RETURNING id"));
	};
	my $consult = $service->($org, 'Consult', 50, '{in_person,telehealth}', '{anxiety,depression}', 1);
	my $couples = $service->($org, 'Couples', 80, '{in_person}', '{relationships}', 2);
	my $their_svc = $service->($beacon, 'Beacon consult', 50, '{in_person}', '{anxiety}', 0);
	my $pr = sub {
		my ($o, %p) = @_;
		my $v = $id->($psql->("INSERT INTO practitioners (org_id, name, title, bio, qualifications, specialties,
			languages, gender, telehealth, timezone, buffer_after_minutes, sort_order, active)
			VALUES ('$o', '$p{name}', 'Psychologist', 'All about $p{name}.', '{MPsych,MAPS}', '$p{spec}',
			'$p{lang}', '$p{gender}', $p{tele}, '$p{tz}', $p{after}, $p{order}, ${\ ($p{active} // 'true')}) RETURNING id"));
		$psql->("UPDATE practitioners SET photo_url = '$p{photo}' WHERE id = '$v'") if $p{photo};
	$psql->("INSERT INTO practitioner_services (org_id, practitioner_id, service_id) VALUES ('$o', '$v', '$_')") for @{ $p{offers} };
		$psql->("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) VALUES ('$o', '$v', '$_')") for @{ $p{at} };
		$v;
	};
	my $ada = $pr->($org, name => 'Dr Ada Ng', spec => '{anxiety,trauma}', lang => '{en,zh}', gender => 'female',
		tele => 'true', tz => 'Australia/Perth', after => 10, order => 3, offers => [$consult], at => [$carlton],
		photo => '/static/img/logo.svg');	# a file that exists, so a browser loads it
	my $bo = $pr->($org, name => 'Dr Bo Tran', spec => '{depression}', lang => '{en}', gender => 'male',
		tele => 'false', tz => 'Australia/Melbourne', after => 10, order => 2, offers => [$consult, $couples], at => [$carlton]);
	my $cy = $pr->($org, name => 'Cy Park', spec => '{trauma}', lang => '{en,vi}', gender => 'non_binary',
		tele => 'true', tz => 'Australia/Perth', after => 10, order => 1, offers => [$consult], at => [$perth]);
	my $dee = $pr->($org, name => 'Dr Dee Gone', spec => '{anxiety}', lang => '{en}', gender => 'female',
		tele => 'true', tz => 'Australia/Melbourne', after => 0, order => 0, offers => [$consult], at => [$carlton], active => 'false');
	my $theirs = $pr->($beacon, name => 'Dr Beacon', spec => '{anxiety}', lang => '{en}', gender => 'female',
		tele => 'true', tz => 'Australia/Sydney', after => 0, order => 0, offers => [$their_svc], at => [$their_loc]);
	my $rule = sub {
		my ($o, $p, $l, $type, $wd, $from, $to) = @_;
		$l = $l ? "'$l'" : 'NULL';
		$psql->("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time, end_time)
			VALUES ('$o', '$p', $l, '$type', $wd, '$from', '$to')");
	};
	$rule->($org, $ada, $carlton, 'in_person', 2, '09:00', '13:00');	# Tuesdays at Carlton, hourly (50 + 10)
	$rule->($org, $ada, undef, 'telehealth', 3, '18:00', '20:00');	# Wednesday evenings from Perth
	$rule->($org, $bo, $carlton, 'in_person', 4, '10:00', '12:00');	# Thursdays
	$rule->($org, $cy, $perth, 'in_person', 2, '09:00', '11:00');	# Tuesdays in Perth (12:00 in Sydney)
	$rule->($org, $dee, $carlton, 'in_person', 2, '09:00', '17:00');	# inactive: never offered
	$rule->($beacon, $theirs, $their_loc, 'in_person', 2, '09:00', '17:00');
	my $appt = sub {
		my ($p, $start, $status) = @_;
		$id->($psql->("INSERT INTO appointments (org_id, practitioner_id, service_id, location_id, session_type, status,
			starts_at, ends_at, blocked_from, blocked_until)
			VALUES ('$org', '$p', '$consult', '$carlton', 'in_person', '$status', timestamptz '$start',
			timestamptz '$start' + interval '50 minutes', timestamptz '$start', timestamptz '$start' + interval '60 minutes')
			RETURNING id"));
	};
	$appt->($ada, '2026-12-01 10:00+11', 'confirmed');	# Ada's 10:00 on Tuesday is taken
	my @done = map { $appt->($_->[0], $_->[1], 'completed') } [$ada, '2026-11-10 09:00+11'], [$ada, '2026-11-11 09:00+11'],
		[$cy, '2026-11-10 09:00+11'];
	my $review = sub {
		$psql->("INSERT INTO reviews (org_id, appointment_id, practitioner_id, rating, body, status, moderated_at)
			VALUES ('$org', '$_[0]', '$_[1]', $_[2], 'text', 'approved', now())");
	};
	$review->($done[0], $ada, 5);
	$review->($done[1], $ada, 4);
	$review->($done[2], $cy, 5);
	my $price = sub {
		my ($svc, $loc, $type, $funding, $fee, $rebate) = @_;
		$loc = $loc ? "'$loc'" : 'NULL';
		$type = $type ? "'$type'" : 'NULL';
		$psql->("INSERT INTO price_rules (org_id, service_id, location_id, session_type, funding, fee_minor, rebate_minor, currency)
			VALUES ('$org', '$svc', $loc, $type, '$funding', $fee, $rebate, 'AUD')");
	};
	$price->($consult, undef, undef, 'private', 22000, 0);
	$price->($consult, $carlton, 'in_person', 'private', 24000, 0);
	$price->($consult, undef, 'telehealth', 'private', 20000, 0);
	$price->($consult, undef, undef, 'medicare', 22000, 9850);
	$price->($couples, undef, undef, 'private', 32000, 0);
	return { org => $org, beacon => $beacon, carlton => $carlton, perth => $perth, their_loc => $their_loc,
		consult => $consult, couples => $couples, their_svc => $their_svc, ada => $ada, bo => $bo, cy => $cy,
		dee => $dee, theirs => $theirs, psql => $psql, id => $id, appt => $appt };
}

1;
