/* net.c: the outbound HTTP client over libcurl's easy interface (the rules: net.h). */
#include "net/net.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "core/core.h"

/* A retry is only worth making with at least this long left for it: less, and the attempt
 * would time out before a provider that answers in 100-500 ms could. */
#define NET_MIN_ATTEMPT_MS 250L
/* The default number of tokens a host's bucket may save up: one, so calls start evenly
 * spaced rather than in bursts a provider counting over a fraction of a second refuses. */
#define NET_DEFAULT_BURST 1.0
/* Bytes of a Retry-After value we read: "Sun, 06 Nov 1994 08:49:37 GMT" is 29. */
#define NET_MAX_RETRY_AFTER_TEXT 64
#define NET_US_PER_MS 1000LL
/* A Retry-After past this is nonsense or an outage: read as this, which no call waits out. */
#define NET_RETRY_AFTER_CEILING_S (24L * 3600)

/* ---- per-host token buckets, per process ---- */

struct net_bucket {
	char      origin[NET_MAX_HOST];
	double    per_us;	/* tokens added per microsecond */
	double    burst;
	double    tokens;	/* may go below zero: each is a call sleeping until its start */
	long long at_us;	/* monotonic time tokens was last brought up to date */
};

/* Written under net_buckets_mu only; a bucket never moves once made, so a client keeps a
 * pointer to it. Never freed: at most NET_MAX_HOSTS, made at start-up. */
static struct net_bucket net_buckets[NET_MAX_HOSTS];
static int net_nbuckets;
static pthread_mutex_t net_buckets_mu = PTHREAD_MUTEX_INITIALIZER;

/* The bucket of origin, made when new. Two clients of one host share it, at the lower of
 * their rates (the provider's limit is per host, whoever asks). NULL when the table is full. */
static struct net_bucket *
net_bucket_for(const char *origin, double rate_per_s, double burst)
{
	struct net_bucket *b = NULL;

	pthread_mutex_lock(&net_buckets_mu);
	for (int i = 0; i < net_nbuckets && b == NULL; i++)
		if (strcmp(net_buckets[i].origin, origin) == 0)
			b = &net_buckets[i];
	if (b != NULL) {
		if (rate_per_s / 1e6 < b->per_us)
			b->per_us = rate_per_s / 1e6;
		if (burst < b->burst)
			b->burst = burst;
	} else if (net_nbuckets < NET_MAX_HOSTS) {
		b = &net_buckets[net_nbuckets++];
		snprintf(b->origin, sizeof b->origin, "%s", origin);
		b->per_us = rate_per_s / 1e6;
		b->burst = b->tokens = burst;
		b->at_us = clock_mono_us();
	}
	pthread_mutex_unlock(&net_buckets_mu);
	return b;
}

/* Reserves a token: the monotonic time the attempt may start, now or later; -1 when that
 * would be after deadline, and then nothing is taken. */
static long long
net_bucket_take(struct net_bucket *b, long long deadline)
{
	long long now = clock_mono_us(), start;

	pthread_mutex_lock(&net_buckets_mu);
	b->tokens += (double)(now - b->at_us) * b->per_us;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->at_us = now;
	start = b->tokens >= 1.0 ? now : now + (long long)((1.0 - b->tokens) / b->per_us) + 1;
	if (start > deadline)
		start = -1;
	else
		b->tokens -= 1.0;
	pthread_mutex_unlock(&net_buckets_mu);
	return start;
}

/* ---- clients ---- */

/* "scheme://host:port" of url into out, the port made explicit; -1 when url is not an
 * absolute http(s) URL with a host, or carries credentials (they would end up in places
 * a URL goes: settings pages, error messages). */
static int
net_origin(const char *url, char *out, size_t size)
{
	const char *scheme, *host;
	size_t n;
	bool https;

	if (strncmp(url, "https://", 8) == 0)
		https = true, scheme = "https", host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		https = false, scheme = "http", host = url + 7;
	else
		return -1;
	n = strcspn(host, "/?#");
	if (n == 0 || memchr(host, '@', n) != NULL || host[n] == '?' || host[n] == '#')
		return -1;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -1;
	/* a port is there unless the host (or a [v6] literal's closing bracket) ends it */
	{
		const char *colon = NULL;

		for (size_t i = 0; i < n; i++)
			if (host[i] == ':')
				colon = host + i;
			else if (host[i] == ']')
				colon = NULL;
		if ((size_t)snprintf(out, size, "%s://%.*s%s", scheme, (int)n, host,
		    colon != NULL ? "" : https ? ":443" : ":80") >= size)
			return -1;
	}
	return 0;
}

