/* input: one spec read from JSON and from a form gives the same struct and the same errors;
 * every type refuses what it must (NUL, bad UTF-8, oversize, wrong JSON types, blanks),
 * nested fields are named by dotted paths, and unknown JSON members are refused. */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "input/input.h"
#include "tap.h"

struct contact {
	const char *name, *phone;
};

struct person {
	const char        *name, *email, *phone, *dob, *channel, *id, *zone, *bio, *password;
	long long          age, fee;
	bool               consent;
	struct contact     emergency;
	struct input_array tags;	/* const char * each */
	struct input_array contacts;	/* struct contact each */
};

static const char *const channels[] = { "sms", "email", "whatsapp", NULL };

static const char *
not_bob(const void *value, const void *whole)
{
	(void)whole;
	return strcmp(*(const char *const *)value, "Bob") == 0 ? "Bob may not book" : NULL;
}

static const struct input_field contact_fields[] = {
	{ .name = "name", .label = "Contact's name", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = 20, .offset = offsetof(struct contact, name) },
	{ .name = "phone", .label = "Contact's phone", .type = INPUT_PHONE, .flags = INPUT_REQUIRED,
	  .offset = offsetof(struct contact, phone) },
};
static const struct input_spec contact_spec = INPUT_SPEC("contact", contact_fields, struct contact, NULL);

static const struct input_field tag_fields[] = {
	{ .name = "", .type = INPUT_ENUM, .choices = channels, .offset = 0 },
};
static const struct input_spec tag_spec = INPUT_SPEC("tag", tag_fields, const char *, NULL);

static void
person_check(const void *whole, struct arena *a, struct input_errors *e)
{
	const struct person *p = whole;

	if (p->channel != NULL && strcmp(p->channel, "email") == 0 && p->email == NULL)
		input_error_add(e, a, "email", "Enter an email address to be sent email");
}

static const struct input_field person_fields[] = {
	{ .name = "name", .label = "Full name", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .max = 10, .offset = offsetof(struct person, name), .check = not_bob },
	{ .name = "email", .label = "Email address", .type = INPUT_EMAIL,
	  .offset = offsetof(struct person, email) },
	{ .name = "phone", .label = "Mobile number", .type = INPUT_PHONE, .flags = INPUT_MOBILE,
	  .offset = offsetof(struct person, phone) },
	{ .name = "dateOfBirth", .label = "Date of birth", .type = INPUT_BIRTH_DATE,
	  .offset = offsetof(struct person, dob) },
	{ .name = "channel", .label = "Channel", .type = INPUT_ENUM, .choices = channels,
	  .offset = offsetof(struct person, channel) },
	{ .name = "id", .label = "Practitioner", .type = INPUT_UUID,
	  .offset = offsetof(struct person, id) },
	{ .name = "tz", .label = "Time zone", .type = INPUT_ZONE,
	  .offset = offsetof(struct person, zone) },
	{ .name = "bio", .label = "Bio", .type = INPUT_LONGTEXT, .max = 30,
	  .offset = offsetof(struct person, bio) },
	{ .name = "password", .label = "Password", .type = INPUT_PASSWORD, .min = 12,
	  .offset = offsetof(struct person, password) },
	{ .name = "age", .label = "Age", .type = INPUT_INT, .min = 0, .max = 130,
	  .offset = offsetof(struct person, age) },
	{ .name = "fee", .label = "Fee", .type = INPUT_MONEY, .min = 0, .max = 100000000,
	  .offset = offsetof(struct person, fee) },
	{ .name = "consent", .label = "Consent", .type = INPUT_BOOL,
	  .offset = offsetof(struct person, consent) },
	{ .name = "emergencyContact", .label = "Emergency contact", .type = INPUT_OBJECT,
	  .offset = offsetof(struct person, emergency), .of = &contact_spec },
	{ .name = "tags", .label = "Channels", .type = INPUT_ARRAY, .max = 3,
	  .offset = offsetof(struct person, tags), .of = &tag_spec },
	{ .name = "contacts", .label = "Contacts", .type = INPUT_ARRAY, .max = 2,
	  .offset = offsetof(struct person, contacts), .of = &contact_spec },
};
static const struct input_spec person_spec = INPUT_SPEC("person", person_fields, struct person,
	person_check);

/* A page and its JSON twin read through one spec (input.h): verify-otp's code under another
 * form name and label, a JSON-only phone, sign-up details nested in JSON and flat in a form,
 * and two pages each carrying their part. */
struct twin_signup {
	const char *name, *email;
};
struct twin {
	const char        *phone, *email, *code;
	struct twin_signup signup;
};
static const struct input_field twin_signup_fields[] = {
	{ .name = "name", .label = "Full name", .type = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .missing = "Enter your full name", .offset = offsetof(struct twin_signup, name) },
	{ .name = "email", .label = "Email address", .type = INPUT_EMAIL, .flags = INPUT_REQUIRED,
	  .offset = offsetof(struct twin_signup, email) },
};
static const struct input_spec twin_signup_spec =
	INPUT_SPEC("signup", twin_signup_fields, struct twin_signup, NULL);
