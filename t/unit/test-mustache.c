/* Unit tests of the mustache engine for what the spec does not cover: error messages
 * and positions, limits, escaping, hostile bytes, truthiness and number formatting,
 * indentation of layouts. test-mustache-spec runs the spec itself. */
#include "view/mustache.h"
#include "core/buf.h"
#include "core/mem.h"
#include "tap.h"

#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Named partials for one test: NULL-terminated pairs of name and source. */
struct partials {
	size_t				 n;
	int				 asked;	/* by counting_lookup() */
	const char			*names[8];
	struct mustache_template	*tmpl[8];
};

static const struct mustache_template *
lookup(void *ctx, const char *name, size_t len)
{
	const struct partials *ps = ctx;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strlen(ps->names[i]) == len && memcmp(ps->names[i], name, len) == 0)
			return ps->tmpl[i];
	return NULL;
}

static void
add_partial(struct partials *ps, const char *name, const char *src)
{
	struct mustache_error err;

	ps->names[ps->n] = name;
	ps->tmpl[ps->n] = mustache_compile(name, src, strlen(src), &err);
	if (ps->tmpl[ps->n] == NULL)
		diag("partial %s does not compile: %s", name, err.message);
	ps->n++;
}

static void
free_partials(struct partials *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		mustache_free(ps->tmpl[i]);
	ps->n = 0;
}

/* Compiles and renders; returns the output, or "ERROR file:line:col: message". */
static char *
render_len(const char *name, const char *src, size_t len, const char *json,
	struct partials *ps)
{
	struct mustache_error err;
	struct mustache_template *t;
	struct json_object *data = json ? json_tokener_parse(json) : NULL;
	struct buf out = BUF_INIT;
	char msg[600];

	if (json != NULL && data == NULL && strcmp(json, "null") != 0)
		diag("bad test JSON: %s", json);
	t = mustache_compile(name, src, len, &err);
	if (t == NULL)
		buf_printf(&out, "ERROR %s", mustache_error_string(&err, msg, sizeof msg));
	else if (mustache_render(t, data, ps ? lookup : NULL, ps, &out, &err) < 0)
		buf_printf(&out, "ERROR %s", mustache_error_string(&err, msg, sizeof msg));
	mustache_free(t);
	json_object_put(data);
	return buf_detach(&out);
}

static char *
render(const char *src, const char *json, struct partials *ps)
{
	return render_len("t.mustache", src, strlen(src), json, ps);
}

static void
check(const char *src, const char *json, struct partials *ps, const char *want,
	const char *what)
{
	char *got = render(src, json, ps);

	is_str(got, want, "%s", what);
	free(got);
}

