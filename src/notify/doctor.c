/* doctor.c: notify's part of `kairos doctor` — is every configured provider usable? One
 * line per check, ✓ or ✗ with the reason (NOTE-8). Checks make only harmless requests
 * (reads), never a send. */
#include "notify/notify.h"

#include <string.h>

#include <curl/curl.h>

/* Twilio knows a WhatsApp template only by its ContentSid, which only configuration can
 * give: every variant the BAA flag selects must have one, or its messages would be dead
 * letters. (Meta and Gallabox fall back to a name derived from ours.) */
static bool
notify_doctor_twilio_templates(const struct config *cfg, FILE *out)
{
	bool baa = notify_channel_baa(cfg, NOTIFY_WHATSAPP);
	struct buf missing = BUF_INIT;
	char sid[NOTIFY_WA_MAX_ID];
	bool good;

	for (size_t i = 0; notify_whatsapp_names[i] != NULL; i++) {
		const char *n = notify_whatsapp_names[i];

		if ((strstr(n, ".phi-free") != NULL) == baa)
			continue;	/* the other variant: not sent with this BAA setting */
		if (notify_whatsapp_template_id(cfg->whatsapp_templates, n, false, sid) < 0)
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", n);
	}
	good = missing.len == 0;
	if (good)
		fprintf(out, "✓ twilio (whatsapp templates): a ContentSid for each template\n");
	else
		fprintf(out, "✗ twilio (whatsapp templates): no ContentSid in KAIROS_WHATSAPP_TEMPLATES for %s\n",
		    missing.data);
	buf_free(&missing);
	return good;
}

bool
notify_doctor(const struct config *cfg, struct db *db, FILE *out)
{
	struct notify_setup setup;
	bool ok = true;

	(void)db;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	notify_setup_init(&setup, cfg);
	for (int ch = 0; ch < NOTIFY_CHANNELS; ch++) {
		const struct notify_provider *p = setup.channel[ch];
		const char *channel = notify_channel_name((enum notify_channel)ch);
		char msg[512];
		bool good;

		if (p->check == NULL) {
			fprintf(out, "✓ %s: %s (development; nothing is sent)\n", channel, p->name);
			continue;
		}
		good = p->check(p, msg, sizeof msg);
		fprintf(out, "%s %s (%s): %s\n", good ? "✓" : "✗", p->name, channel, msg);
		ok = ok && good;
	}
	if (strcmp(cfg->whatsapp_provider, "twilio") == 0 && !notify_doctor_twilio_templates(cfg, out))
		ok = false;
	notify_setup_free(&setup);
	net_thread_end();	/* the checks used this thread's handle (net/) */
	curl_global_cleanup();
	return ok;
}
