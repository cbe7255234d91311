/* mustache-by-hand: bench/mustache's run-sheet page written out by hand in C for speed,
 * over the same json-c data and with the same escaping, and no template engine: the
 * yardstick for mustache-bench, as fast as C written for this one page runs on the
 * machine at hand.
 *
 * Each name is looked up through json-c's public table API with its hash computed once
 * at start, as a compiled template has it; text is copied into room made by one test,
 * and a value's clean start is copied before anything escapes, as the engine does.
 * Built with -DBY_HAND_SLOT_HINTS, it also tries first the table slot where each key
 * was found last, the engine's own trick (see get_key() in src/view/mustache.c).
 *
 * Usage: mustache-by-hand [SECONDS]  (default 3)
 * Prints: renders_per_sec=<n> bytes=<output size>; MUSTACHE_BENCH_PRINT=1 prints one
 * render first, which must be byte for byte the engine's. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* clock_gettime */
#endif

#include "core/buf.h"
#include "mustache-common.h"

#include <json-c/json.h>
#include <json-c/linkhash.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS(X) X(locale) X(day) X(clinic) X(name) X(asset_version) X(nav) X(active) \
	X(href) X(label) X(user) X(role) X(csrf) X(flash) X(kind) X(message) X(count) \
	X(confirmed) X(rows) X(patient) X(status) X(late) X(start) X(id) X(service) \
	X(practitioner) X(paid) X(price) X(address) X(phone) X(version)
#define KEY_ENUM(k) K_##k,
#define KEY_NAME(k) #k,
enum key { KEYS(KEY_ENUM) NKEYS };
static const char *const key_names[NKEYS] = { KEYS(KEY_NAME) };
static unsigned long key_hash[NKEYS];

/* Room for n more bytes and the terminator: one test, the growth out of line. */
static inline char *
room(struct buf *b, size_t n)
{
	if (b->cap - b->len <= n)
		buf_reserve(b, n);
	return b->data + b->len;
}

static inline void
put_bytes(struct buf *b, const char *s, size_t n)
{
	memcpy(room(b, n), s, n);
	b->len += n;
}

#define LIT(b, s) put_bytes(b, s, sizeof s - 1)

/* Escaped text: the clean start in one copy, and only the rest byte by byte. */
static inline void
put_html(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4)	/* four bytes a test, as the engine scans */
		if (buf_html_special[u[i]] | buf_html_special[u[i + 1]] |
		    buf_html_special[u[i + 2]] | buf_html_special[u[i + 3]])
			break;
	while (i < n && buf_html_special[u[i]] == 0)
		i++;
	put_bytes(b, s, i);
	if (i < n)
		buf_append_html(b, s + i, n - i);
}

#ifdef BY_HAND_SLOT_HINTS
/* The engine's own lookup trick, by hand: the items of an array are built alike, so a
 * key tends to sit in the same table slot in each; the slot where a key was found last
 * is tried first (one compare), and json-c's lookup runs only on a miss. */
static long key_slot[NKEYS];

static struct json_object *
get(struct json_object *o, enum key k)
{
	struct lh_table *t = json_object_get_object(o);
	struct lh_entry *e;
	const char *name;

	if (t == NULL)
		return NULL;
	if (key_slot[k] < t->size) {
		e = &t->table[key_slot[k]];
		name = lh_entry_k(e);
		if (name != LH_EMPTY && name != LH_FREED && strcmp(name, key_names[k]) == 0)
			return (struct json_object *)lh_entry_v(e);
	}
	if ((e = lh_table_lookup_entry_w_hash(t, key_names[k], key_hash[k])) == NULL)
		return NULL;
	key_slot[k] = e - t->table;
	return (struct json_object *)lh_entry_v(e);
}
#else
static struct json_object *
get(struct json_object *o, enum key k)
{
	struct lh_table *t = json_object_get_object(o);
	struct lh_entry *e;

	if (t == NULL)
		return NULL;
	e = lh_table_lookup_entry_w_hash(t, key_names[k], key_hash[k]);
	return e != NULL ? (struct json_object *)lh_entry_v(e) : NULL;
}
#endif

/* The values of this page: strings, integers and prices with at most one decimal. */
static void
put(struct buf *b, struct json_object *o, enum key k)
{
	struct json_object *v = get(o, k);
	long long tenths;

	switch (json_object_get_type(v)) {
	case json_type_string:
		put_html(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	case json_type_int:
		buf_append_int(b, json_object_get_int64(v));
		break;
	case json_type_double:
		tenths = (long long)(json_object_get_double(v) * 10);
		buf_append_int(b, tenths / 10);
		if (tenths % 10 != 0) {
			char frac[2] = { '.', (char)('0' + tenths % 10) };

			put_bytes(b, frac, 2);
		}
		break;
	default:
		break;
	}
}

static bool
truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	default:
		return true;
	}
}