int
net_client_init(struct net_client *c, char *why, size_t size)
{
	if (c->name == NULL)
		c->name = "net";
	if (c->base_url == NULL || net_origin(c->base_url, c->origin, sizeof c->origin) < 0) {
		snprintf(why, size, "%s: the base URL is not an http(s) URL with a host and no credentials",
		    c->name);
		return -1;
	}
	c->base_len = strlen(c->base_url);
	while (c->base_len > 0 && c->base_url[c->base_len - 1] == '/')
		c->base_len--;
	if (c->connect_timeout_ms <= 0)
		c->connect_timeout_ms = NET_DEFAULT_CONNECT_TIMEOUT_MS;
	if (c->timeout_ms <= 0)
		c->timeout_ms = NET_DEFAULT_TIMEOUT_MS;
	if (c->budget_ms <= 0)
		c->budget_ms = c->timeout_ms;
	if (c->max_attempts <= 0)
		c->max_attempts = NET_DEFAULT_MAX_ATTEMPTS;
	if (c->max_attempts > NET_MAX_ATTEMPTS)
		c->max_attempts = NET_MAX_ATTEMPTS;
	if (c->backoff_base_ms <= 0)
		c->backoff_base_ms = NET_DEFAULT_BACKOFF_BASE_MS;
	if (c->backoff_max_ms <= 0)
		c->backoff_max_ms = NET_DEFAULT_BACKOFF_MAX_MS;
	if (c->max_response == 0)
		c->max_response = NET_DEFAULT_MAX_RESPONSE;
	if (c->user_agent == NULL)
		c->user_agent = NET_DEFAULT_USER_AGENT;
	if (c->idempotency_header == NULL)
		c->idempotency_header = NET_DEFAULT_IDEMPOTENCY_HEADER;
	if (c->burst < 1.0)
		c->burst = NET_DEFAULT_BURST;
	if ((c->auth == NET_AUTH_BASIC && (c->username == NULL || c->password == NULL)) ||
	    (c->auth == NET_AUTH_BEARER && c->token == NULL)) {
		snprintf(why, size, "%s: credentials missing for the chosen authentication", c->name);
		return -1;
	}
	c->bucket = NULL;
	if (c->rate_per_s < 0) {
		snprintf(why, size, "%s: a negative rate limit", c->name);
		return -1;
	}
	if (c->rate_per_s > 0 &&
	    (c->bucket = net_bucket_for(c->origin, c->rate_per_s, c->burst)) == NULL) {
		snprintf(why, size, "%s: more than %d rate-limited hosts", c->name, NET_MAX_HOSTS);
		return -1;
	}
	return 0;
}

/* ---- responses ---- */

void
net_response_init(struct net_response *r)
{
	r->status = 0;
	r->body = (struct buf)BUF_INIT;
	r->headers = (struct buf)BUF_INIT;
}

void
net_response_free(struct net_response *r)
{
	buf_free(&r->body);
	buf_free(&r->headers);
	r->status = 0;
}

long
net_response_header(const struct net_response *r, const char *name, char *out, size_t size)
{
	size_t n = strlen(name);
	const char *p = buf_cstr(&r->headers);

	if (size > 0)
		*out = '\0';
	while (*p) {
		const char *eol = strchr(p, '\n'), *v, *end;

		if (eol == NULL)
			eol = p + strlen(p);
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			for (v = p + n + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
				;
			for (end = eol; end > v && isspace((unsigned char)end[-1]); end--)
				;
			if (size > 0) {
				size_t k = (size_t)(end - v) < size - 1 ? (size_t)(end - v) : size - 1;

				memcpy(out, v, k);
				out[k] = '\0';
			}
			return (long)(end - v);
		}
		p = *eol ? eol + 1 : eol;
	}
	return -1;
}

