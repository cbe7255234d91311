/* twilio.c: SMS and WhatsApp through Twilio's Messages API (../shared/spec/wire-formats.md,
 * "Twilio").
 *
 *   POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json
 *   Basic AccountSid:AuthToken; form To, From (or MessagingServiceSid), Body
 *   WhatsApp: To whatsapp:+E164, From whatsapp:+E164; a template (needed outside the
 *   24-hour window, so always used) goes as ContentSid + ContentVariables {"1": …} instead
 *   of Body
 *   201 {"sid": "SM…", "status": "queued", …}; errors {"code", "message", "status"} */
#include "notify/notify.h"
#include "notify/provider_net.h"
#include "notify/webhook.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static void
twilio_error_text(struct notify_result *r, long status, struct json_object *answer)
{
	struct json_object *code, *msg;

	if (answer != NULL && json_object_object_get_ex(answer, "message", &msg))
		snprintf(r->error, sizeof r->error, "twilio %ld: %s (code %s)", status,
		    json_object_get_string(msg),
		    json_object_object_get_ex(answer, "code", &code) ? json_object_get_string(code) : "?");
	else
		snprintf(r->error, sizeof r->error, "twilio %ld", status);
}

/* An accepted message's sid: an answer without one is retried (Twilio always sends it). */
static void
twilio_accepted(const struct notify_outgoing *m, const struct net_response *resp,
    struct json_object *answer, struct notify_result *r)
{
	struct json_object *sid;

	(void)m;
	if (answer != NULL && json_object_object_get_ex(answer, "sid", &sid) &&
	    json_object_is_type(sid, json_type_string)) {
		r->outcome = NOTIFY_SENT;
		snprintf(r->provider_id, sizeof r->provider_id, "%s", json_object_get_string(sid));
	} else {
		r->outcome = NOTIFY_RETRY;
		snprintf(r->error, sizeof r->error, "twilio %ld: answer without a sid", resp->status);
	}
}

static const struct notify_net_answers twilio_answers = {
	.name = "twilio", .accepted = twilio_accepted, .refused = twilio_error_text,
};

/* To, From and the template of a WhatsApp message. A template without a ContentSid in
 * KAIROS_WHATSAPP_TEMPLATES is refused: Twilio has no name for it, and a free-form Body
 * fails outside the 24-hour window. -1 with r set (rejected) when it cannot be built. */
static int
twilio_whatsapp_form(const struct notify_twilio *t, const struct notify_outgoing *m,
    struct buf *form, struct notify_result *r)
{
	char content_sid[NOTIFY_WA_MAX_ID];
	struct json_object *vars, *cv;
	struct buf to = BUF_INIT;

