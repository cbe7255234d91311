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

/* After a send's net_request failed: r->outcome (retry for what may pass: network errors,
 * 429, 5xx, an oversized answer; rejected for the rest), r->retry_after from a 429, and,
 * when no HTTP answer came, r->error "name: why". Returns whether an HTTP answer came,
 * for the provider to read its reason from the body. */
bool notify_net_failed(const char *name, const struct net_err *err, long status,
	struct notify_result *r);

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
