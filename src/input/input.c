/* input.c: one reader for forms and JSON bodies over an input spec (input.h). */
#include "input/input.h"
#include "core/phone.h"
#include "core/tz.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#define INPUT_ERRORS_FIRST 8	/* error slots allocated at the first error */
#define INPUT_MSG_NOT_UTF8 "must be valid UTF-8 text"
#define INPUT_MSG_TWICE    "was sent twice"

/* One reading pass: what it reads with and what collects its errors. */
struct input_pass {
	const struct input_ctx        *ctx;
	struct input_errors           *e;
	size_t                         start;	/* e->count when the read began */
	const struct http_json_faults *faults;	/* the JSON body's members at fault, or NULL */
};

/* Whether q is path or under it ("" holds every path). */
static bool
input_path_under(const char *q, const char *path)
{
	size_t n = strlen(path);

	return n == 0 || (strncmp(q, path, n) == 0 && (q[n] == '\0' || q[n] == '.'));
}

/* Whether the read p found a problem at path or under it: an error it added, or a member at
 * fault. Not a count of errors: one already at a path hides the next (input_error_add keeps
 * one a path), and a spec's check must not read a value that was refused, or that json-c
 * kept as the last of two. */
static bool
input_faulted(const struct input_pass *p, const char *path)
{
	for (size_t i = p->start; i < p->e->count; i++)
		if (input_path_under(p->e->items[i].path, path))
			return true;
	for (size_t i = 0; p->faults != NULL && i < p->faults->count; i++)
		if (input_path_under(p->faults->items[i].path, path))
			return true;
	return false;
}

/* An array's element field as its own field: the element's type and limits, under the
 * array's label when the element has none (messages name what the person sees). */
static struct input_field
input_element(const struct input_field *array)
{
	struct input_field ef = array->of->fields[0];

	if (ef.label == NULL)
		ef.label = array->label;
	return ef;
}

/* ---- errors ---- */

void
input_error_add(struct input_errors *e, struct arena *a, const char *path, const char *message)
{
	if (message == NULL || input_error_at(e, path) != NULL)
		return;
	if (e->count == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : INPUT_ERRORS_FIRST;
		struct input_error *items = arena_alloc(a, cap * sizeof *items);

		if (e->count)
			memcpy(items, e->items, e->count * sizeof *items);
		e->items = items;
		e->cap = cap;
	}
	e->items[e->count].path = path;
	e->items[e->count].message = message;
	e->count++;
}

const char *
input_error_at(const struct input_errors *e, const char *path)
{
	for (size_t i = 0; i < e->count; i++)
		if (strcmp(e->items[i].path, path) == 0)
			return e->items[i].message;
	return NULL;
}

const struct input_field *
input_field_find(const struct input_spec *spec, const char *name)
{
	for (size_t i = 0; i < spec->nfields; i++)
		if (strcmp(spec->fields[i].name, name) == 0)
			return &spec->fields[i];
	return NULL;
}

const char *
input_form_name(const struct input_field *f)
{
	return f->form != NULL ? f->form : f->name;
}

const char *
input_form_label(const struct input_field *f)
{
	return f->form_label != NULL ? f->form_label : f->label;
}

bool
input_on_page(const char *const *fields, const char *path)
{
	if (fields == NULL)
		return true;
	for (; *fields != NULL; fields++)
		if (strcmp(*fields, path) == 0)
			return true;
	return false;
}

/* "emergencyContact" + "phone" → "emergencyContact.phone" (arena-owned); a top-level
 * field's path is its own name. */
static const char *
input_path(struct arena *a, const char *prefix, const char *name)
{
	char *p;
	size_t n;

	if (prefix == NULL || *prefix == '\0')
		return name;
	if (*name == '\0')
		return prefix;
	n = strlen(prefix) + 1 + strlen(name) + 1;
	p = arena_alloc(a, n);
	snprintf(p, n, "%s.%s", prefix, name);
	return p;
}

