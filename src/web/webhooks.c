/* webhooks.c: providers telling us what happened. Every request is verified on its raw
 * form before anything is read from it; refusals are logged and change nothing. */
#include "web/web.h"
#include "notify/notify.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

/* Meta's hub.challenge is a number; anything else long or strange is not echoed. */
#define WA_CHALLENGE_MAX 128

/* POST /webhooks/twilio/status — Twilio's message status callback (NOTE-3), for SMS and
 * WhatsApp alike: both are messages of the one account, recorded under provider "twilio". */
void
web_webhook_twilio_status(struct web_app *app, struct request *req, struct response *resp)
{
	const char *sid, *status, *sig = http_header(req, "X-Twilio-Signature");
	enum notify_status_change change = NOTIFY_STATUS_UNKNOWN;
	struct buf url = BUF_INIT;
	int rc;

	if (web_read_body(app, req, resp) < 0)
		return;
	if (strcmp(app->cfg.sms_provider, "twilio") != 0 &&
	    strcmp(app->cfg.whatsapp_provider, "twilio") != 0) {
		web_error(app, req, resp, 404, "Twilio is not configured", NULL);
		return;
	}
	/* The URL Twilio signed is the one we gave it: our public URL, not the Host header. */
	buf_printf(&url, "%s%s", app->cfg.public_url, req->raw_uri);
	if (!notify_twilio_signature_ok(app->cfg.twilio_auth_token, url.data, &req->form, sig)) {
		log_warn("webhook refused", "twilio status from %s: bad signature", req->client_addr);
		web_error(app, req, resp, 403, "Invalid signature", NULL);
		buf_free(&url);
		return;
	}
	buf_free(&url);
	sid = http_param(&req->form, "MessageSid");
	status = http_param(&req->form, "MessageStatus");
	if (sid == NULL || *sid == '\0' || status == NULL || *status == '\0') {
		web_error(app, req, resp, 400, "MessageSid and MessageStatus are required",
		    sid == NULL || *sid == '\0' ? "MessageSid" : "MessageStatus");
		return;
	}
	rc = notify_delivery_report(&app->db, "twilio", sid, status,
	    http_param(&req->form, "ErrorCode"), &change);
	if (rc == DB_UNAVAILABLE) {
		web_unavailable(app, req, resp);	/* Twilio retries on 5xx */
		return;
	}
	if (rc != DB_OK) {
		web_error(app, req, resp, 400, "Unknown MessageStatus", "MessageStatus");
		return;
	}
	switch (change) {
	case NOTIFY_STATUS_UPDATED:
	case NOTIFY_STATUS_CONFIRMED:
		http_response_set(resp, 200, "application/json", "{\"ok\":true}", 11);
		break;
	case NOTIFY_STATUS_UNKNOWN:
		log_warn("webhook refused", "twilio status for unknown message %s", sid);
		web_error(app, req, resp, 404, "Unknown message", NULL);
		break;
	case NOTIFY_STATUS_STALE:
		log_info("webhook ignored", "twilio status %s for %s: replay or out of order", status, sid);
		web_error(app, req, resp, 409, "Already recorded", NULL);
		break;
	}
}

/* The answer to a batch of delivery reports (SendGrid events, Meta statuses). When some
 * report changed or confirmed a message: 200 with the counts ("updated" counts both).
 * When none did, the batch is answered like a single report would be (as Twilio's is):
 * an unknown message 404, a replay or an out-of-order report 409 — logged, nothing
 * changed. Words that are not delivery states (opens, clicks) alone: 200. */
static void
webhook_batch_answer(struct response *resp, const char *provider, int updated, int unchanged,
    int unknown, int ignored)
{
	struct json_object *out = json_object_new_object(), *counts = json_object_new_object();
	int status = 200;

	json_object_object_add(counts, "updated", json_object_new_int(updated));
	json_object_object_add(counts, "unchanged", json_object_new_int(unchanged));
	json_object_object_add(counts, "unknown", json_object_new_int(unknown));
	json_object_object_add(counts, "ignored", json_object_new_int(ignored));
	if (updated == 0 && unknown > 0)
		status = 404;
	else if (updated == 0 && unchanged > 0)
		status = 409;
	if (status == 200) {
		json_object_object_add(out, "ok", json_object_new_boolean(1));
		json_object_object_foreach(counts, k, v)
			json_object_object_add(out, k, json_object_get(v));
		json_object_put(counts);
	} else {
		log_warn("webhook refused", "%s: %s", provider, status == 404 ?
		    "only unknown messages" : "only replays or out-of-order reports");
		json_object_object_add(out, "error", json_object_new_string(status == 404 ?
		    "Unknown message" : "Already recorded"));
		json_object_object_add(out, "details", counts);
	}
	http_response_json(resp, status, out);
	json_object_put(out);
}

