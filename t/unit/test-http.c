/* http request parsing: path, query, form, cookies, JSON body, limits, request id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http/http.h"
#include "tap.h"

/* A body source over a fixed string, as libfcgi's stream would deliver it. */
struct body_src {
	const char *data;
	size_t len, off;
};

static ssize_t
body_read(void *ctx, char *p, size_t n)
{
	struct body_src *b = ctx;
	size_t k = b->len - b->off < n ? b->len - b->off : n;

	memcpy(p, b->data + b->off, k);
	b->off += k;
	return (ssize_t)k;
}

/* Builds a request from params (NULL-terminated) and a body; returns init's result. */
static int
make(struct request *req, char **env, struct body_src *src, struct http_error *err)
{
	return http_request_init(req, env, body_read, src, err);
}

static void
test_path(void)
{
	static const struct {
		const char *uri, *path;
		int status;
		bool canonical;	/* already its own normal form: routed, not redirected */
	} cases[] = {
		{ "/", "/", 0, true },
		{ "/a/b", "/a/b", 0, true },
		{ "//a///b/", "/a/b", 0, false },
		{ "/a/./b", "/a/b", 0, false },
		{ "/a/b/", "/a/b", 0, false },
		{ "/a/b/.", "/a/b", 0, false },
		{ "/a/b%2F", "/a/b", 0, false },
		{ "/a%2F%2Fb", "/a/b", 0, false },
		{ "/a/%2e/b", "/a/b", 0, false },
		{ "/a%2Fb", "/a/b", 0, true },	/* nginx's $uri decodes %2F too: "/a/b" */
		{ "/%61/b", "/a/b", 0, true },
		{ "/caf%C3%A9?x=1", "/caf\xc3\xa9", 0, true },
		{ "/a%20b", "/a b", 0, true },
		{ "/a/../b", NULL, 400, false },
		{ "/a/%2e%2e/b", NULL, 400, false },
		{ "/a%00b", NULL, 400, false },
		{ "/a%0ab", NULL, 400, false },
		{ "/a%zz", NULL, 400, false },
		{ "/a%4", NULL, 400, false },
		{ "/%ff", NULL, 400, false },
		{ "relative", NULL, 400, false },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char uri[256];
		char *env[] = { "REQUEST_METHOD=GET", uri, NULL };
		struct http_error err = { 0, NULL, NULL };
		struct request req;
		int rc;

		snprintf(uri, sizeof uri, "REQUEST_URI=%s", cases[i].uri);
		rc = make(&req, env, NULL, &err);
		if (cases[i].path != NULL)
			ok(rc == 0 && strcmp(req.path, cases[i].path) == 0 &&
			    req.path_canonical == cases[i].canonical, "path %s -> %s, %scanonical",
			    cases[i].uri, cases[i].path, cases[i].canonical ? "" : "not ");
		else
			ok(rc < 0 && err.status == cases[i].status, "path %s refused with %d",
			    cases[i].uri, cases[i].status);
		http_request_free(&req);
	}
}

static void
test_long_path(void)
{
	char *uri = malloc(HTTP_MAX_PATH_BYTES + 32);
	char *env[] = { uri, NULL };
	struct http_error err;
	struct request req;

	strcpy(uri, "REQUEST_URI=/");
	memset(uri + 13, 'a', HTTP_MAX_PATH_BYTES + 1);
	uri[13 + HTTP_MAX_PATH_BYTES + 1] = '\0';
	ok(make(&req, env, NULL, &err) < 0 && err.status == 414, "an over-long path gets 414");
	http_request_free(&req);
	free(uri);
}

static void
test_query(void)
{
	char *env[] = { "REQUEST_URI=/s?q=a+b&tag=x&tag=y&empty=&flag&%E2%82%AC=euro",
		"QUERY_STRING=q=a+b&tag=x&tag=y&empty=&flag&%E2%82%AC=euro", NULL };
	struct http_error err;
	struct request req;

	ok(make(&req, env, NULL, &err) == 0, "a query with repeats and empties parses");
	is_str(http_param(&req.query, "q"), "a b", "plus decodes to a space in queries");
	is_int((long long)req.query.count, 6, "every pair is kept, repeats included");
	is_str(req.query.items[1].value, "x", "first repeat kept in order");
	is_str(req.query.items[2].value, "y", "second repeat kept in order");
	is_str(http_param(&req.query, "empty"), "", "an empty value is empty");
	is_str(http_param(&req.query, "flag"), "", "a bare name has an empty value");
	is_str(http_param(&req.query, "\xe2\x82\xac"), "euro", "names are percent-decoded");
	http_request_free(&req);
}