static const char *
input_index_path(struct arena *a, const char *prefix, size_t i)
{
	char num[24];

	snprintf(num, sizeof num, "%zu", i);
	return input_path(a, prefix, arena_strdup(a, num));
}

/* A message made of the field's label and a tail: "Full name" + " is too long". */
static const char *
input_msg(struct arena *a, const struct input_field *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const char *
input_msg(struct arena *a, const struct input_field *f, const char *fmt, ...)
{
	char tail[256], *out;
	const char *label = f->label ? f->label : f->name;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof tail, fmt, ap);
	va_end(ap);
	n = strlen(label) + strlen(tail) + 2;
	out = arena_alloc(a, n);
	snprintf(out, n, "%s %s", label, tail);
	return out;
}

static const char *
input_missing(struct arena *a, const struct input_field *f)
{
	const char *label = f->label ? f->label : f->name;
	const char *verb = f->type == INPUT_ENUM || f->type == INPUT_BOOL ? "Choose" : "Enter";
	size_t n;
	char *out;

	if (f->missing != NULL)
		return f->missing;
	n = strlen(verb) + strlen(label) + 2;
	out = arena_alloc(a, n);
	snprintf(out, n, "%s %s", verb, label);
	for (char *p = out + strlen(verb) + 1; *p; p++)	/* "Enter full name" */
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* ---- text ---- */

/* The rules every text value obeys (input.h); *s and *n are trimmed for one-line types.
 * NULL when fine. A value that is blank after trimming comes back with *n 0. */
static const char *
input_text_check(struct arena *a, const struct input_field *f, const char **s, size_t *n)
{
	bool multiline = f->type == INPUT_LONGTEXT, raw = f->type == INPUT_PASSWORD;
	bool number = f->type == INPUT_INT || f->type == INPUT_MONEY;
	size_t chars = 0;
	/* a number's min and max bound its value (input_range_check), not its digits */
	long long max = number ? 0 : f->max, min = number ? 0 : f->min;

	if (memchr(*s, '\0', *n) != NULL)
		return input_msg(a, f, "must not contain a NUL character");
	if (!utf8_valid(*s, *n))
		return input_msg(a, f, INPUT_MSG_NOT_UTF8);
	if (!multiline && !raw) {
		while (*n > 0 && (**s == ' ' || **s == '\t'))
			(*s)++, (*n)--;
		while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
			(*n)--;
	}
	for (size_t i = 0; i < *n; i++) {
		unsigned char c = (unsigned char)(*s)[i];

		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
			return input_msg(a, f, "must not contain control characters");
		if ((c & 0xc0) != 0x80)
			chars++;
	}
	if (raw) {
		chars = *n;	/* a password's limits are bytes: what the hash is fed */
		if (max == 0)
			max = INPUT_PASSWORD_MAX;
	}
	if (max == 0)
		max = multiline ? INPUT_LONGTEXT_MAX : INPUT_TEXT_MAX_DEFAULT;
	if (chars > (size_t)max)
		return input_msg(a, f, raw ? "must be %lld bytes or fewer" : "must be %lld characters or fewer", max);
	if (*n > 0 && chars < (size_t)min)
		return input_msg(a, f, "must be at least %lld characters", min);
	return NULL;
}

static const char *
input_email_check(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n), *dot = NULL;

	if (n > INPUT_EMAIL_MAX || at == NULL || at == s || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return "Enter an email address like name@example.com";
	for (const char *p = at + 1; p < s + n; p++)
		if (*p == '.')
			dot = p;
	if (dot == NULL || dot == at + 1 || dot == s + n - 1)
		return "Enter an email address like name@example.com";
	for (size_t i = 0; i < n; i++)
		if (strchr(" \t<>()[],;:\\\"", s[i]) != NULL)
			return "Enter an email address like name@example.com";
	return NULL;
}

/* YYYY-MM-DD of a day that exists; *y, *m, *d get it. */
static bool
input_date_parse(const char *s, size_t n, int *y, int *m, int *d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 &&
	    *d <= days[*m - 1] + (*m == 2 && leap);
}

/* Before today where the clinic is: one born on the clinic's today is not yet a day old,
 * whatever day UTC has reached. */
static const char *
input_birth_date_check(const struct input_ctx *ctx, const struct input_field *f, int y, int m,
    int d)
{
	const struct tz_zone *z;
	long long now = clock_now();
	int ty, tm, td;

	if (ctx->zone == NULL || tz_load(ctx->zone, &z) != TZ_OK ||
	    tz_add_days(z, (tz_instant)now, 0, &ty, &tm, &td) != TZ_OK)
		tz_civil_from_days((now - ((now % TZ_DAY_SECONDS) + TZ_DAY_SECONDS) % TZ_DAY_SECONDS) /
		    TZ_DAY_SECONDS, &ty, &tm, &td);
	if (y < 1900)
		return input_msg(ctx->arena, f, "must be after 1900");
	if (tz_days_from_civil(y, m, d) >= tz_days_from_civil(ty, tm, td))
		return input_msg(ctx->arena, f, "must be in the past");
	return NULL;
}

/* A zone name this host's tz database knows (core/tz refuses names that could climb out of
 * the zone directory). */
static bool
input_zone_ok(const char *s, size_t n)
{
	return n <= TZ_NAME_MAX && tz_valid(s);
}

/* A whole number in text, with an optional sign; false on junk or overflow
 * (input_number_shaped tells the two apart). */
static bool
input_int_parse(const char *s, size_t n, long long *out)
{
	char buf[32], *end;

	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!isdigit((unsigned char)buf[buf[0] == '-' || buf[0] == '+']))
		return false;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Whether s[0..n) is written as a number of its type: a sign, digits, and for MONEY a point
 * and at most INPUT_MONEY_DECIMALS digits. Such a value the parser refused is too big to
 * hold: beyond the field's range, as JSON's is, not "not a number". */
static bool
input_number_shaped(const char *s, size_t n, bool money)
{
	size_t i = n > 0 && (*s == '-' || *s == '+'), digits = 0, frac = 0;
	bool point = false;

	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			*(point ? &frac : &digits) += 1;
		else if (money && s[i] == '.' && !point)
			point = true;
		else
			return false;
	}
	return digits > 0 && (!point || (frac > 0 && frac <= INPUT_MONEY_DECIMALS));
}

