/* http_client.h: private to notify/ — the one way its HTTP providers call out with libcurl:
 * a timeout (connect and total), no signals, http(s) only, our User-Agent, a capped answer,
 * and the headers providers answer with (Retry-After, X-Message-Id).
 *
 * notify_http_call() does a whole JSON-style request (Meta, Gallabox, SendGrid's reads);
 * providers that need more of libcurl (Twilio's form encoding and Basic auth, SendGrid's
 * send) set up their own handle with notify_http_setup(). */
#ifndef KAIROS_NOTIFY_HTTP_CLIENT_H
#define KAIROS_NOTIFY_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "core/core.h"
#include "notify/notify.h"

/* An answer bigger than this is no provider's answer: the transfer is aborted, and the
 * call is a retryable failure. */
#define NOTIFY_HTTP_MAX_RESPONSE (64 * 1024)
#define NOTIFY_HTTP_MAX_HEADERS  8
#define NOTIFY_HTTP_MAX_ERROR    256
/* Room for a provider's message id taken from a header (X-Message-Id: 22 characters). */
#define NOTIFY_HTTP_MAX_ID       128

/* One request for notify_http_call. Strings are borrowed for the call. */
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
	int        retry_after;	/* seconds, from a Retry-After header (429), or 0 */
	char       message_id[NOTIFY_HTTP_MAX_ID];	/* X-Message-Id, or "" */
	bool       too_big;	/* the body went past NOTIFY_HTTP_MAX_RESPONSE */
	char       error[NOTIFY_HTTP_MAX_ERROR];	/* why there was no answer */
};

void notify_http_reply_init(struct notify_http_reply *r);
void notify_http_reply_free(struct notify_http_reply *r);

/* The calling thread's libcurl handle, reset to defaults: a provider's send takes it instead
 * of making its own, so the connections it opened (to Twilio, SendGrid, Meta, Gallabox, all
 * of which keep them alive) are reused by the next send on the same thread rather than a
 * TCP and TLS handshake per message. curl_easy_reset keeps live connections, the TLS
 * session and the DNS cache. Owned by the thread: never clean it up; a thread that ends
 * calls notify_http_thread_end(). NULL when libcurl cannot make one. One handle per thread,
 * so no handle is ever used by two threads at once (libcurl's rule). */
CURL *notify_http_handle(void);

/* What every provider call shares: url, timeouts, no signals (we run in workers and the job
 * runner), http(s) only, our User-Agent, and the body and header callbacks writing into
 * reply (which must outlive the transfer). */
void notify_http_setup(CURL *c, const char *url, long timeout_ms, struct notify_http_reply *reply);

/* Performs req. 0 when an HTTP answer arrived (any status, r->status says which) and was
 * read whole; -1 otherwise, with r->error set. r is always initialised: free it after. */
int  notify_http_call(const struct notify_http_request *req, struct notify_http_reply *r);

/* The outcome of a send that got HTTP status (0: none): 2xx sent, 429 and 5xx (and no or
 * an oversized answer) retry, any other status rejected. */
enum notify_outcome notify_http_outcome(long status, bool too_big);

#endif
