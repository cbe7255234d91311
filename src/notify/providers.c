/* providers.c: which provider carries each channel, from the configuration (NOTE-1).
 *
 * jobs (sending), doctor (checking) and the renderer (the BAA gate, NOTE-5) all ask here, so
 * a provider is wired in one place: its settings, its check and its BAA flag. */
#include "notify/notify.h"
#include "notify/provider_net.h"

#include <string.h>

#include <json-c/json.h>

void
notify_net_client(struct net_client *c, const char *name, const char *base_url,
    long timeout_ms, enum net_auth auth, const char *user, const char *secret)
{
	char why[NET_MAX_ERROR];

	*c = (struct net_client){
		.name = name,
		.base_url = base_url,
		.timeout_ms = timeout_ms,
		.budget_ms = timeout_ms,	/* the lease rule allows a send this long (runner.c) */
		.max_attempts = NOTIFY_NET_ATTEMPTS,
		.max_response = NOTIFY_NET_MAX_RESPONSE,
		.auth = auth,
		.username = auth == NET_AUTH_BASIC ? user : NULL,
		.password = auth == NET_AUTH_BASIC ? secret : NULL,
		.token = auth == NET_AUTH_BEARER ? secret : NULL,
	};
	if (net_client_init(c, why, sizeof why) < 0)
		log_error("provider not usable", "%s", why);
}

/* After a send's net_request failed: r->outcome (retry for what may pass: network errors,
 * 429, 5xx, an oversized answer; rejected for the rest), r->retry_after from a 429, and,
 * when no HTTP answer came, r->error "name: why". Returns whether an HTTP answer came, for
 * notify_net_send to hand its body to the provider's refused. */
static bool
notify_net_failed(const char *name, const struct net_err *err, long status,
    struct notify_result *r)
{
	r->outcome = net_error_transient(err->code) || err->code == NET_TOO_LARGE ||
	    err->code == NET_THROTTLED || err->code == NET_INTERNAL || err->code == NET_BAD_REQUEST
	    ? NOTIFY_RETRY : NOTIFY_REJECTED;
	r->retry_after = err->code == NET_RATE_LIMITED ? err->retry_after_s : 0;
	if (status != 0)
		return true;
	/* no answer: the message may or may not exist at the provider (err->maybe_sent) */
	snprintf(r->error, sizeof r->error, "%s: %s", name, err->message);
	return false;
}

int
notify_net_send(const struct net_client *c, struct net_request *req,
    const struct notify_outgoing *m, const struct notify_net_answers *answers,
    struct notify_result *r)
{
	struct net_response resp;
	struct net_err err;
	struct json_object *answer;
	bool accepted;

	/* a message created twice reaches the patient twice: provider_net.h */
	req->retry = NET_RETRY_UNSENT;
	req->request_id = m->id;
	net_response_init(&resp);
	accepted = net_request(c, req, &resp, &err) == 0 || (answers->accept_oversized &&
	    err.code == NET_TOO_LARGE && resp.status >= 200 && resp.status < 300);
	answer = json_tokener_parse(buf_cstr(&resp.body));
	if (accepted)
		answers->accepted(m, &resp, answer, r);
	else if (notify_net_failed(answers->name, &err, resp.status, r))
		answers->refused(r, resp.status, answer);
	json_object_put(answer);
	net_response_free(&resp);
	return r->outcome == NOTIFY_SENT ? 0 : -1;
}

bool
notify_net_check(const struct net_client *c, const char *path, const char *credentials,
    const char *resource, struct net_response *resp, char *msg, size_t size)
{
	struct net_request req = { .method = "GET", .path = path, .request_id = "doctor" };
	struct net_err err;

	net_request(c, &req, resp, &err);
	if (err.status == 0 && err.code != NET_OK)
		snprintf(msg, size, "%s unreachable: %s", c->base_url, err.message);
	else if (err.status == 401 || err.status == 403)
		snprintf(msg, size, "%s refused (HTTP %ld)", credentials, err.status);
	else if (err.status != 200)
		snprintf(msg, size, "unexpected HTTP %ld from %s", err.status, resource);
	else
		return true;
	return false;
}

void
notify_net_sent(const char *name, const struct notify_outgoing *m, struct json_object *id,
    struct notify_result *r)
{
	char what[NOTIFY_NET_LOG_SIZE];

	r->outcome = NOTIFY_SENT;
	if (id != NULL && json_object_is_type(id, json_type_string)) {
		snprintf(r->provider_id, sizeof r->provider_id, "%s", json_object_get_string(id));
		return;
	}
	snprintf(what, sizeof what, "%s answer without a message id", name);
	log_warn(what, "%s", m->id);
	snprintf(r->provider_id, sizeof r->provider_id, "%s-%s", name, m->id);
}

struct json_object *
notify_wa_template(const char *name, const char *templates, const struct notify_outgoing *m,
    char template[NOTIFY_WA_MAX_ID], struct notify_result *r)
{
	struct json_object *vars;

	if (*m->template_name == '\0' || (vars = notify_whatsapp_vars(m->template_vars)) == NULL) {
		r->outcome = NOTIFY_REJECTED;
		snprintf(r->error, sizeof r->error, "%s: a WhatsApp message needs a template", name);
		return NULL;
	}
	notify_whatsapp_template_id(templates, m->template_name, true, template);
	return vars;
}

