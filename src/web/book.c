/* book.c: the booking wizard's pages, steps 1-3 (issue 13 item 5; BOOK-1, BOOK-3, BOOK-6):
 * GET /book (the service), /book/psychologist (who), /book/psychologists/:id (a profile),
 * /book/time (the day and the time) and /book/summary (the choice, before step 4 signs the
 * patient in and holds the time).
 *
 * Every page reads its query through the catalogue's input specs, the same ones its JSON
 * twin reads (catalogue/catalogue.h), and calls the same domain call; this file only turns
 * the answers into page models. The choices made so far travel in each URL (book_href), so
 * Back, Forward and a shared link show the same page, and nothing needs JavaScript. A bad
 * query value is shown by its field (or, for a choice made on an earlier step, in a
 * problem list that leads back to /book), never as a 500. Each page records one funnel
 * event in its own transaction. */
#include "web/web.h"
#include "web/book.h"
#include "catalogue/catalogue.h"
#include "funnel/funnel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define BOOK_STEPS        6	/* service, psychologist, time, details, payment, confirmation */
#define BOOK_DAYS_SHOWN   14	/* the day picker's strip when the URL names no range */
/* "Later days" stops at the catalogue's look-ahead for the next free time (two months). */
#define BOOK_DAYS_AHEAD   CATALOGUE_NEXT_DAYS_MAX
/* The slots asked for around the shown days: a patient's local date can be the clinic's
 * previous or next one (zones up to a day apart). */
#define BOOK_DAY_MARGIN   1
/* The most days step 3 shows: with the margin either side they are one availability query,
 * which spans at most BOOKING_RANGE_MAX_DAYS (the engine refuses more: a 31-day range in
 * the URL, which the API allows, used to answer 500); a longer range shows its first ones. */
#define BOOK_DAYS_MAX     (BOOKING_RANGE_MAX_DAYS - 2 * BOOK_DAY_MARGIN)
#define BOOK_NOON_MINUTES (12 * 60)
#define BOOK_EVENING_MINUTES (17 * 60)

/* The names a wizard URL may carry, in the order they are written, grouped by the step
 * that sets them: a link to step N writes the names of steps 1..N. */
enum book_name {
	/* step 1 */
	BN_SERVICE, BN_SESSION_TYPE, BN_LOCATION, BN_CONCERN, BN_FUNDING, BN_INSURER,
	/* step 2 */
	BN_Q, BN_SPECIALTY, BN_LANGUAGE, BN_GENDER, BN_TELEHEALTH, BN_WITHIN, BN_SORT,
	/* step 3 */
	BN_PRACTITIONER, BN_TZ, BN_FROM, BN_TO, BN_DATE,
	/* the summary */
	BN_START, BN_ANY,
	BN_COUNT
};
#define BN_END_STEP1 BN_Q
#define BN_END_STEP2 BN_PRACTITIONER
#define BN_END_STEP3 BN_START

static const char *const book_names[BN_COUNT] = {
	"serviceId", "sessionType", "locationId", "concern", "funding", "insurer",
	"q", "specialty", "language", "gender", "telehealth", "availableWithinDays", "sort",
	"practitionerId", "tz", "from", "to", "date",
	"start", "any",
};

/* The choices of a wizard URL: the query's values that passed their spec. */
struct book_state {
	const char *v[BN_COUNT];
};

/* The page-only fields of step 3 and the summary (the rest are the catalogue's). */
struct book_time_query {
	const char *date;
};

struct book_summary_query {
	const char *practitioner_id, *service_id, *start, *session_type, *location_id, *tz;
};

static const char *const book_session_types[] = { "in_person", "telehealth", NULL };

/* An RFC 3339 time with its offset, exactly as GET /api/availability writes a slot's start
 * ("2026-12-01T09:00:00+11:00"), as an instant. false for anything else. */
static bool
book_parse_start(const char *s, tz_instant *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd+dd:dd";
	struct tz_civil c;
	int oh, om;

	if (strlen(s) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    shape[i] == '+' ? (s[i] != '+' && s[i] != '-') : s[i] != shape[i])
			return false;
	sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &c.year, &c.month, &c.day, &c.hour, &c.minute, &c.second);
	sscanf(s + 20, "%2d:%2d", &oh, &om);
	if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > tz_days_in_month(c.year, c.month) ||
	    c.hour > 23 || c.minute > 59 || c.second > 59 || oh > 14 || om > 59)
		return false;
	*out = tz_civil_to_seconds(&c) - (s[19] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	return true;
}

static const char *
book_check_start(const void *value, const void *whole)
{
	tz_instant ignored;

	(void)whole;
	return book_parse_start(*(const char *const *)value, &ignored) ? NULL :
	    "Choose a time from the list";
}

static const struct input_field book_time_fields[] = {
	{ .name = "date", .label = "Day", .type = INPUT_DATE,
	  .offset = offsetof(struct book_time_query, date) },
};
static const struct input_spec book_time_spec =
	INPUT_SPEC("book-time", book_time_fields, struct book_time_query, NULL);

/* The summary's fields are those of POST /api/booking/initiate (patient-api.md), which
 * step 4 will post. */
static const struct input_field book_summary_fields[] = {
	{ .name = "practitionerId", .label = "Psychologist", .type = INPUT_UUID,
	  .flags = INPUT_REQUIRED, .offset = offsetof(struct book_summary_query, practitioner_id) },
	{ .name = "serviceId", .label = "Service", .type = INPUT_UUID, .flags = INPUT_REQUIRED,
	  .offset = offsetof(struct book_summary_query, service_id) },
	{ .name = "start", .label = "Time", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = BOOKING_TIME_SIZE, .check = book_check_start, .missing = "Choose a time",
	  .offset = offsetof(struct book_summary_query, start) },
	{ .name = "sessionType", .label = "Session type", .type = INPUT_ENUM,
	  .flags = INPUT_REQUIRED, .choices = book_session_types,
	  .offset = offsetof(struct book_summary_query, session_type) },
	{ .name = "locationId", .label = "Location", .type = INPUT_UUID,
	  .offset = offsetof(struct book_summary_query, location_id) },
	{ .name = "tz", .label = "Time zone", .type = INPUT_ZONE, .flags = INPUT_REQUIRED,
	  .offset = offsetof(struct book_summary_query, tz) },
};
static const struct input_spec book_summary_spec =
	INPUT_SPEC("book-summary", book_summary_fields, struct book_summary_query, NULL);

/* ---- reading the query, and the URL that keeps it ---- */

/* Reads the query through spec, keeping the errors; a field with an error reads as absent
 * (NULL) so the page goes on without that filter. */
static void
book_read(struct web_app *app, struct request *req, const struct input_spec *spec, void *out,
    struct input_errors *e)
{
	web_input(app, req, spec, out, e);
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct input_field *f = &spec->fields[i];

		if (input_error_at(e, f->name) == NULL)
			continue;
		if (f->type == INPUT_INT)
			*(long long *)((char *)out + f->offset) = 0;
		else if (f->type == INPUT_BOOL)
			*(bool *)((char *)out + f->offset) = false;
		else if (f->type != INPUT_OBJECT && f->type != INPUT_ARRAY)
			*(const char **)((char *)out + f->offset) = NULL;
	}
}

/* The URL's choices: each known name's value, unless absent, blank or in error. */
static void
book_state_from(const struct request *req, const struct input_errors *e, struct book_state *st)
{
	for (int i = 0; i < BN_COUNT; i++) {
		const char *v = http_param(&req->query, book_names[i]);

		st->v[i] = v != NULL && *v != '\0' && input_error_at(e, book_names[i]) == NULL &&
		    !http_param_has_nul(&req->query, book_names[i]) ? v : NULL;
	}
}

/* path?name=value&… of st's names before `end` (enum book_name), arena-owned. */
static const char *
book_href(struct arena *a, const char *path, const struct book_state *st, int end)
{
	struct buf b = BUF_ARENA(a);
	char sep = '?';

	buf_puts(&b, path);
	for (int i = 0; i < end; i++)
		if (st->v[i] != NULL) {
			buf_putc(&b, sep);
			buf_puts(&b, book_names[i]);
			buf_putc(&b, '=');
			http_percent_encode(&b, st->v[i], strlen(st->v[i]), "");
			sep = '&';
		}
	return buf_cstr(&b);
}

/* [{name, value}] of st's names in [from, end) but `except`, for a GET form's hidden fields. */
static struct json_object *
book_hidden(const struct book_state *st, int from, int end, int except)
{
	struct json_object *list = json_object_new_array();

	for (int i = from; i < end; i++)
		if (st->v[i] != NULL && i != except) {
			struct json_object *h = json_object_new_object();

			book_put(h, "name", book_names[i]);
			book_put(h, "value", st->v[i]);
			json_object_array_add(list, h);
		}
	return list;
}