static void
test_errors(void)
{
	check("<ul>\n"
	    "  <li>x</li>\n"
	    "  <li>{{x}}</li>{{#items}}\n"
	    "  <li>{{.}}</li>\n",
	    "{}", NULL, "ERROR t.mustache:3:17: unclosed section 'items'",
	    "unclosed section names file, line and column of its opening tag");
	check("a\n{{#a}}\n  {{^b}}x{{/a}}\n", "{}", NULL,
	    "ERROR t.mustache:3:10: closing tag 'a' does not match inverted section "
	    "'b' opened at 3:3", "mismatched closing tag");
	check("x{{/a}}", "{}", NULL,
	    "ERROR t.mustache:1:2: closing tag 'a' without an open section",
	    "closing tag without an open section");
	check("ok\n  {{name\n}", "{}", NULL,
	    "ERROR t.mustache:2:3: unclosed tag: no '}}' after '{{'", "unclosed tag");
	check("{{{name}}", "{}", NULL,
	    "ERROR t.mustache:1:1: unclosed tag: no '}}}' after '{{'",
	    "unclosed triple mustache");
	check("{{=<% %>=}}<%a%> <%b", "{}", NULL,
	    "ERROR t.mustache:1:18: unclosed tag: no '%>' after '<%'",
	    "unclosed tag reports the delimiters in force");
	check("a\n\n {{=<%%>=}}", "{}", NULL,
	    "ERROR t.mustache:3:2: bad set-delimiter tag: want two delimiters of 1 to 16 "
	    "characters, without '=' or whitespace, as in {{=<% %>=}}",
	    "set-delimiter tag with one delimiter");
	check("{{= a b c =}}", "{}", NULL,
	    "ERROR t.mustache:1:1: bad set-delimiter tag: want two delimiters of 1 to 16 "
	    "characters, without '=' or whitespace, as in {{=<% %>=}}",
	    "set-delimiter tag with three delimiters");
	check("{{=<= =>=}}", "{}", NULL,
	    "ERROR t.mustache:1:1: bad set-delimiter tag: want two delimiters of 1 to 16 "
	    "characters, without '=' or whitespace, as in {{=<% %>=}}",
	    "set-delimiter tag with '=' in a delimiter");
	check("{{=aaaaaaaaaaaaaaaaa b=}}", "{}", NULL,
	    "ERROR t.mustache:1:1: bad set-delimiter tag: want two delimiters of 1 to 16 "
	    "characters, without '=' or whitespace, as in {{=<% %>=}}",
	    "delimiter longer than MUSTACHE_MAX_DELIM");
	check("{{=aaaaaaaaaaaaaaaa b=}}aaaaaaaaaaaaaaaax b", "{\"x\":1}", NULL, "1",
	    "delimiter of exactly MUSTACHE_MAX_DELIM characters");
	check("{{first name}}", "{}", NULL,
	    "ERROR t.mustache:1:1: invalid tag name 'first name'",
	    "whitespace inside a name");
	check("{{#a..b}}{{/a..b}}", "{}", NULL,
	    "ERROR t.mustache:1:1: invalid tag name 'a..b'", "empty part of a dotted name");
	check("{{.a}}", "{}", NULL, "ERROR t.mustache:1:1: invalid tag name '.a'",
	    "dotted name starting with a dot");
	check("{{ }}", "{}", NULL, "ERROR t.mustache:1:1: empty tag name", "empty tag");
	check("{{>*}}", "{}", NULL, "ERROR t.mustache:1:1: empty tag name",
	    "dynamic partial without a name");
	check("\xc3\xa9\xc3\xa9{{#x}}", "{}", NULL,
	    "ERROR t.mustache:1:3: unclosed section 'x'",
	    "columns count characters, not bytes");
	check("{{<layout}}{{$a}}{{/layout}}", "{}", NULL,
	    "ERROR t.mustache:1:18: closing tag 'layout' does not match block 'a' "
	    "opened at 1:12", "unclosed block inside a parent");
	check("{{<*p}}{{/p}}", "{}", NULL,
	    "ERROR t.mustache:1:8: closing tag 'p' does not match parent '*p' opened at 1:1",
	    "dynamic parent must close with its dynamic name");
	check("{{<*p}}{{/*p}}|{{< * p}}{{/* p}}", "{}", NULL, "|",
	    "dynamic parent closes with *name, padding ignored");
}

static void
test_error_string(void)
{
	struct mustache_error err;
	char small[8], big[300];

	memset(&err, 0, sizeof err);
	snprintf(err.file, sizeof err.file, "page.mustache");
	err.line = 3;
	err.col = 14;
	snprintf(err.message, sizeof err.message, "unclosed section 'items'");
	is_str(mustache_error_string(&err, big, sizeof big),
	    "page.mustache:3:14: unclosed section 'items'", "error string format");
	is_str(mustache_error_string(&err, small, sizeof small), "page.mu",
	    "error string truncates to its buffer");
	err.line = err.col = 0;
	is_str(mustache_error_string(&err, big, sizeof big),
	    "page.mustache: unclosed section 'items'", "error without a position");
}

