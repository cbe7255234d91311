/* notify: messages to people (SMS, WhatsApp, email) through a durable outbox (NOTE-2).
 *
 * notify_enqueue() writes a row in the caller's open transaction: the message exists if and
 * only if the event that caused it commits, and the event key makes a second enqueue of the
 * same event a no-op. Each queued message is a job of the general queue (jobs/, kind
 * NOTIFY_JOB_KIND, with the message's id: 0016), which owns its claim, lease, attempts,
 * backoff and dead letter; `kairos jobs` calls notify_run_due() to claim due ones in
 * batches, hand each to the channel's provider, and record the outcome.
 *
 * Providers sit behind struct notify_provider; providers.c picks one per channel from the
 * configuration. "outbox" (development) stores the message for `kairos outbox list` and
 * never sends it anywhere. */
#ifndef KAIROS_NOTIFY_H
#define KAIROS_NOTIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "core/core.h"
#include "db/db.h"
#include "http/http.h"
#include "net/net.h"

/* Rows one claim takes: enough to keep KAIROS_NOTIFY_CONCURRENCY threads busy for several
 * rounds (each batch ends with a tail where threads wait for its slowest send), few enough
 * that a runner killed mid-batch strands little behind its lease. */
#define NOTIFY_CLAIM_BATCH     200
#define NOTIFY_MAX_ERROR       1000	/* bytes of provider error kept */
/* A message is a job of this kind (notify_job_module) with the message's id: the queue owns
 * its claim, lease, attempts, backoff and dead letter; the row in notifications is its record. */
#define NOTIFY_JOB_KIND        "notify.send"
#define NOTIFY_MAX_ATTEMPTS    8	/* sends before a failing message is a dead letter */
#define NOTIFY_BACKOFF_MAX_SECONDS 3600	/* the longest wait between two attempts */
/* KAIROS_NOTIFY_LEASE_SECONDS and KAIROS_NOTIFY_BACKOFF_SECONDS when not set: notify.send's
 * lease and first retry delay (notify_job_rules applies the settings to its kind) */
#define NOTIFY_LEASE_SECONDS_DEFAULT   60
#define NOTIFY_BACKOFF_SECONDS_DEFAULT 5
#define NOTIFY_LIST_MAX        1000	/* rows `kairos outbox list` prints at most */
/* What a sensitive message's body becomes once a real provider has accepted it (0007). */
#define NOTIFY_REDACTED        "(removed after sending: it held a one-time secret)"

enum notify_channel { NOTIFY_SMS, NOTIFY_WHATSAPP, NOTIFY_EMAIL };

/* What to send. Strings are borrowed for the duration of the call. */
struct notify_message {
	const char          *org_id;	/* uuid */
	const char          *event_key;	/* unique per organisation: "appointment:<id>:confirmed:sms" */
	enum notify_channel  channel;
	const char          *recipient;	/* E.164 for sms/whatsapp, an address for email */
	const char          *subject;	/* email only; may be NULL */
	const char          *body_text;
	const char          *body_html;	/* email only; may be NULL */
	const char          *patient_id;	/* uuid of the patient it concerns, or NULL */
	const char          *requested_ip;	/* address of a person who caused it, or NULL */
	const char          *requested_by;	/* uuid of the staff member who sent it, or NULL */
	bool                 sensitive;	/* carries a secret: text removed once a provider has it */
	/* WhatsApp only (NULL otherwise): the Kairos template, with its variant
	 * ("appointment-confirmed" or "appointment-confirmed.phi-free"), and its variables as
	 * a JSON array [{"name","value"}, ...] in the order of the provider's {{1}}, {{2}}, ...;
	 * an entry with "button": "url" is also the parameter of the template's URL button. */
	const char          *template_name;
	const char          *template_vars;
};

/* A provider's answer to one send. */
enum notify_outcome {
	NOTIFY_SENT,		/* accepted; provider_id says under which id */
	NOTIFY_RETRY,		/* network error, 5xx, 429: try again later */
	NOTIFY_REJECTED,	/* 4xx: retrying cannot help */
};

