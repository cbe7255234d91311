/* sendgrid.c: email through SendGrid's v3 Mail Send API, and the signed Event Webhook's
 * signature (../shared/spec/wire-formats.md, "SendGrid").
 *
 *   POST {base}/v3/mail/send, Bearer API key, JSON
 *   {"personalizations":[{"to":[{"email":…}]}],"from":{"email":…,"name":…},"subject":…,
 *    "content":[{"type":"text/plain","value":…},{"type":"text/html","value":…}]}
 *   202, no body; the message's id is the X-Message-Id header. Errors:
 *   {"errors":[{"message":…,"field":…,"help":…}]} */
#include "notify/notify.h"
#include "notify/provider_net.h"
#include "notify/webhook.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* A verification key is a 91-byte DER SPKI; signatures are ≤ 72 bytes of DER. Anything much
 * longer in the headers or the config is not SendGrid's, and is refused before decoding. */
#define SENDGRID_MAX_KEY_B64        512
#define SENDGRID_MAX_SIGNATURE_B64  256
#define SENDGRID_MAX_TIMESTAMP      19	/* digits of a 64-bit number of seconds */
/* How much of SendGrid's error text a dead letter keeps, of NOTIFY_MAX_ERROR. */
#define SENDGRID_ERROR_PREFIX       32
/* The key's length, "SG." + 22 + "." + 43 characters today; a shorter one is a paste error. */
#define SENDGRID_MIN_KEY_LEN        20

/* The P-256 public key in public_key (base64 DER SPKI), or NULL with why. Free with
 * EVP_PKEY_free. */
static EVP_PKEY *
sendgrid_public_key(const char *public_key, char *why, size_t size)
{
	unsigned char der[SENDGRID_MAX_KEY_B64];
	const unsigned char *p = der;
	char group[64];
	EVP_PKEY *k;
	int n;

	if (public_key == NULL || strlen(public_key) > SENDGRID_MAX_KEY_B64 ||
	    (n = b64_decode(public_key, strlen(public_key), der, sizeof der)) <= 0) {
		snprintf(why, size, "not base64 of a key");
		return NULL;
	}
	if ((k = d2i_PUBKEY(NULL, &p, n)) == NULL || p != der + n) {
		snprintf(why, size, "not a DER SubjectPublicKeyInfo");
		EVP_PKEY_free(k);
		return NULL;
	}
	if (!EVP_PKEY_is_a(k, "EC") || EVP_PKEY_get_group_name(k, group, sizeof group, NULL) != 1 ||
	    strcmp(group, "prime256v1") != 0) {
		snprintf(why, size, "not an ECDSA P-256 key");
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

bool
notify_sendgrid_public_key_ok(const char *public_key, char *why, size_t size)
{
	EVP_PKEY *k = sendgrid_public_key(public_key, why, size);

	EVP_PKEY_free(k);
	return k != NULL;
}

static bool
sendgrid_digits(const char *s, size_t max)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= max && s[n] == '\0';
}

bool
notify_sendgrid_signature_ok(const char *public_key, const char *timestamp, const char *body,
    size_t body_len, const char *signature)
{
	unsigned char sig[SENDGRID_MAX_SIGNATURE_B64];
	char why[64];
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *k = NULL;
	bool good = false;
	int n;

	if (timestamp == NULL || signature == NULL || body == NULL ||
	    !sendgrid_digits(timestamp, SENDGRID_MAX_TIMESTAMP))
		return false;
	if (strlen(signature) > SENDGRID_MAX_SIGNATURE_B64 ||
	    (n = b64_decode(signature, strlen(signature), sig, sizeof sig)) <= 0)
		return false;
	if ((k = sendgrid_public_key(public_key, why, sizeof why)) == NULL)
		return false;
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
	    EVP_DigestVerifyUpdate(md, timestamp, strlen(timestamp)) == 1 &&
	    EVP_DigestVerifyUpdate(md, body, body_len) == 1)
		good = EVP_DigestVerifyFinal(md, sig, (size_t)n) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return good;
}

bool
notify_sendgrid_timestamp_fresh(const char *timestamp, long long now)
{
	long long t;

	if (timestamp == NULL || !sendgrid_digits(timestamp, SENDGRID_MAX_TIMESTAMP))
		return false;
	errno = 0;
	t = strtoll(timestamp, NULL, 10);
	if (errno != 0)
		return false;
	return t >= now - NOTIFY_SENDGRID_WEBHOOK_MAX_AGE && t <= now + NOTIFY_SENDGRID_WEBHOOK_MAX_AGE;
}

