# BookingData: the booking tests' data, made in SQL as the owner role. BookingData->new($k)
# gives builders for any organisation (an organisation, a location, a service, a practitioner with their
# services and centres, a weekly rule, an appointment, a review, a price rule, leave), each
# returning the new row's id and dying with psql's message when the row is refused;
# t/integration/catalogue-api.t builds its own clinic with them.
#
# setup($k) builds one small clinic for the booking wizard's tests (t/integration/booking-pages.t
# over HTTP, t/integration/e2e-booking.t in Chromium), for a stack whose clock is KairosTest's
# KAIROS_TEST_CLOCK of Monday 30 November 2026, 12:00 in Sydney (2026-11-30T01:00:00Z):
# two centres in two zones (Carlton, Melbourne; Perth), two services with price rules
# (Consult: in person or telehealth; Couples: in person), four psychologists (one inactive)
# with weekly hours, a taken 10:00 on Tuesday 1 December, approved reviews; and another
# clinic, Beacon, with a service, a centre and a psychologist of its own.
package BookingData;
use strict;
use warnings;

use constant CLOCK => '2026-11-30T01:00:00Z';

# new($k): builders on $k's database. Every builder but organisation takes the organisation's
# id first.
sub new {
	my ($class, $k) = @_;
	return bless { dir => $k->dir }, $class;
}

# psql($sql): runs $sql as the owner; its output, or psql's error message.
sub psql {
	my ($db, $sql) = @_;
	my $v = `psql -q -h $db->{dir}/run -U kairos -d kairos -v ON_ERROR_STOP=1 -tAc "$sql" 2>&1`;
	chomp $v;
	return $v;
}

# id($text): the UUID that is $text's first line; dies with $text otherwise. Only the first
# line: psql's errors quote ids too ("Key (appointment_id)=(...) already exists").
sub id {
	my ($db, $text) = @_;
	my ($v) = $text =~ /\A([0-9a-f]{8}-[0-9a-f-]{27})$/m;
	return $v // die "no id in: $text\n";
}