/* "120", "120.5", "120.50" → 12050 minor units (INPUT_MONEY_DECIMALS digits at most), with
 * an optional sign: "-0.50" → -50. */
static bool
input_money_parse(const char *s, size_t n, long long *out)
{
	bool minus = n > 0 && *s == '-';
	size_t sign = n > 0 && (*s == '-' || *s == '+');
	const char *dot;
	size_t whole, frac;
	long long units, cents = 0, scale = 1;

	s += sign, n -= sign;
	dot = memchr(s, '.', n);
	whole = dot ? (size_t)(dot - s) : n;
	frac = dot ? n - whole - 1 : 0;
	for (int i = 0; i < INPUT_MONEY_DECIMALS; i++)
		scale *= 10;
	/* the whole part's own sign would be a second one: "+-1" */
	if (whole == 0 || frac > INPUT_MONEY_DECIMALS || (dot && frac == 0) ||
	    !isdigit((unsigned char)*s) || !input_int_parse(s, whole, &units) ||
	    units > LLONG_MAX / scale - 1)
		return false;
	for (size_t i = 0; i < frac; i++) {
		if (!isdigit((unsigned char)dot[1 + i]))
			return false;
		cents = cents * 10 + (dot[1 + i] - '0');
	}
	for (size_t i = frac; i < INPUT_MONEY_DECIMALS; i++)
		cents *= 10;
	*out = minus ? -(units * scale + cents) : units * scale + cents;
	return true;
}