/* "sendgrid 400: message (field f); message …" from SendGrid's {"errors":[…]}. */
static void
sendgrid_error_text(struct notify_result *r, long status, struct json_object *answer)
{
	struct json_object *errors, *e, *v;
	struct buf text = BUF_INIT;
	size_t n = 0;

	buf_printf(&text, "sendgrid %ld", status);
	if (answer != NULL && json_object_object_get_ex(answer, "errors", &errors) &&
	    json_object_is_type(errors, json_type_array))
		n = json_object_array_length(errors);
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(errors, i);
		if (!json_object_object_get_ex(e, "message", &v) || !json_object_is_type(v, json_type_string))
			continue;
		buf_printf(&text, "%s %s", i == 0 ? ":" : ";", json_object_get_string(v));
		if (json_object_object_get_ex(e, "field", &v) && json_object_is_type(v, json_type_string))
			buf_printf(&text, " (field %s)", json_object_get_string(v));
		if (text.len > sizeof r->error - SENDGRID_ERROR_PREFIX)
			break;
	}
	snprintf(r->error, sizeof r->error, "%s", buf_cstr(&text));
	buf_free(&text);
}

/* Accepted (even with an answer too long to read): sending again would mail the patient
 * twice, so even an answer without its id counts as sent; delivery reports then cannot
 * find it (logged). The id is a header; the body is not read. */
static void
sendgrid_accepted(const struct notify_outgoing *m, const struct net_response *resp,
    struct json_object *answer, struct notify_result *r)
{
	(void)answer;
	r->outcome = NOTIFY_SENT;
	net_response_header(resp, "X-Message-Id", r->provider_id, sizeof r->provider_id);
	if (r->provider_id[0] == '\0')
		log_warn("sendgrid answer without X-Message-Id", "%s: HTTP %ld", m->id, resp->status);
}

static const struct notify_net_answers sendgrid_answers = {
	.name = "sendgrid", .accepted = sendgrid_accepted, .refused = sendgrid_error_text,
	.accept_oversized = true,
};

static struct json_object *
sendgrid_part(const char *type, const char *value)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "value", json_object_new_string(value));
	return o;
}

/* The Mail Send body for m. Owned by the caller (json_object_put). */
static struct json_object *
sendgrid_body(const struct notify_sendgrid *s, const struct notify_outgoing *m)
{
	struct json_object *body = json_object_new_object(), *pers = json_object_new_array(),
	    *p = json_object_new_object(), *to = json_object_new_array(),
	    *addr = json_object_new_object(), *from = json_object_new_object(),
	    *content = json_object_new_array();

	json_object_object_add(addr, "email", json_object_new_string(m->recipient));
	json_object_array_add(to, addr);
	json_object_object_add(p, "to", to);
	json_object_array_add(pers, p);
	json_object_object_add(body, "personalizations", pers);
	json_object_object_add(from, "email", json_object_new_string(s->from));
	if (s->from_name != NULL && *s->from_name != '\0')
		json_object_object_add(from, "name", json_object_new_string(s->from_name));
	json_object_object_add(body, "from", from);
	json_object_object_add(body, "subject", json_object_new_string(m->subject));
	/* SendGrid wants text/plain first when both are given */
	json_object_array_add(content, sendgrid_part("text/plain", m->body_text));
	if (m->body_html != NULL && *m->body_html != '\0')
		json_object_array_add(content, sendgrid_part("text/html", m->body_html));
	json_object_object_add(body, "content", content);
	return body;
}

static int
sendgrid_send(const struct notify_provider *p, const struct notify_outgoing *m,
    struct notify_result *r)
{
	const struct notify_sendgrid *s = p->ctx;
	struct json_object *body = sendgrid_body(s, m);
	const char *json = json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	struct net_request req = { .method = "POST", .path = "/v3/mail/send",
		.content_type = "application/json", .body = json, .body_len = strlen(json) };
	int rc = notify_net_send(&s->net, &req, m, &sendgrid_answers, r);

	json_object_put(body);
	return rc;
}

static bool
sendgrid_key_shape(const char *key)
{
	if (strncmp(key, "SG.", 3) != 0 || strlen(key) < SENDGRID_MIN_KEY_LEN)
		return false;
	for (; *key; key++)
		if (!isalnum((unsigned char)*key) && *key != '.' && *key != '_' && *key != '-')
			return false;
	return true;
}

