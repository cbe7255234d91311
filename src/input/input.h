/* input: what one form or JSON body may hold, declared once as a table (an input spec), and
 * one reader that fills a typed struct from either kind of body, naming every problem by
 * its field (ARCHITECTURE.md, "One request, end to end", step 4).
 *
 * A spec is a static table of fields: name, label, hint, type, required or not, limits and
 * an optional check. input_json() reads a json-c object, input_form() an urlencoded form;
 * both write the same struct and the same errors, so a page and its API twin share one spec
 * and one domain call. The errors carry dotted paths ("emergencyContact.phone", "items.2")
 * and one message each, in words a patient can act on; web/ puts them beside the fields and
 * in the summary of a page, or in `details` of a JSON answer.
 *
 * A page and its JSON twin: ONE spec, declared for the JSON shape, and the table says where
 * the form differs, so no row is written twice:
 *   - `.form` names the form field when it is not the member's name (the code page's "code"
 *     is verify-otp's "otp"), and `.form_label` the page's label when it is not the one
 *     JSON messages use ("Your 6-digit code" beside "Code"); a form's errors are at form
 *     names and worded with form labels;
 *   - INPUT_FLAT on an OBJECT: its members are top-level fields of a form ("name") while
 *     JSON nests them ("signup.name"); the JSON error stays at the dotted path, the form's is
 *     at the flat name, both from the same row;
 *   - INPUT_JSON_ONLY: a field only JSON carries (verify-otp's phone); the form reader leaves
 *     it as the caller preset it (the page fills it from its own state), so it is never
 *     typed on the page and still required of JSON;
 *   - input_ctx.fields: when one spec serves two pages (send-otp: /signin and /signup), the
 *     dotted paths a page carries, in its order; the form reader reads those alone and the
 *     page shows them, and its error summary, in that order.
 *
 * Rules every text value obeys, whatever its type: valid UTF-8; no NUL (a value holding one
 * is refused, never cut short) and no other control character (a LONGTEXT may hold newlines
 * and tabs); at most `max` characters. One-line values are trimmed of surrounding blanks.
 *
 * Numbers. A form's INT is digits with an optional sign, its MONEY digits and at most
 * INPUT_MONEY_DECIMALS after a point ("120.50"); a JSON body's are JSON integers (MONEY in
 * minor units). Outside [min, max] is the field's range error, and so is a form's number too
 * big to hold (digits a long long cannot take: as JSON's beyond one), and a minus in a form
 * where min is 0 or more, though "-0" and "-0.50" read as numbers: the person meant a
 * negative the field cannot take, and "-0.50" must never be stored as 50. A JSON integer
 * beyond a long long is the range error too (json-c clamps it to the nearest end, so the
 * end LLONG_MIN itself is refused: it cannot be told from a clamped value).
 *
 * A form's BOOL: a checkbox sends its value when ticked and nothing when not. True: "yes"
 * (what web/form.c's boxes send), "on" (a browser's default), "true", "1"; false: absent,
 * blank, "no", "off", "false", "0"; each in any case. Anything else is an error, never a yes.
 *
 * Unknown JSON members are refused ("is not a field of this request"): a client that
 * misspells a field learns it at once instead of seeing its data silently dropped. Their
 * names are echoed cut to INPUT_NAME_ECHO_MAX bytes, and an object's unknown members after
 * the first INPUT_UNKNOWN_MAX are counted in one more error at the object's path ("body" at
 * the top), so an answer stays small whatever was sent. Unknown form fields are ignored,
 * since browsers send buttons, the CSRF token and `next`.
 *
 * Hostile bodies get field errors, not a whole-request refusal, wherever there is a field to
 * put one by: a form value that is not UTF-8 (http_parse_form keeps it) is its field's
 * "must be valid UTF-8 text"; the same in a JSON string value, and a JSON member sent twice
 * in one object ("was sent twice", as a form field sent twice), are found by the body's
 * syntax check (http_json_check_members) and named at their dotted paths by
 * input_json_faults. */
#ifndef KAIROS_INPUT_H
#define KAIROS_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "http/http.h"

struct json_object;