struct notify_result {
	enum notify_outcome outcome;
	char provider_id[128];
	char error[NOTIFY_MAX_ERROR];
	int  retry_after;	/* seconds the provider asked us to wait (429), or 0 */
};

/* A message as the runner hands it to a provider. */
struct notify_outgoing {
	const char *id, *channel, *recipient, *subject, *body_text, *body_html;
	int         attempts;
	const char *template_name, *template_vars;	/* "" unless a WhatsApp template */
};

struct notify_provider {
	const char *name;
	/* Fills r; returns 0 when sent, -1 otherwise (r->outcome says whether to retry). */
	int       (*send)(const struct notify_provider *p, const struct notify_outgoing *m,
		struct notify_result *r);
	/* For `kairos doctor`: credential shape, then one harmless real request. true when
	 * usable; msg says what was found either way. NULL: nothing to check. */
	bool      (*check)(const struct notify_provider *p, char *msg, size_t size);
	const void *ctx;	/* the provider's settings, borrowed */
};

#define NOTIFY_CHANNELS 3	/* sms, whatsapp, email: indexes of enum notify_channel */

extern const struct notify_provider notify_provider_outbox;

/* Twilio's Messages API (twilio.c). Strings are borrowed and must outlive the provider.
 * One client serves SMS and WhatsApp: for the whatsapp channel, To and From carry the
 * whatsapp: prefix and a template goes as ContentSid + ContentVariables. */
struct notify_twilio {
	const char *base_url, *account_sid, *auth_token, *from;
	const char *status_callback;	/* our /webhooks/twilio/status URL, or NULL */
	long        timeout_ms;
	const char *templates;	/* KAIROS_WHATSAPP_TEMPLATES: NAME=ContentSid,... (whatsapp) */
	struct net_client net;	/* base_url's client, Basic auth: set up by notify_setup_init */
};

#define NOTIFY_TWILIO_SIGNATURE_SIZE 29	/* base64 of a SHA-1 HMAC, and a NUL */

/* X-Twilio-Signature: base64(HMAC-SHA1(auth token, url + each form key and value, in key
 * order)). url is the full URL Twilio called, as configured (never from the Host header).
 * Writes the signature into out. */
void notify_twilio_signature(const char *auth_token, const char *url, const struct http_params *form,
	char out[NOTIFY_TWILIO_SIGNATURE_SIZE]);
/* Whether `given` is the right signature, compared in constant time. */
bool notify_twilio_signature_ok(const char *auth_token, const char *url,
	const struct http_params *form, const char *given);
/* p->check reads the account resource after checking the SID's shape. */
/* Its send and check; a copy takes its settings (a struct notify_twilio) as ctx. */
extern const struct notify_provider notify_twilio_provider;

/* SendGrid's v3 Mail Send API (sendgrid.c). Strings are borrowed and must outlive the
 * provider. The provider id of a sent message is SendGrid's X-Message-Id. */
struct notify_sendgrid {
	const char *base_url, *api_key, *from, *from_name;
	const char *webhook_public_key;	/* base64 DER SPKI, or "": checked by p->check */
	long        timeout_ms;
	struct net_client net;	/* base_url's client, Bearer api_key: set up by notify_setup_init */
};

/* p->check: key shape (SG.), then GET /v3/scopes (any key may read its own scopes) and
 * whether mail.send is among them; and that the webhook key, when set, is a P-256 key. */
/* Its send and check; a copy takes its settings (a struct notify_sendgrid) as ctx. */
extern const struct notify_provider notify_sendgrid_provider;

/* Signed Event Webhook requests older (or further in the future) than this are refused, so a
 * captured request cannot be replayed later; within it, notify_webhook_once() catches a
 * replay. SendGrid signs each POST when it makes it. */
#define NOTIFY_SENDGRID_WEBHOOK_MAX_AGE 300	/* seconds */