static const struct input_field twin_fields[] = {
	{ .name = "phone", .label = "Mobile number", .type = INPUT_PHONE,
	  .flags = INPUT_REQUIRED | INPUT_JSON_ONLY, .missing = "Enter a mobile number",
	  .offset = offsetof(struct twin, phone) },
	{ .name = "email", .label = "Email address", .type = INPUT_EMAIL,
	  .offset = offsetof(struct twin, email) },
	{ .name = "otp", .form = "code", .label = "Code", .form_label = "Your 6-digit code",
	  .type = INPUT_TEXT, .max = 6, .offset = offsetof(struct twin, code) },
	{ .name = "signup", .label = "Sign-up details", .type = INPUT_OBJECT, .flags = INPUT_FLAT,
	  .of = &twin_signup_spec, .offset = offsetof(struct twin, signup) },
};
static const struct input_spec twin_spec = INPUT_SPEC("twin", twin_fields, struct twin, NULL);
static const char *const signup_page[] = { "signup.name", "signup.email", "otp", NULL };
static const char *const email_page[] = { "email", "otp", NULL };

static struct arena arena = ARENA_INIT;
#define KEPT_MAX 128
static struct json_object *kept[KEPT_MAX];	/* bodies whose strings p may point into */
static size_t nkept;

/* Reads text as a JSON body; returns the errors (arena-owned), p filled. */
static struct input_errors
from_json(const char *text, struct person *p)
{
	struct input_ctx ctx = { &arena, "AU", NULL, NULL };
	struct input_errors e = { 0 };
	struct json_object *o = json_tokener_parse(text);

	memset(p, 0, sizeof *p);
	if (o == NULL) {
		diag("test JSON does not parse: %s", text);
		return e;
	}
	input_json(&person_spec, o, p, &ctx, &e);
	/* strings may point into o: keep it for the test's life, as a request keeps its body */
	if (nkept < KEPT_MAX)
		kept[nkept++] = o;
	else
		json_object_put(o);
	return e;
}

/* Reads an urlencoded body as a form of spec into p as it is (its defaults kept). */
static struct input_errors
spec_form(const struct input_spec *spec, const char *body, struct person *p)
{
	struct input_ctx ctx = { &arena, "AU", NULL, NULL };
	struct input_errors e = { 0 };
	struct http_params form = { 0 };
	struct http_error err;

	memset(p, 0, sizeof *p);
	if (http_parse_form(&arena, body, strlen(body), &form, &err) < 0) {
		diag("test form does not parse: %s", body);
		return e;
	}
	input_form(spec, &form, p, &ctx, &e);
	return e;
}

/* Reads an urlencoded body as a person's form, p zeroed first. */
static struct input_errors
from_form(const char *body, struct person *p)
{
	memset(p, 0, sizeof *p);
	return spec_form(&person_spec, body, p);
}

/* A required checkbox (consent) of its own. */
static const struct input_field agree_fields[] = {
	{ .name = "consent", .label = "Consent", .type = INPUT_BOOL, .flags = INPUT_REQUIRED,
	  .missing = "You need to agree", .offset = offsetof(struct person, consent) },
};
static const struct input_spec agree_spec = INPUT_SPEC("agree", agree_fields, struct person, NULL);

/* Reads an urlencoded body as the form of a page of twin_spec carrying `fields`, into t as
 * the caller preset it. */
static struct input_errors
twin_form(const char *body, const char *const *fields, struct twin *t)
{
	struct input_ctx ctx = { &arena, "AU", NULL, fields };
	struct input_errors e = { 0 };
	struct http_params form = { 0 };
	struct http_error err;

	if (http_parse_form(&arena, body, strlen(body), &form, &err) < 0)
		diag("test form does not parse: %s", body);
	else
		input_form(&twin_spec, &form, t, &ctx, &e);
	return e;
}

static const char *
at(const struct input_errors *e, const char *path)
{
	return input_error_at(e, path);
}

