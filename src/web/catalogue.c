/* catalogue.c: the clinic's booking catalogue pages (ADMIN-1): locations, services,
 * practitioners, price rules, and each practitioner's weekly hours and leave, under /admin.
 * Server-rendered lists, new and edit forms; plain POST forms with the CSRF token, so they
 * work with JavaScript off.
 *
 * Who sees what: admins everything. A practitioner (a staff account linked to a practitioner
 * profile) only their own hours and leave; every other page, and every other practitioner's
 * id, answers 404 as if it did not exist, so ids cannot be probed. The routes are open to
 * staff (routes.c) and these rules are applied here, where the practitioner is known.
 *
 * One set of handlers serves every kind: a kind is its input spec and its words (cat_pages);
 * booking/admin.c does the reads and writes. Every change is audited in the request's
 * transaction ("booking.<kind>_created", "_updated", "_deactivated", "_activated",
 * "_deleted"). */
#include "web/web.h"
#include "booking/admin.h"

#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#define CAT_FIELDS_MAX   18	/* fields of the widest form (practitioners) */
#define CAT_PATH_MAX     160	/* "/admin/practitioners/<uuid>/hours/<uuid>/delete" and a query */
#define CAT_DETAILS_MAX  96	/* the audit entry's details */
#define CAT_UNSET        LLONG_MIN	/* an optional number not given */

/* What a form reads into: field i of a spec writes slot i of the array of its type. */
struct cat_form {
	const char        *s[CAT_FIELDS_MAX];
	long long          n[CAT_FIELDS_MAX];
	bool               b[CAT_FIELDS_MAX];
	struct input_array a[CAT_FIELDS_MAX];	/* of const char * (ids) */
};

#define CAT_AT(i, t) ((t) == INPUT_INT || (t) == INPUT_MONEY ? offsetof(struct cat_form, n[i]) \
	: (t) == INPUT_BOOL ? offsetof(struct cat_form, b[i]) \
	: (t) == INPUT_ARRAY ? offsetof(struct cat_form, a[i]) : offsetof(struct cat_form, s[i]))
/* Field i of a form: name, label, type, then any other members of struct input_field. */
#define CAT_FIELD(i, name_, label_, type_, ...) \
	{ .name = name_, .label = label_, .type = type_, .offset = CAT_AT(i, type_), __VA_ARGS__ }

static const char *const cat_session_types[] = { "in_person", "telehealth", NULL };
static const char *const cat_session_labels[] = { "In person", "Telehealth", NULL };
static const char *const cat_weekdays[] = { "1", "2", "3", "4", "5", "6", "0", NULL };
static const char *const cat_weekday_labels[] = { "Monday", "Tuesday", "Wednesday", "Thursday",
	"Friday", "Saturday", "Sunday", NULL };
static const char *const cat_genders[] = { "female", "male", "non_binary", "other", NULL };
static const char *const cat_gender_labels[] = { "Female", "Male", "Non-binary", "Other", NULL };
static const char *const cat_fundings[] = { "private", "medicare", "insurer", "concession",
	"package", NULL };
static const char *const cat_funding_labels[] = { "Private", "Medicare rebate",
	"Insurer rebate", "Concession", "Package", NULL };

static const struct input_field cat_location_fields[] = {
	CAT_FIELD(0, "name", "Name", INPUT_TEXT, .flags = INPUT_REQUIRED, .max = 200),
	CAT_FIELD(1, "address_line1", "Address line 1", INPUT_TEXT, .flags = INPUT_REQUIRED,
		.max = 200, .autocomplete = "address-line1"),
	CAT_FIELD(2, "address_line2", "Address line 2", INPUT_TEXT, .max = 200,
		.autocomplete = "address-line2"),
	CAT_FIELD(3, "locality", "Suburb or town", INPUT_TEXT, .flags = INPUT_REQUIRED, .max = 100,
		.autocomplete = "address-level2"),
	CAT_FIELD(4, "region", "State", INPUT_TEXT, .max = 100, .autocomplete = "address-level1",
		.width = "medium"),
	CAT_FIELD(5, "postcode", "Postcode", INPUT_TEXT, .max = 20, .autocomplete = "postal-code",
		.width = "short"),
	CAT_FIELD(6, "country", "Country", INPUT_TEXT, .flags = INPUT_REQUIRED, .min = 2, .max = 2,
		.hint = "Two letters, like AU", .width = "short"),
	CAT_FIELD(7, "timezone", "Time zone", INPUT_ZONE, .flags = INPUT_REQUIRED,
		.hint = "The centre's hours are in this zone, like Australia/Melbourne"),
	CAT_FIELD(8, "phone", "Phone", INPUT_PHONE),
};

