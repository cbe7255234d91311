/* webhooks.c: providers telling us what happened. Every request is verified on its raw
 * form before anything is read from it; refusals are logged and change nothing. */
#include "web/web.h"
#include "notify/notify.h"

#include <string.h>

#include <json-c/json.h>

/* POST /webhooks/twilio/status — Twilio's message status callback (NOTE-3). */
void
web_webhook_twilio_status(struct web_app *app, struct request *req, struct response *resp)
{
	const char *sid, *status, *sig = http_header(req, "X-Twilio-Signature");
	enum notify_status_change change = NOTIFY_STATUS_UNKNOWN;
	struct buf url = BUF_INIT;
	int rc;

	if (web_read_body(app, req, resp) < 0)
		return;
	if (strcmp(app->cfg.sms_provider, "twilio") != 0) {
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