/* Whether {"scopes":[…]} lists scope. */
static bool
sendgrid_has_scope(const struct buf *body, const char *scope)
{
	struct json_object *o = json_tokener_parse(buf_cstr(body)), *scopes;
	bool found = false;

	if (o != NULL && json_object_object_get_ex(o, "scopes", &scopes) &&
	    json_object_is_type(scopes, json_type_array))
		for (size_t i = 0; i < json_object_array_length(scopes) && !found; i++) {
			const char *v = json_object_get_string(json_object_array_get_idx(scopes, i));

			found = v != NULL && strcmp(v, scope) == 0;
		}
	json_object_put(o);
	return found;
}

/* A harmless real request: the key reads its own scopes (allowed to every key), which also
 * tells whether it may send mail. */
static bool
sendgrid_check(const struct notify_provider *p, char *msg, size_t size)
{
	const struct notify_sendgrid *s = p->ctx;
	struct net_response resp;
	bool good = false;
	char why[64];

	if (!sendgrid_key_shape(s->api_key)) {
		snprintf(msg, size, "KAIROS_SENDGRID_API_KEY does not look like a SendGrid API key (SG.…)");
		return false;
	}
	if (*s->webhook_public_key != '\0' &&
	    !notify_sendgrid_public_key_ok(s->webhook_public_key, why, sizeof why)) {
		snprintf(msg, size, "KAIROS_SENDGRID_WEBHOOK_PUBLIC_KEY is %s", why);
		return false;
	}
	net_response_init(&resp);
	if (!notify_net_check(&s->net, "/v3/scopes", "API key", "/v3/scopes", &resp, msg, size))
		good = false;	/* msg says why */
	else if (!sendgrid_has_scope(&resp.body, "mail.send"))
		snprintf(msg, size, "API key accepted but lacks the mail.send scope");
	else {
		snprintf(msg, size, "API key accepted, mail.send allowed; event webhook %s",
		    *s->webhook_public_key != '\0' ? "key loaded" : "not configured");
		good = true;
	}
	net_response_free(&resp);
	return good;
}

const struct notify_provider notify_sendgrid_provider = {
	.name = "sendgrid", .send = sendgrid_send, .check = sendgrid_check,
};

/* ---- the signed Event Webhook (NOTE-3) ---- */

/* A bounce's reason can be a paragraph; the message keeps its start. */
#define SENDGRID_MAX_REASON 300
/* X-Message-Id is 22 characters; a longer id before the dot is none we gave out. */
#define SENDGRID_MAX_MESSAGE_ID 128
#define SENDGRID_DIGEST_SIZE 65	/* hex SHA-256 and a NUL */

/* hex SHA-256 of timestamp + body: what SendGrid signed, the replay guard's key. */
static void
sendgrid_digest(const char *timestamp, const char *body, size_t len,
    char out[SENDGRID_DIGEST_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	out[0] = '\0';
	if (ctx == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, timestamp, strlen(timestamp)) == 1 &&
	    EVP_DigestUpdate(ctx, body, len) == 1 && EVP_DigestFinal_ex(ctx, md, &n) == 1)
		for (unsigned int i = 0; i < n && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
}

/* Every element must be an object with a string "event" (and sg_message_id, when present,
 * a string). On the first that is not, details names it and the batch is refused whole. */
static bool
sendgrid_events_valid(struct json_object *events, struct json_object *details)
{
	char key[32];

	if (!json_object_is_type(events, json_type_array)) {
		json_object_object_add(details, "body", json_object_new_string("must be a JSON array of events"));
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i), *v;
		const char *why = NULL;

		if (!json_object_is_type(e, json_type_object))
			why = "must be an object";
		else if (!json_object_object_get_ex(e, "event", &v) || !json_object_is_type(v, json_type_string))
			why = "event must be a string";
		else if (http_json_text(v) == NULL)
			why = "event must not contain a NUL character";
		else if (json_object_object_get_ex(e, "sg_message_id", &v) &&
		    !json_object_is_type(v, json_type_string))
			why = "sg_message_id must be a string";
		else if (json_object_object_get_ex(e, "sg_message_id", &v) && http_json_text(v) == NULL)
			why = "sg_message_id must not contain a NUL character";
		else if (json_object_object_get_ex(e, "reason", &v) && json_object_is_type(v, json_type_string) &&
		    http_json_text(v) == NULL)
			why = "reason must not contain a NUL character";	/* not cut into another reason */
		if (why != NULL) {
			snprintf(key, sizeof key, "[%zu]", i);
			json_object_object_add(details, key, json_object_new_string(why));
			return false;
		}
	}
	return true;
}

