/* request.c: from transport params and body to a validated struct request. */
#include "http/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* Bytes drained per read when a body is refused, so the upstream connection stays sane. */
#define HTTP_DRAIN_CHUNK 16384

static const char *const http_method_names[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"
};

static void
http_fail(struct http_error *err, int status, const char *message, const char *field)
{
	if (err == NULL)
		return;
	err->status = status;
	err->message = message;
	err->field = field;
}

const char *
http_method_name(enum http_method m)
{
	return m < HTTP_METHOD_OTHER ? http_method_names[m] : "OTHER";
}

_Static_assert((HTTP_ENV_INDEX_SLOTS & (HTTP_ENV_INDEX_SLOTS - 1)) == 0, "a power of 2");
_Static_assert(HTTP_ENV_INDEX_MAX < HTTP_ENV_INDEX_SLOTS && HTTP_ENV_INDEX_MAX < 256,
    "a free slot always ends a probe, and a param's number fits a byte");

/* FNV-1a over a param's name. */
static unsigned
http_env_hash(const char *name, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h & (HTTP_ENV_INDEX_SLOTS - 1);
}

/* A request looks up a dozen params among some thirty: hashing each name once beats
 * comparing against all of them per lookup. A name sent twice keeps its first value, as a
 * scan would: the first is inserted first, so it comes first in its probe sequence. */
static void
http_env_index(struct request *req)
{
	size_t count = 0;

	for (char *const *e = req->env; e != NULL && *e != NULL; e++)
		if (++count > HTTP_ENV_INDEX_MAX)
			return;	/* http_env scans instead */
	for (size_t i = 0; i < count; i++) {
		const char *e = req->env[i];
		size_t n = strcspn(e, "=");
		unsigned h;

		if (e[n] != '=')
			continue;	/* no value: never found by name anyway */
		h = http_env_hash(e, n);
		while (req->env_index[h] != 0)
			h = (h + 1) & (HTTP_ENV_INDEX_SLOTS - 1);
		req->env_index[h] = (unsigned char)(i + 1);
	}
	req->env_indexed = true;
}

const char *
http_env(const struct request *req, const char *name)
{
	size_t n = strlen(name);
	const char *e;

	if (req->env == NULL)
		return NULL;
	if (!req->env_indexed) {
		for (char *const *p = req->env; *p != NULL; p++)
			if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
				return *p + n + 1;
		return NULL;
	}
	for (unsigned h = http_env_hash(name, n); req->env_index[h] != 0;
	    h = (h + 1) & (HTTP_ENV_INDEX_SLOTS - 1)) {
		e = req->env[req->env_index[h] - 1];
		if (strncmp(e, name, n) == 0 && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}

const char *
http_header(const struct request *req, const char *name)
{
	char key[HTTP_MAX_PARAM_NAME + 6] = "HTTP_";
	size_t i, n = strlen(name);

	if (n > HTTP_MAX_PARAM_NAME)
		return NULL;
	for (i = 0; i < n; i++)
		key[5 + i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	key[5 + n] = '\0';
	/* CGI passes these two without the HTTP_ prefix */
	if (strcmp(key + 5, "CONTENT_TYPE") == 0 || strcmp(key + 5, "CONTENT_LENGTH") == 0)
		return http_env(req, key + 5);
	return http_env(req, key);
}

static const struct http_param *
http_param_find(const struct http_params *params, const char *name)
{
	for (size_t i = 0; i < params->count; i++)
		if (strcmp(params->items[i].name, name) == 0)
			return &params->items[i];
	return NULL;
}

bool
http_param_has_nul(const struct http_params *params, const char *name)
{
	const struct http_param *p = http_param_find(params, name);

	return p != NULL && memchr(p->value, '\0', p->value_len) != NULL;
}

const char *
http_param(const struct http_params *params, const char *name)
{
	const struct http_param *p = http_param_find(params, name);

	return p == NULL || memchr(p->value, '\0', p->value_len) != NULL ||
	    !utf8_valid(p->value, p->value_len) ? NULL : p->value;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void
http_percent_encode(struct buf *out, const char *s, size_t n, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		const unsigned char *run = p;

		/* a run that needs no escape is one append: a byte at a time was an eighth of the
		 * step-2 page's instructions (its links carry every choice) */
		while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
		    (*p != '\0' && strchr(keep, *p) != NULL)))
			p++;
		buf_append(out, run, (size_t)(p - run));
		if (p < end) {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			buf_append(out, esc, sizeof esc);
			p++;
		}
	}
}

char *
http_percent_decode(struct arena *a, const char *s, size_t n, bool plus_is_space, size_t *out_len)
{
	char *out = arena_alloc(a, n + 1);
	size_t i, j = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return NULL;
			out[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_is_space)
			out[j++] = ' ';
		else
			out[j++] = s[i];
	}
	out[j] = '\0';
	if (out_len)
		*out_len = j;
	return out;
}

