/* form.c: HTML form models for the design system's partials (templates/partials/): each
 * field carries every key its partial reads, the value the person typed, and its error; the
 * form carries the error summary (GOV.UK pattern). A page then renders
 * {{#form.fields.NAME}}{{>partials/field}}{{/form.fields.NAME}}. */
#include "web/web.h"

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
web_form_field(struct web_form *f, const char *name, const char *label, const char *value)
{
	static const char *const blank[] = { "type", "hint", "error", "autocomplete", "inputmode",
		"width", "spellcheck", "legend" };
	struct json_object *field = json_object_new_object();

	for (size_t i = 0; i < sizeof blank / sizeof *blank; i++)
		web_form_set(field, blank[i], "");
	web_form_set(field, "id", name);
	web_form_set(field, "name", name);
	web_form_set(field, "label", label);
	web_form_set(field, "value", value);
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
	web_form_set(o, "value", value);
	web_form_set(o, "label", label);
	web_form_set(o, "description", "");
	json_object_object_add(o, "checked", json_object_new_boolean(checked));
	json_object_array_add(options, o);
}

void
web_form_error(struct web_form *f, const char *name, const char *message)
{
	struct json_object *field, *e, *options, *first;
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
	e = json_object_new_object();
	web_form_set(e, "id", anchor);
	web_form_set(e, "message", message);
	json_object_array_add(f->errors, e);
	json_object_object_add(f->model, "invalid", json_object_new_boolean(1));
}

bool
web_form_invalid(const struct web_form *f)
{
	return json_object_array_length(f->errors) > 0;
}

const char *
web_form_value(const struct request *req, const char *name)
{
	const char *v = http_param(&req->form, name);

	return v != NULL ? v : "";
}

struct json_object *
web_page_model(struct web_app *app, struct request *req, struct response *resp,
    struct web_form *f)
{
	struct json_object *model = json_object_new_object();

	web_csrf(app, req, resp);
	if (f != NULL)
		json_object_object_add(model, "form", f->model);
	return model;
}

void
web_flash(struct json_object *model, const char *kind, const char *message)
{
	struct json_object *flash = json_object_new_object();

	web_form_set(flash, "kind", kind);
	web_form_set(flash, "message", message);
	json_object_object_add(model, "flash", flash);
}

void
web_name_email_fields(struct web_form *f, const char *name, const char *email)
{
	struct json_object *field;

	field = web_form_field(f, "name", "Full name", name);
	web_form_set(field, "autocomplete", "name");
	web_form_set(field, "spellcheck", "false");
	field = web_form_field(f, "email", "Email address", email);
	web_form_set(field, "type", "email");
	web_form_set(field, "autocomplete", "email");
	web_form_set(field, "spellcheck", "false");
}

void
web_form_page(struct web_app *app, struct request *req, struct response *resp, int status,
    struct web_form *f, const char *next, const char *page)
{
	struct json_object *model = web_page_model(app, req, resp, f);

	json_object_object_add(model, "next", json_object_new_string(next));
	web_page(app, req, resp, status, page, model);
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

/* The fields of spec under prefix ("emergencyContact." for a nested object's). */
static void
web_form_fields(struct web_form *f, const struct input_spec *spec, const char *prefix,
    const struct http_params *typed)
{
	for (size_t i = 0; i < spec->nfields; i++) {
		const struct input_field *in = &spec->fields[i];
		char name[INPUT_PATH_MAX];
		const char *value;
		struct json_object *field;

		snprintf(name, sizeof name, "%s%s", prefix, in->name);
		if (in->type == INPUT_OBJECT) {
			char nested[INPUT_PATH_MAX + 1];

			snprintf(nested, sizeof nested, "%s.", name);
			web_form_fields(f, in->of, nested, typed);
			continue;
		}
		value = typed != NULL && in->type != INPUT_PASSWORD ? http_param(typed, name) : NULL;
		field = web_form_field(f, name, in->label ? in->label : "", value ? value : "");
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
		else if (in->type == INPUT_BOOL)
			web_form_option(field, "yes", in->label ? in->label : "", value != NULL);
	}
}

void
web_form_from(struct web_form *f, const struct input_spec *spec, const struct http_params *typed,
    const struct input_errors *e)
{
	web_form_fields(f, spec, "", typed);
	if (e != NULL)
		for (size_t i = 0; i < e->count; i++)
			web_form_error(f, e->items[i].path, e->items[i].message);
}