/* Whether signature (base64 DER ECDSA, X-Twilio-Email-Event-Webhook-Signature) is
 * public_key's (base64 DER SubjectPublicKeyInfo, a P-256 key) over timestamp
 * (X-Twilio-Email-Event-Webhook-Timestamp) followed by the raw body, with SHA-256. Any
 * malformed input is false. The timestamp's age is not checked here. */
bool notify_sendgrid_signature_ok(const char *public_key, const char *timestamp,
	const char *body, size_t body_len, const char *signature);
/* Whether timestamp (decimal Unix seconds) is within NOTIFY_SENDGRID_WEBHOOK_MAX_AGE of now. */
bool notify_sendgrid_timestamp_fresh(const char *timestamp, long long now);
/* Whether public_key decodes to a P-256 public key; false with the reason in why. */
bool notify_sendgrid_public_key_ok(const char *public_key, char *why, size_t size);

/* Email over SMTP with libcurl (smtp.c). Strings are borrowed and must outlive the provider.
 * smtp:// requires STARTTLS unless allow_plaintext; smtps:// is TLS from the start. The
 * provider id of a sent message is the Message-ID we give it (without angle brackets). */
struct notify_smtp {
	const char *url, *username, *password, *from, *from_name;
	bool        allow_plaintext;
	long        timeout_ms;
};

#define NOTIFY_SMTP_MAX_LINE 76	/* characters of a base64 body line and of an encoded word */

/* p->check connects, reads the greeting, says EHLO, STARTTLS and AUTH as configured, and
 * hangs up: no mail is sent. */
/* Its send and check; a copy takes its settings (a struct notify_smtp) as ctx. */
extern const struct notify_provider notify_smtp_provider;

/* Builds the RFC 5322 message for m into out (owned by the caller): Date (date, e.g.
 * "Sat, 21 Nov 2026 07:00:00 +0000"), Message-ID <message_id>, From (from_name and from),
 * To, Subject (RFC 2047 encoded when not ASCII), MIME-Version, and a text/plain body, or
 * multipart/alternative text + html, UTF-8 in base64; boundary must not occur in the bodies
 * (a random one cannot). CRLF line ends. 0, or -1 when a header value has a line break
 * or a control character (nothing is sent then). */
int  notify_smtp_message(const struct notify_outgoing *m, const char *from, const char *from_name,
	const char *date, const char *message_id, const char *boundary, struct buf *out);
/* WhatsApp templates (whatsapp.c). A Kairos template NAME has a body text in
 * templates/whatsapp/NAME.mustache and NAME.phi-free.mustache, and a row in the catalogue
 * saying which model values are its variables. */
#define NOTIFY_WA_MAX_VARS      10	/* variables of one template */
#define NOTIFY_WA_MAX_VAR_BYTES 1000	/* one variable; Meta caps a template body at 1024 */
#define NOTIFY_WA_MAX_ID        128	/* a provider's template id or name */

/* The provider's template for the Kairos template `name` (with its variant suffix): the
 * NAME=ID pair in map (KAIROS_WHATSAPP_TEMPLATES), else, when derive is true, name with
 * '-' and '.' turned into '_'. Into out; 0, or -1 when neither applies. */
int  notify_whatsapp_template_id(const char *map, const char *name, bool derive,
	char out[NOTIFY_WA_MAX_ID]);
/* The variables (template_vars JSON) as a parsed array, or NULL when missing or malformed.
 * The caller puts the result (json_object_put). */
struct json_object *notify_whatsapp_vars(const char *json);
/* Whether a variable's value is one Meta accepts: 1..NOTIFY_WA_MAX_VAR_BYTES bytes, no
 * newline or tab, no more than 4 spaces in a row (Meta refuses those with #132018). */
bool notify_whatsapp_var_ok(const char *value);
/* Kairos template names the catalogue knows, NULL-terminated (for `kairos doctor`). */
extern const char *const notify_whatsapp_names[];