int
main(void)
{
	struct person p;
	struct input_errors e;

	/* a whole valid body, both ways */
	e = from_json("{\"name\":\"  Ana Ruiz \",\"email\":\"ana@example.org\","
	    "\"phone\":\"+61412345678\",\"dateOfBirth\":\"1990-03-27\",\"channel\":\"email\","
	    "\"id\":\"6F1B0E2C-1D0A-4C1E-9E2B-0A1B2C3D4E5F\",\"tz\":\"Australia/Lord_Howe\","
	    "\"bio\":\"line one\\nline two\",\"password\":\" twelve chars \",\"age\":36,"
	    "\"fee\":12050,\"consent\":true,"
	    "\"emergencyContact\":{\"name\":\"Luis\",\"phone\":\"+61412345679\"},"
	    "\"tags\":[\"sms\",\"email\"],\"contacts\":[{\"name\":\"A\",\"phone\":\"+61412345670\"}]}", &p);
	is_int((long long)e.count, 0, "a valid JSON body has no errors");
	is_str(p.name, "Ana Ruiz", "one-line text is trimmed");
	is_str(p.bio, "line one\nline two", "long text keeps its newline");
	is_str(p.password, " twelve chars ", "a password is kept byte for byte");
	is_str(p.id, "6f1b0e2c-1d0a-4c1e-9e2b-0a1b2c3d4e5f", "a UUID is lower-cased");
	ok(p.channel == channels[1], "an enum points at the spec's own choice");
	is_int(p.age, 36, "an integer");
	is_int(p.fee, 12050, "money in minor units");
	ok(p.consent, "a boolean");
	is_str(p.emergency.phone, "+61412345679", "a nested object is filled in place");
	is_int((long long)p.tags.count, 2, "an array of scalars");
	is_str(((const char **)p.tags.items)[1], "email", "its items in order");
	is_int((long long)p.contacts.count, 1, "an array of objects");
	is_str(((struct contact *)p.contacts.items)[0].name, "A", "its fields filled");

	e = from_form("name=Ana+Ruiz&email=ana%40example.org&phone=%2B61412345678&"
	    "dateOfBirth=1990-03-27&channel=email&age=36&fee=120.5&consent=on&"
	    "emergencyContact.name=Luis&emergencyContact.phone=%2B61412345679&tags=sms&tags=email&"
	    "_csrf=x&next=%2F", &p);
	is_int((long long)e.count, 0, "the same as a form has no errors (unknown form fields ignored)");
	is_int(p.fee, 12050, "a form's 120.5 is 12050 minor units");
	ok(p.consent, "a ticked checkbox is true");
	is_str(p.emergency.name, "Luis", "dotted form names fill the nested object");
	is_int((long long)p.tags.count, 2, "repeated form names fill a list");

	/* NUL: refused, never cut short (issue 11, item 5) */
	e = from_json("{\"name\":\"Ana\\u0000Bob\"}", &p);
	is_str(at(&e, "name"), "Full name must not contain a NUL character", "JSON: a NUL in text is refused");
	ok(p.name == NULL, "and nothing is stored");
	e = from_form("name=Ana%00Bob", &p);
	is_str(at(&e, "name"), "Full name must not contain a NUL character", "form: %%00 in text is refused");
	e = from_json("{\"name\":\"Ana\",\"emergencyContact\":{\"name\":\"x\\u0000\",\"phone\":\"+61412345679\"}}", &p);
	is_str(at(&e, "emergencyContact.name"), "Contact's name must not contain a NUL character",
	    "a NUL in a nested field is named by its dotted path");
	e = from_json("{\"name\":\"Ana\",\"password\":\"twelve chars\\u0000!!\"}", &p);
	ok(at(&e, "password") != NULL, "a NUL in a password is refused too");

	/* other control characters and bad UTF-8 */
	e = from_form("name=Ana%0ABob&bio=ok%0Afine", &p);
	is_str(at(&e, "name"), "Full name must not contain control characters", "a newline in one-line text");
	ok(at(&e, "bio") == NULL, "but long text may hold one");
	e = from_json("{\"name\":\"Ana\xc3\x28\"}", &p);
	is_str(at(&e, "name"), "Full name must be valid UTF-8 text", "bad UTF-8 in JSON text");
	e = from_json("{\"name\":\"Ana\",\"bio\":\"\xed\xa0\x80\"}", &p);
	is_str(at(&e, "bio"), "Bio must be valid UTF-8 text", "a UTF-16 surrogate in UTF-8 is not UTF-8");

	/* missing, blank, oversized, too short */
	e = from_json("{}", &p);
	is_str(at(&e, "name"), "Enter full name", "a required field that is absent");
	e = from_json("{\"name\":null}", &p);
	is_str(at(&e, "name"), "Enter full name", "null counts as absent");
	e = from_form("name=+++", &p);
	is_str(at(&e, "name"), "Enter full name", "blanks count as absent");
	e = from_json("{\"name\":\"Ñandú Ñandú\"}", &p);
	is_str(at(&e, "name"), "Full name must be 10 characters or fewer", "length is counted in characters");
	e = from_json("{\"name\":\"Ñandú Ñan\"}", &p);
	ok(at(&e, "name") == NULL, "10 characters of 2-byte letters pass");
	e = from_json("{\"name\":\"Ana\",\"password\":\"short\"}", &p);
	is_str(at(&e, "password"), "Password must be at least 12 characters", "a minimum length");

	/* wrong JSON types */
	e = from_json("{\"name\":42,\"age\":\"36\",\"fee\":1.5,\"consent\":\"yes\","
	    "\"emergencyContact\":\"x\",\"tags\":\"sms\"}", &p);
	is_str(at(&e, "name"), "Full name must be text", "a number where text goes");
	is_str(at(&e, "age"), "Age must be a whole number", "a string where an integer goes");
	is_str(at(&e, "fee"), "Fee must be a whole number of cents", "a fraction where cents go");
	is_str(at(&e, "consent"), "Consent must be true or false", "a string where a boolean goes");
	is_str(at(&e, "emergencyContact"), "Emergency contact must be an object", "a string where an object goes");
	is_str(at(&e, "tags"), "Channels must be a list", "a string where a list goes");
	e = from_json("[1,2]", &p);
	is_str(at(&e, "body"), "must be a JSON object", "a body that is not an object");
	e = from_json("{\"name\":\"Ana\",\"age\":99999999999999999999}", &p);
	ok(at(&e, "age") != NULL, "an integer beyond 64 bits is refused: %s", at(&e, "age"));

	/* values */
	e = from_json("{\"name\":\"Ana\",\"email\":\"ana@\",\"channel\":\"fax\",\"id\":\"1234\","
	    "\"tz\":\"Mars/Olympus\",\"dateOfBirth\":\"2001-02-29\",\"age\":131,\"phone\":\"0412\"}", &p);
	is_str(at(&e, "email"), "Enter an email address like name@example.com", "an email without a domain");
	is_str(at(&e, "channel"), "Channel must be one of: sms, email, whatsapp", "an unknown choice");
	is_str(at(&e, "id"), "Practitioner must be an id (a UUID)", "an id that is not a UUID");
	is_str(at(&e, "tz"), "Time zone must be a time zone like Australia/Sydney", "an unknown zone");
	is_str(at(&e, "dateOfBirth"), "Date of birth must be a real date, like 2026-03-27",
	    "29 February of a common year");
	is_str(at(&e, "age"), "Age must be a whole number from 0 to 130", "an integer out of range");
	ok(at(&e, "phone") != NULL, "a number too short to be one");
	e = from_json("{\"name\":\"Ana\",\"tz\":\"../../etc/passwd\"}", &p);
	ok(at(&e, "tz") != NULL, "a zone name cannot climb out of the zone directory");
	e = from_json("{\"name\":\"Ana\",\"dateOfBirth\":\"2999-01-01\"}", &p);
	is_str(at(&e, "dateOfBirth"), "Date of birth must be in the past", "a birth date in the future");
	e = from_form("name=Ana&fee=12.345", &p);
	is_str(at(&e, "fee"), "Fee must be an amount like 120.50", "three decimals of money");
	e = from_form("name=Ana&fee=-1", &p);
	ok(at(&e, "fee") != NULL, "a negative amount");

	/* nested and arrays: dotted paths */
	e = from_json("{\"name\":\"Ana\",\"emergencyContact\":{\"name\":\"Luis\"},"
	    "\"tags\":[\"sms\",\"fax\"],\"contacts\":[{\"name\":\"A\",\"phone\":\"+61412345670\"},"
	    "{\"phone\":\"+61412345671\"}]}", &p);
	is_str(at(&e, "emergencyContact.phone"), "Enter contact's phone", "a missing nested field");
	is_str(at(&e, "tags.1"), "Channels must be one of: sms, email, whatsapp", "a bad list item by index");
	is_str(at(&e, "contacts.1.name"), "Enter contact's name", "a field of a list's object");
	e = from_json("{\"name\":\"Ana\",\"tags\":[\"sms\",\"sms\",\"sms\",\"sms\"]}", &p);
	is_str(at(&e, "tags"), "Channels may hold at most 3 items", "too many items");
	ok(e.status == 413, "a list over its max asks for 413: the request must be split");
	e = from_json("{\"name\":\"Ana\",\"tags\":[\"fax\"]}", &p);
	ok(e.count == 1 && e.status == 0, "a bad item is a plain 400");
	e = from_form("name=Ana&tags=sms&tags=sms&tags=sms&tags=sms", &p);
	ok(e.status == 413, "a form's list over its max too");

	/* unknown members, checks */
	e = from_json("{\"name\":\"Ana\",\"nmae\":\"x\",\"emergencyContact\":{\"name\":\"L\","
	    "\"phone\":\"+61412345679\",\"extra\":1}}", &p);
	is_str(at(&e, "nmae"), "is not a field of this request", "an unknown JSON member is refused");
	is_str(at(&e, "emergencyContact.extra"), "is not a field of this request", "also when nested");
	e = from_json("{\"name\":\"Bob\"}", &p);
	is_str(at(&e, "name"), "Bob may not book", "a field's own check");
	e = from_json("{\"name\":\"Ana\",\"channel\":\"email\"}", &p);
	is_str(at(&e, "email"), "Enter an email address to be sent email", "the spec's check across fields");
	e = from_json("{\"name\":\"Bob\",\"channel\":\"email\"}", &p);
	ok(at(&e, "email") == NULL, "which runs only when every field read cleanly");
	e = from_form("name=Ana&name=Bob", &p);
	is_str(at(&e, "name"), "Full name was sent twice", "a form field sent twice");
	e = from_form("name=Ana", &p);
	ok(!p.consent, "an unticked checkbox is false");
	{
		/* a number's min and max are values, not its length in characters */
		static const struct input_field n_fields[] = {
			{ .name = "minutes", .label = "Minutes", .type = INPUT_INT, .min = 5, .max = 480,
			  .offset = offsetof(struct person, age) },
			{ .name = "fee", .label = "Fee", .type = INPUT_MONEY, .min = 500, .max = 900,
			  .offset = offsetof(struct person, fee) },
		};
		static const struct input_spec n_spec = INPUT_SPEC("numbers", n_fields,
			struct person, NULL);

		memset(&p, 0, sizeof p);
		e = spec_form(&n_spec, "minutes=10&fee=6", &p);
		ok(e.count == 0 && p.age == 10 && p.fee == 600,
		    "10 is a number from 5 to 480, \"6\" an amount from 5.00 to 9.00 (%s)",
		    e.count ? e.items[0].message : "no error");
	}
	{
		/* a required checkbox (consent): unticked is missing, as a form sends nothing */
		struct input_ctx ctx = { &arena, "AU", NULL, NULL };
		struct json_object *empty = json_tokener_parse("{}");

		e = spec_form(&agree_spec, "", &p);
		is_str(at(&e, "consent"), "You need to agree", "a required checkbox unticked is missing");
		e = (struct input_errors){ 0 };
		input_json(&agree_spec, empty, &p, &ctx, &e);
		is_str(at(&e, "consent"), "You need to agree", "... and absent from JSON too");
		json_object_put(empty);
	}

	/* issue 12 item 1: hostile input gets its field's error */
	e = from_form("name=Ana%FF&email=ana%40example.org&phone=0412+345+678", &p);
	is_str(at(&e, "name"), "Full name must be valid UTF-8 text",
	    "a form value not UTF-8 (kept by http_parse_form) is its field's error");
	ok(at(&e, "email") == NULL && at(&e, "phone") == NULL && p.email != NULL &&
	    strcmp(p.email, "ana@example.org") == 0 && p.phone != NULL,
	    "... and the other fields are read as ever");
	{
		struct input_ctx ctx = { &arena, "AU", NULL, NULL };
		struct http_json_faults f = { .count = 7, .total = 7, .items = {
			{ HTTP_JSON_DUPLICATE, "name" },
			{ HTTP_JSON_NOT_UTF8, "emergencyContact.phone" },
			{ HTTP_JSON_DUPLICATE, "contacts.1.name" },
			{ HTTP_JSON_NOT_UTF8, "tags.0" },
			{ HTTP_JSON_DUPLICATE, "nope" },
			{ HTTP_JSON_DUPLICATE, "contacts.1" },
			{ HTTP_JSON_DUPLICATE, "name.x" } } };

		e = (struct input_errors){ 0 };
		input_json_faults(&person_spec, &f, &ctx, &e);
		is_str(at(&e, "name"), "Full name was sent twice", "a JSON member twice: the form's words");
		is_str(at(&e, "emergencyContact.phone"), "Contact's phone must be valid UTF-8 text",
		    "a nested string not UTF-8: its dotted path, its label");
		is_str(at(&e, "contacts.1.name"), "Contact's name was sent twice", "in a list's object");
		is_str(at(&e, "tags.0"), "Channels must be valid UTF-8 text", "a list of scalars: the list's label");
		ok(e.count == 4, "a path that names no field gets nothing here (input_json names it unknown): %zu", e.count);
	}
	{
		/* channel twice, the last "email" and no email: the spec's check would ask for one
		 * about a value nobody can say was meant (json-c kept the last) */
		struct input_ctx ctx = { &arena, "AU", NULL, NULL };
		struct http_json_faults twice = { .count = 1, .total = 1,
			.items = { { HTTP_JSON_DUPLICATE, "channel" } } };
		struct json_object *o = json_tokener_parse("{\"name\":\"Ann\",\"channel\":\"email\"}");
		struct person q = { 0 };

		e = (struct input_errors){ 0 };
		ok(input_json_faulty(&person_spec, o, &twice, &q, &ctx, &e) == 1 &&
		    at(&e, "channel") != NULL && at(&e, "email") == NULL,
		    "a member at fault: its error only, the spec's check not run (%zu errors)", e.count);
		memset(&q, 0, sizeof q);
		e = (struct input_errors){ 0 };
		input_error_add(&e, &arena, "channel", "the caller's own error at that path");
		ok(input_json_faulty(&person_spec, o, &twice, &q, &ctx, &e) == 0 && e.count == 1 &&
		    at(&e, "email") == NULL,
		    "... also when an error already at its path hides the fault's (kept one a path)");
		memset(&q, 0, sizeof q);
		e = (struct input_errors){ 0 };
		is_str(input_json_faulty(&person_spec, o, NULL, &q, &ctx, &e) == 1 ? at(&e, "email") : NULL,
		    "Enter an email address to be sent email", "no faults: the check runs, as input_json's");
		json_object_put(o);
	}
	{
		struct buf b = BUF_INIT;

		buf_puts(&b, "{\"name\":\"Ann\"");
		for (int i = 0; i < 15; i++)
			buf_printf(&b, ",\"x%02d\":1", i);
		buf_puts(&b, ",\"emergencyContact\":{\"name\":\"C\",\"phone\":\"0412345678\"");
		for (int i = 0; i < 12; i++)
			buf_printf(&b, ",\"y%02d\":1", i);
		buf_puts(&b, "},\"");
		for (int i = 0; i < 100; i++)
			buf_puts(&b, "\xc3\xa9");	/* 200 bytes */
		buf_puts(&b, "\":1}");
		e = from_json(b.data, &p);
		is_int((long long)e.count, INPUT_UNKNOWN_MAX + 1 + INPUT_UNKNOWN_MAX + 1,
		    "16 unknown members at the top and 12 nested: %d named in each, one summary each",
		    INPUT_UNKNOWN_MAX);
		is_str(at(&e, "body"), "has 6 more members that are not fields of this request",
		    "the top level's summary is at \"body\"");
		is_str(at(&e, "emergencyContact"), "has 2 more members that are not fields of this request",
		    "a nested object's at its own path");
		is_str(at(&e, "x00"), "is not a field of this request", "the first ones are named");
		ok(at(&e, "x12") == NULL && at(&e, "emergencyContact.y09") != NULL &&
		    at(&e, "emergencyContact.y10") == NULL, "... up to INPUT_UNKNOWN_MAX of each object");
		buf_free(&b);
		e = from_json("{\"name\":\"Ann\",\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
		    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
		    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
		    "\\u00e9\\u00e9\\u00e9\\u00e9x\":1}", &p);
		ok(e.count == 1 && strlen(e.items[0].path) == INPUT_NAME_ECHO_MAX + 3 &&
		    utf8_valid(e.items[0].path, strlen(e.items[0].path)) &&
		    strcmp(e.items[0].path + INPUT_NAME_ECHO_MAX, "\xe2\x80\xa6") == 0,
		    "an unknown name over INPUT_NAME_ECHO_MAX bytes is cut at a character, with an ellipsis: %s",
		    e.count ? e.items[0].path : "");
	}

	/* issue 12 item 1: a minus is refused where the field's minimum is 0 or more, though
	 * "-0.50" and "-0" read as numbers (the old reader stored "-0.50" as +50) */
	{
		static const char *const minus[] = { "-0.50", "-0", "-0.00", "%2B-0", "%20-1", "-1", "-1.00",
			"-.50" };
#define FEE_RANGE "Fee must be an amount from 0.00 to 1000000.00"
		static const char *const said[] = { FEE_RANGE, FEE_RANGE, FEE_RANGE,
			"Fee must be an amount like 120.50", FEE_RANGE, FEE_RANGE, FEE_RANGE,
			"Fee must be an amount like 120.50" };
		char body[64];

		for (size_t i = 0; i < sizeof minus / sizeof minus[0]; i++) {
			snprintf(body, sizeof body, "name=Ana&fee=%s", minus[i]);
			e = from_form(body, &p);
			is_str(at(&e, "fee"), said[i], "money \"%s\" where the minimum is 0: refused", minus[i]);
			ok(p.fee == 0, "... and nothing stored (%lld)", p.fee);
		}
		for (size_t i = 0; i < 4; i++) {
			snprintf(body, sizeof body, "name=Ana&age=%s", i == 0 ? "-0" : i == 1 ? "%20-0%20" :
			    i == 2 ? "-00" : "-1");
			e = from_form(body, &p);
			is_str(at(&e, "age"), "Age must be a whole number from 0 to 130",
			    "an integer with a minus where the minimum is 0 (%s): refused", body + 13);
		}
		e = from_form("name=Ana&fee=1000000.01", &p);
		is_str(at(&e, "fee"), FEE_RANGE, "money over its max, typed: the range as it is typed");
		e = from_form("name=Ana&fee=1000000.00", &p);
		ok(!at(&e, "fee") && p.fee == 100000000, "and its max itself is fine");
		e = from_form("name=Ana&fee=%2B0.50&age=%2B7", &p);
		ok(!at(&e, "fee") && !at(&e, "age") && p.fee == 50 && p.age == 7,
		    "a plus is still fine: +0.50 is 50, +7 is 7");
		e = from_form("name=Ana&fee=0.00&age=0", &p);
		ok(!at(&e, "fee") && !at(&e, "age") && p.fee == 0 && p.age == 0, "and 0 is in range");
	}
	{
		/* where negatives are allowed (a place in a list, a credit), a minus is a minus */
		static const struct input_field neg_fields[] = {
			{ .name = "order", .label = "Place in lists", .type = INPUT_INT, .min = -1000000,
			  .max = 1000000, .offset = offsetof(struct person, age) },
			{ .name = "credit", .label = "Credit", .type = INPUT_MONEY, .min = -100000,
			  .max = 100000, .offset = offsetof(struct person, fee) },
		};
		static const struct input_spec neg_spec = INPUT_SPEC("negatives", neg_fields,
			struct person, NULL);
		static const struct { const char *body; long long order, credit; } cases[] = {
			{ "order=-0&credit=-0.50", 0, -50 },
			{ "order=-5&credit=-0.05", -5, -5 },
			{ "order=%20-1000000&credit=-1000", -1000000, -100000 },
			{ "order=-0&credit=-0.00", 0, 0 },
			{ "order=12&credit=12.5", 12, 1250 },
		};

		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			memset(&p, 0, sizeof p);
			e = spec_form(&neg_spec, cases[i].body, &p);
			ok(e.count == 0 && p.age == cases[i].order && p.fee == cases[i].credit,
			    "negatives allowed: %s is %lld and %lld (%lld, %lld, %s)", cases[i].body,
			    cases[i].order, cases[i].credit, p.age, p.fee, e.count ? e.items[0].message : "-");
		}
		e = spec_form(&neg_spec, "order=-1000001&credit=-1000.01", &p);
		is_str(at(&e, "order"), "Place in lists must be a whole number from -1000000 to 1000000",
		    "below a negative minimum: the range");
		is_str(at(&e, "credit"), "Credit must be an amount from -1000.00 to 1000.00",
		    "... for money too, told as it is typed");
	}

	/* issue 12 item 3: a form's boolean. A checkbox sends its value when ticked, nothing
	 * when not; the words for yes are true, the words for no (and blank) are false, and
	 * anything else is an error, never a yes */
	{
		static const char *const yes[] = { "yes", "on", "true", "1", "YES", "On", "True" };
		static const char *const no[] = { "no", "off", "false", "0", "", "+", "NO", "Off", "FALSE" };
		static const char *const junk[] = { "maybe", "2", "yes%20please", "n", "y", "-1", "t", "f",
			"yes%00" };
		char body[64];

		for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
			snprintf(body, sizeof body, "name=Ana&consent=%s", yes[i]);
			e = from_form(body, &p);
			ok(!at(&e, "consent") && p.consent, "a checkbox sent as \"%s\" is true", yes[i]);
		}
		for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
			snprintf(body, sizeof body, "name=Ana&consent=%s", no[i]);
			memset(&p, 0, sizeof p);
			p.consent = true;	/* a default the form must overwrite */
			e = spec_form(&person_spec, body, &p);
			ok(!at(&e, "consent") && !p.consent, "a checkbox sent as \"%s\" is false (%s)", no[i],
			    at(&e, "consent") ? at(&e, "consent") : "no error");
		}
		for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
			snprintf(body, sizeof body, "name=Ana&consent=%s", junk[i]);
			e = from_form(body, &p);
			is_str(at(&e, "consent"), i == sizeof junk / sizeof junk[0] - 1 ?
			    "Consent must not contain a NUL character" : "Consent must be true or false",
			    "a checkbox sent as \"%s\" is an error", junk[i]);
			ok(!p.consent, "... and not true");
		}
		{
			static const char *const bodies[] = { "consent=no", "consent=", "consent=false",
				"consent=0", "consent=off" };

			for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
				e = spec_form(&agree_spec, bodies[i], &p);
				is_str(at(&e, "consent"), "You need to agree",
				    "a required checkbox sent as %s is not ticked: missing", bodies[i]);
			}
		}
		ok(input_bool_text("yes", 3, &p.consent) && p.consent &&
		    input_bool_text("no", 2, &p.consent) && !p.consent &&
		    !input_bool_text("yes\0", 4, &p.consent),
		    "input_bool_text, which pages use to tick a box again, reads the same words");
	}

	/* issue 12 item 4: JSON integers beyond a long long. json-c clamps them (to INT64_MAX read
	 * as an int64, INT64_MIN below), so a field with no max took 2^63 as INT64_MAX */
	{
		static const struct input_field big_fields[] = {
			{ .name = "big", .label = "Big", .type = INPUT_INT,
			  .offset = offsetof(struct person, age) },
			{ .name = "wide", .label = "Wide", .type = INPUT_INT, .min = LLONG_MIN,
			  .max = LLONG_MAX, .offset = offsetof(struct person, fee) },
		};
		static const struct input_spec big_spec = INPUT_SPEC("big", big_fields, struct person,
			NULL);
#define BIG_RANGE "Big must be a whole number from 0 to 9223372036854775807"
#define WIDE_RANGE "Wide must be a whole number from -9223372036854775807 to 9223372036854775807"
		static const struct { const char *json, *big, *wide; long long want; } cases[] = {
			{ "{\"big\":9223372036854775807}", NULL, NULL, LLONG_MAX },
			{ "{\"big\":9223372036854775808}", BIG_RANGE, NULL, 0 },
			{ "{\"big\":18446744073709551615}", BIG_RANGE, NULL, 0 },
			{ "{\"big\":18446744073709551616}", BIG_RANGE, NULL, 0 },
			{ "{\"big\":-9223372036854775809}", BIG_RANGE, NULL, 0 },
			{ "{\"wide\":9223372036854775808}", NULL, WIDE_RANGE, 0 },
			{ "{\"wide\":18446744073709551615}", NULL, WIDE_RANGE, 0 },
			{ "{\"wide\":-9223372036854775809}", NULL, WIDE_RANGE, 0 },
			{ "{\"wide\":-9223372036854775808}", NULL, WIDE_RANGE, 0 },
			{ "{\"wide\":-9223372036854775807}", NULL, NULL, -LLONG_MAX },
			{ "{\"wide\":9223372036854775807}", NULL, NULL, LLONG_MAX },
		};
		struct input_ctx ctx = { &arena, "AU", NULL, NULL };

		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct json_object *o = json_tokener_parse(cases[i].json);
			bool wide = strstr(cases[i].json, "wide") != NULL;
			const char *want = wide ? cases[i].wide : cases[i].big;

			e = (struct input_errors){ 0 };
			memset(&p, 0, sizeof p);
			input_json(&big_spec, o, &p, &ctx, &e);
			if (want != NULL)
				ok(at(&e, wide ? "wide" : "big") != NULL &&
				    strcmp(at(&e, wide ? "wide" : "big"), want) == 0 && (wide ? p.fee : p.age) == 0,
				    "%s: the field's range error (%s)", cases[i].json,
				    at(&e, wide ? "wide" : "big") ? at(&e, wide ? "wide" : "big") : "no error");
			else
				ok(e.count == 0 && (wide ? p.fee : p.age) == cases[i].want, "%s is read (%s)",
				    cases[i].json, e.count ? e.items[0].message : "no error");
			json_object_put(o);
		}
		e = from_json("{\"name\":\"Ana\",\"fee\":9223372036854775808}", &p);
		is_str(at(&e, "fee"), "Fee must be from 0 to 100000000 (in cents)", "money beyond 2^63 in JSON: the range");
	}

	/* issue 12 item 2: a field flagged INPUT_MOBILE takes only numbers that can receive
	 * texts; another phone field still takes any number in use */
	e = from_json("{\"name\":\"Ana\",\"phone\":\"(02) 9876 5432\","
	    "\"emergencyContact\":{\"name\":\"Luis\",\"phone\":\"(02) 9876 5432\"}}", &p);
	is_str(at(&e, "phone"), "Enter a mobile number: this number cannot receive text messages",
	    "a landline where a mobile goes: refused");
	ok(at(&e, "emergencyContact.phone") == NULL && p.emergency.phone != NULL &&
	    strcmp(p.emergency.phone, "+61298765432") == 0, "... and taken where any phone goes");
	e = from_form("name=Ana&phone=1300+123+456", &p);
	is_str(at(&e, "phone"), "Enter a mobile number: this number cannot receive text messages",
	    "a 1300 number in a form: refused");
	ok(p.phone == NULL, "... nothing stored");
	e = from_form("name=Ana&phone=%2B1+201+555+0123", &p);
	ok(!at(&e, "phone") && p.phone != NULL && strcmp(p.phone, "+12015550123") == 0,
	    "a US number (fixed line or mobile: the library cannot tell) is taken");

	/* a form's whole number too big to hold is beyond the range, as in JSON, not junk */
	{
		static const struct { const char *form, *path, *want, *what; } big[] = {
			{ "age=99999999999999999999999", "age", "Age must be a whole number from 0 to 130",
			  "form: an oversized whole number is the range error" },
			{ "age=-99999999999999999999999", "age", "Age must be a whole number from 0 to 130",
			  "form: an oversized negative too" },
			{ "age=99999999999999999999999x", "age", "Age must be a whole number",
			  "form: digits then junk are still not a number" },
			{ "fee=99999999999999999999.50", "fee", "Fee must be an amount from 0.00 to 1000000.00",
			  "form: oversized money is its range error" },
			{ "fee=99999999999999999999.505", "fee", "Fee must be an amount like 120.50",
			  "form: three decimals are still not an amount" },
		};

		for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
			e = from_form(big[i].form, &p);
			is_str(at(&e, big[i].path), big[i].want, "%s", big[i].what);
		}
	}

	/* a birth date is before the clinic's today, not UTC's: at 13:30 UTC on 27 March 2026
	 * it is already the 28th in Melbourne (AEDT, +11) */
	{
		struct input_ctx mel = { &arena, "AU", "Australia/Melbourne", NULL };
		struct input_ctx la = { &arena, "AU", "America/Los_Angeles", NULL };
		struct input_ctx utc = { &arena, "AU", NULL, NULL };
		struct json_object *o27 = json_tokener_parse("{\"name\":\"Ana\",\"dateOfBirth\":\"2026-03-27\"}");
		struct json_object *o28 = json_tokener_parse("{\"name\":\"Ana\",\"dateOfBirth\":\"2026-03-28\"}");
		struct input_errors e27 = { 0 }, e28 = { 0 }, u27 = { 0 }, m26 = { 0 };
		struct json_object *o26 = json_tokener_parse("{\"name\":\"Ana\",\"dateOfBirth\":\"2026-03-26\"}");

		clock_set_for_test(1774618200LL * 1000000);	/* 2026-03-27T13:30:00Z */
		input_json(&person_spec, o27, &p, &mel, &e27);
		ok(at(&e27, "dateOfBirth") == NULL, "Melbourne's yesterday (UTC's today) is in the past");
		input_json(&person_spec, o28, &p, &mel, &e28);
		is_str(at(&e28, "dateOfBirth"), "Date of birth must be in the past", "Melbourne's today is not");
		input_json(&person_spec, o27, &p, &utc, &u27);
		is_str(at(&u27, "dateOfBirth"), "Date of birth must be in the past", "with no zone, UTC's today is not");
		/* behind UTC the other way: 02:00 UTC on 27 March is 19:00 on the 26th in Los Angeles */
		clock_set_for_test(1774576800LL * 1000000);	/* 2026-03-27T02:00:00Z */
		input_json(&person_spec, o26, &p, &la, &m26);
		is_str(at(&m26, "dateOfBirth"), "Date of birth must be in the past",
		    "a clinic still on UTC's yesterday: that day is its today, not past");
		clock_reset_for_test();
		json_object_put(o26);
		json_object_put(o27);
		json_object_put(o28);
	}

	/* a page and its JSON twin: one spec (issue 12 item 1) */
	{
		struct twin t;
		struct input_errors je = { 0 }, fe;
		struct json_object *o;
		char name[INPUT_PATH_MAX];

		/* JSON: the nested object at dotted paths, the code as "otp", the phone required */
		o = json_tokener_parse("{\"otp\":\"12345x7\",\"signup\":{\"name\":\"\",\"email\":\"x\"},\"email\":\"a@example.org\"}");
		memset(&t, 0, sizeof t);
		input_json(&twin_spec, o, &t, &(struct input_ctx){ &arena, "AU", NULL, NULL }, &je);
		is_str(at(&je, "signup.name"), "Enter your full name", "JSON: a flat object's member errs at its dotted path");
		is_str(at(&je, "signup.email"), "Enter an email address like name@example.com", "JSON: each member named");
		ok(at(&je, "name") == NULL, "... not at the flat name");
		is_str(at(&je, "otp"), "Code must be 6 characters or fewer", "JSON: a field with a form name errs at its own name, in its label");
		is_str(at(&je, "phone"), "Enter a mobile number", "JSON: a JSON-only field is still required");
		json_object_put(o);

		/* the form: the same rows, at their form names, in the page's words */
		memset(&t, 0, sizeof t);
		t.phone = "+61412345678";	/* the page's own state */
		fe = twin_form("code=12345x7&name=&email=x&phone=%2B61400000000&otp=123456", signup_page, &t);
		is_str(at(&fe, "name"), at(&je, "signup.name"), "form: the flat field's error is the JSON member's, from the same row");
		is_str(at(&fe, "email"), at(&je, "signup.email"), "form: \"email\" is the sign-up's email on the page that shows it");
		ok(at(&fe, "signup.name") == NULL, "... not at the dotted path");
		is_str(at(&fe, "code"), "Your 6-digit code must be 6 characters or fewer", "form: read from its form name, worded by its page label");
		ok(at(&fe, "otp") == NULL, "... the JSON name is not read from a form");
		ok(at(&fe, "phone") == NULL && strcmp(t.phone, "+61412345678") == 0, "form: a JSON-only field is left as the page preset it");
		ok(t.email == NULL, "form: the top-level email, not on this page, is not read");

		/* another page of the same spec carries other fields */
		memset(&t, 0, sizeof t);
		fe = twin_form("email=a%40example.org&name=&code=123456", email_page, &t);
		is_int((long long)fe.count, 0, "a page with other fields: the other page's blank name is not missing here");
		is_str(t.email, "a@example.org", "... its \"email\" is the top-level one");
		ok(t.signup.name == NULL && t.signup.email == NULL, "... the other page's fields are left alone");
		is_str(t.code, "123456", "... and its code read");

		ok(input_form_field(&twin_spec, "signup.name", name, sizeof name) != NULL &&
		    strcmp(name, "name") == 0, "the form name of a flat member is its own name");
		ok(input_form_field(&twin_spec, "otp", name, sizeof name) != NULL &&
		    strcmp(name, "code") == 0, "... of a renamed field its form name");
		ok(input_form_field(&twin_spec, "phone", name, sizeof name) == NULL, "... a JSON-only field has none");
		ok(input_form_field(&person_spec, "emergencyContact.phone", name, sizeof name) != NULL &&
		    strcmp(name, "emergencyContact.phone") == 0, "... a nested member's is dotted");
	}

	for (size_t i = 0; i < nkept; i++)
		json_object_put(kept[i]);
	arena_free(&arena);
	return tap_done();
}