/* partials/steps at step `current` (1-based). */
static struct json_object *
book_progress(int current)
{
	static const char *const labels[BOOK_STEPS] = { "Service", "Psychologist",
		"Date and time", "Your details", "Payment", "Confirmation" };
	struct json_object *p = json_object_new_object(), *steps = json_object_new_array();

	json_object_object_add(p, "current", json_object_new_int(current));
	json_object_object_add(p, "total", json_object_new_int(BOOK_STEPS));
	for (int i = 0; i < BOOK_STEPS; i++) {
		struct json_object *s = json_object_new_object();

		book_put(s, "label", labels[i]);
		book_put(s, "state", i + 1 < current ? "done" : i + 1 == current ? "current" : "upcoming");
		book_bool(s, "isCurrent", i + 1 == current);
		book_bool(s, "isDone", i + 1 < current);
		json_object_array_add(steps, s);
	}
	json_object_object_add(p, "steps", steps);
	return p;
}

static struct json_object *
book_back(const char *href, const char *label)
{
	struct json_object *b = json_object_new_object();

	book_put(b, "href", href);
	book_put(b, "label", label);
	return b;
}

/* A list of distinct strings, for filter options gathered from several rows. */
struct book_set {
	const char **items;
	size_t       count, cap;
};

static void
book_set_add(struct arena *a, struct book_set *s, const char *v)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->items[i], v) == 0)
			return;
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		const char **items = arena_alloc(a, cap * sizeof *items);

		if (s->count)
			memcpy(items, s->items, s->count * sizeof *items);
		s->items = items;
		s->cap = cap;
	}
	s->items[s->count++] = v;
}

/* A select for a filter: "Any" first, then each value; the one chosen selected. A chosen
 * value not among them (from a shared link) is listed too, so the form shows what
 * filtered the list. */
static struct json_object *
book_select(struct web_form *f, const char *name, const char *label, const char *any,
    const char *chosen)
{
	struct json_object *field = web_form_field(f, name, label, chosen ? chosen : "");

	json_object_object_add(field, "required", json_object_new_boolean(0));
	json_object_object_add(field, "options", json_object_new_array());
	web_form_option(field, "", any, chosen == NULL);
	return field;
}

static void
book_option(struct json_object *field, const char *value, const char *label, const char *chosen)
{
	struct json_object *options, *o;
	size_t n;

	json_object_object_get_ex(field, "options", &options);
	web_form_option(field, value, label, chosen != NULL && strcmp(chosen, value) == 0);
	/* partials/select reads "selected"; web_form_option writes "checked" for radios */
	n = json_object_array_length(options);
	o = json_object_array_get_idx(options, n - 1);
	book_bool(o, "selected", chosen != NULL && strcmp(chosen, value) == 0);
}

/* Makes "Any" selected or not after the options are in, and adds the chosen value when
 * no option had it. */
static void
book_select_done(struct json_object *field, const char *chosen)
{
	struct json_object *options, *first;
	bool found = chosen == NULL;

	json_object_object_get_ex(field, "options", &options);
	for (size_t i = 1; i < json_object_array_length(options) && !found; i++) {
		struct json_object *v;

		json_object_object_get_ex(json_object_array_get_idx(options, i), "value", &v);
		found = strcmp(json_object_get_string(v), chosen) == 0;
	}
	if (!found)
		book_option(field, chosen, chosen, chosen);
	first = json_object_array_get_idx(options, 0);
	book_bool(first, "selected", chosen == NULL);
}

static void
book_enum_options(struct json_object *field, const struct input_spec *spec, const char *name,
    const char *chosen)
{
	const struct input_field *in = input_field_find(spec, name);

	for (size_t k = 0; in != NULL && in->choices[k] != NULL; k++)
		book_option(field, in->choices[k], in->choice_labels ? in->choice_labels[k] :
		    in->choices[k], chosen);
	book_select_done(field, chosen);
}

/* Every error of e on the form: by its field when the page shows one, else in the summary
 * pointing at the "start again" note (a choice of an earlier step, kept in the URL). */
static void
book_form_errors(struct web_form *f, const struct input_errors *e)
{
	for (size_t i = 0; i < e->count; i++) {
		struct json_object *field, *options, *err;
		size_t n = json_object_array_length(f->errors);

		if (json_object_object_get_ex(f->fields, e->items[i].path, &field)) {
			web_form_error(f, e->items[i].path, e->items[i].message);
			/* a select's summary link goes to the select, not to its first option as
			 * a radio group's does */
			if (json_object_array_length(f->errors) > n &&
			    json_object_object_get_ex(field, "options", &options) &&
			    json_object_object_get_ex(json_object_array_get_idx(options, 0), "selected", NULL))
				book_put(json_object_array_get_idx(f->errors, n), "id", e->items[i].path);
			continue;
		}
		err = json_object_new_object();
		book_put(err, "id", "start-again");
		book_put(err, "message", e->items[i].message);
		json_object_array_add(f->errors, err);
		json_object_object_add(f->model, "invalid", json_object_new_boolean(1));
		json_object_object_add(f->model, "stateInvalid", json_object_new_boolean(1));
	}
}

/* A page that cannot be shown because a choice of an earlier step is missing or unknown
 * (a hand-edited or stale link): the problems, and the way back to step 1. */
static struct web_view
book_problem(struct request *req, const struct input_errors *e)
{
	struct web_form f;
	struct json_object *model;

	web_form_init(&f, req);
	book_form_errors(&f, e);
	model = web_page_model(&f);
	return web_view_page(400, "pages/book-problem", model);
}

/* Every page after step 1 needs a service: with none chosen yet it is step 1's turn (303
 * to /book); a bad one, or a problem at `also` (another choice the page cannot go without),
 * is the problem page. true with *v set, or false to go on. */
static bool
book_without_service(struct request *req, const struct input_errors *e, const char *also,
    struct web_view *v)
{
	const char *raw = http_param(&req->query, "serviceId");

	if (raw == NULL || *raw == '\0')
		*v = web_view_redirect(303, "/book");
	else if (input_error_at(e, "serviceId") != NULL || input_error_at(e, also) != NULL)
		*v = book_problem(req, e);
	else
		return false;
	return true;
}

/* The zone named (already checked by its spec), else the clinic's. */
static const struct tz_zone *
book_zone(const struct web_app *app, const char *name)
{
	const struct tz_zone *z = NULL;

	if (name == NULL || tz_load(name, &z) != TZ_OK)
		if (app->rq.org == NULL || tz_load(app->rq.org->timezone, &z) != TZ_OK)
			tz_load("UTC", &z);
	return z;
}

static const char *
book_session_label(enum booking_session_type t)
{
	return t == BOOKING_TELEHEALTH ? "Telehealth (video)" : "In person";
}

/* "50 minutes · in person or telehealth" */
static const char *
book_service_facts(struct arena *a, const struct catalogue_service *s)
{
	return book_printf(a, "%d minutes, %s", s->duration_minutes,
	    s->in_person && s->telehealth ? "in person or telehealth" :
	    s->telehealth ? "telehealth only" : "in person only");
}

static struct json_object *
book_service_model(struct arena *a, const struct catalogue_service *s)
{
	struct json_object *m = json_object_new_object();

	book_put(m, "id", s->id);
	book_put(m, "name", s->name);
	book_put(m, "facts", book_service_facts(a, s));
	return m;
}

/* The funnel event of a step (web_funnel fills the organisation and the visit). */
static int
book_funnel(struct web_app *app, struct request *req, struct response *resp,
    enum funnel_step step, const struct book_state *st, const char *practitioner_id,
    const struct tz_zone *slot_zone, tz_instant slot)
{
	struct funnel_event ev = FUNNEL_EVENT(step);

	ev.service_id = st->v[BN_SERVICE];
	ev.practitioner_id = practitioner_id;
	ev.location_id = st->v[BN_LOCATION];
	ev.session_type = st->v[BN_SESSION_TYPE];
	if (slot_zone != NULL)
		(void)funnel_slot(&ev, slot_zone, slot);	/* out of the zone's range: no hour */
	/* these steps write nothing else, so their event's commit may be asynchronous; the slot
	 * step will hold the slot in its transaction (later issues) and keeps a durable commit */
	ev.sole_write = step == FUNNEL_SERVICE || step == FUNNEL_PSYCHOLOGIST ||
	    step == FUNNEL_PROFILE || step == FUNNEL_TIME;
	return web_funnel(app, req, resp, &ev);
}

/* The service id, priced for q's session type, location and funding, in *out; an unknown
 * centre (its error is in e already) prices it for no centre. CATALOGUE_EINVALID when the
 * service is unknown, inactive, or offers none of what was chosen. */