static void
test_size_limit(void)
{
	size_t n = MUSTACHE_MAX_TEMPLATE_SIZE;
	char *src = xmalloc(n + 1);
	struct mustache_template *t;
	struct mustache_error err;
	char want[200];

	memset(src, 'x', n + 1);
	t = mustache_compile("big.mustache", src, n + 1, &err);
	ok(t == NULL, "template one byte over MUSTACHE_MAX_TEMPLATE_SIZE is refused");
	snprintf(want, sizeof want, "template is %zu bytes, more than the %d allowed",
	    n + 1, MUSTACHE_MAX_TEMPLATE_SIZE);
	is_str(err.message, want, "size error message");
	is_str(err.file, "big.mustache", "size error names the file");
	is_int(err.line, 0, "size error has no line");
	t = mustache_compile("big.mustache", src, n, &err);
	ok(t != NULL, "template of exactly MUSTACHE_MAX_TEMPLATE_SIZE compiles");
	mustache_free(t);
	free(src);
}

static void
test_nesting_limit(void)
{
	struct buf src = BUF_INIT;
	char *got, want[200];
	int i;

	for (i = 0; i < MUSTACHE_MAX_NESTING; i++)
		buf_puts(&src, "{{#a}}");
	buf_puts(&src, "x");
	for (i = 0; i < MUSTACHE_MAX_NESTING; i++)
		buf_puts(&src, "{{/a}}");
	got = render(buf_cstr(&src), "{\"a\":true}", NULL);
	is_str(got, "x", "sections nested exactly MUSTACHE_MAX_NESTING deep render");
	free(got);

	buf_reset(&src);
	for (i = 0; i <= MUSTACHE_MAX_NESTING; i++)
		buf_puts(&src, "{{^a}}");
	got = render(buf_cstr(&src), "{}", NULL);
	snprintf(want, sizeof want, "ERROR t.mustache:1:%d: sections nested deeper than "
	    "%d levels", MUSTACHE_MAX_NESTING * 6 + 1, MUSTACHE_MAX_NESTING);
	is_str(got, want, "nesting beyond MUSTACHE_MAX_NESTING is a compile error");
	free(got);

	/* 100,000 unclosed sections must not recurse or overflow anything. */
	buf_reset(&src);
	for (i = 0; i < 100000; i++)
		buf_puts(&src, "{{#a}}");
	got = render(buf_cstr(&src), "{}", NULL);
	ok(strstr(got, "nested deeper") != NULL, "100000 open sections: an error");
	free(got);
	buf_free(&src);
}

static void
test_recursion_limit(void)
{
	struct partials ps = { 0 };
	struct mustache_template *t;
	struct mustache_error err;
	struct buf out = BUF_INIT;
	struct json_object *data = json_tokener_parse("{\"n\":1}");
	char want[200];
	int r;

	add_partial(&ps, "self", "x\n  {{>self}}");
	t = mustache_compile("page.mustache", "{{#n}}{{>self}}{{/n}}", 21, &err);
	buf_puts(&out, "kept");
	r = mustache_render(t, data, lookup, &ps, &out, &err);
	is_int(r, -1, "self-recursive partial: render fails");
	snprintf(want, sizeof want, "partials nested deeper than %d levels, at 'self' "
	    "(endless recursion?)", MUSTACHE_MAX_PARTIAL_DEPTH);
	is_str(err.message, want, "recursion error message");
	is_str(err.file, "self", "recursion error names the partial");
	ok(err.line == 2 && err.col == 3, "recursion error points at the tag (%u:%u)",
	    err.line, err.col);
	is_str(buf_cstr(&out), "kept", "output is truncated back on error");
	mustache_free(t);
	free_partials(&ps);

	/* A parent that includes itself, and a block whose override contains itself. */
	add_partial(&ps, "p", "{{<p}}{{/p}}");
	check("{{<p}}{{/p}}", "{}", &ps,
	    "ERROR p:1:1: partials nested deeper than 64 levels, at 'p' (endless recursion?)",
	    "self-inheriting parent stops");
	free_partials(&ps);
	add_partial(&ps, "p", "{{$a}}{{/a}}");
	{
		char *got = render("{{<p}}{{$a}}[{{$a}}x{{/a}}]{{/a}}{{/p}}", "{}", &ps);

		ok(strncmp(got, "ERROR t.mustache:1:14: sections and partials nested deeper",
		    58) == 0, "block override that expands itself stops: %s", got);
		free(got);
	}
	free_partials(&ps);

	/* Recursion that ends with the data is fine; a leaf without "kids" would find its
	 * parent's through the context stack and recurse until the limit. */
	add_partial(&ps, "node", "{{name}}{{#kids}}({{>node}}){{/kids}}");
	check("{{>node}}", "{\"name\":\"a\",\"kids\":[{\"name\":\"b\",\"kids\":"
	    "[{\"name\":\"c\",\"kids\":[]}]},{\"name\":\"d\",\"kids\":[]}]}", &ps,
	    "a(b(c))(d)", "recursive partial over a tree");
	free_partials(&ps);
	buf_free(&out);
	json_object_put(data);
}

