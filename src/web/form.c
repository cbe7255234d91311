/* form.c: HTML form models for the design system's partials (templates/partials/): each
 * field carries every key its partial reads, the value the person typed, and its error; the
 * form carries the error summary (GOV.UK pattern). A page then renders
 * {{#form.fields.NAME}}{{>partials/field}}{{/form.fields.NAME}}. */
#include "web/web.h"

#include <stdarg.h>
#include <string.h>

#include <json-c/json.h>

void
web_form_init(struct web_form *f, const struct request *req)
{
	f->req = req;
	f->model = json_object_new_object();
	f->fields = json_object_new_object();
	f->errors = json_object_new_array();
	json_object_object_add(f->model, "fields", f->fields);
	json_object_object_add(f->model, "errors", f->errors);
	json_object_object_add(f->model, "invalid", json_object_new_boolean(0));
}

void
web_form_set(struct json_object *field, const char *key, const char *value)
{
	json_object_object_add(field, key, json_object_new_string(value ? value : ""));
}

struct json_object *
web_strings(struct json_object *o, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, o);
	while ((key = va_arg(ap, const char *)) != NULL)
		web_form_set(o, key, va_arg(ap, const char *));
	va_end(ap);
	return o;
}


struct json_object *
web_form_field(struct web_form *f, const char *name, const char *label, const char *value)
{
	static const char *const blank[] = { "type", "hint", "error", "autocomplete", "inputmode",
		"width", "spellcheck", "legend" };
	struct json_object *field = json_object_new_object();

	for (size_t i = 0; i < sizeof blank / sizeof *blank; i++)
		web_form_set(field, blank[i], "");
	web_strings(field, "id", name, "name", name, "label", label, "value", value, NULL);
	json_object_object_add(field, "required", json_object_new_boolean(1));
	json_object_object_add(field, "optional", json_object_new_boolean(0));
	json_object_object_add(field, "inline", json_object_new_boolean(0));
	json_object_object_add(f->fields, name, field);
	if (f->req != NULL && http_param_has_nul(&f->req->form, name))
		web_form_error(f, name, WEB_FORM_NUL_MESSAGE);
	return field;
}

void
web_form_option(struct json_object *field, const char *value, const char *label, bool checked)
{
	struct json_object *options, *o = json_object_new_object();

	if (!json_object_object_get_ex(field, "options", &options)) {
		options = json_object_new_array();
		json_object_object_add(field, "options", options);
	}
	web_strings(o, "value", value, "label", label, "description", "", NULL);
	json_object_object_add(o, "checked", json_object_new_boolean(checked));
	json_object_array_add(options, o);
}

void
web_form_error(struct web_form *f, const char *name, const char *message)
{
	struct json_object *field, *options, *first;
	const char *anchor = name;
	char id[128];

	if (message == NULL || !json_object_object_get_ex(f->fields, name, &field) ||
	    *json_object_get_string(json_object_object_get(field, "error")) != '\0')
		return;
	web_form_set(field, "error", message);
	/* radios and checkboxes: the summary links to the first option */
	if (json_object_object_get_ex(field, "options", &options) &&
	    (first = json_object_array_get_idx(options, 0)) != NULL) {
		struct json_object *v;

		json_object_object_get_ex(first, "value", &v);
		snprintf(id, sizeof id, "%s-%s", name, json_object_get_string(v));
		anchor = id;
	}
	json_object_array_add(f->errors, web_strings(json_object_new_object(), "id", anchor,
	    "message", message, NULL));
	json_object_object_add(f->model, "invalid", json_object_new_boolean(1));
}

struct json_object *
web_page_model(struct web_form *f)
{
	struct json_object *model = json_object_new_object();

	if (f != NULL)
		json_object_object_add(model, "form", f->model);
	return model;
}

void
web_flash(struct json_object *model, const char *kind, const char *message)
{
	json_object_object_add(model, "flash", web_strings(json_object_new_object(), "kind", kind,
	    "message", message, NULL));
}

/* The input type, autocomplete and spellcheck a page gives a field of type t. */
static void
web_form_type(struct json_object *field, enum input_type t)
{
	static const struct { enum input_type t; const char *type, *autocomplete, *inputmode; } m[] = {
		{ INPUT_EMAIL, "email", "email", NULL },
		{ INPUT_PHONE, "tel", "tel", NULL },
		{ INPUT_PASSWORD, "password", "current-password", NULL },
		{ INPUT_DATE, "date", NULL, NULL },
		{ INPUT_BIRTH_DATE, "date", "bday", NULL },
		{ INPUT_INT, "text", NULL, "numeric" },
		{ INPUT_MONEY, "text", NULL, "decimal" },
	};

	for (size_t i = 0; i < sizeof m / sizeof *m; i++)
		if (m[i].t == t) {
			web_form_set(field, "type", m[i].type);
			if (m[i].autocomplete)
				web_form_set(field, "autocomplete", m[i].autocomplete);
			if (m[i].inputmode)
				web_form_set(field, "inputmode", m[i].inputmode);
		}
	if (t == INPUT_EMAIL || t == INPUT_PASSWORD)
		web_form_set(field, "spellcheck", "false");
}

