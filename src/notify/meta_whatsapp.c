/* meta_whatsapp.c: WhatsApp through Meta's Cloud API (../shared/spec/wire-formats.md, "Meta
 * WhatsApp Cloud API").
 *
 *   POST {base}/v{N}/{PHONE_NUMBER_ID}/messages, Authorization: Bearer {token}
 *   {"messaging_product":"whatsapp","to":"+E164","type":"template","template":{"name",
 *    "language":{"code"},"components":[{"type":"body","parameters":[{"type":"text",
 *    "text":…},…]},{"type":"button","sub_type":"url","index":"0","parameters":[…]}]}}
 *   200 {"messaging_product":"whatsapp","contacts":[…],"messages":[{"id":"wamid.…"}]}
 *   errors: Graph API {"error":{"message","type","code","error_subcode","fbtrace_id"}}
 *
 * Delivery reports come back signed to /webhooks/whatsapp (web/webhooks.c). */
#include "notify/notify.h"
#include "notify/provider_net.h"
#include "notify/webhook.h"

#include <ctype.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define META_HMAC_HEX     64	/* hex digits of a SHA-256 HMAC */
#define META_SIG_PREFIX   "sha256="

/* Graph API error codes that mean "not now" rather than "never", whatever the HTTP status
 * (Meta's Cloud API error-code reference): 2 temporary downtime, 4 application rate limit,
 * 80007 WhatsApp Business Account rate limit, 130429 throughput limit, 131000 something
 * went wrong, 131016 service unavailable, 131056 too many messages to one recipient. */
static const long meta_retry_codes[] = { 2, 4, 80007, 130429, 131000, 131016, 131056 };

/* "21.0" or "v21.0" → "v21.0" in URLs */
static const char *
meta_version(const struct notify_meta *t)
{
	return t->api_version[0] == 'v' ? t->api_version + 1 : t->api_version;
}

/* The template object of a message: name, language, and the variables as body parameters
 * (and a URL button's parameter where the catalogue says so). Owned by the caller. */
static struct json_object *
meta_template(const struct notify_meta *t, const char *name, struct json_object *vars)
{
	struct json_object *tpl = json_object_new_object(), *lang = json_object_new_object();
	struct json_object *components = json_object_new_array(), *body_params = json_object_new_array();
	struct json_object *button = NULL;

	json_object_object_add(tpl, "name", json_object_new_string(name));
	json_object_object_add(lang, "code", json_object_new_string(t->language));
	json_object_object_add(tpl, "language", lang);
	for (size_t i = 0; i < json_object_array_length(vars); i++) {
		struct json_object *e = json_object_array_get_idx(vars, i), *v = NULL, *b = NULL, *p;
		const char *value;

		json_object_object_get_ex(e, "value", &v);
		value = v ? json_object_get_string(v) : "";
		p = json_object_new_object();
		json_object_object_add(p, "type", json_object_new_string("text"));
		json_object_object_add(p, "text", json_object_new_string(value));
		json_object_array_add(body_params, p);
		if (button == NULL && json_object_object_get_ex(e, "button", &b) &&
		    strcmp(json_object_get_string(b), "url") == 0) {
			struct json_object *bp = json_object_new_array(), *q = json_object_new_object();

			json_object_object_add(q, "type", json_object_new_string("text"));
			json_object_object_add(q, "text", json_object_new_string(value));
			json_object_array_add(bp, q);
			button = json_object_new_object();
			json_object_object_add(button, "type", json_object_new_string("button"));
			json_object_object_add(button, "sub_type", json_object_new_string("url"));
			json_object_object_add(button, "index", json_object_new_string("0"));
			json_object_object_add(button, "parameters", bp);
		}
	}
	if (json_object_array_length(body_params) > 0) {
		struct json_object *body = json_object_new_object();

		json_object_object_add(body, "type", json_object_new_string("body"));
		json_object_object_add(body, "parameters", body_params);
		json_object_array_add(components, body);
	} else
		json_object_put(body_params);
	if (button != NULL)
		json_object_array_add(components, button);
	if (json_object_array_length(components) > 0)
		json_object_object_add(tpl, "components", components);
	else
		json_object_put(components);
	return tpl;
}