#define INPUT_TEXT_MAX_DEFAULT  200	/* characters, when a text field names no max */
#define INPUT_LONGTEXT_MAX      20000	/* characters a LONGTEXT may ever hold */
#define INPUT_PASSWORD_MAX      1024	/* bytes: refused before any hashing */
#define INPUT_ARRAY_MAX_DEFAULT 100	/* items, when an array names no max */
#define INPUT_DEPTH_MAX         4	/* nested objects and arrays in one spec */
#define INPUT_PATH_MAX          160	/* bytes of a dotted path */
#define INPUT_MONEY_DECIMALS    2	/* digits after the point a form may type ("120.50") */
#define INPUT_EMAIL_MAX         254	/* RFC 5321's path limit less the brackets */
#define INPUT_NAME_ECHO_MAX     64	/* bytes of an unknown member's name echoed in its path */
#define INPUT_UNKNOWN_MAX       10	/* unknown members named in one object; then one summary */

enum input_type {
	INPUT_TEXT,		/* const char *: one line, trimmed */
	INPUT_LONGTEXT,		/* const char *: may hold newlines and tabs, not trimmed */
	INPUT_PASSWORD,		/* const char *: bytes as sent, never trimmed, never echoed back */
	INPUT_EMAIL,		/* const char *: trimmed; one @, a dot in the domain */
	INPUT_PHONE,		/* const char *: E.164, from international or the clinic's format */
	INPUT_DATE,		/* const char *: YYYY-MM-DD of a day that exists */
	INPUT_BIRTH_DATE,	/* const char *: a DATE after 1900 and before the clinic's today
				 * (input_ctx.zone) */
	INPUT_ZONE,		/* const char *: an IANA time zone this host knows */
	INPUT_ENUM,		/* const char *: one of `choices` (the table's own pointer) */
	INPUT_INT,		/* long long: a whole number in [min, max] */
	INPUT_MONEY,		/* long long: minor units (cents), in [min, max] */
	INPUT_UUID,		/* const char *: 36 characters, lower-cased */
	INPUT_BOOL,		/* bool: JSON true/false; a form's words (input_bool_text) */
	INPUT_OBJECT,		/* a struct of the nested spec, at offset */
	INPUT_ARRAY,		/* struct input_array of the nested spec's element */
};

enum input_flag {
	INPUT_REQUIRED  = 1 << 0,	/* absent, null or blank is an error (a form's BOOL: unticked) */
	INPUT_MOBILE    = 1 << 1,	/* PHONE: a number that can receive SMS or WhatsApp, for
					 * fields codes and messages go to (core/phone.h says which
					 * numbers: mobiles, not landlines or 1300) */
	INPUT_FLAT      = 1 << 2,	/* OBJECT: nested in JSON, its members top-level in a form */
	INPUT_JSON_ONLY = 1 << 3,	/* read from JSON only; a form leaves the preset value */
};

struct input_spec;

/* A field's own check, after its type's: a message for the person, or NULL when fine.
 * value points at the field in the struct being filled; whole at the struct. */
typedef const char *(*input_check_fn)(const void *value, const void *whole);

struct input_field {
	const char              *name;		/* JSON member, and form field unless .form */
	const char              *form;		/* the form field's name when not name, or NULL */
	const char              *label;		/* "Mobile number": the page's label */
	const char              *form_label;	/* the page's label when JSON's differs, or NULL */
	const char              *hint;		/* shown under the label, or NULL */
	enum input_type          type;
	unsigned                 flags;		/* enum input_flag */
	long long                min, max;	/* TEXT/LONGTEXT/PASSWORD: characters (bytes for
						 * PASSWORD); INT/MONEY: values; ARRAY: items.
						 * 0 and 0: the type's default */
	const char *const       *choices;	/* ENUM: NULL-terminated */
	size_t                   offset;	/* where the value goes in the struct */
	const struct input_spec *of;		/* OBJECT: its spec; ARRAY: an element's */
	input_check_fn           check;
	const char              *missing;	/* the message when required and absent, or NULL
						 * for "Enter <label, lower-cased>" */
	/* How a page shows it (web/form.c); the reader ignores these. */
	const char              *autocomplete;	/* the input's autocomplete, or NULL */
	const char              *width;		/* "short" | "medium": a narrower box, or NULL */
	const char *const       *choice_labels;	/* ENUM: what each choice reads as, or NULL */
	const char              *legend;	/* ENUM, BOOL: the group's legend, or NULL */
};

/* An array's items: `count` structs of the element spec's size, in the arena. */
struct input_array {
	void   *items;
	size_t  count;
};