/* Minor units as a form types them: -5 → "-0.05" (INPUT_MONEY_DECIMALS digits). */
static void
input_money_format(char *out, size_t size, long long minor)
{
	long long scale = 1, mag = minor < 0 ? -minor : minor;

	for (int i = 0; i < INPUT_MONEY_DECIMALS; i++)
		scale *= 10;
	snprintf(out, size, "%s%lld.%0*lld", minor < 0 ? "-" : "", mag / scale, INPUT_MONEY_DECIMALS,
	    mag % scale);
}

/* The field's range error when v is outside its [min, max], or when `beyond`: what was sent
 * read as v but was outside what the field takes (a minus where min is 0 or more; a JSON
 * integer json-c clamped). Money typed in a form is told in what was typed ("0.00"), a JSON
 * body's in cents. NULL when fine. */
static const char *
input_range_check(struct arena *a, const struct input_field *f, long long v, bool beyond,
    bool typed)
{
	long long min = f->min, max = f->max;
	char lo[32], hi[32];

	if (min == 0 && max == 0)
		max = LLONG_MAX;
	if (min == LLONG_MIN)
		min = LLONG_MIN + 1;	/* json-c clamps anything below to it (input.h) */
	if (!beyond && v >= min && v <= max)
		return NULL;
	if (f->type != INPUT_MONEY)
		return input_msg(a, f, "must be a whole number from %lld to %lld", min, max);
	if (!typed)
		return input_msg(a, f, "must be from %lld to %lld (in cents)", min, max);
	input_money_format(lo, sizeof lo, min);
	input_money_format(hi, sizeof hi, max);
	return input_msg(a, f, "must be an amount from %s to %s", lo, hi);
}

bool
input_bool_text(const char *s, size_t n, bool *out)
{
	static const char *const words[] = {
		"yes", "on", "true", "1",	/* the first four say yes */
		"no", "off", "false", "0", "",
	};
	const size_t yes = 4;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0) {
			*out = i < yes;
			return true;
		}
	return false;
}

/* ---- one value ---- */

/* A value given as text (every form value; JSON strings): checks it and stores it at dst.
 * NULL when fine, *blank when it held nothing but blanks. */