/* What the callbacks of one attempt write into. */
struct net_sink {
	struct net_response *resp;
	size_t               max;
	bool                 too_big;
};

static size_t
net_body_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct net_sink *s = ctx;

	if (s->resp->body.len + size * n > s->max) {
		s->too_big = true;
		return 0;	/* aborts the transfer */
	}
	buf_append(&s->resp->body, p, size * n);
	return size * n;
}

static size_t
net_header_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct net_sink *s = ctx;
	size_t len = size * n;

	/* a status line starts another answer (after a 100 Continue): keep the last one's */
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
		buf_reset(&s->resp->headers);
	else if (s->resp->headers.len + len <= NET_MAX_RESPONSE_HEADERS)
		buf_append(&s->resp->headers, p, len);
	return len;
}

/* ---- the pieces of a call ---- */

/* The calling thread's handle: connections, TLS sessions and DNS answers it keeps survive
 * the curl_easy_reset each attempt starts with, so every call on the thread reuses them. */
static _Thread_local CURL *net_tls_handle;

static CURL *
net_handle(void)
{
	if (net_tls_handle == NULL)
		net_tls_handle = curl_easy_init();
	return net_tls_handle;
}

void
net_thread_end(void)
{
	if (net_tls_handle != NULL)
		curl_easy_cleanup(net_tls_handle);
	net_tls_handle = NULL;
}

static const char *const net_error_names[] = {
	[NET_OK] = "ok", [NET_BAD_REQUEST] = "bad_request", [NET_RESOLVE] = "resolve",
	[NET_CONNECT] = "connect", [NET_TLS] = "tls", [NET_TIMEOUT] = "timeout",
	[NET_BROKEN] = "broken", [NET_TOO_LARGE] = "too_large", [NET_REDIRECT] = "redirect",
	[NET_HTTP_4XX] = "http_4xx", [NET_RATE_LIMITED] = "rate_limited",
	[NET_HTTP_5XX] = "http_5xx", [NET_THROTTLED] = "throttled", [NET_INTERNAL] = "internal",
};

const char *
net_error_name(enum net_error e)
{
	if ((size_t)e < sizeof net_error_names / sizeof *net_error_names && net_error_names[e])
		return net_error_names[e];
	return "unknown";
}

/* Failures where the request surely never left us. */
static bool
net_error_unsent(enum net_error e)
{
	return e == NET_RESOLVE || e == NET_CONNECT || e == NET_TLS;
}

bool
net_error_transient(enum net_error e)
{
	return net_error_unsent(e) || e == NET_TIMEOUT || e == NET_BROKEN ||
	    e == NET_RATE_LIMITED || e == NET_HTTP_5XX;
}

static bool
net_retry_allowed(enum net_retry mode, enum net_error e)
{
	switch (mode) {
	case NET_RETRY_UNSENT:
		return net_error_unsent(e);
	case NET_RETRY_ANY:
		return net_error_transient(e);
	default:
		return false;
	}
}

/* NET_RETRY_AUTO made concrete for req (net.h). */
static enum net_retry
net_retry_mode(const struct net_request *req)
{
	static const char *const safe[] = { "GET", "HEAD", "PUT", "DELETE", "OPTIONS" };

	if (req->retry != NET_RETRY_AUTO)
		return req->retry;
	if (req->idempotency_key != NULL && *req->idempotency_key != '\0')
		return NET_RETRY_ANY;
	for (size_t i = 0; i < sizeof safe / sizeof *safe; i++)
		if (strcmp(req->method, safe[i]) == 0)
			return NET_RETRY_ANY;
	return NET_RETRY_UNSENT;
}

static bool
net_method_ok(const char *m)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
		"OPTIONS" };

	for (size_t i = 0; m != NULL && i < sizeof methods / sizeof *methods; i++)
		if (strcmp(m, methods[i]) == 0)
			return true;
	return false;
}

/* Whether s has a byte that would end a header line or a request target. */
static bool
net_has_ctl(const char *s, bool space_ok)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f || (*s == ' ' && !space_ok))
			return true;
	return false;
}

