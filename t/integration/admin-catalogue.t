#!/usr/bin/env perl
# The booking catalogue's admin pages (ADMIN-1): locations, services, practitioners, prices,
# and each practitioner's weekly hours and leave, as a browser without JavaScript uses them
# (plain forms, cookies, CSRF tokens). Each page's list, new and edit with a real admin
# session; hostile input on every form (missing, oversized, wrong types, bad UTF-8, another
# clinic's ids, overlapping hours, reversed leave, a bad zone), each error by its field and
# in the summary with the input kept, never a 500; an audit entry for every change; a
# practitioner sees only their own hours and leave (everything else 404); lists page by keyset.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use KairosTest;
use KairosBrowser;
use Test::More;

my $k = KairosTest->start(workers => 1);
my $psql = sub { my $v = `psql -h ${\ $k->dir}/run -U kairos -d kairos -tAc "$_[0]" 2>&1`; chomp $v; $v };

# A staff member's browser: KairosBrowser whose post sends the CSRF token of the admin pages.
package StaffBrowser {
	use parent -norequire, 'KairosBrowser';
	sub token { my ($s) = @_; $s->{token} //= $s->csrf($s->get('/admin')) }
	our $changes = 0;	# posts answered 303: each a change, which must have its audit entry
	sub post {
		my ($s, $p, $form, %o) = @_;
		my $r = $s->SUPER::post($p, { _csrf => $s->token, %$form }, %o);
		$changes++ if $r->{status} == 303;
		return $r;
	}
}

sub signed_in {
	my ($who) = @_;
	my $b = StaffBrowser->new($k);
	my $csrf = $b->csrf($b->get('/staff/signin'));
	my $r = $b->request('POST', '/staff/signin', form => { _csrf => $csrf, email => $who->{email}, password => $who->{password}, next => '/admin' });
	die "staff sign-in failed: $r->{status}" unless $r->{status} == 303;
	return $b;
}
# The field errors of a page: { field id => message }, and the summary's messages.
sub unescape { my ($t) = @_; $t =~ s/&#39;/'/g; $t =~ s/&quot;/"/g; $t =~ s/&lt;/</g; $t =~ s/&gt;/>/g; $t =~ s/&amp;/&/g; $t }
sub field_errors { my ($html) = @_; my %e; $e{$1} = unescape($2) while $html =~ /<p class="field__error" id="([\w-]+)-error"><span class="visually-hidden">Error: <\/span>([^<]*)<\/p>/g; \%e }
sub summary { my ($html) = @_; my ($s) = $html =~ /<ul class="error-summary__list">(.*?)<\/ul>/s; [ map { unescape($_) } ($s // '') =~ /<a href="#[\w-]+">([^<]*)<\/a>/g ] }
sub value_of { my ($html, $name) = @_; my ($v) = $html =~ /name="$name" type="[a-z]+" value="([^"]*)"/; defined $v ? unescape($v) : $v }
sub location_of { my ($r) = @_; $r->{headers}{location} // '' }
sub new_id { my ($table) = @_; $psql->("SELECT id FROM $table ORDER BY created_at DESC, id LIMIT 1") }
sub audit { my ($action, $id) = @_; $psql->("SELECT actor_kind || ' ' || actor_id || ' ' || host(ip) || ' ' || coalesce(details::text, '') FROM audit_log WHERE action = '$action' AND subject_id = '$id'") }

my $admin = $k->staff(role => 'admin', name => 'Ada Admin');
my $pat = $k->staff(role => 'practitioner', name => 'Pat Practitioner');
my $quinn = $k->staff(role => 'practitioner', name => 'Quinn Other');
my $rec = $k->staff(role => 'receptionist', name => 'Rae Reception');
my $a = signed_in($admin);

# another clinic, with a location, a service, a practitioner and a staff account of its own
my $other_org = $psql->("INSERT INTO organisations (slug, name) VALUES ('other', 'Other clinic') RETURNING id");
($other_org) = $other_org =~ /^([0-9a-f-]{36})/m;
my ($other_loc) = $psql->("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone) VALUES ('$other_org', 'Theirs', '1 Road', 'Perth', 'AU', 'Australia/Perth') RETURNING id") =~ /^([0-9a-f-]{36})/m;
my ($other_svc) = $psql->("INSERT INTO services (org_id, name, duration_minutes, session_types) VALUES ('$other_org', 'Theirs', 50, '{in_person}') RETURNING id") =~ /^([0-9a-f-]{36})/m;
my ($other_prac) = $psql->("INSERT INTO practitioners (org_id, name, timezone) VALUES ('$other_org', 'Dr Elsewhere', 'Australia/Perth') RETURNING id") =~ /^([0-9a-f-]{36})/m;
my ($other_user) = $psql->("INSERT INTO users (org_id, role, name, email) VALUES ('$other_org', 'practitioner', 'Elsewhere', 'else\@example.org') RETURNING id") =~ /^([0-9a-f-]{36})/m;
my $nobody = '00000000-0000-4000-8000-000000000000';

# ---- who may open what ----
{
	my $anon = StaffBrowser->new($k);
	my $r = $anon->get('/admin/locations');
	is($r->{status}, 303, 'not signed in: sent to sign in');
	like(location_of($r), qr{^/staff/signin\?next=/admin/locations}, 'to the staff sign-in');
	my $r2 = signed_in($rec)->get('/admin/locations');
	is($r2->{status}, 404, 'a receptionist: 404');
	is(signed_in($rec)->get('/admin/hours')->{status}, 404, 'a receptionist has no hours of their own: 404');
	my $home = $a->get('/admin')->{content};
	like($home, qr{href="/admin/locations"}, 'the admin home links to the locations');
	like($home, qr{href="/admin/prices"}, '… and the prices');
}

# ---- locations ----
my $r = $a->get('/admin/locations');
is($r->{status}, 200, 'GET /admin/locations');
like($r->{content}, qr/There are none yet/, 'empty at first');
$r = $a->get('/admin/locations/new');
is($r->{status}, 200, 'GET /admin/locations/new');
like($r->{content}, qr{<form class="form" method="post" action="/admin/locations" novalidate>}, 'a plain POST form (works without JavaScript)');
like($r->{content}, qr{name="_csrf" value="[^"]+"}, 'with its CSRF token');

$r = $a->post('/admin/locations', {});
is($r->{status}, 422, 'nothing filled in: 422');
is_deeply(field_errors($r->{content}), { name => 'Enter name', address_line1 => 'Enter address line 1',
	locality => 'Enter suburb or town', country => 'Enter country', timezone => 'Enter time zone' }, 'each missing field named by the field');
is_deeply(summary($r->{content}), ['Enter name', 'Enter address line 1', 'Enter suburb or town', 'Enter country', 'Enter time zone'], '… and in the error summary, in the form\'s order');

my %loc = (name => 'Fitzroy Centre', address_line1 => '12 Smith St', locality => 'Fitzroy', region => 'VIC', postcode => '3065', country => 'AU', timezone => 'Australia/Melbourne', phone => '+61390000000');
$r = $a->post('/admin/locations', { %loc, timezone => 'Mars/Olympus_Mons', name => 'x' x 201 });
is($r->{status}, 422, 'a bad zone and an oversized name: 422');
is_deeply(field_errors($r->{content}), { timezone => 'Time zone must be a time zone like Australia/Sydney', name => 'Name must be 200 characters or fewer' }, 'both named');
is(value_of($r->{content}, 'timezone'), 'Mars/Olympus_Mons', 'what was typed is kept');
is(value_of($r->{content}, 'address_line1'), '12 Smith St', 'and so are the good fields');
$r = $a->request('POST', '/admin/locations', content_raw => "_csrf=" . $a->token . "&name=%FF%FE&address_line1=1&locality=x&country=AU&timezone=UTC");
is($r->{status}, 422, 'bad UTF-8: 422, the form again (issue 12: the field\'s error, input-hostile.t)');
is(field_errors($r->{content})->{name}, 'Name must be valid UTF-8 text', '... named by the field');
is(value_of($r->{content}, 'locality'), 'x', '... the other fields kept');
$r = $a->request('POST', '/admin/locations', content_raw => "_csrf=" . $a->token . "&name=Ok%00Cut&address_line1=1&locality=x&country=AU&timezone=UTC");
is($r->{status}, 422, 'a NUL inside: 422, not cut short');
$r = $a->post('/admin/locations', { %loc, country => 'A1' });
is($r->{status}, 422, 'a country the table refuses: 422, not a 500');
is(field_errors($r->{content})->{country}, 'Country must be two capital letters, like AU', 'the database\'s refusal is the field\'s error');
is($psql->("SELECT count(*) FROM locations WHERE name = 'Fitzroy Centre'"), 0, 'nothing saved by the refused posts');
$r = $a->post('/admin/locations', \%loc, headers => {});
{
	my $b = $a->request('POST', '/admin/locations', form => \%loc);
	is($b->{status}, 403, 'a post without the CSRF token: 403');
}
is($r->{status}, 303, 'a good location: 303');
is(location_of($r), '/admin/locations?saved=1', 'back to the list');
my $loc = new_id('locations');
is($psql->("SELECT name || '|' || country || '|' || timezone || '|' || phone || '|' || active FROM locations WHERE id = '$loc'"), 'Fitzroy Centre|AU|Australia/Melbourne|+61390000000|true', 'stored');
is(audit('booking.location_created', $loc), "staff $admin->{id} 127.0.0.1 {}", 'audited: who, and from where');
$r = $a->get('/admin/locations?saved=1');
like($r->{content}, qr{<a href="/admin/locations/$loc">Fitzroy Centre</a>}, 'listed, linking to its edit page');
like($r->{content}, qr/Saved\./, 'with a flash');
$r = $a->get("/admin/locations/$loc");
is($r->{status}, 200, 'its edit page');
is(value_of($r->{content}, 'name'), 'Fitzroy Centre', 'filled from the row');
is(value_of($r->{content}, 'timezone'), 'Australia/Melbourne', '… every field');
$r = $a->post("/admin/locations/$loc", { %loc, name => 'Fitzroy', address_line2 => 'Level 2' });
is($r->{status}, 303, 'edited: 303');
is($psql->("SELECT name || '|' || address_line2 FROM locations WHERE id = '$loc'"), 'Fitzroy|Level 2', 'updated');
is($psql->("SELECT count(*) FROM audit_log WHERE action = 'booking.location_updated' AND subject_id = '$loc'"), 1, 'audited');
$r = $a->post("/admin/locations/$loc", { %loc, timezone => 'Nowhere/Special' });
is($r->{status}, 422, 'an edit with a bad zone: 422');
is($psql->("SELECT timezone FROM locations WHERE id = '$loc'"), 'Australia/Melbourne', 'and nothing changed');
$r = $a->post('/admin/locations', { %loc, name => 'Carlton', locality => 'Carlton' });
my $loc2 = new_id('locations');
is($a->get("/admin/locations/$other_loc")->{status}, 404, "another clinic's location: 404");
is($a->post("/admin/locations/$other_loc", \%loc)->{status}, 404, "… and it cannot be edited");
is($psql->("SELECT name FROM locations WHERE id = '$other_loc'"), 'Theirs', 'untouched');
is($a->get('/admin/locations/not-a-uuid')->{status}, 404, 'an id that is no UUID: 404');
is($a->get("/admin/locations/$nobody")->{status}, 404, 'an unknown id: 404');
is($a->post("/admin/locations/$other_loc/deactivate", {})->{status}, 404, "another clinic's location cannot be deactivated");
is($a->post("/admin/locations/$loc2/delete", {})->{status}, 404, 'locations are deactivated, not deleted');

# ---- services ----
my %svc = (name => 'Individual therapy', description => "Fifty minutes.\nOne to one.", duration_minutes => 50, in_person => 'yes', telehealth => 'yes', concerns => 'anxiety, depression , , grief', sort_order => 1);
$r = $a->post('/admin/services', { name => '', duration_minutes => 'fifty', slot_interval_minutes => 1000 });
is($r->{status}, 422, 'a bad service: 422');
is_deeply(field_errors($r->{content}), { name => 'Enter name', duration_minutes => 'Length in minutes must be a whole number',
	slot_interval_minutes => 'Minutes between start times must be a whole number from 5 to 480' }, 'every bad field named');
$r = $a->post('/admin/services', { %svc, in_person => undef, telehealth => undef });
is(field_errors($r->{content})->{in_person}, 'Choose in person, telehealth or both', 'a service needs a session type');
$r = $a->post('/admin/services', { %svc, concerns => join(',', map { "c$_" } 1 .. 51) });
is(field_errors($r->{content})->{concerns}, 'Concerns may list at most 50', 'at most 50 concerns');
$r = $a->post('/admin/services', \%svc);
is($r->{status}, 303, 'a good service: 303');
my $svc = new_id('services');
is($psql->("SELECT duration_minutes || '|' || session_types::text || '|' || concerns::text || '|' || description FROM services WHERE id = '$svc'"),
	"50|{in_person,telehealth}|{anxiety,depression,grief}|Fifty minutes.\nOne to one.", 'stored: the session types, the concerns as a list');
ok(audit('booking.service_created', $svc), 'audited');
$r = $a->get("/admin/services/$svc");
is(value_of($r->{content}, 'concerns'), 'anxiety, depression, grief', 'the edit form shows the list as typed');
like($r->{content}, qr{id="telehealth-yes" name="telehealth" type="checkbox" value="yes" checked}, 'and the session types ticked');
$r = $a->post("/admin/services/$svc", { %svc, telehealth => undef });
is($psql->("SELECT session_types::text FROM services WHERE id = '$svc'"), '{in_person}', 'unticking telehealth removes it');
# a box sent as "no" is not ticked (issue 12 item 3: it read as yes); a word that is neither is an error
$r = $a->post("/admin/services/$svc", { %svc, telehealth => 'no' });
is($r->{status}, 303, 'telehealth sent as "no": saved');
is($psql->("SELECT session_types::text FROM services WHERE id = '$svc'"), '{in_person}', '... without telehealth');
$r = $a->post("/admin/services/$svc", { %svc, telehealth => 'maybe' });
is($r->{status}, 422, 'telehealth sent as "maybe": 422');
is(field_errors($r->{content})->{telehealth}, 'Telehealth must be true or false', '... by the box');
unlike($r->{content}, qr{id="telehealth-yes" name="telehealth" type="checkbox" value="yes" checked}, '... which is not ticked again');
# a place in lists may be negative: there a minus is a minus, "-0" is 0
$r = $a->post("/admin/services/$svc", { %svc, sort_order => '-5' });
is($psql->("SELECT sort_order FROM services WHERE id = '$svc'"), '-5', 'a place in lists of -5 is stored as -5');
$r = $a->post("/admin/services/$svc", { %svc, sort_order => ' -0 ' });
is($psql->("SELECT sort_order FROM services WHERE id = '$svc'"), '0', "... and ' -0 ' as 0");
$r = $a->post("/admin/services/$svc", { %svc, sort_order => '-1000001' });
is(field_errors($r->{content})->{sort_order}, 'Place in lists must be a whole number from -1000000 to 1000000', '... below its minimum: the range');
$r = $a->post("/admin/services/$svc", { %svc, duration_minutes => '-50' });
is(field_errors($r->{content})->{duration_minutes}, 'Length in minutes must be a whole number from 5 to 480', 'a minus where the minimum is 5: the range');
$r = $a->post("/admin/services/$svc", { %svc, duration_minutes => '99999999999999999999999' });
is(field_errors($r->{content})->{duration_minutes}, 'Length in minutes must be a whole number from 5 to 480', 'more digits than a number holds: the range, as in JSON');
$a->post("/admin/services/$svc", \%svc);

# ---- practitioners ----
my %pr = (name => 'Dr Pat Lee', title => 'Clinical Psychologist', photo_url => 'https://example.org/pat.jpg', bio => 'Pat helps adults.', qualifications => "BPsych (Hons)\nMPsych (Clinical)",
	specialties => 'anxiety, trauma', languages => 'en, zh-Hant, es-419', gender => 'female', telehealth => 'yes', timezone => 'Australia/Melbourne',
	buffer_after_minutes => 10, user_id => $pat->{id});
$r = $a->post('/admin/practitioners', { %pr, languages => 'english!!', timezone => 'Australia/Nowhere', buffer_before_minutes => 999, gender => 'robot', user_id => $admin->{id} });
is($r->{status}, 422, 'a bad practitioner: 422');
is_deeply(field_errors($r->{content}), { timezone => 'Time zone must be a time zone like Australia/Sydney', buffer_before_minutes => 'Buffer before each session, minutes must be a whole number from 0 to 240',
	gender => 'Gender must be one of: female, male, non_binary, other' }, 'each field named (the rules across fields are checked once the fields are good)');
$r = $a->post('/admin/practitioners', { %pr, languages => 'en, 12, english!!', specialties => join(',', 'x' x 101) });
is_deeply(field_errors($r->{content}), { languages => 'Languages must be language tags like en, zh-Hant, pt-BR, separated by commas',
	specialties => 'Specialties: each must be 100 characters or fewer' }, 'language tags, and the length of each specialty');
for my $bad ('javascript:alert(1)', 'http://example.org/p.jpg', '//evil.example/p.jpg') {
	$r = $a->post('/admin/practitioners', { %pr, photo_url => $bad });
	is(field_errors($r->{content})->{photo_url}, "Photo address must start with https:// (or be one of the site's own, starting with /)", "a photo address $bad is refused");
}
$r = $a->post('/admin/practitioners', { %pr, user_id => $admin->{id} });
is(field_errors($r->{content})->{user_id}, "Choose one of the clinic's practitioners' staff accounts", "an admin's account is no practitioner's");
$r = $a->post('/admin/practitioners', { %pr, user_id => $other_user });
is($r->{status}, 422, "another clinic's staff account: 422");
is(field_errors($r->{content})->{user_id}, "Choose one of the clinic's practitioners' staff accounts", 'named');
$r = $a->post('/admin/practitioners', { %pr, user_id => 'nope' });
is(field_errors($r->{content})->{user_id}, 'Staff account must be an id (a UUID)', 'a forged id that is no UUID');
like($r->{content}, qr{<option value="$pat->{id}"}, "the form offers the clinic's practitioners' accounts");
unlike($r->{content}, qr{<option value="$admin->{id}"}, "… not an admin's");
$r = $a->post('/admin/practitioners', { %pr, location_ids => [$loc, $other_loc] });
is($r->{status}, 422, "where they work: another clinic's location is refused, not a 500");
is(field_errors($r->{content})->{location_ids}, "Choose from the clinic's locations", 'named by the checkboxes');
like($r->{content}, qr{id="location_ids-$loc" name="location_ids" type="checkbox" value="$loc" checked}, 'the ticked one still ticked');
is($psql->("SELECT count(*) FROM practitioners WHERE name = 'Dr Pat Lee'"), 0, 'and the practitioner was not saved either');
$r = $a->post('/admin/practitioners', { %pr, service_ids => ['nope'] });
is(field_errors($r->{content})->{service_ids}, 'Services must be an id (a UUID)', 'a forged service id that is no UUID');
$r = $a->post('/admin/practitioners', { %pr, location_ids => [$loc, $loc2, $loc], service_ids => [$svc] });
is($r->{status}, 303, 'a good practitioner: 303');
my $pp = new_id('practitioners');
is($psql->("SELECT qualifications::text || '|' || specialties::text || '|' || languages::text || '|' || telehealth || '|' || buffer_after_minutes || '|' || min_notice_minutes || '|' || user_id FROM practitioners WHERE id = '$pp'"),
	"{\"BPsych (Hons)\",\"MPsych (Clinical)\"}|{anxiety,trauma}|{en,zh-Hant,es-419}|true|10|120|$pat->{id}", 'stored, with the defaults for what was left blank');
ok(audit('booking.practitioner_created', $pp), 'audited');
is($psql->("SELECT (SELECT count(*) FROM practitioner_locations WHERE practitioner_id = '$pp') || '|' || (SELECT string_agg(service_id::text, ',') FROM practitioner_services WHERE practitioner_id = '$pp')"),
	"2|$svc", 'where they work (a location ticked twice counts once) and what they offer');
$r = $a->get("/admin/practitioners/$pp");
like($r->{content}, qr{id="location_ids-$loc2" name="location_ids" type="checkbox" value="$loc2" checked}, 'their edit form ticks their locations');
like($r->{content}, qr{id="service_ids-$svc" name="service_ids" type="checkbox" value="$svc" checked}, '… and services');
is($a->post("/admin/practitioners/$pp", { %pr, location_ids => [$loc], service_ids => [$svc] })->{status}, 303, 'one location unticked');
is($psql->("SELECT string_agg(location_id::text, ',') FROM practitioner_locations WHERE practitioner_id = '$pp'"), $loc, 'it is gone, the other kept');
$a->post('/admin/practitioners', { %pr, name => 'Dr Quinn Ray', user_id => $quinn->{id}, timezone => 'America/New_York' });
my $qq = new_id('practitioners');
$r = $a->get("/admin/practitioners/$pp");
like($r->{content}, qr{href="/admin/practitioners/$pp/hours"}, "the practitioner's page links to their hours");
like($r->{content}, qr{href="/admin/practitioners/$pp/leave"}, '… and leave');

# ---- weekly hours ----
my $hours = "/admin/practitioners/$pp/hours";
my %h = (location_id => $loc, session_type => 'in_person', weekday => 1, start_time => '09:00', end_time => '17:00');
$r = $a->get("$hours/new");
is($r->{status}, 200, 'the new-hours form');
like($r->{content}, qr{<option value="$loc"}, "offers the clinic's locations");
unlike($r->{content}, qr{$other_loc}, "never another clinic's");
$r = $a->post($hours, { %h, location_id => '', start_time => '9am', end_time => '08:00' });
is($r->{status}, 422, 'bad hours: 422');
is_deeply(field_errors($r->{content}), { location_id => 'Choose where the in-person sessions are', start_time => 'Start must be a time like 09:00' }, 'named');
$r = $a->post($hours, { %h, start_time => '09:03', end_time => '25:00' });
is_deeply(field_errors($r->{content}), { start_time => 'Start must be on a 5-minute step, like 09:05', end_time => 'End must be a time like 17:00 (24:00 for midnight)' }, 'off the 5-minute grid, past midnight');
$r = $a->post($hours, { %h, start_time => '17:00', end_time => '09:00' });
is(field_errors($r->{content})->{end_time}, 'End must be after the start', 'reversed hours');
$r = $a->post($hours, { %h, weekday => 9, session_type => 'carrier_pigeon', valid_from => '2026-02-30' });
is_deeply(field_errors($r->{content}), { weekday => 'Day must be one of: 1, 2, 3, 4, 5, 6, 0', session_type => 'Session type must be one of: in_person, telehealth',
	valid_from => 'From must be a real date, like 2026-03-27' }, 'wrong values named');
$r = $a->post($hours, { %h, valid_from => '2027-01-10', valid_until => '2027-01-01' });
is(field_errors($r->{content})->{valid_until}, 'Until must be on or after the from date', 'reversed dates');
$r = $a->post($hours, { %h, location_id => $other_loc });
is($r->{status}, 422, "another clinic's location: 422, not a 500");
is(field_errors($r->{content})->{location_id}, "Choose one of the clinic's locations", 'named by the field');
$r = $a->post($hours, \%h);
is($r->{status}, 303, 'good hours: 303');
is(location_of($r), "$hours?saved=1", 'back to their hours');
my $rule = new_id('availability_rules');
is($psql->("SELECT practitioner_id || '|' || location_id || '|' || weekday || '|' || start_time || '|' || end_time FROM availability_rules WHERE id = '$rule'"),
	"$pp|$loc|1|09:00:00|17:00:00", 'stored');
is(audit('booking.hours_created', $rule), "staff $admin->{id} 127.0.0.1 {\"practitioner\": \"$pp\"}", 'audited, naming the practitioner');
$r = $a->post($hours, { %h, start_time => '16:00', end_time => '18:00' });
is($r->{status}, 422, 'overlapping hours: 422');
is(field_errors($r->{content})->{start_time}, 'These hours overlap 09:00–17:00 on the same day, place and session type. Change one of them.', 'saying which');
is($a->post($hours, { %h, start_time => '17:00', end_time => '24:00' })->{status}, 303, 'hours that only touch, to midnight: fine');
$r = $a->post($hours, { %h, weekday => 6, start_time => '9:30', end_time => '1:-5' });
is_deeply(field_errors($r->{content}), { end_time => 'End must be a time like 17:00 (24:00 for midnight)' }, 'H:MM is a time, 1:-5 is not');
# a centre they do not work at (Carlton was unticked above): the loader would offer nothing there
my $not_theirs = 'They do not work at this centre: tick it on their profile first';
$r = $a->post($hours, { %h, start_time => '10:00', end_time => '12:00', location_id => $loc2 });
is($r->{status}, 422, 'hours at a centre of the clinic they do not work at: 422');
is_deeply(field_errors($r->{content}), { location_id => $not_theirs }, '… said by the location field alone');
is_deeply(summary($r->{content}), [$not_theirs], '… and in the summary');
like($r->{content}, qr{<option value="$loc2" selected>}, '… the centre chosen still chosen');
is(value_of($r->{content}, 'start_time'), '10:00', '… and the times kept');
is($psql->("SELECT count(*) FROM availability_rules WHERE location_id = '$loc2'"), 0, '… nothing saved');
is($a->post("/admin/practitioners/$pp", { %pr, location_ids => [$loc, $loc2], service_ids => [$svc] })->{status}, 303, 'Carlton ticked again');
is($a->post($hours, { %h, start_time => '10:00', end_time => '12:00', location_id => $loc2 })->{status}, 303, 'the same time at another place: fine (the clinic decides)');
my $carlton_rule = new_id('availability_rules');
# the link removed with the hours left: they stay (ticking it again brings them back) and the
# list says they offer nothing
is($a->post("/admin/practitioners/$pp", { %pr, location_ids => [$loc], service_ids => [$svc] })->{status}, 303, 'Carlton unticked again');
is($psql->("SELECT count(*) FROM availability_rules WHERE id = '$carlton_rule'"), 1, '… its hours are kept');
$r = $a->get($hours);
like($r->{content}, qr{<a href="$hours/$carlton_rule">Monday 10:00–12:00</a> <span class="tag tag--neutral">Inactive</span>}, '… listed as inactive');
like($r->{content}, qr{In person at Carlton · Offers no times: they do not work at this centre\. Tick it on their profile to offer these hours again, or delete them},
	'… saying why and what to do');
is(scalar(() = $r->{content} =~ /tag--neutral/g), 1, '… the hours at Fitzroy are not');
$r = $a->post("$hours/$carlton_rule", { %h, start_time => '10:00', end_time => '11:00', location_id => $loc2 });
is(field_errors($r->{content})->{location_id}, $not_theirs, '… and cannot be saved there again');
is($a->post("$hours/$carlton_rule/delete", {})->{status}, 303, '… but can be deleted');
is($a->post($hours, { %h, start_time => '10:00', end_time => '12:00', valid_from => '2030-01-01' })->{status}, 422, 'dated hours overlapping open-ended ones: refused too');
is($a->post("$hours/$rule", { %h, start_time => '08:00', end_time => '16:00' })->{status}, 303, 'a rule does not overlap itself when edited');
$r = $a->get($hours);
like($r->{content}, qr{Monday 08:00–16:00}, 'the list shows the hours');
like($r->{content}, qr{In person at Fitzroy}, '… and where');
is($a->get("/admin/practitioners/$qq/hours/$rule")->{status}, 404, "a rule under another practitioner's path: 404");
is($a->get("/admin/practitioners/$other_prac/hours")->{status}, 404, "another clinic's practitioner: 404");
is($a->post("/admin/practitioners/$other_prac/hours", \%h)->{status}, 404, '… and no hours can be added to them');
is($psql->("SELECT count(*) FROM availability_rules WHERE practitioner_id = '$other_prac'"), 0, 'none were');
my $tele = $a->post($hours, { %h, session_type => 'telehealth', location_id => '', weekday => 3 });
is($tele->{status}, 303, "telehealth without a location: the practitioner's own zone");
my $tele_rule = new_id('availability_rules');
is($a->post("$hours/$tele_rule/delete", {})->{status}, 303, 'hours are deleted');
is($psql->("SELECT count(*) FROM availability_rules WHERE id = '$tele_rule'"), 0, 'gone');
ok(audit('booking.hours_deleted', $tele_rule), 'audited');
is($a->post("$hours/$tele_rule/deactivate", {})->{status}, 404, 'hours are not deactivated');

# ---- leave ----
my $leave = "/admin/practitioners/$pp/leave";
$r = $a->post($leave, { starts_at => '2026-12-24T14:00', ends_at => '2026-12-24T09:00' });
is($r->{status}, 422, 'reversed leave: 422');
is(field_errors($r->{content})->{ends_at}, 'Until must be after the start of the leave', 'named');
is(value_of($r->{content}, 'starts_at'), '2026-12-24T14:00', 'input kept');
$r = $a->post($leave, { starts_at => 'Christmas', ends_at => '2026-02-30T09:00' });
is_deeply(field_errors($r->{content}), { starts_at => 'From must be a date and time like 2026-12-24T14:00', ends_at => 'Until must be a date and time like 2027-01-04T09:00' },
	'not date-times (and no 30 February)');
$r = $a->post($leave, { starts_at => '2026-12-24T14:00', ends_at => '2027-01-04T09:00', reason => 'r' x 201 });
is_deeply(field_errors($r->{content}), { reason => 'Reason must be 200 characters or fewer' }, 'a reason too long');
is($a->post($leave, { starts_at => '2026-12-24T14:00' })->{status}, 422, 'no end: 422');
$r = $a->post($leave, { starts_at => '2026-12-24T14:00', ends_at => '2027-01-04 09:00', reason => 'Holidays' });
is($r->{status}, 303, 'good leave: 303');
my $lv = new_id('practitioner_leave');
is($psql->("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || '|' || to_char(ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM practitioner_leave WHERE id = '$lv'"),
	'2026-12-24 03:00|2027-01-03 22:00', "stored as instants: the wall times in the practitioner's zone (Melbourne, +11:00)");
ok(audit('booking.leave_created', $lv), 'audited');
$r = $a->get("$leave/$lv");
is(value_of($r->{content}, 'starts_at'), '2026-12-24T14:00', 'the edit form shows the wall time again');
like($a->get($leave)->{content}, qr{2026-12-24T14:00 – 2027-01-04T09:00}, 'and so does the list');
is($a->post("$leave/$lv", { starts_at => '2026-12-23T14:00', ends_at => '2027-01-04T09:00', reason => 'Summer' })->{status}, 303, 'leave edited: 303');
is($psql->("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || '|' || reason || '|' || (SELECT count(*) FROM practitioner_leave) FROM practitioner_leave WHERE id = '$lv'"),
	'2026-12-23 03:00|Summer|1', '… the same row changed, none added');
$r = $a->post($leave, { starts_at => '2026-10-04T02:30', ends_at => '2026-10-04T04:00' });
is($r->{status}, 303, 'leave from a wall time that does not exist (spring forward)');
is($psql->("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM practitioner_leave ORDER BY created_at DESC, id LIMIT 1"), '2026-10-03 16:00',
	'starts at the change (03:00 AEDT), as core/tz reads a gap');

# ---- prices ----
my %pc = (service_id => $svc, funding => 'medicare', fee_minor => '220.00', rebate_minor => '141.85', currency => 'AUD');
$r = $a->post('/admin/prices', { %pc, funding => 'insurer', fee_minor => '12.345', currency => 'AU' });
is($r->{status}, 422, 'a bad price: 422');
is_deeply(field_errors($r->{content}), { fee_minor => 'Fee must be an amount like 120.50', currency => 'Currency must be at least 3 characters' }, 'named');
# a minus where the minimum is 0 (issue 12 item 1: "-0.50" was stored as a fee of 0.50)
for my $minus ('-0.50', '-0', '-0.00', ' -1', '-220.00') {
	$r = $a->post('/admin/prices', { %pc, fee_minor => $minus, rebate_minor => $minus });
	is($r->{status}, 422, "a fee and a rebate of '$minus': 422");
	is_deeply(field_errors($r->{content}), { fee_minor => 'Fee must be an amount from 0.00 to 1000000.00',
		rebate_minor => 'Rebate must be an amount from 0.00 to 1000000.00' }, "... each the field's range, as it is typed");
	is(value_of($r->{content}, 'fee_minor'), $minus, '... what was typed kept');
}
$r = $a->post('/admin/prices', { %pc, fee_minor => '1000000.01' });
is(field_errors($r->{content})->{fee_minor}, 'Fee must be an amount from 0.00 to 1000000.00', 'a fee over its max: the same range');
is($psql->("SELECT count(*) FROM price_rules WHERE service_id = '$svc'"), 0, '... and no price stored for any');
$r = $a->post('/admin/prices', { %pc, funding => 'insurer' });
is(field_errors($r->{content})->{insurer}, "Enter the insurer's name", 'an insurer price names the insurer');
$r = $a->post('/admin/prices', { %pc, funding => 'private' });
is(field_errors($r->{content})->{rebate_minor}, 'Only Medicare and insurer prices have a rebate', 'no rebate on a private fee');
$r = $a->post('/admin/prices', { %pc, rebate_minor => '300.00' });
is(field_errors($r->{content})->{rebate_minor}, 'The rebate must not be more than the fee', 'the rebate is at most the fee');
$r = $a->post('/admin/prices', { %pc, funding => 'package' });
is(field_errors($r->{content})->{package_sessions}, 'Enter how many sessions the package holds', 'a package says how many sessions');
$r = $a->post('/admin/prices', { %pc, service_id => $other_svc });
is($r->{status}, 422, "another clinic's service: 422");
is(field_errors($r->{content})->{service_id}, "Choose one of the clinic's services", 'named');
$r = $a->post('/admin/prices', { %pc, service_id => '' });
is(field_errors($r->{content})->{service_id}, 'Choose a service', 'no service');
$r = $a->post('/admin/prices', \%pc);
is($r->{status}, 303, 'a good price: 303');
my $price = new_id('price_rules');
is($psql->("SELECT fee_minor || '|' || rebate_minor || '|' || gap_minor || '|' || currency FROM price_rules WHERE id = '$price'"), '22000|14185|7815|AUD', 'money in minor units with its currency');
ok(audit('booking.price_rule_created', $price), 'audited');
like($a->get('/admin/prices')->{content}, qr{AUD 220\.00, rebate 141\.85, gap 78\.15}, 'the list shows fee, rebate and gap');
$r = $a->post('/admin/prices', { %pc, fee_minor => '230.00' });
is($r->{status}, 422, 'a second active price for the same combination: 422, not a 500');
like(field_errors($r->{content})->{service_id}, qr/^There is already an active price/, 'said by the service');
is(value_of($r->{content}, 'fee_minor'), '230.00', 'input kept');
like($r->{content}, qr{<option value="$svc" selected>}, 'the chosen service still chosen');
is(value_of($a->get("/admin/prices/$price")->{content}, 'fee_minor'), '220.00', 'the edit form shows the fee in dollars');
is($a->post("/admin/prices/$price", { %pc, fee_minor => '225.00' })->{status}, 303, 'a price edited: 303');
is($psql->("SELECT fee_minor || '|' || gap_minor || '|' || (SELECT count(*) FROM price_rules) FROM price_rules WHERE id = '$price'"), '22500|8315|1',
	'… the same row changed, none added');
is($a->post("/admin/prices/$price/deactivate", {})->{status}, 303, 'a price is deactivated');
is($psql->("SELECT active FROM price_rules WHERE id = '$price'"), 'f', 'inactive');
ok(audit('booking.price_rule_deactivated', $price), 'audited');
like($a->get('/admin/prices')->{content}, qr{Inactive}, 'listed as inactive');
is($a->post('/admin/prices', { %pc, fee_minor => '230.00' })->{status}, 303, 'then a new one can take its place');
$r = $a->post("/admin/prices/$price/activate", {});
is($r->{status}, 409, 'the old one cannot be reactivated while the new one is active: 409, not a 500');
like($r->{content}, qr/Deactivate that one first/, 'saying why');
is($psql->("SELECT active FROM price_rules WHERE id = '$price'"), 'f', 'still inactive');

# an insurer is one insurer whatever the case of its name, as pricing matches it (migration
# 0027): "bupa" beside an active "Bupa" would make which of them prices arbitrary
my %ins = (%pc, funding => 'insurer', insurer => 'Bupa', fee_minor => '200.00', rebate_minor => '60.00');
is($a->post('/admin/prices', \%ins)->{status}, 303, 'an insurer price (Bupa): 303');
my $bupa = new_id('price_rules');
for my $other ('bupa', 'BUPA') {
	$r = $a->post('/admin/prices', { %ins, insurer => $other, fee_minor => '210.00' });
	is($r->{status}, 422, "the same insurer as '$other': 422, not a 500");
	like(field_errors($r->{content})->{insurer}, qr/^There is already an active price for this insurer \(its name in any case\)/,
		'... said by the insurer field');
	is_deeply(summary($r->{content}), [ field_errors($r->{content})->{insurer} ], '... and in the error summary, alone');
	is(value_of($r->{content}, 'insurer'), $other, '... the name as typed kept');
	is(value_of($r->{content}, 'fee_minor'), '210.00', '... and the fee');
}
is($psql->("SELECT string_agg(insurer || ' ' || fee_minor, ',') FROM price_rules WHERE funding = 'insurer'"), 'Bupa 20000', '... none stored');
is($a->post('/admin/prices', { %ins, insurer => 'Bupa Extras' })->{status}, 303, 'another insurer (Bupa Extras): 303');
my $extras = new_id('price_rules');
is($a->post('/admin/prices', { %ins, insurer => 'bupa', session_type => 'in_person' })->{status}, 303,
	'bupa for in-person sessions only: another combination, 303');
$r = $a->post("/admin/prices/$extras", { %ins, insurer => 'BUPA' });
is($r->{status}, 422, 'an edit that renames Bupa Extras to BUPA: 422');
like(field_errors($r->{content})->{insurer}, qr/^There is already an active price for this insurer/, '... by the insurer');
is($psql->("SELECT insurer FROM price_rules WHERE id = '$extras'"), 'Bupa Extras', '... unchanged');
is($a->post("/admin/prices/$bupa/deactivate", {})->{status}, 303, 'Bupa deactivated');
is($a->post('/admin/prices', { %ins, insurer => 'bupa' })->{status}, 303, '... then bupa can take its place');
is($a->post("/admin/prices/$bupa/activate", {})->{status}, 409, '... and Bupa cannot come back beside it: 409');

# ---- deactivation of referenced rows ----
is($a->post("/admin/services/$svc/deactivate", {})->{status}, 303, 'a service is deactivated, not deleted');
is($psql->("SELECT active FROM services WHERE id = '$svc'"), 'f', 'inactive');
like($a->get("/admin/services/$svc")->{content}, qr{>Activate<}, 'its page offers to activate it again');
$r = $a->post("/admin/services/$svc", { %svc, duration_minutes => 0 });
is($r->{status}, 422, 'a bad edit of an inactive service: 422');
like($r->{content}, qr{action="/admin/services/$svc/activate"}, 'the form shown again still offers to activate it');
is($a->post("/admin/services/$svc/activate", {})->{status}, 303, 'and it can be');
is($psql->("SELECT active FROM services WHERE id = '$svc'"), 't', 'active again');
ok(audit('booking.service_activated', $svc), 'audited');

# ---- a practitioner: their own hours and leave, nothing else ----
my $p = signed_in($pat);
like($p->get('/admin')->{content}, qr{href="/admin/hours"}, "a practitioner's home links to their hours");
$r = $p->get('/admin/hours');
is($r->{status}, 303, '/admin/hours: to their own');
is(location_of($r), "/admin/practitioners/$pp/hours", '… which are theirs');
is(location_of($p->get('/admin/leave')), "/admin/practitioners/$pp/leave", 'and /admin/leave');
$r = $p->get($hours);
is($r->{status}, 200, 'they see their hours');
unlike($r->{content}, qr{href="/admin/practitioners/$pp"}, 'with no link to the profile they cannot open');
like($r->{content}, qr{<a href="/admin">Back</a>}, 'their way back is their admin home');
like($r->{content}, qr{Monday 08:00–16:00}, 'all of them');
$r = $p->post($hours, { %h, weekday => 2 });
is($r->{status}, 303, 'they add hours');
my $own_rule = new_id('availability_rules');
is(audit('booking.hours_created', $own_rule), "staff $pat->{id} 127.0.0.1 {\"practitioner\": \"$pp\"}", 'audited as them');
is($p->post("$leave", { starts_at => '2027-02-01T00:00', ends_at => '2027-02-02T00:00' })->{status}, 303, 'and leave');
is($p->get("$leave/$lv")->{status}, 200, 'they open their leave');
for my $path ("/admin/practitioners/$qq/hours", "/admin/practitioners/$qq/leave", "/admin/practitioners/$qq/hours/new",
	"/admin/practitioners/$qq/hours/$rule", "/admin/practitioners/$other_prac/hours", '/admin/locations', '/admin/services',
	'/admin/practitioners', '/admin/prices', "/admin/practitioners/$pp", "/admin/locations/$loc", '/admin/locations/new') {
	is($p->get($path)->{status}, 404, "a practitioner: GET $path is 404");
}
is($p->post("/admin/practitioners/$qq/hours", { %h, weekday => 4 })->{status}, 404, "they cannot add hours to another practitioner");
is($p->post("/admin/practitioners/$qq/leave", { starts_at => '2027-02-01T00:00', ends_at => '2027-02-02T00:00' })->{status}, 404, '… nor leave');
is($p->post("/admin/practitioners/$pp", \%pr)->{status}, 404, 'nor edit their profile');
is($p->post('/admin/locations', \%loc)->{status}, 404, 'nor add a location');
is($p->post("/admin/services/$svc/deactivate", {})->{status}, 404, 'nor deactivate a service');
is($psql->("SELECT count(*) FROM availability_rules WHERE practitioner_id = '$qq'"), 0, "nothing was added to the other's");
is(signed_in($quinn)->get($hours)->{status}, 404, "the other practitioner cannot see Pat's hours");
is(location_of($a->get('/admin/hours')), '/admin/practitioners', "an admin's /admin/hours: the practitioners to choose from");
{
	my $una = $k->staff(role => 'practitioner', name => 'Una Unlinked');
	my $r2 = signed_in($una)->get('/admin/hours');
	is($r2->{status}, 404, 'a practitioner with no profile yet: 404');
	like($r2->{content}, qr/not linked to a practitioner profile yet/, 'saying what to ask for');
}

# ---- what the booking engine needs to hold together ----
$a->post('/admin/practitioners', { %pr, name => 'Dr No Screen', user_id => undef, telehealth => undef });
my $nt = new_id('practitioners');
$r = $a->post("/admin/practitioners/$nt/hours", { %h, session_type => 'telehealth', location_id => '' });
is($r->{status}, 422, 'telehealth hours for a practitioner who offers none: 422');
is(field_errors($r->{content})->{session_type}, 'They do not offer telehealth: tick it on their profile first', 'said by the session type');
$r = $a->post("/admin/practitioners/$nt/hours", \%h);
is($r->{status}, 422, 'in-person hours for a practitioner who works at no centre: 422');
is(field_errors($r->{content})->{location_id}, 'They do not work at this centre: tick it on their profile first', 'said by the location');
$a->post('/admin/services', { %svc, name => 'Couples', telehealth => undef });
my $couples = new_id('services');
$r = $a->post('/admin/prices', { %pc, service_id => $couples, session_type => 'telehealth' });
is(field_errors($r->{content})->{session_type}, 'The service is not offered as this session type', 'a price for a session type the service does not offer');
is($a->post('/admin/prices', { %pc, service_id => $couples, session_type => 'in_person' })->{status}, 303, 'one it does: fine');

# ---- every form: bad UTF-8 and a NUL ----
for my $form ('/admin/locations', '/admin/services', '/admin/practitioners', '/admin/prices', $hours, $leave) {
	my $field = $form =~ /prices/ ? 'insurer' : $form =~ /hours/ ? 'start_time' : $form =~ /leave/ ? 'reason' : 'name';
	my $before = $psql->("SELECT count(*) FROM audit_log");
	$r = $a->request('POST', $form, content_raw => "_csrf=" . $a->token . "&$field=%C3%28");
	is($r->{status}, 422, "$form: bad UTF-8 in $field: 422");
	like(field_errors($r->{content})->{$field}, qr/must be valid UTF-8 text/, '… named by the field');
	$r = $a->request('POST', $form, content_raw => "_csrf=" . $a->token . "&$field=a%00b");
	is($r->{status}, 422, "$form: a NUL in $field: 422");
	like(field_errors($r->{content})->{$field}, qr/NUL/, '… named by the field');
	is($psql->("SELECT count(*) FROM audit_log"), $before, '… and nothing changed');
}

# ---- lists page by keyset ----
$psql->("INSERT INTO locations (org_id, name, address_line1, locality, country, timezone) SELECT id, 'Bulk ' || lpad(g::text, 3, '0'), '1 St', 'Town', 'AU', 'UTC' FROM organisations, generate_series(1, 120) g WHERE is_default");
my (@seen, $next) = ();
my $pages = 0;
$next = '/admin/locations';
while ($next && $pages < 10) {
	my $page = $a->get($next);
	is($page->{status}, 200, "list page " . ++$pages);
	push @seen, $page->{content} =~ m{<a href="/admin/locations/([0-9a-f-]{36})">}g;
	($next) = $page->{content} =~ m{href="(/admin/locations\?after=[0-9a-f-]{36})" rel="next"};
}
is($pages, 3, '122 locations: three pages of at most 50');
is(scalar @seen, 122, 'every location listed');
is(scalar(keys %{ { map { $_ => 1 } @seen } }), 122, 'once each');
is($a->get('/admin/locations?after=bogus')->{status}, 400, 'a malformed page link: 400');
# every other list pages by its own order: the page after its first row is the rest
for my $list ('/admin/services', '/admin/practitioners', '/admin/prices', $hours, $leave) {
	my @ids = $a->get($list)->{content} =~ m{<a href="\Q$list\E/([0-9a-f-]{36})">}g;
	cmp_ok(scalar @ids, '>=', 2, "$list: two rows or more to page through");
	my $page = $a->get("$list?after=$ids[0]");
	is($page->{status}, 200, "$list: the page after its first row");
	is_deeply([ $page->{content} =~ m{<a href="\Q$list\E/([0-9a-f-]{36})">}g ], [ @ids[1 .. $#ids] ],
	    '… holds the rest, in order');
}

# ---- audit: every change has its entry ----
is($psql->("SELECT count(*) FROM audit_log WHERE action LIKE 'booking.%' AND (actor_id IS NULL OR ip IS NULL OR request_id IS NULL)"), 0, 'every entry says who, from where, in which request');
cmp_ok($StaffBrowser::changes, '>', 20, "$StaffBrowser::changes changes were made through the pages");
is($psql->("SELECT count(*) FROM audit_log WHERE action LIKE 'booking.%'"), $StaffBrowser::changes, 'and each has exactly one audit entry');

$k->finish;
done_testing();
