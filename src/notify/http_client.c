/* http_client.c: libcurl calls for notify's JSON providers (see http_client.h). */
#include "notify/http_client.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

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

static size_t
notify_http_header_cb(char *p, size_t size, size_t n, void *ctx)
{
	struct notify_http_reply *r = ctx;
	size_t len = size * n;

	/* Retry-After in seconds; an HTTP date is rare from APIs and then we use our backoff */
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0)
		r->retry_after = atoi(p + 12);
	return len;
}

int
notify_http_call(const struct notify_http_request *req, struct notify_http_reply *r)
{
	struct curl_slist *headers = NULL;
	CURLcode cc;
	CURL *c;

	memset(r, 0, sizeof *r);
	r->body = (struct buf)BUF_INIT;
	if ((c = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof r->error, "curl_easy_init failed");
		return -1;
	}
	for (size_t i = 0; i < NOTIFY_HTTP_MAX_HEADERS && req->headers[i] != NULL; i++)
		headers = curl_slist_append(headers, req->headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);	/* workers and the runner own their signals */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kairos");
	if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, notify_http_body_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, notify_http_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	if (cc != CURLE_OK) {
		snprintf(r->error, sizeof r->error, "%s", r->too_big ? "answer too large"
		    : curl_easy_strerror(cc));
		if (!r->too_big)
			r->status = 0;	/* no complete answer: the request may or may not have landed */
		return -1;
	}
	return 0;
}

void
notify_http_reply_free(struct notify_http_reply *r)
{
	buf_free(&r->body);
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