/* A bounce's reason can be a paragraph; the message keeps its start. */
#define SENDGRID_MAX_REASON 300
/* X-Message-Id is 22 characters; a longer id before the dot is none we gave out. */
#define SENDGRID_MAX_MESSAGE_ID 128

/* hex SHA-256 of timestamp + body: what SendGrid signed, the replay guard's key. */
static void
webhook_digest(const char *timestamp, const char *body, size_t len, char out[65])
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

/* The string member key of event o, or NULL (also for a string with a NUL inside: a
 * provider's value is refused like anyone's, never cut). */
static const char *
webhook_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return http_json_text(v);
}

/* Every element must be an object with a string "event" (and sg_message_id, when present,
 * a string). On the first that is not, details names it and the batch is refused whole. */
static bool
webhook_sendgrid_valid(struct json_object *events, struct json_object *details)
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
webhook_sendgrid_id(const char *sg_message_id, char *out, size_t size)
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
webhook_reason(const char *reason, char *out, size_t size)
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

/* POST /webhooks/sendgrid/events — SendGrid's signed Event Webhook (NOTE-3): a JSON array
 * of events, ECDSA-signed over timestamp + raw body.
 *
 * Refused whole, changing nothing: a bad or missing signature (403), a timestamp outside
 * NOTIFY_SENDGRID_WEBHOOK_MAX_AGE (403), a body that is not an array of events (400), the
 * same signed request a second time (409). Otherwise each event is applied on its own
 * terms, all in one transaction (a database failure rolls the batch back and answers 503,
 * so SendGrid sends it again): delivery events move their message forwards; an event for
 * a message we do not know, a replayed or out-of-order one, and engagement events (open,
 * click…) change nothing. The answer is 200 with what happened to how many, because a 4xx
 * would make SendGrid retry events that can never apply. */