static const char *
input_text_value(const struct input_pass *p, const struct input_field *f, const char *s,
    size_t n, void *dst, bool *blank)
{
	struct arena *a = p->ctx->arena;
	const char *why;
	int y, m, d;

	*blank = false;
	if ((why = input_text_check(a, f, &s, &n)) != NULL)
		return why;
	if (n == 0) {
		*blank = true;
		return NULL;
	}
	switch (f->type) {
	case INPUT_TEXT:
	case INPUT_LONGTEXT:
	case INPUT_PASSWORD:
		break;
	case INPUT_EMAIL:
		if ((why = input_email_check(s, n)) != NULL)
			return why;
		break;
	case INPUT_PHONE: {
		char e164[PHONE_E164_SIZE];
		enum phone_result r = f->flags & INPUT_MOBILE
		    ? phone_parse_mobile(s, n, p->ctx->region, e164)
		    : phone_parse(s, n, p->ctx->region, e164);

		if (r != PHONE_OK)
			return phone_message(r);
		*(const char **)dst = arena_strdup(a, e164);
		return NULL;
	}
	case INPUT_DATE:
	case INPUT_BIRTH_DATE:
		if (!input_date_parse(s, n, &y, &m, &d))
			return input_msg(a, f, "must be a real date, like 2026-03-27");
		if (f->type == INPUT_BIRTH_DATE &&
		    (why = input_birth_date_check(p->ctx, f, y, m, d)) != NULL)
			return why;
		break;
	case INPUT_ZONE:
		if (!input_zone_ok(arena_strndup(a, s, n), n))
			return input_msg(a, f, "must be a time zone like Australia/Sydney");
		break;
	case INPUT_ENUM:
		for (const char *const *c = f->choices; *c != NULL; c++)
			if (strlen(*c) == n && memcmp(*c, s, n) == 0) {
				*(const char **)dst = *c;
				return NULL;
			}
		{
			struct buf list = BUF_INIT;
			const char *msg;

			for (const char *const *c = f->choices; *c != NULL; c++)
				buf_printf(&list, "%s%s", c == f->choices ? "" : ", ", *c);
			msg = input_msg(a, f, "must be one of: %s", buf_cstr(&list));
			buf_free(&list);
			return msg;
		}
	case INPUT_UUID: {
		char *id = arena_strndup(a, s, n);

		if (!valid_uuid(id))
			return input_msg(a, f, "must be an id (a UUID)");
		for (char *q = id; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		*(const char **)dst = id;
		return NULL;
	}
	case INPUT_INT:
	case INPUT_MONEY: {
		long long v;

		if (f->type == INPUT_INT ? !input_int_parse(s, n, &v) : !input_money_parse(s, n, &v)) {
			if (input_number_shaped(s, n, f->type == INPUT_MONEY))
				return input_range_check(a, f, 0, true, true);
			return f->type == INPUT_INT ? input_msg(a, f, "must be a whole number")
			    : input_msg(a, f, "must be an amount like 120.50");
		}
		if ((why = input_range_check(a, f, v, *s == '-' && f->min >= 0, true)) != NULL)
			return why;
		*(long long *)dst = v;
		return NULL;
	}
	case INPUT_BOOL:
		if (!input_bool_text(s, n, (bool *)dst))
			return input_msg(a, f, "must be true or false");
		*blank = !*(bool *)dst;	/* a box sent unticked is as good as absent */
		return NULL;
	case INPUT_OBJECT:
	case INPUT_ARRAY:
		return input_msg(a, f, "must be a group of fields");
	}
	*(const char **)dst = arena_strndup(a, s, n);
	return NULL;
}

static void input_json_fields(const struct input_pass *p, const struct input_spec *spec,
	struct json_object *obj, void *out, const char *prefix, int depth);

/* A JSON value of field f (never NULL or null) into dst. NULL when fine, else the message;
 * *blank for a string of blanks. Nested objects and arrays report their own errors. */
static const char *
input_json_value(const struct input_pass *p, const struct input_field *f, struct json_object *v,
    void *dst, const char *path, int depth, bool *blank)
{
	struct arena *a = p->ctx->arena;
	const char *why;

	*blank = false;
	switch (f->type) {
	case INPUT_INT:
	case INPUT_MONEY: {
		long long n;

		if (!json_object_is_type(v, json_type_int))
			return f->type == INPUT_INT ? input_msg(a, f, "must be a whole number")
			    : input_msg(a, f, "must be a whole number of cents");
		n = (long long)json_object_get_int64(v);
		/* json-c keeps 2^63 to 2^64-1 (and, clamped, beyond) unsigned, read as INT64_MAX */
		if ((why = input_range_check(a, f, n, n == INT64_MAX &&
		    json_object_get_uint64(v) > (uint64_t)INT64_MAX, false)) != NULL)
			return why;
		*(long long *)dst = n;
		return NULL;
	}
	case INPUT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return input_msg(a, f, "must be true or false");
		*(bool *)dst = json_object_get_boolean(v);
		return NULL;
	case INPUT_OBJECT:
		if (!json_object_is_type(v, json_type_object))
			return input_msg(a, f, "must be an object");
		if (depth >= INPUT_DEPTH_MAX)
			return input_msg(a, f, "is nested too deeply");
		input_json_fields(p, f->of, v, dst, path, depth + 1);
		return NULL;
	case INPUT_ARRAY: {
		struct input_array *arr = dst;
		size_t n, max = f->max > 0 ? (size_t)f->max : INPUT_ARRAY_MAX_DEFAULT;
		bool scalar = f->of->nfields == 1 && f->of->fields[0].name[0] == '\0';

		if (!json_object_is_type(v, json_type_array))
			return input_msg(a, f, "must be a list");
		if (depth >= INPUT_DEPTH_MAX)
			return input_msg(a, f, "is nested too deeply");
		n = json_object_array_length(v);
		if (n > max) {
			p->e->status = 413;
			return input_msg(a, f, "may hold at most %zu items", max);
		}
		if (n < (size_t)f->min)
			return input_msg(a, f, "must hold at least %lld item%s", f->min, f->min == 1 ? "" : "s");
		arr->items = arena_calloc(a, n ? n : 1, f->of->size);
		arr->count = n;
		for (size_t i = 0; i < n; i++) {
			struct json_object *item = json_object_array_get_idx(v, i);
			char *slot = (char *)arr->items + i * f->of->size;
			const char *ipath = input_index_path(a, path, i);

			if (scalar) {
				struct input_field ef = input_element(f);
				bool empty = true;

				why = item == NULL ? NULL
				    : input_json_value(p, &ef, item, slot + ef.offset, ipath, depth + 1, &empty);
				if (why == NULL && empty)
					why = input_missing(a, &ef);
				input_error_add(p->e, a, ipath, why);
			} else if (item == NULL || !json_object_is_type(item, json_type_object))
				input_error_add(p->e, a, ipath, input_msg(a, f, "must hold objects"));
			else
				input_json_fields(p, f->of, item, slot, ipath, depth + 1);
		}
		return NULL;
	}
	default:
		if (!json_object_is_type(v, json_type_string))
			return input_msg(a, f, "must be text");
		return input_text_value(p, f, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v), dst, blank);
	}
}