static int
book_find_service(struct web_app *app, struct request *req, const struct catalogue_services_query *q,
    const char *id, const struct catalogue_service **out, struct input_errors *e)
{
	struct catalogue_services_query without = *q;
	struct catalogue_service *s;
	size_t n;
	int rc = catalogue_services(&app->db, &req->arena, q, &s, &n, e);

	*out = NULL;
	if (rc == CATALOGUE_EINVALID && input_error_at(e, "locationId") != NULL) {
		without.location_id = NULL;
		rc = catalogue_services(&app->db, &req->arena, &without, &s, &n, e);
	}
	if (rc != CATALOGUE_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].id, id) == 0)
			*out = &s[i];
	if (*out == NULL) {
		input_error_add(e, &req->arena, "serviceId",
		    "That service is not offered with these choices. Choose a service again.");
		return CATALOGUE_EINVALID;
	}
	return CATALOGUE_OK;
}

/* What a failed catalogue call becomes. */
static struct web_view
book_failed(struct request *req, int rc, const struct input_errors *e)
{
	if (rc == CATALOGUE_EINVALID)
		return book_problem(req, e);
	return web_catalogue_failed(rc, "We couldn't find that page.",
	    "Something went wrong on our side.");
}

/* Every active practitioner (no service, so no slot search): the options of the
 * location, specialty and language filters, and names for "anyone" slots. */
static int
book_everyone(struct web_app *app, struct request *req, struct catalogue_psychologist **ps,
    size_t *n)
{
	struct catalogue_psychologists_query all = { 0 };
	struct input_errors ignored = { 0 };

	return catalogue_psychologists(&app->db, &req->arena, &all, clock_now(), ps, n, &ignored);
}

static const struct catalogue_psychologist *
book_find_psychologist(const struct catalogue_psychologist *ps, size_t n, const char *id)
{
	for (size_t i = 0; id != NULL && i < n; i++)
		if (strcmp(ps[i].id, id) == 0)
			return &ps[i];
	return NULL;
}

static const char *
book_location_name(const struct catalogue_psychologist *ps, size_t n, const char *id,
    const char **zone)
{
	for (size_t i = 0; id != NULL && *id && i < n; i++)
		for (size_t k = 0; k < ps[i].nlocations; k++)
			if (strcmp(ps[i].locations[k].id, id) == 0) {
				if (zone)
					*zone = ps[i].locations[k].timezone;
				return ps[i].locations[k].name;
			}
	return NULL;
}

static int
book_location_cmp(const void *a, const void *b)
{
	const struct catalogue_location *x = *(const struct catalogue_location *const *)a;
	const struct catalogue_location *y = *(const struct catalogue_location *const *)b;

	return strcmp(x->name, y->name);
}

/* The filters' choices from every active practitioner: their specialties and languages
 * (first seen first) and the centres they work at (by name). */
struct book_choices {
	struct book_set                 specialties, languages;
	const struct catalogue_location **centres;
	size_t                          ncentres;
};

/* One record of book_choices_text: kind, then value (and name), each NUL-ended. */
static void
book_choice_put(struct buf *out, char kind, const char *value, const char *name)
{
	buf_append(out, &kind, 1);
	buf_append(out, value, strlen(value) + 1);
	if (name != NULL)
		buf_append(out, name, strlen(name) + 1);
}

/* c from the list of everyone, as the text book_choices keeps: a record per choice, its
 * kind ('s', 'l' or 'c') and its fields (a centre's id and name), each NUL-ended. */
static void
book_choices_text(struct arena *a, const struct catalogue_psychologist *ps, size_t n,
    struct buf *out)
{
	struct book_set specialties = { 0 }, languages = { 0 }, seen = { 0 };
	const struct catalogue_location **centres;
	size_t total = 0, count = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < ps[i].nspecialties; k++)
			book_set_add(a, &specialties, ps[i].specialties[k]);
		for (size_t k = 0; k < ps[i].nlanguages; k++)
			book_set_add(a, &languages, ps[i].languages[k]);
		total += ps[i].nlocations;
	}
	centres = arena_alloc(a, (total ? total : 1) * sizeof *centres);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < ps[i].nlocations; k++) {
			size_t before = seen.count;

			book_set_add(a, &seen, ps[i].locations[k].id);
			if (seen.count > before)
				centres[count++] = &ps[i].locations[k];
		}
	qsort(centres, count, sizeof *centres, book_location_cmp);
	for (size_t i = 0; i < specialties.count; i++)
		book_choice_put(out, 's', specialties.items[i], NULL);
	for (size_t i = 0; i < languages.count; i++)
		book_choice_put(out, 'l', languages.items[i], NULL);
	for (size_t i = 0; i < count; i++)
		book_choice_put(out, 'c', centres[i]->id, centres[i]->name);
}

/* The filters' choices, kept with the list of everyone they come from (catalogue_keep): a
 * page that shows them reads no practitioner's row while the clinic's catalogue holds. */
static int
book_choices(struct web_app *app, struct request *req, struct book_choices *c)
{
	struct catalogue_psychologists_query all = { 0 };
	struct input_errors ignored = { 0 };
	struct catalogue_psychologist *ps;
	struct catalogue_window w;
	struct buf text = BUF_ARENA(&req->arena);
	const char *at, *end;
	size_t n, len;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = catalogue_window(&app->db, NULL, NULL, &w)) != CATALOGUE_OK)
		return rc;
	if ((at = catalogue_kept(&req->arena, &w, "choices", clock_now(), &len)) == NULL) {
		rc = catalogue_psychologists_bounded(&app->db, &req->arena, &all, clock_now(), &ps, &n,
		    &ignored, &w);
		if (rc != CATALOGUE_OK)
			return rc;
		book_choices_text(&req->arena, ps, n, &text);
		at = buf_cstr(&text);
		len = text.len;
		catalogue_keep(&w, "choices", clock_now(), at, len);
	}
	c->centres = arena_alloc(&req->arena, (len / 4 + 1) * sizeof *c->centres);
	for (end = at + len; at < end; ) {
		char kind = *at++;
		const char *v = at;

		at += strlen(at) + 1;
		if (kind == 's')
			book_set_add(&req->arena, &c->specialties, v);
		else if (kind == 'l')
			book_set_add(&req->arena, &c->languages, v);
		else {
			struct catalogue_location *l = arena_calloc(&req->arena, 1, sizeof *l);

			snprintf(l->id, sizeof l->id, "%s", v);
			l->name = at;
			at += strlen(at) + 1;
			c->centres[c->ncentres++] = l;
		}
	}
	return CATALOGUE_OK;
}

/* The location filter's options: the centres of c. */
static void
book_location_options(struct json_object *field, const struct book_choices *c, const char *chosen)
{
	for (size_t i = 0; i < c->ncentres; i++)
		book_option(field, c->centres[i]->id, c->centres[i]->name, chosen);
	book_select_done(field, chosen);
}

/* ---- step 1: the service ---- */