static void
test_escaping(void)
{
	check("{{x}}|{{{x}}}|{{&x}}", "{\"x\":\"<a href='x'>&amp;\\\"</a>\"}", NULL,
	    "&lt;a href=&#39;x&#39;&gt;&amp;amp;&quot;&lt;/a&gt;|<a href='x'>&amp;\"</a>|"
	    "<a href='x'>&amp;\"</a>", "apostrophes are escaped as &#39;, raw tags escape nothing");
	check("{{#list}}{{.}}{{/list}}", "{\"list\":[\"'\",\"\\\"\"]}", NULL,
	    "&#39;&quot;", "implicit iterator escapes apostrophes");
	{
		/* The renderer skips buf_append_html() for values with nothing to escape:
		 * it must agree with buf_append_html() on every byte. */
		struct mustache_template *t;
		struct mustache_error err;
		struct buf got = BUF_INIT, want = BUF_INIT;
		int c, bad = -1;

		t = mustache_compile("t", "{{x}}", 5, &err);
		for (c = 0; c < 256 && bad < 0; c++) {
			char v[3] = { 'a', (char)c, 'b' };
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "x", json_object_new_string_len(v, 3));
			buf_reset(&got);
			buf_reset(&want);
			mustache_render(t, o, NULL, NULL, &got, &err);
			buf_append_html(&want, v, 3);
			if (got.len != want.len || memcmp(got.data, want.data, got.len) != 0)
				bad = c;
			json_object_put(o);
		}
		ok(bad < 0, "escaping agrees with buf_append_html() for every byte (%d)", bad);
		mustache_free(t);
		buf_free(&got);
		buf_free(&want);
	}
	check("{{o}}", "{\"o\":{\"a\":\"<b>\",\"n\":[1,true,null]}}", NULL,
	    "{&quot;a&quot;:&quot;&lt;b&gt;&quot;,&quot;n&quot;:[1,true,null]}",
	    "objects interpolate as escaped compact JSON");
	check("{{{o}}}", "{\"o\":[\"a/b\"]}", NULL, "[\"a/b\"]",
	    "arrays interpolate as compact JSON, slashes unescaped");
}

