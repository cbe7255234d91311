/* http_client.h: private to notify/ — the one way its JSON-speaking providers (Meta,
 * Gallabox) call out over HTTP with libcurl: a timeout, no signals, http(s) only, a capped
 * answer, Retry-After read. (twilio.c still has its own form-encoding helpers; they can move
 * here when the providers are merged.) */
#ifndef KAIROS_NOTIFY_HTTP_CLIENT_H
#define KAIROS_NOTIFY_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "notify/notify.h"

/* An answer bigger than this is not a provider's; the call is then a retryable failure. */
#define NOTIFY_HTTP_MAX_RESPONSE (64 * 1024)
#define NOTIFY_HTTP_MAX_HEADERS  8
#define NOTIFY_HTTP_MAX_ERROR    256

/* One request. Strings are borrowed for the call. */
struct notify_http_request {
	const char *method;	/* "GET" or "POST" */
	const char *url;
	const char *headers[NOTIFY_HTTP_MAX_HEADERS];	/* "Name: value", NULL-terminated */
	const char *body;	/* POST only; sent as is */
	size_t      body_len;
	long        timeout_ms;
};

/* What came back. body is owned by the reply: free with notify_http_reply_free(). */
struct notify_http_reply {
	long       status;	/* 0 when no HTTP answer arrived */
	struct buf body;
	int        retry_after;	/* seconds, from a Retry-After header, or 0 */
	bool       too_big;
	char       error[NOTIFY_HTTP_MAX_ERROR];	/* why there was no answer */
};

/* Performs req. 0 when an HTTP answer arrived (any status, r->status says which) and was
 * read whole; -1 otherwise, with r->error set. r is always initialised: free it after. */
int  notify_http_call(const struct notify_http_request *req, struct notify_http_reply *r);
void notify_http_reply_free(struct notify_http_reply *r);

/* The outcome of a send that got HTTP status (0: none): 2xx sent, 429 and 5xx (and no or
 * an oversized answer) retry, any other status rejected. */
enum notify_outcome notify_http_outcome(long status, bool too_big);

#endif
