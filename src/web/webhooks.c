/* webhooks.c: providers telling us what happened (NOTE-3). Each handler reads the body,
 * checks the provider is configured, and hands the raw request to the provider's module
 * (notify/twilio.c, sendgrid.c, meta_whatsapp.c), which verifies it before reading it,
 * applies it inside the request and says what to answer. */
#include "web/web.h"
#include "notify/notify.h"

#include <string.h>

/* The view of a module's answer: its JSON, its plain error, or the database's failure. */
static struct web_view
web_webhook_view(struct notify_webhook *a)
{
	if (a->db_failed)
		return web_view_db_failed();
	if (a->json != NULL)
		return web_view_json(a->status, a->json);
	return web_view_error(a->status, a->error, a->field);
}

/* POST /webhooks/twilio/status — Twilio's message status callback, SMS and WhatsApp. */
struct web_view
web_webhook_twilio_status(struct web_app *app, struct request *req, struct response *resp)
{
	struct notify_webhook a;
	struct buf url = BUF_ARENA(&req->arena);

	if (web_read_body(app, req, resp) < 0)
		return web_view_sent();
	if (strcmp(app->cfg.sms_provider, "twilio") != 0 &&
	    strcmp(app->cfg.whatsapp_provider, "twilio") != 0)
		return web_view_error(404, "Twilio is not configured", NULL);
	/* The URL Twilio signed is the one we gave it: our public URL, not the Host header. */
	buf_printf(&url, "%s%s", app->cfg.public_url, req->raw_uri);
	notify_twilio_status_webhook(&app->db, app->cfg.twilio_auth_token, url.data, &req->form,
	    http_header(req, "X-Twilio-Signature"), req->client_addr, &a);
	return web_webhook_view(&a);
}

/* POST /webhooks/sendgrid/events — SendGrid's signed Event Webhook. */
struct web_view
web_webhook_sendgrid_events(struct web_app *app, struct request *req, struct response *resp)
{
	struct notify_webhook a;

	if (web_read_body(app, req, resp) < 0)
		return web_view_sent();
	if (strcmp(app->cfg.email_provider, "sendgrid") != 0 ||
	    *app->cfg.sendgrid_webhook_public_key == '\0')
		return web_view_error(404, "SendGrid event webhook is not configured", NULL);
	notify_sendgrid_events_webhook(&app->db, app->cfg.sendgrid_webhook_public_key,
	    http_header(req, "X-Twilio-Email-Event-Webhook-Timestamp"),
	    http_header(req, "X-Twilio-Email-Event-Webhook-Signature"), req->body, req->body_len,
	    req->json, (double)clock_now_us() / 1e6, req->client_addr, &a);
	return web_webhook_view(&a);
}

/* GET /webhooks/whatsapp — Meta's subscription handshake: the hub.challenge echoed. */
struct web_view
web_webhook_whatsapp_verify(struct web_app *app, struct request *req, struct response *resp)
{
	const char *challenge = http_param(&req->query, "hub.challenge");
	struct notify_webhook a;

	if (strcmp(app->cfg.whatsapp_provider, "meta") != 0 || *app->cfg.meta_verify_token == '\0')
		return web_view_error(404, "WhatsApp webhooks are not configured", NULL);
	notify_meta_handshake(app->cfg.meta_verify_token, http_param(&req->query, "hub.mode"),
	    http_param(&req->query, "hub.verify_token"), challenge, req->client_addr, &a);
	if (a.status != 200)
		return web_webhook_view(&a);
	http_response_set(resp, 200, "text/plain", challenge, strlen(challenge));
	return web_view_sent();
}

/* POST /webhooks/whatsapp — Meta's message status webhooks. */
struct web_view
web_webhook_whatsapp(struct web_app *app, struct request *req, struct response *resp)
{
	const char *content_type = req->content_type;
	struct notify_webhook a;
	int rc;

	/* Read the bytes only: nothing is parsed before the signature over them is checked. */
	req->content_type = "";
	rc = web_read_body(app, req, resp);
	req->content_type = content_type;
	if (rc < 0)
		return web_view_sent();
	if (strcmp(app->cfg.whatsapp_provider, "meta") != 0)
		return web_view_error(404, "WhatsApp webhooks are not configured", NULL);
	notify_meta_webhook(&app->db, app->cfg.meta_app_secret, req->body, req->body_len,
	    http_header(req, "X-Hub-Signature-256"), req->client_addr, &a);
	return web_webhook_view(&a);
}