static void
test_query_limits(void)
{
	struct buf q = BUF_INIT;
	char *env[] = { NULL, NULL };
	struct http_error err;
	struct request req;

	buf_puts(&q, "QUERY_STRING=");
	for (int i = 0; i <= HTTP_MAX_PARAMS; i++)
		buf_printf(&q, "%sk%d=v", i ? "&" : "", i);
	env[0] = q.data;
	ok(make(&req, env, NULL, &err) < 0 && err.status == 400,
	    "more than HTTP_MAX_PARAMS parameters is a 400");
	http_request_free(&req);

	buf_reset(&q);
	buf_puts(&q, "QUERY_STRING=bad=%ff");
	env[0] = q.data;
	ok(make(&req, env, NULL, &err) < 0 && err.status == 400 && strcmp(err.field, "bad") == 0,
	    "a value that is not UTF-8 is a 400 naming the field");
	http_request_free(&req);

	buf_reset(&q);
	buf_puts(&q, "QUERY_STRING=");
	for (int i = 0; i < HTTP_MAX_QUERY_BYTES; i++)
		buf_putc(&q, 'a');
	buf_puts(&q, "=1");
	env[0] = q.data;
	ok(make(&req, env, NULL, &err) < 0 && err.status == 414, "an over-long query is a 414");
	http_request_free(&req);
	buf_free(&q);
}

static void
test_cookies_headers(void)
{
	char *env[] = { "HTTP_COOKIE=a=1; b=\"two\";  junk ; c = 3 ;=x",
		"HTTP_X_REQUEST_ID=abc-123", "REMOTE_ADDR=192.0.2.7", "HTTPS=on",
		"CONTENT_TYPE=Application/JSON; charset=utf-8", NULL };
	struct http_error err;
	struct request req;

	ok(make(&req, env, NULL, &err) == 0, "cookies and headers parse");
	is_str(http_param(&req.cookies, "a"), "1", "cookie a");
	is_str(http_param(&req.cookies, "b"), "two", "quoted cookie values are unquoted");
	is_str(http_param(&req.cookies, "c"), "3", "spaces around cookie names are trimmed");
	is_int((long long)req.cookies.count, 3, "nameless and valueless cookie junk is ignored");
	is_str(req.request_id, "abc-123", "a well-formed X-Request-Id is kept");
	is_str(req.client_addr, "192.0.2.7", "the client address comes from REMOTE_ADDR");
	ok(req.tls, "HTTPS=on means TLS");
	is_str(req.content_type, "application/json", "content type is lowercased, params dropped");
	is_str(http_header(&req, "x-request-id"), "abc-123", "header lookup ignores case");
	http_request_free(&req);
}

/* Params are found through a hash index, or by a scan past HTTP_ENV_INDEX_MAX of them;
 * both must answer as a scan of the params in order would. */