static void
test_bytes(void)
{
	static const char tmpl[] = "a\0b{{x}}\xff\xfe{{#y}}\0{{/y}}\xc3";
	static const char want[] = "a\0b&lt;\xff\0&gt;\xff\xfe\0\xc3";
	struct mustache_template *t;
	struct mustache_error err;
	struct json_object *data = json_object_new_object();
	struct buf out = BUF_INIT;
	char *got;

	json_object_object_add(data, "x", json_object_new_string_len("<\xff\0>", 4));
	json_object_object_add(data, "y", json_object_new_boolean(1));
	t = mustache_compile("bytes", tmpl, sizeof tmpl - 1, &err);
	ok(t != NULL, "template with NUL bytes and invalid UTF-8 compiles");
	if (t != NULL && mustache_render(t, data, NULL, NULL, &out, &err) == 0)
		ok(out.len == sizeof want - 1 && memcmp(out.data, want, out.len) == 0,
		    "NUL bytes and invalid UTF-8 pass through, values escaped (%zu bytes)",
		    out.len);
	else
		ok(0, "render with NUL bytes");
	mustache_free(t);
	json_object_put(data);
	buf_free(&out);

	got = render_len("t.mustache", "{{a\0b}}", 7, "{}", NULL);
	is_str(got, "ERROR t.mustache:1:1: invalid tag name 'a\\x00b'",
	    "NUL byte in a tag name is a compile error, shown escaped");
	free(got);
	got = render("{{#\xff\xfe'}}", "{}", NULL);
	is_str(got, "ERROR t.mustache:1:1: unclosed section '\\xff\\xfe\\x27'",
	    "invalid UTF-8 in a name is escaped in the message");
	free(got);
	got = render("{{\xc3\xa9t\xc3\xa9}}", "{\"\xc3\xa9t\xc3\xa9\":\"summer\"}", NULL);
	is_str(got, "summer", "UTF-8 names look up UTF-8 keys");
	free(got);
}

static void
test_values(void)
{
	check("{{#s}}s{{/s}}{{^s}}!s{{/s}}{{#z}}z{{/z}}{{^z}}!z{{/z}}{{#f}}f{{/f}}"
	    "{{^f}}!f{{/f}}{{#o}}o{{/o}}{{#e}}e{{/e}}{{^e}}!e{{/e}}{{#n}}n{{/n}}"
	    "{{^n}}!n{{/n}}{{#t}}t{{/t}}",
	    "{\"s\":\"\",\"z\":0,\"f\":0.0,\"o\":{},\"e\":[],\"n\":null,\"t\":\" \"}", NULL,
	    "!s!z!fo!e!nt", "falsey: \"\", 0, 0.0, [], null; truthy: {}, \" \"");
	check("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}} {{h}} {{i}}",
	    "{\"a\":1.21,\"b\":2.0,\"c\":-17,\"d\":1e21,\"e\":0.1,\"f\":18446744073709551615,"
	    "\"g\":-9223372036854775808,\"h\":true,\"i\":false}", NULL,
	    "1.21 2 -17 1e+21 0.1 18446744073709551615 -9223372036854775808 true false",
	    "numbers and booleans");
	{
		struct json_object *o = json_object_new_object();
		struct mustache_template *t;
		struct mustache_error err;
		struct buf out = BUF_INIT;

		json_object_object_add(o, "x", json_object_new_double(0.1 + 0.2));
		json_object_object_add(o, "y", json_object_new_double(1.0 / 3));
		t = mustache_compile("t", "{{x}} {{y}}", 11, &err);
		mustache_render(t, o, NULL, NULL, &out, &err);
		is_str(buf_cstr(&out), "0.30000000000000004 0.3333333333333333",
		    "doubles print the shortest text that reads back the same");
		mustache_free(t);
		json_object_put(o);
		buf_free(&out);
	}
	{
		/* The fast path for short decimals must print what %.15g/%.17g would. */
		static const double v[] = { 85.5, -0.05, 0.0001, 0.00012, 1234567.125,
		    999999999999999.0, 1e15, 123456789012345.6, 3.14159265358979,
		    2.5e-5, 100, -7.000001, 0.1 + 0.7, 1e-7 };
		static const char *const want[] = { "85.5", "-0.05", "0.0001", "0.00012",
		    "1234567.125", "999999999999999", "1e+15", "123456789012345.6",
		    "3.14159265358979", "2.5e-05", "100", "-7.000001",
		    "0.7999999999999999", "1e-07" };
		struct mustache_template *t;
		struct mustache_error err;
		struct buf out = BUF_INIT;
		size_t i;

		t = mustache_compile("t", "{{.}}", 5, &err);
		for (i = 0; i < sizeof v / sizeof v[0]; i++) {
			struct json_object *d = json_object_new_double(v[i]);

			buf_reset(&out);
			mustache_render(t, d, NULL, NULL, &out, &err);
			is_str(buf_cstr(&out), want[i], "double %.17g", v[i]);
			json_object_put(d);
		}
		mustache_free(t);
		buf_free(&out);
	}
	check("{{a.b.c}}|{{#a}}{{b.c}}{{/a}}|{{a.x.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}},"
	    "\"x\":{\"c\":\"wrong\"}}", NULL, "deep|deep|", "dotted names");
	check("[{{.}}]", "null", NULL, "[]", "null root");
	check("{{>p}}|{{<p}}{{$a}}x{{/a}}{{/p}}", "{}", NULL, "|",
	    "no resolver: partials and parents render nothing");
}