/* Meta's WhatsApp Cloud API (meta_whatsapp.c). Strings borrowed, like notify_twilio. */
struct notify_meta {
	const char *base_url, *api_version, *phone_number_id, *access_token, *language;
	const char *templates;	/* KAIROS_WHATSAPP_TEMPLATES */
	long        timeout_ms;
	struct net_client net;	/* base_url's client, Bearer access_token: notify_setup_init */
};
#define NOTIFY_META_SIGNATURE_SIZE 72	/* "sha256=" + 64 hex digits + NUL */

/* Its send and check; a copy takes its settings (a struct notify_meta) as ctx. */
extern const struct notify_provider notify_meta_provider;
/* X-Hub-Signature-256 of a webhook body: "sha256=" + lowercase hex HMAC-SHA256(app secret,
 * raw body), into out. */
void notify_meta_signature(const char *app_secret, const char *body, size_t len,
	char out[NOTIFY_META_SIGNATURE_SIZE]);
/* Whether `given` is the right X-Hub-Signature-256 (hex in either case), in constant time. */
bool notify_meta_signature_ok(const char *app_secret, const char *body, size_t len,
	const char *given);

/* Gallabox's developer API (gallabox.c). Strings borrowed, like notify_twilio. */
struct notify_gallabox {
	const char *base_url, *api_key, *api_secret, *channel_id;
	const char *templates;	/* KAIROS_WHATSAPP_TEMPLATES */
	long        timeout_ms;
	struct net_client net;	/* base_url's client (the keys go as headers): notify_setup_init */
};
/* Its send and check; a copy takes its settings (a struct notify_gallabox) as ctx. */
extern const struct notify_provider notify_gallabox_provider;

/* The provider of each channel as configured, with the settings they borrow. Init needs
 * no network; cfg must outlive the setup. Free with notify_setup_free(). */
struct notify_setup {
	const struct notify_provider *channel[NOTIFY_CHANNELS];	/* never NULL after init */
	struct notify_provider twilio_provider, twilio_whatsapp_provider;
	struct notify_twilio   twilio, twilio_whatsapp;
	struct buf             twilio_callback;
	struct notify_provider sendgrid_provider;
	struct notify_sendgrid sendgrid;
	struct notify_provider smtp_provider;
	struct notify_smtp     smtp;
	struct notify_provider meta_provider, gallabox_provider;
	struct notify_meta     meta;
	struct notify_gallabox gallabox;
};

void notify_setup_init(struct notify_setup *s, const struct config *cfg);
void notify_setup_free(struct notify_setup *s);

/* "sms", "whatsapp", "email" → 0 and *out; anything else → -1. */
int  notify_channel_parse(const char *name, enum notify_channel *out);
const char *notify_channel_name(enum notify_channel c);

/* Renders message template `name` for channel into m's subject and body: sms/NAME,
 * whatsapp/NAME (plus its variables, from the catalogue in whatsapp.c, into `vars` as
 * m->template_vars and the variant's name as m->template_name), or email/NAME.subject and
 * email/NAME.text (email/NAME.html when it exists). Without a BAA for the channel's
 * provider, the NAME.phi-free variants are used instead (NOTE-5); a template without one
 * is refused rather than sent with health details. Strings go into the buffers (owned by
 * the caller; vars may be NULL for other channels; for whatsapp, html receives the
 * variant's name) and m points at them. 0, or -1 with err set. */
struct view_registry;
int  notify_render(const struct view_registry *views, const char *name, bool baa,
	struct json_object *model, struct notify_message *m, struct buf *subject,
	struct buf *text, struct buf *html, struct buf *vars, struct buf *err);
/* Whether the provider configured for channel has a business associate agreement. */
bool notify_channel_baa(const struct config *cfg, enum notify_channel channel);

