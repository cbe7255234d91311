/* json_check.c: an exact RFC 8259 syntax check, run before json-c builds the object.
 *
 * json-c's strict mode still accepts single-quoted strings, Infinity, "1.", raw control
 * characters in strings and unpaired surrogate escapes. A request body is hostile input,
 * so we accept JSON exactly (plus I-JSON's rule against lone surrogates, RFC 7493) and
 * let json-c do only what it is good at: building the tree. */
#include "http/http.h"

#include <string.h>

#include <json-c/json.h>

struct jc {
	const char *p, *end;
	unsigned    depth, max_depth;
	const char *why;
};

static void
jc_ws(struct jc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int
jc_fail(struct jc *c, const char *why)
{
	if (c->why == NULL)
		c->why = why;
	return -1;
}

static int
jc_hex4(struct jc *c, unsigned *out)
{
	unsigned v = 0;

	if (c->end - c->p < 4)
		return jc_fail(c, "Malformed JSON");
	for (int i = 0; i < 4; i++) {
		char h = c->p[i];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return jc_fail(c, "Malformed JSON");
	}
	c->p += 4;
	*out = v;
	return 0;
}

/* A string; a member name (key) may not hold \u0000: json-c keeps names as C strings, so
 * "otp\u0000x" would arrive as a second "otp". */
static int
jc_string(struct jc *c, bool key)
{
	c->p++;	/* opening quote */
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p;
		size_t len;

		if (ch == '"') {
			c->p++;
			return 0;
		}
		if (ch < 0x20)
			return jc_fail(c, "Malformed JSON");
		if (ch == '\\') {
			unsigned u, lo;

			if (++c->p == c->end)
				break;
			switch (*c->p++) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				continue;
			case 'u':
				if (jc_hex4(c, &u) < 0)
					return -1;
				if (u == 0 && key)
					return jc_fail(c, "NUL character in a JSON member name");
				if (u >= 0xdc00 && u <= 0xdfff)
					return jc_fail(c, "Malformed JSON");
				if (u >= 0xd800 && u <= 0xdbff) {
					if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
						return jc_fail(c, "Malformed JSON");
					c->p += 2;
					if (jc_hex4(c, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
						return jc_fail(c, "Malformed JSON");
				}
				continue;
			default:
				return jc_fail(c, "Malformed JSON");
			}
		}
		if (ch < 0x80) {
			c->p++;
			continue;
		}
		if ((len = utf8_sequence_length(c->p, (size_t)(c->end - c->p))) == 0)
			return jc_fail(c, "JSON is not valid UTF-8");
		c->p += len;
	}
	return jc_fail(c, "Malformed JSON");
}

static int
jc_digits(struct jc *c)
{
	const char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start ? 0 : jc_fail(c, "Malformed JSON");
}

static int
jc_number(struct jc *c)
{
	if (*c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (jc_digits(c) < 0)
		return -1;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (jc_digits(c) < 0)
			return -1;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (jc_digits(c) < 0)
			return -1;
	}
	return 0;
}

static int
jc_literal(struct jc *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return jc_fail(c, "Malformed JSON");
	c->p += n;
	return 0;
}

static int jc_value(struct jc *c);

/* An object or array: open, members separated by commas, close. */
static int
jc_container(struct jc *c, char close, bool keyed)
{
	if (++c->depth > c->max_depth)
		return jc_fail(c, "JSON nested too deeply");
	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return 0;
	}
	for (;;) {
		if (keyed) {
			if (c->p == c->end || *c->p != '"' || jc_string(c, true) < 0)
				return jc_fail(c, "Malformed JSON");
			jc_ws(c);
			if (c->p == c->end || *c->p++ != ':')
				return jc_fail(c, "Malformed JSON");
			jc_ws(c);
		}
		if (jc_value(c) < 0)
			return -1;
		jc_ws(c);
		if (c->p == c->end)
			return jc_fail(c, "Malformed JSON");
		if (*c->p == ',') {
			c->p++;
			jc_ws(c);
			continue;
		}
		if (*c->p++ != close)
			return jc_fail(c, "Malformed JSON");
		c->depth--;
		return 0;
	}
}

static int
jc_value(struct jc *c)
{
	if (c->p == c->end)
		return jc_fail(c, "Malformed JSON");
	switch (*c->p) {
	case '{': return jc_container(c, '}', true);
	case '[': return jc_container(c, ']', false);
	case '"': return jc_string(c, false);
	case 't': return jc_literal(c, "true");
	case 'f': return jc_literal(c, "false");
	case 'n': return jc_literal(c, "null");
	default:
		if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9'))
			return jc_number(c);
		return jc_fail(c, "Malformed JSON");
	}
}

int
http_json_check(const char *s, size_t n, unsigned max_depth, const char **why)
{
	struct jc c = { s, s + n, 0, max_depth, NULL };

	jc_ws(&c);
	if (jc_value(&c) == 0) {
		jc_ws(&c);
		if (c.p == c.end)
			return 0;
		jc_fail(&c, "Malformed JSON");
	}
	*why = c.why;
	return -1;
}

const char *
http_json_text(struct json_object *v)
{
	const char *s;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	/* json-c keeps the length: a shorter C string means a \u0000 inside */
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}
