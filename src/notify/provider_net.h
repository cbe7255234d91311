/* provider_net.h: private to notify/ — how notify's HTTP providers (twilio.c, sendgrid.c,
 * meta_whatsapp.c, gallabox.c) call out through net/ (net/net.h), and read the outcome.
 *
 * How the client's retries and the outbox's compose (the rule; docs/net.md says it too):
 * the outbox is the retry loop for sends. It is durable, its backoff runs in minutes, and
 * a message may be retried there only because each attempt is recorded. So a send asks the
 * client for NET_RETRY_UNSENT: one more attempt only when the request surely never reached
 * the provider (DNS, connect, TLS), and never after it may have (a timeout mid-exchange,
 * 5xx, 429), because a message created twice reaches the patient twice. Every attempt and
 * wait fits in the call's budget, KAIROS_PROVIDER_TIMEOUT_MS, which the lease rule already
 * allows a send (runner.c), so the client never makes a job wait longer than it did
 * before. 429 and 5xx go back to the outbox, with the provider's Retry-After.
 *
 * The per-provider rate limit stays the runner's (KAIROS_PROVIDER_RATE_LIMITS): it knows
 * the claim's lease deadline and hands back unsent what would start after it, so the
 * providers' clients set no rate of their own (a second bucket would only add waits). */
#ifndef KAIROS_NOTIFY_PROVIDER_NET_H
#define KAIROS_NOTIFY_PROVIDER_NET_H

#include "net/net.h"
#include "notify/notify.h"

/* Attempts per send: the first, and one more when it surely never arrived. */
#define NOTIFY_NET_ATTEMPTS 2
/* An answer bigger than this is no provider's answer: the call fails (NET_TOO_LARGE) and
 * the send is retried by the outbox. */
#define NOTIFY_NET_MAX_RESPONSE (64 * 1024)
/* A log line's message naming the provider ("gallabox answer without a message id") */
#define NOTIFY_NET_LOG_SIZE 96

struct json_object;

/* Sets up a provider's client c: base URL, KAIROS_PROVIDER_TIMEOUT_MS as both the attempt's
 * time and the call's budget, NOTIFY_NET_ATTEMPTS, no rate limit (above), and the given
 * authentication (user and secret: Basic's pair, or secret alone as the Bearer token).
 * Strings are borrowed. A bad base URL is logged, and every call then fails at once
 * (NET_BAD_REQUEST), which the outbox retries until the setting is fixed. */
void notify_net_client(struct net_client *c, const char *name, const char *base_url,
	long timeout_ms, enum net_auth auth, const char *user, const char *secret);

/* How a provider reads its answers to a send (notify_net_send). */
struct notify_net_answers {
	const char *name;	/* "twilio": errors and log lines name it */
	/* The provider accepted m: r from its answer (notify_net_sent, mostly). Here and in
	 * refused, answer is the body as JSON, NULL when it is not (borrowed). */
	void (*accepted)(const struct notify_outgoing *m, const struct net_response *resp,
		struct json_object *answer, struct notify_result *r);
	/* An HTTP answer of status refused m: r->error, and r->outcome where the body tells
	 * more than the status did, from the answer. */
	void (*refused)(struct notify_result *r, long status, struct json_object *answer);
	/* A 2xx answer too long to read counts as accepted (its id unread), not as a failure. */
	bool accept_oversized;
};

/* Sends message m as req (the provider's method, path, headers and body) through c, by the
 * rule above: NET_RETRY_UNSENT, m's id as the request id. r as `answers` reads the answer,
 * or the net error when none came. 0 when it was sent, else -1. */
int notify_net_send(const struct net_client *c, struct net_request *req,
	const struct notify_outgoing *m, const struct notify_net_answers *answers,
	struct notify_result *r);

/* A doctor check's request (GET path, with c's credentials): true when the answer is 200,
 * which is then in resp (initialised by the caller, who frees it). Otherwise msg says why:
 * "<base URL> unreachable: …", "<credentials> refused (HTTP n)" for 401 and 403, or
 * "unexpected HTTP n from <resource>". */
bool notify_net_check(const struct net_client *c, const char *path, const char *credentials,
	const char *resource, struct net_response *resp, char *msg, size_t size);

/* After the provider accepted message m: r is sent, with id (a string of its answer, or
 * NULL) as the provider's id. An answer without one still counts as sent, since retrying
 * could send it twice: its id is "name-<m's id>", and only its delivery reports will not
 * find it (logged). */
void notify_net_sent(const char *name, const struct notify_outgoing *m, struct json_object *id,
	struct notify_result *r);

/* For provider `name` when it sends WhatsApp templates by their names (Meta, Gallabox): m's
 * variables (the caller puts them), and in template the name of m's template there (its
 * NAME=ID pair in templates, KAIROS_WHATSAPP_TEMPLATES, else derived). NULL with r rejected
 * when m has no template or its variables are malformed: messages a business starts must be
 * approved templates. */
struct json_object *notify_wa_template(const char *name, const char *templates,
	const struct notify_outgoing *m, char template[NOTIFY_WA_MAX_ID], struct notify_result *r);

#endif