/* The provider configured for a channel, by name ("outbox" when nothing else is). */
static const char *
notify_provider_name(const struct config *cfg, enum notify_channel channel)
{
	switch (channel) {
	case NOTIFY_SMS:
		return cfg->sms_provider;
	case NOTIFY_WHATSAPP:
		return cfg->whatsapp_provider;
	case NOTIFY_EMAIL:
		return cfg->email_provider;
	}
	return "outbox";
}

bool
notify_channel_baa(const struct config *cfg, enum notify_channel channel)
{
	const char *name = notify_provider_name(cfg, channel);

	/* Twilio WhatsApp runs on the same Twilio account, under the same agreement */
	if (strcmp(name, "twilio") == 0)
		return cfg->twilio_baa;
	if (strcmp(name, "sendgrid") == 0)
		return cfg->sendgrid_baa;
	if (strcmp(name, "smtp") == 0)
		return cfg->smtp_baa;
	if (strcmp(name, "meta") == 0)
		return cfg->meta_baa;
	if (strcmp(name, "gallabox") == 0)
		return cfg->gallabox_baa;
	/* the development outbox sends nothing anywhere: it shows the full text */
	return true;
}

/* Twilio for one channel: SMS and WhatsApp share the account, each with its sender. */
static const struct notify_provider *
notify_setup_twilio(struct notify_setup *s, const struct config *cfg, enum notify_channel ch)
{
	bool wa = ch == NOTIFY_WHATSAPP;
	struct notify_twilio *t = wa ? &s->twilio_whatsapp : &s->twilio;
	struct notify_provider *p = wa ? &s->twilio_whatsapp_provider : &s->twilio_provider;

	if (s->twilio_callback.len == 0)
		buf_printf(&s->twilio_callback, "%s/webhooks/twilio/status", cfg->public_url);
	*t = (struct notify_twilio){ cfg->twilio_base_url, cfg->twilio_account_sid,
		cfg->twilio_auth_token, wa ? cfg->twilio_whatsapp_from : cfg->twilio_from,
		s->twilio_callback.data, cfg->provider_timeout_ms, cfg->whatsapp_templates, { 0 } };
	notify_net_client(&t->net, "twilio", t->base_url, t->timeout_ms, NET_AUTH_BASIC,
	    t->account_sid, t->auth_token);
	*p = notify_twilio_provider;
	p->ctx = t;
	return p;
}

void
notify_setup_init(struct notify_setup *s, const struct config *cfg)
{
	memset(s, 0, sizeof *s);
	s->twilio_callback = (struct buf)BUF_INIT;
	for (int ch = 0; ch < NOTIFY_CHANNELS; ch++) {
		const char *name = notify_provider_name(cfg, (enum notify_channel)ch);

		s->channel[ch] = &notify_provider_outbox;
		if (strcmp(name, "twilio") == 0)
			s->channel[ch] = notify_setup_twilio(s, cfg, (enum notify_channel)ch);
		else if (strcmp(name, "sendgrid") == 0) {
			s->sendgrid = (struct notify_sendgrid){ cfg->sendgrid_base_url, cfg->sendgrid_api_key,
				cfg->email_from, cfg->email_from_name, cfg->sendgrid_webhook_public_key,
				cfg->provider_timeout_ms, { 0 } };
			notify_net_client(&s->sendgrid.net, "sendgrid", s->sendgrid.base_url,
			    s->sendgrid.timeout_ms, NET_AUTH_BEARER, NULL, s->sendgrid.api_key);
			s->sendgrid_provider = notify_sendgrid_provider;
			s->sendgrid_provider.ctx = &s->sendgrid;
			s->channel[ch] = &s->sendgrid_provider;
		} else if (strcmp(name, "smtp") == 0) {
			s->smtp = (struct notify_smtp){ cfg->smtp_url, cfg->smtp_username, cfg->smtp_password,
				cfg->email_from, cfg->email_from_name, cfg->smtp_allow_plaintext,
				cfg->provider_timeout_ms };
			s->smtp_provider = notify_smtp_provider;
			s->smtp_provider.ctx = &s->smtp;
			s->channel[ch] = &s->smtp_provider;
		} else if (strcmp(name, "meta") == 0) {
			s->meta = (struct notify_meta){ cfg->meta_base_url, cfg->meta_api_version,
				cfg->meta_phone_number_id, cfg->meta_access_token, cfg->meta_language,
				cfg->whatsapp_templates, cfg->provider_timeout_ms, { 0 } };
			notify_net_client(&s->meta.net, "meta", s->meta.base_url, s->meta.timeout_ms,
			    NET_AUTH_BEARER, NULL, s->meta.access_token);
			s->meta_provider = notify_meta_provider;
			s->meta_provider.ctx = &s->meta;
			s->channel[ch] = &s->meta_provider;
		} else if (strcmp(name, "gallabox") == 0) {
			s->gallabox = (struct notify_gallabox){ cfg->gallabox_base_url,
				cfg->gallabox_api_key, cfg->gallabox_api_secret, cfg->gallabox_channel_id,
				cfg->whatsapp_templates, cfg->provider_timeout_ms, { 0 } };
			/* Gallabox's keys are its own headers (apiKey, apiSecret): gallabox.c adds them */
			notify_net_client(&s->gallabox.net, "gallabox", s->gallabox.base_url,
			    s->gallabox.timeout_ms, NET_AUTH_NONE, NULL, NULL);
			s->gallabox_provider = notify_gallabox_provider;
			s->gallabox_provider.ctx = &s->gallabox;
			s->channel[ch] = &s->gallabox_provider;
		}
	}
}

void
notify_setup_free(struct notify_setup *s)
{
	buf_free(&s->twilio_callback);
}