static enum net_error
net_classify_curl(CURLcode cc, bool sent)
{
	switch (cc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return NET_BAD_REQUEST;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return NET_RESOLVE;
	case CURLE_COULDNT_CONNECT:
		return NET_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		/* before the request went out it was the connect (or handshake) that took too long */
		return sent ? NET_TIMEOUT : NET_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return sent ? NET_BROKEN : NET_TLS;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_FAILED_INIT:
		return NET_INTERNAL;
	default:
		return sent ? NET_BROKEN : NET_CONNECT;
	}
}

static enum net_error
net_classify_status(long status)
{
	if (status >= 200 && status < 300)
		return NET_OK;
	if (status >= 300 && status < 400)
		return NET_REDIRECT;
	if (status == 429)
		return NET_RATE_LIMITED;
	if (status >= 400 && status < 500)
		return NET_HTTP_4XX;
	if (status >= 500 && status < 600)
		return NET_HTTP_5XX;
	return NET_BROKEN;	/* 1xx as a final answer, or nonsense: not HTTP as we speak it */
}

/* ---- Retry-After and backoff ---- */

long
net_retry_after_parse(const char *value, long long now)
{
	char *end;
	long long v;
	time_t when;

	while (*value == ' ' || *value == '\t')
		value++;
	if (*value >= '0' && *value <= '9') {
		errno = 0;
		v = strtoll(value, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (errno != 0 || *end != '\0' || v < 0)
			return -1;
		return v > NET_RETRY_AFTER_CEILING_S ? NET_RETRY_AFTER_CEILING_S : (long)v;
	}
	/* an HTTP date (RFC 9110 §5.6.7; curl_getdate also reads the obsolete forms) */
	if ((when = curl_getdate(value, NULL)) == (time_t)-1)
		return -1;
	if ((long long)when <= now)
		return 0;
	v = (long long)when - now;
	return v > NET_RETRY_AFTER_CEILING_S ? NET_RETRY_AFTER_CEILING_S : (long)v;
}

long
net_backoff_ms(long base_ms, long max_ms, int n, uint32_t rnd)
{
	long wait = base_ms;

	for (int i = 1; i < n && wait < max_ms; i++)
		wait *= 2;
	if (wait > max_ms)
		wait = max_ms;
	return wait / 2 + (long)((double)(wait - wait / 2) * ((double)rnd / (double)UINT32_MAX));
}

/* ---- one attempt ---- */

/* The outcome of one attempt, as net_request weighs it. */
struct net_attempt {
	enum net_error code;
	CURLcode       cc;
	bool           sent;	/* the request may have reached the server */
	long           connects;	/* new connections it opened (0: a kept-alive one) */
	int            retry_after_s;	/* -1: none given */
};

static void
net_attempt(CURL *h, const struct net_client *c, const struct net_request *req, const char *url,
    struct curl_slist *headers, long remaining_ms, struct net_response *resp,
    struct net_attempt *a)
{
	struct net_sink sink = { resp, c->max_response, false };
	curl_off_t pretransfer = 0;
	char ra[NET_MAX_RETRY_AFTER_TEXT];
	long timeout = c->timeout_ms < remaining_ms ? c->timeout_ms : remaining_ms;
	long connect = c->connect_timeout_ms < timeout ? c->connect_timeout_ms : timeout;

	buf_reset(&resp->body);
	buf_reset(&resp->headers);
	resp->status = 0;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);	/* workers and the runner's threads */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);	/* net.h: redirects are errors */
	curl_easy_setopt(h, CURLOPT_MAXCONNECTS, (long)NET_MAX_CONNECTIONS);
	/* 0 means "no limit" to libcurl: a call with 0 ms left was stopped before this */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout > 0 ? timeout : 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect > 0 ? connect : 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, net_body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, net_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
	if (c->auth == NET_AUTH_BASIC) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	} else if (c->auth == NET_AUTH_BEARER) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, c->token);
	}
	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (req->body != NULL || strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	} else if (strcmp(req->method, "GET") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);

	a->cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &a->connects);
	a->sent = pretransfer > 0 || resp->status != 0;
	if (sink.too_big)
		a->code = NET_TOO_LARGE;
	else if (a->cc != CURLE_OK) {
		a->code = net_classify_curl(a->cc, a->sent);
		resp->status = 0;	/* no whole answer: a status alone would mislead */
	} else
		a->code = net_classify_status(resp->status);
	a->retry_after_s = -1;
	if ((a->code == NET_RATE_LIMITED || a->code == NET_HTTP_5XX) &&
	    net_response_header(resp, "Retry-After", ra, sizeof ra) >= 0)
		a->retry_after_s = (int)net_retry_after_parse(ra, clock_now());
}