/* keep_not_utf8: a value that is not UTF-8 is kept (http_param hides it) rather than
 * refusing them all */
static int
http_parse_pairs(struct arena *a, const char *s, size_t n, struct http_params *out,
    struct http_error *err, bool keep_not_utf8)
{
	size_t i = 0, count = 0, cap;

	out->items = NULL;
	out->count = 0;
	if (n == 0)
		return 0;
	/* count pairs first so the array is allocated once */
	cap = 1;
	for (i = 0; i < n; i++)
		if (s[i] == '&')
			cap++;
	if (cap > HTTP_MAX_PARAMS) {
		http_fail(err, 400, "Too many parameters", NULL);
		return -1;
	}
	out->items = arena_calloc(a, cap, sizeof *out->items);
	i = 0;
	while (i <= n) {
		const char *pair = s + i, *amp = memchr(pair, '&', n - i), *eq;
		size_t plen = amp ? (size_t)(amp - pair) : n - i;
		size_t nlen, vlen = 0;
		char *name, *value;

		i += plen + 1;
		if (plen == 0)
			continue;
		eq = memchr(pair, '=', plen);
		nlen = eq ? (size_t)(eq - pair) : plen;
		name = http_percent_decode(a, pair, nlen, true, &nlen);
		if (eq != NULL)
			value = http_percent_decode(a, eq + 1, (size_t)(pair + plen - (eq + 1)), true,
			    &vlen);
		else
			value = arena_strdup(a, "");
		if (name == NULL || value == NULL) {
			http_fail(err, 400, "Malformed percent-encoding", NULL);
			return -1;
		}
		if (nlen == 0 || nlen > HTTP_MAX_PARAM_NAME || memchr(name, '\0', nlen) ||
		    !utf8_valid(name, nlen)) {
			http_fail(err, 400, "Invalid parameter name", NULL);
			return -1;
		}
		if (!keep_not_utf8 && !utf8_valid(value, vlen)) {
			http_fail(err, 400, "Parameter is not valid UTF-8", name);
			return -1;
		}
		out->items[count].name = name;
		out->items[count].value = value;
		out->items[count].value_len = vlen;
		count++;
	}
	out->count = count;
	return 0;
}

int
http_parse_urlencoded(struct arena *a, const char *s, size_t n, struct http_params *out,
    struct http_error *err)
{
	return http_parse_pairs(a, s, n, out, err, false);
}

int
http_parse_form(struct arena *a, const char *s, size_t n, struct http_params *out,
    struct http_error *err)
{
	return http_parse_pairs(a, s, n, out, err, true);
}

char *
http_path_normalise(struct arena *a, const char *path, size_t n)
{
	char *out = arena_alloc(a, n + 2);
	size_t i = 0, j = 0;

	if (n == 0 || path[0] != '/')
		return NULL;
	while (i < n) {
		size_t start, len;

		while (i < n && path[i] == '/')
			i++;
		start = i;
		while (i < n && path[i] != '/')
			i++;
		len = i - start;
		if (len == 0 || (len == 1 && path[start] == '.'))
			continue;
		if (len == 2 && path[start] == '.' && path[start + 1] == '.')
			return NULL;
		out[j++] = '/';
		memcpy(out + j, path + start, len);
		j += len;
	}
	if (j == 0)
		out[j++] = '/';
	out[j] = '\0';
	return out;
}