struct input_error {
	const char *path;	/* "phone", "emergencyContact.phone", "items.2.name" */
	const char *message;
};

/* Errors in the order their fields are declared; at most one per path. Arena-owned. */
struct input_errors {
	struct input_error *items;
	size_t              count, cap;
	int                 status;	/* 413 when a list held more items than its max (the
					 * client must split the request, not fix it); else 0 */
};

/* A whole-body check, after every field read without error: adds its own errors (for
 * rules across fields, "subject is required for email"), at top-level fields whose form
 * name is their name, so a page and its twin get them at the same path. */
typedef void (*input_spec_check_fn)(const void *whole, struct arena *a, struct input_errors *e);

struct input_spec {
	const char               *name;		/* for logs: "signup" */
	const struct input_field *fields;
	size_t                    nfields;
	size_t                    size;		/* sizeof the struct it fills */
	input_spec_check_fn       check;
};

#define INPUT_SPEC(name_, fields_, type_, check_) \
	{ name_, fields_, sizeof fields_ / sizeof fields_[0], sizeof(type_), check_ }

/* What the reader needs beyond the body. */
struct input_ctx {
	struct arena *arena;	/* every string and array written goes here */
	const char   *region;	/* ISO 3166-1 alpha-2 for national phone formats, or NULL */
	const char   *zone;	/* the clinic's IANA zone, whose "today" a BIRTH_DATE is before;
				 * NULL (or a zone this host lacks): UTC */
	const char *const *fields;	/* a form's: the dotted paths its page carries, in its
					 * order, NULL-terminated; NULL: every field of the spec */
};

/* Fill out (a zeroed struct of spec->size bytes, which the caller may pre-set with
 * defaults) from a JSON object, or from form fields. Errors are appended to e. Returns the
 * number of errors added (0: out is complete and valid). Strings written into out are
 * arena-owned or borrowed from body/form, which must outlive out. */
size_t input_json(const struct input_spec *spec, struct json_object *body, void *out,
	const struct input_ctx *ctx, struct input_errors *e);
size_t input_form(const struct input_spec *spec, const struct http_params *form, void *out,
	const struct input_ctx *ctx, struct input_errors *e);

/* The errors for a JSON body's members at fault (http/http.h): each at its path, worded by
 * the field there ("Full name was sent twice"); a path that names no field of spec gets none
 * here (input_json refuses the member as unknown). */
void   input_json_faults(const struct input_spec *spec, const struct http_json_faults *faults,
	const struct input_ctx *ctx, struct input_errors *e);
/* input_json of a body with members at fault (faults NULL: none): their errors, then the
 * rest of the body read. A spec's check (or a nested object's) does not run when a member
 * under it was at fault, as for any field's error: the value json-c kept (the last of two,
 * or none) is not what was sent. Use it rather than input_json_faults then input_json. */
size_t input_json_faulty(const struct input_spec *spec, struct json_object *body,
	const struct http_json_faults *faults, void *out, const struct input_ctx *ctx,
	struct input_errors *e);

/* Adds message at path unless path already has one. path and message must outlive e (use
 * literals or arena strings). */
void   input_error_add(struct input_errors *e, struct arena *a, const char *path,
	const char *message);
/* The message at path, or NULL. */
const char *input_error_at(const struct input_errors *e, const char *path);

/* Reads s[0..n) as a form's BOOL (above): true when it is one of the words, *out then
 * what it means. Pages use it to tick a box again as the reader read it. */
bool   input_bool_text(const char *s, size_t n, bool *out);

/* The field of spec called name, or NULL. */
const struct input_field *input_field_find(const struct input_spec *spec, const char *name);

/* A field's name and label in a form (.form and .form_label when set). */
const char *input_form_name(const struct input_field *f);
const char *input_form_label(const struct input_field *f);
/* The field at a dotted path of spec's objects ("signup.name"), its form name written to
 * name ("name" under an INPUT_FLAT object, "emergencyContact.phone" under another). NULL
 * when the path names no field a form carries, or the name does not fit in size bytes. */
const struct input_field *input_form_field(const struct input_spec *spec, const char *path,
	char *name, size_t size);
/* Whether a page showing `fields` (input_ctx.fields; NULL: all) carries the field at the
 * dotted path. */
bool   input_on_page(const char *const *fields, const char *path);

#endif