static const struct input_field cat_service_fields[] = {
	CAT_FIELD(0, "name", "Name", INPUT_TEXT, .flags = INPUT_REQUIRED, .max = 200),
	CAT_FIELD(1, "description", "Description", INPUT_LONGTEXT, .max = 5000),
	CAT_FIELD(2, "duration_minutes", "Length in minutes", INPUT_INT, .flags = INPUT_REQUIRED,
		.min = 5, .max = 480, .width = "short"),
	CAT_FIELD(3, "slot_interval_minutes", "Minutes between start times", INPUT_INT, .min = 5,
		.max = 480, .width = "short",
		.hint = "Leave blank to start each slot when the last one and its buffers end"),
	CAT_FIELD(4, "in_person", "In person", INPUT_BOOL, .legend = "Offered in person"),
	CAT_FIELD(5, "telehealth", "Telehealth", INPUT_BOOL, .legend = "Offered by telehealth"),
	CAT_FIELD(6, "concerns", "Concerns", INPUT_TEXT, .max = 5000,
		.hint = "What it helps with, separated by commas: anxiety, grief, sleep"),
	CAT_FIELD(7, "sort_order", "Place in lists", INPUT_INT, .min = -1000000, .max = 1000000,
		.width = "short", .hint = "Lower numbers are listed first"),
};

/* an element of a list of ids (checkboxes) */
static const struct input_field cat_id_fields[] = {
	{ .name = "", .type = INPUT_UUID },
};
static const struct input_spec cat_id_spec = INPUT_SPEC("id", cat_id_fields, const char *, NULL);

static const struct input_field cat_practitioner_fields[] = {
	CAT_FIELD(0, "name", "Name", INPUT_TEXT, .flags = INPUT_REQUIRED, .max = 200),
	CAT_FIELD(1, "title", "Title", INPUT_TEXT, .max = 200, .hint = "Like Clinical Psychologist"),
	CAT_FIELD(2, "photo_url", "Photo address", INPUT_TEXT, .max = 1000,
		.hint = "A link to their photo, starting https://"),
	CAT_FIELD(3, "bio", "About them", INPUT_LONGTEXT, .max = 10000),
	CAT_FIELD(4, "qualifications", "Qualifications", INPUT_LONGTEXT, .max = 5000,
		.hint = "One a line"),
	CAT_FIELD(5, "specialties", "Specialties", INPUT_TEXT, .max = 5000,
		.hint = "Separated by commas: anxiety, couples, trauma"),
	CAT_FIELD(6, "languages", "Languages", INPUT_TEXT, .max = 1000,
		.hint = "Language tags separated by commas: en, zh-Hant, vi"),
	CAT_FIELD(7, "gender", "Gender", INPUT_ENUM, .choices = cat_genders,
		.choice_labels = cat_gender_labels, .legend = "Gender"),
	CAT_FIELD(8, "telehealth", "Offers telehealth", INPUT_BOOL, .legend = "Telehealth"),
	CAT_FIELD(9, "timezone", "Time zone", INPUT_ZONE, .flags = INPUT_REQUIRED,
		.hint = "Where their telehealth hours are set when no centre is named"),
	CAT_FIELD(10, "buffer_before_minutes", "Buffer before each session, minutes", INPUT_INT,
		.min = 0, .max = 240, .width = "short"),
	CAT_FIELD(11, "buffer_after_minutes", "Buffer after each session, minutes", INPUT_INT,
		.min = 0, .max = 240, .width = "short"),
	CAT_FIELD(12, "min_notice_minutes", "Minimum notice, minutes", INPUT_INT, .min = 0,
		.max = 43200, .width = "short", .hint = "Blank: 120"),
	CAT_FIELD(13, "max_advance_days", "Bookable this many days ahead", INPUT_INT, .min = 1,
		.max = 730, .width = "short", .hint = "Blank: 90"),
	CAT_FIELD(14, "sort_order", "Place in lists", INPUT_INT, .min = -1000000, .max = 1000000,
		.width = "short", .hint = "Lower numbers are listed first"),
	CAT_FIELD(15, "user_id", "Staff account", INPUT_UUID,
		.hint = "Their sign-in, so they can keep their own hours and leave"),
	CAT_FIELD(16, "location_ids", "Locations", INPUT_ARRAY, .of = &cat_id_spec, .max = 1000,
		.legend = "Where they work"),
	CAT_FIELD(17, "service_ids", "Services", INPUT_ARRAY, .of = &cat_id_spec, .max = 1000,
		.legend = "What they offer"),
};