static int
http_parse_cookies(struct request *req, const char *header, struct http_error *err)
{
	struct http_params *c = &req->cookies;
	size_t n = strlen(header), cap = 1, i;
	const char *p = header, *end = header + n;

	if (n > HTTP_MAX_COOKIE_BYTES) {
		http_fail(err, 400, "Cookie header too large", "Cookie");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (header[i] == ';')
			cap++;
	if (cap > HTTP_MAX_PARAMS) {
		http_fail(err, 400, "Too many cookies", "Cookie");
		return -1;
	}
	c->items = arena_calloc(&req->arena, cap, sizeof *c->items);
	c->count = 0;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p)), *stop = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		const char *ns = p, *ne = eq ? eq : stop, *vs, *ve;

		p = semi ? semi + 1 : end;
		while (ns < ne && (*ns == ' ' || *ns == '\t'))
			ns++;
		while (ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		if (eq == NULL || ne == ns)
			continue;	/* browsers send junk; ignore it rather than refuse the page */
		vs = eq + 1;
		ve = stop;
		while (vs < ve && *vs == ' ')
			vs++;
		while (ve > vs && ve[-1] == ' ')
			ve--;
		if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
			vs++;
			ve--;
		}
		c->items[c->count].name = arena_strndup(&req->arena, ns, (size_t)(ne - ns));
		c->items[c->count].value = arena_strndup(&req->arena, vs, (size_t)(ve - vs));
		c->items[c->count].value_len = (size_t)(ve - vs);
		c->count++;
	}
	return 0;
}

static bool
http_request_id_acceptable(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > HTTP_REQUEST_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
			return false;
	return true;
}

static enum http_method
http_method_parse(const char *m)
{
	int i = STR_INDEX(http_method_names, m);

	return i < 0 ? HTTP_METHOD_OTHER : (enum http_method)i;
}

static int http_request_parse(struct request *req, struct http_error *err);

int
http_request_init(struct request *req, char *const *env, http_body_reader read, void *read_ctx,
    struct http_error *err)
{
	memset(req, 0, sizeof *req);
	req->env = env;
	http_env_index(req);
	req->body_read = read;
	req->body_ctx = read_ctx;
	if (http_request_parse(req, &req->error) == 0)
		return 0;
	if (err != NULL)
		*err = req->error;
	return -1;
}

