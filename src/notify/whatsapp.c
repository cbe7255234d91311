/* whatsapp.c: WhatsApp template messages (NOTE-1, NOTE-5).
 *
 * Business-initiated WhatsApp messages must be templates the provider approved, with
 * variables filled in. A Kairos template has two variants, NAME and NAME.phi-free (used
 * without a BAA); each variant is one approved template at the provider and has:
 *   - templates/whatsapp/VARIANT.mustache: the same words as the approved template, with
 *     the model's values where the provider has {{1}}, {{2}}, ... — the text we keep in
 *     notifications.body_text for the patient's history (it is never sent);
 *   - a row below: which model values are the variables, in the provider's order. The
 *     key names Gallabox's named bodyValues; Meta and Twilio use the position.
 * The .phi-free rows must name no value that can carry health details (names of patients,
 * practitioners, services, times or free text from staff).
 * Which provider template a variant is: KAIROS_WHATSAPP_TEMPLATES (notify_whatsapp_template_id). */
#include "notify/notify.h"
#include "notify/whatsapp.h"

#include <string.h>

struct wa_var {
	const char *key;	/* Gallabox bodyValues name */
	const char *path;	/* dotted path into the model */
	bool        url_button;	/* also the parameter of the template's URL button (OTP copy) */
};

struct wa_template {
	const char   *name;
	struct wa_var vars[NOTIFY_WA_MAX_VARS];
};

static const struct wa_template wa_catalogue[] = {
	{ "appointment-confirmed", { { "first_name", "patient.firstName", false },
	    { "practitioner", "practitioner.name", false }, { "clinic", "site.name", false },
	    { "when", "when", false }, { "reference", "reference", false } } },
	{ "appointment-confirmed.phi-free", { { "clinic", "site.name", false } } },
	/* a one-time code is no health detail: both variants carry it */
	{ "otp", { { "code", "code", true } } },
	{ "otp.phi-free", { { "code", "code", true } } },
	{ "staff-message", { { "clinic", "site.name", false }, { "message", "body", false } } },
	{ "staff-message.phi-free", { { "clinic", "site.name", false } } },
};

#define WA_CATALOGUE_SIZE (sizeof wa_catalogue / sizeof wa_catalogue[0])

const char *const notify_whatsapp_names[] = {
	"appointment-confirmed", "appointment-confirmed.phi-free", "otp", "otp.phi-free",
	"staff-message", "staff-message.phi-free", NULL,
};

int
notify_whatsapp_template_id(const char *map, const char *name, bool derive,
    char out[NOTIFY_WA_MAX_ID])
{
	size_t n = strlen(name);
	const char *p = map ? map : "";

	/* map was checked at start-up: NAME=ID pairs separated by commas */
	while (*p) {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		size_t idlen;

		if (eq == NULL)
			break;
		if (end == NULL)
			end = p + strlen(p);
		idlen = (size_t)(end - eq - 1);
		if ((size_t)(eq - p) == n && memcmp(p, name, n) == 0 && idlen < NOTIFY_WA_MAX_ID) {
			memcpy(out, eq + 1, idlen);
			out[idlen] = '\0';
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	if (!derive || n >= NOTIFY_WA_MAX_ID)
		return -1;
	/* Meta's template names are lowercase letters, digits and underscores */
	for (size_t i = 0; i <= n; i++)
		out[i] = name[i] == '-' || name[i] == '.' ? '_' : name[i];
	return 0;
}

struct json_object *
notify_whatsapp_vars(const char *json)
{
	struct json_object *a;

	if (json == NULL || *json == '\0')
		return NULL;
	a = json_tokener_parse(json);
	if (a == NULL || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		return NULL;
	}
	return a;
}

bool
notify_whatsapp_var_ok(const char *value)
{
	size_t n = strlen(value);

	return n > 0 && n <= NOTIFY_WA_MAX_VAR_BYTES && strpbrk(value, "\n\t\r") == NULL &&
	    strstr(value, "     ") == NULL;
}

/* The value at a dotted path of the model (strings and numbers), or NULL. */
static const char *
wa_lookup(struct json_object *model, const char *path)
{
	char part[64];
	struct json_object *o = model;

	while (*path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof part || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (!json_object_object_get_ex(o, part, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	if (!json_object_is_type(o, json_type_string) && !json_object_is_type(o, json_type_int) &&
	    !json_object_is_type(o, json_type_double))
		return NULL;
	return json_object_get_string(o);
}

int
notify_whatsapp_render_vars(const char *variant, struct json_object *model, struct buf *out,
    struct buf *err)
{
	const struct wa_template *t = NULL;
	struct json_object *a;

	for (size_t i = 0; i < WA_CATALOGUE_SIZE && t == NULL; i++)
		if (strcmp(wa_catalogue[i].name, variant) == 0)
			t = &wa_catalogue[i];
	if (t == NULL) {
		buf_printf(err, "whatsapp/%s: no such template in the WhatsApp catalogue", variant);
		return -1;
	}
	a = json_object_new_array();
	for (size_t i = 0; i < NOTIFY_WA_MAX_VARS && t->vars[i].key != NULL; i++) {
		const char *v = wa_lookup(model, t->vars[i].path);
		struct json_object *e;

		if (v == NULL || !notify_whatsapp_var_ok(v)) {
			buf_printf(err, "whatsapp/%s: %s %s", variant, t->vars[i].path, v == NULL
			    ? "is missing" : "must be 1-1000 characters without newlines, tabs or 5 spaces in a row");
			json_object_put(a);
			return -1;
		}
		e = json_object_new_object();
		json_object_object_add(e, "name", json_object_new_string(t->vars[i].key));
		json_object_object_add(e, "value", json_object_new_string(v));
		if (t->vars[i].url_button)
			json_object_object_add(e, "button", json_object_new_string("url"));
		json_object_array_add(a, e);
	}
	buf_puts(out, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(a);
	return 0;
}
