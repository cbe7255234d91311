/* http_client.c: libcurl plumbing shared by the HTTP providers (see http_client.h). */
#include "notify/http_client.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
notify_http_reply_init(struct notify_http_reply *r)
{
	memset(r, 0, sizeof *r);
	r->body = (struct buf)BUF_INIT;
}

void
notify_http_reply_free(struct notify_http_reply *r)
{
	buf_free(&r->body);
}

static size_t
notify_http_body_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct notify_http_reply *r = ctx;

	if (r->body.len + size * n > NOTIFY_HTTP_MAX_RESPONSE) {
		r->too_big = true;
		return 0;	/* aborts the transfer */
	}
	buf_append(&r->body, p, size * n);
	return size * n;
}

/* The value of header line p (len bytes) when it is `name`, trimmed, into out; else false. */
static bool
notify_http_header_value(const char *p, size_t len, const char *name, char *out, size_t size)
{
	size_t n = strlen(name), end;

	if (len <= n || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return false;
	p += n + 1;
	len -= n + 1;
	while (len > 0 && (*p == ' ' || *p == '\t'))
		p++, len--;
	for (end = len; end > 0 && isspace((unsigned char)p[end - 1]); end--)
		;
	if (end >= size)
		end = size - 1;	/* longer than any id we know: kept truncated, never overflowing */
	memcpy(out, p, end);
	out[end] = '\0';
	return true;
}

static size_t
notify_http_header_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct notify_http_reply *r = ctx;
	size_t len = size * n;
	char v[32];

	/* Retry-After in seconds; an HTTP date is rare from APIs, and then our backoff applies */
	if (notify_http_header_value(p, len, "Retry-After", v, sizeof v))
		r->retry_after = atoi(v);
	else
		notify_http_header_value(p, len, "X-Message-Id", r->message_id, sizeof r->message_id);
	return len;
}

/* Thread-local: each send thread has its own handle (and so its own connection cache). */
static _Thread_local CURL *notify_http_tls;

CURL *
notify_http_handle(void)
{
	if (notify_http_tls == NULL)
		notify_http_tls = curl_easy_init();
	else
		curl_easy_reset(notify_http_tls);
	return notify_http_tls;
}

void
notify_http_thread_end(void)
{
	if (notify_http_tls != NULL)
		curl_easy_cleanup(notify_http_tls);
	notify_http_tls = NULL;
}

void
notify_http_setup(CURL *c, const char *url, long timeout_ms, struct notify_http_reply *reply)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kairos");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, notify_http_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, notify_http_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, reply);
}

int
notify_http_call(const struct notify_http_request *req, struct notify_http_reply *r)
{
	struct curl_slist *headers = NULL;
	CURLcode cc;
	CURL *c;

	notify_http_reply_init(r);
	if ((c = notify_http_handle()) == NULL) {
		snprintf(r->error, sizeof r->error, "curl_easy_init failed");
		return -1;
	}
	for (size_t i = 0; i < NOTIFY_HTTP_MAX_HEADERS && req->headers[i] != NULL; i++)
		headers = curl_slist_append(headers, req->headers[i]);
	notify_http_setup(c, req->url, req->timeout_ms, r);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(headers);	/* the handle stays with the thread (notify_http_handle) */
	if (cc != CURLE_OK) {
		snprintf(r->error, sizeof r->error, "%s", r->too_big ? "answer too large"
		    : curl_easy_strerror(cc));
		if (!r->too_big)
			r->status = 0;	/* no complete answer: the request may or may not have landed */
		return -1;
	}
	return 0;
}

enum notify_outcome
notify_http_outcome(long status, bool too_big)
{
	if (status >= 200 && status < 300 && !too_big)
		return NOTIFY_SENT;
	if (status == 0 || status == 429 || status >= 500 || too_big)
		return NOTIFY_RETRY;
	return NOTIFY_REJECTED;
}