void
web_webhook_sendgrid_events(struct web_app *app, struct request *req, struct response *resp)
{
	const char *sig = http_header(req, "X-Twilio-Email-Event-Webhook-Signature"),
	    *ts = http_header(req, "X-Twilio-Email-Event-Webhook-Timestamp");
	int counts[4] = { 0 };	/* updated, unchanged, unknown, ignored */
	struct json_object *details;
	char digest[65];
	bool fresh = false;
	int rc = DB_OK;

	if (web_read_body(app, req, resp) < 0)
		return;
	if (strcmp(app->cfg.email_provider, "sendgrid") != 0 ||
	    *app->cfg.sendgrid_webhook_public_key == '\0') {
		web_error(app, req, resp, 404, "SendGrid event webhook is not configured", NULL);
		return;
	}
	if (!notify_sendgrid_signature_ok(app->cfg.sendgrid_webhook_public_key, ts,
	    req->body ? req->body : "", req->body_len, sig)) {
		log_warn("webhook refused", "sendgrid events from %s: bad signature", req->client_addr);
		web_error(app, req, resp, 403, "Invalid signature", NULL);
		return;
	}
	if (!notify_sendgrid_timestamp_fresh(ts, clock_now())) {
		log_warn("webhook refused", "sendgrid events from %s: timestamp %s outside %d s",
		    req->client_addr, ts, NOTIFY_SENDGRID_WEBHOOK_MAX_AGE);
		web_error(app, req, resp, 403, "Stale timestamp", NULL);
		return;
	}
	details = json_object_new_object();
	if (req->json == NULL || !webhook_sendgrid_valid(req->json, details)) {
		if (json_object_object_length(details) == 0)
			json_object_object_add(details, "body", json_object_new_string("must be a JSON array of events"));
		http_response_error_json(resp, 400, "Invalid request", details);
		return;
	}
	json_object_put(details);

	webhook_digest(ts, req->body, req->body_len, digest);
	if ((rc = db_exec_simple(&app->db, "BEGIN")) == DB_OK)
		rc = notify_webhook_once(&app->db, "sendgrid", digest, NOTIFY_SENDGRID_WEBHOOK_MAX_AGE,
		    &fresh);
	if (rc == DB_OK && !fresh) {
		db_rollback(&app->db);
		log_warn("webhook refused", "sendgrid events from %s: a replay", req->client_addr);
		web_error(app, req, resp, 409, "Already received", NULL);
		return;
	}
	for (size_t i = 0; rc == DB_OK && i < json_object_array_length(req->json); i++) {
		struct json_object *e = json_object_array_get_idx(req->json, i);
		const char *word = webhook_str(e, "event"), *sgid = webhook_str(e, "sg_message_id"),
		    *reason = webhook_str(e, "reason");
		enum notify_status_change change = NOTIFY_STATUS_UNKNOWN;
		char id[SENDGRID_MAX_MESSAGE_ID], why[SENDGRID_MAX_REASON];

		if (sgid == NULL || !webhook_sendgrid_id(sgid, id, sizeof id) ||
		    !notify_report_word_known("sendgrid", word)) {
			counts[3]++;
			continue;
		}
		webhook_reason(reason ? reason : "", why, sizeof why);
		rc = notify_delivery_report(&app->db, "sendgrid", id, word, why, &change);
		if (rc != DB_OK)
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
	if (rc == DB_OK)
		rc = db_commit(&app->db);
	if (rc != DB_OK) {
		log_error("sendgrid events not recorded", "%s", app->db.error);
		db_rollback(&app->db);
		web_unavailable(app, req, resp);	/* SendGrid retries on 5xx */
		return;
	}
	webhook_batch_answer(resp, "sendgrid", counts[0], counts[1], counts[2], counts[3]);
}

/* GET /webhooks/whatsapp — Meta's subscription handshake: hub.mode=subscribe and our verify
 * token (compared in constant time) → the hub.challenge echoed as text/plain. */
void
web_webhook_whatsapp_verify(struct web_app *app, struct request *req, struct response *resp)
{
	const char *mode = http_param(&req->query, "hub.mode");
	const char *token = http_param(&req->query, "hub.verify_token");
	const char *challenge = http_param(&req->query, "hub.challenge");
	const char *want = app->cfg.meta_verify_token;
	size_t n = strlen(want);

	if (strcmp(app->cfg.whatsapp_provider, "meta") != 0 || n == 0) {
		web_error(app, req, resp, 404, "WhatsApp webhooks are not configured", NULL);
		return;
	}
	if (mode == NULL || strcmp(mode, "subscribe") != 0 || token == NULL ||
	    strlen(token) != n || CRYPTO_memcmp(token, want, n) != 0) {
		log_warn("webhook refused", "whatsapp handshake from %s: wrong mode or verify token",
		    req->client_addr);
		web_error(app, req, resp, 403, "Invalid verify token", NULL);
		return;
	}
	if (challenge == NULL || *challenge == '\0' || strlen(challenge) > WA_CHALLENGE_MAX ||
	    strspn(challenge, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.") !=
	    strlen(challenge)) {
		web_error(app, req, resp, 400, "hub.challenge is required (letters and digits)", "hub.challenge");
		return;
	}
	log_info("whatsapp webhook verified", "handshake from %s", req->client_addr);
	http_response_set(resp, 200, "text/plain", challenge, strlen(challenge));
}

/* A string member of o, or NULL (also for a string with a NUL inside). */
static const char *
wa_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return http_json_text(v);
}

/* An array member of o, or NULL when absent; *bad when present and not an array. */
static struct json_object *
wa_array(struct json_object *o, const char *key, bool *bad)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	if (!json_object_is_type(v, json_type_array)) {
		*bad = true;
		return NULL;
	}
	return v;
}

/* The statuses of a webhook body, checked for shape before anything is applied:
 * entry[].changes[].value.statuses[], each {id, status} strings. NULL (why set) when the
 * shape is wrong; otherwise a new array of the status objects (borrowed from body). */
static struct json_object *
wa_statuses(struct json_object *body, const char **why)
{
	struct json_object *out = json_object_new_array(), *entries;
	bool bad = false;

	if (!json_object_is_type(body, json_type_object) ||
	    (entries = wa_array(body, "entry", &bad)) == NULL) {
		*why = "expected an object with an entry array";
		goto fail;
	}
	for (size_t i = 0; i < json_object_array_length(entries); i++) {
		struct json_object *changes = wa_array(json_object_array_get_idx(entries, i), "changes", &bad);

		for (size_t j = 0; changes != NULL && j < json_object_array_length(changes); j++) {
			struct json_object *change = json_object_array_get_idx(changes, j), *value = NULL;
			struct json_object *statuses;

			if (!json_object_is_type(change, json_type_object) ||
			    !json_object_object_get_ex(change, "value", &value))
				continue;	/* other fields of other kinds: not ours */
			statuses = wa_array(value, "statuses", &bad);
			for (size_t k = 0; statuses != NULL && k < json_object_array_length(statuses); k++) {
				struct json_object *st = json_object_array_get_idx(statuses, k);

				if (wa_str(st, "id") == NULL || wa_str(st, "status") == NULL) {
					*why = "each status needs id and status strings";
					goto fail;
				}
				json_object_array_add(out, json_object_get(st));
			}
		}
	}
	if (bad) {
		*why = "entry, changes and statuses must be arrays";
		goto fail;
	}
	return out;
fail:
	json_object_put(out);
	return NULL;
}

