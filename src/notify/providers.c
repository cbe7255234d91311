/* providers.c: which provider carries each channel, from the configuration (NOTE-1).
 *
 * jobs (sending), doctor (checking) and the renderer (the BAA gate, NOTE-5) all ask here, so
 * a provider is wired in one place: its settings, its check and its BAA flag. */
#include "notify/notify.h"

#include <string.h>

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
		s->twilio_callback.data, cfg->provider_timeout_ms, cfg->whatsapp_templates };
	notify_twilio_init(p, t);
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
				cfg->provider_timeout_ms };
			notify_sendgrid_init(&s->sendgrid_provider, &s->sendgrid);
			s->channel[ch] = &s->sendgrid_provider;
		} else if (strcmp(name, "smtp") == 0) {
			s->smtp = (struct notify_smtp){ cfg->smtp_url, cfg->smtp_username, cfg->smtp_password,
				cfg->email_from, cfg->email_from_name, cfg->smtp_allow_plaintext,
				cfg->provider_timeout_ms };
			notify_smtp_init(&s->smtp_provider, &s->smtp);
			s->channel[ch] = &s->smtp_provider;
		} else if (strcmp(name, "meta") == 0) {
			s->meta = (struct notify_meta){ cfg->meta_base_url, cfg->meta_api_version,
				cfg->meta_phone_number_id, cfg->meta_access_token, cfg->meta_language,
				cfg->whatsapp_templates, cfg->provider_timeout_ms };
			notify_meta_init(&s->meta_provider, &s->meta);
			s->channel[ch] = &s->meta_provider;
		} else if (strcmp(name, "gallabox") == 0) {
			s->gallabox = (struct notify_gallabox){ cfg->gallabox_base_url,
				cfg->gallabox_api_key, cfg->gallabox_api_secret, cfg->gallabox_channel_id,
				cfg->whatsapp_templates, cfg->provider_timeout_ms };
			notify_gallabox_init(&s->gallabox_provider, &s->gallabox);
			s->channel[ch] = &s->gallabox_provider;
		}
	}
}

void
notify_setup_free(struct notify_setup *s)
{
	buf_free(&s->twilio_callback);
}