struct web_view
web_book_service(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_services_query q = { 0 }, all = { 0 };
	struct input_errors e = { 0 }, ignored = { 0 };
	struct catalogue_service *s, *every;
	struct book_choices choices;
	struct book_state st, next;
	struct book_set concerns = { 0 };
	struct web_form f;
	struct json_object *model, *list, *field;
	size_t n, nevery;
	int rc;

	book_read(app, req, &catalogue_services_spec, &q, &e);
	rc = catalogue_services(&app->db, &req->arena, &q, &s, &n, &e);
	if (rc == CATALOGUE_EINVALID) {	/* an unknown centre: list without it */
		q.location_id = NULL;
		rc = catalogue_services(&app->db, &req->arena, &q, &s, &n, &e);
	}
	if (rc != CATALOGUE_OK)
		return book_failed(req, rc, &e);
	if ((rc = catalogue_services(&app->db, &req->arena, &all, &every, &nevery, &ignored)) != CATALOGUE_OK ||
	    (rc = book_choices(app, req, &choices)) != CATALOGUE_OK)
		return book_failed(req, rc, &e);
	book_state_from(req, &e, &st);
	if (book_funnel(app, req, resp, FUNNEL_SERVICE, &st, NULL, NULL, 0) != DB_OK)
		return web_view_db_failed();

	web_form_init(&f, req);
	field = book_select(&f, "sessionType", "Type of session", "In person or telehealth", q.session_type);
	book_enum_options(field, &catalogue_services_spec, "sessionType", q.session_type);
	field = book_select(&f, "concern", "Help with", "Anything", q.concern);
	for (size_t i = 0; i < nevery; i++)
		for (size_t k = 0; k < every[i].nconcerns; k++)
			book_set_add(&req->arena, &concerns, every[i].concerns[k]);
	for (size_t i = 0; i < concerns.count; i++)
		book_option(field, concerns.items[i], book_label(&req->arena, concerns.items[i]), q.concern);
	book_select_done(field, q.concern);
	field = book_select(&f, "locationId", "Centre", "Any centre", q.location_id);
	book_location_options(field, &choices, q.location_id);
	field = book_select(&f, "funding", "How will you pay?", "Privately (no rebate)", q.funding);
	book_enum_options(field, &catalogue_services_spec, "funding", q.funding);
	field = web_form_field(&f, "insurer", "Health insurer (if any)", q.insurer);
	json_object_object_add(field, "required", json_object_new_boolean(0));
	book_form_errors(&f, &e);

	model = web_page_model(&f);
	json_object_object_add(model, "progress", book_progress(1));
	book_bool(model, "filtered", st.v[BN_SESSION_TYPE] || st.v[BN_LOCATION] || st.v[BN_CONCERN] ||
	    st.v[BN_FUNDING] || st.v[BN_INSURER] || e.count);
	book_put(model, "clearHref", "/book");
	book_put(model, "count", n == 1 ? "1 service" : book_printf(&req->arena, "%zu services", n));
	book_bool(model, "anyServices", n > 0);
	list = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = book_service_model(&req->arena, &s[i]), *price;

		book_put(m, "description", s[i].description);
		book_put(m, "duration", book_printf(&req->arena, "%d minutes", s[i].duration_minutes));
		book_put(m, "sessionTypes", s[i].in_person && s[i].telehealth ? "In person or telehealth" :
		    s[i].telehealth ? "Telehealth only" : "In person only");
		/* what the summary will show once a centre and a type are chosen, not the price
		 * of no centre that the API's twin answers */
		price = book_price_span(&req->arena, &s[i].span);
		json_object_object_add(m, "price", price ? price : json_object_new_boolean(0));
		next = st;
		next.v[BN_SERVICE] = s[i].id;
		book_put(m, "href", book_href(&req->arena, "/book/psychologist", &next, BN_END_STEP1));
		json_object_array_add(list, m);
	}
	json_object_object_add(model, "services", list);
	return web_view_page(e.count ? 400 : 200, "pages/book-service", model);
}

/* ---- step 2: the psychologist ---- */

/* What step 2 and the profile read: the step 2 query, its errors, and the zone times are
 * shown in. */
struct book_step2 {
	struct catalogue_services_query      sq;
	struct catalogue_psychologists_query pq;
	struct input_errors                  e;
	const struct tz_zone                *zone;
};

/* The step 2 query: the service and the list's filters, read through both specs. A
 * telehealth session asks for psychologists who offer it. */
static void
book_read_step2(struct web_app *app, struct request *req, struct catalogue_services_query *sq,
    struct catalogue_psychologists_query *pq, struct input_errors *e)
{
	book_read(app, req, &catalogue_services_spec, sq, e);
	book_read(app, req, &catalogue_psychologists_spec, pq, e);
	if (sq->session_type != NULL && strcmp(sq->session_type, "telehealth") == 0)
		pq->telehealth = true;
	/* the list shows centres the psychologists work at; the service's price is for the
	 * one chosen here */
	sq->location_id = pq->location_id;
}

/* Reads s for step 2 and the profile; true when *v is the answer already (no service chosen,
 * or a bad one). */
static bool
book_step2(struct web_app *app, struct request *req, struct book_step2 *s,
    struct web_view *v)
{
	memset(s, 0, sizeof *s);
	book_read_step2(app, req, &s->sq, &s->pq, &s->e);
	if (book_without_service(req, &s->e, "serviceId", v))
		return true;
	s->zone = book_zone(app, s->pq.tz);
	return false;
}

static const char *
book_where(struct arena *a, const struct catalogue_psychologist *p)
{
	struct buf b = BUF_ARENA(a);

	for (size_t k = 0; k < p->nlocations; k++) {
		if (k > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, p->locations[k].name);
	}
	if (p->telehealth)
		buf_puts(&b, p->nlocations ? " and telehealth" : "Telehealth");
	return buf_cstr(&b);
}

static const char *
book_initials(struct arena *a, const char *name)
{
	char out[3] = { 0 };
	size_t n = 0;
	const char *p = name;

	/* skip an honorific: "Dr Avery Example" → "AE" */
	if (strncmp(p, "Dr ", 3) == 0)
		p += 3;
	for (bool start = true; *p && n < 2; p++) {
		if (*p == ' ')
			start = true;
		else if (start) {
			if ((unsigned char)*p < 0x80)
				out[n++] = *p;
			start = false;
		}
	}
	return arena_strdup(a, out);
}

/* A psychologist's card and profile fields. */
static struct json_object *
book_psychologist_model(struct arena *a, const struct catalogue_psychologist *p)
{
	struct json_object *m = json_object_new_object();

	book_put(m, "id", p->id);
	book_put(m, "name", p->name);
	book_put(m, "title", p->title);
	book_put(m, "initials", book_initials(a, p->name));
	if (p->photo_url != NULL && *p->photo_url) {
		struct json_object *photo = json_object_new_object();

		book_put(photo, "src", p->photo_url);
		json_object_object_add(m, "photo", photo);
	} else
		book_bool(m, "photo", false);
	if (p->rating_count > 0) {
		struct json_object *r = json_object_new_object();

		book_put(r, "average", book_printf(a, "%.1f", p->rating_average));
		json_object_object_add(r, "count", json_object_new_int64(p->rating_count));
		book_put(r, "reviews", p->rating_count == 1 ? "1 review" :
		    book_printf(a, "%ld reviews", p->rating_count));
		json_object_object_add(m, "rating", r);
	} else
		book_bool(m, "rating", false);
	book_put(m, "specialties", book_labels(a, p->specialties, p->nspecialties));
	book_put(m, "languages", book_labels(a, p->languages, p->nlanguages));
	book_put(m, "where", book_where(a, p));
	return m;
}

/* Template name over model, as HTML in the arena; NULL when it fails (logged). */
static const char *
book_render(struct web_app *app, struct request *req, const char *name, struct json_object *model)
{
	struct mustache_error err;
	struct buf html = BUF_ARENA(&req->arena);
	char msg[MUSTACHE_ERROR_FILE_MAX + MUSTACHE_ERROR_MSG_MAX + 32];

	if (app->views == NULL)
		log_error("render failed", "no templates");
	else if (!web_route_renders(app, name))
		;	/* logged */
	else if (view_render(app->views, name, model, &html, &err) < 0)
		log_error("render failed", "%s", mustache_error_string(&err, msg, sizeof msg));
	else
		return buf_cstr(&html);
	return NULL;
}

/* The list's cards as HTML (partials/psychologist-cards over their models alone, so that
 * their json-c objects are freed at once), arena-owned; NULL when the template fails. */
static const char *
book_cards(struct web_app *app, struct request *req, const struct book_state *st,
    const struct tz_zone *zone, const struct catalogue_psychologist *ps, size_t n)
{
	struct json_object *model = json_object_new_object(), *list = json_object_new_array_ext((int)n);
	struct book_state next;
	const char *out;

	for (size_t i = 0; i < n; i++) {
		struct json_object *m = book_psychologist_model(&req->arena, &ps[i]);

		if (ps[i].has_next)
			book_put(m, "next", book_when(&req->arena, ps[i].next_zone ? ps[i].next_zone : zone,
			    ps[i].next.start, false));
		else
			book_bool(m, "next", false);
		next = *st;
		next.v[BN_PRACTITIONER] = ps[i].id;
		book_put(m, "chooseHref", book_href(&req->arena, "/book/time", &next, BN_END_STEP3));
		next.v[BN_PRACTITIONER] = NULL;
		book_put(m, "profileHref", book_href(&req->arena,
		    book_printf(&req->arena, "/book/psychologists/%s", ps[i].id), &next, BN_END_STEP3));
		json_object_array_add(list, m);
	}
	json_object_object_add(model, "psychologists", list);
	out = book_render(app, req, "partials/psychologist-cards", model);
	json_object_put(model);
	return out;
}

/* Step 2's "Back to services" link, to step 1 as it was. */
static void
book_step2_back(struct request *req, struct json_object *model, const struct book_state *st)
{
	struct book_state next = *st;

	next.v[BN_SERVICE] = NULL;
	json_object_object_add(model, "back", book_back(book_href(&req->arena, "/book", &next,
	    BN_END_STEP1), "Back to services"));
}