static const struct input_field cat_hours_fields[] = {
	CAT_FIELD(0, "location_id", "Location", INPUT_UUID,
		.hint = "Required in person; for telehealth, blank means their own time zone"),
	CAT_FIELD(1, "session_type", "Session type", INPUT_ENUM, .flags = INPUT_REQUIRED,
		.choices = cat_session_types, .choice_labels = cat_session_labels,
		.legend = "Session type"),
	CAT_FIELD(2, "weekday", "Day", INPUT_ENUM, .flags = INPUT_REQUIRED, .choices = cat_weekdays,
		.choice_labels = cat_weekday_labels, .legend = "Day of the week"),
	CAT_FIELD(3, "start_time", "Start", INPUT_TEXT, .flags = INPUT_REQUIRED, .max = 5,
		.width = "short", .hint = "Like 09:00, in 5-minute steps"),
	CAT_FIELD(4, "end_time", "End", INPUT_TEXT, .flags = INPUT_REQUIRED, .max = 5,
		.width = "short", .hint = "Like 17:00; 24:00 is midnight"),
	CAT_FIELD(5, "valid_from", "From", INPUT_DATE, .hint = "Blank: from now on"),
	CAT_FIELD(6, "valid_until", "Until", INPUT_DATE, .hint = "Blank: no end"),
};

static const struct input_field cat_leave_fields[] = {
	CAT_FIELD(0, "starts_at", "From", INPUT_TEXT, .flags = INPUT_REQUIRED,
		.max = BOOKING_ADMIN_LOCAL_MAX, .hint = "Date and time in their time zone, like 2026-12-24T14:00"),
	CAT_FIELD(1, "ends_at", "Until", INPUT_TEXT, .flags = INPUT_REQUIRED,
		.max = BOOKING_ADMIN_LOCAL_MAX, .hint = "When they are back, like 2027-01-04T09:00"),
	CAT_FIELD(2, "reason", "Reason", INPUT_TEXT, .max = 200, .hint = "Staff only; patients never see it"),
};

static const struct input_field cat_price_fields[] = {
	CAT_FIELD(0, "service_id", "Service", INPUT_UUID, .flags = INPUT_REQUIRED,
		.missing = "Choose a service"),
	CAT_FIELD(1, "location_id", "Location", INPUT_UUID, .hint = "Blank: every location"),
	CAT_FIELD(2, "session_type", "Session type", INPUT_ENUM, .choices = cat_session_types,
		.choice_labels = cat_session_labels, .legend = "Session type"),
	CAT_FIELD(3, "funding", "Funding", INPUT_ENUM, .flags = INPUT_REQUIRED,
		.choices = cat_fundings, .choice_labels = cat_funding_labels, .legend = "Funding"),
	CAT_FIELD(4, "insurer", "Insurer", INPUT_TEXT, .max = 100, .hint = "For insurer rebates only"),
	CAT_FIELD(5, "fee_minor", "Fee", INPUT_MONEY, .flags = INPUT_REQUIRED, .min = 0,
		.max = 100000000, .width = "medium", .hint = "Like 220.00"),
	CAT_FIELD(6, "rebate_minor", "Rebate", INPUT_MONEY, .min = 0, .max = 100000000,
		.width = "medium", .hint = "Medicare and insurers only; the patient sees the gap"),
	CAT_FIELD(7, "currency", "Currency", INPUT_TEXT, .flags = INPUT_REQUIRED, .min = 3, .max = 3,
		.width = "short", .hint = "Like AUD"),
	CAT_FIELD(8, "package_sessions", "Sessions in the package", INPUT_INT, .min = 2, .max = 100,
		.width = "short", .hint = "Package prices only; the fee is for all of them"),
};

/* A kind's page: its path segment, its words, and its form. */
struct cat_page {
	enum booking_admin_kind  kind;
	const char              *segment;	/* "locations": /admin/locations, …/:pid/hours */
	const char              *many, *one;	/* "Locations", "location" */
	const char              *subject;	/* the audit entry's subject type and action stem */
	struct input_spec        spec;		/* named as one */
};

#define CAT_PAGE(kind, segment, many, one, subject, fields) \
	{ kind, segment, many, one, subject, INPUT_SPEC(one, fields, struct cat_form, NULL) }