static void
test_env_lookup(void)
{
	char *env[] = { "HTTP_X_DUP=first", "NOVALUE", "HTTP_HOST=clinic.example",
		"HTTP_X_DUP=second", "EMPTY=", "HTTP_HOSTX=no", NULL };
	char *many[HTTP_ENV_INDEX_MAX + 3];
	char names[HTTP_ENV_INDEX_MAX + 2][32];
	struct http_error err;
	struct request req;
	bool all = true;

	ok(make(&req, env, NULL, &err) == 0 && req.env_indexed, "a few params are indexed");
	is_str(http_env(&req, "HTTP_HOST"), "clinic.example", "a param is found by its name");
	is_str(http_env(&req, "HTTP_X_DUP"), "first", "a name sent twice gives its first value");
	ok(http_env(&req, "HTTP_HOS") == NULL, "a prefix of a name is not the name");
	ok(http_env(&req, "NOVALUE") == NULL, "an entry without '=' has no value");
	is_str(http_env(&req, "EMPTY"), "", "an empty value is found");
	ok(http_env(&req, "ABSENT") == NULL, "an absent name is NULL");
	http_request_free(&req);

	for (size_t i = 0; i < HTTP_ENV_INDEX_MAX + 2; i++) {
		snprintf(names[i], sizeof names[i], "HTTP_X_%zu=%zu", i, i);
		many[i] = names[i];
	}
	many[HTTP_ENV_INDEX_MAX + 2] = NULL;
	ok(make(&req, many, NULL, &err) == 0 && !req.env_indexed,
	    "past %d params, lookups scan", HTTP_ENV_INDEX_MAX);
	for (size_t i = 0; i < HTTP_ENV_INDEX_MAX + 2 && all; i++) {
		char name[32], value[32];
		const char *got;

		snprintf(name, sizeof name, "HTTP_X_%zu", i);
		snprintf(value, sizeof value, "%zu", i);
		got = http_env(&req, name);
		all = got != NULL && strcmp(got, value) == 0;
	}
	ok(all, "and still find every one of them");
	http_request_free(&req);
}

static void
test_request_id(void)
{
	char *env[] = { "HTTP_X_REQUEST_ID=<script>", NULL };
	char *env2[] = { NULL };
	struct http_error err;
	struct request req;
	char first[HTTP_REQUEST_ID_MAX + 1];

	make(&req, env, NULL, &err);
	ok(strlen(req.request_id) == 32 && strspn(req.request_id, "0123456789abcdef") == 32,
	    "an unsafe X-Request-Id is replaced by a generated one");
	strcpy(first, req.request_id);
	http_request_free(&req);
	make(&req, env2, NULL, &err);
	ok(strcmp(first, req.request_id) != 0, "generated request ids differ");
	http_request_free(&req);
}

static int
body_case(const char *ctype, const char *body, size_t max, struct request *req,
    struct http_error *err, struct body_src *src)
{
	static char ct[128], cl[64];
	static char *env[4];

	snprintf(ct, sizeof ct, "CONTENT_TYPE=%s", ctype);
	snprintf(cl, sizeof cl, "CONTENT_LENGTH=%zu", strlen(body));
	env[0] = "REQUEST_METHOD=POST";
	env[1] = ct;
	env[2] = cl;
	env[3] = NULL;
	src->data = body;
	src->len = strlen(body);
	src->off = 0;
	if (make(req, env, src, err) < 0)
		return -1;
	return http_request_read_body(req, max, err);
}

static void
test_bodies(void)
{
	struct body_src src;
	struct http_error err;
	struct request req;
	struct buf deep = BUF_INIT;

	ok(body_case("application/x-www-form-urlencoded", "name=Ann+Lee&x=%26", 1024, &req,
	    &err, &src) == 0, "a form body parses");
	is_str(http_param(&req.form, "name"), "Ann Lee", "form values decode");
	is_str(http_param(&req.form, "x"), "&", "escaped ampersands stay in the value");
	http_request_free(&req);

	ok(body_case("application/json", "{\"a\":[1,2,{\"b\":null}]} \n", 1024, &req, &err,
	    &src) == 0 && req.json != NULL, "a JSON body parses, trailing whitespace allowed");
	http_request_free(&req);

	ok(body_case("application/json", "7", 1024, &req, &err, &src) == 0 &&
	    json_object_get_int(req.json) == 7, "a bare number is a JSON body too");
	http_request_free(&req);
	ok(body_case("application/json", "{\"a\":1,}", 1024, &req, &err, &src) < 0 &&
	    err.status == 400, "a trailing comma is malformed JSON (strict mode): 400");
	http_request_free(&req);
	ok(body_case("application/json", "{\"a\":1} {}", 1024, &req, &err, &src) < 0 &&
	    err.status == 400, "two JSON values are a 400");
	http_request_free(&req);
	ok(body_case("application/json", "{\"a\":\"\xc3\x28\"}", 1024, &req, &err, &src) < 0 &&
	    err.status == 400, "invalid UTF-8 in a JSON string is a 400");
	http_request_free(&req);
	ok(body_case("application/json", "", 1024, &req, &err, &src) == 0 && req.json == NULL,
	    "an empty JSON body is no body");
	http_request_free(&req);

	for (int i = 0; i < HTTP_JSON_MAX_DEPTH + 1; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < HTTP_JSON_MAX_DEPTH + 1; i++)
		buf_putc(&deep, ']');
	ok(body_case("application/json", deep.data, 1 << 20, &req, &err, &src) < 0 &&
	    err.status == 400 && strstr(err.message, "deep") != NULL,
	    "JSON nested beyond HTTP_JSON_MAX_DEPTH is a 400 that says so");
	http_request_free(&req);
	buf_free(&deep);

	ok(body_case("text/plain", "0123456789", 9, &req, &err, &src) < 0 && err.status == 413,
	    "a body over the limit is a 413");
	http_request_free(&req);
	ok(body_case("text/plain", "0123456789", 10, &req, &err, &src) == 0 &&
	    req.body_len == 10, "a body exactly at the limit is accepted");
	http_request_free(&req);
}

