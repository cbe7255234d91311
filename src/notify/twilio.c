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
#include "notify/http_client.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* Appends key=value, URL-encoded, to a form body. */
static void
twilio_form_add(CURL *c, struct buf *form, const char *key, const char *value)
{
	char *enc = curl_easy_escape(c, value, 0);

	if (form->len)
		buf_putc(form, '&');
	buf_printf(form, "%s=%s", key, enc ? enc : "");
	curl_free(enc);
}

static void
twilio_error_text(struct notify_result *r, long status, const struct buf *body)
{
	struct json_object *o = json_tokener_parse(buf_cstr(body)), *code, *msg;

	if (o != NULL && json_object_object_get_ex(o, "message", &msg))
		snprintf(r->error, sizeof r->error, "twilio %ld: %s (code %s)", status,
		    json_object_get_string(msg),
		    json_object_object_get_ex(o, "code", &code) ? json_object_get_string(code) : "?");
	else
		snprintf(r->error, sizeof r->error, "twilio %ld", status);
	json_object_put(o);
}

/* What every call to Twilio shares: notify_http_setup, and Basic AccountSid:AuthToken. */
static void
twilio_curl_setup(CURL *c, const struct notify_twilio *t, const char *url,
    struct notify_http_reply *reply)
{
	notify_http_setup(c, url, t->timeout_ms, reply);
	curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(c, CURLOPT_USERNAME, t->account_sid);
	curl_easy_setopt(c, CURLOPT_PASSWORD, t->auth_token);
}

/* To, From and the template of a WhatsApp message. A template without a ContentSid in
 * KAIROS_WHATSAPP_TEMPLATES is refused: Twilio has no name for it, and a free-form Body
 * fails outside the 24-hour window. -1 with r set (rejected) when it cannot be built. */
static int
twilio_whatsapp_form(CURL *c, const struct notify_twilio *t, const struct notify_outgoing *m,
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
	twilio_form_add(c, form, "To", to.data);
	twilio_form_add(c, form, strncmp(t->from, "MG", 2) == 0 ? "MessagingServiceSid" : "From",
	    t->from);
	twilio_form_add(c, form, "ContentSid", content_sid);
	twilio_form_add(c, form, "ContentVariables",
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
	struct notify_http_reply reply;
	struct buf url = BUF_INIT, form = BUF_INIT;
	long status = 0;
	CURLcode cc;
	CURL *c;

	notify_http_reply_init(&reply);
	if ((c = notify_http_handle()) == NULL) {
		r->outcome = NOTIFY_RETRY;
		snprintf(r->error, sizeof r->error, "curl_easy_init failed");
		return -1;
	}
	buf_printf(&url, "%s/2010-04-01/Accounts/%s/Messages.json", t->base_url, t->account_sid);
	if (strcmp(m->channel, "whatsapp") == 0) {
		if (twilio_whatsapp_form(c, t, m, &form, r) < 0) {
			buf_free(&url);
			buf_free(&form);
			return -1;
		}
	} else {
		twilio_form_add(c, &form, "To", m->recipient);
		twilio_form_add(c, &form, strncmp(t->from, "MG", 2) == 0 ? "MessagingServiceSid"
		    : "From", t->from);
		twilio_form_add(c, &form, "Body", m->body_text);
	}
	if (t->status_callback != NULL && *t->status_callback != '\0')
		twilio_form_add(c, &form, "StatusCallback", t->status_callback);

	twilio_curl_setup(c, t, url.data, &reply);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)form.len);

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK && !reply.too_big) {
		/* no answer (refused, timeout, reset): the message may or may not exist at Twilio */
		r->outcome = NOTIFY_RETRY;
		snprintf(r->error, sizeof r->error, "twilio: %s", curl_easy_strerror(cc));
	} else if (status >= 200 && status < 300) {
		struct json_object *o = json_tokener_parse(buf_cstr(&reply.body)), *sid;

		if (o != NULL && json_object_object_get_ex(o, "sid", &sid) &&
		    json_object_is_type(sid, json_type_string)) {
			r->outcome = NOTIFY_SENT;
			snprintf(r->provider_id, sizeof r->provider_id, "%s", json_object_get_string(sid));
		} else {
			r->outcome = NOTIFY_RETRY;
			snprintf(r->error, sizeof r->error, "twilio %ld: answer without a sid", status);
		}
		json_object_put(o);
	} else {
		r->outcome = status == 429 || status >= 500 || reply.too_big ? NOTIFY_RETRY
		    : NOTIFY_REJECTED;
		r->retry_after = status == 429 ? reply.retry_after : 0;
		twilio_error_text(r, status, &reply.body);
	}
	notify_http_reply_free(&reply);	/* the handle stays with the thread */
	buf_free(&url);
	buf_free(&form);
	return r->outcome == NOTIFY_SENT ? 0 : -1;
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
	struct notify_http_reply reply;
	struct buf url = BUF_INIT;
	long status = 0;
	CURLcode cc;
	CURL *c;

	if (strncmp(t->account_sid, "AC", 2) != 0 || !twilio_hex(t->account_sid + 2, 32)) {
		snprintf(msg, size, "KAIROS_TWILIO_ACCOUNT_SID is not AC followed by 32 hex digits");
		return false;
	}
	notify_http_reply_init(&reply);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(msg, size, "cannot start an HTTP client");
		return false;
	}
	buf_printf(&url, "%s/2010-04-01/Accounts/%s.json", t->base_url, t->account_sid);
	twilio_curl_setup(c, t, url.data, &reply);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	buf_free(&url);
	notify_http_reply_free(&reply);
	if (cc != CURLE_OK)
		snprintf(msg, size, "%s unreachable: %s", t->base_url, curl_easy_strerror(cc));
	else if (status == 401 || status == 403)
		snprintf(msg, size, "credentials refused (HTTP %ld)", status);
	else if (status != 200)
		snprintf(msg, size, "unexpected HTTP %ld from the account resource", status);
	else {
		snprintf(msg, size, "account %.6s… reachable, credentials accepted", t->account_sid);
		return true;
	}
	return false;
}

void
notify_twilio_init(struct notify_provider *p, const struct notify_twilio *settings)
{
	p->name = "twilio";
	p->send = twilio_send;
	p->check = twilio_check;
	p->ctx = settings;
}
