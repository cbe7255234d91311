/* json_check.c: an exact RFC 8259 syntax check, run before json-c builds the object.
 *
 * json-c's strict mode still accepts single-quoted strings, Infinity, "1.", raw control
 * characters in strings and unpaired surrogate escapes. A request body is hostile input,
 * so we accept JSON exactly (plus I-JSON's rule against lone surrogates, RFC 7493) and
 * let json-c do only what it is good at: building the tree. */
#include "http/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define JC_KEYS_FIRST 64	/* member-name slots at the first name; doubled when half full */

/* A member name seen: its object (numbered in order of opening) and its raw text between
 * the quotes, escapes and all; two names are the same when they decode the same. */
struct jc_key {
	const char *s;
	uint32_t    n, object, hash;
};

/* Where the check is: one segment per open object (the member being read) or array (the
 * item's index), so a fault can name its dotted path. */
struct jc_segment {
	const char *key;	/* raw name, or NULL in an array */
	size_t      n, index;
};

struct jc {
	const char *p, *end;
	unsigned    depth, max_depth;
	const char *why;
	struct jc_key *keys;	/* an open-addressed set of every name in the text */
	size_t      nkeys, cap;
	uint32_t    seed;	/* random per body: names chosen to share slots cannot be */
	uint32_t    objects;
	struct jc_segment path[HTTP_JSON_MAX_DEPTH];
	struct http_json_faults *faults;	/* NULL: a fault fails the check */
	struct arena *arena;
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

static int jc_fault(struct jc *c, enum http_json_fault_kind kind);

/* A string; a member name (key) may not hold \u0000: json-c keeps names as C strings, so
 * "otp\u0000x" would arrive as a second "otp". A value's bytes that are not UTF-8 are a
 * fault of its member, reported once per string. */
static int
jc_string(struct jc *c, bool key)
{
	bool faulted = false;

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
		if ((len = utf8_sequence_length(c->p, (size_t)(c->end - c->p))) == 0) {
			if (key || c->faults == NULL)
				return jc_fail(c, "JSON is not valid UTF-8");
			if (!faulted && jc_fault(c, HTTP_JSON_NOT_UTF8) < 0)
				return -1;
			faulted = true;
			len = 1;	/* json-c copies the byte; the spec's reader refuses it */
		}
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

/* ---- member names: the same name twice in one object ---- */

/* The next code point of a checked string's raw text at *p (an escape or a UTF-8 sequence). */
static uint32_t
jc_next(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t cp;

	if (*s != '\\') {
		size_t len;

		cp = (uint32_t)utf8_decode(*p, 4, &len);
		*p += len;
		return cp;
	}
	*p += 2;
	switch (s[1]) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u':
		cp = (uint32_t)strtoul((char[]){ (char)s[2], (char)s[3], (char)s[4], (char)s[5], 0 }, NULL, 16);
		*p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {	/* checked: a low surrogate follows */
			uint32_t lo = jc_next(p);

			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		return cp;
	default: return s[1];	/* " \ / */
	}
}

/* FNV-1a over the code points from a secret start, then mixed (murmur3's finaliser) so that
 * every bit of every code point reaches the low bits that pick a slot: otherwise a body of
 * names differing only in high bits would all probe one run of slots, quadratic work. */
static uint32_t
jc_key_hash(const char *s, size_t n, uint32_t object, uint32_t seed)
{
	uint32_t h = (2166136261u ^ seed) + object * 0x9e3779b9u;

	for (const char *p = s; p < s + n;)
		h = (h ^ jc_next(&p)) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ h >> 16;
}

static bool
jc_key_same(const char *a, size_t an, const char *b, size_t bn)
{
	const char *ae = a + an, *be = b + bn;

	if (an == bn && memcmp(a, b, an) == 0)
		return true;
	while (a < ae && b < be)
		if (jc_next(&a) != jc_next(&b))
			return false;
	return a == ae && b == be;
}

/* Adds the name s[0..n) of object to the set; true when that object already had it. */
static int
jc_key_add(struct jc *c, const char *s, size_t n, uint32_t object, bool *seen)
{
	uint32_t h;
	size_t i;

	if (n > UINT32_MAX)
		return jc_fail(c, "Malformed JSON");
	if (c->cap == 0 && rand_bytes(&c->seed, sizeof c->seed) < 0)
		c->seed = 0;	/* still correct, only predictable */
	h = jc_key_hash(s, n, object, c->seed);
	if (2 * (c->nkeys + 1) > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : JC_KEYS_FIRST;
		struct jc_key *keys = calloc(cap, sizeof *keys);

		if (keys == NULL)
			return jc_fail(c, "JSON too large");
		for (size_t k = 0; k < c->cap; k++)
			if (c->keys[k].s != NULL) {
				for (i = c->keys[k].hash & (cap - 1); keys[i].s != NULL; i = (i + 1) & (cap - 1))
					;
				keys[i] = c->keys[k];
			}
		free(c->keys);
		c->keys = keys;
		c->cap = cap;
	}
	for (i = h & (c->cap - 1); c->keys[i].s != NULL; i = (i + 1) & (c->cap - 1))
		if (c->keys[i].hash == h && c->keys[i].object == object &&
		    jc_key_same(c->keys[i].s, c->keys[i].n, s, n)) {
			*seen = true;
			return 0;
		}
	c->keys[i] = (struct jc_key){ s, (uint32_t)n, object, h };
	c->nkeys++;
	*seen = false;
	return 0;
}

/* ---- faults ---- */

/* The dotted path of the value being read, decoded and cut to HTTP_JSON_PATH_MAX bytes. */
static const char *
jc_path(struct jc *c)
{
	struct buf b = BUF_INIT;
	const char *out;

	for (unsigned d = 0; d < c->depth && b.len < HTTP_JSON_PATH_MAX; d++) {
		const struct jc_segment *g = &c->path[d];

		if (d > 0)
			buf_putc(&b, '.');
		if (g->key == NULL) {
			buf_printf(&b, "%zu", g->index);
			continue;
		}
		for (const char *p = g->key; p < g->key + g->n && b.len < HTTP_JSON_PATH_MAX;) {
			char u[4];

			buf_append(&b, u, utf8_encode(jc_next(&p), u));
		}
	}
	out = arena_strndup(c->arena, b.len ? b.data : "", utf8_cut(b.data, b.len,
	    HTTP_JSON_PATH_MAX));
	buf_free(&b);
	return out;
}

static int
jc_fault(struct jc *c, enum http_json_fault_kind kind)
{
	struct http_json_faults *f = c->faults;

	if (f == NULL)
		return jc_fail(c, kind == HTTP_JSON_DUPLICATE ? "JSON has a member twice"
		    : "JSON is not valid UTF-8");
	if (f->count < HTTP_JSON_FAULTS_MAX)
		f->items[f->count++] = (struct http_json_fault){ kind, jc_path(c) };
	f->total++;
	return 0;
}

static int jc_value(struct jc *c);

/* An object or array: open, members separated by commas, close. */
static int
jc_container(struct jc *c, char close, bool keyed)
{
	struct jc_segment *g;
	uint32_t object = c->objects++;
	size_t index = 0;

	if (++c->depth > c->max_depth)
		return jc_fail(c, "JSON nested too deeply");
	g = &c->path[c->depth - 1];
	*g = (struct jc_segment){ NULL, 0, 0 };
	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return 0;
	}
	for (;;) {
		if (keyed) {
			const char *name = c->p + 1;
			bool seen;

			if (c->p == c->end || *c->p != '"' || jc_string(c, true) < 0)
				return jc_fail(c, "Malformed JSON");
			g->key = name;
			g->n = (size_t)(c->p - 1 - name);
			if (jc_key_add(c, name, g->n, object, &seen) < 0 ||
			    (seen && jc_fault(c, HTTP_JSON_DUPLICATE) < 0))
				return -1;
			jc_ws(c);
			if (c->p == c->end || *c->p++ != ':')
				return jc_fail(c, "Malformed JSON");
			jc_ws(c);
		} else
			g->index = index++;
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
http_json_check_members(const char *s, size_t n, unsigned max_depth, struct arena *a,
    struct http_json_faults *faults, const char **why)
{
	struct jc c = { .p = s, .end = s + n, .faults = faults, .arena = a,
		.max_depth = max_depth < HTTP_JSON_MAX_DEPTH ? max_depth : HTTP_JSON_MAX_DEPTH };
	int rc = -1;

	if (faults != NULL)
		memset(faults, 0, sizeof *faults);
	jc_ws(&c);
	if (jc_value(&c) == 0) {
		jc_ws(&c);
		if (c.p == c.end)
			rc = 0;
		else
			jc_fail(&c, "Malformed JSON");
	}
	free(c.keys);
	if (rc < 0)
		*why = c.why;
	return rc;
}

int
http_json_check(const char *s, size_t n, unsigned max_depth, const char **why)
{
	return http_json_check_members(s, n, max_depth, NULL, NULL, why);
}

const char *
http_json_fault_message(const struct http_json_faults *faults)
{
	return faults->total > 0 && faults->items[0].kind == HTTP_JSON_DUPLICATE
	    ? "JSON has a member twice" : "JSON is not valid UTF-8";
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
