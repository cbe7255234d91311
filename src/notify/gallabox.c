/* gallabox.c: WhatsApp through Gallabox's developer API (../shared/spec/wire-formats.md,
 * "Gallabox").
 *
 *   POST {base}/messages/whatsapp (base ends in /devapi), headers apiKey, apiSecret
 *   {"channelId","channelType":"whatsapp","recipient":{"name","phone"},
 *    "whatsapp":{"type":"template","template":{"templateName","bodyValues":{NAME: value}}}}
 *
 * The request is as third-party integrations show it (3p); the answer's shape is not
 * documented, so it is read tolerantly: any 2xx is accepted, and the message id is taken
 * from "id" (or "messageId") when there is one. recipient.phone is the E.164 number
 * without its "+", as Gallabox's examples write it. recipient.name is the number too: a
 * patient's name with a clinic's number is health information, and Gallabox only uses it
 * to label the contact. */
#include "notify/notify.h"
#include "notify/provider_net.h"

#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

/* r->error from Gallabox's error answer ({"message": …} as far as seen), tolerant. */
static void
gallabox_error(struct notify_result *r, long status, struct json_object *answer)
{
	struct json_object *msg;

	if (answer != NULL && (json_object_object_get_ex(answer, "message", &msg) ||
	    json_object_object_get_ex(answer, "error", &msg)) && json_object_is_type(msg, json_type_string))
		snprintf(r->error, sizeof r->error, "gallabox %ld: %s", status, json_object_get_string(msg));
	else
		snprintf(r->error, sizeof r->error, "gallabox %ld", status);
}

/* An accepted message's id: "id", or "messageId" in some answers. */
static void
gallabox_accepted(const struct notify_outgoing *m, const struct net_response *resp,
    struct json_object *answer, struct notify_result *r)
{
	struct json_object *id = NULL;

	(void)resp;
	if (answer != NULL && !json_object_object_get_ex(answer, "id", &id))
		json_object_object_get_ex(answer, "messageId", &id);
	notify_net_sent("gallabox", m, id, r);
}

static const struct notify_net_answers gallabox_answers = {
	.name = "gallabox", .accepted = gallabox_accepted, .refused = gallabox_error,
};

/* apiKey and apiSecret headers into key and secret (owned by the caller: wipe and free). */
static void
gallabox_auth(const struct notify_gallabox *g, struct buf *key, struct buf *secret)
{
	buf_printf(key, "apiKey: %s", g->api_key);
	buf_printf(secret, "apiSecret: %s", g->api_secret);
}

static void
gallabox_auth_free(struct buf *key, struct buf *secret)
{
	OPENSSL_cleanse(secret->data, secret->len);
	buf_free(secret);
	buf_free(key);
}

static int
gallabox_send(const struct notify_provider *p, const struct notify_outgoing *m,
    struct notify_result *r)
{
	const struct notify_gallabox *g = p->ctx;
	struct json_object *vars, *msg, *recipient, *wa, *tpl, *values;
	struct buf key = BUF_INIT, secret = BUF_INIT;
	int rc;
	char name[NOTIFY_WA_MAX_ID];
	const char *phone = m->recipient[0] == '+' ? m->recipient + 1 : m->recipient, *body;

	if ((vars = notify_wa_template("gallabox", g->templates, m, name, r)) == NULL)
		return -1;
	values = json_object_new_object();
	for (size_t i = 0; i < json_object_array_length(vars); i++) {
		struct json_object *e = json_object_array_get_idx(vars, i), *k = NULL, *v = NULL;

		if (json_object_object_get_ex(e, "name", &k) && json_object_object_get_ex(e, "value", &v))
			json_object_object_add(values, json_object_get_string(k),
			    json_object_new_string(json_object_get_string(v)));
	}
	tpl = json_object_new_object();
	json_object_object_add(tpl, "templateName", json_object_new_string(name));
	json_object_object_add(tpl, "bodyValues", values);
	wa = json_object_new_object();
	json_object_object_add(wa, "type", json_object_new_string("template"));
	json_object_object_add(wa, "template", tpl);
	recipient = json_object_new_object();
	json_object_object_add(recipient, "name", json_object_new_string(phone));
	json_object_object_add(recipient, "phone", json_object_new_string(phone));
	msg = json_object_new_object();
	json_object_object_add(msg, "channelId", json_object_new_string(g->channel_id));
	json_object_object_add(msg, "channelType", json_object_new_string("whatsapp"));
	json_object_object_add(msg, "recipient", recipient);
	json_object_object_add(msg, "whatsapp", wa);
	body = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	gallabox_auth(g, &key, &secret);
	{
		struct net_request req = { .method = "POST", .path = "/messages/whatsapp",
			.headers = { key.data, secret.data, NULL }, .content_type = "application/json",
			.body = body, .body_len = strlen(body) };

		rc = notify_net_send(&g->net, &req, m, &gallabox_answers, r);
	}
	gallabox_auth_free(&key, &secret);
	json_object_put(msg);
	json_object_put(vars);
	return rc;
}

/* Gallabox documents no read-only endpoint for the developer API keys, so the check posts
 * an empty object to the messages resource: the credentials are checked first (401/403 when
 * refused), and a request without channel, recipient or template cannot send anything —
 * it is refused as invalid (4xx), which here means "credentials accepted". */
static bool
gallabox_check(const struct notify_provider *p, char *msg, size_t size)
{
	const struct notify_gallabox *g = p->ctx;
	struct buf key = BUF_INIT, secret = BUF_INIT;
	struct net_response resp;
	struct net_err err;
	bool good = false;

	gallabox_auth(g, &key, &secret);
	net_response_init(&resp);
	{
		/* creates nothing (an empty message is invalid), so safe to retry like a read */
		struct net_request req = { .method = "POST", .path = "/messages/whatsapp",
			.headers = { key.data, secret.data, NULL }, .content_type = "application/json",
			.body = "{}", .body_len = 2, .retry = NET_RETRY_ANY, .request_id = "doctor" };

		net_request(&g->net, &req, &resp, &err);
	}
	if (err.status == 0 && err.code != NET_OK)
		snprintf(msg, size, "%s unreachable: %s", g->base_url, err.message);
	else if (err.status == 401 || err.status == 403)
		snprintf(msg, size, "credentials refused (HTTP %ld)", err.status);
	else if (err.status == 400 || err.status == 422) {
		snprintf(msg, size, "reachable, credentials accepted (an empty message was refused as invalid, HTTP %ld)",
		    err.status);
		good = true;
	} else
		snprintf(msg, size, "unexpected HTTP %ld to an empty message", err.status);
	net_response_free(&resp);
	gallabox_auth_free(&key, &secret);
	return good;
}

const struct notify_provider notify_gallabox_provider = {
	.name = "gallabox", .send = gallabox_send, .check = gallabox_check,
};