/* Queues m inside the caller's open transaction (db must be in one). Returns DB_OK, and
 * sets *created to false when the event was already queued; a database error otherwise,
 * with db->error set. Validation of recipient and lengths is the caller's (and the
 * table's CHECKs as the last line). */
int  notify_enqueue(struct db *db, const struct notify_message *m, bool *created);
/* Queues n messages in one statement, inside the caller's open transaction: m is the
 * template (its recipient, patient_id and event_key are ignored), and message i goes to
 * recipients[i] about patient_ids[i] (uuids) under event_keys[i]. Strings are borrowed.
 * Returns DB_OK with *created set to how many were new (an event already queued is
 * skipped, as in notify_enqueue); a database error otherwise, with db->error set. */
int  notify_enqueue_many(struct db *db, const struct notify_message *m,
	const char *const *recipients, const char *const *patient_ids,
	const char *const *event_keys, size_t n, long *created);
/* Bulk sends (campaign.c, migration 0009). */
#define NOTIFY_CAMPAIGN_MAX_NAME 200	/* characters of a campaign's name (the table's CHECK) */

struct notify_campaign {
	bool found;	/* false: no such campaign (find) */
	bool created;	/* notify_campaign_create made it (false: the key's earlier one) */
	char id[37];
	long queued, skipped;
};

/* The campaign created under idempotency_key in the caller's tenant transaction, into c
 * (c->found false when there is none). DB_OK or a database error. */
int  notify_campaign_find(struct db *db, const char *idempotency_key, struct notify_campaign *c);
/* Records a campaign named `name` of message m (organisation, channel, subject,
 * requested_by) whose text, as staff wrote it, is body, with its counts, inside the caller's
 * open transaction; c gets its id and c->created. When idempotency_key (may be NULL) already
 * names a campaign, c is that one instead and c->created is false: the caller queues
 * nothing then. Queue the messages with notify_enqueue_many under
 * "campaign:<id>:<patient>". DB_OK or an error. */
int  notify_campaign_create(struct db *db, const char *name, const char *body,
	const struct notify_message *m, const char *idempotency_key, long queued, long skipped,
	struct notify_campaign *c);

/* The id of the message queued for event_key (after notify_enqueue), into id (37 bytes). */
int  notify_find(struct db *db, const char *org_id, const char *event_key, char id[37]);

/* The job runner's sending machinery (runner.c): cfg->notify_concurrency send threads, each
 * keeping its provider connections alive, and a token bucket per provider that
 * KAIROS_PROVIDER_RATE_LIMITS limits (per runner). name is the runner's lease holder
 * ("host:pid"); providers (one per channel) are borrowed and must outlive the runner. Start
 * it after blocking the signals the caller handles: the threads inherit the mask. NULL
 * (logged) when the threads cannot start. Free with notify_runner_free(), which waits for
 * the threads to end. */
struct notify_runner;
struct notify_runner *notify_runner_new(const struct config *cfg, const char *name,
	const struct notify_provider *const providers[NOTIFY_CHANNELS]);
void notify_runner_free(struct notify_runner *r);

/* notify's part in the job runner (jobs.c; jobs/jobs.h): its kind NOTIFY_JOB_KIND, run in
 * batches by notify_run_due on the runner's send threads, and what its dead letters were for
 * `kairos jobs --dead`. Listed in jobs_modules (src/settings.c). */
struct jobs_module;
extern const struct jobs_module notify_job_module;