struct web_view
web_book_psychologist(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_view v;
	struct book_step2 s2;
	const struct catalogue_service *svc;
	struct catalogue_psychologist *ps = NULL;
	struct catalogue_window w;
	struct book_choices choices;
	struct book_state st, next;
	struct web_form f;
	struct json_object *model, *field;
	const struct tz_zone *zone;
	const char *content, *key, *cards, *kept;
	size_t n = 0, kept_len;
	char within[24];
	int rc;

	if (book_step2(app, req, &s2, &v))
		return v;
	zone = s2.zone;
	s2.pq.tz = tz_name(zone);
	/* The page's main content follows from its zone, its query string and the catalogue's
	 * answers: kept with them (catalogue_keep), a repeat builds no model but the layout's.
	 * Only a page without errors is kept, so a hit is one. */
	key = arena_printf(&req->arena, "step2|%s|%s", tz_name(zone), req->query_string);
	if (catalogue_window(&app->db, s2.pq.service_id, s2.pq.location_id, &w) != CATALOGUE_OK)
		return web_view_db_failed();
	if ((kept = catalogue_kept_bytes(&w, key, clock_now(), &kept_len)) != NULL) {
		book_state_from(req, &s2.e, &st);
		if (book_funnel(app, req, resp, FUNNEL_PSYCHOLOGIST, &st, NULL, NULL, 0) != DB_OK)
			return web_view_db_failed();
		model = web_page_model(NULL);
		book_step2_back(req, model, &st);
		return web_view_page_around(200, "pages/book-psychologist", model, kept, kept_len);
	}
	rc = catalogue_psychologists_bounded(&app->db, &req->arena, &s2.pq, clock_now(), &ps, &n,
	    &s2.e, &w);
	if (rc == CATALOGUE_EINVALID && input_error_at(&s2.e, "serviceId") == NULL) {
		/* a filter the database refused (an unknown centre): list without it */
		s2.pq.location_id = NULL;
		rc = catalogue_psychologists_bounded(&app->db, &req->arena, &s2.pq, clock_now(), &ps,
		    &n, &s2.e, &w);
	}
	if (rc != CATALOGUE_OK)
		return book_failed(req, rc, &s2.e);
	s2.sq.location_id = s2.pq.location_id;
	if ((rc = book_find_service(app, req, &s2.sq, s2.pq.service_id, &svc, &s2.e)) != CATALOGUE_OK)
		return book_failed(req, rc, &s2.e);
	if ((rc = book_choices(app, req, &choices)) != CATALOGUE_OK)
		return book_failed(req, rc, &s2.e);
	book_state_from(req, &s2.e, &st);
	if (book_funnel(app, req, resp, FUNNEL_PSYCHOLOGIST, &st, NULL, NULL, 0) != DB_OK)
		return web_view_db_failed();

	web_form_init(&f, req);
	field = web_form_field(&f, "q", "Search by name", s2.pq.q);
	json_object_object_add(field, "required", json_object_new_boolean(0));
	book_put(field, "type", "search");
	book_put(field, "spellcheck", "false");
	book_put(field, "autocomplete", "off");
	field = book_select(&f, "specialty", "Works with", "Anything", s2.pq.specialty);
	for (size_t i = 0; i < choices.specialties.count; i++)
		book_option(field, choices.specialties.items[i],
		    book_label(&req->arena, choices.specialties.items[i]), s2.pq.specialty);
	book_select_done(field, s2.pq.specialty);
	field = book_select(&f, "language", "Speaks", "Any language", s2.pq.language);
	for (size_t i = 0; i < choices.languages.count; i++)
		book_option(field, choices.languages.items[i],
		    book_label(&req->arena, choices.languages.items[i]), s2.pq.language);
	book_select_done(field, s2.pq.language);
	field = book_select(&f, "gender", "Gender", "Any", s2.pq.gender);
	book_enum_options(field, &catalogue_psychologists_spec, "gender", s2.pq.gender);
	field = book_select(&f, "locationId", "Centre", "Any centre", s2.pq.location_id);
	book_location_options(field, &choices, s2.pq.location_id);
	snprintf(within, sizeof within, "%lld", s2.pq.available_within_days);
	field = book_select(&f, "availableWithinDays", "Available within", "Any time",
	    s2.pq.available_within_days ? within : NULL);
	book_option(field, "7", "A week", s2.pq.available_within_days ? within : NULL);
	book_option(field, "14", "Two weeks", s2.pq.available_within_days ? within : NULL);
	book_option(field, "30", "A month", s2.pq.available_within_days ? within : NULL);
	book_select_done(field, s2.pq.available_within_days ? within : NULL);
	field = book_select(&f, "sort", "Sort by", "The clinic's order", s2.pq.sort);
	book_enum_options(field, &catalogue_psychologists_spec, "sort", s2.pq.sort);
	field = web_form_field(&f, "telehealth", "Offers telehealth", s2.pq.telehealth ? "yes" : "");
	book_put(field, "legend", "Telehealth");
	json_object_object_add(field, "required", json_object_new_boolean(0));
	web_form_option(field, "yes", "Only psychologists who offer telehealth (video)", s2.pq.telehealth);
	book_form_errors(&f, &s2.e);

	model = web_page_model(&f);
	json_object_object_add(model, "progress", book_progress(2));
	book_step2_back(req, model, &st);
	json_object_object_add(model, "service", book_service_model(&req->arena, svc));
	/* the form's own fields come from the form; the earlier step's ride along hidden */
	json_object_object_add(model, "hidden", book_hidden(&st, 0, BN_END_STEP1, BN_LOCATION));
	if (st.v[BN_TZ] != NULL) {
		struct json_object *h = json_object_new_object(), *hidden;

		json_object_object_get_ex(model, "hidden", &hidden);
		book_put(h, "name", "tz");
		book_put(h, "value", st.v[BN_TZ]);
		json_object_array_add(hidden, h);
	}
	book_bool(model, "filtersOpen", s2.pq.specialty || s2.pq.language || s2.pq.gender ||
	    s2.pq.location_id || s2.pq.available_within_days || s2.pq.sort ||
	    st.v[BN_TELEHEALTH] || s2.e.count);
	book_bool(model, "filtered", s2.pq.q || s2.pq.specialty || s2.pq.language || s2.pq.gender ||
	    s2.pq.location_id || s2.pq.available_within_days || s2.pq.sort ||
	    st.v[BN_TELEHEALTH] || s2.e.count);
	next = st;
	for (int i = BN_Q; i < BN_END_STEP2; i++)
		next.v[i] = NULL;
	next.v[BN_LOCATION] = NULL;
	book_put(model, "clearHref", book_href(&req->arena, "/book/psychologist", &next, BN_END_STEP3));
	book_put(model, "anyoneHref", book_href(&req->arena, "/book/time", &st, BN_END_STEP3));
	book_put(model, "count", n == 1 ? "1 psychologist" : book_printf(&req->arena, "%zu psychologists", n));
	book_put(model, "zone", tz_name(zone));
	book_bool(model, "anyPsychologists", n > 0);
	if ((cards = book_cards(app, req, &st, zone, ps, n)) != NULL) {
		book_put(model, "cards", cards);
		content = book_render(app, req, "partials/book-psychologist-main", model);
	}
	if (cards == NULL || content == NULL)
		return web_view_freeing(web_view_error(500, "Something went wrong on our side.", NULL),
		    model);
	if (s2.e.count == 0)
		catalogue_keep(&w, key, clock_now(), content, strlen(content));
	return web_view_page_around(s2.e.count ? 400 : 200, "pages/book-psychologist", model,
	    content, strlen(content));
}

/* ---- a slot as a link to the summary ---- */

/* The summary's URL for slot s: the choices so far, with the slot's practitioner, session
 * type and centre (POST /api/booking/initiate's fields), and whether "anyone" was asked. */
static const char *
book_slot_href(struct arena *a, const struct book_state *st, const struct tz_zone *zone,
    const struct catalogue_slot *s, bool any)
{
	struct book_state next = *st;
	char start[BOOKING_TIME_SIZE];

	if (booking_format_time(zone, s->start, start) != 0)
		return "/book";
	next.v[BN_PRACTITIONER] = s->practitioner_id;
	next.v[BN_SESSION_TYPE] = booking_session_type_name(s->session_type);
	next.v[BN_LOCATION] = *s->location_id ? s->location_id : NULL;
	next.v[BN_TZ] = tz_name(zone);
	next.v[BN_START] = arena_strdup(a, start);
	next.v[BN_ANY] = any ? "1" : NULL;
	return book_href(a, "/book/summary", &next, BN_COUNT);
}

/* "start|practitioner|location|type" as static/js/slots.js builds it from the API's slots
 * (with "anyone", the practitioner is left out: another may take a slot's place). */