/* Records the names asked for, checking the NUL the API promises after each. */
static const struct mustache_template *
record_lookup(void *ctx, const char *name, size_t len)
{
	struct buf *b = ctx;

	buf_printf(b, "[%.*s]%s", (int)len, name, name[len] == '\0' ? "" : "NOT-TERMINATED");
	return NULL;
}

static void
test_dynamic(void)
{
	struct partials ps = { 0 };
	struct mustache_template *t;
	struct mustache_error err;
	struct json_object *data;
	struct buf names = BUF_INIT, out = BUF_INIT;
	static const char src[] = "{{>*a}}{{>*b}}{{>*c}}{{>*d}}{{>*e}}{{>static}}{{<*a}}{{/*a}}";

	t = mustache_compile("t", src, sizeof src - 1, &err);
	data = json_tokener_parse("{\"a\":\"x\",\"b\":-42,\"c\":1.5,\"d\":true,"
	    "\"e\":18446744073709551615}");
	mustache_render(t, data, record_lookup, &names, &out, &err);
	is_str(buf_cstr(&names), "[x][-42][1.5][true][18446744073709551615][static][x]",
	    "resolver gets NUL-terminated names from strings, numbers and booleans");
	mustache_free(t);
	json_object_put(data);
	buf_free(&names);
	buf_free(&out);

	add_partial(&ps, "a", "A{{v}}");
	add_partial(&ps, "7", "seven");
	check("{{>*n}}|{{>*k}}|{{>*m}}|{{>*o}}", "{\"n\":\"a\",\"v\":1,\"k\":7,\"o\":{}}",
	    &ps, "A1|seven||", "dynamic names: string, number, missing, object");
	check("{{#list}}{{>*.}}{{/list}}", "{\"list\":[\"a\",\"7\",\"zz\"],\"v\":2}", &ps,
	    "A2seven", "dynamic name from the implicit iterator");
	free_partials(&ps);
}

/* The renderer probes json-c's tables itself and keeps each context's table: names
 * must resolve exactly as json-c would find them, in every context. */