static const struct cat_page cat_pages[] = {
	CAT_PAGE(BOOKING_ADMIN_LOCATION, "locations", "Locations", "location", "location",
	    cat_location_fields),
	CAT_PAGE(BOOKING_ADMIN_SERVICE, "services", "Services", "service", "service",
	    cat_service_fields),
	CAT_PAGE(BOOKING_ADMIN_PRACTITIONER, "practitioners", "Practitioners", "practitioner",
	    "practitioner", cat_practitioner_fields),
	CAT_PAGE(BOOKING_ADMIN_HOURS, "hours", "Weekly hours", "hours", "hours", cat_hours_fields),
	CAT_PAGE(BOOKING_ADMIN_LEAVE, "leave", "Leave", "leave", "leave", cat_leave_fields),
	CAT_PAGE(BOOKING_ADMIN_PRICE, "prices", "Prices", "price", "price_rule", cat_price_fields),
};

/* What a request is about: the kind, and for hours and leave the practitioner. */
struct cat_ctx {
	const struct cat_page             *page;
	struct booking_admin_practitioner  owner;	/* hours and leave: theirs */
	const char                        *base;	/* "/admin/locations", arena-owned */
	const char                        *id;	/* the row's, or NULL */
};

/* The kind of the request's path: /admin/<segment>… or /admin/practitioners/:pid/<segment>…. */
static const struct cat_page *
cat_page_of(const struct request *req)
{
	const char *p = req->path + strlen("/admin/");
	size_t n;

	if (http_param(&req->route, "pid") != NULL)
		p += strlen("practitioners/") + BOOKING_ID_SIZE;	/* past "<uuid>/" */
	n = strcspn(p, "/");
	for (size_t i = 0; i < sizeof cat_pages / sizeof *cat_pages; i++)
		if (strlen(cat_pages[i].segment) == n && strncmp(p, cat_pages[i].segment, n) == 0)
			return &cat_pages[i];
	return NULL;
}

/* A booking_admin call's outcome as the status of the answer: 0 (found), 404 or 503. */
static int
cat_found(int rc)
{
	return rc == BOOKING_ADMIN_OK ? 0 : rc == BOOKING_ADMIN_NOT_FOUND ? 404 : 503;
}

/* Opens the request's kind for the caller: 0, or the status of the answer (404 for
 * anything the caller may not see; 503). */
static int
cat_open(struct web_app *app, struct request *req, struct cat_ctx *c)
{
	const char *pid = http_param(&req->route, "pid");
	bool admin = app->rq.who.role == AUTH_ROLE_ADMIN;
	char *base = arena_alloc(&req->arena, CAT_PATH_MAX);
	int st;

	memset(c, 0, sizeof *c);
	c->id = http_param(&req->route, "id");
	if ((c->page = cat_page_of(req)) == NULL || (c->id != NULL && !valid_uuid(c->id)))
		return 404;
	if (!booking_admin_has_parent(c->page->kind)) {
		snprintf(base, CAT_PATH_MAX, "/admin/%s", c->page->segment);
		c->base = base;
		return admin ? 0 : 404;
	}
	if (pid == NULL || !valid_uuid(pid))
		return 404;
	if ((st = cat_found(booking_admin_practitioner(&app->db, pid, &c->owner))) != 0)
		return st;
	snprintf(base, CAT_PATH_MAX, "/admin/practitioners/%s/%s", pid, c->page->segment);
	c->base = base;
	if (admin || (app->rq.who.role == AUTH_ROLE_PRACTITIONER &&
	    strcmp(c->owner.user_id, app->rq.who.user_id) == 0))
		return 0;
	return 404;
}

static struct web_view
cat_refused(int status)
{
	return status == 503 ? web_view_db_failed() :
	    web_view_error(404, "We couldn't find that page.", NULL);
}

/* A page model with the kind's words and, for hours and leave, whose they are. */
static struct json_object *
cat_model(struct web_app *app, struct request *req,
    const struct cat_ctx *c, struct web_form *f)
{
	struct json_object *model = web_page_model(f);

	web_form_set(model, "many", c->page->many);
	web_form_set(model, "one", c->page->one);
	web_form_set(model, "base", c->base);
	if (*c->owner.id) {
		struct json_object *o = json_object_new_object();
		char *href = arena_alloc(&req->arena, CAT_PATH_MAX);

		snprintf(href, CAT_PATH_MAX, "/admin/practitioners/%s", c->owner.id);
		web_form_set(o, "name", c->owner.name);
		web_form_set(o, "timezone", c->owner.timezone);
		web_form_set(o, "href", href);
		json_object_object_add(o, "editable",
		    json_object_new_boolean(app->rq.who.role == AUTH_ROLE_ADMIN));
		json_object_object_add(model, "owner", o);
	}
	return model;
}