static void
test_json_check(void)
{
	static const struct {
		const char *text;
		int valid;
	} cases[] = {
		{ "{}", 1 }, { "[]", 1 }, { " {\"a\" : [1, -2.5e+3, true, false, null]} ", 1 },
		{ "\"x\"", 1 }, { "0", 1 }, { "-0.0E-1", 1 },
		{ "\"\\ud83d\\ude00\"", 1 }, { "\"caf\xc3\xa9\"", 1 },
		{ "{'a':1}", 0 }, { "['x']", 0 }, { "[Infinity]", 0 }, { "NaN", 0 },
		{ "[1.]", 0 }, { "[.5]", 0 }, { "[01]", 0 }, { "[1,]", 0 }, { "{\"a\":1,}", 0 },
		{ "{a:1}", 0 }, { "[TRUE]", 0 }, { "[\"a\tb\"]", 0 }, { "\"\\x41\"", 0 },
		{ "\"\\ud800\"", 0 }, { "\"\\udc00\"", 0 }, { "\"\\ud800\\u0041\"", 0 },
		{ "/*c*/[1]", 0 }, { "[1]//c", 0 }, { "[1] [2]", 0 }, { "", 0 }, { "   ", 0 },
		{ "\"\xff\"", 0 }, { "\"\xc3\"", 0 }, { "{\"a\"}", 0 }, { "[1 2]", 0 },
		{ "\"unterminated", 0 }, { "[-]", 0 }, { "[1e]", 0 },
	};
	struct buf deep = BUF_INIT;
	const char *why;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		is_int(http_json_check(cases[i].text, strlen(cases[i].text), 32, &why) == 0,
		    cases[i].valid, "json_check %s: %s", cases[i].valid ? "accepts" : "refuses",
		    cases[i].text);
	for (int i = 0; i < 33; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < 33; i++)
		buf_putc(&deep, ']');
	ok(http_json_check(deep.data, deep.len, 32, &why) < 0 &&
	    strcmp(why, "JSON nested too deeply") == 0, "json_check refuses depth 33 of 32");
	buf_truncate(&deep, 0);
	for (int i = 0; i < 32; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < 32; i++)
		buf_putc(&deep, ']');
	ok(http_json_check(deep.data, deep.len, 32, &why) == 0, "json_check accepts depth 32 of 32");
	buf_free(&deep);
}

/* Issue 12 item 1: a member at fault in a well-formed body (a string value that is not
 * UTF-8, a name sent twice in one object) is named by its dotted path, not refused as "the
 * body"; http_json_check, for callers without an input spec, still refuses it. */