static const char *
book_slot_key(struct arena *a, const struct tz_zone *zone, const struct catalogue_slot *s, bool any)
{
	char start[BOOKING_TIME_SIZE];

	if (booking_format_time(zone, s->start, start) != 0)
		return "";
	return book_printf(a, "%s|%s|%s|%s", start, any ? "" : s->practitioner_id, s->location_id,
	    booking_session_type_name(s->session_type));
}

/* ---- the profile ---- */

struct web_view
web_book_profile(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_view v;
	struct book_step2 s2;
	const struct catalogue_service *svc;
	struct catalogue_psychologist p;
	struct catalogue_slot *slots;
	struct book_state st, next;
	struct web_form f;
	struct json_object *model, *pm, *times, *field;
	const struct tz_zone *zone;
	const char *id = http_param(&req->route, "id");
	size_t n;
	int rc;

	if (book_step2(app, req, &s2, &v))
		return v;
	zone = s2.zone;
	if ((rc = book_find_service(app, req, &s2.sq, s2.pq.service_id, &svc, &s2.e)) != CATALOGUE_OK)
		return book_failed(req, rc, &s2.e);
	rc = catalogue_psychologist(&app->db, &req->arena, id, s2.pq.service_id, clock_now(), &p,
	    &slots, &n, &s2.e);
	if (rc != CATALOGUE_OK)
		return book_failed(req, rc, &s2.e);
	book_state_from(req, &s2.e, &st);
	if (book_funnel(app, req, resp, FUNNEL_PROFILE, &st, p.id, NULL, 0) != DB_OK)
		return web_view_db_failed();

	/* a zone that is no zone is said by its field, as step 3 says it, and the times are
	 * shown in the clinic's meanwhile; another bad choice kept in the URL is said at the top */
	web_form_init(&f, req);
	field = web_form_field(&f, "tz", "Your time zone", http_param(&req->query, "tz"));
	book_put(field, "hint", "Times are shown in this zone, for example Australia/Sydney.");
	book_put(field, "width", "medium");
	book_put(field, "spellcheck", "false");
	json_object_object_add(field, "required", json_object_new_boolean(0));
	book_form_errors(&f, &s2.e);
	model = web_page_model(&f);
	book_bool(model, "tzInvalid", input_error_at(&s2.e, "tz") != NULL);
	book_put(model, "action", book_printf(&req->arena, "/book/psychologists/%s", p.id));
	json_object_object_add(model, "hidden", book_hidden(&st, 0, BN_END_STEP3, BN_TZ));
	json_object_object_add(model, "back", book_back(book_href(&req->arena, "/book/psychologist",
	    &st, BN_END_STEP3), "Back to psychologists"));
	pm = book_psychologist_model(&req->arena, &p);
	book_put(pm, "bio", p.bio);
	book_put(pm, "qualificationsText", book_labels(&req->arena, p.qualifications, p.nqualifications));
	json_object_object_add(model, "p", pm);
	json_object_object_add(model, "service", book_service_model(&req->arena, svc));
	book_put(model, "tz", tz_name(zone));
	times = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *t;

		/* the catalogue's next six are of every kind; the kind and centre chosen narrow them */
		if ((s2.sq.session_type != NULL &&
		    strcmp(booking_session_type_name(slots[i].session_type), s2.sq.session_type) != 0) ||
		    (s2.pq.location_id != NULL && strcmp(slots[i].location_id, s2.pq.location_id) != 0))
			continue;
		t = json_object_new_object();
		book_put(t, "when", book_when(&req->arena, zone, slots[i].start, false));
		book_put(t, "href", book_slot_href(&req->arena, &st, zone, &slots[i], false));
		book_put(t, "tag", s2.sq.session_type ? "" : book_session_label(slots[i].session_type));
		json_object_array_add(times, t);
	}
	book_bool(model, "anyTimes", json_object_array_length(times) > 0);
	json_object_object_add(model, "times", times);
	next = st;
	next.v[BN_PRACTITIONER] = p.id;
	book_put(model, "chooseHref", book_href(&req->arena, "/book/time", &next, BN_END_STEP3));
	return web_view_page(s2.e.count ? 400 : 200, "pages/book-profile", model);
}

/* ---- step 3: the day and the time ---- */

/* What step 3 shows: the days from..to and the chosen one's times, all as dates and wall
 * times in the patient's zone. */
struct book_grid {
	const struct book_state             *st;	/* the page's choices, tz, from and to set */
	const struct tz_zone                *zone;	/* the patient's */
	const struct catalogue_slot         *slots;
	size_t                               nslots;
	const struct catalogue_psychologist *everyone;	/* for names and centres */
	size_t                               neveryone;
	int64_t                              today, from, to, date;
	bool                                 any;	/* "anyone available" */
};

static size_t
book_grid_count(const struct book_grid *g, int64_t day)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nslots; i++)
		n += book_local_day(g->zone, g->slots[i].start) == day;
	return n;
}

/* The strip's title and its earlier and later ranges (never before today, nor past the
 * look-ahead). */
static struct json_object *
book_range_model(struct arena *a, const struct book_grid *g)
{
	struct json_object *range = json_object_new_object();
	struct book_state next = *g->st;
	int y1, m1, d1, y2, m2, d2;

	tz_civil_from_days(g->from, &y1, &m1, &d1);
	tz_civil_from_days(g->to, &y2, &m2, &d2);
	book_put(range, "title", book_printf(a, "%d %s – %d %s %d", d1, book_months[m1 - 1], d2,
	    book_months[m2 - 1], y2));
	if (g->from > g->today) {
		struct json_object *prev = json_object_new_object();
		int64_t pf = g->from - BOOK_DAYS_SHOWN < g->today ? g->today : g->from - BOOK_DAYS_SHOWN;

		next.v[BN_FROM] = book_date(a, pf);
		next.v[BN_TO] = book_date(a, pf + BOOK_DAYS_SHOWN - 1);
		book_put(prev, "href", book_href(a, "/book/time", &next, BN_END_STEP3));
		json_object_object_add(range, "previous", prev);
	} else
		book_bool(range, "previous", false);
	if (g->to < g->today + BOOK_DAYS_AHEAD) {
		struct json_object *later = json_object_new_object();

		next.v[BN_FROM] = book_date(a, g->to + 1);
		next.v[BN_TO] = book_date(a, g->to + BOOK_DAYS_SHOWN);
		book_put(later, "href", book_href(a, "/book/time", &next, BN_END_STEP3));
		json_object_object_add(range, "next", later);
	} else
		book_bool(range, "next", false);
	return range;
}

/* The day picker: each day a link, with its count of free times. */
static struct json_object *
book_days_model(struct arena *a, const struct book_grid *g)
{
	struct json_object *days = json_object_new_array();
	struct book_state next = *g->st;

	for (int64_t d = g->from; d <= g->to; d++) {
		struct json_object *dm = json_object_new_object();
		size_t count = book_grid_count(g, d);
		int y, m, dd;

		tz_civil_from_days(d, &y, &m, &dd);
		next.v[BN_DATE] = book_date(a, d);
		book_put(dm, "href", book_href(a, "/book/time", &next, BN_END_STEP3));
		book_put(dm, "weekday", book_printf(a, "%.3s", book_weekdays[tz_weekday(y, m, dd)]));
		book_put(dm, "date", book_printf(a, "%d %.3s", dd, book_months[m - 1]));
		book_put(dm, "count", count == 0 ? "No times" : count == 1 ? "1 time" :
		    book_printf(a, "%zu times", count));
		book_bool(dm, "current", d == g->date);
		book_bool(dm, "none", count == 0);
		json_object_array_add(days, dm);
	}
	return days;
}

/* One time of the grid: its wall time, its link to the summary, the key slots.js matches,
 * and with whom and where for screen readers. */
static struct json_object *
book_slot_model(struct arena *a, const struct book_grid *g, const struct catalogue_slot *s,
    const struct tz_civil *wall)
{
	const struct catalogue_psychologist *with = book_find_psychologist(g->everyone,
	    g->neveryone, s->practitioner_id);
	const char *where = s->session_type == BOOKING_TELEHEALTH ? "by telehealth" :
	    book_printf(a, "at %s", book_location_name(g->everyone, g->neveryone, s->location_id, NULL));
	struct json_object *sm = json_object_new_object();

	book_put(sm, "time", book_clock(a, wall));
	book_put(sm, "href", book_slot_href(a, g->st, g->zone, s, g->any));
	book_put(sm, "key", book_slot_key(a, g->zone, s, g->any));
	book_put(sm, "tag", g->st->v[BN_SESSION_TYPE] ? "" : s->session_type == BOOKING_TELEHEALTH ?
	    "Telehealth" : "In person");
	book_put(sm, "withWhom", book_printf(a, " with %s %s", with ? with->name : "a psychologist",
	    where));
	return sm;
}