/* GET /admin/<kind>[?after=id]: one page of the list, by keyset. */
struct web_view
web_catalogue_list(struct web_app *app, struct request *req, struct response *resp)
{
	(void)resp;
	static const struct { const char *param, *message; } done[] = {
		{ "saved", "Saved." }, { "deactivated", "Deactivated." }, { "activated", "Activated." },
		{ "deleted", "Deleted." },
	};
	const char *after = http_param(&req->query, "after");
	struct booking_admin_item *items;
	struct json_object *model, *list;
	struct cat_ctx c;
	size_t n;
	bool more;
	int st;

	if ((st = cat_open(app, req, &c)) != 0)
		return cat_refused(st);
	if (after != NULL && !valid_uuid(after))
		return web_view_error(400, "That page link is not valid.", "after");
	if (booking_admin_list(&app->db, &req->arena, c.page->kind, c.owner.id, after, &items, &n,
	    &more) != BOOKING_ADMIN_OK)
		return web_view_db_failed();
	model = cat_model(app, req, &c, NULL);
	list = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		char *href = arena_alloc(&req->arena, CAT_PATH_MAX);

		snprintf(href, CAT_PATH_MAX, "%s/%s", c.base, items[i].id);
		web_form_set(o, "title", items[i].title);
		web_form_set(o, "detail", items[i].detail);
		web_form_set(o, "href", href);
		json_object_object_add(o, "inactive", json_object_new_boolean(!items[i].active));
		json_object_array_add(list, o);
	}
	json_object_object_add(model, "items", list);
	json_object_object_add(model, "empty", json_object_new_boolean(n == 0 && after == NULL));
	json_object_object_add(model, "later", json_object_new_boolean(after != NULL));
	if (more) {
		char *href = arena_alloc(&req->arena, CAT_PATH_MAX);

		snprintf(href, CAT_PATH_MAX, "%s?after=%s", c.base, items[n - 1].id);
		web_form_set(model, "next", href);
	}
	for (size_t i = 0; i < sizeof done / sizeof *done; i++)
		if (http_param(&req->query, done[i].param) != NULL)
			web_flash(model, "success", done[i].message);
	return web_view_page(200, "pages/admin-catalogue", model);
}

/* Whether typed holds value under name (a list's checkboxes send the name once each). */
static bool
cat_typed_has(const struct http_params *typed, const char *name, const char *value)
{
	for (size_t i = 0; typed != NULL && i < typed->count; i++)
		if (strcmp(typed->items[i].name, name) == 0 && strcmp(typed->items[i].value, value) == 0)
			return true;
	return false;
}

/* The options of a field whose choices are the clinic's own rows (locations, services,
 * practitioners' staff accounts): a drop-down's for one id ("Choose one" or "None" first),
 * checkboxes' for a list of ids. NULL when the field has none; *rc -1 when they could not be
 * read. */
