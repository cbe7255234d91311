/* http_client.h: what the HTTP providers (twilio.c, sendgrid.c) share about libcurl — a
 * bounded capture of the answer's body, the headers a provider answers with (Retry-After,
 * X-Message-Id), and the options every call sets. Private to notify/. */
#ifndef KAIROS_NOTIFY_HTTP_CLIENT_H
#define KAIROS_NOTIFY_HTTP_CLIENT_H

#include <stdbool.h>

#include <curl/curl.h>

#include "core/core.h"

/* An answer bigger than this is no provider's answer: the transfer is aborted. */
#define NOTIFY_HTTP_MAX_RESPONSE (64 * 1024)
/* Room for a provider's message id taken from a header (X-Message-Id: 22 characters). */
#define NOTIFY_HTTP_MAX_ID       128

struct notify_http_reply {
	struct buf body;	/* owned; freed by notify_http_reply_free */
	int        retry_after;	/* Retry-After in seconds (429), or 0 */
	char       message_id[NOTIFY_HTTP_MAX_ID];	/* X-Message-Id, or "" */
	bool       too_big;	/* the body went past NOTIFY_HTTP_MAX_RESPONSE */
};

void notify_http_reply_init(struct notify_http_reply *r);
void notify_http_reply_free(struct notify_http_reply *r);

/* What every provider call shares: url, a timeout (connect and total), no signals (we run
 * in workers and the job runner), http(s) only, our User-Agent, and the body and header
 * callbacks writing into reply (which must outlive the transfer). */
void notify_http_setup(CURL *c, const char *url, long timeout_ms, struct notify_http_reply *reply);

#endif