static void
test_json_members(void)
{
	static const struct {
		const char *text, *path;	/* NULL path: no fault */
		enum http_json_fault_kind kind;
	} cases[] = {
		{ "{\"a\":1,\"a\":2}", "a", HTTP_JSON_DUPLICATE },
		{ "{\"a\":1,\"\\u0061\":2}", "a", HTTP_JSON_DUPLICATE },
		{ "{\"caf\xc3\xa9\":1,\"caf\\u00e9\":2}", "caf\xc3\xa9", HTTP_JSON_DUPLICATE },
		{ "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "\xf0\x9f\x98\x80", HTTP_JSON_DUPLICATE },
		{ "{\"a\\nb\":1,\"a\\u000ab\":2}", "a\nb", HTTP_JSON_DUPLICATE },
		{ "{\"signup\":{\"name\":\"x\",\"email\":\"e\",\"name\":\"y\"}}", "signup.name", HTTP_JSON_DUPLICATE },
		{ "{\"x\":[1,{\"n\":\"A\xff\xfe" "B\"}]}", "x.1.n", HTTP_JSON_NOT_UTF8 },
		{ "[[0],[1,\"\xc3\x28\"]]", "1.1", HTTP_JSON_NOT_UTF8 },
		{ "\"\xff\"", "", HTTP_JSON_NOT_UTF8 },
		{ "{\"a\":1,\"b\":{\"a\":2}}", NULL, 0 },
		{ "[{\"a\":1},{\"a\":1}]", NULL, 0 },
		{ "{\"a\":1,\"A\":2,\"a \":3}", NULL, 0 },
		{ "{\"ab\":1,\"a\":2,\"b\":3}", NULL, 0 },
	};
	struct http_json_faults f;
	struct arena a = ARENA_INIT;
	struct buf many = BUF_INIT;
	const char *why;
	struct body_src src;
	struct http_error err;
	struct request req;

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *t = cases[i].text;
		int rc = http_json_check_members(t, strlen(t), 32, &a, &f, &why);

		if (cases[i].path == NULL) {
			ok(rc == 0 && f.total == 0 && http_json_check(t, strlen(t), 32, &why) == 0,
			    "json members: no fault in %s", t);
			continue;
		}
		ok(rc == 0 && f.total == 1 && f.count == 1 && f.items[0].kind == cases[i].kind &&
		    strcmp(f.items[0].path, cases[i].path) == 0,
		    "json members: %s at \"%s\" in %s (got %zu, \"%s\")",
		    cases[i].kind == HTTP_JSON_DUPLICATE ? "a name twice" : "not UTF-8", cases[i].path,
		    t, f.total, f.total ? f.items[0].path : "");
		why = NULL;
		ok(http_json_check(t, strlen(t), 32, &why) < 0 && why != NULL &&
		    strcmp(why, cases[i].kind == HTTP_JSON_DUPLICATE ? "JSON has a member twice" :
		    "JSON is not valid UTF-8") == 0, "... and http_json_check refuses it: %s", why ? why : "");
	}
	ok(http_json_check_members("{\"\xff\":1}", 8, 32, &a, &f, &why) < 0 &&
	    strcmp(why, "JSON is not valid UTF-8") == 0, "a member name not UTF-8 still refuses the body");
	ok(http_json_check_members("{\"a\":1,\"a\":2", 13, 32, &a, &f, &why) < 0 &&
	    strcmp(why, "Malformed JSON") == 0, "malformed JSON with a fault is malformed");

	/* 5,000 distinct names (the set grows), then each of 20 names twice */
	buf_putc(&many, '{');
	for (int i = 0; i < 5000; i++)
		buf_printf(&many, "%s\"k%d\":%d", i ? "," : "", i, i);
	buf_putc(&many, '}');
	ok(http_json_check_members(many.data, many.len, 32, &a, &f, &why) == 0 && f.total == 0,
	    "5,000 distinct names: no fault");
	buf_truncate(&many, 0);
	buf_putc(&many, '{');
	for (int i = 0; i < 40; i++)
		buf_printf(&many, "%s\"k%d\":%d", i ? "," : "", i % 20, i);
	buf_putc(&many, '}');
	ok(http_json_check_members(many.data, many.len, 32, &a, &f, &why) == 0 && f.total == 20 &&
	    f.count == HTTP_JSON_FAULTS_MAX && strcmp(f.items[0].path, "k0") == 0,
	    "20 names twice: 20 counted, the first %d listed", HTTP_JSON_FAULTS_MAX);
	buf_truncate(&many, 0);
	buf_puts(&many, "{\"");
	for (int i = 0; i < 100; i++)
		buf_puts(&many, "\xc3\xa9");	/* 200 bytes of é: the path is cut at a character */
	buf_puts(&many, "\":1,\"");
	for (int i = 0; i < 100; i++)
		buf_puts(&many, "\\u00e9");
	buf_puts(&many, "\":2}");
	ok(http_json_check_members(many.data, many.len, 32, &a, &f, &why) == 0 && f.total == 1 &&
	    strlen(f.items[0].path) == HTTP_JSON_PATH_MAX && utf8_valid(f.items[0].path, HTTP_JSON_PATH_MAX),
	    "a long name's path is cut to HTTP_JSON_PATH_MAX bytes, whole characters");
	buf_free(&many);

	/* the request: refused to a plain reader, the tree kept for an input spec */
	ok(body_case("application/json", "{\"name\":\"A\",\"name\":\"B\"}", 1024, &req, &err,
	    &src) < 0 && err.status == 400 && strcmp(err.message, "JSON has a member twice") == 0 &&
	    req.json == NULL && req.json_faulty != NULL && req.json_faults.total == 1,
	    "a JSON body with a name twice: 400 to a plain reader, req->json_faulty for a spec");
	http_request_free(&req);
	ok(body_case("application/json", "{\"name\":\"A\xff\"}", 1024, &req, &err, &src) < 0 &&
	    strcmp(err.message, "JSON is not valid UTF-8") == 0 && req.json == NULL &&
	    req.json_faulty != NULL && strcmp(req.json_faults.items[0].path, "name") == 0,
	    "a JSON string not UTF-8: the same, at \"name\"");
	http_request_free(&req);

	/* forms: a value that is not UTF-8 is kept for its field; a name is not */
	ok(body_case("application/x-www-form-urlencoded", "name=Ana%FF&email=a%40b.co", 1024, &req,
	    &err, &src) == 0 && req.form.count == 2 && http_param(&req.form, "name") == NULL &&
	    req.form.items[0].value_len == 4 && strcmp(http_param(&req.form, "email"), "a@b.co") == 0,
	    "a form value not UTF-8 parses, kept as sent, and http_param hides it");
	http_request_free(&req);
	ok(body_case("application/x-www-form-urlencoded", "na%FFme=Ana", 1024, &req, &err, &src) < 0 &&
	    err.status == 400 && strcmp(err.message, "Invalid parameter name") == 0,
	    "a form name not UTF-8 refuses the body");
	http_request_free(&req);
	arena_free(&a);
}