static struct json_object *
cat_choices(struct web_app *app, struct request *req, const struct input_field *in,
    const struct http_params *typed, int *rc)
{
	bool list = in->type == INPUT_ARRAY;
	const char *value = typed ? http_param(typed, in->name) : NULL;
	struct booking_admin_item *items = NULL;
	struct json_object *options;
	size_t n = 0;
	int k;

	*rc = 0;
	if (strncmp(in->name, "location_id", 11) == 0 || strncmp(in->name, "service_id", 10) == 0) {
		if (booking_admin_choices(&app->db, &req->arena, in->name[0] == 'l' ?
		    BOOKING_ADMIN_LOCATION : BOOKING_ADMIN_SERVICE, &items, &n) != BOOKING_ADMIN_OK)
			*rc = -1;
	} else if (strcmp(in->name, "user_id") == 0) {
		/* every practitioner account, a page of the staff list at a time */
		size_t cap = 0;
		const char *after = NULL;

		do {
			struct auth_user *staff = arena_calloc(&req->arena, WEB_LIST_PAGE, sizeof *staff);

			if ((k = auth_staff_list(&app->db, after, staff, WEB_LIST_PAGE)) < 0) {
				*rc = -1;
				break;
			}
			for (int i = 0; i < k; i++) {
				if (staff[i].role != AUTH_ROLE_PRACTITIONER)
					continue;
				if (n + 1 >= cap) {
					struct booking_admin_item *grown;

					cap = cap ? 2 * cap : WEB_LIST_PAGE;
					grown = arena_calloc(&req->arena, cap, sizeof *grown);
					if (n)
						memcpy(grown, items, n * sizeof *items);
					items = grown;
				}
				items[n++] = (struct booking_admin_item){ staff[i].id, staff[i].name,
					staff[i].email, true };
			}
			if (k > 0)
				after = staff[k - 1].id;
		} while (k == WEB_LIST_PAGE);
	} else
		return NULL;
	options = json_object_new_array();
	for (size_t i = list ? 1 : 0; i <= n; i++) {
		struct json_object *o = json_object_new_object();
		const char *id = i == 0 ? "" : items[i - 1].id, *label;
		bool on = list ? cat_typed_has(typed, in->name, id) :
		    strcmp(value ? value : "", id) == 0;

		if (i == 0)
			label = in->flags & INPUT_REQUIRED ? "Choose one" : "None";
		else {
			char *l = arena_alloc(&req->arena, strlen(items[i - 1].title) + 16);

			sprintf(l, "%s%s", items[i - 1].title, items[i - 1].active ? "" : " (inactive)");
			label = l;
		}
		web_form_set(o, "value", id);
		web_form_set(o, "label", label);
		web_form_set(o, "description", "");
		json_object_object_add(o, list ? "checked" : "selected", json_object_new_boolean(on));
		json_object_array_add(options, o);
	}
	return options;
}

/* The form page of c (new when c->id is NULL), with what was typed or stored and errors. */
static struct web_view
cat_form_page(struct web_app *app, struct request *req,
    const struct cat_ctx *c, const struct http_params *typed, const struct input_errors *e,
    int status, bool active)
{
	const struct input_spec *spec = &c->page->spec;
	struct json_object *model, *order = json_object_new_array();
	char *action = arena_alloc(&req->arena, CAT_PATH_MAX);
	struct web_form f;
	int rc = 0;

	web_form_init(&f, req);
	web_form_from(&f, spec, typed, e);
	json_object_object_add(f.model, "order", order);
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct input_field *in = &spec->fields[i];
		struct json_object *field = json_object_object_get(f.fields, in->name), *opts, *item;
		const char *kind = in->type == INPUT_LONGTEXT ? "isTextarea" : in->type == INPUT_ENUM ?
		    "isRadios" : in->type == INPUT_BOOL ? "isCheckboxes" : "isField";

		if ((opts = cat_choices(app, req, in, typed, &rc)) != NULL) {
			json_object_object_add(field, "options", opts);
			kind = in->type == INPUT_ARRAY ? "isCheckboxes" : "isSelect";
		} else if (in->type == INPUT_ENUM && !(in->flags & INPUT_REQUIRED)) {
			const char *v = typed ? http_param(typed, in->name) : NULL;

			web_form_option(field, "", "Not set", v == NULL || *v == '\0');
		}
		if (rc != 0)
			return web_view_freeing(web_view_db_failed(), f.model);
		item = json_object_new_object();
		json_object_object_add(item, kind, json_object_new_boolean(1));
		json_object_object_add(item, "field", json_object_get(field));
		json_object_array_add(order, item);
	}
	if (c->id != NULL)
		snprintf(action, CAT_PATH_MAX, "%s/%s", c->base, c->id);
	else
		snprintf(action, CAT_PATH_MAX, "%s", c->base);
	model = cat_model(app, req, c, &f);
	web_form_set(model, "action", action);
	json_object_object_add(model, "editing", json_object_new_boolean(c->id != NULL));
	if (c->id != NULL) {
		const char *verb = !booking_admin_deactivates(c->page->kind) ? "delete" :
		    active ? "deactivate" : "activate";
		char *change = arena_alloc(&req->arena, CAT_PATH_MAX);

		snprintf(change, CAT_PATH_MAX, "%s/%s/%s", c->base, c->id, verb);
		web_form_set(model, "change", change);
		web_form_set(model, "changeLabel", strcmp(verb, "delete") == 0 ? "Delete" :
		    active ? "Deactivate" : "Activate");
		json_object_object_add(model, "inactive", json_object_new_boolean(!active));
		if (c->page->kind == BOOKING_ADMIN_PRACTITIONER) {
			struct json_object *o = json_object_new_object();
			char *hours = arena_alloc(&req->arena, CAT_PATH_MAX);
			char *leave = arena_alloc(&req->arena, CAT_PATH_MAX);

			snprintf(hours, CAT_PATH_MAX, "%s/%s/hours", c->base, c->id);
			snprintf(leave, CAT_PATH_MAX, "%s/%s/leave", c->base, c->id);
			web_form_set(o, "hours", hours);
			web_form_set(o, "leave", leave);
			json_object_object_add(model, "practitioner", o);
		}
	}
	return web_view_page(status, "pages/admin-catalogue-form", model);
}