/* The first error code of a failed status (errors[0].code), into out. */
static void
wa_error_code(struct json_object *st, char *out, size_t size)
{
	struct json_object *errors, *code;
	bool bad = false;

	*out = '\0';
	if ((errors = wa_array(st, "errors", &bad)) != NULL && json_object_array_length(errors) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(errors, 0), "code", &code) &&
	    (!json_object_is_type(code, json_type_string) || http_json_text(code) != NULL))
		snprintf(out, size, "%s", json_object_get_string(code));	/* a code with a NUL: none */
}

/* POST /webhooks/whatsapp — Meta's message status webhooks (NOTE-3).
 *
 * The signature (X-Hub-Signature-256 over the raw body, with the app secret) is checked
 * before the body is parsed. All statuses of one delivery are applied in one transaction.
 * Unknown messages, replays and out-of-order or unknown statuses are logged and change
 * nothing, and the answer is still 200: Meta retries a delivery that is not 2xx for days,
 * and a delivery may carry several statuses, so refusing one would replay them all. */
void
web_webhook_whatsapp(struct web_app *app, struct request *req, struct response *resp)
{
	const char *sig = http_header(req, "X-Hub-Signature-256"), *why = NULL;
	struct json_object *body = NULL, *statuses = NULL;
	const char *content_type = req->content_type;
	int updated = 0, unchanged = 0, unknown = 0, ignored = 0, rc = DB_OK;

	/* Read the bytes only: nothing is parsed before the signature over them is checked. */
	req->content_type = "";
	rc = web_read_body(app, req, resp);
	req->content_type = content_type;
	if (rc < 0)
		return;
	if (strcmp(app->cfg.whatsapp_provider, "meta") != 0) {
		web_error(app, req, resp, 404, "WhatsApp webhooks are not configured", NULL);
		return;
	}
	if (!notify_meta_signature_ok(app->cfg.meta_app_secret, req->body, req->body_len, sig)) {
		log_warn("webhook refused", "whatsapp status from %s: bad signature", req->client_addr);
		web_error(app, req, resp, 403, "Invalid signature", NULL);
		return;
	}
	if (http_json_check(req->body, req->body_len, HTTP_JSON_MAX_DEPTH, &why) < 0 ||
	    (body = json_tokener_parse(req->body)) == NULL ||
	    (statuses = wa_statuses(body, &why)) == NULL) {
		struct json_object *details = json_object_new_object();

		log_warn("webhook refused", "whatsapp status from %s: %s", req->client_addr,
		    why ? why : "malformed JSON");
		json_object_object_add(details, "body", json_object_new_string(why ? why : "Malformed JSON"));
		http_response_error_json(resp, 400, "Invalid request", details);
		json_object_put(body);
		return;
	}
	if (json_object_array_length(statuses) > 0 && db_exec_simple(&app->db, "BEGIN") != DB_OK) {
		web_unavailable(app, req, resp);
		goto done;
	}
	for (size_t i = 0; i < json_object_array_length(statuses) && rc == DB_OK; i++) {
		struct json_object *st = json_object_array_get_idx(statuses, i);
		const char *id = wa_str(st, "id"), *word = wa_str(st, "status");
		enum notify_status_change change = NOTIFY_STATUS_UNKNOWN;
		char code[32];

		if (!notify_report_word_known("meta", word)) {
			log_info("webhook ignored", "whatsapp status \"%.32s\" for %.128s: not a delivery state", word, id);
			ignored++;
			continue;
		}
		wa_error_code(st, code, sizeof code);
		if ((rc = notify_delivery_report(&app->db, "meta", id, word, code, &change)) != DB_OK)
			break;
		if (change == NOTIFY_STATUS_UPDATED || change == NOTIFY_STATUS_CONFIRMED)
			updated++;
		else {
			log_info("webhook ignored", "whatsapp status %s for %.128s: %s", word, id,
			    change == NOTIFY_STATUS_UNKNOWN ? "unknown message" : "replay or out of order");
			if (change == NOTIFY_STATUS_UNKNOWN)
				unknown++;
			else
				unchanged++;
		}
	}
	if (json_object_array_length(statuses) > 0) {
		if (rc != DB_OK || db_commit(&app->db) != DB_OK) {
			log_error("whatsapp statuses not recorded", "%s", app->db.error);
			db_rollback(&app->db);
			web_unavailable(app, req, resp);	/* Meta delivers it again later */
			goto done;
		}
	}
	webhook_batch_answer(resp, "whatsapp", updated, unchanged, unknown, ignored);
done:
	json_object_put(statuses);
	json_object_put(body);
}
