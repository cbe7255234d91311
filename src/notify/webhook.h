/* webhook.h: private to notify/ — what the providers' webhook readers (twilio.c, sendgrid.c,
 * meta_whatsapp.c) share: the answer they fill (notify.h, struct notify_webhook), the
 * answer to a batch of reports, and reading a string out of a provider's JSON. */
#ifndef KAIROS_NOTIFY_WEBHOOK_H
#define KAIROS_NOTIFY_WEBHOOK_H

#include <json-c/json.h>

#include "notify/notify.h"

/* a: status with a plain error (message and field static), logged as refused with why. */
void notify_webhook_refuse(struct notify_webhook *a, int status, const char *error,
	const char *field);
/* a: 400 {"error":"Invalid request","details": details}; takes details. */
void notify_webhook_invalid(struct notify_webhook *a, struct json_object *details);
/* The answer to a batch of delivery reports (SendGrid events, Meta statuses). When some
 * report changed or confirmed a message: 200 with the counts ("updated" counts both).
 * When none did, the batch is answered like a single report would be (as Twilio's is):
 * an unknown message 404, a replay or an out-of-order report 409 — logged, nothing
 * changed. Words that are not delivery states (opens, clicks) alone: 200. */
void notify_webhook_batch(struct notify_webhook *a, const char *provider, int updated,
	int unchanged, int unknown, int ignored);
/* The string member key of object o, or NULL (also when o is no object, and for a string
 * with a NUL inside: a provider's value is refused like anyone's, never cut). */
const char *notify_webhook_str(struct json_object *o, const char *key);

#endif