/* Our provider id from sg_message_id: SendGrid's X-Message-Id, then ".filter…" added by
 * the server that handled it. Into out; false when there is no id before the dot. */
static bool
sendgrid_message_id(const char *sg_message_id, char *out, size_t size)
{
	size_t n = strcspn(sg_message_id, ".");

	if (n == 0 || n >= size)
		return false;
	memcpy(out, sg_message_id, n);
	out[n] = '\0';
	return true;
}

/* The start of reason, cut at a character boundary, into out. */
static void
sendgrid_reason(const char *reason, char *out, size_t size)
{
	size_t n = strlen(reason);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)reason[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, reason, n);
	out[n] = '\0';
}

/* Applies each event of a checked batch in the caller's transaction; counts: updated,
 * unchanged, unknown, ignored. DB_OK or the database's error. */
static int
sendgrid_apply(struct db *db, struct json_object *events, int counts[4])
{
	int rc = DB_OK;

	for (size_t i = 0; rc == DB_OK && i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i);
		const char *word = notify_webhook_str(e, "event"),
		    *sgid = notify_webhook_str(e, "sg_message_id"),
		    *reason = notify_webhook_str(e, "reason");
		enum notify_status_change change = NOTIFY_STATUS_UNKNOWN;
		char id[SENDGRID_MAX_MESSAGE_ID], why[SENDGRID_MAX_REASON];

		if (sgid == NULL || !sendgrid_message_id(sgid, id, sizeof id) ||
		    !notify_report_word_known("sendgrid", word)) {
			counts[3]++;
			continue;
		}
		sendgrid_reason(reason ? reason : "", why, sizeof why);
		if ((rc = notify_delivery_report(db, "sendgrid", id, word, why, &change)) != DB_OK)
			break;
		if (change == NOTIFY_STATUS_UPDATED || change == NOTIFY_STATUS_CONFIRMED)
			counts[0]++;
		else if (change == NOTIFY_STATUS_STALE) {
			counts[1]++;
			log_info("webhook ignored", "sendgrid %s for %s: replay or out of order", word, id);
		} else {
			counts[2]++;
			log_warn("webhook event skipped", "sendgrid %s for unknown message %s", word, id);
		}
	}
	return rc;
}

void
notify_sendgrid_events_webhook(struct db *db, const char *public_key, const char *timestamp,
    const char *signature, const char *body, size_t len, struct json_object *json, double now,
    const char *client, struct notify_webhook *a)
{
	int counts[4] = { 0 };	/* updated, unchanged, unknown, ignored */
	struct json_object *details;
	char digest[SENDGRID_DIGEST_SIZE];
	bool fresh = false;
	int rc;

	if (!notify_sendgrid_signature_ok(public_key, timestamp, body ? body : "", len, signature)) {
		log_warn("webhook refused", "sendgrid events from %s: bad signature", client);
		notify_webhook_refuse(a, 403, "Invalid signature", NULL);
		return;
	}
	if (!notify_sendgrid_timestamp_fresh(timestamp, (long long)now)) {
		log_warn("webhook refused", "sendgrid events from %s: timestamp %s outside %d s",
		    client, timestamp, NOTIFY_SENDGRID_WEBHOOK_MAX_AGE);
		notify_webhook_refuse(a, 403, "Stale timestamp", NULL);
		return;
	}
	details = json_object_new_object();
	if (json == NULL || !sendgrid_events_valid(json, details)) {
		if (json_object_object_length(details) == 0)
			json_object_object_add(details, "body", json_object_new_string("must be a JSON array of events"));
		notify_webhook_invalid(a, details);
		return;
	}
	json_object_put(details);

	sendgrid_digest(timestamp, body, len, digest);
	if ((rc = db_exec_simple(db, "BEGIN")) == DB_OK)
		rc = notify_webhook_once(db, "sendgrid", digest, NOTIFY_SENDGRID_WEBHOOK_MAX_AGE, now,
		    &fresh);
	if (rc == DB_OK && !fresh) {
		db_rollback(db);
		log_warn("webhook refused", "sendgrid events from %s: a replay", client);
		notify_webhook_refuse(a, 409, "Already received", NULL);
		return;
	}
	if (rc == DB_OK)
		rc = sendgrid_apply(db, json, counts);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		log_error("sendgrid events not recorded", "%s", db->error);
		db_rollback(db);
		*a = (struct notify_webhook){ .status = 503, .db_failed = true };	/* SendGrid retries */
		return;
	}
	notify_webhook_batch(a, "sendgrid", counts[0], counts[1], counts[2], counts[3]);
}