static void
input_json_fields(const struct input_pass *p, const struct input_spec *spec,
    struct json_object *obj, void *out, const char *prefix, int depth)
{
	struct arena *a = p->ctx->arena;
	size_t unknown = 0;

	for (size_t i = 0; i < spec->nfields; i++) {
		const struct input_field *f = &spec->fields[i];
		const char *path = input_path(a, prefix, f->name), *why = NULL;
		struct json_object *v = NULL;
		bool blank = false;

		if (json_object_object_get_ex(obj, f->name, &v) && v != NULL)
			why = input_json_value(p, f, v, (char *)out + f->offset, path, depth, &blank);
		if (why == NULL && (v == NULL || blank) && (f->flags & INPUT_REQUIRED))
			why = input_missing(a, f);
		else if (why == NULL && v != NULL && !blank && f->check != NULL)
			why = f->check((char *)out + f->offset, out);
		input_error_add(p->e, a, path, why);
	}
	json_object_object_foreach(obj, key, val) {
		size_t n = strlen(key), keep = utf8_cut(key, n, INPUT_NAME_ECHO_MAX);

		(void)val;
		if (input_field_find(spec, key) != NULL)
			continue;
		if (unknown++ < INPUT_UNKNOWN_MAX)
			input_error_add(p->e, a, input_path(a, prefix, keep == n ? arena_strdup(a, key)
			    : arena_printf(a, "%.*s\u2026", (int)keep, key)), "is not a field of this request");
	}
	if (unknown > INPUT_UNKNOWN_MAX)
		input_error_add(p->e, a, *prefix ? prefix : "body", arena_printf(a,
		    "has %zu more members that are not fields of this request", unknown - INPUT_UNKNOWN_MAX));
	if (spec->check != NULL && !input_faulted(p, prefix))
		spec->check(out, a, p->e);
}

size_t
input_json(const struct input_spec *spec, struct json_object *body, void *out,
    const struct input_ctx *ctx, struct input_errors *e)
{
	return input_json_faulty(spec, body, NULL, out, ctx, e);
}