/* r->error from a Graph API error answer; returns its code (0 when there is none). */
static long
meta_error(struct notify_result *r, long status, struct json_object *answer)
{
	struct json_object *err, *msg, *code;
	long n = 0;

	if (answer != NULL && json_object_object_get_ex(answer, "error", &err) &&
	    json_object_object_get_ex(err, "message", &msg)) {
		if (json_object_object_get_ex(err, "code", &code))
			n = (long)json_object_get_int64(code);
		snprintf(r->error, sizeof r->error, "meta %ld: %s (code %ld)", status,
		    json_object_get_string(msg), n);
	} else
		snprintf(r->error, sizeof r->error, "meta %ld", status);
	return n;
}

/* An accepted message's id: {"messages": [{"id": …}]} */
static void
meta_accepted(const struct notify_outgoing *m, const struct net_response *resp,
    struct json_object *answer, struct notify_result *r)
{
	struct json_object *msgs, *id = NULL;

	(void)resp;
	if (answer != NULL && json_object_object_get_ex(answer, "messages", &msgs) &&
	    json_object_is_type(msgs, json_type_array) && json_object_array_length(msgs) > 0)
		json_object_object_get_ex(json_object_array_get_idx(msgs, 0), "id", &id);
	notify_net_sent("meta", m, id, r);
}

/* A refusal whose error code says "later" (meta_retry_codes) is retried. */
static void
meta_refused(struct notify_result *r, long status, struct json_object *answer)
{
	long code = meta_error(r, status, answer);

	for (size_t i = 0; i < sizeof meta_retry_codes / sizeof *meta_retry_codes; i++)
		if (code == meta_retry_codes[i])
			r->outcome = NOTIFY_RETRY;
}

static const struct notify_net_answers meta_answers = {
	.name = "meta", .accepted = meta_accepted, .refused = meta_refused,
};

static int
meta_send(const struct notify_provider *p, const struct notify_outgoing *m,
    struct notify_result *r)
{
	const struct notify_meta *t = p->ctx;
	struct buf path = BUF_INIT;
	struct json_object *vars, *msg;
	char name[NOTIFY_WA_MAX_ID];
	const char *body;
	int rc;

	if ((vars = notify_wa_template("meta", t->templates, m, name, r)) == NULL)
		return -1;
	msg = json_object_new_object();
	json_object_object_add(msg, "messaging_product", json_object_new_string("whatsapp"));
	json_object_object_add(msg, "to", json_object_new_string(m->recipient));
	json_object_object_add(msg, "type", json_object_new_string("template"));
	json_object_object_add(msg, "template", meta_template(t, name, vars));
	body = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	buf_printf(&path, "/v%s/%s/messages", meta_version(t), t->phone_number_id);
	{
		struct net_request req = { .method = "POST", .path = path.data,
			.content_type = "application/json", .body = body, .body_len = strlen(body) };

		rc = notify_net_send(&t->net, &req, m, &meta_answers, r);
	}
	json_object_put(msg);
	json_object_put(vars);
	buf_free(&path);
	return rc;
}

/* A harmless real request: read the phone number's own node with the token. */
static bool
meta_check(const struct notify_provider *p, char *msg, size_t size)
{
	const struct notify_meta *t = p->ctx;
	struct net_response resp;
	struct net_err err;
	struct buf path = BUF_INIT;
	struct notify_result why = { 0 };
	bool good = false;

	buf_printf(&path, "/v%s/%s?fields=display_phone_number,verified_name", meta_version(t),
	    t->phone_number_id);
	net_response_init(&resp);
	{
		struct net_request req = { .method = "GET", .path = path.data, .request_id = "doctor" };

		net_request(&t->net, &req, &resp, &err);
	}
	if (err.status == 0 && err.code != NET_OK)
		snprintf(msg, size, "%s unreachable: %s", t->base_url, err.message);
	else if (err.status == 200) {
		struct json_object *o = json_tokener_parse(buf_cstr(&resp.body)), *num;

		snprintf(msg, size, "phone number %s reachable, token accepted",
		    o && json_object_object_get_ex(o, "display_phone_number", &num)
		    ? json_object_get_string(num) : t->phone_number_id);
		json_object_put(o);
		good = true;
	} else {
		struct json_object *o = json_tokener_parse(buf_cstr(&resp.body));
		long code = meta_error(&why, err.status, o);

		json_object_put(o);

		if (err.status == 401 || code == 190)
			snprintf(msg, size, "access token refused (HTTP %ld, code %ld)", err.status, code);
		else
			snprintf(msg, size, "unexpected HTTP %ld from the phone number (code %ld)",
			    err.status, code);
	}
	net_response_free(&resp);
	buf_free(&path);
	return good;
}