/* Input is refused, not truncated (issue 11, item 5): a NUL inside a JSON string or a form
 * value never reaches a handler as the part before it. */
static void
test_nul(void)
{
	static const char body[] = "{\"otp\":\"960583\\u0000\",\"name\":\"Ann\"}";
	struct json_object *o, *v;
	struct http_params form;
	struct arena a = { 0 };
	const char *why = NULL;

	ok(http_json_check(body, sizeof body - 1, 32, &why) == 0, "a \\u0000 inside a string value is JSON");
	o = json_tokener_parse(body);
	ok(o != NULL && json_object_object_get_ex(o, "otp", &v), "json-c reads it");
	ok(http_json_text(v) == NULL, "http_json_text: a string with a NUL inside is no text (not \"960583\")");
	ok(json_object_object_get_ex(o, "name", &v) && http_json_text(v) != NULL &&
	    strcmp(http_json_text(v), "Ann") == 0, "http_json_text: an ordinary string is");
	ok(http_json_text(NULL) == NULL && http_json_text(json_object_object_get(o, "missing")) == NULL,
	    "http_json_text: no value is no text");
	json_object_put(o);
	o = json_object_new_int(7);
	ok(http_json_text(o) == NULL, "http_json_text: a number is no text");
	json_object_put(o);
	why = NULL;
	ok(http_json_check("{\"otp\\u0000x\":\"1\"}", 18, 32, &why) < 0 && why != NULL &&
	    strcmp(why, "NUL character in a JSON member name") == 0,
	    "json_check refuses a NUL in a member name (json-c would read \"otp\")");

	ok(http_parse_urlencoded(&a, "code=960583%00&phone=0412+345+678&x=%00", 39, &form, NULL) == 0,
	    "a %%00 in a form value parses");
	ok(http_param(&form, "code") == NULL && http_param_has_nul(&form, "code"),
	    "http_param: a value with a NUL reads as absent, and http_param_has_nul says why");
	ok(http_param(&form, "phone") != NULL && strcmp(http_param(&form, "phone"), "0412 345 678") == 0 &&
	    !http_param_has_nul(&form, "phone"), "the other values are as sent");
	ok(http_param(&form, "x") == NULL && http_param_has_nul(&form, "x"), "a lone %%00 too");
	ok(http_param(&form, "none") == NULL && !http_param_has_nul(&form, "none"), "a missing one has no NUL");
	arena_free(&a);
}