static int
http_request_parse(struct request *req, struct http_error *err)
{
	const char *v, *uri, *q;
	size_t plen, dlen;
	char *decoded;

	req->start_us = clock_mono_us();
	req->path = "/";
	req->query_string = "";
	req->content_type = "";
	req->method_name = "GET";

	/* The id first: every answer, even an error, echoes it. */
	v = http_header(req, "X-Request-Id");
	if (v != NULL && http_request_id_acceptable(v))
		strcpy(req->request_id, v);
	else if (rand_hex(req->request_id, 16) < 0)
		strcpy(req->request_id, "unavailable");

	req->client_addr = (v = http_env(req, "REMOTE_ADDR")) ? v : "";
	req->tls = (v = http_env(req, "HTTPS")) != NULL && strcasecmp(v, "on") == 0;

	v = http_env(req, "REQUEST_METHOD");
	req->method_name = v ? v : "GET";
	req->method = http_method_parse(req->method_name);

	uri = http_env(req, "REQUEST_URI");
	if (uri == NULL || *uri == '\0')
		uri = (v = http_env(req, "DOCUMENT_URI")) ? v : "/";
	req->raw_uri = uri;
	req->kind = http_request_kind_guess(req);	/* errors below are answered in it */
	q = strchr(uri, '?');
	plen = q ? (size_t)(q - uri) : strlen(uri);
	if (plen > HTTP_MAX_PATH_BYTES) {
		http_fail(err, 414, "Path too long", NULL);
		return -1;
	}
	decoded = http_percent_decode(&req->arena, uri, plen, false, &dlen);
	if (decoded == NULL) {
		http_fail(err, 400, "Malformed percent-encoding in path", NULL);
		return -1;
	}
	for (size_t i = 0; i < dlen; i++)
		if ((unsigned char)decoded[i] < 0x20 || decoded[i] == 0x7f) {
			http_fail(err, 400, "Control character in path", NULL);
			return -1;
		}
	if (!utf8_valid(decoded, dlen)) {
		http_fail(err, 400, "Path is not valid UTF-8", NULL);
		return -1;
	}
	if ((req->path = http_path_normalise(&req->arena, decoded, dlen)) == NULL) {
		req->path = "/";
		http_fail(err, 400, "Invalid path", NULL);
		return -1;
	}
	req->path_canonical = strlen(req->path) == dlen && memcmp(req->path, decoded, dlen) == 0;
	req->kind = http_request_kind_guess(req);

	v = http_env(req, "QUERY_STRING");
	req->query_string = v ? v : (q ? q + 1 : "");
	if (strlen(req->query_string) > HTTP_MAX_QUERY_BYTES) {
		http_fail(err, 414, "Query string too long", NULL);
		return -1;
	}
	if (http_parse_urlencoded(&req->arena, req->query_string, strlen(req->query_string),
	    &req->query, err) < 0)
		return -1;

	if ((v = http_header(req, "Cookie")) != NULL && http_parse_cookies(req, v, err) < 0)
		return -1;

	if ((v = http_env(req, "CONTENT_TYPE")) != NULL) {
		size_t n = strcspn(v, ";");
		char *ct = arena_strndup(&req->arena, v, n);

		while (n > 0 && ct[n - 1] == ' ')
			ct[--n] = '\0';
		for (char *p = ct; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		req->content_type = ct;
	}
	return 0;
}

void
http_request_drain(struct request *req)
{
	char scratch[HTTP_DRAIN_CHUNK];

	if (req->body_read == NULL)
		return;
	while (req->body_read(req->body_ctx, scratch, sizeof scratch) > 0)
		;
}

static int
http_parse_json_body(struct request *req, struct http_error *err)
{
	struct json_tokener *tok;
	const char *why = NULL;

	if (http_json_check_members(req->body, req->body_len, HTTP_JSON_MAX_DEPTH, &req->arena,
	    &req->json_faults, &why) < 0) {
		http_fail(err, 400, why, NULL);
		return -1;
	}
	/* Checked above, so json-c only builds; one more level for json-c's own counting. */
	if ((tok = json_tokener_new_ex(HTTP_JSON_MAX_DEPTH + 1)) == NULL) {
		http_fail(err, 500, "Internal error", NULL);
		return -1;
	}
	req->json = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
	if (req->json == NULL && json_tokener_get_error(tok) == json_tokener_continue)
		req->json = json_tokener_parse_ex(tok, "", 1);	/* a bare number needs an end */
	json_tokener_free(tok);
	if (req->json == NULL) {
		http_fail(err, 400, "Malformed JSON", NULL);
		return -1;
	}
	if (req->json_faults.total > 0) {
		/* refused as a whole to every reader but an input spec (web_input), which reads the
		 * tree to name each field: the bad string or the last of the twins is in it */
		req->json_faulty = req->json;
		req->json = NULL;
		http_fail(err, 400, http_json_fault_message(&req->json_faults), NULL);
		return -1;
	}
	return 0;
}

int
http_request_read_body(struct request *req, size_t max_body, struct http_error *err)
{
	const char *v = http_env(req, "CONTENT_LENGTH");
	unsigned long long declared = 0;
	char *body, *end;
	size_t got = 0;

	if (req->body_done) {
		http_fail(err, 500, "Internal error", NULL);
		return -1;
	}
	req->body_done = true;
	if (v != NULL && *v != '\0') {
		errno = 0;
		declared = strtoull(v, &end, 10);
		if (*end != '\0' || errno != 0 || *v == '-') {
			http_fail(err, 400, "Invalid Content-Length", "Content-Length");
			return -1;
		}
	}
	if (declared > max_body) {
		http_fail(err, 413, "Request body too large", NULL);
		return -1;
	}
	body = arena_alloc(&req->arena, (size_t)declared + 1);
	while (got < declared && req->body_read != NULL) {
		ssize_t r = req->body_read(req->body_ctx, body + got, (size_t)declared - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < declared) {
		http_fail(err, 400, "Request body shorter than Content-Length", NULL);
		return -1;
	}
	body[got] = '\0';
	req->body = body;
	req->body_len = got;
	if (got == 0)
		return 0;
	if (strcmp(req->content_type, "application/x-www-form-urlencoded") == 0)
		return http_parse_form(&req->arena, body, got, &req->form, err);
	if (strcmp(req->content_type, "application/json") == 0)
		return http_parse_json_body(req, err);
	return 0;
}

enum http_kind
http_request_kind_guess(const struct request *req)
{
	const char *accept = http_header(req, "Accept");

	/* req->path is "/" until the path is known good; the raw URI decides before that */
	if (strncmp(req->path, "/api/", 5) == 0 || strncmp(req->path, "/webhooks/", 10) == 0 ||
	    (req->raw_uri != NULL && (strncmp(req->raw_uri, "/api/", 5) == 0 ||
	    strncmp(req->raw_uri, "/webhooks/", 10) == 0)))
		return HTTP_KIND_JSON;
	if (accept != NULL && strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/html") == NULL)
		return HTTP_KIND_JSON;
	return HTTP_KIND_HTML;
}

void
http_request_free(struct request *req)
{
	if (req->json != NULL)
		json_object_put(req->json);
	if (req->json_faulty != NULL)
		json_object_put(req->json_faulty);
	req->json = req->json_faulty = NULL;
	arena_free(&req->arena);
}