	if (*m->template_name == '\0' ||
	    notify_whatsapp_template_id(t->templates, m->template_name, false, content_sid) < 0) {
		r->outcome = NOTIFY_REJECTED;
		snprintf(r->error, sizeof r->error, "twilio: no ContentSid for whatsapp template "
		    "\"%s\" in KAIROS_WHATSAPP_TEMPLATES", m->template_name);
		return -1;
	}
	if ((vars = notify_whatsapp_vars(m->template_vars)) == NULL) {
		r->outcome = NOTIFY_REJECTED;
		snprintf(r->error, sizeof r->error, "twilio: malformed template variables");
		return -1;
	}
	/* ContentVariables are positional: {"1": first, "2": second, ...} */
	cv = json_object_new_object();
	for (size_t i = 0; i < json_object_array_length(vars); i++) {
		struct json_object *v = NULL;
		char key[24];

		snprintf(key, sizeof key, "%zu", i + 1);
		json_object_object_get_ex(json_object_array_get_idx(vars, i), "value", &v);
		json_object_object_add(cv, key, json_object_new_string(v ? json_object_get_string(v) : ""));
	}
	buf_printf(&to, "whatsapp:%s", m->recipient);
	net_form_add(form, "To", to.data);
	net_form_add(form, strncmp(t->from, "MG", 2) == 0 ? "MessagingServiceSid" : "From",
	    t->from);
	net_form_add(form, "ContentSid", content_sid);
	net_form_add(form, "ContentVariables",
	    json_object_to_json_string_ext(cv, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(cv);
	json_object_put(vars);
	buf_free(&to);
	return 0;
}

static int
twilio_send(const struct notify_provider *p, const struct notify_outgoing *m,
    struct notify_result *r)
{
	const struct notify_twilio *t = p->ctx;
	struct buf path = BUF_INIT, form = BUF_INIT;
	int rc;

	buf_printf(&path, "/2010-04-01/Accounts/%s/Messages.json", t->account_sid);
	if (strcmp(m->channel, "whatsapp") == 0) {
		if (twilio_whatsapp_form(t, m, &form, r) < 0) {
			buf_free(&path);
			buf_free(&form);
			return -1;
		}
	} else {
		net_form_add(&form, "To", m->recipient);
		net_form_add(&form, strncmp(t->from, "MG", 2) == 0 ? "MessagingServiceSid"
		    : "From", t->from);
		net_form_add(&form, "Body", m->body_text);
	}
	if (t->status_callback != NULL && *t->status_callback != '\0')
		net_form_add(&form, "StatusCallback", t->status_callback);

	{
		struct net_request req = { .method = "POST", .path = path.data,
			.content_type = "application/x-www-form-urlencoded", .body = form.data,
			.body_len = form.len };

		rc = notify_net_send(&t->net, &req, m, &twilio_answers, r);
	}
	buf_free(&path);
	buf_free(&form);
	return rc;
}

static int
twilio_param_cmp(const void *a, const void *b)
{
	const struct http_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

void
notify_twilio_signature(const char *auth_token, const char *url, const struct http_params *form,
    char out[NOTIFY_TWILIO_SIGNATURE_SIZE])
{
	struct http_param *sorted = xcalloc(form->count + 1, sizeof *sorted);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct buf data = BUF_INIT;

	memcpy(sorted, form->items, form->count * sizeof *sorted);
	qsort(sorted, form->count, sizeof *sorted, twilio_param_cmp);
	buf_puts(&data, url);
	for (size_t i = 0; i < form->count; i++) {
		buf_puts(&data, sorted[i].name);
		buf_append(&data, sorted[i].value, sorted[i].value_len);
	}
	HMAC(EVP_sha1(), auth_token, (int)strlen(auth_token), (const unsigned char *)data.data,
	    data.len, mac, &maclen);
	EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);	/* 20 bytes → 28 chars + NUL */
	buf_free(&data);
	free(sorted);
}

bool
notify_twilio_signature_ok(const char *auth_token, const char *url,
    const struct http_params *form, const char *given)
{
	char want[NOTIFY_TWILIO_SIGNATURE_SIZE];

	if (given == NULL || strlen(given) != NOTIFY_TWILIO_SIGNATURE_SIZE - 1)
		return false;
	notify_twilio_signature(auth_token, url, form, want);
	return CRYPTO_memcmp(want, given, NOTIFY_TWILIO_SIGNATURE_SIZE - 1) == 0;
}

static bool
twilio_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[n] == '\0';
}

/* A harmless real request: read the account resource with the credentials. */
static bool
twilio_check(const struct notify_provider *p, char *msg, size_t size)
{
	const struct notify_twilio *t = p->ctx;
	struct net_response resp;
	struct buf path = BUF_INIT;
	bool good;

	if (strncmp(t->account_sid, "AC", 2) != 0 || !twilio_hex(t->account_sid + 2, 32)) {
		snprintf(msg, size, "KAIROS_TWILIO_ACCOUNT_SID is not AC followed by 32 hex digits");
		return false;
	}
	buf_printf(&path, "/2010-04-01/Accounts/%s.json", t->account_sid);
	net_response_init(&resp);
	good = notify_net_check(&t->net, path.data, "credentials", "the account resource", &resp,
	    msg, size);
	net_response_free(&resp);
	buf_free(&path);
	if (good)
		snprintf(msg, size, "account %.6s… reachable, credentials accepted", t->account_sid);
	return good;
}

const struct notify_provider notify_twilio_provider = {
	.name = "twilio", .send = twilio_send, .check = twilio_check,
};

/* ---- the status callback (NOTE-3) ---- */

void
notify_twilio_status_webhook(struct db *db, const char *auth_token, const char *url,
    const struct http_params *form, const char *signature, const char *client,
    struct notify_webhook *a)
{
	const char *sid = http_param(form, "MessageSid"), *status = http_param(form, "MessageStatus");
	enum notify_status_change change = NOTIFY_STATUS_UNKNOWN;
	int rc;

	if (!notify_twilio_signature_ok(auth_token, url, form, signature)) {
		log_warn("webhook refused", "twilio status from %s: bad signature", client);
		notify_webhook_refuse(a, 403, "Invalid signature", NULL);
		return;
	}
	if (sid == NULL || *sid == '\0' || status == NULL || *status == '\0') {
		notify_webhook_refuse(a, 400, "MessageSid and MessageStatus are required",
		    sid == NULL || *sid == '\0' ? "MessageSid" : "MessageStatus");
		return;
	}
	rc = notify_delivery_report(db, "twilio", sid, status, http_param(form, "ErrorCode"),
	    &change);
	if (rc == DB_UNAVAILABLE) {
		*a = (struct notify_webhook){ .status = 503, .db_failed = true };	/* Twilio retries */
		return;
	}
	if (rc != DB_OK) {
		notify_webhook_refuse(a, 400, "Unknown MessageStatus", "MessageStatus");
		return;
	}
	switch (change) {
	case NOTIFY_STATUS_UPDATED:
	case NOTIFY_STATUS_CONFIRMED:
		*a = (struct notify_webhook){ .status = 200, .json = json_object_new_object() };
		json_object_object_add(a->json, "ok", json_object_new_boolean(1));
		break;
	case NOTIFY_STATUS_UNKNOWN:
		log_warn("webhook refused", "twilio status for unknown message %s", sid);
		notify_webhook_refuse(a, 404, "Unknown message", NULL);
		break;
	case NOTIFY_STATUS_STALE:
		log_info("webhook ignored", "twilio status %s for %s: replay or out of order", status, sid);
		notify_webhook_refuse(a, 409, "Already recorded", NULL);
		break;
	}
}