static void
test_short_body(void)
{
	char *env[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=50", NULL };
	struct body_src src = { "short", 5, 0 };
	struct http_error err;
	struct request req;

	make(&req, env, &src, &err);
	ok(http_request_read_body(&req, 1024, &err) < 0 && err.status == 400,
	    "a body shorter than its Content-Length is a 400");
	http_request_free(&req);

	char *env2[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=-1", NULL };
	make(&req, env2, &src, &err);
	ok(http_request_read_body(&req, 1024, &err) < 0 && err.status == 400,
	    "a negative Content-Length is a 400");
	http_request_free(&req);
}

/* What the worker sends for resp (http/fcgi.c): its head, then its body if any. */
static void
wire(const struct response *resp, const struct request *req, struct buf *out)
{
	struct iovec iov[HTTP_WIRE_IOV_MAX];
	size_t n;

	http_response_serialise_head(resp, req, out);
	n = http_response_wire_iov(resp, req, iov);
	for (size_t i = 0; i < n; i++)
		buf_append(out, iov[i].iov_base, iov[i].iov_len);
}

static void
test_response(void)
{
	char *env[] = { "REQUEST_METHOD=HEAD", "HTTPS=on", NULL };
	struct http_error err;
	struct request req;
	struct response resp;
	struct buf out = BUF_INIT, head = BUF_INIT;
	struct iovec iov[HTTP_WIRE_IOV_MAX];
	size_t n;

	make(&req, env, NULL, &err);
	http_response_init(&resp, &req.arena);
	http_response_set(&resp, 200, "text/plain", "hello", 5);
	http_response_header(&resp, "X-Evil", "a\r\nSet-Cookie: x=1");
	http_response_header(&resp, "X-Good", "fine");
	wire(&resp, &req, &out);
	ok(strstr(out.data, "Status: 200 OK\r\n") == out.data, "status line first");
	ok(strstr(out.data, "Content-Length: 5\r\n") != NULL, "HEAD keeps the GET length");
	ok(strstr(out.data, "hello") == NULL, "HEAD has no body");
	ok(strstr(out.data, "Set-Cookie") == NULL, "a header value with CRLF is refused");
	ok(strstr(out.data, "X-Good: fine\r\n") != NULL, "a clean header is sent");
	ok(strstr(out.data, "Strict-Transport-Security:") != NULL, "HSTS under TLS");
	ok(strstr(out.data, "frame-ancestors 'none'") != NULL, "CSP forbids framing");
	ok(strstr(out.data, "X-Content-Type-Options: nosniff\r\n") != NULL, "nosniff");
	ok(strstr(out.data, "X-Request-Id: ") != NULL, "the request id is echoed");
	ok(http_response_wire_iov(&resp, &req, iov) == 0,
	    "HEAD: the worker sends no body after the head");
	ok(out.len >= 4 && memcmp(out.data + out.len - 4, "\r\n\r\n", 4) == 0 &&
	    strstr(out.data, "\r\n\r\n") == out.data + out.len - 4,
	    "HEAD: the head is the whole answer");
	/* GET: the head, then the body from the response itself */
	req.method = HTTP_GET;
	buf_reset(&head);
	http_response_serialise_head(&resp, &req, &head);
	n = http_response_wire_iov(&resp, &req, iov);
	ok(n == 1 && iov[0].iov_base == resp.body.data && iov[0].iov_len == 5,
	    "GET: the body is sent from the response itself");
	ok(head.len >= 4 && memcmp(head.data + head.len - 4, "\r\n\r\n", 4) == 0 &&
	    strstr(head.data, "\r\n\r\n") == head.data + head.len - 4 &&
	    strstr(head.data, "Content-Length: 5\r\n") != NULL && memcmp(iov[0].iov_base, "hello", 5) == 0,
	    "GET: head and body are byte for byte the serialised answer");
	/* a borrowed insert goes between the body's bytes, uncopied, and counts in the length */
	{
		static const char middle[] = "<main>kept</main>";

		http_response_set(&resp, 200, "text/html", "<head></head><foot>", 19);
		resp.insert = middle;
		resp.insert_len = sizeof middle - 1;
		resp.insert_at = 13;
		buf_reset(&out);
		wire(&resp, &req, &out);
		ok(strstr(out.data, "Content-Length: 36\r\n") != NULL &&
		    strstr(out.data, "\r\n\r\n<head></head><main>kept</main><foot>") != NULL &&
		    out.data[out.len - 1] == '>',
		    "an insert is sent at its offset and counted in Content-Length");
		ok(http_response_wire_iov(&resp, &req, iov) == 3 && iov[1].iov_base == middle,
		    "an insert is sent from where it is: three pieces, the middle one borrowed");
		resp.insert_at = 0;
		ok(http_response_wire_iov(&resp, &req, iov) == 2 && iov[0].iov_base == middle,
		    "an insert at 0 goes first");
		resp.insert_at = 1000;
		buf_reset(&out);
		wire(&resp, &req, &out);
		ok(strstr(out.data, "\r\n\r\n<head></head><foot><main>kept</main>") != NULL,
		    "an insert past the body's end goes after it, never past the body's memory");
		http_response_set(&resp, 200, "text/plain", "x", 1);
		buf_reset(&out);
		wire(&resp, &req, &out);
		ok(resp.insert == NULL && strstr(out.data, "Content-Length: 1\r\n") != NULL &&
		    strstr(out.data, "kept") == NULL, "replacing the body drops the insert");
		http_response_set(&resp, 200, "text/plain", "hello", 5);
	}
	buf_free(&head);
	http_response_free(&resp);

	/* a redirect: status, Location, no body */
	http_response_init(&resp, &req.arena);
	req.method = HTTP_POST;
	http_response_redirect(&resp, 303, "/book/step-2?x=1");
	buf_reset(&out);
	wire(&resp, &req, &out);
	ok(strstr(out.data, "Status: 303 See Other\r\n") == out.data, "303 See Other");
	ok(strstr(out.data, "Location: /book/step-2?x=1\r\n") != NULL, "with Location");
	ok(strstr(out.data, "Content-Length: 0\r\n") != NULL, "and no body");
	http_response_redirect(&resp, 302, "/x\r\nSet-Cookie: a=b");
	buf_reset(&out);
	wire(&resp, &req, &out);
	ok(strstr(out.data, "Set-Cookie") == NULL, "a Location with CRLF is refused");
	http_response_free(&resp);
	http_request_free(&req);
	buf_free(&out);
}

/* http_percent_encode: one encoder for paths (keep "/") and query values (keep nothing) */
static void
test_percent_encode(void)
{
	static const char raw[] = "Australia/Sydney a&b=c?d#e%f+g~h_i-j.k\xc3\xa9";
	struct buf b = BUF_INIT;

	http_percent_encode(&b, raw, strlen(raw), "");
	is_str(buf_cstr(&b), "Australia%2FSydney%20a%26b%3Dc%3Fd%23e%25f%2Bg~h_i-j.k%C3%A9",
	    "a query value: all but the unreserved escaped, UTF-8 byte by byte");
	buf_reset(&b);
	http_percent_encode(&b, "/signin/x y", 11, "/");
	is_str(buf_cstr(&b), "/signin/x%20y", "a path keeps its slashes");
	buf_reset(&b);
	http_percent_encode(&b, "a\0b", 3, "");
	is_str(buf_cstr(&b), "a%00b", "a NUL inside the length is escaped, not an end");
	buf_reset(&b);
	http_percent_encode(&b, "", 0, "/");
	is_str(buf_cstr(&b), "", "nothing in, nothing out");
	buf_free(&b);
}

int
main(void)
{
	test_path();
	test_long_path();
	test_query();
	test_query_limits();
	test_cookies_headers();
	test_env_lookup();
	test_request_id();
	test_bodies();
	test_json_check();
	test_json_members();
	test_nul();
	test_short_body();
	test_response();
	test_percent_encode();
	return tap_done();
}