/* GET /admin/<kind>/new */
struct web_view
web_catalogue_new(struct web_app *app, struct request *req, struct response *resp)
{
	struct cat_ctx c;
	int st;

	(void)resp;
	if ((st = cat_open(app, req, &c)) != 0)
		return cat_refused(st);
	return cat_form_page(app, req, &c, NULL, NULL, 200, true);
}

/* The stored values of c's row as form params in *stored, and whether it is active: 0, or
 * the status of the answer (404, 503). */
static int
cat_stored(struct web_app *app, struct request *req, const struct cat_ctx *c,
    struct http_params *stored, bool *active)
{
	struct booking_admin_value *vals;
	size_t n;
	int st = cat_found(booking_admin_get(&app->db, &req->arena, c->page->kind, c->owner.id,
	    c->id, &vals, &n));

	if (st != 0)
		return st;
	*active = true;
	stored->count = 0;
	stored->items = arena_calloc(&req->arena, n + 1, sizeof *stored->items);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(vals[i].name, "active") == 0) {
			*active = strcmp(vals[i].value, "yes") == 0;
			continue;
		}
		stored->items[stored->count++] = (struct http_param){ vals[i].name, vals[i].value,
			strlen(vals[i].value) };
	}
	return 0;
}

/* GET /admin/<kind>/:id: the form filled from the row. */
struct web_view
web_catalogue_edit(struct web_app *app, struct request *req, struct response *resp)
{
	struct http_params stored = { 0 };
	struct cat_ctx c;
	bool active;
	int st;

	(void)resp;
	if ((st = cat_open(app, req, &c)) != 0 || (st = cat_stored(app, req, &c, &stored, &active)) != 0)
		return cat_refused(st);
	return cat_form_page(app, req, &c, &stored, NULL, 200, active);
}

/* The audit entry of a change to row id of c's kind. */
static int
cat_audit(struct web_app *app, const struct request *req, const struct cat_ctx *c,
    const char *id, const char *change)
{
	char action[64], details[CAT_DETAILS_MAX];

	snprintf(action, sizeof action, "booking.%s_%s", c->page->subject, change);
	if (*c->owner.id)
		snprintf(details, sizeof details, "{\"practitioner\":\"%s\"}", c->owner.id);
	return web_audit(app, req, action, c->page->subject, id, *c->owner.id ? details : NULL);
}

/* The values a form read, as text (booking/admin.h). */
static struct booking_admin_value *
cat_values(struct arena *a, const struct input_spec *spec, const struct cat_form *in)
{
	struct booking_admin_value *v = arena_calloc(a, spec->nfields + 1, sizeof *v);

	for (size_t i = 0; i < spec->nfields; i++) {
		const struct input_field *f = &spec->fields[i];

		v[i].name = f->name;
		if (f->type == INPUT_INT || f->type == INPUT_MONEY) {
			char *s;

			if (in->n[i] == CAT_UNSET)
				continue;
			s = arena_alloc(a, 24);
			snprintf(s, 24, "%lld", in->n[i]);
			v[i].value = s;
		} else if (f->type == INPUT_BOOL)
			v[i].value = in->b[i] ? "true" : "false";
		else if (f->type == INPUT_ARRAY) {
			const char *const *ids = in->a[i].items;
			char *s = arena_alloc(a, in->a[i].count * BOOKING_ID_SIZE + 3), *w = s;

			*w++ = '{';	/* a PostgreSQL array of the ids, checked as UUIDs */
			for (size_t k = 0; k < in->a[i].count; k++)
				w += sprintf(w, "%s%s", k ? "," : "", ids[k]);
			strcpy(w, "}");
			v[i].value = s;
		}
		else
			v[i].value = in->s[i];
	}
	return v;
}