/* The request's headers as libcurl takes them; NULL in *bad when one cannot be sent. Owned
 * by the caller: net_headers_free. */
static struct curl_slist *
net_headers(const struct net_client *c, const struct net_request *req, bool *bad)
{
	struct curl_slist *h = NULL;
	struct buf line = BUF_INIT;

	*bad = false;
	/* no "Expect: 100-continue" round trip before a body: APIs answer at once anyway */
	h = curl_slist_append(h, "Expect:");
	if (req->content_type != NULL) {
		buf_printf(&line, "Content-Type: %s", req->content_type);
		*bad |= net_has_ctl(req->content_type, true);
		h = curl_slist_append(h, line.data);
		buf_reset(&line);
	}
	if (req->idempotency_key != NULL && *req->idempotency_key != '\0') {
		buf_printf(&line, "%s: %s", c->idempotency_header, req->idempotency_key);
		*bad |= net_has_ctl(line.data, true);
		h = curl_slist_append(h, line.data);
	}
	for (size_t i = 0; i < NET_MAX_HEADERS && req->headers[i] != NULL; i++) {
		*bad |= net_has_ctl(req->headers[i], true) || strchr(req->headers[i], ':') == NULL;
		h = curl_slist_append(h, req->headers[i]);
	}
	buf_free(&line);
	return h;
}