/* The chosen day's times by morning, afternoon and evening, or the way to the next day that
 * has some. */
static struct json_object *
book_day_model(struct arena *a, const struct book_grid *g)
{
	static const char *const names[] = { "Morning", "Afternoon", "Evening" };
	struct json_object *day = json_object_new_object(), *periods = json_object_new_array();
	struct json_object *list = NULL;
	struct book_state next = *g->st;
	int y, m, dd, period_of = -1;
	int64_t later = INT64_MIN;
	size_t count = 0;

	tz_civil_from_days(g->date, &y, &m, &dd);
	book_put(day, "title", book_printf(a, "%s %d %s", book_weekdays[tz_weekday(y, m, dd)], dd,
	    book_months[m - 1]));
	for (size_t i = 0; i < g->nslots; i++) {
		struct tz_local l;
		int minutes, p;

		if (book_local_day(g->zone, g->slots[i].start) != g->date ||
		    tz_utc_to_local(g->zone, g->slots[i].start, &l) != TZ_OK)
			continue;
		count++;
		minutes = l.civil.hour * 60 + l.civil.minute;
		p = minutes < BOOK_NOON_MINUTES ? 0 : minutes < BOOK_EVENING_MINUTES ? 1 : 2;
		if (p != period_of) {
			struct json_object *period = json_object_new_object();

			book_put(period, "label", names[p]);
			list = json_object_new_array();
			json_object_object_add(period, "slots", list);
			json_object_array_add(periods, period);
			period_of = p;
		}
		json_object_array_add(list, book_slot_model(a, g, &g->slots[i], &l.civil));
	}
	json_object_object_add(day, "periods", periods);
	book_bool(day, "any", count > 0);
	for (int64_t d = g->date + 1; d <= g->to && later == INT64_MIN; d++)
		if (book_grid_count(g, d) > 0)
			later = d;
	if (later != INT64_MIN) {
		next.v[BN_DATE] = book_date(a, later);
		book_put(day, "nextHref", book_href(a, "/book/time", &next, BN_END_STEP3));
	} else
		book_bool(day, "nextHref", false);
	return day;
}

/* Adds name=value to the request's query when the URL has no value for it: step 3's
 * defaults (the clinic's zone, today and the next days) are what the URL would have said,
 * so the spec reads them like any other value. */
static void
book_query_default(struct request *req, const char *name, const char *value)
{
	const char *v = http_param(&req->query, name);
	struct http_param *items;
	size_t k = 0;

	if (v != NULL && *v != '\0')
		return;
	items = arena_alloc(&req->arena, (req->query.count + 1) * sizeof *items);
	for (size_t i = 0; i < req->query.count; i++)
		if (strcmp(req->query.items[i].name, name) != 0)	/* a blank one gives way */
			items[k++] = req->query.items[i];
	items[k++] = (struct http_param){ name, value, strlen(value) };
	req->query.items = items;
	req->query.count = k;
}


/* The first day step 3 shows when the URL names none: `date` when it is a well-formed day
 * from today on, else today. The spec reads `date` itself afterwards and reports it. */