/* The fields of spec a page carries (input_ctx.fields; NULL: all): jprefix is the dotted
 * path of the object they are in ("signup."), prefix its form names' ("emergencyContact.",
 * or none under an INPUT_FLAT object). Each by its form name and form label. */
static void
web_form_fields(struct web_form *f, const struct input_spec *spec, const char *const *fields,
    const char *jprefix, const char *prefix, const struct http_params *typed)
{
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct input_field *in = &spec->fields[i];
		char name[INPUT_PATH_MAX], jpath[INPUT_PATH_MAX];
		const char *value, *label = input_form_label(in);
		struct json_object *field;

		if (in->flags & INPUT_JSON_ONLY)
			continue;
		snprintf(name, sizeof name, "%s%s", prefix, input_form_name(in));
		snprintf(jpath, sizeof jpath, "%s%s", jprefix, in->name);
		if (in->type == INPUT_OBJECT) {
			char nested[INPUT_PATH_MAX + 1], jnested[INPUT_PATH_MAX + 1];

			snprintf(nested, sizeof nested, "%s.", name);
			snprintf(jnested, sizeof jnested, "%s.", jpath);
			web_form_fields(f, in->of, fields, jnested,
			    (in->flags & INPUT_FLAT) ? prefix : nested, typed);
			continue;
		}
		if (!input_on_page(fields, jpath))
			continue;
		/* A value that is not UTF-8 comes back empty (http_param hides it), beside its
		 * error: echoed with U+FFFD in place of the bad bytes it would look fine and be
		 * sent again as valid text, storing a name nobody typed. Empty, the person types
		 * it again; the other fields keep what was typed. */
		value = typed != NULL && in->type != INPUT_PASSWORD ? http_param(typed, name) : NULL;
		field = web_form_field(f, name, label ? label : "", value ? value : "");
		web_form_type(field, in->type);
		if (in->hint)
			web_form_set(field, "hint", in->hint);
		if (in->autocomplete)
			web_form_set(field, "autocomplete", in->autocomplete);
		if (in->width)
			web_form_set(field, "width", in->width);
		if (in->legend)
			web_form_set(field, "legend", in->legend);
		if (!(in->flags & INPUT_REQUIRED)) {
			json_object_object_add(field, "required", json_object_new_boolean(0));
			json_object_object_add(field, "optional", json_object_new_boolean(1));
		}
		if (in->type == INPUT_ENUM)
			for (size_t k = 0; in->choices[k] != NULL; k++)
				web_form_option(field, in->choices[k], in->choice_labels ?
				    in->choice_labels[k] : in->choices[k],
				    value != NULL && strcmp(value, in->choices[k]) == 0);
		else if (in->type == INPUT_BOOL) {
			bool on = false;

			/* ticked again only when the reader read a yes ("no" is sent, not ticked) */
			web_form_option(field, "yes", label ? label : "", value != NULL &&
			    input_bool_text(value, strlen(value), &on) && on);
		}
	}
}

/* web_form_from over the fields a page carries, its errors in the page's order first. */
static void
web_page_form_from(struct web_form *f, const struct input_spec *spec, const char *const *fields,
    const struct http_params *typed, const struct input_errors *e)
{
	char name[INPUT_PATH_MAX];

	web_form_fields(f, spec, fields, "", "", typed);
	if (e == NULL)
		return;
	for (const char *const *p = fields; p != NULL && *p != NULL; p++)
		if (input_form_field(spec, *p, name, sizeof name) != NULL)
			web_form_error(f, name, input_error_at(e, name));
	for (size_t i = 0; i < e->count; i++)
		web_form_error(f, e->items[i].path, e->items[i].message);
}

void
web_form_from(struct web_form *f, const struct input_spec *spec, const struct http_params *typed,
    const struct input_errors *e)
{
	web_page_form_from(f, spec, NULL, typed, e);
}

struct json_object *
web_form_model(struct web_app *app, struct request *req,
    const struct input_spec *spec, const struct input_errors *e, const char *next)
{
	return web_page_form_model(app, req, spec, NULL, e, next);
}