static void
test_lookups(void)
{
	struct json_object *data, *big;
	struct mustache_template *t;
	struct mustache_error err;
	struct buf out = BUF_INIT, want = BUF_INIT, src = BUF_INIT;
	char key[32];
	int i;

	check("{{a}}{{#o}}{{a}}{{/o}}{{a}}", "{\"a\":1,\"o\":{\"a\":2}}", NULL, "121",
	    "a name in an inner context shadows an outer one only inside it");
	check("{{#list}}{{a}},{{/list}}", "{\"a\":\"outer\",\"list\":[{\"a\":1},{},"
	    "{\"b\":2},7,\"s\",null,[],{\"a\":false}]}", NULL,
	    "1,outer,outer,outer,outer,outer,outer,false,",
	    "the same tag over items of different shapes, objects or not");
	check("{{#list}}{{#a}}{{b}}{{/a}}|{{/list}}", "{\"b\":\"root\",\"list\":["
	    "{\"a\":{\"b\":1}},{\"a\":{\"c\":2}},{\"a\":true,\"b\":3}]}", NULL,
	    "1|root|3|", "a name falls back through contexts that lack it");
	check("{{a.b.c}}|{{#x}}{{a.b.c}}{{/x}}", "{\"a\":{\"b\":{\"c\":1}},\"x\":"
	    "{\"a\":{\"z\":1}}}", NULL, "1|",
	    "a dotted name whose middle part is missing does not fall back outward");
	check("{{a.b}}|{{a.b.c}}", "{\"a\":{\"b\":\"s\"}}", NULL, "s|",
	    "a dotted name through a string renders nothing");
	check("{{p}}{{pq}}{{pqr}}{{q}}", "{\"pqr\":3,\"pq\":2,\"p\":1}", NULL, "123",
	    "keys that are prefixes of each other");

	/* A table that has grown and has deleted slots, probed for every key. */
	big = json_object_new_object();
	for (i = 0; i < 300; i++) {
		snprintf(key, sizeof key, "key%d", i);
		json_object_object_add(big, key, json_object_new_int(i));
	}
	for (i = 0; i < 300; i += 2) {
		snprintf(key, sizeof key, "key%d", i);
		json_object_object_del(big, key);
	}
	for (i = 0; i < 310; i++) {
		buf_printf(&src, "{{key%d}},", i);
		if (i % 2 == 1 && i < 300)
			buf_printf(&want, "%d", i);
		buf_putc(&want, ',');
	}
	t = mustache_compile("t", src.data, src.len, &err);
	mustache_render(t, big, NULL, NULL, &out, &err);
	is_str(buf_cstr(&out), buf_cstr(&want),
	    "every key of a grown table with deleted slots, and misses");

	/* Objects built after json-c's key hash changed are searched json-c's way. */
	json_global_set_string_hash(JSON_C_STR_HASH_PERLLIKE);
	data = json_tokener_parse("{\"key7\":\"seven\",\"key9\":9}");
	buf_reset(&out);
	mustache_render(t, data, NULL, NULL, &out, &err);
	ok(strncmp(buf_cstr(&out), ",,,,,,,seven,,9,", 16) == 0,
	    "lookups in tables hashed after the compile with another function");
	json_object_put(data);
	json_global_set_string_hash(JSON_C_STR_HASH_DFLT);

	mustache_free(t);
	json_object_put(big);
	buf_free(&out);
	buf_free(&want);
	buf_free(&src);
}

static const struct mustache_template *
counting_lookup(void *ctx, const char *name, size_t len)
{
	struct partials *ps = ctx;

	ps->asked++;
	return lookup(ps, name, len);
}

/* A render asks the resolver once per static partial tag and remembers the answer. */
static void
test_partial_cache(void)
{
	struct partials ps = { 0 };
	struct mustache_template *t;
	struct mustache_error err;
	struct json_object *data;
	struct buf out = BUF_INIT, src = BUF_INIT, want = BUF_INIT, loop = BUF_INIT;
	static const char looped[] = "{{#list}}{{>a}}{{>missing}}{{>*.}}{{/list}}";
	int i;

	add_partial(&ps, "a", "A{{.}}");
	add_partial(&ps, "b", "B{{.}}");
	add_partial(&ps, "x", "X");
	t = mustache_compile("t", looped, sizeof looped - 1, &err);
	data = json_tokener_parse("{\"list\":[\"a\",\"b\",\"x\",\"a\"]}");
	mustache_render(t, data, counting_lookup, &ps, &out, &err);
	is_str(buf_cstr(&out), "AaAaAbBbAxXAaAa", "partials in a loop");
	ok(ps.asked == 2 + 4, "static tags asked once per render, dynamic per item "
	    "(asked %d times)", ps.asked);
	mustache_free(t);
	json_object_put(data);

	free_partials(&ps);

	/* More tags than the cache has slots, so tags share slots, at two depths. */
	add_partial(&ps, "a", "A");
	add_partial(&ps, "b", "B");
	add_partial(&ps, "x", "X");
	for (i = 0; i < 3 * 100; i++) {
		const char *name = i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "x";

		if (i == 100)
			buf_puts(&src, "{{#list}}");
		buf_printf(&src, "{{>%s}}", name);
		buf_putc(i < 100 ? &want : &loop, (char)(name[0] - 'a' + 'A'));
	}
	buf_append(&want, loop.data, loop.len);
	buf_append(&want, loop.data, loop.len);
	buf_puts(&src, "{{/list}}");
	t = mustache_compile("t", src.data, src.len, &err);
	data = json_tokener_parse("{\"list\":[1,2]}");
	buf_reset(&out);
	mustache_render(t, data, lookup, &ps, &out, &err);
	is_str(buf_cstr(&out), buf_cstr(&want), "more partial tags than cache slots");
	mustache_free(t);
	json_object_put(data);
	free_partials(&ps);
	buf_free(&out);
	buf_free(&src);
	buf_free(&want);
	buf_free(&loop);
}