/* Header lines may hold credentials (apiSecret: …): wiped before the memory is reused. */
static void
net_headers_free(struct curl_slist *h)
{
	for (struct curl_slist *p = h; p != NULL; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static void
net_err_set(struct net_err *err, enum net_error code, long status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
net_err_set(struct net_err *err, enum net_error code, long status, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

static uint32_t
net_jitter(void)
{
	uint32_t r = UINT32_MAX / 2;

	(void)rand_bytes(&r, sizeof r);	/* without the kernel's bytes, the midpoint will do */
	return r;
}

int
net_request(const struct net_client *c, const struct net_request *req,
    struct net_response *resp, struct net_err *err)
{
	long long t0 = clock_mono_us(), deadline, now;
	long budget = req->budget_ms > 0 ? req->budget_ms : c->budget_ms;
	size_t pathlen = req->path != NULL ? strcspn(req->path, "?#") : 0;
	const char *rid = req->request_id != NULL && *req->request_id ? req->request_id : "-";
	enum net_retry mode = NET_RETRY_NEVER;
	struct net_attempt a = { NET_OK, CURLE_OK, false, 0, -1 };
	struct curl_slist *headers = NULL;
	struct buf url = BUF_INIT;
	bool bad = false, reused = false;
	CURL *h;

	memset(err, 0, sizeof *err);
	buf_reset(&resp->body);
	buf_reset(&resp->headers);
	resp->status = 0;
	deadline = t0 + budget * NET_US_PER_MS;
	if (c->origin[0] == '\0') {
		net_err_set(err, NET_BAD_REQUEST, 0, "the client's base URL was refused at set-up");
		goto out;
	}
	if (!net_method_ok(req->method) || req->path == NULL ||
	    (req->path[0] != '\0' && req->path[0] != '/') || net_has_ctl(req->path, false)) {
		net_err_set(err, NET_BAD_REQUEST, 0, "bad method or path");
		goto out;
	}
	headers = net_headers(c, req, &bad);
	if (bad || (req->headers[NET_MAX_HEADERS] != NULL)) {
		net_err_set(err, NET_BAD_REQUEST, 0, "a header with a line break or without a name");
		goto out;
	}
	if ((h = net_handle()) == NULL) {
		net_err_set(err, NET_INTERNAL, 0, "libcurl could not start");
		goto out;
	}
	mode = net_retry_mode(req);
	buf_append(&url, c->base_url, c->base_len);
	buf_puts(&url, req->path);

	for (;;) {
		long remaining, wait_ms;

		if (c->bucket != NULL) {
			long long start = net_bucket_take(c->bucket, deadline);

			if (start < 0) {
				if (err->attempts == 0)
					net_err_set(err, NET_THROTTLED, 0,
					    "rate limit of %s: no room before the deadline", c->origin);
				break;	/* else the last attempt's error stands */
			}
			clock_sleep_until_mono(start);
		}
		if ((remaining = (long)((deadline - clock_mono_us()) / NET_US_PER_MS)) <= 0) {
			if (err->attempts == 0)
				net_err_set(err, NET_TIMEOUT, 0, "no time left in the budget");
			break;
		}
		net_attempt(h, c, req, url.data, headers, remaining, resp, &a);
		err->attempts++;
		err->maybe_sent |= a.sent;
		reused |= a.connects == 0 && a.sent;
		if (a.code == NET_OK) {
			/* an earlier attempt's failure is history now: the call succeeded */
			err->code = NET_OK;
			err->status = resp->status;
			err->retry_after_s = 0;
			err->message[0] = '\0';
			break;
		}
		err->retry_after_s = a.retry_after_s > 0 ? a.retry_after_s : 0;
		if (a.cc != CURLE_OK && a.code != NET_TOO_LARGE)
			net_err_set(err, a.code, 0, "%s", curl_easy_strerror(a.cc));
		else if (a.code == NET_TOO_LARGE)
			net_err_set(err, a.code, resp->status, "answer larger than %zu bytes",
			    c->max_response);
		else
			net_err_set(err, a.code, resp->status, "HTTP %ld", resp->status);

		if (err->attempts >= c->max_attempts || !net_retry_allowed(mode, a.code))
			break;
		/* a longer Retry-After than we would ever wait: the caller's queue waits it */
		if (a.retry_after_s > NET_MAX_RETRY_AFTER_S)
			break;
		wait_ms = a.retry_after_s >= 0 ? a.retry_after_s * 1000L
		    : net_backoff_ms(c->backoff_base_ms, c->backoff_max_ms, err->attempts, net_jitter());
		now = clock_mono_us();
		if (now + (wait_ms + NET_MIN_ATTEMPT_MS) * NET_US_PER_MS > deadline)
			break;	/* the retry would not fit the budget: the caller decides */
		log_warn("net retry", "%s %s %s%.*s attempt %d: %s; again in %ld ms; request %s",
		    c->name, req->method, c->origin, (int)pathlen, req->path, err->attempts,
		    net_error_name(a.code), wait_ms, rid);
		clock_sleep_until_mono(now + wait_ms * NET_US_PER_MS);
	}
	if (err->code != NET_OK && err->attempts > 1) {
		size_t n = strlen(err->message);

		snprintf(err->message + n, sizeof err->message - n, " (%d attempts)", err->attempts);
	}
out:
	log_msg(err->code == NET_OK ? LOG_INFO : LOG_WARN, "net call",
	    "%s %s %s%.*s: %s, status %ld, %d attempt%s, %lld ms, connection %s; request %s",
	    c->name, req->method != NULL ? req->method : "?", c->origin, (int)pathlen,
	    req->path != NULL ? req->path : "", net_error_name(err->code), resp->status,
	    err->attempts, err->attempts == 1 ? "" : "s", (clock_mono_us() - t0) / NET_US_PER_MS,
	    reused ? "reused" : "new", rid);
	net_headers_free(headers);
	buf_free(&url);
	return err->code == NET_OK ? 0 : -1;
}

void
net_form_add(struct buf *form, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = { key, value };

	if (form->len)
		buf_putc(form, '&');
	for (int i = 0; i < 2; i++) {
		if (i == 1)
			buf_putc(form, '=');
		for (const unsigned char *p = (const unsigned char *)parts[i]; p && *p; p++)
			/* RFC 3986 unreserved, spelled out: isalnum() would follow the locale */
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~')
				buf_putc(form, (char)*p);
			else {
				buf_putc(form, '%');
				buf_putc(form, hex[*p >> 4]);
				buf_putc(form, hex[*p & 15]);
			}
	}
}
