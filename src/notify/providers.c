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
	case NOTIFY_EMAIL:
		return cfg->email_provider;
	case NOTIFY_WHATSAPP:
		break;
	}
	return "outbox";
}

bool
notify_channel_baa(const struct config *cfg, enum notify_channel channel)
{
	const char *name = notify_provider_name(cfg, channel);

	if (strcmp(name, "twilio") == 0)
		return cfg->twilio_baa;
	if (strcmp(name, "sendgrid") == 0)
		return cfg->sendgrid_baa;
	if (strcmp(name, "smtp") == 0)
		return cfg->smtp_baa;
	/* the development outbox sends nothing anywhere: it shows the full text */
	return true;
}

void
notify_setup_init(struct notify_setup *s, const struct config *cfg)
{
	memset(s, 0, sizeof *s);
	s->twilio_callback = (struct buf)BUF_INIT;
	for (int ch = 0; ch < NOTIFY_CHANNELS; ch++) {
		const char *name = notify_provider_name(cfg, (enum notify_channel)ch);

		s->channel[ch] = &notify_provider_outbox;
		if (strcmp(name, "twilio") == 0) {
			if (s->twilio_callback.len == 0)
				buf_printf(&s->twilio_callback, "%s/webhooks/twilio/status", cfg->public_url);
			s->twilio = (struct notify_twilio){ cfg->twilio_base_url, cfg->twilio_account_sid,
				cfg->twilio_auth_token, cfg->twilio_from, s->twilio_callback.data,
				cfg->provider_timeout_ms };
			notify_twilio_init(&s->twilio_provider, &s->twilio);
			s->channel[ch] = &s->twilio_provider;
		} else if (strcmp(name, "sendgrid") == 0) {
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
		}
	}
}

void
notify_setup_free(struct notify_setup *s)
{
	buf_free(&s->twilio_callback);
}