/* Claims up to NOTIFY_CLAIM_BATCH due messages' jobs for r (jobs_claim on db, the owner's
 * connection: under a lease of KAIROS_NOTIFY_LEASE_SECONDS), sends them through their
 * channels' providers on r's threads, at most KAIROS_NOTIFY_CONCURRENCY at once and within
 * the rate limits, and records each outcome as it comes (in this thread). Every read and
 * write of a message (its row, and when sent its communications row and audit entry) runs
 * as an organisation's job's handler does: on q's application connection, under row-level
 * security, in a transaction for the job's organisation (jobs_tenant_begin), so a job sees
 * only a message of its own organisation; only the job's claim, lease and record are on db.
 * An outcome is two transactions, the message's committed first and then the job's: a
 * runner that dies between them sends the message again after the lease, as it would had it
 * died before recording. A failed send is retried after the queue's backoff
 * (KAIROS_NOTIFY_BACKOFF_SECONDS × 2^(attempt-1), capped, ±50 % jitter, or the provider's
 * Retry-After if longer). No send starts after half the lease: the claimed messages not
 * started by then are handed back at once, their attempt not counted. A message whose
 * organisation's transaction cannot be had (the application role bypasses row-level
 * security, its connection failed) is not sent but retried with the reason. Returns how many
 * were claimed (0: nothing due), or a negative db_result. */
struct jobs_runner;
int  notify_run_due(struct db *db, struct jobs_runner *q, struct notify_runner *r);

/* What a delivery callback did to its message. */
/* CONFIRMED: a progress report ("queued", "sent", SendGrid's "processed") about a message
 * that is already sent — nothing to change, and nothing wrong with it either. STALE: a
 * report the message has moved past, or a repeat of its final state: a replay or out of
 * order. */
enum notify_status_change { NOTIFY_STATUS_UPDATED, NOTIFY_STATUS_UNKNOWN, NOTIFY_STATUS_STALE,
	NOTIFY_STATUS_CONFIRMED };

/* Applies a provider's delivery report: provider_status is the provider's word (Twilio's
 * or Meta's), mapped to sent / delivered / failed ("read" counts as delivered); a report never moves a message backwards, so replays and
 * out-of-order reports are STALE and change nothing. error_code may be NULL or "".
 * Returns DB_OK with *change set, or a database error. -2 (DB_FAILED) also for a
 * provider_status we do not know, with *change untouched. The message's organisation is
 * found first and set for the update (row-level security); inside an open transaction (a
 * batch of reports) the work joins it, otherwise it gets a transaction of its own. */
int  notify_delivery_report(struct db *db, const char *provider, const char *provider_id,
	const char *provider_status, const char *error_code, enum notify_status_change *change);

/* Whether notify_delivery_report knows provider's word (before touching the database). */
bool notify_report_word_known(const char *provider, const char *word);

/* Records that a signed webhook request (its signed bytes' SHA-256 as hex, 65 bytes with
 * the NUL) was processed at now (core/clock), inside the caller's open transaction; older
 * records than max_age_seconds are dropped on the way. *fresh is false when it was already
 * recorded: a replay. Returns DB_OK or a database error. */
int  notify_webhook_once(struct db *db, const char *provider, const char *digest,
	long max_age_seconds, double now, bool *fresh);

/* ---- webhooks (NOTE-3): providers telling us what happened to a message ----
 *
 * web/ reads a webhook's body and hands it here with the headers that sign it; the
 * provider's file checks the signature on the raw bytes before anything is parsed (and
 * the replay guard), reads the payload, applies its delivery reports inside the request —
 * each is one guarded UPDATE, neither slow nor calling out, so none becomes a job — and
 * says what to answer. Refusals are logged and change nothing. */
struct notify_webhook {
	int                 status;	/* the HTTP status to answer */
	const char         *error;	/* status >= 400 without json: the message (static) */
	const char         *field;	/* the field error is about, or NULL */
	struct json_object *json;	/* the JSON body to answer, or NULL; owned by the caller */
	bool                db_failed;	/* the database failed (logged): answer 503, and the
					 * provider sends it again */
};

/* Twilio's message status callback, SMS and WhatsApp alike (recorded under "twilio"). url:
 * the full URL Twilio called, as configured (never from the Host header); form: the posted
 * fields; signature: X-Twilio-Signature; client: the caller's address, for the log. */
void notify_twilio_status_webhook(struct db *db, const char *auth_token, const char *url,
	const struct http_params *form, const char *signature, const char *client,
	struct notify_webhook *a);