sub _insert { my ($db, $sql, $col) = @_; $db->id($db->psql("$sql RETURNING " . ($col // 'id'))) }
sub _lit { defined $_[0] ? "'$_[0]'" : 'NULL' }

sub organisation {
	my ($db, $slug, $name) = @_;
	$db->_insert("INSERT INTO organisations (slug, name) VALUES ('$slug', '$name')");
}

sub location {
	my ($db, $o, $name, $tz) = @_;
	$db->_insert("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone)
		VALUES ('$o', '$name', '1 Main St', '$name', 'AU', '$tz')");
}

# service($o, $name, $minutes, $types, $concerns, $order, description => 'About $name', active => 'true')
sub service {
	my ($db, $o, $name, $min, $types, $concerns, $order, %f) = @_;
	my $about = $f{description} // "About $name";
	$db->_insert("INSERT INTO services (org_id, name, description, duration_minutes, session_types, concerns, sort_order, active)
		VALUES ('$o', '$name', '$about', $min, '$types', '$concerns', $order, ${\ ($f{active} // 'true')})");
}

# practitioner($o, name, spec, lang, gender, tele, tz, after, order, offers => [service ids],
# at => [location ids]; optional title, photo (NULL), bio, quals, active)
sub practitioner {
	my ($db, $o, %p) = @_;
	my %d = (title => 'Psychologist', bio => "All about $p{name}.", quals => '{MPsych,MAPS}', active => 'true', %p);
	my $photo = _lit($p{photo});
	my $v = $db->_insert("INSERT INTO practitioners (org_id, name, title, photo_url, bio, qualifications, specialties,
		languages, gender, telehealth, timezone, buffer_after_minutes, sort_order, active)
		VALUES ('$o', '$p{name}', '$d{title}', $photo, '$d{bio}', '$d{quals}', '$p{spec}',
		'$p{lang}', '$p{gender}', $p{tele}, '$p{tz}', $p{after}, $p{order}, $d{active})");
	$db->_insert("INSERT INTO practitioner_services (org_id, practitioner_id, service_id) VALUES ('$o', '$v', '$_')",
		'practitioner_id') for @{ $p{offers} };
	$db->_insert("INSERT INTO practitioner_locations (org_id, practitioner_id, location_id) VALUES ('$o', '$v', '$_')",
		'practitioner_id') for @{ $p{at} };
	return $v;
}

# rule($o, $practitioner, $location or undef, $session_type, $weekday, $from, $to, $valid_from, $valid_until)
sub rule {
	my ($db, $o, $p, $l, $type, $wd, $from, $to, $vf, $vu) = @_;
	$db->_insert("INSERT INTO availability_rules (org_id, practitioner_id, location_id, session_type, weekday, start_time,
		end_time, valid_from, valid_until)
		VALUES ('$o', '$p', ${\ _lit($l)}, '$type', $wd, '$from', '$to', ${\ _lit($vf)}, ${\ _lit($vu)})");
}

# appointment($o, practitioner, service, location, start, status; type => 'in_person',
# minutes => 50, hold_expires => undef). The database widens its blocked range by the
# practitioner's buffers (migration 0024).
sub appointment {
	my ($db, $o, %a) = @_;
	my ($start, $min) = ("timestamptz '$a{start}'", $a{minutes} // 50);
	$db->_insert("INSERT INTO appointments (org_id, practitioner_id, service_id, location_id, session_type, status,
		starts_at, ends_at, hold_expires_at)
		VALUES ('$o', '$a{practitioner}', '$a{service}', ${\ _lit($a{location})}, '${\ ($a{type} // 'in_person')}',
		'$a{status}', $start, $start + interval '$min minutes', ${\ _lit($a{hold_expires})})");
}

# review($o, $appointment, $practitioner, $rating, $status = 'approved'): moderated unless pending
sub review {
	my ($db, $o, $a, $p, $rating, $status) = @_;
	$status //= 'approved';
	my $mod = $status eq 'pending' ? 'NULL' : 'now()';
	$db->_insert("INSERT INTO reviews (org_id, appointment_id, practitioner_id, rating, body, status, moderated_at)
		VALUES ('$o', '$a', '$p', $rating, 'text', '$status', $mod)");
}

# price($o, $service, $location or undef, $session_type or undef, $funding, $fee, $rebate, $insurer)
sub price {
	my ($db, $o, $svc, $loc, $type, $funding, $fee, $rebate, $insurer) = @_;
	$db->_insert("INSERT INTO price_rules (org_id, service_id, location_id, session_type, funding, insurer, fee_minor,
		rebate_minor, currency)
		VALUES ('$o', '$svc', ${\ _lit($loc)}, ${\ _lit($type)}, '$funding', ${\ _lit($insurer)}, $fee, $rebate, 'AUD')");
}

sub leave {
	my ($db, $o, $p, $from, $until) = @_;
	$db->_insert("INSERT INTO practitioner_leave (org_id, practitioner_id, starts_at, ends_at)
		VALUES ('$o', '$p', '$from', '$until')");
}

# setup($k): the wizard's clinic, in $k's database. Returns {org, beacon, carlton, perth,
# their_loc, consult, couples, their_svc, ada, bo, cy, dee, theirs, db (the builders), psql (a
# sub running SQL as the owner), appt (a sub adding an appointment of Consult at Carlton:
# practitioner, start, status)}.
sub setup {
	my ($k) = @_;
	my $db = BookingData->new($k);
	my $org = $db->psql("SELECT id FROM organisations WHERE is_default");
	$db->psql("UPDATE organisations SET timezone = 'Australia/Sydney' WHERE id = '$org'");
	my $beacon = $db->organisation('beacon', 'Beacon');
	my $carlton = $db->location($org, 'Carlton', 'Australia/Melbourne');
	my $perth = $db->location($org, 'Perth', 'Australia/Perth');
	my $their_loc = $db->location($beacon, 'Beacon House', 'Australia/Sydney');
	my $consult = $db->service($org, 'Consult', 50, '{in_person,telehealth}', '{anxiety,depression}', 1);
	my $couples = $db->service($org, 'Couples', 80, '{in_person}', '{relationships}', 2);
	my $their_svc = $db->service($beacon, 'Beacon consult', 50, '{in_person}', '{anxiety}', 0);
	my $ada = $db->practitioner($org, name => 'Dr Ada Ng', spec => '{anxiety,trauma}', lang => '{en,zh}', gender => 'female',
		tele => 'true', tz => 'Australia/Perth', after => 10, order => 3, offers => [$consult], at => [$carlton],
		photo => '/static/img/logo.svg');	# a file that exists, so a browser loads it
	my $bo = $db->practitioner($org, name => 'Dr Bo Tran', spec => '{depression}', lang => '{en}', gender => 'male',
		tele => 'false', tz => 'Australia/Melbourne', after => 10, order => 2, offers => [$consult, $couples], at => [$carlton]);
	my $cy = $db->practitioner($org, name => 'Cy Park', spec => '{trauma}', lang => '{en,vi}', gender => 'non_binary',
		tele => 'true', tz => 'Australia/Perth', after => 10, order => 1, offers => [$consult], at => [$perth]);
	my $dee = $db->practitioner($org, name => 'Dr Dee Gone', spec => '{anxiety}', lang => '{en}', gender => 'female',
		tele => 'true', tz => 'Australia/Melbourne', after => 0, order => 0, offers => [$consult], at => [$carlton], active => 'false');
	my $theirs = $db->practitioner($beacon, name => 'Dr Beacon', spec => '{anxiety}', lang => '{en}', gender => 'female',
		tele => 'true', tz => 'Australia/Sydney', after => 0, order => 0, offers => [$their_svc], at => [$their_loc]);
	$db->rule($org, $ada, $carlton, 'in_person', 2, '09:00', '13:00');	# Tuesdays at Carlton, hourly (50 + 10)
	$db->rule($org, $ada, undef, 'telehealth', 3, '18:00', '20:00');	# Wednesday evenings from Perth
	$db->rule($org, $bo, $carlton, 'in_person', 4, '10:00', '12:00');	# Thursdays
	$db->rule($org, $cy, $perth, 'in_person', 2, '09:00', '11:00');	# Tuesdays in Perth (12:00 in Sydney)
	$db->rule($org, $dee, $carlton, 'in_person', 2, '09:00', '17:00');	# inactive: never offered
	$db->rule($beacon, $theirs, $their_loc, 'in_person', 2, '09:00', '17:00');
	my $appt = sub {
		my ($p, $start, $status) = @_;
		$db->appointment($org, practitioner => $p, service => $consult, location => $carlton, start => $start, status => $status);
	};
	$appt->($ada, '2026-12-01 10:00+11', 'confirmed');	# Ada's 10:00 on Tuesday is taken
	my @done = map { $appt->($_->[0], $_->[1], 'completed') } [$ada, '2026-11-10 09:00+11'], [$ada, '2026-11-11 09:00+11'],
		[$cy, '2026-11-10 09:00+11'];
	$db->review($org, $done[0], $ada, 5);
	$db->review($org, $done[1], $ada, 4);
	$db->review($org, $done[2], $cy, 5);
	$db->price($org, $consult, undef, undef, 'private', 22000, 0);
	$db->price($org, $consult, $carlton, 'in_person', 'private', 24000, 0);
	$db->price($org, $consult, undef, 'telehealth', 'private', 20000, 0);
	$db->price($org, $consult, undef, undef, 'medicare', 22000, 9850);
	$db->price($org, $couples, undef, undef, 'private', 32000, 0);
	return { org => $org, beacon => $beacon, carlton => $carlton, perth => $perth, their_loc => $their_loc,
		consult => $consult, couples => $couples, their_svc => $their_svc, ada => $ada, bo => $bo, cy => $cy,
		dee => $dee, theirs => $theirs, db => $db, psql => sub { $db->psql(@_) }, appt => $appt };
}

1;