struct json_object *
web_page_form_model(struct web_app *app, struct request *req,
    const struct input_spec *spec, const char *const *fields, const struct input_errors *e,
    const char *next)
{
	char national[PHONE_EXAMPLE_SIZE], international[PHONE_EXAMPLE_SIZE];
	struct json_object *model;
	struct web_form f;

	web_form_init(&f, req);
	web_page_form_from(&f, spec, fields, req->method == HTTP_POST ? &req->form : NULL, e);
	model = web_page_model(&f);
	if (next != NULL)
		json_object_object_add(model, "next", json_object_new_string(next));
	/* people type a number as they know it: the clinic country's way, or international */
	for (size_t i = 0; i < spec->nfields; i++)
		if (spec->fields[i].type == INPUT_PHONE && spec->fields[i].hint == NULL &&
		    !(spec->fields[i].flags & INPUT_JSON_ONLY) &&
		    input_on_page(fields, spec->fields[i].name))
			web_form_put(model, input_form_name(&spec->fields[i]), "hint",
			    phone_example(web_region(app), national, international) == 0 ?
			    arena_printf(&req->arena, "For example %s, or with the country code: %s",
			    national, international) : "With the country code, starting with +");
	return model;
}

/* The form field `field` of a web_form_model, or NULL. Borrowed. */
static struct json_object *
web_form_get(struct json_object *model, const char *field)
{
	struct json_object *form, *fields, *o;

	if (json_object_object_get_ex(model, "form", &form) &&
	    json_object_object_get_ex(form, "fields", &fields) &&
	    json_object_object_get_ex(fields, field, &o))
		return o;
	return NULL;
}

void
web_form_put(struct json_object *model, const char *field, const char *key, const char *value)
{
	struct json_object *o = web_form_get(model, field);

	if (o != NULL)
		web_form_set(o, key, value);
}

void
web_form_options_only(struct json_object *model, const char *field, const char *const *values)
{
	struct json_object *o = web_form_get(model, field), *options, *kept;

	if (o == NULL || !json_object_object_get_ex(o, "options", &options))
		return;
	kept = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(options); i++) {
		struct json_object *opt = json_object_array_get_idx(options, i);
		const char *v = json_object_get_string(json_object_object_get(opt, "value"));

		for (const char *const *w = values; *w != NULL; w++)
			if (strcmp(*w, v) == 0) {
				json_object_array_add(kept, json_object_get(opt));
				break;
			}
	}
	json_object_object_add(o, "options", kept);
}

const char *
web_page_after(struct request *req, const char *param, struct input_errors *e)
{
	const char *after = http_param(&req->query, param);
	bool nul = http_param_has_nul(&req->query, param);	/* http_param hides such a value */

	if ((after != NULL || nul) && (nul || !valid_uuid(after))) {
		input_error_add(e, &req->arena, param, "must be the id of the last row shown");
		return NULL;
	}
	return after;	/* compared as uuid: any case */
}

/* req's path with its query but for param, and param=value when value is not NULL: a
 * page's other lists keep their places (/admin/messages pages two lists). An arena string. */
static const char *
web_page_href(struct request *req, const char *param, const char *value)
{
	struct buf url = BUF_INIT;
	const char *out;
	char sep = '?';

	buf_puts(&url, req->path);
	for (size_t i = 0; i < req->query.count; i++) {
		const struct http_param *q = &req->query.items[i];

		if (strcmp(q->name, param) == 0)
			continue;
		buf_putc(&url, sep);
		http_percent_encode(&url, q->name, strlen(q->name), "");
		buf_putc(&url, '=');
		http_percent_encode(&url, q->value, q->value_len, "");
		sep = '&';
	}
	if (value != NULL) {
		buf_printf(&url, "%c%s=", sep, param);
		http_percent_encode(&url, value, strlen(value), "");
	}
	out = arena_strdup(&req->arena, buf_cstr(&url));
	buf_free(&url);
	return out;
}

void
web_page_next(struct request *req, struct json_object *model, const char *key,
    const char *label, const char *param, const char *last)
{
	struct json_object *pagination;
	bool later = http_param(&req->query, param) != NULL;

	if (last == NULL && !later)
		return;
	pagination = web_strings(json_object_new_object(), "label", label, NULL);
	if (later)	/* keyset pages have no numbers: the way back is to the first */
		json_object_object_add(pagination, "first", web_strings(json_object_new_object(),
		    "href", web_page_href(req, param, NULL), NULL));
	if (last != NULL)
		json_object_object_add(pagination, "next", web_strings(json_object_new_object(),
		    "href", web_page_href(req, param, last), NULL));
	json_object_object_add(pagination, "pages", json_object_new_array());
	json_object_object_add(model, key, pagination);
}