static void
test_indentation(void)
{
	struct partials ps = { 0 };

	add_partial(&ps, "layout", "<html>\n  <body>\n    {{$content}}\n    default\n"
	    "    {{/content}}\n  </body>\n</html>\n");
	add_partial(&ps, "page", "{{<layout}}\n{{$content}}\n<ul>\n  {{#items}}\n"
	    "  <li>{{.}}</li>\n  {{/items}}\n</ul>\n{{/content}}\n{{/layout}}\n");
	add_partial(&ps, "row", "<tr>\n  <td>{{.}}</td>\n</tr>\n");
	check("{{>page}}", "{\"items\":[1,2]}", &ps,
	    "<html>\n  <body>\n    <ul>\n      <li>1</li>\n      <li>2</li>\n    </ul>\n"
	    "  </body>\n</html>\n", "block content takes the layout's indentation");
	check("{{>layout}}", "{}", &ps,
	    "<html>\n  <body>\n    default\n  </body>\n</html>\n",
	    "default block content keeps its indentation");
	check("<div>\n  {{>page}}\n</div>\n", "{\"items\":[1]}", &ps,
	    "<div>\n  <html>\n    <body>\n      <ul>\n        <li>1</li>\n      </ul>\n"
	    "    </body>\n  </html>\n</div>\n", "indentation of an indented layout adds up");
	check("<table>\n  {{#items}}\n  {{>row}}\n  {{/items}}\n</table>\n",
	    "{\"items\":[\"a\",\"b\"]}", &ps,
	    "<table>\n  <tr>\n    <td>a</td>\n  </tr>\n  <tr>\n    <td>b</td>\n  </tr>\n"
	    "</table>\n", "standalone partial inside a loop");
	check("a\r\n  {{>row}}\r\nb", "null", &ps,
	    "a\r\n  <tr>\n    <td></td>\n  </tr>\nb", "CRLF standalone partial");
	check("x {{>row}}", "\"v\"", &ps, "x <tr>\n  <td>v</td>\n</tr>\n",
	    "inline partial is not indented");
	check("  {{>row}}", "\"a\nb\"", &ps, "  <tr>\n    <td>a\nb</td>\n  </tr>\n",
	    "data is not re-indented");
	add_partial(&ps, "empty-block", "<p>\n{{$b}}{{/b}}x\n{{$b}}{{/b}}\n</p>\n");
	check("  {{>empty-block}}", "{}", &ps, "  <p>\n  x\n\n  </p>\n",
	    "an empty inline block at a line start still writes the indentation");
	free_partials(&ps);
}

int
main(void)
{
	test_errors();
	test_error_string();
	test_size_limit();
	test_nesting_limit();
	test_recursion_limit();
	test_escaping();
	test_bytes();
	test_values();
	test_dynamic();
	test_lookups();
	test_partial_cache();
	test_indentation();
	return tap_done();
}