static int64_t
book_window_start(const char *date, int64_t today)
{
	int y, m, d, n = 0;
	int64_t day;

	if (date == NULL || strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
		return today;
	day = tz_days_from_civil(y, m, d);
	return day >= today && day - today <= BOOK_DAYS_AHEAD ? day : today;
}

struct web_view
web_book_time(struct web_app *app, struct request *req, struct response *resp)
{
	struct web_view v;
	struct catalogue_services_query sq = { 0 };
	struct catalogue_psychologists_query pq = { 0 };
	struct catalogue_availability_query aq = { 0 }, wide;
	struct book_time_query tq = { 0 };
	struct input_errors e = { 0 };
	const struct catalogue_service *svc;
	const struct catalogue_psychologist *who = NULL;
	struct catalogue_psychologist *everyone;
	struct catalogue_slot *slots;
	struct book_state st, next;
	struct web_form f;
	struct book_grid grid;
	struct json_object *model, *tzm;
	const struct tz_zone *zone, *clinic = book_zone(app, NULL);
	const char *tzv = http_param(&req->query, "tz");
	bool detect = tzv == NULL || *tzv == '\0', any;
	int64_t today, from, to, date, first_free = INT64_MIN;
	size_t nslots, neveryone;
	int rc;

	today = book_local_day(detect ? clinic : book_zone(app, tzv), clock_now());
	book_query_default(req, "tz", tz_name(clinic));
	/* a link to one day (the summary's "change the time") shows the days from that one */
	book_query_default(req, "from", book_date(&req->arena, book_window_start(
	    http_param(&req->query, "date"), today)));
	book_query_default(req, "to", book_date(&req->arena, catalogue_day(http_param(&req->query,
	    "from")) + BOOK_DAYS_SHOWN - 1));
	book_read_step2(app, req, &sq, &pq, &e);
	book_read(app, req, &catalogue_availability_spec, &aq, &e);
	book_read(app, req, &book_time_spec, &tq, &e);
	if (book_without_service(req, &e, "practitionerId", &v))
		return v;
	zone = book_zone(app, aq.tz);
	if (aq.from == NULL || aq.to == NULL) {	/* a bad range: the default one instead */
		from = today;
		to = today + BOOK_DAYS_SHOWN - 1;
	} else {
		from = catalogue_day(aq.from);
		to = catalogue_day(aq.to);
		if (to - from + 1 > BOOK_DAYS_MAX)
			to = from + BOOK_DAYS_MAX - 1;
	}
	if ((rc = book_find_service(app, req, &sq, aq.service_id, &svc, &e)) != CATALOGUE_OK ||
	    (rc = book_everyone(app, req, &everyone, &neveryone)) != CATALOGUE_OK)
		return book_failed(req, rc, &e);
	/* the catalogue names a problem once per field: an unknown centre found by the service
	 * lookup must not reach the next call, which would no longer see it as new */
	if (input_error_at(&e, "locationId") != NULL)
		aq.location_id = NULL;
	any = aq.practitioner_id == NULL;
	/* the shown days are the patient's; the clinic's dates around them hold their slots */
	wide = aq;
	wide.tz = tz_name(zone);
	wide.from = book_date(&req->arena, from - BOOK_DAY_MARGIN);
	wide.to = book_date(&req->arena, to + BOOK_DAY_MARGIN);
	rc = catalogue_availability(&app->db, &req->arena, &wide, clock_now(), &zone, &slots,
	    &nslots, &e);
	if (rc == CATALOGUE_EINVALID && input_error_at(&e, "serviceId") == NULL &&
	    input_error_at(&e, "practitionerId") == NULL) {
		wide.location_id = NULL;	/* an unknown centre: every centre */
		rc = catalogue_availability(&app->db, &req->arena, &wide, clock_now(), &zone, &slots,
		    &nslots, &e);
	}
	if (rc != CATALOGUE_OK)
		return book_failed(req, rc, &e);
	if (!any && (who = book_find_psychologist(everyone, neveryone, aq.practitioner_id)) == NULL) {
		input_error_add(&e, &req->arena, "practitionerId", "Psychologist is not one of this clinic's");
		return book_problem(req, &e);
	}
	for (size_t i = 0; i < nslots; i++) {
		int64_t d = book_local_day(zone, slots[i].start);

		if (d >= from && d <= to && first_free == INT64_MIN)
			first_free = d;
	}
	date = tq.date != NULL ? catalogue_day(tq.date) : first_free != INT64_MIN ? first_free : from;
	if (date < from || date > to) {
		input_error_add(&e, &req->arena, "date", "Choose a day from the list");
		date = first_free != INT64_MIN ? first_free : from;
	}
	book_state_from(req, &e, &st);
	st.v[BN_TZ] = tz_name(zone);
	st.v[BN_FROM] = book_date(&req->arena, from);
	st.v[BN_TO] = book_date(&req->arena, to);
	st.v[BN_DATE] = NULL;
	if (book_funnel(app, req, resp, FUNNEL_TIME, &st, aq.practitioner_id, NULL, 0) != DB_OK)
		return web_view_db_failed();

	web_form_init(&f, req);
	web_form_field(&f, "tz", "Your time zone", tz_name(zone));
	book_form_errors(&f, &e);
	model = web_page_model(&f);
	json_object_object_add(model, "progress", book_progress(3));
	next = st;
	for (int i = BN_PRACTITIONER; i < BN_COUNT; i++)
		next.v[i] = i == BN_TZ ? st.v[BN_TZ] : NULL;
	json_object_object_add(model, "back", book_back(book_href(&req->arena, "/book/psychologist",
	    &next, BN_END_STEP3), "Back to psychologists"));
	json_object_object_add(model, "service", book_service_model(&req->arena, svc));
	book_put(model, "who", any ? "anyone available" : who->name);
	next = st;
	next.v[BN_DATE] = tq.date;
	json_object_object_add(model, "hidden", book_hidden(&next, 0, BN_END_STEP3, BN_TZ));
	tzm = json_object_new_object();
	book_put(tzm, "value", tz_name(zone));
	book_put(tzm, "error", input_error_at(&e, "tz"));
	book_bool(tzm, "detect", detect);
	json_object_object_add(model, "tz", tzm);
	{
		static const char *const zones[] = { "Australia/Sydney", "Australia/Melbourne",
			"Australia/Brisbane", "Australia/Adelaide", "Australia/Darwin",
			"Australia/Hobart", "Australia/Perth", "Australia/Lord_Howe",
			"Pacific/Auckland", "Asia/Singapore", "Asia/Kolkata", "Europe/London",
			"America/New_York", "America/Los_Angeles", "UTC" };
		struct json_object *zl = json_object_new_array();

		for (size_t i = 0; i < sizeof zones / sizeof *zones; i++)
			json_object_array_add(zl, json_object_new_string(zones[i]));
		json_object_object_add(model, "zones", zl);
	}

	grid = (struct book_grid){ &st, zone, slots, nslots, everyone, neveryone, today, from, to,
		date, any };
	json_object_object_add(model, "range", book_range_model(&req->arena, &grid));
	json_object_object_add(model, "days", book_days_model(&req->arena, &grid));
	json_object_object_add(model, "day", book_day_model(&req->arena, &grid));
	{
		struct book_state poll = { 0 };

		poll.v[BN_SERVICE] = aq.service_id;
		poll.v[BN_PRACTITIONER] = aq.practitioner_id;
		poll.v[BN_SESSION_TYPE] = aq.session_type;
		poll.v[BN_LOCATION] = wide.location_id;
		poll.v[BN_TZ] = tz_name(zone);
		poll.v[BN_FROM] = book_date(&req->arena, date - BOOK_DAY_MARGIN);
		poll.v[BN_TO] = book_date(&req->arena, date + BOOK_DAY_MARGIN);
		book_put(model, "poll", book_href(&req->arena, "/api/availability", &poll, BN_COUNT));
		book_bool(model, "pollAny", any);
	}
	return web_view_page(e.count ? 400 : 200, "pages/book-time", model);
}

/* ---- the summary ---- */

struct web_view
web_book_summary(struct web_app *app, struct request *req, struct response *resp)
{
	struct catalogue_services_query sq = { 0 };
	struct catalogue_psychologists_query pq = { 0 };
	struct book_summary_query q = { 0 };
	struct catalogue_availability_query aq = { 0 };
	struct input_errors e = { 0 };
	const struct catalogue_service *svc;
	struct catalogue_psychologist *everyone;
	const struct catalogue_psychologist *who;
	struct catalogue_slot *slots;
	const struct catalogue_slot *slot = NULL;
	struct book_state st, next;
	struct json_object *model, *choice, *price;
	const struct tz_zone *zone, *place_zone = NULL;
	const char *location = NULL, *location_zone = NULL;
	tz_instant start;
	int64_t day;
	size_t nslots, neveryone;
	int rc;

	book_read_step2(app, req, &sq, &pq, &e);
	book_read(app, req, &book_summary_spec, &q, &e);
	if (e.count)
		return book_problem(req, &e);
	zone = book_zone(app, q.tz);
	(void)book_parse_start(q.start, &start);	/* its spec's check parsed it */
	sq.session_type = q.session_type;
	sq.location_id = q.location_id;
	if ((rc = book_find_service(app, req, &sq, q.service_id, &svc, &e)) != CATALOGUE_OK ||
	    (rc = book_everyone(app, req, &everyone, &neveryone)) != CATALOGUE_OK)
		return book_failed(req, rc, &e);
	if ((who = book_find_psychologist(everyone, neveryone, q.practitioner_id)) == NULL) {
		input_error_add(&e, &req->arena, "practitionerId", "That psychologist is not taking bookings. Choose another.");
		return book_problem(req, &e);
	}
	/* the time is offered only while it is free: ask for it again */
	aq.practitioner_id = q.practitioner_id;
	aq.service_id = q.service_id;
	aq.tz = tz_name(zone);
	aq.session_type = q.session_type;
	aq.location_id = q.location_id;
	aq.from = book_date(&req->arena, start / TZ_DAY_SECONDS - BOOK_DAY_MARGIN);
	aq.to = book_date(&req->arena, start / TZ_DAY_SECONDS + BOOK_DAY_MARGIN);
	rc = catalogue_availability(&app->db, &req->arena, &aq, clock_now(), &zone, &slots, &nslots, &e);
	if (rc != CATALOGUE_OK)
		return book_failed(req, rc, &e);
	for (size_t i = 0; i < nslots && slot == NULL; i++)
		if (slots[i].start == start && strcmp(slots[i].practitioner_id, q.practitioner_id) == 0 &&
		    strcmp(slots[i].location_id, q.location_id ? q.location_id : "") == 0)
			slot = &slots[i];
	location = book_location_name(everyone, neveryone, q.location_id, &location_zone);
	if (location_zone != NULL)
		tz_load(location_zone, &place_zone);
	book_state_from(req, &e, &st);
	/* the hour the clinic set: in the zone of the hours that made the slot (a telehealth
	 * slot from no centre: the practitioner's) */
	if (slot != NULL && book_funnel(app, req, resp, FUNNEL_SLOT, &st, q.practitioner_id,
	    slot->zone, start) != DB_OK)
		return web_view_db_failed();

	model = web_page_model(NULL);
	json_object_object_add(model, "progress", book_progress(3));
	next = st;
	next.v[BN_START] = NULL;
	next.v[BN_ANY] = NULL;
	if (st.v[BN_ANY] != NULL)
		next.v[BN_PRACTITIONER] = NULL;
	day = book_local_day(zone, start);
	next.v[BN_DATE] = book_date(&req->arena, day);
	/* a range that does not hold the slot's day (a profile's next free times keep the range
	 * step 3 had when the profile was opened) would make step 3 refuse the day: it opens at
	 * the day instead (book_window_start) */
	if (st.v[BN_FROM] == NULL || st.v[BN_TO] == NULL || day < catalogue_day(st.v[BN_FROM]) ||
	    day > catalogue_day(st.v[BN_TO]))
		next.v[BN_FROM] = next.v[BN_TO] = NULL;
	book_put(model, "timeHref", book_href(&req->arena, "/book/time", &next, BN_END_STEP3));
	json_object_object_add(model, "back", book_back(book_href(&req->arena, "/book/time", &next,
	    BN_END_STEP3), "Back to times"));
	book_bool(model, "gone", slot == NULL);
	next.v[BN_PRACTITIONER] = NULL;
	next.v[BN_DATE] = NULL;
	book_put(model, "changePsychologist", book_href(&req->arena, "/book/psychologist", &next, BN_END_STEP3));
	next.v[BN_SERVICE] = NULL;
	book_put(model, "changeService", book_href(&req->arena, "/book", &next, BN_END_STEP1));
	choice = json_object_new_object();
	book_put(choice, "service", svc->name);
	book_put(choice, "facts", book_service_facts(&req->arena, svc));
	book_put(choice, "psychologist", who->name);
	book_put(choice, "when", book_when(&req->arena, zone, start, true));
	book_put(choice, "zone", book_printf(&req->arena, "%s time", tz_name(zone)));
	if (place_zone != NULL && strcmp(book_when(&req->arena, place_zone, start, false),
	    book_when(&req->arena, zone, start, false)) != 0)
		book_put(choice, "clinicTime", book_printf(&req->arena, "%s at the centre (%s)",
		    book_when(&req->arena, place_zone, start, false), tz_name(place_zone)));
	else
		book_put(choice, "clinicTime", "");
	book_put(choice, "where", strcmp(q.session_type, "telehealth") == 0 ?
	    "Telehealth: a video call, with a link sent before the session" :
	    location ? location : "At the centre");
	book_put(choice, "address", "");
	price = book_price(&req->arena, &svc->price);
	json_object_object_add(choice, "price", price ? price : json_object_new_boolean(0));
	json_object_object_add(model, "choice", choice);
	book_bool(model, "signedIn", app->rq.signed_in);
	{
		const char *summary = book_href(&req->arena, "/book/summary", &st, BN_COUNT);
		struct buf url = BUF_ARENA(&req->arena);

		buf_puts(&url, "/signin?next=");
		http_percent_encode(&url, summary, strlen(summary), "");
		book_put(model, "continueHref", buf_cstr(&url));
	}
	return web_view_page(slot == NULL ? 409 : 200, "pages/book-summary", model);
}