size_t
input_json_faulty(const struct input_spec *spec, struct json_object *body,
    const struct http_json_faults *faults, void *out, const struct input_ctx *ctx,
    struct input_errors *e)
{
	struct input_pass p = { ctx, e, e->count, faults };

	if (faults != NULL)
		input_json_faults(spec, faults, ctx, e);
	if (body == NULL || !json_object_is_type(body, json_type_object))
		input_error_add(e, ctx->arena, "body", "must be a JSON object");
	else
		input_json_fields(&p, spec, body, out, "", 0);
	return e->count - p.start;
}

/* The field a dotted path names in spec ("signup.name", "items.2.name", "tags.0"), or NULL;
 * *scratch holds an array's element when the path ends at one. */
static const struct input_field *
input_field_at(const struct input_spec *spec, const char *path, struct input_field *scratch)
{
	const struct input_field *f = NULL;
	size_t n;

	for (int depth = 0; spec != NULL && depth <= INPUT_DEPTH_MAX; depth++) {
		char name[INPUT_PATH_MAX];

		if ((n = strcspn(path, ".")) >= sizeof name)
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		if ((f = input_field_find(spec, name)) == NULL)
			return NULL;
		path += n;
		if (*path == '\0')
			return f;
		path++;
		if (f->type == INPUT_OBJECT) {
			spec = f->of;
			continue;
		}
		if (f->type != INPUT_ARRAY || (n = strspn(path, "0123456789")) == 0 ||
		    (path[n] != '\0' && path[n] != '.'))
			return NULL;
		path += n;
		if (f->of->nfields == 1 && f->of->fields[0].name[0] == '\0') {
			*scratch = input_element(f);	/* a list of scalars: the item is the element */
			return *path == '\0' ? scratch : NULL;
		}
		if (*path == '\0')
			return NULL;	/* a whole item: input_json names what is wrong inside it */
		path++;
		spec = f->of;
	}
	return NULL;
}

const struct input_field *
input_form_field(const struct input_spec *spec, const char *path, char *name, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return NULL;
	*name = '\0';
	for (int depth = 0; depth <= INPUT_DEPTH_MAX; depth++) {
		char member[INPUT_PATH_MAX];
		size_t n = strcspn(path, ".");
		const struct input_field *f;
		int w;

		if (n >= sizeof member)
			return NULL;
		memcpy(member, path, n);
		member[n] = '\0';
		if ((f = input_field_find(spec, member)) == NULL || (f->flags & INPUT_JSON_ONLY))
			return NULL;
		path += n;
		if (*path == '\0') {
			w = snprintf(name + used, size - used, "%s", input_form_name(f));
			return w >= 0 && (size_t)w < size - used ? f : NULL;
		}
		if (f->type != INPUT_OBJECT)
			return NULL;
		path++;
		if (!(f->flags & INPUT_FLAT)) {
			w = snprintf(name + used, size - used, "%s.", input_form_name(f));
			if (w < 0 || (size_t)w >= size - used)
				return NULL;
			used += (size_t)w;
		}
		spec = f->of;
	}
	return NULL;
}

void
input_json_faults(const struct input_spec *spec, const struct http_json_faults *faults,
    const struct input_ctx *ctx, struct input_errors *e)
{
	for (size_t i = 0; i < faults->count; i++) {
		const struct http_json_fault *fault = &faults->items[i];
		struct input_field scratch;
		const struct input_field *f = input_field_at(spec, fault->path, &scratch);

		if (f != NULL)
			input_error_add(e, ctx->arena, fault->path, input_msg(ctx->arena, f, "%s",
			    fault->kind == HTTP_JSON_DUPLICATE ? INPUT_MSG_TWICE : INPUT_MSG_NOT_UTF8));
	}
}

/* ---- forms ---- */

/* A spec's fields from a form: jprefix is the dotted path of the object being read (what
 * input_ctx.fields names), fprefix its form names' (none inside an INPUT_FLAT object). */