void
notify_meta_signature(const char *app_secret, const char *body, size_t len,
    char out[NOTIFY_META_SIGNATURE_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char *o = out + strlen(META_SIG_PREFIX);

	HMAC(EVP_sha256(), app_secret, (int)strlen(app_secret), (const unsigned char *)body, len,
	    mac, &maclen);
	memcpy(out, META_SIG_PREFIX, strlen(META_SIG_PREFIX));
	for (unsigned i = 0; i < maclen && i < META_HMAC_HEX / 2; i++) {
		*o++ = hex[mac[i] >> 4];
		*o++ = hex[mac[i] & 15];
	}
	*o = '\0';
}

bool
notify_meta_signature_ok(const char *app_secret, const char *body, size_t len,
    const char *given)
{
	char want[NOTIFY_META_SIGNATURE_SIZE], low[NOTIFY_META_SIGNATURE_SIZE];

	if (given == NULL || strlen(given) != NOTIFY_META_SIGNATURE_SIZE - 1 ||
	    app_secret == NULL || *app_secret == '\0')
		return false;
	for (size_t i = 0; i < NOTIFY_META_SIGNATURE_SIZE; i++)
		low[i] = (char)tolower((unsigned char)given[i]);
	notify_meta_signature(app_secret, body, len, want);
	return CRYPTO_memcmp(want, low, NOTIFY_META_SIGNATURE_SIZE - 1) == 0;
}

const struct notify_provider notify_meta_provider = {
	.name = "meta", .send = meta_send, .check = meta_check,
};

/* ---- webhooks (NOTE-3): the subscription handshake and message statuses ---- */

/* Meta's hub.challenge is a number; anything else long or strange is not echoed. */
#define META_CHALLENGE_MAX 128

void
notify_meta_handshake(const char *verify_token, const char *mode, const char *token,
    const char *challenge, const char *client, struct notify_webhook *a)
{
	size_t n = strlen(verify_token);

	if (mode == NULL || strcmp(mode, "subscribe") != 0 || token == NULL ||
	    strlen(token) != n || CRYPTO_memcmp(token, verify_token, n) != 0) {
		log_warn("webhook refused", "whatsapp handshake from %s: wrong mode or verify token",
		    client);
		notify_webhook_refuse(a, 403, "Invalid verify token", NULL);
		return;
	}
	if (challenge == NULL || *challenge == '\0' || strlen(challenge) > META_CHALLENGE_MAX ||
	    strspn(challenge, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.") !=
	    strlen(challenge)) {
		notify_webhook_refuse(a, 400, "hub.challenge is required (letters and digits)",
		    "hub.challenge");
		return;
	}
	log_info("whatsapp webhook verified", "handshake from %s", client);
	*a = (struct notify_webhook){ .status = 200 };
}

/* An array member of o, or NULL when absent; *bad when present and not an array. */
static struct json_object *
meta_array(struct json_object *o, const char *key, bool *bad)
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
meta_statuses(struct json_object *body, const char **why)
{
	struct json_object *out = json_object_new_array(), *entries;
	bool bad = false;

	if (!json_object_is_type(body, json_type_object) ||
	    (entries = meta_array(body, "entry", &bad)) == NULL) {
		*why = "expected an object with an entry array";
		goto fail;
	}
	for (size_t i = 0; i < json_object_array_length(entries); i++) {
		struct json_object *changes = meta_array(json_object_array_get_idx(entries, i),
		    "changes", &bad);

		for (size_t j = 0; changes != NULL && j < json_object_array_length(changes); j++) {
			struct json_object *change = json_object_array_get_idx(changes, j), *value = NULL;
			struct json_object *statuses;

			if (!json_object_is_type(change, json_type_object) ||
			    !json_object_object_get_ex(change, "value", &value))
				continue;	/* other fields of other kinds: not ours */
			statuses = meta_array(value, "statuses", &bad);
			for (size_t k = 0; statuses != NULL && k < json_object_array_length(statuses); k++) {
				struct json_object *st = json_object_array_get_idx(statuses, k);

				if (notify_webhook_str(st, "id") == NULL ||
				    notify_webhook_str(st, "status") == NULL) {
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
meta_error_code(struct json_object *st, char *out, size_t size)
{
	struct json_object *errors, *code;
	bool bad = false;

	*out = '\0';
	if ((errors = meta_array(st, "errors", &bad)) != NULL && json_object_array_length(errors) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(errors, 0), "code", &code) &&
	    (!json_object_is_type(code, json_type_string) || http_json_text(code) != NULL))
		snprintf(out, size, "%s", json_object_get_string(code));	/* a code with a NUL: none */
}

/* Applies statuses in one transaction of their own; counts: updated, unchanged, unknown,
 * ignored. DB_OK or the database's error (rolled back). */
static int
meta_apply(struct db *db, struct json_object *statuses, int counts[4])
{
	size_t n = json_object_array_length(statuses);
	int rc = DB_OK;

	if (n > 0 && (rc = db_exec_simple(db, "BEGIN")) != DB_OK)
		return rc;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		struct json_object *st = json_object_array_get_idx(statuses, i);
		const char *id = notify_webhook_str(st, "id"), *word = notify_webhook_str(st, "status");
		enum notify_status_change change = NOTIFY_STATUS_UNKNOWN;
		char code[32];

		if (!notify_report_word_known("meta", word)) {
			log_info("webhook ignored", "whatsapp status \"%.32s\" for %.128s: not a delivery state", word, id);
			counts[3]++;
			continue;
		}
		meta_error_code(st, code, sizeof code);
		if ((rc = notify_delivery_report(db, "meta", id, word, code, &change)) != DB_OK)
			break;
		if (change == NOTIFY_STATUS_UPDATED || change == NOTIFY_STATUS_CONFIRMED)
			counts[0]++;
		else {
			log_info("webhook ignored", "whatsapp status %s for %.128s: %s", word, id,
			    change == NOTIFY_STATUS_UNKNOWN ? "unknown message" : "replay or out of order");
			counts[change == NOTIFY_STATUS_UNKNOWN ? 2 : 1]++;
		}
	}
	if (n > 0 && (rc != DB_OK || (rc = db_commit(db)) != DB_OK))
		db_rollback(db);
	return rc;
}

void
notify_meta_webhook(struct db *db, const char *app_secret, const char *body, size_t len,
    const char *signature, const char *client, struct notify_webhook *a)
{
	struct json_object *parsed = NULL, *statuses = NULL;
	int counts[4] = { 0 };	/* updated, unchanged, unknown, ignored */
	const char *why = NULL;

	if (!notify_meta_signature_ok(app_secret, body, len, signature)) {
		log_warn("webhook refused", "whatsapp status from %s: bad signature", client);
		notify_webhook_refuse(a, 403, "Invalid signature", NULL);
		return;
	}
	if (http_json_check(body, len, HTTP_JSON_MAX_DEPTH, &why) < 0 ||
	    (parsed = json_tokener_parse(body)) == NULL ||
	    (statuses = meta_statuses(parsed, &why)) == NULL) {
		struct json_object *details = json_object_new_object();

		log_warn("webhook refused", "whatsapp status from %s: %s", client,
		    why ? why : "malformed JSON");
		json_object_object_add(details, "body", json_object_new_string(why ? why : "Malformed JSON"));
		notify_webhook_invalid(a, details);
		json_object_put(parsed);
		return;
	}
	if (meta_apply(db, statuses, counts) != DB_OK) {
		log_error("whatsapp statuses not recorded", "%s", db->error);
		*a = (struct notify_webhook){ .status = 503, .db_failed = true };	/* Meta sends it again */
	} else
		notify_webhook_batch(a, "whatsapp", counts[0], counts[1], counts[2], counts[3]);
	json_object_put(statuses);
	json_object_put(parsed);
}
