/* json.c: the catalogue's answers in the shapes of patient-api.md, "Catalogue and
 * availability": camelCase members, RFC 3339 times with offsets, money as
 * {"amount": minor units, "currency": ISO 4217}. Pages render the same objects. */
#include "catalogue/catalogue.h"

#include <string.h>

#include <json-c/json.h>

static struct json_object *
json_text(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;	/* NULL is JSON null */
}

static struct json_object *
json_strings(const char *const *s, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(s[i]));
	return a;
}

static struct json_object *
json_money(const struct catalogue_money *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "amount", json_object_new_int64(m->amount));
	json_object_object_add(o, "currency", json_object_new_string(m->currency));
	return o;
}

static struct json_object *
json_price(const struct catalogue_price *p)
{
	struct json_object *o;

	if (!p->found)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "funding", json_object_new_string(p->funding));
	if (p->insurer != NULL)
		json_object_object_add(o, "insurer", json_object_new_string(p->insurer));
	if (p->package_sessions > 0)
		json_object_object_add(o, "packageSessions", json_object_new_int(p->package_sessions));
	json_object_object_add(o, "fee", json_money(&p->fee));
	json_object_object_add(o, "rebate", json_money(&p->rebate));
	json_object_object_add(o, "gap", json_money(&p->gap));
	return o;
}

static struct json_object *
json_session_types(bool in_person, bool telehealth)
{
	struct json_object *a = json_object_new_array();

	if (in_person)
		json_object_array_add(a, json_object_new_string("in_person"));
	if (telehealth)
		json_object_array_add(a, json_object_new_string("telehealth"));
	return a;
}

struct json_object *
catalogue_services_json(const struct catalogue_service *s, size_t n)
{
	struct json_object *out = json_object_new_object(), *list = json_object_new_array_ext((int)n);

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(s[i].id));
		json_object_object_add(o, "name", json_text(s[i].name));
		json_object_object_add(o, "description", json_text(s[i].description));
		json_object_object_add(o, "durationMinutes", json_object_new_int(s[i].duration_minutes));
		json_object_object_add(o, "sessionTypes", json_session_types(s[i].in_person,
		    s[i].telehealth));
		json_object_object_add(o, "concerns", json_strings(s[i].concerns, s[i].nconcerns));
		json_object_object_add(o, "price", json_price(&s[i].price));
		json_object_array_add(list, o);
	}
	json_object_object_add(out, "services", list);
	return out;
}

/* t in z as RFC 3339, or null when it cannot be written. */
static struct json_object *
json_time(const struct tz_zone *z, tz_instant t)
{
	char s[BOOKING_TIME_SIZE];

	if (z == NULL || booking_format_time(z, t, s) < 0)
		return NULL;
	return json_object_new_string(s);
}

struct json_object *
catalogue_psychologist_json(const struct catalogue_psychologist *p)
{
	struct json_object *o = json_object_new_object(), *locs, *rating;

	json_object_object_add(o, "id", json_object_new_string(p->id));
	json_object_object_add(o, "name", json_text(p->name));
	json_object_object_add(o, "title", json_text(p->title));
	json_object_object_add(o, "photoUrl", json_text(p->photo_url));
	json_object_object_add(o, "bio", json_text(p->bio));
	json_object_object_add(o, "qualifications", json_strings(p->qualifications,
	    p->nqualifications));
	json_object_object_add(o, "specialties", json_strings(p->specialties, p->nspecialties));
	json_object_object_add(o, "languages", json_strings(p->languages, p->nlanguages));
	json_object_object_add(o, "gender", json_text(p->gender));
	locs = json_object_new_array_ext((int)p->nlocations);
	for (size_t k = 0; k < p->nlocations; k++) {
		struct json_object *l = json_object_new_object();

		json_object_object_add(l, "id", json_object_new_string(p->locations[k].id));
		json_object_object_add(l, "name", json_text(p->locations[k].name));
		json_object_object_add(l, "timezone", json_text(p->locations[k].timezone));
		json_object_array_add(locs, l);
	}
	json_object_object_add(o, "locations", locs);
	json_object_object_add(o, "telehealth", json_object_new_boolean(p->telehealth));
	rating = json_object_new_object();
	/* one decimal, as shown ("4.8"; averages are never negative); the list sorts by the
	 * unrounded one */
	json_object_object_add(rating, "average",
	    json_object_new_double((double)(long long)(p->rating_average * 10 + 0.5) / 10));
	json_object_object_add(rating, "count", json_object_new_int64(p->rating_count));
	json_object_object_add(o, "rating", rating);
	json_object_object_add(o, "nextAvailable", p->has_next ?
	    json_time(p->next_zone, p->next.start) : NULL);
	return o;
}

struct json_object *
catalogue_psychologists_json(const struct catalogue_psychologist *p, size_t n)
{
	struct json_object *out = json_object_new_object(), *list = json_object_new_array_ext((int)n);

	for (size_t i = 0; i < n; i++)
		json_object_array_add(list, catalogue_psychologist_json(&p[i]));
	json_object_object_add(out, "psychologists", list);
	return out;
}

struct json_object *
catalogue_slots_json(const struct tz_zone *zone, const struct catalogue_slot *s, size_t n)
{
	struct json_object *out = json_object_new_object(), *list = json_object_new_array_ext((int)n);

	json_object_object_add(out, "timezone", json_object_new_string(tz_name(zone)));
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "start", json_time(zone, s[i].start));
		json_object_object_add(o, "end", json_time(zone, s[i].end));
		json_object_object_add(o, "practitionerId", json_object_new_string(s[i].practitioner_id));
		json_object_object_add(o, "locationId", s[i].location_id[0] != '\0' ?
		    json_object_new_string(s[i].location_id) : NULL);
		json_object_object_add(o, "sessionType",
		    json_object_new_string(booking_session_type_name(s[i].session_type)));
		json_object_array_add(list, o);
	}
	json_object_object_add(out, "slots", list);
	return out;
}