static void
render(struct buf *b, struct json_object *d)
{
	struct json_object *clinic = get(d, K_clinic), *nav = get(d, K_nav), *rows = get(d, K_rows);
	struct json_object *user = get(d, K_user), *flash = get(d, K_flash);

	LIT(b, "<!doctype html>\n<html lang=\"");
	put(b, d, K_locale);
	LIT(b, "\">\n  <head>\n    <meta charset=\"utf-8\">\n    <meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n    <title>Run sheet &middot; ");
	put(b, d, K_day);
	LIT(b, " &middot; ");
	put(b, clinic, K_name);
	LIT(b, "</title>\n    <link rel=\"stylesheet\" href=\"/static/app.css?v=");
	put(b, d, K_asset_version);
	LIT(b, "\">\n\n  </head>\n  <body class=\"page runsheet\">\n    <nav class=\"top\">\n"
	    "      <a class=\"brand\" href=\"/\">");
	put(b, clinic, K_name);
	LIT(b, "</a>\n      <ul>\n");
	for (size_t i = 0; i < json_object_array_length(nav); i++) {
		struct json_object *item = json_object_array_get_idx(nav, i);

		LIT(b, "        <li");
		if (truthy(get(item, K_active)))
			LIT(b, " class=\"active\"");
		LIT(b, "><a href=\"");
		put(b, item, K_href);
		LIT(b, "\">");
		put(b, item, K_label);
		LIT(b, "</a></li>\n");
	}
	LIT(b, "      </ul>\n");
	if (truthy(user)) {
		LIT(b, "      <span class=\"user\">");
		put(b, user, K_name);
		LIT(b, " (");
		put(b, user, K_role);
		LIT(b, ")</span>\n      <form method=\"post\" action=\"/logout\"><input type=\"hidden\" "
		    "name=\"csrf\" value=\"");
		put(b, user, K_csrf);
		LIT(b, "\"><button>Sign out</button></form>\n");
	}
	LIT(b, "    </nav>\n    <main id=\"content\">\n");
	if (truthy(flash)) {
		LIT(b, "      <div class=\"flash flash-");
		put(b, flash, K_kind);
		LIT(b, "\" role=\"status\">");
		put(b, flash, K_message);
		LIT(b, "</div>\n");
	}
	LIT(b, "      <h1>Run sheet for ");
	put(b, d, K_day);
	LIT(b, "</h1>\n      <p class=\"summary\">");
	put(b, d, K_count);
	LIT(b, " appointments, ");
	put(b, d, K_confirmed);
	LIT(b, " confirmed.</p>\n      <table class=\"runsheet\">\n      <thead>\n        <tr><th>"
	    "Time</th><th>Patient</th><th>Service</th><th>Due</th></tr>\n      </thead>\n"
	    "      <tbody>\n");
	for (size_t i = 0; i < json_object_array_length(rows); i++) {
		struct json_object *row = json_object_array_get_idx(rows, i);
		struct json_object *patient = get(row, K_patient);

		LIT(b, "      <tr class=\"");
		put(b, row, K_status);
		if (truthy(get(row, K_late)))
			LIT(b, " late");
		LIT(b, "\">\n        <td>");
		put(b, row, K_start);
		LIT(b, "</td>\n        <td><a href=\"/patients/");
		put(b, patient, K_id);
		LIT(b, "\">");
		put(b, patient, K_name);
		LIT(b, "</a></td>\n        <td>");
		put(b, row, K_service);
		LIT(b, " &middot; ");
		put(b, row, K_practitioner);
		LIT(b, "</td>\n        <td>");
		if (truthy(get(row, K_paid)))
			LIT(b, "Paid");
		else
			put(b, row, K_price);
		LIT(b, "</td>\n      </tr>\n");
	}
	LIT(b, "      </tbody>\n      </table>\n    </main>\n    <footer>\n      <p>");
	put(b, clinic, K_name);
	LIT(b, " &middot; ");
	put(b, clinic, K_address);
	LIT(b, " &middot; ");
	put(b, clinic, K_phone);
	LIT(b, "</p>\n      <p class=\"small\">Rendered by Kairos ");
	put(b, d, K_version);
	LIT(b, "</p>\n    </footer>\n  </body>\n</html>\n");
}

static int
render_page(void *ctx, struct json_object *data, struct buf *out)
{
	(void)ctx;
	render(out, data);
	*room(out, 0) = '\0';
	return 0;
}

int
main(int argc, char **argv)
{
	struct json_object *data = mustache_bench_data();
	struct lh_table *t = json_object_get_object(data);
	int rc;

	for (size_t k = 0; k < NKEYS; k++)
		key_hash[k] = t->hash_fn(key_names[k]);
	rc = mustache_bench_run(argc > 1 ? atof(argv[1]) : 3, render_page, NULL, data);
	json_object_put(data);
	return rc;
}