/* SendGrid's signed Event Webhook: a JSON array of events (json: the body as parsed, NULL
 * when it is not JSON), ECDSA-signed over timestamp + raw body. Refused whole, changing
 * nothing: a bad or missing signature (403), a timestamp outside
 * NOTIFY_SENDGRID_WEBHOOK_MAX_AGE of now (403), a body that is not an array of events
 * (400), the same signed request a second time (409). Otherwise each event is applied on
 * its own terms, all in one transaction (a database failure rolls the batch back); the
 * answer is notify_webhook_batch's. */
void notify_sendgrid_events_webhook(struct db *db, const char *public_key,
	const char *timestamp, const char *signature, const char *body, size_t len,
	struct json_object *json, double now, const char *client, struct notify_webhook *a);
/* Meta's message status webhook: signature is X-Hub-Signature-256 over the raw body with
 * the app secret, checked before the body is parsed. All statuses of one delivery are
 * applied in one transaction. Unknown messages, replays and out-of-order or unknown
 * statuses are logged and change nothing, and the answer is still 200 when the body was
 * good: Meta retries a delivery that is not 2xx for days. */
void notify_meta_webhook(struct db *db, const char *app_secret, const char *body, size_t len,
	const char *signature, const char *client, struct notify_webhook *a);
/* Meta's subscription handshake: hub.mode "subscribe" and our verify token (compared in
 * constant time) → 200 with a->error NULL, and the challenge is the answer (text/plain);
 * otherwise a refusal in a. */
void notify_meta_handshake(const char *verify_token, const char *mode, const char *token,
	const char *challenge, const char *client, struct notify_webhook *a);

/* notify's checks for `kairos doctor` (src/settings.h): one ✓/✗ line per channel's
 * provider (a harmless real request each) on out. true when all pass; db is not used. */
bool notify_doctor(const struct config *cfg, struct db *db, FILE *out);

/* A dead letter as the admin page shows it (never the body). */
struct notify_dead {
	char id[37];
	char when[32];		/* of the last attempt, "YYYY-MM-DD HH:MM UTC" */
	char channel[16];
	char recipient[256];
	int  attempts;
	char error[NOTIFY_MAX_ERROR];
	char event_key[201];
};

/* The dead letters (of the organisation row-level security allows), the newest message
 * first (by when it was queued, which a retry does not move), at most max, after dead letter
 * `after` in that order (a UUID; NULL: from the newest): the dead notify.send jobs, with their
 * messages. Returns how many, or a negative db_result. */
int  notify_dead_letters(struct db *db, const char *after, struct notify_dead *rows, int max);
/* The dead letters among ids (an array literal of uuids, "{…}"), at most max, newest first:
 * what the messages of dead notify.send jobs were (`kairos jobs --dead`). As above. */
int  notify_dead_letters_of(struct db *db, const char *ids, struct notify_dead *rows, int max);
/* Puts dead letter id back in the queue with fresh attempts (jobs_retry_dead_of), and the
 * message's status with it, in the caller's transaction when one is open. DB_OK with *found. */
int  notify_retry_dead(struct db *db, const char *id, bool *found);

/* `kairos outbox list [--to ADDRESS] [--status S] [--limit N] [--json]` and
 * `kairos outbox retry ID`. */
int  notify_outbox_main(int argc, char **argv, struct db *db);

/* notify's keys and their rules (src/notify/settings.c). */
extern const struct config_table notify_settings;

/* Highest rate KAIROS_PROVIDER_RATE_LIMITS may give one provider (messages per second):
 * beyond any provider's documented limit, and still a whole number of microseconds apart. */
#define NOTIFY_RATE_LIMIT_MAX 100000

/* The rate KAIROS_PROVIDER_RATE_LIMITS gives provider (by name: twilio, sendgrid, smtp,
 * meta, gallabox), in messages per second per runner; 0 when it gives none (unlimited). */
long notify_rate_limit(const struct config *cfg, const char *provider);

#endif