static void
input_form_fields(const struct input_pass *p, const struct input_spec *spec,
    const struct http_params *form, void *out, const char *jprefix, const char *fprefix,
    int depth)
{
	struct arena *a = p->ctx->arena;
	size_t before = p->e->count;

	for (size_t i = 0; i < spec->nfields; i++) {
		const struct input_field *row = &spec->fields[i];
		const char *jpath = input_path(a, jprefix, row->name);
		const char *path = input_path(a, fprefix, input_form_name(row)), *why = NULL;
		char *dst = (char *)out + row->offset;
		bool blank = true, seen = false;
		struct input_field own = *row;	/* its messages worded with the page's label */
		const struct input_field *f = &own;

		own.label = input_form_label(row);
		if (row->flags & INPUT_JSON_ONLY)
			continue;	/* the page preset it from its own state */
		if (f->type == INPUT_OBJECT) {
			if (depth < INPUT_DEPTH_MAX)
				input_form_fields(p, f->of, form, dst, jpath,
				    (f->flags & INPUT_FLAT) ? fprefix : path, depth + 1);
			continue;
		}
		if (!input_on_page(p->ctx->fields, jpath))
			continue;	/* another page's field of a spec two pages share */
		if (f->type == INPUT_BOOL)
			*(bool *)dst = false;	/* an unticked box is not sent at all */

		if (f->type == INPUT_ARRAY) {
			/* a form's list: the same name repeated, one scalar each (checkboxes) */
			struct input_array *arr = (struct input_array *)dst;
			struct input_field ef = input_element(f);
			size_t n = 0, max = f->max > 0 ? (size_t)f->max : INPUT_ARRAY_MAX_DEFAULT;

			for (size_t k = 0; k < form->count; k++)
				n += strcmp(form->items[k].name, path) == 0;
			if (n > max)
				p->e->status = 413;
			if (f->of->nfields != 1 || ef.name[0] != '\0' || n > max) {
				input_error_add(p->e, a, path, n > max ?
				    input_msg(a, f, "may hold at most %zu items", max) : NULL);
				continue;
			}
			arr->items = arena_calloc(a, n ? n : 1, f->of->size);
			for (size_t k = 0; k < form->count && why == NULL; k++) {
				bool empty;

				if (strcmp(form->items[k].name, path) != 0)
					continue;
				why = input_text_value(p, &ef, form->items[k].value,
				    form->items[k].value_len,
				    (char *)arr->items + arr->count * f->of->size + ef.offset, &empty);
				if (why == NULL && !empty)
					arr->count++;
			}
			if (why == NULL && arr->count < (size_t)f->min)
				why = f->min <= 1 ? input_missing(a, f)
				    : input_msg(a, f, "must hold at least %lld item%s", f->min, f->min == 1 ? "" : "s");
			input_error_add(p->e, a, path, why);
			continue;
		}
		for (size_t k = 0; k < form->count; k++)
			if (strcmp(form->items[k].name, path) == 0) {
				if (seen) {
					why = input_msg(a, f, INPUT_MSG_TWICE);
					break;
				}
				seen = true;
				why = input_text_value(p, f, form->items[k].value,
				    form->items[k].value_len, dst, &blank);
			}
		if (why == NULL && blank && (f->flags & INPUT_REQUIRED))
			why = input_missing(a, f);
		else if (why == NULL && !blank && f->check != NULL)
			why = f->check(dst, out);
		input_error_add(p->e, a, path, why);
	}
	if (spec->check != NULL && p->e->count == before)
		spec->check(out, a, p->e);
}

size_t
input_form(const struct input_spec *spec, const struct http_params *form, void *out,
    const struct input_ctx *ctx, struct input_errors *e)
{
	struct input_pass p = { ctx, e, e->count, NULL };

	input_form_fields(&p, spec, form, out, "", "", 0);
	return e->count - p.start;
}