/* POST /admin/<kind> (create) and POST /admin/<kind>/:id (update). */
struct web_view
web_catalogue_save(struct web_app *app, struct request *req, struct response *resp)
{
	struct input_errors e = { 0 };
	struct cat_form in;
	char id[BOOKING_ID_SIZE], *to;
	struct cat_ctx c;
	int st;

	(void)resp;
	if ((st = cat_open(app, req, &c)) != 0)
		return cat_refused(st);
	memset(&in, 0, sizeof in);
	for (size_t i = 0; i < CAT_FIELDS_MAX; i++)
		in.n[i] = CAT_UNSET;
	web_input(app, req, &c.page->spec, &in, &e);
	if (e.count == 0) {
		/* an edit of a row that is not there is a 404 before any form is shown again */
		switch (booking_admin_save(&app->db, &req->arena, c.page->kind, c.owner.id, c.id,
		    cat_values(&req->arena, &c.page->spec, &in), c.page->spec.nfields, id, &e)) {
		case BOOKING_ADMIN_OK:
			if (cat_audit(app, req, &c, id, c.id ? "updated" : "created") != DB_OK)
				return web_view_db_failed();
			to = arena_alloc(&req->arena, CAT_PATH_MAX);
			snprintf(to, CAT_PATH_MAX, "%s?saved=1", c.base);
			return web_view_redirect(303, to);
		case BOOKING_ADMIN_NOT_FOUND:
			return cat_refused(404);
		case BOOKING_ADMIN_INVALID:
			break;
		default:
			return web_view_db_failed();
		}
	}
	if (c.id != NULL) {	/* the edit form again: its row's deactivate or activate button */
		struct http_params stored;
		bool active;

		if ((st = cat_stored(app, req, &c, &stored, &active)) != 0)
			return cat_refused(st);
		return cat_form_page(app, req, &c, &req->form, &e, 422, active);
	}
	return cat_form_page(app, req, &c, &req->form, &e, 422, true);
}

/* POST …/:id/deactivate, …/:id/activate, and for hours and leave …/:id/delete. */
struct web_view
web_catalogue_change(struct web_app *app, struct request *req, struct response *resp)
{
	const char *verb = strrchr(req->path, '/') + 1;
	bool active = strcmp(verb, "activate") == 0;
	char *to;
	struct cat_ctx c;
	int st;

	(void)resp;
	if ((st = cat_open(app, req, &c)) != 0)
		return cat_refused(st);
	if (booking_admin_deactivates(c.page->kind) == (strcmp(verb, "delete") == 0))
		return cat_refused(404);
	switch (booking_admin_set_active(&app->db, c.page->kind, c.owner.id, c.id, active)) {
	case BOOKING_ADMIN_OK:
		break;
	case BOOKING_ADMIN_NOT_FOUND:
		return cat_refused(404);
	case BOOKING_ADMIN_CONFLICT:
		return web_view_error(409, "Another active price covers the same service, location, session type and funding. Deactivate that one first.", NULL);
	default:
		return web_view_db_failed();
	}
	if (cat_audit(app, req, &c, c.id, active ? "activated" : strcmp(verb, "delete") == 0 ?
	    "deleted" : "deactivated") != DB_OK)
		return web_view_db_failed();
	to = arena_alloc(&req->arena, CAT_PATH_MAX);
	snprintf(to, CAT_PATH_MAX, "%s?%sd=1", c.base, verb);
	return web_view_redirect(303, to);
}

/* GET /admin/hours and /admin/leave: a practitioner's own; for admins, the practitioners to
 * choose from. */
struct web_view
web_catalogue_mine(struct web_app *app, struct request *req, struct response *resp)
{
	char id[BOOKING_ID_SIZE], *to;

	(void)resp;
	if (app->rq.who.role == AUTH_ROLE_ADMIN)
		return web_view_redirect(303, "/admin/practitioners");
	if (app->rq.who.role != AUTH_ROLE_PRACTITIONER)
		return cat_refused(404);
	switch (booking_admin_practitioner_of(&app->db, app->rq.who.user_id, id)) {
	case BOOKING_ADMIN_OK:
		break;
	case BOOKING_ADMIN_NOT_FOUND:
		return web_view_error(404, "Your account is not linked to a practitioner profile yet. Ask the clinic's administrator to link it.", NULL);
	default:
		return web_view_db_failed();
	}
	to = arena_alloc(&req->arena, CAT_PATH_MAX);
	snprintf(to, CAT_PATH_MAX, "/admin/practitioners/%s%s", id, req->path + strlen("/admin"));
	return web_view_redirect(303, to);
}
